/* The registry store: the store operations over the distribution API
 * (6): the root manifest of the reference, documents and blobs by
 * digest (verified, cached in memory and on disk), referrers, tags and
 * prefetch. Requests go through registry_token.c (authentication) and
 * registry_http.c (the HTTP engine). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "registry_internal.h"

#define MEM_DOC_BUDGET (16u << 20)

struct seen {
	struct bl_digest d;
	bool manifest;
	int64_t size; /* the largest size a descriptor declared for it; 0: none */
};

struct memdoc {
	struct bl_digest d;
	struct bl_buf body;
};

static const struct bl_store_ops registry_ops;

static bool is_loopback(const char *hostport)
{
	if (!strncmp(hostport, "localhost", 9) && (hostport[9] == '\0' || hostport[9] == ':'))
		return true;
	if (!strncmp(hostport, "127.", 4))
		return true;
	if (!strncmp(hostport, "[::1]", 5) || !strcmp(hostport, "::1"))
		return true;
	return false;
}

static bool host_listed(const char *const *list, const char *domain, const char *host)
{
	if (!list)
		return false;
	for (size_t i = 0; list[i]; i++) {
		const char *e = list[i];
		if (!strcmp(e, domain) || !strcmp(e, host))
			return true;
		/* an entry without a port names the host on every port */
		size_t el = strlen(e);
		if (!strchr(e, ':') && !strncmp(domain, e, el) && domain[el] == ':')
			return true;
	}
	return false;
}

/* ---- memory documents and what we learned about digests ---- */

static struct memdoc *mem_find(struct reg *s, const struct bl_digest *d)
{
	for (size_t i = 0; i < s->mem.len; i++) {
		struct memdoc *m = bl_vec_get(&s->mem, i);
		if (bl_digest_equal(&m->d, d))
			return m;
	}
	return NULL;
}

static void memdoc_free(void *p)
{
	struct memdoc *m = p;
	if (m) {
		bl_buf_fini(&m->body);
		free(m);
	}
}

static void mem_put(struct reg *s, const struct bl_digest *d, const void *data, size_t len)
{
	if (mem_find(s, d) || s->mem_bytes + len > MEM_DOC_BUDGET)
		return;
	struct memdoc *m = bl_calloc(1, sizeof *m);
	m->d = *d;
	bl_buf_init(&m->body);
	bl_buf_append(&m->body, data, len);
	s->mem_bytes += len;
	bl_vec_push_take(&s->mem, m);
}

static struct seen *seen_find(struct reg *s, const struct bl_digest *d)
{
	for (size_t i = 0; i < s->seen.len; i++) {
		struct seen *e = bl_vec_get(&s->seen, i);
		if (bl_digest_equal(&e->d, d))
			return e;
	}
	return NULL;
}

/* The largest declared size is kept: a document that understates a digest's
 * size cannot cut another's read of it short. */
static void seen_add(struct reg *s, const char *digest, bool manifest, int64_t size)
{
	struct bl_digest d;
	if (!digest || !bl_digest_parse(digest, &d, NULL))
		return;
	struct seen *e = seen_find(s, &d);
	if (!e) {
		e = bl_calloc(1, sizeof *e);
		e->d = d;
		bl_vec_push_take(&s->seen, e);
	}
	e->manifest = e->manifest || manifest;
	if (size > e->size)
		e->size = size;
}

/* The size descriptors declared for d, 0 when none did. */
static int64_t seen_size(struct reg *s, const struct bl_digest *d)
{
	struct seen *e = seen_find(s, d);
	return e ? e->size : 0;
}

static void learn_desc(struct reg *s, const json_t *desc, bool manifest)
{
	int64_t size = 0;
	if (!json_is_object(desc))
		return;
	if (!bl_json_int(desc, "size", &size) || size < 0)
		size = 0;
	seen_add(s, bl_json_str(desc, "digest"), manifest, size);
}

