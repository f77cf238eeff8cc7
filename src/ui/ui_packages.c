/* P in the tree: the packages of the SBOM statements at or under the
 * selected node, in the packages popup, filtered by a text (f) that the
 * name, version, type or purl contains (ui_internal.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bakelens/mem.h"
#include "bakelens/sbom.h"
#include "bakelens/text.h"
#include "ui_internal.h"

/* Rows shown at most (after the filter); inspect --json lists them all. */
#define PACKAGES_LISTED 50000
/* SBOM statements looked for under a node (a bake build of many targets). */
#define SBOMS_MAX 64

struct ui_sbom {
	char *title; /* display-safe: "sbom (spdx) of attestation for linux/amd64" */
	struct bl_sbom sbom;
};

static void sbom_free(void *p)
{
	struct ui_sbom *s = p;
	free(s->title);
	bl_sbom_fini(&s->sbom);
	free(s);
}

static void collect(struct bl_vec *out, const struct bl_node *n, int depth)
{
	if (out->len >= SBOMS_MAX || depth > 64)
		return;
	if (bl_node_is_sbom(n) && n->status == BL_STATUS_OK) {
		struct ui_sbom *s = bl_calloc(1, sizeof *s);
		if (!bl_node_sbom(n, &s->sbom, NULL)) {
			sbom_free(s);
			return;
		}
		const char *of = n->parent && n->parent->label ? n->parent->label : NULL;
		char *raw = bl_asprintf(
		        "%s%s%s", n->label ? n->label : "sbom", of ? " of " : "", of ? of : "");
		s->title = bl_text_safe(raw);
		free(raw);
		bl_vec_push_take(out, s);
		return;
	}
	for (size_t i = 0; i < n->children.len; i++)
		collect(out, bl_vec_get(&n->children, i), depth + 1);
}

bool ui_packages_load(struct bl_ui *ui)
{
	const struct bl_node *n = bl_ui_selected(ui);
	if (!n)
		return false;
	bl_vec_fini(&ui->sboms);
	bl_vec_init(&ui->sboms, sbom_free);
	free(ui->pkg_filter);
	ui->pkg_filter = NULL;
	collect(&ui->sboms, n, 0);
	if (!ui->sboms.len) {
		bl_ui_status(ui, true, "No SBOM at or under the selected node");
		return false;
	}
	return true;
}

void ui_packages_set_filter(struct bl_ui *ui, const char *text)
{
	free(ui->pkg_filter);
	ui->pkg_filter = text && *text ? bl_strdup(text) : NULL;
}

static bool has(const char *field, const char *needle)
{
	if (!field)
		return false;
	size_t n = strlen(needle);
	for (const char *p = field; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return false;
}

static bool matches(const struct bl_package *p, const char *filter)
{
	return !filter || has(p->name, filter) || has(p->version, filter) || has(p->type, filter) ||
	       has(p->purl, filter);
}

static void add_field(struct bl_doc *d, enum bl_role role, const char *s, const char *none)
{
	char *safe = bl_text_safe(s ? s : none);
	bl_doc_add(d, role, safe);
	free(safe);
}

void ui_packages_doc(struct bl_ui *ui, int width)
{
	struct bl_doc *d = &ui->popdoc;
	const char *f = ui->pkg_filter;
	size_t shown = 0;
	for (size_t k = 0; k < ui->sboms.len; k++) {
		const struct ui_sbom *s = bl_vec_get(&ui->sboms, k);
		size_t match = 0;
		for (size_t i = 0; i < s->sbom.n; i++)
			match += matches(&s->sbom.pkgs[i], f);
		if (d->len)
			bl_doc_newline(d);
		const char *pl = s->sbom.n == 1 ? "" : "s";
		char *head =
		        f ? bl_asprintf("%s: %zu of %zu package%s", s->title, match, s->sbom.n, pl)
		          : bl_asprintf("%s: %zu package%s", s->title, s->sbom.n, pl);
		bl_doc_wrap(d, BL_ROLE_HEADING, head, width, 2);
		free(head);
		for (size_t i = 0; i < s->sbom.n && shown < PACKAGES_LISTED; i++) {
			const struct bl_package *p = &s->sbom.pkgs[i];
			if (!matches(p, f))
				continue;
			shown++;
			bl_doc_newline(d);
			bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
			add_field(d, BL_ROLE_NAME, p->name, "");
			bl_doc_add(d, BL_ROLE_DEFAULT, " ");
			add_field(d, BL_ROLE_FACT_VALUE, p->version, "(no version)");
			if (p->type) {
				bl_doc_add(d, BL_ROLE_DEFAULT, " ");
				add_field(d, BL_ROLE_GUIDE, p->type, "");
			}
			if (p->purl) {
				bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
				add_field(d, BL_ROLE_DIGEST, p->purl, "");
			}
		}
		if (s->sbom.truncated) {
			bl_doc_newline(d);
			bl_doc_add(d, BL_ROLE_GUIDE, "  (more packages than bakelens keeps)");
		}
	}
	if (shown >= PACKAGES_LISTED) {
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_GUIDE, "... more (bakelens inspect --json lists them all)");
	}
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_wrap(d, BL_ROLE_GUIDE,
	        f ? "f changes the filter, Esc closes" : "f filters (name, version, type, purl)",
	        width, 0);
}

void ui_packages_free(struct bl_ui *ui)
{
	bl_vec_fini(&ui->sboms);
	free(ui->pkg_filter);
	ui->pkg_filter = NULL;
}
