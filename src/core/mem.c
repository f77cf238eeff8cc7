/* Allocation that never returns NULL: see include/bakelens/mem.h. */
#include "bakelens/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"

static bl_oom_fn oom_hook;

void bl_mem_set_oom_hook(bl_oom_fn fn)
{
	oom_hook = fn;
}

static _Noreturn void oom(void)
{
	if (oom_hook)
		oom_hook();
	abort();
}

void *bl_malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *bl_calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *bl_realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

char *bl_strdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	char *d = bl_malloc(n + 1);
	memcpy(d, s, n + 1);
	return d;
}

char *bl_strndup(const char *s, size_t n)
{
	if (!s)
		return NULL;
	size_t len = strnlen(s, n);
	char *d = bl_malloc(len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *bl_vasprintf(const char *fmt, va_list ap)
{
	/* bl_buf_vprintf formats into the free space and formats a second time
	 * only when that was too small. */
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_vprintf(&b, fmt, ap);
	return bl_buf_take(&b);
}

char *bl_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = bl_vasprintf(fmt, ap);
	va_end(ap);
	return s;
}
