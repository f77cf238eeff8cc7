/* Views: a table of operations over lines, and the core that does cursor,
 * paging and search the same way for every view.
 *
 * A view never sees keys: it gets actions (actions.h) and returns
 * BL_UNHANDLED for the ones it does not care about. Two kinds exist: the
 * tree view (rows of struct bl_tree, with a cursor) and document views
 * (struct bl_doc: styled lines, scrolled without a cursor) used for the detail
 * pane, help, messages and explanations.
 */
#ifndef BL_VIEW_H
#define BL_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/actions.h"
#include "bakelens/buf.h"
#include "bakelens/changeset.h"
#include "bakelens/filetree.h"
#include "bakelens/compare.h"
#include "bakelens/model.h"
#include "bakelens/term.h"
#include "bakelens/theme.h"
#include "bakelens/tree.h"

/* What a view did with an action. */
enum bl_view_result {
	BL_UNHANDLED = 0,
	BL_HANDLED = 1,   /* state changed: redraw */
	BL_MOVED = 2 | 1, /* the selection moved: the detail pane follows */
	BL_NOT_FOUND = 4, /* a search found nothing */
};

struct bl_view;

struct bl_view_ops {
	const char *name;
	enum bl_scope scope;
	bool has_cursor; /* tree: a selected line; documents: scrolling only */
	size_t (*lines)(struct bl_view *v);
	void (*draw_line)(struct bl_view *v, size_t i, struct bl_canvas *c, int x, int y, int w);
	/* Plain text of a line, for search (documents). */
	void (*line_text)(struct bl_view *v, size_t i, struct bl_buf *out);
	/* Search override (tree: matches labels and digests and opens collapsed
	 * nodes). NULL: the core searches line_text. */
	bool (*search)(struct bl_view *v, const char *query, int dir, size_t *found);
	enum bl_view_result (*handle)(struct bl_view *v, enum bl_action a);
};

struct bl_view {
	const struct bl_view_ops *ops;
	void *data;
	size_t top;    /* first visible line */
	size_t cursor; /* selected line (views with a cursor) */
	int height;    /* visible lines, set by the last draw */
	char *query;   /* the last search, owned */
};

void bl_view_init(struct bl_view *v, const struct bl_view_ops *ops, void *data);
void bl_view_fini(struct bl_view *v);
/* The core's handling: moves, paging, first/last, find-next/prev; then the
 * view's own handle for the rest. */
enum bl_view_result bl_view_do(struct bl_view *v, enum bl_action a);
/* Search from the cursor (or top) in direction dir (1 or -1); remembers the
 * query for find-next. BL_MOVED, or BL_NOT_FOUND. */
enum bl_view_result bl_view_search(struct bl_view *v, const char *query, int dir);
/* Keep the cursor (or top) inside the lines and on screen. */
void bl_view_clamp(struct bl_view *v);
/* Draw the visible lines into the rectangle; the cursor line in `cursor_role`. */
void bl_view_draw(struct bl_view *v, struct bl_canvas *c, int x, int y, int w, int h,
        enum bl_role cursor_role);
/* Whether `needle` is in `hay`, ASCII case ignored: how every search matches. */
bool bl_view_contains_ci(const char *hay, const char *needle);
/* Scroll by n lines (mouse wheel), moving the cursor along when it leaves. */
void bl_view_scroll(struct bl_view *v, long n);

/* Styled text documents. */
struct bl_span {
	enum bl_role role;
	char *text; /* display-safe, owned */
};

struct bl_doc_line {
	struct bl_span *spans;
	size_t len;
};

struct bl_doc {
	struct bl_doc_line *lines;
	size_t len;
	size_t cap;
	size_t max_lines; /* 0: no limit; else the document stops growing */
	bool truncated;
};

void bl_doc_init(struct bl_doc *d);
void bl_doc_fini(struct bl_doc *d);
void bl_doc_clear(struct bl_doc *d);
void bl_doc_newline(struct bl_doc *d);
/* Append text to the last line (a new one when empty). The text must already
 * be display-safe (escaped). */
