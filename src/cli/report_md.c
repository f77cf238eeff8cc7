/* The Markdown report (--format markdown, --summary): for a GitHub Actions
 * step summary or a pull-request comment. One headline, a table of targets
 * by platforms, then the details folded in <details> blocks.
 *
 * Every string from an image goes through bl_text_escape_md (Markdown
 * context) or bl_text_escape_html (inside the raw <summary> element, where
 * Markdown is not parsed); digests are validated "alg:hex" and go in code
 * spans as they are. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/compare.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/tree.h"
#include "cli_internal.h"

static void md(struct bl_buf *out, const char *s)
{
	if (s)
		bl_text_escape_md(out, s, strlen(s));
}

static void html(struct bl_buf *out, const char *s)
{
	if (s)
		bl_text_escape_html(out, s, strlen(s));
}

static void short_digest(struct bl_buf *out, const struct bl_digest *d)
{
	char s[32];
	if (!d || !bl_digest_is_set(d)) {
		bl_buf_puts(out, "none");
		return;
	}
	bl_digest_short(d, s, sizeof s);
	bl_buf_printf(out, "`%s`", s);
}

static const struct cli_report_form form = {
        "", "", "", "\n", "| ", " |", " ", " |", " ", " |", "\n", "---", md};

/* ---- diff ---- */

static void diff_cell(struct bl_buf *out, const struct bl_cmp_platform *p)
{
	bl_buf_puts(out, p->node->cls == BL_CMP_IDENTICAL ? "identical " : "");
	if (p->node->cls != BL_CMP_IDENTICAL) {
		char *d = bl_cmp_node_describe(p->node);
		bl_buf_puts(out, "**");
		md(out, d);
		bl_buf_puts(out, "** ");
		free(d);
	}
	if (p->rootfs_identical) {
		short_digest(out, &p->right_chain);
	} else {
		short_digest(out, cli_report_chain(p, false));
		bl_buf_puts(out, " \xe2\x86\x92 ");
		short_digest(out, cli_report_chain(p, true));
	}
	/* Provenance: the cause chain, else the inputs that changed. */
	if (p->cause) {
		bl_buf_puts(out, " \xe2\x80\x94 ");
		md(out, p->cause);
	}
	for (size_t i = 0; !p->cause && i < p->inputs.len; i++) {
		bl_buf_puts(out, i ? "; " : " \xe2\x80\x94 ");
		md(out, ((const struct bl_cmp_input *)bl_vec_get(&p->inputs, i))->sentence);
	}
}

static void diff_item(struct bl_buf *out, const struct bl_cmp_node *n, int depth)
{
	bl_buf_printf(out, "%*s- `%s` ", depth * 2, "", cli_report_sign(n));
	if (n->kind != BL_NODE_LAYER && n->kind != BL_NODE_MANIFEST &&
	        strcmp(n->label, bl_node_kind_name(n->kind)) != 0) {
		md(out, bl_node_kind_name(n->kind));
		bl_buf_putc(out, ' ');
	}
	bl_buf_puts(out, "**");
	md(out, n->label);
	bl_buf_puts(out, "**: ");
	char *d = bl_cmp_node_describe(n);
	md(out, d);
	free(d);
	bl_buf_putc(out, '\n');
	for (size_t i = 0; i < n->notes.len; i++) {
		bl_buf_printf(out, "%*s- ", depth * 2 + 2, "");
		md(out, bl_vec_get(&n->notes, i));
		bl_buf_putc(out, '\n');
	}
	if (cli_report_quiet(n))
		return;
	for (size_t i = 0; i < n->children.len; i++)
		diff_item(out, bl_vec_get(&n->children, i), depth + 1);
}

static void sources_line(struct bl_buf *out, const char *side, const struct bl_vec *parts)
{
	bl_buf_printf(out, "%s: ", side);
	for (size_t i = 0; i < parts->len; i++) {
		if (i)
			bl_buf_puts(out, " \\+ ");
		md(out, bl_vec_get(parts, i));
	}
}

void cli_report_diff_md(const struct cli_report_diff *d, struct bl_buf *out)
{
	char *head = cli_report_diff_headline(d->cmp);
	bl_buf_puts(out, "**bakelens diff**: ");
	md(out, head);
	free(head);
	bl_buf_puts(out, "\n\n");
	sources_line(out, "left", d->left);
	bl_buf_puts(out, "  \n");
	sources_line(out, "right", d->right);
	bl_buf_puts(out, "\n\n");
	cli_report_diff_table(out, &form, d->cmp, diff_cell);
	const struct bl_cmp_node *root = d->cmp->root;
	for (size_t i = 0; i < root->children.len; i++) {
		const struct bl_cmp_node *c = bl_vec_get(&root->children, i);
		char *w = bl_cmp_node_describe(c);
		bl_buf_puts(out, "<details><summary>");
		html(out, bl_node_kind_name(c->kind));
		bl_buf_putc(out, ' ');
		html(out, c->label);
		bl_buf_puts(out, ": ");
		html(out, w);
		bl_buf_puts(out, "</summary>\n\n");
		free(w);
		diff_item(out, c, 0);
		bl_buf_puts(out, "\n</details>\n\n");
	}
}

/* ---- inspect ---- */

static void inspect_cell(struct bl_buf *out, const struct bl_node *m)
{
	bl_buf_puts(out, bl_node_status_name(m->status));
	bl_buf_puts(out, " ");
	short_digest(out, m->has_desc ? &m->desc.digest : NULL);
	bl_buf_puts(out, " chain ");
	short_digest(out, cli_report_last_chain(m));
}

static void inspect_item(struct bl_buf *out, struct bl_node *n, int depth)
{
	struct bl_tree_row row = {.node = n, .depth = depth};
	struct bl_buf line;
	bl_buf_init(&line);
	bl_tree_row_text(&row, &line);
	bl_buf_printf(out, "%*s- ", depth * 2, "");
	md(out, bl_node_kind_name(n->kind));
	bl_buf_puts(out, ": ");
	md(out, bl_buf_str(&line));
	bl_buf_putc(out, '\n');
	bl_buf_fini(&line);
	if (n->status_msg) {
		bl_buf_printf(out, "%*s- ", depth * 2 + 2, "");
		md(out, n->status_msg);
		bl_buf_putc(out, '\n');
	}
	for (size_t i = 0; i < bl_node_count(n); i++)
		inspect_item(out, bl_node_child(n, i), depth + 1);
}

void cli_report_inspect_md(const struct bl_build *b, struct bl_buf *out)
{
	char *head = cli_report_inspect_headline(b);
	bl_buf_puts(out, "**bakelens inspect**: ");
	md(out, head);
	free(head);
	bl_buf_puts(out, "\n\n");
	cli_report_inspect_table(out, &form, b, inspect_cell);
	for (size_t i = 0; i < bl_node_count(b->root); i++) {
		struct bl_node *t = bl_node_child(b->root, i);
		bl_buf_puts(out, "<details><summary>");
		html(out, bl_node_kind_name(t->kind));
		bl_buf_putc(out, ' ');
		html(out, t->label);
		bl_buf_puts(out, "</summary>\n\n");
		inspect_item(out, t, 0);
		bl_buf_puts(out, "\n</details>\n\n");
	}
}
