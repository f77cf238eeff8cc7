/* Styled documents: lines of spans, escaping, wrapping, folding, JSON and
 * markdown rendering, and the document view over them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "bakelens/text.h"
#include "bakelens/view.h"

/* The document's lines joined with '\n' (a test-only rendering). */
static char *doc_text(const struct bl_doc *d)
{
	struct bl_buf all, line;
	bl_buf_init(&all);
	bl_buf_init(&line);
	bl_buf_puts(&all, "");
	for (size_t i = 0; i < d->len; i++) {
		bl_doc_line_text(d, i, &line);
		if (i)
			bl_buf_putc(&all, '\n');
		bl_buf_puts(&all, bl_buf_str(&line));
	}
	bl_buf_fini(&line);
	return bl_buf_take(&all);
}

static void assert_doc(const struct bl_doc *d, const char *want)
{
	char *got = doc_text(d);
	assert_string_equal(got, want);
	free(got);
}

static void test_spans_join_into_lines(void **state)
{
	(void)state;
	struct bl_doc d;
	bl_doc_init(&d);
	bl_doc_add(&d, BL_ROLE_FACT_KEY, "key: ");
	bl_doc_add(&d, BL_ROLE_DIGEST, "sha256:ab");
	bl_doc_newline(&d);
	bl_doc_add(&d, BL_ROLE_DEFAULT, NULL);
	bl_doc_newline(&d);
	bl_doc_add(&d, BL_ROLE_NAME, "end");
	assert_int_equal(d.len, 3);
	assert_int_equal(d.lines[0].len, 2);
	assert_int_equal(d.lines[0].spans[1].role, BL_ROLE_DIGEST);
	assert_doc(&d, "key: sha256:ab\n\nend");
	/* past the end: empty */
	struct bl_buf b;
	bl_buf_init(&b);
	bl_doc_line_text(&d, 9, &b);
	assert_string_equal(bl_buf_str(&b), "");
	bl_buf_fini(&b);
	bl_doc_clear(&d);
	assert_int_equal(d.len, 0);
	bl_doc_add(&d, BL_ROLE_DEFAULT, "again");
	assert_doc(&d, "again");
	bl_doc_fini(&d);
}

static void test_raw_text_is_escaped(void **state)
{
	(void)state;
	struct bl_doc d;
	bl_doc_init(&d);
	bl_doc_add_raw(&d, BL_ROLE_NAME,
	        "a\x1b]52;c;QQ==\a\xff"
	        "b");
	char *got = doc_text(&d);
	assert_string_equal(got, "a\\e]52;c;QQ==\\x07\\xffb");
	assert_true(bl_text_is_safe(got, strlen(got)));
	free(got);
	bl_doc_fini(&d);
}

static void test_max_lines_truncates(void **state)
{
	(void)state;
	struct bl_doc d;
	bl_doc_init(&d);
	d.max_lines = 2;
	bl_doc_add(&d, BL_ROLE_DEFAULT, "one");
	bl_doc_newline(&d);
	bl_doc_add(&d, BL_ROLE_DEFAULT, "two");
	assert_false(d.truncated);
	bl_doc_newline(&d);
	assert_true(d.truncated);
	bl_doc_add(&d, BL_ROLE_DEFAULT, "three");
	assert_doc(&d, "one\ntwo");
	bl_doc_fini(&d);
}

