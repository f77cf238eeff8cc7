/* Private to the registry store files:
 *   registry.c         the store operations (roots, blobs, prefetch)
 *   registry_referrers.c  referrers (API, sha256-<hex> tag, cosign tags), the kept tag list
 *   registry_docs.c    documents kept in memory, what was learned about digests
 *   registry_tags.c    the tag listing, page by page
 *   registry_body.c    response body parsers (public, registry.h)
 *   registry_token.c   authentication: credentials, Basic, Bearer tokens, challenges
 *   registry_http.c    the HTTP engine: transfers, retries, redirects, the scheme probe
 *   registry_headers.c WWW-Authenticate, Link and Retry-After parsing (public, registry.h)
 * Calls go registry.c -> registry_referrers.c -> registry_tags.c ->
 * registry_token.c -> registry_http.c -> registry_headers.c (and any of them
 * to a file further down the line), and registry.c, registry_referrers.c ->
 * registry_docs.c, which calls none of them; never back. */
#ifndef BL_STORE_REGISTRY_INTERNAL_H
#define BL_STORE_REGISTRY_INTERNAL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/buf.h"
#include "bakelens/credentials.h"
#include "bakelens/mediatype.h"
#include "bakelens/ref.h"
#include "bakelens/registry.h"
#include "bakelens/vec.h"

#define BL_REG_ACCEPT_MANIFESTS                                                                    \
	"Accept: " BL_MT_OCI_INDEX ", " BL_MT_OCI_MANIFEST ", " BL_MT_DOCKER_LIST                  \
	", " BL_MT_DOCKER_MANIFEST
/* Documents fetched at once (bl_reg_request_many): streams over the one
 * connection of an HTTP/2 registry, else as many kept-alive connections.
 * BAKELENS_REGISTRY_PARALLEL (1 to 8) lowers it. */
#define BL_REG_PARALLEL 8

enum bl_reg_auth { BL_REG_AUTH_NONE = 0, BL_REG_AUTH_BASIC, BL_REG_AUTH_BEARER };

struct reg {
	struct bl_store base;
	struct bl_ref ref;
	char *host; /* the API host[:port] */
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
	long deadline_floor_s; /* a transfer's deadline: see bl_reg_deadline_ms */
	int parallel;          /* documents fetched at once, 1 to BL_REG_PARALLEL */
	/* No request leaves before this (bl_clock_ms): a 429 or 503 answered on
	 * any path (prefetch included) holds back every path. */
	int64_t not_before_ms;
	CURLM *multi;
	CURLSH *share;
	enum bl_reg_auth auth;
	struct bl_vec tokens; /* struct token *, registry_token.c's */
	bool creds_loaded;
	struct bl_credentials creds;
	struct bl_vec seen; /* struct seen * */
	struct bl_vec mem;  /* struct memdoc * */
	size_t mem_bytes;
	bool have_root;
	struct bl_descriptor root;
	struct bl_store_ratelimit rl;
	struct bl_registry_stats stats;
	/* Referrers: whether the API answers (0 unknown, 1 yes, -1 no: a 404),
	 * and, once the API is known absent, the repository's tags (read once,
	 * page after page, and kept for `tags` too), so that the sha256-<hex>
	 * fallback costs one listing per repository, not a request per manifest. */
	int referrers_api;
	bool tags_loaded;
	bool tags_ok;       /* the listing succeeded */
	bool tags_complete; /* ... and held every tag */
	int tags_pages;     /* the pages it was allowed */
	struct bl_vec tags; /* char * */
};

/* One HTTP transfer on the store's multi handle. */
struct xfer {
	struct reg *s;
	CURL *h;
	struct curl_slist *hdrs;
	long status;
	bool headers_done;
	struct bl_buf body;
	size_t off;
	size_t max;
	bool too_big;     /* more than max (or the declared size) came: stopped */
	bool too_slow;    /* its deadline passed: stopped */
	int64_t declared; /* the descriptor's size; 0 when unknown */
	int64_t start_ms;
	uint64_t received; /* body bytes of a 2xx answer, over the whole stream */
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
	/* A Range request (range_len > 0): a 206 must say it carries exactly
	 * these bytes; a 200 (the whole blob) is stopped at its headers. */
	uint64_t range_first;
	size_t range_len;
	bool range_ignored; /* answered 200: the registry does not do ranges */
	bool range_wrong;   /* answered 206 with another Content-Range */
	bool range_ok;      /* the Content-Range names the bytes asked for */
	const char *what;
	char errbuf[CURL_ERROR_SIZE];
};

