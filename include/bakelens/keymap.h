// clang-format off
/* Keys and key bindings.
 *
 * A key is an int: a Unicode code point for a character, 1..26 for Ctrl+A..Z
 * (as terminals send them), or one of the BL_KEY_* values above the Unicode
 * range. Bindings map (scope, key) to an action. The defaults are the text file
 * src/app/keys.conf, embedded at build time and parsed by the same code as the
 * user's config (settings.h), so there is one syntax and one parser.
 */
#ifndef BL_KEYMAP_H
#define BL_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/actions.h"
#include "bakelens/buf.h"

#define BL_KEY_BASE 0x110000
/* X(id, name) */
#define BL_SPECIAL_KEYS(X)                                                                         \
	X(UP, "Up")                                                                                \
	X(DOWN, "Down") X(LEFT, "Left") X(RIGHT, "Right") X(PGUP, "PgUp") X(PGDN, "PgDn") X(       \
	        HOME, "Home") X(END, "End") X(ENTER, "Enter") X(TAB, "Tab") X(BACKTAB, "BackTab")  \
	        X(ESC, "Esc") X(BACKSPACE, "Backspace") X(DELETE, "Delete") X(INSERT, "Insert")    \
	                X(SPACE, "Space") X(F1, "F1") X(F2, "F2") X(F3, "F3") X(F4, "F4")          \
	                        X(F5, "F5") X(F6, "F6") X(F7, "F7") X(F8, "F8") X(F9, "F9")        \
	                                X(F10, "F10") X(F11, "F11") X(F12, "F12")

enum bl_key {
	BL_KEY_NONE = 0,
	BL_KEY_FIRST_SPECIAL = BL_KEY_BASE,
#define BL_X_KEY(id, name) BL_KEY_##id,
	BL_SPECIAL_KEYS(BL_X_KEY)
#undef BL_X_KEY
	        BL_KEY_LAST_SPECIAL,
};

/* Parse a key name: a single character ("q", "*", "é"), "C-x" for Ctrl,
 * or a special name ("PgDn", "Enter"; case-insensitive). Returns false when
 * the name is no key. " " is Space, "\t" Tab. */
bool bl_key_parse(const char *name, int *key);
/* The name bl_key_parse accepts for `key`, into out (at least 16 bytes). */
void bl_key_name(int key, char *out, size_t outlen);
/* Map what terminals send to our canonical keys: '\r' and '\n' to Enter, '\t'
 * to Tab, 27 to Esc, ' ' to Space, 127 and 8 to Backspace. */
int bl_key_normalize(int key);

struct bl_binding {
	enum bl_scope scope;
	int key;
	enum bl_action action;
};

struct bl_keymap {
	struct bl_binding *items; /* later bindings of the same (scope, key) replace earlier ones */
	size_t len;
	size_t cap;
};

void bl_keymap_init(struct bl_keymap *km);
void bl_keymap_fini(struct bl_keymap *km);
/* Bind (or, with BL_ACTION_NONE, unbind) a key in a scope. */
void bl_keymap_bind(struct bl_keymap *km, enum bl_scope scope, int key, enum bl_action action);
/* The action for `key` in `scope` or the scopes it inherits; BL_ACTION_NONE. */
enum bl_action bl_keymap_lookup(const struct bl_keymap *km, enum bl_scope scope, int key);
/* The names of the keys bound to `action` in exactly `scope`, joined by ", "
 * into out (cleared first), in binding order. */
void bl_keymap_keys_for(
        const struct bl_keymap *km, enum bl_scope scope, enum bl_action action, struct bl_buf *out);
/* The first key bound to `action` in `scope` or its parents, as a name ("" when unbound). */
void bl_keymap_first_key(const struct bl_keymap *km, enum bl_scope scope, enum bl_action action,
        char *out, size_t outlen);

/* docs/keys.md: every action by scope with its default keys and help, from
 * the action table and the bindings in `km`. */
void bl_keymap_markdown(const struct bl_keymap *km, struct bl_buf *out);

#endif
// clang-format on
