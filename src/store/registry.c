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

/* ---- the root ---- */

static void root_from_body(struct reg *s, const struct bl_digest *d, const char *content_type,
        const struct bl_buf *body)
{
	memset(&s->root, 0, sizeof s->root);
	s->root.media_type = bl_reg_media_type(content_type, body);
	s->root.digest = *d;
	s->root.size = (int64_t)body->len;
	s->have_root = true;
	bl_reg_seen_add(s, d->str, true, 0);
	bl_reg_mem_put(s, d, body->data ? body->data : "", body->len);
	bl_reg_learn(s, body->data ? body->data : "", body->len);
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
	/* A GET, never a HEAD, even when only the digest is wanted (`digest` of
	 * a tag): a HEAD's Docker-Content-Digest is the registry's claim, while
	 * every digest bakelens shows is of bytes it hashed. It costs the same
	 * one request and a few kilobytes, and the body is kept for the next
	 * question. */
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
	struct memdoc *m = bl_reg_mem_find(s, d);
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
	struct memdoc *m = bl_reg_mem_find(s, d);
	if (m) {
		*size = (int64_t)m->body.len;
		return BL_BLOB_VERIFIED;
	}
	/* no round trip for a presence check: a registry is assumed to hold
	 * what its documents name; the read says otherwise */
	*size = -1;
	return s->offline ? BL_BLOB_MISSING : BL_BLOB_PRESENT;
}

/* A document wanted by digest: its bytes appended to `out`, or, with out
 * NULL (ahead of its read), kept in memory. */
struct doc_get {
	const struct bl_digest *d;
	size_t max;
	struct bl_buf *out;
	bool ok;
	struct bl_error err;
};

/* Keep a verified document where its read finds it. */
static void keep_doc(struct reg *s, struct doc_get *g, const struct xfer *x)
{
	const char *data = x->body.data ? x->body.data : "";
	if (!s->no_cache)
		bl_registry_cache_put(s->cache_dir, g->d, data, x->body.len, NULL);
	if (s->no_cache || !g->out)
		bl_reg_mem_put(s, g->d, data, x->body.len);
	bl_reg_learn(s, data, x->body.len);
	if (g->out)
		bl_buf_append(g->out, data, x->body.len);
}

/* Fetch documents by digest, verified, s->parallel at once: the one path of
 * every document read (a single read is a batch of one), so that the same
 * policy (bl_reg_request_many: retries, Retry-After, deadlines, size caps)
 * covers all. A known manifest digest is asked at /manifests/, anything
 * else at /blobs/; a 404 is asked once more at the other endpoint. False
 * when cancelled. */
static bool get_docs(struct reg *s, struct doc_get *g, size_t n)
{
	struct req *reqs = bl_calloc(n ? n : 1, sizeof *reqs);
	struct xfer **outs = bl_calloc(n ? n : 1, sizeof *outs);
	struct bl_error *errs = bl_calloc(n ? n : 1, sizeof *errs);
	size_t *which = bl_calloc(n ? n : 1, sizeof *which);
	bool ok = true;
	for (int pass = 0; pass < 2 && ok; pass++) {
		size_t k = 0;
		for (size_t i = 0; i < n; i++) {
			if (pass == 1 && (g[i].ok || g[i].err.code != BL_E_NOT_FOUND))
				continue;
			struct seen *e = bl_reg_seen_find(s, g[i].d);
			bool manifest = (e && e->manifest) == (pass == 0);
			reqs[k] =
			        (struct req){.url = bl_reg_api_url(s, "/v2/%s/%s/%s", s->repo,
			                             manifest ? "manifests" : "blobs", g[i].d->str),
			                .accept = manifest ? BL_REG_ACCEPT_MANIFESTS : NULL,
			                .registry_auth = true,
			                .max = g[i].max,
			                .size = bl_reg_seen_size(s, g[i].d),
			                .what = bl_asprintf("%s %s", manifest ? "manifest" : "blob",
			                        g[i].d->str)};
			which[k++] = i;
		}
		if (k == 0)
			break;
		ok = bl_reg_request_many(s, reqs, k, outs, errs);
		for (size_t j = 0; j < k; j++) {
			struct doc_get *gi = &g[which[j]];
			struct xfer *x = outs[j];
			gi->err = errs[j];
			if (x) {
				struct bl_digest got;
				bl_digest_compute(gi->d->alg, x->body.data ? x->body.data : "",
				        x->body.len, &got);
				if (bl_digest_equal(&got, gi->d)) {
					keep_doc(s, gi, x);
					gi->ok = true;
				} else {
					bl_reg_fail(s, &gi->err, BL_E_DIGEST,
					        "%s: body hashes to %s (not cached)", reqs[j].what,
					        got.str);
				}
			}
			bl_reg_xfer_free(x);
			free((char *)reqs[j].url);
			free((char *)reqs[j].what);
		}
	}
	free(reqs);
	free(outs);
	free(errs);
	free(which);
	return ok;
}

