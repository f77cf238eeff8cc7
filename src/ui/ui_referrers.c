/* The referrers of manifests read from a registry, read when the user opens
 * them (one node, or every node under the cursor with expand-all) on a
 * worker thread: the model makes their nodes apart from the tree, and this
 * file attaches them on the UI thread once the job is done, so the tree
 * never shows a half-built subtree and the registry never freezes the keys
 * (ui_internal.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/work.h"
#include "ui_internal.h"

/* The nodes whose referrers one job reads, in order. */
struct ref_job {
	struct bl_work w;
	struct bl_build *b;
	struct bl_node **nodes; /* borrowed; fixed while the job runs */
	size_t n;
	bool all;     /* expand-all: what is attached is opened too */
	char *prefix; /* the thread's: "LABEL (i/n): ", escaped */
	/* Written by the thread before bl_work_done: */
	struct bl_referrers **sets; /* per node; NULL where none was read */
	struct bl_error *errs;      /* per node */
	size_t reached;             /* nodes the thread finished (read or failed) */
};

/* A node whose last read did not end in referrers. */
struct ref_mark {
	const struct bl_node *node; /* borrowed from the build */
	char *error;                /* display-safe; NULL: cancelled, still pending */
};

static void mark_free(void *p)
{
	struct ref_mark *m = p;
	free(m->error);
	free(m);
}

static bool on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct ref_job *j = ud;
	return bl_work_report(&j->w, j->prefix, what, done, total);
}

static void *run(void *arg)
{
	struct ref_job *j = arg;
	for (size_t i = 0; i < j->n && !bl_work_cancelled(&j->w); i++) {
		free(j->prefix);
		char *label = bl_text_safe(j->nodes[i]->label ? j->nodes[i]->label : "node");
		j->prefix = j->n > 1 ? bl_asprintf("%s (%zu/%zu): ", label, i + 1, j->n)
		                     : bl_asprintf("%s: ", label);
		free(label);
		bl_work_report(&j->w, j->prefix, "listing", 0, 0);
		bl_build_referrers_read(
		        j->b, j->nodes[i], on_progress, j, &j->sets[i], &j->errs[i]);
		if (j->errs[i].code == BL_E_CANCELLED)
			break;
		j->reached = i + 1;
	}
	bl_work_done(&j->w);
	return NULL;
}

/* After bl_work_join. */
static void job_free(struct ref_job *j)
{
	for (size_t i = 0; i < j->n; i++)
		bl_referrers_free(j->sets[i]);
	free(j->sets);
	free(j->errs);
	free(j->nodes);
	free(j->prefix);
	free(j);
}

static bool in_job(const struct ref_job *j, const struct bl_node *n)
{
	for (size_t i = 0; j && i < j->n; i++) {
		if (j->nodes[i] == n)
			return true;
	}
	return false;
}

static struct ref_mark *mark_of(struct bl_ui *ui, const struct bl_node *n, size_t *at)
{
	for (size_t i = 0; i < ui->ref_marks.len; i++) {
		struct ref_mark *m = bl_vec_get(&ui->ref_marks, i);
		if (m->node == n) {
			if (at)
				*at = i;
			return m;
		}
	}
	return NULL;
}

static void unmark(struct bl_ui *ui, const struct bl_node *n)
{
	size_t at;
	if (!mark_of(ui, n, &at))
		return;
	/* Order does not matter: the last one takes its place. */
	struct ref_mark *last = bl_vec_pop(&ui->ref_marks);
	if (at < ui->ref_marks.len) {
		mark_free(ui->ref_marks.items[at]);
		ui->ref_marks.items[at] = last;
	} else {
		mark_free(last);
	}
}

static void set_mark(struct bl_ui *ui, const struct bl_node *n, const char *error)
{
	unmark(ui, n);
	struct ref_mark *m = bl_calloc(1, sizeof *m);
	m->node = n;
	m->error = error ? bl_text_safe(error) : NULL;
	bl_vec_push_take(&ui->ref_marks, m);
}

const char *ui_refs_note(void *ud, const struct bl_node *n, enum bl_role *role)
{
	struct bl_ui *ui = ud;
	if (ui->refs && in_job(ui->refs, n)) {
		*role = BL_ROLE_PROGRESS;
		return ui->ascii ? "... reading referrers" : "\u2026 reading referrers";
	}
	const struct ref_mark *m = mark_of(ui, n, NULL);
	if (!m || !n->referrers_pending)
		return NULL;
	if (m->error) {
		*role = BL_ROLE_MARK_ERROR;
		free(ui->ref_note);
		ui->ref_note = bl_asprintf("! referrers not read: %s", m->error);
		return ui->ref_note;
	}
	*role = BL_ROLE_MARK_SYNTH;
	return "referrers pending";
}

static void collect(struct bl_node *n, struct bl_vec *out)
{
	if (n->referrers_pending)
		bl_vec_push_take(out, n);
	for (size_t i = 0; i < n->children.len; i++)
		collect(bl_vec_get(&n->children, i), out);
}

