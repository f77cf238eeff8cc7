/* Moving through a comparison tree from one difference to the next. */
#include "compare_internal.h"

/* Depth-first order over the whole tree. */
static const struct bl_cmp_node *dfs_next(const struct bl_cmp_node *n)
{
	if (n->children.len)
		return bl_vec_get(&n->children, 0);
	for (; n->parent; n = n->parent) {
		const struct bl_cmp_node *p = n->parent;
		for (size_t i = 0; i < p->children.len; i++)
			if (bl_vec_get(&p->children, i) == n && i + 1 < p->children.len)
				return bl_vec_get(&p->children, i + 1);
	}
	return NULL;
}

static const struct bl_cmp_node *last_descendant(const struct bl_cmp_node *n)
{
	while (n->children.len)
		n = bl_vec_get(&n->children, n->children.len - 1);
	return n;
}

static const struct bl_cmp_node *dfs_prev(const struct bl_cmp_node *n)
{
	const struct bl_cmp_node *p = n->parent;
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->children.len; i++)
		if (bl_vec_get(&p->children, i) == n)
			return i == 0 ? p : last_descendant(bl_vec_get(&p->children, i - 1));
	return NULL;
}

const struct bl_cmp_node *bl_cmp_next_difference(
        const struct bl_cmp_node *root, const struct bl_cmp_node *from, int dir)
{
	if (!root)
		return NULL;
	const struct bl_cmp_node *n = from;
	if (!n) {
		if (dir < 0)
			n = last_descendant(root);
		else
			n = root;
		if (n->own != BL_CMP_IDENTICAL)
			return n;
	}
	for (;;) {
		n = dir < 0 ? dfs_prev(n) : dfs_next(n);
		if (!n)
			return NULL;
		if (n->own != BL_CMP_IDENTICAL)
			return n;
	}
}
