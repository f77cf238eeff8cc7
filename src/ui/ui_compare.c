/* The compare session: two builds (bakelens --diff) or two marked nodes
 * compared, made again when its options change, with the file diffs done
 * for its layer pairs (ui_internal.h). */
#include <stdlib.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "ui_internal.h"

void ui_files_free(void *p)
{
	struct files *f = p;
	if (!f)
		return;
	bl_filediff_result_free(f->result);
	free(f->error);
	free(f);
}

void ui_compare_close(struct bl_ui *ui)
{
	if (ui->job) {
		bl_filediff_cancel(ui->job);
		bl_filediff_result_free(bl_filediff_finish(ui->job, NULL));
		ui->job = NULL;
	}
	bl_vec_fini(&ui->files);
	bl_vec_init(&ui->files, ui_files_free);
	if (ui->cmp_open)
		bl_cmpview_fini(&ui->cmpv);
	bl_cmp_node_free(ui->cmp_owned);
	ui->cmp_owned = NULL;
	bl_cmp_free(ui->cmp);
	ui->cmp = NULL;
	ui->cmp_root = NULL;
	ui->cmp_bl = ui->cmp_br = NULL;
	ui->cmp_nl = ui->cmp_nr = NULL;
	ui->cmp_open = false;
	ui->cmpdoc_node = NULL;
	ui->cmp_focus_detail = false;
	free(ui->cmp_left);
	free(ui->cmp_right);
	ui->cmp_left = ui->cmp_right = NULL;
}

static void open_compare(
        struct bl_ui *ui, struct bl_cmp_node *root, const char *left, const char *right)
{
	ui->cmp_root = root;
	bl_cmp_fold(root);
	bl_cmpview_init(&ui->cmpv, root, &ui->ascii);
	ui->cmp_open = true;
	ui->cmp_left = bl_text_safe(left ? left : "left");
	ui->cmp_right = bl_text_safe(right ? right : "right");
	ui->cmpdoc_node = NULL;
	ui->cmpdoc_dirty = true;
	ui->cmpdocv.top = 0;
	ui->popup = POPUP_NONE;
	ui->menu_open = false;
}

/* Compare what cmp_bl/cmp_br or cmp_nl/cmp_nr name, with the current options. */
static struct bl_cmp_node *make_compare(struct bl_ui *ui)
{
	struct bl_cmp_opts co = {.ignore_timestamps = ui->ignore_timestamps};
	if (ui->cmp_bl) {
		ui->cmp = bl_cmp_builds(ui->cmp_bl, ui->cmp_br, &co);
		return ui->cmp->root;
	}
	ui->cmp_owned = bl_cmp_nodes(ui->cmp_nl, ui->cmp_nr, &co);
	return ui->cmp_owned;
}

void bl_ui_set_compare(struct bl_ui *ui, const struct bl_build *left, const struct bl_build *right,
        const char *lname, const char *rname)
{
	ui_compare_close(ui);
	if (!left || !right)
		return;
	ui->cmp_bl = left;
	ui->cmp_br = right;
	ui->cmp_only = !ui->have_tree;
	ui->loading = false;
	open_compare(ui, make_compare(ui), lname, rname);
}

bool bl_ui_compare_open(const struct bl_ui *ui)
{
	return ui->cmp_open;
}

const struct bl_cmp_node *bl_ui_compare_selected(struct bl_ui *ui)
{
	return ui->cmp_open ? bl_cmpview_node(&ui->cmpv) : NULL;
}

const struct files *ui_files_for(const struct bl_ui *ui, const struct bl_cmp_node *n)
{
	for (size_t i = 0; i < ui->files.len; i++) {
		const struct files *f = bl_vec_get(&ui->files, i);
		if (f->left == n->left && f->right == n->right)
			return f;
	}
	return NULL;
}

/* The comparison node of a pair of the builds' nodes, or NULL. */
static struct bl_cmp_node *cmp_node_of(
        struct bl_cmp_node *n, const struct bl_node *left, const struct bl_node *right)
{
	if (!n)
		return NULL;
	if (n->left == left && n->right == right)
		return n;
	for (size_t i = 0; i < n->children.len; i++) {
		struct bl_cmp_node *r = cmp_node_of(bl_vec_get(&n->children, i), left, right);
		if (r)
			return r;
	}
	return NULL;
}

