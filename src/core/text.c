/* Escaping and formatting text for a terminal: see include/bakelens/text.h.
 *
 * Our own small UTF-8 decoder and width table keep the output independent of
 * the locale, so tests and screens are deterministic. */
#include "bakelens/text.h"

#include <stdio.h>
#include <string.h>

#include "bakelens/mem.h"

/* Strict, so that what the escaper passes raw is what a terminal decodes. */
size_t bl_utf8_decode(const char *str, size_t len, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	if (len == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;
	uint32_t v;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		v = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		v = c & 0x0f;
		if (c == 0xe0)
			lo = 0xa0; /* overlong */
		else if (c == 0xed)
			hi = 0x9f; /* surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xf0)
			lo = 0x90; /* overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* over U+10FFFF */
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	v = (v << 6) | (s[1] & 0x3f);
	for (size_t i = 2; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3f);
	}
	*cp = v;
	return n;
}

size_t bl_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp >= 0xd800 && cp <= 0xdfff)
		return 0; /* surrogates are not characters */
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	if (cp > 0x10ffff)
		return 0;
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Code points that pass the decoder but must not reach a terminal raw: C1
 * controls, and the invisible bidi and line-separator controls that can make
 * text display as something it is not. */
static bool cp_needs_escape(uint32_t cp)
{
	if (cp < 0x20 || cp == 0x7f)
		return true;
	if (cp >= 0x80 && cp <= 0x9f)
		return true;
	if (cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	        (cp >= 0x2066 && cp <= 0x2069))
		return true;
	return false;
}

static void put_hex_byte(struct bl_buf *out, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[4] = {'\\', 'x', hex[c >> 4], hex[c & 0xf]};
	bl_buf_append(out, tmp, sizeof tmp);
}

void bl_text_escape(struct bl_buf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	bl_buf_reserve(out, len);
	size_t i = 0;
	while (i < len) {
		/* Copy runs of plain printable ASCII in one go. */
		size_t run = i;
		while (run < len && p[run] >= 0x20 && p[run] < 0x7f)
			run++;
		if (run > i) {
			bl_buf_append(out, p + i, run - i);
			i = run;
			continue;
		}
		uint32_t cp;
		size_t n = bl_utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			put_hex_byte(out, p[i]);
			i++;
			continue;
		}
		if (!cp_needs_escape(cp)) {
			bl_buf_append(out, p + i, n);
		} else if (cp == '\n') {
			bl_buf_puts(out, "\\n");
		} else if (cp == '\t') {
			bl_buf_puts(out, "\\t");
		} else if (cp == '\r') {
			bl_buf_puts(out, "\\r");
		} else if (cp == 0x1b) {
			bl_buf_puts(out, "\\e");
		} else if (cp < 0x80) {
			put_hex_byte(out, (unsigned char)cp);
		} else {
			bl_buf_printf(out, "\\u{%x}", (unsigned)cp);
		}
		i += n;
	}
}

char *bl_text_safe(const char *s)
{
	struct bl_buf b;
	bl_buf_init(&b);
	if (s)
		bl_text_escape(&b, s, strlen(s));
	return bl_buf_take(&b);
}

/* Both report escapers work on bl_text_escape's output, which is printable
 * text with no control left, so each only has to neutralise syntax. */
void bl_text_escape_html(struct bl_buf *out, const char *s, size_t len)
{
	struct bl_buf t;
	bl_buf_init(&t);
	bl_text_escape(&t, s, len);
	for (size_t i = 0; i < t.len; i++) {
		char c = t.data[i];
		switch (c) {
		case '&':
			bl_buf_puts(out, "&amp;");
			break;
		case '<':
			bl_buf_puts(out, "&lt;");
			break;
		case '>':
			bl_buf_puts(out, "&gt;");
			break;
		case '"':
			bl_buf_puts(out, "&quot;");
			break;
		case '\'':
			bl_buf_puts(out, "&#39;");
			break;
		default:
			bl_buf_putc(out, c);
		}
	}
	bl_buf_fini(&t);
}

void bl_text_escape_md(struct bl_buf *out, const char *s, size_t len)
{
	/* ':' and '.' escaped break GFM's autolinks (http://, www.); '@' its
	 * e-mail links; '|' escaped stays inside a table cell. */
	static const char syntax[] = "\\`*_[](){}#+-.!|~:=$@\"";
	struct bl_buf t;
	bl_buf_init(&t);
	bl_text_escape(&t, s, len);
	for (size_t i = 0; i < t.len; i++) {
		char c = t.data[i];
		if (c == '<')
			bl_buf_puts(out, "&lt;");
		else if (c == '>')
			bl_buf_puts(out, "&gt;");
		else if (c == '&')
			bl_buf_puts(out, "&amp;");
		else if (c && strchr(syntax, c)) {
			bl_buf_putc(out, '\\');
			bl_buf_putc(out, c);
		} else
			bl_buf_putc(out, c);
	}
	bl_buf_fini(&t);
}

