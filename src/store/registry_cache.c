/* The content-addressed cache of registry documents: <dir>/blobs/<alg>/<hex>.
 * Content-addressed means never stale; what can go wrong is a damaged file,
 * so every read is hashed again and a bad file is removed. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/file.h"
#include "bakelens/mem.h"
#include "bakelens/registry.h"

char *bl_registry_cache_dir(const char *override)
{
	if (override && *override)
		return bl_strdup(override);
	const char *x = getenv("XDG_CACHE_HOME");
	if (x && *x == '/')
		return bl_asprintf("%s/bakelens", x);
	const char *home = getenv("HOME");
	if (home && *home)
		return bl_asprintf("%s/.cache/bakelens", home);
	return NULL;
}

static char *blob_path(const char *dir, const struct bl_digest *d)
{
	return bl_asprintf("%s/blobs/%s/%s", dir, bl_digest_alg_name(d->alg), bl_digest_hex(d));
}

bool bl_registry_cache_get(
        const char *dir, const struct bl_digest *d, size_t max, struct bl_buf *out)
{
	if (!dir || !bl_digest_is_set(d))
		return false;
	char *path = blob_path(dir, d);
	size_t start = out->len;
	/* absent, not a regular file or over max: not cached (and left alone) */
	bool ok = bl_file_read(path, max, out, NULL);
	if (ok) {
		struct bl_digest got;
		bl_digest_compute(
		        d->alg, out->data ? out->data + start : "", out->len - start, &got);
		if (!bl_digest_equal(&got, d)) {
			/* damaged: drop it so a later fetch can write a good copy */
			unlink(path);
			ok = false;
		}
	}
	if (!ok) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
	}
	free(path);
	return ok;
}

static bool mkdir_p(const char *path)
{
	char *p = bl_strdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0700) != 0 && errno != EEXIST) {
				free(p);
				return false;
			}
			*s = '/';
		}
	}
	bool ok = mkdir(p, 0700) == 0 || errno == EEXIST;
	free(p);
	return ok;
}

bool bl_registry_cache_put(const char *dir, const struct bl_digest *d, const void *data, size_t len,
        struct bl_error *err)
{
	if (!dir)
		return bl_fail(err, BL_E_IO, "cache: no cache directory");
	struct bl_digest got;
	bl_digest_compute(d->alg, data, len, &got);
	if (!bl_digest_equal(&got, d))
		return bl_fail(err, BL_E_DIGEST, "cache: bytes hash to %s, not %s: not cached",
		        got.str, d->str);
	char *sub = bl_asprintf("%s/blobs/%s", dir, bl_digest_alg_name(d->alg));
	if (!mkdir_p(sub)) {
		bl_fail_errno(err, BL_E_IO, "cache: mkdir %s", sub);
		free(sub);
		return false;
	}
	char *path = blob_path(dir, d);
	char *tmp = bl_asprintf("%s/.tmp-%s-XXXXXX", sub, bl_digest_hex(d));
	free(sub);
	bool ok = false;
	int fd = mkstemp(tmp);
	if (fd < 0) {
		bl_fail_errno(err, BL_E_IO, "cache: create %s", tmp);
		goto out;
	}
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bl_fail_errno(err, BL_E_IO, "cache: write %s", tmp);
			close(fd);
			unlink(tmp);
			goto out;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fchmod(fd, 0600) != 0 || close(fd) != 0) {
		bl_fail_errno(err, BL_E_IO, "cache: close %s", tmp);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) != 0) {
		bl_fail_errno(err, BL_E_IO, "cache: rename to %s", path);
		unlink(tmp);
		goto out;
	}
	ok = true;
out:
	free(tmp);
	free(path);
	return ok;
}
