/* The compare view: a comparison tree (compare.h) as rows, left and right
 * side by side, and the detail area of the selected pair (view.h). */
#include "bakelens/view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/app.h"
#include "bakelens/mem.h"
#include "bakelens/provenance.h"
#include "bakelens/text.h"

struct crow {
	struct bl_cmp_node *n;
	int depth;
};

struct cmpview {
	struct bl_cmp_node *root;
	const bool *ascii;
	struct crow *rows;
	size_t len, cap;
};

static struct cmpview *cv(struct bl_view *v)
{
	return v->data;
}

static void push_rows(struct cmpview *c, struct bl_cmp_node *n, int depth)
{
	if (c->len == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->rows = bl_realloc(c->rows, c->cap * sizeof *c->rows);
	}
	c->rows[c->len++] = (struct crow){.n = n, .depth = depth};
	if (!n->expanded)
		return;
	for (size_t i = 0; i < n->children.len; i++)
		push_rows(c, bl_vec_get(&n->children, i), depth + 1);
}

static void flatten(struct cmpview *c)
{
	c->len = 0;
	if (c->root)
		push_rows(c, c->root, 0);
}

void bl_cmp_fold(struct bl_cmp_node *n)
{
	n->expanded = n->cls != BL_CMP_IDENTICAL && n->children.len > 0;
	for (size_t i = 0; i < n->children.len; i++)
		bl_cmp_fold(bl_vec_get(&n->children, i));
}

static bool only_left(enum bl_cmp_class c)
{
	return c == BL_CMP_LAYER_REMOVED || c == BL_CMP_PLATFORM_REMOVED || c == BL_CMP_ONLY_LEFT;
}

static bool only_right(enum bl_cmp_class c)
{
	return c == BL_CMP_LAYER_ADDED || c == BL_CMP_PLATFORM_ADDED || c == BL_CMP_ONLY_RIGHT;
}

char bl_cmp_marker(const struct bl_cmp_node *n, enum bl_role *role)
{
	if (n->cls == BL_CMP_IDENTICAL) {
		*role = BL_ROLE_GUIDE;
		return '=';
	}
	if (!n->left) {
		*role = BL_ROLE_DIFF_ADDED;
		return '+';
	}
	if (!n->right) {
		*role = BL_ROLE_DIFF_REMOVED;
		return '-';
	}
	if (n->cls == BL_CMP_UNKNOWN) {
		*role = BL_ROLE_MARK_MISSING;
		return '?';
	}
	*role = BL_ROLE_DIFF_CHANGED;
	return '~';
}

/* The role of one side's label. */
static enum bl_role side_role(const struct bl_cmp_node *n, const struct bl_node *x, bool left)
{
	if (n->own == BL_CMP_IDENTICAL)
		return bl_node_role(x);
	if (n->own == BL_CMP_UNKNOWN)
		return BL_ROLE_MARK_MISSING;
	if (only_left(n->own) || !n->right)
		return left ? BL_ROLE_DIFF_REMOVED : BL_ROLE_DIFF_CHANGED;
	if (only_right(n->own) || !n->left)
		return left ? BL_ROLE_DIFF_CHANGED : BL_ROLE_DIFF_ADDED;
	return BL_ROLE_DIFF_CHANGED;
}

static bool digests_differ(const struct bl_cmp_node *n)
{
	return n->left && n->right && n->left->has_desc && n->right->has_desc &&
	       !bl_digest_equal(&n->left->desc.digest, &n->right->desc.digest);
}

static size_t count_below(const struct bl_cmp_node *n)
{
	size_t k = n->children.len;
	for (size_t i = 0; i < n->children.len; i++)
		k += count_below(bl_vec_get(&n->children, i));
	return k;
}

