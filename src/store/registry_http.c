/* The HTTP engine of the registry store.
 *
 * Every request goes through one curl multi handle per store, so connections
 * are kept alive and reused (HTTP/2 multiplexing when the server offers it),
 * and several documents can be fetched at once (prefetch). Redirects are
 * followed here, not by curl, so that an Authorization header only ever goes
 * to the origin it was made for. A request is a series of attempts: transient
 * failures and 429/5xx are retried (honouring Retry-After), a loopback
 * registry's scheme is probed, and a 401 challenge is handed back to the
 * caller (registry_token.c) to answer. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bakelens/clock.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "registry_internal.h"

#define ERROR_BODY_MAX (64u << 10)
#define STREAM_BUFFER_MAX (1u << 20)
#define MAX_TRIES 4
#define MAX_REDIRECTS 5

/* ---- small helpers ---- */

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

char *bl_reg_url_origin(const char *url)
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

void bl_reg_fail(struct reg *s, struct bl_error *err, enum bl_status code, const char *fmt, ...)
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

char *bl_reg_api_url(struct reg *s, const char *fmt, ...)
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

char *bl_reg_scope_pull(struct reg *s)
{
	return bl_asprintf("repository:%s:pull", s->repo);
}

/* ---- transfers ---- */

static void set_string(char **slot, const char *v, size_t n)
{
	free(*slot);
	*slot = bl_strndup(v, n);
}

/* "bytes FIRST-LAST/TOTAL" (TOTAL may be "*") naming exactly the range asked. */
static bool content_range_is(const char *v, size_t vl, uint64_t first, size_t len)
{
	char tmp[128];
	if (vl >= sizeof tmp)
		return false;
	memcpy(tmp, v, vl);
	tmp[vl] = '\0';
	unsigned long long a, b;
	char total[32];
	if (sscanf(tmp, "bytes %llu-%llu/%31s", &a, &b, total) != 3)
		return false;
	return a == first && b >= a && b - a + 1 == len;
}

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
		x->range_ok = false;
		return len;
	}
	if (len <= 2 && (buf[0] == '\r' || buf[0] == '\n')) {
		if (x->status >= 200)
			x->headers_done = true;
		/* a part was asked for: the whole blob is not read by accident */
		if (x->range_len && x->status == 200) {
			x->range_ignored = true;
			return 0;
		}
		if (x->range_len && x->status == 206 && !x->range_ok) {
			x->range_wrong = true;
			return 0;
		}
		/* a 2xx that announces more than we take is stopped before its body */
		if (x->status >= 200 && x->status < 300 && x->content_length >= 0 &&
		        (uint64_t)x->content_length > x->max) {
			x->too_big = true;
			return 0;
		}
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
	else if (IS("content-range") && x->range_len)
		x->range_ok = content_range_is(v, vl, x->range_first, x->range_len);
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
	/* one byte over the cap stops the transfer: nothing more is read */
	if (x->received + len > x->max) {
		x->too_big = true;
		return 0; /* aborts with CURLE_WRITE_ERROR */
	}
	if (x->stream && x->body.len - x->off >= STREAM_BUFFER_MAX) {
		x->paused = true;
		return CURL_WRITEFUNC_PAUSE;
	}
	bl_buf_append(&x->body, buf, len);
	x->received += len;
	x->s->stats.bytes += len;
	return len;
}

static int xferinfo_cb(
        void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
	struct xfer *x = ud;
	/* the deadline: a slow but steady sender never trips the low-speed
	 * limit, so every transfer also has an end in time */
	int64_t size = x->declared;
	if (size <= 0 && x->status >= 200 && x->status < 300 && x->content_length > 0)
		size = (uint64_t)x->content_length < x->max ? x->content_length : (int64_t)x->max;
	if (bl_clock_ms() - x->start_ms > bl_reg_deadline_ms(x->s, size)) {
		x->too_slow = true;
		return 1;
	}
	if (x->s->progress &&
	        !x->s->progress(x->s->progress_ud, x->what, (uint64_t)dlnow, (uint64_t)dltotal)) {
		x->cancelled = true;
		return 1;
	}
	return 0;
}

