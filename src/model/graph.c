/* Resolving descriptors into the graph: indexes, manifests, configs, layers,
 * attestation statements.
 *
 * Small documents are read (capped) and parsed; layers are only looked up
 * (bl_store_stat), never read, and so are SBOM statements (megabytes that
 * few commands need: node_doc.c reads them on demand). Every problem becomes a status on its node
 * and the walk goes on. The walk is bounded: nesting depth, total node count and loop detection on
 * the path from the root. */
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/signature.h"
#include "bakelens/buf.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/sbom.h"
#include "bakelens/text.h"

#define ANN_REF_NAME "org.opencontainers.image.ref.name"
#define ANN_IMAGE_NAME "io.containerd.image.name"
#define ANN_REF_TYPE "vnd.docker.reference.type"
#define ANN_REF_DIGEST "vnd.docker.reference.digest"
#define ANN_PREDICATE "in-toto.io/predicate-type"

static void status_from_error(struct model_ctx *ctx, struct bl_node *n, const struct bl_error *e);
static int depth_of(const struct bl_node *n);
static void not_found(struct model_ctx *ctx, struct bl_node *n);

/* The document of n->desc, from the cache or read from n->store (verified,
 * capped, parsed, then cached); NULL with a status on n. */
static json_t *read_doc(struct model_ctx *ctx, struct bl_node *n, size_t cap, bool tentative)
{
	char sh[40];
	const struct model_doc_ent *hit = model_doc_find(ctx, &n->desc.digest);
	if (hit) {
		/* as bl_store_read_blob would answer for these bytes */
		bl_digest_short(&n->desc.digest, sh, sizeof sh);
		if (n->desc.size >= 0 && (uint64_t)n->desc.size != hit->len) {
			model_node_status(n, BL_STATUS_MISMATCH,
			        "blob %s\xe2\x80\xa6: size %zu, descriptor says %lld", sh, hit->len,
			        (long long)n->desc.size);
			return NULL;
		}
		if (hit->len > cap) {
			model_node_status(n, BL_STATUS_ERROR,
			        "blob %s\xe2\x80\xa6: %zu bytes, over the %zu-byte cap", sh,
			        hit->len, cap);
			return NULL;
		}
		return json_incref(hit->doc);
	}
	if (ctx->doc_bytes >= MODEL_DOC_BUDGET) {
		model_node_status(n, BL_STATUS_ERROR,
		        "%s: not read: this build's documents are over %u MiB already",
		        n->desc.digest.str, MODEL_DOC_BUDGET >> 20);
		return NULL;
	}
	struct bl_buf buf;
	bl_buf_init(&buf);
	struct bl_error e;
	bl_error_clear(&e);
	bool ok = bl_store_read_blob(n->store, &n->desc, cap, &buf, &e);
	if (!ok && tentative && e.code == BL_E_NOT_FOUND) {
		/* not beside its parent: in another source, or in none */
		struct bl_store *s = model_locate(ctx, n->store, &n->desc.digest);
		if (!s || s == n->store) {
			not_found(ctx, n);
			bl_buf_fini(&buf);
			return NULL;
		}
		n->store = s;
		bl_error_clear(&e);
		ok = bl_store_read_blob(n->store, &n->desc, cap, &buf, &e);
	}
	if (!ok) {
		status_from_error(ctx, n, &e);
		bl_buf_fini(&buf);
		return NULL;
	}
	ctx->doc_bytes += buf.len;
	json_t *doc = bl_json_parse(buf.data, buf.len, cap, &e);
	size_t len = buf.len;
	bl_buf_fini(&buf);
	if (!doc) {
		model_node_status(n, BL_STATUS_ERROR, "%s: %s", n->desc.digest.str, e.msg);
		return NULL;
	}
	model_doc_put(ctx, &n->desc.digest, doc, len);
	return doc;
}

static struct bl_store *nearest_store(const struct bl_node *n)
{
	for (; n; n = n->parent) {
		if (n->store)
			return n->store;
	}
	return NULL;
}

