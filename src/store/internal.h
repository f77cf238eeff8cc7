/* Private to src/store: helpers shared by the local store back ends
 * (ocidir.c, content.c, tar*.c, dockersave.c, stdin.c, dockerd*.c, containerd.c) and the base
 * (store.c, stream.c).
 * Calls go one way: store_open.c -> concrete stores -> store.c, stream.c, range.c
 * (content.c reads its blobs through ocidir.c; dockerd.c reads the daemon's save
 * stream through stdin.c). */
#ifndef BL_STORE_INTERNAL_H
#define BL_STORE_INTERNAL_H

#include <archive.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/arena.h"
#include "bakelens/store.h"

#define BL_TAR_KEEP_MAX (4u << 20)    /* a member kept in memory is at most this big */
#define BL_TAR_KEEP_TOTAL (64u << 20) /* and all kept members together at most this */
#define BL_TAR_NAME_MAX 16384u        /* longest member name or link target accepted */
#define BL_TAR_INDEX_MAX (64u << 20)  /* member records, names and links of one index */

/* stream.c */
/* As bl_stream_fd_range, but the stream owns `fd` and closes it. len < 0: to EOF. */
struct bl_stream *bl_stream_fd_own(int fd, off_t offset, int64_t len);
/* A stream over `data` (malloc'd), which it takes. */
struct bl_stream *bl_stream_memory_take(void *data, size_t len);

/* range.c: `len` bytes at `offset` of `fd` into buf with pread; a file
 * that ends first fails with BL_E_FORMAT (`what` names it, already safe). */
bool bl_store_pread_exact(
        int fd, uint64_t offset, size_t len, void *buf, const char *what, struct bl_error *err);

/* store.c */
/* Fill the common part; `source` and `describe` are copied. */
void bl_store_base_init(struct bl_store *s, const struct bl_store_ops *ops, const char *source,
        const char *describe);
/* "sha256:0123456789ab…" for messages, into out (>= 32 bytes). */
void bl_store_short(const struct bl_digest *d, char *out, size_t outlen);
/* Parse index.json bytes (`where` names it for messages) and append one root
 * per manifests[] entry. `"manifests": null` or absent: no roots. A bad
 * descriptor gives a root with no digest and a note saying why. */
bool bl_store_index_roots(const void *data, size_t len, const char *where, struct bl_vec *roots,
        struct bl_error *err);
/* The root `d` of a store that names no images: the blob read from `s`
 * (verified against d), which must be an index or a manifest (BL_E_FORMAT),
 * as a root descriptor (caller owns). NULL on failure, with "<where>: root
 * <digest>" in front of the reason. */
struct bl_store_root *bl_store_sniff_root(
        struct bl_store *s, const struct bl_digest *d, const char *where, struct bl_error *err);
/* A deep copy (caller owns; free with bl_store_root_free). */
struct bl_store_root *bl_store_root_dup(const struct bl_store_root *r);

/* ocidir.c: the blobs/<alg>/<hex> files of `dir` with no index.json read:
 * a store with no roots (content.c gives it its roots). Fails with BL_E_IO
 * when the directory cannot be opened. */
bool bl_store_blobdir_open(const char *dir, struct bl_store **out, struct bl_error *err);

/* tarindex.c: one pass over tar headers. */
struct bl_tar_member {
	char *name; /* normalised (no "./", no "//", no trailing "/"), in the arena */
	char *link; /* hard link target (normalised) or symlink target (as written); NULL */
	bool is_reg, is_symlink, is_hardlink;
	int64_t size;   /* data size in the tar */
	int64_t offset; /* data offset in the uncompressed tar stream; -1 unknown (sparse) */
	size_t ordinal; /* number of the header in the archive, for re-streaming */
	void *data;     /* kept bytes (bl_malloc'd, owned by the index), or NULL */
	bool hashed;    /* `sha` is the digest of the data (stream modes) */
	struct bl_digest sha;
	unsigned char magic[6]; /* first bytes of the data when read during the pass */
	size_t magic_len;
};

