/* Comparing two builds: alignment and classification.
 *
 * bl_cmp_builds lines up two loaded builds (struct bl_build, model.h) and
 * produces a tree of struct bl_cmp_node: one node per aligned pair (or per
 * node present on one side only), each with a class and sentences that say
 * in words what differs. Alignment:
 *
 *   targets       by name (a single unmatched target on each side is paired,
 *                 so two bare sources with different tags still compare)
 *   platforms     by os/arch/variant (index children), attestation
 *                 manifests by the platform they are for, then position
 *   attestations  statements by predicate type
 *   layers        by diff_id with an LCS (an inserted or removed layer is
 *                 recognised; of equally long ones, the one that keeps layers
 *                 at their positions), unmatched layers in the same gap paired
 *                 by position ("content changed")
 *   configs       by JSON path, arrays (history, Env) by position
 *
 * Nothing here reads a layer's bytes, prints or needs a terminal: the result
 * only borrows the two builds, which must outlive it. File-level differences
 * of layers are in layerfiles.h; bl_cmp_apply_file_diff brings their result
 * back into the comparison.
 */
#ifndef BL_COMPARE_H
#define BL_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/digest.h"
#include "bakelens/model.h"
#include "bakelens/vec.h"

/* What differs, from the least to the most fundamental. A node's `cls` is the
 * highest class in its subtree; `flags` has one bit (1u << class) for every
 * class present in the subtree, so a summary can name them all. A node whose
 * digest moved only because others did has `own` identical: a manifest moved
 * by its config or layers takes their classes through its subtree, and a
 * config whose rootfs.diff_ids alone differ takes the classes of the layers
 * beside it (see `follows_layers`). The cause is counted once, where it is. */
enum bl_cmp_class {
	BL_CMP_IDENTICAL = 0,
	BL_CMP_ANNOTATIONS,   /* only annotations differ (org.opencontainers.image.created...) */
	BL_CMP_INDEX_ONLY,    /* the images are identical; attestations or provenance differ */
	BL_CMP_CONFIG,        /* the config differs (fields named), the layers do not */
	BL_CMP_RECOMPRESSED,  /* same diff_id, different blob digest */
	BL_CMP_FORMAT,        /* a manifest or index in Docker's format on one side, OCI's on
	                         the other (and so without annotations): the entries it lists
	                         are compared as usual */
	BL_CMP_LAYER_ADDED,   /* a layer on the right only */
	BL_CMP_LAYER_REMOVED, /* a layer on the left only */
	BL_CMP_CONTENT,       /* a layer's diff_id differs */
	BL_CMP_PLATFORM_ADDED,
	BL_CMP_PLATFORM_REMOVED,
	BL_CMP_ONLY_LEFT,  /* missing on the right (a target, an attestation, a blob) */
	BL_CMP_ONLY_RIGHT, /* missing on the left */
	BL_CMP_DIFFERENT,  /* digests differ and nothing finer can be said */
	BL_CMP_UNKNOWN,    /* cannot tell: a side's blob is missing or unreadable */
	BL_CMP_CLASS_COUNT
};

/* A short stable name ("identical", "config", "layer-recompressed", ...) as
 * used by --json, and a phrase for people ("config only", "layer content
 * changed"). */
const char *bl_cmp_class_name(enum bl_cmp_class c);
const char *bl_cmp_class_words(enum bl_cmp_class c);

struct bl_cmp_platform;
struct bl_file_diff;
struct bl_pkg_diff;

struct bl_cmp_node {
	enum bl_node_kind kind;      /* of the side(s) present (right's when they differ) */
	char *label;                 /* "webapp", "linux/amd64", "layer 4/7", "config" */
	const struct bl_node *left;  /* borrowed from the left build, NULL when absent */
	const struct bl_node *right; /* borrowed from the right build, NULL when absent */
	enum bl_cmp_class cls;       /* highest class of this node and its subtree */
	unsigned flags;              /* 1u << class for each class in the subtree */
	enum bl_cmp_class own;       /* this node's own difference, children aside */
	struct bl_vec notes;         /* char *, owned: sentences about this node (unescaped
	                                input data inside: escape before printing) */
	struct bl_vec fields;        /* char *, owned: JSON paths that differ (config,
	                                statement, annotations as "annotations.KEY") */
	struct bl_cmp_node *parent;
	struct bl_vec children;           /* struct bl_cmp_node *, owned */
	int left_index, right_index;      /* LAYER: 0-based positions, -1 when absent */
	bool follows_layers;              /* CONFIG: rootfs.diff_ids differ; they follow the layers
	                                     beside it. While `own` is identical, `cls` and `flags`
	                                     are those of its sibling layers whose diff_ids differ
	                                     (content, added, removed), kept so by every roll-up
	                                     of the parent (bl_cmp_node_reclassify too) */
	struct bl_cmp_platform *platform; /* owned: the summary of an image (manifest) pair or
	                                  of a platform on one side only, NULL for others */
	bool expanded;                    /* view state for a compare view; starts false */
	struct bl_pkg_diff *packages;     /* owned: the package changes of a pair of SBOM
	                                     statements (sbom.h), NULL for others */
	char *cause;                      /* owned, NULL: why it differs, from provenance: on an
	                                     image pair the cause chain of its first divergent
	                                     layer (else its first input change), on a provenance
	                                     statement its first input change; unescaped */
};

