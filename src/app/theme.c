/* Colour themes: see include/bakelens/theme.h. */
#include "bakelens/theme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/embed.h"
#include "bakelens/file.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "lex.h"

#define THEME_FILE_MAX (1u << 20)

static const char *const role_names[BL_ROLE_COUNT] = {
#define BL_X_ROLE(id, name, help) [BL_ROLE_##id] = name,
        BL_COLOR_ROLES(BL_X_ROLE)
#undef BL_X_ROLE
};

static const char *const basic_colors[8] = {
        "black",
        "red",
        "green",
        "yellow",
        "blue",
        "magenta",
        "cyan",
        "white",
};

const char *bl_role_name(enum bl_role r)
{
	return (unsigned)r < BL_ROLE_COUNT ? role_names[r] : "";
}

bool bl_role_find(const char *name, enum bl_role *out)
{
	for (int r = 0; r < BL_ROLE_COUNT; r++) {
		if (strcmp(role_names[r], name) == 0) {
			*out = (enum bl_role)r;
			return true;
		}
	}
	return false;
}

static bool parse_index(const char *s, short *out)
{
	if (!*s)
		return false;
	long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
		v = v * 10 + (*p - '0');
		if (v > 255)
			return false;
	}
	*out = (short)v;
	return true;
}

bool bl_color_parse(const char *s, short *out)
{
	if (!s)
		return false;
	if (strcmp(s, "default") == 0) {
		*out = BL_COLOR_DEFAULT;
		return true;
	}
	const char *base = s;
	short bright = 0;
	if (strncmp(s, "bright-", 7) == 0) {
		base = s + 7;
		bright = 8;
	}
	for (short i = 0; i < 8; i++) {
		if (strcmp(base, basic_colors[i]) == 0) {
			*out = (short)(i + bright);
			return true;
		}
	}
	if (strncmp(s, "color", 5) == 0)
		return parse_index(s + 5, out);
	return parse_index(s, out);
}

/* The xterm palette's first sixteen colours, to find the nearest basic colour;
 * the first eight are the basic ones. */
static const int xterm16[16][3] = {
        {0, 0, 0},
        {205, 0, 0},
        {0, 205, 0},
        {205, 205, 0},
        {0, 0, 238},
        {205, 0, 205},
        {0, 205, 205},
        {229, 229, 229},
        {127, 127, 127},
        {255, 0, 0},
        {0, 255, 0},
        {255, 255, 0},
        {92, 92, 255},
        {255, 0, 255},
        {0, 255, 255},
        {255, 255, 255},
};

static void rgb_of(short c, int rgb[3])
{
	if (c < 16) {
		memcpy(rgb, xterm16[c], sizeof xterm16[c]);
	} else if (c < 232) {
		static const int level[6] = {0, 95, 135, 175, 215, 255};
		int v = c - 16;
		rgb[0] = level[v / 36];
		rgb[1] = level[(v / 6) % 6];
		rgb[2] = level[v % 6];
	} else {
		int g = 8 + 10 * (c - 232);
		rgb[0] = rgb[1] = rgb[2] = g;
	}
}

short bl_color_to_8(short c)
{
	if (c < 0)
		return c;
	if (c < 16)
		return (short)(c % 8);
	int want[3];
	rgb_of(c, want);
	/* The nearest of the eight basic colours, as xterm shows them (squared
	 * distance in RGB). */
	short best = 0;
	long best_d = -1;
	for (short i = 0; i < 8; i++) {
		long d = 0;
		for (int k = 0; k < 3; k++) {
			long x = want[k] - xterm16[i][k];
			d += x * x;
		}
		if (best_d < 0 || d < best_d) {
			best_d = d;
			best = i;
		}
	}
	return best;
}