void bl_doc_add(struct bl_doc *d, enum bl_role role, const char *text);
/* Append input text: escaped with bl_text_escape first. */
void bl_doc_add_raw(struct bl_doc *d, enum bl_role role, const char *text);
/* Add `text` (display-safe, may hold newlines) wrapped at `width` columns,
 * continuation lines indented by `indent` spaces; starts on the current line. */
void bl_doc_wrap(struct bl_doc *d, enum bl_role role, const char *text, int width, int indent);
/* Break every line from `from` on that is wider than `width` columns into
 * continuation lines (hard breaks, roles kept, indented like the line plus
 * two, at most width/2), so nothing (a digest in raw JSON) is cut at a pane's
 * edge. */
void bl_doc_fold(struct bl_doc *d, size_t from, int width);
/* Plain text of a line. */
void bl_doc_line_text(const struct bl_doc *d, size_t i, struct bl_buf *out);
/* A JSON value pretty-printed (2 spaces, document order) with roles for
 * keys, strings, numbers, literals and punctuation; strings escaped. */
void bl_doc_json(struct bl_doc *d, const json_t *j);
/* Markdown-ish text (teaching texts): "# " lines as headings, `code` kept,
 * paragraphs re-wrapped to width. */
void bl_doc_markdown(struct bl_doc *d, const char *md, int width);

/* A document view over `doc` (borrowed). */
void bl_docview_init(struct bl_view *v, struct bl_doc *doc, enum bl_scope scope);

/* The detail pane of a node: facts first, then the descriptor and document
 * JSON, wrapped to width. */
void bl_detail_build(struct bl_doc *d, const struct bl_node *n, int width);

/* The tree view over `t` (borrowed). `ascii` selects ASCII guides. */
void bl_treeview_init(struct bl_view *v, struct bl_tree *t, const bool *ascii);
void bl_treeview_fini(struct bl_view *v);
/* The selected node, or NULL when the tree is empty. */
struct bl_node *bl_treeview_node(struct bl_view *v);
/* A note the tree view shows after a node's status mark ("reading
 * referrers"): display-safe text and its role, or NULL for none. */
typedef const char *(*bl_treeview_note_fn)(void *ud, const struct bl_node *n, enum bl_role *role);
/* Ask `fn` (with `ud`, borrowed) for every row drawn from now on; NULL stops. */
void bl_treeview_set_note(struct bl_view *v, bl_treeview_note_fn fn, void *ud);
/* The role for a node's kind. */
enum bl_role bl_node_role(const struct bl_node *n);

/* The compare view (src/ui/cmpview.c): the rows of a comparison tree
 * (compare.h), the left and right node side by side on each row, with a
 * marker and colours by class. Rows follow each node's `expanded`. */
void bl_cmpview_init(struct bl_view *v, struct bl_cmp_node *root, const bool *ascii);
void bl_cmpview_fini(struct bl_view *v);
/* Flatten the rows again (after `expanded` changed outside the view),
 * keeping the cursor on the same node when it is still shown. */
void bl_cmpview_rebuild(struct bl_view *v);
size_t bl_cmpview_len(struct bl_view *v);
/* The node of row i (NULL past the end) and its depth. */
struct bl_cmp_node *bl_cmpview_row(struct bl_view *v, size_t i, int *depth);
/* The selected node, NULL when there are no rows. */
struct bl_cmp_node *bl_cmpview_node(struct bl_view *v);
/* Select `n`, expanding its ancestors. False when it is not in the tree. */
bool bl_cmpview_select(struct bl_view *v, const struct bl_cmp_node *n);
/* Initial folding: every node that differs is expanded, every identical
 * subtree collapsed (shown as one "identical" row). */
void bl_cmp_fold(struct bl_cmp_node *root);
/* One-character marker for a row: '=' identical, '+' right only, '-' left
 * only, '?' unknown, '~' changed; and its colour role. */
char bl_cmp_marker(const struct bl_cmp_node *n, enum bl_role *role);

