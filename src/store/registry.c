/* The registry store: the distribution API over libcurl (FORMATS.md 6).
 *
 * Every request goes through one curl multi handle per store, so connections
 * are kept alive and reused (HTTP/2 multiplexing when the server offers it),
 * and several documents can be fetched at once (bl_registry_prefetch).
 * Redirects are followed here, not by curl, so that an Authorization header
 * only ever goes to the origin it was made for.
 */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bakelens/credentials.h"
#include "bakelens/json.h"
#include "bakelens/mediatype.h"
#include "bakelens/mem.h"
#include "bakelens/ref.h"
#include "bakelens/registry.h"
#include "bakelens/text.h"

#define ACCEPT_MANIFESTS                                                              \
	"Accept: " BL_MT_OCI_INDEX ", " BL_MT_OCI_MANIFEST ", " BL_MT_DOCKER_LIST ", " \
	BL_MT_DOCKER_MANIFEST
#define ERROR_BODY_MAX (64u << 10)
#define STREAM_BUFFER_MAX (1u << 20)
#define MAX_TRIES 4
#define MAX_REDIRECTS 5
#define PREFETCH_PARALLEL 6
#define MEM_DOC_BUDGET (16u << 20)

enum auth_scheme { AUTH_NONE = 0, AUTH_BASIC, AUTH_BEARER };

struct seen {
	struct bl_digest d;
	bool manifest;
};

struct memdoc {
	struct bl_digest d;
	struct bl_buf body;
};

struct token {
	char *scope;
	char *value;
	time_t expires; /* CLOCK_MONOTONIC seconds */
};

struct reg {
	struct bl_store base;
	struct bl_ref ref;
	char *host;   /* the API host[:port] */
	char *repo;
	char *scheme; /* "https" or "http" */
	bool scheme_known;
	bool insecure; /* TLS unverified, plain HTTP allowed */
	bool loopback;
	char *cacert;
	char *authfile;
	bool no_cache;
	bool offline;
	char *cache_dir;
	bl_progress_fn progress;
	void *progress_ud;
	long connect_ms;
	long low_speed_s;
	long retry_cap_s;
	CURLM *multi;
	CURLSH *share;
	enum auth_scheme auth;
	struct bl_vec tokens; /* struct token * */
	bool creds_loaded;
	struct bl_credentials creds;
	struct bl_vec seen; /* struct seen * */
	struct bl_vec mem;  /* struct memdoc * */
	size_t mem_bytes;
	bool have_root;
	struct bl_descriptor root;
	struct bl_registry_ratelimit rl;
	struct bl_registry_stats stats;
	/* Referrers: whether the API answers (0 unknown, 1 yes, -1 no: a 404),
	 * and, once the API is known absent, the first page of tags, so that the
	 * sha256-<hex> fallback costs one request per repository, not one per
	 * manifest. */
	int referrers_api;
	bool tags_loaded;
	bool tags_complete; /* the first page held every tag */
	struct bl_vec tags; /* char * */
};

struct xfer {
	struct reg *s;
	CURL *h;
	struct curl_slist *hdrs;
	long status;
	bool headers_done;
	struct bl_buf body;
	size_t off;
	size_t max;
	bool too_big;
	bool stream;
	bool paused;
	bool done;
	bool cancelled;
	CURLcode result;
	char *content_type;
	char *docker_digest;
	char *www_auth;
	char *retry_after;
	int64_t content_length;
	const char *what;
	char errbuf[CURL_ERROR_SIZE];
};

static const struct bl_store_ops registry_ops;

/* ---- small helpers ---- */

static time_t now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static char *base64_encode(const char *in, size_t len)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = bl_malloc((len + 2) / 3 * 4 + 1);
	size_t o = 0;
	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned char)in[i] << 16;
		if (i + 1 < len)
			v |= (unsigned char)in[i + 1] << 8;
		if (i + 2 < len)
			v |= (unsigned char)in[i + 2];
		out[o++] = tab[(v >> 18) & 63];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < len ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	out[o] = '\0';
	return out;
}

static void secret_free(char *s)
{
	if (s) {
		volatile char *p = s;
		while (*p)
			*p++ = 0;
		free(s);
	}
}

/* "scheme://host[:port]" of a URL, lowercased host; caller owns. */
static char *url_origin(const char *url)
{
	const char *p = strstr(url, "://");
	if (!p)
		return bl_strdup("");
	p += 3;
	size_t n = strcspn(p, "/?#");
	char *o = bl_strndup(url, (size_t)(p - url) + n);
	for (char *c = o; *c; c++)
		*c = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : *c);
	return o;
}

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

static void set_string(char **slot, const char *v, size_t n)
{
	free(*slot);
	*slot = bl_strndup(v, n);
}

