/* The base of every store: the verifying front (bl_store_* checks size and
 * digest on top of the raw ops), the optional operations, and helpers the
 * concrete stores share (index.json roots, messages). It never calls a
 * concrete store: those call it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mediatype.h"
#include "bakelens/mem.h"
#include "bakelens/ref.h"
#include "bakelens/text.h"
#include "internal.h"

void bl_store_root_free(void *p)
{
	struct bl_store_root *r = p;
	if (!r)
		return;
	free(r->name);
	free(r->note);
	bl_descriptor_fini(&r->desc);
	free(r);
}

struct bl_store_root *bl_store_root_dup(const struct bl_store_root *r)
{
	struct bl_store_root *c = bl_calloc(1, sizeof(*c));
	c->name = bl_strdup(r->name);
	c->note = bl_strdup(r->note);
	c->synthesised = r->synthesised;
	bl_descriptor_copy(&c->desc, &r->desc);
	return c;
}

static const char *root_name(const struct bl_descriptor *d)
{
	const char *n = bl_descriptor_annotation(d, "org.opencontainers.image.ref.name");
	if (!n)
		n = bl_descriptor_annotation(d, "io.containerd.image.name");
	return n;
}

bool bl_store_index_roots(
        const void *data, size_t len, const char *where, struct bl_vec *roots, struct bl_error *err)
{
	json_t *j = bl_json_parse(data, len, BL_JSON_MANIFEST_MAX, err);
	if (!j) {
		bl_error_prefix(err, "%s", where);
		return false;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		return bl_fail(err, BL_E_FORMAT, "%s: expected an image index object", where);
	}
	json_t *m = json_object_get(j, "manifests");
	if (m && !json_is_null(m) && !json_is_array(m)) {
		json_decref(j);
		return bl_fail(err, BL_E_FORMAT, "%s: \"manifests\" is not an array", where);
	}
	size_t i;
	json_t *e;
	json_array_foreach(m, i, e)
	{
		char *w = bl_asprintf("%s: manifests[%zu]", where, i);
		struct bl_store_root *r = bl_calloc(1, sizeof(*r));
		struct bl_error derr;
		bl_error_clear(&derr);
		if (bl_descriptor_parse(e, w, &r->desc, &derr)) {
			r->name = bl_strdup(root_name(&r->desc));
		} else {
			memset(&r->desc, 0, sizeof(r->desc));
			r->desc.size = -1;
			const char *mt = bl_json_str(e, "mediaType");
			r->desc.media_type = bl_strdup(mt);
			r->note = bl_strdup(derr.msg);
		}
		free(w);
		bl_vec_push_take(roots, r);
	}
	json_decref(j);
	return true;
}

void bl_store_base_init(struct bl_store *s, const struct bl_store_ops *ops, const char *source,
        const char *describe)
{
	s->ops = ops;
	s->source = bl_strdup(source ? source : "");
	s->ref = NULL;
	s->describe = bl_strdup(describe ? describe : "");
}

void bl_store_short(const struct bl_digest *d, char *out, size_t outlen)
{
	if (!bl_digest_is_set(d)) {
		snprintf(out, outlen, "(no digest)");
		return;
	}
	char s[32];
	bl_digest_short(d, s, sizeof(s));
	snprintf(out, outlen, "%s\xe2\x80\xa6", s);
}

void bl_store_free(struct bl_store *s)
{
	if (!s)
		return;
	free(s->source);
	free(s->ref);
	free(s->describe);
	s->source = s->ref = s->describe = NULL;
	s->ops->destroy(s);
}

/* Does root `r` match the selector `ref`? */
static bool root_matches(const struct bl_store_root *r, const char *ref)
{
	if (bl_digest_is_valid(ref))
		return strcmp(r->desc.digest.str, ref) == 0;
	if (!r->name)
		return false;
	if (strcmp(r->name, ref) == 0)
		return true;
	const char *colon = strrchr(r->name, ':');
	if (colon && !strchr(colon, '/') && strcmp(colon + 1, ref) == 0)
		return true;
	/* Both full references: compare them normalised, so "example/img:1"
	 * selects "docker.io/example/img:1" (skopeo writes the long form). */
	bool match = false;
	struct bl_ref a, b;
	if (strchr(ref, '/') || strchr(r->name, '/')) {
		if (bl_ref_parse(ref, &a, NULL)) {
			if (bl_ref_parse(r->name, &b, NULL)) {
				char *fa = bl_ref_format(&a), *fb = bl_ref_format(&b);
				match = strcmp(fa, fb) == 0;
				free(fa);
				free(fb);
				bl_ref_fini(&b);
			}
			bl_ref_fini(&a);
		}
	}
	return match;
}

