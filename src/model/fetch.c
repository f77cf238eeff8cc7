/* What a load reads, and reading it ahead.
 *
 * A command says what it needs of a load (struct bl_source_opts: depth,
 * platform, no_referrers): `digest` of a manifest needs the index that names
 * it, not the manifest; a config's digest needs that one manifest and its
 * config. model_load_skips is the one place that decides which descriptors
 * the walk leaves unread. Documents that will be read are fetched ahead from
 * a registry, several at once (bl_store_prefetch), so that the walk, which
 * reads one document after another, finds them in memory. */
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/sbom.h"

bool model_on_path(const struct bl_node *n)
{
	for (const struct bl_node *p = n->parent; p; p = p->parent) {
		if (p->has_desc && p->kind != BL_NODE_TARGET &&
		        bl_digest_equal(&p->desc.digest, &n->desc.digest))
			return true;
	}
	return false;
}

/* True when the descriptor names another platform than the one asked for;
 * a descriptor without a platform (or a platform that does not parse) is
 * read: only its config could tell. */
static bool other_platform(const char *platform, const struct bl_descriptor *d)
{
	if (!platform || !d->has_platform)
		return false;
	struct bl_platform want;
	memset(&want, 0, sizeof want);
	bool other = false;
	if (bl_platform_parse(platform, &want, NULL))
		other = !bl_platform_match(&want, &d->platform);
	bl_platform_fini(&want);
	return other;
}

static bool is_manifest(const struct bl_node *n)
{
	return n && (n->kind == BL_NODE_MANIFEST || n->kind == BL_NODE_ATTESTATION);
}

bool model_load_skips(const struct model_ctx *ctx, const struct bl_node *n)
{
	const struct bl_source_opts *o = ctx->registry;
	if (!o || o->depth == BL_LOAD_ALL || !n->has_desc)
		return false;
	const struct bl_node *p = n->parent;
	if (!p || p->kind == BL_NODE_TARGET || p->kind == BL_NODE_BUILD)
		return false; /* the root: what it is decides everything else */
	/* Local sources are read whole: it costs no request, and a document
	 * that fails its digest there is found and refused as before. */
	const struct bl_store *st = n->store ? n->store : p->store;
	if (!st || !bl_store_is_remote(st))
		return false;
	if (p->kind == BL_NODE_INDEX) {
		if (n->kind == BL_NODE_ATTESTATION)
			return true;
		if (n->kind != BL_NODE_MANIFEST)
			return false; /* nested indexes (and what only reading tells) */
		return o->depth == BL_LOAD_INDEXES || other_platform(o->platform, &n->desc);
	}
	if (is_manifest(p)) {
		bool root_manifest = !p->parent || p->parent->kind == BL_NODE_TARGET;
		enum bl_media_kind mk = bl_mediatype_kind(n->desc.media_type);
		if (mk != BL_MEDIA_CONFIG || p->kind == BL_NODE_ATTESTATION)
			return true; /* statements, and what an attestation names */
		if (o->depth == BL_LOAD_INDEXES)
			return !(root_manifest && o->platform);
		return false;
	}
	return false;
}

void model_prefetch(
        struct model_ctx *ctx, struct bl_store *s, const struct bl_digest *const *ds, size_t n)
{
	if (n == 0 || ctx->cancelled)
		return;
	struct bl_error e;
	bl_error_clear(&e);
	if (!bl_store_prefetch(s, ds, n, &e) && e.code == BL_E_CANCELLED)
		ctx->cancelled = true;
}

/* The documents a manifest's resolution reads (its config, its in-toto
 * statements but SBOMs: never a layer) and the load wants, appended to `out`
 * (struct bl_digest *). */
static void collect_small_blobs(const struct model_ctx *ctx, const json_t *doc, struct bl_vec *out)
{
	const struct bl_source_opts *o = ctx->registry;
	enum bl_load_depth depth = o ? o->depth : BL_LOAD_ALL;
	if (depth == BL_LOAD_INDEXES)
		return;
	struct bl_descriptor d;
	json_t *cj = bl_json_obj(doc, "config");
	if (cj && bl_descriptor_parse(cj, "config", &d, NULL)) {
		if (bl_mediatype_kind(d.media_type) == BL_MEDIA_CONFIG) {
			struct bl_digest *p = bl_calloc(1, sizeof *p);
			*p = d.digest;
			bl_vec_push_take(out, p);
		}
		bl_descriptor_fini(&d);
	}
	if (depth != BL_LOAD_ALL)
		return;
	size_t i;
	json_t *lj;
	json_array_foreach(bl_json_arr(doc, "layers"), i, lj)
	{
		if (!bl_descriptor_parse(lj, "layers", &d, NULL))
			continue;
		/* an SBOM statement is not read while loading (graph.c): not fetched */
		if (bl_mediatype_kind(d.media_type) == BL_MEDIA_INTOTO &&
		        !bl_sbom_predicate(
		                bl_descriptor_annotation(&d, "in-toto.io/predicate-type"))) {
			struct bl_digest *p = bl_calloc(1, sizeof *p);
			*p = d.digest;
			bl_vec_push_take(out, p);
		}
		bl_descriptor_fini(&d);
	}
}

void model_prefetch_children(struct model_ctx *ctx, struct bl_node *n, size_t first)
{
	if (!n->store || !bl_store_is_remote(n->store) || ctx->cancelled ||
	        n->children.len <= first)
		return;
	size_t cnt = n->children.len - first;
	const struct bl_digest **ds = bl_calloc(cnt, sizeof *ds);
	size_t k = 0;
	for (size_t j = first; j < n->children.len; j++) {
		struct bl_node *c = bl_vec_get(&n->children, j);
		if (c->has_desc &&
		        (c->kind == BL_NODE_INDEX || c->kind == BL_NODE_MANIFEST ||
		                c->kind == BL_NODE_ATTESTATION) &&
		        !model_on_path(c) && !model_load_skips(ctx, c))
			ds[k++] = &c->desc.digest;
	}
	model_prefetch(ctx, n->store, ds, k);
	free(ds);
	struct bl_vec blobs;
	bl_vec_init(&blobs, free);
	for (size_t j = first; j < n->children.len && !ctx->cancelled; j++) {
		struct bl_node *c = bl_vec_get(&n->children, j);
		if (!c->has_desc || bl_mediatype_kind(c->desc.media_type) != BL_MEDIA_MANIFEST ||
		        model_load_skips(ctx, c))
			continue;
		/* only what the prefetch put in memory: no request here */
		if (bl_store_stat(n->store, &c->desc.digest, NULL) != BL_BLOB_VERIFIED)
			continue;
		struct bl_buf buf;
		bl_buf_init(&buf);
		if (bl_store_read_blob(n->store, &c->desc, BL_JSON_MANIFEST_MAX, &buf, NULL)) {
			json_t *doc = bl_json_parse(buf.data, buf.len, BL_JSON_MANIFEST_MAX, NULL);
			if (doc)
				collect_small_blobs(ctx, doc, &blobs);
			json_decref(doc);
		}
		bl_buf_fini(&buf);
	}
	model_prefetch(ctx, n->store, (const struct bl_digest *const *)blobs.items, blobs.len);
	bl_vec_fini(&blobs);
}
