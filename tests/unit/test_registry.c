/* The registry store's pure parts: WWW-Authenticate, Link and Retry-After
 * parsing, Link targets resolved, response bodies, the verified on-disk
 * cache, and opening without the network. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/descriptor.h"
#include "bakelens/registry.h"

static void test_challenge_parse_bearer_with_quoted_params(void **state)
{
	struct bl_registry_challenge c;
	assert_true(bl_registry_challenge_parse(
	        "Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
	        "scope=\"repository:library/alpine:pull\"",
	        &c));
	assert_string_equal(c.scheme, "bearer");
	assert_string_equal(c.realm, "https://auth.docker.io/token");
	assert_string_equal(c.service, "registry.docker.io");
	assert_string_equal(c.scope, "repository:library/alpine:pull");
	assert_null(c.error);
	bl_registry_challenge_fini(&c);
}

static void test_challenge_parse_escaped_quotes_commas_and_spaces(void **state)
{
	struct bl_registry_challenge c;
	assert_true(bl_registry_challenge_parse(
	        "bearer  realm = \"https://a.example/t?x=\\\"y\\\",z\" , "
	        "scope=\"repository:a/b:pull repository:c/d:pull,push\", error=insufficient_scope",
	        &c));
	assert_string_equal(c.scheme, "bearer");
	assert_string_equal(c.realm, "https://a.example/t?x=\"y\",z");
	assert_string_equal(c.scope, "repository:a/b:pull repository:c/d:pull,push");
	assert_string_equal(c.error, "insufficient_scope");
	assert_null(c.service);
	bl_registry_challenge_fini(&c);
}

static void test_challenge_parse_basic(void **state)
{
	struct bl_registry_challenge c;
	assert_true(bl_registry_challenge_parse("Basic realm=\"Registry Realm\"", &c));
	assert_string_equal(c.scheme, "basic");
	assert_string_equal(c.realm, "Registry Realm");
	bl_registry_challenge_fini(&c);
}

static void test_challenge_parse_rejects_unknown_or_realmless(void **state)
{
	struct bl_registry_challenge c;
	assert_false(bl_registry_challenge_parse("Negotiate abc", &c));
	assert_false(bl_registry_challenge_parse("Bearer service=\"x\"", &c));
	assert_false(bl_registry_challenge_parse("", &c));
	assert_false(bl_registry_challenge_parse(NULL, &c));
}

static void test_link_next_relative_and_absolute(void **state)
{
	char *n = bl_registry_link_next("</v2/foo/tags/list?n=2&last=b>; rel=\"next\"");
	assert_non_null(n);
	assert_string_equal(n, "/v2/foo/tags/list?n=2&last=b");
	free(n);
	n = bl_registry_link_next(
	        "<https://r.example/v2/x/tags/list?last=a>; rel=\"prev\", "
	        "<https://r.example/v2/x/tags/list?last=z>; type=\"a;b\"; rel=next");
	assert_non_null(n);
	assert_string_equal(n, "https://r.example/v2/x/tags/list?last=z");
	free(n);
	n = bl_registry_link_next("<https://r.example/p>; rel=\"first next\"");
	assert_non_null(n);
	assert_string_equal(n, "https://r.example/p");
	free(n);
}

static void test_link_next_absent(void **state)
{
	assert_null(bl_registry_link_next(NULL));
	assert_null(bl_registry_link_next(""));
	assert_null(bl_registry_link_next("</v2/x>; rel=\"prev\""));
	assert_null(bl_registry_link_next("</v2/x; rel=next"));
}

static void test_retry_after_seconds_and_dates(void **state)
{
	assert_int_equal(bl_registry_retry_after("3", 0), 3);
	assert_int_equal(bl_registry_retry_after(" 120 ", 0), 120);
	/* Wed, 21 Oct 2015 07:28:00 GMT = 1445412480 (date -u -d '...' +%s) */
	assert_int_equal(
	        bl_registry_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470LL), 10);
	assert_int_equal(bl_registry_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412490LL), 0);
	assert_int_equal(bl_registry_retry_after("soon", 0), -1);
	assert_int_equal(bl_registry_retry_after("-5", 0), -1);
	assert_int_equal(bl_registry_retry_after("5s", 0), -1);
	assert_int_equal(bl_registry_retry_after(NULL, 0), -1);
}

