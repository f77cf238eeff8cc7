/* The explorer's state (ui.h): creation, the build shown, input (keys,
 * mouse, the search and filter prompt, the copy menu) and the dispatch of
 * actions, which returns what the front end must do. The compare session,
 * the background job, the popups and the drawing are in ui_compare.c,
 * ui_jobs.c, ui_popup.c and ui_draw.c (ui_internal.h). No terminal here:
 * input comes in as keys and actions, output goes into a canvas. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/clock.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "ui_internal.h"

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
	bl_vec_init(&ui->files, ui_files_free);
	bl_buf_init(&ui->preview);
	bl_doc_init(&ui->cmpdoc);
	bl_docview_init(&ui->cmpdocv, &ui->cmpdoc, BL_SCOPE_DETAIL);
	ui_refs_init(ui);
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
	ui_compare_close(ui);
	ui_verify_stop(ui);
	ui_refs_fini(ui);
	bl_vec_fini(&ui->ref_marks);
	ui_ft_fini(ui);
	bl_buf_fini(&ui->preview);
	free(ui->preview_title);
	free(ui->preview_note);
	ui_packages_free(ui);
	bl_vec_fini(&ui->files);
	bl_view_fini(&ui->cmpdocv);
	bl_doc_fini(&ui->cmpdoc);
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
	ui_ft_fini(ui);   /* its listings borrow the old build's nodes */
	ui_refs_fini(ui); /* so do the referrers being read */
	ui->build = b;
	ui->mark = NULL;
	ui->loading = false;
	free(ui->title);
	ui->title = bl_text_safe(title);
	ui->detail_node = NULL;
	if (!b)
		return;
	bl_tree_init(&ui->tree, b->root, ui->s->expand_depth);
	bl_treeview_init(&ui->treev, &ui->tree, &ui->ascii);
	bl_treeview_set_note(&ui->treev, ui_refs_note, ui);
	ui->have_tree = true;
}

void bl_ui_set_loading(struct bl_ui *ui, const struct bl_load_state *st)
{
	ui->loading = st != NULL;
	if (st) {
		ui->load = *st;
		if (!ui->loading_since)
			ui->loading_since = bl_clock_ms();
	} else {
		ui->loading_since = 0;
		ui->cancelling = false;
	}
}

void bl_ui_add_message(struct bl_ui *ui, const char *msg)
{
	bl_vec_push_take(&ui->messages, bl_text_safe(msg));
}

bool bl_ui_take_copy(struct bl_ui *ui, struct bl_copy_request *out)
{
	if (!ui->copy.text)
		return false;
	*out = ui->copy;
	ui->copy = (struct bl_copy_request){0};
	return true;
}

bool bl_ui_search(struct bl_ui *ui, const char *query)
{
	if (!ui->have_tree)
		return false;
	return bl_view_search(&ui->treev, query, 1) == BL_MOVED;
}

/* Put the cursor on a node the model chose, expanding what hides it. */
static bool select_node(struct bl_ui *ui, const struct bl_node *n)
{
	size_t row;
	if (!n || !bl_tree_reveal(&ui->tree, n, &row))
		return false;
	ui->treev.cursor = row;
	bl_view_clamp(&ui->treev);
	return true;
}

bool bl_ui_select_target(struct bl_ui *ui, const char *name)
{
	if (!ui->have_tree || !ui->build)
		return false;
	return select_node(ui, bl_build_find_target(ui->build, name, NULL));
}

bool bl_ui_select_platform(struct bl_ui *ui, const char *platform)
{
	if (!ui->have_tree || !ui->build)
		return false;
	/* Within the selected target when one is selected, else the first
	 * target that has that platform: the rule --platform follows. */
	const struct bl_node *sel = bl_ui_selected(ui);
	if (sel && sel->kind == BL_NODE_TARGET)
		return select_node(ui, bl_node_find_platform(sel, platform, NULL));
	const struct bl_node *root = ui->build->root;
	for (size_t i = 0; root && i < bl_node_count(root); i++) {
		const struct bl_node *t = bl_node_child(root, i);
		if (t->kind != BL_NODE_TARGET)
			continue;
		const struct bl_node *m = bl_node_find_platform(t, platform, NULL);
		if (m)
			return select_node(ui, m);
	}
	return false;
}

