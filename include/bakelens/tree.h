/* Tree rows: the build graph flattened for the TUI and `bakelens tree`.
 *
 * Rows are rebuilt from the nodes' `expanded` flags; expand, collapse, search
 * and filter are pure operations on rows, tested without a terminal.
 */
#ifndef BL_TREE_H
#define BL_TREE_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/buf.h"
#include "bakelens/model.h"

struct bl_tree_row {
	struct bl_node *node; /* borrowed from the build */
	int depth;
	bool has_children;
	bool last; /* the last child of its parent (for drawing guides) */
};

struct bl_tree {
	struct bl_node *root;
	struct bl_tree_row *rows;
	size_t len;
	size_t cap;
	char *filter;   /* NULL: no filter; else rows whose subtree matches */
	bool show_root; /* include the BUILD node itself */
};

/* Start with nodes expanded down to `depth` levels below root. */
void bl_tree_init(struct bl_tree *t, struct bl_node *root, int depth);
void bl_tree_fini(struct bl_tree *t);
void bl_tree_rebuild(struct bl_tree *t);
/* Each returns the index of the row that should be selected afterwards. */
size_t bl_tree_expand(struct bl_tree *t, size_t row);
size_t bl_tree_collapse(
        struct bl_tree *t, size_t row); /* on a leaf or collapsed row: go to its parent */
size_t bl_tree_toggle(struct bl_tree *t, size_t row);
size_t bl_tree_expand_all(struct bl_tree *t, size_t row);     /* the whole subtree */
void bl_tree_set_filter(struct bl_tree *t, const char *text); /* NULL or "" clears */
/* Show node `n` (of this tree): its collapsed ancestors are expanded and the
 * rows rebuilt. True with its row in `row`; false when it still has no row
 * (the filter hides it, or it is not under the tree's root). */
bool bl_tree_reveal(struct bl_tree *t, const struct bl_node *n, size_t *row);
/* Find the next (dir > 0) or previous row from `from` (exclusive, wrapping)
 * whose label, name or digest matches `query` (case-insensitive substring; a
 * digest prefix with or without "sha256:" matches), expanding collapsed
 * ancestors when the match is hidden. Returns false when nothing matches. */
bool bl_tree_search(struct bl_tree *t, size_t from, const char *query, int dir, size_t *found);

/* One line for a row without guides: label, short digest, size, status mark
 * ("! missing", "✗ digest mismatch", "~ synthesised"), escaped. */
void bl_tree_row_text(const struct bl_tree_row *row, struct bl_buf *out);
/* The guide prefix for a row ("│  ├─ "), UTF-8 or ASCII. */
void bl_tree_row_guides(const struct bl_tree *t, size_t row, bool ascii, struct bl_buf *out);

#endif
