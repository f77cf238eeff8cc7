/* The Docker daemon store's parsers (src/store/dockerd_body.c) and what
 * bl_store_open says before any daemon answers: names, DOCKER_HOST, a
 * socket that is not there. The store against a real daemon is the
 * docker_daemon integration test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bakelens/dockerd.h"
#include "store_helpers.h"

static const char *const D1 =
        "sha256:1111111111111111111111111111111111111111111111111111111111111111";
static const char *const D2 =
        "sha256:2222222222222222222222222222222222222222222222222222222222222222";

static void test_image_json_fields(void **state)
{
	(void)state;
	char *j = bl_asprintf(
	        "{\"Id\":\"%s\",\"RepoTags\":[\"localhost/app:v1\",\"app:latest\"],"
	        "\"RepoDigests\":[\"localhost/app@%s\"],\"Os\":\"linux\",\"Architecture\":"
	        "\"arm64\",\"Variant\":\"v8\",\"Size\":1234,\"RootFS\":{\"Type\":\"layers\","
	        "\"Layers\":[\"%s\",\"%s\"]},\"Extra\":{\"x\":1}}",
	        D1, D2, D2, D1);
	struct bl_dockerd_image im;
	bl_dockerd_image_init(&im);
	struct bl_error err = {0};
	assert_true(bl_dockerd_parse_image(j, strlen(j), &im, &err));
	assert_string_equal(im.id.str, D1);
	assert_int_equal(im.tags.len, 2);
	assert_string_equal(bl_vec_get(&im.tags, 1), "app:latest");
	assert_int_equal(im.digests.len, 1);
	assert_int_equal(im.nlayers, 2);
	assert_string_equal(im.layers[0].str, D2);
	assert_string_equal(im.layers[1].str, D1);
	assert_string_equal(im.arch, "arm64");
	assert_string_equal(im.variant, "v8");
	assert_int_equal(im.size, 1234);
	assert_false(im.has_target);
	bl_dockerd_image_fini(&im);
	free(j);
}

static void test_image_json_target_descriptor(void **state)
{
	(void)state;
	char *j = bl_asprintf("{\"Id\":\"%s\",\"Descriptor\":{\"mediaType\":"
	                      "\"application/vnd.oci.image.index.v1+json\",\"digest\":\"%s\","
	                      "\"size\":500}}",
	        D1, D1);
	struct bl_dockerd_image im;
	bl_dockerd_image_init(&im);
	assert_true(bl_dockerd_parse_image(j, strlen(j), &im, NULL));
	assert_true(im.has_target);
	assert_string_equal(im.target.digest.str, D1);
	assert_int_equal(im.target.size, 500);
	assert_int_equal(im.nlayers, 0);
	bl_dockerd_image_fini(&im);
	free(j);
}

static void expect_bad(const char *json, enum bl_status code, const char *part)
{
	struct bl_dockerd_image im;
	bl_dockerd_image_init(&im);
	struct bl_error err = {0};
	assert_false(bl_dockerd_parse_image(json, strlen(json), &im, &err));
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, part))
		fail_msg("\"%s\" not in \"%s\"", part, err.msg);
	bl_dockerd_image_fini(&im);
}

static void test_image_json_errors(void **state)
{
	(void)state;
	expect_bad("[]", BL_E_FORMAT, "expected an image object");
	expect_bad("{\"RepoTags\":[]}", BL_E_FORMAT, "no \"Id\"");
	expect_bad("{\"Id\":\"abc\"}", BL_E_FORMAT, "Id");
	expect_bad("not json", BL_E_FORMAT, "line 1");
	char *j = bl_asprintf("{\"Id\":\"%s\",\"RootFS\":{\"Layers\":[\"%s\",7]}}", D1, D2);
	expect_bad(j, BL_E_FORMAT, "RootFS.Layers[1]");
	free(j);
}

static void test_error_message_escaped_and_cut(void **state)
{
	(void)state;
	const char *b = "{\"message\":\"no such image: x\\u001b[31m\\nnext\"}";
	char *m = bl_dockerd_error_message(b, strlen(b));
	assert_non_null(m);
	assert_null(strchr(m, '\x1b'));
	assert_null(strchr(m, '\n'));
	assert_non_null(strstr(m, "no such image: x"));
	free(m);
	assert_null(bl_dockerd_error_message("{}", 2));
	assert_null(bl_dockerd_error_message("garbage", 7));
	struct bl_buf big;
	bl_buf_init(&big);
	bl_buf_puts(&big, "{\"message\":\"");
	for (int i = 0; i < 1000; i++)
		bl_buf_putc(&big, 'a');
	bl_buf_puts(&big, "\"}");
	m = bl_dockerd_error_message(big.data, big.len);
	assert_int_equal(strlen(m), 300);
	free(m);
	bl_buf_fini(&big);
}

static void test_close_names(void **state)
{
	(void)state;
	const char *list = "[{\"RepoTags\":[\"localhost/app:v1\",\"localhost/app:v2\"]},"
	                   "{\"RepoTags\":[\"localhost/other:v1\"]},{\"RepoTags\":null},"
	                   "{\"RepoTags\":[\"<none>:<none>\"]},{\"RepoTags\":[\"apq:v2\"]}]";
	struct bl_vec v;
	bl_vec_init(&v, free);
	bl_dockerd_close_names(list, strlen(list), "localhost/app:v3", 5, &v);
	/* the same repository first, then a name two edits away; "other" is too far */
	assert_int_equal(v.len, 3);
	assert_string_equal(bl_vec_get(&v, 0), "localhost/app:v1");
	assert_string_equal(bl_vec_get(&v, 1), "localhost/app:v2");
	assert_string_equal(bl_vec_get(&v, 2), "apq:v2");
	bl_vec_fini(&v);
	bl_vec_init(&v, free);
	bl_dockerd_close_names(list, strlen(list), "app:v2", 1, &v);
	assert_int_equal(v.len, 1); /* capped at max */
	assert_string_equal(bl_vec_get(&v, 0), "localhost/app:v1");
	bl_vec_fini(&v);
	bl_vec_init(&v, free);
	bl_dockerd_close_names("{\"x\":1}", 7, "app", 5, &v);
	assert_int_equal(v.len, 0);
	bl_vec_fini(&v);
}

