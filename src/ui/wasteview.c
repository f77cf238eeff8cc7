/* The waste panel (view.h): dive's figures, the exact shadowed bytes, and
 * the files behind them, largest first; a file line leads to the file tree. */
#include "bakelens/view.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

enum wkind { W_TEXT, W_HEADING, W_INEFF, W_SHADOWED };

struct wrow {
	enum wkind kind;
	size_t idx; /* W_INEFF, W_SHADOWED: into the waste's arrays */
	char *text; /* W_TEXT, W_HEADING: display-safe, owned */
};

struct wasteview {
	const struct bl_waste *w;
	const struct bl_image_files *f;
	struct wrow *rows;
	size_t len, cap;
};

static void add(struct wasteview *wv, enum wkind k, size_t idx, char *text_take)
{
	if (wv->len == wv->cap) {
		wv->cap = wv->cap ? 2 * wv->cap : 64;
		wv->rows = bl_realloc(wv->rows, wv->cap * sizeof *wv->rows);
	}
	wv->rows[wv->len++] = (struct wrow){k, idx, text_take};
}

static char *ratio(double r)
{
	if (!isfinite(r))
		return bl_strdup("n/a (no bytes above the bottom layer)");
	return bl_asprintf("%.6f (%.2f %%)", r, r * 100.0);
}

static char *bytes(uint64_t b)
{
	char sz[32];
	bl_text_size((int64_t)b, sz, sizeof sz);
	return bl_asprintf("%llu (%s)", (unsigned long long)b, sz);
}

static void fact(struct wasteview *wv, const char *key, char *value_take)
{
	add(wv, W_TEXT, 0, bl_asprintf("%-26s %s", key, value_take));
	free(value_take);
}

static void build(struct wasteview *wv)
{
	const struct bl_waste *w = wv->w;
	add(wv, W_HEADING, 0, bl_strdup("As dive computes them (.dive-ci rules mean the same)"));
	fact(wv, "efficiency", ratio(w->efficiency));
	fact(wv, "wasted bytes", bytes(w->wasted_bytes));
	fact(wv, "user wasted percent", ratio(w->user_wasted_percent));
	fact(wv, "image size", bytes(w->size_bytes));
	fact(wv, "user size", bytes(w->user_size_bytes));
	add(wv, W_TEXT, 0, bl_strdup(""));
	add(wv, W_HEADING, 0,
	        bl_strdup("Exact: bytes the layers ship that the final image does not show"));
	fact(wv, "shadowed bytes", bytes(w->shadowed_bytes));
	fact(wv, "shadowed files", bl_asprintf("%zu", w->shadowed_files));
	for (size_t i = 0; i < wv->f->len; i++) {
		if (!w->layer_shadowed_files || !w->layer_shadowed_files[i])
			continue;
		char *key = bl_asprintf("  layer %zu/%zu", i + 1, wv->f->len);
		char sz[32];
		bl_text_size((int64_t)w->layer_shadowed_bytes[i], sz, sizeof sz);
		fact(wv, key,
		        bl_asprintf("%llu (%s) in %zu file%s",
		                (unsigned long long)w->layer_shadowed_bytes[i], sz,
		                w->layer_shadowed_files[i],
		                w->layer_shadowed_files[i] == 1 ? "" : "s"));
		free(key);
	}
	add(wv, W_TEXT, 0, bl_strdup(""));
	add(wv, W_HEADING, 0,
	        bl_asprintf("Inefficient files (dive): %zu, in more than one layer", w->nineff));
	for (size_t i = 0; i < w->nineff; i++)
		add(wv, W_INEFF, i, NULL);
	add(wv, W_TEXT, 0, bl_strdup(""));
	add(wv, W_HEADING, 0,
	        bl_asprintf("Shadowed files (exact): %zu; Enter opens the layer that ships one",
	                w->nshadowed));
	for (size_t i = 0; i < w->nshadowed; i++)
		add(wv, W_SHADOWED, i, NULL);
}

static struct wasteview *wvof(struct bl_view *v)
{
	return v->data;
}

