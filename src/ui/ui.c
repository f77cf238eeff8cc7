/* The explorer's state: layout, focus, popups, prompt, copy menu, status bar
 * (ui.h). No terminal here: input comes in as keys and actions, output goes
 * into a canvas. */
#include "bakelens/ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/explain.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/tree.h"
#include "bakelens/view.h"

enum focus { FOCUS_TREE, FOCUS_DETAIL };
enum popup { POPUP_NONE, POPUP_HELP, POPUP_MESSAGES, POPUP_EXPLAIN };
enum prompt { PROMPT_NONE, PROMPT_SEARCH, PROMPT_FILTER };

struct menu_entry {
	char key;
	const char *label;
};

static const struct menu_entry menu_entries[] = {
	{'d', "digest"}, {'r', "name@digest"}, {'s', "short digest"},
	{'i', "diff_id"}, {'c', "ChainID"}, {'j', "node JSON"},
};
#define MENU_LEN (sizeof menu_entries / sizeof menu_entries[0])

struct bl_ui {
	const struct bl_settings *s;
	const struct bl_keymap *km;
	struct bl_build *build;
	char *title;
	bool loading;
	struct bl_load_state load;

	struct bl_tree tree;
	bool have_tree;
	struct bl_view treev;
	struct bl_doc detail;
	struct bl_view detailv;
	const struct bl_node *detail_node;
	int detail_width;
	enum focus focus;

	enum popup popup;
	struct bl_doc popdoc;
	struct bl_view popv;
	int pop_width;

	bool menu_open;
	size_t menu_cursor;
	char menu_keys[MENU_LEN]; /* entries available for the node */
	size_t menu_len;

	enum prompt prompt;
	struct bl_buf input;
	char *saved_filter;

	char *status;
	bool status_error;
	bool quit, cancel, redraw;
	bool has_copy;
	struct bl_copy_request copy;
	struct bl_vec messages; /* char *, escaped */

	int w, h, tree_w;
	bool ascii;
};

struct bl_ui *bl_ui_new(const struct bl_settings *s, const struct bl_keymap *km)
{
	struct bl_ui *ui = bl_calloc(1, sizeof *ui);
	ui->s = s;
	ui->km = km;
	ui->ascii = s->ascii;
	bl_doc_init(&ui->detail);
	bl_doc_init(&ui->popdoc);
	bl_docview_init(&ui->detailv, &ui->detail, BL_SCOPE_DETAIL);
	bl_docview_init(&ui->popv, &ui->popdoc, BL_SCOPE_PAGER);
	bl_buf_init(&ui->input);
	bl_vec_init(&ui->messages, free);
	ui->w = 80;
	ui->h = 24;
	return ui;
}

void bl_copy_request_fini(struct bl_copy_request *r)
{
	free(r->text);
	free(r->what);
	r->text = r->what = NULL;
}

void bl_ui_free(struct bl_ui *ui)
{
	if (!ui)
		return;
	if (ui->have_tree) {
		bl_treeview_fini(&ui->treev);
		bl_tree_fini(&ui->tree);
	}
	bl_view_fini(&ui->detailv);
	bl_view_fini(&ui->popv);
	bl_doc_fini(&ui->detail);
	bl_doc_fini(&ui->popdoc);
	bl_buf_fini(&ui->input);
	bl_vec_fini(&ui->messages);
	bl_copy_request_fini(&ui->copy);
	free(ui->saved_filter);
	free(ui->status);
	free(ui->title);
	free(ui);
}

void bl_ui_set_build(struct bl_ui *ui, struct bl_build *b, const char *title)
{
	if (ui->have_tree) {
		bl_treeview_fini(&ui->treev);
		bl_tree_fini(&ui->tree);
		ui->have_tree = false;
	}
	ui->build = b;
	ui->loading = false;
	free(ui->title);
	ui->title = bl_text_safe(title);
	ui->detail_node = NULL;
	if (!b)
		return;
	bl_tree_init(&ui->tree, b->root, ui->s->expand_depth);
	bl_treeview_init(&ui->treev, &ui->tree, &ui->ascii);
	ui->have_tree = true;
}

void bl_ui_set_loading(struct bl_ui *ui, const struct bl_load_state *st)
{
	ui->loading = st != NULL;
	if (st)
		ui->load = *st;
}

void bl_ui_add_message(struct bl_ui *ui, const char *msg)
{
	bl_vec_push(&ui->messages, bl_text_safe(msg));
}