bool bl_store_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err)
{
	struct bl_vec all;
	bl_vec_init(&all, NULL);
	if (!s->ops->list_roots(s, &all, err)) {
		for (size_t i = 0; i < all.len; i++)
			bl_store_root_free(all.items[i]);
		bl_vec_fini(&all);
		return false;
	}
	size_t kept = 0;
	for (size_t i = 0; i < all.len; i++) {
		struct bl_store_root *r = all.items[i];
		if (!s->ref || root_matches(r, s->ref)) {
			bl_vec_push_take(roots, r);
			kept++;
		} else {
			bl_store_root_free(r);
		}
	}
	size_t total = all.len;
	bl_vec_fini(&all);
	if (s->ref && kept == 0) {
		char *safe = bl_text_safe(s->ref);
		char *src = bl_text_safe(s->source);
		bl_fail(err, BL_E_NOT_FOUND, "%s: no image named \"%s\" (%zu image%s in the store)",
		        src, safe, total, total == 1 ? "" : "s");
		free(safe);
		free(src);
		return false;
	}
	return true;
}

enum bl_blob_state bl_store_stat(struct bl_store *s, const struct bl_digest *d, int64_t *size)
{
	int64_t dummy;
	if (!size)
		size = &dummy;
	*size = -1;
	if (!bl_digest_is_set(d))
		return BL_BLOB_MISSING;
	return s->ops->stat_blob(s, d, size);
}

static bool check_desc(const struct bl_descriptor *desc, struct bl_error *err)
{
	if (!bl_digest_is_set(&desc->digest))
		return bl_fail(err, BL_E_FORMAT, "descriptor has no valid digest");
	return true;
}

bool bl_store_read_blob(struct bl_store *s, const struct bl_descriptor *desc, size_t max,
        struct bl_buf *out, struct bl_error *err)
{
	char sh[40];
	if (!check_desc(desc, err))
		return false;
	bl_store_short(&desc->digest, sh, sizeof(sh));
	if (desc->size >= 0 && (uint64_t)desc->size > max)
		return bl_fail(err, BL_E_TOO_BIG, "blob %s: %lld bytes, over the %zu-byte cap", sh,
		        (long long)desc->size, max);
	/* Read one byte more than the descriptor says, so a longer blob is seen
	 * as a size mismatch rather than as "too big". */
	size_t cap = max;
	if (desc->size >= 0 && (uint64_t)desc->size < max)
		cap = (size_t)desc->size + 1;
	struct bl_buf tmp;
	bl_buf_init(&tmp);
	if (!s->ops->read_raw(s, &desc->digest, cap, &tmp, err)) {
		bl_buf_fini(&tmp);
		if (err && err->code == BL_E_TOO_BIG && cap < max) {
			int64_t have = -1;
			s->ops->stat_blob(s, &desc->digest, &have);
			if (have >= 0 && (uint64_t)have <= max)
				return bl_fail(err, BL_E_DIGEST,
				        "blob %s: size %lld, descriptor says %lld", sh,
				        (long long)have, (long long)desc->size);
			if (have < 0)
				return bl_fail(err, BL_E_DIGEST,
				        "blob %s: larger than the %lld bytes the descriptor says",
				        sh, (long long)desc->size);
			return bl_fail(err, BL_E_TOO_BIG,
			        "blob %s: %lld bytes, over the %zu-byte cap", sh, (long long)have,
			        max);
		}
		return false;
	}
	if (desc->size >= 0 && (int64_t)tmp.len != desc->size) {
		bl_fail(err, BL_E_DIGEST, "blob %s: size %zu, descriptor says %lld", sh, tmp.len,
		        (long long)desc->size);
		bl_buf_fini(&tmp);
		return false;
	}
	struct bl_digest have;
	bl_digest_compute(desc->digest.alg, tmp.data ? tmp.data : "", tmp.len, &have);
	if (!bl_digest_equal(&have, &desc->digest)) {
		bl_fail(err, BL_E_DIGEST, "blob %s: content hashes to %s", sh, have.str);
		bl_buf_fini(&tmp);
		return false;
	}
	if (out->len == 0) {
		/* the verified bytes handed over, not copied (a megabyte SBOM) */
		bl_buf_fini(out);
		*out = tmp;
		return true;
	}
	bl_buf_append(out, tmp.data ? tmp.data : "", tmp.len);
	bl_buf_fini(&tmp);
	return true;
}

