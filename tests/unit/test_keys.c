/* bl_keys_read and bl_keys_compare: `digest --compare` reads an earlier
 * `digest --json` back and says what moved. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/query.h"

/* Digests made of one repeated hex digit: "sha256:aaaa...". */
static const char *dg(char c)
{
	static char buf[6][80];
	static int n;
	char *b = buf[n++ % 6];
	memcpy(b, "sha256:", 7);
	memset(b + 7, c, 64);
	b[71] = '\0';
	return b;
}

/* A version-1 document: target "app" with index I, platform linux/amd64 with
 * manifest M and last layer L; target "base" with platform linux/arm64. */
static char *doc(const char *keys, const char *i, const char *m, const char *l)
{
	return bl_asprintf("{\"version\":1,\"sources\":[\"x\"],\"keys\":%s,\"targets\":{"
	                   "\"app\":{\"index\":\"%s\",\"platforms\":{\"linux/amd64\":{"
	                   "\"manifest\":\"%s\",\"config\":null,\"layer\":{\"digest\":\"%s\"}}}},"
	                   "\"base\":{\"index\":null,\"platforms\":{\"linux/arm64\":{"
	                   "\"manifest\":\"%s\",\"future\":1}}}}}",
	        keys, i, m, l, dg('e'));
}

static bool read_str(const char *s, struct bl_keys *k, struct bl_error *e)
{
	bl_error_clear(e);
	return bl_keys_read(s, strlen(s), k, e);
}

static void test_keys_read_back(void **state)
{
	(void)state;
	char *s = doc("[\"index\",\"manifest\",\"layer\"]", dg('1'), dg('2'), dg('3'));
	struct bl_keys k;
	struct bl_error e;
	assert_true(read_str(s, &k, &e));
	assert_int_equal(
	        k.asked, (1u << BL_WHAT_INDEX) | (1u << BL_WHAT_MANIFEST) | (1u << BL_WHAT_LAYER));
	assert_int_equal(k.targets.len, 2);
	const struct bl_target_keys *app = bl_vec_get(&k.targets, 0);
	assert_string_equal(app->name, "app");
	assert_true(app->has_index);
	assert_string_equal(app->index.str, dg('1'));
	const struct bl_platform_keys *p = bl_vec_get(&app->platforms, 0);
	assert_string_equal(p->platform, "linux/amd64");
	/* config null: unset; fields unknown to this version ("future") ignored */
	assert_int_equal(p->has, (1u << BL_WHAT_MANIFEST) | (1u << BL_WHAT_LAYER));
	assert_string_equal(p->key[BL_WHAT_LAYER].str, dg('3'));
	const struct bl_target_keys *base = bl_vec_get(&k.targets, 1);
	assert_false(base->has_index);
	bl_keys_fini(&k);
	free(s);
}

static void expect_bad(const char *s, const char *msg)
{
	struct bl_keys k;
	struct bl_error e;
	assert_false(read_str(s, &k, &e));
	assert_int_equal(e.code, BL_E_FORMAT);
	if (!strstr(e.msg, msg))
		fail_msg("expected \"%s\" in \"%s\"", msg, e.msg);
	bl_keys_fini(&k);
}

static void test_keys_read_refuses_what_is_not_an_answer(void **state)
{
	(void)state;
	expect_bad("{\"version\":1,", "line");
	expect_bad("[1]", "not an object");
	expect_bad("{\"targets\":{}}", "no \"version\"");
	expect_bad("{\"version\":2,\"keys\":[\"index\"],\"targets\":{}}", "version 2");
	expect_bad("{\"version\":1,\"targets\":{}}", "keys");
	expect_bad("{\"version\":1,\"keys\":[\"index\",\"bogus\"],\"targets\":{}}", "keys[1]");
	expect_bad("{\"version\":1,\"keys\":[\"index\"]}", "targets");
	expect_bad("{\"version\":1,\"keys\":[\"index\"],\"targets\":{\"a\":{\"index\":\"sha256:"
	           "12\"}}}",
	        "targets.a.index: not a digest");
	expect_bad("{\"version\":1,\"keys\":[\"layer\"],\"targets\":{\"a\":{\"platforms\":{\"l/"
	           "x\":{\"layer\":{\"diff_id\":7}}}}}}",
	        "targets.a.platforms.l/x.layer.diff_id: not a digest");
	expect_bad("{\"version\":1,\"keys\":[\"layer\"],\"targets\":{\"a\":{\"platforms\":[]}}}",
	        "targets.a.platforms: not an object");
}

static size_t compare(const char *old, const char *cur, struct bl_vec *lines)
{
	struct bl_keys a, b;
	struct bl_error e;
	assert_true(read_str(old, &a, &e));
	assert_true(read_str(cur, &b, &e));
	bl_vec_init(lines, free);
	size_t n = bl_keys_compare(&a, &b, lines);
	assert_int_equal(n, lines->len);
	bl_keys_fini(&a);
	bl_keys_fini(&b);
	return n;
}

