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

/* The order of docs/bakelens.1 (EXIT STATUS), worst first: each code beats
 * every one after it, from either side, and a code against itself is itself. */
static void test_worse_order(void **state)
{
	(void)state;
	static const int order[] = {130, 5, 8, 7, 3, 4, 6, 2, 1, 0};
	size_t n = sizeof order / sizeof order[0];
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(bl_exit_worse(order[i], order[i]), order[i]);
		for (size_t j = i + 1; j < n; j++) {
			assert_int_equal(bl_exit_worse(order[i], order[j]), order[i]);
			assert_int_equal(bl_exit_worse(order[j], order[i]), order[i]);
		}
	}
	/* A node's class through the one map: an auth failure below the root
	 * beats an invalid document elsewhere, a mismatch beats both. */
	int w = bl_exit_worse(bl_exit_code(BL_E_FORMAT), bl_exit_code(BL_E_AUTH));
	assert_int_equal(w, BL_EXIT_AUTH);
	assert_int_equal(bl_exit_worse(w, bl_exit_code(BL_E_DIGEST)), BL_EXIT_VERIFY);
	/* Unknown codes rank as invalid: below a network failure, above not found. */
	assert_int_equal(bl_exit_worse(99, BL_EXIT_NETWORK), BL_EXIT_NETWORK);
	assert_int_equal(bl_exit_worse(BL_EXIT_NOT_FOUND, 99), 99);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_documented_numbers),
	        cmocka_unit_test(test_each_status),
	        cmocka_unit_test(test_worse_order),
	        cmocka_unit_test(test_unknown_status_is_invalid_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
