/* The HTML report (--format html): one self-contained page. No script, no
 * external asset (no URL at all in what bakelens writes), inline CSS with a
 * light and a dark palette (prefers-color-scheme); the tree and the
 * differences fold with <details>; full digests in <code> elements that a
 * click selects whole (user-select: all) for copying.
 *
 * Every string from an image goes through bl_text_escape_html. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/compare.h"
#include "bakelens/text.h"
#include "bakelens/tree.h"
#include "cli_internal.h"

static const char style[] =
        ":root{--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--add:#1a7f37;"
        "--del:#cf222e;--chg:#9a6700;--code:#eff2f5}\n"
        "@media (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;"
        "--muted:#9198a1;--line:#3d444d;--add:#3fb950;--del:#f85149;--chg:#d29922;"
        "--code:#1f2630}}\n"
        "body{background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,sans-serif;"
        "margin:2em auto;max-width:1200px;padding:0 1em}\n"
        "h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}\n"
        ".summary{font-weight:600;border-left:4px solid var(--chg);padding:.3em .8em}\n"
        ".summary.same{border-color:var(--add)}\n"
        "table{border-collapse:collapse;margin:1em 0}\n"
        "th,td{border:1px solid var(--line);padding:.3em .6em;text-align:left;"
        "vertical-align:top}\n"
        "code{font:13px ui-monospace,monospace;background:var(--code);padding:0 .2em;"
        "user-select:all;word-break:break-all}\n"
        "details{margin:.15em 0}summary{cursor:pointer}\n"
        "ul{list-style:none;padding-left:1.4em;margin:0}\n"
        ".add{color:var(--add)}.del{color:var(--del)}.chg{color:var(--chg)}"
        ".same{color:var(--muted)}\n"
        "dl{display:grid;grid-template-columns:max-content auto;gap:0 1em;"
        "margin:.2em 0 .4em 1.4em;font-size:.92em}\n"
        "dt{color:var(--muted)}dd{margin:0;word-break:break-all}\n";

static void esc(struct bl_buf *out, const char *s)
{
	if (s)
		bl_text_escape_html(out, s, strlen(s));
}

static void page_start(struct bl_buf *out, const char *title)
{
	bl_buf_puts(out,
	        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	        "<meta name=\"color-scheme\" content=\"light dark\">\n<title>");
	esc(out, title);
	bl_buf_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>", style);
	esc(out, title);
	bl_buf_puts(out, "</h1>\n");
}

static void page_end(struct bl_buf *out)
{
	bl_buf_puts(out, "</body>\n</html>\n");
}

static void full_digest(struct bl_buf *out, const struct bl_digest *d)
{
	if (d && bl_digest_is_set(d)) {
		bl_buf_puts(out, "<code>");
		esc(out, d->str);
		bl_buf_puts(out, "</code>");
	} else {
		bl_buf_puts(out, "none");
	}
}

static void headline(struct bl_buf *out, const char *text, bool same)
{
	bl_buf_printf(out, "<p class=\"summary%s\" id=\"summary\">", same ? " same" : "");
	esc(out, text);
	bl_buf_puts(out, "</p>\n");
}

static const struct cli_report_form form = {"<h2>", "</h2>\n", "<table>\n", "</table>\n",
        "<tr><th>", "</th>", "<th>", "</th>", "<td>", "</td>", "</tr>\n", "", esc};

/* ---- diff ---- */

static const char *sign_class(const char *sign)
{
	switch (sign[0]) {
	case '+':
		return "add";
	case '-':
		return "del";
	case '=':
		return "same";
	default:
		return "chg";
	}
}

static void diff_cell(struct bl_buf *out, const struct bl_cmp_platform *p)
{
	bool same = p->node->cls == BL_CMP_IDENTICAL;
	char *d = bl_cmp_node_describe(p->node);
	bl_buf_printf(out, "<span class=\"%s\">", same ? "same" : "chg");
	esc(out, d);
	bl_buf_puts(out, "</span>");
	free(d);
	if (p->sentence) {
		bl_buf_puts(out, "<br>");
		esc(out, p->sentence);
	}
	if (p->cause) {
		bl_buf_puts(out, "<br>cause: ");
		esc(out, p->cause);
	}
	for (size_t i = 0; i < p->inputs.len; i++) {
		bl_buf_puts(out, "<br>input: ");
		esc(out, ((const struct bl_cmp_input *)bl_vec_get(&p->inputs, i))->sentence);
	}
	bl_buf_puts(out, "<br>left ");
	full_digest(out, cli_report_chain(p, false));
	bl_buf_puts(out, "<br>right ");
	full_digest(out, cli_report_chain(p, true));
}

static void side_digests(struct bl_buf *out, const struct bl_cmp_node *n)
{
	const struct bl_node *x[2] = {n->left, n->right};
	static const char *const names[2] = {"left", "right"};
	bool any = false;
	for (int i = 0; i < 2; i++)
		any |= x[i] && x[i]->has_desc && bl_digest_is_set(&x[i]->desc.digest);
	if (!any)
		return;
	bl_buf_puts(out, "<dl>");
	for (int i = 0; i < 2; i++) {
		if (!x[i] || !x[i]->has_desc)
			continue;
		bl_buf_printf(out, "<dt>%s</dt><dd>", names[i]);
		full_digest(out, &x[i]->desc.digest);
		bl_buf_puts(out, "</dd>");
	}
	bl_buf_puts(out, "</dl>\n");
}

