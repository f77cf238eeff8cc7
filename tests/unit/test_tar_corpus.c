/* The tar store on the corpus's real archives: every one opens and walks
 * to the expected counts with every blob verified, and the blobs of an
 * OCI tar equal an independent extraction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <time.h>

#include "store_helpers.h"

/* Expected walks. Counts of indexes/manifests/missing from SOURCES.md
 * ("walk index.json -> ..."), layer counts from its manifest.json column. */
static const struct {
	const char *path;
	const char *kind;
	size_t roots;
	int indexes, manifests, layers, missing;
	bool synthesised;
} tars[] = {
        {"actions-toolkit/oci-archive/hello-oci-gzip.tar", "oci-archive", 1, 0, 1, 1, 0, false},
        {"actions-toolkit/oci-archive/hello-oci-uncompressed.tar", "oci-archive", 1, 0, 1, 1, 0,
                false},
        {"actions-toolkit/oci-archive/hello-oci-zstd.tar", "oci-archive", 1, 0, 1, 1, 0, false},
        {"actions-toolkit/oci-archive/hello-oci-multiplatform-gzip.tar", "oci-archive", 1, 1, 4, 4,
                0, false},
        {"actions-toolkit/dockerbuild/test-docker-action-COIO50.dockerbuild", "oci-archive", 1, 0,
                1, 2, 0, false},
        {"actions-toolkit/dockerbuild/test-docker-action-SNHBPN-3.dockerbuild", "oci-archive", 1, 1,
                4, 4, 0, false},
        {"go-containerregistry/tarball/hello-world-v25.tar", "oci-archive", 1, 0, 1, 1, 0, false},
        {"go-containerregistry/tarball/test_link.tar", "docker-archive", 2, 0, 2, 2, 0, true},
        {"go-containerregistry/tarball/test_bundle.tar", "docker-archive", 2, 0, 2, 2, 0, true},
        {"go-containerregistry/tarball/test_image_1.tar", "docker-archive", 1, 0, 1, 1, 0, true},
        {"go-containerregistry/mutate/source_image_with_empty_layer_history.tar", "docker-archive",
                1, 0, 1, 1, 0, true},
        {"go-containerregistry/mutate/whiteout_image.tar", "docker-archive", 1, 0, 1, 3, 0, true},
        {"containers-image/docker-archive/almostempty.tar", "docker-archive", 1, 0, 1, 1, 0, true},
        /* two images share one layer (symlinked layer.tar): 1 distinct layer */
        {"containers-skopeo/docker-two-images.tar.xz", "docker-archive", 2, 0, 2, 1, 0, true},
        {"dive/test-docker-image.tar", "docker-archive", 1, 0, 1, 14, 0, true},
        {"dive/test-kaniko-image.tar", "docker-archive", 1, 0, 1, 14, 0, true},
        {"dive/test-oci-gzip-image.tar", "oci-archive", 1, 0, 1, 1, 0, false},
        {"dive/test-oci-uncompressed-image.tar", "oci-archive", 1, 0, 1, 1, 0, false},
        {"dive/test-oci-zstd-image.tar", "oci-archive", 1, 0, 1, 1, 0, false},
        {"dive/test-oci-estargz-image.tar", "oci-archive", 1, 0, 1, 1, 0, false},
        {"stereoscope/oci/valid-oci.tar", "oci-archive", 1, 0, 1, 1, 0, false},
        /* sparse containerd export: 10 platform manifests referenced, absent */
        {"oras-go/hello-world.tar", "oci-archive", 1, 1, 1, 1, 10, false},
        {"oras-go/hello-world-prefixed-path.tar", "oci-archive", 1, 1, 1, 1, 10, false},
};

