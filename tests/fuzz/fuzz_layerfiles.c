/* libFuzzer: layer listings, the whiteout merge, the file diff, each
 * layer's change set, the wasted-space figures and the file tree.
 *
 * The input is cut into layers on "\n--\n". A layer that starts with '#' is
 * a list of entries, one a line, made into a tar here (so whiteouts, opaque
 * directories and replaced directories come easily):
 *     f PATH [SIZE]   d PATH   l PATH TARGET   h PATH SOURCE
 * any other layer is tar bytes as they are (gzip, zstd or none).
 * Each layer is listed, merged over the ones below, and diffed against the
 * merge so far. A listing or merge that is not sorted and unique, or a merge
 * that keeps a whiteout, aborts; so do change sets out of path order or
 * whose counts and sizes do not add up, shadowed bytes that do not sum per
 * layer, and a tree whose directory sizes are not their children's sum. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/changeset.h"
#include "bakelens/filetree.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_LAYERS 6
#define MAX_TAR (1u << 20)

static void die(const char *what, const char *path)
{
	fprintf(stderr, "layerfiles: %s: \"%s\"\n", what, path ? path : "(null)");
	abort();
}

static void check_sorted_unique(const struct bl_file_list *l, bool merged)
{
	for (size_t i = 0; i < l->len; i++) {
		const char *p = l->items[i].path;
		if (!p || !*p)
			die("empty path", p);
		if (i > 0 && strcmp(l->items[i - 1].path, p) >= 0)
			die("not sorted and unique at", p);
		if (bl_file_list_find(l, p) != &l->items[i])
			die("find does not find", p);
		const char *base = strrchr(p, '/');
		base = base ? base + 1 : p;
		if (merged && strncmp(base, ".wh.", 4) == 0)
			die("whiteout kept by the merge", p);
	}
}

/* One text line into a tar entry; false when the line is no entry. */
static bool text_entry(struct archive *w, char *line)
{
	char *type = strtok(line, " ");
	char *path = strtok(NULL, " ");
	char *arg = strtok(NULL, " ");
	if (!type || !path)
		return false;
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_mtime(e, 1, 0);
	size_t size = 0;
	switch (type[0]) {
	case 'd':
		archive_entry_set_filetype(e, AE_IFDIR);
		break;
	case 'l':
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, arg ? arg : "");
		break;
	case 'h':
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_hardlink(e, arg ? arg : "");
		break;
	default:
		archive_entry_set_filetype(e, AE_IFREG);
		size = arg ? (size_t)strtoul(arg, NULL, 10) % 64 : 0;
		break;
	}
	archive_entry_set_size(e, (la_int64_t)size);
	bool ok = archive_write_header(w, e) == ARCHIVE_OK;
	if (ok && size) {
		static const char zeros[64];
		archive_write_data(w, zeros, size);
	}
	archive_entry_free(e);
	return ok;
}

/* A tar from text lines, into a buffer the caller frees; NULL when the
 * writer gives up. */
static unsigned char *text_tar(const uint8_t *data, size_t len, size_t *out_len)
{
	unsigned char *buf = bl_malloc(MAX_TAR);
	size_t used = 0;
	struct archive *w = archive_write_new();
	archive_write_set_format_pax_restricted(w);
	archive_write_set_bytes_in_last_block(w, 1);
	if (archive_write_open_memory(w, buf, MAX_TAR, &used) != ARCHIVE_OK) {
		archive_write_free(w);
		free(buf);
		return NULL;
	}
	char *text = bl_strndup((const char *)data, len);
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] != '#' && !text_entry(w, line))
			break;
	}
	free(text);
	archive_write_close(w);
	archive_write_free(w);
	*out_len = used;
	return buf;
}

