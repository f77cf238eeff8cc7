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
        {"caf\xc3\xa9", 0, "caf\xc3\xa9"},                           /* é passes */
        {"\xe4\xb8\xad\xe6\x96\x87", 0, "\xe4\xb8\xad\xe6\x96\x87"}, /* 中文 passes */
        {"\xf0\x9f\x90\xb3", 0, "\xf0\x9f\x90\xb3"},                 /* U+1F433 passes */
        {"c1\xc2\x9b", 0, "c1\\u{9b}"},                              /* CSI as C1 control */
        {"c1\xc2\x85", 0, "c1\\u{85}"},                              /* NEL */
        {"\xc2\xa0", 0, "\xc2\xa0"},                                 /* U+00A0 is not a control */
        {"bidi\xe2\x80\xae", 0, "bidi\\u{202e}"},                    /* RLO */
        {"over\xc0\xaf", 0, "over\\xc0\\xaf"},                       /* overlong '/' */
        {"\xe0\x80\xaf", 0, "\\xe0\\x80\\xaf"},                      /* overlong 3-byte */
        {"sur\xed\xa0\x80", 0, "sur\\xed\\xa0\\x80"},                /* surrogate U+D800 */
        {"cut\xe4\xb8", 0, "cut\\xe4\\xb8"},                         /* truncated sequence */
        {"\xf4\x90\x80\x80", 0, "\\xf4\\x90\\x80\\x80"},             /* over U+10FFFF */
        {"\xff\xfe", 0, "\\xff\\xfe"},
        {"\x80x", 0, "\\x80x"}, /* lone continuation */
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
        {"", 0}, {"abc", 3}, {"caf\xc3\xa9", 4}, {"e\xcc\x81", 1}, /* e + combining acute */
        {"\xe4\xb8\xad\xe6\x96\x87", 4},                           /* 中文 */
        {"\xea\xb0\x80", 2},                                       /* Hangul syllable */
        {"\xef\xbc\xa1", 2},                                       /* fullwidth A */
        {"\xf0\x9f\x90\xb3", 2},                                   /* emoji U+1F433 */
        {"\xf0\xa0\x80\x80", 2},                                   /* U+20000 */
        {"a\tb", 2},                                               /* controls take no column */
        {"\xe2\x94\x80", 1},                                       /* box drawing */
        /* wide emoji outside the pictograph blocks; East Asian Width "W" per
         * python3 unicodedata.east_asian_width */
        {"\xf0\x9f\x9a\x80", 2}, /* U+1F680 rocket */
        {"\xe2\x8c\x9a", 2},     /* U+231A watch */
        {"\xf0\x9f\xa9\xb0", 2}, /* U+1FA70 */
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

struct utf8_case {
	const char *in;
	size_t len; /* bytes available */
	size_t n;   /* bytes read, 0: invalid */
	uint32_t cp;
};

