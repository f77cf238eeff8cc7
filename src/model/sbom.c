/* SBOM packages: a parsed document handed to the scanner (sbom_scan.c, the
 * one decoder), and two package lists compared (sbom.h). Pure functions: no
 * I/O, fuzzed by fuzz_sbom. */
#include "bakelens/sbom.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"

static int dump_to_buf(const char *data, size_t len, void *ud)
{
	bl_buf_append(ud, data, len);
	return 0;
}

bool bl_sbom_predicate(const char *pt)
{
	return pt &&
	       (strstr(pt, "spdx.dev") || strstr(pt, "cyclonedx.org") || strstr(pt, "cyclonedx"));
}

bool bl_sbom_decode(const json_t *doc, struct bl_sbom *out, struct bl_error *err)
{
	/* One decoder: the tree written out and scanned as any document is. */
	struct bl_buf b;
	bl_buf_init(&b);
	if (json_dump_callback(doc, dump_to_buf, &b, JSON_COMPACT | JSON_ENCODE_ANY) != 0)
		bl_buf_clear(&b);
	bool ok = bl_sbom_scan(b.data, b.len, out, err);
	bl_buf_fini(&b);
	return ok;
}

void bl_sbom_fini(struct bl_sbom *s)
{
	if (!s)
		return;
	free(s->pkgs);
	bl_arena_fini(&s->strings);
	memset(s, 0, sizeof *s);
}

/* ---- comparing two package lists ---- */

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int pkg_order(const void *x, const void *y)
{
	const struct bl_package *a = *(const struct bl_package *const *)x;
	const struct bl_package *b = *(const struct bl_package *const *)y;
	int c = cmp_str(a->type, b->type);
	if (!c)
		c = cmp_str(a->name, b->name);
	if (!c)
		c = cmp_str(a->version, b->version);
	if (!c)
		c = cmp_str(a->purl, b->purl);
	return c;
}

static bool same_package(const struct bl_package *a, const struct bl_package *b)
{
	return cmp_str(a->type, b->type) == 0 && cmp_str(a->name, b->name) == 0;
}

/* The packages of `s` that are not equal in every field to the package at
 * the same place in `other`, sorted; their number in *n. Two SBOMs of one
 * build tool list packages in the same order, so a change of one version
 * leaves all but one package aside unsorted: what is equal at the same
 * place is one instance of the same package on each side, which the
 * multiset comparison below would have paired and dropped anyway. */
static const struct bl_package **sorted(
        const struct bl_sbom *s, const struct bl_sbom *other, size_t *n)
{
	const struct bl_package **v = bl_calloc(s->n + 1, sizeof *v);
	*n = 0;
	for (size_t i = 0; i < s->n; i++) {
		const struct bl_package *p = &s->pkgs[i];
		const struct bl_package *q = i < other->n ? &other->pkgs[i] : NULL;
		if (q && pkg_order(&p, &q) == 0)
			continue;
		v[(*n)++] = p;
	}
	qsort(v, *n, sizeof *v, pkg_order);
	return v;
}

static void add_change(struct bl_pkg_diff *d, size_t *cap, enum bl_pkg_change_kind k,
        const struct bl_package *a, const struct bl_package *b)
{
	if (d->n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		d->v = bl_realloc(d->v, *cap * sizeof *d->v);
	}
	const struct bl_package *p = b ? b : a;
	struct bl_pkg_change *c = &d->v[d->n++];
	c->kind = k;
	c->name = bl_strdup(p->name);
	c->type = p->type ? bl_strdup(p->type) : NULL;
	c->old_version = a && a->version ? bl_strdup(a->version) : NULL;
	c->new_version = b && b->version ? bl_strdup(b->version) : NULL;
	c->old_purl = a && a->purl ? bl_strdup(a->purl) : NULL;
	c->new_purl = b && b->purl ? bl_strdup(b->purl) : NULL;
	if (k == BL_PKG_ADDED)
		d->added++;
	else if (k == BL_PKG_REMOVED)
		d->removed++;
	else
		d->changed++;
}

