#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/descriptor.h"
#include "bakelens/json.h"

#define H64 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

static json_t *parse(const char *s)
{
	struct bl_error err;
	json_t *j = bl_json_parse(s, strlen(s), 1 << 20, &err);
	if (!j)
		fail_msg("bad test JSON: %s", err.msg);
	return j;
}

static void test_full_descriptor_is_copied_into_struct(void **state)
{
	(void)state;
	json_t *j = parse("{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	                  "\"digest\":\"sha256:" H64 "\",\"size\":528,"
	                  "\"artifactType\":\"application/vnd.example\","
	                  "\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\","
	                  "\"variant\":\"v8\",\"os.version\":\"1\"},"
	                  "\"annotations\":{\"org.opencontainers.image.ref.name\":\"v1\"}}");
	struct bl_descriptor d;
	struct bl_error err;
	assert_true(bl_descriptor_parse(j, "index.json: manifests[0]", &d, &err));
	json_decref(j); /* the descriptor keeps its own references */
	assert_string_equal(d.media_type, "application/vnd.oci.image.manifest.v1+json");
	assert_string_equal(d.digest.str, "sha256:" H64);
	assert_int_equal(d.size, 528);
	assert_string_equal(d.artifact_type, "application/vnd.example");
	assert_true(d.has_platform);
	assert_string_equal(d.platform.os, "linux");
	assert_string_equal(d.platform.arch, "arm64");
	assert_string_equal(d.platform.variant, "v8");
	assert_string_equal(d.platform.os_version, "1");
	assert_string_equal(
	        bl_descriptor_annotation(&d, "org.opencontainers.image.ref.name"), "v1");
	assert_null(bl_descriptor_annotation(&d, "missing"));
	assert_non_null(d.raw);
	assert_string_equal(bl_json_str(d.raw, "digest"), "sha256:" H64);

	struct bl_descriptor c;
	bl_descriptor_copy(&c, &d);
	bl_descriptor_fini(&d);
	assert_string_equal(c.media_type, "application/vnd.oci.image.manifest.v1+json");
	assert_string_equal(c.platform.variant, "v8");
	assert_string_equal(
	        bl_descriptor_annotation(&c, "org.opencontainers.image.ref.name"), "v1");
	bl_descriptor_fini(&c);
}

static void test_minimal_descriptor_defaults(void **state)
{
	(void)state;
	json_t *j = parse("{\"digest\":\"sha256:" H64 "\"}");
	struct bl_descriptor d;
	assert_true(bl_descriptor_parse(j, "x", &d, NULL));
	assert_null(d.media_type);
	assert_int_equal(d.size, -1);
	assert_null(d.artifact_type);
	assert_false(d.has_platform);
	assert_null(d.annotations);
	assert_null(bl_descriptor_annotation(&d, "k"));
	bl_descriptor_fini(&d);
	json_decref(j);
}

struct bad_case {
	const char *json;
	const char *msg_part;
};

static const struct bad_case bad_cases[] = {
        {"{\"mediaType\":\"x\",\"size\":1}", "missing digest"},
        {"{\"digest\":\"sha256:ABC\"}", "digest"},
        {"{\"digest\":\"sha256:../../etc/passwd\"}", "../../etc/passwd"},
        {"{\"digest\":42}", "digest: expected a string"},
        {"{\"digest\":\"sha256:" H64 "\",\"size\":\"12\"}", "size"},
        {"{\"digest\":\"sha256:" H64 "\",\"size\":-5}", "negative"},
        {"{\"digest\":\"sha256:" H64 "\",\"mediaType\":7}", "mediaType"},
        {"{\"digest\":\"sha256:" H64 "\",\"platform\":\"linux\"}", "platform"},
        {"{\"digest\":\"sha256:" H64 "\",\"annotations\":[]}", "annotations"},
        {"[1]", "expected a descriptor object"},
};

static void test_bad_descriptors_fail_with_place(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
		json_t *j = parse(bad_cases[i].json);
		struct bl_descriptor d;
		struct bl_error err;
		bl_error_clear(&err);
		if (bl_descriptor_parse(j, "manifest: layers[2]", &d, &err))
			fail_msg("case %zu parsed", i);
		assert_int_equal(err.code, BL_E_FORMAT);
		if (!strstr(err.msg, "manifest: layers[2]") ||
		        !strstr(err.msg, bad_cases[i].msg_part))
			fail_msg("case %zu: message \"%s\"", i, err.msg);
		json_decref(j);
	}
}

