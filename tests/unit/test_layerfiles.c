/* layerfiles.c: tars written here with libarchive (gzip, zstd, none), read
 * back through memory streams and through a verified OCI layout store;
 * whiteouts, file diffs, and a layer of many files. Content digests are
 * computed in the test from the bytes it wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"
#include "model_fixture.h"

struct tent {
	const char *path;
	char type;        /* 'f' file, 'd' dir, 'l' symlink, 'h' hardlink */
	const char *data; /* file content, or link target */
	unsigned mode;
	int uid;
	long mtime;
};

enum comp { C_NONE, C_GZIP, C_ZSTD };

static la_ssize_t buf_write(struct archive *a, void *ud, const void *data, size_t len)
{
	(void)a;
	bl_buf_append(ud, data, len);
	return (la_ssize_t)len;
}

static void write_entry(struct archive *a, const struct tent *t)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, t->path);
	archive_entry_set_mode(e, (t->type == 'd'          ? AE_IFDIR
	                                  : t->type == 'l' ? AE_IFLNK
	                                                   : AE_IFREG) |
	                                  (t->mode ? t->mode : 0644));
	archive_entry_set_uid(e, t->uid);
	archive_entry_set_gid(e, t->uid);
	archive_entry_set_mtime(e, t->mtime ? t->mtime : 1700000000, 0);
	size_t len = 0;
	if (t->type == 'f') {
		len = strlen(t->data);
		archive_entry_set_size(e, (la_int64_t)len);
	} else if (t->type == 'l') {
		archive_entry_set_symlink(e, t->data);
	} else if (t->type == 'h') {
		archive_entry_set_hardlink(e, t->data);
		archive_entry_set_size(e, 0);
	}
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	if (len)
		assert_int_equal(archive_write_data(a, t->data, len), (la_ssize_t)len);
	archive_entry_free(e);
}

static void make_tar(const struct tent *ents, size_t n, enum comp c, struct bl_buf *out)
{
	struct archive *a = archive_write_new();
	archive_write_set_format_pax_restricted(a);
	if (c == C_GZIP)
		archive_write_add_filter_gzip(a);
	else if (c == C_ZSTD)
		archive_write_add_filter_zstd(a);
	archive_write_set_bytes_in_last_block(a, 1);
	assert_int_equal(archive_write_open(a, out, NULL, buf_write, NULL), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++)
		write_entry(a, &ents[i]);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static bool list_mem(
        const struct bl_buf *tar, bool hash, struct bl_file_list *l, struct bl_error *err)
{
	struct bl_stream *s = bl_stream_memory(tar->data, tar->len);
	struct bl_layerfiles_opts o = {.hash = hash, .layer = -1};
	bl_file_list_init(l);
	bl_error_clear(err);
	bool ok = bl_layerfiles_read(s, "layer test", &o, l, err);
	s->close(s);
	return ok;
}

static const struct tent BASIC[] = {
        {"./", 'd', NULL, 0755, 0, 0},
        {"./etc/", 'd', NULL, 0755, 0, 0},
        {"./etc/hosts", 'f', "127.0.0.1 localhost\n", 0644, 0, 0},
        {"./bin/sh", 'f', "#!binary", 04755, 0, 0},
        {"./bin/ash", 'h', "./bin/sh", 0, 0, 0},
        {"./usr/lib/libc.so", 'l', "libc.so.6", 0777, 0, 0},
        {"/abs/path", 'f', "x", 0600, 1000, 0},
};

static void sha_of(const char *s, unsigned char out[32])
{
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, s, strlen(s), &d);
	const char *hex = bl_digest_hex(&d);
	for (int i = 0; i < 32; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (unsigned char)v;
	}
}

