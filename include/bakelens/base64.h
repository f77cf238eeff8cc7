/* Standard base64 (RFC 4648 section 4: A-Z a-z 0-9 + /, '=' padding). */
#ifndef BL_BASE64_H
#define BL_BASE64_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/buf.h"

/* Append the base64 of `len` bytes at `data` to out, padded with '=' to a
 * multiple of four characters. out->data is set (and NUL-terminated) even for
 * len 0. */
void bl_base64_encode(const void *data, size_t len, struct bl_buf *out);

/* Append the bytes that the NUL-terminated base64 text `in` decodes to.
 * Padding is optional, but at most two '=' and only at the end, and then the
 * text must be a multiple of four characters; no whitespace or other
 * characters. Returns false for NULL or bad input, leaving out as it was
 * (same length). out->data is set even when the text is empty. */
bool bl_base64_decode(const char *in, struct bl_buf *out);

#endif