bool bl_text_is_safe(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = bl_utf8_decode(s + i, len - i, &cp);
		if (n == 0 || cp_needs_escape(cp))
			return false;
		i += n;
	}
	return true;
}

struct range {
	uint32_t lo, hi;
};

static const struct range wide[] = {
        {0x1100, 0x115f},
        {0x2e80, 0xa4cf},
        {0xac00, 0xd7a3},
        {0xf900, 0xfaff},
        {0xfe30, 0xfe4f},
        {0xff00, 0xff60},
        {0xffe0, 0xffe6},
        {0x1f300, 0x1f64f},
        {0x1f900, 0x1f9ff},
        {0x20000, 0x3fffd},
        /* Emoji with a wide default presentation (East Asian Width W), as the
         * C library's wcwidth and terminals place them. */
        {0x231a, 0x231b},
        {0x23e9, 0x23ec},
        {0x23f0, 0x23f0},
        {0x23f3, 0x23f3},
        {0x25fd, 0x25fe},
        {0x2614, 0x2615},
        {0x2648, 0x2653},
        {0x267f, 0x267f},
        {0x2693, 0x2693},
        {0x26a1, 0x26a1},
        {0x26aa, 0x26ab},
        {0x26bd, 0x26be},
        {0x26c4, 0x26c5},
        {0x26ce, 0x26ce},
        {0x26d4, 0x26d4},
        {0x26ea, 0x26ea},
        {0x26f2, 0x26f3},
        {0x26f5, 0x26f5},
        {0x26fa, 0x26fa},
        {0x26fd, 0x26fd},
        {0x2705, 0x2705},
        {0x270a, 0x270b},
        {0x2728, 0x2728},
        {0x274c, 0x274c},
        {0x274e, 0x274e},
        {0x2753, 0x2755},
        {0x2757, 0x2757},
        {0x2795, 0x2797},
        {0x27b0, 0x27b0},
        {0x27bf, 0x27bf},
        {0x2b1b, 0x2b1c},
        {0x2b50, 0x2b50},
        {0x2b55, 0x2b55},
        {0x1f004, 0x1f004},
        {0x1f0cf, 0x1f0cf},
        {0x1f18e, 0x1f18e},
        {0x1f191, 0x1f19a},
        {0x1f200, 0x1f202},
        {0x1f210, 0x1f23b},
        {0x1f240, 0x1f248},
        {0x1f250, 0x1f251},
        {0x1f260, 0x1f265},
        {0x1f680, 0x1f6ff},
        {0x1f7e0, 0x1f7eb},
        {0x1fa70, 0x1faff},
};

static const struct range zero[] = {
        {0x0300, 0x036f},
        {0x1ab0, 0x1aff},
        {0x1dc0, 0x1dff},
        {0x200b, 0x200f},
        {0x20d0, 0x20ff},
        {0xfe00, 0xfe0f},
        {0xfe20, 0xfe2f},
};

static bool in_ranges(uint32_t cp, const struct range *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (cp >= r[i].lo && cp <= r[i].hi)
			return true;
	}
	return false;
}

size_t bl_text_width(const char *s)
{
	if (!s)
		return 0;
	size_t len = strlen(s);
	size_t w = 0, i = 0;
	while (i < len) {
		uint32_t cp;
		size_t n = bl_utf8_decode(s + i, len - i, &cp);
		if (n == 0) {
			/* An invalid byte: terminals show one replacement cell. */
			w += 1;
			i++;
			continue;
		}
		i += n;
		if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f))
			continue; /* controls take no column */
		if (in_ranges(cp, zero, sizeof zero / sizeof zero[0]))
			continue;
		w += in_ranges(cp, wide, sizeof wide / sizeof wide[0]) ? 2 : 1;
	}
	return w;
}

void bl_text_size(int64_t bytes, char *out, size_t outlen)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
	if (!out || outlen == 0)
		return;
	if (bytes < 0) {
		snprintf(out, outlen, "?");
		return;
	}
	if (bytes < 1024) {
		snprintf(out, outlen, "%lld B", (long long)bytes);
		return;
	}
	double v = (double)bytes;
	size_t u = 0;
	while (u + 1 < sizeof units / sizeof units[0] && v >= 1024.0) {
		v /= 1024.0;
		u++;
	}
	/* 1048575 bytes is 1023.999 KiB, which would print as "1024.0 KiB". */
	if (v >= 1023.95 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1024.0;
		u++;
	}
	snprintf(out, outlen, "%.1f %s", v, units[u]);
}
