/* F: the file tree of a layer or an image; W: the waste panel of an image
 * (ui_internal.h).
 *
 * An image's layers are listed in the background (bl_imagejob) and kept in
 * ui->images for the session, so a layer is streamed once however often its
 * tree is opened or stepped through; a tree of a layer only needs the
 * layers under it, the waste panel needs them all. A file's preview is
 * ui_preview.c's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/work.h"
#include "ui_internal.h"

/* Trees of layers with more entries (the layer and those under it) are
 * built on a worker thread: a million entries take a second or more. */
#define BUILD_OFF_THREAD 200000

/* A tree being built on a worker thread. The image's listing it reads is
 * marked busy meanwhile, so nothing appends to it. */
struct ft_build {
	struct bl_work w;
	const struct bl_image_files *files;
	size_t layer;
	bool merged;
	struct bl_fileview *fv; /* written before bl_work_done */
};

static void *build_run(void *arg)
{
	struct ft_build *b = arg;
	b->fv = bl_fileview_new(b->files, b->layer, b->merged);
	bl_work_done(&b->w);
	return NULL;
}

/* Wait for the build and take its tree (NULL when it could not start). */
static struct bl_fileview *build_finish(struct bl_ui *ui)
{
	struct ft_build *b = ui->ftb;
	bl_work_join(&b->w);
	struct bl_fileview *fv = b->fv;
	free(b);
	ui->ftb = NULL;
	ui->ijob_image->busy = false;
	return fv;
}

static void set_pending(struct bl_ui *ui, struct ft_image *im, size_t layer, bool merged,
        const char *path, const char *glob, bool waste)
{
	ui->ijob_image = im;
	ui->ijob_layer = layer;
	ui->ijob_merged = merged;
	ui->ijob_waste = waste;
	free(ui->ijob_path);
	ui->ijob_path = path ? bl_strdup(path) : NULL;
	free(ui->ijob_glob);
	ui->ijob_glob = glob ? bl_strdup(glob) : NULL;
	ui->ijob_state = (struct bl_load_state){0};
}

static void image_free(void *p)
{
	struct ft_image *im = p;
	bl_image_files_fini(&im->files);
	bl_waste_fini(&im->waste);
	free(im);
}

static struct ft_image *image_for(struct bl_ui *ui, const struct bl_node *manifest)
{
	if (!ui->images.free_fn)
		bl_vec_init(&ui->images, image_free);
	for (size_t i = 0; i < ui->images.len; i++) {
		struct ft_image *im = ui->images.items[i];
		if (im->manifest == manifest)
			return im;
	}
	struct ft_image *im = bl_calloc(1, sizeof *im);
	im->manifest = manifest;
	bl_image_files_init(&im->files);
	bl_waste_init(&im->waste);
	bl_vec_push_take(&ui->images, im);
	return im;
}

static void close_files(struct bl_ui *ui)
{
	if (!ui->files_open)
		return;
	bl_view_fini(&ui->filesv);
	bl_fileview_free(ui->fv);
	ui->fv = NULL;
	free(ui->fv_title);
	ui->fv_title = NULL;
	ui->files_open = false;
}

static void close_waste(struct bl_ui *ui)
{
	if (!ui->waste_open)
		return;
	bl_wasteview_fini(&ui->wastev);
	ui->waste_open = false;
}

/* Show the tree `fv` (taken) of `layer` of `im`, on `path` when the tree
 * has it, filtered by `glob`. */
static void attach_tree(struct bl_ui *ui, const struct ft_image *im, size_t layer,
        struct bl_fileview *fv, const char *path, const char *glob)
{
	char *keep = path ? bl_strdup(path) : NULL;
	close_files(ui);
	size_t count = 0;
	bl_imagejob_layer(im->manifest, 0, &count);
	ui->fv = fv;
	bl_fileview_init(&ui->filesv, ui->fv, &ui->ascii);
	ui->files_open = true;
	ui->fv_image = im;
	ui->fv_layer = layer;
	ui->fv_nlayers = count;
	struct bl_platform pf;
	char *plat = bl_node_image_platform(im->manifest, &pf) ? bl_platform_format(&pf) : NULL;
	bl_platform_fini(&pf);
	char *t = bl_asprintf(
	        "layer %zu/%zu%s%s", layer + 1, count, plat ? " of " : "", plat ? plat : "");
	ui->fv_title = bl_text_safe(t);
	free(t);
	free(plat);
	ui->popup = POPUP_NONE;
	ui->menu_open = false;
	if (glob)
		bl_fileview_set_glob(&ui->filesv, glob);
	if (keep && !bl_fileview_select(&ui->filesv, keep))
		bl_ui_status(ui, false, "Not in this %s: the nearest directory is selected",
		        bl_fileview_merged(fv) ? "image" : "layer's changes");
	free(keep);
}

