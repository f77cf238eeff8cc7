/* docker save archives: roots from manifest.json. A legacy archive (no
 * index.json, or one that lists no images) gets per entry the real manifest
 * blob when docker >= 25 saved one in blobs/, else a Docker v2s2 manifest
 * synthesised from the entry and its config, with each layer named by its
 * diff_id (an uncompressed layer's digest) or, for compressed layers, by the
 * digest of its bytes. An OCI layout tar with manifest.json gets its unnamed
 * roots named by the RepoTags there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mediatype.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "tar_internal.h"

#define MT_DOCKER_LAYER_ZSTD "application/vnd.docker.image.rootfs.diff.tar.zstd"

static struct bl_store_root *new_root(const char *name)
{
	struct bl_store_root *r = bl_calloc(1, sizeof(*r));
	r->name = bl_strdup(name);
	r->desc.size = -1;
	return r;
}

/* RepoTags of a manifest.json entry as a JSON array, or NULL. */
static json_t *repo_tags(json_t *entry)
{
	json_t *tags = json_object_get(entry, "RepoTags");
	return json_is_array(tags) && json_array_size(tags) > 0 ? tags : NULL;
}

static void push_root(struct tar_store *t, struct bl_store_root *r)
{
	if (t->roots.len >= TAR_ROOTS_MAX) {
		t->roots_dropped++;
		bl_store_root_free(r);
		return;
	}
	bl_vec_push_take(&t->roots, r);
}

/* Push one root per RepoTag (a copy of `proto` each), or `proto` itself when untagged. */
static void push_tagged(struct tar_store *t, struct bl_store_root *proto, json_t *tags)
{
	if (!tags) {
		push_root(t, proto);
		return;
	}
	size_t i;
	json_t *tag;
	bool first = true;
	json_array_foreach(tags, i, tag)
	{
		if (!json_is_string(tag))
			continue;
		if (!first && t->roots.len >= TAR_ROOTS_MAX) {
			t->roots_dropped++;
			continue;
		}
		struct bl_store_root *r = first ? proto : bl_store_root_dup(proto);
		free(r->name);
		r->name = bl_strdup(json_string_value(tag));
		push_root(t, r);
		first = false;
	}
	if (first)
		push_root(t, proto);
}

/* manifest.json path ("blobs/sha256/<hex>") as a digest, when it is one. */
static bool path_digest(const char *path, struct bl_digest *d)
{
	char *n = bl_tar_path_normalise(path);
	bool ok = false;
	if (n && strncmp(n, "blobs/", 6) == 0) {
		char *slash = strchr(n + 6, '/');
		if (slash) {
			*slash = ':';
			ok = bl_digest_parse(n + 6, d, NULL);
		}
	}
	free(n);
	return ok;
}

/* Does a member start (after blanks) with '{'? Looks at kept bytes, the
 * magic recorded while streaming, or the file (PREAD). */
static bool member_is_object(struct tar_store *t, const struct bl_tar_member *m)
{
	unsigned char p[6];
	size_t n = bl_tar_member_magic(t, m, p, sizeof(p));
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < n && p[i] == '{';
}

/* Every small manifest blob in blobs/, by the digest of its config, once
 * per store (an archive can hold thousands of blobs and manifest.json
 * thousands of entries). Only blobs that can be read cheaply are looked at:
 * kept in memory, or read with pread; never one that needs the compressed
 * archive decompressed again. */
static void build_candidates(struct tar_store *t)
{
	t->cands_built = true;
	size_t cap = 0;
	for (size_t i = 0; i < t->nblobs; i++) {
		struct blob_ent *b = &t->blobs[i];
		if (!b->m || b->m->size > 65536 || b->m->size < 2)
			continue;
		if (!b->m->data && !(t->access == BL_TAR_PREAD && b->m->offset >= 0))
			continue;
		if (!member_is_object(t, b->m))
			continue;
		struct bl_buf buf;
		bl_buf_init(&buf);
		bool ok = bl_tar_read_member(t, b->m, 65536, &buf, "blob", NULL);
		json_t *j = ok ? bl_json_parse(buf.data, buf.len, 65536, NULL) : NULL;
		bl_buf_fini(&buf);
		if (!j)
			continue;
		struct bl_digest cd;
		if (json_object_get(j, "layers") &&
		        bl_digest_parse(
		                bl_json_str(bl_json_obj(j, "config"), "digest"), &cd, NULL)) {
			if (t->ncands == cap) {
				cap = cap ? cap * 2 : 8;
				t->cands = bl_realloc(t->cands, cap * sizeof(*t->cands));
			}
			struct man_cand *c = &t->cands[t->ncands++];
			const char *mt = bl_json_str(j, "mediaType");
			c->config = cd;
			c->manifest = b->d;
			c->size = b->m->size;
			c->media_type = bl_strdup(mt ? mt : BL_MT_OCI_MANIFEST);
		}
		json_decref(j);
	}
}

