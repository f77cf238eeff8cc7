#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_helpers.h"

/* Expected walks: counts from SOURCES.md ("walk index.json -> N index(es), M
 * manifest(s); missing refs"), except where our layout reader differs on
 * purpose (noted). */
static const struct {
	const char *path;
	size_t roots;
	int indexes, manifests, missing, mismatch;
} layouts[] = {
        {"actions-toolkit/oci-layout/hello-oci-multiplatform-gzip", 1, 1, 4, 0, 0},
        {"go-containerregistry/layout/test_index", 4, 2, 2, 0, 0},
        {"go-containerregistry/layout/test_gc_index", 3, 2, 1, 0, 0},
        {"go-containerregistry/layout/test_index_media_type", 1, 0, 1, 0, 0},
        {"go-containerregistry/layout/test_index_one_image", 1, 0, 1, 0, 0},
        /* no blobs dir: the one referenced manifest is missing */
        {"go-containerregistry/layout/test_gc_image_unknown_mediatype", 1, 0, 0, 1, 0},
        /* config 913cf3a3: declared 585, actual 584 -> one size mismatch */
        {"containers-image/oci-layout/delete_image_multiple_images", 7, 2, 6, 0, 1},
        {"containers-image/oci-layout/delete_image_two_identical_references", 2, 0, 2, 0, 0},
        /* manifest lives in shared_blobs/: missing for us (SOURCES resolved it there) */
        {"containers-image/oci-layout/delete_image_shared_blobs_dir", 1, 0, 0, 1, 0},
        {"regclient/testrepo", 26, 14, 34, 0, 0},
        {"regclient/external", 3, 1, 2, 1, 0},
        {"stereoscope/oci/multiplatform_oci_dir", 1, 1, 2, 0, 0},
        {"stereoscope/oci/valid_oci_dir", 2, 0, 1, 0, 0},
        /* empty blob f67dcc5f: 0 bytes vs declared 424 */
        {"stereoscope/oci/valid_manifest", 1, 0, 0, 0, 1},
};

static void test_corpus_layouts_open_and_walk_as_sources_md_says(void **state)
{
	(void)state;
	char *probe = corpus_path("");
	if (!probe)
		skip();
	free(probe);
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		char *p = corpus_path(layouts[i].path);
		struct bl_store *s = NULL;
		struct bl_error err;
		bl_error_clear(&err);
		if (!bl_store_open(p, NULL, &s, &err))
			fail_msg("%s: %s", layouts[i].path, err.msg);
		assert_string_equal(s->ops->kind, "oci-dir");
		struct walk_counts *w = bl_calloc(1, sizeof(*w));
		size_t n = 0;
		walk_store(s, w, &n);
		if (n != layouts[i].roots || w->indexes != layouts[i].indexes ||
		        w->manifests != layouts[i].manifests || w->missing != layouts[i].missing ||
		        w->mismatch != layouts[i].mismatch || w->other != 0)
			fail_msg("%s: roots %zu idx %d man %d missing %d mismatch %d other %d",
			        layouts[i].path, n, w->indexes, w->manifests, w->missing,
			        w->mismatch, w->other);
		free(w);
		bl_store_free(s);
		free(p);
	}
}

static void test_layout_without_oci_layout_file_says_so(void **state)
{
	(void)state;
	char *p = corpus_path("stereoscope/oci/valid_manifest");
	if (!p)
		skip();
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_ocidir_open(p, &s, &err));
	assert_non_null(strstr(s->describe, "no oci-layout"));
	bl_store_free(s);
	free(p);
}

static void test_empty_blob_reports_size_mismatch(void **state)
{
	(void)state;
	char *p = corpus_path("stereoscope/oci/valid_manifest");
	if (!p)
		skip();
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_ocidir_open(p, &s, &err));
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	assert_true(bl_store_roots(s, &roots, &err));
	assert_int_equal(roots.len, 1);
	struct bl_store_root *r = roots.items[0];
	struct bl_buf b;
	bl_buf_init(&b);
	assert_false(bl_store_read_blob(s, &r->desc, 1 << 20, &b, &err));
	assert_int_equal(err.code, BL_E_DIGEST);
	assert_non_null(strstr(err.msg, "size 0, descriptor says 424"));
	/* Read without a size: the digest check catches it. */
	r->desc.size = -1;
	assert_false(bl_store_read_blob(s, &r->desc, 1 << 20, &b, &err));
	assert_int_equal(err.code, BL_E_DIGEST);
	assert_non_null(strstr(err.msg, "content hashes to sha256:e3b0c442"));
	bl_buf_fini(&b);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(p);
}

