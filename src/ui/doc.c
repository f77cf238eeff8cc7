/* Styled documents and the document view (view.h). */
#include "bakelens/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

void bl_doc_init(struct bl_doc *d)
{
	memset(d, 0, sizeof *d);
}

void bl_doc_clear(struct bl_doc *d)
{
	for (size_t i = 0; i < d->len; i++) {
		for (size_t k = 0; k < d->lines[i].len; k++)
			free(d->lines[i].spans[k].text);
		free(d->lines[i].spans);
	}
	d->len = 0;
	d->truncated = false;
}

void bl_doc_fini(struct bl_doc *d)
{
	bl_doc_clear(d);
	free(d->lines);
	memset(d, 0, sizeof *d);
}

void bl_doc_newline(struct bl_doc *d)
{
	if (d->max_lines && d->len >= d->max_lines) {
		d->truncated = true;
		return;
	}
	if (d->len == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->lines = bl_realloc(d->lines, d->cap * sizeof *d->lines);
	}
	d->lines[d->len++] = (struct bl_doc_line){0};
}

void bl_doc_add(struct bl_doc *d, enum bl_role role, const char *text)
{
	if (d->truncated)
		return;
	if (d->len == 0)
		bl_doc_newline(d);
	struct bl_doc_line *l = &d->lines[d->len - 1];
	l->spans = bl_realloc(l->spans, (l->len + 1) * sizeof *l->spans);
	l->spans[l->len++] = (struct bl_span){.role = role, .text = bl_strdup(text ? text : "")};
}

void bl_doc_add_raw(struct bl_doc *d, enum bl_role role, const char *text)
{
	char *safe = bl_text_safe(text);
	bl_doc_add(d, role, safe);
	free(safe);
}

/* Bytes of the longest prefix of s (up to len) that fits in `cols`. */
static size_t fit(const char *s, size_t len, int cols, int *used)
{
	size_t i = 0;
	int w = 0;
	char tmp[5];
	while (i < len) {
		unsigned char b = (unsigned char)s[i];
		size_t n = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
		if (i + n > len)
			n = len - i;
		memcpy(tmp, s + i, n);
		tmp[n] = '\0';
		int cw = (int)bl_text_width(tmp);
		if (w + cw > cols)
			break;
		w += cw;
		i += n;
	}
	*used = w;
	return i;
}

/* A new line starting with `indent` spaces (at most 63); returns the columns used. */
static int newline_indented(struct bl_doc *d, int indent)
{
	bl_doc_newline(d);
	char pad[64];
	int k = indent < 63 ? indent : 63;
	memset(pad, ' ', (size_t)k);
	pad[k] = '\0';
	bl_doc_add(d, BL_ROLE_DEFAULT, pad);
	return k;
}

void bl_doc_wrap(struct bl_doc *d, enum bl_role role, const char *text, int width, int indent)
{
	if (width < indent + 10)
		width = indent + 10;
	const char *p = text ? text : "";
	bool first = true;
	if (d->len == 0)
		bl_doc_newline(d);
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t seg = nl ? (size_t)(nl - p) : strlen(p);
		/* The columns already used on the current line. */
		int col = 0;
		if (!first) {
			col = newline_indented(d, indent);
		} else if (d->len) {
			struct bl_doc_line *l = &d->lines[d->len - 1];
			for (size_t k = 0; k < l->len; k++)
				col += (int)bl_text_width(l->spans[k].text);
		}
		first = false;
		size_t off = 0;
		do {
			int used;
			int room = width - col;
			size_t take = fit(p + off, seg - off, room > 1 ? room : 1, &used);
			/* Break at the last space when the rest does not fit. */
			if (off + take < seg) {
				size_t sp = take;
				while (sp > 0 && p[off + sp - 1] != ' ')
					sp--;
				if (sp > 0)
					take = sp;
				else if (take == 0)
					take = 1;
			}
			char *part = bl_strndup(p + off, take);
			bl_doc_add(d, role, part);
			free(part);
			off += take;
			if (off < seg)
				col = newline_indented(d, indent);
		} while (off < seg && !d->truncated);
		if (!nl || d->truncated)
			break;
		p = nl + 1;
	}
}

static int line_width(const struct bl_doc_line *l)
{
	int w = 0;
	for (size_t k = 0; k < l->len; k++)
		w += (int)bl_text_width(l->spans[k].text);
	return w;
}

static void line_add(struct bl_doc_line *l, enum bl_role role, const char *text, size_t len)
{
	l->spans = bl_realloc(l->spans, (l->len + 1) * sizeof *l->spans);
	l->spans[l->len++] = (struct bl_span){.role = role, .text = bl_strndup(text, len)};
}

static void lines_push(struct bl_doc_line **v, size_t *len, size_t *cap, struct bl_doc_line l)
{
	if (*len == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = bl_realloc(*v, *cap * sizeof **v);
	}
	(*v)[(*len)++] = l;
}

