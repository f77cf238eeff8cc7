/* The explorer's background jobs, taken in by bl_ui_tick: the file diff of
 * a layer pair in the compare view (one at a time), the listing of the file
 * tree (ui_filetree.c) and a verify (ui_verify.c) (ui_internal.h). */
#include <stdio.h>
#include <stdlib.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "ui_internal.h"

bool bl_ui_tick(struct bl_ui *ui)
{
	bool verifying = ui_verify_tick(ui);
	bool listing = ui_ft_tick(ui);
	listing = ui_pv_tick(ui) || listing;
	listing = ui_refs_tick(ui) || listing;
	if (!ui->job)
		return verifying || listing;
	bl_filediff_poll(ui->job, &ui->job_state);
	if (!ui->job_state.done)
		return true;
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
	if (ui_stores_busy(ui))
		return;
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
