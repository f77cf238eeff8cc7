/* Private to the tar store files: tar.c (the OCI tar store: opening,
 * classification, the ops), dockersave.c (roots from docker's manifest.json)
 * and tarblob.c (the blob table and member access both use). Calls go
 * tar.c -> dockersave.c -> tarblob.c, and tar.c -> tarblob.c. */
#ifndef BL_STORE_TAR_INTERNAL_H
#define BL_STORE_TAR_INTERNAL_H

#include <jansson.h>

#include "internal.h"

struct blob_ent {
	struct bl_digest d;
	const struct bl_tar_member *m; /* NULL for a synthesised document */
	char *synth;                   /* owned bytes when m is NULL */
	size_t synth_len;
	enum bl_blob_state state; /* known state (VERIFIED when hashed), else PRESENT */
};

struct tar_store {
	struct bl_store base;
	struct bl_tarix ix;
	int fd;
	char *path; /* file to re-stream (RESTREAM) */
	char *what; /* escaped source, for messages */
	enum bl_tar_access access;
	struct blob_ent *blobs;
	size_t nblobs, cap;
	bool sorted;
	struct bl_vec roots;
	size_t roots_dropped; /* names past TAR_ROOTS_MAX, not listed */
	/* manifest blobs by config digest (find_manifest_for_config), built once */
	struct man_cand *cands;
	size_t ncands;
	bool cands_built;
};

/* Roots one archive lists at most: a 32 MiB manifest.json can name millions
 * of RepoTags, each a root, and the model shows at most 100000 nodes. */
#define TAR_ROOTS_MAX 50000

struct man_cand {
	struct bl_digest config;
	struct bl_digest manifest;
	int64_t size;
	char *media_type;
};

/* ---- tarblob.c: the blob table ---- */

/* The entry for `d`, NULL when absent (sorts the table when needed). */
struct blob_ent *bl_tar_find_blob(struct tar_store *t, const struct bl_digest *d);
/* A new PRESENT entry for `d`. `check`: return an existing entry with that
 * digest instead (sorts the table: do not use in a loop over many blobs). */
struct blob_ent *bl_tar_add_blob_ex(struct tar_store *t, const struct bl_digest *d, bool check);
/* bl_tar_add_blob_ex with the check. */
struct blob_ent *bl_tar_add_blob(struct tar_store *t, const struct bl_digest *d);
/* VERIFIED or MISMATCH when the member was hashed with the entry's algorithm. */
void bl_tar_set_member_state(struct blob_ent *b);

/* ---- tarblob.c: member access ---- */

/* A reader of the compressed archive positioned at the data of `m` (caller
 * frees with archive_read_free); NULL and err when it cannot be reopened or
 * the member is no longer there. */
struct archive *bl_tar_restream_to(
        struct tar_store *t, const struct bl_tar_member *m, struct bl_error *err);
/* True (and BL_E_UNSUPPORTED in err) for a sparse member of unknown offset
 * larger than any document: never read. */
bool bl_tar_sparse_unreadable(
        const struct bl_tar_member *m, const char *label, struct bl_error *err);
/* Append the bytes of `m` to out; BL_E_TOO_BIG over max, BL_E_UNSUPPORTED for
 * a member not kept from a stream read once, BL_E_FORMAT for a short archive.
 * `label` names the member in messages (already safe). */
bool bl_tar_read_member(struct tar_store *t, const struct bl_tar_member *m, size_t max,
        struct bl_buf *out, const char *label, struct bl_error *err);
/* A raw stream over the data at the reader's position (takes `a`). */
struct bl_stream *bl_tar_archive_stream_new(struct archive *a);
/* The member parsed as JSON (caller owns), NULL and err on failure. */
json_t *bl_tar_member_json(struct tar_store *t, const struct bl_tar_member *m, const char *label,
        size_t max, struct bl_error *err);
/* sha256 of the member's bytes, streamed (never held in memory). */
bool bl_tar_member_digest(struct tar_store *t, const struct bl_tar_member *m, struct bl_digest *out,
        struct bl_error *err);
/* Up to n first bytes of the member into p (0 when not cheaply known). */
size_t bl_tar_member_magic(
        struct tar_store *t, const struct bl_tar_member *m, unsigned char *p, size_t n);
enum comp { COMP_NONE, COMP_GZIP, COMP_ZSTD, COMP_OTHER };
/* The compression that first bytes announce. */
enum comp bl_tar_magic_comp(const unsigned char *p, size_t n);
/* Why bl_tarix_find found no regular file at `name`, as a phrase to append
 * to a message (static string); "" when no member has that name. */
const char *bl_tar_why_not_found(const struct tar_store *t, const char *name);

/* ---- dockersave.c ---- */

/* Roots from manifest.json `mm` (an array of images): per entry the manifest
 * blob docker >= 25 saved, else a synthesised v2s2 manifest (its bytes and
 * the layers it names go into the blob table). `from_v25`: index.json was
 * there but listed no images (said in the roots' notes). Fails with
 * BL_E_FORMAT naming the entry when an entry, its config or a layer is bad. */
bool bl_tar_roots_from_manifest_json(
        struct tar_store *t, const struct bl_tar_member *mm, bool from_v25, struct bl_error *err);
/* Name the store's unnamed manifest roots by the RepoTags of manifest.json
 * entries with the same config (extra tags add roots). Never fails: an
 * unusable manifest.json names nothing. */
void bl_tar_name_from_manifest_json(struct tar_store *t, const struct bl_tar_member *mm);

#endif
