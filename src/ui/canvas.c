/* The canvas of cells: see include/bakelens/term.h. */
#define _XOPEN_SOURCE 700 /* wcwidth */
#include "bakelens/term.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

void bl_canvas_init(struct bl_canvas *c, int w, int h)
{
	memset(c, 0, sizeof *c);
	bl_canvas_resize(c, w, h);
}

void bl_canvas_fini(struct bl_canvas *c)
{
	free(c->cells);
	memset(c, 0, sizeof *c);
}

void bl_canvas_resize(struct bl_canvas *c, int w, int h)
{
	if (w < 0)
		w = 0;
	if (h < 0)
		h = 0;
	free(c->cells);
	c->w = w;
	c->h = h;
	c->cells = bl_calloc((size_t)w * (size_t)h + 1, sizeof *c->cells);
	bl_canvas_clear(c, BL_ROLE_DEFAULT);
}

static struct bl_cell *cell(struct bl_canvas *c, int x, int y)
{
	return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

const struct bl_cell *bl_canvas_at(const struct bl_canvas *c, int x, int y)
{
	assert(x >= 0 && y >= 0 && x < c->w && y < c->h);
	return &c->cells[(size_t)y * (size_t)c->w + (size_t)x];
}

static void set_space(struct bl_cell *cl, enum bl_role role)
{
	cl->ch[0] = ' ';
	cl->ch[1] = '\0';
	cl->width = 1;
	cl->role = (unsigned char)role;
}

void bl_canvas_clear(struct bl_canvas *c, enum bl_role role)
{
	for (size_t i = 0; i < (size_t)c->w * (size_t)c->h; i++)
		set_space(&c->cells[i], role);
}

/* Overwriting half of a wide character leaves the other half as a space. */
static void unsplit(struct bl_canvas *c, int x, int y)
{
	struct bl_cell *cl = cell(c, x, y);
	if (cl->width == 0 && x > 0)
		set_space(cell(c, x - 1, y), (enum bl_role)cell(c, x - 1, y)->role);
	if (cl->width == 2 && x + 1 < c->w)
		set_space(cell(c, x + 1, y), (enum bl_role)cell(c, x + 1, y)->role);
}

/* The length of the valid UTF-8 character at s and its code point; 0 when
 * the bytes there are not one. */
static size_t utf8_char(const unsigned char *s, uint32_t *cp)
{
	unsigned char b = s[0];
	size_t n = b < 0x80 ? 1 : b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 0;
	if (n == 0)
		return 0;
	uint32_t v = n == 1 ? b : n == 2 ? (b & 0x1fu) : n == 3 ? (b & 0x0fu) : (b & 0x07u);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	*cp = v;
	return n;
}

/* Zero-width characters that are not combining marks: format characters
 * (zero-width space and joiners, word joiner, BOM) are shown as '?';
 * variation selectors are left out. */
static bool is_format(uint32_t cp)
{
	return (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff;
}

static bool is_variation_selector(uint32_t cp)
{
	return (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0xe0100 && cp <= 0xe01ef);
}

/* Columns of one (safe, printable) character: wcwidth() in a UTF-8 locale,
 * which is what curses uses to place it; bl_text_width otherwise. -1 when
 * the locale does not know the character. */
static int char_width(bool locale_widths, uint32_t cp, const char *ch)
{
	if (locale_widths)
		return wcwidth((wchar_t)cp);
	return (int)bl_text_width(ch);
}

static void set_cell(struct bl_canvas *c, int col, int y, const char *ch, int w, enum bl_role role)
{
	unsplit(c, col, y);
	struct bl_cell *cl = cell(c, col, y);
	snprintf(cl->ch, sizeof cl->ch, "%s", ch);
	cl->width = (unsigned char)w;
	cl->role = (unsigned char)role;
	if (w == 2) {
		unsplit(c, col + 1, y);
		struct bl_cell *r = cell(c, col + 1, y);
		r->ch[0] = '\0';
		r->width = 0;
		r->role = (unsigned char)role;
	}
}

int bl_canvas_put(struct bl_canvas *c, int x, int y, int maxw, enum bl_role role, const char *s)
{
	if (!s || y < 0 || y >= c->h || x >= c->w)
		return 0;
	int limit = x + maxw < c->w ? x + maxw : c->w;
	int col = x;
	int last = -1; /* the cell of the last character put here (combining marks join it) */
	bool locale_widths = !c->ascii && MB_CUR_MAX > 1;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && col < limit) {
		char ch[5] = {0};
		uint32_t cp = 0;
		size_t n = utf8_char(p, &cp);
		int w;
		if (n == 0 || cp < 0x20 || cp == 0x7f) {
			ch[0] = '?';
			w = 1;
			n = n ? n : 1;
		} else {
			memcpy(ch, p, n);
			/* Text escaping keeps C1 and bidi controls out; this is the
			 * last check before the terminal. */
			w = bl_text_is_safe(ch, n) ? char_width(locale_widths, cp, ch) : -1;
			if (w == 0 && !is_format(cp)) {
				/* A combining mark: onto the character before it, when
				 * this call drew it and the cell has room; a variation
				 * selector or a stray mark is left out. */
				p += n;
				if (is_variation_selector(cp) || c->ascii || last < 0)
					continue;
				struct bl_cell *prev = cell(c, last, y);
				size_t used = strlen(prev->ch);
				if (used + n < sizeof prev->ch)
					memcpy(prev->ch + used, ch, n + 1);
				continue;
			}
			if (w < 0 || w == 0 || w > 2) {
				ch[0] = '?';
				ch[1] = '\0';
				w = 1;
			} else if (c->ascii && cp >= 0x80) {
				/* One '?' per column: the layout measured the text. */
				ch[0] = '?';
				ch[1] = '\0';
				p += n;
				if (col + w > limit)
					break;
				for (int k = 0; k < w; k++) {
					if (col >= 0)
						set_cell(c, col, y, "?", 1, role);
					col++;
				}
				last = -1;
				continue;
			}
		}
		p += n;
		if (col + w > limit)
			break;
		if (col >= 0) {
			set_cell(c, col, y, ch, w, role);
			last = col;
		} else {
			last = -1;
		}
		col += w;
	}
	return col - x;
}

void bl_canvas_fill(struct bl_canvas *c, int x, int y, int w, enum bl_role role)
{
	if (y < 0 || y >= c->h)
		return;
	for (int i = x < 0 ? 0 : x; i < x + w && i < c->w; i++) {
		unsplit(c, i, y);
		set_space(cell(c, i, y), role);
	}
}

void bl_canvas_paint(struct bl_canvas *c, int x, int y, int w, enum bl_role role)
{
	if (y < 0 || y >= c->h)
		return;
	for (int i = x < 0 ? 0 : x; i < x + w && i < c->w; i++)
		cell(c, i, y)->role = (unsigned char)role;
}

void bl_canvas_row_text(const struct bl_canvas *c, int y, struct bl_buf *out)
{
	bl_buf_clear(out);
	bl_buf_puts(out, "");
	if (y < 0 || y >= c->h)
		return;
	size_t keep = 0;
	for (int x = 0; x < c->w; x++) {
		const struct bl_cell *cl = bl_canvas_at(c, x, y);
		if (cl->width == 0)
			continue;
		bl_buf_puts(out, cl->ch);
		if (strcmp(cl->ch, " ") != 0)
			keep = out->len;
	}
	out->len = keep;
	out->data[keep] = '\0';
}

void bl_canvas_dump(const struct bl_canvas *c, struct bl_buf *out)
{
	struct bl_buf row;
	bl_buf_init(&row);
	for (int y = 0; y < c->h; y++) {
		bl_canvas_row_text(c, y, &row);
		bl_buf_append(out, row.data, row.len);
		bl_buf_putc(out, '\n');
	}
	bl_buf_fini(&row);
}
