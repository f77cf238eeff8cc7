/* The explorer's state: layout, focus, popups, prompt, copy menu, status bar
 * (ui.h). No terminal here: input comes in as keys and actions, output goes
 * into a canvas. */
#include "bakelens/ui.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bakelens/explain.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/tree.h"
#include "bakelens/view.h"

enum focus { FOCUS_TREE, FOCUS_DETAIL };
enum popup { POPUP_NONE, POPUP_HELP, POPUP_MESSAGES, POPUP_EXPLAIN, POPUP_FILES };
enum prompt { PROMPT_NONE, PROMPT_SEARCH, PROMPT_FILTER };

struct menu_entry {
	char key;
	const char *label;
};

static const struct menu_entry menu_entries[] = {
	{'d', "digest"}, {'r', "name@digest"}, {'s', "short digest"},
	{'i', "diff_id"}, {'c', "ChainID"}, {'j', "node JSON"},
};
#define MENU_LEN (sizeof menu_entries / sizeof menu_entries[0])

struct bl_ui {
	const struct bl_settings *s;
	const struct bl_keymap *km;
	struct bl_build *build;
	char *title;
	bool loading;
	bool cancelling;          /* Esc pressed while loading */
	long long loading_since;  /* ms, monotonic; 0 before the first report */
	struct bl_load_state load;

	struct bl_tree tree;
	bool have_tree;
	struct bl_view treev;
	struct bl_doc detail;
	struct bl_view detailv;
	const struct bl_node *detail_node;
	int detail_width;
	enum focus focus;

	enum popup popup;
	struct bl_doc popdoc;
	struct bl_view popv;
	int pop_width;

	bool menu_open;
	size_t menu_cursor;
	char menu_keys[MENU_LEN]; /* entries available for the node */
	size_t menu_len;

	enum prompt prompt;
	struct bl_buf input;
	char *saved_filter;

	char *status;
	bool status_error;
	bool quit, cancel, redraw;
	bool has_copy;
	struct bl_copy_request copy;
	struct bl_vec messages; /* char *, escaped */

	int w, h, tree_w;
	bool ascii;

	/* The compare view. */
	const struct bl_node *mark;    /* marked in the tree (M), borrowed */
	bool cmp_open;
	bool cmp_only;                 /* bakelens --diff: nothing beneath */
	/* What is compared: two builds (bl_ui_set_compare) or two nodes (M, =),
	 * all borrowed; kept so that the comparison can be made again. */
	const struct bl_build *cmp_bl, *cmp_br;
	const struct bl_node *cmp_nl, *cmp_nr;
	bool ignore_timestamps;        /* timestamps do not count (t) */
	struct bl_cmp *cmp;            /* of two builds, owned, or NULL */
	struct bl_cmp_node *cmp_owned; /* of two nodes, owned, or NULL */
	struct bl_cmp_node *cmp_root;
	char *cmp_left, *cmp_right;    /* column headings, display-safe */
	struct bl_view cmpv;
	struct bl_doc cmpdoc;
	struct bl_view cmpdocv;
	const struct bl_cmp_node *cmpdoc_node;
	int cmpdoc_width;
	bool cmpdoc_dirty;
	bool cmp_focus_detail;
	int cmp_rows_y, cmp_rows_h;    /* where the rows were drawn (mouse) */
	/* File diff of a layer pair, off the UI thread. */
	struct bl_filediff *job;
	const struct bl_node *job_left, *job_right;
	bool job_listing;              /* the job lists job_left's files (F in the tree) */
	struct bl_load_state job_state;
	struct bl_vec files;           /* struct files *, owned */
	/* The last file listing, shown in the files pager. */
	struct bl_filediff_result *listing;
	char *listing_title;           /* display-safe */
	bool listing_image;            /* a whole image: entries say their layer */
};

/* Files of a layer pair, by the pair's nodes (the comparison's nodes are
 * made again when timestamps are toggled; the builds' stay). */
struct files {
	const struct bl_node *left, *right;
	struct bl_filediff_result *result; /* NULL when it failed */
	char *error;
};

static void files_free(void *p)
{
	struct files *f = p;
	if (!f)
		return;
	bl_filediff_result_free(f->result);
	free(f->error);
	free(f);
}

struct bl_ui *bl_ui_new(const struct bl_settings *s, const struct bl_keymap *km)
{
	struct bl_ui *ui = bl_calloc(1, sizeof *ui);
	ui->s = s;
	ui->km = km;
	ui->ascii = s->ascii;
	bl_doc_init(&ui->detail);
	bl_doc_init(&ui->popdoc);
	bl_docview_init(&ui->detailv, &ui->detail, BL_SCOPE_DETAIL);
	bl_docview_init(&ui->popv, &ui->popdoc, BL_SCOPE_PAGER);
	bl_buf_init(&ui->input);
	bl_vec_init(&ui->messages, free);
	bl_vec_init(&ui->files, files_free);
	bl_doc_init(&ui->cmpdoc);
	bl_docview_init(&ui->cmpdocv, &ui->cmpdoc, BL_SCOPE_DETAIL);
	ui->w = 80;
	ui->h = 24;
	return ui;
}

void bl_copy_request_fini(struct bl_copy_request *r)
{
	free(r->text);
	free(r->what);
	r->text = r->what = NULL;
}