/* resolve LINK against BASE: the URL, or "-" for none; same origin in *same */
static void check_resolve(const char *base, const char *link, const char *want, bool want_same)
{
	bool same = !want_same;
	char *got = bl_registry_link_resolve(base, link, &same);
	assert_string_equal(got ? got : "-", want);
	assert_int_equal(same, want_same);
	free(got);
}

static void test_link_resolve_forms_and_origins(void **state)
{
	const char *b = "http://127.0.0.1:5000/v2/x/tags/list?n=2";
	check_resolve(b, "/v2/x/tags/list?n=2&last=b",
	        "http://127.0.0.1:5000/v2/x/tags/list?n=2&last=b", true);
	check_resolve(b, "list?last=c", "http://127.0.0.1:5000/v2/x/tags/list?last=c", true);
	/* the scheme is case-insensitive: the same origin */
	check_resolve(b, "HTTP://127.0.0.1:5000/v2/x/tags/list?last=b",
	        "http://127.0.0.1:5000/v2/x/tags/list?last=b", true);
	/* scheme-relative: a host, not a path */
	check_resolve(b, "//127.0.0.1:5000/v2/x/tags/list?last=d",
	        "http://127.0.0.1:5000/v2/x/tags/list?last=d", true);
	check_resolve(b, "//otherhost/v2/x/tags/list", "http://otherhost/v2/x/tags/list", false);
	/* another scheme, another port: another origin */
	check_resolve(b, "https://127.0.0.1:5000/v2/x", "https://127.0.0.1:5000/v2/x", false);
	check_resolve(b, "http://127.0.0.1/v2/x", "http://127.0.0.1/v2/x", false);
	/* the default port is the same port; hosts compare case-insensitively */
	check_resolve("https://R.Example/v2/x/tags/list", "https://r.example:443/v2/x?last=a",
	        "https://r.example:443/v2/x?last=a", true);
	/* no http(s) URL */
	check_resolve(b, "ftp://127.0.0.1:5000/x", "-", false);
	check_resolve(b, "", "-", false);
	check_resolve("not a url", "/v2/x", "-", false);
}

static void test_tags_parse(void **state)
{
	struct bl_vec tags;
	bl_vec_init(&tags, free);
	struct bl_error e = {0};
	const char *ok = "{\"name\":\"x\",\"tags\":[\"a\",1,\"b\"]}";
	assert_true(bl_registry_tags_parse(ok, strlen(ok), &tags, &e));
	assert_int_equal(tags.len, 2);
	assert_string_equal(bl_vec_get(&tags, 1), "b");
	assert_true(bl_registry_tags_parse("{\"tags\":null}", 13, &tags, &e));
	assert_int_equal(tags.len, 2);
	assert_false(bl_registry_tags_parse("{\"tags\":\"a\"}", 12, &tags, &e));
	assert_int_equal(e.code, BL_E_FORMAT);
	assert_false(bl_registry_tags_parse("[\"a\"]", 5, &tags, &e));
	assert_false(bl_registry_tags_parse("{\"tags\":[", 9, &tags, &e));
	assert_int_equal(tags.len, 2);
	bl_vec_fini(&tags);
}