static void vstatus(struct bl_ui *ui, bool error, const char *fmt, va_list ap)
{
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_vprintf(&b, fmt, ap);
	free(ui->status);
	/* Status text may quote input (a search): never raw. */
	ui->status = bl_text_safe(bl_buf_str(&b));
	ui->status_error = error;
	bl_buf_fini(&b);
}

void bl_ui_status(struct bl_ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vstatus(ui, error, fmt, ap);
	va_end(ap);
}

bool bl_ui_quit_requested(const struct bl_ui *ui)
{
	return ui->quit;
}

bool bl_ui_take_cancel(struct bl_ui *ui)
{
	bool c = ui->cancel;
	ui->cancel = false;
	return c;
}

bool bl_ui_take_redraw(struct bl_ui *ui)
{
	bool r = ui->redraw;
	ui->redraw = false;
	return r;
}

bool bl_ui_take_copy(struct bl_ui *ui, struct bl_copy_request *out)
{
	if (!ui->has_copy)
		return false;
	*out = ui->copy;
	ui->copy = (struct bl_copy_request){0};
	ui->has_copy = false;
	return true;
}

bool bl_ui_search(struct bl_ui *ui, const char *query)
{
	if (!ui->have_tree)
		return false;
	return bl_view_search(&ui->treev, query, 1) == BL_MOVED;
}

struct bl_node *bl_ui_selected(struct bl_ui *ui)
{
	return ui->have_tree ? bl_treeview_node(&ui->treev) : NULL;
}

/* Copying */

static const char *nearest_name(const struct bl_node *n)
{
	for (; n; n = n->parent)
		if (n->name && *n->name)
			return n->name;
	return NULL;
}