/* Remember the kinds of the digests a document names. */
static void learn(struct reg *s, const void *data, size_t len)
{
	if (len == 0 || ((const char *)data)[0] != '{')
		return;
	json_t *j = bl_json_parse(data, len, BL_JSON_MANIFEST_MAX, NULL);
	if (!j)
		return;
	size_t i;
	json_t *v;
	json_t *a = bl_json_arr(j, "manifests");
	json_array_foreach(a, i, v) learn_desc(s, v, true);
	learn_desc(s, bl_json_obj(j, "config"), false);
	a = bl_json_arr(j, "layers");
	json_array_foreach(a, i, v) learn_desc(s, v, false);
	a = bl_json_arr(j, "blobs");
	json_array_foreach(a, i, v) learn_desc(s, v, false);
	learn_desc(s, bl_json_obj(j, "subject"), true);
	json_decref(j);
}

/* ---- the root ---- */

static char *media_type_of(const char *content_type, const struct bl_buf *body)
{
	if (content_type && *content_type) {
		size_t n = strcspn(content_type, ";");
		while (n > 0 && content_type[n - 1] == ' ')
			n--;
		char *mt = bl_strndup(content_type, n);
		if (strcmp(mt, "application/json") && strcmp(mt, "text/plain") &&
		        strcmp(mt, "application/octet-stream"))
			return mt;
		free(mt);
	}
	json_t *j =
	        bl_json_parse(body->data ? body->data : "", body->len, BL_JSON_MANIFEST_MAX, NULL);
	char *r = NULL;
	if (j) {
		const char *m = bl_json_str(j, "mediaType");
		if (m)
			r = bl_strdup(m);
		else if (bl_json_arr(j, "manifests"))
			r = bl_strdup(BL_MT_OCI_INDEX);
		else if (bl_json_arr(j, "layers"))
			r = bl_strdup(BL_MT_OCI_MANIFEST);
		json_decref(j);
	}
	return r;
}

static void root_from_body(struct reg *s, const struct bl_digest *d, const char *content_type,
        const struct bl_buf *body)
{
	memset(&s->root, 0, sizeof s->root);
	s->root.media_type = media_type_of(content_type, body);
	s->root.digest = *d;
	s->root.size = (int64_t)body->len;
	s->have_root = true;
	seen_add(s, d->str, true, 0);
	mem_put(s, d, body->data ? body->data : "", body->len);
	learn(s, body->data ? body->data : "", body->len);
}

