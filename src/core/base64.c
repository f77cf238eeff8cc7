/* Standard base64: see include/bakelens/base64.h. */
#include "bakelens/base64.h"

#include <stdint.h>
#include <string.h>

void bl_base64_encode(const void *data, size_t len, struct bl_buf *out)
{
	static const char tbl[] =
	        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *p = data;
	size_t i = 0;
	for (; i + 3 <= len; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];
		char q[4] = {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63], tbl[v & 63]};
		bl_buf_append(out, q, 4);
	}
	if (len - i == 1) {
		unsigned v = (unsigned)p[i] << 16;
		char q[4] = {tbl[v >> 18], tbl[(v >> 12) & 63], '=', '='};
		bl_buf_append(out, q, 4);
	} else if (len - i == 2) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8;
		char q[4] = {tbl[v >> 18], tbl[(v >> 12) & 63], tbl[(v >> 6) & 63], '='};
		bl_buf_append(out, q, 4);
	}
	if (!out->data)
		bl_buf_append(out, "", 0);
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

bool bl_base64_decode(const char *in, struct bl_buf *out)
{
	if (!in)
		return false;
	size_t len = strlen(in);
	/* Padding is optional, but when present it ends the input. */
	size_t pad = 0;
	while (len > 0 && in[len - 1] == '=' && pad < 2) {
		len--;
		pad++;
	}
	if (pad && (len + pad) % 4 != 0)
		return false;
	if (len % 4 == 1)
		return false;
	size_t start = out->len;
	uint32_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < len; i++) {
		int v = b64_value((unsigned char)in[i]);
		if (v < 0) {
			out->len = start;
			if (out->data)
				out->data[start] = '\0';
			return false;
		}
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			bl_buf_putc(out, (char)((acc >> bits) & 0xff));
		}
	}
	if (!out->data)
		bl_buf_append(out, "", 0);
	return true;
}
