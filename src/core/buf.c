/* A growable byte buffer: see include/bakelens/buf.h. */
#include "bakelens/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"

void bl_buf_init(struct bl_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void bl_buf_fini(struct bl_buf *b)
{
	free(b->data);
	bl_buf_init(b);
}

void bl_buf_clear(struct bl_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void bl_buf_reserve(struct bl_buf *b, size_t extra)
{
	/* +1 keeps room for the terminating NUL. */
	if (extra > SIZE_MAX - b->len - 1)
		bl_realloc(NULL, SIZE_MAX); /* cannot be satisfied: goes to the OOM path */
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = bl_realloc(b->data, cap);
	b->cap = cap;
	b->data[b->len] = '\0'; /* a fresh allocation reads as a string too */
}

void bl_buf_append(struct bl_buf *b, const void *data, size_t len)
{
	bl_buf_reserve(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void bl_buf_puts(struct bl_buf *b, const char *s)
{
	bl_buf_append(b, s, strlen(s));
}

void bl_buf_putc(struct bl_buf *b, char c)
{
	bl_buf_append(b, &c, 1);
}

/* The attribute lets clang check the va_list pass-through (-Wformat-nonliteral). */
__attribute__((format(printf, 2, 0))) void bl_buf_vprintf(
        struct bl_buf *b, const char *fmt, va_list ap);

void bl_buf_vprintf(struct bl_buf *b, const char *fmt, va_list ap)
{
	/* Try the free space first; format again only when it was too small. */
	bl_buf_reserve(b, 64);
	size_t room = b->cap - b->len;
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(b->data + b->len, room, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n >= room) {
		bl_buf_reserve(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void bl_buf_printf(struct bl_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bl_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

char *bl_buf_take(struct bl_buf *b)
{
	char *s = b->data;
	if (!s)
		s = bl_strdup("");
	bl_buf_init(b);
	return s;
}

const char *bl_buf_str(const struct bl_buf *b)
{
	return b->data ? b->data : "";
}