struct bl_store *model_locate(
        struct model_ctx *ctx, struct bl_store *preferred, const struct bl_digest *d)
{
	if (!bl_digest_is_set(d))
		return NULL;
	if (preferred && bl_store_stat(preferred, d, NULL) != BL_BLOB_MISSING)
		return preferred;
	/* Local sources first: a registry answers "present" for any digest
	 * without asking (the read finds out), so it is the last resort. */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < ctx->b->stores.len; i++) {
			struct bl_store *s = bl_vec_get(&ctx->b->stores, i);
			if (s == preferred || bl_store_is_remote(s) != (pass == 1))
				continue;
			if (bl_store_stat(s, d, NULL) != BL_BLOB_MISSING)
				return s;
		}
	}
	return NULL;
}

static void not_found(struct model_ctx *ctx, struct bl_node *n)
{
	if (ctx->b->stores.len == 0) {
		model_node_status(n, BL_STATUS_UNRESOLVED,
		        "%s: not resolved: no image source given", n->desc.digest.str);
		return;
	}
	struct bl_buf b;
	bl_buf_init(&b);
	for (size_t i = 0; i < ctx->b->stores.len; i++) {
		const struct bl_store *s = bl_vec_get(&ctx->b->stores, i);
		bl_buf_printf(&b, "%s%s", i ? ", " : "", s->source ? s->source : "?");
	}
	/* The first note of a store that says why its blobs may be absent. */
	const char *note = NULL;
	for (size_t i = 0; i < ctx->b->stores.len && !note; i++) {
		const struct bl_store *s = bl_vec_get(&ctx->b->stores, i);
		note = s->ops->missing_note;
	}
	model_node_status(n, BL_STATUS_MISSING, "%s: blob not in %s%s%s%s", n->desc.digest.str,
	        bl_buf_str(&b), note ? " (" : "", note ? note : "", note ? ")" : "");
	bl_buf_fini(&b);
}

static void status_from_error(struct model_ctx *ctx, struct bl_node *n, const struct bl_error *e)
{
	if (e->code == BL_E_CANCELLED)
		ctx->cancelled = true;
	enum bl_node_status st = e->code == BL_E_NOT_FOUND ? BL_STATUS_MISSING
	                         : e->code == BL_E_DIGEST  ? BL_STATUS_MISMATCH
	                                                   : BL_STATUS_ERROR;
	model_node_status(n, st, "%s", e->msg);
	/* a network or auth failure below the root is as fatal as at the root */
	n->cause = e->code;
}

static enum bl_blob_state stat_checked(struct bl_node *n, enum bl_blob_state st, int64_t size);

/* Presence of a blob that is not read (layers, empty configs, unknown types). */
static enum bl_blob_state stat_node(struct model_ctx *ctx, struct bl_node *n)
{
	struct bl_store *near = nearest_store(n->parent);
	int64_t size = -1;
	/* Beside its parent (the usual case): one stat gives presence and size. */
	enum bl_blob_state st =
	        near ? bl_store_stat(near, &n->desc.digest, &size) : BL_BLOB_MISSING;
	if (st != BL_BLOB_MISSING && !bl_store_is_remote(near)) {
		n->store = near;
		return stat_checked(n, st, size);
	}
	struct bl_store *s = model_locate(ctx, near, &n->desc.digest);
	if (!s && near && bl_store_is_remote(near)) {
		/* an offline registry knows only what it holds in memory: a blob
		 * its documents name is taken as there, as online (never asked) */
		n->store = near;
		return BL_BLOB_PRESENT;
	}
	if (!s) {
		not_found(ctx, n);
		return BL_BLOB_MISSING;
	}
	n->store = s;
	size = -1;
	st = bl_store_stat(s, &n->desc.digest, &size);
	return stat_checked(n, st, size);
}

/* A stat's answer for n checked against its descriptor; the status set. */
static enum bl_blob_state stat_checked(struct bl_node *n, enum bl_blob_state st, int64_t size)
{
	if (st == BL_BLOB_MISMATCH) {
		model_node_status(n, BL_STATUS_MISMATCH, "%s: content does not hash to its digest",
		        n->desc.digest.str);
	} else if (size >= 0 && n->desc.size >= 0 && size != n->desc.size) {
		model_node_status(n, BL_STATUS_MISMATCH,
		        "%s: %lld bytes stored, descriptor says %lld", n->desc.digest.str,
		        (long long)size, (long long)n->desc.size);
		st = BL_BLOB_MISMATCH;
	}
	return st;
}

