/* OSC 52 bytes, tmux passthrough, and finding a clipboard tool. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/clipboard.h"

/* printf 'sha256:5ac2...f26c' | base64 -w0 */
static const char digest[] =
        "sha256:5ac2d3ac39878329a6328eba5b2a6e5e7a06279244eea0f2ea893f76cefff26c";
static const char digest_b64[] = "c2hhMjU2OjVhYzJkM2FjMzk4NzgzMjlhNjMyOGViYTViMmE2ZTVlN2EwNjI3"
                                 "OTI0NGVlYTBmMmVhODkzZjc2Y2VmZmYyNmM=";

static void test_osc52_sequence_is_exact(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_clipboard_sequence(digest, strlen(digest), false, &b);
	char want[256];
	snprintf(want, sizeof want, "\033]52;c;%s\a", digest_b64);
	assert_string_equal(bl_buf_str(&b), want);
	bl_buf_fini(&b);
}

static void test_in_tmux_the_sequence_is_also_wrapped_for_passthrough(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_clipboard_sequence("a", 1, true, &b);
	assert_string_equal(bl_buf_str(&b), "\033]52;c;YQ==\a"
	                                    "\033Ptmux;\033\033]52;c;YQ==\a\033\\");
	bl_buf_fini(&b);
}

static const char *env_path;
static const char *env_display;
static const char *fake_getenv(const char *name)
{
	if (strcmp(name, "PATH") == 0)
		return env_path;
	if (strcmp(name, "DISPLAY") == 0)
		return env_display;
	return NULL;
}

static void test_no_tool_without_display_or_path(void **state)
{
	(void)state;
	env_path = "/nonexistent";
	env_display = ":0";
	assert_null(bl_clipboard_find_tool(fake_getenv));
}

static void test_xclip_is_found_on_path_with_a_display(void **state)
{
	(void)state;
	char dir[] = "/tmp/bl-clip-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/xclip", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("#!/bin/sh\ncat >/dev/null\n", f);
	fclose(f);
	chmod(path, 0755);
	env_path = dir;
	env_display = ":0";
	const char *const *tool = bl_clipboard_find_tool(fake_getenv);
	assert_non_null(tool);
	assert_string_equal(tool[0], "xclip");
	env_display = NULL;
	assert_null(bl_clipboard_find_tool(fake_getenv));
	/* Running it feeds stdin and waits for a clean exit. */
	const char *argv[] = {path, NULL};
	struct bl_error err = {0};
	assert_true(bl_clipboard_run_tool(argv, "x", 1, &err));
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_osc52_sequence_is_exact),
	        cmocka_unit_test(test_in_tmux_the_sequence_is_also_wrapped_for_passthrough),
	        cmocka_unit_test(test_no_tool_without_display_or_path),
	        cmocka_unit_test(test_xclip_is_found_on_path_with_a_display),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