void bl_doc_fold(struct bl_doc *d, size_t from, int width)
{
	if (width < 4)
		width = 4;
	bool any = false;
	for (size_t i = from; i < d->len && !any; i++)
		any = line_width(&d->lines[i]) > width;
	if (!any)
		return;
	struct bl_doc_line *out = NULL;
	size_t len = 0, cap = 0;
	for (size_t i = 0; i < d->len; i++) {
		struct bl_doc_line *l = &d->lines[i];
		if (i < from || line_width(l) <= width) {
			lines_push(&out, &len, &cap, *l);
			continue;
		}
		int lead = 0;
		for (size_t k = 0; k < l->len; k++) {
			const char *t = l->spans[k].text;
			while (t[0] == ' ') {
				lead++;
				t++;
			}
			if (*t)
				break;
		}
		int ind = lead + 2 < width / 2 ? lead + 2 : width / 2;
		char pad[256];
		if (ind > 255)
			ind = 255;
		memset(pad, ' ', (size_t)ind);
		struct bl_doc_line cur = {0};
		int col = 0;
		for (size_t k = 0; k < l->len; k++) {
			const char *t = l->spans[k].text;
			enum bl_role role = l->spans[k].role;
			size_t start = 0, pos = 0, n = strlen(t);
			while (pos < n) {
				unsigned char b = (unsigned char)t[pos];
				size_t cl = b < 0x80    ? 1
				            : b >= 0xf0 ? 4
				            : b >= 0xe0 ? 3
				            : b >= 0xc0 ? 2
				                        : 1;
				if (pos + cl > n)
					cl = n - pos;
				char tmp[5];
				memcpy(tmp, t + pos, cl);
				tmp[cl] = '\0';
				int cw = (int)bl_text_width(tmp);
				if (col + cw > width && col > ind) {
					if (pos > start)
						line_add(&cur, role, t + start, pos - start);
					lines_push(&out, &len, &cap, cur);
					cur = (struct bl_doc_line){0};
					line_add(&cur, BL_ROLE_DEFAULT, pad, (size_t)ind);
					col = ind;
					start = pos;
				}
				col += cw;
				pos += cl;
			}
			if (pos > start)
				line_add(&cur, role, t + start, pos - start);
			free(l->spans[k].text);
		}
		free(l->spans);
		lines_push(&out, &len, &cap, cur);
	}
	free(d->lines);
	d->lines = out;
	d->len = len;
	d->cap = cap;
}

void bl_doc_line_text(const struct bl_doc *d, size_t i, struct bl_buf *out)
{
	bl_buf_clear(out);
	bl_buf_puts(out, "");
	if (i >= d->len)
		return;
	for (size_t k = 0; k < d->lines[i].len; k++)
		bl_buf_puts(out, d->lines[i].spans[k].text);
}

/* JSON */

static void put_json_string(struct bl_doc *d, enum bl_role role, const char *s, size_t len)
{
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_putc(&b, '"');
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '"') {
			bl_text_escape(&b, s + start, i - start);
			if (i < len)
				bl_buf_puts(&b, "\\\"");
			start = i + 1;
		}
	}
	bl_buf_putc(&b, '"');
	bl_doc_add(d, role, bl_buf_str(&b));
	bl_buf_fini(&b);
}

static void indent(struct bl_doc *d, int level)
{
	bl_doc_newline(d);
	if (level > 0) {
		char pad[82];
		int n = level * 2 < 80 ? level * 2 : 80;
		memset(pad, ' ', (size_t)n);
		pad[n] = '\0';
		bl_doc_add(d, BL_ROLE_DEFAULT, pad);
	}
}

static void json_value(struct bl_doc *d, const json_t *j, int level)
{
	if (d->truncated)
		return;
	char num[64];
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		if (json_object_size(j) == 0) {
			bl_doc_add(d, BL_ROLE_JSON_PUNCT, "{}");
			return;
		}
		bl_doc_add(d, BL_ROLE_JSON_PUNCT, "{");
		const char *key;
		json_t *val;
		size_t i = 0, n = json_object_size(j);
		json_object_foreach((json_t *)j, key, val)
		{
			indent(d, level + 1);
			put_json_string(d, BL_ROLE_JSON_KEY, key, strlen(key));
			bl_doc_add(d, BL_ROLE_JSON_PUNCT, ": ");
			json_value(d, val, level + 1);
			if (++i < n)
				bl_doc_add(d, BL_ROLE_JSON_PUNCT, ",");
		}
		indent(d, level);
		bl_doc_add(d, BL_ROLE_JSON_PUNCT, "}");
		return;
	}
	case JSON_ARRAY: {
		size_t n = json_array_size(j);
		if (n == 0) {
			bl_doc_add(d, BL_ROLE_JSON_PUNCT, "[]");
			return;
		}
		bl_doc_add(d, BL_ROLE_JSON_PUNCT, "[");
		for (size_t i = 0; i < n; i++) {
			indent(d, level + 1);
			json_value(d, json_array_get(j, i), level + 1);
			if (i + 1 < n)
				bl_doc_add(d, BL_ROLE_JSON_PUNCT, ",");
		}
		indent(d, level);
		bl_doc_add(d, BL_ROLE_JSON_PUNCT, "]");
		return;
	}
	case JSON_STRING:
		put_json_string(
		        d, BL_ROLE_JSON_STRING, json_string_value(j), json_string_length(j));
		return;
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
		bl_doc_add(d, BL_ROLE_JSON_NUMBER, num);
		return;
	case JSON_REAL:
		snprintf(num, sizeof num, "%.17g", json_real_value(j));
		bl_doc_add(d, BL_ROLE_JSON_NUMBER, num);
		return;
	case JSON_TRUE:
		bl_doc_add(d, BL_ROLE_JSON_LITERAL, "true");
		return;
	case JSON_FALSE:
		bl_doc_add(d, BL_ROLE_JSON_LITERAL, "false");
		return;
	case JSON_NULL:
		bl_doc_add(d, BL_ROLE_JSON_LITERAL, "null");
		return;
	}
}

