#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bakelens/digest.h"

#define H64 "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define H128                                                                                       \
	"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a8"         \
	"36ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"

struct parse_case {
	const char *in;
	bool ok;
	enum bl_digest_alg alg;
	const char *msg_part; /* part of the error message, or NULL */
};

static const struct parse_case parse_cases[] = {
        {"sha256:" H64, true, BL_DIGEST_SHA256, NULL},
        {"sha512:" H128, true, BL_DIGEST_SHA512, NULL},
        {"sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", false, 0,
                "uppercase"},
        {"SHA256:" H64, false, 0, "unsupported algorithm"},
        {"sha256:../../../../etc/passwd", false, 0, "\"sha256:../../../../etc/passwd\""},
        {"sha256:"
         "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
                false, 0, "too few"},
        {"sha256:" H64 "0", false, 0, "too many"},
        {"sha256:" H64 " ", false, 0, "not a lowercase hex digit"},
        {"sha256:" H64 "\n", false, 0, "\\n"},
        {"sha512:" H64, false, 0, "too few"},
        {"sha384:" H64, false, 0, "unsupported algorithm"},
        {"md5:d41d8cd98f00b204e9800998ecf8427e", false, 0, "unsupported algorithm"},
        {"sha256:", false, 0, "too few"},
        {"sha256", false, 0, "no algorithm"},
        {"", false, 0, "empty"},
        {H64, false, 0, "no algorithm"},
        {"sha256:\x1b[31m", false, 0, "\\e[31m"},
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		struct bl_digest d;
		struct bl_error err;
		bl_error_clear(&err);
		bool ok = bl_digest_parse(c->in, &d, &err);
		if (ok != c->ok)
			fail_msg("case %zu (%s): got %d want %d: %s", i, c->in, ok, c->ok, err.msg);
		assert_int_equal(bl_digest_is_valid(c->in), c->ok);
		if (c->ok) {
			assert_int_equal(d.alg, c->alg);
			assert_string_equal(d.str, c->in);
			assert_true(bl_digest_is_set(&d));
		} else {
			assert_int_equal(err.code, BL_E_FORMAT);
			assert_false(bl_digest_is_set(&d));
			assert_int_equal(d.alg, BL_DIGEST_NONE);
			if (!strstr(err.msg, c->msg_part))
				fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg,
				        c->msg_part);
			assert_non_null(strstr(err.msg, "expected"));
		}
	}
}

static void test_parse_null_fails(void **state)
{
	(void)state;
	struct bl_digest d;
	struct bl_error err;
	assert_false(bl_digest_parse(NULL, &d, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
}

static void test_error_quotes_long_input_shortened(void **state)
{
	(void)state;
	char in[1000];
	memcpy(in, "sha256:", 7);
	memset(in + 7, 'z', sizeof in - 8);
	in[sizeof in - 1] = '\0';
	struct bl_digest d;
	struct bl_error err;
	assert_false(bl_digest_parse(in, &d, &err));
	assert_non_null(strstr(err.msg, "..."));
	assert_true(strlen(err.msg) < 250);
	/* Around the cut: up to 80 bytes are quoted whole. */
	for (size_t n = 75; n < 90; n++) {
		in[n] = '\0';
		assert_false(bl_digest_parse(in, &d, &err));
		assert_int_equal(strstr(err.msg, "...") != NULL, n > 80);
		in[n] = 'z';
	}
}

static void test_hex_short_and_alg_name(void **state)
{
	(void)state;
	struct bl_digest d;
	assert_true(bl_digest_parse("sha256:" H64, &d, NULL));
	assert_string_equal(bl_digest_hex(&d), H64);
	char s[20];
	bl_digest_short(&d, s, sizeof s);
	assert_string_equal(s, "sha256:ba7816bf8f01");
	assert_string_equal(bl_digest_alg_name(BL_DIGEST_SHA512), "sha512");
	bl_digest_clear(&d);
	assert_string_equal(bl_digest_hex(&d), "");
	bl_digest_short(&d, s, sizeof s);
	assert_string_equal(s, "");
}

static void test_equal_needs_both_set(void **state)
{
	(void)state;
	struct bl_digest a, b, none;
	bl_digest_parse("sha256:" H64, &a, NULL);
	bl_digest_parse("sha256:" H64, &b, NULL);
	bl_digest_clear(&none);
	assert_true(bl_digest_equal(&a, &b));
	assert_false(bl_digest_equal(&a, &none));
	assert_false(bl_digest_equal(&none, &none));
	b.str[10] = '0';
	assert_false(bl_digest_equal(&a, &b));
}

/* Expected values from: printf abc | sha256sum ; printf abc | sha512sum */
static void test_compute_matches_sha256sum_and_sha512sum(void **state)
{
	(void)state;
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, "abc", 3, &d);
	assert_string_equal(d.str, "sha256:" H64);
	assert_int_equal(d.alg, BL_DIGEST_SHA256);
	bl_digest_compute(BL_DIGEST_SHA512, "abc", 3, &d);
	assert_string_equal(d.str, "sha512:" H128);
	assert_true(bl_digest_is_valid(d.str));
	/* printf '' | sha256sum */
	bl_digest_compute(BL_DIGEST_SHA256, "", 0, &d);
	assert_string_equal(
	        d.str, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_incremental_equals_one_shot(void **state)
{
	(void)state;
	static char data[100000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (char)(i * 31 + 7);
	struct bl_digest one, inc;
	bl_digest_compute(BL_DIGEST_SHA256, data, sizeof data, &one);
	struct bl_hasher h;
	bl_hasher_init(&h, BL_DIGEST_SHA256);
	for (size_t off = 0; off < sizeof data; off += 777) {
		size_t n = sizeof data - off < 777 ? sizeof data - off : 777;
		bl_hasher_update(&h, data + off, n);
	}
	bl_hasher_final(&h, &inc);
	bl_hasher_fini(&h);
	assert_true(bl_digest_equal(&one, &inc));
}

/* a = printf a | sha256sum, b = printf b | sha256sum, c = printf c | sha256sum
 * chain(a,b) = printf '%s' "sha256:$A sha256:$B" | sha256sum
 * chain(chain(a,b),c) = printf '%s' "sha256:$CH sha256:$C" | sha256sum */
static void test_chain_matches_shell_computation(void **state)
{
	(void)state;
	struct bl_digest a, b, c, out;
	bl_digest_parse("sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
	        &a, NULL);
	bl_digest_parse("sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d",
	        &b, NULL);
	bl_digest_parse("sha256:2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6",
	        &c, NULL);
	bl_digest_chain(NULL, &a, &out);
	assert_true(bl_digest_equal(&out, &a));
	bl_digest_chain(&a, &b, &out);
	assert_string_equal(
	        out.str, "sha256:51c0c8ace48498d6f5fee6b0592cc06f2da0f3cbe09c5a34a97dce85c3889676");
	/* out may be the parent */
	bl_digest_chain(&out, &c, &out);
	assert_string_equal(
	        out.str, "sha256:2fce7f8ce91bcf0a1428b36e1024639fdbd9469eea762dba98aa749631885106");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_table),
	        cmocka_unit_test(test_parse_null_fails),
	        cmocka_unit_test(test_error_quotes_long_input_shortened),
	        cmocka_unit_test(test_hex_short_and_alg_name),
	        cmocka_unit_test(test_equal_needs_both_set),
	        cmocka_unit_test(test_compute_matches_sha256sum_and_sha512sum),
	        cmocka_unit_test(test_incremental_equals_one_shot),
	        cmocka_unit_test(test_chain_matches_shell_computation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