static bool ensure_root(struct reg *s, struct bl_error *err)
{
	if (s->have_root)
		return true;
	bool pinned = bl_digest_is_set(&s->ref.digest);
	if (pinned && !s->no_cache) {
		struct bl_buf b;
		bl_buf_init(&b);
		if (bl_registry_cache_get(s->cache_dir, &s->ref.digest, BL_JSON_MANIFEST_MAX, &b)) {
			s->stats.cache_hits++;
			root_from_body(s, &s->ref.digest, NULL, &b);
			bl_buf_fini(&b);
			return true;
		}
		bl_buf_fini(&b);
	}
	if (s->offline) {
		bl_reg_fail(s, err, BL_E_NET, "manifest %s: %s",
		        pinned ? s->ref.digest.str : s->ref.tag,
		        pinned ? "not in the cache and offline"
		               : "a tag needs the network (offline)");
		return false;
	}
	const char *sel = pinned ? s->ref.digest.str : s->ref.tag;
	char *what = bl_asprintf("manifest %s", sel);
	char *url = bl_reg_api_url(s, "/v2/%s/manifests/%s", s->repo, sel);
	struct req r = {.url = url,
	        .accept = BL_REG_ACCEPT_MANIFESTS,
	        .registry_auth = true,
	        .max = BL_JSON_MANIFEST_MAX,
	        .what = what};
	struct xfer *x = NULL;
	bool ok = bl_reg_request(s, &r, &x, err);
	free(url);
	if (!ok) {
		free(what);
		return false;
	}
	struct bl_digest got;
	bl_digest_compute(BL_DIGEST_SHA256, x->body.data ? x->body.data : "", x->body.len, &got);
	struct bl_digest hdr;
	if (pinned) {
		struct bl_digest want;
		bl_digest_compute(
		        s->ref.digest.alg, x->body.data ? x->body.data : "", x->body.len, &want);
		if (!bl_digest_equal(&want, &s->ref.digest)) {
			bl_reg_fail(s, err, BL_E_DIGEST, "%s: body hashes to %s (not cached)", what,
			        want.str);
			goto fail;
		}
		got = want;
	} else if (x->docker_digest && bl_digest_parse(x->docker_digest, &hdr, NULL)) {
		struct bl_digest want;
		bl_digest_compute(hdr.alg, x->body.data ? x->body.data : "", x->body.len, &want);
		if (!bl_digest_equal(&want, &hdr)) {
			bl_reg_fail(s, err, BL_E_DIGEST,
			        "%s: body hashes to %s but Docker-Content-Digest says %s (not "
			        "cached)",
			        what, want.str, hdr.str);
			goto fail;
		}
	}
	if (!s->no_cache)
		bl_registry_cache_put(
		        s->cache_dir, &got, x->body.data ? x->body.data : "", x->body.len, NULL);
	root_from_body(s, &got, x->content_type, &x->body);
	bl_reg_xfer_free(x);
	free(what);
	return true;
fail:
	bl_reg_xfer_free(x);
	free(what);
	return false;
}

/* ---- store operations ---- */

static bool reg_list_roots(struct bl_store *bs, struct bl_vec *roots, struct bl_error *err)
{
	struct reg *s = (struct reg *)bs;
	if (!ensure_root(s, err))
		return false;
	struct bl_store_root *r = bl_calloc(1, sizeof *r);
	r->name = bl_ref_format(&s->ref);
	bl_descriptor_copy(&r->desc, &s->root);
	bl_vec_push_take(roots, r);
	return true;
}

static bool cached(struct reg *s, const struct bl_digest *d, size_t max, struct bl_buf *out)
{
	struct memdoc *m = mem_find(s, d);
	if (m && m->body.len <= max) {
		bl_buf_append(out, m->body.data ? m->body.data : "", m->body.len);
		return true;
	}
	if (!s->no_cache && bl_registry_cache_get(s->cache_dir, d, max, out)) {
		s->stats.cache_hits++;
		return true;
	}
	return false;
}

static enum bl_blob_state reg_stat_blob(
        struct bl_store *bs, const struct bl_digest *d, int64_t *size)
{
	struct reg *s = (struct reg *)bs;
	struct memdoc *m = mem_find(s, d);
	if (m) {
		*size = (int64_t)m->body.len;
		return BL_BLOB_VERIFIED;
	}
	/* no round trip for a presence check: a registry is assumed to hold
	 * what its documents name; the read says otherwise */
	*size = -1;
	return s->offline ? BL_BLOB_MISSING : BL_BLOB_PRESENT;
}