/* The tree of `layer` of an image whose layers up to it are listed: at
 * once when it is small, else built on a worker thread (ui_ft_tick shows
 * it). */
static void open_tree(struct bl_ui *ui, struct ft_image *im, size_t layer, bool merged,
        const char *path, const char *glob)
{
	size_t entries = 0;
	for (size_t i = 0; i <= layer && i < im->files.len; i++)
		entries += im->files.layers[i].len;
	if (entries < BUILD_OFF_THREAD) {
		attach_tree(ui, im, layer, bl_fileview_new(&im->files, layer, merged), path, glob);
		return;
	}
	struct ft_build *b = bl_calloc(1, sizeof *b);
	b->files = &im->files;
	b->layer = layer;
	b->merged = merged;
	set_pending(ui, im, layer, merged, path, glob, false);
	if (!bl_work_start(&b->w, build_run, b, "file tree", "building the tree", NULL)) {
		free(b);
		attach_tree(ui, im, layer, bl_fileview_new(&im->files, layer, merged), path, glob);
		return;
	}
	ui->ftb = b;
	ui->ftb_cancel = false;
	im->busy = true;
	snprintf(ui->ijob_state.what, sizeof ui->ijob_state.what,
	        "building the tree of layer %zu (%zu entries)", layer + 1, entries);
}

static void show_waste(struct bl_ui *ui, const struct ft_image *im)
{
	close_files(ui);
	close_waste(ui);
	bl_wasteview_init(&ui->wastev, &im->waste, &im->files);
	ui->waste_open = true;
	ui->waste_image = im;
	ui->popup = POPUP_NONE;
	ui->menu_open = false;
}

/* Show what was asked, listing the layers it needs first when they are
 * not listed yet. */
static void want(struct bl_ui *ui, const struct bl_node *manifest, size_t layer, bool merged,
        const char *path, const char *glob, bool waste)
{
	/* One reader of the build's stores at a time: they are not shared
	 * between threads. */
	if (ui_stores_busy(ui))
		return;
	struct ft_image *im = image_for(ui, manifest);
	if (waste ? im->have_waste : im->files.len > layer) {
		if (waste)
			show_waste(ui, im);
		else
			open_tree(ui, im, layer, merged, path, glob);
		return;
	}
	struct bl_error err = {0};
	ui->ijob = bl_imagejob_start_take(
	        manifest, &im->files, waste ? SIZE_MAX : layer + 1, waste, &err);
	if (!ui->ijob) {
		bl_ui_status(ui, true, "Files: %s", err.msg);
		return;
	}
	im->busy = true;
	set_pending(ui, im, layer, merged, path, glob, waste);
	snprintf(ui->ijob_state.what, sizeof ui->ijob_state.what, "starting");
}

