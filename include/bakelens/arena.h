/* A bump allocator for many small strings (file lists, tar member names).
 * Everything is freed at once by bl_arena_fini. */
#ifndef BL_ARENA_H
#define BL_ARENA_H

#include <stddef.h>

struct bl_arena_chunk;

struct bl_arena {
	struct bl_arena_chunk *head;
	size_t total; /* bytes handed out */
};

void bl_arena_init(struct bl_arena *a);
void bl_arena_fini(struct bl_arena *a);
/* Zeroed, aligned for any type. */
void *bl_arena_alloc(struct bl_arena *a, size_t n);
char *bl_arena_strdup(struct bl_arena *a, const char *s);
char *bl_arena_strndup(struct bl_arena *a, const char *s, size_t n);

#endif
