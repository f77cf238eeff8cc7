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

static struct bl_store_root *first_root(struct bl_store *s, struct bl_vec *roots)
{
	struct bl_error err;
	bl_vec_init(roots, bl_store_root_free);
	assert_true(bl_store_roots(s, roots, &err));
	assert_true(roots->len > 0);
	return roots->items[0];
}

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

/* ---- archives made at run time ---- */

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

/* A legacy docker save: config + one layer; `layer_path` as manifest.json names it. */
static void write_legacy(
        const char *tar, const char *layer_member, const char *layer_path, int filter)
{
	static char layer[3000];
	memset(layer, 'L', sizeof(layer));
	struct bl_digest ld;
	bl_digest_compute(BL_DIGEST_SHA256, layer, sizeof(layer), &ld);
	char *cfg = bl_asprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
	                        "\"layers\",\"diff_ids\":[\"%s\"]}}",
	        ld.str);
	json_t *man = json_pack("[{s:s, s:[s], s:[s]}]", "Config", "cfg.json", "RepoTags", "t:1",
	        "Layers", layer_path);
	char *mj = json_dumps(man, JSON_COMPACT);
	json_decref(man);
	struct tar_ent e[] = {
	        {"cfg.json", cfg, strlen(cfg), NULL},
	        {layer_member, layer, sizeof(layer), NULL},
	        {"manifest.json", mj, strlen(mj), NULL},
	};
	assert_true(write_tar(tar, e, 3, filter));
	free(mj);
	free(cfg);
}

static void test_member_names_with_escapes_stay_escaped_in_messages(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/x.tar", dir);
	const char *evil = "ab\x1b[31m\ncd/layer.tar";
	/* The member exists under that exact name: it resolves. */
	write_legacy(tar, evil, evil, 0);
	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_open(tar, NULL, &s, &err))
		fail_msg("%s", err.msg);
	struct walk_counts *w = bl_calloc(1, sizeof(*w));
	size_t n;
	walk_store(s, w, &n);
	assert_int_equal(w->layers, 1);
	assert_int_equal(w->other + w->missing + w->mismatch, 0);
	free(w);
	bl_store_free(s);
	/* manifest.json names a member that is not there: the message escapes it. */
	write_legacy(tar, "other/layer.tar", evil, 0);
	assert_false(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_null(strchr(err.msg, '\x1b'));
	assert_null(strchr(err.msg, '\n'));
	assert_non_null(strstr(err.msg, "Layers[0]"));
	assert_non_null(strstr(err.msg, "\\e[31m\\n"));
	free(tar);
	rm_tree(dir);
}

static void test_dotdot_members_are_ignored_and_paths_cannot_escape(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/x.tar", dir);
	/* The layer is stored as "../evil/layer.tar"; manifest.json points there. */
	write_legacy(tar, "../evil/layer.tar", "../evil/layer.tar", 0);
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "leaves the archive"));
	/* A stray ".." member next to a good image: ignored, and said so. */
	static char layer[3000];
	memset(layer, 'L', sizeof(layer));
	struct bl_digest ld;
	bl_digest_compute(BL_DIGEST_SHA256, layer, sizeof(layer), &ld);
	char *cfg = bl_asprintf("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", ld.str);
	const char *mj =
	        "[{\"Config\":\"./c.json\",\"RepoTags\":null,\"Layers\":[\"l//layer.tar\"]}]";
	struct tar_ent e[] = {
	        {"c.json", cfg, strlen(cfg), NULL},
	        {"l/layer.tar", layer, sizeof(layer), NULL},
	        {"a/../../x", "x", 1, NULL},
	        {"manifest.json", mj, strlen(mj), NULL},
	};
	assert_true(write_tar(tar, e, 4, 0));
	if (!bl_store_open(tar, NULL, &s, &err))
		fail_msg("%s", err.msg);
	assert_non_null(strstr(s->describe, "\"..\""));
	struct bl_vec roots;
	struct bl_store_root *r = first_root(s, &roots);
	assert_null(r->name); /* RepoTags null: untagged */
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(cfg);
	free(tar);
	rm_tree(dir);
}

