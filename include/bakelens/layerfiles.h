/* The files of a layer, and file-level differences between two layers.
 *
 * A layer's blob is streamed through bl_store_open_blob (its digest and size
 * are checked at the end) into libarchive (gzip, zstd or uncompressed tar);
 * the layer is never held in memory. Entries live in one growable array and
 * their strings in an arena: hundreds of thousands of files are fine.
 *
 * Paths are normalised: no leading "./" or "/", no trailing "/"; the root
 * directory entry ("./") is dropped. When a tar holds the same path twice the
 * later entry wins, as it does when the layer is applied.
 *
 * Listing may block for as long as reading the layer takes; progress and
 * cancellation go through the options' callback.
 */
#ifndef BL_LAYERFILES_H
#define BL_LAYERFILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/arena.h"
#include "bakelens/descriptor.h"
#include "bakelens/error.h"
#include "bakelens/model.h"
#include "bakelens/store.h"

enum bl_file_type {
	BL_FILE_REGULAR = 0,
	BL_FILE_DIR,
	BL_FILE_SYMLINK,
	BL_FILE_HARDLINK, /* linkname is the path it links to */
	BL_FILE_CHAR,
	BL_FILE_BLOCK,
	BL_FILE_FIFO,
	BL_FILE_SOCKET,
	BL_FILE_OTHER,
};

struct bl_file_entry {
	const char *path;     /* normalised, in the list's arena */
	const char *linkname; /* symlink target or hardlink source, NULL */
	enum bl_file_type type;
	uint32_t mode; /* permission bits with setuid/setgid/sticky (mode & 07777) */
	int64_t size;
	int64_t uid, gid;
	int64_t mtime; /* seconds since the epoch */
	int32_t mtime_nsec;
	int32_t layer;   /* position of the layer it came from (merged lists), else -1 */
	uint32_t seq;    /* order in the tar */
	bool has_sha256; /* regular files, when hashing was asked for */
	unsigned char sha256[32];
	/* Hard links in a merged list (bl_layerfiles_merge): what became of the
	 * path they link to. The link keeps the bytes it was made with either way. */
	enum bl_link_state {
		BL_LINK_OK = 0,   /* the target path shows the linked file */
		BL_LINK_GONE,     /* a later whiteout removed the target path */
		BL_LINK_REPLACED, /* a later layer put another file at the target path */
	} link_state;
};

/* Sorted by path, unique paths. */
struct bl_file_list {
	struct bl_arena arena;
	struct bl_file_entry *items;
	size_t len, cap;
	uint64_t bytes_read;     /* compressed bytes streamed (for reports and benchmarks) */
	const char *toc_why;     /* why the last layer was read whole, not from a TOC; NULL */
	uint64_t tar_bytes;      /* uncompressed tar bytes up to its end marker (summed on merge) */
	uint64_t content_bytes;  /* the sizes of every member, duplicates and whiteouts
	                            included (summed on merge): dive's layer size */
	bool missing_end_marker; /* the tar stopped after its last member's data, without
	                            padding or end blocks (umoci 0.4 writes these); the
	                            listing is complete */
};

void bl_file_list_init(struct bl_file_list *l);
void bl_file_list_fini(struct bl_file_list *l);
/* Binary search; NULL when absent. */
const struct bl_file_entry *bl_file_list_find(const struct bl_file_list *l, const char *path);
/* Index of the first entry whose path is >= key (strcmp order); l->len when none. */
size_t bl_file_list_lower_bound(const struct bl_file_list *l, const char *key);
/* The same within [lo, hi), which must hold the answer. */
size_t bl_file_list_lower_bound_in(
        const struct bl_file_list *l, const char *key, size_t lo, size_t hi);
const char *bl_file_type_name(enum bl_file_type t); /* "file", "dir", "symlink", ... */
/* One `ls -l`-like line (no newline) appended to `out`: mode, uid, gid, size,
 * mtime (UTC), "[N] " (the layer) when `show_layer`, the path, and " -> TARGET"
 * or " link to SOURCE"; names escaped (bl_text_safe). */