/* "ghcr.io/o/r:tag" -> "ghcr.io/o/r"; the first of "a,b". */
static char *repo_of(const char *name)
{
	size_t len = strcspn(name, ",");
	char *r = bl_strndup(name, len);
	char *at = strchr(r, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(r, '/');
	char *colon = strrchr(slash ? slash : r, ':');
	if (colon)
		*colon = '\0';
	return r;
}

char *bl_ui_copy_text(const struct bl_node *n, char entry, const char **what)
{
	if (!n)
		return NULL;
	/* A target's digest is its root document's (index or manifest). */
	if (n->kind == BL_NODE_TARGET && !n->has_desc && n->children.len && entry != 'j') {
		const struct bl_node *root = n->children.items[0];
		if (root->has_desc && !root->name && entry == 'r') {
			const char *name = nearest_name(n);
			if (!name || !bl_digest_is_set(&root->desc.digest))
				return (*what = "name@digest", NULL);
			char *repo = repo_of(name);
			char *s = bl_asprintf("%s@%s", repo, root->desc.digest.str);
			free(repo);
			*what = "name@digest";
			return s;
		}
		n = root;
	}
	bool has_digest = n->has_desc && bl_digest_is_set(&n->desc.digest);
	switch (entry) {
	case 'd':
		*what = "digest";
		return has_digest ? bl_strdup(n->desc.digest.str) : NULL;
	case 'r': {
		*what = "name@digest";
		const char *name = nearest_name(n);
		if (!has_digest || !name)
			return NULL;
		char *repo = repo_of(name);
		char *s = bl_asprintf("%s@%s", repo, n->desc.digest.str);
		free(repo);
		return s;
	}
	case 's': {
		*what = "short digest";
		if (!has_digest)
			return NULL;
		char sd[32];
		bl_digest_short(&n->desc.digest, sd, sizeof sd);
		return bl_strdup(sd);
	}
	case 'i':
		*what = "diff_id";
		return n->layer && n->layer->has_diff_id ? bl_strdup(n->layer->diff_id.str) : NULL;
	case 'c':
		*what = "ChainID";
		return n->layer && n->layer->has_chain_id ? bl_strdup(n->layer->chain_id.str) : NULL;
	case 'j':
		*what = "JSON";
		if (n->doc)
			return bl_json_pretty(n->doc);
		if (n->has_desc && n->desc.raw)
			return bl_json_pretty(n->desc.raw);
		return NULL;
	default:
		return NULL;
	}
}

static void request_copy(struct bl_ui *ui, char entry)
{
	const struct bl_node *n = bl_ui_selected(ui);
	const char *what = "";
	char *text = bl_ui_copy_text(n, entry, &what);
	if (!text) {
		bl_ui_status(ui, true, "Nothing to copy: this node has no %s", what);
		return;
	}
	bl_copy_request_fini(&ui->copy);
	ui->copy.text = text;
	ui->copy.what = bl_strdup(what);
	ui->has_copy = true;
}

static void open_menu(struct bl_ui *ui)
{
	const struct bl_node *n = bl_ui_selected(ui);
	ui->menu_len = 0;
	for (size_t i = 0; i < MENU_LEN; i++) {
		const char *what;
		char *t = bl_ui_copy_text(n, menu_entries[i].key, &what);
		if (t)
			ui->menu_keys[ui->menu_len++] = menu_entries[i].key;
		free(t);
	}
	if (ui->menu_len == 0) {
		bl_ui_status(ui, true, "Nothing to copy for this node");
		return;
	}
	ui->menu_open = true;
	ui->menu_cursor = 0;
}

static const char *menu_label(char key)
{
	for (size_t i = 0; i < MENU_LEN; i++)
		if (menu_entries[i].key == key)
			return menu_entries[i].label;
	return "";
}

/* Popups */

static int body_h(const struct bl_ui *ui)
{
	return ui->h > 2 ? ui->h - 2 : 1;
}

static void build_help(struct bl_ui *ui, int width)
{
	struct bl_doc *d = &ui->popdoc;
	struct bl_buf keys;
	bl_buf_init(&keys);
	bl_doc_add(d, BL_ROLE_HEADING, "bakelens keys");
	bl_doc_newline(d);
	char *path = bl_config_path();
	bl_doc_add(d, BL_ROLE_DEFAULT, "Rebind in ");
	bl_doc_add_raw(d, BL_ROLE_NAME, path);
	bl_doc_add(d, BL_ROLE_DEFAULT, " with: bind SCOPE KEY ACTION");
	free(path);
	for (int s = 0; s < BL_SCOPE_COUNT; s++) {
		bool any = false;
		for (int a = 1; a < BL_ACTION_COUNT; a++) {
			bl_keymap_keys_for(ui->km, (enum bl_scope)s, (enum bl_action)a, &keys);
			if (!keys.len)
				continue;
			if (!any) {
				bl_doc_newline(d);
				bl_doc_newline(d);
				bl_doc_add(d, BL_ROLE_HEADING, bl_scope_name((enum bl_scope)s));
				bl_doc_add(d, BL_ROLE_DEFAULT, ": ");
				bl_doc_add(d, BL_ROLE_DEFAULT, bl_scope_help((enum bl_scope)s));
				any = true;
			}
			bl_doc_newline(d);
			char line[64];
			snprintf(line, sizeof line, "  %-22s", bl_buf_str(&keys));
			bl_doc_add(d, BL_ROLE_FACT_KEY, line);
			snprintf(line, sizeof line, " %-13s ", bl_action_name((enum bl_action)a));
			bl_doc_add(d, BL_ROLE_NAME, line);
			bl_doc_wrap(d, BL_ROLE_DEFAULT, bl_action_help((enum bl_action)a), width, 40);
		}
	}
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_HEADING, "copy menu");
	for (size_t i = 0; i < MENU_LEN; i++) {
		bl_doc_newline(d);
		char line[64];
		snprintf(line, sizeof line, "  %c  %s", menu_entries[i].key, menu_entries[i].label);
		bl_doc_add(d, BL_ROLE_DEFAULT, line);
	}
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_HEADING, "prompts");
	bl_doc_newline(d);
	bl_doc_wrap(d, BL_ROLE_DEFAULT,
		"  In a search or filter prompt: Enter accepts, Esc cancels, Backspace deletes. "
		"A digest prefix (with or without sha256:) matches. Mouse: click selects, a "
		"second click toggles, the wheel scrolls.",
		width, 2);
	bl_buf_fini(&keys);
}

