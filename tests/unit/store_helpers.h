/* Helpers shared by the store tests (test_store, test_ocidir, test_tar_*,
 * test_stdin): corpus paths, temp dirs, a verifying walk over a store, and
 * member extraction with libarchive independent of the store's own index. */
#ifndef BL_TEST_STORE_HELPERS_H
#define BL_TEST_STORE_HELPERS_H

#include <archive.h>
#include <archive_entry.h>
#include <stdarg.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/digest.h"
#include "bakelens/json.h"
#include "bakelens/mediatype.h"
#include "bakelens/mem.h"
#include "bakelens/store.h"

/* Full path of a corpus item, or NULL (test skipped) when BL_CORPUS is absent. */
static inline char *corpus_path(const char *rel)
{
	const char *c = getenv("BL_CORPUS");
	struct stat st;
	if (!c || stat(c, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return bl_asprintf("%s/%s", c, rel);
}

static inline char *make_tmpdir(void)
{
	char *t = bl_strdup("/tmp/bl-store-test-XXXXXX");
	if (!mkdtemp(t)) {
		free(t);
		return NULL;
	}
	return t;
}

static inline int shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline void rm_tree(char *dir)
{
	if (dir && strncmp(dir, "/tmp/bl-store-test-", 19) == 0)
		shell("rm -rf '%s'", dir);
	free(dir);
}

static inline void write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char *p = bl_asprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "wb");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
	free(p);
}

static inline int shell(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char buf[4096];
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return system(buf);
}

/* Bytes of member `name` as libarchive extracts it (any compression), or
 * false when absent. Independent of the store's index. */
static inline bool extract_member(const char *tar, const char *name, struct bl_buf *out)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_all(a);
	archive_read_support_filter_all(a);
	bool found = false;
	if (archive_read_open_filename(a, tar, 1 << 16) == ARCHIVE_OK) {
		struct archive_entry *e;
		while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
			const char *p = archive_entry_pathname(e);
			if (strncmp(p, "./", 2) == 0)
				p += 2;
			if (strcmp(p, name) != 0)
				continue;
			char buf[65536];
			la_ssize_t r;
			bl_buf_clear(out);
			while ((r = archive_read_data(a, buf, sizeof(buf))) > 0)
				bl_buf_append(out, buf, (size_t)r);
			found = r == 0;
		}
	}
	archive_read_free(a);
	return found;
}

/* A member for write_tar: a regular file, or a symlink when `link` is set. */
struct tar_ent {
	const char *name;
	const void *data;
	size_t len;
	const char *link;
};

/* Write a tar with names exactly as given (no sanitising), through the
 * libarchive writer; `filter` 0 none, 'z' gzip, 'J' xz, 's' zstd. */
static inline bool write_tar(const char *path, const struct tar_ent *ents, size_t n, int filter)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (filter == 'z')
		archive_write_add_filter_gzip(a);
	else if (filter == 'J')
		archive_write_add_filter_xz(a);
	else if (filter == 's')
		archive_write_add_filter_zstd(a);
	if (archive_write_open_filename(a, path) != ARCHIVE_OK) {
		archive_write_free(a);
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, ents[i].name);
		if (ents[i].link) {
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_set_symlink(e, ents[i].link);
			archive_entry_set_size(e, 0);
		} else {
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)ents[i].len);
		}
		archive_entry_set_perm(e, 0644);
		archive_write_header(a, e);
		if (!ents[i].link && ents[i].len)
			archive_write_data(a, ents[i].data, ents[i].len);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	return true;
}

struct walk_counts {
	int indexes, manifests, configs, layers;
	int missing;     /* distinct referenced blobs absent */
	int mismatch;    /* BL_E_DIGEST on read */
	int unsupported; /* BL_E_UNSUPPORTED (stdin layers) */
	int other;       /* any other failure */
	int64_t layer_bytes;
	char seen[512][BL_DIGEST_MAX + 24];
	int nseen;
};

static inline bool walk_seen(struct walk_counts *w, const struct bl_descriptor *d)
{
	char key[BL_DIGEST_MAX + 24];
	snprintf(key, sizeof(key), "%s/%lld", d->digest.str, (long long)d->size);
	for (int i = 0; i < w->nseen; i++)
		if (strcmp(w->seen[i], key) == 0)
			return true;
	if (w->nseen < 512)
		strcpy(w->seen[w->nseen++], key);
	return false;
}