void bl_reg_xfer_free(struct xfer *x)
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

struct xfer *bl_reg_xfer_start(struct reg *s, const char *url, const char *accept,
        const char *authz, const char *post, size_t max, bool stream, const char *what)
{
	struct xfer *x = bl_calloc(1, sizeof *x);
	x->s = s;
	x->max = max;
	x->stream = stream;
	x->what = what;
	x->content_length = -1;
	x->start_ms = bl_clock_ms();
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
	/* transfers started together wait for the first connection to the
	 * registry and share it when it speaks HTTP/2, rather than each opening
	 * its own */
	curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
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
		x->hdrs = curl_slist_append(
		        x->hdrs, "Content-Type: application/x-www-form-urlencoded");
		curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, post);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->hdrs);
	s->stats.requests++;
	curl_multi_add_handle(s->multi, h);
	return x;
}

void bl_reg_xfer_declare(struct xfer *x, int64_t size)
{
	x->declared = size > 0 ? size : 0;
	if (size > 0 && (uint64_t)size < x->max)
		x->max = (size_t)size;
}

long bl_reg_deadline_ms(const struct reg *s, int64_t size)
{
	long cap = s->deadline_floor_s > BL_REG_DEADLINE_CAP_S ? s->deadline_floor_s
	                                                       : BL_REG_DEADLINE_CAP_S;
	int64_t secs = s->deadline_floor_s + (size > 0 ? size / BL_REG_MIN_RATE : 0);
	return (long)(secs < cap ? secs : cap) * 1000L;
}

void bl_reg_wait_turn(struct reg *s)
{
	/* In slices, asking the progress callback between them: a Retry-After
	 * of half a minute must not keep a cancel waiting. The request that
	 * follows a cancel fails at its first progress call. */
	for (;;) {
		int64_t left = s->not_before_ms - bl_clock_ms();
		if (left <= 0)
			return;
		sleep_ms(left < 100 ? (long)left : 100);
		if (s->progress && !s->progress(s->progress_ud,
		                           "waiting for the registry's Retry-After", 0, 0))
			return;
	}
}

void bl_reg_hold(struct reg *s, const struct xfer *x, long fallback_ms)
{
	long ra = bl_registry_retry_after(x->retry_after, (long long)time(NULL));
	long ms = ra >= 0 ? (ra > s->retry_cap_s ? s->retry_cap_s : ra) * 1000L : fallback_ms;
	int64_t until = bl_clock_ms() + ms;
	if (until > s->not_before_ms)
		s->not_before_ms = until;
}

void bl_reg_xfer_error(struct reg *s, const struct xfer *x, struct bl_error *err)
{
	if (x->cancelled) {
		bl_fail(err, BL_E_CANCELLED, "registry %s: %s: cancelled", s->ref.domain, x->what);
	} else if (x->too_slow) {
		int64_t size = x->declared > 0 ? x->declared : 0;
		bl_reg_fail(s, err, BL_E_NET,
		        "%s: transfer too slow: %llu bytes in %lld s (deadline %ld s)", x->what,
		        (unsigned long long)x->received,
		        (long long)(bl_clock_ms() - x->start_ms) / 1000,
		        bl_reg_deadline_ms(s, size) / 1000);
	} else if (x->range_ignored) {
		bl_reg_fail(s, err, BL_E_UNSUPPORTED,
		        "%s: no range support (the registry answered the whole blob to a Range "
		        "request; transfer stopped)",
		        x->what);
	} else if (x->range_wrong) {
		bl_reg_fail(s, err, BL_E_FORMAT,
		        "%s: the registry answered other bytes than the range asked for "
		        "(%llu+%zu)",
		        x->what, (unsigned long long)x->range_first, x->range_len);
	} else if (x->too_big && x->declared > 0) {
		bl_reg_fail(s, err, BL_E_TOO_BIG,
		        "%s: more than the %lld bytes declared; transfer stopped", x->what,
		        (long long)x->declared);
	} else if (x->too_big) {
		bl_reg_fail(s, err, BL_E_TOO_BIG, "%s: larger than %zu bytes", x->what, x->max);
	} else {
		char *msg = bl_text_safe(x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->result));
		bl_reg_fail(s, err, BL_E_NET, "%s: %s", x->what, msg);
		free(msg);
	}
}