void bl_doc_json(struct bl_doc *d, const json_t *j)
{
	if (!j)
		return;
	bl_doc_newline(d);
	json_value(d, j, 0);
}

void bl_doc_markdown(struct bl_doc *d, const char *md, int width)
{
	const char *p = md ? md : "";
	struct bl_buf para;
	bl_buf_init(&para);
	for (;;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		bool blank = len == 0;
		if ((blank || !nl || (len > 2 && p[0] == '#' && p[1] == ' ')) && para.len) {
			bl_doc_newline(d);
			char *safe = bl_text_safe(bl_buf_str(&para));
			bl_doc_wrap(d, BL_ROLE_DEFAULT, safe, width, 0);
			free(safe);
			bl_buf_clear(&para);
		}
		if (len > 2 && p[0] == '#' && p[1] == ' ') {
			if (d->len)
				bl_doc_newline(d);
			bl_doc_newline(d);
			char *h = bl_strndup(p + 2, len - 2);
			bl_doc_add_raw(d, BL_ROLE_HEADING, h);
			free(h);
		} else if (blank) {
			if (d->len)
				bl_doc_newline(d);
		} else {
			if (para.len)
				bl_buf_putc(&para, ' ');
			bl_buf_append(&para, p, len);
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	if (para.len) {
		bl_doc_newline(d);
		char *safe = bl_text_safe(bl_buf_str(&para));
		bl_doc_wrap(d, BL_ROLE_DEFAULT, safe, width, 0);
		free(safe);
	}
	/* Collapse the blank lines the rules above leave in a row. */
	size_t out = 0;
	for (size_t i = 0; i < d->len; i++) {
		bool empty = d->lines[i].len == 0;
		bool prev_empty = out > 0 && d->lines[out - 1].len == 0;
		if (empty && (prev_empty || out == 0)) {
			free(d->lines[i].spans);
			continue;
		}
		d->lines[out++] = d->lines[i];
	}
	d->len = out;
	bl_buf_fini(&para);
}

/* The document view. */

static size_t doc_lines(struct bl_view *v)
{
	const struct bl_doc *d = v->data;
	return d->len;
}

static void doc_draw_line(struct bl_view *v, size_t i, struct bl_canvas *c, int x, int y, int w)
{
	const struct bl_doc *d = v->data;
	const struct bl_doc_line *l = &d->lines[i];
	int col = 0;
	for (size_t k = 0; k < l->len && col < w; k++)
		col += bl_canvas_put(c, x + col, y, w - col, l->spans[k].role, l->spans[k].text);
}

static void doc_line_text(struct bl_view *v, size_t i, struct bl_buf *out)
{
	bl_doc_line_text(v->data, i, out);
}

#define DOC_OPS(ident, nm, sc)                                                                     \
	static const struct bl_view_ops ident = {                                                  \
	        .name = nm,                                                                        \
	        .scope = sc,                                                                       \
	        .has_cursor = false,                                                               \
	        .lines = doc_lines,                                                                \
	        .draw_line = doc_draw_line,                                                        \
	        .line_text = doc_line_text,                                                        \
	}

DOC_OPS(detail_ops, "detail", BL_SCOPE_DETAIL);
DOC_OPS(pager_ops, "pager", BL_SCOPE_PAGER);
DOC_OPS(menu_ops, "menu", BL_SCOPE_MENU);

void bl_docview_init(struct bl_view *v, struct bl_doc *doc, enum bl_scope scope)
{
	const struct bl_view_ops *ops = scope == BL_SCOPE_DETAIL ? &detail_ops
	                                : scope == BL_SCOPE_MENU ? &menu_ops
	                                                         : &pager_ops;
	bl_view_init(v, ops, doc);
}
