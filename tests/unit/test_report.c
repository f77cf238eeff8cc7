/* The report escapers (bl_text_escape_md, bl_text_escape_html) with hostile
 * strings, and the reports of the example build built from them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/compare.h"
#include "bakelens/text.h"
#include "../../src/cli/cli_internal.h"
#include "example.h"

static char *md(const char *s, size_t len)
{
	struct bl_buf b;
	bl_buf_init(&b);
	bl_text_escape_md(&b, s, len ? len : strlen(s));
	bl_buf_putc(&b, '\0');
	return bl_buf_take(&b);
}

static char *html(const char *s, size_t len)
{
	struct bl_buf b;
	bl_buf_init(&b);
	bl_text_escape_html(&b, s, len ? len : strlen(s));
	bl_buf_putc(&b, '\0');
	return bl_buf_take(&b);
}

struct esc_case {
	const char *in;
	size_t len; /* 0: strlen */
	const char *out;
};

static void check(char *(*f)(const char *, size_t), const struct esc_case *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *got = f(c[i].in, c[i].len);
		if (strcmp(got, c[i].out) != 0)
			fail_msg("case %zu: \"%s\": expected \"%s\", got \"%s\"", i, c[i].in,
			        c[i].out, got);
		free(got);
	}
}

static void test_md_escapes_every_syntax_character(void **state)
{
	(void)state;
	static const struct esc_case cases[] = {
	        {"plain text 42", 0, "plain text 42"},
	        {"<script>alert(1)</script>", 0, "&lt;script&gt;alert\\(1\\)&lt;/script&gt;"},
	        {"[x](http://evil)", 0, "\\[x\\]\\(http\\://evil\\)"},
	        {"![i](http://evil/i.png)", 0, "\\!\\[i\\]\\(http\\://evil/i\\.png\\)"},
	        {"| a | b |", 0, "\\| a \\| b \\|"},
	        {"line1\nline2", 0, "line1\\\\nline2"}, /* \n as the text output shows it */
	        {"\x1b[31mred", 0, "\\\\e\\[31mred"},
	        {"<img src=x onerror=alert(1)>", 0, "&lt;img src\\=x onerror\\=alert\\(1\\)&gt;"},
	        {"`code` *em* _u_ **b**", 0, "\\`code\\` \\*em\\* \\_u\\_ \\*\\*b\\*\\*"},
	        {"# h", 0, "\\# h"},
	        {"1. item", 0, "1\\. item"},
	        {"- item + x", 0, "\\- item \\+ x"},
	        {"~~s~~ {a} $x$", 0, "\\~\\~s\\~\\~ \\{a\\} \\$x\\$"},
	        {"www.evil.com", 0, "www\\.evil\\.com"},
	        {"a@b.c", 0, "a\\@b\\.c"},
	        {"&lt; &amp;", 0, "&amp;lt; &amp;amp;"},
	        {"back\\slash", 0, "back\\\\slash"},
	        {"nul\0x", 5, "nul\\\\x00x"},
	        {"caf\xc3\xa9", 0, "caf\xc3\xa9"},
	        {"bidi\xe2\x80\xae", 0, "bidi\\\\u\\{202e\\}"},
	        {"\xff", 0, "\\\\xff"},
	};
	check(md, cases, sizeof cases / sizeof cases[0]);
}

static void test_html_escapes_entities_and_controls(void **state)
{
	(void)state;
	static const struct esc_case cases[] = {
	        {"plain [x](y) | *", 0, "plain [x](y) | *"},
	        {"<script>alert(1)</script>", 0, "&lt;script&gt;alert(1)&lt;/script&gt;"},
	        {"<img src=x onerror=alert(1)>", 0, "&lt;img src=x onerror=alert(1)&gt;"},
	        {"a&b \"q\" 'p'", 0, "a&amp;b &quot;q&quot; &#39;p&#39;"},
	        {"line1\nline2\r", 0, "line1\\nline2\\r"},
	        {"\x1b[31mred\x07", 0, "\\e[31mred\\x07"},
	        {"nul\0x", 5, "nul\\x00x"},
	        {"\xe4\xb8\xad", 0, "\xe4\xb8\xad"},
	        {"\xc0\xaf", 0, "\\xc0\\xaf"},
	};
	check(html, cases, sizeof cases / sizeof cases[0]);
}

/* Whatever the bytes, the Markdown form has no raw '<', '|' unescaped,
 * newline or control: it cannot leave a table cell or start HTML. */
static void test_md_output_never_breaks_a_cell(void **state)
{
	(void)state;
	char in[256];
	for (int i = 0; i < 256; i++)
		in[i] = (char)i;
	char *got = md(in, sizeof in);
	for (const char *p = got; *p; p++) {
		unsigned char c = (unsigned char)*p;
		assert_true(c >= 0x20 && c != 0x7f);
		assert_true(c != '<' && c != '>');
		assert_true(c != '|'); /* only as "\|", skipped below */
		if (c == '\\') {       /* every backslash escapes the next character */
			assert_true(p[1] != '\0');
			p++;
		}
	}
	free(got);
	got = html(in, sizeof in);
	for (const char *p = got; *p; p++) {
		unsigned char c = (unsigned char)*p;
		assert_true(c >= 0x20 && c != 0x7f);
		assert_true(c != '<' && c != '>' && c != '"' && c != '\'');
	}
	free(got);
}

/* The reports of the example build against itself: the headline first,
 * one table row per target with a cell per platform, the HTML a page with
 * no script or URL. */
static void test_reports_of_the_example_build(void **state)
{
	(void)state;
	const char *out = example_out();
	if (!out)
		skip();
	char meta[4200];
	snprintf(meta, sizeof meta, "%s/../metadata.json", out);
	const char *args[] = {meta, out};
	struct bl_build *a = NULL, *b = NULL;
	struct bl_error err = {0};
	assert_true(bl_build_load(args, 2, NULL, &a, &err));
	assert_true(bl_build_load(args, 2, NULL, &b, &err));
	struct bl_cmp *cmp = bl_cmp_builds(a, b, NULL);
	struct bl_vec sides;
	bl_vec_init(&sides, NULL);
	bl_vec_push_take(&sides, (void *)"x");
	struct cli_report_diff d = {cmp, &sides, &sides};
	struct bl_buf m;
	bl_buf_init(&m);
	cli_report_diff_md(&d, &m);
	const char *s = bl_buf_str(&m);
	assert_true(strncmp(s, "**bakelens diff**: identical\n", 29) == 0);
	assert_non_null(strstr(s, "| Target | linux/amd64 | linux/arm64 |\n| --- | --- | --- |\n"));
	assert_non_null(strstr(s, "| app | identical `sha256:"));
	bl_buf_clear(&m);
	cli_report_diff_html(&d, &m);
	s = bl_buf_str(&m);
	assert_true(strncmp(s, "<!DOCTYPE html>", 15) == 0);
	assert_non_null(strstr(s, "<p class=\"summary same\" id=\"summary\">identical</p>"));
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "http"));
	bl_buf_clear(&m);
	cli_report_inspect_md(a, &m);
	s = bl_buf_str(&m);
	assert_true(
	        strncmp(s, "**bakelens inspect**: 2 targets, 3 images, every node ok\n", 57) == 0);
	bl_buf_fini(&m);
	bl_vec_fini(&sides);
	bl_cmp_free(cmp);
	bl_build_free(a);
	bl_build_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_md_escapes_every_syntax_character),
	        cmocka_unit_test(test_html_escapes_entities_and_controls),
	        cmocka_unit_test(test_md_output_never_breaks_a_cell),
	        cmocka_unit_test(test_reports_of_the_example_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
