/* The tar store on `docker save` archives (manifest.json): the synthesised
 * v2s2 manifest, kaniko's layers, one root per repo tag (and a cap on
 * them), archives without images, without config or without blobs, many
 * small blobs in a compressed archive. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <time.h>

#include "store_helpers.h"
#include "tar_fixture.h"

static json_t *read_json(struct bl_store *s, const struct bl_descriptor *d)
{
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_error err;
	if (!bl_store_read_blob(s, d, 1u << 22, &b, &err))
		fail_msg("%s", err.msg);
	json_t *j = json_loadb(b.data, b.len, 0, NULL);
	bl_buf_fini(&b);
	assert_non_null(j);
	return j;
}

static void test_legacy_docker_save_synthesises_a_v2s2_manifest(void **state)
{
	(void)state;
	char *p = corpus_path(
	        "go-containerregistry/mutate/source_image_with_empty_layer_history.tar");
	if (!p)
		skip();
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(p, NULL, &s, &err));
	assert_non_null(strstr(s->describe, "legacy"));
	struct bl_vec roots;
	struct bl_store_root *r = first_root(s, &roots);
	assert_true(r->synthesised);
	assert_string_equal(r->desc.media_type, BL_MT_DOCKER_MANIFEST);
	json_t *m = read_json(s, &r->desc);
	assert_int_equal(json_integer_value(json_object_get(m, "schemaVersion")), 2);
	assert_string_equal(bl_json_str(m, "mediaType"), BL_MT_DOCKER_MANIFEST);
	/* The config file's name is not its digest: the digest is of its bytes. */
	struct bl_buf cfg;
	bl_buf_init(&cfg);
	assert_true(extract_member(
	        p, "6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e.json", &cfg));
	struct bl_digest cd;
	bl_digest_compute(BL_DIGEST_SHA256, cfg.data, cfg.len, &cd);
	json_t *c = json_object_get(m, "config");
	assert_string_equal(bl_json_str(c, "digest"), cd.str);
	assert_string_not_equal(
	        cd.str, "sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e");
	assert_int_equal(json_integer_value(json_object_get(c, "size")), cfg.len);
	assert_string_equal(bl_json_str(c, "mediaType"), BL_MT_DOCKER_CONFIG);
	/* layer digest = diff_id from the config */
	json_t *cj = json_loadb(cfg.data, cfg.len, 0, NULL);
	json_t *diff = json_array_get(bl_json_arr(bl_json_obj(cj, "rootfs"), "diff_ids"), 0);
	json_t *l0 = json_array_get(json_object_get(m, "layers"), 0);
	assert_string_equal(bl_json_str(l0, "digest"), json_string_value(diff));
	assert_string_equal(bl_json_str(l0, "mediaType"), BL_MT_DOCKER_LAYER);
	/* the manifest's digest is the digest of the bytes served */
	struct bl_buf mb;
	bl_buf_init(&mb);
	assert_true(bl_store_read_blob(s, &r->desc, 1 << 20, &mb, &err));
	struct bl_digest md;
	bl_digest_compute(BL_DIGEST_SHA256, mb.data, mb.len, &md);
	assert_string_equal(md.str, r->desc.digest.str);
	assert_int_equal(bl_store_stat(s, &md, NULL), BL_BLOB_VERIFIED);
	bl_buf_fini(&mb);
	json_decref(cj);
	json_decref(m);
	bl_buf_fini(&cfg);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(p);
}

static void test_kaniko_gzip_layers_are_named_by_their_own_digest(void **state)
{
	(void)state;
	char *p = corpus_path("dive/test-kaniko-image.tar");
	if (!p)
		skip();
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(p, NULL, &s, &err));
	struct bl_vec roots;
	struct bl_store_root *r = first_root(s, &roots);
	assert_string_equal(r->name, "dive-test:kaniko-latest");
	json_t *m = read_json(s, &r->desc);
	json_t *l0 = json_array_get(json_object_get(m, "layers"), 0);
	assert_string_equal(bl_json_str(l0, "mediaType"), BL_MT_DOCKER_LAYER_GZIP);
	struct bl_buf lb;
	bl_buf_init(&lb);
	assert_true(extract_member(
	        p, "5c4213be9af904dd74649d250f22023f532b2f9179ffcb15260b5eaa10d7a3b4.tar.gz", &lb));
	struct bl_digest ld;
	bl_digest_compute(BL_DIGEST_SHA256, lb.data, lb.len, &ld);
	assert_string_equal(bl_json_str(l0, "digest"), ld.str);
	assert_int_equal(json_integer_value(json_object_get(l0, "size")), lb.len);
	bl_buf_fini(&lb);
	json_decref(m);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(p);
}

