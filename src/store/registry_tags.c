/* The tag listing of the registry store: /v2/<name>/tags/list, page after
 * page, following `Link: <...>; rel="next"`. Credentials go with every page,
 * so a next page is followed only on the registry's own origin; any other
 * target ends the listing with an error, never silently. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "registry_internal.h"

/* The next page's URL after the page at `url`, from its answer: NULL with
 * *ok true when it was the last page; NULL with *ok false (err) when the
 * Link cannot or must not be followed. */
static char *next_page(
        struct reg *s, const char *url, struct xfer *x, int page, bool *ok, struct bl_error *err)
{
	*ok = true;
	struct curl_header *hd = NULL;
	char *link = NULL;
	/* a Link header may list several links, or come several times */
	for (size_t i = 0; !link; i++) {
		if (curl_easy_header(x->h, "Link", i, CURLH_HEADER, -1, &hd) != CURLHE_OK)
			break;
		link = bl_registry_link_next(hd->value);
	}
	if (!link)
		return NULL;
	bool same = false;
	char *next = bl_registry_link_resolve(url, link, &same);
	char *safe = bl_text_safe(next ? next : link);
	if (!next) {
		bl_reg_fail(s, err, BL_E_FORMAT,
		        "tag list page %d: next page link not understood (%s)", page, safe);
		*ok = false;
	} else if (!same) {
		char *origin = bl_reg_url_origin(safe);
		bl_reg_fail(s, err, BL_E_FORMAT,
		        "tag list page %d: next page on another host (%s) refused", page, origin);
		free(origin);
		free(next);
		next = NULL;
		*ok = false;
	}
	free(safe);
	free(link);
	return next;
}

bool bl_reg_list_tags(
        struct reg *s, struct bl_vec *tags, int max_pages, bool *complete, struct bl_error *err)
{
	char *url = bl_reg_api_url(s, "/v2/%s/tags/list?n=1000", s->repo);
	bool ok = true;
	for (int page = 1; url && page <= max_pages; page++) {
		struct req r = {.url = url,
		        .registry_auth = true,
		        .max = BL_JSON_MANIFEST_MAX,
		        .what = "tags"};
		struct xfer *x = NULL;
		ok = bl_reg_request(s, &r, &x, err);
		if (!ok)
			break;
		ok = bl_registry_tags_parse(x->body.data, x->body.len, tags, err);
		if (!ok) {
			bl_error_prefix(err, "registry %s: repository %s: tag list page %d",
			        s->ref.domain, s->repo, page);
			bl_reg_xfer_free(x);
			break;
		}
		char *next = next_page(s, url, x, page, &ok, err);
		bl_reg_xfer_free(x);
		free(url);
		url = next;
		if (!ok)
			break;
	}
	*complete = ok && url == NULL;
	free(url);
	return ok;
}
