#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdalign.h>
#include <stdio.h>
#include <string.h>

#include "bakelens/arena.h"

static void test_alloc_is_zeroed_and_aligned(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a);
	for (size_t n = 1; n < 100; n += 7) {
		unsigned char *p = bl_arena_alloc(&a, n);
		assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
		for (size_t i = 0; i < n; i++)
			assert_int_equal(p[i], 0);
		memset(p, 0xff, n);
	}
	bl_arena_fini(&a);
	assert_null(a.head);
	assert_int_equal(a.total, 0);
}

static void test_strings_survive_many_chunks(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a);
	char *first = bl_arena_strdup(&a, "usr/bin/env");
	char *names[20000];
	char tmp[32];
	for (int i = 0; i < 20000; i++) {
		snprintf(tmp, sizeof tmp, "file-%d", i);
		names[i] = bl_arena_strdup(&a, tmp);
	}
	assert_string_equal(first, "usr/bin/env");
	assert_string_equal(names[0], "file-0");
	assert_string_equal(names[19999], "file-19999");
	assert_true(a.total >= 20000 * 7);
	bl_arena_fini(&a);
}

static void test_large_allocation_gets_its_own_chunk(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a);
	char *small = bl_arena_strdup(&a, "small");
	char *big = bl_arena_alloc(&a, 1 << 20);
	memset(big, 'x', 1 << 20);
	char *after = bl_arena_strdup(&a, "after");
	assert_string_equal(small, "small");
	assert_string_equal(after, "after");
	bl_arena_fini(&a);
}

static void test_strndup_cuts_and_null_gives_null(void **state)
{
	(void)state;
	struct bl_arena a;
	bl_arena_init(&a);
	assert_string_equal(bl_arena_strndup(&a, "abcdef", 2), "ab");
	assert_string_equal(bl_arena_strndup(&a, "ab", 9), "ab");
	assert_null(bl_arena_strdup(&a, NULL));
	bl_arena_fini(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_alloc_is_zeroed_and_aligned),
	        cmocka_unit_test(test_strings_survive_many_chunks),
	        cmocka_unit_test(test_large_allocation_gets_its_own_chunk),
	        cmocka_unit_test(test_strndup_cuts_and_null_gives_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