/* Diff the files of `f` again with the current options; with timestamps
 * ignored, a layer whose files differ only in them is identical (as
 * bakelens diff --files --ignore-timestamps says). */
void ui_apply_files(struct bl_ui *ui, struct files *f)
{
	if (!f->result)
		return;
	struct bl_filediff_result *r = f->result;
	bl_file_diff_fini(&r->diff);
	bl_file_diff_init(&r->diff);
	struct bl_file_diff_opts fo = {.ignore_timestamps = ui->ignore_timestamps};
	bl_layerfiles_diff(&r->left, &r->right, &fo, &r->diff);
	struct bl_cmp_node *n = cmp_node_of(ui->cmp_root, f->left, f->right);
	if (n)
		bl_cmp_apply_file_diff(n, &r->diff, ui->ignore_timestamps);
}

/* Make the comparison again after its options changed, keeping the
 * selected row and the file diffs already done. */
static void recompare(struct bl_ui *ui)
{
	if (!ui->cmp_open)
		return;
	const struct bl_cmp_node *sel = bl_cmpview_node(&ui->cmpv);
	const struct bl_node *sl = sel ? sel->left : NULL, *sr = sel ? sel->right : NULL;
	bl_cmpview_fini(&ui->cmpv);
	bl_cmp_node_free(ui->cmp_owned);
	ui->cmp_owned = NULL;
	bl_cmp_free(ui->cmp);
	ui->cmp = NULL;
	ui->cmp_root = make_compare(ui);
	for (size_t i = 0; i < ui->files.len; i++)
		ui_apply_files(ui, bl_vec_get(&ui->files, i));
	bl_cmp_fold(ui->cmp_root);
	bl_cmpview_init(&ui->cmpv, ui->cmp_root, &ui->ascii);
	const struct bl_cmp_node *n = sel ? cmp_node_of(ui->cmp_root, sl, sr) : NULL;
	if (n)
		bl_cmpview_select(&ui->cmpv, n);
	ui->cmpdoc_node = NULL;
	ui->cmpdoc_dirty = true;
}

void bl_ui_set_ignore_timestamps(struct bl_ui *ui, bool on)
{
	if (ui->ignore_timestamps == on)
		return;
	ui->ignore_timestamps = on;
	recompare(ui);
}

bool bl_ui_ignores_timestamps(const struct bl_ui *ui)
{
	return ui->ignore_timestamps;
}

static char *node_title(const struct bl_node *n)
{
	const char *label = n->label ? n->label : bl_node_kind_name(n->kind);
	if (n->has_desc && bl_digest_is_set(&n->desc.digest)) {
		char sd[32];
		bl_digest_short(&n->desc.digest, sd, sizeof sd);
		return bl_asprintf("%s %s", label, sd);
	}
	return bl_strdup(label);
}

void ui_compare_mark(struct bl_ui *ui)
{
	const struct bl_node *n = bl_ui_selected(ui);
	if (!n)
		return;
	ui->mark = n;
	char key[16];
	bl_keymap_first_key(ui->km, BL_SCOPE_TREE, BL_ACTION_COMPARE, key, sizeof key);
	char *t = node_title(n);
	bl_ui_status(ui, false, "Marked %s: select another node and press %s to compare", t, key);
	free(t);
}

void ui_compare_with_mark(struct bl_ui *ui)
{
	const struct bl_node *n = bl_ui_selected(ui);
	if (!ui->mark) {
		char key[16];
		bl_keymap_first_key(ui->km, BL_SCOPE_TREE, BL_ACTION_MARK, key, sizeof key);
		bl_ui_status(ui, true, "Nothing marked: press %s on a node first", key);
		return;
	}
	if (!n)
		return;
	ui_compare_close(ui);
	ui->cmp_nl = ui->mark;
	ui->cmp_nr = n;
	ui->cmp_only = false;
	char *l = node_title(ui->mark), *r = node_title(n);
	open_compare(ui, make_compare(ui), l, r);
	free(l);
	free(r);
}
