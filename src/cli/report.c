/* Reports for people reading CI: what the Markdown and HTML forms share
 * (the headline, the images of a target, writing stdout and the step
 * summary). The forms themselves are report_md.c and report_html.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/compare.h"
#include "bakelens/exitcode.h"
#include "bakelens/mem.h"
#include "cli_internal.h"

/* More platforms than this in the headline end in "(and N more)": a line. */
#define HEADLINE_PLATFORMS 3

static const char *summary_path(void)
{
	const char *p = getenv("GITHUB_STEP_SUMMARY");
	return p && *p ? p : NULL;
}

bool cli_report_check(const struct bl_options *o, int *rc)
{
	if (!o->summary || summary_path())
		return true;
	cli_error("--summary: GITHUB_STEP_SUMMARY is not set (it names the file a GitHub "
	          "Actions step appends its summary to)");
	*rc = BL_EXIT_USAGE;
	return false;
}

char *cli_report_diff_headline(const struct bl_cmp *cmp)
{
	if (bl_cmp_is_identical(cmp))
		return bl_strdup("identical");
	struct bl_buf b;
	bl_buf_init(&b);
	char *what = bl_cmp_node_describe(cmp->root);
	bl_buf_printf(&b, "different: %s", what);
	free(what);
	/* The platforms that differ, in the model's words: where the cache
	 * breaks, or what changed when the root filesystems are the same. */
	size_t shown = 0, more = 0;
	for (size_t i = 0; i < cmp->platforms.len; i++) {
		const struct bl_cmp_platform *p = bl_vec_get(&cmp->platforms, i);
		if (p->node->cls == BL_CMP_IDENTICAL)
			continue;
		if (shown == HEADLINE_PLATFORMS) {
			more++;
			continue;
		}
		char *d = bl_cmp_node_describe(p->node);
		/* The cause chain says where the cache breaks, and why. */
		const char *s = p->cause ? p->cause : p->sentence ? p->sentence : "";
		bl_buf_printf(&b, "%s %s %s: %s", shown ? ";" : " \xe2\x80\x94", p->target,
		        p->platform, s);
		if (strcmp(d, s) != 0) /* "platform added" says it once */
			bl_buf_printf(&b, " (%s)", d);
		free(d);
		/* What provenance says made it differ. */
		if (p->node->cause && !p->cause)
			bl_buf_printf(&b, ", why: %s", p->node->cause);
		shown++;
	}
	if (more)
		bl_buf_printf(&b, "; and %zu more", more);
	return bl_buf_take(&b);
}

static bool is_image(const struct bl_node *n)
{
	return n->kind == BL_NODE_MANIFEST;
}

/* The image manifests of a target (index children, or the target's own),
 * attestations left out: struct bl_node *, borrowed. */
static void images_of(const struct bl_node *target, struct bl_vec *out)
{
	for (size_t i = 0; i < bl_node_count(target); i++) {
		const struct bl_node *c = bl_node_child(target, i);
		if (is_image(c))
			bl_vec_push_take(out, (void *)c);
		else if (c->kind == BL_NODE_INDEX)
			images_of(c, out);
	}
}

const struct bl_digest *cli_report_last_chain(const struct bl_node *m)
{
	const struct bl_digest *last = NULL;
	for (size_t i = 0; i < bl_node_count(m); i++) {
		const struct bl_node *c = bl_node_child(m, i);
		if (c->kind != BL_NODE_LAYER)
			continue;
		if (!c->layer || !c->layer->has_chain_id)
			return NULL;
		last = &c->layer->chain_id;
	}
	return last;
}

const char *cli_report_sign(const struct bl_cmp_node *n)
{
	if (!n->left)
		return "+";
	if (!n->right)
		return "-";
	return n->cls == BL_CMP_IDENTICAL ? "=" : "~";
}

bool cli_report_quiet(const struct bl_cmp_node *n)
{
	if (n->cls != BL_CMP_IDENTICAL || n->notes.len)
		return false;
	for (size_t i = 0; i < n->children.len; i++)
		if (!cli_report_quiet(bl_vec_get(&n->children, i)))
			return false;
	return true;
}

/* Index of `s` in `v` (strings), appended when absent. */
static void add_once(struct bl_vec *v, char *s, bool owned)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(bl_vec_get(v, i), s) == 0) {
			if (owned)
				free(s);
			return;
		}
	bl_vec_push_take(v, s);
}

static void diff_axes(const struct bl_cmp *cmp, struct bl_vec *cols, struct bl_vec *rows)
{
	bl_vec_init(cols, NULL);
	bl_vec_init(rows, NULL);
	for (size_t i = 0; i < cmp->platforms.len; i++) {
		const struct bl_cmp_platform *p = bl_vec_get(&cmp->platforms, i);
		add_once(cols, p->platform, false);
		add_once(rows, p->target, false);
	}
}

static const struct bl_cmp_platform *diff_cell(
        const struct bl_cmp *cmp, const char *target, const char *platform)
{
	for (size_t i = 0; i < cmp->platforms.len; i++) {
		const struct bl_cmp_platform *p = bl_vec_get(&cmp->platforms, i);
		if (strcmp(p->target, target) == 0 && strcmp(p->platform, platform) == 0)
			return p;
	}
	return NULL;
}

