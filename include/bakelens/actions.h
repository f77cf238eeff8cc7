/* Actions: everything a key can do, in one list.
 *
 * BL_ACTIONS(X) is the single source of the action enum, of the names that key
 * bindings use (`bind tree l expand`), and of the help screen and docs/keys.md,
 * so help never drifts from the bindings. Views receive actions, never raw keys.
 */
#ifndef BL_ACTIONS_H
#define BL_ACTIONS_H

#include <stdbool.h>

/* Scopes: where a binding applies. A view looks its keys up in its own scope,
 * then in the scopes it inherits (see bl_scope_parent), ending at global. */
#define BL_SCOPES(X)                                                                               \
	X(GLOBAL, "global", "Everywhere")                                                          \
	X(LIST, "list", "Every scrolling view")                                                    \
	X(TREE, "tree", "The tree pane")                                                           \
	X(DETAIL, "detail", "The detail pane")                                                     \
	X(PAGER, "pager", "Help, messages and explanations")                                       \
	X(MENU, "menu", "The copy menu")                                                           \
	X(COMPARE, "compare", "The compare view (bakelens --diff A B, or M then = in the tree)")   \
	X(FILES, "files", "The file tree of a layer or an image (F in the tree)")                  \
	X(WASTE, "waste", "The waste panel of an image (W on a manifest)")

enum bl_scope {
#define BL_X_SCOPE(id, name, help) BL_SCOPE_##id,
	BL_SCOPES(BL_X_SCOPE)
#undef BL_X_SCOPE
	        BL_SCOPE_COUNT
};