static void close_compare(struct bl_ui *ui)
{
	if (ui->job) {
		bl_filediff_cancel(ui->job);
		bl_filediff_result_free(bl_filediff_finish(ui->job, NULL));
		ui->job = NULL;
		ui->job_listing = false;
	}
	bl_vec_fini(&ui->files);
	bl_vec_init(&ui->files, files_free);
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

static void open_compare(struct bl_ui *ui, struct bl_cmp_node *root, const char *left,
	const char *right)
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

void bl_ui_set_compare(struct bl_ui *ui, const struct bl_build *left,
	const struct bl_build *right, const char *lname, const char *rname)
{
	close_compare(ui);
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

static const struct files *files_for(const struct bl_ui *ui, const struct bl_cmp_node *n)
{
	for (size_t i = 0; i < ui->files.len; i++) {
		const struct files *f = bl_vec_get(&ui->files, i);
		if (f->left == n->left && f->right == n->right)
			return f;
	}
	return NULL;
}

/* The comparison node of a pair of the builds' nodes, or NULL. */
static struct bl_cmp_node *cmp_node_of(struct bl_cmp_node *n, const struct bl_node *left,
	const struct bl_node *right)
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
static void apply_files(struct bl_ui *ui, struct files *f)
{
	if (!f->result)
		return;
	struct bl_filediff_result *r = f->result;
	bl_file_diff_fini(&r->diff);
	bl_file_diff_init(&r->diff);
	struct bl_file_diff_opts fo = {.ignore_timestamps = ui->ignore_timestamps};
	bl_layerfiles_diff(&r->left, &r->right, &fo, &r->diff);
	struct bl_cmp_node *n = cmp_node_of(ui->cmp_root, f->left, f->right);
	if (!n || !ui->ignore_timestamps || r->diff.len != 0 || n->own != BL_CMP_CONTENT)
		return;
	char *why = bl_asprintf("files identical apart from timestamps (%zu entr%s only in "
		"mtime; ignored)", r->diff.timestamps_ignored,
		r->diff.timestamps_ignored == 1 ? "y differs" : "ies differ");
	bl_cmp_node_reclassify(n, BL_CMP_IDENTICAL, why);
	free(why);
	if (ui->cmp)
		bl_cmp_platforms_refresh(ui->cmp);
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
		apply_files(ui, bl_vec_get(&ui->files, i));
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

static void open_popup(struct bl_ui *ui, enum popup p);

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
			bl_ui_status(ui, true, "Files: %s", err.msg[0] ? err.msg : "the layers could not be read");
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
	char *label = bl_asprintf("%s%s%s", ui->listing_image ? "image" :
		n->label ? n->label : "layer", plat ? (ui->listing_image ? " " : " of ") : "",
		plat ? plat : "");
	ui->listing_title = bl_text_safe(label);
	free(label);
	free(plat);
	bl_ui_status(ui, false, "%zu entr%s in %s", r->left.len, r->left.len == 1 ? "y" : "ies",
		ui->listing_title);
	ui->popup = POPUP_NONE;
	open_popup(ui, POPUP_FILES);
}

bool bl_ui_tick(struct bl_ui *ui)
{
	if (!ui->job)
		return false;
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
		files_free(f);
		bl_ui_status(ui, false, "File diff cancelled");
		return false;
	}
	if (f->result) {
		/* The options may have changed while the job ran. */
		apply_files(ui, f);
		const struct bl_file_diff *d = &f->result->diff;
		char ignored[64] = "";
		if (d->timestamps_ignored)
			snprintf(ignored, sizeof ignored, " (%zu differ only in timestamps, ignored)",
				d->timestamps_ignored);
		bl_ui_status(ui, false, "Files compared: %zu added, %zu removed, %zu changed, %zu "
			"metadata only%s", d->counts[BL_FCHANGE_ADDED], d->counts[BL_FCHANGE_REMOVED],
			d->counts[BL_FCHANGE_CONTENT], d->counts[BL_FCHANGE_METADATA], ignored);
	} else {
		f->error = bl_strdup(err.msg[0] ? err.msg : "the layers could not be read");
		bl_ui_status(ui, true, "File diff failed: %s", f->error);
	}
	bl_vec_push(&ui->files, f);
	ui->cmpdoc_dirty = true;
	return false;
}

static void start_file_diff(struct bl_ui *ui)
{
	const struct bl_cmp_node *n = bl_ui_compare_selected(ui);
	if (!n || n->kind != BL_NODE_LAYER || !n->left || !n->right) {
		bl_ui_status(ui, true, "A file diff needs a layer on both sides: select a layer pair");
		return;
	}
	if (ui->job) {
		bl_ui_status(ui, true, "A file diff is running (Esc cancels it)");
		return;
	}
	if (files_for(ui, n)) {
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
static void start_listing(struct bl_ui *ui)
{
	const struct bl_node *n = bl_ui_selected(ui);
	if (n && n->kind == BL_NODE_CONFIG && n->parent && n->parent->kind == BL_NODE_MANIFEST)
		n = n->parent;
	if (!n || (n->kind != BL_NODE_LAYER && n->kind != BL_NODE_MANIFEST)) {
		bl_ui_status(ui, true, "Select a layer (its files) or a manifest (the whole image)");
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

void bl_ui_free(struct bl_ui *ui)
{
	if (!ui)
		return;
	close_compare(ui);
	bl_filediff_result_free(ui->listing);
	free(ui->listing_title);
	bl_vec_fini(&ui->files);
	bl_view_fini(&ui->cmpdocv);
	bl_doc_fini(&ui->cmpdoc);
	if (ui->have_tree) {
		bl_treeview_fini(&ui->treev);
		bl_tree_fini(&ui->tree);
	}
	bl_view_fini(&ui->detailv);
	bl_view_fini(&ui->popv);
	bl_doc_fini(&ui->detail);
	bl_doc_fini(&ui->popdoc);
	bl_buf_fini(&ui->input);
	bl_vec_fini(&ui->messages);
	bl_copy_request_fini(&ui->copy);
	free(ui->saved_filter);
	free(ui->status);
	free(ui->title);
	free(ui);
}

void bl_ui_set_build(struct bl_ui *ui, struct bl_build *b, const char *title)
{
	if (ui->have_tree) {
		bl_treeview_fini(&ui->treev);
		bl_tree_fini(&ui->tree);
		ui->have_tree = false;
	}
	ui->build = b;
	ui->mark = NULL;
	ui->loading = false;
	free(ui->title);
	ui->title = bl_text_safe(title);
	ui->detail_node = NULL;
	if (!b)
		return;
	bl_tree_init(&ui->tree, b->root, ui->s->expand_depth);
	bl_treeview_init(&ui->treev, &ui->tree, &ui->ascii);
	ui->have_tree = true;
}

static long long mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void bl_ui_set_loading(struct bl_ui *ui, const struct bl_load_state *st)
{
	ui->loading = st != NULL;
	if (st) {
		ui->load = *st;
		if (!ui->loading_since)
			ui->loading_since = mono_ms();
	} else {
		ui->loading_since = 0;
		ui->cancelling = false;
	}
}

void bl_ui_add_message(struct bl_ui *ui, const char *msg)
{
	bl_vec_push(&ui->messages, bl_text_safe(msg));
}

static void vstatus(struct bl_ui *ui, bool error, const char *fmt, va_list ap)
{
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_vprintf(&b, fmt, ap);
	free(ui->status);
	/* Status text may quote input (a search): never raw. */
	ui->status = bl_text_safe(bl_buf_str(&b));
	ui->status_error = error;
	bl_buf_fini(&b);
}

void bl_ui_status(struct bl_ui *ui, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vstatus(ui, error, fmt, ap);
	va_end(ap);
}

bool bl_ui_quit_requested(const struct bl_ui *ui)
{
	return ui->quit;
}

bool bl_ui_take_cancel(struct bl_ui *ui)
{
	bool c = ui->cancel;
	ui->cancel = false;
	return c;
}

bool bl_ui_take_redraw(struct bl_ui *ui)
{
	bool r = ui->redraw;
	ui->redraw = false;
	return r;
}

bool bl_ui_take_copy(struct bl_ui *ui, struct bl_copy_request *out)
{
	if (!ui->has_copy)
		return false;
	*out = ui->copy;
	ui->copy = (struct bl_copy_request){0};
	ui->has_copy = false;
	return true;
}

bool bl_ui_search(struct bl_ui *ui, const char *query)
{
	if (!ui->have_tree)
		return false;
	return bl_view_search(&ui->treev, query, 1) == BL_MOVED;
}

bool bl_ui_select_target(struct bl_ui *ui, const char *name)
{
	if (!ui->have_tree)
		return false;
	for (size_t i = 0; i < ui->tree.len; i++) {
		const struct bl_node *n = ui->tree.rows[i].node;
		if (n->kind == BL_NODE_TARGET && n->label && strcmp(n->label, name) == 0) {
			ui->treev.cursor = i;
			bl_view_clamp(&ui->treev);
			return true;
		}
	}
	return false;
}

bool bl_ui_select_platform(struct bl_ui *ui, const char *platform)
{
	struct bl_platform want;
	memset(&want, 0, sizeof want);
	if (!ui->have_tree || !bl_platform_parse(platform, &want, NULL))
		return false;
	/* Within the selected target when one is selected, else anywhere. */
	size_t from = 0;
	const struct bl_node *sel = bl_ui_selected(ui);
	bool in_target = sel && sel->kind == BL_NODE_TARGET;
	if (in_target)
		from = ui->treev.cursor;
	bool found = false;
	for (size_t i = from; i < ui->tree.len && !found; i++) {
		const struct bl_node *n = ui->tree.rows[i].node;
		if (in_target && i > from && n->kind == BL_NODE_TARGET)
			break;
		const struct bl_platform *have = n->kind == BL_NODE_MANIFEST ? bl_node_platform(n) : NULL;
		if (have && bl_platform_match(&want, have)) {
			ui->treev.cursor = i;
			bl_view_clamp(&ui->treev);
			found = true;
		}
	}
	bl_platform_fini(&want);
	return found;
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

/* Copying */

/* A reference is printable ASCII without spaces (distribution spec); a name
 * with anything else (a newline, an escape sequence) would run commands or
 * drive the terminal when pasted, so it is never copied as one. */
static bool plain_reference(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static const char *nearest_name(const struct bl_node *n)
{
	for (; n; n = n->parent)
		if (n->name && *n->name)
			return plain_reference(n->name) ? n->name : NULL;
	return NULL;
}

/* JSON to copy: C1 and bidi controls inside strings (jansson keeps them
 * raw) written as \uXXXX, the same JSON, so a paste shows them and a
 * terminal echoing it does not act on them. */
static char *paste_safe_json(char *json)
{
	if (bl_text_is_safe(json, strlen(json)))
		return json;
	struct bl_buf b;
	bl_buf_init(&b);
	const unsigned char *p = (const unsigned char *)json;
	while (*p) {
		size_t n = (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 1;
		size_t avail = strnlen((const char *)p, n);
		if (avail < n)
			n = avail;
		if (n > 1 && !bl_text_is_safe((const char *)p, n)) {
			uint32_t cp = n == 2 ? (p[0] & 0x1fu) << 6 | (p[1] & 0x3fu) :
				n == 3 ? (p[0] & 0x0fu) << 12 | (p[1] & 0x3fu) << 6 | (p[2] & 0x3fu) : 0xfffd;
			bl_buf_printf(&b, "\\u%04x", (unsigned)cp);
		} else {
			bl_buf_append(&b, p, n);
		}
		p += n;
	}
	free(json);
	return bl_buf_take(&b);
}

/* "ghcr.io/o/r:tag" -> "ghcr.io/o/r"; the first of "a,b". */
static char *repo_of(const char *name)
{
	size_t len = strcspn(name, ",");
	char *r = bl_strndup(name, len);
	char *at = strchr(r, '@');
	if (at)
		*at = '\0';
	char *slash = strrchr(r, '/');
	char *colon = strrchr(slash ? slash : r, ':');
	if (colon)
		*colon = '\0';
	return r;
}

char *bl_ui_copy_text(const struct bl_node *n, char entry, const char **what)
{
	if (!n)
		return NULL;
	/* A target's digest is its root document's (index or manifest). */
	if (n->kind == BL_NODE_TARGET && !n->has_desc && n->children.len && entry != 'j') {
		const struct bl_node *root = n->children.items[0];
		if (root->has_desc && !root->name && entry == 'r') {
			const char *name = nearest_name(n);
			if (!name || !bl_digest_is_set(&root->desc.digest))
				return (*what = "name@digest", NULL);
			char *repo = repo_of(name);
			char *s = bl_asprintf("%s@%s", repo, root->desc.digest.str);
			free(repo);
			*what = "name@digest";
			return s;
		}
		n = root;
	}
	bool has_digest = n->has_desc && bl_digest_is_set(&n->desc.digest);
	switch (entry) {
	case 'd':
		*what = "digest";
		return has_digest ? bl_strdup(n->desc.digest.str) : NULL;
	case 'r': {
		*what = "name@digest";
		const char *name = nearest_name(n);
		if (!has_digest || !name)
			return NULL;
		char *repo = repo_of(name);
		char *s = bl_asprintf("%s@%s", repo, n->desc.digest.str);
		free(repo);
		return s;
	}
	case 's': {
		*what = "short digest";
		if (!has_digest)
			return NULL;
		char sd[32];
		bl_digest_short(&n->desc.digest, sd, sizeof sd);
		return bl_strdup(sd);
	}
	case 'i':
		*what = "diff_id";
		return n->layer && n->layer->has_diff_id ? bl_strdup(n->layer->diff_id.str) : NULL;
	case 'c':
		*what = "ChainID";
		return n->layer && n->layer->has_chain_id ? bl_strdup(n->layer->chain_id.str) : NULL;
	case 'j':
		*what = "JSON";
		if (n->doc)
			return paste_safe_json(bl_json_pretty(n->doc));
		if (n->has_desc && n->desc.raw)
			return paste_safe_json(bl_json_pretty(n->desc.raw));
		return NULL;
	default:
		return NULL;
	}
}

static void request_copy(struct bl_ui *ui, char entry)
{
	const struct bl_node *n = bl_ui_selected(ui);
	const char *what = "";
	char *text = bl_ui_copy_text(n, entry, &what);
	if (!text) {
		bl_ui_status(ui, true, "Nothing to copy: this node has no %s", what);
		return;
	}
	bl_copy_request_fini(&ui->copy);
	ui->copy.text = text;
	ui->copy.what = bl_strdup(what);
	ui->has_copy = true;
}

static void open_menu(struct bl_ui *ui)
{
	const struct bl_node *n = bl_ui_selected(ui);
	ui->menu_len = 0;
	for (size_t i = 0; i < MENU_LEN; i++) {
		const char *what;
		char *t = bl_ui_copy_text(n, menu_entries[i].key, &what);
		if (t)
			ui->menu_keys[ui->menu_len++] = menu_entries[i].key;
		free(t);
	}
	if (ui->menu_len == 0) {
		bl_ui_status(ui, true, "Nothing to copy for this node");
		return;
	}
	ui->menu_open = true;
	ui->menu_cursor = 0;
}

static const char *menu_label(char key)
{
	for (size_t i = 0; i < MENU_LEN; i++)
		if (menu_entries[i].key == key)
			return menu_entries[i].label;
	return "";
}

/* Popups */

static int body_h(const struct bl_ui *ui)
{
	return ui->h > 2 ? ui->h - 2 : 1;
}

static void build_help(struct bl_ui *ui, int width)
{
	struct bl_doc *d = &ui->popdoc;
	struct bl_buf keys;
	bl_buf_init(&keys);
	bl_doc_add(d, BL_ROLE_HEADING, "bakelens keys");
	bl_doc_newline(d);
	char *path = bl_config_path();
	bl_doc_add(d, BL_ROLE_DEFAULT, "Rebind in ");
	bl_doc_add_raw(d, BL_ROLE_NAME, path);
	bl_doc_add(d, BL_ROLE_DEFAULT, " with: bind SCOPE KEY ACTION");
	free(path);
	for (int s = 0; s < BL_SCOPE_COUNT; s++) {
		bool any = false;
		for (int a = 1; a < BL_ACTION_COUNT; a++) {
			bl_keymap_keys_for(ui->km, (enum bl_scope)s, (enum bl_action)a, &keys);
			if (!keys.len)
				continue;
			if (!any) {
				bl_doc_newline(d);
				bl_doc_newline(d);
				bl_doc_add(d, BL_ROLE_HEADING, bl_scope_name((enum bl_scope)s));
				bl_doc_add(d, BL_ROLE_DEFAULT, ": ");
				bl_doc_add(d, BL_ROLE_DEFAULT, bl_scope_help((enum bl_scope)s));
				any = true;
			}
			bl_doc_newline(d);
			char line[64];
			snprintf(line, sizeof line, "  %-22s", bl_buf_str(&keys));
			bl_doc_add(d, BL_ROLE_FACT_KEY, line);
			snprintf(line, sizeof line, " %-13s ", bl_action_name((enum bl_action)a));
			bl_doc_add(d, BL_ROLE_NAME, line);
			bl_doc_wrap(d, BL_ROLE_DEFAULT, bl_action_help((enum bl_action)a), width, 40);
		}
	}
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_HEADING, "copy menu");
	for (size_t i = 0; i < MENU_LEN; i++) {
		bl_doc_newline(d);
		char line[64];
		snprintf(line, sizeof line, "  %c  %s", menu_entries[i].key, menu_entries[i].label);
		bl_doc_add(d, BL_ROLE_DEFAULT, line);
	}
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_HEADING, "prompts");
	bl_doc_newline(d);
	bl_doc_wrap(d, BL_ROLE_DEFAULT,
		"  In a search or filter prompt: Enter accepts, Esc cancels, Backspace deletes. "
		"A digest prefix (with or without sha256:) matches. Mouse: click selects, a "
		"second click toggles, the wheel scrolls.",
		width, 2);
	bl_buf_fini(&keys);
}

static void build_messages(struct bl_ui *ui, int width)
{
	struct bl_doc *d = &ui->popdoc;
	size_t count = 0;
	if (ui->build && ui->build->warnings.len) {
		bl_doc_add(d, BL_ROLE_HEADING, "Build warnings (buildx.build.warnings)");
		for (size_t i = 0; i < ui->build->warnings.len; i++) {
			const struct bl_warning *w = ui->build->warnings.items[i];
			bl_doc_newline(d);
			bl_doc_newline(d);
			bl_doc_add_raw(d, BL_ROLE_WARNING, w->level ? w->level : "warning");
			bl_doc_add(d, BL_ROLE_WARNING, ": ");
			char *rule = bl_text_safe(w->rule ? w->rule : "");
			bl_doc_wrap(d, BL_ROLE_WARNING, rule, width, 2);
			free(rule);
			if (w->file) {
				bl_doc_newline(d);
				bl_doc_add(d, BL_ROLE_DEFAULT, "  at ");
				char *f = bl_text_safe(w->file);
				char *loc = w->line > 0 ? bl_asprintf("%s:%d", f, w->line) : bl_strdup(f);
				bl_doc_add(d, BL_ROLE_NAME, loc);
				free(loc);
				free(f);
			}
			if (w->target) {
				bl_doc_newline(d);
				bl_doc_add(d, BL_ROLE_DEFAULT, "  target ");
				bl_doc_add_raw(d, BL_ROLE_NODE_TARGET, w->target);
			}
			if (w->detail) {
				bl_doc_newline(d);
				bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
				/* The detail holds newlines of its own: keep them as
				 * lines, escape the rest. */
				const char *p = w->detail;
				bool first = true;
				for (;;) {
					const char *nl = strchr(p, '\n');
					char *part = bl_strndup(p, nl ? (size_t)(nl - p) : strlen(p));
					char *safe = bl_text_safe(part);
					if (!first) {
						bl_doc_newline(d);
						bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
					}
					bl_doc_wrap(d, BL_ROLE_DEFAULT, safe, width, 2);
					free(safe);
					free(part);
					first = false;
					if (!nl)
						break;
					p = nl + 1;
				}
			}
			if (w->url) {
				bl_doc_newline(d);
				bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
				bl_doc_add_raw(d, BL_ROLE_DIGEST, w->url);
			}
			count++;
		}
	}
	if (ui->build && ui->build->messages.len) {
		if (d->len)
			bl_doc_newline(d);
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_HEADING, "Load messages");
		for (size_t i = 0; i < ui->build->messages.len; i++) {
			bl_doc_newline(d);
			char *m = bl_text_safe(ui->build->messages.items[i]);
			bl_doc_wrap(d, BL_ROLE_DEFAULT, m, width, 2);
			free(m);
			count++;
		}
	}
	if (ui->messages.len) {
		if (d->len)
			bl_doc_newline(d);
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_HEADING, "Settings");
		for (size_t i = 0; i < ui->messages.len; i++) {
			bl_doc_newline(d);
			bl_doc_wrap(d, BL_ROLE_DEFAULT, ui->messages.items[i], width, 2);
			count++;
		}
	}
	if (count == 0)
		bl_doc_add(d, BL_ROLE_DEFAULT, "No messages: the build loaded without warnings.");
}

/* Entries shown in the files pager; `bakelens ls` lists any number. */
#define FILES_LISTED 50000

static void build_files(struct bl_ui *ui, int width)
{
	struct bl_doc *d = &ui->popdoc;
	const struct bl_file_list *l = ui->listing ? &ui->listing->left : NULL;
	if (!l) {
		bl_doc_add(d, BL_ROLE_DEFAULT, "No files listed yet.");
		return;
	}
	char head[96];
	snprintf(head, sizeof head, ": %zu entr%s", l->len, l->len == 1 ? "y" : "ies");
	bl_doc_add(d, BL_ROLE_HEADING, ui->listing_title);
	bl_doc_add(d, BL_ROLE_HEADING, head);
	if (ui->listing_image) {
		bl_doc_newline(d);
		bl_doc_wrap(d, BL_ROLE_GUIDE, "whiteouts applied; [N] is the layer a file comes from "
			"(0 is the bottom)", width, 0);
	}
	struct bl_buf line;
	bl_buf_init(&line);
	for (size_t i = 0; i < l->len && i < FILES_LISTED; i++) {
		bl_buf_clear(&line);
		bl_file_entry_line(&l->items[i], ui->listing_image, &line);
		bl_doc_newline(d);
		bl_doc_add(d, l->items[i].type == BL_FILE_DIR ? BL_ROLE_FACT_KEY : BL_ROLE_DEFAULT,
			bl_buf_str(&line));
	}
	bl_buf_fini(&line);
	if (l->len > FILES_LISTED) {
		char more[96];
		snprintf(more, sizeof more, "... and %zu more (bakelens ls lists them all)",
			l->len - FILES_LISTED);
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_GUIDE, more);
	}
}

static void build_popup(struct bl_ui *ui)
{
	bl_doc_clear(&ui->popdoc);
	int width = ui->w > 4 ? ui->w - 2 : 2;
	switch (ui->popup) {
	case POPUP_HELP:
		build_help(ui, width);
		break;
	case POPUP_MESSAGES:
		build_messages(ui, width);
		break;
	case POPUP_EXPLAIN: {
		struct bl_buf b;
		bl_buf_init(&b);
		bl_explain_node(bl_ui_selected(ui), &b);
		bl_doc_markdown(&ui->popdoc, b.len ? b.data : "Nothing selected.", width);
		bl_buf_fini(&b);
		break;
	}
	case POPUP_FILES:
		build_files(ui, width);
		break;
	case POPUP_NONE:
		break;
	}
}

static void open_popup(struct bl_ui *ui, enum popup p)
{
	if (ui->popup == p) {
		ui->popup = POPUP_NONE;
		return;
	}
	ui->popup = p;
	ui->popv.top = 0;
	ui->pop_width = ui->w;
	build_popup(ui);
}

/* The view that gets keys now. */
static struct bl_view *current_view(struct bl_ui *ui, enum bl_scope *scope)
{
	if (ui->menu_open) {
		*scope = BL_SCOPE_MENU;
		return NULL;
	}
	if (ui->popup != POPUP_NONE) {
		*scope = BL_SCOPE_PAGER;
		return &ui->popv;
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

static void start_prompt(struct bl_ui *ui, enum prompt p)
{
	ui->prompt = p;
	bl_buf_clear(&ui->input);
	bl_buf_puts(&ui->input, "");
	free(ui->saved_filter);
	ui->saved_filter = NULL;
	if (p == PROMPT_FILTER && ui->tree.filter) {
		ui->saved_filter = bl_strdup(ui->tree.filter);
		bl_buf_puts(&ui->input, ui->tree.filter);
	}
}

static void apply_filter(struct bl_ui *ui, const char *text)
{
	if (!ui->have_tree)
		return;
	const struct bl_node *keep = bl_ui_selected(ui);
	bl_tree_set_filter(&ui->tree, text && *text ? text : NULL);
	/* Stay on the same node when it is still shown. */
	ui->treev.cursor = 0;
	for (size_t i = 0; i < ui->tree.len; i++) {
		if (ui->tree.rows[i].node == keep) {
			ui->treev.cursor = i;
			break;
		}
	}
	bl_view_clamp(&ui->treev);
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

static void mark_node(struct bl_ui *ui)
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

static void compare_with_mark(struct bl_ui *ui)
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
	close_compare(ui);
	ui->cmp_nl = ui->mark;
	ui->cmp_nr = n;
	ui->cmp_only = false;
	char *l = node_title(ui->mark), *r = node_title(n);
	open_compare(ui, make_compare(ui), l, r);
	free(l);
	free(r);
}

void bl_ui_do(struct bl_ui *ui, enum bl_action a)
{
	enum bl_scope scope;
	struct bl_view *v = current_view(ui, &scope);
	switch (a) {
	case BL_ACTION_NONE:
	case BL_ACTION_COUNT:
		return;
	case BL_ACTION_QUIT:
		ui->quit = true;
		return;
	case BL_ACTION_HELP:
		ui->menu_open = false;
		open_popup(ui, POPUP_HELP);
		return;
	case BL_ACTION_MESSAGES:
		ui->menu_open = false;
		open_popup(ui, POPUP_MESSAGES);
		return;
	case BL_ACTION_EXPLAIN:
		ui->menu_open = false;
		open_popup(ui, POPUP_EXPLAIN);
		return;
	case BL_ACTION_FOCUS_NEXT:
		if (ui->popup == POPUP_NONE && !ui->menu_open && ui->cmp_open)
			ui->cmp_focus_detail = !ui->cmp_focus_detail;
		else if (ui->popup == POPUP_NONE && !ui->menu_open && ui->have_tree)
			ui->focus = ui->focus == FOCUS_TREE ? FOCUS_DETAIL : FOCUS_TREE;
		return;
	case BL_ACTION_BACK:
		if (ui->menu_open)
			ui->menu_open = false;
		else if (ui->popup != POPUP_NONE)
			ui->popup = POPUP_NONE;
		else if (ui->loading)
			ui->cancel = ui->cancelling = true;
		else if (ui->job)
			bl_filediff_cancel(ui->job);
		else if (ui->cmp_open && ui->cmp_focus_detail)
			ui->cmp_focus_detail = false;
		else if (ui->cmp_open && ui->cmp_only)
			ui->quit = true;
		else if (ui->cmp_open)
			close_compare(ui);
		else if (ui->have_tree && ui->tree.filter)
			apply_filter(ui, NULL);
		else if (ui->focus == FOCUS_DETAIL)
			ui->focus = FOCUS_TREE;
		return;
	case BL_ACTION_REDRAW:
		ui->redraw = true;
		return;
	case BL_ACTION_COPY_DIGEST:
		ui->menu_open = false;
		request_copy(ui, 'd');
		return;
	case BL_ACTION_COPY_REF:
		ui->menu_open = false;
		request_copy(ui, 'r');
		return;
	case BL_ACTION_COPY_MENU:
		if (ui->menu_open)
			ui->menu_open = false;
		else
			open_menu(ui);
		return;
	case BL_ACTION_SELECT:
		if (ui->menu_open) {
			ui->menu_open = false;
			request_copy(ui, ui->menu_keys[ui->menu_cursor]);
		}
		return;
	case BL_ACTION_SEARCH:
		if (!ui->menu_open)
			start_prompt(ui, PROMPT_SEARCH);
		return;
	case BL_ACTION_FILTER:
		if (scope == BL_SCOPE_TREE)
			start_prompt(ui, PROMPT_FILTER);
		return;
	case BL_ACTION_MARK:
		if (scope == BL_SCOPE_TREE)
			mark_node(ui);
		return;
	case BL_ACTION_COMPARE:
		if (scope == BL_SCOPE_TREE)
			compare_with_mark(ui);
		return;
	case BL_ACTION_FILE_DIFF:
		if (ui->cmp_open && !ui->menu_open && ui->popup == POPUP_NONE)
			start_file_diff(ui);
		return;
	case BL_ACTION_FILES:
		if (!ui->cmp_open && !ui->menu_open && ui->popup == POPUP_NONE)
			start_listing(ui);
		return;
	case BL_ACTION_IGNORE_TIMESTAMPS:
		if (!ui->cmp_open || ui->menu_open || ui->popup != POPUP_NONE)
			return;
		bl_ui_set_ignore_timestamps(ui, !ui->ignore_timestamps);
		bl_ui_status(ui, false, ui->ignore_timestamps ?
			"Timestamps ignored: created, history[].created, the created annotation and file mtimes do not count" :
			"Timestamps count again");
		return;
	case BL_ACTION_FIND_NEXT:
	case BL_ACTION_FIND_PREV:
		/* n/N walk the differences until a search is made. */
		if (scope == BL_SCOPE_COMPARE && !(v && v->query && *v->query))
			a = a == BL_ACTION_FIND_NEXT ? BL_ACTION_NEXT_DIFF : BL_ACTION_PREV_DIFF;
		break;
	default:
		break;
	}
	if (ui->menu_open) {
		if (a == BL_ACTION_MOVE_UP && ui->menu_cursor > 0)
			ui->menu_cursor--;
		else if (a == BL_ACTION_MOVE_DOWN && ui->menu_cursor + 1 < ui->menu_len)
			ui->menu_cursor++;
		return;
	}
	if (!v)
		return;
	enum bl_view_result r = bl_view_do(v, a);
	if (r == BL_NOT_FOUND && (a == BL_ACTION_NEXT_DIFF || a == BL_ACTION_PREV_DIFF))
		bl_ui_status(ui, false, "No %s difference", a == BL_ACTION_NEXT_DIFF ? "next" :
			"previous");
	else if (r == BL_NOT_FOUND)
		bl_ui_status(ui, true, "No match for '%s'", v->query ? v->query : "");
}

static void utf8_append(struct bl_buf *b, int cp)
{
	char tmp[4];
	size_t n;
	if (cp < 0x80) {
		tmp[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		tmp[0] = (char)(0xc0 | (cp >> 6));
		tmp[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		tmp[0] = (char)(0xe0 | (cp >> 12));
		tmp[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		tmp[0] = (char)(0xf0 | (cp >> 18));
		tmp[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		tmp[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		tmp[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	bl_buf_append(b, tmp, n);
}

static void prompt_key(struct bl_ui *ui, int key)
{
	enum prompt p = ui->prompt;
	if (key == BL_KEY_ESC) {
		ui->prompt = PROMPT_NONE;
		if (p == PROMPT_FILTER)
			apply_filter(ui, ui->saved_filter);
		return;
	}
	if (key == BL_KEY_ENTER) {
		ui->prompt = PROMPT_NONE;
		if (p == PROMPT_SEARCH && ui->input.len) {
			enum bl_scope scope;
			struct bl_view *v = current_view(ui, &scope);
			if (v && bl_view_search(v, bl_buf_str(&ui->input), 1) == BL_NOT_FOUND)
				bl_ui_status(ui, true, "No match for '%s'", bl_buf_str(&ui->input));
		}
		return;
	}
	if (key == BL_KEY_BACKSPACE) {
		if (ui->input.len == 0) {
			ui->prompt = PROMPT_NONE;
		} else {
			size_t n = ui->input.len - 1;
			while (n > 0 && (ui->input.data[n] & 0xc0) == 0x80)
				n--;
			ui->input.len = n;
			ui->input.data[n] = '\0';
		}
	} else if (key == BL_KEY_SPACE) {
		bl_buf_putc(&ui->input, ' ');
	} else if (key >= 0x20 && key < BL_KEY_BASE && key != 0x7f && !(key >= 0x80 && key < 0xa0)) {
		if (ui->input.len < 200)
			utf8_append(&ui->input, key);
	} else {
		return;
	}
	if (p == PROMPT_FILTER)
		apply_filter(ui, bl_buf_str(&ui->input));
}

void bl_ui_key(struct bl_ui *ui, int key)
{
	key = bl_key_normalize(key);
	free(ui->status);
	ui->status = NULL;
	if (ui->prompt != PROMPT_NONE) {
		prompt_key(ui, key);
		return;
	}
	if (ui->menu_open && key > 0x20 && key < 0x7f) {
		for (size_t i = 0; i < ui->menu_len; i++) {
			if (ui->menu_keys[i] == key) {
				ui->menu_open = false;
				request_copy(ui, (char)key);
				return;
			}
		}
	}
	enum bl_scope scope;
	current_view(ui, &scope);
	enum bl_action a = bl_keymap_lookup(ui->km, scope, key);
	if (a == BL_ACTION_NONE) {
		char name[16];
		bl_key_name(key, name, sizeof name);
		char help[16];
		bl_keymap_first_key(ui->km, BL_SCOPE_GLOBAL, BL_ACTION_HELP, help, sizeof help);
		bl_ui_status(ui, false, "%s: no action here (%s shows the keys)", name, help);
		return;
	}
	bl_ui_do(ui, a);
}

void bl_ui_mouse(struct bl_ui *ui, int x, int y, enum bl_mouse_button b)
{
	if (!ui->s->mouse || y <= 0 || y >= ui->h - 1)
		return;
	if (ui->menu_open) {
		ui->menu_open = false;
		return;
	}
	int step = b == BL_MOUSE_WHEEL_UP ? -3 : 3;
	if (ui->popup != POPUP_NONE) {
		if (b != BL_MOUSE_CLICK)
			bl_view_scroll(&ui->popv, step);
		return;
	}
	if (ui->cmp_open) {
		bool in_rows = y >= ui->cmp_rows_y && y < ui->cmp_rows_y + ui->cmp_rows_h;
		ui->cmp_focus_detail = !in_rows;
		struct bl_view *v = in_rows ? &ui->cmpv : &ui->cmpdocv;
		if (b != BL_MOUSE_CLICK) {
			bl_view_scroll(v, step);
			return;
		}
		if (!in_rows)
			return;
		size_t row = ui->cmpv.top + (size_t)(y - ui->cmp_rows_y);
		if (row >= bl_cmpview_len(&ui->cmpv))
			return;
		if (row == ui->cmpv.cursor)
			bl_view_do(&ui->cmpv, BL_ACTION_TOGGLE);
		else
			ui->cmpv.cursor = row;
		bl_view_clamp(&ui->cmpv);
		return;
	}
	if (ui->have_tree && x < ui->tree_w) {
		ui->focus = FOCUS_TREE;
		if (b != BL_MOUSE_CLICK) {
			bl_view_scroll(&ui->treev, step);
			return;
		}
		size_t row = ui->treev.top + (size_t)(y - 1);
		if (row >= ui->tree.len)
			return;
		if (row == ui->treev.cursor)
			bl_view_do(&ui->treev, BL_ACTION_TOGGLE);
		else
			ui->treev.cursor = row;
		bl_view_clamp(&ui->treev);
	} else {
		ui->focus = FOCUS_DETAIL;
		if (b != BL_MOUSE_CLICK)
			bl_view_scroll(&ui->detailv, step);
	}
}

/* Drawing */

static void put_key_hint(struct bl_ui *ui, struct bl_canvas *c, int *col, enum bl_scope scope,
	enum bl_action a, const char *label)
{
	char key[16];
	bl_keymap_first_key(ui->km, scope, a, key, sizeof key);
	if (!key[0] || *col >= c->w)
		return;
	int y = c->h - 1;
	*col += bl_canvas_put(c, *col, y, c->w - *col, BL_ROLE_STATUS, " ");
	*col += bl_canvas_put(c, *col, y, c->w - *col, BL_ROLE_STATUS_KEY, key);
	*col += bl_canvas_put(c, *col, y, c->w - *col, BL_ROLE_STATUS, " ");
	*col += bl_canvas_put(c, *col, y, c->w - *col, BL_ROLE_STATUS, label);
	*col += bl_canvas_put(c, *col, y, c->w - *col, BL_ROLE_STATUS, " ");
}

static void draw_status(struct bl_ui *ui, struct bl_canvas *c)
{
	int y = c->h - 1;
	bl_canvas_fill(c, 0, y, c->w, BL_ROLE_STATUS);
	int col = 0;
	if (ui->prompt != PROMPT_NONE) {
		col += bl_canvas_put(c, 0, y, c->w, BL_ROLE_STATUS_INFO,
			ui->prompt == PROMPT_SEARCH ? "/" : "filter: ");
		char *safe = bl_text_safe(bl_buf_str(&ui->input));
		col += bl_canvas_put(c, col, y, c->w - col, BL_ROLE_STATUS, safe);
		free(safe);
		bl_canvas_put(c, col, y, c->w - col, BL_ROLE_STATUS_KEY, "_");
		return;
	}
	if (ui->status) {
		bl_canvas_put(c, 1, y, c->w - 1, ui->status_error ? BL_ROLE_STATUS_ERROR :
			BL_ROLE_STATUS_INFO, ui->status);
		return;
	}
	if (ui->loading) {
		char line[256];
		char done[32], total[32];
		bl_text_size((int64_t)ui->load.done_bytes, done, sizeof done);
		bl_text_size((int64_t)ui->load.total, total, sizeof total);
		/* Seconds so far: the screen moves even while one long read
		 * reports nothing. */
		char secs[32] = "";
		long long ms = ui->loading_since ? mono_ms() - ui->loading_since : 0;
		if (ms >= 2000)
			snprintf(secs, sizeof secs, " (%llds)", ms / 1000);
		const char *verb = ui->cancelling ? "Cancelling" : "Loading";
		if (ui->load.total)
			snprintf(line, sizeof line, " %s: %s %s / %s%s ", verb, ui->load.what, done,
				total, secs);
		else if (ui->load.done_bytes)
			snprintf(line, sizeof line, " %s: %s %s%s ", verb, ui->load.what, done, secs);
		else
			snprintf(line, sizeof line, " %s: %s%s ", verb, ui->load.what, secs);
		col += bl_canvas_put(c, 0, y, c->w, BL_ROLE_PROGRESS, line);
		if (!ui->cancelling)
			put_key_hint(ui, c, &col, BL_SCOPE_GLOBAL, BL_ACTION_BACK, "cancel");
		put_key_hint(ui, c, &col, BL_SCOPE_GLOBAL, BL_ACTION_QUIT, "quit");
		return;
	}
	if (ui->job) {
		const struct bl_load_state *st = &ui->job_state;
		char line[256];
		char done[32], total[32];
		bl_text_size((int64_t)st->done_bytes, done, sizeof done);
		bl_text_size((int64_t)st->total, total, sizeof total);
		if (st->total)
			snprintf(line, sizeof line, " Files: %s %s / %s ", st->what, done, total);
		else
			snprintf(line, sizeof line, " Files: %s %s ", st->what, done);
		col += bl_canvas_put(c, 0, y, c->w, BL_ROLE_PROGRESS, line);
		put_key_hint(ui, c, &col, BL_SCOPE_GLOBAL, BL_ACTION_BACK, "cancel");
		return;
	}
	enum bl_scope scope;
	current_view(ui, &scope);
	if (ui->cmp_open && scope != BL_SCOPE_MENU && scope != BL_SCOPE_PAGER) {
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_BACK,
			ui->cmp_only ? "quit" : "close");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_NEXT_DIFF, "next");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_PREV_DIFF, "prev");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_TOGGLE, "open");
		const struct bl_cmp_node *n = bl_cmpview_node(&ui->cmpv);
		if (n && n->kind == BL_NODE_LAYER && n->left && n->right)
			put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_FILE_DIFF, "files");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_FOCUS_NEXT, "pane");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_COPY_DIGEST, "copy");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_HELP, "help");
		put_key_hint(ui, c, &col, BL_SCOPE_COMPARE, BL_ACTION_IGNORE_TIMESTAMPS, "timestamps");
		return;
	}
	if (scope == BL_SCOPE_MENU) {
		put_key_hint(ui, c, &col, scope, BL_ACTION_SELECT, "copy");
		put_key_hint(ui, c, &col, scope, BL_ACTION_BACK, "close");
		return;
	}
	if (scope == BL_SCOPE_PAGER) {
		put_key_hint(ui, c, &col, scope, BL_ACTION_BACK, "close");
		put_key_hint(ui, c, &col, scope, BL_ACTION_PAGE_DOWN, "page");
		put_key_hint(ui, c, &col, scope, BL_ACTION_SEARCH, "search");
		put_key_hint(ui, c, &col, scope, BL_ACTION_QUIT, "quit");
		return;
	}
	put_key_hint(ui, c, &col, scope, BL_ACTION_QUIT, "quit");
	put_key_hint(ui, c, &col, scope, BL_ACTION_HELP, "help");
	if (scope == BL_SCOPE_TREE) {
		put_key_hint(ui, c, &col, scope, BL_ACTION_TOGGLE, "open");
		put_key_hint(ui, c, &col, scope, BL_ACTION_SEARCH, "search");
		put_key_hint(ui, c, &col, scope, BL_ACTION_FILTER, "filter");
	} else {
		put_key_hint(ui, c, &col, scope, BL_ACTION_PAGE_DOWN, "page");
		put_key_hint(ui, c, &col, scope, BL_ACTION_SEARCH, "search");
	}
	put_key_hint(ui, c, &col, scope, BL_ACTION_COPY_DIGEST, "copy");
	put_key_hint(ui, c, &col, scope, BL_ACTION_COPY_MENU, ui->ascii ? "copy..." : "copy\u2026");
	put_key_hint(ui, c, &col, scope, BL_ACTION_EXPLAIN, "explain");
	put_key_hint(ui, c, &col, scope, BL_ACTION_MESSAGES, "messages");
	put_key_hint(ui, c, &col, scope, BL_ACTION_FOCUS_NEXT, "pane");
	if (ui->have_tree && ui->tree.len) {
		char pos[48];
		snprintf(pos, sizeof pos, " %zu/%zu ", ui->treev.cursor + 1, ui->tree.len);
		int pw = (int)strlen(pos);
		if (col + pw < c->w)
			bl_canvas_put(c, c->w - pw, y, pw, BL_ROLE_STATUS, pos);
	}
}

static void draw_title(struct bl_ui *ui, struct bl_canvas *c)
{
	bl_canvas_fill(c, 0, 0, c->w, BL_ROLE_TITLE);
	int col = bl_canvas_put(c, 0, 0, c->w, BL_ROLE_TITLE, " bakelens ");
	const char *what = ui->popup == POPUP_HELP ? "help" :
		ui->popup == POPUP_MESSAGES ? "messages" :
		ui->popup == POPUP_EXPLAIN ? "explain" :
		ui->popup == POPUP_FILES ? "files" : NULL;
	if (what) {
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, "- ");
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, what);
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, " ");
	}
	if (ui->popup == POPUP_EXPLAIN) {
		const struct bl_node *n = bl_ui_selected(ui);
		if (n && n->label) {
			char *l = bl_text_safe(n->label);
			col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, l);
			free(l);
		}
		return;
	}
	if (ui->popup == POPUP_FILES && ui->listing_title) {
		bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, ui->listing_title);
		return;
	}
	if (!what && ui->cmp_open) {
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, "- compare ");
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, ui->cmp_left);
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, ui->ascii ? " <> " : " \u21c4 ");
		bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, ui->cmp_right);
		/* Said on the right, where a long name cannot push it out. */
		if (ui->ignore_timestamps) {
			static const char note[] = " [timestamps ignored] ";
			int nw = (int)sizeof note - 1;
			if (c->w - nw > 20)
				bl_canvas_put(c, c->w - nw, 0, nw, BL_ROLE_TITLE, note);
		}
		return;
	}
	if (!what && ui->title)
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, ui->title);
	if (!what && ui->have_tree && ui->tree.filter) {
		char *f = bl_text_safe(ui->tree.filter);
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, "  [filter: ");
		col += bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, f);
		bl_canvas_put(c, col, 0, c->w - col, BL_ROLE_TITLE, "]");
		free(f);
	}
}

