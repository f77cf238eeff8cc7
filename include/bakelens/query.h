/* Every target's cache keys at once: `bakelens digest --json`, and the
 * comparison of two such answers (`--compare`). docs/digest-json.md gives the
 * JSON shape; this module computes the keys from a loaded build, reads an
 * earlier answer back and lists what moved. The writing is the CLI's.
 *
 * The keys are those of bl_build_query (model.h), the same answers, one per
 * `enum bl_what` but BL_WHAT_DEFAULT: the index digest per target; per
 * platform the manifest and config digests and the last layer's digest,
 * diff_id and ChainID. A key the image does not have (no index above a
 * single manifest, a manifest without layers) is unset without an error; a
 * key that cannot be read (a blob missing, a digest mismatch) is unset and
 * the platform, or the whole target, gets an error.
 */
#ifndef BL_QUERY_H
#define BL_QUERY_H

#include <jansson.h>
#include <stdbool.h>

#include "bakelens/digest.h"
#include "bakelens/error.h"
#include "bakelens/model.h"
#include "bakelens/vec.h"

#define BL_KEYS_VERSION 1 /* the "version" of the JSON shape */

/* A set of keys: bits (1u << BL_WHAT_INDEX) ... (1u << BL_WHAT_CHAIN_ID). */
#define BL_KEYS_ALL                                                                                \
	((1u << BL_WHAT_INDEX) | (1u << BL_WHAT_MANIFEST) | (1u << BL_WHAT_CONFIG) |               \
	        (1u << BL_WHAT_LAYER) | (1u << BL_WHAT_DIFF_ID) | (1u << BL_WHAT_CHAIN_ID))
#define BL_KEYS_PLATFORM (BL_KEYS_ALL & ~(1u << BL_WHAT_INDEX)) /* keys kept per platform */
#define BL_KEYS_LAYER ((1u << BL_WHAT_LAYER) | (1u << BL_WHAT_DIFF_ID) | (1u << BL_WHAT_CHAIN_ID))

/* A key's name as --what spells it ("index", "diff-id"); NULL for
 * BL_WHAT_DEFAULT or a value outside the enum. */
const char *bl_keys_name(enum bl_what what);
/* The key's field in the JSON: "index", "manifest", "config", and in the
 * "layer" object "digest", "diff_id", "chain_id"; NULL as bl_keys_name. */
const char *bl_keys_field(enum bl_what what);

/* The keys of one platform of a target's image. */
struct bl_platform_keys {
	char *platform;                             /* "linux/amd64"; unique in its target */
	unsigned has;                               /* the keys that hold a digest */
	struct bl_digest key[BL_WHAT_CHAIN_ID + 1]; /* indexed by enum bl_what */
	enum bl_status status;                      /* BL_OK, or why a key asked for is unset */
	char *error;                                /* the message of that failure, or NULL */
};

/* The keys of one target. */
struct bl_target_keys {
	char *name;                 /* the target's label (bake target name), unique in the build */
	const struct bl_node *node; /* the target in the build it was computed from
	                               (borrowed), NULL when read back */
	bool has_index;             /* index holds a digest */
	struct bl_digest index;
	struct bl_vec platforms; /* struct bl_platform_keys *, owned, in image order */
	enum bl_status status;   /* BL_OK, or why the target's image could not be read */
	char *error;             /* the message of that failure, or NULL */
};

struct bl_keys {
	unsigned asked;        /* the keys asked for (a BL_KEYS_ALL subset, never 0) */
	struct bl_vec targets; /* struct bl_target_keys *, owned, in build order */
};

/* Empty, every key asked. */
void bl_keys_init(struct bl_keys *k);
void bl_keys_fini(struct bl_keys *k);
/* A new empty entry at the end, named `name` made unique (" (2)"...) among
 * those there; borrowed from `k` (or `tk`). */
struct bl_target_keys *bl_keys_add_target(struct bl_keys *k, const char *name);
struct bl_platform_keys *bl_keys_add_platform(struct bl_target_keys *tk, const char *platform);

/* Parse a --what value: names separated by commas ("layer,diff-id"), each
 * added to *mask. False (BL_E_USAGE, the bad name quoted) on an unknown or
 * empty name; *mask then holds the names before it. */
bool bl_keys_parse_what(const char *s, unsigned *mask, struct bl_error *err);

/* The keys `asked` (0: all) of every target of `b`, or of the target named
 * `target` only (matched as bl_build_find_target does); of every platform, or
 * of `platform` only (matched as bl_node_find_platform does). A target or
 * platform name repeated in the build gets " (2)", " (3)"... after it, so
 * that every name is unique. Fails only when `target` names no target
 * (BL_E_NOT_FOUND) or `platform` does not parse (BL_E_USAGE); an image that
 * cannot be read, or that lacks `platform`, is that target's error. `out`
 * is initialised here; bl_keys_fini it either way. */
bool bl_build_keys(const struct bl_build *b, const char *target, const char *platform,
        unsigned asked, struct bl_keys *out, struct bl_error *err);

/* Read back a document printed by `bakelens digest --json` (any version-1
 * output, with or without --what/--target/--platform). Fields this version
 * does not know are ignored. False with BL_E_FORMAT (what is wrong and
 * where, "targets.app.platforms.linux/amd64.config: not a digest") or the
 * parser's status (bl_json_parse). `out` is initialised here; bl_keys_fini
 * it either way. */
bool bl_keys_read(const void *data, size_t len, struct bl_keys *out, struct bl_error *err);

/* Before comparing with a run narrowed by --target (`targets`) or --platform
 * (`platforms`): drop from `old` the targets, or the platforms of each
 * target, that `cur` does not have, so that what was not asked for is not
 * reported as removed. */
void bl_keys_narrow(struct bl_keys *old, const struct bl_keys *cur, bool targets, bool platforms);

/* What moved from `old` to `cur`, one line (char *, appended to `lines`,
 * which must free its items) per change, in `cur`'s order then removals:
 *   "app linux/amd64 layer: sha256:... -> sha256:..."  (a key moved)
 *   "app index: none -> sha256:..."                      (unset on one side)
 *   "app linux/arm64: platform added" / "... platform removed"
 *   "app: target added" / "app: target removed"
 * Only keys both runs asked for are compared. Names are as stored (the
 * caller escapes for display). Returns the number of lines appended. */
size_t bl_keys_compare(const struct bl_keys *old, const struct bl_keys *cur, struct bl_vec *lines);

#endif
