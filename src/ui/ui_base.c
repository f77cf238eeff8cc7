/* What every part of the explorer's state reads and writes: the status
 * line, the selected node, the view that gets keys (ui_internal.h). */
#include <stdarg.h>
#include <stdlib.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "ui_internal.h"

void bl_ui_status(struct bl_ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *raw = bl_vasprintf(fmt, ap);
	va_end(ap);
	free(ui->status);
	/* Status text may quote input (a search): never raw. */
	ui->status = bl_text_safe(raw);
	ui->status_error = error;
	free(raw);
}

struct bl_node *bl_ui_selected(struct bl_ui *ui)
{
	if (ui->cmp_open) {
		const struct bl_cmp_node *n = bl_cmpview_node(&ui->cmpv);
		if (!n)
			return NULL;
		/* The model's nodes are the builds' and not const there; the
		 * comparison only borrows them. */
		return (struct bl_node *)(n->right ? n->right : n->left);
	}
	return ui->have_tree ? bl_treeview_node(&ui->treev) : NULL;
}

struct bl_view *ui_current_view(struct bl_ui *ui, enum bl_scope *scope)
{
	if (ui->menu_open) {
		*scope = BL_SCOPE_MENU;
		return NULL;
	}
	if (ui->popup != POPUP_NONE) {
		*scope = BL_SCOPE_PAGER;
		return &ui->popv;
	}
	if (ui->files_open) {
		*scope = BL_SCOPE_FILES;
		return &ui->filesv;
	}
	if (ui->waste_open) {
		*scope = BL_SCOPE_WASTE;
		return &ui->wastev;
	}
	if (ui->cmp_open) {
		if (ui->cmp_focus_detail) {
			*scope = BL_SCOPE_DETAIL;
			return &ui->cmpdocv;
		}
		*scope = BL_SCOPE_COMPARE;
		return &ui->cmpv;
	}
	if (ui->focus == FOCUS_DETAIL || !ui->have_tree) {
		*scope = BL_SCOPE_DETAIL;
		return &ui->detailv;
	}
	*scope = BL_SCOPE_TREE;
	return &ui->treev;
}

bool ui_stores_busy(struct bl_ui *ui)
{
	if (ui->verify)
		bl_ui_status(ui, true, "A verify is running (Esc cancels it)");
	else if (ui->job)
		bl_ui_status(ui, true, "A file diff is running (Esc cancels it)");
	else if (ui->refs)
		bl_ui_status(ui, true, "Referrers are being read (Esc cancels)");
	else if (ui->ijob || ui->ftb || ui->pvr)
		bl_ui_status(ui, true, "Files are being read (Esc cancels)");
	else
		return false;
	return true;
}
