#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"

static void test_empty_buffer_reads_as_empty_string(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	assert_null(b.data);
	assert_string_equal(bl_buf_str(&b), "");
	char *s = bl_buf_take(&b);
	assert_string_equal(s, "");
	free(s);
	bl_buf_fini(&b);
}

static void test_appends_keep_nul_termination(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, "abc");
	bl_buf_putc(&b, '-');
	bl_buf_append(&b, "xyz123", 3);
	bl_buf_printf(&b, "%d/%s", 42, "q");
	assert_int_equal(b.len, 11);
	assert_string_equal(b.data, "abc-xyz42/q");
	assert_int_equal(b.data[b.len], '\0');
	bl_buf_fini(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_binary_data_with_nul_is_kept(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_append(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 3);
	bl_buf_fini(&b);
}

static void test_grows_past_many_appends(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	for (int i = 0; i < 10000; i++)
		bl_buf_printf(&b, "%04d", i % 10000);
	assert_int_equal(b.len, 40000);
	assert_memory_equal(b.data + 4 * 9999, "9999", 4);
	assert_true(b.cap > b.len);
	bl_buf_fini(&b);
}

static void test_clear_keeps_storage_and_take_empties(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, "hello");
	char *old = b.data;
	bl_buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.data, old);
	assert_string_equal(bl_buf_str(&b), "");
	bl_buf_puts(&b, "again");
	char *s = bl_buf_take(&b);
	assert_string_equal(s, "again");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
}

static void test_reserve_makes_room_without_changing_len(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_reserve(&b, 1000);
	assert_true(b.cap >= 1001);
	assert_int_equal(b.len, 0);
	bl_buf_fini(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_empty_buffer_reads_as_empty_string),
	        cmocka_unit_test(test_appends_keep_nul_termination),
	        cmocka_unit_test(test_binary_data_with_nul_is_kept),
	        cmocka_unit_test(test_grows_past_many_appends),
	        cmocka_unit_test(test_clear_keeps_storage_and_take_empties),
	        cmocka_unit_test(test_reserve_makes_room_without_changing_len),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
