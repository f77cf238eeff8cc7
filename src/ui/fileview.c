/* The file tree view (view.h): a layer's change set, or the image as of a
 * layer, as a tree of directories that collapse and expand, with sizes
 * summed and a letter and colour for each change.
 *
 * The tree (bl_filetree) is built once per layer and mode; rows are node
 * indices only, made again when something is collapsed, expanded or
 * filtered. Text is made for the lines drawn, never for every entry, so a
 * layer of a million entries scrolls as fast as one of ten. */
#include "bakelens/view.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

enum { F_COLLAPSED = 1, F_PASS = 2 };

struct bl_fileview {
	struct bl_changeset cs;
	bool merged;
	size_t layer;
	struct bl_file_list own;            /* changes mode: copies of the entries shown */
	const struct bl_file_list *list;    /* &own, or &cs.upper when merged */
	unsigned char *kind_of;             /* per list entry: FV_KIND_* */
	const struct bl_change **change_of; /* per list entry, NULL when none */
	struct bl_filetree tree;
	unsigned char *flags; /* per tree node */
	size_t *rows;
	size_t nrows;
	int depth_level; /* directories at this depth and deeper start collapsed */
	bool changes_only;
	int kind_filter; /* 0, or the one FV_KIND_* shown */
	char *glob;
	const bool *ascii;
};

static void push_entry(struct bl_fileview *fv, const struct bl_file_entry *e, unsigned char kind,
        const struct bl_change *c)
{
	struct bl_file_list *l = &fv->own;
	if (l->len == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 256;
		l->items = bl_realloc(l->items, l->cap * sizeof *l->items);
		fv->kind_of = bl_realloc(fv->kind_of, l->cap);
		fv->change_of = bl_realloc(fv->change_of, l->cap * sizeof *fv->change_of);
	}
	l->items[l->len] = *e;
	fv->kind_of[l->len] = kind;
	fv->change_of[l->len] = c;
	l->len++;
}

static unsigned char kind_code(enum bl_change_kind k)
{
	switch (k) {
	case BL_CHANGE_ADDED:
		return FV_KIND_ADDED;
	case BL_CHANGE_MODIFIED:
		return FV_KIND_MODIFIED;
	case BL_CHANGE_DELETED:
		return FV_KIND_DELETED;
	case BL_CHANGE_SAME:
		return FV_KIND_SAME;
	}
	return FV_KIND_NONE;
}

/* Changes mode: what the layer has, and what its deletions removed (the
 * top path and everything under it, from the layers below). */
static void changes_list(struct bl_fileview *fv)
{
	const struct bl_changeset *cs = &fv->cs;
	for (size_t i = 0; i < cs->len; i++) {
		const struct bl_change *x = &cs->items[i];
		if (x->kind != BL_CHANGE_DELETED) {
			push_entry(fv, x->entry, kind_code(x->kind), x);
			continue;
		}
		if (!x->lower) {
			/* A whiteout of a path no layer below has. */
			struct bl_file_entry e = {
			        .path = x->path, .type = BL_FILE_OTHER, .layer = -1, .size = 0};
			push_entry(fv, &e, FV_KIND_DELETED, x);
			continue;
		}
		push_entry(fv, x->lower, FV_KIND_DELETED, x);
		char *prefix = bl_asprintf("%s/", x->path);
		size_t pl = strlen(prefix);
		for (size_t k = bl_file_list_lower_bound(&cs->lower, prefix);
		        k < cs->lower.len && strncmp(cs->lower.items[k].path, prefix, pl) == 0; k++)
			if (!bl_file_list_find(&cs->upper, cs->lower.items[k].path))
				push_entry(fv, &cs->lower.items[k], FV_KIND_DELETED, x);
		free(prefix);
	}
}

