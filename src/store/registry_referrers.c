/* Referrers of a manifest in a registry: the OCI referrers API, else the
 * sha256-<hex> tag of the tag schema, and cosign's sha256-<hex>.sig, .att
 * and .sbom tags. The tag list they look in is read once per store (page
 * after page, registry_tags.c) and kept, so that a repository without the
 * API costs one listing per run, not a request per manifest, and `tags`
 * reuses it. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "registry_internal.h"

/* Pages of 1000 tags the referrers fallback reads before it asks for its
 * sha256-<hex> tags one by one instead; `tags` reads up to LIST_TAG_PAGES. */
#define REFERRER_TAG_PAGES 10
#define LIST_TAG_PAGES 10000

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
		bl_reg_seen_add(s, d->digest.str, true, d->size);
	}
	return ok;
}

/* The repository's tag list, read once per store (so once per repository
 * and run) and kept: up to max_pages pages of /tags/list (`n` and `Link`
 * paging). s->tags_complete says whether it is all of it. A listing that
 * fails (but for a cancel) is not asked again by the referrers fallback, which then asks for
 * its tags one by one; err (may be NULL) says why. */
static bool load_tags(struct reg *s, int max_pages, struct bl_error *err)
{
	if (s->tags_loaded && (s->tags_complete || s->tags_pages >= max_pages))
		return s->tags_ok;
	if (s->tags_loaded)
		bl_vec_fini(&s->tags); /* a longer listing than the fallback read */
	bl_vec_init(&s->tags, free);
	s->tags_loaded = true;
	s->tags_pages = max_pages;
	struct bl_error e = {0};
	s->tags_ok = bl_reg_list_tags(s, &s->tags, max_pages, &s->tags_complete, &e);
	if (!s->tags_ok)
		s->tags_complete = false;
	/* A cancelled listing says nothing about the registry: the next
	 * caller lists again. */
	if (!s->tags_ok && e.code == BL_E_CANCELLED)
		s->tags_loaded = false;
	if (!s->tags_ok && err)
		*err = e;
	return s->tags_ok;
}

static bool tag_listed(const struct reg *s, const char *tag)
{
	for (size_t i = 0; i < s->tags.len; i++) {
		if (!strcmp(bl_vec_get(&s->tags, i), tag))
			return true;
	}
	return false;
}

/* The referrers API: true with *answered when the registry has it. */
static bool by_api(struct reg *s, const struct bl_digest *subject, struct bl_vec *descs,
        bool *answered, struct bl_error *err)
{
	*answered = false;
	char *what = bl_asprintf("referrers of %s", subject->str);
	char *url = bl_reg_api_url(s, "/v2/%s/referrers/%s", s->repo, subject->str);
	struct req r = {.url = url,
	        .accept = "Accept: " BL_MT_OCI_INDEX,
	        .registry_auth = true,
	        .max = BL_JSON_MANIFEST_MAX,
	        .what = what};
	struct xfer *x = NULL;
	struct bl_error e1 = {0};
	bool ok = bl_reg_request(s, &r, &x, &e1);
	free(url);
	if (ok && x->content_type &&
	        !strncmp(x->content_type, BL_MT_OCI_INDEX, strlen(BL_MT_OCI_INDEX))) {
		s->referrers_api = 1;
		*answered = true;
		ok = descs_from_index(s, &x->body, what, descs, err);
	} else if (!ok && e1.code != BL_E_NOT_FOUND && e1.code != BL_E_FORMAT) {
		if (err)
			*err = e1;
	} else {
		/* A registry with the API answers every subject with an index
		 * (empty when there are none): anything else means it has none. */
		s->referrers_api = -1;
		ok = true;
	}
	bl_reg_xfer_free(x);
	free(what);
	return ok;
}

