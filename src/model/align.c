/* Lining up two sequences of keys: an LCS for ordered lists (layers), a
 * first-match pairing for unordered ones (targets, platforms, statements).
 * Knows nothing of nodes: keys in, index pairs out. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "compare_internal.h"

#define LCS_CELLS_MAX (4u << 20)

bool cmp_key_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static size_t flush_gap(const int *gl, size_t ngl, const int *gr, size_t ngr, int *pl, int *pr,
        bool *matched, size_t k)
{
	size_t both = ngl < ngr ? ngl : ngr;
	for (size_t x = 0; x < both; x++, k++) {
		pl[k] = gl[x];
		pr[k] = gr[x];
		if (matched)
			matched[k] = false;
	}
	for (size_t x = both; x < ngl; x++, k++) {
		pl[k] = gl[x];
		pr[k] = -1;
		if (matched)
			matched[k] = false;
	}
	for (size_t x = both; x < ngr; x++, k++) {
		pl[k] = -1;
		pr[k] = gr[x];
		if (matched)
			matched[k] = false;
	}
	return k;
}

size_t bl_cmp_align(const char *const *left, size_t nl, const char *const *right, size_t nr,
        int *pl, int *pr, bool *matched)
{
	size_t k = 0;
	size_t w = nr + 1;
	int *gl = bl_calloc(nl + 1, sizeof *gl);
	int *gr = bl_calloc(nr + 1, sizeof *gr);
	size_t ngl = 0, ngr = 0;
	unsigned *dp = NULL;
	if ((nl + 1) * w <= LCS_CELLS_MAX) {
		/* dp[i][j]: LCS length of left[i..] and right[j..]. */
		dp = bl_calloc((nl + 1) * w, sizeof *dp);
		for (size_t i = nl; i-- > 0;) {
			for (size_t j = nr; j-- > 0;) {
				if (cmp_key_eq(left[i], right[j]))
					dp[i * w + j] = dp[(i + 1) * w + j + 1] + 1;
				else {
					unsigned down = dp[(i + 1) * w + j],
					         across = dp[i * w + j + 1];
					dp[i * w + j] = down >= across ? down : across;
				}
			}
		}
	}
	size_t i = 0, j = 0;
	while (i < nl && j < nr) {
		bool take = dp ? cmp_key_eq(left[i], right[j]) &&
		                            dp[i * w + j] == dp[(i + 1) * w + j + 1] + 1
		               : cmp_key_eq(left[i], right[j]);
		if (take) {
			k = flush_gap(gl, ngl, gr, ngr, pl, pr, matched, k);
			ngl = ngr = 0;
			pl[k] = (int)i;
			pr[k] = (int)j;
			if (matched)
				matched[k] = true;
			k++;
			i++;
			j++;
		} else if (!dp) {
			/* Too large for a table: position only. */
			gl[ngl++] = (int)i++;
			gr[ngr++] = (int)j++;
		} else {
			/* Of equally long ways on, the one that keeps i and j level:
			 * two layers swapped around a third keep that one in place
			 * (matched where it is) rather than removed and added. */
			unsigned down = dp[(i + 1) * w + j], across = dp[i * w + j + 1];
			if (down > across || (down == across && i <= j))
				gl[ngl++] = (int)i++;
			else
				gr[ngr++] = (int)j++;
		}
	}
	while (i < nl)
		gl[ngl++] = (int)i++;
	while (j < nr)
		gr[ngr++] = (int)j++;
	k = flush_gap(gl, ngl, gr, ngr, pl, pr, matched, k);
	free(dp);
	free(gl);
	free(gr);
	return k;
}

void cmp_pair_by_key(
        const char *const *lk, size_t nl, const char *const *rk, size_t nr, struct cmp_pairing *out)
{
	out->l = bl_calloc(nl + nr + 1, sizeof *out->l);
	out->r = bl_calloc(nl + nr + 1, sizeof *out->r);
	out->n = 0;
	bool *used = bl_calloc(nr + 1, sizeof *used);
	for (size_t i = 0; i < nl; i++) {
		int m = -1;
		for (size_t j = 0; j < nr && m < 0; j++)
			if (!used[j] && cmp_key_eq(lk[i], rk[j]))
				m = (int)j;
		if (m >= 0)
			used[m] = true;
		out->l[out->n] = (int)i;
		out->r[out->n] = m;
		out->n++;
	}
	for (size_t j = 0; j < nr; j++) {
		if (used[j])
			continue;
		out->l[out->n] = -1;
		out->r[out->n] = (int)j;
		out->n++;
	}
	free(used);
}

void cmp_pairing_fini(struct cmp_pairing *p)
{
	free(p->l);
	free(p->r);
}
