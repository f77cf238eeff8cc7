/* Image tarballs: OCI layout tars (buildx type=oci/type=docker, containerd
 * exports, docker save >= 25) and legacy docker save archives, plain or
 * compressed, from a file or read once from a pipe.
 *
 * Opening indexes the member headers once (tarindex.c), then classifies:
 * blobs/<alg>/<hex> members are blobs by name; index.json gives the roots;
 * manifest.json adds RepoTags, or, when there is no usable index.json, gives
 * roots itself: the real manifest blob when one is in blobs/, else a Docker
 * v2s2 manifest synthesised from manifest.json and the config (legacy; both
 * in dockersave.c).
 *
 * Costs: an uncompressed file is indexed by reading headers only (members are
 * then read with pread). A compressed file is decompressed once while
 * indexing (every member hashed, small ones kept), and reading a large member
 * later decompresses again up to it. Legacy archives whose layers are
 * compressed (kaniko's <hex>.tar.gz) have those layers hashed at open time,
 * since their digest is not in the config: one extra read of each. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "tar_internal.h"

static void add_layout_blobs(struct tar_store *t)
{
	for (size_t i = 0; i < t->ix.n_by_name; i++) {
		const struct bl_tar_member *m = &t->ix.m[t->ix.by_name[i]];
		if (strncmp(m->name, "blobs/", 6) != 0)
			continue;
		const char *alg = m->name + 6;
		const char *slash = strchr(alg, '/');
		if (!slash || strchr(slash + 1, '/'))
			continue;
		char *ds = bl_asprintf("%.*s:%s", (int)(slash - alg), alg, slash + 1);
		struct bl_digest d;
		if (bl_digest_parse(ds, &d, NULL)) {
			const struct bl_tar_member *target = bl_tarix_find(&t->ix, m->name);
			if (target) {
				/* names are unique in by_name, so digests are too */
				struct blob_ent *b = bl_tar_add_blob_ex(t, &d, false);
				b->m = target;
				bl_tar_set_member_state(b);
			}
		}
		free(ds);
	}
}

static bool classify(struct tar_store *t, struct bl_error *err)
{
	add_layout_blobs(t);
	const struct bl_tar_member *im = bl_tarix_find(&t->ix, "index.json");
	const struct bl_tar_member *mm = bl_tarix_find(&t->ix, "manifest.json");
	const char *kind = NULL;
	if (im) {
		char *label = bl_asprintf("%s: index.json", t->what);
		struct bl_buf b;
		bl_buf_init(&b);
		bool ok = bl_tar_read_member(t, im, BL_JSON_MANIFEST_MAX, &b, label, err) &&
		          (b.len > 0 || bl_fail(err, BL_E_FORMAT, "%s: empty file", label)) &&
		          bl_store_index_roots(b.data, b.len, label, &t->roots, err);
		bl_buf_fini(&b);
		free(label);
		if (!ok)
			return false;
		if (t->roots.len > 0) {
			if (mm)
				bl_tar_name_from_manifest_json(t, mm);
			kind = mm ? "OCI layout tar with docker manifest.json (docker save >= 25, "
			            "containerd or buildx type=docker)"
			          : "OCI layout tar";
		} else if (mm) {
			if (!bl_tar_roots_from_manifest_json(t, mm, true, err))
				return false;
			kind = "OCI layout tar with docker manifest.json (index.json lists no "
			       "images)";
		} else {
			kind = "OCI layout tar (index.json lists no images)";
		}
	} else if (mm) {
		if (!bl_tar_roots_from_manifest_json(t, mm, false, err))
			return false;
		kind = "docker save (legacy) tar";
	} else {
		const char *wi = bl_tar_why_not_found(t, "index.json");
		const char *wm = bl_tar_why_not_found(t, "manifest.json");
		if (*wi || *wm)
			return bl_fail(err, BL_E_FORMAT, "%s: not an image archive: %s%s", t->what,
			        *wi ? "index.json is there but unusable"
			            : "manifest.json is there but unusable",
			        *wi ? wi : wm);
		return bl_fail(err, BL_E_FORMAT,
		        "%s: not an image archive: no index.json or manifest.json", t->what);
	}
	struct bl_buf d;
	bl_buf_init(&d);
	bl_buf_puts(&d, kind);
	if (t->ix.filter)
		bl_buf_printf(&d, " (%s)", t->ix.filter);
	if (t->access == BL_TAR_RESTREAM)
		bl_buf_puts(&d, ": compressed archive, streamed");
	else if (t->access == BL_TAR_ONCE)
		bl_buf_puts(&d, ", read once from a stream (layers hashed, not kept)");
	if (t->ix.unsafe_names)
		bl_buf_printf(&d, "; %zu member(s) with \"..\" in their name ignored",
		        t->ix.unsafe_names);
	if (t->ix.n > t->ix.n_by_name)
		bl_buf_printf(&d, "; %zu member(s) superseded by a later one of the same name",
		        t->ix.n - t->ix.n_by_name);
	if (t->roots_dropped)
		bl_buf_printf(&d, "; %zu more image name(s) past the first %d not listed",
		        t->roots_dropped, TAR_ROOTS_MAX);
	free(t->base.describe);
	t->base.describe = bl_buf_take(&d);
	bl_buf_fini(&d);
	return true;
}

