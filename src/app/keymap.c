/* Keys and bindings: see include/bakelens/keymap.h. */
#include "bakelens/keymap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

static const char *const special_names[] = {
#define BL_X_KEY(id, name) name,
        BL_SPECIAL_KEYS(BL_X_KEY)
#undef BL_X_KEY
};

int bl_key_normalize(int key)
{
	switch (key) {
	case '\r':
	case '\n':
		return BL_KEY_ENTER;
	case '\t':
		return BL_KEY_TAB;
	case 27:
		return BL_KEY_ESC;
	case ' ':
		return BL_KEY_SPACE;
	case 127:
	case 8:
		return BL_KEY_BACKSPACE;
	default:
		return key;
	}
}

bool bl_key_parse(const char *name, int *key)
{
	if (!name || !*name)
		return false;
	for (size_t i = 0; i < sizeof special_names / sizeof special_names[0]; i++) {
		if (strcasecmp(name, special_names[i]) == 0) {
			*key = BL_KEY_FIRST_SPECIAL + 1 + (int)i;
			return true;
		}
	}
	if (strcasecmp(name, "PageUp") == 0) {
		*key = BL_KEY_PGUP;
		return true;
	}
	if (strcasecmp(name, "PageDown") == 0) {
		*key = BL_KEY_PGDN;
		return true;
	}
	if ((name[0] == 'C' || name[0] == 'c') && name[1] == '-' && name[2] && !name[3]) {
		char c = name[2];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c < 'a' || c > 'z')
			return false;
		*key = c - 'a' + 1;
		return bl_key_normalize(*key) == *key; /* C-i is Tab, C-m Enter... */
	}
	uint32_t cp;
	size_t n = bl_utf8_decode(name, strlen(name), &cp);
	if (n == 0 || name[n] != '\0')
		return false;
	if (cp < 0x20 && cp != '\t')
		return false;
	*key = bl_key_normalize((int)cp);
	return true;
}

void bl_key_name(int key, char *out, size_t outlen)
{
	if (outlen == 0)
		return;
	char tmp[4];
	/* The bytes of a character key; 0 for controls, DEL and surrogates. */
	size_t n = key > 0x20 && key != 0x7f && key < BL_KEY_BASE
	                   ? bl_utf8_encode((uint32_t)key, tmp)
	                   : 0;
	if (key > BL_KEY_FIRST_SPECIAL && key < BL_KEY_LAST_SPECIAL) {
		snprintf(out, outlen, "%s", special_names[key - BL_KEY_FIRST_SPECIAL - 1]);
	} else if (key >= 1 && key <= 26) {
		snprintf(out, outlen, "C-%c", 'a' + key - 1);
	} else if (n > 0) {
		snprintf(out, outlen, "%.*s", (int)n, tmp);
	} else {
		snprintf(out, outlen, "?");
	}
}

void bl_keymap_init(struct bl_keymap *km)
{
	memset(km, 0, sizeof *km);
}

void bl_keymap_fini(struct bl_keymap *km)
{
	free(km->items);
	memset(km, 0, sizeof *km);
}

void bl_keymap_bind(struct bl_keymap *km, enum bl_scope scope, int key, enum bl_action action)
{
	for (size_t i = 0; i < km->len; i++) {
		if (km->items[i].scope == scope && km->items[i].key == key) {
			/* Keep the binding's place, so help lists keys in file order. */
			km->items[i].action = action;
			return;
		}
	}
	if (km->len == km->cap) {
		km->cap = km->cap ? km->cap * 2 : 64;
		km->items = bl_realloc(km->items, km->cap * sizeof *km->items);
	}
	km->items[km->len++] = (struct bl_binding){.scope = scope, .key = key, .action = action};
}

static enum bl_action lookup_exact(
        const struct bl_keymap *km, enum bl_scope scope, int key, bool *found)
{
	for (size_t i = 0; i < km->len; i++) {
		if (km->items[i].scope == scope && km->items[i].key == key) {
			*found = true;
			return km->items[i].action;
		}
	}
	*found = false;
	return BL_ACTION_NONE;
}

