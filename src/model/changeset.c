/* The layers of an image and each layer's change set: changeset.h.
 *
 * A change set is read off two merged views, the one under the layer and
 * the one including it, so what a whiteout or an opaque directory removes is
 * exactly what the merge removed; the layer's own listing then only says
 * why (which marker). */
#include "bakelens/changeset.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/passlist.h"

void bl_image_files_init(struct bl_image_files *f)
{
	memset(f, 0, sizeof *f);
}

void bl_image_files_fini(struct bl_image_files *f)
{
	for (size_t i = 0; i < f->len; i++)
		bl_file_list_fini(&f->layers[i]);
	free(f->layers);
	free(f->compressed);
	memset(f, 0, sizeof *f);
}

void bl_image_files_add_take(
        struct bl_image_files *f, struct bl_file_list *layer, int64_t compressed)
{
	f->layers = bl_realloc(f->layers, (f->len + 1) * sizeof *f->layers);
	f->compressed = bl_realloc(f->compressed, (f->len + 1) * sizeof *f->compressed);
	struct bl_file_list *l = &f->layers[f->len];
	*l = *layer; /* the arena moves with it: its chunks are on the heap */
	bl_file_list_init(layer);
	for (size_t i = 0; i < l->len; i++)
		l->items[i].layer = (int32_t)f->len;
	f->compressed[f->len++] = compressed;
}

bool bl_image_files_load(const struct bl_node *manifest, const struct bl_layerfiles_opts *o,
        size_t count, struct bl_image_files *out, struct bl_error *err)
{
	for (size_t i = 0; i < bl_node_count(manifest) && out->len < count; i++) {
		const struct bl_node *c = bl_node_child(manifest, i);
		if (c->kind != BL_NODE_LAYER)
			continue;
		struct bl_layerfiles_opts lo = o ? *o : (struct bl_layerfiles_opts){0};
		lo.layer = (int)out->len;
		lo.need_tar_bytes = true; /* the layers' sizes are part of every image_files */
		struct bl_file_list one;
		bl_file_list_init(&one);
		if (!bl_passlist_list_node(c, &lo, &one, err)) {
			bl_file_list_fini(&one);
			return false;
		}
		int64_t size = c->has_desc ? c->desc.size : -1;
		/* A manifest a daemon's image JSON made has no sizes: the blob was
		 * streamed whole and verified, so the bytes read are its size. */
		if (size < 0 && one.bytes_read)
			size = (int64_t)one.bytes_read;
		bl_image_files_add_take(out, &one, size);
	}
	return true;
}

void bl_image_files_merged(const struct bl_image_files *f, size_t upto, struct bl_file_list *out)
{
	for (size_t i = 0; i < f->len && i <= upto; i++)
		bl_layerfiles_merge(out, &f->layers[i]);
}

/* ---- change sets ---- */

void bl_changeset_init(struct bl_changeset *c)
{
	memset(c, 0, sizeof *c);
	bl_file_list_init(&c->lower);
	bl_file_list_init(&c->upper);
}

void bl_changeset_fini(struct bl_changeset *c)
{
	bl_file_list_fini(&c->lower);
	bl_file_list_fini(&c->upper);
	free(c->items);
	memset(c, 0, sizeof *c);
}

static struct bl_change *push(struct bl_changeset *c, enum bl_change_kind k, const char *path)
{
	if (c->len == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->items = bl_realloc(c->items, c->cap * sizeof *c->items);
	}
	struct bl_change *x = &c->items[c->len++];
	memset(x, 0, sizeof *x);
	x->kind = k;
	x->path = path;
	c->counts[k]++;
	return x;
}

static bool gone(const struct bl_changeset *c, const char *path)
{
	return bl_file_list_find(&c->lower, path) && !bl_file_list_find(&c->upper, path);
}

/* Whether a proper ancestor of `path` was deleted too: then the deletion is
 * reported at that ancestor. */
static bool ancestor_gone(const struct bl_changeset *c, const char *path)
{
	char *p = bl_strdup(path);
	bool found = false;
	for (char *s = strrchr(p, '/'); s && !found; s = strrchr(p, '/')) {
		*s = '\0';
		found = gone(c, p);
	}
	free(p);
	return found;
}

/* The layer's marker for `dir`/`name` ("" dir: the root). */
static bool has_marker(const struct bl_file_list *layer, const char *dir, const char *name)
{
	char *m = *dir ? bl_asprintf("%s/%s", dir, name) : bl_strdup(name);
	bool r = bl_file_list_find(layer, m) != NULL;
	free(m);
	return r;
}

/* Which marker of the layer removed `path`: its own whiteout or one of an
 * ancestor, an opaque directory above, else a directory above replaced. */
