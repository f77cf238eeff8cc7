/* SBOM statements compared by their packages: which were added, removed or
 * moved to another version, instead of the JSON paths that differ (which
 * say nothing once one package is inserted and every index after it moves).
 * Called by compare.c for a pair of statements whose digests differ; reads
 * both (node_doc.c) and uses sbom.c. */
#include <stdlib.h>

#include "bakelens/mem.h"
#include "bakelens/sbom.h"
#include "compare_internal.h"

/* Sentences per SBOM pair at most; the JSON has every change. */
#define CMP_PACKAGE_NOTES 200

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* A side that could not be read or decoded: what the read said. */
static void unreadable(struct bl_cmp_node *n, const char *side, const struct bl_error *e)
{
	cmp_set_own(n, BL_CMP_UNKNOWN);
	cmp_note_take(n, bl_asprintf("cannot compare: %s statement: %s", side, e->msg));
}

bool cmp_packages(struct bl_cmp_node *n)
{
	const struct bl_node *a = n->left, *b = n->right;
	if (!a || !b || !bl_node_is_sbom(a) || !bl_node_is_sbom(b))
		return false;
	/* Both read (verified against their digests) and scanned: no JSON tree
	 * of either, which for a megabyte SBOM costs more than the rest of
	 * the comparison. */
	struct bl_sbom l, r;
	struct bl_error el, er;
	bl_error_clear(&el);
	bl_error_clear(&er);
	bool okl = bl_node_sbom(a, &l, &el);
	bool okr = bl_node_sbom(b, &r, &er);
	if (!okl || !okr) {
		if (!okl)
			unreadable(n, "left", &el);
		if (!okr)
			unreadable(n, "right", &er);
		bl_sbom_fini(&l);
		bl_sbom_fini(&r);
		return true;
	}
	struct bl_pkg_diff *d = bl_calloc(1, sizeof *d);
	bl_sbom_diff(&l, &r, d);
	bl_sbom_fini(&l);
	bl_sbom_fini(&r);
	cmp_set_own(n, BL_CMP_INDEX_ONLY);
	if (!d->n) {
		/* The package list is the SBOM's report; its other fields (times,
		 * names, files) are not walked as JSON. */
		cmp_note_take(n, bl_asprintf("%s: statement differs; the same %zu package%s",
		                         n->label, d->left_count, plural(d->left_count)));
		free(d);
		return true;
	}
	n->packages = d;
	cmp_note_take(n, bl_asprintf("%s: %zu package%s changed (%zu added, %zu removed, %zu "
	                             "version%s changed; %zu -> %zu packages)",
	                         n->label, d->n, plural(d->n), d->added, d->removed, d->changed,
	                         plural(d->changed), d->left_count, d->right_count));
	for (size_t i = 0; i < d->n && i < CMP_PACKAGE_NOTES; i++)
		cmp_note_take(n, bl_pkg_change_words(&d->v[i]));
	if (d->n > CMP_PACKAGE_NOTES)
		cmp_note_take(n,
		        bl_asprintf("... and %zu more package changes", d->n - CMP_PACKAGE_NOTES));
	return true;
}
