/* bakelens inspect: every node resolved, as facts (text) or as JSON.
 * The JSON schema is documented in docs/inspect-json.md; bump
 * INSPECT_SCHEMA_VERSION on any incompatible change. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/cli.h"
#include "bakelens/provenance.h"
#include "bakelens/text.h"
#include "bakelens/tree.h"
#include "cli_internal.h"

#define INSPECT_SCHEMA_VERSION 1

static void set_str(json_t *obj, const char *key, const char *s)
{
	if (s)
		json_object_set_new(obj, key, cli_json_str(s));
}

static json_t *platform_json(const struct bl_platform *p)
{
	json_t *j = json_object();
	set_str(j, "os", p->os);
	set_str(j, "architecture", p->arch);
	set_str(j, "variant", p->variant);
	set_str(j, "os.version", p->os_version);
	return j;
}

static json_t *descriptor_json(const struct bl_descriptor *d)
{
	json_t *j = json_object();
	set_str(j, "mediaType", d->media_type);
	if (bl_digest_is_set(&d->digest))
		json_object_set_new(j, "digest", json_string(d->digest.str));
	if (d->size >= 0)
		json_object_set_new(j, "size", json_integer(d->size));
	set_str(j, "artifactType", d->artifact_type);
	if (d->has_platform)
		json_object_set_new(j, "platform", platform_json(&d->platform));
	if (d->annotations)
		json_object_set(j, "annotations", d->annotations);
	return j;
}

static json_t *layer_json(const struct bl_layer_info *l)
{
	json_t *j = json_object();
	json_object_set_new(j, "index", json_integer(l->index));
	json_object_set_new(j, "count", json_integer(l->count));
	if (l->has_diff_id)
		json_object_set_new(j, "diffID", json_string(l->diff_id.str));
	if (l->has_chain_id)
		json_object_set_new(j, "chainID", json_string(l->chain_id.str));
	set_str(j, "createdBy", l->created_by);
	set_str(j, "created", l->created);
	set_str(j, "comment", l->comment);
	json_object_set_new(j, "compression", json_string(bl_compression_name(l->comp)));
	static const char *const blob_states[] = {"missing", "present", "verified", "mismatch"};
	json_object_set_new(j, "blob", json_string(blob_states[l->blob]));
	return j;
}

/* The document of `n`, or a reference to it: a document reached through
 * many descriptors (one config behind hundreds of manifests) is written in
 * full the first time and as "documentRef": its digest afterwards. `seen`
 * maps digests already written to their document; the model keeps one parsed
 * document per digest, so the same pointer means the same bytes. */
static void set_document(json_t *j, const struct bl_node *n, json_t *seen)
{
	if (!n->doc && n->doc_deferred) {
		/* a statement loading left unread: read and verified now */
		struct bl_error e;
		bl_error_clear(&e);
		json_t *doc = bl_node_read_doc(n, &e);
		if (doc)
			json_object_set_new(j, "document", doc);
		else
			json_object_set_new(j, "documentError", cli_json_str(e.msg));
		return;
	}
	if (!n->doc)
		return;
	if (n->has_desc && bl_digest_is_set(&n->desc.digest)) {
		json_t *prev = json_object_get(seen, n->desc.digest.str);
		if (prev == n->doc) {
			json_object_set_new(j, "documentRef", json_string(n->desc.digest.str));
			return;
		}
		if (!prev)
			json_object_set(seen, n->desc.digest.str, n->doc);
	}
	json_object_set(j, "document", n->doc);
}

/* The provenance of the image whose layers are being written: decoded once
 * per manifest, not once per layer. */
struct img_prov {
	struct bl_prov *prov;
	struct bl_digest *layers;
	size_t n;
};

static void layer_made_by(json_t *j, const struct bl_node *n, const struct img_prov *ip)
{
	if (!ip || !ip->prov || !n->layer)
		return;
	int step = bl_prov_layer_step(ip->prov, ip->layers, ip->n, (size_t)n->layer->index);
	char *w = bl_prov_step_words(ip->prov, step);
	if (w)
		json_object_set_new(json_object_get(j, "layer"), "madeBy", cli_json_str(w));
	free(w);
}

static json_t *node_json(const struct bl_node *n, json_t *seen, const struct img_prov *ip)
{
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_string(bl_node_kind_name(n->kind)));
	set_str(j, "label", n->label);
	json_object_set_new(j, "status", json_string(bl_node_status_name(n->status)));
	set_str(j, "message", n->status_msg);
	if (n->synthesised)
		json_object_set_new(j, "synthesised", json_true());
	set_str(j, "note", n->note);
	set_str(j, "name", n->name);
	if (n->has_desc)
		json_object_set_new(j, "descriptor", descriptor_json(&n->desc));
	set_str(j, "predicateType", n->predicate_type);
	if (n->layer) {
		json_object_set_new(j, "layer", layer_json(n->layer));
		layer_made_by(j, n, ip);
	}
	if ((n->kind == BL_NODE_STATEMENT && bl_prov_is_type(n->predicate_type)) ||
	        (n->kind == BL_NODE_INFO && n->label && strncmp(n->label, "provenance", 10) == 0)) {
		struct bl_prov *p = bl_prov_decode(n->doc, NULL);
		if (p)
			json_object_set_new(j, "provenance", bl_prov_json(p));
		bl_prov_free(p);
	}
	json_t *record = bl_node_record_json(n);
	if (record)
		json_object_set_new(j, "record", record);
	json_t *sbom = cli_sbom_json(n);
	if (sbom)
		json_object_set_new(j, "sbom", sbom);
	json_t *referrer = cli_referrer_json(n);
	if (referrer)
		json_object_set_new(j, "referrer", referrer);
	set_document(j, n, seen);
	if (bl_node_count(n)) {
		struct img_prov mine = {0};
		if (n->kind == BL_NODE_MANIFEST) {
			mine.prov = bl_prov_of_image(n);
			if (mine.prov)
				mine.n = bl_prov_image_layers(n, &mine.layers);
		}
		json_t *kids = json_array();
		for (size_t i = 0; i < bl_node_count(n); i++)
			json_array_append_new(kids, node_json(bl_node_child(n, i), seen, &mine));
		json_object_set_new(j, "children", kids);
		bl_prov_free(mine.prov);
		free(mine.layers);
	}
	return j;
}

