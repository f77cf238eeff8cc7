/* A vector of pointers that owns its items through one destructor.
 *
 * Ownership (the rule of error.h): the vector keeps every item pushed into it.
 * With a free_fn the item belongs to the vector from bl_vec_push_take on and
 * bl_vec_fini frees it; the caller must not free it. With free_fn NULL the
 * vector only borrows: the item must outlive the vector, and its owner frees
 * it. bl_vec_get borrows; bl_vec_pop hands the item back to the caller. */
#ifndef BL_VEC_H
#define BL_VEC_H

#include <stddef.h>

typedef void (*bl_free_fn)(void *item);

struct bl_vec {
	void **items;
	size_t len;
	size_t cap;
	bl_free_fn free_fn; /* called on each item by _fini; NULL: items are borrowed */
};

void bl_vec_init(struct bl_vec *v, bl_free_fn free_fn);
void bl_vec_fini(struct bl_vec *v);
/* Append item; the vector keeps it (see above). Never fails (bl_realloc). */
void bl_vec_push_take(struct bl_vec *v, void *item);
/* Asserts i < len. */
void *bl_vec_get(const struct bl_vec *v, size_t i);
/* Remove and return the last item (ownership to the caller), NULL when empty. */
void *bl_vec_pop(struct bl_vec *v);
void bl_vec_sort(struct bl_vec *v, int (*cmp)(const void *a, const void *b));

#endif