static void build_messages(struct bl_ui *ui, int width)
{
	struct bl_doc *d = &ui->popdoc;
	size_t count = 0;
	if (ui->build && ui->build->warnings.len) {
		bl_doc_add(d, BL_ROLE_HEADING, "Build warnings (buildx.build.warnings)");
		for (size_t i = 0; i < ui->build->warnings.len; i++) {
			const struct bl_warning *w = ui->build->warnings.items[i];
			bl_doc_newline(d);
			bl_doc_newline(d);
			bl_doc_add_raw(d, BL_ROLE_WARNING, w->level ? w->level : "warning");
			bl_doc_add(d, BL_ROLE_WARNING, ": ");
			char *rule = bl_text_safe(w->rule ? w->rule : "");
			bl_doc_wrap(d, BL_ROLE_WARNING, rule, width, 2);
			free(rule);
			if (w->file) {
				bl_doc_newline(d);
				bl_doc_add(d, BL_ROLE_DEFAULT, "  at ");
				char *f = bl_text_safe(w->file);
				char *loc = w->line > 0 ? bl_asprintf("%s:%d", f, w->line) : bl_strdup(f);
				bl_doc_add(d, BL_ROLE_NAME, loc);
				free(loc);
				free(f);
			}
			if (w->target) {
				bl_doc_newline(d);
				bl_doc_add(d, BL_ROLE_DEFAULT, "  target ");
				bl_doc_add_raw(d, BL_ROLE_NODE_TARGET, w->target);
			}
			if (w->detail) {
				bl_doc_newline(d);
				bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
				/* The detail holds newlines of its own: keep them as
				 * lines, escape the rest. */
				const char *p = w->detail;
				bool first = true;
				for (;;) {
					const char *nl = strchr(p, '\n');
					char *part = bl_strndup(p, nl ? (size_t)(nl - p) : strlen(p));
					char *safe = bl_text_safe(part);
					if (!first) {
						bl_doc_newline(d);
						bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
					}
					bl_doc_wrap(d, BL_ROLE_DEFAULT, safe, width, 2);
					free(safe);
					free(part);
					first = false;
					if (!nl)
						break;
					p = nl + 1;
				}
			}
			if (w->url) {
				bl_doc_newline(d);
				bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
				bl_doc_add_raw(d, BL_ROLE_DIGEST, w->url);
			}
			count++;
		}
	}
	if (ui->build && ui->build->messages.len) {
		if (d->len)
			bl_doc_newline(d);
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_HEADING, "Load messages");
		for (size_t i = 0; i < ui->build->messages.len; i++) {
			bl_doc_newline(d);
			char *m = bl_text_safe(ui->build->messages.items[i]);
			bl_doc_wrap(d, BL_ROLE_DEFAULT, m, width, 2);
			free(m);
			count++;
		}
	}
	if (ui->messages.len) {
		if (d->len)
			bl_doc_newline(d);
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_HEADING, "Settings");
		for (size_t i = 0; i < ui->messages.len; i++) {
			bl_doc_newline(d);
			bl_doc_wrap(d, BL_ROLE_DEFAULT, ui->messages.items[i], width, 2);
			count++;
		}
	}
	if (count == 0)
		bl_doc_add(d, BL_ROLE_DEFAULT, "No messages: the build loaded without warnings.");
}

static void build_popup(struct bl_ui *ui)
{
	bl_doc_clear(&ui->popdoc);
	int width = ui->w > 4 ? ui->w - 2 : 2;
	switch (ui->popup) {
	case POPUP_HELP:
		build_help(ui, width);
		break;
	case POPUP_MESSAGES:
		build_messages(ui, width);
		break;
	case POPUP_EXPLAIN: {
		struct bl_buf b;
		bl_buf_init(&b);
		bl_explain_node(bl_ui_selected(ui), &b);
		bl_doc_markdown(&ui->popdoc, b.len ? b.data : "Nothing selected.", width);
		bl_buf_fini(&b);
		break;
	}
	case POPUP_NONE:
		break;
	}
}

static void open_popup(struct bl_ui *ui, enum popup p)
{
	if (ui->popup == p) {
		ui->popup = POPUP_NONE;
		return;
	}
	ui->popup = p;
	ui->popv.top = 0;
	ui->pop_width = ui->w;
	build_popup(ui);
}

/* The view that gets keys now. */
static struct bl_view *current_view(struct bl_ui *ui, enum bl_scope *scope)
{
	if (ui->menu_open) {
		*scope = BL_SCOPE_MENU;
		return NULL;
	}
	if (ui->popup != POPUP_NONE) {
		*scope = BL_SCOPE_PAGER;
		return &ui->popv;
	}
	if (ui->focus == FOCUS_DETAIL || !ui->have_tree) {
		*scope = BL_SCOPE_DETAIL;
		return &ui->detailv;
	}
	*scope = BL_SCOPE_TREE;
	return &ui->treev;
}

static void start_prompt(struct bl_ui *ui, enum prompt p)
{
	ui->prompt = p;
	bl_buf_clear(&ui->input);
	bl_buf_puts(&ui->input, "");
	free(ui->saved_filter);
	ui->saved_filter = NULL;
	if (p == PROMPT_FILTER && ui->tree.filter) {
		ui->saved_filter = bl_strdup(ui->tree.filter);
		bl_buf_puts(&ui->input, ui->tree.filter);
	}
}