enum bl_action bl_keymap_lookup(const struct bl_keymap *km, enum bl_scope scope, int key)
{
	for (;;) {
		bool found;
		enum bl_action a = lookup_exact(km, scope, key, &found);
		/* An explicit "none" in a scope hides the key from the scopes below. */
		if (found)
			return a;
		if (scope == BL_SCOPE_GLOBAL)
			return BL_ACTION_NONE;
		scope = bl_scope_parent(scope);
	}
}

void bl_keymap_keys_for(
        const struct bl_keymap *km, enum bl_scope scope, enum bl_action action, struct bl_buf *out)
{
	bl_buf_clear(out);
	for (size_t i = 0; i < km->len; i++) {
		const struct bl_binding *b = &km->items[i];
		if (b->scope != scope || b->action != action)
			continue;
		char name[16];
		bl_key_name(b->key, name, sizeof name);
		if (out->len)
			bl_buf_puts(out, ", ");
		bl_buf_puts(out, name);
	}
}

void bl_keymap_first_key(const struct bl_keymap *km, enum bl_scope scope, enum bl_action action,
        char *out, size_t outlen)
{
	/* A key bound in an outer scope counts only when the view's own scope
	 * does not take it for something else (q quits, but closes a pager). */
	const enum bl_scope view = scope;
	for (;;) {
		for (size_t i = 0; i < km->len; i++) {
			const struct bl_binding *b = &km->items[i];
			if (b->scope == scope && b->action == action &&
			        bl_keymap_lookup(km, view, b->key) == action) {
				bl_key_name(b->key, out, outlen);
				return;
			}
		}
		if (scope == BL_SCOPE_GLOBAL)
			break;
		scope = bl_scope_parent(scope);
	}
	if (outlen)
		out[0] = '\0';
}

static void md_escape(struct bl_buf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '*' || *s == '`' || *s == '\\' || *s == '_')
			bl_buf_putc(out, '\\');
		bl_buf_putc(out, *s);
	}
}

void bl_keymap_markdown(const struct bl_keymap *km, struct bl_buf *out)
{
	struct bl_buf keys;
	bl_buf_init(&keys);
	bl_buf_puts(out,
	        "# bakelens keys\n\n"
	        "Generated from the action table (include/bakelens/actions.h) and the default\n"
	        "bindings (src/app/keys.conf); a unit test keeps this file in step with them.\n"
	        "Rebind keys in `$XDG_CONFIG_HOME/bakelens/config` with\n"
	        "`bind SCOPE KEY ACTION` (ACTION `none` unbinds). A key bound in a view's\n"
	        "scope wins over the same key in `list` and `global`.\n");
	for (int s = 0; s < BL_SCOPE_COUNT; s++) {
		bl_buf_printf(out, "\n## %s: %s\n\n", bl_scope_name((enum bl_scope)s),
		        bl_scope_help((enum bl_scope)s));
		bl_buf_puts(out, "| keys | action | what it does |\n|---|---|---|\n");
		for (int a = 1; a < BL_ACTION_COUNT; a++) {
			bl_keymap_keys_for(km, (enum bl_scope)s, (enum bl_action)a, &keys);
			if (keys.len == 0 && bl_action_scope((enum bl_action)a) != (enum bl_scope)s)
				continue;
			bl_buf_puts(out, "| ");
			if (keys.len) {
				bl_buf_putc(out, '`');
				/* Each key in its own code span. */
				for (const char *p = keys.data; *p; p++) {
					if (p[0] == ',' && p[1] == ' ') {
						bl_buf_puts(out, "`, `");
						p++;
					} else if (*p == '|') {
						bl_buf_puts(out, "\\|");
					} else {
						bl_buf_putc(out, *p);
					}
				}
				bl_buf_putc(out, '`');
			} else {
				bl_buf_puts(out, "(unbound)");
			}
			bl_buf_puts(out, " | ");
			bl_buf_puts(out, bl_action_name((enum bl_action)a));
			bl_buf_puts(out, " | ");
			md_escape(out, bl_action_help((enum bl_action)a));
			bl_buf_puts(out, " |\n");
		}
	}
	bl_buf_fini(&keys);
}