static void fail_ctx(struct reg *s, struct bl_error *err, enum bl_status code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* "registry H: repository R: <msg>" */
static void fail_ctx(struct reg *s, struct bl_error *err, enum bl_status code, const char *fmt, ...)
{
	if (!err)
		return;
	char msg[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	bl_fail(err, code, "registry %s: repository %s: %s", s->ref.domain, s->repo, msg);
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
	bl_vec_push(&s->mem, m);
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

static void seen_add(struct reg *s, const char *digest, bool manifest)
{
	struct bl_digest d;
	if (!digest || !bl_digest_parse(digest, &d, NULL))
		return;
	struct seen *e = seen_find(s, &d);
	if (e) {
		e->manifest = e->manifest || manifest;
		return;
	}
	e = bl_calloc(1, sizeof *e);
	e->d = d;
	e->manifest = manifest;
	bl_vec_push(&s->seen, e);
}

static void learn_desc(struct reg *s, const json_t *desc, bool manifest)
{
	if (json_is_object(desc))
		seen_add(s, bl_json_str(desc, "digest"), manifest);
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

/* ---- transfers ---- */

static size_t header_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	if (len >= 5 && !strncmp(buf, "HTTP/", 5)) {
		/* a new response (after 100 Continue): forget the previous headers */
		const char *sp = memchr(buf, ' ', len);
		x->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		x->headers_done = false;
		free(x->content_type);
		free(x->docker_digest);
		free(x->www_auth);
		free(x->retry_after);
		x->content_type = x->docker_digest = x->www_auth = x->retry_after = NULL;
		x->content_length = -1;
		return len;
	}
	if (len <= 2 && (buf[0] == '\r' || buf[0] == '\n')) {
		if (x->status >= 200)
			x->headers_done = true;
		return len;
	}
	const char *colon = memchr(buf, ':', len);
	if (!colon)
		return len;
	size_t kl = (size_t)(colon - buf);
	const char *v = colon + 1;
	const char *end = buf + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	size_t vl = (size_t)(end - v);
#define IS(name) (kl == sizeof(name) - 1 && !strncasecmp(buf, name, kl))
	if (IS("content-type"))
		set_string(&x->content_type, v, vl);
	else if (IS("docker-content-digest"))
		set_string(&x->docker_digest, v, vl);
	else if (IS("www-authenticate")) {
		/* keep the first Bearer/Basic challenge */
		if (!x->www_auth)
			set_string(&x->www_auth, v, vl);
	} else if (IS("retry-after"))
		set_string(&x->retry_after, v, vl);
	else if (IS("content-length"))
		x->content_length = strtoll(v, NULL, 10);
	else if (IS("ratelimit-limit") && vl < sizeof x->s->rl.limit) {
		memcpy(x->s->rl.limit, v, vl);
		x->s->rl.limit[vl] = '\0';
		x->s->rl.present = true;
	} else if (IS("ratelimit-remaining") && vl < sizeof x->s->rl.remaining) {
		memcpy(x->s->rl.remaining, v, vl);
		x->s->rl.remaining[vl] = '\0';
		x->s->rl.present = true;
	}
#undef IS
	return len;
}

static size_t write_cb(char *buf, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	if (x->status < 200 || x->status >= 300) {
		/* an error body: keep a little for the message, drop the rest */
		if (x->body.len + len <= ERROR_BODY_MAX)
			bl_buf_append(&x->body, buf, len);
		return len;
	}
	if (x->stream) {
		if (x->body.len - x->off >= STREAM_BUFFER_MAX) {
			x->paused = true;
			return CURL_WRITEFUNC_PAUSE;
		}
	} else if (x->body.len + len > x->max) {
		x->too_big = true;
		return 0; /* aborts with CURLE_WRITE_ERROR */
	}
	bl_buf_append(&x->body, buf, len);
	x->s->stats.bytes += len;
	return len;
}

static int xferinfo_cb(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
	curl_off_t ulnow)
{
	struct xfer *x = ud;
	if (x->s->progress &&
		!x->s->progress(x->s->progress_ud, x->what, (uint64_t)dlnow, (uint64_t)dltotal)) {
		x->cancelled = true;
		return 1;
	}
	return 0;
}

static void xfer_free(struct xfer *x)
{
	if (!x)
		return;
	if (x->h) {
		curl_multi_remove_handle(x->s->multi, x->h);
		curl_easy_cleanup(x->h);
	}
	curl_slist_free_all(x->hdrs);
	bl_buf_fini(&x->body);
	free(x->content_type);
	free(x->docker_digest);
	free(x->www_auth);
	free(x->retry_after);
	free(x);
}

/* Start a transfer. `authz` is a whole "Authorization: ..." line or NULL. */
static struct xfer *xfer_start(struct reg *s, const char *url, const char *accept,
	const char *authz, const char *post, size_t max, bool stream, const char *what)
{
	struct xfer *x = bl_calloc(1, sizeof *x);
	x->s = s;
	x->max = max;
	x->stream = stream;
	x->what = what;
	x->content_length = -1;
	bl_buf_init(&x->body);
	CURL *h = curl_easy_init();
	if (!h)
		abort();
	x->h = h;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PRIVATE, x);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "bakelens/" BL_VERSION);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, s->connect_ms);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, s->low_speed_s);
	curl_easy_setopt(h, CURLOPT_SHARE, s->share);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, xferinfo_cb);
	curl_easy_setopt(h, CURLOPT_XFERINFODATA, x);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	if (s->insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (s->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, s->cacert);
	if (accept)
		x->hdrs = curl_slist_append(x->hdrs, accept);
	if (authz)
		x->hdrs = curl_slist_append(x->hdrs, authz);
	if (post) {
		x->hdrs = curl_slist_append(x->hdrs,
			"Content-Type: application/x-www-form-urlencoded");
		curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, post);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	s->stats.requests++;
	curl_multi_add_handle(s->multi, h);
	return x;
}