/* NODEs of the root's children of one kind (targets) or of every other kind
 * (info), as a JSON array written one node at a time. */
static void nodes_out(struct cli_jw *w, const struct bl_build *b, bool targets, json_t *seen)
{
	cli_jw_open(w, '[');
	for (size_t i = 0; i < bl_node_count(b->root) && cli_out_ok(); i++) {
		const struct bl_node *n = bl_node_child(b->root, i);
		if ((n->kind == BL_NODE_TARGET) == targets)
			cli_jw_put_new(w, node_json(n, seen, NULL));
	}
	cli_jw_close(w, ']');
}

/* The whole document, streamed: the head as one object, then each target
 * and each info node on its own, so memory holds one target's NODE tree
 * (which shares the parsed documents with the build) at a time. */
static void print_json(const struct bl_build *b)
{
	json_t *root = json_object();
	json_object_set_new(root, "schemaVersion", json_integer(INSPECT_SCHEMA_VERSION));
	set_str(root, "metadata", b->metadata_path);
	json_t *sources = json_array();
	for (size_t i = 0; i < b->stores.len; i++) {
		const struct bl_store *s = bl_vec_get(&b->stores, i);
		json_t *sj = json_object();
		set_str(sj, "source", s->source);
		set_str(sj, "kind", s->ops->kind);
		set_str(sj, "describe", s->describe);
		set_str(sj, "ref", s->ref);
		json_array_append_new(sources, sj);
	}
	json_object_set_new(root, "sources", sources);
	json_t *warnings = json_array();
	for (size_t i = 0; i < b->warnings.len; i++) {
		const struct bl_warning *w = bl_vec_get(&b->warnings, i);
		json_t *wj = json_object();
		set_str(wj, "target", w->target);
		set_str(wj, "level", w->level);
		set_str(wj, "rule", w->rule);
		set_str(wj, "detail", w->detail);
		set_str(wj, "file", w->file);
		if (w->line > 0)
			json_object_set_new(wj, "line", json_integer(w->line));
		set_str(wj, "url", w->url);
		json_array_append_new(warnings, wj);
	}
	json_object_set_new(root, "warnings", warnings);
	json_t *messages = json_array();
	for (size_t i = 0; i < b->messages.len; i++)
		json_array_append_new(messages, cli_json_str(bl_vec_get(&b->messages, i)));
	json_object_set_new(root, "messages", messages);
	struct cli_jw w;
	cli_jw_init(&w);
	cli_jw_open(&w, '{');
	cli_jw_fields_new(&w, root);
	/* Targets, and build-level information (provenance, warnings) apart. */
	json_t *seen = json_object();
	cli_jw_key(&w, "targets");
	nodes_out(&w, b, true, seen);
	cli_jw_key(&w, "info");
	nodes_out(&w, b, false, seen);
	json_decref(seen);
	cli_jw_close(&w, '}');
	cli_jw_end(&w);
}

static void print_facts(const struct bl_build *b)
{
	struct bl_tree t;
	bl_tree_init(&t, b->root, 100000);
	t.show_root = true;
	bl_tree_rebuild(&t);
	struct bl_buf line;
	bl_buf_init(&line);
	for (size_t i = 0; i < t.len; i++) {
		const struct bl_node *n = t.rows[i].node;
		bl_buf_clear(&line);
		for (int d = 0; d < t.rows[i].depth; d++)
			bl_buf_puts(&line, "  ");
		bl_buf_printf(&line, "%s: ", bl_node_kind_name(n->kind));
		bl_tree_row_text(&t.rows[i], &line);
		printf("%s\n", bl_buf_str(&line));
		if (!cli_out_ok())
			break;
		struct bl_vec facts;
		bl_vec_init(&facts, bl_fact_free);
		bl_node_facts(n, &facts);
		for (size_t k = 0; k < facts.len; k++) {
			const struct bl_fact *f = bl_vec_get(&facts, k);
			printf("%*s  %s: %s\n", t.rows[i].depth * 2, "", f->key, f->value);
		}
		bl_vec_fini(&facts);
	}
	bl_buf_fini(&line);
	bl_tree_fini(&t);
}

int cli_cmd_inspect(const struct bl_options *o)
{
	struct bl_build *b = NULL;
	int rc = 0, report_rc = 0;
	if (!cli_report_check(o, &rc) || !cli_load(o, &b, &rc))
		return rc;
	bool reported = cli_report_inspect(o, b, &report_rc);
	if (!reported && o->json)
		print_json(b);
	else if (!reported)
		print_facts(b);
	/* Everything on stdout before the problems on stderr. */
	fflush(stdout);
	cli_out_ok();
	rc = cli_check_statuses(b, NULL, o->quiet ? 0 : 20);
	bl_build_free(b);
	return rc ? rc : report_rc;
}