static void expect_open_fails(const char *arg, enum bl_status code, const char *part)
{
	struct bl_store *s = NULL;
	struct bl_error err = {0};
	assert_false(bl_store_open(arg, NULL, &s, &err));
	assert_null(s);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, part))
		fail_msg("\"%s\" not in \"%s\"", part, err.msg);
}

static void test_open_names_and_hosts(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *host = bl_asprintf("unix://%s/none.sock", dir);
	setenv("DOCKER_HOST", host, 1);
	expect_open_fails("docker-daemon:", BL_E_USAGE, "expected docker-daemon:NAME");
	expect_open_fails("docker-daemon:a b", BL_E_USAGE, "expected docker-daemon:NAME");
	expect_open_fails("docker-daemon:../x", BL_E_USAGE, "expected docker-daemon:NAME");
	expect_open_fails("docker-daemon:app:v1", BL_E_IO, "no daemon socket at unix://");
	setenv("DOCKER_HOST", "tcp://127.0.0.1:2375", 1);
	expect_open_fails("docker-daemon:app:v1", BL_E_UNSUPPORTED, "only a unix:// socket");
	setenv("DOCKER_HOST", "unix://", 1);
	expect_open_fails("docker-daemon:app:v1", BL_E_USAGE, "names no socket");
	unsetenv("DOCKER_HOST");
	free(host);
	shell("rm -rf '%s'", dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_image_json_fields),
	        cmocka_unit_test(test_image_json_target_descriptor),
	        cmocka_unit_test(test_image_json_errors),
	        cmocka_unit_test(test_error_message_escaped_and_cut),
	        cmocka_unit_test(test_close_names),
	        cmocka_unit_test(test_open_names_and_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
