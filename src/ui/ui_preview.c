/* Enter on a file of the file tree: what it is, then its first bytes, read
 * on a worker thread (a registry layer is streamed up to the file) and
 * shown in the preview popup (ui_internal.h). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "ui_internal.h"

/* What the preview shows of a file at most: enough to see what it is. */
#define PREVIEW_BYTES (64 * 1024)

/* A file's first bytes being read. */
struct pv_read {
	pthread_t thread;
	pthread_mutex_t lock;
	bool done, cancel; /* under lock */
	const struct bl_node *layer;
	uint32_t seq;
	/* Written by the thread before it sets done: */
	struct bl_buf buf;
	bool full; /* stopped at PREVIEW_BYTES */
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
	pthread_mutex_lock(&r->lock);
	bool stop = r->cancel;
	pthread_mutex_unlock(&r->lock);
	if (stop)
		return false;
	size_t room = PREVIEW_BYTES - r->buf.len;
	bl_buf_append(&r->buf, buf, len < room ? len : room);
	if (r->buf.len >= PREVIEW_BYTES) {
		r->full = true;
		return false;
	}
	return true;
}

static void *read_run(void *arg)
{
	struct pv_read *r = arg;
	struct bl_error err = {0};
	bool ok = bl_layerfiles_cat_node(r->layer, r->seq, take_bytes, r, &err);
	pthread_mutex_lock(&r->lock);
	r->ok = ok || r->full;
	r->err = err;
	r->done = true;
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

static void read_free(struct bl_ui *ui)
{
	struct pv_read *r = ui->pvr;
	pthread_join(r->thread, NULL);
	pthread_mutex_destroy(&r->lock);
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
	pthread_mutex_lock(&r->lock);
	bool done = r->done, cancel = r->cancel;
	pthread_mutex_unlock(&r->lock);
	if (!done)
		return true;
	if (cancel) {
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
	pthread_mutex_lock(&r->lock);
	bool was = r->cancel;
	r->cancel = true;
	pthread_mutex_unlock(&r->lock);
	if (!was)
		bl_ui_status(ui, false, "Preview cancelled");
	return !was;
}

void ui_pv_fini(struct bl_ui *ui)
{
	if (!ui->pvr)
		return;
	ui_pv_cancel(ui);
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
	if (ui->pvr || ui->ijob || ui->ftb || ui->verify || ui->job) {
		bl_ui_status(ui, true, "Files are being read (Esc cancels)");
		return;
	}
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
	pthread_mutex_init(&r->lock, NULL);
	if (pthread_create(&r->thread, NULL, read_run, r) != 0) {
		pthread_mutex_destroy(&r->lock);
		bl_buf_fini(&r->buf);
		free(r);
		add_note(ui, bl_strdup("Its contents could not be read: no thread to read them\n"));
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