/* ---- ops ---- */

static bool ts_list_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err)
{
	struct tar_store *t = (struct tar_store *)s;
	for (size_t i = 0; i < t->roots.len; i++)
		bl_vec_push_take(roots, bl_store_root_dup(t->roots.items[i]));
	return true;
}

static enum bl_blob_state ts_stat(struct bl_store *s, const struct bl_digest *d, int64_t *size)
{
	struct tar_store *t = (struct tar_store *)s;
	struct blob_ent *b = bl_tar_find_blob(t, d);
	*size = -1;
	if (!b)
		return BL_BLOB_MISSING;
	*size = b->m ? b->m->size : (int64_t)b->synth_len;
	return b->state;
}

/* The blob called d, or NULL with BL_E_NOT_FOUND; sh gets d's short form
 * for the caller's messages either way. */
static struct blob_ent *blob_or_fail(struct tar_store *t, const struct bl_digest *d, char *sh,
        size_t sh_size, struct bl_error *err)
{
	bl_store_short(d, sh, sh_size);
	struct blob_ent *b = bl_tar_find_blob(t, d);
	if (!b)
		bl_fail(err, BL_E_NOT_FOUND, "blob %s: not in %s", sh, t->what);
	return b;
}

static bool ts_read_raw(struct bl_store *s, const struct bl_digest *d, size_t max,
        struct bl_buf *out, struct bl_error *err)
{
	struct tar_store *t = (struct tar_store *)s;
	char sh[40];
	struct blob_ent *b = blob_or_fail(t, d, sh, sizeof sh, err);
	if (!b)
		return false;
	if (b->synth) {
		if (b->synth_len > max)
			return bl_fail(err, BL_E_TOO_BIG,
			        "blob %s: %zu bytes, over the %zu-byte cap", sh, b->synth_len, max);
		bl_buf_append(out, b->synth, b->synth_len);
		return true;
	}
	char *label = bl_asprintf("blob %s", sh);
	bool ok = bl_tar_read_member(t, b->m, max, out, label, err);
	free(label);
	return ok;
}

static bool ts_open_raw(
        struct bl_store *s, const struct bl_digest *d, struct bl_stream **out, struct bl_error *err)
{
	struct tar_store *t = (struct tar_store *)s;
	char sh[40];
	struct blob_ent *b = blob_or_fail(t, d, sh, sizeof sh, err);
	if (!b)
		return false;
	if (b->synth) {
		*out = bl_stream_memory(b->synth, b->synth_len);
		return true;
	}
	const struct bl_tar_member *m = b->m;
	if (m->data || m->size == 0) {
		*out = bl_stream_memory(m->data ? m->data : "", (size_t)m->size);
		return true;
	}
	if (t->access == BL_TAR_ONCE)
		return bl_fail(err, BL_E_UNSUPPORTED,
		        "blob %s: layer not kept: standard input is read once", sh);
	if (t->access == BL_TAR_PREAD && m->offset >= 0) {
		/* The stream shares the store's fd: it must not outlive the store. */
		*out = bl_stream_fd_range(t->fd, m->offset, m->size);
		return true;
	}
	if (bl_tar_sparse_unreadable(m, sh, err))
		return false;
	struct archive *a = bl_tar_restream_to(t, m, err);
	if (!a)
		return false;
	*out = bl_tar_archive_stream_new(a);
	return true;
}

/* Only a member of an uncompressed tar file is a range of the file. */
static bool ts_read_range(struct bl_store *s, const struct bl_digest *d, uint64_t offset,
        size_t len, void *buf, struct bl_error *err)
{
	struct tar_store *t = (struct tar_store *)s;
	char sh[40];
	struct blob_ent *b = blob_or_fail(t, d, sh, sizeof sh, err);
	if (!b)
		return false;
	const char *data = b->synth ? b->synth : b->m->data;
	uint64_t size = b->synth ? b->synth_len : (uint64_t)b->m->size;
	if (offset > size || len > size - offset)
		return bl_fail(err, BL_E_FORMAT, "blob %s: bytes %llu+%zu are past its end", sh,
		        (unsigned long long)offset, len);
	if (data) {
		memcpy(buf, data + offset, len);
		return true;
	}
	if (t->access != BL_TAR_PREAD || b->m->offset < 0)
		return bl_fail(
		        err, BL_E_UNSUPPORTED, "blob %s: %s is read as a stream", sh, t->what);
	char *what = bl_asprintf("blob %s in %s", sh, t->what);
	bool ok = bl_store_pread_exact(t->fd, (uint64_t)b->m->offset + offset, len, buf, what, err);
	free(what);
	return ok;
}