/* A manifest blob in blobs/ whose config is `config` (Docker >= 25 saves
 * one). Only small blobs that parse as a manifest are looked at. */
static bool find_manifest_for_config(
        struct tar_store *t, const struct bl_digest *config, struct bl_descriptor *out)
{
	if (!t->cands_built)
		build_candidates(t);
	for (size_t i = 0; i < t->ncands; i++) {
		const struct man_cand *c = &t->cands[i];
		if (!bl_digest_equal(&c->config, config))
			continue;
		memset(out, 0, sizeof(*out));
		out->media_type = bl_strdup(c->media_type);
		out->digest = c->manifest;
		out->size = c->size;
		return true;
	}
	return false;
}

static bool synth_entry(
        struct tar_store *t, json_t *entry, size_t idx, bool from_v25, struct bl_error *err)
{
	char where[64];
	snprintf(where, sizeof(where), "manifest.json[%zu]", idx);
	if (!json_is_object(entry))
		return bl_fail(err, BL_E_FORMAT, "%s: %s: expected an object", t->what, where);
	const char *cfg_path = bl_json_str(entry, "Config");
	if (!cfg_path || !*cfg_path)
		return bl_fail(err, BL_E_FORMAT, "%s: %s: no Config", t->what, where);
	json_t *layers = json_object_get(entry, "Layers");
	if (layers && !json_is_null(layers) && !json_is_array(layers))
		return bl_fail(err, BL_E_FORMAT, "%s: %s: Layers is not an array", t->what, where);
	const struct bl_tar_member *cm = bl_tarix_find(&t->ix, cfg_path);
	if (!cm) {
		char *sp = bl_text_safe(cfg_path);
		bl_fail(err, BL_E_FORMAT, "%s: %s: Config \"%s\" is not in the archive%s", t->what,
		        where, sp, bl_tar_why_not_found(t, cfg_path));
		free(sp);
		return false;
	}
	/* Docker >= 25: the real manifest is in blobs/; prefer it. */
	struct bl_digest cfgd;
	if (path_digest(cfg_path, &cfgd)) {
		struct bl_descriptor md;
		if (find_manifest_for_config(t, &cfgd, &md)) {
			struct bl_store_root *r = new_root(NULL);
			r->desc = md;
			r->note = bl_strdup(
			        from_v25 ? "found through manifest.json: index.json lists no images"
			                 : "found through manifest.json");
			push_tagged(t, r, repo_tags(entry));
			return true;
		}
	}
	char *cfg_label = bl_asprintf("%s: %s: Config", t->what, where);
	struct bl_buf cbuf;
	bl_buf_init(&cbuf);
	if (!bl_tar_read_member(t, cm, BL_JSON_CONFIG_MAX, &cbuf, cfg_label, err)) {
		free(cfg_label);
		bl_buf_fini(&cbuf);
		return false;
	}
	json_t *config =
	        bl_json_parse(cbuf.data ? cbuf.data : "", cbuf.len, BL_JSON_CONFIG_MAX, err);
	if (!config) {
		bl_error_prefix(err, "%s", cfg_label);
		free(cfg_label);
		bl_buf_fini(&cbuf);
		return false;
	}
	struct bl_digest config_digest;
	bl_digest_compute(BL_DIGEST_SHA256, cbuf.data ? cbuf.data : "", cbuf.len, &config_digest);
	size_t config_size = cbuf.len;
	bl_buf_fini(&cbuf);
	struct blob_ent *cb = bl_tar_add_blob(t, &config_digest);
	if (!cb->m && !cb->synth) {
		cb->m = cm;
	}
	cb->state = BL_BLOB_VERIFIED;

