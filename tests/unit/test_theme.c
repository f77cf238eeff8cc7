/* Themes: colour names, parsing with diagnostics, embedded themes, fallback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bakelens/theme.h"

static void test_color_parse_table(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		bool ok;
		short c;
	} cases[] = {
	        {"default", true, -1},
	        {"red", true, 1},
	        {"bright-red", true, 9},
	        {"color244", true, 244},
	        {"17", true, 17},
	        {"color256", false, 0},
	        {"pink", false, 0},
	        {"", false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		short c = 99;
		assert_int_equal(bl_color_parse(cases[i].s, &c), cases[i].ok);
		if (cases[i].ok)
			assert_int_equal(c, cases[i].c);
	}
}

static void test_256_colours_map_to_the_nearest_basic_one(void **state)
{
	(void)state;
	assert_int_equal(bl_color_to_8(196), 1); /* pure red */
	assert_int_equal(bl_color_to_8(46), 2);  /* pure green */
	assert_int_equal(bl_color_to_8(21), 4);  /* pure blue */
	assert_int_equal(bl_color_to_8(231), 7); /* white */
	assert_int_equal(bl_color_to_8(9), 1);   /* bright red -> red */
	assert_int_equal(bl_color_to_8(-1), -1);
}

static void test_every_embedded_theme_parses_cleanly_and_sets_every_role(void **state)
{
	(void)state;
	const char *names[] = {"default", "light", "high-contrast", "mono"};
	for (size_t i = 0; i < 4; i++) {
		struct bl_theme t;
		struct bl_vec diags;
		bl_vec_init(&diags, free);
		bl_theme_init_default(&t);
		assert_true(bl_theme_load(&t, names[i], &diags));
		if (diags.len)
			fail_msg("%s: %s", names[i], (char *)diags.items[0]);
		assert_string_equal(t.name, names[i]);
		bl_theme_fini(&t);
		bl_vec_fini(&diags);
	}
	struct bl_theme t;
	bl_theme_init_default(&t);
	/* default.theme sets the cursor on cyan. */
	assert_int_equal(t.roles[BL_ROLE_CURSOR].bg, 6);
	bl_theme_fini(&t);
}

static void test_bad_theme_lines_keep_the_default_and_say_where(void **state)
{
	(void)state;
	struct bl_theme t;
	struct bl_vec diags;
	bl_vec_init(&diags, free);
	bl_theme_init_default(&t);
	struct bl_style before = t.roles[BL_ROLE_DIGEST];
	bl_theme_parse(&t, "x.theme",
	        "color digest pink\ncolor nosuch red\ncolor size red blue bold\nfoo\n", &diags);
	assert_int_equal(diags.len, 3);
	assert_string_equal(diags.items[0], "x.theme:1:14: unknown colour 'pink'");
	assert_string_equal(diags.items[1], "x.theme:2:7: unknown colour role 'nosuch'");
	assert_non_null(strstr(diags.items[2], "x.theme:4:1: unknown directive"));
	assert_int_equal(t.roles[BL_ROLE_DIGEST].fg, before.fg);
	assert_int_equal(t.roles[BL_ROLE_SIZE].fg, 1);
	assert_int_equal(t.roles[BL_ROLE_SIZE].bg, 4);
	assert_int_equal(t.roles[BL_ROLE_SIZE].attrs, BL_ATTR_BOLD);
	bl_theme_fini(&t);
	bl_vec_fini(&diags);
}

static void test_unknown_theme_falls_back_to_default(void **state)
{
	(void)state;
	struct bl_theme t;
	struct bl_vec diags;
	bl_vec_init(&diags, free);
	bl_theme_init_default(&t);
	setenv("XDG_CONFIG_HOME", "/nonexistent", 1);
	assert_false(bl_theme_load(&t, "nosuch", &diags));
	assert_int_equal(diags.len, 1);
	assert_string_equal(t.name, "default");
	bl_theme_fini(&t);
	bl_vec_fini(&diags);
}

static void test_no_colour_keeps_the_cursor_visible(void **state)
{
	(void)state;
	struct bl_theme t;
	bl_theme_init_default(&t);
	bl_theme_degrade(&t, 0);
	for (int r = 0; r < BL_ROLE_COUNT; r++) {
		assert_int_equal(t.roles[r].fg, BL_COLOR_DEFAULT);
		assert_int_equal(t.roles[r].bg, BL_COLOR_DEFAULT);
	}
	assert_true(t.roles[BL_ROLE_CURSOR].attrs & BL_ATTR_REVERSE);
	assert_true(t.roles[BL_ROLE_STATUS].attrs & BL_ATTR_REVERSE);
	bl_theme_fini(&t);
	bl_theme_init_default(&t);
	bl_theme_degrade(&t, 8);
	for (int r = 0; r < BL_ROLE_COUNT; r++)
		assert_true(t.roles[r].fg < 8 && t.roles[r].bg < 8);
	bl_theme_fini(&t);
}

/* With 8 colours a grey (color240 borders, color242 guides) used to become
 * black: invisible on a dark terminal. It is the terminal's colour, dimmed. */
static void test_eight_colours_keep_grey_text_readable(void **state)
{
	(void)state;
	struct bl_theme t;
	bl_theme_init_default(&t);
	assert_true(t.roles[BL_ROLE_BORDER].fg >= 232 || t.roles[BL_ROLE_BORDER].fg == 240);
	bl_theme_degrade(&t, 8);
	const int greys[] = {BL_ROLE_BORDER, BL_ROLE_GUIDE, BL_ROLE_JSON_PUNCT};
	for (size_t i = 0; i < sizeof greys / sizeof greys[0]; i++) {
		assert_int_equal(t.roles[greys[i]].fg, BL_COLOR_DEFAULT);
		assert_true(t.roles[greys[i]].attrs & BL_ATTR_DIM);
	}
	/* A real colour still maps to its nearest basic one. */
	assert_int_not_equal(t.roles[BL_ROLE_NODE_MANIFEST].fg, BL_COLOR_DEFAULT);
	bl_theme_fini(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_color_parse_table),
	        cmocka_unit_test(test_256_colours_map_to_the_nearest_basic_one),
	        cmocka_unit_test(test_every_embedded_theme_parses_cleanly_and_sets_every_role),
	        cmocka_unit_test(test_bad_theme_lines_keep_the_default_and_say_where),
	        cmocka_unit_test(test_unknown_theme_falls_back_to_default),
	        cmocka_unit_test(test_eight_colours_keep_grey_text_readable),
	        cmocka_unit_test(test_no_colour_keeps_the_cursor_visible),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