static void test_index_token_and_error_bodies(void **state)
{
	struct bl_vec descs;
	bl_vec_init(&descs, bl_descriptor_free);
	struct bl_error e = {0};
	char idx[512];
	snprintf(idx, sizeof idx,
	        "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/"
	        "vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%064d\",\"size\":7}]}",
	        0);
	assert_true(bl_registry_index_parse(idx, strlen(idx), &descs, &e));
	assert_int_equal(descs.len, 1);
	assert_int_equal(((struct bl_descriptor *)bl_vec_get(&descs, 0))->size, 7);
	const char *bad = "{\"manifests\":[{\"digest\":\"nope\"}]}";
	assert_false(bl_registry_index_parse(bad, strlen(bad), &descs, &e));
	assert_non_null(strstr(e.msg, "manifests[0]"));
	bl_vec_fini(&descs);

	char *tok = NULL;
	int64_t exp = 0;
	const char *t1 = "{\"token\":\"\",\"access_token\":\"abc\",\"expires_in\":300}";
	assert_true(bl_registry_token_parse(t1, strlen(t1), &tok, &exp));
	assert_string_equal(tok, "abc");
	assert_int_equal(exp, 300);
	free(tok);
	const char *t2 = "{\"token\":\"x\",\"expires_in\":5}";
	assert_true(bl_registry_token_parse(t2, strlen(t2), &tok, &exp));
	assert_int_equal(exp, 60);
	free(tok);
	assert_false(bl_registry_token_parse("{}", 2, &tok, &exp));
	assert_null(tok);

	const char *eb = "{\"errors\":[{\"code\":\"DENIED\\u001b[31m\"}]}";
	char *code = bl_registry_error_code(eb, strlen(eb));
	assert_non_null(code);
	assert_null(strchr(code, 0x1b));
	assert_int_equal(strncmp(code, "DENIED", 6), 0);
	free(code);
	assert_null(bl_registry_error_code("{\"errors\":[\"x\"]}", 16));
	assert_null(bl_registry_error_code("boom", 4));
}

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/bl-test-registry-XXXXXX";
	char *d = mkdtemp(tmpl);
	assert_non_null(d);
	return strdup(d);
}

static void rm_rf(const char *dir)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_cache_put_then_get_verified(void **state)
{
	char *dir = make_tmpdir();
	const char doc[] = "{\"schemaVersion\":2}";
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, doc, strlen(doc), &d);
	struct bl_error err = {0};
	assert_true(bl_registry_cache_put(dir, &d, doc, strlen(doc), &err));
	char path[512];
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", dir, bl_digest_hex(&d));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal((size_t)st.st_size, strlen(doc));
	struct bl_buf b;
	bl_buf_init(&b);
	assert_true(bl_registry_cache_get(dir, &d, 1024, &b));
	assert_int_equal(b.len, strlen(doc));
	assert_memory_equal(b.data, doc, b.len);
	/* over the cap: not served */
	bl_buf_clear(&b);
	assert_false(bl_registry_cache_get(dir, &d, 4, &b));
	assert_int_equal(b.len, 0);
	bl_buf_fini(&b);
	rm_rf(dir);
	free(dir);
}

static void test_cache_put_refuses_wrong_digest(void **state)
{
	char *dir = make_tmpdir();
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, "one", 3, &d);
	struct bl_error err = {0};
	assert_false(bl_registry_cache_put(dir, &d, "two", 3, &err));
	assert_int_equal(err.code, BL_E_DIGEST);
	assert_non_null(strstr(err.msg, "not cached"));
	char path[512];
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", dir, bl_digest_hex(&d));
	assert_int_not_equal(access(path, F_OK), 0);
	rm_rf(dir);
	free(dir);
}

static void test_cache_corrupt_file_is_ignored_and_removed(void **state)
{
	char *dir = make_tmpdir();
	const char doc[] = "{\"a\":1}";
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, doc, strlen(doc), &d);
	assert_true(bl_registry_cache_put(dir, &d, doc, strlen(doc), NULL));
	char path[512];
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", dir, bl_digest_hex(&d));
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"a\":2}", f);
	fclose(f);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, "keep");
	assert_false(bl_registry_cache_get(dir, &d, 1024, &b));
	assert_string_equal(bl_buf_str(&b), "keep"); /* nothing appended */
	assert_int_not_equal(access(path, F_OK), 0);
	bl_buf_fini(&b);
	rm_rf(dir);
	free(dir);
}

static void test_cache_dir_follows_xdg_cache_home(void **state)
{
	setenv("XDG_CACHE_HOME", "/x/cache", 1);
	char *d = bl_registry_cache_dir(NULL);
	assert_string_equal(d, "/x/cache/bakelens");
	free(d);
	d = bl_registry_cache_dir("/elsewhere");
	assert_string_equal(d, "/elsewhere");
	free(d);
	unsetenv("XDG_CACHE_HOME");
	setenv("HOME", "/home/u", 1);
	d = bl_registry_cache_dir(NULL);
	assert_string_equal(d, "/home/u/.cache/bakelens");
	free(d);
}