enum bl_tarix_mode {
	BL_TARIX_SEEK,   /* skip data (seeks on a regular file), record offsets */
	BL_TARIX_STREAM, /* read every member: hash it, keep small ones */
};

struct bl_tarix_opts {
	enum bl_tarix_mode mode;
	const char *what;  /* the archive's name for messages (already safe) */
	int64_t file_size; /* for SEEK: members must end inside it; 0 unknown */
	bl_progress_fn progress;
	void *progress_ud;
	uint64_t index_max;             /* bytes the index may keep; 0: BL_TAR_INDEX_MAX */
	const struct bl_store_tap *tap; /* STREAM: shown each hashed member; NULL */
};

struct bl_tarix {
	struct bl_arena arena;
	struct bl_tar_member *m;
	size_t n, cap;
	size_t *by_name; /* indices of m sorted by name; duplicates: the last header wins */
	size_t n_by_name;
	uint64_t kept_total;
	uint64_t index_bytes; /* member records, names and links kept: at most the budget */
	size_t unsafe_names;  /* members skipped because their name leaves the archive ("..") */
	char *filter;         /* "gzip", "xz", ... or NULL for none */
};

/* A reader for tar formats with the gzip, bzip2, xz and zstd filters. */
struct archive *bl_tarix_reader(void);
/* libarchive's reason for the last failure of `a`, escaped (it can quote
 * member names), never NULL: caller frees. */
char *bl_tarix_why(struct archive *a);
void bl_tarix_init(struct bl_tarix *ix);
void bl_tarix_fini(struct bl_tarix *ix);
/* Walk an opened reader to its end. Fails with BL_E_FORMAT naming the member
 * or offset where the archive broke or whose name or link target is over
 * BL_TAR_NAME_MAX, BL_E_TOO_BIG when the index would pass its budget
 * (o->index_max), BL_E_CANCELLED when progress says so. */
bool bl_tarix_build(struct bl_tarix *ix, struct archive *a, const struct bl_tarix_opts *o,
        struct bl_error *err);
/* bl_tarix_build over a reader opened on `fd` (which stays the caller's);
 * a file libarchive cannot open fails with BL_E_FORMAT "<o->what>: not a
 * readable tar archive: <why>". */
bool bl_tarix_build_fd(
        struct bl_tarix *ix, int fd, const struct bl_tarix_opts *o, struct bl_error *err);
/* The member called `name` (normalised), following hard and symbolic links
 * (at most 16); NULL when absent or the link leads outside. */
const struct bl_tar_member *bl_tarix_find(const struct bl_tarix *ix, const char *name);
/* Normalised copy of a member name (caller owns), NULL when a ".." component
 * or an absolute-after-normalising empty name makes it unusable. */
char *bl_tar_path_normalise(const char *in);

/* stdin.c: the stream store over a reader opened on a stream (`a` stays the
 * caller's): one pass, members hashed, small JSON kept, as for standard
 * input. `what` names it in messages (already safe); `source` is the store's
 * source. Fails as bl_tarix_build does. */
bool bl_store_stream_read(struct archive *a, const char *what, const char *source,
        const struct bl_source_opts *opts, struct bl_store **out, struct bl_error *err);

/* tar.c: finish a store over an index (classify members into roots and blobs). */
enum bl_tar_access {
	BL_TAR_PREAD,    /* uncompressed file: pread at the recorded offsets */
	BL_TAR_RESTREAM, /* compressed file: re-read the archive up to a member */
	BL_TAR_ONCE,     /* standard input: only kept members can be read */
};
/* The name of the member that holds blob `d` in a tar store (normalised,
 * borrowed from the store); NULL when `s` is no tar store, or `d` is
 * absent or a document the store made. */
const char *bl_tar_store_member_of(struct bl_store *s, const struct bl_digest *d);
/* Takes `ix` (moved into the store) and `fd` (closed on free, -1 for none). */
bool bl_tar_store_new(struct bl_tarix *ix, int fd, const char *path, enum bl_tar_access access,
        const char *source, struct bl_store **out, struct bl_error *err);

#endif
