/* The graph of a build.
 *
 * bl_build (from a buildx/bake metadata file or a bare source) holds targets;
 * a target holds a root descriptor; descriptors resolve to indexes (nested to
 * any depth, loops detected), manifests (image and attestation), configs,
 * layers and in-toto statements. Loading reads every small document (indexes,
 * manifests, configs, statements: kilobytes) and never a layer's bytes, nor
 * an SBOM statement's (doc_deferred: bl_node_load_doc, bl_node_sbom).
 *
 * Every node carries a status with a message: a missing blob, a digest
 * mismatch or an unreadable document is a status on that node, and the rest
 * of the build still loads. Nothing above this layer parses JSON.
 *
 * The build owns every node; nodes are freed with it.
 */
#ifndef BL_MODEL_H
#define BL_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bakelens/buf.h"
#include "bakelens/descriptor.h"
#include "bakelens/digest.h"
#include "bakelens/error.h"
#include "bakelens/mediatype.h"
#include "bakelens/store.h"
#include "bakelens/vec.h"

enum bl_node_kind {
	BL_NODE_BUILD = 0,   /* the root: one per loaded build */
	BL_NODE_TARGET,      /* a bake/build target, or a named root of a bare source */
	BL_NODE_INDEX,       /* image index / manifest list */
	BL_NODE_MANIFEST,    /* image manifest (one platform) */
	BL_NODE_ATTESTATION, /* attestation manifest (BuildKit, or OCI referrer with in-toto layers)
	                      */
	BL_NODE_CONFIG,      /* image config */
	BL_NODE_LAYER,       /* filesystem layer */
	BL_NODE_STATEMENT,   /* in-toto statement (a layer of an attestation manifest) */
	BL_NODE_BLOB, /* any other descriptor (artifact layer, unknown media type, schema 1) */
	BL_NODE_INFO, /* build-level information: provenance, warnings, buildinfo */
};

enum bl_node_status {
	BL_STATUS_OK = 0,
	BL_STATUS_MISSING,  /* referenced blob absent from every store (normal in sparse layouts) */
	BL_STATUS_MISMATCH, /* bytes do not hash to the digest, or size differs */
	BL_STATUS_ERROR,    /* unreadable, invalid JSON, invalid field */
	BL_STATUS_LOOP,     /* an index that contains itself */
	BL_STATUS_UNRESOLVED, /* a metadata target whose image is in none of the sources given */
};

struct bl_referrer;

struct bl_layer_info {
	int index; /* 0-based position among the manifest's layers */
	int count; /* number of layers in the manifest */
	bool has_diff_id;
	struct bl_digest diff_id; /* from the config's rootfs.diff_ids[index] */
	bool has_chain_id;
	struct bl_digest chain_id;
	char *created_by; /* the history entry paired with this layer (empty_layer skipped), NULL */
	char *created;
	char *comment;
	enum bl_compression comp;
	enum bl_blob_state blob; /* presence in the store (never hashed by loading) */
};

struct bl_warning {
	char *level;  /* "warning", NULL */
	char *rule;   /* decoded `short`, e.g. "FromAsCasing: ..." */
	char *detail; /* decoded `detail[]` joined by newlines, NULL */
	char *file;   /* sourceInfo.filename, NULL */
	int line;     /* range[0].start.line, 0 when absent */
	char *url;    /* NULL */
	char *target; /* the bake target it came with, NULL */
};