static bool fetch_doc(struct reg *s, const struct bl_digest *d, size_t max, struct bl_buf *out,
        struct bl_error *err)
{
	struct doc_get g = {.d = d, .max = max, .out = out};
	get_docs(s, &g, 1);
	if (!g.ok && err)
		*err = g.err;
	return g.ok;
}

static bool reg_read_raw(struct bl_store *bs, const struct bl_digest *d, size_t max,
        struct bl_buf *out, struct bl_error *err)
{
	struct reg *s = (struct reg *)bs;
	if (cached(s, d, max, out)) {
		bl_reg_learn(s, out->data, out->len);
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
	        .size = bl_reg_seen_size(s, d),
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

/* A whole number of `unit` from the environment variable `name`, lo to hi:
 * *out is `dflt` when unset or empty; BL_E_USAGE for anything else. */
static bool env_number(const char *name, const char *unit, long lo, long hi, long dflt, long *out,
        struct bl_error *err)
{
	const char *v = getenv(name);
	*out = dflt;
	if (!v || !*v)
		return true;
	char *end = NULL;
	long n = strtol(v, &end, 10);
	if (*end || n < lo || n > hi) {
		char *safe = bl_text_safe(v);
		bl_fail(err, BL_E_USAGE, "%s: expected %s (%ld to %ld), got \"%s\"", name, unit, lo,
		        hi, safe);
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
	/* BAKELENS_TRANSFER_DEADLINE: the floor of every transfer's deadline
	 * (seconds); BAKELENS_REGISTRY_PARALLEL: documents fetched at once */
	long floor_s, parallel;
	if (!env_number(
	            "BAKELENS_TRANSFER_DEADLINE", "seconds", 1, 24L * 3600, 60, &floor_s, err) ||
	        !env_number("BAKELENS_REGISTRY_PARALLEL", "documents", 1, BL_REG_PARALLEL,
	                BL_REG_PARALLEL, &parallel, err))
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
	s->parallel = (int)parallel;
	bl_vec_init(&s->tokens, bl_reg_token_free);
	bl_vec_init(&s->seen, free);
	bl_vec_init(&s->mem, bl_reg_memdoc_free);
	s->base.describe =
	        bl_asprintf("registry %s%s", s->ref.domain, s->insecure ? " (insecure)" : "");
	s->multi = curl_multi_init();
	s->share = curl_share_init();
	if (!s->multi || !s->share)
		abort();
	curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(s->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)s->parallel);
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

static bool reg_referrers(struct bl_store *bs, const struct bl_digest *subject,
        struct bl_vec *descs, struct bl_error *err)
{
	struct reg *s = (struct reg *)bs;
	if (s->offline)
		return true; /* nothing to say without the network */
	if (!s->scheme_known && !ensure_root(s, err))
		return false;
	return bl_reg_referrers(s, subject, descs, err);
}

static bool reg_list_tags(struct bl_store *bs, struct bl_vec *tags, struct bl_error *err)
{
	return bl_reg_tags((struct reg *)bs, tags, err);
}

static int digest_cmp(const void *a, const void *b)
{
	const struct bl_digest *const *x = a, *const *y = b;
	return strcmp((*x)->str, (*y)->str);
}

static bool reg_prefetch(
        struct bl_store *bs, const struct bl_digest *const *digests, size_t n, struct bl_error *err)
{
	struct reg *s = (struct reg *)bs;
	if (s->offline || !s->scheme_known || n == 0)
		return true; /* later reads do the work (and learn the scheme and token) */
	/* each distinct digest we do not have, once */
	const struct bl_digest **ds = bl_calloc(n, sizeof *ds);
	memcpy(ds, digests, n * sizeof *ds);
	qsort(ds, n, sizeof *ds, digest_cmp);
	struct doc_get *g = bl_calloc(n, sizeof *g);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && bl_digest_equal(ds[i], ds[i - 1]))
			continue;
		struct bl_buf tmp;
		bl_buf_init(&tmp);
		bool have = bl_reg_mem_find(s, ds[i]) ||
		            (!s->no_cache && bl_registry_cache_get(s->cache_dir, ds[i],
		                                     BL_JSON_CONFIG_MAX, &tmp));
		bl_buf_fini(&tmp);
		if (have)
			continue;
		struct seen *e = bl_reg_seen_find(s, ds[i]);
		g[k++] = (struct doc_get){.d = ds[i],
		        .max = e && e->manifest ? BL_JSON_MANIFEST_MAX : BL_JSON_CONFIG_MAX};
	}
	/* failures of single documents are left to their reads */
	bool ok = get_docs(s, g, k);
	free(g);
	free(ds);
	if (!ok)
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
