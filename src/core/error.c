/* Errors as values: see include/bakelens/error.h. */
#include "bakelens/error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 2, 0))) static void set_msg(
        struct bl_error *err, const char *fmt, va_list ap)
{
	/* vsnprintf truncates a long message; a truncated message is still useful. */
	int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	if (n < 0)
		err->msg[0] = '\0';
}

/* The one body of bl_fail and bl_fail_errno; `sys` says a system call failed
 * with `sys_errno`. */
__attribute__((format(printf, 5, 0))) static void fail_v(struct bl_error *err, enum bl_status code,
        bool sys, int sys_errno, const char *fmt, va_list ap)
{
	set_msg(err, fmt, ap);
	size_t len = strlen(err->msg);
	if (sys && len < sizeof err->msg)
		snprintf(err->msg + len, sizeof err->msg - len, ": %s", strerror(sys_errno));
	err->code = code;
	err->sys_errno = sys ? sys_errno : 0;
}

bool bl_fail(struct bl_error *err, enum bl_status code, const char *fmt, ...)
{
	if (!err)
		return false;
	va_list ap;
	va_start(ap, fmt);
	fail_v(err, code, false, 0, fmt, ap);
	va_end(ap);
	return false;
}

bool bl_fail_errno(struct bl_error *err, enum bl_status code, const char *fmt, ...)
{
	int saved = errno;
	if (!err)
		return false;
	va_list ap;
	va_start(ap, fmt);
	fail_v(err, code, true, saved, fmt, ap);
	va_end(ap);
	/* Formatting may have changed errno; the caller may still look at it. */
	errno = saved;
	return false;
}

void bl_error_prefix(struct bl_error *err, const char *fmt, ...)
{
	if (!err)
		return;
	char prefix[sizeof err->msg];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	/* Assemble by hand: snprintf("%s: %s") of two full buffers trips -Wformat-truncation. */
	char old[sizeof err->msg];
	memcpy(old, err->msg, sizeof old);
	old[sizeof old - 1] = '\0';
	size_t cap = sizeof err->msg - 1, len = 0;
	size_t plen = strlen(prefix);
	if (plen > cap)
		plen = cap;
	memcpy(err->msg, prefix, plen);
	len = plen;
	if (old[0]) {
		static const char sep[] = ": ";
		size_t slen = sizeof sep - 1;
		if (slen > cap - len)
			slen = cap - len;
		memcpy(err->msg + len, sep, slen);
		len += slen;
		size_t olen = strlen(old);
		if (olen > cap - len)
			olen = cap - len;
		memcpy(err->msg + len, old, olen);
		len += olen;
	}
	err->msg[len] = '\0';
}

void bl_error_clear(struct bl_error *err)
{
	if (!err)
		return;
	err->code = BL_OK;
	err->sys_errno = 0;
	err->msg[0] = '\0';
}

const char *bl_status_name(enum bl_status code)
{
	switch (code) {
	case BL_OK:
		return "ok";
	case BL_E_USAGE:
		return "usage";
	case BL_E_IO:
		return "io";
	case BL_E_FORMAT:
		return "format";
	case BL_E_DIGEST:
		return "digest";
	case BL_E_NOT_FOUND:
		return "not-found";
	case BL_E_TOO_BIG:
		return "too-big";
	case BL_E_UNSUPPORTED:
		return "unsupported";
	case BL_E_LOOP:
		return "loop";
	case BL_E_NET:
		return "net";
	case BL_E_AUTH:
		return "auth";
	case BL_E_CANCELLED:
		return "cancelled";
	}
	return "unknown";
}