struct bl_node {
	enum bl_node_kind kind;
	enum bl_node_status status;
	char *status_msg; /* NULL when OK */
	/* The class of the failure behind status: BL_OK when OK; the error of
	 * the read that failed (BL_E_NET, BL_E_AUTH, BL_E_IO, BL_E_DIGEST ...);
	 * else BL_E_DIGEST for MISMATCH, BL_E_NOT_FOUND for MISSING and
	 * UNRESOLVED, BL_E_LOOP for LOOP, BL_E_FORMAT for ERROR. */
	enum bl_status cause;
	char *label; /* what a tree shows: "webapp", "linux/amd64", "config", "layer 3/7" */
	bool has_desc;
	struct bl_descriptor desc; /* how the parent referred to this node */
	bool synthesised;          /* made by bakelens (legacy docker save manifest) */
	char *note;                /* one line about the node (e.g. why synthesised), NULL */
	json_t *doc;               /* the parsed document (index, manifest, config, statement,
	                              target metadata, info value), owned reference, or NULL */
	struct bl_store *store;    /* where the document came from, borrowed, or NULL */
	struct bl_node *parent;
	struct bl_vec children; /* struct bl_node *, owned */
	char *name; /* image name or tag known for this node (target image.name, root tag), NULL */
	char *predicate_type; /* STATEMENT: predicateType; ATTESTATION: of its first statement */
	struct bl_layer_info *layer;  /* LAYER only, else NULL */
	struct bl_referrer *referrer; /* a referrer of its parent (signature.h), else NULL */
	bool referrers_pending;       /* read from a registry by a load that left referrers unread
	                                 (no_referrers): bl_build_read_referrers reads them */
	bool doc_deferred; /* STATEMENT of an SBOM (predicate type from its descriptor): left
	                      unread by loading; bl_node_load_doc reads it */
	bool expanded;     /* tree state (see tree.h) */
};

struct bl_build {
	struct bl_node *root;        /* kind BUILD */
	struct bl_vec stores;        /* struct bl_store *, owned */
	json_t *metadata;            /* the metadata file, or NULL for a bare source */
	char *metadata_path;         /* NULL for a bare source */
	struct bl_vec warnings;      /* struct bl_warning *, owned: buildx.build.warnings decoded */
	struct bl_vec messages;      /* char *, owned: load diagnostics for users (non-fatal) */
	struct bl_vec remote;        /* struct bl_store *, owned: registry stores opened for
	                                metadata targets (one per repository), not sources given */
	struct bl_load_relay *relay; /* owned: passes the loader's progress on while
	                                loading, silent after (see bl_build_load) */
};

/* Load sources: at most one metadata file (told apart by content) plus any
 * number of stores. A metadata target resolves its `containerimage.digest`
 * (or descriptor) in the stores given, in order (local ones first); a target
 * found in none is fetched from the registry named by the first of its
 * `image.name` (tag dropped, pinned at the digest; one store per repository,
 * in bl_build.remote) unless offline, where only the registry cache answers.
 * A target still not found is BL_STATUS_UNRESOLVED with a message that says
 * why (no source, --offline, or the registry's error). Manifests and indexes
 * read from a registry get their referrers as children ("referrer: <type>") unless
 * opts->no_referrers; opts->depth and opts->platform leave unread what a command does not
 * need (store.h: enum bl_load_depth), the nodes there without a document. Without metadata,
 * every store gives one target per root. `opts` (store.h) may be NULL. Fails only when an argument
 * cannot be opened at all (missing file, not a known format, invalid metadata JSON). */
bool bl_build_load(const char *const *args, size_t nargs, const struct bl_source_opts *opts,
        struct bl_build **out, struct bl_error *err);
void bl_build_free(struct bl_build *b);

/* The referrers of n (an index or manifest with referrers_pending: loaded
 * with opts->no_referrers), read now from its registry and added as its
 * children, resolved and named as a full load does; *added (may be NULL)
 * says how many. Clears referrers_pending, so they are asked for once. True
 * with nothing added for any other node. False when the registry could not
 * list them (err says why, a build message too; nothing added; a later call
 * asks again). bl_build_referrers_read and _attach_take in one call. */
bool bl_build_read_referrers(
        struct bl_build *b, struct bl_node *n, size_t *added, struct bl_error *err);