/* Fetch a document by digest (verified) into out. */
static bool fetch_doc(struct reg *s, const struct bl_digest *d, size_t max, struct bl_buf *out,
        struct bl_error *err)
{
	struct seen *k = seen_find(s, d);
	bool manifest_first = k && k->manifest;
	struct xfer *x = NULL;
	char *what = NULL;
	bool ok = false;
	for (int pass = 0; pass < 2 && !ok; pass++) {
		bool manifest = pass == 0 ? manifest_first : !manifest_first;
		free(what);
		what = bl_asprintf("%s %s", manifest ? "manifest" : "blob", d->str);
		char *url = bl_reg_api_url(
		        s, "/v2/%s/%s/%s", s->repo, manifest ? "manifests" : "blobs", d->str);
		struct req r = {.url = url,
		        .accept = manifest ? BL_REG_ACCEPT_MANIFESTS : NULL,
		        .registry_auth = true,
		        .max = max,
		        .size = seen_size(s, d),
		        .what = what};
		struct bl_error e1 = {0};
		ok = bl_reg_request(s, &r, &x, &e1);
		free(url);
		if (!ok && (e1.code != BL_E_NOT_FOUND || pass == 1)) {
			if (err)
				*err = e1;
			break;
		}
	}
	if (ok) {
		struct bl_digest got;
		bl_digest_compute(d->alg, x->body.data ? x->body.data : "", x->body.len, &got);
		if (!bl_digest_equal(&got, d)) {
			bl_reg_fail(s, err, BL_E_DIGEST, "%s: body hashes to %s (not cached)", what,
			        got.str);
			ok = false;
		} else {
			if (!s->no_cache)
				bl_registry_cache_put(s->cache_dir, d,
				        x->body.data ? x->body.data : "", x->body.len, NULL);
			else
				mem_put(s, d, x->body.data ? x->body.data : "", x->body.len);
			learn(s, x->body.data ? x->body.data : "", x->body.len);
			bl_buf_append(out, x->body.data ? x->body.data : "", x->body.len);
		}
	}
	bl_reg_xfer_free(x);
	free(what);
	return ok;
}

static bool reg_read_raw(struct bl_store *bs, const struct bl_digest *d, size_t max,
        struct bl_buf *out, struct bl_error *err)
{
	struct reg *s = (struct reg *)bs;
	if (cached(s, d, max, out)) {
		learn(s, out->data, out->len);
		return true;
	}
	if (s->offline) {
		bl_reg_fail(s, err, BL_E_NOT_FOUND, "%s: not in the cache (offline)", d->str);
		return false;
	}
	/* a tag reference learns its scheme and token with the root first */
	if (!s->scheme_known && !ensure_root(s, err))
		return false;
	return fetch_doc(s, d, max, out, err);
}

struct reg_stream {
	struct bl_stream base;
	struct xfer *x;
};

static ssize_t rs_read(struct bl_stream *bs, void *buf, size_t n, struct bl_error *err)
{
	struct reg_stream *rs = (struct reg_stream *)bs;
	struct xfer *x = rs->x;
	if (x->body.len == x->off && !x->done) {
		if (x->paused) {
			x->paused = false;
			curl_easy_pause(x->h, CURLPAUSE_CONT);
		}
		bl_reg_drive(x->s, bl_reg_until_data, x);
	}
	if (x->body.len > x->off) {
		size_t k = x->body.len - x->off;
		if (k > n)
			k = n;
		memcpy(buf, x->body.data + x->off, k);
		x->off += k;
		if (x->off == x->body.len) {
			x->off = 0;
			x->body.len = 0;
		}
		return (ssize_t)k;
	}
	if (x->cancelled || x->too_big || x->too_slow || x->result != CURLE_OK) {
		bl_reg_xfer_error(x->s, x, err);
		return -1;
	}
	return 0;
}

static void rs_close(struct bl_stream *bs)
{
	struct reg_stream *rs = (struct reg_stream *)bs;
	if (!rs)
		return;
	free((char *)rs->x->what);
	bl_reg_xfer_free(rs->x);
	free(rs);
}

