/* Worker threads of the background jobs: see include/bakelens/work.h. */
#include "bakelens/work.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/text.h"

bool bl_work_start(struct bl_work *w, void *(*fn)(void *), void *arg, const char *name,
        const char *what, struct bl_error *err)
{
	pthread_mutex_init(&w->lock, NULL);
	w->cancel = false;
	w->state = (struct bl_load_state){0};
	snprintf(w->state.what, sizeof w->state.what, "%s", what);
	int rc = pthread_create(&w->thread, NULL, fn, arg);
	if (rc != 0) {
		pthread_mutex_destroy(&w->lock);
		bl_fail(err, BL_E_IO, "cannot start the %s thread: %s", name, strerror(rc));
		return false;
	}
	return true;
}

bool bl_work_report(
        struct bl_work *w, const char *prefix, const char *what, uint64_t done, uint64_t total)
{
	/* Escaped before the lock: the event loop waits on it every frame. */
	char *safe = what ? bl_text_safe(what) : NULL;
	pthread_mutex_lock(&w->lock);
	snprintf(w->state.what, sizeof w->state.what, "%s%s", prefix ? prefix : "",
	        safe ? safe : "");
	w->state.done_bytes = done;
	w->state.total = total;
	bool go_on = !w->cancel;
	pthread_mutex_unlock(&w->lock);
	free(safe);
	return go_on;
}

bool bl_work_cancelled(struct bl_work *w)
{
	pthread_mutex_lock(&w->lock);
	bool c = w->cancel;
	pthread_mutex_unlock(&w->lock);
	return c;
}

void bl_work_done(struct bl_work *w)
{
	pthread_mutex_lock(&w->lock);
	w->state.done = true;
	pthread_mutex_unlock(&w->lock);
}

void bl_work_poll(struct bl_work *w, struct bl_load_state *st)
{
	pthread_mutex_lock(&w->lock);
	*st = w->state;
	pthread_mutex_unlock(&w->lock);
}

void bl_work_cancel(struct bl_work *w)
{
	pthread_mutex_lock(&w->lock);
	w->cancel = true;
	pthread_mutex_unlock(&w->lock);
}

bool bl_work_join(struct bl_work *w)
{
	pthread_join(w->thread, NULL);
	bool c = w->cancel; /* the thread is gone: no lock needed */
	pthread_mutex_destroy(&w->lock);
	return c;
}