/* Byte forms checked with: printf '\uXXXX' | od -An -tx1 */
static const struct utf8_case utf8_cases[] = {
        {"A", 1, 1, 0x41},
        {"\x7f", 1, 1, 0x7f},
        {"\xc2\x80", 2, 2, 0x80},
        {"\xc3\xa9", 2, 2, 0xe9},
        {"\xdf\xbf", 2, 2, 0x7ff},
        {"\xe0\xa0\x80", 3, 3, 0x800},
        {"\xe4\xb8\xad", 3, 3, 0x4e2d},
        {"\xed\x9f\xbf", 3, 3, 0xd7ff}, /* last before the surrogates */
        {"\xee\x80\x80", 3, 3, 0xe000}, /* first after them */
        {"\xef\xbf\xbf", 3, 3, 0xffff},
        {"\xf0\x90\x80\x80", 4, 4, 0x10000},
        {"\xf0\x9f\x90\xb3", 4, 4, 0x1f433},
        {"\xf4\x8f\xbf\xbf", 4, 4, 0x10ffff},
        {"ab", 2, 1, 0x61}, /* one code point at a time */
        {"\xc3\xa9x", 3, 2, 0xe9},
        {"\xed\xa0\x80", 3, 0, 0},     /* U+D800, a surrogate */
        {"\xed\xbf\xbf", 3, 0, 0},     /* U+DFFF */
        {"\xc0\xaf", 2, 0, 0},         /* over-long '/' */
        {"\xc1\xbf", 2, 0, 0},         /* over-long U+7F */
        {"\xe0\x80\xaf", 3, 0, 0},     /* over-long '/' in three bytes */
        {"\xe0\x9f\xbf", 3, 0, 0},     /* over-long U+7FF */
        {"\xf0\x80\x80\xaf", 4, 0, 0}, /* over-long '/' in four bytes */
        {"\xf0\x8f\xbf\xbf", 4, 0, 0}, /* over-long U+FFFF */
        {"\xf4\x90\x80\x80", 4, 0, 0}, /* U+110000 */
        {"\xf5\x80\x80\x80", 4, 0, 0},
        {"\xff", 1, 0, 0},
        {"\x80", 1, 0, 0}, /* a lone continuation byte */
        {"\xc3", 1, 0, 0}, /* truncated by len */
        {"\xe4\xb8\xad", 2, 0, 0},
        {"\xf0\x9f\x90\xb3", 3, 0, 0},
        {"\xe4\x41\xad", 3, 0, 0}, /* not a continuation byte */
        {"", 0, 0, 0},
};

static void test_utf8_decode_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		const struct utf8_case *c = &utf8_cases[i];
		uint32_t cp = 0xdeadbeef;
		size_t n = bl_utf8_decode(c->in, c->len, &cp);
		if (n != c->n)
			fail_msg("case %zu: read %zu want %zu", i, n, c->n);
		if (n > 0 && cp != c->cp)
			fail_msg("case %zu: U+%X want U+%X", i, (unsigned)cp, (unsigned)c->cp);
		if (n == 0 && cp != 0xdeadbeef)
			fail_msg("case %zu: cp written on failure", i);
	}
}

static void test_utf8_encode_writes_the_decoded_bytes(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof utf8_cases / sizeof utf8_cases[0]; i++) {
		const struct utf8_case *c = &utf8_cases[i];
		if (c->n == 0)
			continue;
		char out[4];
		size_t n = bl_utf8_encode(c->cp, out);
		if (n != c->n || memcmp(out, c->in, n) != 0)
			fail_msg("case %zu: U+%X encoded to %zu bytes", i, (unsigned)c->cp, n);
	}
}

static void test_utf8_encode_refuses_non_characters(void **state)
{
	(void)state;
	char out[4] = {'x', 'x', 'x', 'x'};
	assert_int_equal(bl_utf8_encode(0xd800, out), 0);
	assert_int_equal(bl_utf8_encode(0xdbff, out), 0);
	assert_int_equal(bl_utf8_encode(0xdfff, out), 0);
	assert_int_equal(bl_utf8_encode(0x110000, out), 0);
	assert_int_equal(bl_utf8_encode(UINT32_MAX, out), 0);
	assert_int_equal(bl_utf8_encode(0, out), 1);
	assert_int_equal(out[0], '\0');
}

static void test_utf8_round_trips_every_code_point(void **state)
{
	(void)state;
	for (uint32_t cp = 0; cp <= 0x10ffff; cp++) {
		char out[4];
		size_t n = bl_utf8_encode(cp, out);
		if (cp >= 0xd800 && cp <= 0xdfff) {
			assert_int_equal(n, 0);
			continue;
		}
		uint32_t back;
		if (n == 0 || bl_utf8_decode(out, n, &back) != n || back != cp)
			fail_msg("U+%X does not round-trip", (unsigned)cp);
	}
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
	        cmocka_unit_test(test_utf8_decode_table),
	        cmocka_unit_test(test_utf8_encode_writes_the_decoded_bytes),
	        cmocka_unit_test(test_utf8_encode_refuses_non_characters),
	        cmocka_unit_test(test_utf8_round_trips_every_code_point),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
