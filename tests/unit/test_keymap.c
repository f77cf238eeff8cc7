/* Keys, bindings, the embedded defaults and docs/keys.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bakelens/actions.h"
#include "bakelens/keymap.h"
#include "bakelens/settings.h"

static void test_key_parse_table(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool ok;
		int key;
	} cases[] = {
	        {"q", true, 'q'},
	        {"*", true, '*'},
	        {"|", true, '|'},
	        {"PgDn", true, BL_KEY_PGDN},
	        {"pgup", true, BL_KEY_PGUP},
	        {"Enter", true, BL_KEY_ENTER},
	        {"C-l", true, 12},
	        {"C-i", false, 0},
	        {"Space", true, BL_KEY_SPACE},
	        {"\xc3\xa9", true, 0xe9},
	        {"qq", false, 0},
	        {"", false, 0},
	        {"F12", true, BL_KEY_F12},
	        {"\x01", false, 0},
	        {"\xff", false, 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int k = 0;
		bool ok = bl_key_parse(cases[i].name, &k);
		assert_int_equal(ok, cases[i].ok);
		if (ok)
			assert_int_equal(k, cases[i].key);
	}
}

static void test_key_name_round_trips(void **state)
{
	(void)state;
	const int keys[] = {'q', '?', BL_KEY_UP, BL_KEY_BACKTAB, 2, 0xe9, BL_KEY_F1};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char name[16];
		bl_key_name(keys[i], name, sizeof name);
		int back = 0;
		assert_true(bl_key_parse(name, &back));
		assert_int_equal(back, keys[i]);
	}
}

/* Key names are strict UTF-8: an over-long '/' or a surrogate is no key, and
 * a key code that is no character has the name "?". */
static void test_keys_are_characters_not_byte_tricks(void **state)
{
	(void)state;
	int k = 0;
	assert_false(bl_key_parse("\xc0\xaf", &k));
	assert_false(bl_key_parse("\xed\xa0\x80", &k));
	assert_false(bl_key_parse("\xf4\x90\x80\x80", &k));
	assert_true(bl_key_parse("\xf0\x9f\x90\xb3", &k));
	assert_int_equal(k, 0x1f433);
	char name[16];
	bl_key_name(0x1f433, name, sizeof name);
	assert_string_equal(name, "\xf0\x9f\x90\xb3");
	bl_key_name(0xd800, name, sizeof name);
	assert_string_equal(name, "?");
	bl_key_name(0x7f, name, sizeof name);
	assert_string_equal(name, "?");
}

static void test_terminal_bytes_normalize_to_named_keys(void **state)
{
	(void)state;
	assert_int_equal(bl_key_normalize('\r'), BL_KEY_ENTER);
	assert_int_equal(bl_key_normalize(27), BL_KEY_ESC);
	assert_int_equal(bl_key_normalize(127), BL_KEY_BACKSPACE);
	assert_int_equal(bl_key_normalize('x'), 'x');
}

static void test_defaults_bind_every_action(void **state)
{
	(void)state;
	struct bl_keymap km;
	bl_keymap_init(&km);
	bl_keymap_load_defaults(&km);
	for (int a = 1; a < BL_ACTION_COUNT; a++) {
		char key[16];
		bl_keymap_first_key(&km, bl_action_scope((enum bl_action)a), (enum bl_action)a, key,
		        sizeof key);
		if (!key[0])
			fail_msg("action %s has no default key", bl_action_name((enum bl_action)a));
	}
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_TREE, 'q'), BL_ACTION_QUIT);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_TREE, 'j'), BL_ACTION_MOVE_DOWN);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_TREE, BL_KEY_SPACE), BL_ACTION_TOGGLE);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_DETAIL, BL_KEY_SPACE), BL_ACTION_PAGE_DOWN);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_PAGER, 'q'), BL_ACTION_BACK);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_TREE, '|'), BL_ACTION_FILTER);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_DETAIL, '|'), BL_ACTION_NONE);
	/* The key hint for quit in a pager is not q (q closes the pager there). */
	char key[16];
	bl_keymap_first_key(&km, BL_SCOPE_PAGER, BL_ACTION_QUIT, key, sizeof key);
	assert_string_equal(key, "Q");
	bl_keymap_first_key(&km, BL_SCOPE_TREE, BL_ACTION_QUIT, key, sizeof key);
	assert_string_equal(key, "q");
	bl_keymap_fini(&km);
}

static void test_scope_binding_wins_and_none_unbinds(void **state)
{
	(void)state;
	struct bl_keymap km;
	bl_keymap_init(&km);
	bl_keymap_bind(&km, BL_SCOPE_GLOBAL, 'x', BL_ACTION_QUIT);
	bl_keymap_bind(&km, BL_SCOPE_TREE, 'x', BL_ACTION_TOGGLE);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_TREE, 'x'), BL_ACTION_TOGGLE);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_DETAIL, 'x'), BL_ACTION_QUIT);
	bl_keymap_bind(&km, BL_SCOPE_DETAIL, 'x', BL_ACTION_NONE);
	assert_int_equal(bl_keymap_lookup(&km, BL_SCOPE_DETAIL, 'x'), BL_ACTION_NONE);
	bl_keymap_fini(&km);
}

/* docs/keys.md is generated from the action table and keys.conf; this test
 * fails when they drift. BL_UPDATE_DOCS=1 rewrites it. */
static void test_docs_keys_md_matches_the_action_table(void **state)
{
	(void)state;
	/* BL_TESTDATA is <source>/tests/unit/../data. */
	const char *data = getenv("BL_TESTDATA");
	if (!data)
		skip();
	struct bl_keymap km;
	bl_keymap_init(&km);
	bl_keymap_load_defaults(&km);
	struct bl_buf want;
	bl_buf_init(&want);
	bl_keymap_markdown(&km, &want);
	char path[4096];
	snprintf(path, sizeof path, "%s/../../docs/keys.md", data);
	if (getenv("BL_UPDATE_DOCS")) {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		fwrite(want.data, 1, want.len, f);
		fclose(f);
	}
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct bl_buf have;
	bl_buf_init(&have);
	char tmp[4096];
	size_t n;
	while ((n = fread(tmp, 1, sizeof tmp, f)) > 0)
		bl_buf_append(&have, tmp, n);
	fclose(f);
	if (strcmp(bl_buf_str(&have), bl_buf_str(&want)) != 0)
		fail_msg("docs/keys.md is out of date: run BL_UPDATE_DOCS=1 meson test keymap");
	for (int a = 1; a < BL_ACTION_COUNT; a++)
		assert_non_null(strstr(bl_buf_str(&have), bl_action_name((enum bl_action)a)));
	bl_buf_fini(&have);
	bl_buf_fini(&want);
	bl_keymap_fini(&km);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_key_parse_table),
	        cmocka_unit_test(test_key_name_round_trips),
	        cmocka_unit_test(test_keys_are_characters_not_byte_tricks),
	        cmocka_unit_test(test_terminal_bytes_normalize_to_named_keys),
	        cmocka_unit_test(test_defaults_bind_every_action),
	        cmocka_unit_test(test_scope_binding_wins_and_none_unbinds),
	        cmocka_unit_test(test_docs_keys_md_matches_the_action_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