/* X(id, name, scope, help) */
#define BL_ACTIONS(X)                                                                              \
	X(QUIT, "quit", GLOBAL, "Quit bakelens")                                                   \
	X(HELP, "help", GLOBAL, "Show the keys of every view")                                     \
	X(MESSAGES, "messages", GLOBAL, "Show load messages and build warnings")                   \
	X(EXPLAIN, "explain", GLOBAL,                                                              \
	        "Explain the selected node with its own values, and why it matters")               \
	X(VERIFY, "verify", GLOBAL,                                                                \
	        "Recompute the selected node's digests from its bytes, in the background (Esc "    \
	        "cancels)")                                                                        \
	X(FOCUS_NEXT, "focus-next", GLOBAL, "Move between the tree and the detail pane")           \
	X(BACK, "back", GLOBAL,                                                                    \
	        "Close the view or menu; cancel loading, a file diff, a verify or a filter")       \
	X(REDRAW, "redraw", GLOBAL, "Redraw the screen")                                           \
	X(COPY_DIGEST, "copy-digest", GLOBAL, "Copy the selected node's digest")                   \
	X(COPY_REF, "copy-ref", GLOBAL, "Copy name@digest for the selected node")                  \
	X(COPY_MENU, "copy-menu", GLOBAL,                                                          \
	        "Copy something else: diff_id, ChainID, short digest, JSON, check commands")       \
	X(MOVE_UP, "move-up", LIST, "Move up one line")                                            \
	X(MOVE_DOWN, "move-down", LIST, "Move down one line")                                      \
	X(PAGE_UP, "page-up", LIST, "Move up one page")                                            \
	X(PAGE_DOWN, "page-down", LIST, "Move down one page")                                      \
	X(MOVE_FIRST, "move-first", LIST, "Go to the first line")                                  \
	X(MOVE_LAST, "move-last", LIST, "Go to the last line")                                     \
	X(SEARCH, "search", LIST, "Search labels and digests (a digest prefix matches)")           \
	X(FIND_NEXT, "find-next", LIST, "Go to the next match")                                    \
	X(FIND_PREV, "find-prev", LIST, "Go to the previous match")                                \
	X(EXPAND, "expand", TREE, "Expand the node, or go to its first child")                     \
	X(COLLAPSE, "collapse", TREE, "Collapse the node, or go to its parent")                    \
	X(TOGGLE, "toggle", TREE, "Expand or collapse the node")                                   \
	X(EXPAND_ALL, "expand-all", TREE, "Expand everything under the node")                      \
	X(FILTER, "filter", TREE,                                                                  \
	        "Show only the nodes that match a text (in the file tree: a glob, *.so or "        \
	        "usr/lib/*; in the packages list: the packages)")                                  \
	X(PACKAGES, "packages", TREE,                                                              \
	        "List the packages of the SBOMs at or under the selected node (f filters them)")   \
	X(FILES, "files", TREE,                                                                    \
	        "Open the file tree of the selected layer (its changes), or of a manifest's "      \
	        "image (Esc cancels the listing)")                                                 \
	X(WASTE, "waste", TREE,                                                                    \
	        "On a manifest: dive's efficiency and wasted bytes, the bytes the final image "    \
	        "does not show, and the files behind them")                                        \
	X(MARK, "mark", TREE, "Mark the selected node to compare another node with it")            \
	X(COMPARE, "compare", TREE,                                                                \
	        "Compare the marked node (left) with the selected one (right)")                    \
	X(NEXT_DIFF, "next-difference", COMPARE,                                                   \
	        "Go to the next difference (n too, when no search is active)")                     \
	X(PREV_DIFF, "prev-difference", COMPARE,                                                   \
	        "Go to the previous difference (N too, when no search is active)")                 \
	X(FILE_DIFF, "file-diff", COMPARE,                                                         \
	        "Compare the files of the selected layer pair, in the background (Esc cancels)")   \
	X(IGNORE_TIMESTAMPS, "ignore-timestamps", COMPARE,                                         \
	        "Ignore timestamps (config and history dates, the created annotation, file "       \
	        "mtimes), or count them again")                                                    \
	X(SELECT, "select", MENU, "Choose the highlighted entry")                                  \
	X(OPEN_FILE, "open-file", FILES,                                                           \
	        "Show the file's contents, link target or what it deleted (a directory: expand "   \
	        "or collapse it)")                                                                 \
	X(COLLAPSE_ALL, "collapse-all", FILES, "Collapse every directory")                         \
	X(DEPTH_MORE, "depth-more", FILES, "Expand every directory to one level deeper")           \
	X(DEPTH_LESS, "depth-less", FILES, "Collapse every directory to one level less")           \
	X(MERGED, "merged", FILES,                                                                 \
	        "Switch between this layer's changes and the image as of this layer")              \
	X(LAYER_BELOW, "layer-below", FILES, "The same path in the layer below")                   \
	X(LAYER_ABOVE, "layer-above", FILES, "The same path in the layer above")                   \
	X(CHANGES_ONLY, "changes-only", FILES,                                                     \
	        "Show only what the layer added, modified or deleted, or everything again")        \
	X(CHANGE_KIND, "change-kind", FILES,                                                       \
	        "Show one kind of change: added, then modified, then deleted, then all")           \
	X(GO_TO_FILE, "go-to-file", WASTE,                                                         \
	        "Open the file tree at the layer that ships the selected file, on its path")

enum bl_action {
	BL_ACTION_NONE = 0,
#define BL_X_ACTION(id, name, scope, help) BL_ACTION_##id,
	BL_ACTIONS(BL_X_ACTION)
#undef BL_X_ACTION
	        BL_ACTION_COUNT
};

/* "move-up"; "" for BL_ACTION_NONE. Never NULL for a valid action. */
const char *bl_action_name(enum bl_action a);
const char *bl_action_help(enum bl_action a);
enum bl_scope bl_action_scope(enum bl_action a);
/* BL_ACTION_NONE when `name` is no action. */
enum bl_action bl_action_find(const char *name);

const char *bl_scope_name(enum bl_scope s);
const char *bl_scope_help(enum bl_scope s);
/* False when `name` is no scope. */
bool bl_scope_find(const char *name, enum bl_scope *out);
/* The scope a lookup falls back to: tree, detail, pager, menu, compare, files
 * and waste -> list;
 * list -> global; global -> global (the end). */
enum bl_scope bl_scope_parent(enum bl_scope s);

#endif
