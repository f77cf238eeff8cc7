/* Shared by the tar store tests (test_tar_*.c), on top of store_helpers.h:
 * the first root of a store. Everything static inline. */
#ifndef BL_TEST_TAR_FIXTURE_H
#define BL_TEST_TAR_FIXTURE_H

#include "store_helpers.h"

static inline struct bl_store_root *first_root(struct bl_store *s, struct bl_vec *roots)
{
	struct bl_error err;
	bl_vec_init(roots, bl_store_root_free);
	assert_true(bl_store_roots(s, roots, &err));
	assert_true(roots->len > 0);
	return roots->items[0];
}

#endif
