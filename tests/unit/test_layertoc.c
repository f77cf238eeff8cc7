/* layertoc_parse.c and the choice of path in layertoc.c: eStargz and
 * zstd:chunked footers written here byte by byte as the formats lay them out,
 * the position annotation, TOC members made with libarchive and libzstd, TOC
 * JSON of every entry kind, and the reasons a layer is read whole. Digests
 * are computed in the test from the bytes it wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <zstd.h>

#include "bakelens/buf.h"
#include "bakelens/layertoc.h"
#include "bakelens/mem.h"

/* The 51-byte eStargz footer for `off` (legacy: the 47-byte one). */
static size_t estargz_footer(unsigned char *p, uint64_t off, bool legacy)
{
	size_t n = 0;
	static const unsigned char head[] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff};
	memcpy(p, head, sizeof head);
	n = sizeof head;
	char hex[32];
	snprintf(hex, sizeof hex, "%016llxSTARGZ", (unsigned long long)off);
	p[n++] = legacy ? 22 : 26;
	p[n++] = 0;
	if (!legacy) {
		p[n++] = 'S';
		p[n++] = 'G';
		p[n++] = 22;
		p[n++] = 0;
	}
	memcpy(p + n, hex, 22);
	n += 22;
	static const unsigned char tail[] = {1, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0};
	memcpy(p + n, tail, sizeof tail);
	return n + sizeof tail;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* The zstd:chunked footer frame (old: the 40-byte payload). */
static size_t zstd_footer(unsigned char *p, const uint64_t v[4], bool old)
{
	static const unsigned char magic[] = {0x50, 0x2a, 0x4d, 0x18};
	memcpy(p, magic, 4);
	uint32_t len = old ? 40 : 64;
	p[4] = (unsigned char)len;
	p[5] = p[6] = p[7] = 0;
	memset(p + 8, 0, len);
	for (int i = 0; i < 4; i++)
		put_le64(p + 8 + 8 * i, v[i]);
	memcpy(p + 8 + len - 8, old ? "GnUlInUx" : "GNUlInUx", 8);
	return 8 + len;
}

static void test_estargz_footer_both_sizes(void **state)
{
	(void)state;
	unsigned char buf[100];
	memset(buf, 0xaa, sizeof buf);
	size_t n = estargz_footer(buf + 20, 0x1234abcdULL, false);
	assert_int_equal(n, BL_LAYERTOC_ESTARGZ_FOOTER);
	uint64_t off = 0;
	size_t fl = 0;
	struct bl_error err = {0};
	assert_true(bl_layertoc_estargz_footer(buf, 20 + n, &off, &fl, &err));
	assert_int_equal(off, 0x1234abcdULL);
	assert_int_equal(fl, 51);
	n = estargz_footer(buf + 20, 77, true);
	assert_int_equal(n, BL_LAYERTOC_ESTARGZ_FOOTER_LEGACY);
	assert_true(bl_layertoc_estargz_footer(buf, 20 + n, &off, &fl, &err));
	assert_int_equal(off, 77);
	assert_int_equal(fl, 47);
	/* a blob exactly as long as the legacy footer */
	assert_true(bl_layertoc_estargz_footer(buf + 20, n, &off, &fl, &err));
	assert_int_equal(off, 77);
}

