#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/ref.h"

#define H64 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"

struct ref_case {
	const char *in;
	const char *out; /* normalised form, NULL when invalid */
	const char *domain;
	const char *path;
	const char *tag;
	const char *msg_part; /* for invalid ones */
};

static const struct ref_case cases[] = {
        {"alpine", "docker.io/library/alpine:latest", "docker.io", "library/alpine", "latest",
                NULL},
        {"alpine:3.19", "docker.io/library/alpine:3.19", "docker.io", "library/alpine", "3.19",
                NULL},
        {"user/app", "docker.io/user/app:latest", "docker.io", "user/app", "latest", NULL},
        {"docker.io/alpine", "docker.io/library/alpine:latest", "docker.io", "library/alpine",
                "latest", NULL},
        {"index.docker.io/library/alpine", "docker.io/library/alpine:latest", "docker.io",
                "library/alpine", "latest", NULL},
        {"ghcr.io/o/r:tag", "ghcr.io/o/r:tag", "ghcr.io", "o/r", "tag", NULL},
        {"ghcr.io/r", "ghcr.io/r:latest", "ghcr.io", "r", "latest", NULL},
        {"localhost/app", "localhost/app:latest", "localhost", "app", "latest", NULL},
        {"localhost:5000/a/b@sha256:" H64, "localhost:5000/a/b@sha256:" H64, "localhost:5000",
                "a/b", NULL, NULL},
        {"127.0.0.1:5000/r@sha256:" H64, "127.0.0.1:5000/r@sha256:" H64, "127.0.0.1:5000", "r",
                NULL, NULL},
        {"ghcr.io/o/r:v1@sha256:" H64, "ghcr.io/o/r:v1@sha256:" H64, "ghcr.io", "o/r", "v1", NULL},
        {"[::1]:5000/r:t", "[::1]:5000/r:t", "[::1]:5000", "r", "t", NULL},
        {"my-reg.example.com/a_b/c__d/e---f/g.h:T_a-g.1",
                "my-reg.example.com/a_b/c__d/e---f/g.h:T_a-g.1", "my-reg.example.com",
                "a_b/c__d/e---f/g.h", "T_a-g.1", NULL},
        {"Registry.Example.com/x", "Registry.Example.com/x:latest", "Registry.Example.com", "x",
                "latest", NULL},

        {"UPPER/x", NULL, NULL, NULL, NULL, "lowercase"},
        {"Alpine", NULL, NULL, NULL, NULL, "lowercase"},
        {"ghcr.io/O/r", NULL, NULL, NULL, NULL, "lowercase"},
        {"a:b:c", NULL, NULL, NULL, NULL, "repository name"},
        {"alpine:", NULL, NULL, NULL, NULL, "bad tag"},
        {"alpine:-x", NULL, NULL, NULL, NULL, "bad tag"},
        {"alpine:a/b", NULL, NULL, NULL, NULL, "registry host"},
        {"alpine@sha256:abc", NULL, NULL, NULL, NULL, "digest"},
        {"alpine@sha256:" H64 "00", NULL, NULL, NULL, NULL, "digest"},
        {"alpine@md5:d41d8cd98f00b204e9800998ecf8427e", NULL, NULL, NULL, NULL, "digest"},
        {"alpine@", NULL, NULL, NULL, NULL, "digest"},
        {"", NULL, NULL, NULL, NULL, "empty"},
        {"/abs/path", NULL, NULL, NULL, NULL, "repository name"},
        {"a//b", NULL, NULL, NULL, NULL, "repository name"},
        {"a/", NULL, NULL, NULL, NULL, "repository name"},
        {"ghcr.io/", NULL, NULL, NULL, NULL, "empty repository name"},
        {"a..b", NULL, NULL, NULL, NULL, "repository name"},
        {"a___b", NULL, NULL, NULL, NULL, "repository name"},
        {"-a", NULL, NULL, NULL, NULL, "repository name"},
        {"a-", NULL, NULL, NULL, NULL, "repository name"},
        {"ex-.com/a", NULL, NULL, NULL, NULL, "registry host"},
        {"host:port/a", NULL, NULL, NULL, NULL, "registry host"},
        {"host:/a", NULL, NULL, NULL, NULL, "registry host"},
        {H64, NULL, NULL, NULL, NULL, "image ID"},
        {"a\x1b[2J", NULL, NULL, NULL, NULL, "\\e[2J"},
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct ref_case *c = &cases[i];
		struct bl_ref r;
		struct bl_error err;
		bl_error_clear(&err);
		bool ok = bl_ref_parse(c->in, &r, &err);
		if (ok != (c->out != NULL))
			fail_msg("case %zu (%s): ok=%d: %s", i, c->in, ok, err.msg);
		if (!ok) {
			assert_int_equal(err.code, BL_E_FORMAT);
			if (!strstr(err.msg, c->msg_part))
				fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg,
				        c->msg_part);
			assert_null(strchr(err.msg, '\x1b'));
			assert_false(bl_ref_is_plausible(c->in));
			continue;
		}
		char *s = bl_ref_format(&r);
		if (strcmp(s, c->out) != 0)
			fail_msg("case %zu: formatted %s want %s", i, s, c->out);
		assert_string_equal(r.domain, c->domain);
		assert_string_equal(r.path, c->path);
		if (c->tag)
			assert_string_equal(r.tag, c->tag);
		else
			assert_null(r.tag);
		/* Round trip: the normalised form parses to itself. */
		struct bl_ref r2;
		assert_true(bl_ref_parse(s, &r2, NULL));
		char *s2 = bl_ref_format(&r2);
		assert_string_equal(s2, s);
		free(s2);
		bl_ref_fini(&r2);
		free(s);
		assert_true(bl_ref_is_plausible(c->in));
		bl_ref_fini(&r);
	}
}

