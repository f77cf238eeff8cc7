/* Allocation that never returns NULL.
 *
 * On allocation failure the hook installed by the front end runs (the TUI
 * restores the terminal there), then the process aborts. Library code never
 * checks for NULL after these calls.
 */
#ifndef BL_MEM_H
#define BL_MEM_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*bl_oom_fn)(void);

void bl_mem_set_oom_hook(bl_oom_fn fn);

void *bl_malloc(size_t n);
void *bl_calloc(size_t count, size_t size);
void *bl_realloc(void *p, size_t n);
/* Returns NULL for a NULL argument. */
char *bl_strdup(const char *s);
char *bl_strndup(const char *s, size_t n);
/* A newly allocated formatted string, caller owns. */
char *bl_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* As bl_asprintf with a va_list; `ap` is consumed (va_end stays with the
 * caller). */
char *bl_vasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

#endif
