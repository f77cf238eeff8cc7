/* The canvas of cells: see include/bakelens/term.h. */
#include "bakelens/term.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

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

static size_t utf8_len(const unsigned char *s)
{
	unsigned char b = s[0];
	size_t n = b < 0x80 ? 1 : b >= 0xf0 && b <= 0xf4 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 0;
	if (n == 0)
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

int bl_canvas_put(struct bl_canvas *c, int x, int y, int maxw, enum bl_role role, const char *s)
{
	if (!s || y < 0 || y >= c->h || x >= c->w)
		return 0;
	int limit = x + maxw < c->w ? x + maxw : c->w;
	int col = x;
	const unsigned char *p = (const unsigned char *)s;
	while (*p && col < limit) {
		char ch[5] = {0};
		size_t n = utf8_len(p);
		int w;
		if (n == 0 || p[0] < 0x20 || p[0] == 0x7f) {
			ch[0] = '?';
			w = 1;
			n = n ? n : 1;
		} else {
			memcpy(ch, p, n);
			size_t tw = bl_text_width(ch);
			/* Text escaping keeps C1 and bidi controls out; zero-width
			 * marks would smear the grid, so show them as '?'. */
			if (tw == 0 || bl_text_is_safe(ch, n) == false) {
				ch[0] = '?';
				ch[1] = '\0';
				tw = 1;
			}
			w = (int)tw;
		}
		p += n;
		if (col + w > limit)
			break;
		if (col >= 0) {
			unsplit(c, col, y);
			struct bl_cell *cl = cell(c, col, y);
			memcpy(cl->ch, ch, sizeof cl->ch);
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
