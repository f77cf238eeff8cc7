/* The canvas: clipping, wide characters, hostile bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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
	assert_int_equal(bl_canvas_put(&c, 0, 0, 5, BL_ROLE_DEFAULT,
				 "\xe6\xbc\xa2\xe5\xad\x97\xe6\xbc\xa2"), 4);
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
	bl_canvas_put(&c, 0, 0, 20, BL_ROLE_DEFAULT, "a\x1b[2J\n\xff\xc2\x9b" "b");
	struct bl_buf b;
	bl_buf_init(&b);
	bl_canvas_row_text(&c, 0, &b);
	assert_string_equal(bl_buf_str(&b), "a?[2J???b");
	bl_buf_fini(&b);
	bl_canvas_fini(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_clips_to_width),
		cmocka_unit_test(test_wide_characters_take_two_cells_and_never_split),
		cmocka_unit_test(test_controls_and_invalid_utf8_never_reach_the_cells),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
