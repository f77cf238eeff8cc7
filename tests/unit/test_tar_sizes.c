/* The tar store on members of extreme sizes: a huge member skipped by
 * seeking, a pax size near INT64_MAX, a damaged header, sparse terabyte
 * layers (from a file and from standard input) refused, not allocated. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <time.h>

#include "store_helpers.h"
#include "tar_fixture.h"

/* A ustar header for a regular file `name` of `size` bytes. */
static void ustar_header(unsigned char h[512], const char *name, uint64_t size)
{
	memset(h, 0, 512);
	snprintf((char *)h, 100, "%s", name);
	snprintf((char *)h + 100, 8, "%07o", 0644);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011llo", (unsigned long long)size);
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = '0';
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

static void test_huge_member_is_skipped_by_seeking(void **state)
{
	(void)state;
	/* A 1 GiB member written as a hole (sparse file: no disk, no time),
	 * followed by an OCI layout. Opening reads headers only. */
	char *dir = make_tmpdir();
	char *path = bl_asprintf("%s/big.tar", dir);
	const char *cfg = "{\"schemaVersion\":2}";
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, cfg, strlen(cfg), &d);
	char *blob = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&d));
	char *idx = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
	                        "\"digest\":\"%s\",\"size\":%zu}]}",
	        BL_MT_OCI_MANIFEST, d.str, strlen(cfg));
	char *tail = bl_asprintf("%s/tail.tar", dir);
	struct tar_ent e[] = {
	        {blob, cfg, strlen(cfg), NULL},
	        {"index.json", idx, strlen(idx), NULL},
	};
	assert_true(write_tar(tail, e, 2, 0));
	struct bl_buf tb;
	bl_buf_init(&tb);
	FILE *f = fopen(tail, "rb");
	char buf[4096];
	size_t r;
	while ((r = fread(buf, 1, sizeof(buf), f)) > 0)
		bl_buf_append(&tb, buf, r);
	fclose(f);
	uint64_t big = 1ull << 30;
	unsigned char h[512];
	ustar_header(h, "zzz-huge-layer", big);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, h, 512), 512);
	assert_int_equal(pwrite(fd, tb.data, tb.len, (off_t)(512 + big)), (ssize_t)tb.len);
	close(fd);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_open(path, NULL, &s, &err))
		fail_msg("%s", err.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* Reading 1 GiB would take far longer than this, even from the page cache. */
	if (ms > 1000)
		fail_msg("opening took %.0f ms", ms);
	struct bl_vec roots;
	struct bl_store_root *root = first_root(s, &roots);
	struct bl_buf b;
	bl_buf_init(&b);
	assert_true(bl_store_read_blob(s, &root->desc, 1024, &b, &err));
	assert_string_equal(b.data, cfg);
	bl_buf_fini(&b);
	bl_vec_fini(&roots);
	bl_store_free(s);
	bl_buf_fini(&tb);
	free(tail);
	free(blob);
	free(idx);
	free(path);
	rm_tree(dir);
}

/* A pax extended header block whose one record is `rec` ("size=..."). */
static size_t pax_block(unsigned char *out, const char *rec)
{
	char line[256];
	size_t n = strlen(rec) + 1; /* "\n" */
	size_t len = n + 3;         /* "NN " */
	snprintf(line, sizeof(line), "%zu %s\n", len, rec);
	len = strlen(line);
	if (len != n + 3)
		snprintf(line, sizeof(line), "%zu %s\n", len, rec);
	ustar_header(out, "PaxHeader", strlen(line));
	out[156] = 'x';
	memset(out + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < 512; i++)
		sum += out[i];
	snprintf((char *)out + 148, 8, "%06o", sum);
	memset(out + 512, 0, 512);
	memcpy(out + 512, line, strlen(line));
	return 1024;
}

/* A pax header, a ustar header of `name` and `tail` bytes of data. */
static char *pax_tar(const char *dir, const char *rec, const char *name, size_t tail)
{
	char *path = bl_asprintf("%s/pax.tar", dir);
	unsigned char *buf = bl_calloc(1, 2048 + tail + 1024);
	size_t n = pax_block(buf, rec);
	ustar_header(buf + n, name, 0);
	n += 512;
	memset(buf + n, 'x', tail);
	n += tail + 1024;
	write_file(dir, "pax.tar", buf, n);
	free(buf);
	return path;
}