/* An SBOM statement, known by the predicate type on its descriptor, is not
 * read while loading: it can be megabytes that only the packages view, a
 * package comparison or a raw view need (bl_node_sbom, bl_node_load_doc
 * read and verify it then). Its store is found as for any blob (a stat,
 * no read). False, nothing done, for any other statement. */
static bool defer_sbom(struct model_ctx *ctx, struct bl_node *n)
{
	const char *pt = bl_descriptor_annotation(&n->desc, ANN_PREDICATE);
	if (!bl_sbom_predicate(pt) || ctx->cancelled || depth_of(n) > MODEL_DEPTH_MAX)
		return false;
	struct bl_store *near = nearest_store(n->parent);
	n->store = model_locate(ctx, near, &n->desc.digest);
	if (!n->store && near && bl_store_is_remote(near))
		n->store = near;
	free(n->predicate_type);
	n->predicate_type = bl_strdup(pt);
	if (!n->store)
		not_found(ctx, n);
	else
		n->doc_deferred = true;
	return true;
}

static enum bl_node_kind kind_of_media(enum bl_media_kind mk)
{
	switch (mk) {
	case BL_MEDIA_INDEX:
		return BL_NODE_INDEX;
	case BL_MEDIA_MANIFEST:
		return BL_NODE_MANIFEST;
	case BL_MEDIA_CONFIG:
		return BL_NODE_CONFIG;
	case BL_MEDIA_INTOTO:
		return BL_NODE_STATEMENT;
	case BL_MEDIA_LAYER:
		return BL_NODE_LAYER;
	default:
		return BL_NODE_BLOB;
	}
}

enum bl_node_kind model_doc_kind(const json_t *doc, const char *media_type)
{
	enum bl_node_kind k = kind_of_media(bl_mediatype_kind(media_type));
	if (k != BL_NODE_BLOB && k != BL_NODE_LAYER)
		return k;
	if (!json_is_object(doc))
		return BL_NODE_BLOB;
	k = kind_of_media(bl_mediatype_kind(bl_json_str(doc, "mediaType")));
	if (k != BL_NODE_BLOB && k != BL_NODE_LAYER)
		return k;
	if (bl_json_arr(doc, "manifests"))
		return BL_NODE_INDEX;
	json_t *cfg = bl_json_obj(doc, "config");
	if (cfg && json_object_get(cfg, "digest") && json_object_get(doc, "layers"))
		return BL_NODE_MANIFEST;
	if (bl_json_obj(doc, "rootfs"))
		return BL_NODE_CONFIG;
	if (bl_json_str(doc, "_type") && json_object_get(doc, "predicateType"))
		return BL_NODE_STATEMENT;
	return BL_NODE_BLOB;
}

static bool is_json_type(const char *mt)
{
	if (!mt)
		return false;
	size_t len = strcspn(mt, ";");
	return (len >= 5 && strncmp(mt + len - 5, "+json", 5) == 0) ||
	       (len >= 5 && strncmp(mt + len - 5, "/json", 5) == 0);
}

static int depth_of(const struct bl_node *n)
{
	int d = 0;
	for (; n; n = n->parent)
		d++;
	return d;
}

static void set_label(struct bl_node *n, char *label)
{
	free(n->label);
	n->label = label;
}

static bool is_attestation_desc(const struct bl_descriptor *d)
{
	const char *t = bl_descriptor_annotation(d, ANN_REF_TYPE);
	return (t && strcmp(t, "attestation-manifest") == 0) ||
	       (d->artifact_type && strcmp(d->artifact_type, MODEL_ATTESTATION_ARTIFACT) == 0);
}

static bool platform_known(const struct bl_descriptor *d)
{
	const struct bl_platform *p = &d->platform;
	if (!d->has_platform || !p->os || !p->arch)
		return false;
	return !(strcmp(p->os, "unknown") == 0 && strcmp(p->arch, "unknown") == 0);
}

