/* The detail pane: everything about one node (view.h). */
#include "bakelens/view.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

#define KEY_COLS 14
#define DOC_MAX_LINES 20000

static enum bl_role value_role(const char *key)
{
	if (strstr(key, "digest") || strstr(key, "diff_id") || strstr(key, "chain_id") ||
	        strcmp(key, "image_id") == 0 || strcmp(key, "config") == 0)
		return BL_ROLE_DIGEST;
	if (strcmp(key, "size") == 0 || strstr(key, "_size"))
		return BL_ROLE_SIZE;
	if (strcmp(key, "platform") == 0)
		return BL_ROLE_NODE_MANIFEST;
	if (strcmp(key, "name") == 0 || strcmp(key, "tag") == 0)
		return BL_ROLE_NAME;
	return BL_ROLE_FACT_VALUE;
}

static enum bl_role status_role(enum bl_node_status st)
{
	switch (st) {
	case BL_STATUS_MISSING:
	case BL_STATUS_UNRESOLVED:
		return BL_ROLE_MARK_MISSING;
	case BL_STATUS_MISMATCH:
		return BL_ROLE_MARK_MISMATCH;
	default:
		return BL_ROLE_MARK_ERROR;
	}
}

static void fact_line(
        struct bl_doc *d, const char *key, enum bl_role role, const char *value, int width)
{
	bl_doc_newline(d);
	/* Keys come from the model's fixed set, but labels and annotations
	 * put input text in keys ("label:<name>"): escape them too. */
	char *k = bl_text_safe(key);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, k);
	size_t w = bl_text_width(k);
	/* A narrow pane: the value goes under its key, so it still fits. */
	bool under = width < KEY_COLS + 20;
	int indent = under ? 2 : KEY_COLS;
	if (!under) {
		do
			bl_buf_putc(&b, ' ');
		while (++w < KEY_COLS);
	}
	bl_doc_add(d, BL_ROLE_FACT_KEY, bl_buf_str(&b));
	bl_buf_fini(&b);
	free(k);
	if (under) {
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
	}
	/* Values are escaped by the model (bl_node_facts); escape again only
	 * what is not safe, so a raw newline can never reach the screen. */
	if (bl_text_is_safe(value, strlen(value))) {
		bl_doc_wrap(d, role, value, width, indent);
	} else {
		char *v = bl_text_safe(value);
		bl_doc_wrap(d, role, v, width, indent);
		free(v);
	}
}

static void heading(struct bl_doc *d, const char *text)
{
	bl_doc_newline(d);
	bl_doc_newline(d);
	bl_doc_add(d, BL_ROLE_HEADING, text);
}

void bl_detail_build(struct bl_doc *d, const struct bl_node *n, int width)
{
	bl_doc_clear(d);
	if (!n) {
		bl_doc_add(d, BL_ROLE_DEFAULT, "Nothing selected.");
		return;
	}
	if (width < 12)
		width = 12;
	bl_doc_add(d, bl_node_role(n), bl_node_kind_name(n->kind));
	bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
	bl_doc_add_raw(d, BL_ROLE_HEADING, n->label ? n->label : "");
	if (n->status != BL_STATUS_OK) {
		bl_doc_newline(d);
		bl_doc_add(d, status_role(n->status), bl_node_status_name(n->status));
		if (n->status_msg) {
			bl_doc_add(d, status_role(n->status), ": ");
			char *m = bl_text_safe(n->status_msg);
			bl_doc_wrap(d, status_role(n->status), m, width, 2);
			free(m);
		}
	}
	if (n->synthesised) {
		bl_doc_newline(d);
		bl_doc_add(d, BL_ROLE_MARK_SYNTH, "synthesised by bakelens");
	}
	if (n->note) {
		bl_doc_newline(d);
		char *m = bl_text_safe(n->note);
		bl_doc_wrap(d, BL_ROLE_DEFAULT, m, width, 0);
		free(m);
	}
	bl_doc_newline(d);

	struct bl_vec facts;
	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(n, &facts);
	for (size_t i = 0; i < facts.len; i++) {
		const struct bl_fact *f = facts.items[i];
		if (!f->key || !f->value)
			continue;
		fact_line(d, f->key, value_role(f->key), f->value, width);
	}
	bl_vec_fini(&facts);

	d->max_lines = DOC_MAX_LINES;
	if (n->has_desc && n->desc.raw) {
		heading(d, "Descriptor (how the parent refers to it)");
		bl_doc_json(d, n->desc.raw);
	}
	if (n->doc) {
		heading(d, "Document");
		if (n->has_desc && n->desc.media_type) {
			bl_doc_add(d, BL_ROLE_DEFAULT, "  ");
			bl_doc_add_raw(d, BL_ROLE_FACT_VALUE, n->desc.media_type);
		}
		bl_doc_json(d, n->doc);
	}
	d->max_lines = 0;
	/* Raw JSON is not wrapped as it is built (nor a long label): break long
	 * lines at the pane's edge so a digest is never cut (users copy them by
	 * eye). */
	bl_doc_fold(d, 0, width);
	if (d->truncated) {
		d->truncated = false;
		bl_doc_newline(d);
		bl_doc_add(
		        d, BL_ROLE_WARNING, "(truncated: the document is longer than 20000 lines)");
	}
}