struct plat_case {
	const char *in;
	bool ok;
	const char *formatted;
};

static const struct plat_case plat_cases[] = {
        {"linux/amd64", true, "linux/amd64"},
        {"linux/arm64/v8", true, "linux/arm64/v8"},
        {"Linux/ARM64", true, "linux/arm64"},
        {"linux/x86_64", true, "linux/amd64"},
        {"linux/aarch64", true, "linux/arm64"},
        {"windows/amd64", true, "windows/amd64"},
        {"linux", false, NULL},
        {"linux/", false, NULL},
        {"/amd64", false, NULL},
        {"linux/arm/v7/extra", false, NULL},
        {"linux/am d64", false, NULL},
        {"", false, NULL},
};

static void test_platform_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof plat_cases / sizeof plat_cases[0]; i++) {
		struct bl_platform p;
		struct bl_error err;
		bool ok = bl_platform_parse(plat_cases[i].in, &p, &err);
		if (ok != plat_cases[i].ok)
			fail_msg("case %zu (%s): ok=%d", i, plat_cases[i].in, ok);
		if (ok) {
			char *s = bl_platform_format(&p);
			assert_string_equal(s, plat_cases[i].formatted);
			free(s);
			bl_platform_fini(&p);
		} else {
			assert_non_null(strstr(err.msg, "os/arch"));
		}
	}
}

static void test_platform_format_marks_missing_parts(void **state)
{
	(void)state;
	struct bl_platform p = {0};
	char *s = bl_platform_format(&p);
	assert_string_equal(s, "?/?");
	free(s);
	json_t *j = parse("{\"architecture\":\"unknown\",\"os\":\"unknown\"}");
	assert_true(bl_platform_parse_json(j, &p));
	s = bl_platform_format(&p);
	assert_string_equal(s, "unknown/unknown");
	free(s);
	bl_platform_fini(&p);
	json_decref(j);
	json_t *arr = json_array();
	assert_false(bl_platform_parse_json(arr, &p));
	json_decref(arr);
}

struct match_case {
	const char *want;
	const char *have;
	bool match;
};

static const struct match_case match_cases[] = {
        {"linux/arm64", "linux/arm64/v8", true},
        {"linux/arm64/v8", "linux/arm64/v8", true},
        {"linux/arm64/v8", "linux/arm64", true}, /* v8 is arm64's default variant */
        {"linux/arm/v7", "linux/arm/v6", false},
        {"linux/arm/v7", "linux/arm", true},
        {"linux/arm/v6", "linux/arm", false},
        {"linux/amd64", "linux/arm64", false},
        {"linux/amd64", "windows/amd64", false},
        {"linux/amd64", "linux/amd64", true},
};

static void test_platform_match_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof match_cases / sizeof match_cases[0]; i++) {
		struct bl_platform w, h;
		assert_true(bl_platform_parse(match_cases[i].want, &w, NULL));
		assert_true(bl_platform_parse(match_cases[i].have, &h, NULL));
		if (bl_platform_match(&w, &h) != match_cases[i].match)
			fail_msg("case %zu: %s vs %s", i, match_cases[i].want, match_cases[i].have);
		bl_platform_fini(&w);
		bl_platform_fini(&h);
	}
}

static void test_platform_copy_is_deep(void **state)
{
	(void)state;
	struct bl_platform a, b;
	assert_true(bl_platform_parse("linux/arm/v7", &a, NULL));
	bl_platform_copy(&b, &a);
	assert_ptr_not_equal(a.os, b.os);
	bl_platform_fini(&a);
	assert_string_equal(b.variant, "v7");
	bl_platform_fini(&b);
	bl_platform_fini(&b); /* zeroed: no-op */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_full_descriptor_is_copied_into_struct),
	        cmocka_unit_test(test_minimal_descriptor_defaults),
	        cmocka_unit_test(test_bad_descriptors_fail_with_place),
	        cmocka_unit_test(test_platform_parse_table),
	        cmocka_unit_test(test_platform_format_marks_missing_parts),
	        cmocka_unit_test(test_platform_match_table),
	        cmocka_unit_test(test_platform_copy_is_deep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
