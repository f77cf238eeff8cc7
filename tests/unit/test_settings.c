/* The config file: bind, set and theme lines, diagnostics with positions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/settings.h"

static void test_settings_defaults_come_from_the_table(void **state)
{
	(void)state;
	struct bl_settings s;
	bl_settings_init(&s);
	assert_int_equal(s.tree_width, 45);
	assert_int_equal(s.expand_depth, 3);
	assert_true(s.mouse);
	assert_false(s.ascii);
	assert_string_equal(s.theme, "default");
	bl_settings_fini(&s);
}

static void test_config_applies_good_lines_and_reports_bad_ones(void **state)
{
	(void)state;
	struct bl_settings s;
	struct bl_keymap km;
	struct bl_vec diags;
	bl_settings_init(&s);
	bl_keymap_init(&km);
	bl_vec_init(&diags, free);
	const char *text = "# comment\n"
	                   "bind tree o toggle\n"
	                   "set tree-width 60\n"
	                   "set tree-width 99\n"
	                   "  bind tree o frobnicate\n"
	                   "set ascii yes\n"
	                   "theme light\n"
	                   "bind nowhere o quit\n"
	                   "colour red\n"
	                   "set mouse maybe\n";
	bl_config_parse(&s, &km, "cfg", text, &diags);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_TREE, 'o'), BL_ACTION_TOGGLE);
	assert_int_equal(s.tree_width, 60);
	assert_true(s.ascii);
	assert_true(s.mouse);
	assert_string_equal(s.theme, "light");
	assert_int_equal(diags.len, 5);
	assert_string_equal(
	        diags.items[0], "cfg:4:16: tree-width: expected a number from 20 to 80, got '99'");
	assert_non_null(strstr(diags.items[1], "cfg:5:15: unknown action 'frobnicate'"));
	assert_non_null(strstr(diags.items[2], "cfg:8:6: unknown scope"));
	assert_non_null(strstr(diags.items[3], "cfg:9:1: unknown command"));
	assert_non_null(strstr(diags.items[4], "cfg:10:11: mouse: expected true or false"));
	bl_vec_fini(&diags);
	bl_keymap_fini(&km);
	bl_settings_fini(&s);
}

static void test_config_escapes_hostile_words_in_diagnostics(void **state)
{
	(void)state;
	struct bl_settings s;
	struct bl_keymap km;
	struct bl_vec diags;
	bl_settings_init(&s);
	bl_keymap_init(&km);
	bl_vec_init(&diags, free);
	bl_config_parse(&s, &km, "cfg", "set \x1b[2Jx 1\n", &diags);
	assert_int_equal(diags.len, 1);
	assert_null(strchr(diags.items[0], '\x1b'));
	assert_non_null(strstr(diags.items[0], "\\e[2Jx"));
	bl_vec_fini(&diags);
	bl_keymap_fini(&km);
	bl_settings_fini(&s);
}

static void test_user_config_is_read_from_xdg_config_home(void **state)
{
	(void)state;
	char dir[] = "/tmp/bl-settings-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char sub[64], path[128];
	snprintf(sub, sizeof sub, "%s/bakelens", dir);
	snprintf(path, sizeof path, "%s/config", sub);
	mkdir(sub, 0700);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("set expand-depth 1\nbind global x quit\n", f);
	fclose(f);
	setenv("XDG_CONFIG_HOME", dir, 1);
	struct bl_settings s;
	struct bl_keymap km;
	struct bl_vec diags;
	bl_settings_init(&s);
	bl_keymap_init(&km);
	bl_vec_init(&diags, free);
	bl_config_load_user(&s, &km, &diags);
	assert_int_equal(diags.len, 0);
	assert_int_equal(s.expand_depth, 1);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_TREE, 'x'), BL_ACTION_QUIT);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
	bl_vec_fini(&diags);
	bl_keymap_fini(&km);
	bl_settings_fini(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_settings_defaults_come_from_the_table),
	        cmocka_unit_test(test_config_applies_good_lines_and_reports_bad_ones),
	        cmocka_unit_test(test_config_escapes_hostile_words_in_diagnostics),
	        cmocka_unit_test(test_user_config_is_read_from_xdg_config_home),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
