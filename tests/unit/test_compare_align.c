/* compare.c's alignment of two lists: the longest common subsequence with
 * insertion and removal, changed items in a gap paired by position, keys
 * that are NULL never matching, empty sides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/compare.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"

static size_t align(
        const char *const *l, size_t nl, const char *const *r, size_t nr, int *pl, int *pr, bool *m)
{
	return bl_cmp_align(l, nl, r, nr, pl, pr, m);
}

static void test_align_lcs_recognises_an_inserted_layer(void **state)
{
	(void)state;
	const char *l[] = {"a", "b", "c"};
	const char *r[] = {"a", "x", "b", "c"};
	int pl[8], pr[8];
	bool m[8];
	size_t n = align(l, 3, r, 4, pl, pr, m);
	assert_int_equal(n, 4);
	int want_l[] = {0, -1, 1, 2}, want_r[] = {0, 1, 2, 3};
	bool want_m[] = {true, false, true, true};
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(pl[k], want_l[k]);
		assert_int_equal(pr[k], want_r[k]);
		assert_int_equal(m[k], want_m[k]);
	}
}

static void test_align_lcs_recognises_a_removed_layer(void **state)
{
	(void)state;
	const char *l[] = {"a", "b", "c", "d"};
	const char *r[] = {"a", "c", "d"};
	int pl[8], pr[8];
	bool m[8];
	size_t n = align(l, 4, r, 3, pl, pr, m);
	assert_int_equal(n, 4);
	assert_int_equal(pl[1], 1);
	assert_int_equal(pr[1], -1);
	assert_int_equal(pl[2], 2);
	assert_int_equal(pr[2], 1);
	assert_true(m[2]);
}

static void test_align_pairs_changed_items_in_a_gap_by_position(void **state)
{
	(void)state;
	const char *l[] = {"a", "b", "c", "d"};
	const char *r[] = {"a", "B", "C", "d", "e"};
	int pl[16], pr[16];
	bool m[16];
	size_t n = align(l, 4, r, 5, pl, pr, m);
	assert_int_equal(n, 5);
	/* b<>B and c<>C are paired (content changed), d matches, e is added. */
	assert_int_equal(pl[1], 1);
	assert_int_equal(pr[1], 1);
	assert_false(m[1]);
	assert_int_equal(pl[2], 2);
	assert_int_equal(pr[2], 2);
	assert_int_equal(pl[3], 3);
	assert_int_equal(pr[3], 3);
	assert_true(m[3]);
	assert_int_equal(pl[4], -1);
	assert_int_equal(pr[4], 4);
}

/* Two layers swapped around one that stayed (buildah: COPY b, RUN, COPY a
 * after COPY a, RUN, COPY b): of the common subsequences of one length, the
 * one that keeps a layer at its position, so the unmoved layer is not said
 * to be removed and added at the same place. */
static void test_align_ties_keep_positions(void **state)
{
	(void)state;
	const char *l[] = {"base", "a", "run", "b"};
	const char *r[] = {"base", "b", "run", "a"};
	int pl[16], pr[16];
	bool m[16];
	size_t n = align(l, 4, r, 4, pl, pr, m);
	assert_int_equal(n, 4);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(pl[k], pr[k]); /* every pair at one position */
	assert_true(m[0]);
	assert_false(m[1]); /* a<>b: content changed */
	assert_true(m[2]);
	assert_false(m[3]);
}

static void test_align_null_keys_never_match(void **state)
{
	(void)state;
	const char *l[] = {NULL, "a"};
	const char *r[] = {NULL, "a"};
	int pl[4], pr[4];
	bool m[4];
	size_t n = align(l, 2, r, 2, pl, pr, m);
	assert_int_equal(n, 2);
	assert_false(m[0]);
	assert_true(m[1]);
}

static void test_align_empty_sides(void **state)
{
	(void)state;
	const char *r[] = {"a", "b"};
	int pl[4], pr[4];
	size_t n = align(NULL, 0, r, 2, pl, pr, NULL);
	assert_int_equal(n, 2);
	assert_int_equal(pl[0], -1);
	assert_int_equal(pr[1], 1);
	assert_int_equal(align(NULL, 0, NULL, 0, pl, pr, NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_align_lcs_recognises_an_inserted_layer),
	        cmocka_unit_test(test_align_lcs_recognises_a_removed_layer),
	        cmocka_unit_test(test_align_pairs_changed_items_in_a_gap_by_position),
	        cmocka_unit_test(test_align_ties_keep_positions),
	        cmocka_unit_test(test_align_null_keys_never_match),
	        cmocka_unit_test(test_align_empty_sides),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
