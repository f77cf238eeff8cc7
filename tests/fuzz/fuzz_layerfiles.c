/* libFuzzer: layer listings, the whiteout merge and the file diff.
 *
 * The input is cut into layers on "\n--\n". A layer that starts with '#' is
 * a list of entries, one a line, made into a tar here (so whiteouts, opaque
 * directories and replaced directories come easily):
 *     f PATH [SIZE]   d PATH   l PATH TARGET   h PATH SOURCE
 * any other layer is tar bytes as they are (gzip, zstd or none).
 * Each layer is listed, merged over the ones below, and diffed against the
 * merge so far. A listing or merge that is not sorted and unique, or a merge
 * that keeps a whiteout, aborts. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
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
		}
		bl_file_list_fini(&layer);
	}
	bl_buf_fini(&line);
	bl_file_list_fini(&merged);
	return 0;
}