static void draw_menu(struct bl_ui *ui, struct bl_canvas *c)
{
	int mw = 26;
	int mh = (int)ui->menu_len + 2;
	int x = ui->tree_w + 2;
	if (x + mw > c->w)
		x = c->w > mw ? c->w - mw : 0;
	int y = 2;
	const bool a = ui->ascii;
	for (int r = 0; r < mh && y + r < c->h - 1; r++) {
		bl_canvas_fill(c, x, y + r, mw, BL_ROLE_MENU);
		if (r == 0 || r == mh - 1) {
			for (int k = 0; k < mw; k++)
				bl_canvas_put(c, x + k, y + r, 1, BL_ROLE_MENU, a ? "-" : "\u2500");
			if (r == 0)
				bl_canvas_put(c, x + 2, y, mw - 4, BL_ROLE_MENU, " copy ");
			continue;
		}
		size_t i = (size_t)r - 1;
		char key[2] = {ui->menu_keys[i], '\0'};
		bl_canvas_put(c, x + 2, y + r, 1, BL_ROLE_MENU_KEY, key);
		bl_canvas_put(c, x + 5, y + r, mw - 6, BL_ROLE_MENU, menu_label(ui->menu_keys[i]));
		if (i == ui->menu_cursor)
			bl_canvas_paint(c, x + 1, y + r, mw - 2, BL_ROLE_CURSOR);
	}
}

