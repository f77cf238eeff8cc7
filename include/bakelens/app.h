/* Loading a build off the UI thread.
 *
 * bl_loader_start runs bl_build_load on a worker thread; the UI polls for
 * progress without blocking and may cancel at any time (the load then fails
 * with BL_E_CANCELLED at its next progress report).
 */
#ifndef BL_APP_H
#define BL_APP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/changeset.h"
#include "bakelens/error.h"
#include "bakelens/layerfiles.h"
#include "bakelens/model.h"

struct bl_loader;

/* The function that loads; bl_build_load unless a test gives another. */
typedef bool (*bl_load_fn)(const char *const *args, size_t nargs, const struct bl_source_opts *opts,
        struct bl_build **out, struct bl_error *err);

/* Start loading `args` (copied) with `opts` (copied, may be NULL; the
 * strings and the insecure list it points to are borrowed and must outlive
 * the loader). Its progress callback is replaced by the loader's own, which
 * bl_loader_poll reads and bl_loader_cancel answers. NULL when the thread
 * cannot start (err set). */
struct bl_loader *bl_loader_start(const char *const *args, size_t nargs,
        const struct bl_source_opts *opts, bl_load_fn load, struct bl_error *err);

struct bl_load_state {
	bool done;
	char what[128]; /* the latest progress text, escaped */
	uint64_t done_bytes;
	uint64_t total; /* 0 when unknown */
};

/* A snapshot of the progress (never blocks for long). */
void bl_loader_poll(struct bl_loader *l, struct bl_load_state *st);
/* Ask the load to stop; it fails with BL_E_CANCELLED when it next reports progress. */
void bl_loader_cancel(struct bl_loader *l);
/* Wait for the thread and take its result: the build (caller owns) or NULL
 * with err set. Frees the loader. */
struct bl_build *bl_loader_finish(struct bl_loader *l, struct bl_error *err);
/* Wait up to timeout_ms for the load to end (cancelled or not). False when it
 * is still running: a source stalled inside a read may not see a cancel for a
 * long time, and a program on its way out must not wait for it. */
bool bl_loader_wait(struct bl_loader *l, int timeout_ms);

/* File-level differences of two layers off the UI thread (src/app/filediff.c).
 *
 * bl_filediff_start lists both layers (hashing file contents) with
 * bl_layerfiles_list_node on a worker thread, then compares the lists. The
 * two nodes are borrowed: their build must outlive the job, and nothing else
 * may read their stores meanwhile. Poll for progress (state.what says which
 * side), cancel at any time (the job then fails with BL_E_CANCELLED). */
struct bl_filediff;
struct bl_filediff_result {
	struct bl_file_list left, right;
	struct bl_file_diff diff; /* borrows entries from left and right */
};
struct bl_filediff *bl_filediff_start(const struct bl_node *left, const struct bl_node *right,
        bool ignore_timestamps, struct bl_error *err);
/* The same job listing one node's files, without hashing and with nothing
 * to compare: a LAYER node's own files, or a MANIFEST node's whole image
 * (bl_layerfiles_list_image). The result's `left` holds them; `right` and
 * `diff` stay empty. */
struct bl_filediff *bl_filelist_start(const struct bl_node *node, struct bl_error *err);
void bl_filediff_poll(struct bl_filediff *j, struct bl_load_state *st);
void bl_filediff_cancel(struct bl_filediff *j);
/* Wait for the thread and take its result (caller owns; free with
 * bl_filediff_result_free) or NULL with err set. Frees the job. */
struct bl_filediff_result *bl_filediff_finish(struct bl_filediff *j, struct bl_error *err);
void bl_filediff_result_free(struct bl_filediff_result *r);

/* An image's layers listed off the UI thread, for the file tree and the
 * waste panel (src/app/imagejob.c).
 *
 * bl_imagejob_start_take lists the LAYER children of `manifest` that `have`
 * does not hold yet (have->len is how many of the bottom layers it holds),
 * up to `count` layers (SIZE_MAX: all), each streamed once, verified and
 * hashed (bl_layerfiles_list_node), and appends them to `have`, which the
 * job keeps until bl_imagejob_finish hands it back. With `waste` the image's
 * wasted space is computed too (bl_waste_compute; every layer is listed
 * then). The manifest is borrowed: its build must outlive the job. Cancel
 * at any time: the job then stops at its next progress report. */
struct bl_imagejob;
struct bl_imagejob *bl_imagejob_start_take(const struct bl_node *manifest,
        struct bl_image_files *have, size_t count, bool waste, struct bl_error *err);
void bl_imagejob_poll(struct bl_imagejob *j, struct bl_load_state *st);
void bl_imagejob_cancel(struct bl_imagejob *j);
/* Wait for the thread; frees the job. The layers listed (every one that was
 * read whole, even when a later one failed or the job was cancelled) move
 * into `files` (initialised, empty), and, when asked for and every layer
 * was read, the waste into `waste` (initialised, empty; may be NULL).
 * False with err set (BL_E_CANCELLED after a cancel) when a layer could not
 * be read. */
bool bl_imagejob_finish(struct bl_imagejob *j, struct bl_image_files *files, struct bl_waste *waste,
        struct bl_error *err);
/* The LAYER child of `manifest` at index `idx` (0 is the bottom), how many
 * there are in *count (may be NULL); NULL past the end. */
const struct bl_node *bl_imagejob_layer(const struct bl_node *manifest, size_t idx, size_t *count);

#endif