static void test_repo_tags_give_one_root_each(void **state)
{
	(void)state;
	char *p = corpus_path("containers-skopeo/docker-two-images.tar.xz");
	if (!p)
		skip();
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(p, NULL, &s, &err));
	assert_non_null(strstr(s->describe, "xz"));
	assert_non_null(strstr(s->describe, "streamed"));
	struct bl_vec roots;
	first_root(s, &roots);
	assert_int_equal(roots.len, 2);
	assert_string_equal(
	        ((struct bl_store_root *)roots.items[0])->name, "example.com/empty:latest");
	assert_string_equal(
	        ((struct bl_store_root *)roots.items[1])->name, "example.com/empty/but:different");
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(p);
}

static void test_archives_without_images_fail_clearly(void **state)
{
	(void)state;
	char *probe = corpus_path("");
	if (!probe)
		skip();
	free(probe);
	static const struct {
		const char *path, *part;
	} bad[] = {
	        {"go-containerregistry/tarball/no_manifest.tar",
	                "not an image archive: no index.json or manifest.json"},
	        {"go-containerregistry/tarball/null_manifest.tar",
	                "manifest.json: expected an array of images, found null"},
	};
	for (size_t i = 0; i < 2; i++) {
		char *p = corpus_path(bad[i].path);
		struct bl_store *s = NULL;
		struct bl_error err;
		assert_false(bl_store_open(p, NULL, &s, &err));
		assert_int_equal(err.code, BL_E_FORMAT);
		if (!strstr(err.msg, bad[i].part))
			fail_msg("%s: %s", bad[i].path, err.msg);
		free(p);
	}
}

static void test_manifest_json_empty_or_without_config_fails(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/x.tar", dir);
	struct bl_store *s = NULL;
	struct bl_error err;
	struct tar_ent e1[] = {{"manifest.json", "[]", 2, NULL}};
	assert_true(write_tar(tar, e1, 1, 0));
	assert_false(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "manifest.json: empty array"));
	const char *nocfg = "[{\"RepoTags\":[\"a:b\"],\"Layers\":[]}]";
	struct tar_ent e2[] = {{"manifest.json", nocfg, strlen(nocfg), NULL}};
	assert_true(write_tar(tar, e2, 1, 0));
	assert_false(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "manifest.json[0]: no Config"));
	free(tar);
	rm_tree(dir);
}

/* A legacy docker save whose one image has `ntags` RepoTags, plus `nblobs`
 * small non-JSON members under blobs/sha256/. */
static char *legacy_tar(const char *dir, const char *name, size_t ntags, size_t nblobs, int filter)
{
	const char *layer = "LLLLLLLLLL";
	struct bl_digest ld;
	bl_digest_compute(BL_DIGEST_SHA256, layer, strlen(layer), &ld);
	char *cfg = bl_asprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
	                        "\"layers\",\"diff_ids\":[\"%s\"]}}",
	        ld.str);
	struct bl_buf mj;
	bl_buf_init(&mj);
	bl_buf_puts(&mj, "[{\"Config\":\"c.json\",\"Layers\":[\"l.tar\"],\"RepoTags\":[");
	for (size_t i = 0; i < ntags; i++)
		bl_buf_printf(&mj, "%s\"t:%zu\"", i ? "," : "", i);
	bl_buf_puts(&mj, "]}]");
	size_t n = 3 + nblobs;
	struct tar_ent *e = bl_calloc(n, sizeof(*e));
	char **names = bl_calloc(nblobs + 1, sizeof(char *));
	char **datas = bl_calloc(nblobs + 1, sizeof(char *));
	for (size_t i = 0; i < nblobs; i++) {
		struct bl_digest d;
		datas[i] = bl_asprintf("x%zu", i);
		bl_digest_compute(BL_DIGEST_SHA256, datas[i], strlen(datas[i]), &d);
		names[i] = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&d));
		e[i] = (struct tar_ent){names[i], datas[i], strlen(datas[i]), NULL};
	}
	e[nblobs] = (struct tar_ent){"c.json", cfg, strlen(cfg), NULL};
	e[nblobs + 1] = (struct tar_ent){"l.tar", layer, strlen(layer), NULL};
	e[nblobs + 2] = (struct tar_ent){"manifest.json", mj.data, mj.len, NULL};
	char *path = bl_asprintf("%s/%s", dir, name);
	assert_true(write_tar(path, e, n, filter));
	for (size_t i = 0; i < nblobs; i++) {
		free(names[i]);
		free(datas[i]);
	}
	free(names);
	free(datas);
	free(e);
	bl_buf_fini(&mj);
	free(cfg);
	return path;
}

