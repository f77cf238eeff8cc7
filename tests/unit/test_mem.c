#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"

static void test_strdup_copies_and_null_gives_null(void **state)
{
	(void)state;
	const char *src = "hello";
	char *d = bl_strdup(src);
	assert_non_null(d);
	assert_ptr_not_equal(d, src);
	assert_string_equal(d, "hello");
	free(d);
	assert_null(bl_strdup(NULL));
}

static void test_strndup_stops_at_n_or_nul(void **state)
{
	(void)state;
	char *a = bl_strndup("abcdef", 3);
	assert_string_equal(a, "abc");
	char *b = bl_strndup("ab", 10);
	assert_string_equal(b, "ab");
	free(a);
	free(b);
	assert_null(bl_strndup(NULL, 3));
}

static void test_asprintf_formats_long_strings(void **state)
{
	(void)state;
	char *s = bl_asprintf("%s-%d", "x", 42);
	assert_string_equal(s, "x-42");
	free(s);
	char big[5000];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	s = bl_asprintf("[%s]", big);
	assert_int_equal(strlen(s), sizeof big + 1);
	assert_int_equal(s[0], '[');
	assert_int_equal(s[sizeof big], ']');
	free(s);
}

static char *call_vasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *call_vasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = bl_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}

static void test_vasprintf_formats_a_va_list(void **state)
{
	(void)state;
	char *s = call_vasprintf("%s=%d%%", "ratio", 7);
	assert_string_equal(s, "ratio=7%");
	free(s);
	s = call_vasprintf("%s", "");
	assert_string_equal(s, "");
	free(s);
}

static void test_calloc_zeroes_and_realloc_keeps_contents(void **state)
{
	(void)state;
	unsigned char *p = bl_calloc(16, 4);
	for (size_t i = 0; i < 64; i++)
		assert_int_equal(p[i], 0);
	p[0] = 7;
	p = bl_realloc(p, 4096);
	assert_int_equal(p[0], 7);
	free(p);
	/* Zero sizes still give a usable pointer. */
	void *z = bl_malloc(0);
	assert_non_null(z);
	free(z);
}

static int hook_calls;
static void hook(void)
{
	hook_calls++;
}

static void test_oom_hook_can_be_installed_and_is_not_called_on_success(void **state)
{
	(void)state;
	bl_mem_set_oom_hook(hook);
	free(bl_malloc(100));
	assert_int_equal(hook_calls, 0);
	bl_mem_set_oom_hook(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_strdup_copies_and_null_gives_null),
	        cmocka_unit_test(test_strndup_stops_at_n_or_nul),
	        cmocka_unit_test(test_asprintf_formats_long_strings),
	        cmocka_unit_test(test_vasprintf_formats_a_va_list),
	        cmocka_unit_test(test_calloc_zeroes_and_realloc_keeps_contents),
	        cmocka_unit_test(test_oom_hook_can_be_installed_and_is_not_called_on_success),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
