/* File-level differences of a layer pair, or one node's files, on a worker
 * thread: see include/bakelens/app.h. */
#include "bakelens/app.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

struct bl_filediff {
	pthread_t thread;
	pthread_mutex_t lock;
	const struct bl_node *left, *right;
	bool ignore_timestamps;
	const char *side; /* "left" or "right": read by on_progress, set by the thread */
	/* Under lock: */
	bool cancel;
	struct bl_load_state state;
	/* Written by the thread before it sets state.done: */
	struct bl_filediff_result *result;
	struct bl_error err;
};

static bool on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct bl_filediff *j = ud;
	char *safe = bl_text_safe(what ? what : "");
	pthread_mutex_lock(&j->lock);
	snprintf(j->state.what, sizeof j->state.what, "%s layer %s", j->side, safe);
	j->state.done_bytes = done;
	j->state.total = total;
	bool go_on = !j->cancel;
	pthread_mutex_unlock(&j->lock);
	free(safe);
	return go_on;
}

static bool cancelled(struct bl_filediff *j)
{
	pthread_mutex_lock(&j->lock);
	bool c = j->cancel;
	pthread_mutex_unlock(&j->lock);
	return c;
}

static void set_side(struct bl_filediff *j, const char *side, const struct bl_node *n)
{
	pthread_mutex_lock(&j->lock);
	j->side = side;
	char *label = bl_text_safe(n->label ? n->label : "layer");
	snprintf(j->state.what, sizeof j->state.what, "%s %s", side, label);
	free(label);
	j->state.done_bytes = 0;
	j->state.total = n->kind == BL_NODE_LAYER && n->has_desc && n->desc.size > 0
	                         ? (uint64_t)n->desc.size
	                         : 0;
	pthread_mutex_unlock(&j->lock);
}

static void *run(void *arg)
{
	struct bl_filediff *j = arg;
	struct bl_filediff_result *r = bl_calloc(1, sizeof *r);
	bl_file_list_init(&r->left);
	bl_file_list_init(&r->right);
	bl_file_diff_init(&r->diff);
	struct bl_error err = {0};
	struct bl_layerfiles_opts lo = {
	        .hash = j->right != NULL, .layer = -1, .progress = on_progress, .progress_ud = j};
	bool ok = true;
	if (!j->right) {
		/* a listing: one layer, or a whole image */
		set_side(j, "reading", j->left);
		ok = j->left->kind == BL_NODE_LAYER
		             ? bl_layerfiles_list_node(j->left, &lo, &r->left, &err)
		             : bl_layerfiles_list_image(j->left, &lo, &r->left, &err);
	} else {
		set_side(j, "left", j->left);
		if (!bl_layerfiles_list_node(j->left, &lo, &r->left, &err)) {
			bl_error_prefix(&err, "left side");
			ok = false;
		}
	}
	if (ok && j->right) {
		set_side(j, "right", j->right);
		if (!bl_layerfiles_list_node(j->right, &lo, &r->right, &err)) {
			bl_error_prefix(&err, "right side");
			ok = false;
		}
	}
	/* A cancel after the last progress report still counts. */
	if (ok && cancelled(j)) {
		bl_fail(&err, BL_E_CANCELLED, "file diff cancelled");
		ok = false;
	}
	if (ok && j->right) {
		struct bl_file_diff_opts fo = {.ignore_timestamps = j->ignore_timestamps};
		bl_layerfiles_diff(&r->left, &r->right, &fo, &r->diff);
	} else if (!ok) {
		bl_filediff_result_free(r);
		r = NULL;
	}
	pthread_mutex_lock(&j->lock);
	j->result = r;
	j->err = err;
	j->state.done = true;
	pthread_mutex_unlock(&j->lock);
	return NULL;
}

static struct bl_filediff *start(const struct bl_node *left, const struct bl_node *right,
        bool ignore_timestamps, struct bl_error *err)
{
	struct bl_filediff *j = bl_calloc(1, sizeof *j);
	j->left = left;
	j->right = right;
	j->ignore_timestamps = ignore_timestamps;
	j->side = "left";
	pthread_mutex_init(&j->lock, NULL);
	snprintf(j->state.what, sizeof j->state.what, "starting");
	int rc = pthread_create(&j->thread, NULL, run, j);
	if (rc != 0) {
		bl_fail(err, BL_E_IO, "cannot start the file diff thread: %s", strerror(rc));
		pthread_mutex_destroy(&j->lock);
		free(j);
		return NULL;
	}
	return j;
}

struct bl_filediff *bl_filediff_start(const struct bl_node *left, const struct bl_node *right,
        bool ignore_timestamps, struct bl_error *err)
{
	if (!left || !right || left->kind != BL_NODE_LAYER || right->kind != BL_NODE_LAYER) {
		bl_fail(err, BL_E_USAGE, "a file diff needs a layer on both sides");
		return NULL;
	}
	return start(left, right, ignore_timestamps, err);
}

struct bl_filediff *bl_filelist_start(const struct bl_node *node, struct bl_error *err)
{
	if (!node || (node->kind != BL_NODE_LAYER && node->kind != BL_NODE_MANIFEST)) {
		bl_fail(err, BL_E_USAGE, "a file listing needs a layer or an image manifest");
		return NULL;
	}
	return start(node, NULL, false, err);
}

void bl_filediff_poll(struct bl_filediff *j, struct bl_load_state *st)
{
	pthread_mutex_lock(&j->lock);
	*st = j->state;
	pthread_mutex_unlock(&j->lock);
}

void bl_filediff_cancel(struct bl_filediff *j)
{
	pthread_mutex_lock(&j->lock);
	j->cancel = true;
	pthread_mutex_unlock(&j->lock);
}

struct bl_filediff_result *bl_filediff_finish(struct bl_filediff *j, struct bl_error *err)
{
	pthread_join(j->thread, NULL);
	struct bl_filediff_result *r = j->result;
	/* A cancel asked for before the result is collected wins, even when the
	 * thread finished first: what the user sees must not depend on timing. */
	if (r && j->cancel) {
		bl_filediff_result_free(r);
		r = NULL;
		bl_error_clear(&j->err);
		bl_fail(&j->err, BL_E_CANCELLED, "file diff cancelled");
	}
	if (!r && err)
		*err = j->err;
	pthread_mutex_destroy(&j->lock);
	free(j);
	return r;
}

void bl_filediff_result_free(struct bl_filediff_result *r)
{
	if (!r)
		return;
	bl_file_diff_fini(&r->diff);
	bl_file_list_fini(&r->left);
	bl_file_list_fini(&r->right);
	free(r);
}