/* A short label for an in-toto predicate type. */
static char *predicate_label(const char *pt)
{
	if (!pt)
		return bl_strdup("statement");
	const char *slsa = "https://slsa.dev/provenance/";
	if (strncmp(pt, slsa, strlen(slsa)) == 0)
		return bl_asprintf("provenance %s", pt + strlen(slsa));
	if (strstr(pt, "spdx.dev"))
		return bl_strdup("sbom (spdx)");
	if (strstr(pt, "cyclonedx"))
		return bl_strdup("sbom (cyclonedx)");
	return bl_asprintf("statement %s", pt);
}

static void expand_index(struct model_ctx *ctx, struct bl_node *n);
static void expand_manifest(struct model_ctx *ctx, struct bl_node *n);
void model_graph_expand(struct model_ctx *ctx, struct bl_node *n)
{
	if (!n->doc)
		return;
	switch (n->kind) {
	case BL_NODE_INDEX:
		expand_index(ctx, n);
		break;
	case BL_NODE_MANIFEST:
	case BL_NODE_ATTESTATION:
		expand_manifest(ctx, n);
		model_record_mark(n);
		break;
	case BL_NODE_STATEMENT: {
		const char *pt = bl_json_str(n->doc, "predicateType");
		free(n->predicate_type);
		n->predicate_type = bl_strdup(pt);
		if (!n->parent || n->parent->kind != BL_NODE_TARGET)
			set_label(n, predicate_label(pt));
		break;
	}
	case BL_NODE_BLOB: {
		int64_t v = 0;
		if (bl_json_int(n->doc, "schemaVersion", &v) && v == 1 && !n->note)
			n->note = bl_strdup("Docker schema 1 manifest (legacy): shown, not walked");
		else if (json_object_get(n->doc, "schemaVersion") && !n->note)
			n->note = bl_strdup("a document of an unknown kind: shown, not walked");
		break;
	}
	default:
		break;
	}
}

void model_graph_resolve(struct model_ctx *ctx, struct bl_node *n)
{
	if (!n->has_desc)
		return;
	if (ctx->cancelled) {
		model_node_status(
		        n, BL_STATUS_ERROR, "%s: not read: loading cancelled", n->desc.digest.str);
		n->cause = BL_E_CANCELLED;
		return;
	}
	if (model_on_path(n)) {
		model_node_status(
		        n, BL_STATUS_LOOP, "index refers to itself through %s", n->desc.digest.str);
		return;
	}
	if (depth_of(n) > MODEL_DEPTH_MAX) {
		model_node_status(n, BL_STATUS_ERROR,
		        "%s: nested more than %d levels deep: not followed", n->desc.digest.str,
		        MODEL_DEPTH_MAX);
		return;
	}
	const char *mt = n->desc.media_type;
	enum bl_media_kind mk = bl_mediatype_kind(mt);
	bool sniff = mk == BL_MEDIA_DESCRIPTOR || (mk == BL_MEDIA_UNKNOWN && !mt);
	bool read = sniff || mk == BL_MEDIA_INDEX || mk == BL_MEDIA_MANIFEST ||
	            mk == BL_MEDIA_CONFIG || mk == BL_MEDIA_INTOTO || mk == BL_MEDIA_RECORD ||
	            (mk == BL_MEDIA_UNKNOWN && is_json_type(mt));
	if (mk == BL_MEDIA_SCHEMA1 && !n->note)
		n->note = bl_strdup("Docker schema 1 manifest (legacy): shown, not walked");
	if (!read) {
		if (n->kind != BL_NODE_LAYER)
			n->kind = BL_NODE_BLOB;
		stat_node(ctx, n);
		return;
	}
	bool tentative = false;
	if (!n->store) {
		struct bl_store *near = nearest_store(n->parent);
		if (near && !bl_store_is_remote(near)) {
			/* The usual case: the document sits beside its parent, and
			 * reading it there says so (a stat before the read cost as
			 * much again); read_doc looks elsewhere when it is not. */
			n->store = near;
			tentative = true;
		} else {
			n->store = model_locate(ctx, near, &n->desc.digest);
		}
		/* an offline registry store says "missing" for what is only in its
		 * disk cache: the read finds out */
		if (!n->store && near && bl_store_is_remote(near))
			n->store = near;
	}
	if (!n->store) {
		not_found(ctx, n);
		return;
	}
	if (model_load_skips(ctx, n))
		return; /* named by a verified parent; the command does not need it read */
	size_t cap = (mk == BL_MEDIA_INDEX || mk == BL_MEDIA_MANIFEST) ? BL_JSON_MANIFEST_MAX
	                                                               : BL_JSON_CONFIG_MAX;
	json_t *doc = read_doc(ctx, n, cap, tentative);
	if (!doc)
		return;
	n->doc = doc;
	enum bl_node_kind k = sniff ? model_doc_kind(doc, NULL) : kind_of_media(mk);
	if (k == BL_NODE_LAYER)
		k = BL_NODE_BLOB;
	if (k == BL_NODE_MANIFEST && (n->kind == BL_NODE_ATTESTATION ||
	                                     (bl_json_str(doc, "artifactType") &&
	                                             strcmp(bl_json_str(doc, "artifactType"),
	                                                     MODEL_ATTESTATION_ARTIFACT) == 0)))
		k = BL_NODE_ATTESTATION;
	bool relabel = n->label && (strcmp(n->label, bl_node_kind_name(n->kind)) == 0 ||
	                                   strcmp(n->label, "image") == 0);
	n->kind = k;
	if (relabel)
		set_label(n, bl_strdup(bl_node_kind_name(k)));
	model_graph_expand(ctx, n);
	model_add_referrers(ctx, n);
}

