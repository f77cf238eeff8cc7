/* Enter on a file of the file tree: what it is, then its first bytes, read
 * on a worker thread (the layer is streamed to its end, so what is shown is
 * checked against its digest) and
 * shown in the preview popup (ui_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/work.h"
#include "ui_internal.h"

/* What the preview shows of a file at most: enough to see what it is. */
#define PREVIEW_BYTES (64 * 1024)

/* A file's first bytes being read. */
struct pv_read {
	struct bl_work w;
	const struct bl_node *layer;
	uint32_t seq;
	/* Written by the thread before bl_work_done: */
	struct bl_buf buf;
	bool ok;
	struct bl_error err;
};

/* The preview's words about an entry: its kind, size, links and what a
 * deletion removed. Display-safe. */
static char *describe(const struct bl_ui *ui, const struct bl_fileview_item *it)
{
	struct bl_buf b;
	bl_buf_init(&b);
	const struct bl_file_entry *e = it->entry;
	const struct bl_change *c = it->change;
	if (it->kind == FV_KIND_DELETED && c) {
		char sz[32];
		bl_text_size((int64_t)c->del_bytes, sz, sizeof sz);
		char *top = bl_text_safe(c->path);
		if (strcmp(c->path, it->path) != 0)
			bl_buf_printf(&b, "Deleted with %s by layer %zu/%zu (%s).\n", top,
			        ui->fv_layer + 1, ui->fv_nlayers, bl_delete_cause_name(c->cause));
		else if (!c->lower)
			bl_buf_printf(&b,
			        "A whiteout in layer %zu/%zu that hides nothing: no layer below "
			        "has "
			        "this path.\n",
			        ui->fv_layer + 1, ui->fv_nlayers);
		else
			bl_buf_printf(&b,
			        "Deleted by layer %zu/%zu (%s): it removed %zu entr%s, %s.\n",
			        ui->fv_layer + 1, ui->fv_nlayers, bl_delete_cause_name(c->cause),
			        c->del_entries, c->del_entries == 1 ? "y" : "ies", sz);
		free(top);
		if (e && e->layer >= 0) {
			bl_buf_printf(&b, "What it deleted came from layer %d/%zu:\n  ",
			        e->layer + 1, ui->fv_nlayers);
			bl_file_entry_line(e, false, &b);
			bl_buf_putc(&b, '\n');
		}
		return bl_buf_take(&b);
	}
	if (!e) {
		bl_buf_printf(&b, "A directory (no entry of its own in the layer): %zu entries, ",
		        it->entries);
		char sz[32];
		bl_text_size((int64_t)it->bytes, sz, sizeof sz);
		bl_buf_printf(&b, "%s.\n", sz);
		return bl_buf_take(&b);
	}
	bl_file_entry_line(e, false, &b);
	bl_buf_putc(&b, '\n');
	if (e->layer >= 0)
		bl_buf_printf(&b, "From layer %d/%zu%s.\n", e->layer + 1, ui->fv_nlayers,
		        it->kind == FV_KIND_ADDED      ? ", which added it"
		        : it->kind == FV_KIND_MODIFIED ? ", which modified it"
		                                       : "");
	if (it->kind == FV_KIND_MODIFIED && c && c->what) {
		char *w = bl_file_change_what(c->what);
		bl_buf_printf(&b, "Changed: %s.\n", w);
		free(w);
	}
	if (e->type == BL_FILE_HARDLINK || e->type == BL_FILE_SYMLINK) {
		char *t = bl_text_safe(e->linkname);
		bl_buf_printf(&b, "%s %s%s\n",
		        e->type == BL_FILE_SYMLINK ? "Symbolic link to" : "Hard link to", t,
		        e->link_state == BL_LINK_GONE ? " (a later whiteout removed that path)"
		        : e->link_state == BL_LINK_REPLACED ? " (another file is at that path now)"
		                                            : "");
		free(t);
	}
	return bl_buf_take(&b);
}

static bool take_bytes(void *ud, const void *buf, size_t len, struct bl_error *err)
{
	(void)err;
	struct pv_read *r = ud;
	if (bl_work_cancelled(&r->w))
		return false;
	/* Past the first part the bytes are read and dropped: the layer is
	 * still read to its end, so what is shown is checked against its
	 * digest like everything else. */
	size_t room = PREVIEW_BYTES - r->buf.len;
	bl_buf_append(&r->buf, buf, len < room ? len : room);
	return true;
}

