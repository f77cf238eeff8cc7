#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/vec.h"

static int freed;
static void count_free(void *p)
{
	freed++;
	free(p);
}

static void test_push_get_keeps_order(void **state)
{
	(void)state;
	struct bl_vec v;
	bl_vec_init(&v, free);
	for (int i = 0; i < 100; i++)
		bl_vec_push_take(&v, bl_asprintf("%d", i));
	assert_int_equal(v.len, 100);
	assert_string_equal(bl_vec_get(&v, 0), "0");
	assert_string_equal(bl_vec_get(&v, 99), "99");
	bl_vec_fini(&v);
	assert_int_equal(v.len, 0);
	assert_null(v.items);
}

static void test_fini_frees_each_item_once(void **state)
{
	(void)state;
	freed = 0;
	struct bl_vec v;
	bl_vec_init(&v, count_free);
	for (int i = 0; i < 5; i++)
		bl_vec_push_take(&v, bl_strdup("x"));
	bl_vec_fini(&v);
	assert_int_equal(freed, 5);
}

static void test_borrowed_items_are_not_freed(void **state)
{
	(void)state;
	static char a[] = "a";
	struct bl_vec v;
	bl_vec_init(&v, NULL);
	bl_vec_push_take(&v, a);
	bl_vec_fini(&v);
	assert_string_equal(a, "a");
}

static void test_pop_transfers_ownership(void **state)
{
	(void)state;
	freed = 0;
	struct bl_vec v;
	bl_vec_init(&v, count_free);
	assert_null(bl_vec_pop(&v));
	bl_vec_push_take(&v, bl_strdup("first"));
	bl_vec_push_take(&v, bl_strdup("last"));
	char *s = bl_vec_pop(&v);
	assert_string_equal(s, "last");
	assert_int_equal(v.len, 1);
	bl_vec_fini(&v);
	assert_int_equal(freed, 1);
	free(s);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_sort_uses_item_comparator(void **state)
{
	(void)state;
	struct bl_vec v;
	bl_vec_init(&v, free);
	const char *in[] = {"pear", "apple", "fig", "banana"};
	for (size_t i = 0; i < 4; i++)
		bl_vec_push_take(&v, bl_strdup(in[i]));
	bl_vec_sort(&v, cmp_str);
	assert_string_equal(bl_vec_get(&v, 0), "apple");
	assert_string_equal(bl_vec_get(&v, 1), "banana");
	assert_string_equal(bl_vec_get(&v, 2), "fig");
	assert_string_equal(bl_vec_get(&v, 3), "pear");
	bl_vec_fini(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_push_get_keeps_order),
	        cmocka_unit_test(test_fini_frees_each_item_once),
	        cmocka_unit_test(test_borrowed_items_are_not_freed),
	        cmocka_unit_test(test_pop_transfers_ownership),
	        cmocka_unit_test(test_sort_uses_item_comparator),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
