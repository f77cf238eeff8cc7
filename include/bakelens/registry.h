/* The registry store: images in a registry (the OCI distribution API),
 * read through libcurl.
 *
 * The store reads manifests, indexes and configs (kilobytes) and never a layer
 * unless a caller opens one with bl_store_open_blob. Every body is checked
 * against its digest; verified manifests and configs go to a content-addressed
 * on-disk cache ($XDG_CACHE_HOME/bakelens/blobs/sha256/<hex>), so a pinned
 * reference seen once works again with `offline`.
 *
 * How read_raw finds a digest: the store remembers the kind of every digest it
 * has seen in a document it parsed (index entries and `subject` are manifests,
 * `config` and `layers` are blobs). A known manifest digest is asked for at
 * /v2/<name>/manifests/<digest>, anything else at /v2/<name>/blobs/<digest>;
 * on a 404 the other endpoint is tried once.
 *
 * Functions here may block on the network (bounded by the timeouts). Like
 * every store, one thread at a time.
 */
#ifndef BL_REGISTRY_H
#define BL_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bakelens/buf.h"
#include "bakelens/descriptor.h"
#include "bakelens/digest.h"
#include "bakelens/error.h"
#include "bakelens/store.h"
#include "bakelens/vec.h"

/* Open `ref` ("docker://REF" or a bare reference, normalised as docker does)
 * with the registry fields of `opts` (store.h; stdin_fd is not used).
 * No network traffic happens here: the first list_roots or read does it.
 * Fails with BL_E_FORMAT for a bad reference. `opts` may be NULL. */
bool bl_store_registry_open(const char *ref, const struct bl_source_opts *opts,
        struct bl_store **out, struct bl_error *err);

/* True when `s` was made by bl_store_registry_open. Its referrers, tags,
 * prefetch and rate limit are the optional store operations (store.h):
 * referrers use the referrers API, falling back to the `sha256-<hex>` tag;
 * tags follow `Link: <...>; rel="next"` pages; prefetch fetches a few
 * documents at a time, in parallel, into memory and the cache. */
bool bl_store_is_registry(const struct bl_store *s);

/* Counters, for tests and the benchmark. */
struct bl_registry_stats {
	unsigned requests;   /* HTTP requests sent (token requests included) */
	uint64_t bytes;      /* body bytes received */
	unsigned cache_hits; /* reads served from the on-disk cache */
};
const struct bl_registry_stats *bl_registry_get_stats(const struct bl_store *s);

/* ---- Small pure parsers, public so they can be tested ---- */

/* A WWW-Authenticate challenge: `Bearer realm="...",service="...",scope="..."`
 * or `Basic realm="..."`. Quoted values may hold escaped quotes and commas. */
struct bl_registry_challenge {
	char *scheme; /* "bearer" or "basic", lowercased */
	char *realm;
	char *service; /* NULL when absent */
	char *scope;   /* NULL when absent; may hold several space-separated scopes */
	char *error;   /* error="insufficient_scope", NULL when absent */
};
bool bl_registry_challenge_parse(const char *header, struct bl_registry_challenge *out);
void bl_registry_challenge_fini(struct bl_registry_challenge *c);

/* The target of `rel="next"` in a Link header, caller owns; NULL when none. */
char *bl_registry_link_next(const char *header);

/* The next page's URL from a Link target `link` found on the page at `base`
 * (an absolute http(s) URL): relative, absolute or scheme-relative
 * ("//host/path"), scheme and host compared case-insensitively. Returns the
 * absolute URL (caller owns) and sets *same_origin when its scheme, host and
 * port (the default one when absent) are base's; NULL when `link` is no
 * http(s) URL. */
char *bl_registry_link_resolve(const char *base, const char *link, bool *same_origin);

/* Seconds to wait from a Retry-After value (delta-seconds or an HTTP date,
 * relative to `now`); -1 when unparsable. */
long bl_registry_retry_after(const char *value, long long now);

/* ---- Response bodies (registry_body.c), pure, public so they can be fuzzed ---- */

/* A tags page, {"name":...,"tags":[...]}: appends each tag (char *, caller's
 * vector owns them) to `tags`. "tags" absent or null is an empty page;
 * non-string entries are skipped. False (BL_E_FORMAT, err) when the body is
 * no JSON object or "tags" is not an array. */
bool bl_registry_tags_parse(
        const void *body, size_t len, struct bl_vec *tags, struct bl_error *err);
/* A referrers answer (an image index): appends each entry of "manifests" as
 * a struct bl_descriptor * (free with bl_descriptor_free) to `descs`. False
 * (err, "manifests[N]: ..." for a bad descriptor) on bad JSON or a bad
 * descriptor, with the descriptors before it appended. */
bool bl_registry_index_parse(
        const void *body, size_t len, struct bl_vec *descs, struct bl_error *err);
/* A token service's answer: "token", else "access_token" (a non-empty
 * string) into *token (caller owns; free with bl_credentials_free_secret),
 * "expires_in" into *expires_s (60 when absent or under 60). False when there
 * is no token. */
bool bl_registry_token_parse(const void *body, size_t len, char **token, int64_t *expires_s);
/* The first error code of a distribution error body
 * ({"errors":[{"code":"...",...}]}), made printable; caller owns. NULL when
 * there is none. */
char *bl_registry_error_code(const void *body, size_t len);

/* ---- The on-disk cache (registry_cache.c) ---- */

/* The cache directory: `override`, else $XDG_CACHE_HOME/bakelens, else
 * ~/.cache/bakelens. Caller owns; NULL when no home is known. */
char *bl_registry_cache_dir(const char *override);
/* True and the bytes in `out` when `d` is cached and its bytes still hash to
 * `d`; a file that does not (corrupt, truncated) is removed and treated as
 * absent, as is one over `max`. */
bool bl_registry_cache_get(
        const char *dir, const struct bl_digest *d, size_t max, struct bl_buf *out);
/* Store bytes under their digest, atomically (temporary file + rename), only
 * when they hash to `d` (else BL_E_DIGEST and nothing is written). */
bool bl_registry_cache_put(const char *dir, const struct bl_digest *d, const void *data, size_t len,
        struct bl_error *err);

#endif