static bool reg_open_raw(struct bl_store *bs, const struct bl_digest *d, struct bl_stream **out,
        struct bl_error *err)
{
	struct reg *s = (struct reg *)bs;
	struct bl_buf b;
	bl_buf_init(&b);
	if (cached(s, d, BL_JSON_CONFIG_MAX, &b)) {
		*out = bl_stream_memory(b.data ? b.data : "", b.len);
		bl_buf_fini(&b);
		return true;
	}
	bl_buf_fini(&b);
	if (s->offline) {
		bl_reg_fail(s, err, BL_E_NOT_FOUND, "%s: not in the cache (offline)", d->str);
		return false;
	}
	if (!s->scheme_known && !ensure_root(s, err))
		return false;
	char *what = bl_asprintf("blob %s", d->str);
	char *url = bl_reg_api_url(s, "/v2/%s/blobs/%s", s->repo, d->str);
	struct req r = {.url = url,
	        .registry_auth = true,
	        .max = SIZE_MAX,
	        .size = seen_size(s, d),
	        .stream = true,
	        .what = what};
	struct xfer *x = NULL;
	bool ok = bl_reg_request(s, &r, &x, err);
	free(url);
	if (!ok) {
		free(what);
		return false;
	}
	struct reg_stream *rs = bl_calloc(1, sizeof *rs);
	rs->base.read = rs_read;
	rs->base.close = rs_close;
	rs->x = x; /* x->what points at `what`, freed by rs_close */
	*out = &rs->base;
	return true;
}

/* One Range request through the same engine (retries, deadline, size cap
 * of `len`): never a cache entry, which holds whole verified blobs only. */
static bool reg_read_range(struct bl_store *bs, const struct bl_digest *d, uint64_t offset,
        size_t len, void *buf, struct bl_error *err)
{
	struct reg *s = (struct reg *)bs;
	if (s->offline) {
		bl_reg_fail(s, err, BL_E_NOT_FOUND, "%s: not in the cache (offline)", d->str);
		return false;
	}
	if (!s->scheme_known && !ensure_root(s, err))
		return false;
	char *what = bl_asprintf("blob %s bytes %llu-%llu", d->str, (unsigned long long)offset,
	        (unsigned long long)(offset + len - 1));
	char *url = bl_reg_api_url(s, "/v2/%s/blobs/%s", s->repo, d->str);
	struct req r = {.url = url,
	        .registry_auth = true,
	        .max = len,
	        .size = (int64_t)len,
	        .what = what,
	        .range_first = offset,
	        .range_len = len};
	struct xfer *x = NULL;
	bool ok = bl_reg_request(s, &r, &x, err);
	if (ok && x->body.len != len) {
		bl_reg_fail(s, err, BL_E_NET, "%s: %zu bytes came, %zu expected", what, x->body.len,
		        len);
		ok = false;
	}
	if (ok)
		memcpy(buf, x->body.data, len);
	bl_reg_xfer_free(x);
	free(url);
	free(what);
	return ok;
}

