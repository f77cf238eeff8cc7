/* Teaching texts: see include/bakelens/explain.h. */
#include "bakelens/explain.h"

#include <string.h>

#include "bakelens/embed.h"

const char *bl_explain_topic(const char *topic)
{
	const struct bl_embed_file *f = bl_embed_find(bl_embed_explain, topic);
	return f ? f->text : NULL;
}

static bool has_attestation_child(const struct bl_node *n)
{
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_node *c = n->children.items[i];
		if (c->kind == BL_NODE_ATTESTATION)
			return true;
	}
	return false;
}

void bl_explain_topics_for(const struct bl_node *n, struct bl_vec *out)
{
	static const char *const by_kind[] = {
	        [BL_NODE_BUILD] = "build",
	        [BL_NODE_TARGET] = "target",
	        [BL_NODE_INDEX] = "index",
	        [BL_NODE_MANIFEST] = "manifest",
	        [BL_NODE_ATTESTATION] = "attestation",
	        [BL_NODE_CONFIG] = "config",
	        [BL_NODE_LAYER] = "layer",
	        [BL_NODE_STATEMENT] = "statement",
	        [BL_NODE_BLOB] = "blob",
	        [BL_NODE_INFO] = "info",
	};
	if (!n)
		return;
	if ((unsigned)n->kind < sizeof by_kind / sizeof by_kind[0] && by_kind[n->kind])
		bl_vec_push_take(out, (void *)by_kind[n->kind]);
	switch (n->kind) {
	case BL_NODE_INDEX:
		if (has_attestation_child(n))
			bl_vec_push_take(out, (void *)"index-digest");
		break;
	case BL_NODE_TARGET:
		for (size_t i = 0; i < n->children.len; i++) {
			const struct bl_node *c = n->children.items[i];
			if (c->kind == BL_NODE_INDEX && has_attestation_child(c))
				bl_vec_push_take(out, (void *)"index-digest");
		}
		break;
	case BL_NODE_CONFIG:
		bl_vec_push_take(out, (void *)"empty-layer");
		break;
	case BL_NODE_LAYER:
		bl_vec_push_take(out, (void *)"diff-id");
		bl_vec_push_take(out, (void *)"chainid");
		break;
	case BL_NODE_ATTESTATION:
	case BL_NODE_STATEMENT:
		if (n->predicate_type && strstr(n->predicate_type, "slsa.dev/provenance"))
			bl_vec_push_take(out, (void *)"provenance");
		else if (n->predicate_type && (strstr(n->predicate_type, "spdx") ||
		                                      strstr(n->predicate_type, "cyclonedx")))
			bl_vec_push_take(out, (void *)"sbom");
		break;
	default:
		break;
	}
	if (n->synthesised)
		bl_vec_push_take(out, (void *)"synthesised");
	switch (n->status) {
	case BL_STATUS_MISSING:
		bl_vec_push_take(out, (void *)"missing");
		break;
	case BL_STATUS_MISMATCH:
		bl_vec_push_take(out, (void *)"mismatch");
		break;
	case BL_STATUS_ERROR:
		bl_vec_push_take(out, (void *)"error");
		break;
	case BL_STATUS_LOOP:
		bl_vec_push_take(out, (void *)"loop");
		break;
	case BL_STATUS_UNRESOLVED:
		bl_vec_push_take(out, (void *)"unresolved");
		break;
	default:
		break;
	}
}

void bl_explain_node(const struct bl_node *n, struct bl_buf *out)
{
	bl_buf_clear(out);
	struct bl_vec topics;
	bl_vec_init(&topics, NULL);
	bl_explain_topics_for(n, &topics);
	for (size_t i = 0; i < topics.len; i++) {
		const char *text = bl_explain_topic(topics.items[i]);
		if (!text)
			continue;
		if (out->len)
			bl_buf_putc(out, '\n');
		bl_buf_puts(out, text);
	}
	bl_vec_fini(&topics);
	if (!out->data)
		bl_buf_puts(out, "");
}