/* A small layout made at run time: one config-like blob referenced by index.json. */
static char *make_layout(struct bl_digest *d, const char *content)
{
	char *dir = make_tmpdir();
	bl_digest_compute(BL_DIGEST_SHA256, content, strlen(content), d);
	shell("mkdir -p '%s/blobs/sha256'", dir);
	char *blob = bl_asprintf("blobs/sha256/%s", bl_digest_hex(d));
	write_file(dir, blob, content, strlen(content));
	free(blob);
	char *idx = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
	                        "\"digest\":\"%s\",\"size\":%zu,\"annotations\":{"
	                        "\"org.opencontainers.image.ref.name\":\"v1\"}}]}",
	        BL_MT_OCI_MANIFEST, d->str, strlen(content));
	write_file(dir, "index.json", idx, strlen(idx));
	free(idx);
	write_file(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	return dir;
}

static void test_symlinked_blob_out_of_layout_is_refused(void **state)
{
	(void)state;
	struct bl_digest d;
	char *dir = make_layout(&d, "{\"schemaVersion\":2}");
	/* Replace the blob by a symlink to a file outside the layout with the same bytes. */
	char *outside = bl_asprintf("%s.outside", dir);
	write_file("/", outside + 1, "{\"schemaVersion\":2}", 19);
	shell("ln -sf '%s' '%s/blobs/sha256/%s'", outside, dir, bl_digest_hex(&d));
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(dir, NULL, &s, &err));
	struct bl_descriptor desc = {.digest = d, .size = 19};
	struct bl_buf b;
	bl_buf_init(&b);
	assert_false(bl_store_read_blob(s, &desc, 1 << 20, &b, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "is a symbolic link"));
	struct bl_stream *st = NULL;
	assert_false(bl_store_open_blob(s, &desc, &st, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	/* A symlinked blobs/ directory is refused too. */
	shell("mv '%s/blobs' '%s/realblobs' && ln -s realblobs '%s/blobs'", dir, dir, dir);
	assert_false(bl_store_read_blob(s, &desc, 1 << 20, &b, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "symbolic link"));
	bl_buf_fini(&b);
	bl_store_free(s);
	unlink(outside);
	free(outside);
	rm_tree(dir);
}

static void test_blob_whose_content_differs_from_its_name_fails_digest(void **state)
{
	(void)state;
	struct bl_digest d;
	const char *content = "{\"schemaVersion\":2,\"x\":1}";
	char *dir = make_layout(&d, content);
	char *blob = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&d));
	write_file(dir, blob, "{\"schemaVersion\":2,\"x\":2}", strlen(content)); /* same size */
	free(blob);
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(dir, NULL, &s, &err));
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	assert_true(bl_store_roots(s, &roots, &err));
	assert_int_equal(roots.len, 1);
	struct bl_store_root *r = roots.items[0];
	assert_string_equal(r->name, "v1");
	struct bl_buf b;
	bl_buf_init(&b);
	assert_false(bl_store_read_blob(s, &r->desc, 1 << 20, &b, &err));
	assert_int_equal(err.code, BL_E_DIGEST);
	assert_non_null(strstr(err.msg, "content hashes to sha256:"));
	/* The stream fails at its end too. */
	struct bl_stream *st = NULL;
	assert_true(bl_store_open_blob(s, &r->desc, &st, &err));
	char buf[256];
	ssize_t n, last;
	while ((last = n = st->read(st, buf, sizeof(buf), &err)) > 0)
		;
	assert_int_equal(last, -1);
	assert_int_equal(err.code, BL_E_DIGEST);
	st->close(st);
	bl_buf_fini(&b);
	bl_vec_fini(&roots);
	bl_store_free(s);
	rm_tree(dir);
}

static void test_missing_blob_is_not_found(void **state)
{
	(void)state;
	struct bl_digest d;
	char *dir = make_layout(&d, "{}");
	struct bl_digest other;
	bl_digest_compute(BL_DIGEST_SHA256, "nope", 4, &other);
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(dir, NULL, &s, &err));
	int64_t size = 0;
	assert_int_equal(bl_store_stat(s, &other, &size), BL_BLOB_MISSING);
	assert_int_equal(bl_store_stat(s, &d, &size), BL_BLOB_PRESENT);
	assert_int_equal(size, 2);
	struct bl_descriptor desc = {.digest = other, .size = -1};
	struct bl_buf b;
	bl_buf_init(&b);
	assert_false(bl_store_read_blob(s, &desc, 100, &b, &err));
	assert_int_equal(err.code, BL_E_NOT_FOUND);
	bl_buf_fini(&b);
	bl_store_free(s);
	rm_tree(dir);
}

