#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bakelens/app.h"
#include "example.h"

static void nap(void)
{
	struct timespec ts = {0, 2 * 1000 * 1000};
	nanosleep(&ts, NULL);
}

/* Poll until done, as the explorer does; false after about 10 s. */
static bool poll_until_done(struct bl_loader *l, struct bl_load_state *st)
{
	for (int i = 0; i < 5000; i++) {
		bl_loader_poll(l, st);
		if (st->done)
			return true;
		nap();
	}
	return false;
}

static void test_loads_the_example(void **state)
{
	(void)state;
	const char *ex = example_out();
	if (!ex)
		skip();
	struct bl_error err = {0};
	struct bl_loader *l = bl_loader_start(&ex, 1, NULL, NULL, &err);
	assert_non_null(l);
	struct bl_load_state st;
	assert_true(poll_until_done(l, &st));
	struct bl_build *b = bl_loader_finish(l, &err);
	assert_non_null(b);
	assert_string_equal(b->root->label, ex);
	/* Two images in examples/out/index.json: "latest" (an index) and "base". */
	assert_int_equal(bl_node_count(b->root), 2);
	assert_string_equal(bl_node_child(b->root, 0)->label, "latest");
	bl_build_free(b);
}

static void test_a_failure_comes_back_with_its_status(void **state)
{
	(void)state;
	const char *missing = "/nonexistent/bakelens-test/x.tar";
	struct bl_error err = {0};
	struct bl_loader *l = bl_loader_start(&missing, 1, NULL, NULL, &err);
	assert_non_null(l);
	assert_true(bl_loader_wait(l, 10000));
	assert_null(bl_loader_finish(l, &err));
	assert_int_equal(err.code, BL_E_IO);
	assert_non_null(strstr(err.msg, "no such file"));
}

/* A load that reports progress until told to stop (cancelled, or `release`). */
static atomic_bool release;
static atomic_int reports;

static bool slow_load(const char *const *args, size_t nargs, const struct bl_source_opts *opts,
        struct bl_build **out, struct bl_error *err)
{
	/* No cmocka assert on this thread: a wrong argument fails the load. */
	if (nargs != 1 || strcmp(args[0], "slow") != 0)
		return bl_fail(err, BL_E_USAGE, "slow_load: unexpected arguments");
	/* The options given to bl_loader_start, with the loader's progress. */
	if (!opts->offline || !opts->cacert || strcmp(opts->cacert, "ca.pem") != 0 ||
	        !opts->insecure || strcmp(opts->insecure[0], "r:5000") != 0 || !opts->progress)
		return bl_fail(err, BL_E_USAGE, "slow_load: options not passed on");
	for (uint64_t i = 1; !atomic_load(&release); i++) {
		if (!opts->progress(opts->progress_ud, "reading \033[2Jslow", i, 1000))
			return bl_fail(err, BL_E_CANCELLED, "slow: loading cancelled");
		atomic_fetch_add(&reports, 1);
		nap();
	}
	*out = NULL;
	return bl_fail(err, BL_E_FORMAT, "slow: released");
}

static struct bl_loader *start_slow(void)
{
	atomic_store(&release, false);
	atomic_store(&reports, 0);
	const char *arg = "slow";
	static const char *const hosts[] = {"r:5000", NULL};
	struct bl_source_opts base = {.offline = true, .cacert = "ca.pem", .insecure = hosts};
	struct bl_error err = {0};
	struct bl_loader *l = bl_loader_start(&arg, 1, &base, slow_load, &err);
	assert_non_null(l);
	return l;
}

static void test_progress_then_cancel(void **state)
{
	(void)state;
	struct bl_loader *l = start_slow();
	struct bl_error err = {0};
	struct bl_load_state st;
	int i = 0;
	for (; i < 5000; i++) {
		bl_loader_poll(l, &st);
		if (st.done_bytes >= 3)
			break;
		nap();
	}
	assert_true(i < 5000);
	assert_false(st.done);
	/* The text escaped (the UI draws it), the numbers as reported. */
	assert_string_equal(st.what, "reading \\e[2Jslow");
	assert_int_equal(st.total, 1000);
	/* Still running: a short wait gives up. */
	assert_false(bl_loader_wait(l, 20));
	bl_loader_cancel(l);
	assert_true(bl_loader_wait(l, 10000));
	assert_null(bl_loader_finish(l, &err));
	assert_int_equal(err.code, BL_E_CANCELLED);
	assert_string_equal(err.msg, "slow: loading cancelled");
}

static void test_an_error_of_the_load_is_kept(void **state)
{
	(void)state;
	struct bl_loader *l = start_slow();
	struct bl_error err = {0};
	while (atomic_load(&reports) == 0)
		nap();
	atomic_store(&release, true);
	struct bl_load_state st;
	assert_true(poll_until_done(l, &st));
	assert_null(bl_loader_finish(l, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_string_equal(err.msg, "slow: released");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_loads_the_example),
	        cmocka_unit_test(test_a_failure_comes_back_with_its_status),
	        cmocka_unit_test(test_progress_then_cancel),
	        cmocka_unit_test(test_an_error_of_the_load_is_kept),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
