#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>

#include "store_helpers.h"
/* bl_stream_fd_own and bl_stream_memory_take are private to src/store */
#include "../../src/store/internal.h"

/* Read `s` to its end in chunks of `chunk` bytes, then close it. The bytes
 * in `out` (initialised here); returns the last read's result (0 at a clean
 * end, -1 on error, with err set). */
static ssize_t drain(struct bl_stream *s, size_t chunk, struct bl_buf *out, struct bl_error *err)
{
	char buf[64];
	assert_true(chunk <= sizeof buf);
	bl_buf_init(out);
	bl_error_clear(err);
	ssize_t r;
	while ((r = s->read(s, buf, chunk, err)) > 0)
		bl_buf_append(out, buf, (size_t)r);
	s->close(s);
	return r;
}

/* A temporary file holding `data`, open for reading. */
struct tmpf {
	char *dir;
	int fd;
};

static struct tmpf tmpf_new(const char *data)
{
	struct tmpf t = {.dir = make_tmpdir()};
	assert_non_null(t.dir);
	write_file(t.dir, "f", data, strlen(data));
	char *path = bl_asprintf("%s/f", t.dir);
	t.fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(t.fd >= 0);
	free(path);
	return t;
}

static void tmpf_free(struct tmpf *t)
{
	if (t->fd >= 0)
		close(t->fd);
	rm_tree(t->dir);
}

static void test_fd_range_reads_exactly_its_range(void **state)
{
	(void)state;
	struct tmpf t = tmpf_new("0123456789abcdef");
	struct bl_error err;
	struct bl_buf b;
	assert_int_equal(drain(bl_stream_fd_range(t.fd, 4, 7), 3, &b, &err), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "456789a", 7);
	/* the fd stays open: a stream over a range does not own it */
	assert_int_not_equal(fcntl(t.fd, F_GETFD), -1);
	bl_buf_fini(&b);
	tmpf_free(&t);
}

static void test_fd_range_to_eof_and_two_streams_on_one_fd(void **state)
{
	(void)state;
	struct tmpf t = tmpf_new("0123456789abcdef");
	struct bl_error err;
	bl_error_clear(&err);
	/* pread: two streams over one fd do not move each other */
	struct bl_stream *a = bl_stream_fd_range(t.fd, 10, -1);
	struct bl_stream *b = bl_stream_fd_range(t.fd, 0, 4);
	char x[4], y[4];
	assert_int_equal(a->read(a, x, 2, &err), 2);
	assert_int_equal(b->read(b, y, 2, &err), 2);
	assert_int_equal(a->read(a, x + 2, 2, &err), 2);
	assert_int_equal(b->read(b, y + 2, 4, &err), 2); /* only what is left of the range */
	assert_memory_equal(x, "abcd", 4);
	assert_memory_equal(y, "0123", 4);
	assert_int_equal(b->read(b, y, 4, &err), 0);
	b->close(b);
	struct bl_buf rest;
	assert_int_equal(drain(a, 8, &rest, &err), 0); /* len -1: to the end of the file */
	assert_int_equal(rest.len, 2);
	assert_memory_equal(rest.data, "ef", 2);
	bl_buf_fini(&rest);
	tmpf_free(&t);
}

static void test_fd_range_past_the_end_fails(void **state)
{
	(void)state;
	struct tmpf t = tmpf_new("0123456789");
	struct bl_error err;
	struct bl_buf b;
	assert_int_equal(drain(bl_stream_fd_range(t.fd, 6, 10), 16, &b, &err), -1);
	assert_int_equal(b.len, 4);
	assert_memory_equal(b.data, "6789", 4);
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_string_equal(err.msg, "unexpected end of file at offset 10 (6 bytes missing)");
	bl_buf_fini(&b);
	tmpf_free(&t);
}