static bool list_layer(const struct fuzz_part *part, int n, struct bl_file_list *out)
{
	const uint8_t *bytes = part->data;
	size_t len = part->len;
	unsigned char *made = NULL;
	if (len > 0 && bytes[0] == '#') {
		made = text_tar(bytes, len, &len);
		if (!made)
			return false;
		bytes = made;
	}
	struct bl_stream *s = bl_stream_memory(bytes, len);
	struct bl_layerfiles_opts o = {.hash = (n % 2) == 0, .layer = n};
	struct bl_error err;
	bool ok = bl_layerfiles_read(s, "fuzz layer", &o, out, &err);
	s->close(s);
	free(made);
	return ok;
}

/* The diff covers every path of either side once, in path order. */
static void check_diff(const struct bl_file_list *a, const struct bl_file_list *b, bool ignore_ts)
{
	struct bl_file_diff d;
	bl_file_diff_init(&d);
	struct bl_file_diff_opts o = {.ignore_timestamps = ignore_ts};
	bl_layerfiles_diff(a, b, &o, &d);
	size_t i = 0, j = 0, both = 0;
	while (i < a->len || j < b->len) {
		int c = i >= a->len   ? 1
		        : j >= b->len ? -1
		                      : strcmp(a->items[i].path, b->items[j].path);
		both++;
		i += c <= 0;
		j += c >= 0;
	}
	size_t counted = 0;
	for (int k = 0; k < 4; k++)
		counted += d.counts[k];
	if (counted != d.len || d.len + d.same != both)
		die("diff does not cover each path once", NULL);
	for (size_t k = 0; k < d.len; k++) {
		const struct bl_file_change *ch = &d.items[k];
		const struct bl_file_entry *e = ch->left ? ch->left : ch->right;
		if (!e || (k > 0 && strcmp((d.items[k - 1].left ? d.items[k - 1].left
		                                                : d.items[k - 1].right)
		                                    ->path,
		                            e->path) >= 0))
			die("diff not in path order at", e ? e->path : NULL);
		free(bl_file_change_what(ch->what));
	}
	bl_file_diff_fini(&d);
}

static uint64_t size_of(const struct bl_file_entry *e)
{
	return e->size > 0 ? (uint64_t)e->size : 0;
}

static void check_changeset(const struct bl_image_files *f, size_t L)
{
	struct bl_changeset c;
	bl_changeset_init(&c);
	bl_changeset_compute(f, L, &c);
	check_sorted_unique(&c.upper, true);
	size_t counted = 0, removed = 0, mine = 0, del_entries = 0;
	uint64_t added = 0, del_bytes = 0;
	for (int k = 0; k < 4; k++)
		counted += c.counts[k];
	if (counted != c.len)
		die("change counts do not add up", NULL);
	for (size_t i = 0; i < c.len; i++) {
		const struct bl_change *x = &c.items[i];
		if (i > 0 && strcmp(c.items[i - 1].path, x->path) >= 0)
			die("change set not sorted and unique at", x->path);
		if (x->kind == BL_CHANGE_ADDED)
			added += size_of(x->entry);
		if (x->kind == BL_CHANGE_DELETED) {
			if (x->entry || (x->lower && x->del_entries < 1) ||
			        x->cause == BL_DELETE_NONE)
				die("deletion without its count or cause", x->path);
			del_entries += x->del_entries;
			del_bytes += x->del_bytes;
		} else if (!x->entry || x->entry->layer != (int32_t)L) {
			die("change without the layer's entry", x->path);
		}
	}
	for (size_t i = 0; i < c.lower.len; i++)
		removed += !bl_file_list_find(&c.upper, c.lower.items[i].path);
	for (size_t i = 0; i < c.upper.len; i++)
		mine += c.upper.items[i].layer == (int32_t)L;
	if (added != c.added_bytes || del_entries != c.deleted_entries ||
	        del_bytes != c.deleted_bytes || removed != c.deleted_entries)
		die("change sizes do not add up", NULL);
	if (mine != c.counts[BL_CHANGE_ADDED] + c.counts[BL_CHANGE_MODIFIED] +
	                        c.counts[BL_CHANGE_SAME] ||
	        c.upper.len != c.lower.len - removed + c.counts[BL_CHANGE_ADDED])
		die("the layer's entries are not its changes", NULL);
	bl_changeset_fini(&c);
}

