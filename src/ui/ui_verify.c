/* v: a node's digests recomputed from its bytes on a worker thread
 * (src/app/verify.c), its progress in the status bar, its report in a popup
 * (ui_internal.h). Kept apart from ui_jobs.c's file job: both may run. */
#include <stdio.h>
#include <stdlib.h>

#include "ui_internal.h"

void ui_verify_start(struct bl_ui *ui)
{
	const struct bl_node *n = bl_ui_selected(ui);
	if (ui_stores_busy(ui))
		return;
	struct bl_error err = {0};
	ui->verify = bl_verify_start(n, &err);
	if (!ui->verify) {
		bl_ui_status(ui, true, "Verify: %s", err.msg);
		return;
	}
	ui->verify_state = (struct bl_load_state){0};
	snprintf(ui->verify_state.what, sizeof ui->verify_state.what, "starting");
}

bool ui_verify_tick(struct bl_ui *ui)
{
	if (!ui->verify)
		return false;
	bl_verify_poll(ui->verify, &ui->verify_state);
	if (!ui->verify_state.done)
		return true;
	struct bl_error err = {0};
	struct bl_verify_report r;
	bool ok = bl_verify_finish(ui->verify, &r, &err);
	ui->verify = NULL;
	if (!ok) {
		bl_verify_report_fini(&r);
		if (err.code == BL_E_CANCELLED)
			bl_ui_status(ui, false, "Verify cancelled");
		else
			bl_ui_status(ui, true, "Verify: %s", err.msg);
		return false;
	}
	bl_verify_report_fini(&ui->vreport);
	ui->vreport = r;
	size_t checks = 0;
	for (size_t i = 0; i < r.checks.len; i++) {
		const struct bl_check *c = r.checks.items[i];
		checks += c->state != BL_CHECK_INFO;
	}
	if (r.failed)
		bl_ui_status(ui, true, "Verify %s: %zu of %zu checks fail", r.title ? r.title : "",
		        r.failed, checks);
	else
		bl_ui_status(ui, false, "Verified %s: all %zu checks pass", r.title ? r.title : "",
		        checks);
	ui->popup = POPUP_NONE;
	ui_popup_open(ui, POPUP_VERIFY);
	return false;
}

void ui_verify_stop(struct bl_ui *ui)
{
	if (ui->verify) {
		struct bl_verify_report r;
		bl_verify_cancel(ui->verify);
		bl_verify_finish(ui->verify, &r, NULL);
		bl_verify_report_fini(&r);
		ui->verify = NULL;
	}
	bl_verify_report_fini(&ui->vreport);
}
