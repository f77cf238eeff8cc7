/* The explorer's settings and the config file.
 *
 * $XDG_CONFIG_HOME/bakelens/config (else ~/.config/bakelens/config) holds
 * lines of three kinds, with '#' comments:
 *
 *     bind SCOPE KEY ACTION     bind tree o toggle; ACTION "none" unbinds
 *     set NAME VALUE            set tree-width 45
 *     theme NAME                theme light
 *
 * Every mistake is collected as "<file>:<line>:<col>: <message>" and the
 * line is skipped: the defaults stay. One table of (name, type, offset,
 * default, help) drives parsing and the docs.
 */
#ifndef BL_SETTINGS_H
#define BL_SETTINGS_H

#include <stdbool.h>

#include "bakelens/buf.h"
#include "bakelens/keymap.h"
#include "bakelens/vec.h"

struct bl_settings {
	int tree_width;   /* percent of the screen for the tree pane */
	int expand_depth; /* levels open at start */
	bool ascii;       /* ASCII tree guides */
	bool mouse;
	bool osc52;           /* copy through the terminal (OSC 52) */
	bool clipboard_tools; /* also wl-copy, xclip, xsel, pbcopy when found */
	char *theme;          /* theme name, owned; "default" */
};

/* X(name, type, field, default, help); type is INT, BOOL or STRING. */
#define BL_SETTINGS(X)                                                                             \
	X("tree-width", INT, tree_width, "45",                                                     \
	        "Width of the tree pane, percent of the screen (20-80)")                           \
	X("expand-depth", INT, expand_depth, "3", "Levels of the tree open at start (0-9)")        \
	X("ascii", BOOL, ascii, "false", "Draw tree guides with ASCII instead of box characters")  \
	X("mouse", BOOL, mouse, "true", "Click to select, wheel to scroll")                        \
	X("osc52", BOOL, osc52, "true",                                                            \
	        "Copy through the terminal with OSC 52 (works over SSH, in tmux)")                 \
	X("clipboard-tools", BOOL, clipboard_tools, "true",                                        \
	        "Also copy with wl-copy, xclip, xsel or pbcopy when found")                        \
	X("theme", STRING, theme, "default",                                                       \
	        "Colour theme: default, light, high-contrast, mono, or a file")

/* Defaults (cannot fail). */
void bl_settings_init(struct bl_settings *s);
void bl_settings_fini(struct bl_settings *s);
/* Set one setting from its text value; false with a message in *msg (caller
 * owns) when the name is unknown or the value invalid. */
bool bl_settings_set(struct bl_settings *s, const char *name, const char *value, char **msg);

/* Parse config text: bind lines go to km, set and theme lines to s.
 * Diagnostics (char *) are appended to diags; good lines still apply. */
void bl_config_parse(struct bl_settings *s, struct bl_keymap *km, const char *file,
        const char *text, struct bl_vec *diags);
/* The default bindings (the embedded keys.conf). */
void bl_keymap_load_defaults(struct bl_keymap *km);
/* Read the user's config file when there is one (a missing file is fine; an
 * unreadable one is a diagnostic). */
void bl_config_load_user(struct bl_settings *s, struct bl_keymap *km, struct bl_vec *diags);
/* The path of the user's config file, caller owns. */
char *bl_config_path(void);

/* A markdown table of the settings, for the docs. */
void bl_settings_markdown(struct bl_buf *out);

#endif