/* Merged mode: the image as of the layer, its own entries marked. */
static void merged_marks(struct bl_fileview *fv)
{
	const struct bl_changeset *cs = &fv->cs;
	size_t n = cs->upper.len ? cs->upper.len : 1;
	fv->kind_of = bl_calloc(n, 1);
	fv->change_of = bl_calloc(n, sizeof *fv->change_of);
	for (size_t i = 0; i < cs->len; i++) {
		const struct bl_change *x = &cs->items[i];
		if (!x->entry)
			continue;
		size_t k = (size_t)(x->entry - cs->upper.items);
		fv->kind_of[k] = kind_code(x->kind);
		fv->change_of[k] = x;
	}
}

static size_t entry_index(const struct bl_fileview *fv, const struct bl_filetree_node *n)
{
	return (size_t)(n->entry - fv->list->items);
}

static unsigned char node_kind(const struct bl_fileview *fv, size_t i)
{
	const struct bl_filetree_node *n = &fv->tree.nodes[i];
	return n->entry ? fv->kind_of[entry_index(fv, n)] : FV_KIND_NONE;
}

static bool node_is_dir(const struct bl_filetree_node *n)
{
	return !n->entry || n->entry->type == BL_FILE_DIR || n->nchildren > 0;
}

static bool matches(const struct bl_fileview *fv, size_t i)
{
	unsigned char k = node_kind(fv, i);
	if (fv->changes_only && k != FV_KIND_ADDED && k != FV_KIND_MODIFIED && k != FV_KIND_DELETED)
		return false;
	if (fv->kind_filter && k != fv->kind_filter)
		return false;
	if (fv->glob) {
		const struct bl_filetree_node *n = &fv->tree.nodes[i];
		bool m = fnmatch(fv->glob, n->path, 0) == 0 ||
		         (!strchr(fv->glob, '/') && fnmatch(fv->glob, n->name, 0) == 0);
		if (!m)
			return false;
	}
	return true;
}

static bool filtering(const struct bl_fileview *fv)
{
	return fv->changes_only || fv->kind_filter || fv->glob;
}

/* Which nodes pass the filters: those that match and their ancestors.
 * Children follow their parent, so one pass from the end does it. */
static void compute_pass(struct bl_fileview *fv)
{
	size_t n = fv->tree.len;
	bool all = !filtering(fv);
	for (size_t i = 0; i < n; i++)
		fv->flags[i] = (unsigned char)((fv->flags[i] & ~F_PASS) | (all ? F_PASS : 0));
	if (all)
		return;
	for (size_t i = n; i-- > 0;) {
		if (!(fv->flags[i] & F_PASS) && matches(fv, i))
			fv->flags[i] |= F_PASS;
		size_t p = fv->tree.nodes[i].parent;
		if ((fv->flags[i] & F_PASS) && p != BL_FILETREE_NONE)
			fv->flags[p] |= F_PASS;
	}
}

static void rebuild_rows(struct bl_fileview *fv)
{
	size_t n = fv->tree.len, r = 0;
	for (size_t i = 0; i < n;) {
		const struct bl_filetree_node *x = &fv->tree.nodes[i];
		if (!(fv->flags[i] & F_PASS)) {
			i += x->entries; /* its whole subtree */
			continue;
		}
		fv->rows[r++] = i;
		i += (fv->flags[i] & F_COLLAPSED) ? x->entries : 1;
	}
	fv->nrows = r;
}

static void collapse_to(struct bl_fileview *fv, int level)
{
	for (size_t i = 0; i < fv->tree.len; i++) {
		bool c = fv->tree.nodes[i].depth >= level && fv->tree.nodes[i].nchildren > 0;
		fv->flags[i] =
		        (unsigned char)((fv->flags[i] & ~F_COLLAPSED) | (c ? F_COLLAPSED : 0));
	}
}

