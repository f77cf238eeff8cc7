/* File-level differences between two listed layers: see the second half
 * of include/bakelens/layerfiles.h. Both lists are sorted by path, so one
 * walk down both finds every difference. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"

/* ---- differences ---- */

void bl_file_diff_init(struct bl_file_diff *d)
{
	memset(d, 0, sizeof *d);
}

void bl_file_diff_fini(struct bl_file_diff *d)
{
	free(d->items);
	memset(d, 0, sizeof *d);
}

static void diff_push(struct bl_file_diff *d, enum bl_file_change_kind k, unsigned what,
        const struct bl_file_entry *l, const struct bl_file_entry *r)
{
	if (d->len == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->items = bl_realloc(d->items, d->cap * sizeof *d->items);
	}
	d->items[d->len++] =
	        (struct bl_file_change){.kind = k, .what = what, .left = l, .right = r};
	d->counts[k]++;
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

unsigned bl_file_entry_compare(const struct bl_file_entry *l, const struct bl_file_entry *r)
{
	unsigned what = 0;
	if (l->type != r->type)
		what |= BL_FMETA_TYPE;
	if (l->type == BL_FILE_REGULAR && r->type == BL_FILE_REGULAR) {
		if (l->size != r->size)
			what |= BL_FMETA_SIZE;
		if (l->has_sha256 && r->has_sha256 && memcmp(l->sha256, r->sha256, 32) != 0)
			what |= BL_FMETA_DATA;
	}
	if (!str_eq(l->linkname, r->linkname))
		what |= BL_FMETA_LINK;
	if (l->uid != r->uid)
		what |= BL_FMETA_UID;
	if (l->gid != r->gid)
		what |= BL_FMETA_GID;
	if (l->mode != r->mode)
		what |= BL_FMETA_MODE;
	if (l->mtime != r->mtime || l->mtime_nsec != r->mtime_nsec)
		what |= BL_FMETA_MTIME;
	return what;
}

static void diff_pair(struct bl_file_diff *d, const struct bl_file_entry *l,
        const struct bl_file_entry *r, const struct bl_file_diff_opts *o)
{
	unsigned all = bl_file_entry_compare(l, r);
	unsigned content = all & (BL_FMETA_TYPE | BL_FMETA_SIZE | BL_FMETA_DATA);
	unsigned meta = all & ~content;
	bool mtime = all & BL_FMETA_MTIME;
	if (o && o->ignore_timestamps)
		meta &= ~BL_FMETA_MTIME;
	if (content) {
		diff_push(d, BL_FCHANGE_CONTENT, content | meta, l, r);
	} else if (meta) {
		diff_push(d, BL_FCHANGE_METADATA, meta, l, r);
	} else {
		d->same++;
		if (mtime)
			d->timestamps_ignored++;
	}
}

void bl_layerfiles_diff(const struct bl_file_list *left, const struct bl_file_list *right,
        const struct bl_file_diff_opts *o, struct bl_file_diff *out)
{
	size_t i = 0, j = 0;
	while (i < left->len || j < right->len) {
		int c = i >= left->len    ? 1
		        : j >= right->len ? -1
		                          : strcmp(left->items[i].path, right->items[j].path);
		if (c < 0) {
			diff_push(out, BL_FCHANGE_REMOVED, 0, &left->items[i++], NULL);
		} else if (c > 0) {
			diff_push(out, BL_FCHANGE_ADDED, 0, NULL, &right->items[j++]);
		} else {
			diff_pair(out, &left->items[i], &right->items[j], o);
			i++;
			j++;
		}
	}
}

char *bl_file_change_what(unsigned what)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
	        {BL_FMETA_TYPE, "type"},
	        {BL_FMETA_SIZE, "size"},
	        {BL_FMETA_DATA, "bytes"},
	        {BL_FMETA_LINK, "link target"},
	        {BL_FMETA_MODE, "mode"},
	        {BL_FMETA_UID, "uid"},
	        {BL_FMETA_GID, "gid"},
	        {BL_FMETA_MTIME, "mtime"},
	};
	struct bl_buf b;
	bl_buf_init(&b);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (what & names[i].bit)
			bl_buf_printf(&b, "%s%s", b.len ? ", " : "", names[i].name);
	return bl_buf_take(&b);
}

const char *bl_file_change_name(enum bl_file_change_kind k)
{
	switch (k) {
	case BL_FCHANGE_ADDED:
		return "added";
	case BL_FCHANGE_REMOVED:
		return "removed";
	case BL_FCHANGE_CONTENT:
		return "content";
	case BL_FCHANGE_METADATA:
		return "metadata";
	}
	return "?";
}
