/* What the files of the comparison engine share; not installed.
 *
 *   compare.c           the walk: aligning two builds and classifying
 *   compare_node.c      the tree: nodes, notes, classes rolled up
 *   compare_platform.c  which image is which platform; per-platform summaries
 *   compare_nav.c       moving from difference to difference
 *   jsondiff.c          where two JSON documents differ
 *   align.c             LCS and key alignment
 *   compare_words.c     every sentence a comparison says
 *   compare_packages.c  SBOM statements compared package by package (sbom.h)
 *   compare_referrers.c signatures and other referrers: added, removed, changed
 *   compare_causes.c    why an image pair differs, from provenance (provenance.h)
 *
 * Calls go one way: compare.c uses all the others;
 * compare_causes.c uses align.c; compare_node.c uses
 * compare_platform.c and compare_words.c; compare_platform.c and jsondiff.c
 * use compare_words.c; align.c, compare_nav.c and compare_words.c use none.
 * Functions returning char * give an owned string.
 */
#ifndef BL_COMPARE_INTERNAL_H
#define BL_COMPARE_INTERNAL_H

#include <jansson.h>

#include "bakelens/compare.h"

struct bl_file_diff;

/* The layer classes that move rootfs.diff_ids. */
#define CMP_DIFF_ID_CLASSES                                                                        \
	(1u << BL_CMP_CONTENT | 1u << BL_CMP_LAYER_ADDED | 1u << BL_CMP_LAYER_REMOVED)

/* ---- align.c ---- */

/* Equal keys; a NULL key never matches. */
bool cmp_key_eq(const char *a, const char *b);

/* Pairs of indexes, -1 for a side without an entry. */
struct cmp_pairing {
	size_t n;
	int *l, *r;
};
/* Align by key (first occurrence wins), unmatched keep their order: for
 * targets, platforms and statements, where order carries no meaning.
 * Free with cmp_pairing_fini. */
void cmp_pair_by_key(const char *const *lk, size_t nl, const char *const *rk, size_t nr,
        struct cmp_pairing *out);
void cmp_pairing_fini(struct cmp_pairing *p);

/* ---- jsondiff.c ---- */

struct cmp_jdiff {
	/* Set by the caller: */
	bool config;             /* a config: "created" and "history[N].created" may be
	                            ignored, "rootfs" is set aside (see `rootfs`), history
	                            values are said as history lines */
	bool ignore_timestamps;  /* skip (and count) the timestamps */
	const char *const *skip; /* top-level keys not compared, NULL-terminated, or NULL */
	size_t max_fields;       /* paths kept in `fields` at most */
	struct bl_vec *fields;   /* char *: the paths that differ are appended */
	struct bl_vec *notes;    /* char *: "path: a -> b" sentences are appended */
	/* Results: */
	size_t count;   /* differing paths found (kept or not) */
	size_t noted;   /* sentences written */
	size_t ignored; /* timestamps skipped */
	bool rootfs;    /* config: rootfs differs */
};
/* The paths where a and b differ (either may be NULL: absent); returns
 * d->count. */
size_t cmp_json_diff(struct cmp_jdiff *d, const json_t *a, const json_t *b);
/* The same for two annotation objects (non-objects count as none), the
 * paths as "annotations.KEY" and the sentences as "annotation KEY: a -> b";
 * the timestamp annotation is ignored when d->ignore_timestamps, and the
 * keys in d->skip are not compared. */
size_t cmp_annotations_diff(struct cmp_jdiff *d, const json_t *a, const json_t *b);

/* ---- compare_node.c ---- */

/* A new node under parent (NULL: a root), pairing l and r (either may be
 * NULL); label NULL takes the right's label, else the left's. */
struct bl_cmp_node *cmp_node_new(struct bl_cmp_node *parent, const struct bl_node *l,
        const struct bl_node *r, const char *label);