/* Run the multi handle until `until(x)` holds or every transfer is done. */
static void drive(struct reg *s, bool (*until)(struct xfer *), struct xfer *x)
{
	for (;;) {
		int running = 0;
		curl_multi_perform(s->multi, &running);
		CURLMsg *m;
		int left;
		while ((m = curl_multi_info_read(s->multi, &left))) {
			if (m->msg != CURLMSG_DONE)
				continue;
			struct xfer *d = NULL;
			curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&d);
			if (d) {
				d->done = true;
				d->result = m->data.result;
			}
		}
		if (x ? until(x) : running == 0)
			return;
		if (x && x->done)
			return;
		curl_multi_poll(s->multi, NULL, 0, 100, NULL);
	}
}

static bool until_done(struct xfer *x)
{
	return x->done;
}

static bool until_headers(struct xfer *x)
{
	return x->done || (x->headers_done && x->status >= 200 && x->status < 300);
}

static bool until_data(struct xfer *x)
{
	return x->done || x->body.len > x->off;
}

/* ---- auth ---- */

static bool load_creds(struct reg *s, struct bl_error *err)
{
	if (s->creds_loaded)
		return true;
	if (!bl_credentials_lookup(s->ref.domain, s->repo, s->authfile, &s->creds, err)) {
		bl_error_prefix(err, "registry %s: credentials", s->ref.domain);
		return false;
	}
	s->creds_loaded = true;
	return true;
}

static char *basic_header(const struct bl_credentials *c)
{
	char *up = bl_asprintf("%s:%s", c->username, c->password ? c->password : "");
	char *b = base64_encode(up, strlen(up));
	secret_free(up);
	char *h = bl_asprintf("Authorization: Basic %s", b);
	secret_free(b);
	return h;
}

static struct token *token_find(struct reg *s, const char *scope)
{
	time_t now = now_mono();
	for (size_t i = 0; i < s->tokens.len; i++) {
		struct token *t = bl_vec_get(&s->tokens, i);
		if (!strcmp(t->scope, scope) && t->expires > now)
			return t;
	}
	return NULL;
}

static void token_free(void *p)
{
	struct token *t = p;
	if (t) {
		free(t->scope);
		secret_free(t->value);
		free(t);
	}
}

static char *scope_pull(struct reg *s)
{
	return bl_asprintf("repository:%s:pull", s->repo);
}

/* The Authorization line for a registry request, or NULL. */
static char *registry_authz(struct reg *s)
{
	if (s->creds.registry_token)
		return bl_asprintf("Authorization: Bearer %s", s->creds.registry_token);
	if (s->auth == AUTH_BASIC && s->creds.username)
		return basic_header(&s->creds);
	if (s->auth == AUTH_BEARER) {
		char *scope = scope_pull(s);
		struct token *t = token_find(s, scope);
		free(scope);
		if (t)
			return bl_asprintf("Authorization: Bearer %s", t->value);
	}
	return NULL;
}

struct req {
	const char *method; /* NULL: GET (or POST when post is set) */
	const char *url;    /* absolute */
	const char *accept; /* a whole "Accept: ..." line or NULL */
	const char *authz;  /* explicit Authorization line (token requests) or NULL */
	bool registry_auth; /* use and answer the registry's challenges */
	const char *post;
	size_t max;
	bool stream;
	const char *what;   /* "manifest latest", for messages */
};

static bool request(struct reg *s, const struct req *r, struct xfer **out, struct bl_error *err);

static char *url_escape(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	if (!e)
		abort();
	char *r = bl_strdup(e);
	curl_free(e);
	return r;
}

/* Parse a token response into the cache. */
static bool take_token(struct reg *s, const char *scope, struct xfer *x, struct bl_error *err)
{
	json_t *j = bl_json_parse(x->body.data ? x->body.data : "", x->body.len, 1u << 20, NULL);
	const char *tok = j ? bl_json_str(j, "token") : NULL;
	if (!tok || !*tok)
		tok = j ? bl_json_str(j, "access_token") : NULL;
	if (!tok || !*tok) {
		json_decref(j);
		fail_ctx(s, err, BL_E_AUTH, "token service answer has no token");
		return false;
	}
	int64_t exp = 60;
	if (!bl_json_int(j, "expires_in", &exp) || exp < 60)
		exp = 60;
	struct token *t = bl_calloc(1, sizeof *t);
	t->scope = bl_strdup(scope);
	t->value = bl_strdup(tok);
	/* a little early, so a token never expires in flight */
	t->expires = now_mono() + (time_t)exp - 5;
	bl_vec_push(&s->tokens, t);
	json_decref(j);
	return true;
}