/* What a platform's root filesystems are: says how to show its summary
 * without reading the sentence. */
enum bl_cmp_rootfs {
	BL_CMP_ROOTFS_IDENTICAL,       /* every layer's ChainID equal */
	BL_CMP_ROOTFS_DIFFERENT,       /* they differ from first_divergent on */
	BL_CMP_ROOTFS_TIMESTAMPS_ONLY, /* ChainIDs differ, the files only in ignored timestamps */
	BL_CMP_ROOTFS_UNKNOWN,         /* a ChainID is unknown (a config missing or unreadable) */
	BL_CMP_ROOTFS_ADDED,           /* the platform is in the right build only */
	BL_CMP_ROOTFS_REMOVED,         /* in the left build only */
};

/* One input of a platform's build that differs between the sides, as the
 * two provenance statements say. */
struct bl_cmp_input {
	char *kind; /* "base-image", "dependency", "build-arg", "frontend-attr",
	               "context", "dockerfile", "dockerfile-line", "frontend",
	               "secret", "ssh", "builder-platform", "provenance" */
	char *name; /* "docker.io/library/alpine:latest", "build-arg:VERSION", "line 4" */
	char *left; /* the value on each side, NULL when absent there */
	char *right;
	char *sentence; /* "base image docker.io/library/alpine:latest moved sha256:4b7c... ->
	                   sha256:...", "build-arg:VERSION 1.2 -> 1.3"; unescaped */
};

/* Per platform (one per aligned image manifest pair). */
struct bl_cmp_platform {
	char *target;                   /* the target's label */
	char *platform;                 /* "linux/amd64", or the manifest's label */
	const struct bl_cmp_node *node; /* the manifest pair that owns this summary (its cls is
	                                   the platform's class) */
	enum bl_cmp_rootfs status;
	int left_layers, right_layers; /* -1 when that side is absent, or its manifest was
	                                  not read (status IDENTICAL or UNKNOWN, with
	                                  rootfs_known false) */
	int first_divergent;           /* 0-based position (right side) of the first layer whose
	                                  ChainID differs, -1 when none does (or unknown) */
	char *divergent_created_by;    /* its history line (right side, else left), NULL */
	bool rootfs_known;             /* both final ChainIDs known */
	bool rootfs_identical;         /* final ChainIDs equal */
	struct bl_digest left_chain, right_chain; /* final ChainIDs (alg NONE when unknown) */
	char *sentence;              /* the words for `status`: "cache breaks at layer 4 of 7:
	                                RUN apt-get update; root filesystems differ", "root
	                                filesystems identical (...)", ...; owned */
	bool rootfs_timestamps_only; /* ChainIDs differ, but every layer that differs was found
	                                (file by file) to differ only in ignored timestamps:
	                                set with status BL_CMP_ROOTFS_TIMESTAMPS_ONLY by
	                                bl_cmp_apply_file_diff, bl_cmp_platforms_refresh */
	bool left_provenance, right_provenance; /* a side's image has a provenance statement */
	bool max_mode;        /* both statements are mode=max (steps and layer map) */
	struct bl_vec inputs; /* struct bl_cmp_input *, owned: what went into the builds
	                         that differs, in the order: dependencies, context,
	                         Dockerfile, frontend, arguments, secrets, ssh, builder */
	char *divergent_step; /* the instruction that made the first divergent layer:
	                         "hello.Dockerfile:3 `RUN echo hi`", NULL when unknown */
	char *cause;          /* the cause chain: "cache breaks at layer 3 of 5, made by
	                         ...: its input changed because base image ... moved";
	                         NULL without both provenances in mode=max or without a
	                         divergent layer; unescaped */
	/* The package changes of the SBOM statements that attest this platform's
	 * image (its attestation manifest's, or its referrers'), summed; all 0
	 * when none changed. The sentence ends in "; N packages changed (...)". */
	size_t packages_changed, packages_added, packages_removed, packages_version_changed;
};

struct bl_cmp {
	struct bl_cmp_node *root; /* kind BUILD */
	struct bl_vec platforms;  /* struct bl_cmp_platform *, in tree order, borrowed from
	                             the nodes (bl_cmp_node.platform) */
	const struct bl_build *left, *right;
};