struct bl_buf;
void bl_file_entry_line(const struct bl_file_entry *e, bool show_layer, struct bl_buf *out);
/* The BL_FMETA_* bits on which two entries of the same path differ (0: the
 * same). Content compares by size, and by sha256 when both have one. */
unsigned bl_file_entry_compare(const struct bl_file_entry *l, const struct bl_file_entry *r);
/* Layer numbers as users give them: 1 is the bottom layer, `count` the top;
 * -1 is the top, -count the bottom. The 0-based index into `idx`; false when
 * out of range (0 always is). */
bool bl_layer_number_index(long number, size_t count, size_t *idx);
/* "(1 to N, or -1 to -N)", or "(none)" when count is 0: what
 * bl_layer_number_index takes, for messages. A new string. */
char *bl_layer_number_range(size_t count);
/* "-rwxr-xr-x"-style mode string into out (at least 11 bytes). */
void bl_file_mode_string(const struct bl_file_entry *e, char *out, size_t outlen);

struct bl_passlist;

struct bl_layerfiles_opts {
	bool hash;               /* sha256 of each regular file's content */
	int layer;               /* stored in each entry's `layer` (-1 when unused) */
	bl_progress_fn progress; /* called every few MiB with compressed bytes; may be NULL */
	void *progress_ud;
	/* Told, once per layer listed, how it was read: `path` "estargz-toc",
	 * "zstd-chunked-toc" (from its TOC by ranged reads, see layertoc.h) or
	 * "whole-layer"; `why` the TOC was not used (NULL when it was), the blob
	 * bytes read and the layer's size (-1 unknown). May be NULL. */
	void (*read_path)(void *ud, int layer, const struct bl_digest *d, const char *path,
	        const char *why, uint64_t bytes, int64_t size);
	void *read_path_ud;
	/* The caller uses bl_file_list.tar_bytes: every layer is read whole,
	 * since a TOC does not say how long the uncompressed tar is. */
	bool need_tar_bytes;
	/* Layers already listed while a once-read source passed (passlist.h):
	 * bl_passlist_list_node and bl_image_files_load take their listings
	 * from it. NULL: none. */
	const struct bl_passlist *pass;
	/* bl_layerfiles_read: the data of each regular member whose path is
	 * `capture_path` (normalised) goes to `capture`, which is first called
	 * with (seq, NULL, 0) as such a member starts. Returning false fails
	 * the listing (BL_E_CANCELLED unless the sink set `err`). */
	const char *capture_path;
	bool (*capture)(void *ud, uint32_t seq, const void *buf, size_t len, struct bl_error *err);
	void *capture_ud;
};

/* List the files of a tar stream. `what` names it in errors ("layer
 * sha256:ab..."). Takes nothing: the caller closes `s`. Reads `s` to its end
 * (so a verifying stream checks its digest) even after the tar's end marker.
 * Fails with BL_E_FORMAT (not a tar, bad compression: the member named),
 * BL_E_DIGEST (from the stream), BL_E_CANCELLED. `out` must be initialised;
 * it is left sorted and deduplicated. */
bool bl_layerfiles_read(struct bl_stream *s, const char *what, const struct bl_layerfiles_opts *o,
        struct bl_file_list *out, struct bl_error *err);

/* Open the blob (verified) in `store` and list it. */
bool bl_layerfiles_list(struct bl_store *store, const struct bl_descriptor *desc,
        const struct bl_layerfiles_opts *o, struct bl_file_list *out, struct bl_error *err);

/* The same for a LAYER node of a loaded build (its store and descriptor).
 * BL_E_NOT_FOUND when the blob is in none of the build's sources. */
bool bl_layerfiles_list_node(const struct bl_node *layer, const struct bl_layerfiles_opts *o,
        struct bl_file_list *out, struct bl_error *err);

/* The files of a whole image: every LAYER child of `manifest` listed in
 * order and merged (bl_layerfiles_merge), each entry's `layer` its position;
 * `o->layer` is ignored. Fails as the first layer that cannot be read. */
bool bl_layerfiles_list_image(const struct bl_node *manifest, const struct bl_layerfiles_opts *o,
        struct bl_file_list *out, struct bl_error *err);