static inline void walk_fail(struct walk_counts *w, const struct bl_error *err)
{
	if (err->code == BL_E_NOT_FOUND)
		w->missing++;
	else if (err->code == BL_E_DIGEST)
		w->mismatch++;
	else if (err->code == BL_E_UNSUPPORTED)
		w->unsupported++;
	else {
		w->other++;
		fprintf(stderr, "walk: %s: %s\n", bl_status_name(err->code), err->msg);
	}
}

static inline void walk_desc(
        struct bl_store *s, const struct bl_descriptor *d, struct walk_counts *w);

static inline void walk_json_desc(struct bl_store *s, json_t *j, struct walk_counts *w)
{
	struct bl_descriptor d;
	if (!j || !bl_descriptor_parse(j, "test", &d, NULL))
		return;
	walk_desc(s, &d, w);
	bl_descriptor_fini(&d);
}

/* Read `d` verified and follow it: index -> manifests, manifest -> config,
 * layers (streamed through bl_store_open_blob to the end) and subject. */
static inline void walk_desc(
        struct bl_store *s, const struct bl_descriptor *d, struct walk_counts *w)
{
	if (walk_seen(w, d))
		return;
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_error err;
	bl_error_clear(&err);
	if (!bl_store_read_blob(s, d, BL_JSON_MANIFEST_MAX, &b, &err)) {
		walk_fail(w, &err);
		bl_buf_fini(&b);
		return;
	}
	json_t *j = bl_json_parse(b.data, b.len, BL_JSON_MANIFEST_MAX, NULL);
	bl_buf_fini(&b);
	if (!j) {
		w->other++;
		return;
	}
	size_t i;
	json_t *e;
	if (json_is_array(json_object_get(j, "manifests"))) {
		w->indexes++;
		json_array_foreach(json_object_get(j, "manifests"), i, e) walk_json_desc(s, e, w);
	} else if (json_object_get(j, "config")) {
		w->manifests++;
		struct bl_descriptor cd;
		if (bl_descriptor_parse(json_object_get(j, "config"), "config", &cd, NULL)) {
			if (!walk_seen(w, &cd)) {
				struct bl_buf cb;
				bl_buf_init(&cb);
				bl_error_clear(&err);
				if (bl_store_read_blob(s, &cd, BL_JSON_CONFIG_MAX, &cb, &err))
					w->configs++;
				else
					walk_fail(w, &err);
				bl_buf_fini(&cb);
			}
			bl_descriptor_fini(&cd);
		}
		json_array_foreach(json_object_get(j, "layers"), i, e)
		{
			struct bl_descriptor ld;
			if (!bl_descriptor_parse(e, "layer", &ld, NULL))
				continue;
			if (walk_seen(w, &ld)) {
				bl_descriptor_fini(&ld);
				continue;
			}
			struct bl_stream *st = NULL;
			bl_error_clear(&err);
			if (!bl_store_open_blob(s, &ld, &st, &err)) {
				walk_fail(w, &err);
			} else {
				char buf[65536];
				ssize_t r;
				while ((r = st->read(st, buf, sizeof(buf), &err)) > 0)
					w->layer_bytes += r;
				if (r < 0)
					walk_fail(w, &err);
				else
					w->layers++;
				st->close(st);
			}
			bl_descriptor_fini(&ld);
		}
	}
	walk_json_desc(s, json_object_get(j, "subject"), w);
	json_decref(j);
}

static inline void walk_store(struct bl_store *s, struct walk_counts *w, size_t *nroots)
{
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	struct bl_error err;
	bl_error_clear(&err);
	if (!bl_store_roots(s, &roots, &err)) {
		w->other++;
		*nroots = 0;
		bl_vec_fini(&roots);
		return;
	}
	*nroots = roots.len;
	for (size_t i = 0; i < roots.len; i++) {
		struct bl_store_root *r = roots.items[i];
		walk_desc(s, &r->desc, w);
	}
	bl_vec_fini(&roots);
}

#endif