struct bl_cmp_opts {
	/* Timestamps ignored when classifying, as diffoci's semantic mode
	 * does: config fields "created" and "history[].created", and the
	 * annotation "org.opencontainers.image.created" (the one timestamp the
	 * OCI annotation keys define). A note says how many were ignored. */
	bool ignore_timestamps;
	size_t max_fields; /* paths recorded per node (0: 64) */
};

/* Compare two loaded builds. Never fails: what cannot be compared is
 * BL_CMP_UNKNOWN with a sentence saying why. Free with bl_cmp_free. */
struct bl_cmp *bl_cmp_builds(
        const struct bl_build *left, const struct bl_build *right, const struct bl_cmp_opts *opts);
void bl_cmp_free(struct bl_cmp *c);

/* Compare two subtrees (e.g. two nodes the user marked in a tree view). The
 * nodes' kinds should match (two manifests, two configs...); other pairs
 * compare by digest only. Image pairs below carry their platform summary
 * (bl_cmp_node.platform) as in bl_cmp_builds. Free the result with
 * bl_cmp_node_free. */
struct bl_cmp_node *bl_cmp_nodes(
        const struct bl_node *left, const struct bl_node *right, const struct bl_cmp_opts *opts);
void bl_cmp_node_free(void *node);

/* Change a node's own class after a closer look (e.g. a layer whose files
 * differ only in timestamps that are ignored), add a sentence saying why
 * (may be NULL), and recompute the classes of its ancestors. */
void bl_cmp_node_reclassify(struct bl_cmp_node *n, enum bl_cmp_class own, const char *sentence);

/* The words for a node whose digests differ only because the layers beside
 * it did ("changed only because its layers did (rootfs.diff_ids)"), or NULL
 * when n is not such a node now. Static storage. */
const char *bl_cmp_node_follow_words(const struct bl_cmp_node *n);

/* True when nothing differs. */
bool bl_cmp_is_identical(const struct bl_cmp *c);

/* One line summarising a node: "identical", "config only: created,
 * history[3].created", "layer content changed", or the words of
 * bl_cmp_node_follow_words; followed by "; why: <cause>" when provenance
 * names the cause (bl_cmp_node.cause). Owned by the caller; input data
 * inside is unescaped. */
char *bl_cmp_node_summary(const struct bl_cmp_node *n);

/* Like bl_cmp_node_summary, in words for a report: a class is said to be
 * the only one ("config only", "annotations only", "index only") only when it
 * is; beside others it is "config changed: created", "annotations changed".
 * Above a layer, layer classes are counted ("2 layers changed content",
 * "1 layer added"). Owned by the caller; input data inside is unescaped. */
char *bl_cmp_node_describe(const struct bl_cmp_node *n);

/* Apply a layer pair's file-level diff (layerfiles.h; only read) to the
 * comparison: when timestamps are ignored and n, a LAYER whose own class is
 * BL_CMP_CONTENT, has no file change left in d, n is reclassified identical
 * with the sentence "files identical apart from timestamps (N entries
 * differ only in mtime; ignored)", the classes above it are recomputed and
 * the summary of its platform is rewritten when its layers now all compare
 * identical (BL_CMP_ROOTFS_TIMESTAMPS_ONLY). Returns true when n was
 * reclassified; false (nothing changed) otherwise. */
bool bl_cmp_apply_file_diff(
        struct bl_cmp_node *n, const struct bl_file_diff *d, bool ignore_timestamps);

/* After bl_cmp_node_reclassify: say of each platform whose layers now all
 * compare identical although the ChainIDs differ that its root filesystems
 * differ only in (ignored) timestamps, and rewrite its sentence. */
void bl_cmp_platforms_refresh(struct bl_cmp *c);

/* Navigation for a compare view: the next (dir > 0) or previous node in
 * depth-first order after `from` whose own class is not identical, or NULL.
 * `from` NULL starts at the root. Ignores `expanded`. */
const struct bl_cmp_node *bl_cmp_next_difference(
        const struct bl_cmp_node *root, const struct bl_cmp_node *from, int dir);

/* Longest common subsequence alignment of two key arrays (exposed for
 * tests and reuse). Writes pairs to `pairs_left`/`pairs_right` (each of
 * capacity nl + nr): entry k is (i, j) with -1 for a gap; unmatched items in
 * the same gap are paired by position. Returns the number of pairs.
 * `matched[k]` (may be NULL) is true when the pair's keys are equal. Keys
 * are compared with strcmp; a NULL key never matches. */
size_t bl_cmp_align(const char *const *left, size_t nl, const char *const *right, size_t nr,
        int *pairs_left, int *pairs_right, bool *matched);

#endif
