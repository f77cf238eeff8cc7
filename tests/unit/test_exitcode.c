#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bakelens/exitcode.h"

/* The documented numbers (docs/bakelens.1, EXIT STATUS): scripts rely on them. */
static void test_documented_numbers(void **state)
{
	(void)state;
	assert_int_equal(BL_EXIT_OK, 0);
	assert_int_equal(BL_EXIT_DIFFERENT, 1);
	assert_int_equal(BL_EXIT_USAGE, 2);
	assert_int_equal(BL_EXIT_INPUT, 3);
	assert_int_equal(BL_EXIT_FORMAT, 4);
	assert_int_equal(BL_EXIT_VERIFY, 5);
	assert_int_equal(BL_EXIT_NOT_FOUND, 6);
	assert_int_equal(BL_EXIT_NETWORK, 7);
	assert_int_equal(BL_EXIT_AUTH, 8);
	assert_int_equal(BL_EXIT_CANCELLED, 130);
}

static void test_each_status(void **state)
{
	(void)state;
	static const struct {
		enum bl_status st;
		int code;
	} map[] = {
	        {BL_OK, 0},
	        {BL_E_USAGE, 2},
	        {BL_E_IO, 3},
	        {BL_E_FORMAT, 4},
	        {BL_E_TOO_BIG, 4},
	        {BL_E_UNSUPPORTED, 4},
	        {BL_E_LOOP, 4},
	        {BL_E_DIGEST, 5},
	        /* Not 3 (unreadable): the source was read, what was asked for is not in it. */
	        {BL_E_NOT_FOUND, 6},
	        {BL_E_NET, 7},
	        {BL_E_AUTH, 8},
	        {BL_E_CANCELLED, 130},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		assert_int_equal(bl_exit_code(map[i].st), map[i].code);
}

static void test_unknown_status_is_invalid_input(void **state)
{
	(void)state;
	assert_int_equal(bl_exit_code((enum bl_status)99), BL_EXIT_FORMAT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_documented_numbers),
	        cmocka_unit_test(test_each_status),
	        cmocka_unit_test(test_unknown_status_is_invalid_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
