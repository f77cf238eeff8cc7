/* An image's layers listed on a worker thread, kept by the caller between
 * jobs so that a layer is streamed once a session: see
 * include/bakelens/app.h. */
#include "bakelens/app.h"

#include <stdint.h>
#include <stdlib.h>

#include "bakelens/mem.h"
#include "bakelens/work.h"

struct bl_imagejob {
	struct bl_work w;
	const struct bl_node *manifest;
	size_t count;
	bool want_waste;
	/* The layer being read: the thread's, read by on_progress. */
	const char *label;
	uint64_t layer_total;
	/* Written by the thread before bl_work_done: */
	struct bl_image_files files;
	struct bl_waste waste;
	bool have_waste;
	bool ok;
	struct bl_error err;
};

const struct bl_node *bl_imagejob_layer(const struct bl_node *manifest, size_t idx, size_t *count)
{
	const struct bl_node *found = NULL;
	size_t n = 0;
	for (size_t i = 0; manifest && i < bl_node_count(manifest); i++) {
		const struct bl_node *c = bl_node_child(manifest, i);
		if (c->kind != BL_NODE_LAYER)
			continue;
		if (n == idx)
			found = c;
		n++;
	}
	if (count)
		*count = n;
	return found;
}

static bool on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	(void)what;
	struct bl_imagejob *j = ud;
	return bl_work_report(&j->w, "reading ", j->label, done, total ? total : j->layer_total);
}

static void *run(void *arg)
{
	struct bl_imagejob *j = arg;
	size_t total = 0;
	bl_imagejob_layer(j->manifest, 0, &total);
	size_t want = j->want_waste || j->count > total ? total : j->count;
	bool ok = true;
	struct bl_error err = {0};
	for (size_t i = j->files.len; ok && i < want; i++) {
		const struct bl_node *ln = bl_imagejob_layer(j->manifest, i, NULL);
		j->label = ln->label ? ln->label : "layer";
		j->layer_total = ln->has_desc && ln->desc.size > 0 ? (uint64_t)ln->desc.size : 0;
		on_progress(j, NULL, 0, 0);
		struct bl_layerfiles_opts lo = {.hash = true,
		        .layer = (int)i,
		        .progress = on_progress,
		        .progress_ud = j,
		        .need_tar_bytes = true};
		struct bl_file_list one;
		bl_file_list_init(&one);
		ok = bl_layerfiles_list_node(ln, &lo, &one, &err);
		if (ok)
			bl_image_files_add_take(&j->files, &one, ln->desc.size);
		bl_file_list_fini(&one);
	}
	/* A cancel after the last progress report still counts. */
	if (ok && bl_work_cancelled(&j->w)) {
		bl_fail(&err, BL_E_CANCELLED, "file listing cancelled");
		ok = false;
	}
	if (ok && j->want_waste) {
		bl_work_report(&j->w, "computing the wasted space", NULL, 0, 0);
		bl_waste_compute(&j->files, &j->waste);
		j->have_waste = true;
	}
	j->ok = ok;
	j->err = err;
	bl_work_done(&j->w);
	return NULL;
}

struct bl_imagejob *bl_imagejob_start_take(const struct bl_node *manifest,
        struct bl_image_files *have, size_t count, bool waste, struct bl_error *err)
{
	if (!manifest || manifest->kind != BL_NODE_MANIFEST) {
		bl_fail(err, BL_E_USAGE, "a file listing needs an image manifest");
		return NULL;
	}
	struct bl_imagejob *j = bl_calloc(1, sizeof *j);
	j->manifest = manifest;
	j->count = count;
	j->want_waste = waste;
	j->files = *have; /* moves: the arrays and arenas are on the heap */
	bl_image_files_init(have);
	bl_waste_init(&j->waste);
	if (!bl_work_start(&j->w, run, j, "file listing", "starting", err)) {
		*have = j->files;
		bl_waste_fini(&j->waste);
		free(j);
		return NULL;
	}
	return j;
}

void bl_imagejob_poll(struct bl_imagejob *j, struct bl_load_state *st)
{
	bl_work_poll(&j->w, st);
}

void bl_imagejob_cancel(struct bl_imagejob *j)
{
	bl_work_cancel(&j->w);
}

bool bl_imagejob_finish(struct bl_imagejob *j, struct bl_image_files *files, struct bl_waste *waste,
        struct bl_error *err)
{
	bool cancel = bl_work_join(&j->w);
	bool ok = j->ok;
	/* The layers read before a cancel stay listed. */
	if (ok && cancel) {
		ok = false;
		bl_error_clear(&j->err);
		bl_fail(&j->err, BL_E_CANCELLED, "file listing cancelled");
	}
	*files = j->files;
	if (ok && waste && j->have_waste) {
		*waste = j->waste;
		bl_waste_init(&j->waste);
	}
	bl_waste_fini(&j->waste);
	if (!ok && err)
		*err = j->err;
	free(j);
	return ok;
}
