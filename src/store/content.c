/* A content-addressed store directory: <root>/blobs/sha256/<hex> with no
 * index.json (BuildKit's and containerd's local content stores, an OCI
 * layout's blobs). The blobs are read by the layout code (ocidir.c), which
 * opens them without following symbolic links; this file adds the roots: the
 * one digest given with the source, verified and sniffed here, or none (a
 * metadata file names them, and the model finds them by stat). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "internal.h"

struct content {
	struct bl_store base;
	struct bl_store *blobs;     /* ocidir.c's blob reader over the found directory */
	char *safe_dir;             /* the directory as the user named it, escaped */
	struct bl_store_root *root; /* NULL: none given */
};

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_blobs(const char *dir)
{
	char *p = bl_asprintf("%s/blobs/sha256", dir);
	bool ok = is_dir(p);
	free(p);
	return ok;
}

char *bl_store_content_find(const char *dir)
{
	if (has_blobs(dir))
		return bl_strdup(dir);
	/* A builder's root given instead of its content store: where containerd,
	 * BuildKit (OCI worker) and Docker (containerd image store) keep it. */
	static const char *const inside[] = {
	        "io.containerd.content.v1.content",
	        "runc-overlayfs/content",
	        "containerd/daemon/io.containerd.content.v1.content",
	};
	for (size_t i = 0; i < sizeof inside / sizeof inside[0]; i++) {
		char *p = bl_asprintf("%s/%s", dir, inside[i]);
		if (has_blobs(p))
			return p;
		free(p);
	}
	return NULL;
}

static bool ct_list_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err)
{
	struct content *c = (struct content *)s;
	if (!c->root)
		return bl_fail(err, BL_E_USAGE,
		        "content store %s: no root; give %s@sha256:... or a metadata file",
		        c->safe_dir, c->safe_dir);
	bl_vec_push_take(roots, bl_store_root_dup(c->root));
	return true;
}

static enum bl_blob_state ct_stat(struct bl_store *s, const struct bl_digest *d, int64_t *size)
{
	struct content *c = (struct content *)s;
	return c->blobs->ops->stat_blob(c->blobs, d, size);
}

static bool ct_read_raw(struct bl_store *s, const struct bl_digest *d, size_t max,
        struct bl_buf *out, struct bl_error *err)
{
	struct content *c = (struct content *)s;
	return c->blobs->ops->read_raw(c->blobs, d, max, out, err);
}

static bool ct_open_raw(
        struct bl_store *s, const struct bl_digest *d, struct bl_stream **out, struct bl_error *err)
{
	struct content *c = (struct content *)s;
	return c->blobs->ops->open_raw(c->blobs, d, out, err);
}

static bool ct_read_range(struct bl_store *s, const struct bl_digest *d, uint64_t offset,
        size_t len, void *buf, struct bl_error *err)
{
	struct content *c = (struct content *)s;
	return c->blobs->ops->read_range(c->blobs, d, offset, len, buf, err);
}

static void ct_destroy(struct bl_store *s)
{
	struct content *c = (struct content *)s;
	bl_store_free(c->blobs);
	bl_store_root_free(c->root);
	free(c->safe_dir);
	free(c);
}

static const struct bl_store_ops content_ops = {
        .kind = "content",
        .list_roots = ct_list_roots,
        .stat_blob = ct_stat,
        .read_raw = ct_read_raw,
        .open_raw = ct_open_raw,
        .destroy = ct_destroy,
        .read_range = ct_read_range,
        .missing_note = "a builder's content store often lacks layers it never pulled; "
                        "that is normal there",
};

static bool load_root(struct content *c, const struct bl_digest *d, struct bl_error *err)
{
	char *where = bl_asprintf("content store %s", c->safe_dir);
	c->root = bl_store_sniff_root(c->blobs, d, where, err);
	free(where);
	return c->root != NULL;
}

bool bl_store_content_open(
        const char *dir, const struct bl_digest *root, struct bl_store **out, struct bl_error *err)
{
	*out = NULL;
	if (access(dir, R_OK | X_OK) != 0) {
		char *safe = bl_text_safe(dir);
		if (errno == EACCES)
			bl_fail_errno(
			        err, BL_E_IO, "%s (a builder's store belongs to root: sudo)", safe);
		else if (errno == ENOENT || errno == ENOTDIR)
			bl_fail(err, BL_E_IO, "%s: no such file or directory", safe);
		else
			bl_fail_errno(err, BL_E_IO, "%s", safe);
		free(safe);
		return false;
	}
	char *found = bl_store_content_find(dir);
	if (!found) {
		char *safe = bl_text_safe(dir);
		bl_fail(err, BL_E_FORMAT, "%s: not a content store (no blobs/sha256 directory)",
		        safe);
		free(safe);
		return false;
	}
	struct content *c = bl_calloc(1, sizeof *c);
	c->safe_dir = bl_text_safe(dir);
	char *safe_found = bl_text_safe(found);
	char *describe = strcmp(found, dir) == 0
	                         ? bl_strdup("content store directory (blobs, no index.json)")
	                         : bl_asprintf("content store %s", safe_found);
	bl_store_base_init(&c->base, &content_ops, dir, describe);
	free(describe);
	free(safe_found);
	bool ok = bl_store_blobdir_open(found, &c->blobs, err);
	free(found);
	if (ok && root)
		ok = load_root(c, root, err);
	if (!ok) {
		bl_store_free(&c->base);
		return false;
	}
	*out = &c->base;
	return true;
}