static char *index_child_label(const struct bl_node *c, const struct bl_node *index)
{
	const struct bl_descriptor *d = &c->desc;
	if (c->kind == BL_NODE_ATTESTATION) {
		const char *ref = bl_descriptor_annotation(d, ANN_REF_DIGEST);
		for (size_t i = 0; ref && i < index->children.len; i++) {
			const struct bl_node *s = bl_vec_get(&index->children, i);
			if (s != c && s->has_desc && strcmp(s->desc.digest.str, ref) == 0 &&
			        platform_known(&s->desc)) {
				char *p = bl_platform_format(&s->desc.platform);
				char *l = bl_asprintf("attestation for %s", p);
				free(p);
				return l;
			}
		}
		if (ref) {
			struct bl_digest rd;
			if (bl_digest_parse(ref, &rd, NULL)) {
				char sh[32];
				bl_digest_short(&rd, sh, sizeof sh);
				return bl_asprintf("attestation for %s", sh);
			}
		}
		return bl_strdup("attestation");
	}
	if (platform_known(d))
		return bl_platform_format(&d->platform);
	const char *name = bl_descriptor_annotation(d, ANN_REF_NAME);
	if (!name)
		name = bl_descriptor_annotation(d, ANN_IMAGE_NAME);
	if (name)
		return bl_strdup(name);
	return bl_strdup(bl_node_kind_name(c->kind));
}

static void subject_note(struct bl_node *n)
{
	json_t *sj = bl_json_obj(n->doc, "subject");
	if (!sj)
		return;
	const char *dg = bl_json_str(sj, "digest");
	char *q = bl_text_safe(dg ? dg : "?");
	char *note = bl_asprintf("subject %s (a referrer of that manifest; not followed)", q);
	free(q);
	if (!n->note) {
		n->note = note;
	} else {
		char *both = bl_asprintf("%s; %s", n->note, note);
		free(n->note);
		free(note);
		n->note = both;
	}
}

