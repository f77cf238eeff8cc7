/* The canvas: clipping, wide characters, hostile bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <locale.h>

#include "bakelens/term.h"

static void test_put_clips_to_width(void **state)
{
	(void)state;
	struct bl_canvas c;
	bl_canvas_init(&c, 10, 2);
	assert_int_equal(bl_canvas_put(&c, 2, 0, 5, BL_ROLE_DIGEST, "abcdefgh"), 5);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_canvas_dump(&c, &b);
	assert_string_equal(bl_buf_str(&b), "  abcde\n\n");
	assert_int_equal(bl_canvas_at(&c, 2, 0)->role, BL_ROLE_DIGEST);
	bl_buf_fini(&b);
	bl_canvas_fini(&c);
}

static void test_wide_characters_take_two_cells_and_never_split(void **state)
{
	(void)state;
	struct bl_canvas c;
	bl_canvas_init(&c, 5, 1);
	/* U+6F22 U+5B57: two wide characters, 4 columns; a third does not fit. */
	assert_int_equal(
	        bl_canvas_put(&c, 0, 0, 5, BL_ROLE_DEFAULT, "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2"),
	        4);
	assert_int_equal(bl_canvas_at(&c, 1, 0)->width, 0);
	/* Overwriting the right half blanks the left half. */
	bl_canvas_put(&c, 1, 0, 1, BL_ROLE_DEFAULT, "x");
	struct bl_buf b;
	bl_buf_init(&b);
	bl_canvas_row_text(&c, 0, &b);
	assert_string_equal(bl_buf_str(&b), " x\xe5\xad\x97");
	bl_buf_fini(&b);
	bl_canvas_fini(&c);
}

static void test_controls_and_invalid_utf8_never_reach_the_cells(void **state)
{
	(void)state;
	struct bl_canvas c;
	bl_canvas_init(&c, 20, 1);
	bl_canvas_put(&c, 0, 0, 20, BL_ROLE_DEFAULT,
	        "a\x1b[2J\n\xff\xc2\x9b"
	        "b");
	struct bl_buf b;
	bl_buf_init(&b);
	bl_canvas_row_text(&c, 0, &b);
	assert_string_equal(bl_buf_str(&b), "a?[2J???b");
	bl_buf_fini(&b);
	bl_canvas_fini(&c);
}

static void row(const struct bl_canvas *c, int y, struct bl_buf *b)
{
	bl_canvas_row_text(c, y, b);
}

/* "e" + U+0301 is one column: the mark joins the "e" in its cell (curses and
 * the terminal put it there too), it is not a '?' that shifts the row. */
static void test_combining_marks_join_the_character_before(void **state)
{
	(void)state;
	struct bl_canvas c;
	bl_canvas_init(&c, 12, 1);
	assert_int_equal(bl_canvas_put(&c, 0, 0, 12, BL_ROLE_DEFAULT, "cafe\xcc\x81|"), 5);
	assert_string_equal(bl_canvas_at(&c, 3, 0)->ch, "e\xcc\x81");
	assert_string_equal(bl_canvas_at(&c, 4, 0)->ch, "|");
	/* A mark with nothing before it in the same call is left out; a
	 * variation selector too; a zero-width space shows as '?'. */
	bl_canvas_clear(&c, BL_ROLE_DEFAULT);
	assert_int_equal(bl_canvas_put(&c, 0, 0, 12, BL_ROLE_DEFAULT,
	                         "\xcc\x81"
	                         "a\xef\xb8\x8f\xe2\x80\x8b"
	                         "b"),
	        3);
	struct bl_buf b;
	bl_buf_init(&b);
	row(&c, 0, &b);
	assert_string_equal(bl_buf_str(&b), "a?b");
	bl_buf_fini(&b);
	bl_canvas_fini(&c);
}

/* In a non-UTF-8 locale only ASCII may reach curses (it would print the
 * other bytes as ~X): '?' per column, so the layout's columns hold. */
static void test_ascii_canvas_draws_only_ascii_in_the_same_columns(void **state)
{
	(void)state;
	struct bl_canvas c;
	bl_canvas_init(&c, 20, 1);
	c.ascii = true;
	/* U+65E5 U+672C (wide), U+00E9, "e" U+0301, U+2026 */
	assert_int_equal(bl_canvas_put(&c, 0, 0, 20, BL_ROLE_DEFAULT,
	                         "\xe6\x97\xa5\xe6\x9c\xac|\xc3\xa9|e\xcc\x81|\xe2\x80\xa6|"),
	        11);
	struct bl_buf b;
	bl_buf_init(&b);
	row(&c, 0, &b);
	assert_string_equal(bl_buf_str(&b), "????|?|e|?|");
	for (const unsigned char *p = (const unsigned char *)bl_buf_str(&b); *p; p++)
		assert_true(*p < 0x80);
	/* Kept across a resize (C-l redraws by resizing). */
	bl_canvas_resize(&c, 4, 1);
	assert_true(c.ascii);
	bl_buf_fini(&b);
	bl_canvas_fini(&c);
}

/* In a UTF-8 locale the canvas measures with wcwidth(), as curses does when
 * it places characters: U+1F680 is two columns there (the built-in table says
 * one), so the '|' after it lands where the terminal shows it. */
static void test_locale_widths_follow_wcwidth(void **state)
{
	(void)state;
	if (!setlocale(LC_CTYPE, "C.UTF-8") || MB_CUR_MAX == 1) {
		setlocale(LC_CTYPE, "C");
		skip();
	}
	struct bl_canvas c;
	bl_canvas_init(&c, 10, 1);
	int used = bl_canvas_put(&c, 0, 0, 10, BL_ROLE_DEFAULT, "\xf0\x9f\x9a\x80|");
	setlocale(LC_CTYPE, "C");
	assert_int_equal(used, 3);
	assert_int_equal(bl_canvas_at(&c, 0, 0)->width, 2);
	assert_string_equal(bl_canvas_at(&c, 2, 0)->ch, "|");
	bl_canvas_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_put_clips_to_width),
	        cmocka_unit_test(test_wide_characters_take_two_cells_and_never_split),
	        cmocka_unit_test(test_controls_and_invalid_utf8_never_reach_the_cells),
	        cmocka_unit_test(test_combining_marks_join_the_character_before),
	        cmocka_unit_test(test_ascii_canvas_draws_only_ascii_in_the_same_columns),
	        cmocka_unit_test(test_locale_widths_follow_wcwidth),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