/* One side of a row: indent, expander (left only), label, short digest, size. */
static void draw_side(struct bl_canvas *c, int x, int y, int w, const struct bl_cmp_node *n,
        const struct bl_node *side, int depth, bool left, bool ascii)
{
	int col = 0;
	int ind = depth * 2;
	if (ind > w / 2)
		ind = w / 2;
	col += ind;
	if (left) {
		const char *exp = !n->children.len ? "  "
		                  : n->expanded    ? (ascii ? "- " : "\u25be ")
		                                   : (ascii ? "+ " : "\u25b8 ");
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_GUIDE, exp);
	} else {
		col += 2;
	}
	if (col >= w)
		return;
	if (!side) {
		bl_canvas_put(c, x + col, y, w - col, BL_ROLE_GUIDE, ascii ? "-" : "\u2014");
		return;
	}
	if (!left && n->cls == BL_CMP_IDENTICAL && n->children.len && !n->expanded) {
		char t[64];
		snprintf(t, sizeof t, "identical (%zu below)", count_below(n));
		bl_canvas_put(c, x + col, y, w - col, BL_ROLE_GUIDE, t);
		return;
	}
	const char *lab = side->label ? side->label : bl_node_kind_name(side->kind);
	if (side->kind == BL_NODE_BUILD)
		lab = "build";
	char *label = bl_text_safe(lab);
	col += bl_canvas_put(c, x + col, y, w - col, side_role(n, side, left), label);
	free(label);
	if (side->has_desc && bl_digest_is_set(&side->desc.digest)) {
		char sd[32];
		bl_digest_short(&side->desc.digest, sd, sizeof sd);
		const char *hex = strchr(sd, ':');
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_DEFAULT, " ");
		col += bl_canvas_put(c, x + col, y, w - col,
		        digests_differ(n) ? BL_ROLE_DIFF_CHANGED : BL_ROLE_DIGEST,
		        hex ? hex + 1 : sd);
	}
	if (side->has_desc && side->desc.size >= 0) {
		char sz[32];
		bl_text_size(side->desc.size, sz, sizeof sz);
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_DEFAULT, " ");
		bl_canvas_put(c, x + col, y, w - col, BL_ROLE_SIZE, sz);
	}
}

static size_t cv_lines(struct bl_view *v)
{
	return cv(v)->len;
}

static void cv_draw_line(struct bl_view *v, size_t i, struct bl_canvas *c, int x, int y, int w)
{
	struct cmpview *d = cv(v);
	const struct crow *r = &d->rows[i];
	bool ascii = d->ascii && *d->ascii;
	enum bl_role mrole;
	char m[3] = {bl_cmp_marker(r->n, &mrole), ' ', '\0'};
	bl_canvas_put(c, x, y, w, mrole, m);
	int rest = w - 2;
	if (rest < 7)
		return;
	int lw = (rest - 3) / 2;
	int rw = rest - 3 - lw;
	draw_side(c, x + 2, y, lw, r->n, r->n->left, r->depth, true, ascii);
	bl_canvas_put(c, x + 2 + lw, y, 3, BL_ROLE_BORDER, ascii ? " | " : " \u2502 ");
	draw_side(c, x + 2 + lw + 3, y, rw, r->n, r->n->right, r->depth, false, ascii);
}

static void side_text(const struct bl_node *x, struct bl_buf *out)
{
	if (!x)
		return;
	bl_buf_puts(out, x->label ? x->label : "");
	if (x->has_desc && bl_digest_is_set(&x->desc.digest)) {
		bl_buf_putc(out, ' ');
		bl_buf_puts(out, x->desc.digest.str);
	}
}

static void cv_line_text(struct bl_view *v, size_t i, struct bl_buf *out)
{
	const struct crow *r = &cv(v)->rows[i];
	bl_buf_clear(out);
	bl_buf_puts(out, "");
	side_text(r->n->left, out);
	bl_buf_puts(out, " | ");
	side_text(r->n->right, out);
}

static size_t row_of(const struct cmpview *c, const struct bl_cmp_node *n, bool *found)
{
	for (size_t i = 0; i < c->len; i++) {
		if (c->rows[i].n == n) {
			*found = true;
			return i;
		}
	}
	*found = false;
	return 0;
}

