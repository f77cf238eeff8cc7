/* Colour themes: roles named by meaning, mapped to colours by theme files.
 *
 * A theme file has lines `color ROLE FG [BG [ATTR...]]` (and comments with
 * '#'). Colours: default, black, red, green, yellow, blue, magenta, cyan,
 * white, bright-<name>, colorN or N (0..255). Attributes: bold, dim,
 * underline, reverse, italic, blink. Every theme starts from the embedded
 * default.theme, so a broken or partial user theme still shows every role.
 */
#ifndef BL_THEME_H
#define BL_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/vec.h"

/* X(id, name, help) */
#define BL_COLOR_ROLES(X)                                                                          \
	X(DEFAULT, "default", "Ordinary text")                                                     \
	X(TITLE, "title", "The title line")                                                        \
	X(STATUS, "status", "The status bar")                                                      \
	X(STATUS_KEY, "status.key", "Key names in the status bar")                                 \
	X(STATUS_INFO, "status.info", "A message in the status bar")                               \
	X(STATUS_ERROR, "status.error", "An error in the status bar")                              \
	X(PROGRESS, "status.progress", "Loading progress")                                         \
	X(CURSOR, "cursor", "The selected line in the focused pane")                               \
	X(CURSOR_DIM, "cursor.unfocused", "The selected line in the other pane")                   \
	X(BORDER, "border", "Pane borders")                                                        \
	X(GUIDE, "guide", "Tree guides")                                                           \
	X(NODE_BUILD, "node.build", "The build")                                                   \
	X(NODE_TARGET, "node.target", "A target")                                                  \
	X(NODE_INDEX, "node.index", "An image index")                                              \
	X(NODE_MANIFEST, "node.manifest", "An image manifest")                                     \
	X(NODE_ATTESTATION, "node.attestation", "An attestation manifest")                         \
	X(NODE_CONFIG, "node.config", "An image config")                                           \
	X(NODE_LAYER, "node.layer", "A layer")                                                     \
	X(NODE_STATEMENT, "node.statement", "An in-toto statement")                                \
	X(NODE_BLOB, "node.blob", "Another blob")                                                  \
	X(NODE_INFO, "node.info", "Build information")                                             \
	X(DIGEST, "digest", "Digests")                                                             \
	X(SIZE, "size", "Sizes")                                                                   \
	X(NAME, "name", "Image names and tags")                                                    \
	X(MARK_MISSING, "status.missing", "A missing blob")                                        \
	X(MARK_MISMATCH, "status.mismatch", "A digest mismatch")                                   \
	X(MARK_ERROR, "status.bad", "An unreadable or invalid node")                               \
	X(MARK_SYNTH, "status.synthesised", "A node bakelens made up")                             \
	X(HEADING, "heading", "Section headings")                                                  \
	X(FACT_KEY, "fact.key", "Fact names in the detail pane")                                   \
	X(FACT_VALUE, "fact.value", "Fact values")                                                 \
	X(JSON_KEY, "json.key", "JSON object keys")                                                \
	X(JSON_STRING, "json.string", "JSON strings")                                              \
	X(JSON_NUMBER, "json.number", "JSON numbers")                                              \
	X(JSON_LITERAL, "json.literal", "true, false, null")                                       \
	X(JSON_PUNCT, "json.punct", "JSON punctuation")                                            \
	X(MATCH, "search.match", "Search matches")                                                 \
	X(MENU, "menu", "Menus")                                                                   \
	X(MENU_KEY, "menu.key", "Menu hot keys")                                                   \
	X(WARNING, "message.warning", "Warnings")                                                  \
	X(DIFF_ADDED, "diff.added", "Added in a comparison")                                       \
	X(DIFF_REMOVED, "diff.removed", "Removed in a comparison")                                 \
	X(DIFF_CHANGED, "diff.changed", "Changed in a comparison")

enum bl_role {
#define BL_X_ROLE(id, name, help) BL_ROLE_##id,
	BL_COLOR_ROLES(BL_X_ROLE)
#undef BL_X_ROLE
	        BL_ROLE_COUNT
};

#define BL_COLOR_DEFAULT (-1)

enum bl_attr {
	BL_ATTR_BOLD = 1 << 0,
	BL_ATTR_DIM = 1 << 1,
	BL_ATTR_UNDERLINE = 1 << 2,
	BL_ATTR_REVERSE = 1 << 3,
	BL_ATTR_ITALIC = 1 << 4,
	BL_ATTR_BLINK = 1 << 5,
};

struct bl_style {
	short fg; /* 0..255, or BL_COLOR_DEFAULT */
	short bg;
	unsigned attrs; /* enum bl_attr bits */
};

struct bl_theme {
	char *name;
	struct bl_style roles[BL_ROLE_COUNT];
};

const char *bl_role_name(enum bl_role r);
bool bl_role_find(const char *name, enum bl_role *out);

/* Parse a colour name; false when unknown. */
bool bl_color_parse(const char *s, short *out);
/* The nearest of the 8 basic colours for a 256-colour index (default stays). */
short bl_color_to_8(short c);

/* Fill `t` from the embedded default theme (cannot fail). */
void bl_theme_init_default(struct bl_theme *t);
void bl_theme_fini(struct bl_theme *t);
/* Apply theme text on top of `t`. Every problem is appended to diags (char *,
 * "<file>:<line>:<col>: <message>") and the line is skipped. */
void bl_theme_parse(struct bl_theme *t, const char *file, const char *text, struct bl_vec *diags);
/* Load a theme by name: an embedded theme ("default", "light",
 * "high-contrast", "mono"), $XDG_CONFIG_HOME/bakelens/themes/NAME.theme, or a
 * path when NAME holds '/'. Returns false (with a diagnostic, and `t` left as
 * the default theme) when there is no such theme. */
bool bl_theme_load(struct bl_theme *t, const char *name, struct bl_vec *diags);
/* Drop colours for terminals with fewer colours: ncolors 256 keeps all, 8..255
 * maps to the 8 basic ones, 0 (or NO_COLOR) keeps only attributes, making
 * the cursor reverse so it stays visible. */
void bl_theme_degrade(struct bl_theme *t, int ncolors);

#endif
