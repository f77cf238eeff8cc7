#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>

#include "store_helpers.h"

/* Open `rel` from the corpus as "-" through a real pipe (popen "cat"). */
static struct bl_store *open_piped(const char *path, FILE **pipe_out, struct bl_error *err)
{
	char *cmd = bl_asprintf("cat '%s'", path);
	FILE *p = popen(cmd, "r");
	free(cmd);
	assert_non_null(p);
	struct bl_source_opts o = {.stdin_fd = fileno(p)};
	struct bl_store *s = NULL;
	bool ok = bl_store_open("-", &o, &s, err);
	*pipe_out = p;
	return ok ? s : NULL;
}

static const struct {
	const char *path;
	size_t roots;
	int manifests, layers;
} piped[] = {
	{"dive/test-docker-image.tar", 1, 1, 14},
	{"dive/test-kaniko-image.tar", 1, 1, 14},
	{"containers-skopeo/docker-two-images.tar.xz", 2, 2, 1},
	{"actions-toolkit/oci-archive/hello-oci-multiplatform-gzip.tar", 1, 4, 4},
	{"actions-toolkit/dockerbuild/test-docker-action-COIO50.dockerbuild", 1, 1, 2},
	{"go-containerregistry/tarball/hello-world-v25.tar", 1, 1, 1},
	{"go-containerregistry/tarball/test_link.tar", 2, 2, 2},
	{"oras-go/hello-world-prefixed-path.tar", 1, 1, 1},
};

static void test_corpus_tars_read_once_from_a_pipe(void **state)
{
	(void)state;
	char *probe = corpus_path("");
	if (!probe)
		skip();
	free(probe);
	for (size_t i = 0; i < sizeof(piped) / sizeof(piped[0]); i++) {
		char *p = corpus_path(piped[i].path);
		FILE *pp;
		struct bl_error err;
		struct bl_store *s = open_piped(p, &pp, &err);
		pclose(pp);
		if (!s)
			fail_msg("%s: %s", piped[i].path, err.msg);
		assert_string_equal(s->ops->kind, "stdin");
		assert_non_null(strstr(s->describe, "read once"));
		struct walk_counts *w = bl_calloc(1, sizeof(*w));
		size_t n;
		walk_store(s, w, &n);
		/* manifests and configs are kept; tar layers were hashed, not kept
		 * (small JSON layers such as in-toto statements are kept) */
		if (n != piped[i].roots || w->manifests != piped[i].manifests ||
			w->configs < 1 || w->unsupported + w->layers != piped[i].layers ||
			w->unsupported < 1 ||
			w->other + w->mismatch != 0)
			fail_msg("%s: roots %zu man %d cfg %d unsupported %d layers %d other %d",
				piped[i].path, n, w->manifests, w->configs, w->unsupported, w->layers,
				w->other);
		free(w);
		bl_store_free(s);
		free(p);
	}
}