static bool fetch_token(struct reg *s, const struct bl_registry_challenge *c, const char *scope,
	struct bl_error *err)
{
	if (!load_creds(s, err))
		return false;
	char *service = url_escape(c->service ? c->service : "");
	char *escope = url_escape(scope);
	char *realm_safe = bl_text_safe(c->realm);
	bool ok = false;
	struct xfer *x = NULL;
	struct bl_error e2 = {0};
	if (s->creds.identity_token) {
		char *rt = url_escape(s->creds.identity_token);
		char *form = bl_asprintf(
			"grant_type=refresh_token&refresh_token=%s&service=%s&scope=%s&client_id=bakelens",
			rt, service, escope);
		secret_free(rt);
		struct req r = {.url = c->realm, .post = form, .max = 1u << 20, .what = "token"};
		ok = request(s, &r, &x, &e2);
		secret_free(form);
		if (ok) {
			ok = take_token(s, scope, x, err);
			xfer_free(x);
			goto out;
		}
		/* fall back to GET on 400/401/404 (old token servers) */
		if (e2.code != BL_E_AUTH && e2.code != BL_E_NOT_FOUND && e2.code != BL_E_FORMAT) {
			if (err)
				*err = e2;
			goto out;
		}
	}
	{
		const char *sep = strchr(c->realm, '?') ? "&" : "?";
		char *url = bl_asprintf("%s%sservice=%s&scope=%s", c->realm, sep, service, escope);
		char *authz = s->creds.username ? basic_header(&s->creds) : NULL;
		struct req r = {.url = url, .authz = authz, .max = 1u << 20, .what = "token"};
		ok = request(s, &r, &x, err);
		secret_free(authz);
		free(url);
		if (ok) {
			ok = take_token(s, scope, x, err);
			xfer_free(x);
		} else if (err) {
			/* the message from request() names the realm only by host */
			bl_error_prefix(err, "token service for %s%s", s->repo,
				s->creds.source ? " (with credentials)" : " (anonymous)");
		}
	}
out:
	free(service);
	free(escope);
	free(realm_safe);
	return ok;
}

/* Answer a 401 challenge; false when we cannot. */
static bool answer_challenge(struct reg *s, const char *header, struct bl_error *err)
{
	struct bl_registry_challenge c;
	char *scope = scope_pull(s);
	bool ok = false;
	if (!bl_registry_challenge_parse(header, &c)) {
		fail_ctx(s, err, BL_E_AUTH, "authentication required (401) and no usable challenge");
		free(scope);
		return false;
	}
	if (!strcmp(c.scheme, "basic")) {
		if (!load_creds(s, err))
			goto out;
		if (!s->creds.username) {
			fail_ctx(s, err, BL_E_AUTH,
				"authentication required for scope %s (401, Basic) and no credentials found",
				scope);
			goto out;
		}
		s->auth = AUTH_BASIC;
		ok = true;
	} else {
		ok = fetch_token(s, &c, scope, err);
		if (ok)
			s->auth = AUTH_BEARER;
	}
out:
	bl_registry_challenge_fini(&c);
	free(scope);
	return ok;
}

/* ---- the request loop: retries, redirects, auth, scheme fallback ---- */

static bool retryable_curl(CURLcode c)
{
	return c == CURLE_RECV_ERROR || c == CURLE_SEND_ERROR || c == CURLE_GOT_NOTHING ||
		c == CURLE_PARTIAL_FILE || c == CURLE_HTTP2 || c == CURLE_HTTP2_STREAM;
}

static char *first_error_text(const struct xfer *x)
{
	/* distribution errors: {"errors":[{"code":"...","message":"..."}]} */
	json_t *j = bl_json_parse(x->body.data ? x->body.data : "", x->body.len, ERROR_BODY_MAX, NULL);
	json_t *a = j ? bl_json_arr(j, "errors") : NULL;
	json_t *e = a ? json_array_get(a, 0) : NULL;
	const char *code = e ? bl_json_str(e, "code") : NULL;
	char *r = code ? bl_text_safe(code) : NULL;
	json_decref(j);
	return r;
}

