/* A worker thread and what the explorer's event loop reads of it while it
 * runs: its progress and a cancel flag, under one lock. Each background job
 * (loading, a file diff, an image's listing, verify) embeds one and keeps
 * its own result, written by the thread before it returns and read by the
 * caller after bl_work_join (the join orders the two). */
#ifndef BL_WORK_H
#define BL_WORK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bakelens/app.h"
#include "bakelens/error.h"

struct bl_work {
	pthread_t thread;
	pthread_mutex_t lock;
	/* Under lock: */
	bool cancel;
	struct bl_load_state state;
};

/* Runs fn(arg) on a new thread; the state says `what` until the first
 * report. False with err set (BL_E_IO, naming `name`) when no thread can
 * start: nothing is left to join or destroy then. */
bool bl_work_start(struct bl_work *w, void *(*fn)(void *), void *arg, const char *name,
        const char *what, struct bl_error *err);
/* The state becomes `prefix` followed by `what` escaped (bl_text_safe;
 * either may be NULL), done and total. Returns false once a cancel was
 * asked: what a progress callback returns to stop its reader. */
bool bl_work_report(
        struct bl_work *w, const char *prefix, const char *what, uint64_t done, uint64_t total);
/* Whether a cancel was asked (by bl_work_cancel). */
bool bl_work_cancelled(struct bl_work *w);
/* Marks the work done; the thread calls it last, after its result. */
void bl_work_done(struct bl_work *w);
/* A snapshot of the state (never blocks for long). */
void bl_work_poll(struct bl_work *w, struct bl_load_state *st);
/* Asks the thread to stop: its next report returns false. */
void bl_work_cancel(struct bl_work *w);
/* Waits for the thread and destroys the lock. Returns whether a cancel was
 * asked: a cancel asked before the result is taken wins even when the
 * thread finished first, so what the user sees does not depend on timing. */
bool bl_work_join(struct bl_work *w);

#endif
