/* Nodes and builds: making, freeing, naming and the platform a node is
 * under. Every other file of the model makes its nodes through here, so the
 * node cap (MODEL_NODE_MAX) and the ownership rules live in one place. */
#include "bakelens/signature.h"
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"

static void warning_free(void *p)
{
	struct bl_warning *w = p;
	if (!w)
		return;
	free(w->level);
	free(w->rule);
	free(w->detail);
	free(w->file);
	free(w->url);
	free(w->target);
	free(w);
}

static void store_free_item(void *p)
{
	bl_store_free(p);
}

static struct bl_node *node_alloc(enum bl_node_kind kind, const char *label)
{
	struct bl_node *n = bl_calloc(1, sizeof *n);
	n->kind = kind;
	n->label = bl_strdup(label ? label : bl_node_kind_name(kind));
	bl_vec_init(&n->children, model_node_free);
	return n;
}

struct bl_build *model_build_new(void)
{
	struct bl_build *b = bl_calloc(1, sizeof *b);
	b->root = node_alloc(BL_NODE_BUILD, "build");
	bl_vec_init(&b->stores, store_free_item);
	bl_vec_init(&b->warnings, warning_free);
	bl_vec_init(&b->messages, free);
	bl_vec_init(&b->remote, store_free_item);
	return b;
}

struct bl_node *model_node_new(
        struct model_ctx *ctx, enum bl_node_kind kind, struct bl_node *parent, const char *label)
{
	if (ctx->nodes >= MODEL_NODE_MAX) {
		if (!ctx->capped) {
			ctx->capped = true;
			model_message(ctx->b,
			        "more than %d nodes: the rest of the build is not shown",
			        MODEL_NODE_MAX);
		}
		if (parent && !parent->note)
			parent->note = bl_strdup("children not shown: node limit reached");
		return NULL;
	}
	ctx->nodes++;
	struct bl_node *n = node_alloc(kind, label);
	n->parent = parent;
	if (parent)
		bl_vec_push_take(&parent->children, n);
	return n;
}

void model_node_free(void *p)
{
	struct bl_node *n = p;
	if (!n)
		return;
	bl_vec_fini(&n->children);
	free(n->status_msg);
	free(n->label);
	if (n->has_desc)
		bl_descriptor_fini(&n->desc);
	free(n->note);
	if (n->doc)
		json_decref(n->doc);
	free(n->name);
	free(n->predicate_type);
	bl_referrer_free(n->referrer);
	if (n->layer) {
		free(n->layer->created_by);
		free(n->layer->created);
		free(n->layer->comment);
		free(n->layer);
	}
	free(n);
}

static enum bl_status default_cause(enum bl_node_status st)
{
	switch (st) {
	case BL_STATUS_OK:
		return BL_OK;
	case BL_STATUS_MISSING:
	case BL_STATUS_UNRESOLVED:
		return BL_E_NOT_FOUND;
	case BL_STATUS_MISMATCH:
		return BL_E_DIGEST;
	case BL_STATUS_LOOP:
		return BL_E_LOOP;
	case BL_STATUS_ERROR:
		break;
	}
	return BL_E_FORMAT;
}

void model_node_status(struct bl_node *n, enum bl_node_status st, const char *fmt, ...)
{
	n->status = st;
	n->cause = default_cause(st);
	free(n->status_msg);
	n->status_msg = NULL;
	if (!fmt)
		return;
	va_list ap;
	va_start(ap, fmt);
	n->status_msg = bl_vasprintf(fmt, ap);
	va_end(ap);
}