static void test_open_parses_reference_without_network(void **state)
{
	struct bl_store *s = NULL;
	struct bl_error err = {0};
	assert_true(bl_store_registry_open("docker://alpine", NULL, &s, &err));
	assert_true(bl_store_is_registry(s));
	assert_string_equal(s->ops->kind, "registry");
	const struct bl_registry_stats *st = bl_registry_get_stats(s);
	assert_int_equal(st->requests, 0);
	assert_false(bl_store_ratelimit(s)->present);
	assert_true(bl_store_is_remote(s));
	bl_store_free(s);
	assert_false(bl_store_registry_open("Bad/Upper:x", NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
}

static void test_offline_unpinned_fails_without_network(void **state)
{
	char *dir = make_tmpdir();
	struct bl_source_opts o = {.offline = true, .cache_dir = dir};
	struct bl_store *s = NULL;
	struct bl_error err = {0};
	assert_true(bl_store_registry_open("127.0.0.1:1/x/y:t", &o, &s, &err));
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	assert_false(bl_store_roots(s, &roots, &err));
	assert_int_equal(err.code, BL_E_NET);
	assert_non_null(strstr(err.msg, "registry 127.0.0.1:1: repository x/y"));
	assert_non_null(strstr(err.msg, "offline"));
	assert_int_equal(bl_registry_get_stats(s)->requests, 0);
	bl_vec_fini(&roots);
	bl_store_free(s);
	rm_rf(dir);
	free(dir);
}

static void test_offline_pinned_served_from_cache(void **state)
{
	char *dir = make_tmpdir();
	const char doc[] =
	        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	        "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
	        "\"digest\":\"sha256:"
	        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
	        "\"layers\":[]}";
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, doc, strlen(doc), &d);
	assert_true(bl_registry_cache_put(dir, &d, doc, strlen(doc), NULL));
	char ref[256];
	snprintf(ref, sizeof ref, "127.0.0.1:1/x/y@%s", d.str);
	struct bl_source_opts o = {.offline = true, .cache_dir = dir};
	struct bl_store *s = NULL;
	struct bl_error err = {0};
	assert_true(bl_store_registry_open(ref, &o, &s, &err));
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	assert_true(bl_store_roots(s, &roots, &err));
	assert_int_equal(roots.len, 1);
	struct bl_store_root *r = bl_vec_get(&roots, 0);
	assert_true(bl_digest_equal(&r->desc.digest, &d));
	assert_string_equal(r->desc.media_type, "application/vnd.oci.image.manifest.v1+json");
	assert_int_equal(r->desc.size, (int64_t)strlen(doc));
	/* the config is not cached: a clear offline error, no request */
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_digest cd;
	assert_true(bl_digest_parse(
	        "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", &cd,
	        NULL));
	assert_false(s->ops->read_raw(s, &cd, 1024, &b, &err));
	assert_int_equal(err.code, BL_E_NOT_FOUND);
	assert_non_null(strstr(err.msg, "offline"));
	assert_int_equal(bl_registry_get_stats(s)->requests, 0);
	bl_buf_fini(&b);
	bl_vec_fini(&roots);
	bl_store_free(s);
	rm_rf(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_challenge_parse_bearer_with_quoted_params),
	        cmocka_unit_test(test_challenge_parse_escaped_quotes_commas_and_spaces),
	        cmocka_unit_test(test_challenge_parse_basic),
	        cmocka_unit_test(test_challenge_parse_rejects_unknown_or_realmless),
	        cmocka_unit_test(test_link_next_relative_and_absolute),
	        cmocka_unit_test(test_link_next_absent),
	        cmocka_unit_test(test_retry_after_seconds_and_dates),
	        cmocka_unit_test(test_link_resolve_forms_and_origins),
	        cmocka_unit_test(test_tags_parse),
	        cmocka_unit_test(test_index_token_and_error_bodies),
	        cmocka_unit_test(test_cache_put_then_get_verified),
	        cmocka_unit_test(test_cache_put_refuses_wrong_digest),
	        cmocka_unit_test(test_cache_corrupt_file_is_ignored_and_removed),
	        cmocka_unit_test(test_cache_dir_follows_xdg_cache_home),
	        cmocka_unit_test(test_open_parses_reference_without_network),
	        cmocka_unit_test(test_offline_unpinned_fails_without_network),
	        cmocka_unit_test(test_offline_pinned_served_from_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