static void apply_filter(struct bl_ui *ui, const char *text)
{
	if (!ui->have_tree)
		return;
	const struct bl_node *keep = bl_ui_selected(ui);
	bl_tree_set_filter(&ui->tree, text && *text ? text : NULL);
	/* Stay on the same node when it is still shown. */
	ui->treev.cursor = 0;
	for (size_t i = 0; i < ui->tree.len; i++) {
		if (ui->tree.rows[i].node == keep) {
			ui->treev.cursor = i;
			break;
		}
	}
	bl_view_clamp(&ui->treev);
}

void bl_ui_do(struct bl_ui *ui, enum bl_action a)
{
	enum bl_scope scope;
	struct bl_view *v = current_view(ui, &scope);
	switch (a) {
	case BL_ACTION_NONE:
	case BL_ACTION_COUNT:
		return;
	case BL_ACTION_QUIT:
		ui->quit = true;
		return;
	case BL_ACTION_HELP:
		ui->menu_open = false;
		open_popup(ui, POPUP_HELP);
		return;
	case BL_ACTION_MESSAGES:
		ui->menu_open = false;
		open_popup(ui, POPUP_MESSAGES);
		return;
	case BL_ACTION_EXPLAIN:
		ui->menu_open = false;
		open_popup(ui, POPUP_EXPLAIN);
		return;
	case BL_ACTION_FOCUS_NEXT:
		if (ui->popup == POPUP_NONE && !ui->menu_open && ui->have_tree)
			ui->focus = ui->focus == FOCUS_TREE ? FOCUS_DETAIL : FOCUS_TREE;
		return;
	case BL_ACTION_BACK:
		if (ui->menu_open)
			ui->menu_open = false;
		else if (ui->popup != POPUP_NONE)
			ui->popup = POPUP_NONE;
		else if (ui->loading)
			ui->cancel = true;
		else if (ui->have_tree && ui->tree.filter)
			apply_filter(ui, NULL);
		else if (ui->focus == FOCUS_DETAIL)
			ui->focus = FOCUS_TREE;
		return;
	case BL_ACTION_REDRAW:
		ui->redraw = true;
		return;
	case BL_ACTION_COPY_DIGEST:
		ui->menu_open = false;
		request_copy(ui, 'd');
		return;
	case BL_ACTION_COPY_REF:
		ui->menu_open = false;
		request_copy(ui, 'r');
		return;
	case BL_ACTION_COPY_MENU:
		if (ui->menu_open)
			ui->menu_open = false;
		else
			open_menu(ui);
		return;
	case BL_ACTION_SELECT:
		if (ui->menu_open) {
			ui->menu_open = false;
			request_copy(ui, ui->menu_keys[ui->menu_cursor]);
		}
		return;
	case BL_ACTION_SEARCH:
		if (!ui->menu_open)
			start_prompt(ui, PROMPT_SEARCH);
		return;
	case BL_ACTION_FILTER:
		if (scope == BL_SCOPE_TREE)
			start_prompt(ui, PROMPT_FILTER);
		return;
	default:
		break;
	}
	if (ui->menu_open) {
		if (a == BL_ACTION_MOVE_UP && ui->menu_cursor > 0)
			ui->menu_cursor--;
		else if (a == BL_ACTION_MOVE_DOWN && ui->menu_cursor + 1 < ui->menu_len)
			ui->menu_cursor++;
		return;
	}
	if (!v)
		return;
	enum bl_view_result r = bl_view_do(v, a);
	if (r == BL_NOT_FOUND)
		bl_ui_status(ui, true, "No match for '%s'", v->query ? v->query : "");
}

static void utf8_append(struct bl_buf *b, int cp)
{
	char tmp[4];
	size_t n;
	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	bl_buf_append(b, tmp, n);
}

