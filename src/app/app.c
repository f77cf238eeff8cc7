/* Loading a build on a worker thread: see include/bakelens/app.h. */
#include "bakelens/app.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

struct bl_loader {
	pthread_t thread;
	pthread_mutex_t lock;
	bl_load_fn load;
	struct bl_source_opts opts; /* progress set to on_progress */
	char **args;
	size_t nargs;
	/* Under lock: */
	bool cancel;
	struct bl_load_state state;
	/* Written by the thread before it sets state.done: */
	struct bl_build *build;
	struct bl_error err;
};

static bool on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct bl_loader *l = ud;
	char *safe = bl_text_safe(what);
	pthread_mutex_lock(&l->lock);
	snprintf(l->state.what, sizeof l->state.what, "%s", safe);
	l->state.done_bytes = done;
	l->state.total = total;
	bool go_on = !l->cancel;
	pthread_mutex_unlock(&l->lock);
	free(safe);
	return go_on;
}

static void *run(void *arg)
{
	struct bl_loader *l = arg;
	struct bl_build *b = NULL;
	struct bl_error err = {0};
	if (!l->load((const char *const *)l->args, l->nargs, &l->opts, &b, &err))
		b = NULL;
	pthread_mutex_lock(&l->lock);
	if (b && l->cancel) {
		/* Cancelled after the last progress report: honour it. */
		bl_build_free(b);
		b = NULL;
		bl_fail(&err, BL_E_CANCELLED, "loading cancelled");
	}
	l->build = b;
	l->err = err;
	l->state.done = true;
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

struct bl_loader *bl_loader_start(const char *const *args, size_t nargs,
        const struct bl_source_opts *opts, bl_load_fn load, struct bl_error *err)
{
	struct bl_loader *l = bl_calloc(1, sizeof *l);
	l->load = load ? load : bl_build_load;
	if (opts)
		l->opts = *opts;
	l->opts.progress = on_progress;
	l->opts.progress_ud = l;
	l->nargs = nargs;
	l->args = bl_calloc(nargs + 1, sizeof *l->args);
	for (size_t i = 0; i < nargs; i++)
		l->args[i] = bl_strdup(args[i]);
	pthread_mutex_init(&l->lock, NULL);
	snprintf(l->state.what, sizeof l->state.what, "opening");
	int rc = pthread_create(&l->thread, NULL, run, l);
	if (rc != 0) {
		bl_fail(err, BL_E_IO, "cannot start the loading thread: %s", strerror(rc));
		for (size_t i = 0; i < nargs; i++)
			free(l->args[i]);
		free(l->args);
		pthread_mutex_destroy(&l->lock);
		free(l);
		return NULL;
	}
	return l;
}

void bl_loader_poll(struct bl_loader *l, struct bl_load_state *st)
{
	pthread_mutex_lock(&l->lock);
	*st = l->state;
	pthread_mutex_unlock(&l->lock);
}

void bl_loader_cancel(struct bl_loader *l)
{
	pthread_mutex_lock(&l->lock);
	l->cancel = true;
	pthread_mutex_unlock(&l->lock);
}

struct bl_build *bl_loader_finish(struct bl_loader *l, struct bl_error *err)
{
	pthread_join(l->thread, NULL);
	struct bl_build *b = l->build;
	if (!b && err)
		*err = l->err;
	for (size_t i = 0; i < l->nargs; i++)
		free(l->args[i]);
	free(l->args);
	pthread_mutex_destroy(&l->lock);
	free(l);
	return b;
}

bool bl_loader_wait(struct bl_loader *l, int timeout_ms)
{
	for (int waited = 0;; waited += 10) {
		pthread_mutex_lock(&l->lock);
		bool done = l->state.done;
		pthread_mutex_unlock(&l->lock);
		if (done)
			return true;
		if (waited >= timeout_ms)
			return false;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}
