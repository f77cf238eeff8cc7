/* A layer's table of contents: listing an eStargz or zstd:chunked layer, and
 * reading one of its files, from a few ranged reads instead of the whole blob.
 *
 * Both formats compress each file (or chunk of a file) separately and append
 * a TOC, a JSON document naming every entry with its metadata and where its
 * compressed bytes are. eStargz (gzip): a 51-byte footer (47 in the legacy
 * form) holds the TOC's offset; the TOC is a gzip member holding a tar with
 * one entry, stargz.index.json. zstd:chunked: the TOC is a zstd frame inside
 * a skippable frame whose position a layer annotation (or a footer frame at
 * the end) gives.
 *
 * Ranged bytes cannot be checked against the layer digest, so nothing is
 * listed from a TOC unless the layer's descriptor carries its digest (eStargz:
 * `containerd.io/snapshot/stargz/toc.digest`, the sha256 of the uncompressed
 * TOC JSON; zstd:chunked: `...zstd-chunked.manifest-checksum`, the sha256 of
 * the compressed TOC), and the TOC read matches it. Each chunk read is
 * checked against its digest in the TOC. The TOC's claims about file
 * metadata are trusted as the annotation's author made them.
 */
#ifndef BL_LAYERTOC_H
#define BL_LAYERTOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/arena.h"
#include "bakelens/buf.h"
#include "bakelens/descriptor.h"
#include "bakelens/digest.h"
#include "bakelens/error.h"
#include "bakelens/layerfiles.h"
#include "bakelens/store.h"

#define BL_LAYERTOC_ANN_ESTARGZ "containerd.io/snapshot/stargz/toc.digest"
#define BL_LAYERTOC_ZSTD_PREFIX "io.github.containers.zstd-chunked."
#define BL_LAYERTOC_ZSTD_PREFIX_OLD "io.containers.zstd-chunked."
#define BL_LAYERTOC_ESTARGZ_FOOTER 51u
#define BL_LAYERTOC_ESTARGZ_FOOTER_LEGACY 47u
#define BL_LAYERTOC_ZSTD_FOOTER 72u     /* skippable frame header + 64-byte payload */
#define BL_LAYERTOC_ZSTD_FOOTER_OLD 48u /* header + the older 40-byte payload */
#define BL_LAYERTOC_COMPRESSED_MAX (64u << 20)
#define BL_LAYERTOC_JSON_MAX (256u << 20)
#define BL_LAYERTOC_CHUNK_MAX (64u << 20) /* compressed or decompressed bytes of one chunk */

enum bl_layertoc_kind {
	BL_LAYERTOC_NONE = 0, /* not read from a TOC: see bl_layertoc.why */
	BL_LAYERTOC_ESTARGZ,
	BL_LAYERTOC_ZSTD_CHUNKED,
};

/* Where a TOC is (zstd:chunked manifest-position, or from a footer). */
struct bl_layertoc_pos {
	uint64_t offset; /* the compressed TOC bytes (after the skippable frame header) */
	uint64_t length;
	uint64_t length_uncompressed;
	uint64_t type;
};

/* A part of a regular file: its compressed bytes [offset, end) in the blob,
 * which decompress to `inner` bytes to skip and then `size` bytes of the file
 * starting at `file_offset`, whose sha256 is `digest`. */
struct bl_layertoc_chunk {
	uint64_t offset, end;
	uint64_t inner;
	uint64_t file_offset;
	uint64_t size;
	struct bl_digest digest;
};

struct bl_layertoc_entry {
	struct bl_file_entry file; /* path and linkname in the TOC's arena; layer -1 */
	size_t first_chunk;        /* into bl_layertoc.chunks */
	size_t nchunks;            /* 0 for all but regular files with data */
};

struct bl_layertoc {
	enum bl_layertoc_kind kind;
	struct bl_arena arena;
	struct bl_layertoc_entry *entries; /* in TOC order; chunk entries are folded in */
	size_t len, cap;
	struct bl_layertoc_chunk *chunks;
	size_t nchunks, chunks_cap;
	uint64_t payload_end; /* where the TOC begins: no chunk reaches past it */
	uint64_t bytes_read;  /* blob bytes read to find, fetch and check the TOC */
	const char *why;      /* kind NONE: why the TOC was not used (static text) */
};

void bl_layertoc_init(struct bl_layertoc *t);
void bl_layertoc_fini(struct bl_layertoc *t);
/* "estargz-toc", "zstd-chunked-toc", or "whole-layer" for NONE. */
const char *bl_layertoc_kind_name(enum bl_layertoc_kind k);