/* Words break at the last space that fits; continuation lines indented. */
static void test_wrap_breaks_at_spaces_and_indents(void **state)
{
	(void)state;
	struct bl_doc d;
	bl_doc_init(&d);
	bl_doc_wrap(&d, BL_ROLE_DEFAULT, "the quick brown fox jumps over", 12, 2);
	assert_doc(&d, "the quick \n  brown fox \n  jumps over");
	for (size_t i = 0; i < d.len; i++) {
		struct bl_buf b;
		bl_buf_init(&b);
		bl_doc_line_text(&d, i, &b);
		assert_true(bl_text_width(bl_buf_str(&b)) <= 12);
		bl_buf_fini(&b);
	}
	/* it continues the current line, and newlines start indented lines */
	bl_doc_clear(&d);
	bl_doc_add(&d, BL_ROLE_FACT_KEY, "Cmd: ");
	bl_doc_wrap(&d, BL_ROLE_DEFAULT, "sh -c make\nsecond", 20, 5);
	assert_doc(&d, "Cmd: sh -c make\n     second");
	assert_int_equal(d.lines[0].spans[1].role, BL_ROLE_DEFAULT);
	/* a word longer than the line is cut, not lost */
	bl_doc_clear(&d);
	bl_doc_wrap(&d, BL_ROLE_DIGEST, "sha256:0123456789abcdef", 10, 0);
	assert_doc(&d, "sha256:012\n3456789abc\ndef");
	bl_doc_fini(&d);
}

/* Folding breaks wide lines hard, keeps roles, indents by the line's own
 * indent plus two, and leaves lines before `from` alone. */
static void test_fold_breaks_wide_lines_keeping_roles(void **state)
{
	(void)state;
	struct bl_doc d;
	bl_doc_init(&d);
	bl_doc_add(&d, BL_ROLE_DEFAULT, "a line wider than ten");
	bl_doc_newline(&d);
	bl_doc_add(&d, BL_ROLE_DEFAULT, "  ");
	bl_doc_add(&d, BL_ROLE_JSON_KEY, "\"k\": ");
	bl_doc_add(&d, BL_ROLE_JSON_STRING, "\"0123456789\"");
	bl_doc_newline(&d);
	bl_doc_add(&d, BL_ROLE_DEFAULT, "short");
	bl_doc_fold(&d, 1, 10);
	assert_doc(&d, "a line wider than ten\n"
	               "  \"k\": \"01\n"
	               "    234567\n"
	               "    89\"\n"
	               "short");
	/* the pieces of the string keep its role; the indent is plain */
	assert_int_equal(d.lines[1].spans[2].role, BL_ROLE_JSON_STRING);
	assert_int_equal(d.lines[2].spans[0].role, BL_ROLE_DEFAULT);
	assert_int_equal(d.lines[2].spans[1].role, BL_ROLE_JSON_STRING);
	/* nothing wider: nothing changes */
	bl_doc_fold(&d, 0, 30);
	assert_int_equal(d.len, 5);
	bl_doc_fini(&d);
}

static void test_json_is_pretty_printed_with_roles(void **state)
{
	(void)state;
	json_t *j = json_loads("{\"b\":[true,null,1.5],\"a\":7,\"s\":\"x\\\"y\\u001b\","
	                       "\"e\":{},\"z\":[]}",
	        0, NULL);
	assert_non_null(j);
	struct bl_doc d;
	bl_doc_init(&d);
	bl_doc_json(&d, j);
	assert_doc(&d, "{\n"
	               "  \"b\": [\n"
	               "    true,\n"
	               "    null,\n"
	               "    1.5\n"
	               "  ],\n"
	               "  \"a\": 7,\n"
	               "  \"s\": \"x\\\"y\\e\",\n"
	               "  \"e\": {},\n"
	               "  \"z\": []\n"
	               "}");
	/* line 6: indent, key, ": ", number, "," */
	const struct bl_doc_line *l = &d.lines[6];
	assert_int_equal(l->len, 5);
	assert_int_equal(l->spans[1].role, BL_ROLE_JSON_KEY);
	assert_int_equal(l->spans[2].role, BL_ROLE_JSON_PUNCT);
	assert_int_equal(l->spans[3].role, BL_ROLE_JSON_NUMBER);
	assert_int_equal(d.lines[2].spans[1].role, BL_ROLE_JSON_LITERAL);
	assert_int_equal(d.lines[7].spans[3].role, BL_ROLE_JSON_STRING);
	/* NULL adds nothing */
	size_t len = d.len;
	bl_doc_json(&d, NULL);
	assert_int_equal(d.len, len);
	bl_doc_fini(&d);
	json_decref(j);
}

