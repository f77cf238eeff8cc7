#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"

struct parse_case {
	const char *in;
	enum bl_status code; /* BL_OK: parses */
	const char *msg_part;
};

static const struct parse_case parse_cases[] = {
        {"{\"a\":1}", BL_OK, NULL},
        {"[1,2,3]", BL_OK, NULL},
        {"  {}\n", BL_OK, NULL},
        {"{\"a\":1,\"a\":2}", BL_OK, NULL}, /* duplicates accepted, as Go does */
        {"\"str\"", BL_E_FORMAT, "line 1"},
        {"42", BL_E_FORMAT, "line 1"},
        {"null", BL_E_FORMAT, "line 1"},
        {"", BL_E_FORMAT, "line"},
        {"{\n\"a\": 1,\n  \"b\": }", BL_E_FORMAT, "line 3 column"},
        {"{\"a\":1}}", BL_E_FORMAT, "line 1"},
        {"[\"\x1b[2J\"", BL_E_FORMAT, "line"},
};

static void test_parse_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof parse_cases / sizeof parse_cases[0]; i++) {
		const struct parse_case *c = &parse_cases[i];
		struct bl_error err;
		bl_error_clear(&err);
		json_t *j = bl_json_parse(c->in, strlen(c->in), 1000, &err);
		if (c->code == BL_OK) {
			if (!j)
				fail_msg("case %zu: %s", i, err.msg);
			json_decref(j);
			continue;
		}
		assert_null(j);
		assert_int_equal(err.code, c->code);
		if (!strstr(err.msg, c->msg_part))
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, err.msg, c->msg_part);
		assert_null(strchr(err.msg, '\x1b'));
	}
}

static void test_duplicate_key_last_wins(void **state)
{
	(void)state;
	const char *in = "{\"a\":1,\"a\":2}";
	json_t *j = bl_json_parse(in, strlen(in), 100, NULL);
	int64_t v = 0;
	assert_true(bl_json_int(j, "a", &v));
	assert_int_equal(v, 2);
	json_decref(j);
}

static void test_over_cap_is_too_big_without_parsing(void **state)
{
	(void)state;
	/* Invalid JSON over the cap: the size check wins. */
	const char *in = "{{{{{{{{{{{{";
	struct bl_error err;
	assert_null(bl_json_parse(in, strlen(in), 5, &err));
	assert_int_equal(err.code, BL_E_TOO_BIG);
	/* Exactly at the cap parses. */
	json_t *j = bl_json_parse("{}", 2, 2, &err);
	assert_non_null(j);
	json_decref(j);
}

static void test_no_nul_needed(void **state)
{
	(void)state;
	char in[] = {'[', '1', ']', 'x', 'x'};
	json_t *j = bl_json_parse(in, 3, 100, NULL);
	assert_non_null(j);
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);
}

/* jansson alone accepts a NUL byte after a literal or a number. */
static void test_nul_byte_refused(void **state)
{
	(void)state;
	static const char in[] = "{\"a\":null\0}";
	struct bl_error err;
	bl_error_clear(&err);
	json_t *j = bl_json_parse(in, sizeof in - 1, 100, &err);
	assert_null(j);
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_string_equal(err.msg, "byte 9: NUL byte in the document");
	static const char num[] = "[1\0]";
	bl_error_clear(&err);
	assert_null(bl_json_parse(num, sizeof num - 1, 100, &err));
}

static void test_typed_lookups_refuse_other_types(void **state)
{
	(void)state;
	const char *in = "{\"s\":\"x\",\"i\":-7,\"b\":true,\"o\":{},\"a\":[],\"f\":1.5}";
	json_t *j = bl_json_parse(in, strlen(in), 1000, NULL);
	assert_non_null(j);
	assert_string_equal(bl_json_str(j, "s"), "x");
	assert_null(bl_json_str(j, "i"));
	assert_null(bl_json_str(j, "missing"));
	int64_t v = 0;
	assert_true(bl_json_int(j, "i", &v));
	assert_int_equal(v, -7);
	assert_false(bl_json_int(j, "f", &v));
	assert_false(bl_json_int(j, "s", &v));
	assert_true(bl_json_bool(j, "b", false));
	assert_false(bl_json_bool(j, "s", false));
	assert_true(bl_json_bool(j, "missing", true));
	assert_non_null(bl_json_obj(j, "o"));
	assert_null(bl_json_obj(j, "a"));
	assert_non_null(bl_json_arr(j, "a"));
	assert_null(bl_json_arr(j, "o"));
	json_t *arr = bl_json_arr(j, "a");
	assert_null(bl_json_str(arr, "s"));
	assert_null(bl_json_str(NULL, "s"));
	json_decref(j);
}

static void test_pretty_keeps_document_order_with_two_spaces(void **state)
{
	(void)state;
	const char *in = "{\"z\":1,\"a\":[true]}";
	json_t *j = bl_json_parse(in, strlen(in), 1000, NULL);
	char *p = bl_json_pretty(j);
	assert_string_equal(p, "{\n  \"z\": 1,\n  \"a\": [\n    true\n  ]\n}");
	char *c = bl_json_compact(j);
	assert_string_equal(c, "{\"z\":1,\"a\":[true]}");
	free(p);
	free(c);
	json_decref(j);
	json_t *s = json_string("x");
	p = bl_json_pretty(s);
	assert_string_equal(p, "\"x\"");
	free(p);
	json_decref(s);
}

/* The secret variant says where and what, and never quotes the input. */
static void test_parse_secret_quotes_nothing(void **state)
{
	(void)state;
	static const struct {
		const char *in, *msg;
	} cases[] = {
	        {"{\"p\":\"hunter2\\q\"}",
	                "line 1 column 15 (byte 15): invalid escape in a string"},
	        {"{\"p\":\"hunter2\\uD800\"}",
	                "line 1 column 20 (byte 20): invalid \\u escape in a string"},
	        {"{\"p\":\"hunter2\\u0000\"}", "line 1 column 20 (byte 20): \\u0000 in a string"},
	        {"{\"p\":\"hun\x02ter2\"}",
	                "line 1 column 9 (byte 9): control character in a string"},
	        {"{\"p\":\"hunter2", "line 1 column 13 (byte 13): premature end of input"},
	        {"{\"p\":\"hunter2\"} hunter2",
	                "line 1 column 22 (byte 22): text after the end of the document"},
	        {"{\"p\": hunter2}", "line 1 column 12 (byte 12): invalid token"},
	        {"hunter2", "line 1 column 6 (byte 6): '[' or '{' expected"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct bl_error err = {0};
		assert_null(bl_json_parse_secret(cases[i].in, strlen(cases[i].in), 1024, &err));
		assert_int_equal(err.code, BL_E_FORMAT);
		assert_string_equal(err.msg, cases[i].msg);
		/* the quoting variant would have said "near" the secret */
		assert_null(bl_json_parse(cases[i].in, strlen(cases[i].in), 1024, &err));
		assert_non_null(strstr(err.msg, "near"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_table),
	        cmocka_unit_test(test_duplicate_key_last_wins),
	        cmocka_unit_test(test_over_cap_is_too_big_without_parsing),
	        cmocka_unit_test(test_no_nul_needed),
	        cmocka_unit_test(test_nul_byte_refused),
	        cmocka_unit_test(test_typed_lookups_refuse_other_types),
	        cmocka_unit_test(test_pretty_keeps_document_order_with_two_spaces),
	        cmocka_unit_test(test_parse_secret_quotes_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
