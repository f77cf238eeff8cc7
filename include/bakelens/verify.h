/* Verifying a node: its digests recomputed from its bytes (src/app/verify.c).
 *
 * The explorer's `v`: a node's bytes read again through its store, hashed
 * and compared with what names them (the descriptor, the config's diff_ids,
 * the ChainID of the layer below), step by step, so that a failing step says
 * which value is wrong and what was found instead. No terminal here.
 */
#ifndef BL_VERIFY_H
#define BL_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/app.h"
#include "bakelens/error.h"
#include "bakelens/model.h"
#include "bakelens/vec.h"

enum bl_check_state { BL_CHECK_INFO = 0, BL_CHECK_OK, BL_CHECK_FAIL };
struct bl_check {
	enum bl_check_state state;
	char *text; /* "digest: sha256:... = descriptor", escaped */
};
struct bl_verify_report {
	struct bl_vec checks; /* struct bl_check *, owned */
	size_t failed;        /* checks with BL_CHECK_FAIL */
	char *title;          /* "layer 2/3 of linux/amd64", escaped */
};
void bl_verify_report_init(struct bl_verify_report *r);
void bl_verify_report_fini(struct bl_verify_report *r);

/* Verify `n` now, on this thread: read its bytes through its store (raw, so
 * that a mismatch can say what was found), hash them and compare digest and
 * size with the descriptor; for a layer also decompress (gzip, zstd or none),
 * hash the tar and compare it with config.rootfs.diff_ids[i], count its
 * bytes, and compute the ChainID from the layer below's ChainID. A target
 * is verified through its root document. Each step becomes a check in `out`
 * (a missing blob or a failed read is a failed check that says why). False
 * only when `progress` returned false (BL_E_CANCELLED) or `n` has nothing to
 * verify (BL_E_USAGE: no descriptor or no store). `progress` may be NULL. */
bool bl_verify_node(const struct bl_node *n, bl_progress_fn progress, void *ud,
        struct bl_verify_report *out, struct bl_error *err);

/* The same on a worker thread. The node is borrowed: its build must outlive
 * the job, and nothing else may read its store meanwhile. NULL with err set
 * when the thread cannot start or there is nothing to verify. */
struct bl_verify;
struct bl_verify *bl_verify_start(const struct bl_node *n, struct bl_error *err);
/* Progress so far: done (finished), what, done_bytes of total. */
void bl_verify_poll(struct bl_verify *j, struct bl_load_state *st);
/* Ask the job to stop: it fails with BL_E_CANCELLED at its next read. */
void bl_verify_cancel(struct bl_verify *j);
/* Wait for the thread and take its report into `out` (initialised by the
 * call); false with err set (BL_E_CANCELLED when cancelled, even when the
 * thread had finished). Frees the job. */
bool bl_verify_finish(struct bl_verify *j, struct bl_verify_report *out, struct bl_error *err);

#endif
