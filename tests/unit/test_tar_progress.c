/* The tar store's progress while it indexes an archive: reported as it
 * moves, and a cancel honoured, also inside one big member. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <time.h>

#include "store_helpers.h"

static bool cancel_at_second(void *ud, const char *what, uint64_t done, uint64_t total)
{
	int *calls = ud;
	(void)what;
	(void)total;
	(void)done;
	return ++*calls < 2;
}

static void test_progress_can_cancel_indexing(void **state)
{
	(void)state;
	char *p = corpus_path("dive/test-docker-image.tar");
	if (!p)
		skip();
	int calls = 0;
	struct bl_source_opts o = {.progress = cancel_at_second, .progress_ud = &calls};
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(bl_store_open(p, &o, &s, &err));
	assert_int_equal(err.code, BL_E_CANCELLED);
	assert_int_equal(calls, 2);
	free(p);
}

struct progress_log {
	int calls;
	int cancel_at; /* 0: never */
	uint64_t last_done;
};

static bool log_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct progress_log *l = ud;
	(void)what;
	(void)total;
	l->calls++;
	l->last_done = done;
	return l->cancel_at == 0 || l->calls < l->cancel_at;
}

/* A compressed archive is streamed: inside one big member (a layer) the
 * progress still moves, and a cancel takes effect there, not after it. */
static void test_progress_moves_and_cancels_inside_a_big_member(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	size_t len = 24u << 20;
	unsigned char *big = bl_malloc(len);
	for (size_t i = 0; i < len; i++)
		big[i] = (unsigned char)(i * 2654435761u >>
		                         13); /* not all zeros: real work for gzip */
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	static const char index[] = "{\"schemaVersion\":2,\"manifests\":[]}";
	struct tar_ent e[] = {
	        {"oci-layout", layout, sizeof layout - 1, NULL},
	        {"blobs/sha256/0000000000000000000000000000000000000000000000000000000000000000",
	                big, len, NULL},
	        {"index.json", index, sizeof index - 1, NULL},
	};
	char *tar = bl_asprintf("%s/big.tar.gz", dir);
	assert_true(write_tar(tar, e, 3, 'z'));
	free(big);

	struct progress_log l = {0};
	struct bl_source_opts o = {.progress = log_progress, .progress_ud = &l};
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(tar, &o, &s, &err));
	/* 24 MiB in 4 MiB steps: at least 5 reports from inside the member */
	assert_true(l.calls >= 5);
	bl_store_free(s);

	struct progress_log c = {.cancel_at = 3};
	o.progress_ud = &c;
	assert_false(bl_store_open(tar, &o, &s, &err));
	assert_int_equal(err.code, BL_E_CANCELLED);
	assert_int_equal(c.calls, 3);
	free(tar);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_progress_can_cancel_indexing),
	        cmocka_unit_test(test_progress_moves_and_cancels_inside_a_big_member),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