bool ui_ft_tick(struct bl_ui *ui)
{
	if (ui->ftb) {
		struct bl_load_state st;
		bl_work_poll(&ui->ftb->w, &st);
		if (!st.done)
			return true;
		struct bl_fileview *fv = build_finish(ui);
		if (ui->ftb_cancel) {
			bl_fileview_free(fv);
			bl_ui_status(ui, false, "File tree cancelled");
		} else {
			attach_tree(ui, ui->ijob_image, ui->ijob_layer, fv, ui->ijob_path,
			        ui->ijob_glob);
		}
		return false;
	}
	if (!ui->ijob)
		return false;
	bl_imagejob_poll(ui->ijob, &ui->ijob_state);
	if (!ui->ijob_state.done)
		return true;
	struct ft_image *im = ui->ijob_image;
	struct bl_error err = {0};
	bl_waste_fini(&im->waste);
	bl_waste_init(&im->waste);
	bool ok =
	        bl_imagejob_finish(ui->ijob, &im->files, ui->ijob_waste ? &im->waste : NULL, &err);
	ui->ijob = NULL;
	im->busy = false;
	if (!ok) {
		if (err.code == BL_E_CANCELLED)
			bl_ui_status(ui, false, "File listing cancelled");
		else
			bl_ui_status(ui, true, "Files: %s",
			        err.msg[0] ? err.msg : "the layers could not be read");
		return false;
	}
	if (ui->ijob_waste) {
		im->have_waste = true;
		show_waste(ui, im);
	} else if (im->files.len > ui->ijob_layer) {
		open_tree(ui, im, ui->ijob_layer, ui->ijob_merged, ui->ijob_path, ui->ijob_glob);
		return ui->ftb != NULL;
	}
	return false;
}

bool ui_ft_cancel(struct bl_ui *ui)
{
	if (ui_pv_cancel(ui))
		return true;
	if (ui->ftb) {
		ui->ftb_cancel = true;
		return true;
	}
	if (!ui->ijob)
		return false;
	bl_imagejob_cancel(ui->ijob);
	return true;
}

bool ui_ft_close(struct bl_ui *ui)
{
	if (ui->files_open) {
		close_files(ui);
		return true;
	}
	if (ui->waste_open) {
		close_waste(ui);
		return true;
	}
	return false;
}

/* The manifest a selection stands for, and the layer's index in it. */
static const struct bl_node *manifest_of(const struct bl_node *n, bool *is_layer, size_t *layer)
{
	*is_layer = false;
	if (n && n->kind == BL_NODE_CONFIG && n->parent && n->parent->kind == BL_NODE_MANIFEST)
		return n->parent;
	if (n && n->kind == BL_NODE_MANIFEST)
		return n;
	if (n && n->kind == BL_NODE_LAYER && n->parent && n->parent->kind == BL_NODE_MANIFEST) {
		size_t count = 0;
		for (size_t i = 0;; i++) {
			const struct bl_node *l = bl_imagejob_layer(n->parent, i, &count);
			if (!l)
				return NULL;
			if (l == n) {
				*layer = i;
				*is_layer = true;
				return n->parent;
			}
		}
	}
	return NULL;
}

void ui_ft_open_files(struct bl_ui *ui)
{
	bool is_layer;
	size_t layer = 0, count = 0;
	const struct bl_node *m = manifest_of(bl_ui_selected(ui), &is_layer, &layer);
	if (!m) {
		bl_ui_status(ui, true,
		        "Select a layer (its changes) or a manifest (the image as of its top "
		        "layer)");
		return;
	}
	bl_imagejob_layer(m, 0, &count);
	if (!count) {
		bl_ui_status(ui, true, "This image has no layers");
		return;
	}
	want(ui, m, is_layer ? layer : count - 1, !is_layer, NULL, NULL, false);
}

void ui_ft_open_waste(struct bl_ui *ui)
{
	bool is_layer;
	size_t layer = 0;
	const struct bl_node *m = manifest_of(bl_ui_selected(ui), &is_layer, &layer);
	if (!m || is_layer) {
		bl_ui_status(ui, true, "Select a manifest: the waste panel is about a whole image");
		return;
	}
	want(ui, m, 0, false, NULL, NULL, true);
}

void ui_ft_glob(struct bl_ui *ui, const char *glob)
{
	if (ui->files_open)
		bl_fileview_set_glob(&ui->filesv, glob);
}

/* [ and ]: the same path one layer down or up. */
static void step(struct bl_ui *ui, int dir)
{
	if (dir < 0 && ui->fv_layer == 0) {
		bl_ui_status(ui, false, "This is the bottom layer");
		return;
	}
	if (dir > 0 && ui->fv_layer + 1 >= ui->fv_nlayers) {
		bl_ui_status(ui, false, "This is the top layer");
		return;
	}
	struct bl_fileview_item it;
	char *path = bl_fileview_selected(&ui->filesv, &it) ? bl_strdup(it.path) : NULL;
	char *glob = bl_fileview_glob(ui->fv) ? bl_strdup(bl_fileview_glob(ui->fv)) : NULL;
	size_t to = dir < 0 ? ui->fv_layer - 1 : ui->fv_layer + 1;
	want(ui, ui->fv_image->manifest, to, bl_fileview_merged(ui->fv), path, glob, false);
	free(glob);
	free(path);
}