static void check_basic(const struct bl_file_list *l)
{
	/* Root dropped; paths normalised and sorted. */
	assert_int_equal(l->len, 6);
	const char *want[] = {
	        "abs/path", "bin/ash", "bin/sh", "etc", "etc/hosts", "usr/lib/libc.so"};
	for (size_t i = 0; i < 6; i++)
		assert_string_equal(l->items[i].path, want[i]);
	const struct bl_file_entry *h = bl_file_list_find(l, "etc/hosts");
	assert_non_null(h);
	assert_int_equal(h->type, BL_FILE_REGULAR);
	assert_int_equal(h->size, 20);
	assert_int_equal(h->mode, 0644);
	assert_int_equal(h->mtime, 1700000000);
	unsigned char sha[32];
	sha_of("127.0.0.1 localhost\n", sha);
	assert_true(h->has_sha256);
	assert_memory_equal(h->sha256, sha, 32);
	const struct bl_file_entry *sh = bl_file_list_find(l, "bin/sh");
	assert_int_equal(sh->mode, 04755);
	char ms[16];
	bl_file_mode_string(sh, ms, sizeof ms);
	assert_string_equal(ms, "-rwsr-xr-x");
	const struct bl_file_entry *ash = bl_file_list_find(l, "bin/ash");
	assert_int_equal(ash->type, BL_FILE_HARDLINK);
	assert_string_equal(ash->linkname, "bin/sh");
	const struct bl_file_entry *so = bl_file_list_find(l, "usr/lib/libc.so");
	assert_int_equal(so->type, BL_FILE_SYMLINK);
	assert_string_equal(so->linkname, "libc.so.6");
	assert_int_equal(bl_file_list_find(l, "abs/path")->uid, 1000);
	assert_null(bl_file_list_find(l, "etc/host"));
	assert_int_equal(bl_file_list_find(l, "etc")->type, BL_FILE_DIR);
}

static void test_list_reads_gzip_zstd_and_plain_tars_alike(void **state)
{
	(void)state;
	enum comp comps[] = {C_NONE, C_GZIP, C_ZSTD};
	for (size_t c = 0; c < 3; c++) {
		struct bl_buf tar;
		bl_buf_init(&tar);
		make_tar(BASIC, sizeof BASIC / sizeof BASIC[0], comps[c], &tar);
		struct bl_file_list l;
		struct bl_error err;
		assert_true(list_mem(&tar, true, &l, &err));
		check_basic(&l);
		assert_int_equal(l.bytes_read, tar.len);
		bl_file_list_fini(&l);
		bl_buf_fini(&tar);
	}
}

static void test_list_without_hashing_has_no_sha(void **state)
{
	(void)state;
	struct bl_buf tar;
	bl_buf_init(&tar);
	make_tar(BASIC, sizeof BASIC / sizeof BASIC[0], C_GZIP, &tar);
	struct bl_file_list l;
	struct bl_error err;
	assert_true(list_mem(&tar, false, &l, &err));
	assert_false(bl_file_list_find(&l, "etc/hosts")->has_sha256);
	assert_int_equal(bl_file_list_find(&l, "etc/hosts")->size, 20);
	bl_file_list_fini(&l);
	bl_buf_fini(&tar);
}

static void test_list_later_duplicate_wins(void **state)
{
	(void)state;
	const struct tent ents[] = {
	        {"a", 'f', "first", 0644, 0, 0},
	        {"b", 'f', "b", 0644, 0, 0},
	        {"./a", 'f', "second!", 0600, 0, 0},
	};
	struct bl_buf tar;
	bl_buf_init(&tar);
	make_tar(ents, 3, C_NONE, &tar);
	struct bl_file_list l;
	struct bl_error err;
	assert_true(list_mem(&tar, true, &l, &err));
	assert_int_equal(l.len, 2);
	assert_int_equal(bl_file_list_find(&l, "a")->size, 7);
	assert_int_equal(bl_file_list_find(&l, "a")->mode, 0600);
	bl_file_list_fini(&l);
	bl_buf_fini(&tar);
}

