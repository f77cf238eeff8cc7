/* Shared by the files of the explorer's state (src/ui/ui*.c): struct bl_ui
 * and what one part asks of another.
 *
 * The parts call downwards only: ui.c (creation, input, dispatch of actions)
 * uses all the others; ui_draw.c (layout, status bar, rendering) uses the
 * popups, the file tree and the comparison; ui_jobs.c (the background
 * jobs: file diff, and the file tree's listing and preview through
 * ui_filetree.c and ui_preview.c) uses the file tree, the preview and the
 * comparison; ui_filetree.c (F: the file tree, W: the waste panel) uses
 * ui_preview.c (Enter on a file: its first bytes read in the background),
 * and both use the popups; ui_verify.c (v: verifying a node) uses the
 * popups; ui_referrers.c (the referrers read when a manifest is opened)
 * uses ui_base.c; ui_popup.c (help, messages, explain, verify, preview, the copy
 * menu) uses ui_packages.c (the packages of SBOMs); they and ui_compare.c (the compare session) use
 * ui_base.c, which uses none of them.
 */
#ifndef BL_UI_INTERNAL_H
#define BL_UI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "bakelens/app.h"
#include "bakelens/changeset.h"
#include "bakelens/copytext.h"
#include "bakelens/ui.h"
#include "bakelens/tree.h"
#include "bakelens/verify.h"
#include "bakelens/view.h"

enum focus { FOCUS_TREE, FOCUS_DETAIL };
enum popup {
	POPUP_NONE,
	POPUP_HELP,
	POPUP_MESSAGES,
	POPUP_EXPLAIN,
	POPUP_PREVIEW,
	POPUP_VERIFY,
	POPUP_PACKAGES
};

/* An image's layers listed this session (ui_filetree.c): a layer is read
 * once, however often its tree is opened. */
struct ft_build;
struct pv_read;
struct ref_job;
struct ft_image {
	const struct bl_node *manifest; /* borrowed from the build */
	struct bl_image_files files;    /* the bottom files.len layers */
	bool busy;                      /* lent to the running listing */
	bool have_waste;
	struct bl_waste waste;
};
enum prompt { PROMPT_NONE, PROMPT_SEARCH, PROMPT_FILTER };

struct bl_ui {
	const struct bl_settings *s;
	const struct bl_keymap *km;
	struct bl_build *build;
	char *title;
	bool loading;
	bool cancelling;       /* Esc pressed while loading */
	int64_t loading_since; /* bl_clock_ms; 0 before the first report */
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
	char menu_keys[BL_COPYTEXT_COUNT]; /* entries available for the node */
	size_t menu_len;

	enum prompt prompt;
	struct bl_buf input;
	char *saved_filter;

	char *status;
	bool status_error;
	struct bl_copy_request copy; /* pending when copy.text is set */
	struct bl_vec messages;      /* char *, escaped */

	int w, h, tree_w;
	bool ascii;