static void prompt_key(struct bl_ui *ui, int key)
{
	enum prompt p = ui->prompt;
	if (key == BL_KEY_ESC) {
		ui->prompt = PROMPT_NONE;
		if (p == PROMPT_FILTER)
			apply_filter(ui, ui->saved_filter);
		return;
	}
	if (key == BL_KEY_ENTER) {
		ui->prompt = PROMPT_NONE;
		if (p == PROMPT_SEARCH && ui->input.len) {
			enum bl_scope scope;
			struct bl_view *v = current_view(ui, &scope);
			if (v && bl_view_search(v, bl_buf_str(&ui->input), 1) == BL_NOT_FOUND)
				bl_ui_status(ui, true, "No match for '%s'", bl_buf_str(&ui->input));
		}
		return;
	}
	if (key == BL_KEY_BACKSPACE) {
		if (ui->input.len == 0) {
			ui->prompt = PROMPT_NONE;
		} else {
			size_t n = ui->input.len - 1;
			while (n > 0 && (ui->input.data[n] & 0xc0) == 0x80)
				n--;
			ui->input.len = n;
			ui->input.data[n] = '\0';
		}
	} else if (key == BL_KEY_SPACE) {
		bl_buf_putc(&ui->input, ' ');
	} else if (key >= 0x20 && key < BL_KEY_BASE && key != 0x7f && !(key >= 0x80 && key < 0xa0)) {
		if (ui->input.len < 200)
			utf8_append(&ui->input, key);
	} else {
		return;
	}
	if (p == PROMPT_FILTER)
		apply_filter(ui, bl_buf_str(&ui->input));
}

void bl_ui_key(struct bl_ui *ui, int key)
{
	key = bl_key_normalize(key);
	free(ui->status);
	ui->status = NULL;
	if (ui->prompt != PROMPT_NONE) {
		prompt_key(ui, key);
		return;
	}
	if (ui->menu_open && key > 0x20 && key < 0x7f) {
		for (size_t i = 0; i < ui->menu_len; i++) {
			if (ui->menu_keys[i] == key) {
				ui->menu_open = false;
				request_copy(ui, (char)key);
				return;
			}
		}
	}
	enum bl_scope scope;
	current_view(ui, &scope);
	enum bl_action a = bl_keymap_lookup(ui->km, scope, key);
	if (a == BL_ACTION_NONE) {
		char name[16];
		bl_key_name(key, name, sizeof name);
		char help[16];
		bl_keymap_first_key(ui->km, BL_SCOPE_GLOBAL, BL_ACTION_HELP, help, sizeof help);
		bl_ui_status(ui, false, "%s: no action here (%s shows the keys)", name, help);
		return;
	}
	bl_ui_do(ui, a);
}

void bl_ui_mouse(struct bl_ui *ui, int x, int y, enum bl_mouse_button b)
{
	if (!ui->s->mouse || y <= 0 || y >= ui->h - 1)
		return;
	if (ui->menu_open) {
		ui->menu_open = false;
		return;
	}
	int step = b == BL_MOUSE_WHEEL_UP ? -3 : 3;
	if (ui->popup != POPUP_NONE) {
		if (b != BL_MOUSE_CLICK)
			bl_view_scroll(&ui->popv, step);
		return;
	}
	if (ui->have_tree && x < ui->tree_w) {
		ui->focus = FOCUS_TREE;
		if (b != BL_MOUSE_CLICK) {
			bl_view_scroll(&ui->treev, step);
			return;
		}
		size_t row = ui->treev.top + (size_t)(y - 1);
		if (row >= ui->tree.len)
			return;
		if (row == ui->treev.cursor)
			bl_view_do(&ui->treev, BL_ACTION_TOGGLE);
		else
			ui->treev.cursor = row;
		bl_view_clamp(&ui->treev);
	} else {
		ui->focus = FOCUS_DETAIL;
		if (b != BL_MOUSE_CLICK)
			bl_view_scroll(&ui->detailv, step);
	}
}

/* Drawing */

static void put_key_hint(struct bl_ui *ui, struct bl_canvas *c, int *col, enum bl_scope scope,
	enum bl_action a, const char *label)
{
	char key[16];
	bl_keymap_first_key(ui->km, scope, a, key, sizeof key);
	if (!key[0] || *col >= c->w)
		return;
	int y = c->h - 1;
	*col += bl_canvas_put(c, *col, y, c->w - *col, BL_ROLE_STATUS, " ");
	*col += bl_canvas_put(c, *col, y, c->w - *col, BL_ROLE_STATUS_KEY, key);
	*col += bl_canvas_put(c, *col, y, c->w - *col, BL_ROLE_STATUS, " ");
	*col += bl_canvas_put(c, *col, y, c->w - *col, BL_ROLE_STATUS, label);
	*col += bl_canvas_put(c, *col, y, c->w - *col, BL_ROLE_STATUS, " ");
}