static void expand_all(struct bl_cmp_node *n)
{
	n->expanded = n->children.len > 0;
	for (size_t i = 0; i < n->children.len; i++)
		expand_all(bl_vec_get(&n->children, i));
}

static enum bl_view_result cv_handle(struct bl_view *v, enum bl_action a)
{
	struct cmpview *d = cv(v);
	if (d->len == 0)
		return BL_UNHANDLED;
	struct bl_cmp_node *n = d->rows[v->cursor].n;
	switch (a) {
	case BL_ACTION_EXPAND:
		if (!n->children.len)
			return BL_HANDLED;
		if (n->expanded) {
			v->cursor++;
			bl_view_clamp(v);
			return BL_MOVED;
		}
		n->expanded = true;
		flatten(d);
		return BL_HANDLED;
	case BL_ACTION_COLLAPSE:
		if (n->children.len && n->expanded) {
			n->expanded = false;
			flatten(d);
			return BL_HANDLED;
		}
		if (n->parent) {
			bl_cmpview_select(v, n->parent);
			return BL_MOVED;
		}
		return BL_HANDLED;
	case BL_ACTION_TOGGLE:
		if (!n->children.len)
			return BL_HANDLED;
		n->expanded = !n->expanded;
		flatten(d);
		bl_view_clamp(v);
		return BL_HANDLED;
	case BL_ACTION_EXPAND_ALL:
		expand_all(n);
		flatten(d);
		bl_view_clamp(v);
		return BL_HANDLED;
	case BL_ACTION_NEXT_DIFF:
	case BL_ACTION_PREV_DIFF: {
		const struct bl_cmp_node *to =
		        bl_cmp_next_difference(d->root, n, a == BL_ACTION_NEXT_DIFF ? 1 : -1);
		if (!to)
			return BL_NOT_FOUND;
		bl_cmpview_select(v, to);
		return BL_MOVED;
	}
	default:
		return BL_UNHANDLED;
	}
}

static const struct bl_view_ops cmp_ops = {
        .name = "compare",
        .scope = BL_SCOPE_COMPARE,
        .has_cursor = true,
        .lines = cv_lines,
        .draw_line = cv_draw_line,
        .line_text = cv_line_text,
        .handle = cv_handle,
};

void bl_cmpview_init(struct bl_view *v, struct bl_cmp_node *root, const bool *ascii)
{
	struct cmpview *d = bl_calloc(1, sizeof *d);
	d->root = root;
	d->ascii = ascii;
	flatten(d);
	bl_view_init(v, &cmp_ops, d);
}

void bl_cmpview_fini(struct bl_view *v)
{
	if (v->ops == &cmp_ops && v->data) {
		struct cmpview *d = v->data;
		free(d->rows);
		free(d);
	}
	v->data = NULL;
	bl_view_fini(v);
}

void bl_cmpview_rebuild(struct bl_view *v)
{
	struct cmpview *d = cv(v);
	struct bl_cmp_node *keep = v->cursor < d->len ? d->rows[v->cursor].n : NULL;
	flatten(d);
	bool found = false;
	size_t r = keep ? row_of(d, keep, &found) : 0;
	if (found)
		v->cursor = r;
	bl_view_clamp(v);
}

size_t bl_cmpview_len(struct bl_view *v)
{
	return cv(v)->len;
}

struct bl_cmp_node *bl_cmpview_row(struct bl_view *v, size_t i, int *depth)
{
	struct cmpview *d = cv(v);
	if (i >= d->len)
		return NULL;
	if (depth)
		*depth = d->rows[i].depth;
	return d->rows[i].n;
}

struct bl_cmp_node *bl_cmpview_node(struct bl_view *v)
{
	return bl_cmpview_row(v, v->cursor, NULL);
}