static void test_index_json_missing_or_not_json_or_null_manifests(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	write_file(dir, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(bl_store_ocidir_open(dir, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "index.json"));

	write_file(dir, "index.json", "not json", 8);
	assert_false(bl_store_ocidir_open(dir, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "index.json"));

	write_file(dir, "index.json", "", 0);
	assert_false(bl_store_ocidir_open(dir, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "empty"));

	const char *nul = "{\"schemaVersion\":2,\"manifests\":null}";
	write_file(dir, "index.json", nul, strlen(nul));
	assert_true(bl_store_ocidir_open(dir, &s, &err));
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	assert_true(bl_store_roots(s, &roots, &err));
	assert_int_equal(roots.len, 0);
	bl_vec_fini(&roots);
	bl_store_free(s);
	rm_tree(dir);
}

static void test_bad_digest_in_index_gives_a_root_with_a_note(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	/* 63 hex digits, then a good entry */
	const char *idx = "{\"schemaVersion\":2,\"manifests\":["
	                  "{\"mediaType\":\"x\",\"size\":1,\"digest\":\"sha256:"
	                  "123456789012345678901234567890123456789012345678901234567890123\"},"
	                  "{\"mediaType\":\"y\",\"size\":2,\"digest\":\"sha256:"
	                  "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\"}]}";
	write_file(dir, "index.json", idx, strlen(idx));
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_ocidir_open(dir, &s, &err));
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	assert_true(bl_store_roots(s, &roots, &err));
	assert_int_equal(roots.len, 2);
	struct bl_store_root *bad = roots.items[0], *good = roots.items[1];
	assert_false(bl_digest_is_set(&bad->desc.digest));
	assert_non_null(bad->note);
	assert_non_null(strstr(bad->note, "manifests[0]"));
	assert_true(bl_digest_is_set(&good->desc.digest));
	struct bl_buf b;
	bl_buf_init(&b);
	assert_false(bl_store_read_blob(s, &bad->desc, 100, &b, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	bl_buf_fini(&b);
	bl_vec_fini(&roots);
	bl_store_free(s);
	rm_tree(dir);
}

static void test_ten_mib_index_json_is_too_big(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	size_t n = 10u << 20;
	char *big = bl_malloc(n);
	memset(big, ' ', n);
	memcpy(big, "{\"manifests\":[]", 15);
	big[n - 1] = '}';
	write_file(dir, "index.json", big, n);
	free(big);
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(bl_store_open(dir, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_TOO_BIG);
	assert_non_null(strstr(err.msg, "index.json"));
	rm_tree(dir);
}

static void test_fifo_blob_or_index_is_refused_without_blocking(void **state)
{
	(void)state;
	/* opening a FIFO for reading blocks until a writer comes: never */
	alarm(20);
	struct bl_digest d;
	char *dir = make_layout(&d, "{\"schemaVersion\":2}");
	shell("rm '%s/blobs/sha256/%s' && mkfifo '%s/blobs/sha256/%s'", dir, bl_digest_hex(&d), dir,
	        bl_digest_hex(&d));
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(dir, NULL, &s, &err));
	struct bl_descriptor desc = {.digest = d, .size = 19};
	struct bl_buf b;
	bl_buf_init(&b);
	assert_false(bl_store_read_blob(s, &desc, 1 << 20, &b, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "not a regular file"));
	struct bl_stream *st = NULL;
	assert_false(bl_store_open_blob(s, &desc, &st, &err));
	bl_buf_fini(&b);
	bl_store_free(s);
	shell("rm '%s/index.json' && mkfifo '%s/index.json'", dir, dir);
	assert_false(bl_store_open(dir, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "index.json: not a regular file"));
	alarm(0);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_corpus_layouts_open_and_walk_as_sources_md_says),
	        cmocka_unit_test(test_layout_without_oci_layout_file_says_so),
	        cmocka_unit_test(test_empty_blob_reports_size_mismatch),
	        cmocka_unit_test(test_symlinked_blob_out_of_layout_is_refused),
	        cmocka_unit_test(test_blob_whose_content_differs_from_its_name_fails_digest),
	        cmocka_unit_test(test_missing_blob_is_not_found),
	        cmocka_unit_test(test_index_json_missing_or_not_json_or_null_manifests),
	        cmocka_unit_test(test_bad_digest_in_index_gives_a_root_with_a_note),
	        cmocka_unit_test(test_ten_mib_index_json_is_too_big),
	        cmocka_unit_test(test_fifo_blob_or_index_is_refused_without_blocking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
