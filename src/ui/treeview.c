/* The tree view: rows of struct bl_tree with guides, labels, digests and
 * status marks (view.h). */
#include "bakelens/view.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

struct treeview {
	struct bl_tree *tree;
	const bool *ascii;
	bl_treeview_note_fn note;
	void *note_ud;
};

enum bl_role bl_node_role(const struct bl_node *n)
{
	switch (n->kind) {
	case BL_NODE_BUILD:
		return BL_ROLE_NODE_BUILD;
	case BL_NODE_TARGET:
		return BL_ROLE_NODE_TARGET;
	case BL_NODE_INDEX:
		return BL_ROLE_NODE_INDEX;
	case BL_NODE_MANIFEST:
		return BL_ROLE_NODE_MANIFEST;
	case BL_NODE_ATTESTATION:
		return BL_ROLE_NODE_ATTESTATION;
	case BL_NODE_CONFIG:
		return BL_ROLE_NODE_CONFIG;
	case BL_NODE_LAYER:
		return BL_ROLE_NODE_LAYER;
	case BL_NODE_STATEMENT:
		return BL_ROLE_NODE_STATEMENT;
	case BL_NODE_BLOB:
		return BL_ROLE_NODE_BLOB;
	case BL_NODE_INFO:
		return BL_ROLE_NODE_INFO;
	}
	return BL_ROLE_DEFAULT;
}

static struct treeview *tv(struct bl_view *v)
{
	return v->data;
}

static size_t tv_lines(struct bl_view *v)
{
	return tv(v)->tree->len;
}

static const char *mark_for(const struct bl_node *n, enum bl_role *role, bool ascii)
{
	switch (n->status) {
	case BL_STATUS_MISSING:
		*role = BL_ROLE_MARK_MISSING;
		return "! missing";
	case BL_STATUS_UNRESOLVED:
		*role = BL_ROLE_MARK_MISSING;
		return "! unresolved";
	case BL_STATUS_MISMATCH:
		*role = BL_ROLE_MARK_MISMATCH;
		return ascii ? "x digest mismatch" : "\u2717 digest mismatch";
	case BL_STATUS_ERROR:
		*role = BL_ROLE_MARK_ERROR;
		return ascii ? "x error" : "\u2717 error";
	case BL_STATUS_LOOP:
		*role = BL_ROLE_MARK_ERROR;
		return "! loop";
	case BL_STATUS_OK:
		break;
	}
	if (n->synthesised) {
		*role = BL_ROLE_MARK_SYNTH;
		return "~ synthesised";
	}
	return NULL;
}

static void tv_draw_line(struct bl_view *v, size_t i, struct bl_canvas *c, int x, int y, int w)
{
	struct treeview *t = tv(v);
	const struct bl_tree_row *row = &t->tree->rows[i];
	const struct bl_node *n = row->node;
	bool ascii = t->ascii && *t->ascii;
	int col = 0;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_tree_row_guides(t->tree, i, ascii, &b);
	col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_GUIDE, bl_buf_str(&b));
	const char *exp = !row->has_children ? "  "
	                  : n->expanded      ? (ascii ? "- " : "\u25be ")
	                                     : (ascii ? "+ " : "\u25b8 ");
	col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_GUIDE, exp);
	char *label = bl_text_safe(n->label ? n->label : bl_node_kind_name(n->kind));
	col += bl_canvas_put(c, x + col, y, w - col, bl_node_role(n), label);
	free(label);
	/* A target's name, when its label does not say it already. */
	if (n->kind == BL_NODE_TARGET && bl_node_extra_name(n)) {
		char *name = bl_text_safe(bl_node_extra_name(n));
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_DEFAULT, " ");
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_NAME, name);
		free(name);
	}
	enum bl_role mrole = BL_ROLE_DEFAULT;
	const char *mark = mark_for(n, &mrole, ascii);
	if (mark) {
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_DEFAULT, " ");
		col += bl_canvas_put(c, x + col, y, w - col, mrole, mark);
	}
	enum bl_role nrole = BL_ROLE_DEFAULT;
	const char *note = t->note ? t->note(t->note_ud, n, &nrole) : NULL;
	if (note) {
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_DEFAULT, " ");
		col += bl_canvas_put(c, x + col, y, w - col, nrole, note);
	}
	if (n->has_desc && bl_digest_is_set(&n->desc.digest)) {
		char sd[32];
		bl_digest_short(&n->desc.digest, sd, sizeof sd);
		/* "sha256:" says nothing in a tree: show the hex. */
		const char *hex = strchr(sd, ':');
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_DEFAULT, " ");
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_DIGEST, hex ? hex + 1 : sd);
	}
	if (n->has_desc && n->desc.size >= 0) {
		char sz[32];
		bl_text_size(n->desc.size, sz, sizeof sz);
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_DEFAULT, " ");
		col += bl_canvas_put(c, x + col, y, w - col, BL_ROLE_SIZE, sz);
	}
	bl_buf_fini(&b);
}

static void tv_line_text(struct bl_view *v, size_t i, struct bl_buf *out)
{
	bl_buf_clear(out);
	bl_tree_row_text(&tv(v)->tree->rows[i], out);
}

static bool tv_search(struct bl_view *v, const char *query, int dir, size_t *found)
{
	return bl_tree_search(tv(v)->tree, v->cursor, query, dir, found);
}

static enum bl_view_result tv_handle(struct bl_view *v, enum bl_action a)
{
	struct bl_tree *t = tv(v)->tree;
	if (t->len == 0)
		return BL_UNHANDLED;
	size_t before = v->cursor;
	const struct bl_node *node_before = t->rows[v->cursor].node;
	switch (a) {
	case BL_ACTION_EXPAND:
		v->cursor = bl_tree_expand(t, v->cursor);
		break;
	case BL_ACTION_COLLAPSE:
		v->cursor = bl_tree_collapse(t, v->cursor);
		break;
	case BL_ACTION_TOGGLE:
		v->cursor = bl_tree_toggle(t, v->cursor);
		break;
	case BL_ACTION_EXPAND_ALL:
		v->cursor = bl_tree_expand_all(t, v->cursor);
		break;
	default:
		return BL_UNHANDLED;
	}
	bl_view_clamp(v);
	if (v->cursor < t->len && (v->cursor != before || t->rows[v->cursor].node != node_before))
		return BL_MOVED;
	return BL_HANDLED;
}

static const struct bl_view_ops tree_ops = {
        .name = "tree",
        .scope = BL_SCOPE_TREE,
        .has_cursor = true,
        .lines = tv_lines,
        .draw_line = tv_draw_line,
        .line_text = tv_line_text,
        .search = tv_search,
        .handle = tv_handle,
};

void bl_treeview_init(struct bl_view *v, struct bl_tree *t, const bool *ascii)
{
	struct treeview *d = bl_calloc(1, sizeof *d);
	d->tree = t;
	d->ascii = ascii;
	bl_view_init(v, &tree_ops, d);
}

void bl_treeview_set_note(struct bl_view *v, bl_treeview_note_fn fn, void *ud)
{
	tv(v)->note = fn;
	tv(v)->note_ud = ud;
}

void bl_treeview_fini(struct bl_view *v)
{
	if (v->ops == &tree_ops)
		free(v->data);
	v->data = NULL;
	bl_view_fini(v);
}

struct bl_node *bl_treeview_node(struct bl_view *v)
{
	struct bl_tree *t = tv(v)->tree;
	if (v->cursor >= t->len)
		return NULL;
	return t->rows[v->cursor].node;
}