/* Headings as lines of their own, paragraphs joined and re-wrapped, one
 * blank line between blocks at most. */
static void test_markdown_headings_and_paragraphs(void **state)
{
	(void)state;
	struct bl_doc d;
	bl_doc_init(&d);
	bl_doc_markdown(&d,
	        "# Title\n\n\nSome `code` text that is\nlong enough to wrap here.\n"
	        "# Next\nshort",
	        20);
	assert_doc(&d, "Title\n"
	               "\n"
	               "Some `code` text \n"
	               "that is long enough \n"
	               "to wrap here.\n"
	               "\n"
	               "Next\n"
	               "short");
	assert_int_equal(d.lines[0].spans[0].role, BL_ROLE_HEADING);
	assert_int_equal(d.lines[6].spans[0].role, BL_ROLE_HEADING);
	assert_int_equal(d.lines[2].spans[0].role, BL_ROLE_DEFAULT);
	bl_doc_fini(&d);
}

static void test_markdown_escapes_controls(void **state)
{
	(void)state;
	struct bl_doc d;
	bl_doc_init(&d);
	bl_doc_markdown(&d, "# T\x1b[2J\nbody \x07 bell", 40);
	assert_doc(&d, "T\\e[2J\nbody \\x07 bell");
	bl_doc_fini(&d);
}

/* The document view scrolls (no cursor) and searches the lines' text. */
static void test_docview_scrolls_and_searches(void **state)
{
	(void)state;
	struct bl_doc d;
	bl_doc_init(&d);
	for (int i = 0; i < 30; i++) {
		char line[16];
		snprintf(line, sizeof line, "row %d", i);
		bl_doc_newline(&d);
		bl_doc_add(&d, BL_ROLE_DEFAULT, line);
	}
	struct bl_view v;
	bl_docview_init(&v, &d, BL_SCOPE_PAGER);
	assert_string_equal(v.ops->name, "pager");
	assert_int_equal(v.ops->scope, BL_SCOPE_PAGER);
	assert_false(v.ops->has_cursor);
	struct bl_canvas c;
	bl_canvas_init(&c, 20, 10);
	bl_view_draw(&v, &c, 0, 0, 20, 10, BL_ROLE_CURSOR);
	assert_int_equal(bl_view_do(&v, BL_ACTION_PAGE_DOWN), BL_HANDLED);
	assert_int_equal(v.top, 9);
	assert_int_equal(bl_view_search(&v, "ROW 25", 1), BL_MOVED);
	assert_int_equal(v.top, 20); /* the last screenful */
	bl_view_draw(&v, &c, 0, 0, 20, 10, BL_ROLE_CURSOR);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_canvas_row_text(&c, 0, &b);
	assert_string_equal(bl_buf_str(&b), "row 20");
	bl_canvas_row_text(&c, 9, &b);
	assert_string_equal(bl_buf_str(&b), "row 29");
	bl_buf_fini(&b);
	bl_canvas_fini(&c);
	bl_view_fini(&v);
	bl_docview_init(&v, &d, BL_SCOPE_DETAIL);
	assert_string_equal(v.ops->name, "detail");
	bl_view_fini(&v);
	bl_doc_fini(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_spans_join_into_lines),
	        cmocka_unit_test(test_raw_text_is_escaped),
	        cmocka_unit_test(test_max_lines_truncates),
	        cmocka_unit_test(test_wrap_breaks_at_spaces_and_indents),
	        cmocka_unit_test(test_fold_breaks_wide_lines_keeping_roles),
	        cmocka_unit_test(test_json_is_pretty_printed_with_roles),
	        cmocka_unit_test(test_markdown_headings_and_paragraphs),
	        cmocka_unit_test(test_markdown_escapes_controls),
	        cmocka_unit_test(test_docview_scrolls_and_searches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