static void test_fd_own_closes_its_fd(void **state)
{
	(void)state;
	struct tmpf t = tmpf_new("hello");
	struct bl_error err;
	struct bl_buf b;
	assert_int_equal(drain(bl_stream_fd_own(t.fd, 1, 3), 8, &b, &err), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "ell", 3);
	errno = 0;
	assert_int_equal(fcntl(t.fd, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	t.fd = -1;
	bl_buf_fini(&b);
	tmpf_free(&t);
}

/* A member of a real tar is a range of the file: the data of the first
 * member starts after its 512-byte header. */
static void test_fd_range_over_a_tar_member(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	assert_non_null(dir);
	const char *body = "{\"schemaVersion\":2}\n";
	write_file(dir, "doc.json", body, strlen(body));
	assert_int_equal(shell("tar --format=ustar -cf '%s/t.tar' -C '%s' doc.json", dir, dir), 0);
	char *tar = bl_asprintf("%s/t.tar", dir);
	struct bl_buf want;
	bl_buf_init(&want);
	assert_true(extract_member(tar, "doc.json", &want));
	assert_int_equal(want.len, strlen(body));
	int fd = open(tar, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	struct bl_error err;
	struct bl_buf got;
	assert_int_equal(drain(bl_stream_fd_range(fd, 512, (int64_t)want.len), 5, &got, &err), 0);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.data, want.data, want.len);
	close(fd);
	bl_buf_fini(&got);
	bl_buf_fini(&want);
	free(tar);
	rm_tree(dir);
}

static void test_memory_streams(void **state)
{
	(void)state;
	struct bl_error err;
	struct bl_buf b;
	char src[] = "abcdefg";
	struct bl_stream *s = bl_stream_memory(src, 7);
	src[0] = 'X'; /* a copy: the stream does not see later changes */
	assert_int_equal(drain(s, 3, &b, &err), 0);
	assert_int_equal(b.len, 7);
	assert_memory_equal(b.data, "abcdefg", 7);
	bl_buf_fini(&b);

	assert_int_equal(drain(bl_stream_memory("", 0), 4, &b, &err), 0);
	assert_int_equal(b.len, 0);
	bl_buf_fini(&b);

	/* _take: the stream frees the bytes on close (checked by the sanitizers) */
	assert_int_equal(drain(bl_stream_memory_take(bl_strdup("xyz"), 3), 4, &b, &err), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "xyz", 3);
	bl_buf_fini(&b);
}

/* A descriptor of `data` claiming `size`; the short digest as messages
 * show it ("sha256:0123456789ab…") in sh. */
static void desc_of(const char *data, int64_t size, struct bl_descriptor *d, char sh[40])
{
	memset(d, 0, sizeof *d);
	bl_digest_compute(BL_DIGEST_SHA256, data, strlen(data), &d->digest);
	d->size = size;
	char s[32];
	bl_digest_short(&d->digest, s, sizeof s);
	snprintf(sh, 40, "%s\xe2\x80\xa6", s);
}

static void test_verify_accepts_the_right_bytes(void **state)
{
	(void)state;
	struct bl_descriptor d;
	char sh[40];
	desc_of("layer bytes", 11, &d, sh);
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_stream *s = bl_stream_verify_take(bl_stream_memory("layer bytes", 11), &d);
	char buf[16];
	assert_int_equal(s->read(s, buf, 4, &err), 4);
	assert_int_equal(s->read(s, buf + 4, 16, &err), 7);
	assert_memory_equal(buf, "layer bytes", 11);
	assert_int_equal(s->read(s, buf, 4, &err), 0);
	assert_int_equal(s->read(s, buf, 4, &err), 0); /* stays at the end */
	s->close(s);
}

static void test_verify_rejects_other_bytes(void **state)
{
	(void)state;
	struct bl_descriptor d;
	char sh[40], want[200];
	desc_of("layer bytes", 11, &d, sh);
	struct bl_digest other;
	bl_digest_compute(BL_DIGEST_SHA256, "layer bytez", 11, &other);
	struct bl_error err;
	bl_error_clear(&err);
	struct bl_stream *s = bl_stream_verify_take(bl_stream_memory("layer bytez", 11), &d);
	char buf[16];
	assert_int_equal(s->read(s, buf, 16, &err), 11); /* the bytes come; the end says no */
	assert_int_equal(s->read(s, buf, 16, &err), -1);
	assert_int_equal(err.code, BL_E_DIGEST);
	snprintf(want, sizeof want, "blob %s: content hashes to %s", sh, other.str);
	assert_string_equal(err.msg, want);
	/* and stays failed */
	assert_int_equal(s->read(s, buf, sizeof buf, &err), -1);
	assert_int_equal(err.code, BL_E_IO);
	assert_string_equal(err.msg, "stream already failed");
	s->close(s);
}

static void test_verify_checks_the_size(void **state)
{
	(void)state;
	struct bl_descriptor d;
	char sh[40], want[200];
	struct bl_error err;
	struct bl_buf b;

	/* longer than the descriptor: fails as soon as it is seen */
	desc_of("abcdef", 4, &d, sh);
	assert_int_equal(
	        drain(bl_stream_verify_take(bl_stream_memory("abcdef", 6), &d), 3, &b, &err), -1);
	assert_int_equal(b.len, 3);
	assert_int_equal(err.code, BL_E_DIGEST);
	snprintf(want, sizeof want, "blob %s: more than the 4 bytes the descriptor says", sh);
	assert_string_equal(err.msg, want);
	bl_buf_fini(&b);

	/* shorter: fails at the end */
	desc_of("abc", 5, &d, sh);
	assert_int_equal(
	        drain(bl_stream_verify_take(bl_stream_memory("abc", 3), &d), 8, &b, &err), -1);
	assert_int_equal(b.len, 3);
	assert_int_equal(err.code, BL_E_DIGEST);
	snprintf(want, sizeof want, "blob %s: size 3, descriptor says 5", sh);
	assert_string_equal(err.msg, want);
	bl_buf_fini(&b);

	/* size unknown (-1): only the digest is checked */
	desc_of("abc", -1, &d, sh);
	assert_int_equal(
	        drain(bl_stream_verify_take(bl_stream_memory("abc", 3), &d), 8, &b, &err), 0);
	assert_int_equal(b.len, 3);
	bl_buf_fini(&b);
}

/* An error of the raw stream comes through the verifying one unchanged. */
static void test_verify_passes_raw_errors_on(void **state)
{
	(void)state;
	struct tmpf t = tmpf_new("0123");
	struct bl_descriptor d;
	char sh[40];
	desc_of("01234567", 8, &d, sh);
	struct bl_error err;
	struct bl_buf b;
	assert_int_equal(
	        drain(bl_stream_verify_take(bl_stream_fd_range(t.fd, 0, 8), &d), 16, &b, &err), -1);
	assert_int_equal(b.len, 4);
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_string_equal(err.msg, "unexpected end of file at offset 4 (4 bytes missing)");
	bl_buf_fini(&b);
	tmpf_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_fd_range_reads_exactly_its_range),
	        cmocka_unit_test(test_fd_range_to_eof_and_two_streams_on_one_fd),
	        cmocka_unit_test(test_fd_range_past_the_end_fails),
	        cmocka_unit_test(test_fd_own_closes_its_fd),
	        cmocka_unit_test(test_fd_range_over_a_tar_member),
	        cmocka_unit_test(test_memory_streams),
	        cmocka_unit_test(test_verify_accepts_the_right_bytes),
	        cmocka_unit_test(test_verify_rejects_other_bytes),
	        cmocka_unit_test(test_verify_checks_the_size),
	        cmocka_unit_test(test_verify_passes_raw_errors_on),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