static void reg_destroy(struct bl_store *bs)
{
	struct reg *s = (struct reg *)bs;
	if (!s)
		return;
	bl_ref_fini(&s->ref);
	free(s->host);
	free(s->repo);
	free(s->scheme);
	free(s->cacert);
	free(s->authfile);
	free(s->cache_dir);
	bl_vec_fini(&s->tokens);
	bl_credentials_fini(&s->creds);
	bl_vec_fini(&s->seen);
	bl_vec_fini(&s->tags);
	bl_vec_fini(&s->mem);
	if (s->have_root)
		bl_descriptor_fini(&s->root);
	if (s->multi)
		curl_multi_cleanup(s->multi);
	if (s->share)
		curl_share_cleanup(s->share);
	/* base.source, .ref and .describe are freed by bl_store_free */
	free(s);
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The floor of every transfer's deadline (seconds): BAKELENS_TRANSFER_DEADLINE
 * when set, else 60. */
static bool deadline_floor(long *out, struct bl_error *err)
{
	const char *v = getenv("BAKELENS_TRANSFER_DEADLINE");
	*out = 60;
	if (!v || !*v)
		return true;
	char *end = NULL;
	long n = strtol(v, &end, 10);
	if (*end || n < 1 || n > 24L * 3600) {
		char *safe = bl_text_safe(v);
		bl_fail(err, BL_E_USAGE,
		        "BAKELENS_TRANSFER_DEADLINE: expected seconds (1 to 86400), got \"%s\"",
		        safe);
		free(safe);
		return false;
	}
	*out = n;
	return true;
}

bool bl_store_registry_open(const char *arg, const struct bl_source_opts *opts,
        struct bl_store **out, struct bl_error *err)
{
	static const struct bl_source_opts defaults = {0};
	if (!opts)
		opts = &defaults;
	*out = NULL;
	long floor_s;
	if (!deadline_floor(&floor_s, err))
		return false;
	const char *refstr = arg;
	if (!strncmp(refstr, "docker://", 9))
		refstr += 9;
	struct reg *s = bl_calloc(1, sizeof *s);
	if (!bl_ref_parse(refstr, &s->ref, err)) {
		free(s);
		return false;
	}
	pthread_once(&curl_once, curl_init_once);
	s->base.ops = &registry_ops;
	s->base.source = bl_strdup(arg);
	s->host = bl_strdup(bl_ref_api_host(&s->ref));
	s->repo = bl_strdup(s->ref.path);
	s->loopback = is_loopback(s->host);
	s->insecure = host_listed(opts->insecure, s->ref.domain, s->host);
	/* A loopback registry is tried over plain HTTP first (docker treats it as
	 * insecure anyway): a TLS one answers that probe with a 400 and we switch,
	 * while a plain one spares loading the CA bundle and a failed handshake.
	 * No credentials go with the probe. */
	s->scheme = bl_strdup(s->loopback && !opts->cacert ? "http" : "https");
	s->cacert = bl_strdup(opts->cacert);
	s->authfile = bl_strdup(opts->authfile);
	s->no_cache = opts->no_cache;
	s->offline = opts->offline;
	s->cache_dir = bl_registry_cache_dir(opts->cache_dir);
	if (!s->cache_dir)
		s->no_cache = true;
	s->progress = opts->progress;
	s->progress_ud = opts->progress_ud;
	s->connect_ms = opts->connect_timeout_ms > 0 ? opts->connect_timeout_ms : 10000;
	s->low_speed_s = opts->low_speed_time_s > 0 ? opts->low_speed_time_s : 30;
	s->retry_cap_s = opts->retry_after_cap_s > 0 ? opts->retry_after_cap_s : 30;
	s->deadline_floor_s = floor_s;
	bl_vec_init(&s->tokens, bl_reg_token_free);
	bl_vec_init(&s->seen, free);
	bl_vec_init(&s->mem, memdoc_free);
	s->base.describe =
	        bl_asprintf("registry %s%s", s->ref.domain, s->insecure ? " (insecure)" : "");
	s->multi = curl_multi_init();
	s->share = curl_share_init();
	if (!s->multi || !s->share)
		abort();
	curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(s->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)BL_REG_PARALLEL);
	*out = &s->base;
	return true;
}

bool bl_store_is_registry(const struct bl_store *s)
{
	return s && s->ops == &registry_ops;
}

static const struct bl_store_ratelimit *reg_ratelimit(const struct bl_store *bs)
{
	return &((const struct reg *)bs)->rl;
}

const struct bl_registry_stats *bl_registry_get_stats(const struct bl_store *bs)
{
	if (!bl_store_is_registry(bs))
		return NULL;
	return &((const struct reg *)bs)->stats;
}

static bool descs_from_index(struct reg *s, const struct bl_buf *body, const char *where,
        struct bl_vec *descs, struct bl_error *err)
{
	size_t before = descs->len;
	bool ok = bl_registry_index_parse(body->data, body->len, descs, err);
	if (!ok)
		bl_error_prefix(
		        err, "registry %s: repository %s: %s", s->ref.domain, s->repo, where);
	for (size_t i = before; i < descs->len; i++) {
		const struct bl_descriptor *d = bl_vec_get(descs, i);
		seen_add(s, d->digest.str, true, d->size);
	}
	return ok;
}

