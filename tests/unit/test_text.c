#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/text.h"

struct esc_case {
	const char *in;
	size_t len; /* 0: strlen */
	const char *out;
};

static const struct esc_case esc_cases[] = {
	{"plain ascii", 0, "plain ascii"},
	{"a\nb\tc\rd", 0, "a\\nb\\tc\\rd"},
	{"\x1b[31mred", 0, "\\e[31mred"},
	{"bell\x07", 0, "bell\\x07"},
	{"del\x7f", 0, "del\\x7f"},
	{"back\\slash", 0, "back\\slash"},
	{"nul\0x", 5, "nul\\x00x"},
	{"caf\xc3\xa9", 0, "caf\xc3\xa9"},            /* é passes */
	{"\xe4\xb8\xad\xe6\x96\x87", 0, "\xe4\xb8\xad\xe6\x96\x87"}, /* 中文 passes */
	{"\xf0\x9f\x90\xb3", 0, "\xf0\x9f\x90\xb3"},  /* U+1F433 passes */
	{"c1\xc2\x9b", 0, "c1\\u{9b}"},               /* CSI as C1 control */
	{"c1\xc2\x85", 0, "c1\\u{85}"},               /* NEL */
	{"\xc2\xa0", 0, "\xc2\xa0"},                  /* U+00A0 is not a control */
	{"bidi\xe2\x80\xae", 0, "bidi\\u{202e}"},     /* RLO */
	{"over\xc0\xaf", 0, "over\\xc0\\xaf"},        /* overlong '/' */
	{"\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf"},       /* overlong 3-byte */
	{"sur\xed\xa0\x80", 0, "sur\\xed\\xa0\\x80"}, /* surrogate U+D800 */
	{"cut\xe4\xb8", 0, "cut\\xe4\\xb8"},          /* truncated sequence */
	{"\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"}, /* over U+10FFFF */
	{"\xff\xfe", 0, "\\xff\\xfe"},
	{"\x80x", 0, "\\x80x"},                       /* lone continuation */
	{"", 0, ""},
};

static void test_escape_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof esc_cases / sizeof esc_cases[0]; i++) {
		const struct esc_case *c = &esc_cases[i];
		size_t len = c->len ? c->len : strlen(c->in);
		struct bl_buf b;
		bl_buf_init(&b);
		bl_text_escape(&b, c->in, len);
		if (strcmp(bl_buf_str(&b), c->out) != 0)
			fail_msg("case %zu: got \"%s\" want \"%s\"", i, bl_buf_str(&b), c->out);
		bool safe = strcmp(c->out, c->in) == 0 && len == strlen(c->in);
		if (bl_text_is_safe(c->in, len) != safe)
			fail_msg("case %zu: is_safe %d", i, !safe);
		bl_buf_fini(&b);
	}
}

static void test_escape_appends_to_existing_content(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, "name: ");
	bl_text_escape(&b, "x\n", 2);
	assert_string_equal(bl_buf_str(&b), "name: x\\n");
	bl_buf_fini(&b);
}

static void test_escaped_output_never_holds_controls(void **state)
{
	(void)state;
	/* Every 1- and 2-byte input. */
	unsigned char in[2];
	for (unsigned a = 0; a < 256; a++) {
		for (unsigned c = 0; c < 256; c++) {
			in[0] = (unsigned char)a;
			in[1] = (unsigned char)c;
			struct bl_buf b;
			bl_buf_init(&b);
			bl_text_escape(&b, (const char *)in, 2);
			for (size_t i = 0; i < b.len; i++) {
				unsigned char ch = (unsigned char)b.data[i];
				if (ch < 0x20 || ch == 0x7f)
					fail_msg("%02x %02x gives a control", a, c);
				if (ch == 0xc2 && i + 1 < b.len &&
					(unsigned char)b.data[i + 1] < 0xa0)
					fail_msg("%02x %02x gives a C1 control", a, c);
			}
			bl_buf_fini(&b);
		}
	}
}

static void test_safe_copies_and_null_is_empty(void **state)
{
	(void)state;
	char *s = bl_text_safe("tag\x1b");
	assert_string_equal(s, "tag\\e");
	free(s);
	s = bl_text_safe(NULL);
	assert_string_equal(s, "");
	free(s);
}

struct width_case {
	const char *in;
	size_t width;
};

static const struct width_case width_cases[] = {
	{"", 0},
	{"abc", 3},
	{"caf\xc3\xa9", 4},
	{"e\xcc\x81", 1},                   /* e + combining acute */
	{"\xe4\xb8\xad\xe6\x96\x87", 4},    /* 中文 */
	{"\xea\xb0\x80", 2},                /* Hangul syllable */
	{"\xef\xbc\xa1", 2},                /* fullwidth A */
	{"\xf0\x9f\x90\xb3", 2},            /* emoji U+1F433 */
	{"\xf0\xa0\x80\x80", 2},            /* U+20000 */
	{"a\tb", 2},                        /* controls take no column */
	{"\xe2\x94\x80", 1},                /* box drawing */
	/* wide emoji outside the pictograph blocks; East Asian Width "W" per
	 * python3 unicodedata.east_asian_width */
	{"\xf0\x9f\x9a\x80", 2},            /* U+1F680 rocket */
	{"\xe2\x8c\x9a", 2},                /* U+231A watch */
	{"\xf0\x9f\xa9\xb0", 2},            /* U+1FA70 */
};

static void test_width_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof width_cases / sizeof width_cases[0]; i++) {
		size_t w = bl_text_width(width_cases[i].in);
		if (w != width_cases[i].width)
			fail_msg("case %zu: width %zu want %zu", i, w, width_cases[i].width);
	}
	assert_int_equal(bl_text_width(NULL), 0);
}

struct size_case {
	int64_t bytes;
	const char *out;
};

static const struct size_case size_cases[] = {
	{0, "0 B"},
	{1, "1 B"},
	{512, "512 B"},
	{1023, "1023 B"},
	{1024, "1.0 KiB"},
	{1536, "1.5 KiB"},
	{1048575, "1.0 MiB"},
	{1048576, "1.0 MiB"},
	{12582912, "12.0 MiB"},
	{(int64_t)3 << 30, "3.0 GiB"},
	{(int64_t)5 << 40, "5.0 TiB"},
	{INT64_MAX, "8.0 EiB"},
	{-1, "?"},
};

static void test_size_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof size_cases / sizeof size_cases[0]; i++) {
		char out[32];
		bl_text_size(size_cases[i].bytes, out, sizeof out);
		if (strcmp(out, size_cases[i].out) != 0)
			fail_msg("case %zu: got %s want %s", i, out, size_cases[i].out);
	}
}

static void test_size_truncates_to_buffer(void **state)
{
	(void)state;
	char out[4];
	bl_text_size(1536, out, sizeof out);
	assert_string_equal(out, "1.5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_escape_appends_to_existing_content),
		cmocka_unit_test(test_escaped_output_never_holds_controls),
		cmocka_unit_test(test_safe_copies_and_null_is_empty),
		cmocka_unit_test(test_width_table),
		cmocka_unit_test(test_size_table),
		cmocka_unit_test(test_size_truncates_to_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