static size_t wv_lines(struct bl_view *v)
{
	return wvof(v)->len;
}

static void row_text(struct wasteview *wv, size_t i, struct bl_buf *out, enum bl_role *role)
{
	const struct wrow *r = &wv->rows[i];
	char sz[32];
	*role = BL_ROLE_DEFAULT;
	switch (r->kind) {
	case W_HEADING:
		*role = BL_ROLE_HEADING;
		/* fall through */
	case W_TEXT:
		bl_buf_puts(out, r->text);
		return;
	case W_INEFF: {
		const struct bl_inefficiency *x = &wv->w->ineff[r->idx];
		bl_text_size(x->cumulative, sz, sizeof sz);
		bl_buf_printf(out, "  %10s  %2zu layers  ", sz, x->count);
		char *p = bl_text_safe(x->path);
		bl_buf_puts(out, p);
		free(p);
		return;
	}
	case W_SHADOWED: {
		const struct bl_shadowed *x = &wv->w->shadowed[r->idx];
		bl_text_size(x->size, sz, sizeof sz);
		bl_buf_printf(
		        out, "  %10s  layer %zu, gone in %zu  ", sz, x->layer + 1, x->by_layer + 1);
		char *p = bl_text_safe(x->path);
		bl_buf_puts(out, p);
		free(p);
		return;
	}
	}
}

static void wv_draw(struct bl_view *v, size_t i, struct bl_canvas *c, int x, int y, int w)
{
	struct bl_buf b;
	bl_buf_init(&b);
	enum bl_role role;
	row_text(wvof(v), i, &b, &role);
	bl_canvas_put(c, x, y, w, role, bl_buf_str(&b));
	bl_buf_fini(&b);
}

static void wv_text(struct bl_view *v, size_t i, struct bl_buf *out)
{
	enum bl_role role;
	bl_buf_clear(out);
	row_text(wvof(v), i, out, &role);
}

static const struct bl_view_ops wasteview_ops = {
        .name = "waste",
        .scope = BL_SCOPE_WASTE,
        .has_cursor = true,
        .lines = wv_lines,
        .draw_line = wv_draw,
        .line_text = wv_text,
};

void bl_wasteview_init(struct bl_view *v, const struct bl_waste *w, const struct bl_image_files *f)
{
	struct wasteview *wv = bl_calloc(1, sizeof *wv);
	wv->w = w;
	wv->f = f;
	build(wv);
	bl_view_init(v, &wasteview_ops, wv);
	/* On the first file, when there is one: what Enter opens. */
	for (size_t i = 0; i < wv->len; i++) {
		if (wv->rows[i].kind == W_INEFF || wv->rows[i].kind == W_SHADOWED) {
			v->cursor = i;
			break;
		}
	}
}

void bl_wasteview_fini(struct bl_view *v)
{
	struct wasteview *wv = wvof(v);
	if (wv) {
		for (size_t i = 0; i < wv->len; i++)
			free(wv->rows[i].text);
		free(wv->rows);
		free(wv);
	}
	bl_view_fini(v);
	v->data = NULL;
}

bool bl_wasteview_selected(struct bl_view *v, const char **path, size_t *layer)
{
	struct wasteview *wv = wvof(v);
	if (!wv || v->cursor >= wv->len)
		return false;
	const struct wrow *r = &wv->rows[v->cursor];
	if (r->kind == W_SHADOWED) {
		*path = wv->w->shadowed[r->idx].path;
		*layer = wv->w->shadowed[r->idx].layer;
		return true;
	}
	if (r->kind != W_INEFF)
		return false;
	/* dive's path is in several layers: the lowest one, whose bytes a
	 * later layer wastes. */
	*path = wv->w->ineff[r->idx].path;
	*layer = wv->f->len ? wv->f->len - 1 : 0;
	for (size_t i = 0; i < wv->f->len; i++) {
		if (bl_file_list_find(&wv->f->layers[i], *path)) {
			*layer = i;
			break;
		}
	}
	return true;
}
