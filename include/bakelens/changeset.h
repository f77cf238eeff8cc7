/* What each layer of an image changes, the image as of any layer, and the
 * space the layers waste.
 *
 * An image's layers are listed once (bl_image_files_load: every layer
 * streamed and verified, only the entries kept) and everything else is
 * computed from those listings:
 *
 * - the merged view as of layer N (whiteouts applied, as a runtime does);
 * - layer N's change set against the merged view of the layers under it:
 *   added, modified (type, size, sha256 of the content when the layers were
 *   listed with hashing, mode, uid/gid, link target; mtime alone is not a
 *   change), unchanged, and deleted paths (a whiteout ".wh.NAME", an opaque
 *   directory ".wh..wh..opq", or a directory replaced by a non-directory),
 *   each deletion with the number of entries and bytes it removes;
 * - dive's figures (efficiency, wasted bytes, user wasted percent), computed
 *   as dive computes them;
 * - the exact shadowed bytes: what a layer ships that the final image does
 *   not show, because a later layer overwrote or deleted it.
 *
 * Layers are indexed from 0 (the bottom) here; users see numbers from 1
 * (bl_layer_number_index in layerfiles.h converts).
 */
#ifndef BL_CHANGESET_H
#define BL_CHANGESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/layerfiles.h"

/* ---- the layers of one image ---- */

struct bl_image_files {
	size_t len; /* layers, bottom first */
	struct bl_file_list
	        *layers;     /* each as listed: whiteout entries kept, entry.layer = index */
	int64_t *compressed; /* each layer's blob size (its descriptor's) */
};

void bl_image_files_init(struct bl_image_files *f);
void bl_image_files_fini(struct bl_image_files *f);
/* Append a listed layer: the list's contents move into `f` and `layer` is
 * left empty (initialised). Sets each entry's `layer` to its index. */
void bl_image_files_add_take(
        struct bl_image_files *f, struct bl_file_list *layer, int64_t compressed);
/* List the first `count` LAYER children of `manifest` (SIZE_MAX: every
 * one) in order (bl_layerfiles_list_node; `o->layer` is ignored). Fails as
 * the first layer that cannot be read. */
bool bl_image_files_load(const struct bl_node *manifest, const struct bl_layerfiles_opts *o,
        size_t count, struct bl_image_files *out, struct bl_error *err);
/* The merged view of layers 0..upto (inclusive; clamped to the top) into
 * `out` (initialised, empty): bl_layerfiles_merge of each in turn. With no
 * layers `out` stays empty. */
void bl_image_files_merged(const struct bl_image_files *f, size_t upto, struct bl_file_list *out);

/* ---- a layer's change set ---- */

enum bl_change_kind {
	BL_CHANGE_ADDED = 0,
	BL_CHANGE_MODIFIED,
	BL_CHANGE_DELETED,
	BL_CHANGE_SAME, /* the layer has the entry again, unchanged but for mtime */
};

enum bl_delete_cause {
	BL_DELETE_NONE = 0,
	BL_DELETE_WHITEOUT, /* ".wh.NAME" */
	BL_DELETE_OPAQUE,   /* ".wh..wh..opq" in a directory above */
	BL_DELETE_REPLACED, /* a directory above became a non-directory */
};

struct bl_change {
	enum bl_change_kind kind;
	unsigned what;    /* MODIFIED: the BL_FMETA_* bits that differ (never MTIME) */
	const char *path; /* borrowed from the change set's lists */
	const struct bl_file_entry *entry; /* the layer's entry (in `upper`); NULL when deleted */
	const struct bl_file_entry *lower; /* the entry replaced or deleted (in `lower`); NULL
	                                      when added, or a whiteout that hides nothing */
	enum bl_delete_cause cause;        /* DELETED */
	size_t del_entries;                /* DELETED: entries removed, the path and all under it */
	uint64_t del_bytes;                /* DELETED: their sizes summed */
};

struct bl_changeset {
	size_t layer;              /* its index */
	struct bl_file_list lower; /* merged view of the layers under it */
	struct bl_file_list upper; /* merged view including it */
	struct bl_change *items;   /* in path order; a deletion names its top path only */
	size_t len, cap;
	size_t counts[4];        /* per bl_change_kind (DELETED: top paths) */
	uint64_t added_bytes;    /* sizes of added entries */
	uint64_t modified_bytes; /* new sizes of modified entries */
	size_t deleted_entries;  /* every entry the deletions remove */
	uint64_t deleted_bytes;
};

void bl_changeset_init(struct bl_changeset *c);
void bl_changeset_fini(struct bl_changeset *c);
/* Layer `layer`'s change set (0 <= layer < f->len) into `out` (initialised,
 * empty). Entries of `out->items` borrow from out->lower and out->upper. */
void bl_changeset_compute(const struct bl_image_files *f, size_t layer, struct bl_changeset *out);
const char *bl_change_kind_name(enum bl_change_kind k);   /* "added", "modified", ... */
const char *bl_delete_cause_name(enum bl_delete_cause c); /* "whiteout", "opaque", ... */

/* ---- wasted space ---- */

struct bl_inefficiency {    /* dive: a path found in more than one layer */
	const char *path;   /* normalised (no leading '/'), in the waste's arena */
	size_t count;       /* layers it appears in */
	int64_t cumulative; /* its sizes summed over those layers */
	int64_t minimum;
};

struct bl_shadowed {      /* a layer's entry the final image does not show */
	const char *path; /* in the waste's arena */
	size_t layer;     /* the layer that ships it */
	size_t by_layer;  /* the first layer above that overwrote or deleted it */
	int64_t size;
};

struct bl_waste {
	struct bl_arena arena;
	/* dive's figures, computed as dive computes them (see waste.c). */
	double efficiency;
	uint64_t size_bytes;        /* every layer's member sizes summed (content_bytes) */
	uint64_t user_size_bytes;   /* the same without the bottom layer */
	uint64_t wasted_bytes;      /* cumulative sizes of the paths in more than one layer */
	double user_wasted_percent; /* wasted / user size: a ratio; inf or nan when user size is 0
	                             */
	struct bl_inefficiency *ineff; /* by cumulative size, largest first, then path */
	size_t nineff;
	/* The exact figure: bytes shipped but not in the final image. Non-directory
	 * entries only (a directory entry carries no bytes). */
	uint64_t shadowed_bytes;
	size_t shadowed_files;
	uint64_t *layer_shadowed_bytes; /* per layer index: what it ships that is shadowed */
	size_t *layer_shadowed_files;
	struct bl_shadowed *shadowed; /* by size, largest first, then path */
	size_t nshadowed;
};

void bl_waste_init(struct bl_waste *w);
void bl_waste_fini(struct bl_waste *w);
/* Both figures for the image `f` into `out` (initialised, empty). */
void bl_waste_compute(const struct bl_image_files *f, struct bl_waste *out);

#endif