bool bl_cmpview_select(struct bl_view *v, const struct bl_cmp_node *n)
{
	struct cmpview *d = cv(v);
	/* The view owns nothing but rows; the tree is the caller's and not
	 * const: opening the ancestors is a change of view state. */
	for (struct bl_cmp_node *p = n ? n->parent : NULL; p; p = p->parent)
		p->expanded = true;
	flatten(d);
	bool found;
	size_t r = row_of(d, n, &found);
	if (!found)
		return false;
	v->cursor = r;
	bl_view_clamp(v);
	return true;
}

/* ---- the detail area ---- */

#define KEY_COLS 13
#define FILES_SHOWN 500

static void kv(struct bl_doc *d, const char *key, enum bl_role role, const char *value, int width)
{
	bl_doc_newline(d);
	char k[32];
	snprintf(k, sizeof k, "  %-*s", KEY_COLS - 2, key);
	bl_doc_add(d, BL_ROLE_FACT_KEY, k);
	char *v = bl_text_safe(value);
	bl_doc_wrap(d, role, v, width, KEY_COLS);
	free(v);
}

static void side_facts(struct bl_doc *d, const char *which, const struct bl_node *x, int width)
{
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_HEADING, which);
	if (!x) {
		bl_doc_add(d, BL_ROLE_GUIDE, "  (absent)");
		return;
	}
	bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
	const char *kind = bl_node_kind_name(x->kind);
	if (!x->label || strncmp(x->label, kind, strlen(kind)) != 0) {
		bl_doc_add(d, bl_node_role(x), kind);
		bl_doc_add(d, BL_ROLE_DEFAULT, " ");
	}
	bl_doc_add_raw(d, bl_node_role(x), x->label ? x->label : "");
	if (x->status != BL_STATUS_OK)
		kv(d, "status", BL_ROLE_MARK_ERROR,
		        x->status_msg ? x->status_msg : bl_node_status_name(x->status), width);
	if (x->has_desc && bl_digest_is_set(&x->desc.digest))
		kv(d, "digest", BL_ROLE_DIGEST, x->desc.digest.str, width);
	if (x->has_desc && x->desc.size >= 0) {
		char sz[32];
		bl_text_size(x->desc.size, sz, sizeof sz);
		kv(d, "size", BL_ROLE_SIZE, sz, width);
	}
	if (x->layer) {
		if (x->layer->has_diff_id)
			kv(d, "diff_id", BL_ROLE_DIGEST, x->layer->diff_id.str, width);
		if (x->layer->has_chain_id)
			kv(d, "chain_id", BL_ROLE_DIGEST, x->layer->chain_id.str, width);
		if (x->layer->created_by)
			kv(d, "created_by", BL_ROLE_FACT_VALUE, x->layer->created_by, width);
		/* mode=max provenance: the Dockerfile lines that made it. */
		char *w = bl_prov_layer_words(x);
		if (w)
			kv(d, "dockerfile", BL_ROLE_FACT_VALUE, w, width);
		free(w);
	}
}

static bool is_ancestor(const struct bl_cmp_node *a, const struct bl_cmp_node *n)
{
	for (; n; n = n->parent)
		if (n == a)
			return true;
	return false;
}

/* "<label><text>" on a line of its own, the text escaped and wrapped. */
static void labelled_line(struct bl_doc *d, const char *label, const char *text, int width)
{
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_FACT_KEY, label);
	char *t = bl_text_safe(text);
	bl_doc_wrap(d, BL_ROLE_DIFF_CHANGED, t, width, 6);
	free(t);
}

/* One platform's summary, coloured by its status: only identical root
 * filesystems are said plainly. */