	json_t *diff_ids = bl_json_arr(bl_json_obj(config, "rootfs"), "diff_ids");
	json_t *sources = bl_json_obj(entry, "LayerSources");
	json_t *mlayers = json_array();
	bool ok = false;
	size_t i;
	json_t *lp;
	json_array_foreach(layers, i, lp)
	{
		char lw[96];
		snprintf(lw, sizeof(lw), "%s.Layers[%zu]", where, i);
		if (!json_is_string(lp)) {
			bl_fail(err, BL_E_FORMAT, "%s: %s: expected a path", t->what, lw);
			goto out;
		}
		const char *path = json_string_value(lp);
		const struct bl_tar_member *lm = bl_tarix_find(&t->ix, path);
		if (!lm) {
			char *sp = bl_text_safe(path);
			bl_fail(err, BL_E_FORMAT, "%s: %s: \"%s\" is not in the archive%s", t->what,
			        lw, sp, bl_tar_why_not_found(t, path));
			free(sp);
			goto out;
		}
		unsigned char mg[6];
		size_t mn = bl_tar_member_magic(t, lm, mg, sizeof(mg));
		enum comp c = bl_tar_magic_comp(mg, mn);
		struct bl_digest ld;
		const char *mt = BL_MT_DOCKER_LAYER;
		json_t *did = json_array_get(diff_ids, i);
		if (c == COMP_NONE && json_is_string(did) &&
		        bl_digest_parse(json_string_value(did), &ld, NULL)) {
			/* Uncompressed: the member's digest is the diff_id. */
		} else {
			/* Compressed (kaniko writes <hex>.tar.gz), or no diff_id: the
			 * layer is named by the digest of its own bytes. This hashes
			 * the member now, once. */
			if (!bl_tar_member_digest(t, lm, &ld, err)) {
				bl_error_prefix(err, "%s: %s", t->what, lw);
				goto out;
			}
			if (c == COMP_GZIP)
				mt = BL_MT_DOCKER_LAYER_GZIP;
			else if (c == COMP_ZSTD)
				mt = MT_DOCKER_LAYER_ZSTD;
		}
		json_t *src = json_object_get(sources, ld.str);
		const char *smt = bl_json_str(src, "mediaType");
		const char *sdg = bl_json_str(src, "digest");
		if (smt && sdg && strcmp(sdg, ld.str) == 0)
			mt = smt;
		struct blob_ent *lb = bl_tar_add_blob(t, &ld);
		if (!lb->m && !lb->synth) {
			lb->m = lm;
			bl_tar_set_member_state(lb);
		}
		json_array_append_new(mlayers, json_pack("{s:s, s:I, s:s}", "mediaType", mt, "size",
		                                       (json_int_t)lm->size, "digest", ld.str));
	}
	json_t *man = json_pack("{s:i, s:s, s:{s:s, s:I, s:s}, s:O}", "schemaVersion", 2,
	        "mediaType", BL_MT_DOCKER_MANIFEST, "config", "mediaType", BL_MT_DOCKER_CONFIG,
	        "size", (json_int_t)config_size, "digest", config_digest.str, "layers", mlayers);
	char *bytes = json_dumps(man, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(man);
	struct bl_digest md;
	size_t mlen = strlen(bytes);
	bl_digest_compute(BL_DIGEST_SHA256, bytes, mlen, &md);
	struct blob_ent *mb = bl_tar_add_blob(t, &md);
	if (!mb->m && !mb->synth) {
		mb->synth = bl_strdup(bytes);
		mb->synth_len = mlen;
		mb->state = BL_BLOB_VERIFIED;
	}
	free(bytes);
	struct bl_store_root *r = new_root(NULL);
	r->desc.media_type = bl_strdup(BL_MT_DOCKER_MANIFEST);
	r->desc.digest = md;
	r->desc.size = (int64_t)mlen;
	r->synthesised = true;
	r->note = bl_strdup(
	        "synthesised from docker save manifest.json (legacy): no manifest blob exists");
	push_tagged(t, r, repo_tags(entry));
	ok = true;
out:
	json_decref(mlayers);
	json_decref(config);
	free(cfg_label);
	return ok;
}

/* Roots from a docker manifest.json (legacy, or v25 with an empty index). */
bool bl_tar_roots_from_manifest_json(
        struct tar_store *t, const struct bl_tar_member *mm, bool from_v25, struct bl_error *err)
{
	char *label = bl_asprintf("%s: manifest.json", t->what);
	json_t *j = NULL;
	bool ok = false;
	struct bl_buf b;
	bl_buf_init(&b);
	if (!bl_tar_read_member(t, mm, BL_JSON_CONFIG_MAX, &b, label, err)) {
		bl_buf_fini(&b);
		goto out;
	}
	/* Decode any top level, so that `null` gets a clear message. */
	json_error_t je;
	j = json_loadb(b.data ? b.data : "", b.len, JSON_DECODE_ANY, &je);
	bl_buf_fini(&b);
	if (!j) {
		char *why = bl_text_safe(je.text);
		bl_fail(err, BL_E_FORMAT, "%s: line %d column %d: %s", label, je.line, je.column,
		        why);
		free(why);
		goto out;
	}
	if (!json_is_array(j)) {
		bl_fail(err, BL_E_FORMAT, "%s: expected an array of images, found %s", label,
		        json_is_null(j)     ? "null"
		        : json_is_object(j) ? "an object"
		                            : "a scalar");
		goto out;
	}
	if (json_array_size(j) == 0) {
		bl_fail(err, BL_E_FORMAT, "%s: empty array: no images", label);
		goto out;
	}
	size_t i;
	json_t *e;
	json_array_foreach(j, i, e)
	{
		if (!synth_entry(t, e, i, from_v25, err))
			goto out;
	}
	ok = true;
out:
	json_decref(j);
	free(label);
	return ok;
}

/* A manifest.json entry with RepoTags, by the digest its Config path names. */
struct tagged_cfg {
	struct bl_digest config;
	size_t order; /* position in manifest.json: the first entry wins */
	json_t *tags; /* borrowed from the parsed manifest.json */
};

static int cmp_tagged(const void *a, const void *b)
{
	const struct tagged_cfg *x = a, *y = b;
	int c = strcmp(x->config.str, y->config.str);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Give unnamed index.json roots the RepoTags of manifest.json entries whose
 * Config is the root manifest's config. The entries are sorted once, so a
 * big index.json and a big manifest.json cost n log n, not n * m. */
void bl_tar_name_from_manifest_json(struct tar_store *t, const struct bl_tar_member *mm)
{
	json_t *j = bl_tar_member_json(t, mm, "manifest.json", BL_JSON_CONFIG_MAX, NULL);
	if (!json_is_array(j)) {
		json_decref(j);
		return;
	}
	size_t ne = 0;
	struct tagged_cfg *ents = bl_calloc(json_array_size(j) + 1, sizeof(*ents));
	size_t i;
	json_t *e;
	json_array_foreach(j, i, e)
	{
		json_t *tags = repo_tags(e);
		if (tags && path_digest(bl_json_str(e, "Config"), &ents[ne].config)) {
			ents[ne].order = i;
			ents[ne].tags = tags;
			ne++;
		}
	}
	qsort(ents, ne, sizeof(*ents), cmp_tagged);
	size_t n = t->roots.len;
	for (size_t ri = 0; ri < n && ne > 0; ri++) {
		struct bl_store_root *r = t->roots.items[ri];
		if (r->name || bl_mediatype_kind(r->desc.media_type) != BL_MEDIA_MANIFEST)
			continue;
		struct blob_ent *b = bl_tar_find_blob(t, &r->desc.digest);
		if (!b || !b->m || b->m->size > (int64_t)BL_JSON_MANIFEST_MAX)
			continue;
		json_t *man = bl_tar_member_json(t, b->m, "manifest", BL_JSON_MANIFEST_MAX, NULL);
		struct bl_digest cd;
		bool has_cd = bl_digest_parse(
		        bl_json_str(bl_json_obj(man, "config"), "digest"), &cd, NULL);
		json_decref(man);
		if (!has_cd)
			continue;
		/* the first entry (in file order) with this config */
		size_t lo = 0, hi = ne;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(ents[mid].config.str, cd.str) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == ne || strcmp(ents[lo].config.str, cd.str) != 0)
			continue;
		size_t k;
		json_t *tag;
		json_array_foreach(ents[lo].tags, k, tag)
		{
			if (!json_is_string(tag))
				continue;
			if (!r->name) {
				r->name = bl_strdup(json_string_value(tag));
			} else {
				struct bl_store_root *c = bl_store_root_dup(r);
				free(c->name);
				c->name = bl_strdup(json_string_value(tag));
				push_root(t, c);
			}
		}
	}
	free(ents);
	json_decref(j);
}
