/* The tar store on compressed archives and on reads: gzip, xz and zstd
 * made by tar open the same, large members read again, gzip without its
 * trailer, ranges read with pread from uncompressed members only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <time.h>

#include "store_helpers.h"

static void test_outer_gzip_xz_zstd_made_by_tar_open_the_same(void **state)
{
	(void)state;
	char *layout = corpus_path("actions-toolkit/oci-layout/hello-oci-multiplatform-gzip");
	if (!layout)
		skip();
	char *dir = make_tmpdir();
	static const struct {
		const char *flag, *file, *word;
	} c[] = {
	        {"-cf", "plain.tar", NULL},
	        {"-czf", "x.tar.gz", "gzip"},
	        {"-cJf", "x.tar.xz", "xz"},
	        {"--zstd -cf", "x.tar.zst", "zstd"},
	};
	for (size_t i = 0; i < 4; i++) {
		if (shell("tar %s '%s/%s' -C '%s' oci-layout index.json blobs", c[i].flag, dir,
		            c[i].file, layout) != 0)
			fail_msg("tar %s failed", c[i].flag);
		char *p = bl_asprintf("%s/%s", dir, c[i].file);
		struct bl_store *s = NULL;
		struct bl_error err;
		if (!bl_store_open(p, NULL, &s, &err))
			fail_msg("%s: %s", c[i].file, err.msg);
		if (c[i].word) {
			assert_non_null(strstr(s->describe, c[i].word));
			assert_non_null(strstr(s->describe, "streamed"));
		}
		struct walk_counts *w = bl_calloc(1, sizeof(*w));
		size_t n;
		walk_store(s, w, &n);
		assert_int_equal(n, 1);
		assert_int_equal(w->indexes, 1);
		assert_int_equal(w->manifests, 4);
		assert_int_equal(w->layers, 4);
		assert_int_equal(w->missing + w->mismatch + w->other, 0);
		free(w);
		bl_store_free(s);
		free(p);
	}
	rm_tree(dir);
	free(layout);
}

static void test_compressed_archive_rereads_large_members(void **state)
{
	(void)state;
	/* A blob over the 4 MiB keep cap inside a gzip tar is re-streamed on read. */
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/x.tar.gz", dir);
	size_t n = (4u << 20) + 4096;
	char *big = bl_malloc(n);
	for (size_t i = 0; i < n; i++)
		big[i] = (char)(i * 7);
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, big, n, &d);
	char *blob = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&d));
	const char *idx = "{\"schemaVersion\":2,\"manifests\":[]}";
	struct tar_ent e[] = {
	        {blob, big, n, NULL},
	        {"index.json", idx, strlen(idx), NULL},
	};
	assert_true(write_tar(tar, e, 2, 'z'));
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(bl_store_stat(s, &d, NULL), BL_BLOB_VERIFIED);
	struct bl_descriptor desc = {.digest = d, .size = (int64_t)n};
	struct bl_buf b;
	bl_buf_init(&b);
	assert_true(bl_store_read_blob(s, &desc, 8u << 20, &b, &err));
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, big, n);
	bl_buf_fini(&b);
	struct bl_stream *st;
	assert_true(bl_store_open_blob(s, &desc, &st, &err));
	char buf[65536];
	ssize_t r;
	size_t total = 0;
	while ((r = st->read(st, buf, sizeof(buf), &err)) > 0)
		total += (size_t)r;
	assert_int_equal(r, 0);
	assert_int_equal(total, n);
	st->close(st);
	bl_store_free(s);
	free(big);
	free(blob);
	free(tar);
	rm_tree(dir);
}

static void test_gzip_without_its_trailer_fails_with_a_reason(void **state)
{
	(void)state;
	/* libarchive fails the open with no error string: "(null)" was printed */
	char *dir = make_tmpdir();
	const char *idx = "{\"schemaVersion\":2,\"manifests\":[]}";
	struct tar_ent e[] = {{"index.json", idx, strlen(idx), NULL}};
	char *path = bl_asprintf("%s/t.tar.gz", dir);
	assert_true(write_tar(path, e, 1, 'z'));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(truncate(path, st.st_size - 8), 0);
	for (int stream = 0; stream < 2; stream++) {
		struct bl_store *s = NULL;
		struct bl_error err;
		bl_error_clear(&err);
		bool ok;
		if (stream) {
			int fd = open(path, O_RDONLY);
			ok = bl_store_stream_open(fd, "-", NULL, &s, &err);
			close(fd);
		} else {
			ok = bl_store_open(path, NULL, &s, &err);
		}
		assert_false(ok);
		assert_int_equal(err.code, BL_E_FORMAT);
		if (strstr(err.msg, "(null)") || !strstr(err.msg, "truncated or damaged"))
			fail_msg("%s", err.msg);
	}
	free(path);
	rm_tree(dir);
}

/* bl_store_read_range: a member of an uncompressed tar is read at its offset
 * in the file; one of a gzip-compressed tar cannot be read by parts (the
 * caller reads it whole); a range past the blob fails. */
static void test_read_range_preads_uncompressed_members_only(void **state)
{
	(void)state;
	size_t n = 5u << 20; /* over BL_TAR_KEEP_MAX: not kept in memory */
	unsigned char *blob = bl_malloc(n);
	for (size_t i = 0; i < n; i++)
		blob[i] = (unsigned char)(i * 2654435761u >> 13);
	struct bl_descriptor d = {.size = (int64_t)n};
	bl_digest_compute(BL_DIGEST_SHA256, blob, n, &d.digest);
	char *name = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&d.digest));
	static const char index[] = "{\"schemaVersion\":2,\"manifests\":[]}";
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	struct tar_ent ents[] = {{"oci-layout", layout, strlen(layout), NULL},
	        {"index.json", index, strlen(index), NULL}, {name, blob, n, NULL}};
	char *dir = make_tmpdir();
	const int filters[] = {0, 'z'};
	for (int f = 0; f < 2; f++) {
		char *path = bl_asprintf("%s/image-%d.tar", dir, f);
		assert_true(write_tar(path, ents, 3, filters[f]));
		struct bl_store *s = NULL;
		struct bl_error err = {0};
		assert_true(bl_store_tar_open(path, NULL, &s, &err));
		unsigned char part[4096];
		bool ok = bl_store_read_range(s, &d, 3000000, sizeof part, part, &err);
		if (filters[f] == 0) {
			assert_true(ok);
			assert_memory_equal(part, blob + 3000000, sizeof part);
			assert_true(bl_store_read_range(s, &d, n - 10, 10, part, &err));
			assert_memory_equal(part, blob + n - 10, 10);
		} else {
			assert_false(ok);
			assert_int_equal(err.code, BL_E_UNSUPPORTED);
		}
		bl_error_clear(&err);
		assert_false(bl_store_read_range(s, &d, n - 10, 11, part, &err));
		assert_int_equal(err.code, BL_E_FORMAT);
		bl_store_free(s);
		free(path);
	}
	rm_tree(dir);
	free(name);
	free(blob);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_outer_gzip_xz_zstd_made_by_tar_open_the_same),
	        cmocka_unit_test(test_compressed_archive_rereads_large_members),
	        cmocka_unit_test(test_gzip_without_its_trailer_fails_with_a_reason),
	        cmocka_unit_test(test_read_range_preads_uncompressed_members_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