/* Append s (taken; NULL adds nothing) to the notes, or put it first. */
void cmp_note_take(struct bl_cmp_node *n, char *s);
void cmp_note_first_take(struct bl_cmp_node *n, char *s);
/* Raise the node's own class to c (never lowers it). */
void cmp_set_own(struct bl_cmp_node *n, enum bl_cmp_class c);
/* Class and flags from the node's own class and its children's. A config
 * among the children that follows the layers is brought up to date first:
 * the layers may have been compared (or reclassified) after it. */
void cmp_roll_up(struct bl_cmp_node *n);

/* ---- compare_platform.c ---- */

/* A node's platform as "os/arch[/variant]": its descriptor's, else its
 * config's (a manifest); NULL when unknown. */
char *cmp_platform_key(const struct bl_node *n);
/* Keys for the children of an index: the platform for images, the label
 * for attestations and everything else; a repeated key gets "#2", "#3"...
 * Free with cmp_free_keys(keys, ix->children.len). */
char **cmp_index_keys(const struct bl_node *ix);
void cmp_free_keys(char **keys, size_t n);
/* n, or the innermost index below indexes that only wrap another one
 * (BuildKit's OCI export: index.json -> index -> manifests). */
const struct bl_node *cmp_platform_index(const struct bl_node *n);
bool cmp_is_config_child(const struct bl_node *c);

/* A manifest's children by role, borrowed. */
struct cmp_parts {
	const struct bl_node *config;
	struct bl_vec layers; /* const struct bl_node *, in order */
	struct bl_vec statements;
	struct bl_vec referrers; /* signatures and other artifacts that refer to it */
};
void cmp_parts_split(const struct bl_node *m, struct cmp_parts *p);
void cmp_parts_fini(struct cmp_parts *p);

/* The summary of image pair n from its sides' layers (NULL for a side that
 * is absent). Owned by the caller (n->platform); free with
 * cmp_platform_free. */
struct bl_cmp_platform *cmp_platform_new(const struct bl_cmp_node *n,
        const struct bl_vec *left_layers, const struct bl_vec *right_layers);
void cmp_platform_free(void *p);
/* After layers were reclassified: the root filesystems of a platform whose
 * layers now all compare identical differ only in timestamps. */
void cmp_platform_refresh(struct bl_cmp_platform *p);
/* Once the tree under root is compared: add the package changes of every
 * SBOM statement pair (n->packages) to the summary of the platform whose
 * image it attests (an ancestor image pair for a referrer, else the image
 * pair beside its attestation manifest that the manifest's
 * vnd.docker.reference.digest names), and word those summaries again. */
void cmp_platforms_packages(struct bl_cmp_node *root);

/* ---- compare_causes.c ---- */

struct bl_prov;
/* Frees a struct bl_cmp_input (the destructor of vectors of them). */
void cmp_input_free(void *input);
/* Append struct bl_cmp_input * to out (a vector made with cmp_input_free)
 * for every input of l and r that differs. */
void cmp_inputs_diff(const struct bl_prov *l, const struct bl_prov *r, struct bl_vec *out);
/* Why step rstep of r (that made the first divergent layer; lstep of l made
 * the left's) differs, given the input changes: "its instruction changed:
 * ...", "its input changed because base image X moved a -> b", "build
 * argument V that it uses changed (a -> b)", "the files it copies changed:
 * ..." joined by "; and ", or "provenance does not say why its input
 * changed". Owned by the caller. */
char *cmp_cause_chain(const struct bl_prov *l, const struct bl_prov *r, int lstep, int rstep,
        const struct bl_vec *inputs);
/* Image pair n with its platform summary: decode both sides' provenance and
 * fill the summary's inputs, divergent_step and cause, and n->cause. */
void cmp_causes_apply(struct bl_cmp_node *n);
/* A pair of provenance statements (or of a metadata file's provenance, INFO
 * nodes): n->cause is their first input change,
 * taken from the summary in `platforms` (may be NULL) of the image pair they
 * attest when there is one, else decoded here. */
void cmp_statement_causes(struct bl_cmp_node *n, const struct bl_vec *platforms);

/* ---- compare_words.c ---- */

/* A history line as people read it: without the "/bin/sh -c #(nop) " that
 * the classic builder and buildah put before COPY, ENV..., without trailing
 * blanks, and with the content hash in "COPY file:<64 hex> in /x" cut to 12
 * digits like a short digest. */