static void test_corpus_tars_open_and_walk_verified(void **state)
{
	(void)state;
	char *probe = corpus_path("");
	if (!probe)
		skip();
	free(probe);
	for (size_t i = 0; i < sizeof(tars) / sizeof(tars[0]); i++) {
		char *p = corpus_path(tars[i].path);
		struct bl_store *s = NULL;
		struct bl_error err;
		bl_error_clear(&err);
		if (!bl_store_open(p, NULL, &s, &err))
			fail_msg("%s: %s", tars[i].path, err.msg);
		if (strcmp(s->ops->kind, tars[i].kind) != 0)
			fail_msg("%s: kind %s", tars[i].path, s->ops->kind);
		struct bl_vec roots;
		bl_vec_init(&roots, bl_store_root_free);
		assert_true(bl_store_roots(s, &roots, &err));
		for (size_t k = 0; k < roots.len; k++) {
			struct bl_store_root *r = roots.items[k];
			if (r->synthesised != tars[i].synthesised)
				fail_msg("%s: root %zu synthesised=%d", tars[i].path, k,
				        r->synthesised);
			if (r->synthesised)
				assert_non_null(strstr(r->note, "synthesised"));
		}
		bl_vec_fini(&roots);
		struct walk_counts *w = bl_calloc(1, sizeof(*w));
		size_t n = 0;
		walk_store(s, w, &n);
		if (n != tars[i].roots || w->indexes != tars[i].indexes ||
		        w->manifests != tars[i].manifests || w->layers != tars[i].layers ||
		        w->missing != tars[i].missing || w->mismatch != 0 || w->other != 0)
			fail_msg("%s: roots %zu idx %d man %d layers %d missing %d mismatch %d "
			         "other %d",
			        tars[i].path, n, w->indexes, w->manifests, w->layers, w->missing,
			        w->mismatch, w->other);
		free(w);
		bl_store_free(s);
		free(p);
	}
}

/* Every blobs/<alg>/<hex> member: the store's bytes equal what libarchive
 * extracts on its own, and hash to the member's name. */
static void check_blobs_match_extraction(const char *rel)
{
	char *p = corpus_path(rel);
	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_open(p, NULL, &s, &err))
		fail_msg("%s: %s", rel, err.msg);
	struct archive *a = archive_read_new();
	archive_read_support_format_all(a);
	archive_read_support_filter_all(a);
	assert_int_equal(archive_read_open_filename(a, p, 65536), ARCHIVE_OK);
	struct archive_entry *e;
	int checked = 0;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);
		if (strncmp(name, "./", 2) == 0)
			name += 2;
		if (strncmp(name, "blobs/sha256/", 13) != 0 ||
		        archive_entry_filetype(e) != AE_IFREG)
			continue;
		struct bl_buf want, got;
		bl_buf_init(&want);
		bl_buf_init(&got);
		char buf[65536];
		la_ssize_t r;
		while ((r = archive_read_data(a, buf, sizeof(buf))) > 0)
			bl_buf_append(&want, buf, (size_t)r);
		struct bl_descriptor d = {.size = (int64_t)want.len};
		char *ds = bl_asprintf("sha256:%s", name + 13);
		assert_true(bl_digest_parse(ds, &d.digest, NULL));
		struct bl_digest h;
		bl_digest_compute(BL_DIGEST_SHA256, want.data ? want.data : "", want.len, &h);
		assert_string_equal(h.str, ds);
		if (!bl_store_read_blob(s, &d, 64u << 20, &got, &err))
			fail_msg("%s: %s: %s", rel, name, err.msg);
		assert_int_equal(got.len, want.len);
		assert_memory_equal(got.data ? got.data : "", want.data ? want.data : "", want.len);
		int64_t size;
		assert_int_not_equal(bl_store_stat(s, &d.digest, &size), BL_BLOB_MISSING);
		assert_int_equal(size, (int64_t)want.len);
		free(ds);
		bl_buf_fini(&want);
		bl_buf_fini(&got);
		checked++;
	}
	assert_true(checked > 0);
	archive_read_free(a);
	bl_store_free(s);
	free(p);
}

static void test_oci_tar_blobs_equal_independent_extraction(void **state)
{
	(void)state;
	char *probe = corpus_path("");
	if (!probe)
		skip();
	free(probe);
	check_blobs_match_extraction(
	        "actions-toolkit/oci-archive/hello-oci-multiplatform-gzip.tar");
	check_blobs_match_extraction("oras-go/hello-world-prefixed-path.tar");
	check_blobs_match_extraction("go-containerregistry/tarball/hello-world-v25.tar");
	/* gzip-compressed outer tar: read by re-streaming */
	check_blobs_match_extraction(
	        "actions-toolkit/dockerbuild/test-docker-action-SNHBPN-3.dockerbuild");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_corpus_tars_open_and_walk_verified),
	        cmocka_unit_test(test_oci_tar_blobs_equal_independent_extraction),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