bool bl_store_open_blob(struct bl_store *s, const struct bl_descriptor *desc,
        struct bl_stream **out, struct bl_error *err)
{
	*out = NULL;
	if (!check_desc(desc, err))
		return false;
	struct bl_stream *raw = NULL;
	if (!s->ops->open_raw(s, &desc->digest, &raw, err))
		return false;
	*out = bl_stream_verify_take(raw, desc);
	return true;
}

bool bl_store_is_remote(const struct bl_store *s)
{
	return s && s->ops->remote;
}

static bool unsupported(const struct bl_store *s, const char *what, struct bl_error *err)
{
	char *src = bl_text_safe(s->source);
	bl_fail(err, BL_E_UNSUPPORTED, "%s: %s: not supported (%s store)", src, what, s->ops->kind);
	free(src);
	return false;
}

bool bl_store_referrers(struct bl_store *s, const struct bl_digest *subject, struct bl_vec *descs,
        struct bl_error *err)
{
	if (!s->ops->referrers)
		return unsupported(s, "referrers", err);
	return s->ops->referrers(s, subject, descs, err);
}

bool bl_store_prefetch(
        struct bl_store *s, const struct bl_digest *const *digests, size_t n, struct bl_error *err)
{
	/* a hint: a store that reads cheaply has nothing to do */
	if (!s->ops->prefetch)
		return true;
	return s->ops->prefetch(s, digests, n, err);
}

bool bl_store_list_tags(struct bl_store *s, struct bl_vec *tags, struct bl_error *err)
{
	if (!s->ops->list_tags)
		return unsupported(s, "tags", err);
	return s->ops->list_tags(s, tags, err);
}

const struct bl_store_ratelimit *bl_store_ratelimit(const struct bl_store *s)
{
	return s && s->ops->ratelimit ? s->ops->ratelimit(s) : NULL;
}

struct verify_stream {
	struct bl_stream base;
	struct bl_stream *raw;
	struct bl_hasher h;
	struct bl_digest want;
	int64_t want_size; /* -1: not checked */
	int64_t got;
	bool done; /* end reached and checked */
	bool failed;
};

