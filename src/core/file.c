/* Reading small files whole: see include/bakelens/file.h. */
#include "bakelens/file.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

static bool fail_io(
        int fd, const char *path, struct bl_buf *out, size_t start, struct bl_error *err)
{
	int e = errno;
	if (fd >= 0)
		close(fd);
	out->len = start;
	if (out->data)
		out->data[start] = '\0';
	errno = e;
	return bl_fail_errno(err, BL_E_IO, "%s", path);
}

bool bl_file_read(const char *path, size_t max, struct bl_buf *out, struct bl_error *err)
{
	size_t start = out->len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail_io(-1, path, out, start, err);
	struct stat st;
	if (fstat(fd, &st) != 0)
		return fail_io(fd, path, out, start, err);
	/* A pipe (process substitution, --authfile <(...)) is read like a file,
	 * bounded by `max` as it goes; a directory is refused. */
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return fail_io(fd, path, out, start, err);
	}
	/* Refused by its size without reading it; checked again on what is read
	 * because the file may grow meanwhile. */
	if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
		close(fd);
		return bl_fail(err, BL_E_TOO_BIG, "%s: over %zu bytes", path, max);
	}
	bl_buf_reserve(out, S_ISREG(st.st_mode) ? (size_t)st.st_size
	                                        : 0); /* also sets out->data for an empty file */
	char tmp[16384];
	for (;;) {
		ssize_t n = read(fd, tmp, sizeof tmp);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail_io(fd, path, out, start, err);
		if (n == 0)
			break;
		if (out->len - start + (size_t)n > max) {
			close(fd);
			out->len = start;
			out->data[start] = '\0';
			return bl_fail(err, BL_E_TOO_BIG, "%s: over %zu bytes", path, max);
		}
		bl_buf_append(out, tmp, (size_t)n);
	}
	close(fd);
	return true;
}