static void expand_index(struct model_ctx *ctx, struct bl_node *n)
{
	subject_note(n);
	json_t *ms = bl_json_arr(n->doc, "manifests");
	if (!ms) {
		if (!json_is_null(json_object_get(n->doc, "manifests")) && !n->note)
			n->note = bl_strdup("index without manifests[]");
		return;
	}
	const char *subject = bl_json_str(bl_json_obj(n->doc, "subject"), "digest");
	size_t first = n->children.len;
	size_t i;
	json_t *m;
	json_array_foreach(ms, i, m)
	{
		char where[64];
		snprintf(where, sizeof where, "manifests[%zu]", i);
		struct bl_descriptor d;
		struct bl_error e;
		bl_error_clear(&e);
		if (!bl_descriptor_parse(m, where, &d, &e)) {
			struct bl_node *c = model_node_new(ctx, BL_NODE_BLOB, n, where);
			if (!c)
				return;
			model_node_status(c, BL_STATUS_ERROR, "%s", e.msg);
			continue;
		}
		enum bl_node_kind k = kind_of_media(bl_mediatype_kind(d.media_type));
		if (k == BL_NODE_LAYER || k == BL_NODE_CONFIG || k == BL_NODE_STATEMENT)
			k = BL_NODE_BLOB;
		if (is_attestation_desc(&d) &&
		        (k == BL_NODE_MANIFEST ||
		                bl_mediatype_kind(d.media_type) == BL_MEDIA_DESCRIPTOR))
			k = BL_NODE_ATTESTATION;
		struct bl_node *c = model_node_new(ctx, k, n, NULL);
		if (!c) {
			bl_descriptor_fini(&d);
			return;
		}
		c->has_desc = true;
		c->desc = d;
		if (subject && strcmp(subject, d.digest.str) == 0 && n->status == BL_STATUS_OK)
			model_node_status(n, BL_STATUS_LOOP,
			        "index refers to itself through %s: it lists its own subject, "
			        "of which it is a referrer",
			        d.digest.str);
	}
	model_prefetch_children(ctx, n, first);
	for (size_t j = first; j < n->children.len; j++) {
		struct bl_node *c = bl_vec_get(&n->children, j);
		if (c->has_desc)
			model_graph_resolve(ctx, c);
	}
	/* Labels last: an attestation's label names its sibling's platform. */
	for (size_t j = first; j < n->children.len; j++) {
		struct bl_node *c = bl_vec_get(&n->children, j);
		if (c->has_desc && !bl_node_is_record(c))
			set_label(c, index_child_label(c, n));
	}
}

/* The history entries that pair with layers (empty_layer ones skipped), in
 * order, borrowed from `config`: made once per manifest, so that pairing
 * is linear (a config can hold a million history entries). Caller frees. */
static const json_t **layer_history(const json_t *config, size_t *n)
{
	json_t *hist = bl_json_arr(config, "history");
	size_t cap = hist ? json_array_size(hist) : 0;
	const json_t **out = bl_calloc(cap ? cap : 1, sizeof *out);
	*n = 0;
	size_t k;
	json_t *h;
	json_array_foreach(hist, k, h)
	{
		if (json_is_object(h) && !bl_json_bool(h, "empty_layer", false))
			out[(*n)++] = h;
	}
	return out;
}

static void fill_layer_info(struct bl_node *l, const json_t *config, const json_t *h, size_t index,
        size_t count, const struct bl_digest *prev_chain, bool prev_ok, struct bl_digest *chain_out,
        bool *chain_ok)
{
	struct bl_layer_info *li = bl_calloc(1, sizeof *li);
	li->index = (int)index;
	li->count = (int)count;
	li->comp = bl_mediatype_compression(l->desc.media_type);
	li->blob = BL_BLOB_MISSING;
	*chain_ok = false;
	json_t *diff_ids = bl_json_arr(bl_json_obj(config, "rootfs"), "diff_ids");
	json_t *dj = diff_ids ? json_array_get(diff_ids, index) : NULL;
	if (json_is_string(dj) && bl_digest_parse(json_string_value(dj), &li->diff_id, NULL)) {
		li->has_diff_id = true;
		if (index == 0 || prev_ok) {
			bl_digest_chain(
			        index == 0 ? NULL : prev_chain, &li->diff_id, &li->chain_id);
			li->has_chain_id = true;
			*chain_out = li->chain_id;
			*chain_ok = true;
		}
	}
	/* History pairs with layers once empty_layer entries are skipped. */
	if (h) {
		li->created_by = bl_strdup(bl_json_str(h, "created_by"));
		li->created = bl_strdup(bl_json_str(h, "created"));
		li->comment = bl_strdup(bl_json_str(h, "comment"));
	}
	l->layer = li;
}