/* One type and name: ls[0..nl) and rs[0..nr), both sorted by version. */
static void diff_group(struct bl_pkg_diff *d, size_t *cap, const struct bl_package **ls, size_t nl,
        const struct bl_package **rs, size_t nr)
{
	/* drop what both sides have (same version and purl) */
	const struct bl_package **lo = bl_calloc(nl + 1, sizeof *lo);
	const struct bl_package **ro = bl_calloc(nr + 1, sizeof *ro);
	size_t a = 0, b = 0, nlo = 0, nro = 0;
	while (a < nl || b < nr) {
		int c = a >= nl ? 1 : b >= nr ? -1 : pkg_order(&ls[a], &rs[b]);
		if (c == 0) {
			a++;
			b++;
		} else if (c < 0) {
			lo[nlo++] = ls[a++];
		} else {
			ro[nro++] = rs[b++];
		}
	}
	if (nlo == 1 && nro == 1 && cmp_str(lo[0]->version, ro[0]->version) != 0) {
		add_change(d, cap, BL_PKG_CHANGED, lo[0], ro[0]);
	} else {
		/* the same version under another purl (qualifiers) is no change
		 * we can name: said as removed and added */
		for (size_t i = 0; i < nlo; i++)
			add_change(d, cap, BL_PKG_REMOVED, lo[i], NULL);
		for (size_t i = 0; i < nro; i++)
			add_change(d, cap, BL_PKG_ADDED, NULL, ro[i]);
	}
	free(lo);
	free(ro);
}

void bl_sbom_diff(const struct bl_sbom *l, const struct bl_sbom *r, struct bl_pkg_diff *out)
{
	memset(out, 0, sizeof *out);
	out->left_count = l->n;
	out->right_count = r->n;
	size_t nl, nr;
	const struct bl_package **ls = sorted(l, r, &nl), **rs = sorted(r, l, &nr);
	size_t cap = 0, i = 0, j = 0;
	while (i < nl || j < nr) {
		/* the next group: the smaller (type, name) of the two heads */
		const struct bl_package *head;
		if (i >= nl)
			head = rs[j];
		else if (j >= nr)
			head = ls[i];
		else {
			int c = cmp_str(ls[i]->type, rs[j]->type);
			if (!c)
				c = cmp_str(ls[i]->name, rs[j]->name);
			head = c <= 0 ? ls[i] : rs[j];
		}
		size_t i2 = i, j2 = j;
		while (i2 < nl && same_package(ls[i2], head))
			i2++;
		while (j2 < nr && same_package(rs[j2], head))
			j2++;
		diff_group(out, &cap, ls + i, i2 - i, rs + j, j2 - j);
		i = i2;
		j = j2;
	}
	free(ls);
	free(rs);
}

void bl_pkg_diff_fini(struct bl_pkg_diff *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		struct bl_pkg_change *c = &d->v[i];
		free(c->name);
		free(c->type);
		free(c->old_version);
		free(c->new_version);
		free(c->old_purl);
		free(c->new_purl);
	}
	free(d->v);
	memset(d, 0, sizeof *d);
}

char *bl_pkg_change_words(const struct bl_pkg_change *c)
{
	char *type = c->type ? bl_asprintf(" (%s)", c->type) : bl_strdup("");
	const char *ov = c->old_version ? c->old_version : "(no version)";
	const char *nv = c->new_version ? c->new_version : "(no version)";
	char *s;
	if (c->kind == BL_PKG_CHANGED)
		s = bl_asprintf("package %s %s -> %s%s", c->name, ov, nv, type);
	else if (c->kind == BL_PKG_ADDED)
		s = bl_asprintf("package added: %s %s%s", c->name, nv, type);
	else
		s = bl_asprintf("package removed: %s %s%s", c->name, ov, type);
	free(type);
	return s;
}
