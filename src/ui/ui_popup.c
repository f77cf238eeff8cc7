/* The popups over the body: help (the keys as bound), messages (build
 * warnings, load and settings messages), explain (the teaching text of the
 * selected node), the preview of a file of the file tree and the packages
 * list (ui_packages.c); and the copy menu (ui_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/explain.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "ui_internal.h"

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
			bl_doc_wrap(
			        d, BL_ROLE_DEFAULT, bl_action_help((enum bl_action)a), width, 40);
		}
	}
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_HEADING, "copy menu");
	for (size_t i = 0; i < BL_COPYTEXT_COUNT; i++) {
		bl_doc_newline(d);
		char line[64];
		const struct bl_copytext_entry *e = &bl_copytext_menu[i];
		snprintf(line, sizeof line, "  %c  %s", e->key, e->label);
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
				char *loc = w->line > 0 ? bl_asprintf("%s:%d", f, w->line)
				                        : bl_strdup(f);
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
					char *part =
					        bl_strndup(p, nl ? (size_t)(nl - p) : strlen(p));
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

/* A preview's content: text unless it has a NUL byte or much invalid
 * UTF-8 (a cut at the end of the part read does not count). */
static bool looks_binary(const char *p, size_t len)
{
	size_t bad = 0;
	for (size_t i = 0; i < len;) {
		uint32_t cp;
		size_t n = bl_utf8_decode(p + i, len - i, &cp);
		if (n == 0) {
			if (len - i < 4)
				break;
			bad++;
			n = 1;
		} else if (cp == 0) {
			return true;
		}
		i += n;
	}
	return bad * 20 > len;
}

static void preview_text(struct bl_doc *d, const char *p, size_t len, int width)
{
	struct bl_buf line;
	bl_buf_init(&line);
	for (size_t i = 0; i <= len;) {
		size_t e = i;
		while (e < len && p[e] != '\n')
			e++;
		/* Tabs as spaces; every other control escaped (\e, \r, \xNN). */
		bl_buf_clear(&line);
		for (size_t k = i; k < e;) {
			if (p[k] == '\t') {
				bl_buf_puts(&line, "    ");
				k++;
				continue;
			}
			size_t run = k;
			while (run < e && p[run] != '\t')
				run++;
			bl_text_escape(&line, p + k, run - k);
			k = run;
		}
		bl_doc_newline(d);
		bl_doc_wrap(d, BL_ROLE_DEFAULT, bl_buf_str(&line), width, 0);
		if (e >= len)
			break;
		i = e + 1;
	}
	bl_buf_fini(&line);
}

static void preview_hex(struct bl_doc *d, const unsigned char *p, size_t len)
{
	char line[96];
	for (size_t off = 0; off < len; off += 16) {
		int n = snprintf(line, sizeof line, "%08zx ", off);
		for (size_t k = 0; k < 16; k++) {
			if (off + k < len)
				n += snprintf(
				        line + n, sizeof line - (size_t)n, " %02x", p[off + k]);
			else
				n += snprintf(line + n, sizeof line - (size_t)n, "   ");
		}
		n += snprintf(line + n, sizeof line - (size_t)n, "  |");
		for (size_t k = 0; k < 16 && off + k < len; k++)
			line[n++] =
			        p[off + k] >= 0x20 && p[off + k] < 0x7f ? (char)p[off + k] : '.';
		line[n++] = '|';
		line[n] = '\0';
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_DEFAULT, line);
	}
}

/* Enter on a file in the file tree: what it is (ui_filetree.c wrote it),
 * then its first bytes as text or as a hex dump. */
static void build_preview(struct bl_ui *ui, int width)
{
	struct bl_doc *d = &ui->popdoc;
	bl_doc_add(d, BL_ROLE_HEADING, ui->preview_title ? ui->preview_title : "");
	const char *p = ui->preview_note ? ui->preview_note : "";
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *l = bl_strndup(p, len);
		bl_doc_newline(d);
		bl_doc_wrap(d, BL_ROLE_GUIDE, l, width, 2);
		free(l);
		p += len + (nl ? 1 : 0);
	}
	if (!ui->preview_bytes)
		return;
	const char *b = ui->preview.data ? ui->preview.data : "";
	size_t len = ui->preview.len;
	bool bin = looks_binary(b, len);
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_HEADING, bin ? "Binary: a hex dump" : "Text (controls escaped)");
	if (bin)
		preview_hex(d, (const unsigned char *)b, len);
	else
		preview_text(d, b, len, width);
}

