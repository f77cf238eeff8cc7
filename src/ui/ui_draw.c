/* Rendering the explorer into a canvas: the title, the layout of the tree
 * and detail panes or the compare view, the popup on top, and the status
 * bar with its key hints (ui_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/clock.h"
#include "bakelens/text.h"
#include "ui_internal.h"

static int body_h(const struct bl_ui *ui)
{
	return ui->h > 2 ? ui->h - 2 : 1;
}

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

/* A background job's progress at the start of status line y: " WHO: what
 * done / total ". Returns the columns used. */
static int put_progress(struct bl_canvas *c, int y, const char *who, const struct bl_load_state *st)
{
	char line[256];
	char done[32], total[32];
	bl_text_size((int64_t)st->done_bytes, done, sizeof done);
	bl_text_size((int64_t)st->total, total, sizeof total);
	if (st->total)
		snprintf(line, sizeof line, " %s: %s %s / %s ", who, st->what, done, total);
	else if (st->done_bytes)
		snprintf(line, sizeof line, " %s: %s %s ", who, st->what, done);
	else
		snprintf(line, sizeof line, " %s: %s ", who, st->what);
	return bl_canvas_put(c, 0, y, c->w, BL_ROLE_PROGRESS, line);
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
		bl_canvas_put(c, 1, y, c->w - 1,
		        ui->status_error ? BL_ROLE_STATUS_ERROR : BL_ROLE_STATUS_INFO, ui->status);
		return;
	}
	if (ui->loading) {
		char line[256];
		char done[32], total[32];
		bl_text_size((int64_t)ui->load.done_bytes, done, sizeof done);
		bl_text_size((int64_t)ui->load.total, total, sizeof total);
		/* Seconds so far: the screen moves even while one long read
		 * reports nothing. */
		char secs[32] = "";
		long long ms = ui->loading_since ? bl_clock_ms() - ui->loading_since : 0;
		if (ms >= 2000)
			snprintf(secs, sizeof secs, " (%llds)", ms / 1000);
		const char *verb = ui->cancelling ? "Cancelling" : "Loading";
		if (ui->load.total)
			snprintf(line, sizeof line, " %s: %s %s / %s%s ", verb, ui->load.what, done,
			        total, secs);
		else if (ui->load.done_bytes)
			snprintf(line, sizeof line, " %s: %s %s%s ", verb, ui->load.what, done,
			        secs);
		else
			snprintf(line, sizeof line, " %s: %s%s ", verb, ui->load.what, secs);
		col += bl_canvas_put(c, 0, y, c->w, BL_ROLE_PROGRESS, line);
		if (!ui->cancelling)
			put_key_hint(ui, c, &col, BL_SCOPE_GLOBAL, BL_ACTION_BACK, "cancel");
		put_key_hint(ui, c, &col, BL_SCOPE_GLOBAL, BL_ACTION_QUIT, "quit");
		return;
	}
	if (ui->verify) {
		const struct bl_load_state *st = &ui->verify_state;
		char line[256];
		char done[32], total[32];
		bl_text_size((int64_t)st->done_bytes, done, sizeof done);
		bl_text_size((int64_t)st->total, total, sizeof total);
		snprintf(line, sizeof line, " Verifying: %s %s / %s ", st->what, done, total);
		col += bl_canvas_put(c, 0, y, c->w, BL_ROLE_PROGRESS, line);
		put_key_hint(ui, c, &col, BL_SCOPE_GLOBAL, BL_ACTION_BACK, "cancel");
		return;
	}
	if (ui->refs) {
		col += put_progress(c, y, "Referrers", &ui->refs_state);
		put_key_hint(ui, c, &col, BL_SCOPE_GLOBAL, BL_ACTION_BACK, "cancel");
		return;
	}
	if (ui->ijob || ui->ftb || ui->pvr || ui->job) {
		/* The file tree's listing or build, or a file diff. */
		const struct bl_load_state *st =
		        ui->ijob || ui->ftb || ui->pvr ? &ui->ijob_state : &ui->job_state;
		col += put_progress(c, y, "Files", st);
		put_key_hint(ui, c, &col, BL_SCOPE_GLOBAL, BL_ACTION_BACK, "cancel");
		return;
	}
	enum bl_scope scope;
	ui_current_view(ui, &scope);
	if (ui->cmp_open && scope != BL_SCOPE_MENU && scope != BL_SCOPE_PAGER) {
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_BACK,
		        ui->cmp_only ? "quit" : "close");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_NEXT_DIFF, "next");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_PREV_DIFF, "prev");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_TOGGLE, "open");
		const struct bl_cmp_node *n = bl_cmpview_node(&ui->cmpv);
		if (n && n->kind == BL_NODE_LAYER && n->left && n->right)
			put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_FILE_DIFF, "files");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_FOCUS_NEXT, "pane");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_COPY_DIGEST, "copy");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_HELP, "help");
		put_key_hint(
		        ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_IGNORE_TIMESTAMPS, "timestamps");
		return;
	}
	if (scope == BL_SCOPE_MENU) {
		put_key_hint(ui, c, &col, scope, BL_ACTION_SELECT, "copy");
		put_key_hint(ui, c, &col, scope, BL_ACTION_BACK, "close");
		return;
	}
	if (scope == BL_SCOPE_FILES) {
		put_key_hint(ui, c, &col, scope, BL_ACTION_BACK, "close");
		put_key_hint(ui, c, &col, scope, BL_ACTION_OPEN_FILE, "open");
		put_key_hint(ui, c, &col, scope, BL_ACTION_MERGED,
		        bl_fileview_merged(ui->fv) ? "changes" : "image");
		put_key_hint(ui, c, &col, scope, BL_ACTION_LAYER_BELOW, "below");
		put_key_hint(ui, c, &col, scope, BL_ACTION_LAYER_ABOVE, "above");
		put_key_hint(ui, c, &col, scope, BL_ACTION_CHANGES_ONLY, "changed");
		put_key_hint(ui, c, &col, scope, BL_ACTION_FILTER, "filter");
		put_key_hint(ui, c, &col, scope, BL_ACTION_SEARCH, "search");
		put_key_hint(ui, c, &col, scope, BL_ACTION_HELP, "help");
		return;
	}
	if (scope == BL_SCOPE_WASTE) {
		put_key_hint(ui, c, &col, scope, BL_ACTION_BACK, "close");
		put_key_hint(ui, c, &col, scope, BL_ACTION_GO_TO_FILE, "go to file");
		put_key_hint(ui, c, &col, scope, BL_ACTION_SEARCH, "search");
		put_key_hint(ui, c, &col, scope, BL_ACTION_HELP, "help");
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
	put_key_hint(ui, c, &col, scope, BL_ACTION_COPY_MENU, ui->ascii ? "copy..." : "copy\u2026");
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
	const char *what = ui->popup == POPUP_HELP       ? "help"
	                   : ui->popup == POPUP_MESSAGES ? "messages"
	                   : ui->popup == POPUP_EXPLAIN  ? "explain"
	                   : ui->popup == POPUP_PREVIEW  ? "file"
	                   : ui->files_open              ? "files"
	                   : ui->waste_open              ? "waste"
	                   : ui->popup == POPUP_PACKAGES ? "packages"
	                                                 : NULL;
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
	if (ui->popup == POPUP_NONE && ui->files_open && ui->fv_title) {
		bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, ui->fv_title);
		return;
	}
	if (!what && ui->cmp_open) {
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, "- compare ");
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, ui->cmp_left);
		col += bl_canvas_put(
		        c, col, 0, c->w - col, BL_ROLE_TITLE, ui->ascii ? " <> " : " \u21c4 ");
		bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, ui->cmp_right);
		/* Said on the right, where a long name cannot push it out. */
		if (ui->ignore_timestamps) {
			static const char note[] = " [timestamps ignored] ";
			int nw = (int)sizeof note - 1;
			if (c->w - nw > 20)
				bl_canvas_put(c, c->w - nw, 0, nw, BL_ROLE_TITLE, note);
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

static void draw_compare(struct bl_ui *ui, struct bl_canvas *c, int bh)
{
	/* Rows take up to 3/5 of the body, less when there are fewer (the
	 * detail area gets the rest); one line is the column headings. */
	int rows_h = bh * 3 / 5;
	size_t want = bl_cmpview_len(&ui->cmpv) + 1;
	if ((size_t)rows_h > want)
		rows_h = (int)want;
	if (rows_h < 3)
		rows_h = bh > 3 ? 3 : bh;
	int w = c->w;
	/* Headings over the two columns, as the rows split them. */
	int rest = w - 2, lw = (rest - 3) / 2;
	bl_canvas_fill(c, 0, 1, w, BL_ROLE_DEFAULT);
	bl_canvas_put(c, 2, 1, lw, BL_ROLE_HEADING, ui->cmp_left);
	bl_canvas_put(c, 2 + lw, 1, 3, BL_ROLE_BORDER, ui->ascii ? " | " : " \u2502 ");
	bl_canvas_put(c, 2 + lw + 3, 1, rest - 3 - lw, BL_ROLE_HEADING, ui->cmp_right);
	ui->cmp_rows_y = 2;
	ui->cmp_rows_h = rows_h - 1;
	bl_view_draw(&ui->cmpv, c, 0, 2, w, rows_h - 1,
	        ui->cmp_focus_detail ? BL_ROLE_CURSOR_DIM : BL_ROLE_CURSOR);
	int ry = 1 + rows_h;
	if (ry >= c->h - 1)
		return;
	for (int x = 0; x < w; x++)
		bl_canvas_put(c, x, ry, 1, BL_ROLE_BORDER, ui->ascii ? "-" : "\u2500");
	const struct bl_cmp_node *n = bl_cmpview_node(&ui->cmpv);
	char pos[64];
	size_t ndiff = 0, at = 0;
	for (const struct bl_cmp_node *d = bl_cmp_next_difference(ui->cmp_root, NULL, 1); d;
	        d = bl_cmp_next_difference(ui->cmp_root, d, 1)) {
		ndiff++;
		if (d == n)
			at = ndiff;
	}
	if (at)
		snprintf(pos, sizeof pos, " difference %zu of %zu ", at, ndiff);
	else
		snprintf(pos, sizeof pos, " %zu difference%s ", ndiff, ndiff == 1 ? "" : "s");
	bl_canvas_put(c, 2, ry, w - 2, BL_ROLE_BORDER, pos);
	int dh = bh - rows_h - 1;
	if (dh < 1)
		return;
	int dw = w - 2;
	if (n != ui->cmpdoc_node || dw != ui->cmpdoc_width || ui->cmpdoc_dirty) {
		if (n != ui->cmpdoc_node)
			ui->cmpdocv.top = 0;
		ui->cmpdoc_node = n;
		ui->cmpdoc_width = dw;
		ui->cmpdoc_dirty = false;
		const struct files *f = ui_files_for(ui, n);
		bl_cmp_detail_build(&ui->cmpdoc, n, ui->cmp ? &ui->cmp->platforms : NULL,
		        f ? f->result : NULL, f ? f->error : NULL, dw);
	}
	bl_view_draw(&ui->cmpdocv, c, 1, ry + 1, dw, dh, BL_ROLE_CURSOR);
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
			ui_popup_build(ui);
			ui->popv.top = top;
		}
		bl_view_draw(&ui->popv, c, 1, 1, ui->w - 2, bh, BL_ROLE_CURSOR);
	} else if (ui->files_open || ui->waste_open) {
		ui_ft_draw(ui, c, bh);
	} else if (ui->cmp_open) {
		draw_compare(ui, c, bh);
		if (ui->menu_open)
			ui_menu_draw(ui, c);
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
			ui_menu_draw(ui, c);
	}
	draw_status(ui, c);
}