static bool request(struct reg *s, const struct req *r, struct xfer **out, struct bl_error *err)
{
	*out = NULL;
	if (s->offline)
		return bl_fail(err, BL_E_NET, "registry %s: %s: not cached and offline", s->ref.domain,
			r->what);
	char *url = bl_strdup(r->url);
	char *origin = url_origin(url);
	int tries = 0, redirects = 0, timeouts = 0;
	bool answered = false;
	bool ok = false;
	for (;;) {
		char *cur_origin = url_origin(url);
		bool same = !strcmp(cur_origin, origin);
		free(cur_origin);
		char *authz = NULL;
		bool probing = !s->scheme_known && !strcmp(s->scheme, "http") && !s->insecure;
		if (same && r->authz)
			authz = bl_strdup(r->authz);
		else if (same && r->registry_auth && !probing)
			authz = registry_authz(s);
		struct xfer *x = xfer_start(s, url, r->accept, authz, r->post, r->max, r->stream, r->what);
		if (r->method && !strcmp(r->method, "HEAD"))
			curl_easy_setopt(x->h, CURLOPT_NOBODY, 1L);
		secret_free(authz);
		drive(s, r->stream ? until_headers : until_done, x);
		if (x->cancelled) {
			xfer_free(x);
			bl_fail(err, BL_E_CANCELLED, "registry %s: %s: cancelled", s->ref.domain, r->what);
			break;
		}
		if (x->done && x->result != CURLE_OK && !(x->too_big)) {
			CURLcode rc = x->result;
			char *msg = bl_text_safe(x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
			xfer_free(x);
			/* a loopback or insecure registry that does not speak TLS */
			if (!s->scheme_known && r->registry_auth && !strcmp(s->scheme, "https") &&
				(s->loopback || s->insecure) &&
				(rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_RECV_ERROR ||
					rc == CURLE_GOT_NOTHING)) {
				/* the TLS handshake that failed was no HTTP request */
				s->stats.requests--;
				free(s->scheme);
				s->scheme = bl_strdup("http");
				char *nu = bl_asprintf("http://%s", url + strlen("https://"));
				free(url);
				url = nu;
				free(origin);
				origin = url_origin(url);
				free(msg);
				continue;
			}
			if (retryable_curl(rc) && ++tries < MAX_TRIES) {
				free(msg);
				sleep_ms(250L << tries);
				continue;
			}
			/* A stalled transfer is tried once more (a stall costs the whole
			 * low-speed time, so not more); a stream may have been read from. */
			if (rc == CURLE_OPERATION_TIMEDOUT && !r->stream && timeouts++ == 0) {
				free(msg);
				continue;
			}
			enum bl_status code = rc == CURLE_ABORTED_BY_CALLBACK ? BL_E_CANCELLED : BL_E_NET;
			if (rc == CURLE_OPERATION_TIMEDOUT)
				fail_ctx(s, err, code, "%s: timed out%s (%s)", r->what,
					timeouts > 1 ? " twice" : "", msg);
			else if (rc == CURLE_PEER_FAILED_VERIFICATION)
				fail_ctx(s, err, code,
					"%s: TLS certificate not trusted (%s); use --cacert FILE or --insecure %s",
					r->what, msg, s->ref.domain);
			else
				fail_ctx(s, err, code, "%s: %s", r->what, msg);
			free(msg);
			break;
		}
		if (x->too_big) {
			fail_ctx(s, err, BL_E_TOO_BIG, "%s: larger than %zu bytes", r->what, r->max);
			xfer_free(x);
			break;
		}
		long st = x->status;
		bool http_probe = !s->scheme_known && r->registry_auth && s->loopback &&
			!strcmp(s->scheme, "http");
		if (st == 400 && http_probe) {
			/* "Client sent an HTTP request to an HTTPS server." */
			xfer_free(x);
			free(s->scheme);
			s->scheme = bl_strdup("https");
			s->scheme_known = true;
			char *nu = bl_asprintf("https://%s", url + strlen("http://"));
			free(url);
			url = nu;
			free(origin);
			origin = url_origin(url);
			continue;
		}
		if (http_probe && st > 0)
			s->scheme_known = true; /* it answered in plain HTTP */
		if (st >= 200 && st < 300) {
			if (r->registry_auth)
				s->scheme_known = true;
			*out = x;
			ok = true;
			break;
		}
		if (r->stream && !x->done)
			drive(s, until_done, x); /* error bodies are small */
		if (st == 301 || st == 302 || st == 303 || st == 307 || st == 308) {
			char *loc = NULL;
			curl_easy_getinfo(x->h, CURLINFO_REDIRECT_URL, &loc);
			if (!loc || ++redirects > MAX_REDIRECTS) {
				fail_ctx(s, err, BL_E_NET, "%s: %s (HTTP %ld)", r->what,
					loc ? "too many redirects" : "redirect without Location", st);
				xfer_free(x);
				break;
			}
			free(url);
			url = bl_strdup(loc);
			xfer_free(x);
			continue;
		}
		if (st == 401 && r->registry_auth && !answered && x->www_auth) {
			answered = true;
			char *hdr = bl_strdup(x->www_auth);
			xfer_free(x);
			bool a = answer_challenge(s, hdr, err);
			free(hdr);
			if (!a)
				break;
			continue;
		}
		if ((st == 429 || st >= 500) && ++tries < MAX_TRIES) {
			long wait = 500L << (tries - 1);
			long ra = bl_registry_retry_after(x->retry_after, (long long)time(NULL));
			if (ra >= 0)
				wait = (ra > s->retry_cap_s ? s->retry_cap_s : ra) * 1000L;
			xfer_free(x);
			sleep_ms(wait);
			continue;
		}
		char *code = first_error_text(x);
		char *scope = scope_pull(s);
		const char *cs = code ? code : "";
		if (st == 401)
			fail_ctx(s, err, BL_E_AUTH, "%s: authentication required for scope %s (401%s%s)%s",
				r->what, scope, code ? " " : "", cs,
				s->creds.source ? "; the credentials found were refused" : "");
		else if (st == 403)
			fail_ctx(s, err, BL_E_AUTH, "%s: access denied for scope %s (403%s%s)", r->what,
				scope, code ? " " : "", cs);
		else if (st == 404)
			fail_ctx(s, err, BL_E_NOT_FOUND, "%s not found (404%s%s)", r->what,
				code ? " " : "", cs);
		else if (st == 400 || st == 405)
			fail_ctx(s, err, BL_E_FORMAT, "%s: refused (HTTP %ld%s%s)", r->what, st,
				code ? " " : "", cs);
		else
			fail_ctx(s, err, BL_E_NET, "%s: HTTP %ld%s%s%s", r->what, st, code ? " " : "", cs,
				tries >= MAX_TRIES ? ", after retries" : "");
		free(code);
		free(scope);
		xfer_free(x);
		break;
	}
	free(url);
	free(origin);
	return ok;
}

static char *api_url(struct reg *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static char *api_url(struct reg *s, const char *fmt, ...)
{
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_printf(&b, "%s://%s", s->scheme, s->host);
	va_list ap;
	va_start(ap, fmt);
	bl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return bl_buf_take(&b);
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
	json_t *j = bl_json_parse(body->data ? body->data : "", body->len, BL_JSON_MANIFEST_MAX, NULL);
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
	seen_add(s, d->str, true);
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
		fail_ctx(s, err, BL_E_NET, "manifest %s: %s", pinned ? s->ref.digest.str : s->ref.tag,
			pinned ? "not in the cache and offline" : "a tag needs the network (offline)");
		return false;
	}
	const char *sel = pinned ? s->ref.digest.str : s->ref.tag;
	char *what = bl_asprintf("manifest %s", sel);
	char *url = api_url(s, "/v2/%s/manifests/%s", s->repo, sel);
	struct req r = {.url = url, .accept = ACCEPT_MANIFESTS, .registry_auth = true,
		.max = BL_JSON_MANIFEST_MAX, .what = what};
	struct xfer *x = NULL;
	bool ok = request(s, &r, &x, err);
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
		bl_digest_compute(s->ref.digest.alg, x->body.data ? x->body.data : "", x->body.len, &want);
		if (!bl_digest_equal(&want, &s->ref.digest)) {
			fail_ctx(s, err, BL_E_DIGEST, "%s: body hashes to %s (not cached)", what, want.str);
			goto fail;
		}
		got = want;
	} else if (x->docker_digest && bl_digest_parse(x->docker_digest, &hdr, NULL)) {
		struct bl_digest want;
		bl_digest_compute(hdr.alg, x->body.data ? x->body.data : "", x->body.len, &want);
		if (!bl_digest_equal(&want, &hdr)) {
			fail_ctx(s, err, BL_E_DIGEST,
				"%s: body hashes to %s but Docker-Content-Digest says %s (not cached)", what,
				want.str, hdr.str);
			goto fail;
		}
	}
	if (!s->no_cache)
		bl_registry_cache_put(s->cache_dir, &got, x->body.data ? x->body.data : "", x->body.len,
			NULL);
	root_from_body(s, &got, x->content_type, &x->body);
	xfer_free(x);
	free(what);
	return true;
fail:
	xfer_free(x);
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
	bl_vec_push(roots, r);
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

static enum bl_blob_state reg_stat_blob(struct bl_store *bs, const struct bl_digest *d,
	int64_t *size)
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
		char *url = api_url(s, "/v2/%s/%s/%s", s->repo, manifest ? "manifests" : "blobs", d->str);
		struct req r = {.url = url, .accept = manifest ? ACCEPT_MANIFESTS : NULL,
			.registry_auth = true, .max = max, .what = what};
		struct bl_error e1 = {0};
		ok = request(s, &r, &x, &e1);
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
			fail_ctx(s, err, BL_E_DIGEST, "%s: body hashes to %s (not cached)", what, got.str);
			ok = false;
		} else {
			if (!s->no_cache)
				bl_registry_cache_put(s->cache_dir, d, x->body.data ? x->body.data : "",
					x->body.len, NULL);
			else
				mem_put(s, d, x->body.data ? x->body.data : "", x->body.len);
			learn(s, x->body.data ? x->body.data : "", x->body.len);
			bl_buf_append(out, x->body.data ? x->body.data : "", x->body.len);
		}
	}
	xfer_free(x);
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
		fail_ctx(s, err, BL_E_NOT_FOUND, "%s: not in the cache (offline)", d->str);
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
		drive(x->s, until_data, x);
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
	if (x->cancelled)
		return fail_ctx(x->s, err, BL_E_CANCELLED, "%s: cancelled", x->what), -1;
	if (x->result != CURLE_OK) {
		char *msg = bl_text_safe(x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->result));
		fail_ctx(x->s, err, BL_E_NET, "%s: %s", x->what, msg);
		free(msg);
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
	xfer_free(rs->x);
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
		fail_ctx(s, err, BL_E_NOT_FOUND, "%s: not in the cache (offline)", d->str);
		return false;
	}
	if (!s->scheme_known && !ensure_root(s, err))
		return false;
	char *what = bl_asprintf("blob %s", d->str);
	char *url = api_url(s, "/v2/%s/blobs/%s", s->repo, d->str);
	struct req r = {.url = url, .registry_auth = true, .max = SIZE_MAX, .stream = true,
		.what = what};
	struct xfer *x = NULL;
	bool ok = request(s, &r, &x, err);
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