static void draw_status(struct bl_ui *ui, struct bl_canvas *c)
{
	int y = c->h - 1;
	bl_canvas_fill(c, 0, y, c->w, BL_ROLE_STATUS);
	int col = 0;
	if (ui->prompt != PROMPT_NONE) {
		col += bl_canvas_put(c, 0, y, c->w, BL_ROLE_STATUS_INFO,
			ui->prompt == PROMPT_SEARCH ? "/" : "filter: ");
		char *safe = bl_text_safe(bl_buf_str(&ui->input));
		col += bl_canvas_put(c, col, y, c->w - col, BL_ROLE_STATUS, safe);
		free(safe);
		bl_canvas_put(c, col, y, c->w - col, BL_ROLE_STATUS_KEY, "_");
		return;
	}
	if (ui->status) {
		bl_canvas_put(c, 1, y, c->w - 1, ui->status_error ? BL_ROLE_STATUS_ERROR :
			BL_ROLE_STATUS_INFO, ui->status);
		return;
	}
	if (ui->loading) {
		char line[256];
		char done[32], total[32];
		bl_text_size((int64_t)ui->load.done_bytes, done, sizeof done);
		bl_text_size((int64_t)ui->load.total, total, sizeof total);
		if (ui->load.total)
			snprintf(line, sizeof line, " Loading: %s %s / %s ", ui->load.what, done, total);
		else if (ui->load.done_bytes)
			snprintf(line, sizeof line, " Loading: %s %s ", ui->load.what, done);
		else
			snprintf(line, sizeof line, " Loading: %s ", ui->load.what);
		col += bl_canvas_put(c, 0, y, c->w, BL_ROLE_PROGRESS, line);
		put_key_hint(ui, c, &col, BL_SCOPE_GLOBAL, BL_ACTION_BACK, "cancel");
		put_key_hint(ui, c, &col, BL_SCOPE_GLOBAL, BL_ACTION_QUIT, "quit");
		return;
	}
	enum bl_scope scope;
	current_view(ui, &scope);
	if (scope == BL_SCOPE_MENU) {
		put_key_hint(ui, c, &col, scope, BL_ACTION_SELECT, "copy");
		put_key_hint(ui, c, &col, scope, BL_ACTION_BACK, "close");
		return;
	}
	if (scope == BL_SCOPE_PAGER) {
		put_key_hint(ui, c, &col, scope, BL_ACTION_BACK, "close");
		put_key_hint(ui, c, &col, scope, BL_ACTION_PAGE_DOWN, "page");
		put_key_hint(ui, c, &col, scope, BL_ACTION_SEARCH, "search");
		put_key_hint(ui, c, &col, scope, BL_ACTION_QUIT, "quit");
		return;
	}
	put_key_hint(ui, c, &col, scope, BL_ACTION_QUIT, "quit");
	put_key_hint(ui, c, &col, scope, BL_ACTION_HELP, "help");
	if (scope == BL_SCOPE_TREE) {
		put_key_hint(ui, c, &col, scope, BL_ACTION_TOGGLE, "open");
		put_key_hint(ui, c, &col, scope, BL_ACTION_SEARCH, "search");
		put_key_hint(ui, c, &col, scope, BL_ACTION_FILTER, "filter");
	} else {
		put_key_hint(ui, c, &col, scope, BL_ACTION_PAGE_DOWN, "page");
		put_key_hint(ui, c, &col, scope, BL_ACTION_SEARCH, "search");
	}
	put_key_hint(ui, c, &col, scope, BL_ACTION_COPY_DIGEST, "copy");
	put_key_hint(ui, c, &col, scope, BL_ACTION_COPY_MENU, "copy…");
	put_key_hint(ui, c, &col, scope, BL_ACTION_EXPLAIN, "explain");
	put_key_hint(ui, c, &col, scope, BL_ACTION_MESSAGES, "messages");
	put_key_hint(ui, c, &col, scope, BL_ACTION_FOCUS_NEXT, "pane");
	if (ui->have_tree && ui->tree.len) {
		char pos[48];
		snprintf(pos, sizeof pos, " %zu/%zu ", ui->treev.cursor + 1, ui->tree.len);
		int pw = (int)strlen(pos);
		if (col + pw < c->w)
			bl_canvas_put(c, c->w - pw, y, pw, BL_ROLE_STATUS, pos);
	}
}