static void test_millions_of_repo_tags_are_capped(void **state)
{
	(void)state;
	/* one root per RepoTag: a 32 MiB manifest.json could name millions */
	char *dir = make_tmpdir();
	char *path = legacy_tar(dir, "tags.tar", 60000, 0, 0);
	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_open(path, NULL, &s, &err))
		fail_msg("%s", err.msg);
	struct bl_vec roots;
	struct bl_store_root *r = first_root(s, &roots);
	assert_string_equal(r->name, "t:0");
	assert_int_equal(roots.len, 50000);
	assert_string_equal(((struct bl_store_root *)roots.items[49999])->name, "t:49999");
	if (!strstr(s->describe, "10000 more image name(s) past the first 50000 not listed"))
		fail_msg("%s", s->describe);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(path);
	rm_tree(dir);
}

static void test_many_small_blobs_in_a_compressed_legacy_tar_open_fast(void **state)
{
	(void)state;
	/* each blob was decompressed again from the start to see whether it
	 * was a manifest: quadratic in the number of members */
	char *dir = make_tmpdir();
	char *path = legacy_tar(dir, "many.tar.gz", 1, 3000, 'z');
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_open(path, NULL, &s, &err))
		fail_msg("%s", err.msg);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (sec > 5)
		fail_msg("opening took %.1f s", sec);
	struct bl_vec roots;
	struct bl_store_root *r = first_root(s, &roots);
	assert_true(r->synthesised);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(path);
	rm_tree(dir);
}

static void test_archive_without_blobs_answers_missing(void **state)
{
	(void)state;
	/* no blobs/ at all: the blob table is empty (qsort/bsearch on NULL
	 * is undefined behaviour, which UBSan reports) */
	char *dir = make_tmpdir();
	char *idx = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
	                        "\"digest\":\"sha256:%064d\",\"size\":2}]}",
	        BL_MT_OCI_MANIFEST, 0);
	struct tar_ent e[] = {{"index.json", idx, strlen(idx), NULL}};
	char *path = bl_asprintf("%s/empty.tar", dir);
	assert_true(write_tar(path, e, 1, 0));
	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_open(path, NULL, &s, &err))
		fail_msg("%s", err.msg);
	struct bl_vec roots;
	struct bl_store_root *r = first_root(s, &roots);
	assert_int_equal(bl_store_stat(s, &r->desc.digest, NULL), BL_BLOB_MISSING);
	struct bl_buf b;
	bl_buf_init(&b);
	assert_false(bl_store_read_blob(s, &r->desc, 1024, &b, &err));
	assert_int_equal(err.code, BL_E_NOT_FOUND);
	bl_buf_fini(&b);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(path);
	free(idx);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_legacy_docker_save_synthesises_a_v2s2_manifest),
	        cmocka_unit_test(test_kaniko_gzip_layers_are_named_by_their_own_digest),
	        cmocka_unit_test(test_repo_tags_give_one_root_each),
	        cmocka_unit_test(test_archives_without_images_fail_clearly),
	        cmocka_unit_test(test_manifest_json_empty_or_without_config_fails),
	        cmocka_unit_test(test_millions_of_repo_tags_are_capped),
	        cmocka_unit_test(test_many_small_blobs_in_a_compressed_legacy_tar_open_fast),
	        cmocka_unit_test(test_archive_without_blobs_answers_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
