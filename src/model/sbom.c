/* SBOM documents (SPDX 2.x JSON, CycloneDX JSON) decoded into packages,
 * and two package lists compared (sbom.h). Pure functions over parsed JSON:
 * no I/O, fuzzed by fuzz_sbom. */
#include "bakelens/sbom.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/base64.h"
#include "bakelens/buf.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"

bool bl_sbom_predicate(const char *pt)
{
	return pt &&
	       (strstr(pt, "spdx.dev") || strstr(pt, "cyclonedx.org") || strstr(pt, "cyclonedx"));
}

/* A string field kept in the arena, cut at BL_SBOM_FIELD_MAX bytes (on a
 * UTF-8 boundary) so that one hostile field cannot hold a megabyte per row;
 * NULL when absent or not a string. */
static const char *keep(struct bl_sbom *s, const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		return NULL;
	const char *str = json_string_value(v);
	size_t len = json_string_length(v);
	if (len > BL_SBOM_FIELD_MAX) {
		len = BL_SBOM_FIELD_MAX;
		while (len > 0 && ((unsigned char)str[len] & 0xC0) == 0x80)
			len--;
	}
	/* an embedded NUL ends the string as C sees it anyway */
	return bl_arena_strndup(&s->strings, str, strnlen(str, len));
}

/* "pkg:apk/alpine/musl@1.2.4" -> "apk" (in the arena), NULL when the purl
 * has no type. */
static const char *purl_type(struct bl_sbom *s, const char *purl)
{
	if (!purl || strncmp(purl, "pkg:", 4) != 0)
		return NULL;
	const char *t = purl + 4;
	while (*t == '/')
		t++;
	size_t n = strcspn(t, "/@?#");
	if (n == 0 || t[n] != '/')
		return NULL;
	return bl_arena_strndup(&s->strings, t, n);
}

static const char *lower(struct bl_sbom *s, const char *v)
{
	if (!v)
		return NULL;
	char *c = bl_arena_strdup(&s->strings, v);
	for (char *p = c; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		else if (*p == '_')
			*p = '-';
	}
	return c;
}

static struct bl_package *push(struct bl_sbom *s, size_t *cap)
{
	if (s->n >= BL_SBOM_PACKAGES_MAX) {
		s->truncated = true;
		return NULL;
	}
	if (s->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		s->pkgs = bl_realloc(s->pkgs, *cap * sizeof *s->pkgs);
	}
	struct bl_package *p = &s->pkgs[s->n++];
	memset(p, 0, sizeof *p);
	return p;
}

/* The purl among an SPDX package's externalRefs (referenceType "purl"). */
static const char *spdx_purl(struct bl_sbom *s, const json_t *pkg)
{
	json_t *refs = bl_json_arr(pkg, "externalRefs");
	size_t i;
	json_t *r;
	json_array_foreach(refs, i, r)
	{
		const char *t = bl_json_str(r, "referenceType");
		if (t && strcmp(t, "purl") == 0)
			return keep(s, r, "referenceLocator");
	}
	return NULL;
}

static bool decode_spdx(const json_t *doc, struct bl_sbom *s, struct bl_error *err)
{
	s->format = "spdx";
	s->spec_version = keep(s, doc, "spdxVersion");
	json_t *pkgs = json_object_get(doc, "packages");
	if (!pkgs)
		return true; /* a document of files only */
	if (!json_is_array(pkgs))
		return bl_fail(err, BL_E_FORMAT, "SPDX document: packages is not an array");
	size_t cap = 0, i;
	json_t *p;
	json_array_foreach(pkgs, i, p)
	{
		if (!json_is_object(p))
			continue;
		struct bl_package *o = push(s, &cap);
		if (!o)
			break;
		const char *name = keep(s, p, "name");
		o->name = name ? name : "";
		o->version = keep(s, p, "versionInfo");
		o->purl = spdx_purl(s, p);
		o->type = purl_type(s, o->purl);
		if (!o->type)
			o->type = lower(s, bl_json_str(p, "primaryPackagePurpose"));
	}
	return true;
}