static bool parse_attr(const char *s, unsigned *out)
{
	static const struct {
		const char *name;
		unsigned bit;
	} attrs[] = {
	        {"bold", BL_ATTR_BOLD},
	        {"dim", BL_ATTR_DIM},
	        {"underline", BL_ATTR_UNDERLINE},
	        {"reverse", BL_ATTR_REVERSE},
	        {"italic", BL_ATTR_ITALIC},
	        {"blink", BL_ATTR_BLINK},
	        {"normal", 0},
	};
	for (size_t i = 0; i < sizeof attrs / sizeof attrs[0]; i++) {
		if (strcmp(s, attrs[i].name) == 0) {
			*out |= attrs[i].bit;
			return true;
		}
	}
	return false;
}

struct parse_ctx {
	struct bl_theme *t;
	const char *file;
	struct bl_vec *diags;
};

static void theme_line(void *ud, const struct lex_line *l)
{
	struct parse_ctx *c = ud;
	if (strcmp(l->words[0], "color") != 0) {
		char *w = bl_text_safe(l->words[0]);
		lex_diag(c->diags, c->file, l->lineno, l->cols[0],
		        "unknown directive '%s' (expected 'color ROLE FG [BG [ATTR...]]')", w);
		free(w);
		return;
	}
	if (l->nwords < 3) {
		lex_diag(c->diags, c->file, l->lineno, l->cols[0],
		        "'color' needs a role and a foreground colour");
		return;
	}
	enum bl_role role;
	if (!bl_role_find(l->words[1], &role)) {
		char *w = bl_text_safe(l->words[1]);
		lex_diag(c->diags, c->file, l->lineno, l->cols[1], "unknown colour role '%s'", w);
		free(w);
		return;
	}
	struct bl_style st = {.fg = BL_COLOR_DEFAULT, .bg = BL_COLOR_DEFAULT};
	if (!bl_color_parse(l->words[2], &st.fg)) {
		char *w = bl_text_safe(l->words[2]);
		lex_diag(c->diags, c->file, l->lineno, l->cols[2], "unknown colour '%s'", w);
		free(w);
		return;
	}
	size_t i = 3;
	if (l->nwords > 3 && bl_color_parse(l->words[3], &st.bg))
		i = 4;
	for (; i < l->nwords; i++) {
		if (!parse_attr(l->words[i], &st.attrs)) {
			char *w = bl_text_safe(l->words[i]);
			lex_diag(c->diags, c->file, l->lineno, l->cols[i],
			        "unknown colour or attribute '%s'", w);
			free(w);
			return;
		}
	}
	if (l->extra) {
		lex_diag(c->diags, c->file, l->lineno, l->extra_col, "too many words");
		return;
	}
	c->t->roles[role] = st;
}

void bl_theme_parse(struct bl_theme *t, const char *file, const char *text, struct bl_vec *diags)
{
	struct parse_ctx c = {.t = t, .file = file, .diags = diags};
	lex_each_line(text, theme_line, &c);
}

void bl_theme_init_default(struct bl_theme *t)
{
	memset(t, 0, sizeof *t);
	for (int r = 0; r < BL_ROLE_COUNT; r++)
		t->roles[r] = (struct bl_style){.fg = BL_COLOR_DEFAULT, .bg = BL_COLOR_DEFAULT};
	t->roles[BL_ROLE_CURSOR].attrs = BL_ATTR_REVERSE;
	t->name = bl_strdup("default");
	const struct bl_embed_file *f = bl_embed_find(bl_embed_themes, "default");
	if (f) {
		struct bl_vec ignored;
		bl_vec_init(&ignored, free);
		bl_theme_parse(t, "default.theme", f->text, &ignored);
		bl_vec_fini(&ignored);
	}
}

void bl_theme_fini(struct bl_theme *t)
{
	free(t->name);
	t->name = NULL;
}

