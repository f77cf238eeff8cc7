/* libFuzzer harness for the bodies (and paging headers) a registry answers
 * with, through the parsers the store uses: tag pages, the Link of the next
 * page resolved against the page's URL, referrers indexes, token answers and
 * distribution error bodies.
 *
 * The first byte picks the parser; the rest is the input. Invariants checked
 * (abort() on violation, so libFuzzer reports it):
 * - a tag page that fails says why; one that parses gives strings;
 * - a resolved Link is an http(s) URL, and one said to be on the page's
 *   origin resolves again to the same origin;
 * - an index that fails says why; one that parses gives descriptors with a
 *   digest;
 * - a token that parses is non-empty and lives 60 s or more;
 * - an error code has no control character. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bakelens/descriptor.h"
#include "bakelens/mem.h"
#include "bakelens/registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void tags(const uint8_t *data, size_t size)
{
	struct bl_vec v;
	bl_vec_init(&v, free);
	struct bl_error err = {0};
	if (!bl_registry_tags_parse(data, size, &v, &err) && !err.msg[0])
		abort();
	for (size_t i = 0; i < v.len; i++)
		if (!bl_vec_get(&v, i))
			abort();
	bl_vec_fini(&v);
}

static void link(const char *s)
{
	static const char *const bases[] = {"http://127.0.0.1:5000/v2/x/tags/list?n=2",
	        "https://Registry.Example/v2/o/r/tags/list"};
	char *target = bl_registry_link_next(s);
	for (size_t i = 0; i < 2; i++) {
		bool same = false;
		char *url = bl_registry_link_resolve(bases[i], target ? target : s, &same);
		if (!url)
			continue;
		if (strncasecmp(url, "http://", 7) && strncasecmp(url, "https://", 8))
			abort();
		if (same) {
			bool again = false;
			char *u2 = bl_registry_link_resolve(bases[i], url, &again);
			if (!u2 || !again)
				abort();
			free(u2);
		}
		free(url);
	}
	free(target);
}

static void index_body(const uint8_t *data, size_t size)
{
	struct bl_vec v;
	bl_vec_init(&v, bl_descriptor_free);
	struct bl_error err = {0};
	if (!bl_registry_index_parse(data, size, &v, &err) && !err.msg[0])
		abort();
	for (size_t i = 0; i < v.len; i++) {
		const struct bl_descriptor *d = bl_vec_get(&v, i);
		if (!bl_digest_is_set(&d->digest))
			abort();
	}
	bl_vec_fini(&v);
}

static void token(const uint8_t *data, size_t size)
{
	char *tok = NULL;
	int64_t exp = 0;
	if (!bl_registry_token_parse(data, size, &tok, &exp)) {
		if (tok)
			abort();
		return;
	}
	if (!tok || !*tok || exp < 60)
		abort();
	free(tok);
}

static void error_body(const uint8_t *data, size_t size)
{
	char *code = bl_registry_error_code(data, size);
	if (!code)
		return;
	for (const unsigned char *c = (const unsigned char *)code; *c; c++)
		if (*c < 0x20 || *c == 0x7f)
			abort();
	free(code);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t which = data[0] % 5;
	data++;
	size--;
	if (which == 0) {
		tags(data, size);
	} else if (which == 1) {
		char *s = bl_strndup((const char *)data, size);
		link(s);
		free(s);
	} else if (which == 2) {
		index_body(data, size);
	} else if (which == 3) {
		token(data, size);
	} else {
		error_body(data, size);
	}
	return 0;
}