/* GET the manifest tagged `tag`; a missing tag is no error (*x NULL). */
static bool get_tag(
        struct reg *s, const char *tag, const char *what, struct xfer **x, struct bl_error *err)
{
	*x = NULL;
	char *url = bl_reg_api_url(s, "/v2/%s/manifests/%s", s->repo, tag);
	struct req r = {.url = url,
	        .accept = BL_REG_ACCEPT_MANIFESTS,
	        .registry_auth = true,
	        .max = BL_JSON_MANIFEST_MAX,
	        .what = what};
	struct bl_error e = {0};
	bool ok = bl_reg_request(s, &r, x, &e);
	free(url);
	if (!ok && e.code != BL_E_NOT_FOUND) {
		if (err)
			*err = e;
		return false;
	}
	return true;
}

/* cosign keeps a signature, an attestation and an SBOM of a manifest under
 * the tags sha256-<hex>.sig, .att and .sbom: each one listed is read (by
 * tag, so its digest is the hash of the bytes read) and kept, and becomes a
 * referrer whose artifact type names what it is. */
static bool by_cosign_tags(
        struct reg *s, const struct bl_digest *subject, struct bl_vec *descs, struct bl_error *err)
{
	static const struct {
		const char *suffix, *what;
	} kinds[] = {
	        {"sig", "cosign signature"},
	        {"att", "cosign attestation (in-toto)"},
	        {"sbom", "cosign sbom"},
	};
	for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
		char *tag = bl_asprintf("%s-%s.%s", bl_digest_alg_name(subject->alg),
		        bl_digest_hex(subject), kinds[k].suffix);
		if (!tag_listed(s, tag)) {
			free(tag);
			continue;
		}
		char *what = bl_asprintf("cosign tag %s", tag);
		struct xfer *x = NULL;
		bool ok = get_tag(s, tag, what, &x, err);
		free(tag);
		free(what);
		if (!ok)
			return false;
		if (!x)
			continue;
		const char *data = x->body.data ? x->body.data : "";
		struct bl_descriptor *d = bl_calloc(1, sizeof *d);
		bl_digest_compute(BL_DIGEST_SHA256, data, x->body.len, &d->digest);
		d->size = (int64_t)x->body.len;
		d->media_type = bl_reg_media_type(x->content_type, &x->body);
		d->artifact_type = bl_strdup(kinds[k].what);
		if (!s->no_cache)
			bl_registry_cache_put(s->cache_dir, &d->digest, data, x->body.len, NULL);
		bl_reg_mem_put(s, &d->digest, data, x->body.len);
		bl_reg_seen_add(s, d->digest.str, true, d->size);
		bl_reg_learn(s, data, x->body.len);
		bl_vec_push_take(descs, d);
		bl_reg_xfer_free(x);
	}
	return true;
}

bool bl_reg_referrers(
        struct reg *s, const struct bl_digest *subject, struct bl_vec *descs, struct bl_error *err)
{
	if (s->referrers_api >= 0) {
		bool answered;
		if (!by_api(s, subject, descs, &answered, err))
			return false;
		if (answered)
			return true;
	}
	/* the tag schema fallback: sha256-<hex>, looked up only when the tag
	 * exists (or the listing could not say) */
	char *tag = bl_asprintf("%s-%s", bl_digest_alg_name(subject->alg), bl_digest_hex(subject));
	struct bl_error te = {0};
	if (!load_tags(s, REFERRER_TAG_PAGES, &te) && te.code == BL_E_CANCELLED) {
		free(tag);
		if (err)
			*err = te;
		return false;
	}
	if (!s->tags_complete || tag_listed(s, tag)) {
		char *what = bl_asprintf("referrers tag %s", tag);
		struct xfer *x = NULL;
		bool ok = get_tag(s, tag, what, &x, err);
		if (ok && x)
			ok = descs_from_index(s, &x->body, what, descs, err);
		bl_reg_xfer_free(x);
		free(what);
		if (!ok) {
			free(tag);
			return false;
		}
	}
	free(tag);
	return by_cosign_tags(s, subject, descs, err);
}

bool bl_reg_tags(struct reg *s, struct bl_vec *tags, struct bl_error *err)
{
	if (!load_tags(s, LIST_TAG_PAGES, err))
		return false;
	for (size_t i = 0; i < s->tags.len; i++)
		bl_vec_push_take(tags, bl_strdup(bl_vec_get(&s->tags, i)));
	return true;
}