static void test_stdin_keeps_config_so_diff_ids_are_known_and_layers_verified(void **state)
{
	(void)state;
	char *p = corpus_path("dive/test-docker-image.tar");
	if (!p)
		skip();
	FILE *pp;
	struct bl_error err;
	struct bl_store *s = open_piped(p, &pp, &err);
	pclose(pp);
	assert_non_null(s);
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	assert_true(bl_store_roots(s, &roots, &err));
	struct bl_store_root *r = roots.items[0];
	assert_string_equal(r->name, "dive-test:latest");
	struct bl_buf b;
	bl_buf_init(&b);
	assert_true(bl_store_read_blob(s, &r->desc, 1 << 20, &b, &err));
	json_t *m = json_loadb(b.data, b.len, 0, NULL);
	bl_buf_clear(&b);
	struct bl_descriptor cd;
	assert_true(bl_descriptor_parse(json_object_get(m, "config"), "config", &cd, &err));
	assert_true(bl_store_read_blob(s, &cd, 1 << 20, &b, &err));
	json_t *c = json_loadb(b.data, b.len, 0, NULL);
	json_t *diff = bl_json_arr(bl_json_obj(c, "rootfs"), "diff_ids");
	assert_int_equal(json_array_size(diff), 14);
	/* every layer was hashed on the way through and matches its diff_id */
	size_t i;
	json_t *l;
	json_array_foreach(json_object_get(m, "layers"), i, l)
	{
		struct bl_digest d;
		assert_true(bl_digest_parse(bl_json_str(l, "digest"), &d, &err));
		assert_string_equal(d.str, json_string_value(json_array_get(diff, i)));
		int64_t size;
		assert_int_equal(bl_store_stat(s, &d, &size), BL_BLOB_VERIFIED);
		assert_true(size > 0);
	}
	/* and cannot be read back */
	struct bl_descriptor ld;
	assert_true(bl_descriptor_parse(json_array_get(json_object_get(m, "layers"), 0), "l", &ld, &err));
	assert_false(bl_store_read_blob(s, &ld, 64u << 20, &b, &err));
	assert_int_equal(err.code, BL_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "layer not kept: standard input is read once"));
	struct bl_stream *st;
	assert_false(bl_store_open_blob(s, &ld, &st, &err));
	assert_int_equal(err.code, BL_E_UNSUPPORTED);
	bl_descriptor_fini(&ld);
	bl_descriptor_fini(&cd);
	json_decref(c);
	json_decref(m);
	bl_buf_fini(&b);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(p);
}

static void test_stdin_blob_states_say_verified_or_mismatch(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *tar = bl_asprintf("%s/x.tar.gz", dir);
	static char good[5u << 20]; /* over the keep cap: hashed, not kept */
	memset(good, 'g', sizeof(good));
	struct bl_digest gd, bd;
	bl_digest_compute(BL_DIGEST_SHA256, good, sizeof(good), &gd);
	bl_digest_compute(BL_DIGEST_SHA256, "expected", 8, &bd);
	char *gname = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&gd));
	char *bname = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&bd));
	const char *idx = "{\"schemaVersion\":2,\"manifests\":[]}";
	struct tar_ent e[] = {
		{gname, good, sizeof(good), NULL},
		{bname, "actually", 8, NULL},
		{"index.json", idx, strlen(idx), NULL},
	};
	assert_true(write_tar(tar, e, 3, 'z')); /* compressed input on stdin */
	int fd = open(tar, O_RDONLY);
	assert_true(fd >= 0);
	struct bl_source_opts o = {.stdin_fd = fd};
	struct bl_store *s = NULL;
	struct bl_error err;
	if (!bl_store_open("-", &o, &s, &err))
		fail_msg("%s", err.msg);
	close(fd);
	int64_t size;
	assert_int_equal(bl_store_stat(s, &gd, &size), BL_BLOB_VERIFIED);
	assert_int_equal(size, (int64_t)sizeof(good));
	assert_int_equal(bl_store_stat(s, &bd, &size), BL_BLOB_MISMATCH);
	struct bl_descriptor d = {.digest = gd, .size = (int64_t)sizeof(good)};
	struct bl_buf b;
	bl_buf_init(&b);
	assert_false(bl_store_read_blob(s, &d, 8u << 20, &b, &err));
	assert_int_equal(err.code, BL_E_UNSUPPORTED);
	bl_buf_fini(&b);
	bl_store_free(s);
	free(gname);
	free(bname);
	free(tar);
	rm_tree(dir);
}

static void test_empty_or_garbage_stdin_is_a_format_error(void **state)
{
	(void)state;
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	close(fds[1]);
	struct bl_source_opts o = {.stdin_fd = fds[0]};
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(bl_store_open("-", &o, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "standard input"));
	close(fds[0]);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "{\"not\":\"a tar\"}", 15), 15);
	close(fds[1]);
	o.stdin_fd = fds[0];
	assert_false(bl_store_open("-", &o, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	close(fds[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_tars_read_once_from_a_pipe),
		cmocka_unit_test(test_stdin_keeps_config_so_diff_ids_are_known_and_layers_verified),
		cmocka_unit_test(test_stdin_blob_states_say_verified_or_mismatch),
		cmocka_unit_test(test_empty_or_garbage_stdin_is_a_format_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