/* ---- parsers (no I/O; fuzzed) ---- */

/* The TOC offset from the last bytes of an eStargz blob: `tail` holds the
 * blob's last `len` bytes (51 or more; 47 for a blob that short). The 51-byte
 * footer is tried, then the legacy 47-byte one. *footer gets the footer's
 * size. BL_E_FORMAT when neither is there. */
bool bl_layertoc_estargz_footer(
        const void *tail, size_t len, uint64_t *toc_offset, size_t *footer, struct bl_error *err);
/* The TOC position from the last bytes of a zstd:chunked blob (72 or more;
 * the 64-byte payload with "GNUlInUx", or the older 40-byte one with
 * "GnUlInUx", each inside a skippable frame). BL_E_FORMAT when neither. */
bool bl_layertoc_zstd_footer(
        const void *tail, size_t len, struct bl_layertoc_pos *pos, struct bl_error *err);
/* "offset:length:lengthUncompressed:type" (decimal; the type may be absent)
 * as in the manifest-position annotation. BL_E_FORMAT otherwise. */
bool bl_layertoc_zstd_position(const char *s, struct bl_layertoc_pos *pos, struct bl_error *err);
/* The TOC JSON out of an eStargz TOC member (`gz`: gzip of a tar holding
 * stargz.index.json, which writers put after the tar's end marker so that
 * the layer applied as a tar does not show it) appended to `json`.
 * BL_E_FORMAT when it is something else, BL_E_TOO_BIG over
 * BL_LAYERTOC_JSON_MAX. */
bool bl_layertoc_estargz_json(
        const void *gz, size_t len, struct bl_buf *json, struct bl_error *err);
/* A zstd frame of `len` bytes decompressed into `out` (at most `max`).
 * BL_E_FORMAT when it is no zstd data, BL_E_TOO_BIG past max. */
bool bl_layertoc_zstd_decompress(
        const void *z, size_t len, size_t max, struct bl_buf *out, struct bl_error *err);
/* Parse TOC JSON of `kind` into `t` (initialised, empty): its entries, their
 * chunks (each chunk's compressed end is the next chunk's start, or
 * `payload_end` for the last), t->kind and t->payload_end. Entries of type
 * "chunk" extend the regular file before them; the root directory is
 * dropped; names are normalised as bl_layerfiles_read does. BL_E_FORMAT
 * naming the entry when a field has the wrong type, a chunk lies outside
 * [0, payload_end) or a name is unusable. */
bool bl_layertoc_parse(enum bl_layertoc_kind kind, const void *json, size_t len,
        uint64_t payload_end, struct bl_layertoc *t, struct bl_error *err);

/* ---- reading a layer ---- */

/* Find and read the TOC of the layer `desc` in `store` by ranged reads,
 * verified as the top of this header says. `t` initialised and empty.
 * Returns true with t->kind set and the entries filled; true with t->kind
 * NONE and t->why saying why when the layer must be read whole instead (no
 * TOC annotation, no TOC digest, the store or registry cannot read ranges);
 * false when the layer claims a TOC that is wrong: BL_E_DIGEST when it does
 * not match its digest, BL_E_FORMAT when it cannot be parsed, or the store's
 * error (BL_E_NET...). t->bytes_read counts what was read either way. */
bool bl_layertoc_load(struct bl_store *store, const struct bl_descriptor *desc,
        struct bl_layertoc *t, struct bl_error *err);

/* The entry called `path` (normalised), NULL when absent. Hard links are not
 * followed. */
const struct bl_layertoc_entry *bl_layertoc_find(const struct bl_layertoc *t, const char *path);

/* Called with the file's bytes in order; false stops the copy (the write
 * failed: set err). */
typedef bool (*bl_layertoc_write_fn)(void *ud, const void *data, size_t len, struct bl_error *err);

/* Write the contents of regular file `e` (of `t`, loaded from `desc` in
 * `store`) through `write`, fetching only its chunks by ranged reads: each
 * chunk is read, decompressed and checked against its digest before any of
 * it is written. *bytes_read (may be NULL) gets the blob bytes read. Fails
 * with BL_E_USAGE when `e` is no regular file, BL_E_DIGEST when a chunk does
 * not match, BL_E_FORMAT when it does not decompress to its size, or the
 * store's error (BL_E_UNSUPPORTED when it cannot read ranges). */
bool bl_layertoc_cat(struct bl_store *store, const struct bl_descriptor *desc,
        const struct bl_layertoc *t, const struct bl_layertoc_entry *e, bl_layertoc_write_fn write,
        void *ud, uint64_t *bytes_read, struct bl_error *err);

#endif