	/* The compare view. */
	const struct bl_node *mark; /* marked in the tree (M), borrowed */
	bool cmp_open;
	bool cmp_only; /* bakelens --diff: nothing beneath */
	/* What is compared: two builds (bl_ui_set_compare) or two nodes (M, =),
	 * all borrowed; kept so that the comparison can be made again. */
	const struct bl_build *cmp_bl, *cmp_br;
	const struct bl_node *cmp_nl, *cmp_nr;
	bool ignore_timestamps;        /* timestamps do not count (t) */
	struct bl_cmp *cmp;            /* of two builds, owned, or NULL */
	struct bl_cmp_node *cmp_owned; /* of two nodes, owned, or NULL */
	struct bl_cmp_node *cmp_root;
	char *cmp_left, *cmp_right; /* column headings, display-safe */
	struct bl_view cmpv;
	struct bl_doc cmpdoc;
	struct bl_view cmpdocv;
	const struct bl_cmp_node *cmpdoc_node;
	int cmpdoc_width;
	bool cmpdoc_dirty;
	bool cmp_focus_detail;
	int cmp_rows_y, cmp_rows_h; /* where the rows were drawn (mouse) */
	/* File diff of a layer pair, off the UI thread. */
	struct bl_filediff *job;
	const struct bl_node *job_left, *job_right;
	struct bl_load_state job_state;
	struct bl_vec files; /* struct files *, owned */
	/* The file tree (F) and the waste panel (W), ui_filetree.c. */
	struct bl_vec images;        /* struct ft_image *, owned */
	struct bl_imagejob *ijob;    /* listing layers, or NULL */
	struct ft_image *ijob_image; /* what it lists into */
	struct bl_load_state ijob_state;
	size_t ijob_layer;    /* then open the tree at this layer... */
	bool ijob_merged;     /* ...in this mode... */
	char *ijob_path;      /* ...on this path (owned, NULL), */
	char *ijob_glob;      /* ...filtered so (owned, NULL), */
	bool ijob_waste;      /* or the waste panel */
	struct ft_build *ftb; /* a large tree being built off the UI thread, or NULL */
	bool ftb_cancel;      /* Esc while it is built: drop it when done */
	bool files_open;
	struct bl_fileview *fv; /* owned while files_open */
	struct bl_view filesv;
	const struct ft_image *fv_image;
	size_t fv_layer, fv_nlayers;
	char *fv_title; /* display-safe: "layer 2/3 of linux/amd64" */
	bool waste_open;
	struct bl_view wastev;
	const struct ft_image *waste_image;
	/* The file shown in POPUP_PREVIEW: its first bytes and what is said
	 * about it (display-safe lines). */
	struct bl_buf preview;
	bool preview_bytes;   /* the buffer holds content */
	int64_t preview_size; /* the file's size */
	struct pv_read *pvr;  /* its bytes being read, or NULL */
	char *preview_title, *preview_note;
	/* Verifying a node (v), off the UI thread, and its last report. */
	struct bl_verify *verify;
	struct bl_load_state verify_state;
	struct bl_verify_report vreport; /* shown in POPUP_VERIFY */
	/* The SBOMs of the selected node (P), shown in POPUP_PACKAGES. */
	struct bl_vec sboms; /* struct ui_sbom *, owned (ui_packages.c) */
	char *pkg_filter;    /* the packages shown contain it, or NULL */
	/* Referrers being read (ui_referrers.c), and the nodes whose last read
	 * failed or was cancelled. */
	struct ref_job *refs; /* or NULL */
	struct bl_load_state refs_state;
	struct bl_vec ref_marks; /* struct ref_mark *, owned */
	char *ref_note;          /* the last note made for a row */
};

/* Files of a layer pair, by the pair's nodes (the comparison's nodes are
 * made again when timestamps are toggled; the builds' stay). */
struct files {
	const struct bl_node *left, *right;
	struct bl_filediff_result *result; /* NULL when it failed */
	char *error;
};

/* ui_base.c */

/* The view that gets keys now (NULL while the copy menu is open) and its
 * key scope. */
struct bl_view *ui_current_view(struct bl_ui *ui, enum bl_scope *scope);
/* Whether a background job is reading the build's stores (a listing, a
 * preview, a tree build, a verify, a file diff, a read of referrers): they serve one thread at
 * a time, so nothing else may read them meanwhile. When busy, the status
 * line says so (Esc cancels) and it returns true. */
bool ui_stores_busy(struct bl_ui *ui);

/* ui_compare.c */

/* Free a struct files (a bl_vec free function). */
void ui_files_free(void *p);
/* The file diff done for the layer pair of `n`, NULL when none. */
const struct files *ui_files_for(const struct bl_ui *ui, const struct bl_cmp_node *n);
/* Diff the files of `f` again with the current options and reclassify its
 * comparison node (see the definition). */
void ui_apply_files(struct bl_ui *ui, struct files *f);
/* Close the compare view: stops the background job, drops the file diffs. */
void ui_compare_close(struct bl_ui *ui);
/* M: mark the selected node; =: compare the marked node with the selected. */
void ui_compare_mark(struct bl_ui *ui);
void ui_compare_with_mark(struct bl_ui *ui);

/* ui_packages.c (uses ui_base.c) */

/* P: decode the SBOM statements at or under the selected node into
 * ui->sboms (the filter cleared). False, with a status saying so, when
 * there is none. */