/* One turn of the multi handle: finished transfers are marked done. True
 * when one finished; *running says how many still run. */
static bool turn(struct reg *s, int *running)
{
	bool finished = false;
	*running = 0;
	curl_multi_perform(s->multi, running);
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
			finished = true;
		}
	}
	return finished;
}

void bl_reg_drive(struct reg *s, bool (*until)(struct xfer *), struct xfer *x)
{
	for (;;) {
		int running;
		turn(s, &running);
		if (x ? until(x) : running == 0)
			return;
		if (x && x->done)
			return;
		curl_multi_poll(s->multi, NULL, 0, 100, NULL);
	}
}

void bl_reg_drive_some(struct reg *s)
{
	for (;;) {
		int running;
		if (turn(s, &running) || running == 0)
			return;
		curl_multi_poll(s->multi, NULL, 0, 100, NULL);
	}
}

bool bl_reg_until_done(struct xfer *x)
{
	return x->done;
}

static bool until_headers(struct xfer *x)
{
	return x->done || (x->headers_done && x->status >= 200 && x->status < 300);
}

bool bl_reg_until_data(struct xfer *x)
{
	return x->done || x->body.len > x->off;
}

/* ---- the attempts of one request ---- */

static bool retryable_curl(CURLcode c)
{
	return c == CURLE_RECV_ERROR || c == CURLE_SEND_ERROR || c == CURLE_GOT_NOTHING ||
	       c == CURLE_PARTIAL_FILE || c == CURLE_HTTP2 || c == CURLE_HTTP2_STREAM;
}

void bl_reg_attempt_begin(struct bl_reg_attempt *a, const struct req *r)
{
	memset(a, 0, sizeof *a);
	a->url = bl_strdup(r->url);
	a->origin = bl_reg_url_origin(a->url);
}

void bl_reg_attempt_end(struct bl_reg_attempt *a)
{
	free(a->url);
	free(a->origin);
	free(a->challenge);
	memset(a, 0, sizeof *a);
}

/* Speak `scheme` to the registry from now on; the request's URL (on the
 * registry, so its first origin) follows. */
static void switch_scheme(struct reg *s, struct bl_reg_attempt *a, const char *scheme)
{
	free(s->scheme);
	s->scheme = bl_strdup(scheme);
	const char *rest = strstr(a->url, "://");
	char *nu = bl_asprintf("%s%s", scheme, rest ? rest : "://");
	free(a->url);
	a->url = nu;
	free(a->origin);
	a->origin = bl_reg_url_origin(a->url);
}

struct xfer *bl_reg_attempt_send(
        struct reg *s, const struct req *r, struct bl_reg_attempt *a, const char *registry_authz)
{
	char *cur = bl_reg_url_origin(a->url);
	bool same = !strcmp(cur, a->origin);
	free(cur);
	/* no credentials go with the plain-HTTP probe of a loopback registry */
	bool probing = !s->scheme_known && !strcmp(s->scheme, "http") && !s->insecure;
	const char *authz = NULL;
	if (same && r->authz)
		authz = r->authz;
	else if (same && r->registry_auth && !probing)
		authz = registry_authz;
	bl_reg_wait_turn(s);
	struct xfer *x =
	        bl_reg_xfer_start(s, a->url, r->accept, authz, r->post, r->max, r->stream, r->what);
	bl_reg_xfer_declare(x, r->size);
	if (r->method && !strcmp(r->method, "HEAD"))
		curl_easy_setopt(x->h, CURLOPT_NOBODY, 1L);
	if (r->range_len) {
		char range[64];
		snprintf(range, sizeof range, "%llu-%llu", (unsigned long long)r->range_first,
		        (unsigned long long)(r->range_first + r->range_len - 1));
		x->range_first = r->range_first;
		x->range_len = r->range_len;
		curl_easy_setopt(x->h, CURLOPT_RANGE, range);
	}
	return x;
}