static void platform_line(
        struct bl_doc *d, const char *who, const struct bl_cmp_platform *p, int width)
{
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
	char *w = bl_text_safe(who);
	bl_doc_add(d, BL_ROLE_NODE_MANIFEST, w);
	free(w);
	bl_doc_add(d, BL_ROLE_DEFAULT, ": ");
	char *s = bl_text_safe(p->sentence ? p->sentence : "");
	enum bl_role role =
	        p->status == BL_CMP_ROOTFS_IDENTICAL ? BL_ROLE_DEFAULT : BL_ROLE_DIFF_CHANGED;
	bl_doc_wrap(d, role, s, width, 4);
	free(s);
	/* What provenance says: the cause chain, then the inputs that changed. */
	if (p->cause)
		labelled_line(d, "    cause: ", p->cause, width);
	for (size_t i = 0; i < p->inputs.len; i++)
		labelled_line(d, "    input: ",
		        ((const struct bl_cmp_input *)bl_vec_get(&p->inputs, i))->sentence, width);
}

static void platforms_heading(struct bl_doc *d)
{
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_HEADING, "Per platform");
}

static void platforms_part(
        struct bl_doc *d, const struct bl_cmp_node *n, const struct bl_vec *platforms, int width)
{
	bool any = false;
	if (platforms) {
		for (size_t i = 0; i < platforms->len; i++) {
			const struct bl_cmp_platform *p = bl_vec_get(platforms, i);
			/* The platform of the row, or every platform under it. */
			if (!is_ancestor(p->node, n) && !is_ancestor(n, p->node))
				continue;
			if (!any)
				platforms_heading(d);
			any = true;
			char *who = bl_asprintf("%s%s%s", p->target && *p->target ? p->target : "",
			        p->target && *p->target ? " " : "", p->platform ? p->platform : "");
			platform_line(d, who, p, width);
			free(who);
		}
		return;
	}
	/* Two nodes compared by hand: the image pair at or above the row. */
	for (const struct bl_cmp_node *m = n; m; m = m->parent) {
		if (!m->platform || !m->left || !m->right)
			continue;
		platforms_heading(d);
		platform_line(d, m->label ? m->label : "manifest", m->platform, width);
		return;
	}
}

static void files_part(
        struct bl_doc *d, const struct bl_filediff_result *f, const char *error, int width)
{
	if (!f && !error)
		return;
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_HEADING, "Files");
	if (!f) {
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
		char *e = bl_text_safe(error);
		bl_doc_wrap(d, BL_ROLE_STATUS_ERROR, e, width, 2);
		free(e);
		return;
	}
	const struct bl_file_diff *fd = &f->diff;
	char line[256];
	snprintf(line, sizeof line,
	        "  %zu added, %zu removed, %zu content changed, %zu metadata "
	        "only, %zu same",
	        fd->counts[BL_FCHANGE_ADDED], fd->counts[BL_FCHANGE_REMOVED],
	        fd->counts[BL_FCHANGE_CONTENT], fd->counts[BL_FCHANGE_METADATA], fd->same);
	bl_doc_newline(d);
	bl_doc_wrap(d, BL_ROLE_DEFAULT, line, width, 2);
	if (fd->len == 0) {
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_DEFAULT, "  the files are identical");
	}
	for (size_t i = 0; i < fd->len && i < FILES_SHOWN; i++) {
		const struct bl_file_change *c = &fd->items[i];
		const struct bl_file_entry *e = c->right ? c->right : c->left;
		static const char tags[] = {'A', 'D', 'M', 'm'};
		static const enum bl_role roles[] = {BL_ROLE_DIFF_ADDED, BL_ROLE_DIFF_REMOVED,
		        BL_ROLE_DIFF_CHANGED, BL_ROLE_DIFF_CHANGED};
		bl_doc_newline(d);
		char tag[6] = {' ', ' ', tags[c->kind], ' ', '\0'};
		bl_doc_add(d, roles[c->kind], tag);
		char *p = bl_text_safe(e->path);
		bl_doc_wrap(d, roles[c->kind], p, width, 4);
		free(p);
		if (c->kind == BL_FCHANGE_CONTENT || c->kind == BL_FCHANGE_METADATA) {
			char *what = bl_file_change_what(c->what);
			char *t = bl_asprintf("  (%s)", what);
			bl_doc_add(d, BL_ROLE_GUIDE, t);
			free(t);
			free(what);
		}
	}
	if (fd->len > FILES_SHOWN) {
		bl_doc_newline(d);
		snprintf(line, sizeof line,
		        "  ... and %zu more (bakelens diff --files --json lists "
		        "them all)",
		        fd->len - FILES_SHOWN);
		bl_doc_add(d, BL_ROLE_GUIDE, line);
	}
}