/* Components depth first, nesting followed to BL_SBOM_DEPTH_MAX levels. */
static void cdx_components(const json_t *arr, struct bl_sbom *s, size_t *cap, int depth)
{
	if (!json_is_array(arr) || depth > BL_SBOM_DEPTH_MAX || s->truncated)
		return;
	size_t i;
	json_t *c;
	json_array_foreach(arr, i, c)
	{
		if (!json_is_object(c))
			continue;
		struct bl_package *o = push(s, cap);
		if (!o)
			return;
		const char *name = keep(s, c, "name");
		const char *group = bl_json_str(c, "group");
		if (name && group && *group) {
			/* the group is part of the name (maven, npm scopes) */
			char *full = bl_asprintf("%s/%s", group, name);
			size_t len =
			        strlen(full) > BL_SBOM_FIELD_MAX ? BL_SBOM_FIELD_MAX : strlen(full);
			name = bl_arena_strndup(&s->strings, full, len);
			free(full);
		}
		o->name = name ? name : "";
		o->version = keep(s, c, "version");
		o->purl = keep(s, c, "purl");
		o->type = purl_type(s, o->purl);
		if (!o->type)
			o->type = lower(s, bl_json_str(c, "type"));
		cdx_components(json_object_get(c, "components"), s, cap, depth + 1);
	}
}

static bool decode_cdx(const json_t *doc, struct bl_sbom *s, struct bl_error *err)
{
	s->format = "cyclonedx";
	s->spec_version = keep(s, doc, "specVersion");
	json_t *cs = json_object_get(doc, "components");
	if (cs && !json_is_array(cs))
		return bl_fail(err, BL_E_FORMAT, "CycloneDX document: components is not an array");
	size_t cap = 0;
	cdx_components(cs, s, &cap, 0);
	return true;
}

static bool is_spdx(const json_t *d)
{
	return json_is_object(d) && (bl_json_str(d, "spdxVersion") || json_object_get(d, "SPDXID"));
}

static bool is_cdx(const json_t *d)
{
	const char *f = bl_json_str(d, "bomFormat");
	return f && strcmp(f, "CycloneDX") == 0;
}

/* A DSSE envelope's payload parsed, or NULL (the caller decrefs). */
static json_t *dsse_payload(const json_t *doc)
{
	const char *pt = bl_json_str(doc, "payloadType");
	const char *pl = bl_json_str(doc, "payload");
	if (!pt || !pl || !strstr(pt, "in-toto"))
		return NULL;
	struct bl_buf b;
	bl_buf_init(&b);
	json_t *j = NULL;
	if (bl_base64_decode(pl, &b))
		j = bl_json_parse(b.data, b.len, BL_JSON_CONFIG_MAX, NULL);
	bl_buf_fini(&b);
	return j;
}

bool bl_sbom_decode(const json_t *doc, struct bl_sbom *out, struct bl_error *err)
{
	memset(out, 0, sizeof *out);
	bl_arena_init(&out->strings);
	json_t *owned = dsse_payload(doc);
	const json_t *d = owned ? owned : doc;
	if (!is_spdx(d) && !is_cdx(d) && json_is_object(json_object_get(d, "predicate")))
		d = json_object_get(d, "predicate");
	bool ok;
	if (is_spdx(d))
		ok = decode_spdx(d, out, err);
	else if (is_cdx(d))
		ok = decode_cdx(d, out, err);
	else
		ok = bl_fail(err, BL_E_FORMAT, "not an SPDX or CycloneDX document");
	json_decref(owned);
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

static const struct bl_package **sorted(const struct bl_sbom *s)
{
	const struct bl_package **v = bl_calloc(s->n + 1, sizeof *v);
	for (size_t i = 0; i < s->n; i++)
		v[i] = &s->pkgs[i];
	qsort(v, s->n, sizeof *v, pkg_order);
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
	const struct bl_package **ls = sorted(l), **rs = sorted(r);
	size_t cap = 0, i = 0, j = 0;
	while (i < l->n || j < r->n) {
		/* the next group: the smaller (type, name) of the two heads */
		const struct bl_package *head;
		if (i >= l->n)
			head = rs[j];
		else if (j >= r->n)
			head = ls[i];
		else {
			int c = cmp_str(ls[i]->type, rs[j]->type);
			if (!c)
				c = cmp_str(ls[i]->name, rs[j]->name);
			head = c <= 0 ? ls[i] : rs[j];
		}
		size_t i2 = i, j2 = j;
		while (i2 < l->n && same_package(ls[i2], head))
			i2++;
		while (j2 < r->n && same_package(rs[j2], head))
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