/* BL_UI_COPY with the text pending, or 0 and a status saying why not. */
static unsigned request_copy(struct bl_ui *ui, char entry)
{
	const struct bl_node *n = bl_ui_selected(ui);
	const char *what = "";
	char *text = bl_copytext_make_in(ui->build, n, entry, &what);
	if (!text) {
		bl_ui_status(ui, true, "Nothing to copy: this node has no %s", what);
		return 0;
	}
	bl_copy_request_fini(&ui->copy);
	ui->copy.text = text;
	ui->copy.what = bl_strdup(what);
	return BL_UI_COPY;
}

static void open_menu(struct bl_ui *ui)
{
	const struct bl_node *n = bl_ui_selected(ui);
	ui->menu_len = 0;
	for (size_t i = 0; i < BL_COPYTEXT_COUNT; i++) {
		const char *what;
		char *t = bl_copytext_make_in(ui->build, n, bl_copytext_menu[i].key, &what);
		if (t)
			ui->menu_keys[ui->menu_len++] = bl_copytext_menu[i].key;
		free(t);
	}
	if (ui->menu_len == 0) {
		bl_ui_status(ui, true, "Nothing to copy for this node");
		return;
	}
	ui->menu_open = true;
	ui->menu_cursor = 0;
}

static void start_prompt(struct bl_ui *ui, enum prompt p)
{
	ui->prompt = p;
	bl_buf_clear(&ui->input);
	bl_buf_puts(&ui->input, "");
	free(ui->saved_filter);
	ui->saved_filter = NULL;
	if (p == PROMPT_FILTER && ui->popup == POPUP_PACKAGES) {
		if (ui->pkg_filter) {
			ui->saved_filter = bl_strdup(ui->pkg_filter);
			bl_buf_puts(&ui->input, ui->pkg_filter);
		}
	} else if (p == PROMPT_FILTER && ui->files_open) {
		const char *g = bl_fileview_glob(ui->fv);
		ui->saved_filter = g ? bl_strdup(g) : NULL;
		bl_buf_puts(&ui->input, g ? g : "");
	} else if (p == PROMPT_FILTER && ui->tree.filter) {
		ui->saved_filter = bl_strdup(ui->tree.filter);
		bl_buf_puts(&ui->input, ui->tree.filter);
	}
}