static void test_list_rejects_what_is_not_a_tar(void **state)
{
	(void)state;
	struct bl_buf junk;
	bl_buf_init(&junk);
	for (int i = 0; i < 200; i++)
		bl_buf_puts(&junk, "this is not a tar archive at all. ");
	struct bl_file_list l;
	struct bl_error err;
	assert_false(list_mem(&junk, true, &l, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "layer test"));
	assert_non_null(strstr(err.msg, "expected a tar"));
	bl_file_list_fini(&l);
	bl_buf_fini(&junk);

	/* A truncated gzip tar names the problem too. */
	struct bl_buf tar;
	bl_buf_init(&tar);
	make_tar(BASIC, sizeof BASIC / sizeof BASIC[0], C_GZIP, &tar);
	tar.len /= 2;
	assert_false(list_mem(&tar, true, &l, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	bl_file_list_fini(&l);
	bl_buf_fini(&tar);
}

static void test_list_accepts_a_tar_without_end_blocks(void **state)
{
	(void)state;
	/* umoci 0.4 ends its layers right after the last member's data. */
	const struct tent ents[] = {
	        {"a", 'f', "one\n", 0644, 0, 0}, {"b", 'f', "two\n", 0644, 0, 0}};
	struct bl_buf tar;
	bl_buf_init(&tar);
	make_tar(ents, 2, C_NONE, &tar);
	tar.len = 512 + 512 + 512 + 4; /* header a, data a (padded), header b, data b */
	for (int hash = 0; hash < 2; hash++) {
		struct bl_file_list l;
		struct bl_error err;
		if (!list_mem(&tar, hash, &l, &err))
			fail_msg("hash %d: %s", hash, err.msg);
		assert_int_equal(l.len, 2);
		assert_true(l.missing_end_marker);
		assert_int_equal(bl_file_list_find(&l, "b")->size, 4);
		bl_file_list_fini(&l);
	}
	/* Cut inside b's data: hashing sees the missing bytes. */
	tar.len = 512 + 512 + 512 + 2;
	struct bl_file_list l;
	struct bl_error err;
	assert_false(list_mem(&tar, true, &l, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	bl_file_list_fini(&l);
	bl_buf_fini(&tar);
}

/* A layout holding `tar` under `name` (its own digest, or another one). */
static void put_blob(struct fx *f, const struct bl_buf *tar, const struct bl_digest *name)
{
	char p[512];
	snprintf(p, sizeof p, "%s/blobs/sha256/%s", f->dir, bl_digest_hex(name));
	fx_write(p, tar->data, tar->len);
}

static void test_list_from_a_store_verifies_the_digest(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	fx_index(&f, "{\"schemaVersion\":2,\"manifests\":[]}");
	struct bl_buf tar;
	bl_buf_init(&tar);
	make_tar(BASIC, sizeof BASIC / sizeof BASIC[0], C_GZIP, &tar);
	struct bl_descriptor d;
	memset(&d, 0, sizeof d);
	d.media_type = "application/vnd.oci.image.layer.v1.tar+gzip";
	d.size = (int64_t)tar.len;
	bl_digest_compute(BL_DIGEST_SHA256, tar.data, tar.len, &d.digest);
	put_blob(&f, &tar, &d.digest);
	struct bl_store *s = NULL;
	struct bl_error err;
	bl_error_clear(&err);
	assert_true(bl_store_ocidir_open(f.dir, &s, &err));
	struct bl_file_list l;
	bl_file_list_init(&l);
	struct bl_layerfiles_opts o = {.hash = true, .layer = 3};
	assert_true(bl_layerfiles_list(s, &d, &o, &l, &err));
	check_basic(&l);
	assert_int_equal(l.items[0].layer, 3);
	bl_file_list_fini(&l);

	/* The same bytes under the name of other content: a mismatch, found at the end. */
	struct bl_descriptor bad = d;
	bl_digest_compute(BL_DIGEST_SHA256, "other", 5, &bad.digest);
	put_blob(&f, &tar, &bad.digest);
	bl_file_list_init(&l);
	bl_error_clear(&err);
	assert_false(bl_layerfiles_list(s, &bad, &o, &l, &err));
	if (err.code != BL_E_DIGEST)
		fail_msg("%d %s", err.code, err.msg);
	assert_non_null(strstr(err.msg, "layer sha256:"));
	bl_file_list_fini(&l);
	bl_store_free(s);
	bl_buf_fini(&tar);
	fx_fini(&f);
}

static void build_list(const struct tent *ents, size_t n, enum comp c, struct bl_file_list *l)
{
	struct bl_buf tar;
	bl_buf_init(&tar);
	make_tar(ents, n, c, &tar);
	struct bl_error err;
	assert_true(list_mem(&tar, true, l, &err));
	bl_buf_fini(&tar);
}

static void test_merge_applies_whiteouts_and_opaque_dirs(void **state)
{
	(void)state;
	const struct tent lower[] = {
	        {"app", 'd', NULL, 0755, 0, 0},
	        {"app/a", 'f', "a", 0644, 0, 0},
	        {"app/b", 'f', "b", 0644, 0, 0},
	        {"cache", 'd', NULL, 0755, 0, 0},
	        {"cache/x/y", 'f', "y", 0644, 0, 0},
	        {"etc/conf", 'd', NULL, 0755, 0, 0},
	        {"etc/conf/z", 'f', "z", 0644, 0, 0},
	        {"etc/conf-keep", 'f', "k", 0644, 0, 0},
	        {"lib", 'd', NULL, 0755, 0, 0},
	        {"lib/old", 'f', "old", 0644, 0, 0},
	};
	const struct tent upper[] = {
	        {"app/.wh.a", 'f', "", 0644, 0, 0},
	        {"cache/.wh..wh..opq", 'f', "", 0644, 0, 0},
	        {"cache/new", 'f', "n", 0644, 0, 0},
	        {"etc/conf", 'f', "now a file", 0644, 0, 0}, /* replaces a directory */
	        {"lib/old", 'f', "new", 0600, 0, 0},
	        {".wh.nothing", 'f', "", 0644, 0, 0},
	};
	struct bl_file_list l0, l1, acc;
	build_list(lower, sizeof lower / sizeof lower[0], C_GZIP, &l0);
	build_list(upper, sizeof upper / sizeof upper[0], C_NONE, &l1);
	bl_file_list_init(&acc);
	bl_layerfiles_merge(&acc, &l0);
	bl_layerfiles_merge(&acc, &l1);
	bl_file_list_fini(&l0);
	bl_file_list_fini(&l1); /* the merged list owns copies of its strings */
	const char *want[] = {"app", "app/b", "cache", "cache/new", "etc/conf", "etc/conf-keep",
	        "lib", "lib/old"};
	size_t nw = sizeof want / sizeof want[0];
	for (size_t i = 0; i < acc.len && i < nw; i++)
		assert_string_equal(acc.items[i].path, want[i]);
	assert_int_equal(acc.len, nw);
	assert_int_equal(bl_file_list_find(&acc, "etc/conf")->type, BL_FILE_REGULAR);
	assert_int_equal(bl_file_list_find(&acc, "lib/old")->size, 3);
	assert_int_equal(bl_file_list_find(&acc, "lib/old")->mode, 0600);
	bl_file_list_fini(&acc);
}

static void test_diff_tells_content_from_metadata(void **state)
{
	(void)state;
	const struct tent left[] = {
	        {"same", 'f', "same", 0644, 0, 0},
	        {"content", 'f', "aaaa", 0644, 0, 0},
	        {"sized", 'f', "short", 0644, 0, 0},
	        {"touched", 'f', "t", 0644, 0, 1700000000},
	        {"owned", 'f', "o", 0644, 0, 0},
	        {"chmod", 'f', "c", 0644, 0, 0},
	        {"link", 'l', "target-a", 0777, 0, 0},
	        {"gone", 'f', "g", 0644, 0, 0},
	        {"kind", 'f', "k", 0644, 0, 0},
	};
	const struct tent right[] = {
	        {"same", 'f', "same", 0644, 0, 0},
	        {"content", 'f', "bbbb", 0644, 0, 0},
	        {"sized", 'f', "longer", 0644, 0, 0},
	        {"touched", 'f', "t", 0644, 0, 1800000000},
	        {"owned", 'f', "o", 0644, 1000, 0},
	        {"chmod", 'f', "c", 0755, 0, 0},
	        {"link", 'l', "target-b", 0777, 0, 0},
	        {"new", 'f', "n", 0644, 0, 0},
	        {"kind", 'd', NULL, 0755, 0, 0},
	};
	struct bl_file_list l, r;
	build_list(left, sizeof left / sizeof left[0], C_GZIP, &l);
	build_list(right, sizeof right / sizeof right[0], C_ZSTD, &r);
	struct bl_file_diff d;
	bl_file_diff_init(&d);
	bl_layerfiles_diff(&l, &r, NULL, &d);
	assert_int_equal(d.same, 1);
	assert_int_equal(d.counts[BL_FCHANGE_ADDED], 1);
	assert_int_equal(d.counts[BL_FCHANGE_REMOVED], 1);
	assert_int_equal(d.counts[BL_FCHANGE_CONTENT], 3);
	assert_int_equal(d.counts[BL_FCHANGE_METADATA], 4);
	for (size_t i = 0; i < d.len; i++) {
		const struct bl_file_change *c = &d.items[i];
		const char *p = c->left ? c->left->path : c->right->path;
		char *what = bl_file_change_what(c->what);
		if (strcmp(p, "content") == 0) {
			assert_int_equal(c->kind, BL_FCHANGE_CONTENT);
			assert_string_equal(what, "bytes");
		} else if (strcmp(p, "sized") == 0) {
			assert_string_equal(what, "size, bytes");
		} else if (strcmp(p, "touched") == 0) {
			assert_int_equal(c->kind, BL_FCHANGE_METADATA);
			assert_string_equal(what, "mtime");
		} else if (strcmp(p, "owned") == 0) {
			assert_string_equal(what, "uid, gid");
		} else if (strcmp(p, "chmod") == 0) {
			assert_string_equal(what, "mode");
		} else if (strcmp(p, "link") == 0) {
			assert_int_equal(c->kind, BL_FCHANGE_METADATA);
			assert_string_equal(what, "link target");
		} else if (strcmp(p, "kind") == 0) {
			assert_int_equal(c->kind, BL_FCHANGE_CONTENT);
			assert_non_null(strstr(what, "type"));
		} else if (strcmp(p, "new") == 0) {
			assert_int_equal(c->kind, BL_FCHANGE_ADDED);
		} else if (strcmp(p, "gone") == 0) {
			assert_int_equal(c->kind, BL_FCHANGE_REMOVED);
		} else {
			fail_msg("unexpected change at %s", p);
		}
		free(what);
	}
	bl_file_diff_fini(&d);

	/* Ignoring timestamps: "touched" is the same, and counted as such. */
	struct bl_file_diff_opts o = {.ignore_timestamps = true};
	bl_file_diff_init(&d);
	bl_layerfiles_diff(&l, &r, &o, &d);
	assert_int_equal(d.same, 2);
	assert_int_equal(d.timestamps_ignored, 1);
	assert_int_equal(d.counts[BL_FCHANGE_METADATA], 3);
	bl_file_diff_fini(&d);
	bl_file_list_fini(&l);
	bl_file_list_fini(&r);
}

static la_ssize_t count_write(struct archive *a, void *ud, const void *data, size_t len)
{
	(void)a;
	(void)data;
	bl_buf_append(ud, data, len);
	return (la_ssize_t)len;
}

static void test_many_files_are_fine(void **state)
{
	(void)state;
	enum { N = 150000 };
	struct bl_buf tar;
	bl_buf_init(&tar);
	struct archive *a = archive_write_new();
	archive_write_set_format_ustar(a);
	archive_write_add_filter_gzip(a);
	assert_int_equal(archive_write_open(a, &tar, NULL, count_write, NULL), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	char path[64];
	for (int i = 0; i < N; i++) {
		archive_entry_clear(e);
		snprintf(path, sizeof path, "d%03d/f%06d", i % 997, i);
		archive_entry_set_pathname(e, path);
		archive_entry_set_mode(e, AE_IFREG | 0644);
		archive_entry_set_size(e, 1);
		archive_entry_set_mtime(e, 1700000000, 0);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		archive_write_data(a, "x", 1);
	}
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	struct bl_file_list l;
	struct bl_error err;
	assert_true(list_mem(&tar, true, &l, &err));
	assert_int_equal(l.len, N);
	assert_non_null(bl_file_list_find(&l, "d005/f000005"));
	for (size_t i = 1; i < l.len; i++)
		assert_true(strcmp(l.items[i - 1].path, l.items[i].path) < 0);
	struct bl_file_diff d;
	bl_file_diff_init(&d);
	bl_layerfiles_diff(&l, &l, NULL, &d);
	assert_int_equal(d.same, N);
	assert_int_equal(d.len, 0);
	bl_file_diff_fini(&d);
	bl_file_list_fini(&l);
	bl_buf_fini(&tar);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(bl_file_type_name(BL_FILE_SYMLINK), "symlink");
	assert_string_equal(bl_file_change_name(BL_FCHANGE_METADATA), "metadata");
	char *w = bl_file_change_what(0);
	assert_string_equal(w, "");
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_list_reads_gzip_zstd_and_plain_tars_alike),
	        cmocka_unit_test(test_list_without_hashing_has_no_sha),
	        cmocka_unit_test(test_list_later_duplicate_wins),
	        cmocka_unit_test(test_list_rejects_what_is_not_a_tar),
	        cmocka_unit_test(test_list_accepts_a_tar_without_end_blocks),
	        cmocka_unit_test(test_list_from_a_store_verifies_the_digest),
	        cmocka_unit_test(test_merge_applies_whiteouts_and_opaque_dirs),
	        cmocka_unit_test(test_diff_tells_content_from_metadata),
	        cmocka_unit_test(test_many_files_are_fine),
	        cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