static void test_symlinked_layer_member_resolves_to_its_target(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/x.tar", dir);
	static char layer[3000];
	memset(layer, 'L', sizeof(layer));
	struct bl_digest ld;
	bl_digest_compute(BL_DIGEST_SHA256, layer, sizeof(layer), &ld);
	char *cfg = bl_asprintf("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}", ld.str);
	const char *mj =
	        "[{\"Config\":\"c.json\",\"RepoTags\":[\"x:1\"],\"Layers\":[\"b/layer.tar\"]}]";
	struct tar_ent e[] = {
	        {"c.json", cfg, strlen(cfg), NULL},
	        {"a/layer.tar", layer, sizeof(layer), NULL},
	        {"b/layer.tar", NULL, 0, "../a/layer.tar"},
	        {"manifest.json", mj, strlen(mj), NULL},
	};
	assert_true(write_tar(tar, e, 4, 0));
	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_open(tar, NULL, &s, &err))
		fail_msg("%s", err.msg);
	struct bl_descriptor d = {.digest = ld, .size = sizeof(layer)};
	struct bl_buf b;
	bl_buf_init(&b);
	assert_true(bl_store_read_blob(s, &d, 1 << 20, &b, &err));
	assert_int_equal(b.len, sizeof(layer));
	bl_buf_fini(&b);
	bl_store_free(s);
	/* A symlink pointing out of the archive does not resolve. */
	e[2].link = "../../etc/passwd";
	assert_true(write_tar(tar, e, 4, 0));
	assert_false(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	free(cfg);
	free(tar);
	rm_tree(dir);
}

static void test_blob_member_not_matching_its_name_fails_digest(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/x.tar", dir);
	const char *real = "{\"schemaVersion\":2,\"a\":1}";
	const char *fake = "{\"schemaVersion\":2,\"a\":2}";
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, real, strlen(real), &d);
	char *blob = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&d));
	char *idx = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
	                        "\"digest\":\"%s\",\"size\":%zu}]}",
	        BL_MT_OCI_MANIFEST, d.str, strlen(real));
	struct tar_ent e[] = {
	        {blob, fake, strlen(fake), NULL},
	        {"index.json", idx, strlen(idx), NULL},
	        {"oci-layout", "{}", 2, NULL},
	};
	for (int filter = 0; filter < 2; filter++) {
		assert_true(write_tar(tar, e, 3, filter ? 'z' : 0));
		struct bl_store *s = NULL;
		struct bl_error err;
		assert_true(bl_store_open(tar, NULL, &s, &err));
		struct bl_vec roots;
		struct bl_store_root *r = first_root(s, &roots);
		struct bl_buf b;
		bl_buf_init(&b);
		assert_false(bl_store_read_blob(s, &r->desc, 1 << 20, &b, &err));
		assert_int_equal(err.code, BL_E_DIGEST);
		assert_non_null(strstr(err.msg, "content hashes to"));
		/* a compressed archive was hashed while indexing */
		assert_int_equal(
		        bl_store_stat(s, &d, NULL), filter ? BL_BLOB_MISMATCH : BL_BLOB_PRESENT);
		bl_buf_fini(&b);
		bl_vec_fini(&roots);
		bl_store_free(s);
	}
	free(blob);
	free(idx);
	free(tar);
	rm_tree(dir);
}