/* The compare view: column headings, the rows, a rule, the detail area. */
static void draw_compare(struct bl_ui *ui, struct bl_canvas *c, int bh)
{
	/* Rows take up to 3/5 of the body, less when there are fewer (the
	 * detail area gets the rest); one line is the column headings. */
	int rows_h = bh * 3 / 5;
	size_t want = bl_cmpview_len(&ui->cmpv) + 1;
	if ((size_t)rows_h > want)
		rows_h = (int)want;
	if (rows_h < 3)
		rows_h = bh > 3 ? 3 : bh;
	int w = c->w;
	/* Headings over the two columns, as the rows split them. */
	int rest = w - 2, lw = (rest - 3) / 2;
	bl_canvas_fill(c, 0, 1, w, BL_ROLE_DEFAULT);
	bl_canvas_put(c, 2, 1, lw, BL_ROLE_HEADING, ui->cmp_left);
	bl_canvas_put(c, 2 + lw, 1, 3, BL_ROLE_BORDER, ui->ascii ? " | " : " \u2502 ");
	bl_canvas_put(c, 2 + lw + 3, 1, rest - 3 - lw, BL_ROLE_HEADING, ui->cmp_right);
	ui->cmp_rows_y = 2;
	ui->cmp_rows_h = rows_h - 1;
	bl_view_draw(&ui->cmpv, c, 0, 2, w, rows_h - 1,
		ui->cmp_focus_detail ? BL_ROLE_CURSOR_DIM : BL_ROLE_CURSOR);
	int ry = 1 + rows_h;
	if (ry >= c->h - 1)
		return;
	for (int x = 0; x < w; x++)
		bl_canvas_put(c, x, ry, 1, BL_ROLE_BORDER, ui->ascii ? "-" : "\u2500");
	const struct bl_cmp_node *n = bl_cmpview_node(&ui->cmpv);
	char pos[64];
	size_t ndiff = 0, at = 0;
	for (const struct bl_cmp_node *d = bl_cmp_next_difference(ui->cmp_root, NULL, 1); d;
		d = bl_cmp_next_difference(ui->cmp_root, d, 1)) {
		ndiff++;
		if (d == n)
			at = ndiff;
	}
	if (at)
		snprintf(pos, sizeof pos, " difference %zu of %zu ", at, ndiff);
	else
		snprintf(pos, sizeof pos, " %zu difference%s ", ndiff, ndiff == 1 ? "" : "s");
	bl_canvas_put(c, 2, ry, w - 2, BL_ROLE_BORDER, pos);
	int dh = bh - rows_h - 1;
	if (dh < 1)
		return;
	int dw = w - 2;
	if (n != ui->cmpdoc_node || dw != ui->cmpdoc_width || ui->cmpdoc_dirty) {
		if (n != ui->cmpdoc_node)
			ui->cmpdocv.top = 0;
		ui->cmpdoc_node = n;
		ui->cmpdoc_width = dw;
		ui->cmpdoc_dirty = false;
		const struct files *f = files_for(ui, n);
		bl_cmp_detail_build(&ui->cmpdoc, n, ui->cmp ? &ui->cmp->platforms : NULL,
			f ? f->result : NULL, f ? f->error : NULL, dw);
	}
	bl_view_draw(&ui->cmpdocv, c, 1, ry + 1, dw, dh, BL_ROLE_CURSOR);
}

