/* Reading small files whole: contents, the size limit, and the errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/file.h"

/* A temp file holding `len` bytes of `data`; its path in `path`. */
static void make_file(char path[64], const void *data, size_t len)
{
	snprintf(path, 64, "/tmp/bl-file-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void test_reads_whole_file_and_appends(void **state)
{
	(void)state;
	char path[64];
	/* a NUL inside: the length counts, not the first NUL */
	make_file(path, "line one\nline\0two\n", 18);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, ">>");
	struct bl_error err;
	assert_true(bl_file_read(path, 1024, &b, &err));
	assert_int_equal(b.len, 20);
	assert_memory_equal(b.data, ">>line one\nline\0two\n", 20);
	assert_int_equal(b.data[20], '\0');
	bl_buf_fini(&b);
	unlink(path);
}

static void test_larger_than_a_read_chunk(void **state)
{
	(void)state;
	size_t len = 100000;
	char *data = malloc(len);
	for (size_t i = 0; i < len; i++)
		data[i] = (char)('a' + i % 26);
	char path[64];
	make_file(path, data, len);
	struct bl_buf b;
	bl_buf_init(&b);
	assert_true(bl_file_read(path, len, &b, NULL)); /* exactly max is allowed */
	assert_int_equal(b.len, len);
	assert_memory_equal(b.data, data, len);
	bl_buf_fini(&b);
	free(data);
	unlink(path);
}

static void test_empty_file_gives_an_empty_string(void **state)
{
	(void)state;
	char path[64];
	make_file(path, "", 0);
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_error err;
	assert_true(bl_file_read(path, 0, &b, &err));
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	bl_buf_fini(&b);
	unlink(path);
}

static void test_over_max_is_too_big_and_leaves_out_alone(void **state)
{
	(void)state;
	char path[64];
	make_file(path, "0123456789", 10);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, "keep");
	struct bl_error err;
	assert_false(bl_file_read(path, 9, &b, &err));
	assert_int_equal(err.code, BL_E_TOO_BIG);
	char want[128];
	snprintf(want, sizeof want, "%s: over 9 bytes", path);
	assert_string_equal(err.msg, want);
	assert_int_equal(b.len, 4);
	assert_string_equal(b.data, "keep");
	bl_buf_fini(&b);
	unlink(path);
}

static void test_missing_file_is_io_with_the_path(void **state)
{
	(void)state;
	const char *path = "/nonexistent/bl-file-test/missing.txt";
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_error err;
	assert_false(bl_file_read(path, 1024, &b, &err));
	assert_int_equal(err.code, BL_E_IO);
	assert_int_equal(err.sys_errno, ENOENT);
	char want[256];
	snprintf(want, sizeof want, "%s: %s", path, strerror(ENOENT));
	assert_string_equal(err.msg, want);
	assert_int_equal(b.len, 0);
	assert_false(bl_file_read(path, 1024, &b, NULL)); /* err may be NULL */
	bl_buf_fini(&b);
}

static void test_directory_is_not_a_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/bl-file-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_error err;
	assert_false(bl_file_read(dir, 1024, &b, &err));
	assert_int_equal(err.code, BL_E_IO);
	assert_int_equal(err.sys_errno, EISDIR);
	assert_non_null(strstr(err.msg, dir));
	bl_buf_fini(&b);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_reads_whole_file_and_appends),
	        cmocka_unit_test(test_larger_than_a_read_chunk),
	        cmocka_unit_test(test_empty_file_gives_an_empty_string),
	        cmocka_unit_test(test_over_max_is_too_big_and_leaves_out_alone),
	        cmocka_unit_test(test_missing_file_is_io_with_the_path),
	        cmocka_unit_test(test_directory_is_not_a_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