/* The bytes of n's blob read from n->store into `out` (cleared first),
 * verified against n->desc's digest and size, at most `cap` bytes. Fails
 * with the store's error (BL_E_DIGEST, BL_E_NOT_FOUND, BL_E_IO ...), or
 * BL_E_NOT_FOUND for a node without descriptor or store. */
bool bl_node_read(const struct bl_node *n, size_t cap, struct bl_buf *out, struct bl_error *err);
/* n's blob read (bl_node_read, BL_JSON_CONFIG_MAX) and parsed: a new
 * reference the caller owns, or NULL with err (the read's error, or
 * BL_E_FORMAT for invalid JSON). n is not changed. */
json_t *bl_node_read_doc(const struct bl_node *n, struct bl_error *err);
/* The document of a statement that loading left unread (doc_deferred):
 * read, verified (bl_node_read) and parsed into n->doc, doc_deferred
 * cleared. True when n->doc is set (at once when it was already); false
 * with err, n unchanged, when the read or the parse fails. Not thread-safe:
 * call it where the build is not being read by another thread. */
bool bl_node_load_doc(struct bl_node *n, struct bl_error *err);
/* Referrers read apart from the tree, to be attached later (a worker thread
 * reads, the thread that owns the tree attaches). */
struct bl_referrers;

/* Read the referrers of n (see bl_build_read_referrers) into *out, a new
 * set the caller owns: nodes made apart, n, its tree and b's messages left
 * as they are, so another thread may show the tree meanwhile as long as it
 * changes no node but `expanded` and frees nothing. The read goes to b's
 * stores (nothing else may read them meanwhile), which report their
 * progress to `progress` (may be NULL) while it runs; its false cancels
 * (BL_E_CANCELLED). A node without referrers_pending gives an empty set.
 * False, *out NULL, when they could not be listed (BL_E_NET, err says why)
 * or on a cancel. */
bool bl_build_referrers_read(struct bl_build *b, const struct bl_node *n, bl_progress_fn progress,
        void *ud, struct bl_referrers **out, struct bl_error *err);
/* How many referrers `r` holds. */
size_t bl_referrers_count(const struct bl_referrers *r);
/* Attach `r` (read for n) under n as its last children, clear
 * n->referrers_pending and add the read's messages to b's; frees r.
 * Returns how many were attached: none when r was read for another node or
 * n's referrers were attached meanwhile. r may be NULL (returns 0). */
size_t bl_build_referrers_attach_take(
        struct bl_build *b, struct bl_node *n, struct bl_referrers *r);
/* Free a set that is not attached (NULL is fine). */
void bl_referrers_free(struct bl_referrers *r);

/* One side of a comparison as the sources to load together: "A+B+C" gives
 * "A", "B", "C" (empty pieces dropped), appended to `parts` as new strings
 * the vector then owns (initialise it with free). An argument without '+',
 * or a path that exists, is one source even when it holds '+'. Appends
 * nothing for "+" alone: the caller says the side names no source. */
void bl_build_split_side(const char *arg, struct bl_vec *parts);

/* True when the file's content looks like buildx metadata (a JSON object
 * that is not an index, manifest or config). */
bool bl_metadata_sniff(const void *data, size_t len);

size_t bl_node_count(const struct bl_node *n); /* children */
struct bl_node *bl_node_child(const struct bl_node *n, size_t i);
const char *bl_node_kind_name(enum bl_node_kind kind); /* "target", "index", ... */
/* The node's name, when it is worth showing after its label: NULL when the
 * label is that name or lists it (one image under several tags is labelled
 * with them all). Borrowed from the node. */
const char *bl_node_extra_name(const struct bl_node *n);
const char *bl_node_status_name(enum bl_node_status st); /* "ok", "missing", ... */
/* The nearest ancestor (or self) with a platform, or NULL. */
const struct bl_platform *bl_node_platform(const struct bl_node *n);
/* The platform of the image `n` is in (a manifest, or a node under one):
 * the descriptor's, else its manifest's config's (a single image's index
 * entry often has none), copied into `out` (bl_platform_fini it). False,
 * with `out` empty, when unknown. */
