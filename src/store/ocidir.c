/* OCI image layout directory.
 *
 * Blob paths are built only from validated digests, and opened component by
 * component with O_NOFOLLOW from the layout's directory fd: a symbolic link
 * anywhere under blobs/ is reported, never followed out of the layout. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "internal.h"

struct ocidir {
	struct bl_store base;
	int dirfd;
	char *safe_dir;   /* escaped, for messages */
	const char *noun; /* "layout", "content store": what a missing blob is not in */
	struct bl_vec roots;
};

/* Open `name` under dirfd without following a symlink; O_DIRECTORY when dir.
 * O_NONBLOCK: a FIFO planted as a blob or index.json must not block the
 * open (its type is refused after fstat); regular files ignore the flag. */
static int open_nofollow(int dirfd, const char *name, bool dir)
{
	int fl = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | (dir ? O_DIRECTORY : 0);
	int fd;
	do {
		fd = openat(dirfd, name, fl);
	} while (fd < 0 && errno == EINTR);
	return fd;
}

static bool is_symlink_at(int dirfd, const char *name)
{
	struct stat st;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

/* Open a blob file: returns fd, or -1 with err set (NOT_FOUND, FORMAT for a
 * symlink or non-regular file, IO). */
static int open_blob(
        struct ocidir *o, const struct bl_digest *d, struct stat *st, struct bl_error *err)
{
	char sh[40];
	bl_store_short(d, sh, sizeof(sh));
	const char *parts[3] = {"blobs", bl_digest_alg_name(d->alg), bl_digest_hex(d)};
	int cur = o->dirfd;
	int fd = -1;
	for (int i = 0; i < 3; i++) {
		fd = open_nofollow(cur, parts[i], i < 2);
		int e = errno;
		bool link = fd < 0 && (e == ELOOP || e == ENOTDIR || e == EMLINK) &&
		            is_symlink_at(cur, parts[i]);
		if (cur != o->dirfd)
			close(cur);
		if (fd < 0) {
			if (link)
				bl_fail(err, BL_E_FORMAT,
				        "blob %s: is a symbolic link (%s in %s), not followed", sh,
				        i == 2 ? "the blob file" : parts[i], o->safe_dir);
			else if (e == ENOENT || e == ENOTDIR)
				bl_fail(err, BL_E_NOT_FOUND, "blob %s: not in %s %s", sh, o->noun,
				        o->safe_dir);
			else {
				errno = e;
				bl_fail_errno(err, BL_E_IO, "blob %s in %s", sh, o->safe_dir);
			}
			return -1;
		}
		cur = fd;
	}
	if (fstat(fd, st) != 0) {
		bl_fail_errno(err, BL_E_IO, "blob %s in %s", sh, o->safe_dir);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		bl_fail(err, BL_E_FORMAT, "blob %s: not a regular file in %s", sh, o->safe_dir);
		close(fd);
		return -1;
	}
	return fd;
}

static bool od_list_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err)
{
	struct ocidir *o = (struct ocidir *)s;
	for (size_t i = 0; i < o->roots.len; i++)
		bl_vec_push_take(roots, bl_store_root_dup(o->roots.items[i]));
	return true;
}

static enum bl_blob_state od_stat(struct bl_store *s, const struct bl_digest *d, int64_t *size)
{
	struct ocidir *o = (struct ocidir *)s;
	struct stat st;
	*size = -1;
	struct bl_error e;
	bl_error_clear(&e);
	int fd = open_blob(o, d, &st, &e);
	if (fd < 0) {
		/* A symlinked or odd file is there but unusable: reading it says why. */
		return e.code == BL_E_NOT_FOUND ? BL_BLOB_MISSING : BL_BLOB_PRESENT;
	}
	*size = st.st_size;
	close(fd);
	return BL_BLOB_PRESENT;
}

