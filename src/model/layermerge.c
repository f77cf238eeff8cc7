/* Layers applied over each other as a runtime applies them: see
 * bl_layerfiles_merge in include/bakelens/layerfiles.h. Both lists are
 * sorted, so what a layer hides is found near where the last thing it hid
 * was, and the two lists are then merged in one walk. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* bl_file_list_lower_bound, galloping from `*hint` (the last answer) and
 * leaving the answer there: the merge asks for keys in nearly sorted order,
 * so each answer is a few comparisons away from the one before. */
static size_t lower_bound_near(const struct bl_file_list *l, const char *key, size_t *hint)
{
	size_t lo = 0, hi = l->len, at = *hint < l->len ? *hint : l->len;
	if (at < l->len && strcmp(l->items[at].path, key) < 0) {
		size_t step = 1;
		lo = at + 1;
		while (lo + step < l->len && strcmp(l->items[lo + step].path, key) < 0) {
			lo += step + 1;
			step *= 2;
		}
		hi = lo + step < l->len ? lo + step + 1 : l->len;
	} else if (at > 0) {
		size_t step = 1;
		hi = at;
		while (hi > step && strcmp(l->items[hi - step - 1].path, key) >= 0) {
			hi -= step + 1;
			step *= 2;
		}
		lo = hi > step ? hi - step - 1 : 0;
	}
	*hint = bl_file_list_lower_bound_in(l, key, lo, hi);
	return *hint;
}

/* Mark entries under `dir/` (and `dir` itself when `self`) as deleted. */
static void mark_under(
        const struct bl_file_list *l, bool *del, const char *dir, bool self, size_t *hint)
{
	size_t dl = strlen(dir);
	if (self) {
		size_t i = lower_bound_near(l, dir, hint);
		if (i < l->len && strcmp(l->items[i].path, dir) == 0)
			del[i] = true;
	}
	/* "DIR/" without an allocation for the usual lengths */
	char small[512];
	char *prefix = dl + 2 <= sizeof small ? small : bl_malloc(dl + 2);
	memcpy(prefix, dir, dl);
	prefix[dl] = '/';
	prefix[dl + 1] = '\0';
	/* A whiteout at the root (".wh..wh..opq" in "") hides everything. */
	size_t i = dl ? lower_bound_near(l, prefix, hint) : 0;
	for (; i < l->len; i++) {
		if (dl && strncmp(l->items[i].path, prefix, dl + 1) != 0)
			break;
		del[i] = true;
	}
	if (prefix != small)
		free(prefix);
}

void bl_layerfiles_merge(struct bl_file_list *acc, const struct bl_file_list *upper)
{
	bl_layerfiles_merge_ex(acc, upper, false, NULL, NULL);
}

void bl_layerfiles_merge_ex(struct bl_file_list *acc, const struct bl_file_list *upper, bool borrow,
        void (*gone)(void *ud, const struct bl_file_entry *e), void *ud)
{
	bool *del = bl_calloc(acc->len + 1, sizeof *del);
	bool *wh = bl_calloc(upper->len + 1, sizeof *wh);
	size_t hint = 0;
	for (size_t i = 0; i < upper->len; i++) {
		const struct bl_file_entry *e = &upper->items[i];
		const char *b = base_of(e->path);
		if (strncmp(b, ".wh.", 4) != 0) {
			if (e->type != BL_FILE_DIR)
				mark_under(acc, del, e->path, false, &hint);
			continue;
		}
		wh[i] = true;
		size_t dirlen = (size_t)(b - e->path);
		char *dir = bl_strndup(e->path, dirlen ? dirlen - 1 : 0);
		if (strcmp(b, ".wh..wh..opq") == 0) {
			mark_under(acc, del, dir, false, &hint);
		} else {
			char *victim = dirlen ? bl_asprintf("%s/%s", dir, b + 4) : bl_strdup(b + 4);
			mark_under(acc, del, victim, true, &hint);
			free(victim);
		}
		free(dir);
	}
	/* Merge the two sorted lists; the upper entry wins on equal paths. */
	struct bl_file_entry *items = bl_malloc((acc->len + upper->len + 1) * sizeof *items);
	size_t n = 0, i = 0, j = 0;
	while (i < acc->len || j < upper->len) {
		if (i < acc->len && del[i]) {
			if (gone)
				gone(ud, &acc->items[i]);
			i++;
			continue;
		}
		if (j < upper->len && wh[j]) {
			j++;
			continue;
		}
		int c = i >= acc->len     ? 1
		        : j >= upper->len ? -1
		                          : strcmp(acc->items[i].path, upper->items[j].path);
		if (c < 0) {
			items[n++] = acc->items[i++];
		} else {
			struct bl_file_entry e = upper->items[j++];
			if (!borrow) {
				e.path = bl_arena_strdup(&acc->arena, e.path);
				if (e.linkname)
					e.linkname = bl_arena_strdup(&acc->arena, e.linkname);
			}
			items[n++] = e;
			if (c == 0) {
				if (gone)
					gone(ud, &acc->items[i]);
				i++;
			}
		}
	}
	free(acc->items);
	acc->items = items;
	acc->len = n;
	acc->cap = acc->len + upper->len + 1;
	acc->bytes_read += upper->bytes_read;
	acc->tar_bytes += upper->tar_bytes;
	acc->content_bytes += upper->content_bytes;
	free(del);
	free(wh);
	/* A hard link is made to the file its target path holds when its layer
	 * is applied; later layers may remove or replace that path. */
	for (size_t k = 0; k < acc->len; k++) {
		struct bl_file_entry *e = &acc->items[k];
		if (e->type != BL_FILE_HARDLINK || !e->linkname)
			continue;
		const struct bl_file_entry *t = bl_file_list_find(acc, e->linkname);
		e->link_state = !t                    ? BL_LINK_GONE
		                : t->layer > e->layer ? BL_LINK_REPLACED
		                                      : BL_LINK_OK;
	}
}