/* A logical request: what to ask and how. */
struct req {
	const char *method; /* NULL: GET (or POST when post is set) */
	const char *url;    /* absolute */
	const char *accept; /* a whole "Accept: ..." line or NULL */
	const char *authz;  /* explicit Authorization line (token requests) or NULL */
	bool registry_auth; /* use and answer the registry's challenges */
	const char *post;
	size_t max;
	int64_t size; /* the declared size (a descriptor's) or 0: caps the body, sets the deadline
	               */
	bool stream;
	const char *what;     /* "manifest latest", for messages */
	uint64_t range_first; /* with range_len > 0: ask for these bytes only */
	size_t range_len;
};

/* A request's state across its attempts (retries, redirects, scheme switch). */
struct bl_reg_attempt {
	char *url;
	char *origin; /* where it was first sent: an Authorization line goes only there */
	int tries, redirects, timeouts;
	bool answered;   /* a 401 challenge came back once already */
	char *challenge; /* the WWW-Authenticate value when the outcome is BL_REG_CHALLENGE */
};

enum bl_reg_outcome {
	BL_REG_OK,        /* a 2xx answer */
	BL_REG_FAILED,    /* err says why */
	BL_REG_CHALLENGE, /* a 401 with a challenge to answer, then run again */
	BL_REG_AGAIN,     /* (inside registry_http.c only: send once more) */
};

/* ---- registry_docs.c ---- */

/* What a parsed document said about a digest. */
struct seen {
	struct bl_digest d;
	bool manifest; /* named as an index entry or subject */
	int64_t size;  /* the largest size a descriptor declared for it; 0: none */
};

/* A verified document kept in memory. */
struct memdoc {
	struct bl_digest d;
	struct bl_buf body;
};

/* The kept document of d, or NULL. */
struct memdoc *bl_reg_mem_find(struct reg *s, const struct bl_digest *d);
/* A bl_free_fn for the store's memdoc vector. */
void bl_reg_memdoc_free(void *memdoc);
/* Keep a copy of verified bytes of d, unless kept already or over the budget. */
void bl_reg_mem_put(struct reg *s, const struct bl_digest *d, const void *data, size_t len);
/* What was learned of d, or NULL. */
struct seen *bl_reg_seen_find(struct reg *s, const struct bl_digest *d);
/* Record a digest string (ignored when invalid) as named, a manifest or not,
 * with a declared size (0: none). */
void bl_reg_seen_add(struct reg *s, const char *digest, bool manifest, int64_t size);
/* The size descriptors declared for d, 0 when none did. */
int64_t bl_reg_seen_size(struct reg *s, const struct bl_digest *d);
/* Record the digests a JSON document names (index entries, config, layers,
 * blobs, subject); anything else is ignored. */
void bl_reg_learn(struct reg *s, const void *data, size_t len);
/* The media type of a manifest answer: its Content-Type unless generic, else
 * the body's mediaType or shape; NULL when unknown. Caller owns. */
char *bl_reg_media_type(const char *content_type, const struct bl_buf *body);

/* ---- registry_referrers.c ---- */

/* The optional referrers and list_tags store operations. */
bool bl_reg_referrers(
        struct reg *s, const struct bl_digest *subject, struct bl_vec *descs, struct bl_error *err);
bool bl_reg_tags(struct reg *s, struct bl_vec *tags, struct bl_error *err);

/* ---- registry_http.c ---- */