bool ui_packages_load(struct bl_ui *ui);
/* Show only packages whose name, version, type or purl contains `text`
 * (case-insensitive); NULL or "" shows all. The caller rebuilds the popup. */
void ui_packages_set_filter(struct bl_ui *ui, const char *text);
/* The packages popup's document, into ui->popdoc. */
void ui_packages_doc(struct bl_ui *ui, int width);
void ui_packages_free(struct bl_ui *ui);

/* ui_popup.c */

/* Open popup `p`, or close it when it is the one open. */
void ui_popup_open(struct bl_ui *ui, enum popup p);
/* Fill the open popup's document again (at the current width). */
void ui_popup_build(struct bl_ui *ui);
/* The copy menu, drawn over the body. */
void ui_menu_draw(struct bl_ui *ui, struct bl_canvas *c);

/* ui_verify.c (uses ui_popup.c) */

/* v: verify the selected node in the background. */
void ui_verify_start(struct bl_ui *ui);
/* Take a finished verify in (opens its report); true while it runs. */
bool ui_verify_tick(struct bl_ui *ui);
/* Stop a running verify and wait for it; drop the report. */
void ui_verify_stop(struct bl_ui *ui);

/* ui_preview.c (uses ui_popup.c): Enter on a file of the file tree */

/* Describe the selected file and read its first bytes in the background
 * (a directory: expand or collapse it). */
void ui_pv_open(struct bl_ui *ui);
/* Open the preview once its bytes are read; true while they are. */
bool ui_pv_tick(struct bl_ui *ui);
/* Esc: stop the read (its result is dropped); false when none runs. */
bool ui_pv_cancel(struct bl_ui *ui);
/* Stop and wait for a running read (bl_ui_free). */
void ui_pv_fini(struct bl_ui *ui);

/* ui_filetree.c (uses ui_preview.c, ui_popup.c): F, W and what their views do */

/* F in the tree: the selected layer's changes, or a manifest's image. */
void ui_ft_open_files(struct bl_ui *ui);
/* W in the tree: the selected manifest's waste panel. */
void ui_ft_open_waste(struct bl_ui *ui);
/* Take a finished listing in; true while one runs. */
bool ui_ft_tick(struct bl_ui *ui);
/* Esc: cancel the running listing; false when none runs. */
bool ui_ft_cancel(struct bl_ui *ui);
/* Esc: close the file tree, else the waste panel; false when neither is open. */
bool ui_ft_close(struct bl_ui *ui);
/* The actions of the file tree and waste panel that need more than the
 * view (reading a file, another layer); false when `a` is not one. */
bool ui_ft_do(struct bl_ui *ui, enum bl_action a);
/* The glob filter of the file tree (NULL: none). */
void ui_ft_glob(struct bl_ui *ui, const char *glob);
/* Draw the open file tree or waste panel into the body. */
void ui_ft_draw(struct bl_ui *ui, struct bl_canvas *c, int bh);
/* Free everything (bl_ui_free; after a new build is set). */
void ui_ft_fini(struct bl_ui *ui);

/* ui_referrers.c (uses ui_base.c): the referrers of what is expanded */

void ui_refs_init(struct bl_ui *ui);
/* Before `a` (expand, toggle, expand-all) opens the selected node: start
 * reading the referrers it (or, for expand-all, every node under it) has
 * pending, in one background job, unless the stores are busy. */
void ui_refs_expand(struct bl_ui *ui, enum bl_action a);
/* Attach what a finished job read (the cursor stays on its node); true
 * while one runs. */
bool ui_refs_tick(struct bl_ui *ui);
/* Esc: stop the running job (nothing it read is attached: every node it
 * was reading stays pending); false when none runs. */
bool ui_refs_cancel(struct bl_ui *ui);
/* Stop and wait for a running job; forget the marks (bl_ui_free, a new build). */
void ui_refs_fini(struct bl_ui *ui);
/* The tree view's note for n (bl_treeview_note_fn; ud is the ui):
 * "reading referrers", "referrers pending" after a cancel, the error of a
 * failed read. */
const char *ui_refs_note(void *ud, const struct bl_node *n, enum bl_role *role);

/* ui_jobs.c */

/* In the compare view: diff the files of the selected layer pair. */
void ui_job_file_diff(struct bl_ui *ui);

#endif
