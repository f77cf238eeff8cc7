/* The view core: cursor, paging and search for every view (view.h). */
#include "bakelens/view.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bakelens/mem.h"

void bl_view_init(struct bl_view *v, const struct bl_view_ops *ops, void *data)
{
	memset(v, 0, sizeof *v);
	v->ops = ops;
	v->data = data;
	v->height = 1;
}

void bl_view_fini(struct bl_view *v)
{
	free(v->query);
	v->query = NULL;
}

static size_t nlines(struct bl_view *v)
{
	return v->ops->lines(v);
}

static size_t page(const struct bl_view *v)
{
	return v->height > 1 ? (size_t)v->height - 1 : 1;
}

void bl_view_clamp(struct bl_view *v)
{
	size_t n = nlines(v);
	size_t h = v->height > 0 ? (size_t)v->height : 1;
	if (v->ops->has_cursor) {
		if (v->cursor >= n)
			v->cursor = n ? n - 1 : 0;
		if (v->cursor < v->top)
			v->top = v->cursor;
		if (v->cursor >= v->top + h)
			v->top = v->cursor - h + 1;
	}
	/* Never leave empty space under the last line when there is more above. */
	size_t max_top = n > h ? n - h : 0;
	if (v->top > max_top)
		v->top = max_top;
}

static enum bl_view_result move_to(struct bl_view *v, size_t line)
{
	if (v->ops->has_cursor) {
		if (line == v->cursor)
			return BL_HANDLED;
		v->cursor = line;
		bl_view_clamp(v);
		return BL_MOVED;
	}
	v->top = line;
	bl_view_clamp(v);
	return BL_HANDLED;
}

void bl_view_scroll(struct bl_view *v, long n)
{
	size_t lines = nlines(v);
	if (n < 0)
		v->top = (size_t)-n > v->top ? 0 : v->top - (size_t)-n;
	else
		v->top += (size_t)n;
	size_t h = v->height > 0 ? (size_t)v->height : 1;
	size_t max_top = lines > h ? lines - h : 0;
	if (v->top > max_top)
		v->top = max_top;
	if (v->ops->has_cursor) {
		if (v->cursor < v->top)
			v->cursor = v->top;
		if (v->cursor >= v->top + h)
			v->cursor = v->top + h - 1;
		if (v->cursor >= lines)
			v->cursor = lines ? lines - 1 : 0;
	}
}

bool bl_view_contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (; *hay; hay++)
		if (strncasecmp(hay, needle, n) == 0)
			return true;
	return n == 0;
}

static bool line_matches(struct bl_view *v, size_t i, const char *q, struct bl_buf *tmp)
{
	v->ops->line_text(v, i, tmp);
	return bl_view_contains_ci(bl_buf_str(tmp), q);
}

static enum bl_view_result core_search(struct bl_view *v, int dir)
{
	if (!v->query || !*v->query)
		return BL_HANDLED;
	size_t found;
	if (v->ops->search) {
		if (!v->ops->search(v, v->query, dir, &found))
			return BL_NOT_FOUND;
		v->cursor = found;
		bl_view_clamp(v);
		return BL_MOVED;
	}
	size_t n = nlines(v);
	if (n == 0 || !v->ops->line_text)
		return BL_NOT_FOUND;
	size_t from = v->ops->has_cursor ? v->cursor : v->top;
	struct bl_buf tmp;
	bl_buf_init(&tmp);
	enum bl_view_result r = BL_NOT_FOUND;
	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (from + k) % n : (from + n - (k % n)) % n;
		if (line_matches(v, i, v->query, &tmp)) {
			if (v->ops->has_cursor) {
				v->cursor = i;
			} else {
				v->top = i;
			}
			bl_view_clamp(v);
			r = BL_MOVED;
			break;
		}
	}
	bl_buf_fini(&tmp);
	return r;
}

enum bl_view_result bl_view_search(struct bl_view *v, const char *query, int dir)
{
	free(v->query);
	v->query = bl_strdup(query ? query : "");
	return core_search(v, dir);
}

enum bl_view_result bl_view_do(struct bl_view *v, enum bl_action a)
{
	size_t n = nlines(v);
	size_t pos = v->ops->has_cursor ? v->cursor : v->top;
	switch (a) {
	case BL_ACTION_MOVE_UP:
		return move_to(v, pos > 0 ? pos - 1 : 0);
	case BL_ACTION_MOVE_DOWN:
		return move_to(v, pos + 1 < n ? pos + 1 : pos);
	case BL_ACTION_PAGE_UP:
		if (!v->ops->has_cursor)
			return move_to(v, pos > page(v) ? pos - page(v) : 0);
		v->top = v->top > page(v) ? v->top - page(v) : 0;
		return move_to(v, pos > page(v) ? pos - page(v) : 0);
	case BL_ACTION_PAGE_DOWN: {
		size_t last = n ? n - 1 : 0;
		size_t to = pos + page(v) < last ? pos + page(v) : last;
		if (v->ops->has_cursor)
			v->top += page(v);
		return move_to(v, to);
	}
	case BL_ACTION_MOVE_FIRST:
		v->top = 0;
		return move_to(v, 0);
	case BL_ACTION_MOVE_LAST:
		return move_to(v, n ? n - 1 : 0);
	case BL_ACTION_FIND_NEXT:
		return core_search(v, 1);
	case BL_ACTION_FIND_PREV:
		return core_search(v, -1);
	default:
		break;
	}
	return v->ops->handle ? v->ops->handle(v, a) : BL_UNHANDLED;
}

void bl_view_draw(struct bl_view *v, struct bl_canvas *c, int x, int y, int w, int h,
        enum bl_role cursor_role)
{
	v->height = h > 0 ? h : 1;
	bl_view_clamp(v);
	size_t n = nlines(v);
	for (int row = 0; row < h; row++) {
		size_t i = v->top + (size_t)row;
		bl_canvas_fill(c, x, y + row, w, BL_ROLE_DEFAULT);
		if (i >= n)
			continue;
		v->ops->draw_line(v, i, c, x, y + row, w);
		if (v->ops->has_cursor && i == v->cursor)
			bl_canvas_paint(c, x, y + row, w, cursor_role);
	}
}