static void test_keys_compare_names_what_moved(void **state)
{
	(void)state;
	const char *all = "[\"index\",\"manifest\",\"layer\"]";
	char *a = doc(all, dg('1'), dg('2'), dg('3'));
	char *same = doc(all, dg('1'), dg('2'), dg('3'));
	char *moved = doc(all, dg('1'), dg('2'), dg('4'));
	struct bl_vec lines;
	assert_int_equal(compare(a, same, &lines), 0);
	bl_vec_fini(&lines);
	assert_int_equal(compare(a, moved, &lines), 1);
	char *want = bl_asprintf("app linux/amd64 layer: %s -> %s", dg('3'), dg('4'));
	assert_string_equal(bl_vec_get(&lines, 0), want);
	free(want);
	bl_vec_fini(&lines);
	/* a key asked by one run only is not compared */
	char *no_layer = doc("[\"index\",\"manifest\"]", dg('1'), dg('2'), dg('9'));
	assert_int_equal(compare(a, no_layer, &lines), 0);
	bl_vec_fini(&lines);
	/* set on one side only: "none" */
	const char *idx_null = "{\"version\":1,\"keys\":[\"index\"],\"targets\":{\"app\":{"
	                       "\"index\":null},\"base\":{}}}";
	assert_int_equal(compare(a, idx_null, &lines), 1);
	want = bl_asprintf("app index: %s -> none", dg('1'));
	assert_string_equal(bl_vec_get(&lines, 0), want);
	free(want);
	bl_vec_fini(&lines);
	free(a);
	free(same);
	free(moved);
	free(no_layer);
}

static void test_keys_compare_targets_and_platforms_added_removed(void **state)
{
	(void)state;
	const char *old = "{\"version\":1,\"keys\":[\"manifest\"],\"targets\":{"
	                  "\"app\":{\"platforms\":{\"linux/amd64\":{},\"linux/s390x\":{}}},"
	                  "\"gone\":{\"platforms\":{}}}}";
	const char *cur = "{\"version\":1,\"keys\":[\"manifest\"],\"targets\":{"
	                  "\"new\":{\"platforms\":{}},"
	                  "\"app\":{\"platforms\":{\"linux/amd64\":{},\"linux/arm64\":{}}}}}";
	struct bl_vec lines;
	assert_int_equal(compare(old, cur, &lines), 4);
	assert_string_equal(bl_vec_get(&lines, 0), "new: target added");
	assert_string_equal(bl_vec_get(&lines, 1), "app linux/arm64: platform added");
	assert_string_equal(bl_vec_get(&lines, 2), "app linux/s390x: platform removed");
	assert_string_equal(bl_vec_get(&lines, 3), "gone: target removed");
	bl_vec_fini(&lines);
}

/* --target/--platform runs compare only what they asked for. */
static void test_keys_narrowed_run_reports_no_removals(void **state)
{
	(void)state;
	const char *old = "{\"version\":1,\"keys\":[\"manifest\"],\"targets\":{"
	                  "\"a\":{\"platforms\":{\"linux/amd64\":{},\"linux/arm64\":{}}},"
	                  "\"b\":{\"platforms\":{}}}}";
	const char *cur = "{\"version\":1,\"keys\":[\"manifest\"],\"targets\":{"
	                  "\"a\":{\"platforms\":{\"linux/arm64\":{}}}}}";
	struct bl_keys a, b;
	struct bl_error e;
	assert_true(read_str(old, &a, &e));
	assert_true(read_str(cur, &b, &e));
	struct bl_vec lines;
	bl_vec_init(&lines, free);
	assert_int_equal(bl_keys_compare(&a, &b, &lines), 2); /* not narrowed: both removals */
	bl_vec_fini(&lines);
	bl_keys_narrow(&a, &b, true, false);
	bl_vec_init(&lines, free);
	assert_int_equal(bl_keys_compare(&a, &b, &lines), 1);
	assert_string_equal(bl_vec_get(&lines, 0), "a linux/amd64: platform removed");
	bl_vec_fini(&lines);
	bl_keys_narrow(&a, &b, true, true);
	bl_vec_init(&lines, free);
	assert_int_equal(bl_keys_compare(&a, &b, &lines), 0);
	bl_vec_fini(&lines);
	bl_keys_fini(&a);
	bl_keys_fini(&b);
}

static void test_keys_names_made_unique(void **state)
{
	(void)state;
	struct bl_keys k;
	bl_keys_init(&k);
	assert_string_equal(bl_keys_add_target(&k, "app")->name, "app");
	struct bl_target_keys *t = bl_keys_add_target(&k, "app");
	assert_string_equal(t->name, "app (2)");
	assert_string_equal(bl_keys_add_target(&k, "app")->name, "app (3)");
	assert_string_equal(bl_keys_add_platform(t, "linux/amd64")->platform, "linux/amd64");
	assert_string_equal(bl_keys_add_platform(t, "linux/amd64")->platform, "linux/amd64 (2)");
	bl_keys_fini(&k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_keys_read_back),
	        cmocka_unit_test(test_keys_read_refuses_what_is_not_an_answer),
	        cmocka_unit_test(test_keys_compare_names_what_moved),
	        cmocka_unit_test(test_keys_compare_targets_and_platforms_added_removed),
	        cmocka_unit_test(test_keys_narrowed_run_reports_no_removals),
	        cmocka_unit_test(test_keys_names_made_unique),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