static bool reg_referrers(struct bl_store *bs, const struct bl_digest *subject,
        struct bl_vec *descs, struct bl_error *err)
{
	struct reg *s = (struct reg *)bs;
	if (s->offline)
		return true; /* nothing to say without the network */
	if (!s->scheme_known && !ensure_root(s, err))
		return false;
	char *what = bl_asprintf("referrers of %s", subject->str);
	struct xfer *x = NULL;
	bool ok;
	if (s->referrers_api >= 0) {
		char *url = bl_reg_api_url(s, "/v2/%s/referrers/%s", s->repo, subject->str);
		struct req r = {.url = url,
		        .accept = "Accept: " BL_MT_OCI_INDEX,
		        .registry_auth = true,
		        .max = BL_JSON_MANIFEST_MAX,
		        .what = what};
		struct bl_error e1 = {0};
		ok = bl_reg_request(s, &r, &x, &e1);
		free(url);
		if (ok && x->content_type &&
		        !strncmp(x->content_type, BL_MT_OCI_INDEX, strlen(BL_MT_OCI_INDEX))) {
			s->referrers_api = 1;
			ok = descs_from_index(s, &x->body, what, descs, err);
			bl_reg_xfer_free(x);
			free(what);
			return ok;
		}
		bl_reg_xfer_free(x);
		x = NULL;
		if (!ok && e1.code != BL_E_NOT_FOUND && e1.code != BL_E_FORMAT) {
			if (err)
				*err = e1;
			free(what);
			return false;
		}
		/* A registry with the API answers every subject with an index (empty
		 * when there are none): anything else means it has no such API. */
		s->referrers_api = -1;
	}
	free(what);
	/* the tag schema fallback: sha256-<hex>, looked up only when the tag exists */
	char *tag = bl_asprintf("%s-%s", bl_digest_alg_name(subject->alg), bl_digest_hex(subject));
	if (!s->tags_loaded) {
		struct bl_error et = {0};
		bl_vec_init(&s->tags, free);
		s->tags_loaded = true;
		if (!bl_reg_list_tags(s, &s->tags, 1, &s->tags_complete, &et))
			s->tags_complete = false; /* no listing: ask for the tag itself */
	}
	bool listed = false;
	for (size_t i = 0; i < s->tags.len && !listed; i++)
		listed = !strcmp(bl_vec_get(&s->tags, i), tag);
	free(tag);
	if (s->tags_complete && !listed)
		return true;
	what = bl_asprintf(
	        "referrers tag %s-%s", bl_digest_alg_name(subject->alg), bl_digest_hex(subject));
	char *url = bl_reg_api_url(s, "/v2/%s/manifests/%s-%s", s->repo,
	        bl_digest_alg_name(subject->alg), bl_digest_hex(subject));
	struct req r2 = {.url = url,
	        .accept = BL_REG_ACCEPT_MANIFESTS,
	        .registry_auth = true,
	        .max = BL_JSON_MANIFEST_MAX,
	        .what = what};
	struct bl_error e2 = {0};
	ok = bl_reg_request(s, &r2, &x, &e2);
	free(url);
	if (!ok) {
		free(what);
		if (e2.code == BL_E_NOT_FOUND)
			return true;
		if (err)
			*err = e2;
		return false;
	}
	ok = descs_from_index(s, &x->body, what, descs, err);
	bl_reg_xfer_free(x);
	free(what);
	return ok;
}

static bool reg_list_tags(struct bl_store *bs, struct bl_vec *tags, struct bl_error *err)
{
	bool complete;
	return bl_reg_list_tags((struct reg *)bs, tags, 10000, &complete, err);
}