static ssize_t verify_read(struct bl_stream *s, void *buf, size_t n, struct bl_error *err)
{
	struct verify_stream *v = (struct verify_stream *)s;
	char sh[40];
	if (v->failed) {
		bl_fail(err, BL_E_IO, "stream already failed");
		return -1;
	}
	if (v->done)
		return 0;
	ssize_t r = v->raw->read(v->raw, buf, n, err);
	if (r < 0) {
		v->failed = true;
		return -1;
	}
	if (r > 0) {
		bl_hasher_update(&v->h, buf, (size_t)r);
		v->got += r;
		if (v->want_size >= 0 && v->got > v->want_size) {
			v->failed = true;
			bl_store_short(&v->want, sh, sizeof(sh));
			bl_fail(err, BL_E_DIGEST,
			        "blob %s: more than the %lld bytes the descriptor says", sh,
			        (long long)v->want_size);
			return -1;
		}
		return r;
	}
	v->done = true;
	bl_store_short(&v->want, sh, sizeof(sh));
	if (v->want_size >= 0 && v->got != v->want_size) {
		v->failed = true;
		bl_fail(err, BL_E_DIGEST, "blob %s: size %lld, descriptor says %lld", sh,
		        (long long)v->got, (long long)v->want_size);
		return -1;
	}
	struct bl_digest have;
	bl_hasher_final(&v->h, &have);
	if (!bl_digest_equal(&have, &v->want)) {
		v->failed = true;
		bl_fail(err, BL_E_DIGEST, "blob %s: content hashes to %s", sh, have.str);
		return -1;
	}
	return 0;
}

static void verify_close(struct bl_stream *s)
{
	struct verify_stream *v = (struct verify_stream *)s;
	if (v->raw)
		v->raw->close(v->raw);
	bl_hasher_fini(&v->h);
	free(v);
}

struct bl_stream *bl_stream_verify_take(struct bl_stream *raw, const struct bl_descriptor *desc)
{
	struct verify_stream *v = bl_calloc(1, sizeof(*v));
	v->base.read = verify_read;
	v->base.close = verify_close;
	v->raw = raw;
	v->want = desc->digest;
	v->want_size = desc->size;
	bl_hasher_init(
	        &v->h, desc->digest.alg != BL_DIGEST_NONE ? desc->digest.alg : BL_DIGEST_SHA256);
	return &v->base;
}

/* The media type of a root document: its mediaType when that names an index
 * or manifest, else the OCI type its shape says. NULL: neither. */
static const char *root_media_type(const json_t *doc)
{
	const char *mt = bl_json_str(doc, "mediaType");
	enum bl_media_kind k = bl_mediatype_kind(mt);
	if (mt)
		return k == BL_MEDIA_INDEX || k == BL_MEDIA_MANIFEST ? mt : NULL;
	if (json_is_array(json_object_get(doc, "manifests")))
		return BL_MT_OCI_INDEX;
	if (json_is_object(json_object_get(doc, "config")) &&
	        json_is_array(json_object_get(doc, "layers")))
		return BL_MT_OCI_MANIFEST;
	return NULL;
}

struct bl_store_root *bl_store_sniff_root(
        struct bl_store *s, const struct bl_digest *d, const char *where, struct bl_error *err)
{
	struct bl_descriptor want = {.digest = *d, .size = -1};
	struct bl_buf buf;
	bl_buf_init(&buf);
	json_t *doc = NULL;
	struct bl_store_root *root = NULL;
	if (!bl_store_read_blob(s, &want, BL_JSON_MANIFEST_MAX, &buf, err)) {
		bl_error_prefix(err, "%s: root %s", where, d->str);
		goto done;
	}
	doc = bl_json_parse(buf.data, buf.len, BL_JSON_MANIFEST_MAX, err);
	const char *mt = json_is_object(doc) ? root_media_type(doc) : NULL;
	if (!mt) {
		if (doc)
			bl_fail(err, BL_E_FORMAT, "neither an image index nor an image manifest");
		bl_error_prefix(err, "%s: root %s", where, d->str);
		goto done;
	}
	root = bl_calloc(1, sizeof *root);
	root->desc.media_type = bl_strdup(mt);
	root->desc.digest = *d;
	root->desc.size = (int64_t)buf.len;
done:
	json_decref(doc);
	bl_buf_fini(&buf);
	return root;
}

bool bl_store_daemon_where(const struct bl_store *s, struct bl_store_daemon *out)
{
	memset(out, 0, sizeof *out);
	return s && s->ops && s->ops->daemon_where && s->ops->daemon_where(s, out);
}