void ui_refs_expand(struct bl_ui *ui, enum bl_action a)
{
	struct bl_node *n = ui->have_tree ? bl_treeview_node(&ui->treev) : NULL;
	if (!n || !ui->build || (a == BL_ACTION_TOGGLE && n->expanded && n->children.len))
		return;
	struct bl_vec todo;
	bl_vec_init(&todo, NULL);
	if (a == BL_ACTION_EXPAND_ALL)
		collect(n, &todo);
	else if (n->referrers_pending)
		bl_vec_push_take(&todo, n);
	if (todo.len == 0 || ui_stores_busy(ui)) {
		bl_vec_fini(&todo);
		return;
	}
	struct ref_job *j = bl_calloc(1, sizeof *j);
	j->b = ui->build;
	j->n = todo.len;
	j->all = a == BL_ACTION_EXPAND_ALL;
	j->nodes = bl_calloc(j->n, sizeof *j->nodes);
	for (size_t i = 0; i < j->n; i++) {
		j->nodes[i] = bl_vec_get(&todo, i);
		unmark(ui, j->nodes[i]);
	}
	bl_vec_fini(&todo);
	j->sets = bl_calloc(j->n, sizeof *j->sets);
	j->errs = bl_calloc(j->n, sizeof *j->errs);
	struct bl_error err = {0};
	if (!bl_work_start(&j->w, run, j, "referrers", "starting", &err)) {
		job_free(j);
		bl_ui_status(ui, true, "Referrers: %s", err.msg);
		return;
	}
	ui->refs = j;
	ui->refs_state = (struct bl_load_state){0};
	snprintf(ui->refs_state.what, sizeof ui->refs_state.what, "starting");
}

static void open_subtree(struct bl_node *n)
{
	n->expanded = true;
	for (size_t i = 0; i < n->children.len; i++)
		open_subtree(bl_vec_get(&n->children, i));
}

bool ui_refs_tick(struct bl_ui *ui)
{
	struct ref_job *j = ui->refs;
	if (!j)
		return false;
	bl_work_poll(&j->w, &ui->refs_state);
	if (!ui->refs_state.done)
		return true;
	/* A cancel asked before the result is taken wins (work.h): what the
	 * user sees does not depend on how far the thread got. */
	bool cancelled = bl_work_join(&j->w);
	ui->refs = NULL;
	const struct bl_node *keep = bl_treeview_node(&ui->treev);
	size_t added = 0, failed = 0;
	const char *why = NULL;
	for (size_t i = 0; i < j->n; i++) {
		struct bl_node *n = j->nodes[i];
		if (cancelled || i >= j->reached) {
			set_mark(ui, n, NULL); /* not read: expanding again asks */
		} else if (j->sets[i]) {
			size_t before = n->children.len;
			added += bl_build_referrers_attach_take(ui->build, n, j->sets[i]);
			j->sets[i] = NULL;
			if (j->all) {
				for (size_t k = before; k < n->children.len; k++)
					open_subtree(bl_vec_get(&n->children, k));
			}
			if (n->children.len)
				n->expanded = true;
		} else {
			failed++;
			why = j->errs[i].msg;
			set_mark(ui, n, why);
		}
	}
	bl_tree_rebuild(&ui->tree);
	for (size_t r = 0; r < ui->tree.len; r++) {
		if (ui->tree.rows[r].node == keep) {
			ui->treev.cursor = r;
			break;
		}
	}
	bl_view_clamp(&ui->treev);
	if (cancelled)
		bl_ui_status(ui, false, "Referrers: cancelled; expanding again reads them");
	else if (failed)
		bl_ui_status(ui, true, "Referrers not read: %s", why);
	else if (j->n > 1)
		bl_ui_status(ui, false, "%zu referrer%s read for %zu manifests", added,
		        added == 1 ? "" : "s", j->n);
	else if (added)
		bl_ui_status(ui, false, "%zu referrer%s read", added, added == 1 ? "" : "s");
	else
		bl_ui_status(ui, false, "No referrers");
	job_free(j);
	return false;
}

bool ui_refs_cancel(struct bl_ui *ui)
{
	if (!ui->refs)
		return false;
	bool was = bl_work_cancelled(&ui->refs->w);
	bl_work_cancel(&ui->refs->w);
	if (!was)
		bl_ui_status(ui, false, "Cancelling the referrers' read");
	return true;
}

void ui_refs_fini(struct bl_ui *ui)
{
	if (ui->refs) {
		bl_work_cancel(&ui->refs->w);
		bl_work_join(&ui->refs->w);
		job_free(ui->refs);
		ui->refs = NULL;
	}
	bl_vec_fini(&ui->ref_marks);
	bl_vec_init(&ui->ref_marks, mark_free);
	free(ui->ref_note);
	ui->ref_note = NULL;
}

void ui_refs_init(struct bl_ui *ui)
{
	bl_vec_init(&ui->ref_marks, mark_free);
}
