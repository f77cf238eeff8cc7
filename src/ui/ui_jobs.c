/* The explorer's background job, one at a time: a file listing (F in the
 * tree, shown in the files pager) or the file diff of a layer pair in the
 * compare view; read off the UI thread and taken in by bl_ui_tick
 * (ui_internal.h). */
#include <stdio.h>
#include <stdlib.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "ui_internal.h"

/* A finished file listing: into the files pager, or a status saying why not. */
static void take_listing(struct bl_ui *ui)
{
	struct bl_error err = {0};
	struct bl_filediff_result *r = bl_filediff_finish(ui->job, &err);
	const struct bl_node *n = ui->job_left;
	ui->job = NULL;
	ui->job_listing = false;
	ui->job_left = NULL;
	if (!r) {
		if (err.code == BL_E_CANCELLED)
			bl_ui_status(ui, false, "File listing cancelled");
		else
			bl_ui_status(ui, true, "Files: %s",
			        err.msg[0] ? err.msg : "the layers could not be read");
		return;
	}
	bl_filediff_result_free(ui->listing);
	free(ui->listing_title);
	ui->listing = r;
	ui->listing_image = n->kind != BL_NODE_LAYER;
	/* "image linux/amd64", "layer 2/3 of linux/amd64" */
	struct bl_platform pf;
	char *plat = bl_node_image_platform(n, &pf) ? bl_platform_format(&pf) : NULL;
	bl_platform_fini(&pf);
	char *label = bl_asprintf("%s%s%s",
	        ui->listing_image ? "image"
	        : n->label        ? n->label
	                          : "layer",
	        plat ? (ui->listing_image ? " " : " of ") : "", plat ? plat : "");
	ui->listing_title = bl_text_safe(label);
	free(label);
	free(plat);
	bl_ui_status(ui, false, "%zu entr%s in %s", r->left.len, r->left.len == 1 ? "y" : "ies",
	        ui->listing_title);
	ui->popup = POPUP_NONE;
	ui_popup_open(ui, POPUP_FILES);
}

bool bl_ui_tick(struct bl_ui *ui)
{
	bool verifying = ui_verify_tick(ui);
	if (!ui->job)
		return verifying;
	bl_filediff_poll(ui->job, &ui->job_state);
	if (!ui->job_state.done)
		return true;
	if (ui->job_listing) {
		take_listing(ui);
		return false;
	}
	struct bl_error err = {0};
	struct files *f = bl_calloc(1, sizeof *f);
	f->left = ui->job_left;
	f->right = ui->job_right;
	f->result = bl_filediff_finish(ui->job, &err);
	ui->job = NULL;
	ui->job_left = ui->job_right = NULL;
	if (!f->result && err.code == BL_E_CANCELLED) {
		ui_files_free(f);
		bl_ui_status(ui, false, "File diff cancelled");
		return false;
	}
	if (f->result) {
		/* The options may have changed while the job ran. */
		ui_apply_files(ui, f);
		const struct bl_file_diff *d = &f->result->diff;
		char ignored[64] = "";
		if (d->timestamps_ignored)
			snprintf(ignored, sizeof ignored,
			        " (%zu differ only in timestamps, ignored)", d->timestamps_ignored);
		bl_ui_status(ui, false,
		        "Files compared: %zu added, %zu removed, %zu changed, %zu "
		        "metadata only%s",
		        d->counts[BL_FCHANGE_ADDED], d->counts[BL_FCHANGE_REMOVED],
		        d->counts[BL_FCHANGE_CONTENT], d->counts[BL_FCHANGE_METADATA], ignored);
	} else {
		f->error = bl_strdup(err.msg[0] ? err.msg : "the layers could not be read");
		bl_ui_status(ui, true, "File diff failed: %s", f->error);
	}
	bl_vec_push_take(&ui->files, f);
	ui->cmpdoc_dirty = true;
	return false;
}

void ui_job_file_diff(struct bl_ui *ui)
{
	const struct bl_cmp_node *n = bl_ui_compare_selected(ui);
	if (!n || n->kind != BL_NODE_LAYER || !n->left || !n->right) {
		bl_ui_status(
		        ui, true, "A file diff needs a layer on both sides: select a layer pair");
		return;
	}
	if (ui->job) {
		bl_ui_status(ui, true, "A file diff is running (Esc cancels it)");
		return;
	}
	if (ui_files_for(ui, n)) {
		ui->cmp_focus_detail = false;
		bl_ui_status(ui, false, "Files already compared: see the details below");
		return;
	}
	struct bl_error err = {0};
	ui->job = bl_filediff_start(n->left, n->right, ui->ignore_timestamps, &err);
	if (!ui->job) {
		bl_ui_status(ui, true, "File diff: %s", err.msg);
		return;
	}
	ui->job_left = n->left;
	ui->job_right = n->right;
	ui->job_state = (struct bl_load_state){0};
	snprintf(ui->job_state.what, sizeof ui->job_state.what, "starting");
}

/* F in the tree: the files of the selected layer, or of the whole image of
 * the selected manifest (or of the manifest a config belongs to). */
void ui_job_listing(struct bl_ui *ui)
{
	const struct bl_node *n = bl_ui_selected(ui);
	if (n && n->kind == BL_NODE_CONFIG && n->parent && n->parent->kind == BL_NODE_MANIFEST)
		n = n->parent;
	if (!n || (n->kind != BL_NODE_LAYER && n->kind != BL_NODE_MANIFEST)) {
		bl_ui_status(
		        ui, true, "Select a layer (its files) or a manifest (the whole image)");
		return;
	}
	if (ui->job) {
		bl_ui_status(ui, true, "Files are being read (Esc cancels)");
		return;
	}
	struct bl_error err = {0};
	ui->job = bl_filelist_start(n, &err);
	if (!ui->job) {
		bl_ui_status(ui, true, "Files: %s", err.msg);
		return;
	}
	ui->job_listing = true;
	ui->job_left = n;
	ui->job_right = NULL;
	ui->job_state = (struct bl_load_state){0};
	snprintf(ui->job_state.what, sizeof ui->job_state.what, "starting");
}
