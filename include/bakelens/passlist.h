/* Layers listed while a once-read source passes.
 *
 * Standard input (and any pipe) is read once, and its layers are not kept
 * (store.h: a stdin store hashes its members and keeps only small JSON
 * documents). A pass list is a tap (struct bl_store_tap) that lists every
 * member that looks like a layer while it streams by, in whatever order
 * the archive has them, and keeps the listing (not the bytes) under the
 * member's digest: when the manifest is read afterwards, its layers' files
 * are there. With a capture path it also keeps, in an unnamed temporary
 * file, the bytes of each regular member of that path, so `cat` can write
 * them once it knows which layer's copy the image shows.
 *
 * Memory: the listings (as any listing of those layers would be) and one
 * read buffer; never a layer's bytes.
 */
#ifndef BL_PASSLIST_H
#define BL_PASSLIST_H

#include <stdbool.h>
#include <stdint.h>

#include "bakelens/layerfiles.h"
#include "bakelens/model.h"
#include "bakelens/store.h"

struct bl_passlist;

/* A new, empty pass list (caller frees with bl_passlist_free). Listings are
 * made with file hashes (bl_passlist_list takes them off when not asked
 * for). `capture_path` (normalised, may be NULL) is copied. */
struct bl_passlist *bl_passlist_new(const char *capture_path);
void bl_passlist_free(struct bl_passlist *p);

/* The tap to put in struct bl_source_opts; borrowed from `p`. */
const struct bl_store_tap *bl_passlist_tap(struct bl_passlist *p);

/* The listing kept for the blob `desc` into `out` (initialised, empty), as
 * bl_layerfiles_list would give it with `o` (entries' layer o->layer, hashes
 * only when o->hash). Returns 1 when copied, 0 on failure (the layer's own
 * error when listing it failed as it passed), -1 when the pass list has
 * nothing for that digest. */
int bl_passlist_list(const struct bl_passlist *p, const struct bl_descriptor *desc,
        const struct bl_layerfiles_opts *o, struct bl_file_list *out, struct bl_error *err);

/* bl_layerfiles_list_node, but from o->pass when it has the layer. */
bool bl_passlist_list_node(const struct bl_node *layer, const struct bl_layerfiles_opts *o,
        struct bl_file_list *out, struct bl_error *err);

/* Write the captured bytes of member `seq` of the layer `desc` to `sink`.
 * BL_E_UNSUPPORTED when they were not captured (another path, or reached
 * through a link): standard input cannot be read again. */
bool bl_passlist_cat(const struct bl_passlist *p, const struct bl_descriptor *desc, uint32_t seq,
        bl_data_sink sink, void *ud, struct bl_error *err);

/* Whether the pass list saw any member (the source was read once). */
bool bl_passlist_used(const struct bl_passlist *p);

#endif