/* Apply `upper` over `acc` as a container runtime would: ".wh.NAME" removes
 * NAME (and what is under it) from the lower layers, ".wh..wh..opq" hides
 * everything the lower layers had in its directory, an entry replaces the
 * lower one of the same path, and a non-directory replaces a directory with
 * everything under it. Whiteout entries themselves are not kept. Strings are
 * copied into acc's arena. Both lists must be sorted (as listed). */
void bl_layerfiles_merge(struct bl_file_list *acc, const struct bl_file_list *upper);
/* bl_layerfiles_merge, and `gone` (may be NULL) is shown each entry of
 * `acc` the merge drops (whited out, under an opaque or replaced directory,
 * or replaced by upper's entry of the same path) just before it goes. With
 * `borrow`, upper's strings are not copied: `upper` must outlive `acc`. */
void bl_layerfiles_merge_ex(struct bl_file_list *acc, const struct bl_file_list *upper, bool borrow,
        void (*gone)(void *ud, const struct bl_file_entry *e), void *ud);

/* Write the data of the member `seq` (bl_file_entry.seq) of the tar stream
 * to `sink`, a block at a time: the file is never held whole. `sink` returns
 * false to stop (then this returns false with BL_E_CANCELLED unless the sink
 * set `err`). The stream is read to its end only when the member was found,
 * so the digest is checked then. BL_E_NOT_FOUND when no member has that seq. */
typedef bool (*bl_data_sink)(void *ud, const void *buf, size_t len, struct bl_error *err);
bool bl_layerfiles_cat(struct bl_stream *s, const char *what, uint32_t seq, bl_data_sink sink,
        void *ud, struct bl_error *err);
/* The same for a LAYER node (its store and descriptor). */
bool bl_layerfiles_cat_node(const struct bl_node *layer, uint32_t seq, bl_data_sink sink, void *ud,
        struct bl_error *err);

/* ---- differences ---- */

enum bl_file_change_kind {
	BL_FCHANGE_ADDED = 0, /* right only */
	BL_FCHANGE_REMOVED,   /* left only */
	BL_FCHANGE_CONTENT,   /* bytes (sha256 or size) or type differ */
	BL_FCHANGE_METADATA,  /* same content; only what `what` says differs */
};

/* Bits of bl_file_change.what */
#define BL_FMETA_MTIME 0x01u
#define BL_FMETA_UID 0x02u
#define BL_FMETA_GID 0x04u
#define BL_FMETA_MODE 0x08u
#define BL_FMETA_LINK 0x10u /* symlink target or hardlink source */
#define BL_FMETA_TYPE 0x20u /* with BL_FCHANGE_CONTENT */
#define BL_FMETA_SIZE 0x40u /* with BL_FCHANGE_CONTENT */
#define BL_FMETA_DATA 0x80u /* with BL_FCHANGE_CONTENT: sha256 differs */

struct bl_file_change {
	enum bl_file_change_kind kind;
	unsigned what;                     /* BL_FMETA_* */
	const struct bl_file_entry *left;  /* borrowed from the left list, NULL when added */
	const struct bl_file_entry *right; /* borrowed from the right list, NULL when removed */
};

struct bl_file_diff {
	struct bl_file_change *items; /* in path order */
	size_t len, cap;
	size_t same;               /* entries equal on both sides */
	size_t counts[4];          /* per bl_file_change_kind */
	size_t timestamps_ignored; /* entries equal but for mtime (ignore_timestamps) */
};

struct bl_file_diff_opts {
	bool ignore_timestamps; /* mtime differences do not count (diffoci's semantic mode) */
};

void bl_file_diff_init(struct bl_file_diff *d);
void bl_file_diff_fini(struct bl_file_diff *d);
/* Compare two sorted lists. Files without sha256 on either side compare by
 * size only (a content change of equal size then goes unseen: hash when
 * listing for a diff). The result borrows entries from both lists. */
void bl_layerfiles_diff(const struct bl_file_list *left, const struct bl_file_list *right,
        const struct bl_file_diff_opts *o, struct bl_file_diff *out);
/* "mtime, uid, mode" for the bits set, into a new string. */
char *bl_file_change_what(unsigned what);
const char *bl_file_change_name(
        enum bl_file_change_kind k); /* "added", "removed", "content", "metadata" */

#endif