static bool reg_prefetch(
        struct bl_store *bs, const struct bl_digest *const *digests, size_t n, struct bl_error *err)
{
	struct reg *s = (struct reg *)bs;
	if (s->offline || !s->scheme_known)
		return true; /* later reads do the work (and learn the scheme and token) */
	struct xfer *slots[BL_REG_PARALLEL] = {0};
	const struct bl_digest *sdig[BL_REG_PARALLEL] = {0};
	size_t next = 0;
	bool cancelled = false;
	bool held = false; /* told to wait (429, 5xx): the reads do the rest, later */
	for (;;) {
		/* fill free slots with documents we do not have */
		for (int i = 0; i < BL_REG_PARALLEL && next < n && !held; i++) {
			if (slots[i])
				continue;
			while (next < n) {
				const struct bl_digest *d = digests[next++];
				struct bl_buf tmp;
				bl_buf_init(&tmp);
				bool have = mem_find(s, d) ||
				            (!s->no_cache && bl_registry_cache_get(s->cache_dir, d,
				                                     BL_JSON_CONFIG_MAX, &tmp));
				bl_buf_fini(&tmp);
				if (have)
					continue;
				struct seen *k = seen_find(s, d);
				bool manifest = k && k->manifest;
				char *url = bl_reg_api_url(s, "/v2/%s/%s/%s", s->repo,
				        manifest ? "manifests" : "blobs", d->str);
				char *authz = bl_reg_authz(s);
				bl_reg_wait_turn(s);
				slots[i] = bl_reg_xfer_start(s, url,
				        manifest ? BL_REG_ACCEPT_MANIFESTS : NULL, authz, NULL,
				        manifest ? BL_JSON_MANIFEST_MAX : BL_JSON_CONFIG_MAX, false,
				        "prefetch");
				bl_reg_xfer_declare(slots[i], seen_size(s, d));
				sdig[i] = d;
				bl_credentials_free_secret(authz);
				free(url);
				break;
			}
		}
		bool any = false;
		for (int i = 0; i < BL_REG_PARALLEL; i++)
			any = any || slots[i];
		if (!any)
			break;
		bl_reg_drive(s, NULL, NULL);
		for (int i = 0; i < BL_REG_PARALLEL; i++) {
			struct xfer *x = slots[i];
			if (!x || !x->done)
				continue;
			if (x->cancelled)
				cancelled = true;
			if (x->status == 429 || x->status >= 500) {
				/* the same wait the reads honour; none starts before it */
				bl_reg_hold(s, x, 500);
				held = true;
			}
			if (x->result == CURLE_OK && x->status == 200) {
				struct bl_digest got;
				bl_digest_compute(sdig[i]->alg, x->body.data ? x->body.data : "",
				        x->body.len, &got);
				if (bl_digest_equal(&got, sdig[i])) {
					mem_put(s, sdig[i], x->body.data ? x->body.data : "",
					        x->body.len);
					if (!s->no_cache)
						bl_registry_cache_put(s->cache_dir, sdig[i],
						        x->body.data ? x->body.data : "",
						        x->body.len, NULL);
					learn(s, x->body.data ? x->body.data : "", x->body.len);
				}
			}
			bl_reg_xfer_free(x);
			slots[i] = NULL;
		}
		if (cancelled)
			break;
	}
	for (int i = 0; i < BL_REG_PARALLEL; i++)
		bl_reg_xfer_free(slots[i]);
	if (cancelled)
		return bl_fail(
		        err, BL_E_CANCELLED, "registry %s: prefetch cancelled", s->ref.domain);
	return true;
}

static const struct bl_store_ops registry_ops = {
        .kind = "registry",
        .list_roots = reg_list_roots,
        .stat_blob = reg_stat_blob,
        .read_raw = reg_read_raw,
        .open_raw = reg_open_raw,
        .destroy = reg_destroy,
        .remote = true,
        .referrers = reg_referrers,
        .prefetch = reg_prefetch,
        .list_tags = reg_list_tags,
        .ratelimit = reg_ratelimit,
        .read_range = reg_read_range,
};