struct bl_fileview *bl_fileview_new(const struct bl_image_files *f, size_t layer, bool merged)
{
	struct bl_fileview *fv = bl_calloc(1, sizeof *fv);
	bl_changeset_init(&fv->cs);
	bl_file_list_init(&fv->own);
	bl_changeset_compute(f, layer, &fv->cs);
	fv->layer = layer;
	fv->merged = merged;
	if (merged) {
		fv->list = &fv->cs.upper;
		merged_marks(fv);
	} else {
		fv->list = &fv->own;
		changes_list(fv);
	}
	bl_filetree_build(fv->list, &fv->tree);
	size_t n = fv->tree.len ? fv->tree.len : 1;
	fv->flags = bl_calloc(n, 1);
	fv->rows = bl_malloc(n * sizeof *fv->rows);
	fv->depth_level = 1;
	collapse_to(fv, fv->depth_level);
	compute_pass(fv);
	rebuild_rows(fv);
	return fv;
}

void bl_fileview_free(struct bl_fileview *fv)
{
	if (!fv)
		return;
	bl_filetree_fini(&fv->tree);
	bl_file_list_fini(&fv->own);
	bl_changeset_fini(&fv->cs);
	free(fv->kind_of);
	free(fv->change_of);
	free(fv->flags);
	free(fv->rows);
	free(fv->glob);
	free(fv);
}

static struct bl_fileview *fvof(struct bl_view *v)
{
	return v->data;
}

static size_t fv_lines(struct bl_view *v)
{
	return fvof(v)->nrows;
}

const char *bl_fileview_kind_letter(unsigned char kind, enum bl_role *role)
{
	switch (kind) {
	case FV_KIND_ADDED:
		*role = BL_ROLE_DIFF_ADDED;
		return "A";
	case FV_KIND_MODIFIED:
		*role = BL_ROLE_DIFF_CHANGED;
		return "M";
	case FV_KIND_DELETED:
		*role = BL_ROLE_DIFF_REMOVED;
		return "D";
	default:
		*role = BL_ROLE_DEFAULT;
		return " ";
	}
}

static void fv_draw(struct bl_view *v, size_t row, struct bl_canvas *c, int x, int y, int w)
{
	struct bl_fileview *fv = fvof(v);
	size_t i = fv->rows[row];
	const struct bl_filetree_node *n = &fv->tree.nodes[i];
	bool ascii = fv->ascii && *fv->ascii;
	unsigned char k = node_kind(fv, i);
	enum bl_role mrole;
	const char *letter = bl_fileview_kind_letter(k, &mrole);
	int sizew = w > 40 ? 10 : 0;
	int col = x;
	int end = x + w - sizew;
	col += bl_canvas_put(c, col, y, end - col, mrole, letter);
	col += bl_canvas_put(c, col, y, end - col, BL_ROLE_DEFAULT, " ");
	for (int d = 0; d < n->depth && col < end; d++)
		col += bl_canvas_put(c, col, y, end - col, BL_ROLE_GUIDE, "  ");
	bool dir = node_is_dir(n);
	const char *exp = !n->nchildren                ? "  "
	                  : fv->flags[i] & F_COLLAPSED ? (ascii ? "+ " : "\u25b8 ")
	                                               : (ascii ? "- " : "\u25be ");
	col += bl_canvas_put(c, col, y, end - col, BL_ROLE_GUIDE, exp);
	enum bl_role role = k == FV_KIND_DELETED ? BL_ROLE_DIFF_REMOVED
	                    : dir                ? BL_ROLE_FACT_KEY
	                                         : BL_ROLE_DEFAULT;
	char *name = bl_text_safe(n->name);
	col += bl_canvas_put(c, col, y, end - col, role, name);
	free(name);
	if (dir && n->nchildren)
		col += bl_canvas_put(c, col, y, end - col, role, "/");
	const struct bl_file_entry *e = n->entry;
	if (e && e->linkname && (e->type == BL_FILE_SYMLINK || e->type == BL_FILE_HARDLINK)) {
		char *t = bl_text_safe(e->linkname);
		char *s = bl_asprintf(e->type == BL_FILE_SYMLINK ? " -> %s" : " link to %s", t);
		col += bl_canvas_put(c, col, y, end - col, BL_ROLE_GUIDE, s);
		free(s);
		free(t);
	}
	const struct bl_change *ch = e ? fv->change_of[entry_index(fv, n)] : NULL;
	if (k == FV_KIND_DELETED && ch && !strcmp(ch->path, n->path)) {
		char sz[32];
		bl_text_size((int64_t)ch->del_bytes, sz, sizeof sz);
		char *s = ch->lower ? bl_asprintf("  (%s: %zu entr%s, %s)",
		                              bl_delete_cause_name(ch->cause), ch->del_entries,
		                              ch->del_entries == 1 ? "y" : "ies", sz)
		                    : bl_asprintf("  (%s: hides nothing)",
		                              bl_delete_cause_name(ch->cause));
		bl_canvas_put(c, col, y, end - col, BL_ROLE_GUIDE, s);
		free(s);
	}
	if (sizew) {
		char sz[32];
		if (!e || e->type == BL_FILE_DIR || e->type == BL_FILE_REGULAR ||
		        e->type == BL_FILE_HARDLINK || n->nchildren)
			bl_text_size((int64_t)n->bytes, sz, sizeof sz);
		else
			sz[0] = '\0';
		char cell[16];
		snprintf(cell, sizeof cell, "%*s", sizew - 1, sz);
		bl_canvas_put(c, end + 1, y, sizew - 1, BL_ROLE_SIZE, cell);
	}
}

