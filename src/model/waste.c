/* Wasted space: dive's figures and the exact shadowed bytes (changeset.h).
 *
 * dive (github.com/wagoodman/dive: dive/filetree/efficiency.go,
 * dive/image/analysis.go) builds one tree per layer from the tar members
 * (a member's parents become nodes without data when the tar has no entry
 * for them; ".wh..wh.." names, opaque markers, are dropped but their parent
 * nodes are made) and then, layer by layer, visits the tree's leaves in name
 * order, children before parents:
 *
 * - a leaf's path is its node path, ".wh." cut from a whiteout's name;
 * - a leaf's size is its tar header size; a whiteout's size is, when the
 *   path is a directory in the layers under it stacked (dive's stacking:
 *   whiteouts remove, everything else, parents without data included,
 *   replaces a node's data and keeps its children; opaque markers do
 *   nothing), the sizes of that directory's nodes summed, else 0; when the
 *   path is not in that stack at all the visit of that layer stops there
 *   and the path is recorded with no size (dive's minimum stays -1);
 * - per path: the sizes summed (cumulative), the smallest (minimum), and how
 *   many leaves had it.
 *
 * Efficiency is the minimums summed over the cumulatives summed (1 when the
 * latter is 0); wasted bytes are the cumulatives of the paths found more
 * than once; a layer's size is every member's header size summed; the user
 * size leaves out the bottom layer; user wasted percent is wasted / user size.
 * For layer 0 the stack is that layer's own tree, as dive's StackTreeRange
 * gives it. One difference: when a malformed layer has both NAME and
 * .wh.NAME, dive's result depends on the name order; here the whiteout
 * applies first.
 *
 * The exact figure merges the layers as a runtime does (bl_layerfiles_merge)
 * and counts, at each layer, the non-directory entries it hides or replaces. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/changeset.h"
#include "bakelens/filetree.h"
#include "bakelens/mem.h"

/* A node of dive's stacked tree. */
struct dnode {
	const char *key;
	int64_t size;
	bool is_dir;
};

struct dtree {
	struct dnode *items; /* strcmp order, unique keys */
	size_t len;
};

/* A node of one layer's tree. */
struct lnode {
	const char *raw; /* the path as in the tar, ".wh." kept */
	const char *key; /* the path dive gives it */
	bool whiteout, has_data, is_dir;
	int64_t size;
};

struct lnodes {
	struct lnode *items;
	size_t len, cap;
};

/* A visited leaf: a size, or a failed whiteout lookup. */
struct record {
	const char *key;
	int64_t size;
	bool failed;
};

struct records {
	struct record *items;
	size_t len, cap;
};

static void lpush(struct lnodes *v, struct lnode n)
{
	if (v->len == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 64;
		v->items = bl_realloc(v->items, v->cap * sizeof *v->items);
	}
	v->items[v->len++] = n;
}

static void rpush(struct records *v, const char *key, int64_t size, bool failed)
{
	if (v->len == v->cap) {
		v->cap = v->cap ? 2 * v->cap : 64;
		v->items = bl_realloc(v->items, v->cap * sizeof *v->items);
	}
	v->items[v->len++] = (struct record){.key = key, .size = size, .failed = failed};
}

static int lnode_cmp(const void *a, const void *b)
{
	const struct lnode *x = a, *y = b;
	int c = strcmp(x->raw, y->raw);
	if (c)
		return c;
	return (int)y->has_data - (int)x->has_data; /* the one with data first */
}

static int leaf_cmp(const void *a, const void *b)
{
	const struct lnode *const *x = a, *const *y = b;
	return bl_filetree_path_cmp((*x)->raw, (*y)->raw); /* dive's name order */
}

static const char *base_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* The nodes dive's AddPath makes for the layer's members. */
static void layer_nodes(const struct bl_file_list *l, struct bl_arena *a, struct lnodes *out)
{
	for (size_t i = 0; i < l->len; i++) {
		const struct bl_file_entry *e = &l->items[i];
		const char *p = e->path;
		bool whole = true;
		for (const char *c = p;; c++) {
			if (c == p || c[-1] == '/') {
				if (strncmp(c, ".wh..wh..", 9) == 0) {
					whole = false; /* AddPath stops at such a name */
					break;
				}
			}
			if (*c == '/')
				lpush(out, (struct lnode){
				                   .raw = bl_arena_strndup(a, p, (size_t)(c - p))});
			if (!*c)
				break;
		}
		if (whole)
			lpush(out, (struct lnode){.raw = p,
			                   .has_data = true,
			                   .is_dir = e->type == BL_FILE_DIR,
			                   .size = e->size});
	}
	if (out->len > 1)
		qsort(out->items, out->len, sizeof *out->items, lnode_cmp);
	size_t w = 0;
	for (size_t i = 0; i < out->len; i++)
		if (!w || strcmp(out->items[w - 1].raw, out->items[i].raw) != 0)
			out->items[w++] = out->items[i];
	out->len = w;
	for (size_t i = 0; i < out->len; i++) {
		struct lnode *n = &out->items[i];
		const char *b = base_of(n->raw);
		n->whiteout = strncmp(b, ".wh.", 4) == 0;
		n->key = n->whiteout ? bl_arena_strndup(a, n->raw, (size_t)(b - n->raw)) : n->raw;
		if (n->whiteout) {
			size_t dl = strlen(n->key);
			char *k = bl_arena_alloc(a, dl + strlen(b + 4) + 1);
			memcpy(k, n->key, dl);
			strcpy(k + dl, b + 4);
			n->key = k;
		}
	}
}