static void test_truncated_tar_fails_naming_the_member(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/x.tar", dir);
	static char big[200000];
	memset(big, 'B', sizeof(big));
	struct tar_ent e[] = {
	        {"oci-layout", "{}", 2, NULL},
	        {"blobs/sha256/big", big, sizeof(big), NULL},
	        {"index.json", "{\"manifests\":[]}", 16, NULL},
	};
	assert_true(write_tar(tar, e, 3, 0));
	assert_int_equal(truncate(tar, 100000), 0);
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "blobs/sha256/big"));
	assert_non_null(strstr(err.msg, "truncated"));
	/* compressed and cut: also a clean format error */
	assert_true(write_tar(tar, e, 3, 'z'));
	struct stat st;
	assert_int_equal(stat(tar, &st), 0);
	assert_int_equal(truncate(tar, st.st_size / 2), 0);
	assert_false(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	/* a header cut in the middle */
	assert_true(write_tar(tar, e, 3, 0));
	assert_int_equal(truncate(tar, 700), 0);
	assert_false(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	/* not a tar at all */
	write_file(dir, "x.tar", "hello, this is not a tar archive at all", 39);
	assert_false(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	free(tar);
	rm_tree(dir);
}

static void test_ten_mib_index_json_in_a_tar_is_too_big(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/x.tar", dir);
	size_t n = 10u << 20;
	char *big = bl_malloc(n);
	memset(big, ' ', n);
	memcpy(big, "{\"manifests\":[]", 15);
	big[n - 1] = '}';
	struct tar_ent e[] = {{"index.json", big, n, NULL}};
	assert_true(write_tar(tar, e, 1, 0));
	free(big);
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(bl_store_open(tar, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_TOO_BIG);
	assert_non_null(strstr(err.msg, "index.json"));
	free(tar);
	rm_tree(dir);
}

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

/* ---- hostile archives ---- */

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

static bool cancel_at_second(void *ud, const char *what, uint64_t done, uint64_t total)
{
	int *calls = ud;
	(void)what;
	(void)total;
	(void)done;
	return ++*calls < 2;
}

static void test_progress_can_cancel_indexing(void **state)
{
	(void)state;
	char *p = corpus_path("dive/test-docker-image.tar");
	if (!p)
		skip();
	int calls = 0;
	struct bl_source_opts o = {.progress = cancel_at_second, .progress_ud = &calls};
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(bl_store_open(p, &o, &s, &err));
	assert_int_equal(err.code, BL_E_CANCELLED);
	assert_int_equal(calls, 2);
	free(p);
}

struct progress_log {
	int calls;
	int cancel_at; /* 0: never */
	uint64_t last_done;
};

static bool log_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct progress_log *l = ud;
	(void)what;
	(void)total;
	l->calls++;
	l->last_done = done;
	return l->cancel_at == 0 || l->calls < l->cancel_at;
}

/* A compressed archive is streamed: inside one big member (a layer) the
 * progress still moves, and a cancel takes effect there, not after it. */
static void test_progress_moves_and_cancels_inside_a_big_member(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	size_t len = 24u << 20;
	unsigned char *big = bl_malloc(len);
	for (size_t i = 0; i < len; i++)
		big[i] = (unsigned char)(i * 2654435761u >>
		                         13); /* not all zeros: real work for gzip */
	static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
	static const char index[] = "{\"schemaVersion\":2,\"manifests\":[]}";
	struct tar_ent e[] = {
	        {"oci-layout", layout, sizeof layout - 1, NULL},
	        {"blobs/sha256/0000000000000000000000000000000000000000000000000000000000000000",
	                big, len, NULL},
	        {"index.json", index, sizeof index - 1, NULL},
	};
	char *tar = bl_asprintf("%s/big.tar.gz", dir);
	assert_true(write_tar(tar, e, 3, 'z'));
	free(big);

	struct progress_log l = {0};
	struct bl_source_opts o = {.progress = log_progress, .progress_ud = &l};
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(tar, &o, &s, &err));
	/* 24 MiB in 4 MiB steps: at least 5 reports from inside the member */
	assert_true(l.calls >= 5);
	bl_store_free(s);

	struct progress_log c = {.cancel_at = 3};
	o.progress_ud = &c;
	assert_false(bl_store_open(tar, &o, &s, &err));
	assert_int_equal(err.code, BL_E_CANCELLED);
	assert_int_equal(c.calls, 3);
	free(tar);
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
	        cmocka_unit_test(test_corpus_tars_open_and_walk_verified),
	        cmocka_unit_test(test_oci_tar_blobs_equal_independent_extraction),
	        cmocka_unit_test(test_legacy_docker_save_synthesises_a_v2s2_manifest),
	        cmocka_unit_test(test_kaniko_gzip_layers_are_named_by_their_own_digest),
	        cmocka_unit_test(test_repo_tags_give_one_root_each),
	        cmocka_unit_test(test_archives_without_images_fail_clearly),
	        cmocka_unit_test(test_manifest_json_empty_or_without_config_fails),
	        cmocka_unit_test(test_member_names_with_escapes_stay_escaped_in_messages),
	        cmocka_unit_test(test_dotdot_members_are_ignored_and_paths_cannot_escape),
	        cmocka_unit_test(test_symlinked_layer_member_resolves_to_its_target),
	        cmocka_unit_test(test_blob_member_not_matching_its_name_fails_digest),
	        cmocka_unit_test(test_truncated_tar_fails_naming_the_member),
	        cmocka_unit_test(test_ten_mib_index_json_in_a_tar_is_too_big),
	        cmocka_unit_test(test_outer_gzip_xz_zstd_made_by_tar_open_the_same),
	        cmocka_unit_test(test_compressed_archive_rereads_large_members),
	        cmocka_unit_test(test_progress_can_cancel_indexing),
	        cmocka_unit_test(test_progress_moves_and_cancels_inside_a_big_member),
	        cmocka_unit_test(test_huge_member_is_skipped_by_seeking),
	        cmocka_unit_test(test_pax_size_near_int64_max_is_a_truncated_member),
	        cmocka_unit_test(test_damaged_header_is_a_broken_header_not_an_internal_error),
	        cmocka_unit_test(test_sparse_terabyte_layer_is_refused_not_allocated),
	        cmocka_unit_test(test_sparse_terabyte_blob_on_stdin_is_not_hashed),
	        cmocka_unit_test(test_millions_of_repo_tags_are_capped),
	        cmocka_unit_test(test_many_small_blobs_in_a_compressed_legacy_tar_open_fast),
	        cmocka_unit_test(test_archive_without_blobs_answers_missing),
	        cmocka_unit_test(test_gzip_without_its_trailer_fails_with_a_reason),
	        cmocka_unit_test(test_read_range_preads_uncompressed_members_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