/* The detail area of the compare view for `n`: classification summary,
 * notes and fields; per platform "cache breaks at layer N of M: ..." and
 * "root filesystems identical/differ" (from `platforms`, struct
 * bl_cmp_platform *, may be NULL: then computed from the layers' ChainIDs);
 * both sides' full digests (wrapped, never cut); and the file diff when one
 * was computed (`files`, may be NULL; `files_error` why it failed, may be
 * NULL). */
struct bl_filediff_result;
void bl_cmp_detail_build(struct bl_doc *d, const struct bl_cmp_node *n,
        const struct bl_vec *platforms, const struct bl_filediff_result *files,
        const char *files_error, int width);

/* The file tree view (src/ui/fileview.c): one layer of an image, either
 * its change set (what it added, modified and deleted; deletions show what
 * they removed, from the layers below) or the image as of that layer (the
 * merged view, the layer's own entries marked). Directories collapse and
 * expand, their sizes are the sums under them, each change has a letter
 * (A, M, D) in its theme colour. Filters: changes only, one kind of
 * change, a glob on the path (or on the name when it has no '/'). Rows are
 * node indices, text is made only for the lines drawn. */
enum { FV_KIND_NONE = 0, FV_KIND_ADDED, FV_KIND_MODIFIED, FV_KIND_DELETED, FV_KIND_SAME };
struct bl_fileview;
/* The tree of layer `layer` (0 is the bottom, < f->len) of `f`; `f` is
 * read during the call only (the view keeps copies). Caller owns. */
struct bl_fileview *bl_fileview_new(const struct bl_image_files *f, size_t layer, bool merged);
void bl_fileview_free(struct bl_fileview *fv);
/* A view over `fv` (borrowed: free it after bl_view_fini). */
void bl_fileview_init(struct bl_view *v, struct bl_fileview *fv, const bool *ascii);
struct bl_fileview_item {
	const char *path;                  /* borrowed from the view */
	const struct bl_file_entry *entry; /* NULL: a directory no entry names */
	const struct bl_change *change;    /* the change behind the mark, NULL */
	unsigned char kind;                /* FV_KIND_* */
	bool dir;
	uint64_t bytes; /* the node and everything under it */
	size_t entries;
};
/* The selected line; false when there are no lines. */
bool bl_fileview_selected(struct bl_view *v, struct bl_fileview_item *out);
/* Put the cursor on `path`, opening the directories above it; on its
 * nearest ancestor shown (false) when the tree has not got it. */
bool bl_fileview_select(struct bl_view *v, const char *path);
/* Show only what matches `glob` (NULL or "": everything). */
void bl_fileview_set_glob(struct bl_view *v, const char *glob);
const char *bl_fileview_glob(const struct bl_fileview *fv); /* NULL when none */
const struct bl_changeset *bl_fileview_changes(const struct bl_fileview *fv);
bool bl_fileview_merged(const struct bl_fileview *fv);
size_t bl_fileview_rows(const struct bl_fileview *fv);
/* "its changes: 3 added, 1 modified, 2 deleted [changes only]..." appended
 * to `out`, display-safe. */
void bl_fileview_describe(const struct bl_fileview *fv, struct bl_buf *out);
/* "A", "M", "D" or " " for a FV_KIND_*, and its colour role. */
const char *bl_fileview_kind_letter(unsigned char kind, enum bl_role *role);

/* The waste panel (src/ui/wasteview.c): dive's efficiency, wasted bytes
 * and user wasted percent, the exact shadowed bytes (total and per layer),
 * then dive's inefficient files and the shadowed files, largest first.
 * `w` and `f` are borrowed and must outlive the view. */
void bl_wasteview_init(struct bl_view *v, const struct bl_waste *w, const struct bl_image_files *f);
void bl_wasteview_fini(struct bl_view *v);
/* The file on the selected line and the layer (0 is the bottom) to open it
 * at; false on a line that is not a file. *path is borrowed from the waste. */
bool bl_wasteview_selected(struct bl_view *v, const char **path, size_t *layer);

#endif