static bool read_fd_all(
        int fd, size_t size, struct bl_buf *out, const char *what, struct bl_error *err)
{
	bl_buf_reserve(out, size + 1);
	size_t got = 0;
	while (got < size) {
		ssize_t r = pread(fd, out->data + out->len, size - got, (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return bl_fail_errno(err, BL_E_IO, "%s", what);
		if (r == 0)
			return bl_fail(err, BL_E_IO, "%s: file shrank while reading", what);
		got += (size_t)r;
		out->len += (size_t)r;
	}
	out->data[out->len] = '\0';
	return true;
}

static bool od_read_raw(struct bl_store *s, const struct bl_digest *d, size_t max,
        struct bl_buf *out, struct bl_error *err)
{
	struct ocidir *o = (struct ocidir *)s;
	struct stat st;
	char sh[40];
	int fd = open_blob(o, d, &st, err);
	if (fd < 0)
		return false;
	bl_store_short(d, sh, sizeof(sh));
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return bl_fail(err, BL_E_TOO_BIG, "blob %s: %lld bytes, over the %zu-byte cap", sh,
		        (long long)st.st_size, max);
	}
	char *what = bl_asprintf("blob %s", sh);
	bool ok = read_fd_all(fd, (size_t)st.st_size, out, what, err);
	free(what);
	close(fd);
	return ok;
}

static bool od_open_raw(
        struct bl_store *s, const struct bl_digest *d, struct bl_stream **out, struct bl_error *err)
{
	struct ocidir *o = (struct ocidir *)s;
	struct stat st;
	int fd = open_blob(o, d, &st, err);
	if (fd < 0)
		return false;
	*out = bl_stream_fd_own(fd, 0, st.st_size);
	return true;
}

static bool od_read_range(struct bl_store *s, const struct bl_digest *d, uint64_t offset,
        size_t len, void *buf, struct bl_error *err)
{
	struct ocidir *o = (struct ocidir *)s;
	struct stat st;
	int fd = open_blob(o, d, &st, err);
	if (fd < 0)
		return false;
	char sh[40];
	bl_store_short(d, sh, sizeof(sh));
	char *what = bl_asprintf("blob %s", sh);
	bool ok = bl_store_pread_exact(fd, offset, len, buf, what, err);
	free(what);
	close(fd);
	return ok;
}

static void od_destroy(struct bl_store *s)
{
	struct ocidir *o = (struct ocidir *)s;
	if (o->dirfd >= 0)
		close(o->dirfd);
	free(o->safe_dir);
	bl_vec_fini(&o->roots);
	free(o);
}

static const struct bl_store_ops ocidir_ops = {
        .kind = "oci-dir",
        .list_roots = od_list_roots,
        .stat_blob = od_stat,
        .read_raw = od_read_raw,
        .open_raw = od_open_raw,
        .destroy = od_destroy,
        .read_range = od_read_range,
};

/* The directory opened, no index read: a store with no roots. */
static struct ocidir *ocidir_new(const char *dir, const char *noun, struct bl_error *err)
{
	struct ocidir *o = bl_calloc(1, sizeof(*o));
	o->dirfd = -1;
	o->safe_dir = bl_text_safe(dir);
	o->noun = noun;
	bl_vec_init(&o->roots, bl_store_root_free);
	bl_store_base_init(&o->base, &ocidir_ops, dir, NULL);
	o->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd < 0) {
		if (errno == ENOENT)
			bl_fail(err, BL_E_IO, "%s: no such file or directory", o->safe_dir);
		else
			bl_fail_errno(err, BL_E_IO, "%s", o->safe_dir);
		bl_store_free(&o->base);
		return NULL;
	}
	return o;
}

bool bl_store_blobdir_open(const char *dir, struct bl_store **out, struct bl_error *err)
{
	struct ocidir *o = ocidir_new(dir, "content store", err);
	*out = o ? &o->base : NULL;
	return o != NULL;
}

bool bl_store_ocidir_open(const char *dir, struct bl_store **out, struct bl_error *err)
{
	*out = NULL;
	struct ocidir *o = ocidir_new(dir, "layout", err);
	if (!o)
		return false;
	struct bl_buf buf;
	bl_buf_init(&buf);
	char *where = NULL;

	where = bl_asprintf("%s/index.json", o->safe_dir);
	int fd = open_nofollow(o->dirfd, "index.json", false);
	if (fd < 0) {
		if (errno == ENOENT)
			bl_fail(err, BL_E_FORMAT, "%s: missing: not an OCI image layout", where);
		else if (is_symlink_at(o->dirfd, "index.json"))
			bl_fail(err, BL_E_FORMAT, "%s: is a symbolic link, not followed", where);
		else
			bl_fail_errno(err, BL_E_IO, "%s", where);
		goto fail;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		bl_fail(err, BL_E_FORMAT, "%s: not a regular file", where);
		goto fail;
	}
	if ((uint64_t)st.st_size > BL_JSON_MANIFEST_MAX) {
		close(fd);
		bl_fail(err, BL_E_TOO_BIG, "%s: %lld bytes, over the %u-byte cap for an index",
		        where, (long long)st.st_size, BL_JSON_MANIFEST_MAX);
		goto fail;
	}
	bool rd = read_fd_all(fd, (size_t)st.st_size, &buf, where, err);
	close(fd);
	if (!rd)
		goto fail;
	if (buf.len == 0) {
		bl_fail(err, BL_E_FORMAT, "%s: empty file, expected an image index", where);
		goto fail;
	}
	if (!bl_store_index_roots(buf.data, buf.len, where, &o->roots, err))
		goto fail;

	bool has_layout_file = false;
	if (fstatat(o->dirfd, "oci-layout", &st, AT_SYMLINK_NOFOLLOW) == 0)
		has_layout_file = true;
	free(o->base.describe);
	o->base.describe = bl_strdup(has_layout_file ? "OCI layout directory"
	                                             : "OCI layout directory (no oci-layout file)");
	free(where);
	bl_buf_fini(&buf);
	*out = &o->base;
	return true;
fail:
	free(where);
	bl_buf_fini(&buf);
	bl_store_free(&o->base);
	return false;
}
