/* Shared by the files of the explorer's state (src/ui/ui*.c): struct bl_ui
 * and what one part asks of another.
 *
 * The parts call downwards only: ui.c (creation, input, dispatch of actions)
 * uses all the others; ui_draw.c (layout, status bar, rendering) uses the
 * popups and the comparison; ui_jobs.c (the background job: file listing,
 * file diff) uses the popups and the comparison; ui_verify.c (v:
 * verifying a node) uses the popups; ui_popup.c (help,
 * messages, explain, verify, files, the copy menu) uses ui_packages.c (the
 * packages of SBOMs); they and ui_compare.c (the compare session) use
 * ui_base.c, which uses none of them.
 */
#ifndef BL_UI_INTERNAL_H
#define BL_UI_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

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
	POPUP_FILES,
	POPUP_VERIFY,
	POPUP_PACKAGES,
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
	bool job_listing; /* the job lists job_left's files (F in the tree) */
	struct bl_load_state job_state;
	struct bl_vec files; /* struct files *, owned */
	/* The last file listing, shown in the files pager. */
	struct bl_filediff_result *listing;
	char *listing_title; /* display-safe */
	bool listing_image;  /* a whole image: entries say their layer */
	/* Verifying a node (v), off the UI thread, and its last report. */
	struct bl_verify *verify;
	struct bl_load_state verify_state;
	struct bl_verify_report vreport; /* shown in POPUP_VERIFY */
	/* The SBOMs of the selected node (P), shown in POPUP_PACKAGES. */
	struct bl_vec sboms; /* struct ui_sbom *, owned (ui_packages.c) */
	char *pkg_filter;    /* the packages shown contain it, or NULL */
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

/* ui_jobs.c */

/* In the compare view: diff the files of the selected layer pair. */
void ui_job_file_diff(struct bl_ui *ui);
/* F in the tree: list the files of the selected layer or image. */
void ui_job_listing(struct bl_ui *ui);

#endif
