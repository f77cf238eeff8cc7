/* SBOM statements compared by their packages: which were added, removed or
 * moved to another version, instead of the JSON paths that differ (which
 * say nothing once one package is inserted and every index after it moves).
 * Called by compare.c for a pair of statements; uses sbom.c. */
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

bool cmp_packages(struct bl_cmp_node *n)
{
	const struct bl_node *a = n->left, *b = n->right;
	if (!a || !b || !a->doc || !b->doc || !bl_sbom_predicate(a->predicate_type) ||
	        !bl_sbom_predicate(b->predicate_type))
		return false;
	struct bl_sbom l, r;
	bool okl = bl_sbom_decode(a->doc, &l, NULL);
	bool okr = bl_sbom_decode(b->doc, &r, NULL);
	if (!okl || !okr) {
		bl_sbom_fini(&l);
		bl_sbom_fini(&r);
		return false;
	}
	struct bl_pkg_diff *d = bl_calloc(1, sizeof *d);
	bl_sbom_diff(&l, &r, d);
	bl_sbom_fini(&l);
	bl_sbom_fini(&r);
	if (!d->n) {
		free(d);
		return false; /* same packages: the document's other fields say what moved */
	}
	n->packages = d;
	cmp_set_own(n, BL_CMP_INDEX_ONLY);
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
