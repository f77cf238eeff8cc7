/* Tree rows: see include/bakelens/tree.h.
 *
 * Rows are a pre-order walk of the nodes whose parents are expanded. With a
 * filter, a node is shown when it or a descendant matches, whatever its
 * parents' expanded flags. */
#include "bakelens/tree.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

static void push_row(struct bl_tree *t, struct bl_node *n, int depth)
{
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->rows = bl_realloc(t->rows, t->cap * sizeof *t->rows);
	}
	t->rows[t->len].node = n;
	t->rows[t->len].depth = depth;
	t->rows[t->len].has_children = n->children.len > 0;
	t->rows[t->len].last = false;
	t->len++;
}

static bool contains_ci(const char *hay, const char *needle)
{
	if (!hay)
		return false;
	size_t nl = strlen(needle);
	if (nl == 0)
		return true;
	for (const char *p = hay; *p; p++) {
		if (strncasecmp(p, needle, nl) == 0)
			return true;
	}
	return false;
}

static bool node_matches(const struct bl_node *n, const char *q)
{
	if (!q || !*q)
		return false;
	if (contains_ci(n->label, q) || contains_ci(n->name, q))
		return true;
	if (n->has_desc && bl_digest_is_set(&n->desc.digest)) {
		const char *hexq = q;
		const char *colon = strchr(q, ':');
		if (colon) {
			size_t alg = (size_t)(colon - q);
			if (strncasecmp(q, n->desc.digest.str, alg) != 0 ||
			        n->desc.digest.str[alg] != ':')
				return false;
			hexq = colon + 1;
		}
		size_t len = strlen(hexq);
		if (len > 0 && strncasecmp(bl_digest_hex(&n->desc.digest), hexq, len) == 0)
			return true;
	}
	return false;
}

static void set_expanded(struct bl_node *n, int level, int depth)
{
	n->expanded = level < depth;
	for (size_t i = 0; i < n->children.len; i++)
		set_expanded(bl_vec_get(&n->children, i), level + 1, depth);
}

void bl_tree_init(struct bl_tree *t, struct bl_node *root, int depth)
{
	memset(t, 0, sizeof *t);
	t->root = root;
	if (root) {
		set_expanded(root, 0, depth);
		root->expanded = true;
	}
	bl_tree_rebuild(t);
}

void bl_tree_fini(struct bl_tree *t)
{
	free(t->rows);
	free(t->filter);
	memset(t, 0, sizeof *t);
}

/* Emit n's children (and n itself when self) at depth. Returns whether
 * anything was emitted. With a filter, a subtree without a match is dropped. */
static bool emit(struct bl_tree *t, struct bl_node *n, int depth, int budget)
{
	size_t mark = t->len;
	push_row(t, n, depth);
	bool self = !t->filter || node_matches(n, t->filter);
	bool descend = t->filter ? budget > 0 : n->expanded;
	bool any = false;
	if (descend) {
		size_t last = SIZE_MAX;
		for (size_t i = 0; i < n->children.len; i++) {
			size_t at = t->len;
			if (emit(t, bl_vec_get(&n->children, i), depth + 1, budget - 1)) {
				last = at;
				any = true;
			}
		}
		if (last != SIZE_MAX)
			t->rows[last].last = true;
	}
	if (!self && !any) {
		t->len = mark;
		return false;
	}
	return true;
}

void bl_tree_rebuild(struct bl_tree *t)
{
	t->len = 0;
	if (!t->root)
		return;
	const int budget = 256; /* depth bound for filtered walks */
	if (t->show_root) {
		if (!emit(t, t->root, 0, budget) && !t->filter)
			return;
		if (t->len)
			t->rows[0].last = true;
		return;
	}
	size_t last = SIZE_MAX;
	for (size_t i = 0; i < t->root->children.len; i++) {
		size_t at = t->len;
		if (emit(t, bl_vec_get(&t->root->children, i), 0, budget))
			last = at;
	}
	if (last != SIZE_MAX)
		t->rows[last].last = true;
}

static size_t row_of(const struct bl_tree *t, const struct bl_node *n, size_t fallback)
{
	for (size_t i = 0; i < t->len; i++) {
		if (t->rows[i].node == n)
			return i;
	}
	if (t->len == 0)
		return 0;
	return fallback < t->len ? fallback : t->len - 1;
}

size_t bl_tree_expand(struct bl_tree *t, size_t row)
{
	if (row >= t->len)
		return row;
	struct bl_node *n = t->rows[row].node;
	if (n->children.len == 0 || n->expanded)
		return row;
	n->expanded = true;
	bl_tree_rebuild(t);
	return row_of(t, n, row);
}

size_t bl_tree_collapse(struct bl_tree *t, size_t row)
{
	if (row >= t->len)
		return row;
	struct bl_node *n = t->rows[row].node;
	if (n->children.len > 0 && n->expanded) {
		n->expanded = false;
		bl_tree_rebuild(t);
		return row_of(t, n, row);
	}
	int d = t->rows[row].depth;
	for (size_t i = row; i-- > 0;) {
		if (t->rows[i].depth < d)
			return i;
	}
	return row;
}

size_t bl_tree_toggle(struct bl_tree *t, size_t row)
{
	if (row >= t->len)
		return row;
	struct bl_node *n = t->rows[row].node;
	if (n->expanded && n->children.len > 0)
		return bl_tree_collapse(t, row);
	return bl_tree_expand(t, row);
}

