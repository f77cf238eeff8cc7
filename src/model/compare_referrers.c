/* Referrers (signatures, attestations, SBOMs found next to a manifest in a
 * registry) compared: paired by their label (what they are and who signed),
 * said "signature added", "signature removed", or "changed" when the pair's
 * digests differ. They are never image layers or platforms: compare.c hands
 * them here. Uses compare_node.c; called by compare.c. */
#include <stdlib.h>

#include "bakelens/mem.h"
#include "bakelens/signature.h"
#include "compare_internal.h"

char *cmp_referrer_one_sided(const struct bl_node *x, bool left)
{
	const char *verb = left ? "removed" : "added";
	const char *what = x->referrer ? bl_referrer_kind_name(x->referrer->kind) : "referrer";
	if (x->referrer && x->referrer->kind == BL_REFERRER_OTHER)
		what = "referrer";
	if (x->referrer && x->referrer->kind == BL_REFERRER_SBOM)
		what = "SBOM";
	return bl_asprintf("%s %s: %s", what, verb, x->label ? x->label : "?");
}

void cmp_referrer_pair(struct bl_cmp_node *c)
{
	const struct bl_node *a = c->left, *b = c->right;
	if (!a->has_desc || !b->has_desc || !bl_digest_equal(&a->desc.digest, &b->desc.digest)) {
		cmp_set_own(c, BL_CMP_INDEX_ONLY);
		cmp_note_take(c, bl_asprintf("%s changed: %s -> %s", c->label,
		                         a->has_desc ? a->desc.digest.str : "?",
		                         b->has_desc ? b->desc.digest.str : "?"));
	}
	cmp_roll_up(c);
}

void cmp_referrers(struct bl_cmp_node *n, const struct bl_vec *l, const struct bl_vec *r)
{
	size_t nl = l->len, nr = r->len;
	if (!nl && !nr)
		return;
	const char **lk = bl_calloc(nl + 1, sizeof *lk);
	const char **rk = bl_calloc(nr + 1, sizeof *rk);
	for (size_t i = 0; i < nl; i++)
		lk[i] = ((const struct bl_node *)bl_vec_get(l, i))->label;
	for (size_t i = 0; i < nr; i++)
		rk[i] = ((const struct bl_node *)bl_vec_get(r, i))->label;
	struct cmp_pairing p;
	cmp_pair_by_key(lk, nl, rk, nr, &p);
	for (size_t k = 0; k < p.n; k++) {
		const struct bl_node *a = p.l[k] >= 0 ? bl_vec_get(l, (size_t)p.l[k]) : NULL;
		const struct bl_node *b = p.r[k] >= 0 ? bl_vec_get(r, (size_t)p.r[k]) : NULL;
		struct bl_cmp_node *c = cmp_node_new(n, a, b, NULL);
		if (!a || !b) {
			cmp_set_own(c, BL_CMP_INDEX_ONLY);
			cmp_note_take(c, cmp_referrer_one_sided(a ? a : b, a != NULL));
			cmp_roll_up(c);
		} else {
			cmp_referrer_pair(c);
		}
	}
	cmp_pairing_fini(&p);
	free(lk);
	free(rk);
}