static void fv_text(struct bl_view *v, size_t row, struct bl_buf *out)
{
	struct bl_fileview *fv = fvof(v);
	bl_buf_clear(out);
	bl_buf_puts(out, fv->tree.nodes[fv->rows[row]].path);
}

/* The row showing node i, or the number of rows when it is hidden. */
static size_t row_of(const struct bl_fileview *fv, size_t i)
{
	size_t lo = 0, hi = fv->nrows;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (fv->rows[mid] == i)
			return mid;
		if (fv->rows[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return fv->nrows;
}

/* Open every directory above node i and put the cursor on it. */
static void reveal(struct bl_view *v, size_t i)
{
	struct bl_fileview *fv = fvof(v);
	for (size_t p = fv->tree.nodes[i].parent; p != BL_FILETREE_NONE;
	        p = fv->tree.nodes[p].parent)
		fv->flags[p] &= (unsigned char)~F_COLLAPSED;
	rebuild_rows(fv);
	size_t r = row_of(fv, i);
	if (r < fv->nrows)
		v->cursor = r;
	bl_view_clamp(v);
}

/* Search every node that passes the filters, collapsed ones too, by path. */
static bool fv_search(struct bl_view *v, const char *q, int dir, size_t *found)
{
	struct bl_fileview *fv = fvof(v);
	size_t n = fv->tree.len;
	if (!n)
		return false;
	size_t from = fv->nrows ? fv->rows[v->cursor < fv->nrows ? v->cursor : 0] : 0;
	for (size_t k = 1; k <= n; k++) {
		size_t i = dir > 0 ? (from + k) % n : (from + n - (k % n)) % n;
		if (!(fv->flags[i] & F_PASS) || !bl_view_contains_ci(fv->tree.nodes[i].path, q))
			continue;
		reveal(v, i);
		*found = v->cursor;
		return true;
	}
	return false;
}

static size_t selected_node(struct bl_view *v)
{
	struct bl_fileview *fv = fvof(v);
	return v->cursor < fv->nrows ? fv->rows[v->cursor] : BL_FILETREE_NONE;
}

/* After the rows changed: the cursor back on node `keep`, or on its
 * nearest shown ancestor. */
static void keep_on(struct bl_view *v, size_t keep)
{
	struct bl_fileview *fv = fvof(v);
	for (size_t i = keep; i != BL_FILETREE_NONE; i = fv->tree.nodes[i].parent) {
		size_t r = row_of(fv, i);
		if (r < fv->nrows) {
			v->cursor = r;
			bl_view_clamp(v);
			return;
		}
	}
	v->cursor = 0;
	bl_view_clamp(v);
}

static void refilter(struct bl_view *v)
{
	struct bl_fileview *fv = fvof(v);
	size_t keep = selected_node(v);
	if (filtering(fv))
		collapse_to(fv, 1 << 30); /* matches deep down are shown, not hidden */
	compute_pass(fv);
	rebuild_rows(fv);
	keep_on(v, keep);
}

static enum bl_view_result fv_handle(struct bl_view *v, enum bl_action a)
{
	struct bl_fileview *fv = fvof(v);
	size_t i = selected_node(v);
	const struct bl_filetree_node *n = i != BL_FILETREE_NONE ? &fv->tree.nodes[i] : NULL;
	switch (a) {
	case BL_ACTION_EXPAND:
		if (!n)
			return BL_HANDLED;
		if (n->nchildren && (fv->flags[i] & F_COLLAPSED)) {
			fv->flags[i] &= (unsigned char)~F_COLLAPSED;
			rebuild_rows(fv);
			return BL_HANDLED;
		}
		if (n->nchildren && v->cursor + 1 < fv->nrows) {
			v->cursor++;
			bl_view_clamp(v);
			return BL_MOVED;
		}
		return BL_HANDLED;
	case BL_ACTION_COLLAPSE:
		if (!n)
			return BL_HANDLED;
		if (n->nchildren && !(fv->flags[i] & F_COLLAPSED)) {
			fv->flags[i] |= F_COLLAPSED;
			rebuild_rows(fv);
			keep_on(v, i);
			return BL_HANDLED;
		}
		if (n->parent != BL_FILETREE_NONE) {
			keep_on(v, n->parent);
			return BL_MOVED;
		}
		return BL_HANDLED;
	case BL_ACTION_TOGGLE:
	case BL_ACTION_OPEN_FILE:
		if (!n || !n->nchildren)
			return BL_HANDLED;
		fv->flags[i] ^= F_COLLAPSED;
		rebuild_rows(fv);
		keep_on(v, i);
		return BL_HANDLED;
	case BL_ACTION_EXPAND_ALL:
		if (!n)
			return BL_HANDLED;
		for (size_t k = i; k < i + n->entries; k++)
			fv->flags[k] &= (unsigned char)~F_COLLAPSED;
		rebuild_rows(fv);
		keep_on(v, i);
		return BL_HANDLED;
	case BL_ACTION_COLLAPSE_ALL:
	case BL_ACTION_DEPTH_MORE:
	case BL_ACTION_DEPTH_LESS: {
		int level = a == BL_ACTION_COLLAPSE_ALL ? 0
		            : a == BL_ACTION_DEPTH_MORE ? fv->depth_level + 1
		                                        : fv->depth_level - 1;
		int deepest = 0;
		for (size_t k = 0; k < fv->tree.len; k++)
			if (fv->tree.nodes[k].depth > deepest)
				deepest = fv->tree.nodes[k].depth;
		if (level > deepest + 1)
			level = deepest + 1;
		fv->depth_level = level < 0 ? 0 : level;
		collapse_to(fv, fv->depth_level);
		rebuild_rows(fv);
		keep_on(v, i);
		return BL_HANDLED;
	}
	case BL_ACTION_CHANGES_ONLY:
		fv->changes_only = !fv->changes_only;
		refilter(v);
		return BL_HANDLED;
	case BL_ACTION_CHANGE_KIND:
		fv->kind_filter = fv->kind_filter == 0                  ? FV_KIND_ADDED
		                  : fv->kind_filter == FV_KIND_ADDED    ? FV_KIND_MODIFIED
		                  : fv->kind_filter == FV_KIND_MODIFIED ? FV_KIND_DELETED
		                                                        : 0;
		refilter(v);
		return BL_HANDLED;
	default:
		return BL_UNHANDLED;
	}
}

static const struct bl_view_ops fileview_ops = {
        .name = "files",
        .scope = BL_SCOPE_FILES,
        .has_cursor = true,
        .lines = fv_lines,
        .draw_line = fv_draw,
        .line_text = fv_text,
        .search = fv_search,
        .handle = fv_handle,
};

void bl_fileview_init(struct bl_view *v, struct bl_fileview *fv, const bool *ascii)
{
	fv->ascii = ascii;
	bl_view_init(v, &fileview_ops, fv);
}

bool bl_fileview_selected(struct bl_view *v, struct bl_fileview_item *out)
{
	struct bl_fileview *fv = fvof(v);
	size_t i = selected_node(v);
	memset(out, 0, sizeof *out);
	if (i == BL_FILETREE_NONE)
		return false;
	const struct bl_filetree_node *n = &fv->tree.nodes[i];
	out->path = n->path;
	out->entry = n->entry;
	out->change = n->entry ? fv->change_of[entry_index(fv, n)] : NULL;
	out->kind = node_kind(fv, i);
	out->dir = node_is_dir(n);
	out->bytes = n->bytes;
	out->entries = n->entries;
	return true;
}

bool bl_fileview_select(struct bl_view *v, const char *path)
{
	struct bl_fileview *fv = fvof(v);
	char *p = bl_strdup(path);
	bool exact = true;
	for (;;) {
		size_t i = bl_filetree_find(&fv->tree, p);
		if (i != BL_FILETREE_NONE && (fv->flags[i] & F_PASS)) {
			reveal(v, i);
			free(p);
			return exact;
		}
		char *s = strrchr(p, '/');
		if (!s)
			break;
		*s = '\0';
		exact = false;
	}
	free(p);
	v->cursor = 0;
	bl_view_clamp(v);
	return false;
}

void bl_fileview_set_glob(struct bl_view *v, const char *glob)
{
	struct bl_fileview *fv = fvof(v);
	free(fv->glob);
	fv->glob = glob && *glob ? bl_strdup(glob) : NULL;
	refilter(v);
}

const char *bl_fileview_glob(const struct bl_fileview *fv)
{
	return fv->glob;
}

const struct bl_changeset *bl_fileview_changes(const struct bl_fileview *fv)
{
	return &fv->cs;
}

void bl_fileview_describe(const struct bl_fileview *fv, struct bl_buf *out)
{
	const struct bl_changeset *cs = &fv->cs;
	char sz[32];
	if (fv->merged) {
		bl_text_size((int64_t)fv->tree.bytes, sz, sizeof sz);
		bl_buf_printf(out, "image as of it: %zu entries, %s", cs->upper.len, sz);
	} else {
		bl_buf_printf(out, "its changes: %zu added, %zu modified, %zu deleted",
		        cs->counts[BL_CHANGE_ADDED], cs->counts[BL_CHANGE_MODIFIED],
		        cs->counts[BL_CHANGE_DELETED]);
	}
	if (fv->changes_only)
		bl_buf_puts(out, " [changes only]");
	if (fv->kind_filter) {
		enum bl_role r;
		bl_buf_printf(out, " [%s only]",
		        bl_fileview_kind_letter((unsigned char)fv->kind_filter, &r));
	}
	if (fv->glob) {
		char *g = bl_text_safe(fv->glob);
		bl_buf_printf(out, " [%s]", g);
		free(g);
	}
}

bool bl_fileview_merged(const struct bl_fileview *fv)
{
	return fv->merged;
}

size_t bl_fileview_rows(const struct bl_fileview *fv)
{
	return fv->nrows;
}
