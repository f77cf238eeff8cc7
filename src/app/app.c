/* Loading a build on a worker thread: see include/bakelens/app.h. */
#include "bakelens/app.h"

#include <stdlib.h>
#include <time.h>

#include "bakelens/mem.h"
#include "bakelens/work.h"

struct bl_loader {
	struct bl_work w;
	bl_load_fn load;
	struct bl_source_opts opts; /* progress set to on_progress */
	char **args;
	size_t nargs;
	/* Written by the thread before bl_work_done: */
	struct bl_build *build;
	struct bl_error err;
};

static bool on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct bl_loader *l = ud;
	return bl_work_report(&l->w, NULL, what, done, total);
}

static void *run(void *arg)
{
	struct bl_loader *l = arg;
	struct bl_build *b = NULL;
	struct bl_error err = {0};
	if (!l->load((const char *const *)l->args, l->nargs, &l->opts, &b, &err))
		b = NULL;
	if (b && bl_work_cancelled(&l->w)) {
		/* Cancelled after the last progress report: honour it. */
		bl_build_free(b);
		b = NULL;
		bl_fail(&err, BL_E_CANCELLED, "loading cancelled");
	}
	l->build = b;
	l->err = err;
	bl_work_done(&l->w);
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
	if (!bl_work_start(&l->w, run, l, "loading", "opening", err)) {
		for (size_t i = 0; i < nargs; i++)
			free(l->args[i]);
		free(l->args);
		free(l);
		return NULL;
	}
	return l;
}

void bl_loader_poll(struct bl_loader *l, struct bl_load_state *st)
{
	bl_work_poll(&l->w, st);
}

void bl_loader_cancel(struct bl_loader *l)
{
	bl_work_cancel(&l->w);
}

struct bl_build *bl_loader_finish(struct bl_loader *l, struct bl_error *err)
{
	bl_work_join(&l->w);
	struct bl_build *b = l->build;
	if (!b && err)
		*err = l->err;
	for (size_t i = 0; i < l->nargs; i++)
		free(l->args[i]);
	free(l->args);
	free(l);
	return b;
}

bool bl_loader_wait(struct bl_loader *l, int timeout_ms)
{
	for (int waited = 0;; waited += 10) {
		struct bl_load_state st;
		bl_work_poll(&l->w, &st);
		if (st.done)
			return true;
		if (waited >= timeout_ms)
			return false;
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
}