static void apply_filter(struct bl_ui *ui, const char *text)
{
	if (ui->popup == POPUP_PACKAGES) {
		ui_packages_set_filter(ui, text);
		ui->popv.top = 0;
		ui_popup_build(ui);
		return;
	}
	if (ui->files_open) {
		ui_ft_glob(ui, text);
		return;
	}
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

/* Back (Esc): close what is on top, else stop what runs, else step out of
 * the compare view, the filter, the detail pane. */
static unsigned back(struct bl_ui *ui)
{
	if (ui->menu_open) {
		ui->menu_open = false;
	} else if (ui->popup != POPUP_NONE) {
		ui->popup = POPUP_NONE;
	} else if (ui->loading) {
		ui->cancelling = true;
		return BL_UI_CANCEL;
	} else if (ui->verify) {
		bl_verify_cancel(ui->verify);
	} else if (ui->job) {
		bl_filediff_cancel(ui->job);
	} else if (ui_refs_cancel(ui)) {
		/* the read stops at its next progress report */
	} else if (ui_ft_cancel(ui)) {
		/* the listing stops at its next progress report */
	} else if (ui_ft_close(ui)) {
		/* back to the tree, or to the waste panel the file tree came from */
	} else if (ui->cmp_open && ui->cmp_focus_detail) {
		ui->cmp_focus_detail = false;
	} else if (ui->cmp_open && ui->cmp_only) {
		return BL_UI_QUIT;
	} else if (ui->cmp_open) {
		ui_compare_close(ui);
	} else if (ui->have_tree && ui->tree.filter) {
		apply_filter(ui, NULL);
	} else if (ui->focus == FOCUS_DETAIL) {
		ui->focus = FOCUS_TREE;
	}
	return 0;
}

/* An SBOM statement that loading left unread is read (verified, parsed)
 * when the cursor lands on it, for the detail pane's facts and document;
 * not while a job reads the stores. */
static void read_statement(struct bl_ui *ui)
{
	struct bl_node *n = ui->have_tree ? bl_treeview_node(&ui->treev) : NULL;
	if (!n || !n->doc_deferred || ui->verify || ui->job || ui->refs || ui->ijob || ui->ftb ||
	        ui->pvr)
		return;
	struct bl_error err = {0};
	if (!bl_node_load_doc(n, &err))
		bl_ui_status(ui, true, "Statement: %s", err.msg);
	ui->detail_node = NULL; /* the detail pane is made again */
}

unsigned bl_ui_do(struct bl_ui *ui, enum bl_action a)
{
	enum bl_scope scope;
	struct bl_view *v = ui_current_view(ui, &scope);
	switch (a) {
	case BL_ACTION_NONE:
	case BL_ACTION_COUNT:
		return 0;
	case BL_ACTION_QUIT:
		return BL_UI_QUIT;
	case BL_ACTION_HELP:
		ui->menu_open = false;
		ui_popup_open(ui, POPUP_HELP);
		return 0;
	case BL_ACTION_MESSAGES:
		ui->menu_open = false;
		ui_popup_open(ui, POPUP_MESSAGES);
		return 0;
	case BL_ACTION_EXPLAIN:
		ui->menu_open = false;
		ui_popup_open(ui, POPUP_EXPLAIN);
		return 0;
	case BL_ACTION_VERIFY:
		ui->menu_open = false;
		if (!ui->cmp_open)
			ui_verify_start(ui);
		return 0;
	case BL_ACTION_FOCUS_NEXT:
		if (ui->popup == POPUP_NONE && !ui->menu_open && ui->cmp_open)
			ui->cmp_focus_detail = !ui->cmp_focus_detail;
		else if (ui->popup == POPUP_NONE && !ui->menu_open && ui->have_tree)
			ui->focus = ui->focus == FOCUS_TREE ? FOCUS_DETAIL : FOCUS_TREE;
		return 0;
	case BL_ACTION_BACK:
		return back(ui);
	case BL_ACTION_REDRAW:
		return BL_UI_REDRAW;
	case BL_ACTION_COPY_DIGEST:
		ui->menu_open = false;
		return request_copy(ui, 'd');
	case BL_ACTION_COPY_REF:
		ui->menu_open = false;
		return request_copy(ui, 'r');
	case BL_ACTION_COPY_MENU:
		if (ui->menu_open)
			ui->menu_open = false;
		else
			open_menu(ui);
		return 0;
	case BL_ACTION_SELECT:
		if (!ui->menu_open)
			return 0;
		ui->menu_open = false;
		return request_copy(ui, ui->menu_keys[ui->menu_cursor]);
	case BL_ACTION_SEARCH:
		if (!ui->menu_open)
			start_prompt(ui, PROMPT_SEARCH);
		return 0;
	case BL_ACTION_FILTER:
		if (scope == BL_SCOPE_TREE || scope == BL_SCOPE_FILES ||
		        ui->popup == POPUP_PACKAGES)
			start_prompt(ui, PROMPT_FILTER);
		return 0;
	case BL_ACTION_PACKAGES:
		if (scope == BL_SCOPE_TREE && ui_packages_load(ui)) {
			ui->popup = POPUP_NONE;
			ui_popup_open(ui, POPUP_PACKAGES);
		}
		return 0;
	case BL_ACTION_MARK:
		if (scope == BL_SCOPE_TREE)
			ui_compare_mark(ui);
		return 0;
	case BL_ACTION_COMPARE:
		if (scope == BL_SCOPE_TREE)
			ui_compare_with_mark(ui);
		return 0;
	case BL_ACTION_FILE_DIFF:
		if (ui->cmp_open && !ui->menu_open && ui->popup == POPUP_NONE)
			ui_job_file_diff(ui);
		return 0;
	case BL_ACTION_FILES:
		if (scope == BL_SCOPE_TREE)
			ui_ft_open_files(ui);
		return 0;
	case BL_ACTION_WASTE:
		if (scope == BL_SCOPE_TREE)
			ui_ft_open_waste(ui);
		return 0;
	case BL_ACTION_IGNORE_TIMESTAMPS:
		if (!ui->cmp_open || ui->menu_open || ui->popup != POPUP_NONE)
			return 0;
		bl_ui_set_ignore_timestamps(ui, !ui->ignore_timestamps);
		bl_ui_status(ui, false,
		        ui->ignore_timestamps
		                ? "Timestamps ignored: created, history[].created, the created "
		                  "annotation and file mtimes do not count"
		                : "Timestamps count again");
		return 0;
	case BL_ACTION_FIND_NEXT:
	case BL_ACTION_FIND_PREV:
		/* n/N walk the differences until a search is made. */
		if (scope == BL_SCOPE_COMPARE && !(v && v->query && *v->query))
			a = a == BL_ACTION_FIND_NEXT ? BL_ACTION_NEXT_DIFF : BL_ACTION_PREV_DIFF;
		break;
	default:
		break;
	}
	if (ui_ft_do(ui, a))
		return 0;
	if (ui->menu_open) {
		if (a == BL_ACTION_MOVE_UP && ui->menu_cursor > 0)
			ui->menu_cursor--;
		else if (a == BL_ACTION_MOVE_DOWN && ui->menu_cursor + 1 < ui->menu_len)
			ui->menu_cursor++;
		return 0;
	}
	if (!v)
		return 0;
	if (scope == BL_SCOPE_TREE &&
	        (a == BL_ACTION_EXPAND || a == BL_ACTION_TOGGLE || a == BL_ACTION_EXPAND_ALL))
		ui_refs_expand(ui, a);
	enum bl_view_result r = bl_view_do(v, a);
	if (scope == BL_SCOPE_TREE)
		read_statement(ui);
	if (r == BL_NOT_FOUND && (a == BL_ACTION_NEXT_DIFF || a == BL_ACTION_PREV_DIFF))
		bl_ui_status(ui, false, "No %s difference",
		        a == BL_ACTION_NEXT_DIFF ? "next" : "previous");
	else if (r == BL_NOT_FOUND)
		bl_ui_status(ui, true, "No match for '%s'", v->query ? v->query : "");
	return 0;
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
			struct bl_view *v = ui_current_view(ui, &scope);
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
	} else if (key >= 0x20 && key < BL_KEY_BASE && key != 0x7f &&
	           !(key >= 0x80 && key < 0xa0)) {
		char u[4];
		if (ui->input.len < 200)
			bl_buf_append(&ui->input, u, bl_utf8_encode((uint32_t)key, u));
	} else {
		return;
	}
	if (p == PROMPT_FILTER)
		apply_filter(ui, bl_buf_str(&ui->input));
}