char *cmp_history_words(const char *by);
/* fields[first..] as "a, b, c (and N more)", of `total` in all. */
char *cmp_field_list(const struct bl_vec *fields, size_t first, size_t total);
/* "<prefix><name>: a -> b", values shortened (history lines in words). */
char *cmp_words_change(
        const char *prefix, const char *name, const json_t *a, const json_t *b, bool history);
/* "2 timestamp fields differ (ignored)"; NULL when none. */
char *cmp_words_ignored(size_t ignored, const char *what);
/* x is on one side only (left: the left's), as class cls says. */
char *cmp_words_one_sided(const struct bl_node *x, bool left, enum bl_cmp_class cls);
char *cmp_words_names_differ(const char *left, const char *right);
/* An index entry whose descriptor's platform differs (NULL: none given). */
char *cmp_words_entry_platform(const char *label, const char *left, const char *right);
char *cmp_words_unreadable(const char *side, const struct bl_node *x);
char *cmp_words_manifest_vs_index(bool left_is_index, const char *platform, size_t entries);
char *cmp_words_kinds_differ(const struct bl_node *l, const struct bl_node *r);
char *cmp_words_recompressed(const struct bl_digest *diff_id, const char *lcomp,
        const struct bl_digest *ld, const char *rcomp, const struct bl_digest *rd);
char *cmp_words_content_changed(const struct bl_digest *l, const struct bl_digest *r);
/* "made by: a -> b", "made by: x"; NULL when neither side says. */
char *cmp_words_made_by(const char *left_by, const char *right_by);
char *cmp_words_uncompressed_changed(const struct bl_digest *l, const struct bl_digest *r);
/* layer: a layer without diff_ids (says why nothing finer is known). */
char *cmp_words_blob_changed(const struct bl_digest *l, const struct bl_digest *r, bool layer);
/* pos is 0-based, of `total` layers on the side that has it. */
char *cmp_words_layer_one_sided(bool removed, int pos, size_t total, const char *created_by);
char *cmp_words_document_differs(
        const char *label, const char *verb, const struct bl_vec *fields, size_t total);
char *cmp_words_config_differs(const struct bl_vec *fields, size_t total);
char *cmp_words_follows_layers(void);
char *cmp_words_one_side_only(const char *label);
/* A layer whose files differ only in (ignored) timestamps. */
char *cmp_words_timestamps_only(const struct bl_file_diff *d);
/* Its diff_ids, which differ through those timestamps only. */
char *cmp_words_diff_id_timestamps(const struct bl_digest *l, const struct bl_digest *r);
/* A platform's summary, from p->status and its facts: "cache breaks at
 * layer N of M: ...", "root filesystems identical (...)", "platform added"... */
char *cmp_words_platform(const struct bl_cmp_platform *p);

/* ---- compare_referrers.c (uses compare_node.c) ---- */

/* The referrers l and r (struct bl_node *, borrowed) of a manifest pair n,
 * paired by label, as children of n: one side only is "signature added:
 * LABEL" / "... removed", a pair whose digests differ "LABEL changed"; each
 * such node is "index only". */
void cmp_referrers(struct bl_cmp_node *n, const struct bl_vec *l, const struct bl_vec *r);
/* Two referrers (or a referrer and another node) paired: "LABEL changed:
 * DIGEST -> DIGEST" when their digests differ; their contents are not
 * walked. Rolls c up. */
void cmp_referrer_pair(struct bl_cmp_node *c);
/* The sentence for referrer x on one side only (left: removed). */
char *cmp_referrer_one_sided(const struct bl_node *x, bool left);

/* ---- compare_packages.c ---- */

/* When n pairs two SBOM statements (digests differ): reads both
 * (verified), keeps the package changes (n->packages), says them in notes
 * (or that the packages are the same), makes n "index only", and returns
 * true; a side that cannot be read or decoded makes n "unknown" with the
 * error in a note. False, with n untouched, for other statements. */
bool cmp_packages(struct bl_cmp_node *n);

#endif
