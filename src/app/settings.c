/* Settings and the config file: see include/bakelens/settings.h. */
#include "bakelens/settings.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/embed.h"
#include "bakelens/file.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "lex.h"

#define CONFIG_FILE_MAX (1u << 20)

enum type { INT, BOOL, STRING };

struct setting {
	const char *name;
	enum type type;
	size_t offset;
	const char *def;
	const char *help;
};

static const struct setting table[] = {
#define BL_X_SETTING(name, type, field, def, help)                                                 \
	{name, type, offsetof(struct bl_settings, field), def, help},
        BL_SETTINGS(BL_X_SETTING)
#undef BL_X_SETTING
};

static const struct setting *find(const char *name)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

static bool limits(const char *name, long *lo, long *hi)
{
	if (strcmp(name, "tree-width") == 0) {
		*lo = 20;
		*hi = 80;
		return true;
	}
	if (strcmp(name, "expand-depth") == 0) {
		*lo = 0;
		*hi = 9;
		return true;
	}
	return false;
}

static bool apply(struct bl_settings *s, const struct setting *st, const char *value, char **msg)
{
	char *field = (char *)s + st->offset;
	switch (st->type) {
	case INT: {
		char *end;
		long v = strtol(value, &end, 10);
		long lo = 0, hi = 1000000;
		limits(st->name, &lo, &hi);
		if (!*value || *end || v < lo || v > hi) {
			char *safe = bl_text_safe(value);
			*msg = bl_asprintf("%s: expected a number from %ld to %ld, got '%s'",
			        st->name, lo, hi, safe);
			free(safe);
			return false;
		}
		*(int *)(void *)field = (int)v;
		return true;
	}
	case BOOL: {
		bool v;
		if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "on") ||
		        !strcmp(value, "1"))
			v = true;
		else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "off") ||
		         !strcmp(value, "0"))
			v = false;
		else {
			char *safe = bl_text_safe(value);
			*msg = bl_asprintf("%s: expected true or false, got '%s'", st->name, safe);
			free(safe);
			return false;
		}
		*(bool *)(void *)field = v;
		return true;
	}
	case STRING: {
		char **p = (char **)(void *)field;
		free(*p);
		*p = bl_strdup(value);
		return true;
	}
	}
	return false;
}

void bl_settings_init(struct bl_settings *s)
{
	memset(s, 0, sizeof *s);
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		char *msg = NULL;
		apply(s, &table[i], table[i].def, &msg);
		free(msg);
	}
}

void bl_settings_fini(struct bl_settings *s)
{
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
		if (table[i].type == STRING) {
			char **p = (char **)(void *)((char *)s + table[i].offset);
			free(*p);
			*p = NULL;
		}
	}
}

bool bl_settings_set(struct bl_settings *s, const char *name, const char *value, char **msg)
{
	const struct setting *st = find(name);
	if (!st) {
		char *safe = bl_text_safe(name);
		*msg = bl_asprintf("unknown setting '%s'", safe);
		free(safe);
		return false;
	}
	return apply(s, st, value, msg);
}

struct cfg_ctx {
	struct bl_settings *s;
	struct bl_keymap *km;
	const char *file;
	struct bl_vec *diags;
};

static void bad_word(struct cfg_ctx *c, const struct lex_line *l, size_t i, const char *what)
{
	char *safe = bl_text_safe(l->words[i]);
	lex_diag(c->diags, c->file, l->lineno, l->cols[i], "%s '%s'", what, safe);
	free(safe);
}

static void bind_line(struct cfg_ctx *c, const struct lex_line *l)
{
	if (l->nwords != 4) {
		lex_diag(c->diags, c->file, l->lineno, l->cols[0],
		        "expected 'bind SCOPE KEY ACTION'");
		return;
	}
	enum bl_scope scope;
	if (!bl_scope_find(l->words[1], &scope)) {
		bad_word(c, l, 1,
		        "unknown scope (global, list, tree, detail, pager, menu, compare)");
		return;
	}
	int key;
	if (!bl_key_parse(l->words[2], &key)) {
		bad_word(c, l, 2, "unknown key");
		return;
	}
	enum bl_action a = bl_action_find(l->words[3]);
	if (a == BL_ACTION_NONE && strcmp(l->words[3], "none") != 0) {
		bad_word(c, l, 3, "unknown action");
		return;
	}
	bl_keymap_bind(c->km, scope, key, a);
}

static void config_line(void *ud, const struct lex_line *l)
{
	struct cfg_ctx *c = ud;
	const char *cmd = l->words[0];
	if (strcmp(cmd, "bind") == 0) {
		bind_line(c, l);
	} else if (strcmp(cmd, "set") == 0 || strcmp(cmd, "theme") == 0) {
		bool is_theme = cmd[0] == 't';
		size_t want = is_theme ? 2 : 3;
		if (l->nwords != want || l->extra) {
			lex_diag(c->diags, c->file, l->lineno, l->cols[0],
			        is_theme ? "expected 'theme NAME'" : "expected 'set NAME VALUE'");
			return;
		}
		char *msg = NULL;
		const char *name = is_theme ? "theme" : l->words[1];
		const char *value = l->words[want - 1];
		if (!bl_settings_set(c->s, name, value, &msg)) {
			lex_diag(c->diags, c->file, l->lineno, l->cols[want - 1], "%s", msg);
			free(msg);
		}
	} else {
		bad_word(c, l, 0, "unknown command (expected bind, set or theme)");
	}
}

void bl_config_parse(struct bl_settings *s, struct bl_keymap *km, const char *file,
        const char *text, struct bl_vec *diags)
{
	struct cfg_ctx c = {.s = s, .km = km, .file = file, .diags = diags};
	lex_each_line(text, config_line, &c);
}

void bl_keymap_load_defaults(struct bl_keymap *km)
{
	const struct bl_embed_file *f = bl_embed_find(bl_embed_keys, "keys");
	struct bl_settings s;
	bl_settings_init(&s);
	struct bl_vec diags;
	bl_vec_init(&diags, free);
	if (f)
		bl_config_parse(&s, km, "keys.conf", f->text, &diags);
	bl_vec_fini(&diags);
	bl_settings_fini(&s);
}

char *bl_config_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && *xdg)
		return bl_asprintf("%s/bakelens/config", xdg);
	const char *home = getenv("HOME");
	return bl_asprintf("%s/.config/bakelens/config", home ? home : ".");
}

void bl_config_load_user(struct bl_settings *s, struct bl_keymap *km, struct bl_vec *diags)
{
	char *path = bl_config_path();
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_error err;
	if (bl_file_read(path, CONFIG_FILE_MAX, &b, &err)) {
		bl_config_parse(s, km, path, bl_buf_str(&b), diags);
	} else if (err.sys_errno != ENOENT && err.sys_errno != ENOTDIR) {
		/* No config file is the usual case; one that cannot be used is said. */
		bl_vec_push_take(diags, bl_text_safe(err.msg));
	}
	bl_buf_fini(&b);
	free(path);
}

void bl_settings_markdown(struct bl_buf *out)
{
	bl_buf_puts(out, "| setting | default | what it does |\n|---|---|---|\n");
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		bl_buf_printf(
		        out, "| `%s` | `%s` | %s |\n", table[i].name, table[i].def, table[i].help);
}