void bl_ui_render(struct bl_ui *ui, struct bl_canvas *c)
{
	ui->w = c->w;
	ui->h = c->h;
	bl_canvas_clear(c, BL_ROLE_DEFAULT);
	if (c->h < 3 || c->w < 10) {
		bl_canvas_put(c, 0, 0, c->w, BL_ROLE_DEFAULT, "too small");
		return;
	}
	int bh = body_h(ui);
	int tw = ui->w * ui->s->tree_width / 100;
	if (tw < 20)
		tw = ui->w / 2;
	if (ui->w - tw - 1 < 20)
		tw = ui->w / 2;
	ui->tree_w = tw;
	draw_title(ui, c);
	if (ui->popup != POPUP_NONE) {
		/* Rebuild when the width changed, so wrapping follows resizes. */
		if (ui->pop_width != ui->w) {
			ui->pop_width = ui->w;
			size_t top = ui->popv.top;
			build_popup(ui);
			ui->popv.top = top;
		}
		bl_view_draw(&ui->popv, c, 1, 1, ui->w - 2, bh, BL_ROLE_CURSOR);
	} else if (ui->cmp_open) {
		draw_compare(ui, c, bh);
		if (ui->menu_open)
			draw_menu(ui, c);
	} else if (!ui->have_tree) {
		bl_canvas_put(c, 2, 2, c->w - 4, BL_ROLE_DEFAULT,
			ui->loading ? "Loading..." : "Nothing loaded.");
	} else {
		bl_view_draw(&ui->treev, c, 0, 1, tw, bh,
			ui->focus == FOCUS_TREE ? BL_ROLE_CURSOR : BL_ROLE_CURSOR_DIM);
		for (int r = 0; r < bh; r++)
			bl_canvas_put(c, tw, 1 + r, 1, BL_ROLE_BORDER, ui->ascii ? "|" : "\u2502");
		int dw = ui->w - tw - 2;
		const struct bl_node *n = bl_ui_selected(ui);
		if (n != ui->detail_node || dw != ui->detail_width) {
			if (n != ui->detail_node)
				ui->detailv.top = 0;
			ui->detail_node = n;
			ui->detail_width = dw;
			bl_detail_build(&ui->detail, n, dw);
		}
		bl_view_draw(&ui->detailv, c, tw + 2, 1, dw, bh, BL_ROLE_CURSOR);
		if (ui->menu_open)
			draw_menu(ui, c);
	}
	draw_status(ui, c);
}