static const struct bl_store_ops registry_ops = {
	.kind = "registry",
	.list_roots = reg_list_roots,
	.stat_blob = reg_stat_blob,
	.read_raw = reg_read_raw,
	.open_raw = reg_open_raw,
	.destroy = reg_destroy,
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

bool bl_store_registry_open(const char *arg, const struct bl_source_opts *opts,
	struct bl_store **out, struct bl_error *err)
{
	static const struct bl_source_opts defaults = {0};
	if (!opts)
		opts = &defaults;
	*out = NULL;
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
	bl_vec_init(&s->tokens, token_free);
	bl_vec_init(&s->seen, free);
	bl_vec_init(&s->mem, memdoc_free);
	s->base.describe = bl_asprintf("registry %s%s", s->ref.domain,
		s->insecure ? " (insecure)" : "");
	s->multi = curl_multi_init();
	s->share = curl_share_init();
	if (!s->multi || !s->share)
		abort();
	curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
	curl_share_setopt(s->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
	curl_multi_setopt(s->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
	curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)PREFETCH_PARALLEL);
	*out = &s->base;
	return true;
}

bool bl_store_is_registry(const struct bl_store *s)
{
	return s && s->ops == &registry_ops;
}

const struct bl_registry_ratelimit *bl_registry_get_ratelimit(const struct bl_store *bs)
{
	if (!bl_store_is_registry(bs))
		return NULL;
	return &((const struct reg *)bs)->rl;
}

const struct bl_registry_stats *bl_registry_get_stats(const struct bl_store *bs)
{
	if (!bl_store_is_registry(bs))
		return NULL;
	return &((const struct reg *)bs)->stats;
}

void bl_registry_descriptor_free(void *p)
{
	struct bl_descriptor *d = p;
	if (d) {
		bl_descriptor_fini(d);
		free(d);
	}
}

static bool descs_from_index(struct reg *s, const struct bl_buf *body, const char *where,
	struct bl_vec *descs, struct bl_error *err)
{
	json_t *j = bl_json_parse(body->data ? body->data : "", body->len, BL_JSON_MANIFEST_MAX, err);
	if (!j) {
		bl_error_prefix(err, "registry %s: repository %s: %s", s->ref.domain, s->repo, where);
		return false;
	}
	json_t *a = bl_json_arr(j, "manifests");
	size_t i;
	json_t *v;
	bool ok = true;
	json_array_foreach(a, i, v) {
		char place[128];
		snprintf(place, sizeof place, "%s: manifests[%zu]", where, i);
		struct bl_descriptor *d = bl_calloc(1, sizeof *d);
		if (!bl_descriptor_parse(v, place, d, err)) {
			free(d);
			ok = false;
			break;
		}
		seen_add(s, d->digest.str, true);
		bl_vec_push(descs, d);
	}
	json_decref(j);
	return ok;
}

static bool list_tags(struct reg *s, struct bl_vec *tags, int max_pages, bool *complete,
	struct bl_error *err);

bool bl_registry_referrers(struct bl_store *bs, const struct bl_digest *subject,
	struct bl_vec *descs, struct bl_error *err)
{
	if (!bl_store_is_registry(bs))
		return bl_fail(err, BL_E_UNSUPPORTED, "referrers: not a registry store");
	struct reg *s = (struct reg *)bs;
	if (s->offline)
		return true; /* nothing to say without the network */
	if (!s->scheme_known && !ensure_root(s, err))
		return false;
	char *what = bl_asprintf("referrers of %s", subject->str);
	struct xfer *x = NULL;
	bool ok;
	if (s->referrers_api >= 0) {
		char *url = api_url(s, "/v2/%s/referrers/%s", s->repo, subject->str);
		struct req r = {.url = url, .accept = "Accept: " BL_MT_OCI_INDEX, .registry_auth = true,
			.max = BL_JSON_MANIFEST_MAX, .what = what};
		struct bl_error e1 = {0};
		ok = request(s, &r, &x, &e1);
		free(url);
		if (ok && x->content_type && !strncmp(x->content_type, BL_MT_OCI_INDEX,
			strlen(BL_MT_OCI_INDEX))) {
			s->referrers_api = 1;
			ok = descs_from_index(s, &x->body, what, descs, err);
			xfer_free(x);
			free(what);
			return ok;
		}
		xfer_free(x);
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
		if (!list_tags(s, &s->tags, 1, &s->tags_complete, &et))
			s->tags_complete = false; /* no listing: ask for the tag itself */
	}
	bool listed = false;
	for (size_t i = 0; i < s->tags.len && !listed; i++)
		listed = !strcmp(bl_vec_get(&s->tags, i), tag);
	free(tag);
	if (s->tags_complete && !listed)
		return true;
	what = bl_asprintf("referrers tag %s-%s", bl_digest_alg_name(subject->alg),
		bl_digest_hex(subject));
	char *url = api_url(s, "/v2/%s/manifests/%s-%s", s->repo, bl_digest_alg_name(subject->alg),
		bl_digest_hex(subject));
	struct req r2 = {.url = url, .accept = ACCEPT_MANIFESTS, .registry_auth = true,
		.max = BL_JSON_MANIFEST_MAX, .what = what};
	struct bl_error e2 = {0};
	ok = request(s, &r2, &x, &e2);
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
	xfer_free(x);
	free(what);
	return ok;
}

/* Up to max_pages pages of tags into `tags`; *complete says whether the
 * last page read was the last one. */
static bool list_tags(struct reg *s, struct bl_vec *tags, int max_pages, bool *complete,
	struct bl_error *err)
{
	char *url = api_url(s, "/v2/%s/tags/list?n=1000", s->repo);
	bool ok = true;
	for (int page = 0; url && page < max_pages; page++) {
		struct req r = {.url = url, .registry_auth = true, .max = BL_JSON_MANIFEST_MAX,
			.what = "tags"};
		struct xfer *x = NULL;
		ok = request(s, &r, &x, err);
		if (!ok)
			break;
		json_t *j = bl_json_parse(x->body.data ? x->body.data : "", x->body.len,
			BL_JSON_MANIFEST_MAX, err);
		if (!j) {
			bl_error_prefix(err, "registry %s: repository %s: tags page %d", s->ref.domain,
				s->repo, page + 1);
			xfer_free(x);
			ok = false;
			break;
		}
		size_t i;
		json_t *v;
		json_array_foreach(bl_json_arr(j, "tags"), i, v) {
			if (json_is_string(v))
				bl_vec_push(tags, bl_strdup(json_string_value(v)));
		}
		json_decref(j);
		char *link = NULL;
		struct curl_header *hd = NULL;
		if (curl_easy_header(x->h, "Link", 0, CURLH_HEADER, -1, &hd) == CURLHE_OK)
			link = bl_registry_link_next(hd->value);
		xfer_free(x);
		free(url);
		url = NULL;
		if (link && link[0] == '/') {
			url = api_url(s, "%s", link);
		} else if (link && (!strncmp(link, "http://", 7) || !strncmp(link, "https://", 8))) {
			/* Credentials go with every page: never to another origin. */
			char *here = api_url(s, "/v2/");
			char *a = url_origin(here), *b = url_origin(link);
			if (!strcmp(a, b)) {
				url = bl_strdup(link);
			} else {
				char *safe = bl_text_safe(b);
				fail_ctx(s, err, BL_E_FORMAT, "tags page %d: the next page is on another "
					"origin (%s): not followed", page + 1, safe);
				free(safe);
				ok = false;
			}
			free(a);
			free(b);
			free(here);
		}
		free(link);
		if (!ok)
			break;
	}
	*complete = ok && url == NULL;
	free(url);
	return ok;
}

bool bl_registry_list_tags(struct bl_store *bs, struct bl_vec *tags, struct bl_error *err)
{
	if (!bl_store_is_registry(bs))
		return bl_fail(err, BL_E_UNSUPPORTED, "tags: not a registry store");
	bool complete;
	return list_tags((struct reg *)bs, tags, 10000, &complete, err);
}

bool bl_registry_prefetch(struct bl_store *bs, const struct bl_digest *const *digests, size_t n,
	struct bl_error *err)
{
	if (!bl_store_is_registry(bs))
		return bl_fail(err, BL_E_UNSUPPORTED, "prefetch: not a registry store");
	struct reg *s = (struct reg *)bs;
	if (s->offline || !s->scheme_known)
		return true; /* later reads do the work (and learn the scheme and token) */
	struct xfer *slots[PREFETCH_PARALLEL] = {0};
	const struct bl_digest *sdig[PREFETCH_PARALLEL] = {0};
	size_t next = 0;
	bool cancelled = false;
	for (;;) {
		/* fill free slots with documents we do not have */
		for (int i = 0; i < PREFETCH_PARALLEL && next < n; i++) {
			if (slots[i])
				continue;
			while (next < n) {
				const struct bl_digest *d = digests[next++];
				struct bl_buf tmp;
				bl_buf_init(&tmp);
				bool have = mem_find(s, d) ||
					(!s->no_cache && bl_registry_cache_get(s->cache_dir, d, BL_JSON_CONFIG_MAX, &tmp));
				bl_buf_fini(&tmp);
				if (have)
					continue;
				struct seen *k = seen_find(s, d);
				bool manifest = k && k->manifest;
				char *url = api_url(s, "/v2/%s/%s/%s", s->repo,
					manifest ? "manifests" : "blobs", d->str);
				char *authz = registry_authz(s);
				slots[i] = xfer_start(s, url, manifest ? ACCEPT_MANIFESTS : NULL, authz, NULL,
					manifest ? BL_JSON_MANIFEST_MAX : BL_JSON_CONFIG_MAX, false, "prefetch");
				sdig[i] = d;
				secret_free(authz);
				free(url);
				break;
			}
		}
		bool any = false;
		for (int i = 0; i < PREFETCH_PARALLEL; i++)
			any = any || slots[i];
		if (!any)
			break;
		drive(s, NULL, NULL);
		for (int i = 0; i < PREFETCH_PARALLEL; i++) {
			struct xfer *x = slots[i];
			if (!x || !x->done)
				continue;
			if (x->cancelled)
				cancelled = true;
			if (x->result == CURLE_OK && x->status == 200) {
				struct bl_digest got;
				bl_digest_compute(sdig[i]->alg, x->body.data ? x->body.data : "", x->body.len,
					&got);
				if (bl_digest_equal(&got, sdig[i])) {
					mem_put(s, sdig[i], x->body.data ? x->body.data : "", x->body.len);
					if (!s->no_cache)
						bl_registry_cache_put(s->cache_dir, sdig[i],
							x->body.data ? x->body.data : "", x->body.len, NULL);
					learn(s, x->body.data ? x->body.data : "", x->body.len);
				}
			}
			xfer_free(x);
			slots[i] = NULL;
		}
		if (cancelled)
			break;
	}
	for (int i = 0; i < PREFETCH_PARALLEL; i++)
		xfer_free(slots[i]);
	if (cancelled)
		return bl_fail(err, BL_E_CANCELLED, "registry %s: prefetch cancelled", s->ref.domain);
	return true;
}