static void draw_title(struct bl_ui *ui, struct bl_canvas *c)
{
	bl_canvas_fill(c, 0, 0, c->w, BL_ROLE_TITLE);
	int col = bl_canvas_put(c, 0, 0, c->w, BL_ROLE_TITLE, " bakelens ");
	const char *what = ui->popup == POPUP_HELP ? "help" :
		ui->popup == POPUP_MESSAGES ? "messages" :
		ui->popup == POPUP_EXPLAIN ? "explain" : NULL;
	if (what) {
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, "- ");
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, what);
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, " ");
	}
	if (ui->popup == POPUP_EXPLAIN) {
		const struct bl_node *n = bl_ui_selected(ui);
		if (n && n->label) {
			char *l = bl_text_safe(n->label);
			col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, l);
			free(l);
		}
		return;
	}
	if (!what && ui->title)
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, ui->title);
	if (!what && ui->have_tree && ui->tree.filter) {
		char *f = bl_text_safe(ui->tree.filter);
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, "  [filter: ");
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, f);
		bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, "]");
		free(f);
	}
}

static void draw_menu(struct bl_ui *ui, struct bl_canvas *c)
{
	int mw = 26;
	int mh = (int)ui->menu_len + 2;
	int x = ui->tree_w + 2;
	if (x + mw > c->w)
		x = c->w > mw ? c->w - mw : 0;
	int y = 2;
	const bool a = ui->ascii;
	for (int r = 0; r < mh && y + r < c->h - 1; r++) {
		bl_canvas_fill(c, x, y + r, mw, BL_ROLE_MENU);
		if (r == 0 || r == mh - 1) {
			for (int k = 0; k < mw; k++)
				bl_canvas_put(c, x + k, y + r, 1, BL_ROLE_MENU, a ? "-" : "\u2500");
			if (r == 0)
				bl_canvas_put(c, x + 2, y, mw - 4, BL_ROLE_MENU, " copy ");
			continue;
		}
		size_t i = (size_t)r - 1;
		char key[2] = {ui->menu_keys[i], '\0'};
		bl_canvas_put(c, x + 2, y + r, 1, BL_ROLE_MENU_KEY, key);
		bl_canvas_put(c, x + 5, y + r, mw - 6, BL_ROLE_MENU, menu_label(ui->menu_keys[i]));
		if (i == ui->menu_cursor)
			bl_canvas_paint(c, x + 1, y + r, mw - 2, BL_ROLE_CURSOR);
	}
}

void bl_ui_render(struct bl_ui *ui, struct bl_canvas *c)
{
	ui->w = c->w;
	ui->h = c->h;
	bl_canvas_clear(c, BL_ROLE_DEFAULT);
	if (c->h < 3 || c->w < 10) {
		bl_canvas_put(c, 0, 0, c->w, BL_ROLE_DEFAULT, "too small");
		return;
	}
	int bh = body_h(ui);
	int tw = ui->w * ui->s->tree_width / 100;
	if (tw < 20)
		tw = ui->w / 2;
	if (ui->w - tw - 1 < 20)
		tw = ui->w / 2;
	ui->tree_w = tw;
	draw_title(ui, c);
	if (ui->popup != POPUP_NONE) {
		/* Rebuild when the width changed, so wrapping follows resizes. */
		if (ui->pop_width != ui->w) {
			ui->pop_width = ui->w;
			size_t top = ui->popv.top;
			build_popup(ui);
			ui->popv.top = top;
		}
		bl_view_draw(&ui->popv, c, 1, 1, ui->w - 2, bh, BL_ROLE_CURSOR);
	} else if (!ui->have_tree) {
		bl_canvas_put(c, 2, 2, c->w - 4, BL_ROLE_DEFAULT,
			ui->loading ? "Loading..." : "Nothing loaded.");
	} else {
		bl_view_draw(&ui->treev, c, 0, 1, tw, bh,
			ui->focus == FOCUS_TREE ? BL_ROLE_CURSOR : BL_ROLE_CURSOR_DIM);
		for (int r = 0; r < bh; r++)
			bl_canvas_put(c, tw, 1 + r, 1, BL_ROLE_BORDER, ui->ascii ? "|" : "\u2502");
		int dw = ui->w - tw - 2;
		const struct bl_node *n = bl_ui_selected(ui);
		if (n != ui->detail_node || dw != ui->detail_width) {
			if (n != ui->detail_node)
				ui->detailv.top = 0;
			ui->detail_node = n;
			ui->detail_width = dw;
			bl_detail_build(&ui->detail, n, dw);
		}
		bl_view_draw(&ui->detailv, c, tw + 2, 1, dw, bh, BL_ROLE_CURSOR);
		if (ui->menu_open)
			draw_menu(ui, c);
	}
	draw_status(ui, c);
}