static char *image_platform(const struct bl_node *m)
{
	struct bl_platform p;
	char *s = bl_node_image_platform(m, &p) ? bl_platform_format(&p) : NULL;
	if (s)
		bl_platform_fini(&p);
	return s ? s : bl_strdup(m->label);
}

static void inspect_columns(const struct bl_build *b, struct bl_vec *cols)
{
	bl_vec_init(cols, free);
	for (size_t i = 0; i < bl_node_count(b->root); i++) {
		const struct bl_node *t = bl_node_child(b->root, i);
		if (t->kind != BL_NODE_TARGET)
			continue;
		struct bl_vec ims;
		bl_vec_init(&ims, NULL);
		images_of(t, &ims);
		for (size_t k = 0; k < ims.len; k++)
			add_once(cols, image_platform(bl_vec_get(&ims, k)), true);
		bl_vec_fini(&ims);
	}
}

static const struct bl_node *image_at(const struct bl_node *target, const char *platform)
{
	struct bl_vec ims;
	bl_vec_init(&ims, NULL);
	images_of(target, &ims);
	const struct bl_node *found = NULL;
	for (size_t k = 0; k < ims.len && !found; k++) {
		char *p = image_platform(bl_vec_get(&ims, k));
		if (strcmp(p, platform) == 0)
			found = bl_vec_get(&ims, k);
		free(p);
	}
	bl_vec_fini(&ims);
	return found;
}

const struct bl_digest *cli_report_chain(const struct bl_cmp_platform *p, bool right)
{
	const struct bl_digest *d = right ? &p->right_chain : &p->left_chain;
	if (bl_digest_is_set(d))
		return d;
	/* A platform on one side only has no ChainIDs compared: its own. */
	const struct bl_node *x = right ? p->node->right : p->node->left;
	return x ? cli_report_last_chain(x) : NULL;
}

/* The header, then per row its label and a cell per column, which
 * `cell` writes (a dash when it returns false). */
static void table(struct bl_buf *out, const struct cli_report_form *f, const struct bl_vec *cols,
        const struct bl_vec *rows, const char *(*label)(const void *row),
        bool (*cell)(struct bl_buf *out, const void *row, const char *col, const void *ctx),
        const void *ctx)
{
	bl_buf_printf(out, "%sTarget%s", f->row_start, f->label_end);
	for (size_t c = 0; c < cols->len; c++) {
		bl_buf_puts(out, f->head_start);
		f->esc(out, bl_vec_get(cols, c));
		bl_buf_puts(out, f->head_end);
	}
	bl_buf_puts(out, f->row_end);
	if (*f->rule) { /* Markdown's delimiter row, one "---" per column */
		bl_buf_printf(out, "| %s |", f->rule);
		for (size_t c = 0; c < cols->len; c++)
			bl_buf_printf(out, " %s |", f->rule);
		bl_buf_putc(out, '\n');
	}
	for (size_t r = 0; r < rows->len; r++) {
		const void *row = bl_vec_get(rows, r);
		bl_buf_puts(out, f->row_start);
		f->esc(out, label(row));
		bl_buf_puts(out, f->label_end);
		for (size_t c = 0; c < cols->len; c++) {
			bl_buf_puts(out, f->cell_start);
			if (!cell(out, row, bl_vec_get(cols, c), ctx))
				bl_buf_puts(out, "\xe2\x80\x94");
			bl_buf_puts(out, f->cell_end);
		}
		bl_buf_puts(out, f->row_end);
	}
}

static void targets_of(const struct bl_build *b, struct bl_vec *out)
{
	bl_vec_init(out, NULL);
	for (size_t i = 0; i < bl_node_count(b->root); i++) {
		struct bl_node *t = bl_node_child(b->root, i);
		if (t->kind == BL_NODE_TARGET)
			bl_vec_push_take(out, t);
	}
}

static const char *string_label(const void *row)
{
	return row;
}

static const char *node_label(const void *row)
{
	return ((const struct bl_node *)row)->label;
}

struct cells {
	const struct bl_cmp *cmp;
	void (*diff)(struct bl_buf *out, const struct bl_cmp_platform *p);
	void (*image)(struct bl_buf *out, const struct bl_node *m);
};

static bool diff_cell_at(struct bl_buf *out, const void *row, const char *col, const void *ctx)
{
	const struct cells *c = ctx;
	const struct bl_cmp_platform *p = diff_cell(c->cmp, row, col);
	if (p)
		c->diff(out, p);
	return p != NULL;
}

static bool image_cell_at(struct bl_buf *out, const void *row, const char *col, const void *ctx)
{
	const struct cells *c = ctx;
	const struct bl_node *m = image_at(row, col);
	if (m)
		c->image(out, m);
	return m != NULL;
}

