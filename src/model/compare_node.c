/* The comparison tree: nodes, their notes, and classes rolled up from the
 * children; a node reclassified after a closer look (a file diff). */
#include <stdlib.h>
#include <string.h>

#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"
#include "bakelens/sbom.h"
#include "compare_internal.h"

struct bl_cmp_node *cmp_node_new(struct bl_cmp_node *parent, const struct bl_node *l,
        const struct bl_node *r, const char *label)
{
	struct bl_cmp_node *n = bl_calloc(1, sizeof *n);
	n->left = l;
	n->right = r;
	n->kind = r ? r->kind : l ? l->kind : BL_NODE_BUILD;
	n->label = bl_strdup(label ? label : r ? r->label : l ? l->label : "?");
	bl_vec_init(&n->notes, free);
	bl_vec_init(&n->fields, free);
	bl_vec_init(&n->children, bl_cmp_node_free);
	n->left_index = n->right_index = -1;
	n->parent = parent;
	if (parent)
		bl_vec_push_take(&parent->children, n);
	return n;
}

void bl_cmp_node_free(void *p)
{
	struct bl_cmp_node *n = p;
	if (!n)
		return;
	bl_vec_fini(&n->children);
	bl_vec_fini(&n->notes);
	bl_vec_fini(&n->fields);
	cmp_platform_free(n->platform);
	bl_pkg_diff_fini(n->packages);
	free(n->packages);
	free(n->cause);
	free(n->label);
	free(n);
}

void cmp_note_take(struct bl_cmp_node *n, char *s)
{
	if (s)
		bl_vec_push_take(&n->notes, s);
}

void cmp_note_first_take(struct bl_cmp_node *n, char *s)
{
	bl_vec_push_take(&n->notes, NULL);
	memmove(n->notes.items + 1, n->notes.items, (n->notes.len - 1) * sizeof *n->notes.items);
	n->notes.items[0] = s;
}

void cmp_set_own(struct bl_cmp_node *n, enum bl_cmp_class c)
{
	if (c > n->own)
		n->own = c;
}

/* A config that follows the layers beside it, and is not itself a cause:
 * its class is theirs, as a manifest's is its children's. */
static void take_layer_classes(struct bl_cmp_node *n)
{
	const struct bl_cmp_node *p = n->parent;
	for (size_t i = 0; i < p->children.len; i++) {
		const struct bl_cmp_node *s = bl_vec_get(&p->children, i);
		if (s->kind != BL_NODE_LAYER || !(CMP_DIFF_ID_CLASSES & 1u << s->own))
			continue;
		if (s->own > n->cls)
			n->cls = s->own;
		n->flags |= 1u << s->own;
	}
}

void cmp_roll_up(struct bl_cmp_node *n)
{
	n->cls = n->own;
	n->flags = n->own != BL_CMP_IDENTICAL ? 1u << n->own : 0;
	if (n->follows_layers && n->own == BL_CMP_IDENTICAL && n->parent)
		take_layer_classes(n);
	for (size_t i = 0; i < n->children.len; i++) {
		struct bl_cmp_node *c = bl_vec_get(&n->children, i);
		if (c->follows_layers)
			cmp_roll_up(c);
		if (c->cls > n->cls)
			n->cls = c->cls;
		n->flags |= c->flags;
	}
}

void bl_cmp_node_reclassify(struct bl_cmp_node *n, enum bl_cmp_class own, const char *sentence)
{
	n->own = own;
	if (sentence)
		bl_vec_push_take(&n->notes, bl_strdup(sentence));
	for (; n; n = n->parent)
		cmp_roll_up(n);
}

bool bl_cmp_apply_file_diff(
        struct bl_cmp_node *n, const struct bl_file_diff *d, bool ignore_timestamps)
{
	if (!ignore_timestamps || d->len != 0 || n->kind != BL_NODE_LAYER ||
	        n->own != BL_CMP_CONTENT)
		return false;
	/* One classification, said once: the sentence that called the content
	 * changed becomes one that says the diff_ids moved through timestamps. */
	const struct bl_layer_info *li = n->left->layer, *ri = n->right->layer;
	if (li && ri && li->has_diff_id && ri->has_diff_id) {
		char *was = cmp_words_content_changed(&li->diff_id, &ri->diff_id);
		for (size_t i = 0; i < n->notes.len; i++) {
			if (strcmp(bl_vec_get(&n->notes, i), was) != 0)
				continue;
			free(n->notes.items[i]);
			n->notes.items[i] =
			        cmp_words_diff_id_timestamps(&li->diff_id, &ri->diff_id);
			break;
		}
		free(was);
	}
	char *why = cmp_words_timestamps_only(d);
	bl_cmp_node_reclassify(n, BL_CMP_IDENTICAL, why);
	free(why);
	/* The platform's summary may now say its root filesystems differ in
	 * timestamps only. */
	for (struct bl_cmp_node *p = n->parent; p; p = p->parent) {
		if (p->platform) {
			cmp_platform_refresh(p->platform);
			break;
		}
	}
	return true;
}

bool bl_cmp_is_identical(const struct bl_cmp *c)
{
	return c && c->root && c->root->cls == BL_CMP_IDENTICAL;
}
