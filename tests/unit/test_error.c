#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bakelens/error.h"

static void test_fail_sets_code_and_message_and_returns_false(void **state)
{
	(void)state;
	struct bl_error err;
	bl_error_clear(&err);
	assert_false(bl_fail(&err, BL_E_FORMAT, "layers[%d]: bad digest", 3));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_int_equal(err.sys_errno, 0);
	assert_string_equal(err.msg, "layers[3]: bad digest");
}

static void test_fail_accepts_null_error(void **state)
{
	(void)state;
	assert_false(bl_fail(NULL, BL_E_IO, "x"));
	assert_false(bl_fail_errno(NULL, BL_E_IO, "x"));
	bl_error_prefix(NULL, "ctx");
	bl_error_clear(NULL);
}

static void test_fail_errno_appends_strerror(void **state)
{
	(void)state;
	struct bl_error err;
	bl_error_clear(&err);
	errno = ENOENT;
	assert_false(bl_fail_errno(&err, BL_E_IO, "open %s", "index.json"));
	assert_int_equal(err.code, BL_E_IO);
	assert_int_equal(err.sys_errno, ENOENT);
	char want[256];
	snprintf(want, sizeof want, "open index.json: %s", strerror(ENOENT));
	assert_string_equal(err.msg, want);
}

static void test_prefix_puts_outer_context_first(void **state)
{
	(void)state;
	struct bl_error err;
	bl_fail(&err, BL_E_DIGEST, "layers[3]: bad digest");
	bl_error_prefix(&err, "manifest %s", "sha256:ab..");
	assert_string_equal(err.msg, "manifest sha256:ab..: layers[3]: bad digest");
	assert_int_equal(err.code, BL_E_DIGEST);
}

static void test_prefix_truncates_without_overflow(void **state)
{
	(void)state;
	struct bl_error err;
	char big[600];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	bl_fail(&err, BL_E_FORMAT, "%s", big);
	assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
	bl_error_prefix(&err, "ctx");
	assert_int_equal(strlen(err.msg), sizeof err.msg - 1);
	assert_memory_equal(err.msg, "ctx: aaa", 8);
}

static void test_prefix_on_empty_message_is_just_the_context(void **state)
{
	(void)state;
	struct bl_error err;
	bl_error_clear(&err);
	bl_error_prefix(&err, "file.json");
	assert_string_equal(err.msg, "file.json");
}

static void test_clear_resets_everything(void **state)
{
	(void)state;
	struct bl_error err;
	errno = EACCES;
	bl_fail_errno(&err, BL_E_IO, "x");
	bl_error_clear(&err);
	assert_int_equal(err.code, BL_OK);
	assert_int_equal(err.sys_errno, 0);
	assert_string_equal(err.msg, "");
}

static void test_status_names_are_stable(void **state)
{
	(void)state;
	assert_string_equal(bl_status_name(BL_OK), "ok");
	assert_string_equal(bl_status_name(BL_E_FORMAT), "format");
	assert_string_equal(bl_status_name(BL_E_DIGEST), "digest");
	assert_string_equal(bl_status_name(BL_E_NOT_FOUND), "not-found");
	assert_string_equal(bl_status_name(BL_E_CANCELLED), "cancelled");
	assert_string_equal(bl_status_name((enum bl_status)999), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fail_sets_code_and_message_and_returns_false),
	        cmocka_unit_test(test_fail_accepts_null_error),
	        cmocka_unit_test(test_fail_errno_appends_strerror),
	        cmocka_unit_test(test_prefix_puts_outer_context_first),
	        cmocka_unit_test(test_prefix_truncates_without_overflow),
	        cmocka_unit_test(test_prefix_on_empty_message_is_just_the_context),
	        cmocka_unit_test(test_clear_resets_everything),
	        cmocka_unit_test(test_status_names_are_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