static void check_waste(const struct bl_image_files *f)
{
	struct bl_waste w;
	bl_waste_init(&w);
	bl_waste_compute(f, &w);
	uint64_t size = 0, wasted = 0, shadowed = 0;
	size_t files = 0;
	for (size_t i = 0; i < f->len; i++) {
		size += f->layers[i].content_bytes;
		shadowed += w.layer_shadowed_bytes[i];
		files += w.layer_shadowed_files[i];
	}
	for (size_t i = 0; i < w.nineff; i++) {
		if (w.ineff[i].count < 2 ||
		        (i > 0 && w.ineff[i - 1].cumulative < w.ineff[i].cumulative))
			die("inefficiencies out of order at", w.ineff[i].path);
		wasted += (uint64_t)w.ineff[i].cumulative;
	}
	for (size_t i = 0; i < w.nshadowed; i++)
		if (w.shadowed[i].layer >= w.shadowed[i].by_layer ||
		        w.shadowed[i].by_layer >= f->len)
			die("shadowed by a layer not above it", w.shadowed[i].path);
	if (size != w.size_bytes || wasted != w.wasted_bytes || shadowed != w.shadowed_bytes ||
	        files != w.shadowed_files || files != w.nshadowed)
		die("wasted-space figures do not add up", NULL);
	bl_waste_fini(&w);
}

static void check_tree(const struct bl_file_list *l)
{
	struct bl_filetree t;
	bl_filetree_build(l, &t);
	uint64_t top = 0;
	for (size_t i = 0; i < t.len; i++) {
		const struct bl_filetree_node *n = &t.nodes[i];
		if (i > 0 && bl_filetree_path_cmp(t.nodes[i - 1].path, n->path) >= 0)
			die("tree out of order at", n->path);
		uint64_t sum = n->entry ? size_of(n->entry) : 0;
		size_t kids = 0;
		for (size_t c = n->first_child; c != BL_FILETREE_NONE;
		        c = t.nodes[c].next_sibling) {
			if (t.nodes[c].parent != i || c <= i)
				die("child not under its parent", t.nodes[c].path);
			sum += t.nodes[c].bytes;
			kids++;
		}
		if (sum != n->bytes || kids != n->nchildren)
			die("directory size is not its children's", n->path);
		if (n->parent == BL_FILETREE_NONE)
			top += n->bytes;
	}
	if (top != t.bytes)
		die("tree total", NULL);
	bl_filetree_fini(&t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bl_image_files image;
	bl_image_files_init(&image);
	struct fuzz_part parts[MAX_LAYERS];
	size_t n = fuzz_split(data, size, parts, MAX_LAYERS);
	struct bl_file_list merged;
	bl_file_list_init(&merged);
	struct bl_buf line;
	bl_buf_init(&line);
	for (size_t i = 0; i < n; i++) {
		struct bl_file_list layer;
		bl_file_list_init(&layer);
		if (list_layer(&parts[i], (int)i, &layer)) {
			check_sorted_unique(&layer, false);
			for (size_t k = 0; k < layer.len && k < 64; k++) {
				bl_file_entry_line(&layer.items[k], true, &line);
				bl_buf_clear(&line);
			}
			struct bl_file_list before;
			bl_file_list_init(&before);
			bl_layerfiles_merge(&before, &merged);
			bl_layerfiles_merge(&merged, &layer);
			check_sorted_unique(&merged, true);
			check_diff(&before, &merged, i % 2);
			check_diff(&layer, &merged, false);
			bl_file_list_fini(&before);
			bl_image_files_add_take(&image, &layer, 0);
		}
		bl_file_list_fini(&layer);
	}
	for (size_t L = 0; L < image.len; L++)
		check_changeset(&image, L);
	check_waste(&image);
	check_tree(&merged);
	bl_image_files_fini(&image);
	bl_buf_fini(&line);
	bl_file_list_fini(&merged);
	return 0;
}