bool ui_ft_do(struct bl_ui *ui, enum bl_action a)
{
	if (ui->popup != POPUP_NONE || ui->menu_open)
		return false;
	if (ui->files_open) {
		struct bl_fileview_item it;
		switch (a) {
		case BL_ACTION_OPEN_FILE:
			ui_pv_open(ui);
			return true;
		case BL_ACTION_LAYER_BELOW:
		case BL_ACTION_LAYER_ABOVE:
			step(ui, a == BL_ACTION_LAYER_BELOW ? -1 : 1);
			return true;
		case BL_ACTION_MERGED: {
			char *path =
			        bl_fileview_selected(&ui->filesv, &it) ? bl_strdup(it.path) : NULL;
			const char *g = bl_fileview_glob(ui->fv);
			char *glob = g ? bl_strdup(g) : NULL;
			want(ui, ui->fv_image->manifest, ui->fv_layer, !bl_fileview_merged(ui->fv),
			        path, glob, false);
			free(glob);
			free(path);
			return true;
		}
		default:
			return false;
		}
	}
	if (ui->waste_open && a == BL_ACTION_GO_TO_FILE) {
		const char *path;
		size_t layer;
		if (!bl_wasteview_selected(&ui->wastev, &path, &layer)) {
			bl_ui_status(ui, false, "Select a file line");
			return true;
		}
		/* The waste panel stays under the tree: Esc goes back to it. */
		want(ui, ui->waste_image->manifest, layer, false, path, NULL, false);
		return true;
	}
	return false;
}

void ui_ft_draw(struct bl_ui *ui, struct bl_canvas *c, int bh)
{
	int w = c->w;
	bl_canvas_fill(c, 0, 1, w, BL_ROLE_DEFAULT);
	if (ui->files_open) {
		struct bl_buf h;
		bl_buf_init(&h);
		bl_buf_printf(&h, "%s, ", ui->fv_title);
		bl_fileview_describe(ui->fv, &h);
		bl_canvas_put(c, 1, 1, w - 1, BL_ROLE_HEADING, bl_buf_str(&h));
		bl_buf_fini(&h);
		bl_view_draw(&ui->filesv, c, 0, 2, w, bh - 1, BL_ROLE_CURSOR);
		if (!bl_fileview_rows(ui->fv))
			bl_canvas_put(c, 2, 3, w - 2, BL_ROLE_GUIDE,
			        bl_fileview_glob(ui->fv) || !bl_fileview_merged(ui->fv)
			                ? "Nothing to show: no change, or nothing matches the "
			                  "filter"
			                : "Nothing to show: the image is empty as of this layer");
		return;
	}
	char *t = bl_text_safe(ui->waste_image->manifest->label);
	char *head = bl_asprintf("Wasted space of %s (%zu layers)", t, ui->waste_image->files.len);
	bl_canvas_put(c, 1, 1, w - 1, BL_ROLE_HEADING, head);
	free(head);
	free(t);
	bl_view_draw(&ui->wastev, c, 1, 2, w - 2, bh - 1, BL_ROLE_CURSOR);
}

void ui_ft_fini(struct bl_ui *ui)
{
	ui_pv_fini(ui);
	if (ui->ftb)
		bl_fileview_free(build_finish(ui));
	if (ui->ijob) {
		struct bl_image_files tmp;
		bl_imagejob_cancel(ui->ijob);
		bl_imagejob_finish(ui->ijob, &tmp, NULL, NULL);
		bl_image_files_fini(&tmp);
		ui->ijob = NULL;
	}
	close_files(ui);
	close_waste(ui);
	if (ui->images.free_fn)
		bl_vec_fini(&ui->images);
	memset(&ui->images, 0, sizeof ui->images);
	free(ui->ijob_path);
	free(ui->ijob_glob);
	ui->ijob_path = ui->ijob_glob = NULL;
}
