/* A file list as a tree: filetree.h. */
#include "bakelens/filetree.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"

int bl_filetree_path_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x == y) {
			if (!x)
				return 0;
			continue;
		}
		/* The separator sorts before every other byte, the end before it. */
		unsigned xs = x == '/' ? 1 : x ? x + 1u : 0, ys = y == '/' ? 1 : y ? y + 1u : 0;
		return xs < ys ? -1 : 1;
	}
}

static int node_cmp(const void *a, const void *b)
{
	const struct bl_filetree_node *x = a, *y = b;
	int c = bl_filetree_path_cmp(x->path, y->path);
	if (c)
		return c;
	return (x->entry == NULL) - (y->entry == NULL); /* the one with an entry first */
}

static bool is_parent(const char *dir, const char *path)
{
	size_t n = strlen(dir);
	return strncmp(dir, path, n) == 0 && path[n] == '/';
}

void bl_filetree_build(const struct bl_file_list *l, struct bl_filetree *out)
{
	memset(out, 0, sizeof *out);
	bl_arena_init(&out->arena);
	size_t cap = l->len + 16, n = 0;
	struct bl_filetree_node *v = bl_malloc(cap * sizeof *v);
	const char *last = NULL;
	for (size_t i = 0; i < l->len; i++) {
		const char *p = l->items[i].path;
		/* Every parent, in case the list has no entry for it; not the
		 * ones the entry before (its sibling, or the parent itself)
		 * already made: a million files in one directory make one. */
		for (const char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
			size_t len = (size_t)(s - p);
			if (last && strncmp(last, p, len) == 0 && (last[len] == '/' || !last[len]))
				continue;
			if (n == cap)
				v = bl_realloc(v, (cap *= 2) * sizeof *v);
			v[n++] = (struct bl_filetree_node){
			        .path = bl_arena_strndup(&out->arena, p, len)};
		}
		if (n == cap)
			v = bl_realloc(v, (cap *= 2) * sizeof *v);
		v[n++] = (struct bl_filetree_node){.path = p, .entry = &l->items[i]};
		last = p;
	}
	/* A listing comes sorted by strcmp, which is tree order unless a name
	 * holds a byte below '/' ("a-b" before "a/c"): sort only then. */
	bool sorted = true;
	for (size_t i = 1; i < n && sorted; i++)
		sorted = node_cmp(&v[i - 1], &v[i]) <= 0;
	if (!sorted)
		qsort(v, n, sizeof *v, node_cmp);
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (!w || strcmp(v[w - 1].path, v[i].path) != 0)
			v[w++] = v[i];
	n = w;
	/* Parents from a stack of the open directories. */
	size_t *open = bl_malloc((n + 1) * sizeof *open);
	size_t depth = 0;
	size_t *last_child = bl_malloc((n + 1) * sizeof *last_child);
	size_t last_top = BL_FILETREE_NONE;
	for (size_t i = 0; i < n; i++) {
		struct bl_filetree_node *x = &v[i];
		const char *s = strrchr(x->path, '/');
		x->name = s ? s + 1 : x->path;
		x->first_child = x->next_sibling = BL_FILETREE_NONE;
		last_child[i] = BL_FILETREE_NONE;
		while (depth && !is_parent(v[open[depth - 1]].path, x->path))
			depth--;
		x->parent = depth ? open[depth - 1] : BL_FILETREE_NONE;
		x->depth = (int)depth;
		size_t *prev = x->parent == BL_FILETREE_NONE ? &last_top : &last_child[x->parent];
		if (*prev != BL_FILETREE_NONE)
			v[*prev].next_sibling = i;
		else if (x->parent != BL_FILETREE_NONE)
			v[x->parent].first_child = i;
		*prev = i;
		if (x->parent != BL_FILETREE_NONE)
			v[x->parent].nchildren++;
		x->entries = 1;
		x->bytes = x->entry && x->entry->size > 0 ? (uint64_t)x->entry->size : 0;
		open[depth++] = i;
	}
	/* Children come after their parent: sum from the end. */
	for (size_t i = n; i-- > 0;) {
		if (v[i].parent != BL_FILETREE_NONE) {
			v[v[i].parent].bytes += v[i].bytes;
			v[v[i].parent].entries += v[i].entries;
		} else {
			out->bytes += v[i].bytes;
		}
	}
	free(open);
	free(last_child);
	out->nodes = v;
	out->len = n;
}

void bl_filetree_fini(struct bl_filetree *t)
{
	bl_arena_fini(&t->arena);
	free(t->nodes);
	memset(t, 0, sizeof *t);
}

size_t bl_filetree_find(const struct bl_filetree *t, const char *path)
{
	size_t lo = 0, hi = t->len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = bl_filetree_path_cmp(t->nodes[mid].path, path);
		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return BL_FILETREE_NONE;
}