/* "registry H: repository R: <msg>" into err (may be NULL). */
void bl_reg_fail(struct reg *s, struct bl_error *err, enum bl_status code, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
/* "scheme://host[:port]" of a URL, host lowercased; caller owns. */
char *bl_reg_url_origin(const char *url);
/* "<scheme>://<host>" followed by the formatted path; caller owns. */
char *bl_reg_api_url(struct reg *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "repository:<repo>:pull"; caller owns. */
char *bl_reg_scope_pull(struct reg *s);

/* The deadline of a transfer of `size` bytes (0: unknown): the floor
 * (BAKELENS_TRANSFER_DEADLINE, 60 s by default) plus the time the size takes
 * at BL_REG_MIN_RATE, at most BL_REG_DEADLINE_CAP_S (or the floor when that
 * is larger). */
#define BL_REG_MIN_RATE (64 * 1024)      /* bytes per second */
#define BL_REG_DEADLINE_CAP_S (2 * 3600) /* seconds */
long bl_reg_deadline_ms(const struct reg *s, int64_t size);
/* Wait until the store may send again (a Retry-After in force), or until
 * the progress callback says stop. */
void bl_reg_wait_turn(struct reg *s);
/* After a 429 or 5xx answer: hold every request back for its Retry-After
 * (capped at the store's retry cap) or, without one, `fallback_ms`. */
void bl_reg_hold(struct reg *s, const struct xfer *x, long fallback_ms);
/* The error of a finished transfer that failed below HTTP, was stopped (too
 * big, too slow) or cancelled, into err with x->what. */
void bl_reg_xfer_error(struct reg *s, const struct xfer *x, struct bl_error *err);

/* Start a transfer on the multi handle (counted in stats). `authz` is a whole
 * "Authorization: ..." line or NULL (copied); `post` a form body or NULL.
 * Free with bl_reg_xfer_free. */
struct xfer *bl_reg_xfer_start(struct reg *s, const char *url, const char *accept,
        const char *authz, const char *post, size_t max, bool stream, const char *what);
/* A transfer's declared size (0: unknown): caps its body (more bytes stop it,
 * too_big) and sets its deadline. Call right after bl_reg_xfer_start. */
void bl_reg_xfer_declare(struct xfer *x, int64_t size);
void bl_reg_xfer_free(struct xfer *x);
/* Run the multi handle until `until(x)` holds or x is done; with x NULL,
 * until no transfer is running. */
void bl_reg_drive(struct reg *s, bool (*until)(struct xfer *), struct xfer *x);
/* Run the multi handle until some transfer is done (marked) or none runs. */
void bl_reg_drive_some(struct reg *s);
bool bl_reg_until_done(struct xfer *x);
bool bl_reg_until_data(struct xfer *x);

/* The attempts of one request: begin, run (again after answering a
 * challenge, with the new Authorization line), end. `registry_authz` is the
 * Authorization line for the registry (used when r->registry_auth, on the
 * first origin, once the scheme probe is over), or NULL. BL_REG_OK: *out is
 * the answered transfer (caller frees; a stream has its headers only).
 * BL_REG_CHALLENGE only when r->registry_auth, at most once per request. */
void bl_reg_attempt_begin(struct bl_reg_attempt *a, const struct req *r);
/* The two halves of one send, for callers that run several requests at
 * once: start a transfer for the attempt (after any Retry-After hold;
 * not driven), then, once it is done, its outcome under the one policy
 * (takes x): BL_REG_AGAIN means send again (a retry, a redirect, the
 * scheme switch), BL_REG_OK hands the transfer to *out. */
struct xfer *bl_reg_attempt_send(
        struct reg *s, const struct req *r, struct bl_reg_attempt *a, const char *registry_authz);
enum bl_reg_outcome bl_reg_attempt_answer(struct reg *s, const struct req *r,
        struct bl_reg_attempt *a, struct xfer *x, struct xfer **out, struct bl_error *err);
enum bl_reg_outcome bl_reg_attempt_run(struct reg *s, const struct req *r, struct bl_reg_attempt *a,
        const char *registry_authz, struct xfer **out, struct bl_error *err);
void bl_reg_attempt_end(struct bl_reg_attempt *a);
/* A request that answers no challenge (token requests): begin, run, end. */
bool bl_reg_http_request(
        struct reg *s, const struct req *r, struct xfer **out, struct bl_error *err);

/* ---- registry_token.c ---- */

/* A request to the registry (or anywhere) with its authentication: the
 * Authorization line the store holds, and one 401 challenge answered
 * (Basic credentials or a Bearer token fetched from the realm). */
bool bl_reg_request(struct reg *s, const struct req *r, struct xfer **out, struct bl_error *err);
/* n requests (no streams), s->parallel of them at once on the multi handle,
 * each under the same policy as bl_reg_request (its challenge answered, its
 * retries, redirects and Retry-After holds). outs[i] gets the answered
 * transfer (caller frees) or NULL, with errs[i] saying why. Returns false
 * when cancelled (the requests not yet answered then fail BL_E_CANCELLED). */
bool bl_reg_request_many(
        struct reg *s, const struct req *reqs, size_t n, struct xfer **outs, struct bl_error *errs);
/* The Authorization line for a registry request, or NULL; caller frees with
 * bl_credentials_free_secret. */
char *bl_reg_authz(struct reg *s);
/* A bl_free_fn for the store's token vector. */
void bl_reg_token_free(void *token);

/* ---- registry_tags.c ---- */

/* Up to max_pages pages of tags appended to `tags`; *complete says whether
 * the last page read was the last one. A next page on another origin, or a
 * Link that is no URL, fails (BL_E_FORMAT). */
bool bl_reg_list_tags(
        struct reg *s, struct bl_vec *tags, int max_pages, bool *complete, struct bl_error *err);

#endif
