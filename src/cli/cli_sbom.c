/* SBOM packages, package changes and referrers as JSON, for inspect --json
 * (docs/inspect-json.md, `sbom`, `referrer`) and diff --json
 * (docs/diff-json.md, `packages`). */
#include <jansson.h>

#include "bakelens/sbom.h"
#include "bakelens/signature.h"
#include "cli_internal.h"

static void set_str(json_t *obj, const char *key, const char *s)
{
	json_object_set_new(obj, key, s ? cli_json_str(s) : json_null());
}

json_t *cli_sbom_json(const struct bl_node *n)
{
	if (!bl_node_is_sbom(n) || n->status != BL_STATUS_OK)
		return NULL;
	struct bl_sbom s;
	struct bl_error e;
	bl_error_clear(&e);
	json_t *j = json_object();
	if (!bl_node_sbom(n, &s, &e)) {
		json_object_set_new(j, "error", cli_json_str(e.msg));
		bl_sbom_fini(&s);
		return j;
	}
	json_object_set_new(j, "format", json_string(s.format));
	set_str(j, "specVersion", s.spec_version);
	json_object_set_new(j, "packageCount", json_integer((json_int_t)s.n));
	json_object_set_new(j, "truncated", json_boolean(s.truncated));
	json_t *pkgs = json_array();
	for (size_t i = 0; i < s.n; i++) {
		const struct bl_package *p = &s.pkgs[i];
		json_t *pj = json_object();
		set_str(pj, "name", p->name);
		set_str(pj, "version", p->version);
		set_str(pj, "type", p->type);
		set_str(pj, "purl", p->purl);
		json_array_append_new(pkgs, pj);
	}
	json_object_set_new(j, "packages", pkgs);
	bl_sbom_fini(&s);
	return j;
}

json_t *cli_pkg_diff_json(const struct bl_pkg_diff *d)
{
	static const char *const kinds[] = {"added", "removed", "changed"};
	json_t *j = json_object();
	json_object_set_new(j, "leftCount", json_integer((json_int_t)d->left_count));
	json_object_set_new(j, "rightCount", json_integer((json_int_t)d->right_count));
	json_object_set_new(j, "added", json_integer((json_int_t)d->added));
	json_object_set_new(j, "removed", json_integer((json_int_t)d->removed));
	json_object_set_new(j, "changed", json_integer((json_int_t)d->changed));
	json_t *cs = json_array();
	for (size_t i = 0; i < d->n; i++) {
		const struct bl_pkg_change *c = &d->v[i];
		json_t *cj = json_object();
		json_object_set_new(cj, "change", json_string(kinds[c->kind]));
		set_str(cj, "name", c->name);
		set_str(cj, "type", c->type);
		set_str(cj, "oldVersion", c->old_version);
		set_str(cj, "newVersion", c->new_version);
		set_str(cj, "oldPurl", c->old_purl);
		set_str(cj, "newPurl", c->new_purl);
		json_array_append_new(cs, cj);
	}
	json_object_set_new(j, "changes", cs);
	return j;
}

json_t *cli_referrer_json(const struct bl_node *n)
{
	const struct bl_referrer *r = n->referrer;
	if (!r)
		return NULL;
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_string(bl_referrer_kind_name(r->kind)));
	set_str(j, "artifactType", r->artifact_type);
	set_str(j, "predicateType", r->predicate_type);
	set_str(j, "format", r->format);
	json_object_set_new(j, "signed", json_boolean(r->signed_));
	set_str(j, "signer", r->identity);
	json_object_set_new(j, "verified", json_false());
	return j;
}
