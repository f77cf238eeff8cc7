/* An image's layers listed on a worker thread, kept by the caller between
 * jobs so that a layer is streamed once a session: see
 * include/bakelens/app.h. */
#include "bakelens/app.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

struct bl_imagejob {
	pthread_t thread;
	pthread_mutex_t lock;
	const struct bl_node *manifest;
	size_t count;
	bool want_waste;
	char label[64]; /* the layer being read, escaped: read by on_progress */
	/* Under lock: */
	bool cancel;
	struct bl_load_state state;
	/* Written by the thread before it sets state.done: */
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
	pthread_mutex_lock(&j->lock);
	snprintf(j->state.what, sizeof j->state.what, "reading %s", j->label);
	j->state.done_bytes = done;
	if (total)
		j->state.total = total;
	bool go_on = !j->cancel;
	pthread_mutex_unlock(&j->lock);
	return go_on;
}

static bool cancelled(struct bl_imagejob *j)
{
	pthread_mutex_lock(&j->lock);
	bool c = j->cancel;
	pthread_mutex_unlock(&j->lock);
	return c;
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
		pthread_mutex_lock(&j->lock);
		char *safe = bl_text_safe(ln->label ? ln->label : "layer");
		snprintf(j->label, sizeof j->label, "%s", safe);
		free(safe);
		snprintf(j->state.what, sizeof j->state.what, "reading %s", j->label);
		j->state.done_bytes = 0;
		j->state.total = ln->has_desc && ln->desc.size > 0 ? (uint64_t)ln->desc.size : 0;
		pthread_mutex_unlock(&j->lock);
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
	if (ok && cancelled(j)) {
		bl_fail(&err, BL_E_CANCELLED, "file listing cancelled");
		ok = false;
	}
	if (ok && j->want_waste) {
		pthread_mutex_lock(&j->lock);
		snprintf(j->state.what, sizeof j->state.what, "computing the wasted space");
		pthread_mutex_unlock(&j->lock);
		bl_waste_compute(&j->files, &j->waste);
		j->have_waste = true;
	}
	pthread_mutex_lock(&j->lock);
	j->ok = ok;
	j->err = err;
	j->state.done = true;
	pthread_mutex_unlock(&j->lock);
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
	pthread_mutex_init(&j->lock, NULL);
	snprintf(j->state.what, sizeof j->state.what, "starting");
	int rc = pthread_create(&j->thread, NULL, run, j);
	if (rc != 0) {
		*have = j->files;
		bl_waste_fini(&j->waste);
		pthread_mutex_destroy(&j->lock);
		free(j);
		bl_fail(err, BL_E_IO, "cannot start the file listing thread: %s", strerror(rc));
		return NULL;
	}
	return j;
}

void bl_imagejob_poll(struct bl_imagejob *j, struct bl_load_state *st)
{
	pthread_mutex_lock(&j->lock);
	*st = j->state;
	pthread_mutex_unlock(&j->lock);
}

void bl_imagejob_cancel(struct bl_imagejob *j)
{
	pthread_mutex_lock(&j->lock);
	j->cancel = true;
	pthread_mutex_unlock(&j->lock);
}

bool bl_imagejob_finish(struct bl_imagejob *j, struct bl_image_files *files, struct bl_waste *waste,
        struct bl_error *err)
{
	pthread_join(j->thread, NULL);
	bool ok = j->ok;
	/* A cancel asked for before the result is collected wins: what the user
	 * sees must not depend on timing. The layers read stay listed. */
	if (ok && j->cancel) {
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
	pthread_mutex_destroy(&j->lock);
	free(j);
	return ok;
}
