/* A vector of owned pointers: see include/bakelens/vec.h. */
#include "bakelens/vec.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "bakelens/mem.h"

void bl_vec_init(struct bl_vec *v, bl_free_fn free_fn)
{
	v->items = NULL;
	v->len = 0;
	v->cap = 0;
	v->free_fn = free_fn;
}

void bl_vec_fini(struct bl_vec *v)
{
	if (v->free_fn) {
		for (size_t i = 0; i < v->len; i++)
			v->free_fn(v->items[i]);
	}
	free(v->items);
	v->items = NULL;
	v->len = 0;
	v->cap = 0;
}

void bl_vec_push_take(struct bl_vec *v, void *item)
{
	if (v->len == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		if (cap > SIZE_MAX / sizeof *v->items)
			bl_realloc(NULL, SIZE_MAX); /* unsatisfiable: OOM path */
		v->items = bl_realloc(v->items, cap * sizeof *v->items);
		v->cap = cap;
	}
	v->items[v->len++] = item;
}

void *bl_vec_get(const struct bl_vec *v, size_t i)
{
	assert(i < v->len);
	return v->items[i];
}

void *bl_vec_pop(struct bl_vec *v)
{
	if (v->len == 0)
		return NULL;
	return v->items[--v->len];
}

void bl_vec_sort(struct bl_vec *v, int (*cmp)(const void *a, const void *b))
{
	if (v->len > 1)
		qsort(v->items, v->len, sizeof *v->items, cmp);
}