static void *read_run(void *arg)
{
	struct pv_read *r = arg;
	struct bl_error err = {0};
	r->ok = bl_layerfiles_cat_node(r->layer, r->seq, take_bytes, r, &err);
	r->err = err;
	bl_work_done(&r->w);
	return NULL;
}

/* After bl_work_join. */
static void read_free(struct bl_ui *ui)
{
	struct pv_read *r = ui->pvr;
	bl_buf_fini(&r->buf);
	free(r);
	ui->pvr = NULL;
}

static void add_note(struct bl_ui *ui, char *line_take)
{
	char *n = bl_asprintf("%s%s", ui->preview_note ? ui->preview_note : "", line_take);
	free(ui->preview_note);
	free(line_take);
	ui->preview_note = n;
}

bool ui_pv_tick(struct bl_ui *ui)
{
	struct pv_read *r = ui->pvr;
	if (!r)
		return false;
	struct bl_load_state st;
	bl_work_poll(&r->w, &st);
	if (!st.done)
		return true;
	if (bl_work_join(&r->w)) {
		read_free(ui);
		return false;
	}
	if (r->ok) {
		bl_buf_clear(&ui->preview);
		bl_buf_append(&ui->preview, r->buf.data ? r->buf.data : "", r->buf.len);
		ui->preview_bytes = true;
		if (ui->preview_size > (int64_t)ui->preview.len) {
			char sz[32], got[32];
			bl_text_size(ui->preview_size, sz, sizeof sz);
			bl_text_size((int64_t)ui->preview.len, got, sizeof got);
			add_note(ui, bl_asprintf("The first %s of %s shown.\n", got, sz));
		}
	} else {
		char *why =
		        bl_text_safe(r->err.msg[0] ? r->err.msg : "the layer could not be read");
		add_note(ui, bl_asprintf("Its contents could not be read: %s\n", why));
		free(why);
	}
	read_free(ui);
	ui->popup = POPUP_NONE;
	ui_popup_open(ui, POPUP_PREVIEW);
	return false;
}

bool ui_pv_cancel(struct bl_ui *ui)
{
	struct pv_read *r = ui->pvr;
	if (!r)
		return false;
	bool was = bl_work_cancelled(&r->w);
	bl_work_cancel(&r->w);
	if (!was)
		bl_ui_status(ui, false, "Preview cancelled");
	return !was;
}

void ui_pv_fini(struct bl_ui *ui)
{
	if (!ui->pvr)
		return;
	ui_pv_cancel(ui);
	bl_work_join(&ui->pvr->w);
	read_free(ui);
}

void ui_pv_open(struct bl_ui *ui)
{
	struct bl_fileview_item it;
	if (!bl_fileview_selected(&ui->filesv, &it))
		return;
	if (it.dir && it.kind != FV_KIND_DELETED) {
		bl_view_do(&ui->filesv, BL_ACTION_OPEN_FILE);
		return;
	}
	if (ui_stores_busy(ui))
		return;
	free(ui->preview_title);
	free(ui->preview_note);
	char *p = bl_text_safe(it.path);
	ui->preview_title = bl_asprintf("%s (%s)", p, ui->fv_title);
	free(p);
	ui->preview_note = describe(ui, &it);
	bl_buf_clear(&ui->preview);
	ui->preview_bytes = false;
	const struct bl_file_entry *e = it.entry;
	const struct bl_node *ln = e && e->layer >= 0 ? bl_imagejob_layer(ui->fv_image->manifest,
	                                                        (size_t)e->layer, NULL)
	                                              : NULL;
	if (!ln || it.kind == FV_KIND_DELETED || e->type != BL_FILE_REGULAR || e->size <= 0) {
		ui->popup = POPUP_NONE;
		ui_popup_open(ui, POPUP_PREVIEW);
		return;
	}
	struct pv_read *r = bl_calloc(1, sizeof *r);
	r->layer = ln;
	r->seq = e->seq;
	bl_buf_init(&r->buf);
	struct bl_error err = {0};
	if (!bl_work_start(&r->w, read_run, r, "preview", "starting", &err)) {
		bl_buf_fini(&r->buf);
		free(r);
		add_note(ui, bl_asprintf("Its contents could not be read: %s\n", err.msg));
		ui->popup = POPUP_NONE;
		ui_popup_open(ui, POPUP_PREVIEW);
		return;
	}
	ui->pvr = r;
	ui->preview_size = e->size;
	char *safe = bl_text_safe(it.path);
	ui->ijob_state = (struct bl_load_state){0};
	snprintf(ui->ijob_state.what, sizeof ui->ijob_state.what, "reading %s", safe);
	free(safe);
}