static void test_digest_only_reference_has_no_tag(void **state)
{
	(void)state;
	struct bl_ref r;
	assert_true(bl_ref_parse("127.0.0.1:5000/r@sha256:" H64, &r, NULL));
	assert_null(r.tag);
	assert_int_equal(r.digest.alg, BL_DIGEST_SHA256);
	assert_string_equal(r.digest.str, "sha256:" H64);
	bl_ref_fini(&r);
}

static void test_tag_and_digest_are_both_kept(void **state)
{
	(void)state;
	struct bl_ref r;
	assert_true(bl_ref_parse("alpine:3.19@sha256:" H64, &r, NULL));
	assert_string_equal(r.tag, "3.19");
	assert_true(bl_digest_is_set(&r.digest));
	char *s = bl_ref_format(&r);
	assert_string_equal(s, "docker.io/library/alpine:3.19@sha256:" H64);
	free(s);
	bl_ref_fini(&r);
}

static void test_tag_length_limit(void **state)
{
	(void)state;
	char in[200] = "alpine:";
	memset(in + 7, 'a', 128);
	in[7 + 128] = '\0';
	struct bl_ref r;
	assert_true(bl_ref_parse(in, &r, NULL));
	bl_ref_fini(&r);
	in[7 + 128] = 'a';
	in[7 + 129] = '\0';
	struct bl_error err;
	assert_false(bl_ref_parse(in, &r, &err));
	assert_non_null(strstr(err.msg, "bad tag"));
}

static void test_name_length_limit(void **state)
{
	(void)state;
	/* "docker.io/library/" (18) + name: 255 total passes, 256 fails. */
	char in[300];
	memset(in, 'a', 237);
	in[237] = '\0';
	struct bl_ref r;
	assert_true(bl_ref_parse(in, &r, NULL));
	bl_ref_fini(&r);
	in[237] = 'a';
	in[238] = '\0';
	assert_false(bl_ref_parse(in, &r, NULL));
}

static void test_name_and_api_host(void **state)
{
	(void)state;
	struct bl_ref r;
	assert_true(bl_ref_parse("alpine", &r, NULL));
	assert_string_equal(bl_ref_api_host(&r), "registry-1.docker.io");
	char *n = bl_ref_name(&r);
	assert_string_equal(n, "docker.io/library/alpine");
	free(n);
	bl_ref_fini(&r);
	assert_true(bl_ref_parse("ghcr.io/o/r:tag", &r, NULL));
	assert_string_equal(bl_ref_api_host(&r), "ghcr.io");
	n = bl_ref_name(&r);
	assert_string_equal(n, "ghcr.io/o/r");
	free(n);
	bl_ref_fini(&r);
	assert_true(bl_ref_parse("localhost:5000/a", &r, NULL));
	assert_string_equal(bl_ref_api_host(&r), "localhost:5000");
	bl_ref_fini(&r);
}

static void test_plausible_refuses_paths(void **state)
{
	(void)state;
	assert_false(bl_ref_is_plausible("/tmp/layout"));
	assert_false(bl_ref_is_plausible("./layout"));
	assert_false(bl_ref_is_plausible(NULL));
	assert_true(bl_ref_is_plausible("ghcr.io/o/r:tag"));
}

static void test_fini_on_zeroed_is_safe(void **state)
{
	(void)state;
	struct bl_ref r;
	memset(&r, 0, sizeof r);
	bl_ref_fini(&r);
	assert_null(r.domain);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_table),
	        cmocka_unit_test(test_digest_only_reference_has_no_tag),
	        cmocka_unit_test(test_tag_and_digest_are_both_kept),
	        cmocka_unit_test(test_tag_length_limit),
	        cmocka_unit_test(test_name_length_limit),
	        cmocka_unit_test(test_name_and_api_host),
	        cmocka_unit_test(test_plausible_refuses_paths),
	        cmocka_unit_test(test_fini_on_zeroed_is_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
