/* The containerd and BuildKit sources (src/store/containerd.c) as
 * bl_store_open reads them, before any daemon is asked: bad namespaces,
 * digests and addresses are refused with a message that says what to do;
 * a daemon that is not there is said to be not running. No daemon is
 * started here (tests/integration/containerd_*.sh start a real one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/store.h"

static void expect_open_fails(
        const char *arg, const struct bl_source_opts *o, enum bl_status code, const char *says)
{
	struct bl_store *s = (struct bl_store *)1;
	struct bl_error err = {0};
	assert_false(bl_store_open(arg, o, &s, &err));
	assert_null(s);
	assert_int_equal(err.code, code);
	if (!strstr(err.msg, says))
		fail_msg("%s: \"%s\" does not say \"%s\"", arg, err.msg, says);
}

static void test_bad_sources_are_usage_errors(void **state)
{
	(void)state;
	struct bl_source_opts o = {.containerd_address = "/nonexistent/c.sock"};
	expect_open_fails("containerd:bad!ns/example.com/app:v1", &o, BL_E_USAGE,
	        "not a namespace name before '/'");
	expect_open_fails("containerd:example.com/app@sha256:abc", &o, BL_E_FORMAT, "sha256:abc");
	expect_open_fails("buildkit:example.com/app@sha256:"
	                  "0000000000000000000000000000000000000000000000000000000000000000",
	        &o, BL_E_USAGE, "BuildKit names no images");
	setenv("CONTAINERD_NAMESPACE", "-bad", 1);
	expect_open_fails("containerd:example.com/app:v1", &o, BL_E_USAGE,
	        "CONTAINERD_NAMESPACE: not a namespace name");
	unsetenv("CONTAINERD_NAMESPACE");
}

/* Only unix sockets are dialled; a builder container is reached with
 * --connect-cmd, and the message gives the command. */
static void test_addresses_that_are_not_unix_sockets(void **state)
{
	(void)state;
	struct bl_source_opts o = {.containerd_address = "tcp://127.0.0.1:1234"};
	expect_open_fails("containerd:example.com/app:v1", &o, BL_E_UNSUPPORTED,
	        "only unix:// sockets are read");
	setenv("BUILDKIT_HOST", "docker-container://buildx_buildkit_ci0", 1);
	expect_open_fails("buildkit:", NULL, BL_E_UNSUPPORTED,
	        "--connect-cmd 'docker exec -i buildx_buildkit_ci0 buildctl dial-stdio'");
	unsetenv("BUILDKIT_HOST");
}

/* No socket: the daemon is not running, and where to give its socket. A
 * source without a root needs nothing from the daemon to open. */
static void test_no_daemon(void **state)
{
	(void)state;
	setenv("CONTAINERD_ADDRESS", "unix:///nonexistent/containerd.sock", 1);
	expect_open_fails("containerd:example.com/app:v1", NULL, BL_E_IO,
	        "containerd at /nonexistent/containerd.sock: no such socket: is containerd "
	        "running?");
	struct bl_store *s = NULL;
	struct bl_error err = {0};
	assert_true(bl_store_open("containerd:moby/", NULL, &s, &err));
	assert_string_equal(s->ops->kind, "containerd");
	assert_non_null(strstr(s->describe, "namespace moby"));
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	assert_false(bl_store_roots(s, &roots, &err));
	assert_int_equal(err.code, BL_E_USAGE);
	assert_non_null(strstr(err.msg, "no root"));
	bl_vec_fini(&roots);
	bl_store_free(s);
	unsetenv("CONTAINERD_ADDRESS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_bad_sources_are_usage_errors),
	        cmocka_unit_test(test_addresses_that_are_not_unix_sockets),
	        cmocka_unit_test(test_no_daemon),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