bool bl_theme_load(struct bl_theme *t, const char *name, struct bl_vec *diags)
{
	bl_theme_fini(t);
	bl_theme_init_default(t);
	if (!name || !*name || strcmp(name, "default") == 0)
		return true;
	const struct bl_embed_file *f = bl_embed_find(bl_embed_themes, name);
	if (f) {
		bl_theme_parse(t, f->name, f->text, diags);
		free(t->name);
		t->name = bl_strdup(name);
		return true;
	}
	char *path;
	if (strchr(name, '/')) {
		path = bl_strdup(name);
	} else {
		const char *xdg = getenv("XDG_CONFIG_HOME");
		const char *home = getenv("HOME");
		if (xdg && *xdg)
			path = bl_asprintf("%s/bakelens/themes/%s.theme", xdg, name);
		else
			path = bl_asprintf(
			        "%s/.config/bakelens/themes/%s.theme", home ? home : ".", name);
	}
	struct bl_buf text;
	bl_buf_init(&text);
	struct bl_error err;
	if (!bl_file_read(path, THEME_FILE_MAX, &text, &err)) {
		char *safe = bl_text_safe(name);
		if (err.sys_errno == ENOENT || err.sys_errno == ENOTDIR) {
			bl_vec_push_take(
			        diags, bl_asprintf("theme '%s': no such theme (built in: default, "
			                           "light, high-contrast, mono); using default",
			                       safe));
		} else {
			char *why = bl_text_safe(err.msg);
			bl_vec_push_take(
			        diags, bl_asprintf("theme '%s': %s; using default", safe, why));
			free(why);
		}
		free(safe);
		bl_buf_fini(&text);
		free(path);
		return false;
	}
	bl_theme_parse(t, path, bl_buf_str(&text), diags);
	bl_buf_fini(&text);
	free(path);
	free(t->name);
	t->name = bl_strdup(name);
	return true;
}

void bl_theme_degrade(struct bl_theme *t, int ncolors)
{
	for (int r = 0; r < BL_ROLE_COUNT; r++) {
		struct bl_style *st = &t->roles[r];
		if (ncolors <= 0) {
			/* A role painted on a background (bars, cursor, menu)
			 * stays set apart in reverse video. */
			if (st->bg != BL_COLOR_DEFAULT)
				st->attrs |= BL_ATTR_REVERSE;
			st->fg = st->bg = BL_COLOR_DEFAULT;
		} else if (ncolors < 256) {
			/* 16-colour terminals get bright colours through bold. */
			if (st->fg >= 8 && st->fg < 16)
				st->attrs |= BL_ATTR_BOLD;
			/* A grey text colour (borders, guides, punctuation) has no
			 * basic colour: the nearest is black or white, unreadable on
			 * a dark or a light terminal. The terminal's own colour,
			 * dimmed, reads on both. */
			int rgb[3];
			if (st->fg >= 16) {
				rgb_of(st->fg, rgb);
				if (rgb[0] == rgb[1] && rgb[1] == rgb[2] && rgb[0] >= 40 &&
				        rgb[0] <= 215) {
					st->fg = BL_COLOR_DEFAULT;
					st->attrs |= BL_ATTR_DIM;
				}
			}
			st->fg = bl_color_to_8(st->fg);
			st->bg = bl_color_to_8(st->bg);
			if (st->fg == st->bg && st->fg >= 0)
				st->fg = st->fg == 0 ? 7 : 0;
		}
	}
	if (ncolors <= 0) {
		/* Without colour the selection and the bars must still show. */
		t->roles[BL_ROLE_CURSOR].attrs |= BL_ATTR_REVERSE;
		t->roles[BL_ROLE_CURSOR_DIM].attrs |= BL_ATTR_UNDERLINE;
		t->roles[BL_ROLE_STATUS].attrs |= BL_ATTR_REVERSE;
		t->roles[BL_ROLE_TITLE].attrs |= BL_ATTR_REVERSE;
		t->roles[BL_ROLE_MENU].attrs |= BL_ATTR_REVERSE;
		t->roles[BL_ROLE_MATCH].attrs |= BL_ATTR_REVERSE;
	}
}