static void ts_destroy(struct bl_store *s)
{
	struct tar_store *t = (struct tar_store *)s;
	bl_tarix_fini(&t->ix);
	if (t->fd >= 0)
		close(t->fd);
	for (size_t i = 0; i < t->nblobs; i++)
		free(t->blobs[i].synth);
	for (size_t i = 0; i < t->ncands; i++)
		free(t->cands[i].media_type);
	free(t->cands);
	free(t->blobs);
	bl_vec_fini(&t->roots);
	free(t->path);
	free(t->what);
	free(t);
}

#define TAR_OPS(name, k)                                                                           \
	static const struct bl_store_ops name = {                                                  \
	        .kind = k,                                                                         \
	        .list_roots = ts_list_roots,                                                       \
	        .stat_blob = ts_stat,                                                              \
	        .read_raw = ts_read_raw,                                                           \
	        .open_raw = ts_open_raw,                                                           \
	        .destroy = ts_destroy,                                                             \
	        .read_range = ts_read_range,                                                       \
	}
TAR_OPS(oci_archive_ops, "oci-archive");
TAR_OPS(docker_archive_ops, "docker-archive");
TAR_OPS(stdin_ops, "stdin");

const char *bl_tar_store_member_of(struct bl_store *s, const struct bl_digest *d)
{
	if (s->ops != &oci_archive_ops && s->ops != &docker_archive_ops && s->ops != &stdin_ops)
		return NULL;
	const struct blob_ent *b = bl_tar_find_blob((struct tar_store *)s, d);
	return b && b->m ? b->m->name : NULL;
}

bool bl_tar_store_new(struct bl_tarix *ix, int fd, const char *path, enum bl_tar_access access,
        const char *source, struct bl_store **out, struct bl_error *err)
{
	*out = NULL;
	struct tar_store *t = bl_calloc(1, sizeof(*t));
	t->ix = *ix;
	memset(ix, 0, sizeof(*ix));
	t->fd = fd;
	t->path = bl_strdup(path);
	t->what = bl_text_safe(source);
	t->access = access;
	bl_vec_init(&t->roots, bl_store_root_free);
	bl_store_base_init(
	        &t->base, access == BL_TAR_ONCE ? &stdin_ops : &oci_archive_ops, source, NULL);
	if (!classify(t, err)) {
		bl_store_free(&t->base);
		return false;
	}
	if (access != BL_TAR_ONCE && !bl_tarix_find(&t->ix, "index.json"))
		t->base.ops = &docker_archive_ops;
	*out = &t->base;
	return true;
}

bool bl_store_tar_open(const char *path, const struct bl_source_opts *opts, struct bl_store **out,
        struct bl_error *err)
{
	*out = NULL;
	char *safe = bl_text_safe(path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			bl_fail(err, BL_E_IO, "%s: no such file or directory", safe);
		else
			bl_fail_errno(err, BL_E_IO, "%s", safe);
		free(safe);
		return false;
	}
	struct stat st;
	unsigned char head[6] = {0};
	ssize_t hn = pread(fd, head, sizeof(head), 0);
	if (fstat(fd, &st) != 0 || hn < 0) {
		bl_fail_errno(err, BL_E_IO, "%s", safe);
		close(fd);
		free(safe);
		return false;
	}
	bool compressed = (hn >= 2 && head[0] == 0x1f && head[1] == 0x8b) ||
	                  (hn >= 6 && memcmp(head,
	                                      "\xfd"
	                                      "7zXZ\0",
	                                      6) == 0) ||
	                  (hn >= 4 && memcmp(head, "\x28\xb5\x2f\xfd", 4) == 0) ||
	                  (hn >= 3 && memcmp(head, "BZh", 3) == 0) || (hn >= 1 && head[0] == 0x5d);
	struct bl_tarix ix;
	bl_tarix_init(&ix);
	struct bl_tarix_opts o = {
	        .mode = compressed ? BL_TARIX_STREAM : BL_TARIX_SEEK,
	        .what = safe,
	        .file_size = S_ISREG(st.st_mode) ? st.st_size : 0,
	        .progress = opts ? opts->progress : NULL,
	        .progress_ud = opts ? opts->progress_ud : NULL,
	};
	bool ok = bl_tarix_build_fd(&ix, fd, &o, err);
	if (!ok) {
		bl_tarix_fini(&ix);
		close(fd);
		free(safe);
		return false;
	}
	if (compressed) {
		close(fd);
		fd = -1;
	}
	ok = bl_tar_store_new(
	        &ix, fd, path, compressed ? BL_TAR_RESTREAM : BL_TAR_PREAD, path, out, err);
	bl_tarix_fini(&ix);
	free(safe);
	return ok;
}
