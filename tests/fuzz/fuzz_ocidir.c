/* libFuzzer: an OCI image layout directory made from the input.
 *
 * The input is cut on "\n--\n" into index.json, oci-layout (no file when
 * empty) and blobs. A blob is stored under its own sha256, or under the hex
 * after a first line "@HEX" (a blob that does not match its name), or is a
 * symbolic link to index.json under the hex after "->". The layout is
 * written to one directory, emptied before each run, opened, and every root
 * and every descriptor under it (manifests, config, layers; three levels)
 * is stat'ed, read and streamed. The same directory is then opened as a
 * content store (content.c) rooted at each root's digest: the root read,
 * hashed and sniffed without index.json, and walked the same way. Must never
 * crash. */
#define _GNU_SOURCE 1
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/descriptor.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/store.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARTS 10

static char *layout; /* made once, emptied per run */

static void put(const char *name, const uint8_t *data, size_t len)
{
	char *path = bl_asprintf("%s/%s", layout, name);
	FILE *f = fopen(path, "wb");
	if (f) {
		if (len)
			fwrite(data, 1, len, f);
		fclose(f);
	}
	free(path);
}

static void empty_layout(void)
{
	char *blobs = bl_asprintf("%s/blobs/sha256", layout);
	DIR *d = opendir(blobs);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)))
			if (e->d_name[0] != '.')
				unlinkat(dirfd(d), e->d_name, 0);
		closedir(d);
	}
	free(blobs);
	char *p = bl_asprintf("%s/index.json", layout);
	unlink(p);
	free(p);
	p = bl_asprintf("%s/oci-layout", layout);
	unlink(p);
	free(p);
}

static bool is_hex64(const uint8_t *p, size_t len)
{
	if (len < 64)
		return false;
	for (size_t i = 0; i < 64; i++)
		if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
			return false;
	return true;
}

static void put_blob(const struct fuzz_part *b)
{
	char hex[65];
	const uint8_t *p = b->data;
	size_t len = b->len;
	bool link = len >= 2 && !memcmp(p, "->", 2) && is_hex64(p + 2, len - 2);
	if ((len >= 1 && p[0] == '@' && is_hex64(p + 1, len - 1)) || link) {
		size_t skip = link ? 2 : 1;
		memcpy(hex, p + skip, 64);
		hex[64] = '\0';
		p += skip + 64;
		len -= skip + 64;
	} else {
		struct bl_digest d;
		bl_digest_compute(BL_DIGEST_SHA256, p, len, &d);
		snprintf(hex, sizeof hex, "%s", bl_digest_hex(&d));
	}
	char *name = bl_asprintf("blobs/sha256/%s", hex);
	if (link) {
		char *path = bl_asprintf("%s/%s", layout, name);
		if (symlink("../../index.json", path) != 0)
			unlink(path);
		free(path);
	} else {
		put(name, p, len);
	}
	free(name);
}

static void visit(struct bl_store *s, const struct bl_descriptor *d, int depth);

static void visit_json(struct bl_store *s, const json_t *j, const char *key, int depth)
{
	const json_t *v = json_object_get(j, key);
	const json_t *one = json_is_object(v) ? v : NULL;
	size_t n = one ? 1 : json_is_array(v) ? json_array_size(v) : 0;
	for (size_t i = 0; i < n && i < 8; i++) {
		struct bl_descriptor d;
		struct bl_error err;
		if (bl_descriptor_parse(one ? one : json_array_get(v, i), key, &d, &err))
			visit(s, &d, depth + 1);
		bl_descriptor_fini(&d);
	}
}

static void visit(struct bl_store *s, const struct bl_descriptor *d, int depth)
{
	int64_t size;
	bl_store_stat(s, &d->digest, &size);
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_error err;
	if (bl_store_read_blob(s, d, BL_JSON_MANIFEST_MAX, &b, &err) && depth < 3) {
		json_t *j = bl_json_parse(b.data, b.len, BL_JSON_MANIFEST_MAX, NULL);
		if (j) {
			visit_json(s, j, "manifests", depth);
			visit_json(s, j, "config", depth);
			visit_json(s, j, "layers", depth);
			json_decref(j);
		}
	}
	bl_buf_fini(&b);
	struct bl_stream *st = NULL;
	if (bl_store_open_blob(s, d, &st, &err)) {
		char buf[4096];
		while (st->read(st, buf, sizeof buf, &err) > 0)
			;
		st->close(st);
	}
}

/* The layout's blobs as a content store whose root is `d`. */
static void visit_content(const struct bl_digest *d)
{
	struct bl_store *c = NULL;
	struct bl_error err;
	if (!bl_digest_is_set(d) || !bl_store_content_open(layout, d, &c, &err))
		return;
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	if (bl_store_roots(c, &roots, &err) && roots.len == 1)
		visit(c, &((struct bl_store_root *)roots.items[0])->desc, 0);
	bl_vec_fini(&roots);
	bl_store_free(c);
}

static void remove_layout(void)
{
	empty_layout();
	const char *sub[] = {"blobs/sha256", "blobs", ""};
	for (size_t i = 0; i < 3; i++) {
		char *p = bl_asprintf("%s/%s", layout, sub[i]);
		rmdir(p);
		free(p);
	}
}

/* In memory (/dev/shm) when there is one: thousands of files a second are
 * written and removed, and a disk's metadata updates would be most of the
 * time of a run. */
static void make_layout(void)
{
	struct stat st;
	const char *tmp = getenv("TMPDIR");
	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
		tmp = "/dev/shm";
	char *tmpl = bl_asprintf("%s/fuzz-ocidir-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(tmpl))
		abort();
	layout = tmpl;
	char *p = bl_asprintf("%s/blobs", layout);
	mkdir(p, 0700);
	free(p);
	p = bl_asprintf("%s/blobs/sha256", layout);
	mkdir(p, 0700);
	free(p);
	atexit(remove_layout);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!layout)
		make_layout();
	empty_layout();
	struct fuzz_part parts[MAX_PARTS];
	size_t n = fuzz_split(data, size, parts, MAX_PARTS);
	put("index.json", parts[0].data, parts[0].len);
	if (n > 1 && parts[1].len)
		put("oci-layout", parts[1].data, parts[1].len);
	for (size_t i = 2; i < n; i++)
		put_blob(&parts[i]);

	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_ocidir_open(layout, &s, &err))
		return 0;
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	if (bl_store_roots(s, &roots, &err)) {
		for (size_t i = 0; i < roots.len; i++) {
			struct bl_store_root *r = roots.items[i];
			visit(s, &r->desc, 0);
			visit_content(&r->desc.digest);
		}
	}
	bl_vec_fini(&roots);
	bl_store_free(s);
	return 0;
}