static void test_estargz_footer_rejects(void **state)
{
	(void)state;
	unsigned char buf[64];
	struct bl_error err = {0};
	uint64_t off;
	size_t fl;
	size_t n = estargz_footer(buf, 5, false);
	buf[16 + 3] = 'g'; /* a digit that is no hex */
	assert_false(bl_layertoc_estargz_footer(buf, n, &off, &fl, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	n = estargz_footer(buf, 5, false);
	buf[33] = 'X'; /* "STARGZ" changed */
	assert_false(bl_layertoc_estargz_footer(buf, n, &off, &fl, &err));
	n = estargz_footer(buf, 5, false);
	buf[3] = 0; /* no FEXTRA flag */
	assert_false(bl_layertoc_estargz_footer(buf, n, &off, &fl, &err));
	assert_false(bl_layertoc_estargz_footer(buf, 10, &off, &fl, &err));
	assert_false(bl_layertoc_estargz_footer(buf, 0, &off, &fl, &err));
}

static void test_zstd_footer_both_forms(void **state)
{
	(void)state;
	unsigned char buf[200];
	const uint64_t v[4] = {123456, 789, 4000, 1};
	memset(buf, 0, sizeof buf);
	size_t n = zstd_footer(buf + 30, v, false);
	assert_int_equal(n, BL_LAYERTOC_ZSTD_FOOTER);
	struct bl_layertoc_pos pos;
	struct bl_error err = {0};
	assert_true(bl_layertoc_zstd_footer(buf, 30 + n, &pos, &err));
	assert_int_equal(pos.offset, 123456);
	assert_int_equal(pos.length, 789);
	assert_int_equal(pos.length_uncompressed, 4000);
	assert_int_equal(pos.type, 1);
	memset(buf, 0, sizeof buf);
	n = zstd_footer(buf + 30, v, true);
	assert_int_equal(n, BL_LAYERTOC_ZSTD_FOOTER_OLD);
	assert_true(bl_layertoc_zstd_footer(buf, 30 + n, &pos, &err));
	assert_int_equal(pos.offset, 123456);
	assert_int_equal(pos.length, 789);
	/* the old magic in the new frame size is neither */
	n = zstd_footer(buf, v, false);
	memcpy(buf + n - 8, "GnUlInUx", 8);
	assert_false(bl_layertoc_zstd_footer(buf, n, &pos, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_false(bl_layertoc_zstd_footer(buf, 20, &pos, &err));
}

static void test_zstd_position(void **state)
{
	(void)state;
	struct bl_layertoc_pos pos;
	struct bl_error err = {0};
	assert_true(bl_layertoc_zstd_position("9436:583:2281:1", &pos, &err));
	assert_int_equal(pos.offset, 9436);
	assert_int_equal(pos.length, 583);
	assert_int_equal(pos.length_uncompressed, 2281);
	assert_int_equal(pos.type, 1);
	assert_true(bl_layertoc_zstd_position("1:2:3", &pos, &err));
	assert_int_equal(pos.type, 0);
	const char *bad[] = {"", "1:2", "1:2:3:4:5", "-1:2:3:1", "1:2:3:x", "1::3:1", " 1:2:3:1",
	        "99999999999999999999:1:1:1", "1:2:3:1\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		bl_error_clear(&err);
		assert_false(bl_layertoc_zstd_position(bad[i], &pos, &err));
		assert_int_equal(err.code, BL_E_FORMAT);
	}
}

static la_ssize_t buf_write(struct archive *a, void *ud, const void *data, size_t len)
{
	(void)a;
	bl_buf_append(ud, data, len);
	return (la_ssize_t)len;
}

/* gzip of a tar holding one regular file `name` with `data`. */
static void gz_tar(struct bl_buf *out, const char *name, const char *data)
{
	struct archive *a = archive_write_new();
	archive_write_add_filter_gzip(a);
	archive_write_set_format_pax_restricted(a);
	archive_write_open(a, out, NULL, buf_write, NULL);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0444);
	archive_entry_set_size(e, (la_int64_t)strlen(data));
	archive_write_header(a, e);
	archive_write_data(a, data, strlen(data));
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
}

static void test_estargz_json_member(void **state)
{
	(void)state;
	struct bl_buf gz, json;
	bl_buf_init(&gz);
	bl_buf_init(&json);
	gz_tar(&gz, "stargz.index.json", "{\"version\":1,\"entries\":[]}");
	struct bl_error err = {0};
	assert_true(bl_layertoc_estargz_json(gz.data, gz.len, &json, &err));
	assert_string_equal(bl_buf_str(&json), "{\"version\":1,\"entries\":[]}");
	/* another name: not a TOC */
	bl_buf_clear(&gz);
	bl_buf_clear(&json);
	gz_tar(&gz, "etc/passwd", "root:x:0:0");
	assert_false(bl_layertoc_estargz_json(gz.data, gz.len, &json, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	/* cut short */
	bl_buf_clear(&gz);
	gz_tar(&gz, "stargz.index.json", "{\"version\":1,\"entries\":[]}");
	assert_false(bl_layertoc_estargz_json(gz.data, 30, &json, &err));
	assert_false(bl_layertoc_estargz_json("not gzip", 8, &json, &err));
	bl_buf_fini(&gz);
	bl_buf_fini(&json);
}

static void test_zstd_decompress(void **state)
{
	(void)state;
	char plain[5000];
	for (size_t i = 0; i < sizeof plain; i++)
		plain[i] = (char)('a' + i % 7);
	size_t cap = ZSTD_compressBound(sizeof plain);
	char *z = bl_malloc(cap);
	size_t zl = ZSTD_compress(z, cap, plain, sizeof plain, 3);
	assert_false(ZSTD_isError(zl));
	struct bl_buf out;
	bl_buf_init(&out);
	struct bl_error err = {0};
	assert_true(bl_layertoc_zstd_decompress(z, zl, sizeof plain, &out, &err));
	assert_int_equal(out.len, sizeof plain);
	assert_memory_equal(out.data, plain, sizeof plain);
	bl_buf_clear(&out);
	assert_false(bl_layertoc_zstd_decompress(z, zl, 100, &out, &err));
	assert_int_equal(err.code, BL_E_TOO_BIG);
	bl_buf_clear(&out);
	assert_false(bl_layertoc_zstd_decompress(z, zl - 3, sizeof plain, &out, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	bl_buf_clear(&out);
	assert_false(bl_layertoc_zstd_decompress("garbage!", 8, sizeof plain, &out, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	bl_buf_fini(&out);
	free(z);
}

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char estargz_toc[] =
        "{\"version\":1,\"entries\":["
        "{\"name\":\"./\",\"type\":\"dir\",\"mode\":493},"
        "{\"name\":\"bin/\",\"type\":\"dir\",\"mode\":493,\"uid\":7,\"gid\":8,"
        "\"modtime\":\"2021-05-06T07:08:09Z\"},"
        "{\"name\":\"bin/big\",\"type\":\"reg\",\"size\":250,\"mode\":2541,"
        "\"modtime\":\"2021-05-06T07:08:09.5+01:00\",\"offset\":100,\"chunkOffset\":0,"
        "\"chunkSize\":100,\"chunkDigest\":\"" D1 "\",\"digest\":\"" D3 "\"},"
        "{\"name\":\"bin/big\",\"type\":\"chunk\",\"offset\":300,\"chunkOffset\":100,"
        "\"chunkSize\":100,\"chunkDigest\":\"" D2 "\"},"
        "{\"name\":\"bin/big\",\"type\":\"chunk\",\"offset\":300,\"innerOffset\":100,"
        "\"chunkOffset\":200,\"chunkDigest\":\"" D1 "\"},"
        "{\"name\":\"bin/sh\",\"type\":\"symlink\",\"linkName\":\"big\"},"
        "{\"name\":\"./bin/hard\",\"type\":\"hardlink\",\"linkName\":\"./bin/big\"},"
        "{\"name\":\"dev/null\",\"type\":\"char\",\"devMajor\":1,\"devMinor\":3},"
        "{\"name\":\"small\",\"type\":\"reg\",\"size\":5,\"offset\":500,\"digest\":\"" D2 "\"},"
        "{\"name\":\"empty\",\"type\":\"reg\",\"size\":0},"
        "{\"name\":\".prefetch.landmark\",\"type\":\"reg\",\"size\":1,\"offset\":600,"
        "\"chunkDigest\":\"" D3 "\"}]}";

static void test_parse_estargz_entries_and_chunks(void **state)
{
	(void)state;
	struct bl_layertoc t;
	bl_layertoc_init(&t);
	struct bl_error err = {0};
	assert_true(bl_layertoc_parse(
	        BL_LAYERTOC_ESTARGZ, estargz_toc, strlen(estargz_toc), 700, &t, &err));
	assert_int_equal(t.kind, BL_LAYERTOC_ESTARGZ);
	assert_int_equal(t.len, 8); /* the root dropped, chunks folded in */
	const struct bl_layertoc_entry *e = bl_layertoc_find(&t, "bin");
	assert_non_null(e);
	assert_int_equal(e->file.type, BL_FILE_DIR);
	assert_int_equal(e->file.uid, 7);
	assert_int_equal(e->file.gid, 8);
	assert_int_equal(e->file.mtime, 1620284889);
	e = bl_layertoc_find(&t, "bin/big");
	assert_non_null(e);
	assert_int_equal(e->file.size, 250);
	assert_int_equal(e->file.mode, 2541 & 07777);
	assert_int_equal(e->file.mtime, 1620284889 - 3600);
	assert_int_equal(e->file.mtime_nsec, 500000000);
	assert_true(e->file.has_sha256);
	assert_int_equal(e->file.sha256[0], 0x33);
	assert_int_equal(e->nchunks, 3);
	const struct bl_layertoc_chunk *c = &t.chunks[e->first_chunk];
	/* ends: the next chunk's start, shared members end at the next other one */
	assert_int_equal(c[0].offset, 100);
	assert_int_equal(c[0].end, 300);
	assert_int_equal(c[0].size, 100);
	assert_string_equal(c[0].digest.str, D1);
	assert_int_equal(c[1].offset, 300);
	assert_int_equal(c[1].end, 500);
	assert_int_equal(c[2].end, 500);
	assert_int_equal(c[2].inner, 100);
	assert_int_equal(c[2].file_offset, 200);
	assert_int_equal(c[2].size, 50); /* to the end of the file */
	e = bl_layertoc_find(&t, "bin/sh");
	assert_int_equal(e->file.type, BL_FILE_SYMLINK);
	assert_string_equal(e->file.linkname, "big");
	e = bl_layertoc_find(&t, "bin/hard");
	assert_int_equal(e->file.type, BL_FILE_HARDLINK);
	assert_string_equal(e->file.linkname, "bin/big");
	assert_int_equal(e->file.size, 0);
	assert_int_equal(bl_layertoc_find(&t, "dev/null")->file.type, BL_FILE_CHAR);
	e = bl_layertoc_find(&t, "small");
	assert_int_equal(e->nchunks, 1);
	/* one chunk for the whole file: the file digest checks it */
	assert_string_equal(t.chunks[e->first_chunk].digest.str, D2);
	assert_int_equal(t.chunks[e->first_chunk].end, 600);
	e = bl_layertoc_find(&t, "empty");
	assert_int_equal(e->nchunks, 0);
	/* no digest given: the empty file's (e3b0c442...) */
	assert_true(e->file.has_sha256);
	assert_int_equal(e->file.sha256[0], 0xe3);
	assert_int_equal(e->file.sha256[31], 0x55);
	e = bl_layertoc_find(&t, ".prefetch.landmark");
	assert_int_equal(t.chunks[e->first_chunk].end, 700); /* the TOC's start */
	assert_null(bl_layertoc_find(&t, "nothing"));
	bl_layertoc_fini(&t);
}

static void test_parse_zstd_end_offsets(void **state)
{
	(void)state;
	static const char toc[] =
	        "{\"version\":1,\"entries\":["
	        "{\"name\":\"a\",\"type\":\"reg\",\"size\":30,\"offset\":10,\"endOffset\":60,"
	        "\"chunkSize\":20,\"chunkOffset\":0,\"chunkDigest\":\"" D1 "\"},"
	        "{\"name\":\"a\",\"type\":\"chunk\",\"offset\":40,\"chunkOffset\":20,\"chunkSize\":"
	        "10,"
	        "\"chunkDigest\":\"" D2 "\"},"
	        "{\"name\":\"b\",\"type\":\"reg\",\"size\":4,\"offset\":90,\"endOffset\":95,"
	        "\"digest\":\"" D3 "\"}],\"tarSplitDigest\":\"" D1 "\"}";
	struct bl_layertoc t;
	bl_layertoc_init(&t);
	struct bl_error err = {0};
	assert_true(bl_layertoc_parse(BL_LAYERTOC_ZSTD_CHUNKED, toc, strlen(toc), 200, &t, &err));
	const struct bl_layertoc_entry *a = bl_layertoc_find(&t, "a");
	assert_int_equal(a->nchunks, 2);
	assert_int_equal(t.chunks[a->first_chunk].end, 40);
	/* the last chunk ends at the file's endOffset, not at the next file */
	assert_int_equal(t.chunks[a->first_chunk + 1].end, 60);
	const struct bl_layertoc_entry *b = bl_layertoc_find(&t, "b");
	assert_int_equal(t.chunks[b->first_chunk].end, 95);
	bl_layertoc_fini(&t);
}

static void test_parse_rejects(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "[]",
	        "{\"entries\":{}}",
	        "{\"entries\":[{\"name\":\"a\",\"type\":\"reg\",\"size\":\"5\"}]}",
	        "{\"entries\":[{\"name\":\"a\",\"type\":\"reg\",\"size\":-5}]}",
	        "{\"entries\":[{\"type\":\"reg\"}]}",
	        "{\"entries\":[{\"name\":\"a\",\"type\":\"chunk\",\"offset\":1}]}",
	        "{\"entries\":[{\"name\":\"a\",\"type\":\"reg\",\"size\":5,\"offset\":1000}]}",
	        "{\"entries\":[{\"name\":\"a\",\"type\":\"dir\",\"modtime\":\"yesterday\"}]}",
	        "{\"entries\":[{\"name\":\"a\",\"type\":\"reg\",\"size\":5,\"chunkOffset\":9}]}",
	        "{\"entries\":[{\"name\":\"a\",\"type\":\"reg\",\"size\":5,\"chunkSize\":9}]}",
	        "{\"entries\":[{\"name\":\"a\",\"type\":\"reg\",\"size\":5,\"digest\":\"md5:x\"}]}",
	        "{\"entries\":[{\"name\":\"a\",\"type\":\"reg\",\"size\":5,\"offset\":9,"
	        "\"endOffset\":3}]}",
	        "not json",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct bl_layertoc t;
		bl_layertoc_init(&t);
		struct bl_error err = {0};
		assert_false(bl_layertoc_parse(
		        BL_LAYERTOC_ESTARGZ, bad[i], strlen(bad[i]), 100, &t, &err));
		assert_int_not_equal(err.code, BL_OK);
		bl_layertoc_fini(&t);
	}
}

/* Without the TOC digest nothing is read: the store is never touched. */
static void test_load_without_annotation_reads_nothing(void **state)
{
	(void)state;
	static const char *const descs[] = {
	        "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D1
	        "\",\"size\":100}",
	        "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+zstd\",\"digest\":\"" D1
	        "\",\"size\":100,\"annotations\":{\"io.github.containers.zstd-chunked."
	        "manifest-position\":\"1:2:3:1\"}}",
	        "{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" D1
	        "\",\"size\":0,\"annotations\":{\"containerd.io/snapshot/stargz/toc.digest\":\"" D2
	        "\"}}",
	};
	static const char *const why[] = {"no TOC annotation", "manifest-checksum", "size"};
	for (size_t i = 0; i < 3; i++) {
		struct bl_error err = {0};
		json_t *j = json_loads(descs[i], 0, NULL);
		struct bl_descriptor d;
		assert_true(bl_descriptor_parse(j, "layer", &d, &err));
		struct bl_layertoc t;
		bl_layertoc_init(&t);
		assert_true(bl_layertoc_load(NULL, &d, &t, &err));
		assert_int_equal(t.kind, BL_LAYERTOC_NONE);
		assert_non_null(strstr(t.why, why[i]));
		assert_int_equal(t.bytes_read, 0);
		bl_layertoc_fini(&t);
		bl_descriptor_fini(&d);
		json_decref(j);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_estargz_footer_both_sizes),
	        cmocka_unit_test(test_estargz_footer_rejects),
	        cmocka_unit_test(test_zstd_footer_both_forms),
	        cmocka_unit_test(test_zstd_position),
	        cmocka_unit_test(test_estargz_json_member),
	        cmocka_unit_test(test_zstd_decompress),
	        cmocka_unit_test(test_parse_estargz_entries_and_chunks),
	        cmocka_unit_test(test_parse_zstd_end_offsets),
	        cmocka_unit_test(test_parse_rejects),
	        cmocka_unit_test(test_load_without_annotation_reads_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
