/* A bump allocator: see include/bakelens/arena.h. */
#include "bakelens/arena.h"

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"

#define CHUNK_MIN (64u * 1024u)
#define ALIGN (alignof(max_align_t))

struct bl_arena_chunk {
	struct bl_arena_chunk *next;
	size_t size; /* usable bytes in data */
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

void bl_arena_init(struct bl_arena *a)
{
	a->head = NULL;
	a->total = 0;
}

void bl_arena_fini(struct bl_arena *a)
{
	struct bl_arena_chunk *c = a->head;
	while (c) {
		struct bl_arena_chunk *next = c->next;
		free(c);
		c = next;
	}
	bl_arena_init(a);
}

void *bl_arena_alloc(struct bl_arena *a, size_t n)
{
	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ALIGN - sizeof(struct bl_arena_chunk))
		bl_malloc(SIZE_MAX); /* unsatisfiable: OOM path */
	size_t rounded = (n + ALIGN - 1) & ~(ALIGN - 1);
	struct bl_arena_chunk *c = a->head;
	if (!c || c->size - c->used < rounded) {
		/* A big request gets its own chunk, kept behind the head so the
		 * current chunk's free space is not wasted. */
		size_t size = rounded > CHUNK_MIN ? rounded : CHUNK_MIN;
		struct bl_arena_chunk *nc = bl_malloc(sizeof *nc + size);
		nc->size = size;
		nc->used = 0;
		if (c && rounded > CHUNK_MIN) {
			nc->next = c->next;
			c->next = nc;
		} else {
			nc->next = c;
			a->head = nc;
		}
		c = nc;
	}
	void *p = c->data + c->used;
	c->used += rounded;
	a->total += n;
	memset(p, 0, n);
	return p;
}

char *bl_arena_strndup(struct bl_arena *a, const char *s, size_t n)
{
	if (!s)
		return NULL;
	size_t len = strnlen(s, n);
	char *d = bl_arena_alloc(a, len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *bl_arena_strdup(struct bl_arena *a, const char *s)
{
	if (!s)
		return NULL;
	return bl_arena_strndup(a, s, SIZE_MAX);
}