bool model_manifest_complete(struct bl_node *n)
{
	const json_t *doc = n->doc;
	int64_t v = 0;
	bool version = bl_json_int(doc, "schemaVersion", &v) && v == 2;
	bool config = bl_json_obj(doc, "config") != NULL;
	bool layers = bl_json_arr(doc, "layers") != NULL;
	if (version && config && layers)
		return true;
	struct bl_buf what;
	bl_buf_init(&what);
	const char *parts[3];
	size_t k = 0;
	if (!version)
		parts[k++] = "schemaVersion 2";
	if (!config)
		parts[k++] = "config";
	if (!layers)
		parts[k++] = "layers";
	for (size_t i = 0; i < k; i++)
		bl_buf_printf(&what, "%s%s", i == 0 ? "" : i + 1 == k ? " or " : ", ", parts[i]);
	/* {mediaType, digest, size} fed as a manifest: the commonest mistake */
	bool descriptor = bl_json_str(doc, "digest") && !config && !layers;
	model_node_status(n, BL_STATUS_ERROR, "not a valid manifest: no %s%s", bl_buf_str(&what),
	        descriptor ? " (a descriptor of a manifest, not the manifest)" : "");
	bl_buf_fini(&what);
	return false;
}

void model_message(struct bl_build *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bl_vec_push_take(&b->messages, bl_vasprintf(fmt, ap));
	va_end(ap);
}

void bl_build_free(struct bl_build *b)
{
	if (!b)
		return;
	model_node_free(b->root);
	bl_vec_fini(&b->warnings);
	bl_vec_fini(&b->messages);
	/* Nodes borrow stores: free them after the nodes. */
	bl_vec_fini(&b->stores);
	bl_vec_fini(&b->remote);
	free(b->relay);
	if (b->metadata)
		json_decref(b->metadata);
	free(b->metadata_path);
	free(b);
}

size_t bl_node_count(const struct bl_node *n)
{
	return n ? n->children.len : 0;
}

struct bl_node *bl_node_child(const struct bl_node *n, size_t i)
{
	return bl_vec_get(&n->children, i);
}

const char *bl_node_kind_name(enum bl_node_kind kind)
{
	switch (kind) {
	case BL_NODE_BUILD:
		return "build";
	case BL_NODE_TARGET:
		return "target";
	case BL_NODE_INDEX:
		return "index";
	case BL_NODE_MANIFEST:
		return "manifest";
	case BL_NODE_ATTESTATION:
		return "attestation";
	case BL_NODE_CONFIG:
		return "config";
	case BL_NODE_LAYER:
		return "layer";
	case BL_NODE_STATEMENT:
		return "statement";
	case BL_NODE_BLOB:
		return "blob";
	case BL_NODE_INFO:
		return "info";
	}
	return "?";
}

const char *bl_node_status_name(enum bl_node_status st)
{
	switch (st) {
	case BL_STATUS_OK:
		return "ok";
	case BL_STATUS_MISSING:
		return "missing";
	case BL_STATUS_MISMATCH:
		return "digest mismatch";
	case BL_STATUS_ERROR:
		return "error";
	case BL_STATUS_LOOP:
		return "loop";
	case BL_STATUS_UNRESOLVED:
		return "unresolved";
	}
	return "?";
}

static bool platform_is_unknown(const struct bl_platform *p)
{
	return p->os && p->arch && strcmp(p->os, "unknown") == 0 && strcmp(p->arch, "unknown") == 0;
}

const struct bl_platform *bl_node_platform(const struct bl_node *n)
{
	for (; n; n = n->parent) {
		if (n->has_desc && n->desc.has_platform && !platform_is_unknown(&n->desc.platform))
			return &n->desc.platform;
	}
	return NULL;
}

bool bl_node_image_platform(const struct bl_node *n, struct bl_platform *out)
{
	memset(out, 0, sizeof *out);
	const struct bl_platform *p = bl_node_platform(n);
	if (p) {
		bl_platform_copy(out, p);
		return true;
	}
	const struct bl_node *m = n;
	while (m && m->kind != BL_NODE_MANIFEST)
		m = m->parent;
	for (size_t i = 0; m && i < m->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&m->children, i);
		if (c->kind != BL_NODE_CONFIG || !c->doc)
			continue;
		if (bl_platform_parse_json(c->doc, out) && out->os && out->arch)
			return true;
		bl_platform_fini(out);
		return false;
	}
	return false;
}