static void expand_manifest(struct model_ctx *ctx, struct bl_node *n)
{
	if (!model_manifest_complete(n))
		return;
	subject_note(n);
	const json_t *config = NULL;
	json_t *cj = bl_json_obj(n->doc, "config");
	if (cj) {
		struct bl_descriptor d;
		struct bl_error e;
		bl_error_clear(&e);
		if (!bl_descriptor_parse(cj, "config", &d, &e)) {
			struct bl_node *c = model_node_new(ctx, BL_NODE_BLOB, n, "config");
			if (!c)
				return;
			model_node_status(c, BL_STATUS_ERROR, "%s", e.msg);
		} else {
			enum bl_media_kind mk = bl_mediatype_kind(d.media_type);
			enum bl_node_kind k = mk == BL_MEDIA_CONFIG ? BL_NODE_CONFIG : BL_NODE_BLOB;
			struct bl_node *c = model_node_new(
			        ctx, k, n, mk == BL_MEDIA_EMPTY ? "config (empty)" : "config");
			if (!c) {
				bl_descriptor_fini(&d);
				return;
			}
			c->has_desc = true;
			c->desc = d;
			model_graph_resolve(ctx, c);
			if (c->kind == BL_NODE_CONFIG && c->status == BL_STATUS_OK)
				config = c->doc;
		}
	}
	json_t *layers = bl_json_arr(n->doc, "layers");
	size_t count = layers ? json_array_size(layers) : 0;
	size_t statements = 0;
	struct bl_digest chain;
	bl_digest_clear(&chain);
	bool chain_ok = false;
	size_t image_layers = 0;
	size_t nhist = 0;
	const json_t **hist = count ? layer_history(config, &nhist) : NULL;
	for (size_t i = 0; i < count; i++) {
		json_t *lj = json_array_get(layers, i);
		char label[64];
		snprintf(label, sizeof label, "layer %zu/%zu", i + 1, count);
		struct bl_descriptor d;
		struct bl_error e;
		bl_error_clear(&e);
		char where[64];
		snprintf(where, sizeof where, "layers[%zu]", i);
		if (!bl_descriptor_parse(lj, where, &d, &e)) {
			struct bl_node *c = model_node_new(ctx, BL_NODE_BLOB, n, label);
			if (!c)
				goto out;
			model_node_status(c, BL_STATUS_ERROR, "%s", e.msg);
			chain_ok = false;
			continue;
		}
		enum bl_media_kind mk = bl_mediatype_kind(d.media_type);
		if (mk == BL_MEDIA_INTOTO) {
			char *pl = predicate_label(bl_descriptor_annotation(&d, ANN_PREDICATE));
			struct bl_node *c = model_node_new(ctx, BL_NODE_STATEMENT, n, pl);
			free(pl);
			if (!c) {
				bl_descriptor_fini(&d);
				goto out;
			}
			c->has_desc = true;
			c->desc = d;
			if (!defer_sbom(ctx, c))
				model_graph_resolve(ctx, c);
			if (!c->predicate_type)
				c->predicate_type = bl_strdup(
				        bl_descriptor_annotation(&c->desc, ANN_PREDICATE));
			if (statements++ == 0 && c->predicate_type && !n->predicate_type)
				n->predicate_type = bl_strdup(c->predicate_type);
			continue;
		}
		bool is_layer = mk == BL_MEDIA_LAYER;
		struct bl_node *c =
		        model_node_new(ctx, is_layer ? BL_NODE_LAYER : BL_NODE_BLOB, n, label);
		if (!c) {
			bl_descriptor_fini(&d);
			goto out;
		}
		c->has_desc = true;
		c->desc = d;
		if (is_layer) {
			bool ok = false;
			fill_layer_info(c, config, i < nhist ? hist[i] : NULL, i, count, &chain,
			        chain_ok, &chain, &ok);
			chain_ok = ok;
			c->layer->blob = stat_node(ctx, c);
			image_layers++;
		} else {
			chain_ok = false;
			stat_node(ctx, c);
		}
	}
	/* An OCI referrer whose layers are all in-toto statements is an attestation. */
	if (n->kind == BL_NODE_MANIFEST && count > 0 && statements == count)
		n->kind = BL_NODE_ATTESTATION;
out:
	free(hist);
	(void)image_layers;
}

