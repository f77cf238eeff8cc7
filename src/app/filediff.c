/* File-level differences of a layer pair, or one node's files, on a worker
 * thread: see include/bakelens/app.h. */
#include "bakelens/app.h"

#include <stdio.h>
#include <stdlib.h>

#include "bakelens/mem.h"
#include "bakelens/work.h"

struct bl_filediff {
	struct bl_work w;
	const struct bl_node *left, *right;
	bool ignore_timestamps;
	char side[16]; /* "left layer " or "right layer ": the thread's, read by on_progress */
	/* Written by the thread before bl_work_done: */
	struct bl_filediff_result *result;
	struct bl_error err;
};

static bool on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct bl_filediff *j = ud;
	return bl_work_report(&j->w, j->side, what, done, total);
}

static void set_side(struct bl_filediff *j, const char *side, const struct bl_node *n)
{
	snprintf(j->side, sizeof j->side, "%s layer ", side);
	char prefix[16];
	snprintf(prefix, sizeof prefix, "%s ", side);
	bl_work_report(&j->w, prefix, n->label ? n->label : "layer", 0,
	        n->kind == BL_NODE_LAYER && n->has_desc && n->desc.size > 0 ? (uint64_t)n->desc.size
	                                                                    : 0);
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
	if (ok && bl_work_cancelled(&j->w)) {
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
	j->result = r;
	j->err = err;
	bl_work_done(&j->w);
	return NULL;
}

static struct bl_filediff *start(const struct bl_node *left, const struct bl_node *right,
        bool ignore_timestamps, struct bl_error *err)
{
	struct bl_filediff *j = bl_calloc(1, sizeof *j);
	j->left = left;
	j->right = right;
	j->ignore_timestamps = ignore_timestamps;
	if (!bl_work_start(&j->w, run, j, "file diff", "starting", err)) {
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
	bl_work_poll(&j->w, st);
}

void bl_filediff_cancel(struct bl_filediff *j)
{
	bl_work_cancel(&j->w);
}

struct bl_filediff_result *bl_filediff_finish(struct bl_filediff *j, struct bl_error *err)
{
	bool cancel = bl_work_join(&j->w);
	struct bl_filediff_result *r = j->result;
	if (r && cancel) {
		bl_filediff_result_free(r);
		r = NULL;
		bl_error_clear(&j->err);
		bl_fail(&j->err, BL_E_CANCELLED, "file diff cancelled");
	}
	if (!r && err)
		*err = j->err;
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
