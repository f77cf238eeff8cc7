/* Standard base64: RFC 4648 vectors, padding, round trips, bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/base64.h"

/* RFC 4648 section 10. */
static const char *const rfc_vectors[][2] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
};

static void test_rfc4648_vectors_both_ways(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof rfc_vectors / sizeof rfc_vectors[0]; i++) {
		const char *plain = rfc_vectors[i][0], *enc = rfc_vectors[i][1];
		struct bl_buf b;
		bl_buf_init(&b);
		bl_base64_encode(plain, strlen(plain), &b);
		assert_non_null(b.data);
		assert_string_equal(b.data, enc);
		bl_buf_clear(&b);
		assert_true(bl_base64_decode(enc, &b));
		assert_non_null(b.data);
		assert_int_equal(b.len, strlen(plain));
		assert_string_equal(b.data, plain);
		bl_buf_fini(&b);
	}
}

static void test_base64_pads_like_coreutils(void **state)
{
	(void)state;
	/* printf a | base64 -> YQ==; printf ab | base64 -> YWI= */
	struct bl_buf b;
	bl_buf_init(&b);
	bl_base64_encode("a", 1, &b);
	assert_string_equal(bl_buf_str(&b), "YQ==");
	bl_buf_clear(&b);
	bl_base64_encode("ab", 2, &b);
	assert_string_equal(bl_buf_str(&b), "YWI=");
	bl_buf_clear(&b);
	bl_base64_encode("", 0, &b);
	assert_string_equal(bl_buf_str(&b), "");
	bl_buf_fini(&b);
}

static void test_encode_and_decode_append(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, "x=");
	bl_base64_encode("foo", 3, &b);
	assert_string_equal(b.data, "x=Zm9v");
	assert_true(bl_base64_decode("YmFy", &b));
	assert_string_equal(b.data, "x=Zm9vbar");
	assert_int_equal(b.len, 9);
	bl_buf_fini(&b);
}

static void test_every_byte_value_round_trips(void **state)
{
	(void)state;
	unsigned char all[256];
	for (size_t i = 0; i < sizeof all; i++)
		all[i] = (unsigned char)i;
	/* every length 0..256 covers the three tail cases many times */
	for (size_t n = 0; n <= sizeof all; n++) {
		struct bl_buf enc, dec;
		bl_buf_init(&enc);
		bl_buf_init(&dec);
		bl_base64_encode(all + sizeof all - n, n, &enc);
		assert_int_equal(enc.len, (n + 2) / 3 * 4);
		assert_true(bl_base64_decode(enc.data, &dec));
		assert_int_equal(dec.len, n);
		if (n > 0)
			assert_memory_equal(dec.data, all + sizeof all - n, n);
		bl_buf_fini(&enc);
		bl_buf_fini(&dec);
	}
}

static void test_output_uses_plus_and_slash(void **state)
{
	(void)state;
	/* printf '\373\377\277' | base64 -> +/+/ */
	struct bl_buf b;
	bl_buf_init(&b);
	bl_base64_encode("\xfb\xff\xbf", 3, &b);
	assert_string_equal(b.data, "+/+/");
	bl_buf_clear(&b);
	assert_true(bl_base64_decode("+/+/", &b));
	assert_memory_equal(b.data, "\xfb\xff\xbf", 3);
	bl_buf_fini(&b);
}

struct b64_case {
	const char *in;
	bool ok;
	const char *out;
};

/* Expected outputs checked with: printf '%s' <in> | base64 -d */
static const struct b64_case b64_cases[] = {
        {"", true, ""},
        {"Zg==", true, "f"},
        {"Zg", true, "f"},
        {"Zm8=", true, "fo"},
        {"Zm9v", true, "foo"},
        {"dXNlcjpwYXNzd29yZA==", true, "user:password"},
        {"dXNlcjpwYXNzd29yZA", true, "user:password"},
        {"Z", false, NULL},
        {"Zm9v!", false, NULL},
        {"Zg=", false, NULL},
        {"Z===", false, NULL},
        {"Zm=9v", false, NULL},
        {"Zm9v\n", false, NULL},
        {"Zm 9v", false, NULL},
        {"Zm9v-_", false, NULL}, /* the URL-safe alphabet is not standard base64 */
        {"Zg===", false, NULL},
        {"=", false, NULL},
};

static void test_base64_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof b64_cases / sizeof b64_cases[0]; i++) {
		const struct b64_case *c = &b64_cases[i];
		struct bl_buf b;
		bl_buf_init(&b);
		bool ok = bl_base64_decode(c->in, &b);
		if (ok != c->ok)
			fail_msg("case %zu (%s): got %d", i, c->in, ok);
		if (ok) {
			assert_int_equal(b.len, strlen(c->out));
			assert_string_equal(bl_buf_str(&b), c->out);
		}
		bl_buf_fini(&b);
	}
}

static void test_bad_input_leaves_buffer_as_it_was(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, "keep");
	assert_false(bl_base64_decode("Zm9vYm!y", &b)); /* fails after decoding some */
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "keep");
	assert_false(bl_base64_decode(NULL, &b));
	assert_int_equal(b.len, 4);
	bl_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_rfc4648_vectors_both_ways),
	        cmocka_unit_test(test_base64_pads_like_coreutils),
	        cmocka_unit_test(test_encode_and_decode_append),
	        cmocka_unit_test(test_every_byte_value_round_trips),
	        cmocka_unit_test(test_output_uses_plus_and_slash),
	        cmocka_unit_test(test_base64_table),
	        cmocka_unit_test(test_bad_input_leaves_buffer_as_it_was),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
