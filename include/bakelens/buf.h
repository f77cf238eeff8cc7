/* A growable byte buffer, always NUL-terminated after any append. */
#ifndef BL_BUF_H
#define BL_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct bl_buf {
	char *data; /* NULL until the first append */
	size_t len;
	size_t cap;
};

void bl_buf_init(struct bl_buf *b);
void bl_buf_fini(struct bl_buf *b);
void bl_buf_clear(struct bl_buf *b); /* len = 0, keeps the storage */
void bl_buf_reserve(struct bl_buf *b, size_t extra);
void bl_buf_append(struct bl_buf *b, const void *data, size_t len);
void bl_buf_puts(struct bl_buf *b, const char *s);
void bl_buf_putc(struct bl_buf *b, char c);
void bl_buf_printf(struct bl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void bl_buf_vprintf(struct bl_buf *b, const char *fmt, va_list ap);
/* The contents as a NUL-terminated string, owned by the caller; the buffer is left empty.
 * Never NULL (an empty buffer gives ""). */
char *bl_buf_take(struct bl_buf *b);
/* The contents as a C string ("" when empty), borrowed. */
const char *bl_buf_str(const struct bl_buf *b);

#endif
