/* Internal interfaces of the model layer, shared by build.c, node.c,
 * metadata.c, graph.c and the fuzz harnesses. Not part of the public
 * contract. Calls go one way: build.c calls metadata.c and graph.c, graph.c
 * calls fetch.c, and all of them make and name their nodes through node.c,
 * which calls none of them. */
#ifndef BL_MODEL_INTERNAL_H
#define BL_MODEL_INTERNAL_H

#include <jansson.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/model.h"

#define MODEL_NODE_MAX 100000 /* total nodes per build: keeps hostile inputs bounded */
#define MODEL_DEPTH_MAX 64    /* index nesting depth */

#define MODEL_ATTESTATION_ARTIFACT "application/vnd.docker.attestation.manifest.v1+json"

#define MODEL_REFERRER_LABEL "referrer: "
#define MODEL_FAILED_MAX 16
/* Bytes of distinct documents (indexes, manifests, configs, statements) one
 * build reads at most; each distinct document is read and parsed once. */
#define MODEL_DOC_BUDGET (512u << 20)

struct model_doc_cache; /* doccache.c */
struct model_doc_ent {
	struct bl_digest d;
	json_t *doc; /* a reference, or NULL for an empty slot */
	size_t len;  /* bytes it was parsed from */
};

struct bl_source_opts;

/* State shared while a build is resolved. */
struct model_ctx {
	struct bl_build *b;
	size_t nodes; /* nodes made so far */
	bool capped;  /* MODEL_NODE_MAX reached: a message was recorded once */
	/* Registries (build.c, graph.c). NULL (model_ctx_init): metadata targets
	 * are never fetched from a registry, referrers never asked for. */
	const struct bl_source_opts *registry;
	bool cancelled; /* a registry read was cancelled: stop walking */
	/* registry stores whose referrers failed once (not asked again) */
	const struct bl_store *referrers_failed[MODEL_FAILED_MAX];
	size_t nreferrers_failed;
	/* documents already read, by digest (graph.c), and their bytes */
	struct model_doc_cache *docs;
	uint64_t doc_bytes;
};

/* build.c: the state of one load. */
void model_ctx_init(struct model_ctx *ctx, struct bl_build *b);
/* doccache.c: each distinct document is read, verified and parsed once per
 * build; nodes share it. The entry for `d`, or NULL (borrowed). */
const struct model_doc_ent *model_doc_find(const struct model_ctx *ctx, const struct bl_digest *d);
/* Keep `doc` (a new reference is taken) parsed from `len` bytes under `d`. */
void model_doc_put(struct model_ctx *ctx, const struct bl_digest *d, json_t *doc, size_t len);
/* Free what the walk kept (the document cache); the build keeps its nodes. */
void model_ctx_fini(struct model_ctx *ctx);

/* node.c */
/* A new empty build with its BUILD root (label set later). */
struct bl_build *model_build_new(void);

/* A new node appended to parent's children (parent may be NULL). Returns
 * NULL when the node cap is reached (the parent then gets a note). */
struct bl_node *model_node_new(
        struct model_ctx *ctx, enum bl_node_kind kind, struct bl_node *parent, const char *label);
void model_node_free(void *node);
/* Set status and message (formatted); the cause is the status's own class
 * (model.h: bl_node.cause), which a caller that knows better sets after. */
void model_node_status(struct bl_node *n, enum bl_node_status st, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* True when n's document (a manifest's) has what every image manifest has:
 * schemaVersion 2, a config object and a layers array; else false, with n
 * BL_STATUS_ERROR and a message naming what is missing. */
bool model_manifest_complete(struct bl_node *n);
/* Record a build-level diagnostic. */
void model_message(struct bl_build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* metadata.c: turn a parsed metadata file into TARGET and INFO nodes and
 * warnings. Each target with an image gets one child with `desc` set (doc
 * NULL, store NULL): the root descriptor still to be resolved. Never fails:
 * a bad field is a status on its node. */
void model_metadata_load(struct model_ctx *ctx, const json_t *doc);

/* True when a parsed JSON document looks like buildx metadata. */
bool model_metadata_sniff_json(const json_t *doc);

/* build.c: resolve every pending target root (the first child of each
 * TARGET, with a descriptor and no document) in the build's stores. */
void model_resolve_targets(struct model_ctx *ctx);

/* fetch.c: what a load reads (ctx->registry's depth, platform) and reading
 * it ahead from registries. */
/* True when n's digest is also an ancestor's (a loop). */
bool model_on_path(const struct bl_node *n);
/* True when the load leaves n's descriptor unread (its parent is verified
 * and names it; the command does not need its bytes): see enum
 * bl_load_depth in store.h. False for every node of a full load. */
bool model_load_skips(const struct model_ctx *ctx, const struct bl_node *n);
/* bl_store_prefetch of `ds`; a cancel sets ctx->cancelled, other failures
 * are left to the reads. */
void model_prefetch(
        struct model_ctx *ctx, struct bl_store *s, const struct bl_digest *const *ds, size_t n);
/* Before the children of index n from `first` on are resolved one by one:
 * fetch those the load reads from n's registry together, then (from memory)
 * the configs and statements they name. Nothing for a local store. */
void model_prefetch_children(struct model_ctx *ctx, struct bl_node *n, size_t first);

/* graph.c */
/* The store (of the build's, `preferred` first) that holds `d`, or NULL. */
struct bl_store *model_locate(
        struct model_ctx *ctx, struct bl_store *preferred, const struct bl_digest *d);
/* Read n->desc from n->store, parse it, set its kind and build its children.
 * Any failure is a status on n. */
void model_graph_resolve(struct model_ctx *ctx, struct bl_node *n);
/* Build the children of n from n->doc (already parsed); n->kind may be
 * BL_NODE_BLOB to have it sniffed from the document. */
void model_graph_expand(struct model_ctx *ctx, struct bl_node *n);
/* The referrers of n (an index or image manifest read from a registry),
 * listed and resolved as its children; a referrer is not asked for its own.
 * With ctx->registry->no_referrers, n is only marked referrers_pending.
 * False (a build message said why, once per store) when they could not be
 * listed; true otherwise, also when n has none to ask for. */
bool model_add_referrers(struct model_ctx *ctx, struct bl_node *n);
/* The node kind a document describes, from a media type hint (may be NULL)
 * and then its own mediaType and shape. */
enum bl_node_kind model_doc_kind(const json_t *doc, const char *media_type);

/* signature.c, called by graph.c: name referrer n (n->referrer set) for
 * what it is, once its manifest is read: its label becomes "signature
 * (cosign), signer alice@example.com, not verified", "attestation of
 * <predicate type> (sigstore bundle), ...", "SBOM ...", or "referrer:
 * <artifact type>" (the index entry's, else the manifest's own, else its
 * config's media type). A sigstore bundle layer is read for its signer. */
void model_referrer_describe(struct bl_node *n);
/* The label of a referrer (escaped), as model_referrer_describe sets it. */
char *model_referrer_label(const struct bl_referrer *r);

/* record.c: build history records (`docker buildx history export`), called
 * by graph.c (and through model.h by facts.c), calling neither. */
/* When manifest n's config is a build history record: n becomes a
 * MANIFEST labelled "build record: NAME (ref REF): STATUS, steps" and its
 * logs and trace layers are labelled so. Does nothing to any other node. */
void model_record_mark(struct bl_node *n);

#endif