/* A loopback or insecure registry that does not speak TLS. */
static bool tls_refused(const struct reg *s, const struct req *r, CURLcode rc)
{
	return !s->scheme_known && r->registry_auth && !strcmp(s->scheme, "https") &&
	       (s->loopback || s->insecure) &&
	       (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_RECV_ERROR || rc == CURLE_GOT_NOTHING);
}

static void fail_transport(struct reg *s, const struct req *r, const struct bl_reg_attempt *a,
        CURLcode rc, const char *msg, struct bl_error *err)
{
	enum bl_status code = rc == CURLE_ABORTED_BY_CALLBACK ? BL_E_CANCELLED : BL_E_NET;
	if (rc == CURLE_OPERATION_TIMEDOUT)
		bl_reg_fail(s, err, code, "%s: timed out%s (%s)", r->what,
		        a->timeouts > 1 ? " twice" : "", msg);
	else if (rc == CURLE_PEER_FAILED_VERIFICATION)
		bl_reg_fail(s, err, code,
		        "%s: TLS certificate not trusted (%s); use --cacert FILE or --insecure %s",
		        r->what, msg, s->ref.domain);
	else
		bl_reg_fail(s, err, code, "%s: %s", r->what, msg);
}

/* The transfer failed below HTTP (takes x). */
static enum bl_reg_outcome on_transport_error(struct reg *s, const struct req *r,
        struct bl_reg_attempt *a, struct xfer *x, struct bl_error *err)
{
	CURLcode rc = x->result;
	char *msg = bl_text_safe(x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
	bl_reg_xfer_free(x);
	enum bl_reg_outcome o = BL_REG_AGAIN;
	if (tls_refused(s, r, rc)) {
		/* the TLS handshake that failed was no HTTP request */
		s->stats.requests--;
		switch_scheme(s, a, "http");
	} else if (retryable_curl(rc) && ++a->tries < MAX_TRIES) {
		sleep_ms(250L << a->tries);
	} else if (rc == CURLE_OPERATION_TIMEDOUT && !r->stream && a->timeouts++ == 0) {
		/* A stalled transfer is tried once more (a stall costs the whole
		 * low-speed time, so not more); a stream may have been read from. */
	} else {
		fail_transport(s, r, a, rc, msg, err);
		o = BL_REG_FAILED;
	}
	free(msg);
	return o;
}

static bool is_redirect(long st)
{
	return st == 301 || st == 302 || st == 303 || st == 307 || st == 308;
}

/* Takes x. */
static enum bl_reg_outcome follow_redirect(struct reg *s, const struct req *r,
        struct bl_reg_attempt *a, struct xfer *x, struct bl_error *err)
{
	char *loc = NULL;
	curl_easy_getinfo(x->h, CURLINFO_REDIRECT_URL, &loc);
	if (!loc || ++a->redirects > MAX_REDIRECTS) {
		bl_reg_fail(s, err, BL_E_NET, "%s: %s (HTTP %ld)", r->what,
		        loc ? "too many redirects" : "redirect without Location", x->status);
		bl_reg_xfer_free(x);
		return BL_REG_FAILED;
	}
	free(a->url);
	a->url = bl_strdup(loc);
	bl_reg_xfer_free(x);
	return BL_REG_AGAIN;
}

/* The error for a final non-2xx answer. */
static void fail_status(struct reg *s, const struct req *r, const struct bl_reg_attempt *a,
        const struct xfer *x, struct bl_error *err)
{
	long st = x->status;
	char *code = bl_registry_error_code(x->body.data, x->body.len);
	char *scope = bl_reg_scope_pull(s);
	const char *cs = code ? code : "";
	const char *sp = code ? " " : "";
	if (st == 401)
		bl_reg_fail(s, err, BL_E_AUTH,
		        "%s: authentication required for scope %s (401%s%s)%s", r->what, scope, sp,
		        cs, s->creds.source ? "; the credentials found were refused" : "");
	else if (st == 403)
		bl_reg_fail(s, err, BL_E_AUTH, "%s: access denied for scope %s (403%s%s)", r->what,
		        scope, sp, cs);
	else if (st == 404)
		bl_reg_fail(s, err, BL_E_NOT_FOUND, "%s not found (404%s%s)", r->what, sp, cs);
	else if (st == 400 || st == 405)
		bl_reg_fail(s, err, BL_E_FORMAT, "%s: refused (HTTP %ld%s%s)", r->what, st, sp, cs);
	else
		bl_reg_fail(s, err, BL_E_NET, "%s: HTTP %ld%s%s%s", r->what, st, sp, cs,
		        a->tries >= MAX_TRIES ? ", after retries" : "");
	free(code);
	free(scope);
}

/* An HTTP answer came (takes x, or hands it to *out). */
static enum bl_reg_outcome on_response(struct reg *s, const struct req *r, struct bl_reg_attempt *a,
        struct xfer *x, struct xfer **out, struct bl_error *err)
{
	long st = x->status;
	bool http_probe =
	        !s->scheme_known && r->registry_auth && s->loopback && !strcmp(s->scheme, "http");
	if (st == 400 && http_probe) {
		/* "Client sent an HTTP request to an HTTPS server." */
		bl_reg_xfer_free(x);
		switch_scheme(s, a, "https");
		s->scheme_known = true;
		return BL_REG_AGAIN;
	}
	if (http_probe && st > 0)
		s->scheme_known = true; /* it answered in plain HTTP */
	if (st >= 200 && st < 300) {
		if (r->registry_auth)
			s->scheme_known = true;
		*out = x;
		return BL_REG_OK;
	}
	if (r->stream && !x->done)
		bl_reg_drive(s, bl_reg_until_done, x); /* error bodies are small */
	if (is_redirect(st))
		return follow_redirect(s, r, a, x, err);
	if (st == 401 && r->registry_auth && !a->answered && x->www_auth) {
		a->answered = true;
		free(a->challenge);
		a->challenge = bl_strdup(x->www_auth);
		bl_reg_xfer_free(x);
		return BL_REG_CHALLENGE;
	}
	if ((st == 429 || st >= 500) && ++a->tries < MAX_TRIES) {
		/* the next send (of this request or any other) waits */
		bl_reg_hold(s, x, 500L << (a->tries - 1));
		bl_reg_xfer_free(x);
		return BL_REG_AGAIN;
	}
	fail_status(s, r, a, x, err);
	bl_reg_xfer_free(x);
	return BL_REG_FAILED;
}

enum bl_reg_outcome bl_reg_attempt_answer(struct reg *s, const struct req *r,
        struct bl_reg_attempt *a, struct xfer *x, struct xfer **out, struct bl_error *err)
{
	*out = NULL;
	if (x->cancelled || x->too_big || x->too_slow || x->range_ignored || x->range_wrong) {
		/* never retried: the same answer would come again */
		bl_reg_xfer_error(s, x, err);
		bl_reg_xfer_free(x);
		return BL_REG_FAILED;
	}
	if (x->done && x->result != CURLE_OK)
		return on_transport_error(s, r, a, x, err);
	return on_response(s, r, a, x, out, err);
}

enum bl_reg_outcome bl_reg_attempt_run(struct reg *s, const struct req *r, struct bl_reg_attempt *a,
        const char *registry_authz, struct xfer **out, struct bl_error *err)
{
	*out = NULL;
	if (s->offline) {
		bl_fail(err, BL_E_NET, "registry %s: %s: not cached and offline", s->ref.domain,
		        r->what);
		return BL_REG_FAILED;
	}
	enum bl_reg_outcome o = BL_REG_AGAIN;
	while (o == BL_REG_AGAIN) {
		struct xfer *x = bl_reg_attempt_send(s, r, a, registry_authz);
		bl_reg_drive(s, r->stream ? until_headers : bl_reg_until_done, x);
		o = bl_reg_attempt_answer(s, r, a, x, out, err);
	}
	return o;
}

bool bl_reg_http_request(
        struct reg *s, const struct req *r, struct xfer **out, struct bl_error *err)
{
	struct bl_reg_attempt a;
	bl_reg_attempt_begin(&a, r);
	enum bl_reg_outcome o = bl_reg_attempt_run(s, r, &a, NULL, out, err);
	bl_reg_attempt_end(&a);
	return o == BL_REG_OK;
}