unsigned bl_ui_key(struct bl_ui *ui, int key)
{
	key = bl_key_normalize(key);
	free(ui->status);
	ui->status = NULL;
	if (ui->prompt != PROMPT_NONE) {
		prompt_key(ui, key);
		read_statement(ui); /* a search moves the cursor */
		return 0;
	}
	if (ui->menu_open && key > 0x20 && key < 0x7f) {
		for (size_t i = 0; i < ui->menu_len; i++) {
			if (ui->menu_keys[i] == key) {
				ui->menu_open = false;
				return request_copy(ui, (char)key);
			}
		}
	}
	enum bl_scope scope;
	ui_current_view(ui, &scope);
	enum bl_action a = bl_keymap_lookup(ui->km, scope, key);
	if (a == BL_ACTION_NONE) {
		char name[16];
		bl_key_name(key, name, sizeof name);
		char help[16];
		bl_keymap_first_key(ui->km, BL_SCOPE_GLOBAL, BL_ACTION_HELP, help, sizeof help);
		bl_ui_status(ui, false, "%s: no action here (%s shows the keys)", name, help);
		return 0;
	}
	return bl_ui_do(ui, a);
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
	if (ui->files_open || ui->waste_open) {
		struct bl_view *v = ui->files_open ? &ui->filesv : &ui->wastev;
		if (b != BL_MOUSE_CLICK) {
			bl_view_scroll(v, step);
			return;
		}
		size_t row = v->top + (size_t)(y - 2);
		if (y >= 2 && row < v->ops->lines(v))
			v->cursor = row;
		bl_view_clamp(v);
		return;
	}
	if (ui->cmp_open) {
		bool in_rows = y >= ui->cmp_rows_y && y < ui->cmp_rows_y + ui->cmp_rows_h;
		ui->cmp_focus_detail = !in_rows;
		struct bl_view *v = in_rows ? &ui->cmpv : &ui->cmpdocv;
		if (b != BL_MOUSE_CLICK) {
			bl_view_scroll(v, step);
			return;
		}
		if (!in_rows)
			return;
		size_t row = ui->cmpv.top + (size_t)(y - ui->cmp_rows_y);
		if (row >= bl_cmpview_len(&ui->cmpv))
			return;
		if (row == ui->cmpv.cursor)
			bl_view_do(&ui->cmpv, BL_ACTION_TOGGLE);
		else
			ui->cmpv.cursor = row;
		bl_view_clamp(&ui->cmpv);
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
		read_statement(ui);
	} else {
		ui->focus = FOCUS_DETAIL;
		if (b != BL_MOUSE_CLICK)
			bl_view_scroll(&ui->detailv, step);
	}
}