/* The node's own values (explain_node.c's lines: "# " heading, "$ "
 * command, empty, paragraph), then the fixed texts of its kind. */
static void build_explain(struct bl_ui *ui, int width)
{
	struct bl_doc *d = &ui->popdoc;
	const struct bl_node *n = bl_ui_selected(ui);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_explain_values(ui->build, n, &b);
	const char *p = bl_buf_str(&b);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char *l = bl_strndup(p, len);
		/* Already escaped by explain_node.c; escaping again is harmless. */
		char *safe = bl_text_safe(l);
		if (d->len)
			bl_doc_newline(d);
		if (!strncmp(safe, "# ", 2))
			bl_doc_add_raw(d, BL_ROLE_HEADING, safe + 2);
		else if (!strncmp(safe, "$ ", 2))
			bl_doc_wrap(d, BL_ROLE_DIGEST, safe, width, 2);
		else if (*safe)
			bl_doc_wrap(d, BL_ROLE_DEFAULT, safe, width, 2);
		free(safe);
		free(l);
		p += len + (nl ? 1 : 0);
	}
	if (d->len)
		bl_doc_newline(d);
	bl_buf_clear(&b);
	bl_explain_node(n, &b);
	bl_doc_markdown(d, b.len ? b.data : "Nothing selected.", width);
	bl_buf_fini(&b);
}

/* The last verify's checks, one a line with its mark. */
static void build_verify(struct bl_ui *ui, int width)
{
	struct bl_doc *d = &ui->popdoc;
	const struct bl_verify_report *r = &ui->vreport;
	char *head = bl_asprintf("Verify %s: %s", r->title ? r->title : "",
	        r->failed ? "a check fails" : "every check passes");
	bl_doc_add_raw(d, BL_ROLE_HEADING, head);
	free(head);
	for (size_t i = 0; i < r->checks.len; i++) {
		const struct bl_check *c = r->checks.items[i];
		bl_doc_newline(d);
		const char *mark = c->state == BL_CHECK_OK     ? (ui->ascii ? "ok  " : "\u2713 ")
		                   : c->state == BL_CHECK_FAIL ? (ui->ascii ? "FAIL " : "\u2717 ")
		                                               : "  ";
		enum bl_role role =
		        c->state == BL_CHECK_FAIL ? BL_ROLE_MARK_MISMATCH : BL_ROLE_DEFAULT;
		char *line = bl_asprintf("%s%s", mark, c->text);
		bl_doc_wrap(d, role, line, width, 2);
		free(line);
	}
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_wrap(d, BL_ROLE_GUIDE,
	        "Recomputed from the bytes in the source just now; e explains each value and "
	        "the commands that check it by hand.",
	        width, 0);
}

void ui_popup_build(struct bl_ui *ui)
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
	case POPUP_EXPLAIN:
		build_explain(ui, width);
		break;
	case POPUP_VERIFY:
		build_verify(ui, width);
		break;
	case POPUP_PREVIEW:
		build_preview(ui, width);
		break;
	case POPUP_PACKAGES:
		ui_packages_doc(ui, width);
		break;
	case POPUP_NONE:
		break;
	}
}

void ui_popup_open(struct bl_ui *ui, enum popup p)
{
	if (ui->popup == p) {
		ui->popup = POPUP_NONE;
		return;
	}
	ui->popup = p;
	ui->popv.top = 0;
	ui->pop_width = ui->w;
	ui_popup_build(ui);
}

void ui_menu_draw(struct bl_ui *ui, struct bl_canvas *c)
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
		bl_canvas_put(
		        c, x + 5, y + r, mw - 6, BL_ROLE_MENU, bl_copytext_label(ui->menu_keys[i]));
		if (i == ui->menu_cursor)
			bl_canvas_paint(c, x + 1, y + r, mw - 2, BL_ROLE_CURSOR);
	}
}

/* The compare view: column headings, the rows, a rule, the detail area. */