static void expand_subtree(struct bl_node *n)
{
	n->expanded = true;
	for (size_t i = 0; i < n->children.len; i++)
		expand_subtree(bl_vec_get(&n->children, i));
}

size_t bl_tree_expand_all(struct bl_tree *t, size_t row)
{
	if (row >= t->len)
		return row;
	struct bl_node *n = t->rows[row].node;
	expand_subtree(n);
	bl_tree_rebuild(t);
	return row_of(t, n, row);
}

void bl_tree_set_filter(struct bl_tree *t, const char *text)
{
	free(t->filter);
	t->filter = (text && *text) ? bl_strdup(text) : NULL;
	bl_tree_rebuild(t);
}

/* Every node of the tree in display order (pre-order), root first when shown. */
static void preorder(struct bl_node *n, struct bl_vec *out)
{
	bl_vec_push_take(out, n);
	for (size_t i = 0; i < n->children.len; i++)
		preorder(bl_vec_get(&n->children, i), out);
}

bool bl_tree_reveal(struct bl_tree *t, const struct bl_node *n, size_t *row)
{
	for (struct bl_node *p = n->parent; p; p = p->parent)
		p->expanded = true;
	bl_tree_rebuild(t);
	for (size_t r = 0; r < t->len; r++) {
		if (t->rows[r].node == n) {
			*row = r;
			return true;
		}
	}
	return false;
}

bool bl_tree_search(struct bl_tree *t, size_t from, const char *query, int dir, size_t *found)
{
	if (!t->root || !query || !*query)
		return false;
	struct bl_vec all;
	bl_vec_init(&all, NULL);
	if (t->show_root) {
		preorder(t->root, &all);
	} else {
		for (size_t i = 0; i < t->root->children.len; i++)
			preorder(bl_vec_get(&t->root->children, i), &all);
	}
	bool ok = false;
	size_t n = all.len;
	size_t start = 0;
	const struct bl_node *cur = from < t->len ? t->rows[from].node : NULL;
	for (size_t i = 0; cur && i < n; i++) {
		if (all.items[i] == cur) {
			start = i;
			break;
		}
	}
	for (size_t step = 1; step <= n && n > 0; step++) {
		size_t i = dir >= 0 ? (start + step) % n : (start + n - (step % n)) % n;
		struct bl_node *m = all.items[i];
		if (node_matches(m, query) && bl_tree_reveal(t, m, found)) {
			ok = true;
			break;
		}
	}
	bl_vec_fini(&all);
	return ok;
}

void bl_tree_row_text(const struct bl_tree_row *row, struct bl_buf *out)
{
	const struct bl_node *n = row->node;
	bl_text_escape(out, n->label ? n->label : "", n->label ? strlen(n->label) : 0);
	const char *name = bl_node_extra_name(n);
	if (name) {
		bl_buf_puts(out, "  ");
		bl_text_escape(out, name, strlen(name));
	}
	if (n->has_desc && bl_digest_is_set(&n->desc.digest)) {
		char sh[32];
		bl_digest_short(&n->desc.digest, sh, sizeof sh);
		bl_buf_printf(out, "  %s", sh);
	}
	if (n->has_desc && n->desc.size >= 0) {
		char sz[32];
		bl_text_size(n->desc.size, sz, sizeof sz);
		bl_buf_printf(out, "  %s", sz);
	}
	switch (n->status) {
	case BL_STATUS_OK:
		break;
	case BL_STATUS_MISSING:
		bl_buf_puts(out, "  ! missing");
		break;
	case BL_STATUS_MISMATCH:
		bl_buf_puts(out, "  \xe2\x9c\x97 digest mismatch");
		break;
	case BL_STATUS_ERROR:
		bl_buf_puts(out, "  ! error");
		break;
	case BL_STATUS_LOOP:
		bl_buf_puts(out, "  \xe2\x86\xbb loop");
		break;
	case BL_STATUS_UNRESOLVED:
		bl_buf_puts(out, "  ? unresolved");
		break;
	}
	if (n->synthesised)
		bl_buf_puts(out, "  ~ synthesised");
}

void bl_tree_row_guides(const struct bl_tree *t, size_t row, bool ascii, struct bl_buf *out)
{
	if (row >= t->len)
		return;
	int d = t->rows[row].depth;
	if (d <= 0)
		return;
	/* last flags of the ancestors at depths 1..d-1 */
	bool stack_small[32];
	bool *anc = d <= 32 ? stack_small : bl_calloc((size_t)d, sizeof *anc);
	for (int k = 0; k < d; k++)
		anc[k] = true;
	int need = d - 1;
	for (size_t i = row; i-- > 0 && need >= 1;) {
		if (t->rows[i].depth == need) {
			anc[need] = t->rows[i].last;
			need--;
		} else if (t->rows[i].depth < need) {
			/* a shallower row before the expected ancestor: the tree is
			 * filtered oddly; keep going up */
			need = t->rows[i].depth;
			anc[need] = t->rows[i].last;
			need--;
		}
	}
	for (int k = 1; k < d; k++) {
		if (anc[k])
			bl_buf_puts(out, "   ");
		else
			bl_buf_puts(out, ascii ? "|  " : "\xe2\x94\x82  ");
	}
	if (t->rows[row].last)
		bl_buf_puts(out, ascii ? "`- " : "\xe2\x94\x94\xe2\x94\x80 ");
	else
		bl_buf_puts(out, ascii ? "|- " : "\xe2\x94\x9c\xe2\x94\x80 ");
	if (anc != stack_small)
		free(anc);
}
