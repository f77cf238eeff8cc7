/* Errors as values.
 *
 * Ownership rule for the whole project: pointer arguments are
 * borrowed for the call; a function that keeps one says `_take`; a `const T *`
 * result is borrowed from the object it came from, a `T *` or `char *` result
 * belongs to the caller; a container owns its elements.
 *
 * A function that can fail returns bool (or a pointer, NULL on failure) and
 * takes `struct bl_error *err` last. `err` may be NULL when the caller does not
 * care why. Only src/cli, src/ui and src/main.c print or exit.
 */
#ifndef BL_ERROR_H
#define BL_ERROR_H

#include <stdbool.h>

enum bl_status {
	BL_OK = 0,
	BL_E_USAGE,       /* bad command line or option value */
	BL_E_IO,          /* a system call failed (sys_errno set) or a member is unreadable */
	BL_E_FORMAT,      /* input is not what it should be: bad JSON, bad tar, bad field */
	BL_E_DIGEST,      /* content does not hash to its digest, or its size differs */
	BL_E_NOT_FOUND,   /* blob, target, platform or layer absent */
	BL_E_TOO_BIG,     /* a document is over its size cap */
	BL_E_UNSUPPORTED, /* valid input we cannot use (e.g. a layer not kept from stdin) */
	BL_E_LOOP,        /* an index refers back to itself */
	BL_E_NET,         /* network failure */
	BL_E_AUTH,        /* authentication or authorisation failure */
	BL_E_CANCELLED,   /* the user cancelled */
};

struct bl_error {
	enum bl_status code;
	int sys_errno; /* set only when a system call failed */
	char msg[512]; /* outermost context first: "manifest sha256:ab..: layers[3]: bad digest" */
};

/* Set `err` (when not NULL) and return false, so `return bl_fail(...)` reads well. */
bool bl_fail(struct bl_error *err, enum bl_status code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* As bl_fail, and record errno: ": <strerror(errno)>" is appended to the message. */
bool bl_fail_errno(struct bl_error *err, enum bl_status code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Put "<context>: " in front of the message already in `err`. No-op when err is NULL. */
void bl_error_prefix(struct bl_error *err, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));

void bl_error_clear(struct bl_error *err);

/* A short stable name for a status ("format", "digest", ...). */
const char *bl_status_name(enum bl_status code);

#endif