/* The title and the table, or nothing when there is no column. */
static void titled(struct bl_buf *out, const struct cli_report_form *f, const char *title,
        const struct bl_vec *cols, const struct bl_vec *rows, const char *(*label)(const void *),
        bool (*cell)(struct bl_buf *, const void *, const char *, const void *),
        const struct cells *c)
{
	if (!cols->len)
		return;
	bl_buf_printf(out, "%s%s%s%s", f->title_start, f->title_start[0] ? title : "", f->title_end,
	        f->table_start);
	table(out, f, cols, rows, label, cell, c);
	bl_buf_puts(out, f->table_end);
}

void cli_report_diff_table(struct bl_buf *out, const struct cli_report_form *f,
        const struct bl_cmp *cmp, void (*cell)(struct bl_buf *out, const struct bl_cmp_platform *p))
{
	struct bl_vec cols, rows;
	diff_axes(cmp, &cols, &rows);
	struct cells c = {.cmp = cmp, .diff = cell};
	titled(out, f, "Platforms (final ChainID of each side)", &cols, &rows, string_label,
	        diff_cell_at, &c);
	bl_vec_fini(&cols);
	bl_vec_fini(&rows);
}

void cli_report_inspect_table(struct bl_buf *out, const struct cli_report_form *f,
        const struct bl_build *b, void (*cell)(struct bl_buf *out, const struct bl_node *m))
{
	struct bl_vec cols, rows;
	inspect_columns(b, &cols);
	targets_of(b, &rows);
	struct cells c = {.image = cell};
	titled(out, f, "Images (manifest digest, final ChainID)", &cols, &rows, node_label,
	        image_cell_at, &c);
	bl_vec_fini(&cols);
	bl_vec_fini(&rows);
}

/* Problems in the subtree: nodes whose status is not ok. */
static size_t problems(const struct bl_node *n)
{
	size_t k = n->status != BL_STATUS_OK;
	for (size_t i = 0; i < bl_node_count(n); i++)
		k += problems(bl_node_child(n, i));
	return k;
}

char *cli_report_inspect_headline(const struct bl_build *b)
{
	size_t targets = 0, images = 0;
	for (size_t i = 0; i < bl_node_count(b->root); i++) {
		const struct bl_node *t = bl_node_child(b->root, i);
		if (t->kind != BL_NODE_TARGET)
			continue;
		targets++;
		struct bl_vec v;
		bl_vec_init(&v, NULL);
		images_of(t, &v);
		images += v.len;
		bl_vec_fini(&v);
	}
	size_t bad = problems(b->root);
	if (!bad)
		return bl_asprintf("%zu target%s, %zu image%s, every node ok", targets,
		        targets == 1 ? "" : "s", images, images == 1 ? "" : "s");
	return bl_asprintf("%zu target%s, %zu image%s, %zu node%s not ok", targets,
	        targets == 1 ? "" : "s", images, images == 1 ? "" : "s", bad, bad == 1 ? "" : "s");
}

/* Append to the step summary file; a blank line keeps reports of several
 * steps apart. */
static bool append_summary(const struct bl_buf *md, int *rc)
{
	const char *path = summary_path();
	FILE *f = fopen(path, "a");
	bool ok = f && fwrite(md->data, 1, md->len, f) == md->len && fputc('\n', f) != EOF;
	int e = errno;
	if (f && fclose(f) != 0 && ok) {
		ok = false;
		e = errno;
	}
	if (!ok) {
		cli_error("%s: cannot append the summary: %s", path, strerror(e));
		*rc = BL_EXIT_INPUT;
	}
	return ok;
}

static void put_stdout(const struct bl_buf *out)
{
	if (out->len)
		fwrite(out->data, 1, out->len, stdout);
	cli_out_ok();
}

/* diff's --quiet keeps stdout empty (as its other outputs); inspect's only
 * quiets stderr. */
static bool report(const struct bl_options *o, const void *subject, bool diff, int *rc)
{
	struct bl_buf out;
	bl_buf_init(&out);
	if (o->summary) {
		if (diff)
			cli_report_diff_md(subject, &out);
		else
			cli_report_inspect_md(subject, &out);
		append_summary(&out, rc);
	}
	bool to_stdout = o->format == BL_FORMAT_MARKDOWN || o->format == BL_FORMAT_HTML;
	if (to_stdout && !(diff && o->quiet)) {
		/* The summary's Markdown is reused when stdout wants the same. */
		if (!(o->summary && o->format == BL_FORMAT_MARKDOWN)) {
			bl_buf_clear(&out);
			if (o->format == BL_FORMAT_MARKDOWN)
				diff ? cli_report_diff_md(subject, &out)
				     : cli_report_inspect_md(subject, &out);
			else
				diff ? cli_report_diff_html(subject, &out)
				     : cli_report_inspect_html(subject, &out);
		}
		put_stdout(&out);
	}
	bl_buf_fini(&out);
	return to_stdout;
}

bool cli_report_diff(const struct bl_options *o, const struct cli_report_diff *d, int *rc)
{
	return report(o, d, true, rc);
}

bool cli_report_inspect(const struct bl_options *o, const struct bl_build *b, int *rc)
{
	return report(o, b, false, rc);
}