static void diff_title(struct bl_buf *out, const struct bl_cmp_node *n)
{
	const char *sign = cli_report_sign(n);
	bl_buf_printf(out, "<span class=\"%s\">%s</span> ", sign_class(sign), sign);
	if (n->kind != BL_NODE_LAYER && n->kind != BL_NODE_MANIFEST &&
	        strcmp(n->label, bl_node_kind_name(n->kind)) != 0) {
		esc(out, bl_node_kind_name(n->kind));
		bl_buf_putc(out, ' ');
	}
	bl_buf_puts(out, "<b>");
	esc(out, n->label);
	bl_buf_puts(out, "</b>: ");
	char *d = bl_cmp_node_describe(n);
	esc(out, d);
	free(d);
}

static void diff_node(struct bl_buf *out, const struct bl_cmp_node *n)
{
	bool quiet = cli_report_quiet(n);
	bl_buf_printf(out, "<li><details%s><summary>", quiet ? "" : " open");
	diff_title(out, n);
	bl_buf_puts(out, "</summary>\n");
	side_digests(out, n);
	if (n->notes.len) {
		bl_buf_puts(out, "<ul>");
		for (size_t i = 0; i < n->notes.len; i++) {
			bl_buf_puts(out, "<li>");
			esc(out, bl_vec_get(&n->notes, i));
			bl_buf_puts(out, "</li>");
		}
		bl_buf_puts(out, "</ul>\n");
	}
	if (n->children.len) {
		bl_buf_puts(out, "<ul>\n");
		for (size_t i = 0; i < n->children.len; i++)
			diff_node(out, bl_vec_get(&n->children, i));
		bl_buf_puts(out, "</ul>\n");
	}
	bl_buf_puts(out, "</details></li>\n");
}

static void sources(struct bl_buf *out, const char *side, const struct bl_vec *parts)
{
	bl_buf_printf(out, "<dt>%s</dt><dd>", side);
	for (size_t i = 0; i < parts->len; i++) {
		if (i)
			bl_buf_puts(out, " + ");
		esc(out, bl_vec_get(parts, i));
	}
	bl_buf_puts(out, "</dd>");
}

void cli_report_diff_html(const struct cli_report_diff *d, struct bl_buf *out)
{
	page_start(out, "bakelens diff");
	char *head = cli_report_diff_headline(d->cmp);
	headline(out, head, bl_cmp_is_identical(d->cmp));
	free(head);
	bl_buf_puts(out, "<dl>");
	sources(out, "left", d->left);
	sources(out, "right", d->right);
	bl_buf_puts(out, "</dl>\n");
	cli_report_diff_table(out, &form, d->cmp, diff_cell);
	bl_buf_puts(out, "<h2>Differences</h2>\n<ul>\n");
	diff_node(out, d->cmp->root);
	bl_buf_puts(out, "</ul>\n");
	page_end(out);
}

/* ---- inspect ---- */

static void inspect_cell(struct bl_buf *out, const struct bl_node *m)
{
	bl_buf_printf(out, "%s<br>", bl_node_status_name(m->status));
	full_digest(out, m->has_desc ? &m->desc.digest : NULL);
	bl_buf_puts(out, "<br>");
	full_digest(out, cli_report_last_chain(m));
}

static void facts(struct bl_buf *out, const struct bl_node *n)
{
	struct bl_vec v;
	bl_vec_init(&v, bl_fact_free);
	bl_node_facts(n, &v);
	if (v.len) {
		bl_buf_puts(out, "<dl>");
		for (size_t i = 0; i < v.len; i++) {
			const struct bl_fact *f = bl_vec_get(&v, i);
			bool digest = bl_digest_is_valid(f->value);
			bl_buf_puts(out, "<dt>");
			esc(out, f->key);
			bl_buf_puts(out, digest ? "</dt><dd><code>" : "</dt><dd>");
			esc(out, f->value);
			bl_buf_puts(out, digest ? "</code></dd>" : "</dd>");
		}
		bl_buf_puts(out, "</dl>\n");
	}
	bl_vec_fini(&v);
}

static void inspect_node(struct bl_buf *out, struct bl_node *n, int depth)
{
	struct bl_tree_row row = {.node = n, .depth = depth};
	struct bl_buf line;
	bl_buf_init(&line);
	bl_tree_row_text(&row, &line);
	/* Open down to the images; layers and attestations folded. */
	bl_buf_printf(out, "<li><details%s><summary>", depth < 2 ? " open" : "");
	bl_buf_printf(out, "<span class=\"%s\">", n->status == BL_STATUS_OK ? "same" : "del");
	esc(out, bl_node_kind_name(n->kind));
	bl_buf_puts(out, "</span> ");
	esc(out, bl_buf_str(&line));
	bl_buf_puts(out, "</summary>\n");
	bl_buf_fini(&line);
	if (n->status_msg) {
		bl_buf_puts(out, "<p class=\"del\">");
		esc(out, n->status_msg);
		bl_buf_puts(out, "</p>\n");
	}
	facts(out, n);
	if (bl_node_count(n)) {
		bl_buf_puts(out, "<ul>\n");
		for (size_t i = 0; i < bl_node_count(n); i++)
			inspect_node(out, bl_node_child(n, i), depth + 1);
		bl_buf_puts(out, "</ul>\n");
	}
	bl_buf_puts(out, "</details></li>\n");
}

void cli_report_inspect_html(const struct bl_build *b, struct bl_buf *out)
{
	page_start(out, "bakelens inspect");
	char *head = cli_report_inspect_headline(b);
	headline(out, head, true);
	free(head);
	cli_report_inspect_table(out, &form, b, inspect_cell);
	bl_buf_puts(out, "<h2>Tree</h2>\n<ul>\n");
	for (size_t i = 0; i < bl_node_count(b->root); i++)
		inspect_node(out, bl_node_child(b->root, i), 0);
	bl_buf_puts(out, "</ul>\n");
	page_end(out);
}