void bl_cmp_detail_build(struct bl_doc *d, const struct bl_cmp_node *n,
        const struct bl_vec *platforms, const struct bl_filediff_result *files,
        const char *files_error, int width)
{
	bl_doc_clear(d);
	if (!n) {
		bl_doc_add(d, BL_ROLE_DEFAULT, "Nothing to compare.");
		return;
	}
	if (width < 24)
		width = 24;
	enum bl_role mrole;
	bl_cmp_marker(n, &mrole);
	const char *kind = bl_node_kind_name(n->kind);
	/* "layer 2/4", not "layer layer 2/4"; "build", not "build build". */
	if (!n->label || strcmp(n->label, kind) == 0) {
		bl_doc_add(d, BL_ROLE_HEADING, kind);
	} else if (strncmp(n->label, kind, strlen(kind)) == 0) {
		bl_doc_add_raw(d, BL_ROLE_HEADING, n->label);
	} else {
		bl_doc_add(d, BL_ROLE_HEADING, kind);
		bl_doc_add(d, BL_ROLE_DEFAULT, " ");
		bl_doc_add_raw(d, BL_ROLE_HEADING, n->label);
	}
	bl_doc_add(d, BL_ROLE_DEFAULT, ": ");
	/* The classes in the subtree, most fundamental first (the notes and
	 * fields below give the details); a config that only follows its
	 * layers says so rather than name theirs. */
	struct bl_buf sum;
	bl_buf_init(&sum);
	for (int k = BL_CMP_CLASS_COUNT - 1; k > BL_CMP_IDENTICAL; k--)
		if (n->flags & (1u << k))
			bl_buf_printf(&sum, "%s%s", sum.len ? "; " : "",
			        bl_cmp_class_words((enum bl_cmp_class)k));
	const char *follow = bl_cmp_node_follow_words(n);
	bl_doc_wrap(d, mrole, follow ? follow : sum.len ? bl_buf_str(&sum) : "identical", width, 2);
	bl_buf_fini(&sum);
	if (n->own != BL_CMP_IDENTICAL && n->own != n->cls) {
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_DEFAULT, "  this node: ");
		bl_doc_add(d, mrole, bl_cmp_class_words(n->own));
	}
	if (n->cause)
		labelled_line(d, "  why: ", n->cause, width);
	for (size_t i = 0; i < n->notes.len; i++) {
		const char *s = bl_vec_get(&n->notes, i);
		if (!s)
			continue;
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
		char *t = bl_text_safe(s);
		bl_doc_wrap(d, BL_ROLE_FACT_VALUE, t, width, 2);
		free(t);
	}
	if (n->fields.len) {
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_FACT_KEY, "  fields: ");
		struct bl_buf b;
		bl_buf_init(&b);
		for (size_t i = 0; i < n->fields.len; i++)
			bl_buf_printf(
			        &b, "%s%s", i ? ", " : "", (const char *)bl_vec_get(&n->fields, i));
		char *t = bl_text_safe(bl_buf_str(&b));
		bl_doc_wrap(d, BL_ROLE_DIFF_CHANGED, t, width, 4);
		free(t);
		bl_buf_fini(&b);
	}
	platforms_part(d, n, platforms, width);
	side_facts(d, "Left", n->left, width);
	side_facts(d, "Right", n->right, width);
	files_part(d, files, files_error, width);
	/* Never cut a digest at the edge. */
	bl_doc_fold(d, 0, width);
}