bool bl_node_image_platform(const struct bl_node *n, struct bl_platform *out);

/* Facts about a node for a detail pane or a report: an ordered list of
 * (key, value) pairs, values already escaped for display. */
struct bl_fact {
	char *key; /* "digest", "diff_id", "chain_id", "created_by", "env", "label:foo" ... */
	char *value;
};
void bl_fact_free(void *fact);
/* Append struct bl_fact * to facts. */
void bl_node_facts(const struct bl_node *n, struct bl_vec *facts);

/* True when n is a build history record (`docker buildx history export`):
 * a manifest whose config is a BuildKit history record document. */
bool bl_node_is_record(const struct bl_node *n);
/* The record's decoded fields as a new JSON object (docs/inspect-json.md,
 * `record`), owned by the caller; NULL when n is no record. */
json_t *bl_node_record_json(const struct bl_node *n);

/* Query for `bakelens digest`. */
enum bl_what {
	BL_WHAT_DEFAULT = 0, /* the target's root digest (index or manifest) */
	BL_WHAT_INDEX,
	BL_WHAT_MANIFEST,
	BL_WHAT_CONFIG,
	BL_WHAT_LAYER,
	BL_WHAT_DIFF_ID,
	BL_WHAT_CHAIN_ID,
};

struct bl_query {
	const char *target;   /* NULL: the only target (error when several) */
	const char *platform; /* NULL: the only image manifest (several: BL_E_USAGE) */
	enum bl_what what;
	bool has_layer;
	long layer; /* 1 is the bottom; negative counts from the top (-1); 0 is none */
};

/* True when target t is called `name`: its label, its name, one of the
 * names its label lists ("a:1, a:latest": one image under several tags in a
 * source is one target), or one of its metadata's image.name. */
bool bl_target_has_name(const struct bl_node *t, const char *name);
/* The target named `name` (bl_target_has_name) in build order,
 * the first that matches; with name NULL, the build's only target. NULL on
 * failure: BL_E_NOT_FOUND (no such target, the message lists those there;
 * no targets at all) or BL_E_USAGE (name NULL and several targets). The node
 * is the build's. */
const struct bl_node *bl_build_find_target(
        const struct bl_build *b, const char *name, struct bl_error *err);
/* The image manifest of `platform` ("os/arch[/variant]", matched as
 * bl_platform_match does) in `target`'s image: the first such manifest under
 * its index (nested indexes walked, attestation manifests skipped), or the
 * target's single manifest when its platform (descriptor, else config) is
 * that one or unknown. With platform NULL, the only image manifest. NULL on
 * failure: BL_E_NOT_FOUND (no image, no manifest of that platform: the
 * message lists the platforms there), BL_E_USAGE (platform NULL and several;
 * an unparsable platform), or the status of the index or manifest on the way
 * (missing, mismatch, error, loop). The node is the build's. */
const struct bl_node *bl_node_find_platform(
        const struct bl_node *target, const char *platform, struct bl_error *err);

bool bl_what_parse(const char *s, enum bl_what *out);
/* The i-th name bl_what_parse accepts ("index", "manifest", ... "chain-id"),
 * in the order --help gives them; NULL past the last. Static storage. */
const char *bl_what_name(size_t i);
/* Resolve the query to one digest. With no target named and several there,
 * the answer is the one every target gives when they all give the same.
 * Fails with BL_E_NOT_FOUND (no such target/platform/layer; the message
 * lists what exists), BL_E_USAGE (ambiguous: several targets whose answers
 * differ, or several platforms, listed), or the status of the node on the
 * way (missing, mismatch...). */
bool bl_build_query(const struct bl_build *b, const struct bl_query *q, struct bl_digest *out,
        struct bl_error *err);

#endif