/* Index of `key` in a strcmp-ordered array of `len` items of `size` bytes
 * whose first member is the key; the insertion point when absent. */
static size_t find_at(const void *base, size_t len, size_t size, const char *key)
{
	size_t lo = 0, hi = len;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *k = *(const char *const *)((const char *)base + mid * size);
		if (strcmp(k, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Range [from, to) of keys under `key/`. */
static void under(const struct dtree *t, const char *key, size_t *from, size_t *to)
{
	size_t kl = strlen(key);
	char *prefix = bl_asprintf("%s/", key);
	size_t i = find_at(t->items, t->len, sizeof *t->items, prefix);
	*from = i;
	while (i < t->len && strncmp(t->items[i].key, prefix, kl + 1) == 0)
		i++;
	*to = i;
	free(prefix);
}

static bool has_children(const struct lnodes *v, const char *raw)
{
	char *prefix = bl_asprintf("%s/", raw);
	size_t i = find_at(v->items, v->len, sizeof *v->items, prefix);
	bool r = i < v->len && strncmp(v->items[i].raw, prefix, strlen(prefix)) == 0;
	free(prefix);
	return r;
}

/* Visit one layer's leaves against the stack under it. */
static void visit_layer(const struct lnodes *v, const struct dtree *below, struct records *out)
{
	const struct lnode **leaves = bl_calloc(v->len + 1, sizeof *leaves);
	size_t n = 0;
	for (size_t i = 0; i < v->len; i++)
		if (!has_children(v, v->items[i].raw))
			leaves[n++] = &v->items[i];
	qsort(leaves, n, sizeof *leaves, leaf_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct lnode *x = leaves[i];
		if (!x->whiteout) {
			rpush(out, x->key, x->size, false);
			continue;
		}
		size_t at = find_at(below->items, below->len, sizeof *below->items, x->key);
		if (at >= below->len || strcmp(below->items[at].key, x->key) != 0) {
			rpush(out, x->key, 0, true);
			break; /* dive's visitor returned an error: the layer's visit ends */
		}
		int64_t sum = 0;
		if (below->items[at].is_dir) {
			size_t from, to;
			under(below, x->key, &from, &to);
			sum = below->items[at].size;
			for (size_t k = from; k < to; k++)
				sum += below->items[k].size;
		}
		rpush(out, x->key, sum, false);
	}
	free(leaves);
}

/* Stack the layer on `t` as dive's FileTree.Stack does. */
static void stack_layer(struct dtree *t, const struct lnodes *v)
{
	bool *del = bl_calloc(t->len + 1, sizeof *del);
	for (size_t i = 0; i < v->len; i++) {
		if (!v->items[i].whiteout)
			continue;
		const char *key = v->items[i].key;
		size_t at = find_at(t->items, t->len, sizeof *t->items, key);
		if (at < t->len && strcmp(t->items[at].key, key) == 0) {
			del[at] = true;
			size_t from, to;
			under(t, key, &from, &to);
			for (size_t k = from; k < to; k++)
				del[k] = true;
		}
	}
	struct dnode *items = bl_malloc((t->len + v->len + 1) * sizeof *items);
	size_t n = 0, i = 0, j = 0;
	while (i < t->len || j < v->len) {
		if (i < t->len && del[i]) {
			i++;
			continue;
		}
		if (j < v->len && v->items[j].whiteout) {
			j++;
			continue;
		}
		int c = i >= t->len   ? 1
		        : j >= v->len ? -1
		                      : strcmp(t->items[i].key, v->items[j].raw);
		if (c < 0) {
			items[n++] = t->items[i++];
			continue;
		}
		const struct lnode *x = &v->items[j++];
		items[n++] = (struct dnode){.key = x->raw, .size = x->size, .is_dir = x->is_dir};
		if (c == 0)
			i++;
	}
	free(t->items);
	free(del);
	t->items = items;
	t->len = n;
}

static int record_cmp(const void *a, const void *b)
{
	return strcmp(((const struct record *)a)->key, ((const struct record *)b)->key);
}

static int ineff_cmp(const void *a, const void *b)
{
	const struct bl_inefficiency *x = a, *y = b;
	if (x->cumulative != y->cumulative)
		return x->cumulative > y->cumulative ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void dive_figures(const struct bl_image_files *f, struct bl_waste *w)
{
	struct bl_arena tmp;
	bl_arena_init(&tmp);
	struct dtree stack = {0};
	struct records rec = {0};
	for (size_t L = 0; L < f->len; L++) {
		uint64_t sz = f->layers[L].content_bytes;
		w->size_bytes += sz;
		if (L)
			w->user_size_bytes += sz;
		struct lnodes v = {0};
		layer_nodes(&f->layers[L], &tmp, &v);
		if (L == 0) {
			/* The stack under layer 0 is its own tree. */
			struct dtree own = {0};
			stack_layer(&own, &v);
			visit_layer(&v, &own, &rec);
			free(own.items);
		} else {
			visit_layer(&v, &stack, &rec);
		}
		stack_layer(&stack, &v);
		free(v.items);
	}
	if (rec.len > 1)
		qsort(rec.items, rec.len, sizeof *rec.items, record_cmp);
	int64_t minimums = 0, cumulatives = 0;
	for (size_t i = 0; i < rec.len;) {
		size_t j = i, count = 0;
		int64_t cum = 0, min = -1;
		for (; j < rec.len && strcmp(rec.items[j].key, rec.items[i].key) == 0; j++) {
			if (rec.items[j].failed)
				continue;
			cum += rec.items[j].size;
			if (min < 0 || rec.items[j].size < min)
				min = rec.items[j].size;
			count++;
		}
		minimums += min;
		cumulatives += cum;
		if (count > 1) {
			w->ineff = bl_realloc(w->ineff, (w->nineff + 1) * sizeof *w->ineff);
			w->ineff[w->nineff++] = (struct bl_inefficiency){
			        .path = bl_arena_strdup(&w->arena, rec.items[i].key),
			        .count = count,
			        .cumulative = cum,
			        .minimum = min};
			w->wasted_bytes += cum > 0 ? (uint64_t)cum : 0;
		}
		i = j;
	}
	w->efficiency = cumulatives == 0 ? 1.0 : (double)minimums / (double)cumulatives;
	/* Go's float division: +Inf or NaN when the user size is 0. */
	w->user_wasted_percent = w->user_size_bytes
	                                 ? (double)w->wasted_bytes / (double)w->user_size_bytes
	                         : w->wasted_bytes ? INFINITY
	                                           : NAN;
	if (w->nineff > 1)
		qsort(w->ineff, w->nineff, sizeof *w->ineff, ineff_cmp);
	free(rec.items);
	free(stack.items);
	bl_arena_fini(&tmp);
}

static int shadowed_cmp(const void *a, const void *b)
{
	const struct bl_shadowed *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	int c = strcmp(x->path, y->path);
	return c ? c : (x->layer < y->layer ? -1 : x->layer > y->layer);
}

struct shadow_ctx {
	struct bl_waste *w;
	size_t by_layer, cap;
};

/* An entry the merge of layer by_layer drops: shadowed, unless a directory
 * (a directory entry carries no bytes). */
static void shadow(void *ud, const struct bl_file_entry *e)
{
	struct shadow_ctx *c = ud;
	struct bl_waste *w = c->w;
	if (e->type == BL_FILE_DIR)
		return;
	if (w->nshadowed == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		w->shadowed = bl_realloc(w->shadowed, c->cap * sizeof *w->shadowed);
	}
	int64_t sz = e->size > 0 ? e->size : 0;
	w->shadowed[w->nshadowed++] =
	        (struct bl_shadowed){.path = bl_arena_strdup(&w->arena, e->path),
	                .layer = (size_t)e->layer,
	                .by_layer = c->by_layer,
	                .size = sz};
	w->shadowed_bytes += (uint64_t)sz;
	w->shadowed_files++;
	w->layer_shadowed_bytes[e->layer] += (uint64_t)sz;
	w->layer_shadowed_files[e->layer]++;
}

static void exact_figures(const struct bl_image_files *f, struct bl_waste *w)
{
	w->layer_shadowed_bytes = bl_calloc(f->len + 1, sizeof *w->layer_shadowed_bytes);
	w->layer_shadowed_files = bl_calloc(f->len + 1, sizeof *w->layer_shadowed_files);
	struct bl_file_list acc;
	bl_file_list_init(&acc);
	struct shadow_ctx c = {.w = w};
	/* The merge says what it drops; its entries borrow the layers' strings
	 * (f outlives acc): no copy of the merged view is made. */
	for (size_t M = 0; M < f->len; M++) {
		c.by_layer = M;
		bl_layerfiles_merge_ex(&acc, &f->layers[M], true, shadow, &c);
	}
	bl_file_list_fini(&acc);
	if (w->nshadowed > 1)
		qsort(w->shadowed, w->nshadowed, sizeof *w->shadowed, shadowed_cmp);
}

void bl_waste_init(struct bl_waste *w)
{
	memset(w, 0, sizeof *w);
	bl_arena_init(&w->arena);
}

void bl_waste_fini(struct bl_waste *w)
{
	bl_arena_fini(&w->arena);
	free(w->ineff);
	free(w->shadowed);
	free(w->layer_shadowed_bytes);
	free(w->layer_shadowed_files);
	memset(w, 0, sizeof *w);
}

void bl_waste_compute(const struct bl_image_files *f, struct bl_waste *out)
{
	dive_figures(f, out);
	exact_figures(f, out);
}