static void test_pax_size_near_int64_max_is_a_truncated_member(void **state)
{
	(void)state;
	/* offset + size would overflow int64 (UBSan aborts on it) */
	char *dir = make_tmpdir();
	char *path = pax_tar(dir, "size=9223372036854775000", "aaa", 600);
	struct bl_store *s = NULL;
	struct bl_error err;
	bl_error_clear(&err);
	assert_false(bl_store_open(path, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	if (!strstr(err.msg, "\"aaa\"") || !strstr(err.msg, "truncated: 9223372036854775000 bytes"))
		fail_msg("%s", err.msg);
	free(path);
	rm_tree(dir);
}

static void test_damaged_header_is_a_broken_header_not_an_internal_error(void **state)
{
	(void)state;
	/* libarchive answers ARCHIVE_RETRY ("Damaged tar archive") for a pax
	 * size that is not a number; it is no entry to go on with */
	char *dir = make_tmpdir();
	char *path = pax_tar(dir, "size=1e300", "aaa", 1024);
	for (int stream = 0; stream < 2; stream++) {
		struct bl_store *s = NULL;
		struct bl_error err;
		bl_error_clear(&err);
		bool ok;
		if (stream) {
			int fd = open(path, O_RDONLY);
			assert_true(fd >= 0);
			ok = bl_store_stream_open(fd, "-", NULL, &s, &err);
			close(fd);
		} else {
			ok = bl_store_open(path, NULL, &s, &err);
		}
		assert_false(ok);
		assert_int_equal(err.code, BL_E_FORMAT);
		if (!strstr(err.msg, "broken tar header") || strstr(err.msg, "INTERNAL"))
			fail_msg("%s", err.msg);
	}
	free(path);
	rm_tree(dir);
}

static bool have_gnu_tar(void)
{
	return shell("tar --version 2>/dev/null | grep -q 'GNU tar'") == 0;
}

static void test_sparse_terabyte_layer_is_refused_not_allocated(void **state)
{
	(void)state;
	if (!have_gnu_tar())
		skip();
	/* legacy docker save whose layer is a 1 TiB hole: hashing it needs its
	 * bytes (no diff_id), which used to be read into memory */
	char *dir = make_tmpdir();
	const char *cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
	                  "\"layers\",\"diff_ids\":[]}}";
	const char *mj =
	        "[{\"Config\":\"c.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"l/layer.tar\"]}]";
	write_file(dir, "c.json", cfg, strlen(cfg));
	write_file(dir, "manifest.json", mj, strlen(mj));
	assert_int_equal(
	        shell("cd '%s' && mkdir l && truncate -s 1T l/layer.tar && "
	              "tar --sparse -cf sparse.tar c.json manifest.json l && gzip -k sparse.tar",
	                dir),
	        0);
	static const char *const names[] = {"sparse.tar", "sparse.tar.gz"};
	for (int i = 0; i < 3; i++) {
		char *path = bl_asprintf("%s/%s", dir, names[i == 1]);
		struct bl_store *s = NULL;
		struct bl_error err;
		bl_error_clear(&err);
		bool ok;
		if (i == 2) {
			int fd = open(path, O_RDONLY);
			ok = bl_store_stream_open(fd, "-", NULL, &s, &err);
			close(fd);
		} else {
			ok = bl_store_open(path, NULL, &s, &err);
		}
		assert_false(ok);
		assert_int_equal(err.code, BL_E_UNSUPPORTED);
		if (!strstr(err.msg, "Layers[0]") ||
		        !strstr(err.msg, "sparse tar member of 1099511627776 bytes"))
			fail_msg("%s: %s", names[i == 1], err.msg);
		free(path);
	}
	rm_tree(dir);
}

static void test_sparse_terabyte_blob_on_stdin_is_not_hashed(void **state)
{
	(void)state;
	if (!have_gnu_tar())
		skip();
	/* an OCI layout tar with an unreferenced 1 TiB hole: streaming it
	 * must not hash a terabyte of zeros */
	char *dir = make_tmpdir();
	const char *cfg = "{\"schemaVersion\":2}";
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, cfg, strlen(cfg), &d);
	char *idx = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
	                        "\"digest\":\"%s\",\"size\":%zu}]}",
	        BL_MT_OCI_MANIFEST, d.str, strlen(cfg));
	write_file(dir, "index.json", idx, strlen(idx));
	assert_int_equal(
	        shell("cd '%s' && mkdir -p blobs/sha256 && printf '%%s' '%s' >blobs/sha256/%s && "
	              "truncate -s 1T blobs/sha256/%064d && tar --sparse -cf s.tar index.json "
	              "blobs",
	                dir, cfg, bl_digest_hex(&d), 0),
	        0);
	char *path = bl_asprintf("%s/s.tar", dir);
	int fd = open(path, O_RDONLY);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_stream_open(fd, "-", NULL, &s, &err))
		fail_msg("%s", err.msg);
	close(fd);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (sec > 10)
		fail_msg("streaming took %.1f s", sec);
	struct bl_vec roots;
	struct bl_store_root *root = first_root(s, &roots);
	struct bl_buf b;
	bl_buf_init(&b);
	assert_true(bl_store_read_blob(s, &root->desc, 1024, &b, &err));
	assert_string_equal(b.data, cfg);
	bl_buf_fini(&b);
	struct bl_digest zero;
	char *zs = bl_asprintf("sha256:%064d", 0);
	assert_true(bl_digest_parse(zs, &zero, NULL));
	struct bl_descriptor zd = {.digest = zero, .size = -1};
	struct bl_stream *st = NULL;
	assert_false(bl_store_open_blob(s, &zd, &st, &err));
	free(zs);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(path);
	free(idx);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_huge_member_is_skipped_by_seeking),
	        cmocka_unit_test(test_pax_size_near_int64_max_is_a_truncated_member),
	        cmocka_unit_test(test_damaged_header_is_a_broken_header_not_an_internal_error),
	        cmocka_unit_test(test_sparse_terabyte_layer_is_refused_not_allocated),
	        cmocka_unit_test(test_sparse_terabyte_blob_on_stdin_is_not_hashed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