/* ---- registries: referrers ---- */

static bool from_registry(const struct bl_node *n)
{
	return n->store && bl_store_is_remote(n->store);
}

static bool is_referrer(const struct bl_node *n)
{
	for (; n && n->kind != BL_NODE_TARGET; n = n->parent) {
		if (n->referrer)
			return true;
	}
	return false;
}

static bool referrers_failed(const struct model_ctx *ctx, const struct bl_store *s)
{
	for (size_t i = 0; i < ctx->nreferrers_failed; i++) {
		if (ctx->referrers_failed[i] == s)
			return true;
	}
	return false;
}

/* Manifests that name n as their subject (referrers API, then the
 * sha256-<hex> tag), as children of n. A failure is a build message, once
 * per store: the image itself is fine. */
bool model_add_referrers(struct model_ctx *ctx, struct bl_node *n)
{
	if (!ctx->registry || ctx->cancelled || !from_registry(n) || n->status != BL_STATUS_OK)
		return true;
	if ((n->kind != BL_NODE_INDEX && n->kind != BL_NODE_MANIFEST) || is_referrer(n))
		return true;
	if (ctx->registry->no_referrers) {
		n->referrers_pending = true; /* the explorer reads them when n is expanded */
		return true;
	}
	if (referrers_failed(ctx, n->store))
		return false;
	struct bl_vec descs;
	bl_vec_init(&descs, bl_descriptor_free);
	struct bl_error e;
	bl_error_clear(&e);
	if (!bl_store_referrers(n->store, &n->desc.digest, &descs, &e)) {
		if (e.code == BL_E_CANCELLED) {
			ctx->cancelled = true;
		} else {
			if (ctx->nreferrers_failed < MODEL_FAILED_MAX)
				ctx->referrers_failed[ctx->nreferrers_failed++] = n->store;
			model_message(
			        ctx->b, "%s: referrers not listed: %s", n->desc.digest.str, e.msg);
		}
		bl_vec_fini(&descs);
		return false;
	}
	const struct bl_digest **ds = bl_calloc(descs.len ? descs.len : 1, sizeof *ds);
	size_t k = 0;
	for (size_t i = 0; i < descs.len; i++) {
		const struct bl_descriptor *d = bl_vec_get(&descs, i);
		enum bl_media_kind mk = bl_mediatype_kind(d->media_type);
		if (mk == BL_MEDIA_MANIFEST || mk == BL_MEDIA_INDEX)
			ds[k++] = &d->digest;
	}
	model_prefetch(ctx, n->store, ds, k);
	free(ds);
	for (size_t i = 0; i < descs.len && !ctx->cancelled; i++) {
		const struct bl_descriptor *d = bl_vec_get(&descs, i);
		enum bl_media_kind mk = bl_mediatype_kind(d->media_type);
		enum bl_node_kind k2 = mk == BL_MEDIA_INDEX      ? BL_NODE_INDEX
		                       : mk == BL_MEDIA_MANIFEST ? BL_NODE_MANIFEST
		                                                 : BL_NODE_BLOB;
		const char *at = d->artifact_type;
		if (k2 == BL_NODE_MANIFEST && at &&
		        (strstr(at, "in-toto") || strcmp(at, MODEL_ATTESTATION_ARTIFACT) == 0))
			k2 = BL_NODE_ATTESTATION;
		char *what = bl_text_safe(at ? at : d->media_type ? d->media_type : "unknown type");
		char *label = bl_asprintf("%s%s", MODEL_REFERRER_LABEL, what);
		free(what);
		struct bl_node *c = model_node_new(ctx, k2, n, label);
		free(label);
		if (!c)
			break;
		c->has_desc = true;
		bl_descriptor_copy(&c->desc, d);
		c->store = n->store;
		c->referrer = bl_calloc(1, sizeof *c->referrer);
		model_graph_resolve(ctx, c);
		model_referrer_describe(c);
	}
	bl_vec_fini(&descs);
	return true;
}
