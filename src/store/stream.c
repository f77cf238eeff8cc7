/* Raw streams: a file descriptor range (pread, so streams can share an fd)
 * and a memory buffer. The verifying wrapper is the base store's (store.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bakelens/mem.h"
#include "internal.h"

struct fd_stream {
	struct bl_stream base;
	int fd;
	bool own;
	off_t pos;
	int64_t remaining; /* < 0: read to EOF */
};

static ssize_t fd_read(struct bl_stream *s, void *buf, size_t n, struct bl_error *err)
{
	struct fd_stream *f = (struct fd_stream *)s;
	if (f->remaining == 0 || n == 0)
		return 0;
	if (f->remaining > 0 && (uint64_t)f->remaining < n)
		n = (size_t)f->remaining;
	ssize_t r;
	do {
		r = pread(f->fd, buf, n, f->pos);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		bl_fail_errno(err, BL_E_IO, "read at offset %lld", (long long)f->pos);
		return -1;
	}
	if (r == 0 && f->remaining > 0) {
		bl_fail(err, BL_E_FORMAT,
		        "unexpected end of file at offset %lld (%lld bytes missing)",
		        (long long)f->pos, (long long)f->remaining);
		return -1;
	}
	f->pos += r;
	if (f->remaining > 0)
		f->remaining -= r;
	return r;
}

static void fd_close(struct bl_stream *s)
{
	struct fd_stream *f = (struct fd_stream *)s;
	if (f->own && f->fd >= 0)
		close(f->fd);
	free(f);
}

static struct bl_stream *fd_new(int fd, bool own, off_t offset, int64_t len)
{
	struct fd_stream *f = bl_calloc(1, sizeof(*f));
	f->base.read = fd_read;
	f->base.close = fd_close;
	f->fd = fd;
	f->own = own;
	f->pos = offset;
	f->remaining = len;
	return &f->base;
}

struct bl_stream *bl_stream_fd_range(int fd, off_t offset, int64_t len)
{
	return fd_new(fd, false, offset, len);
}

struct bl_stream *bl_stream_fd_own(int fd, off_t offset, int64_t len)
{
	return fd_new(fd, true, offset, len);
}

struct mem_stream {
	struct bl_stream base;
	unsigned char *data;
	size_t len, pos;
};

static ssize_t mem_read(struct bl_stream *s, void *buf, size_t n, struct bl_error *err)
{
	struct mem_stream *m = (struct mem_stream *)s;
	size_t left = m->len - m->pos;
	if (n > left)
		n = left;
	if (n > 0)
		memcpy(buf, m->data + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static void mem_close(struct bl_stream *s)
{
	struct mem_stream *m = (struct mem_stream *)s;
	free(m->data);
	free(m);
}

struct bl_stream *bl_stream_memory_take(void *data, size_t len)
{
	struct mem_stream *m = bl_calloc(1, sizeof(*m));
	m->base.read = mem_read;
	m->base.close = mem_close;
	m->data = data;
	m->len = len;
	return &m->base;
}

struct bl_stream *bl_stream_memory(const void *data, size_t len)
{
	void *copy = bl_malloc(len ? len : 1);
	if (len)
		memcpy(copy, data, len);
	return bl_stream_memory_take(copy, len);
}
