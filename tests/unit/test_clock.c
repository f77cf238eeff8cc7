/* The monotonic millisecond clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "bakelens/clock.h"

static void test_never_goes_back(void **state)
{
	(void)state;
	int64_t prev = bl_clock_ms();
	assert_true(prev >= 0);
	for (int i = 0; i < 100000; i++) {
		int64_t now = bl_clock_ms();
		assert_true(now >= prev);
		prev = now;
	}
}

static void test_counts_milliseconds(void **state)
{
	(void)state;
	int64_t start = bl_clock_ms();
	struct timespec ts = {0, 50 * 1000 * 1000};
	while (nanosleep(&ts, &ts) != 0)
		;
	int64_t spent = bl_clock_ms() - start;
	/* at least the 50 ms slept; the upper bound only catches a wrong unit
	 * (seconds or microseconds) on a busy machine */
	assert_true(spent >= 50);
	assert_true(spent < 5000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_never_goes_back),
	        cmocka_unit_test(test_counts_milliseconds),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