static enum bl_delete_cause cause_of(const struct bl_file_list *layer, const char *path)
{
	char *p = bl_strdup(path);
	enum bl_delete_cause cause = BL_DELETE_REPLACED;
	for (;;) {
		char *s = strrchr(p, '/');
		const char *base = s ? s + 1 : p;
		char *wh = bl_asprintf(".wh.%s", base);
		if (s)
			*s = '\0';
		const char *dir = s ? p : "";
		bool w = has_marker(layer, dir, wh);
		free(wh);
		if (w) {
			cause = BL_DELETE_WHITEOUT;
			break;
		}
		if (has_marker(layer, dir, ".wh..wh..opq")) {
			cause = BL_DELETE_OPAQUE;
			break;
		}
		if (!s)
			break;
	}
	free(p);
	return cause;
}

/* Entries and bytes removed at `root` and under it. */
static void count_removed(const struct bl_changeset *c, struct bl_change *x)
{
	char *prefix = bl_asprintf("%s/", x->path);
	size_t pl = strlen(prefix);
	x->del_entries = 1;
	x->del_bytes = x->lower->size > 0 ? (uint64_t)x->lower->size : 0;
	for (size_t i = bl_file_list_lower_bound(&c->lower, prefix);
	        i < c->lower.len && strncmp(c->lower.items[i].path, prefix, pl) == 0; i++) {
		const struct bl_file_entry *e = &c->lower.items[i];
		if (bl_file_list_find(&c->upper, e->path))
			continue; /* put back by the layer itself */
		x->del_entries++;
		x->del_bytes += e->size > 0 ? (uint64_t)e->size : 0;
	}
	free(prefix);
}

static int change_cmp(const void *a, const void *b)
{
	const struct bl_change *x = a, *y = b;
	return strcmp(x->path, y->path);
}

void bl_changeset_compute(const struct bl_image_files *f, size_t layer, struct bl_changeset *out)
{
	out->layer = layer;
	if (layer >= f->len)
		return;
	const struct bl_file_list *mine = &f->layers[layer];
	if (layer > 0)
		bl_image_files_merged(f, layer - 1, &out->lower);
	bl_layerfiles_merge(&out->upper, &out->lower);
	bl_layerfiles_merge(&out->upper, mine);

	for (size_t i = 0; i < out->upper.len; i++) {
		const struct bl_file_entry *e = &out->upper.items[i];
		if (e->layer != (int32_t)layer)
			continue;
		const struct bl_file_entry *l = bl_file_list_find(&out->lower, e->path);
		unsigned what = l ? bl_file_entry_compare(l, e) & ~BL_FMETA_MTIME : 0;
		struct bl_change *x = push(out,
		        !l     ? BL_CHANGE_ADDED
		        : what ? BL_CHANGE_MODIFIED
		               : BL_CHANGE_SAME,
		        e->path);
		x->entry = e;
		x->lower = l;
		x->what = what;
		if (!l)
			out->added_bytes += e->size > 0 ? (uint64_t)e->size : 0;
		else if (what)
			out->modified_bytes += e->size > 0 ? (uint64_t)e->size : 0;
	}
	for (size_t i = 0; i < out->lower.len; i++) {
		const struct bl_file_entry *l = &out->lower.items[i];
		if (bl_file_list_find(&out->upper, l->path) || ancestor_gone(out, l->path))
			continue;
		struct bl_change *x = push(out, BL_CHANGE_DELETED, l->path);
		x->lower = l;
		x->cause = cause_of(mine, l->path);
		count_removed(out, x);
		out->deleted_entries += x->del_entries;
		out->deleted_bytes += x->del_bytes;
	}
	/* Whiteouts of paths no layer under it has: said, removing nothing. */
	for (size_t i = 0; i < mine->len; i++) {
		const char *p = mine->items[i].path;
		const char *s = strrchr(p, '/');
		const char *base = s ? s + 1 : p;
		if (strncmp(base, ".wh.", 4) != 0 || strcmp(base, ".wh..wh..opq") == 0)
			continue;
		char *victim =
		        s ? bl_asprintf("%.*s/%s", (int)(s - p), p, base + 4) : bl_strdup(base + 4);
		/* A layer that whites out a path and has it again adds it. */
		if (!bl_file_list_find(&out->lower, victim) &&
		        !bl_file_list_find(&out->upper, victim)) {
			struct bl_change *x = push(
			        out, BL_CHANGE_DELETED, bl_arena_strdup(&out->upper.arena, victim));
			x->cause = BL_DELETE_WHITEOUT;
		}
		free(victim);
	}
	if (out->len > 1)
		qsort(out->items, out->len, sizeof *out->items, change_cmp);
}

const char *bl_change_kind_name(enum bl_change_kind k)
{
	switch (k) {
	case BL_CHANGE_ADDED:
		return "added";
	case BL_CHANGE_MODIFIED:
		return "modified";
	case BL_CHANGE_DELETED:
		return "deleted";
	case BL_CHANGE_SAME:
		return "unchanged";
	}
	return "?";
}

const char *bl_delete_cause_name(enum bl_delete_cause c)
{
	switch (c) {
	case BL_DELETE_NONE:
		return "none";
	case BL_DELETE_WHITEOUT:
		return "whiteout";
	case BL_DELETE_OPAQUE:
		return "opaque";
	case BL_DELETE_REPLACED:
		return "replaced";
	}
	return "?";
}
