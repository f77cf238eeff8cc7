#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>

#include "store_helpers.h"

static size_t count_roots(struct bl_store *s, const char **first_name, struct bl_error *err)
{
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	if (!bl_store_roots(s, &roots, err)) {
		bl_vec_fini(&roots);
		return (size_t)-1;
	}
	static char name[256];
	name[0] = '\0';
	if (roots.len && ((struct bl_store_root *)roots.items[0])->name)
		snprintf(name, sizeof(name), "%s", ((struct bl_store_root *)roots.items[0])->name);
	if (first_name)
		*first_name = name;
	size_t n = roots.len;
	bl_vec_fini(&roots);
	return n;
}

static void test_open_tells_sources_apart_by_content(void **state)
{
	(void)state;
	char *probe = corpus_path("");
	if (!probe)
		skip();
	free(probe);
	static const struct {
		const char *arg; /* relative to the corpus */
		const char *prefix;
		const char *kind;
		enum bl_status code;
	} cases[] = {
	        {"regclient/testrepo", "", "oci-dir", BL_OK},
	        {"regclient/testrepo", "oci:", "oci-dir", BL_OK},
	        {"stereoscope/oci/valid-oci.tar", "", "oci-archive", BL_OK},
	        {"stereoscope/oci/valid-oci.tar", "oci-archive:", "oci-archive", BL_OK},
	        {"dive/test-docker-image.tar", "docker-archive:", "docker-archive", BL_OK},
	        /* .dockerbuild: a gzip tar, found by its magic, not its name */
	        {"actions-toolkit/dockerbuild/test-docker-action-COIO50.dockerbuild", "",
	                "oci-archive", BL_OK},
	        {"actions-toolkit/metadata/metadata-build.json", "", NULL, BL_E_FORMAT},
	        {"buildkit/compatibility", "", NULL, BL_E_FORMAT},
	        {"regclient/testrepo", "oci-archive:", NULL, BL_E_FORMAT},
	        {"dive/test-docker-image.tar", "oci:", NULL, BL_E_FORMAT},
	        {"no/such/thing.tar", "", NULL, BL_E_IO},
	        {"stereoscope/oci/invalid_file-index.json", "", NULL, BL_E_FORMAT},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = corpus_path(cases[i].arg);
		char *arg = bl_asprintf("%s%s", cases[i].prefix, p);
		struct bl_store *s = NULL;
		struct bl_error err;
		bl_error_clear(&err);
		bool ok = bl_store_open(arg, NULL, &s, &err);
		if (ok != (cases[i].code == BL_OK) || (!ok && err.code != cases[i].code))
			fail_msg(
			        "%s: ok=%d code=%s %s", arg, ok, bl_status_name(err.code), err.msg);
		if (ok) {
			assert_string_equal(s->ops->kind, cases[i].kind);
			assert_string_equal(s->source, arg);
			assert_true(strlen(s->describe) > 0);
		}
		if (cases[i].code == BL_E_IO)
			assert_non_null(strstr(err.msg, "no such file or directory"));
		bl_store_free(s);
		free(arg);
		free(p);
	}
}

static void test_ref_selector_filters_roots(void **state)
{
	(void)state;
	char *p = corpus_path("containers-image/oci-layout/delete_image_multiple_images");
	char *t = corpus_path("containers-skopeo/docker-two-images.tar.xz");
	if (!p)
		skip();
	struct bl_store *s = NULL;
	struct bl_error err;
	const char *name;
	char *arg = bl_asprintf("oci:%s:3.18", p);
	assert_true(bl_store_open(arg, NULL, &s, &err));
	assert_string_equal(s->ref, "3.18");
	assert_int_equal(count_roots(s, &name, &err), 1);
	assert_string_equal(name, "3.18");
	bl_store_free(s);
	free(arg);
	/* by digest: two index entries point at a2f79832... */
	arg = bl_asprintf(
	        "oci:%s:sha256:a2f798327b3f25e3eff54badcb769953de235e62e3e32051d57a5e66246de4a1",
	        p);
	assert_true(bl_store_open(arg, NULL, &s, &err));
	assert_int_equal(count_roots(s, NULL, &err), 2);
	bl_store_free(s);
	free(arg);
	/* nothing matches */
	arg = bl_asprintf("oci:%s:9.9", p);
	assert_true(bl_store_open(arg, NULL, &s, &err));
	assert_int_equal(count_roots(s, NULL, &err), (size_t)-1);
	assert_int_equal(err.code, BL_E_NOT_FOUND);
	assert_non_null(strstr(err.msg, "9.9"));
	bl_store_free(s);
	free(arg);
	/* a full reference matches by its whole name or by its tag */
	arg = bl_asprintf("docker-archive:%s:different", t);
	assert_true(bl_store_open(arg, NULL, &s, &err));
	assert_int_equal(count_roots(s, &name, &err), 1);
	assert_string_equal(name, "example.com/empty/but:different");
	bl_store_free(s);
	free(arg);
	/* normalised: "library/..." and "docker.io/..." forms select each other */
	arg = bl_asprintf("docker-archive:%s:example.com/empty", t);
	assert_true(bl_store_open(arg, NULL, &s, &err));
	assert_int_equal(count_roots(s, &name, &err), 1);
	assert_string_equal(name, "example.com/empty:latest");
	bl_store_free(s);
	free(arg);
	arg = bl_asprintf("docker-archive:%s:example.com/empty:latest", t);
	assert_true(bl_store_open(arg, NULL, &s, &err));
	assert_int_equal(count_roots(s, &name, &err), 1);
	assert_string_equal(name, "example.com/empty:latest");
	bl_store_free(s);
	free(arg);
	free(p);
	free(t);
}

static void test_read_blob_checks_size_digest_and_cap(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	const char *content = "{\"hello\":\"world\"}";
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, content, strlen(content), &d);
	shell("mkdir -p '%s/blobs/sha256'", dir);
	char *blob = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&d));
	write_file(dir, blob, content, strlen(content));
	write_file(dir, "index.json", "{\"manifests\":[]}", 16);
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(dir, NULL, &s, &err));
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_descriptor desc = {.digest = d, .size = (int64_t)strlen(content)};
	assert_true(bl_store_read_blob(s, &desc, 1024, &b, &err));
	assert_string_equal(b.data, content);
	bl_buf_clear(&b);
	/* descriptor says one byte more */
	desc.size++;
	assert_false(bl_store_read_blob(s, &desc, 1024, &b, &err));
	assert_int_equal(err.code, BL_E_DIGEST);
	char want[128];
	snprintf(want, sizeof(want), "size %zu, descriptor says %zu", strlen(content),
	        strlen(content) + 1);
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "blob sha256:"));
	/* one byte less: still a size mismatch, not "too big" */
	desc.size -= 2;
	assert_false(bl_store_read_blob(s, &desc, 1024, &b, &err));
	assert_int_equal(err.code, BL_E_DIGEST);
	/* over the cap */
	desc.size = -1;
	assert_false(bl_store_read_blob(s, &desc, 4, &b, &err));
	assert_int_equal(err.code, BL_E_TOO_BIG);
	/* no digest */
	struct bl_descriptor none = {.size = -1};
	assert_false(bl_store_read_blob(s, &none, 1024, &b, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	bl_buf_fini(&b);
	bl_store_free(s);
	free(blob);
	rm_tree(dir);
}

static ssize_t drain(struct bl_stream *s, struct bl_buf *out, struct bl_error *err)
{
	char buf[7]; /* small reads on purpose */
	ssize_t r;
	while ((r = s->read(s, buf, sizeof(buf), err)) > 0)
		bl_buf_append(out, buf, (size_t)r);
	return r;
}

static void test_fd_range_streams_share_one_fd(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	write_file(dir, "f", "0123456789abcdefghij", 20);
	char *p = bl_asprintf("%s/f", dir);
	int fd = open(p, O_RDONLY);
	assert_true(fd >= 0);
	struct bl_stream *a = bl_stream_fd_range(fd, 2, 5);
	struct bl_stream *b = bl_stream_fd_range(fd, 10, 10);
	struct bl_buf ba, bb;
	bl_buf_init(&ba);
	bl_buf_init(&bb);
	struct bl_error err;
	char c;
	assert_int_equal(a->read(a, &c, 1, &err), 1); /* interleave */
	bl_buf_append(&ba, &c, 1);
	assert_int_equal(drain(b, &bb, &err), 0);
	assert_int_equal(drain(a, &ba, &err), 0);
	assert_string_equal(ba.data, "23456");
	assert_string_equal(bb.data, "abcdefghij");
	a->close(a);
	b->close(b);
	/* a range past the end of the file is an error, not a short success */
	struct bl_stream *t = bl_stream_fd_range(fd, 15, 10);
	bl_buf_clear(&ba);
	assert_int_equal(drain(t, &ba, &err), -1);
	assert_int_equal(err.code, BL_E_FORMAT);
	t->close(t);
	close(fd);
	bl_buf_fini(&ba);
	bl_buf_fini(&bb);
	free(p);
	rm_tree(dir);
}

static void test_verify_stream_checks_at_the_end(void **state)
{
	(void)state;
	const char *data = "layer bytes";
	struct bl_descriptor d = {.size = 11};
	bl_digest_compute(BL_DIGEST_SHA256, data, 11, &d.digest);
	struct bl_error err;
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_stream *s = bl_stream_verify_take(bl_stream_memory(data, 11), &d);
	assert_int_equal(drain(s, &b, &err), 0);
	assert_string_equal(b.data, data);
	s->close(s);
	/* wrong content, same size */
	s = bl_stream_verify_take(bl_stream_memory("layer BYTES", 11), &d);
	assert_int_equal(drain(s, &b, &err), -1);
	assert_int_equal(err.code, BL_E_DIGEST);
	assert_non_null(strstr(err.msg, "content hashes to"));
	s->close(s);
	/* longer than the descriptor */
	s = bl_stream_verify_take(bl_stream_memory("layer bytes!!", 13), &d);
	assert_int_equal(drain(s, &b, &err), -1);
	assert_int_equal(err.code, BL_E_DIGEST);
	s->close(s);
	/* shorter */
	s = bl_stream_verify_take(bl_stream_memory("layer", 5), &d);
	assert_int_equal(drain(s, &b, &err), -1);
	assert_int_equal(err.code, BL_E_DIGEST);
	assert_non_null(strstr(err.msg, "size 5, descriptor says 11"));
	s->close(s);
	bl_buf_fini(&b);
}

static void test_plain_json_file_is_not_a_store(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	write_file(dir, "m.json", "  \n{\"containerimage.digest\":\"x\"}", 33);
	char *p = bl_asprintf("%s/m.json", dir);
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_false(bl_store_open(p, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "JSON"));
	/* a directory that is not a layout */
	assert_false(bl_store_open(dir, NULL, &s, &err));
	assert_int_equal(err.code, BL_E_FORMAT);
	assert_non_null(strstr(err.msg, "not an OCI image layout"));
	free(p);
	rm_tree(dir);
}

/* A layout directory has none of the optional operations: no referrers or
 * tags (BL_E_UNSUPPORTED), prefetch is a no-op, no rate limit, not remote. */
static void test_local_store_lacks_the_optional_operations(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	write_file(dir, "index.json", "{\"manifests\":[]}", 16);
	struct bl_store *s = NULL;
	struct bl_error err;
	assert_true(bl_store_open(dir, NULL, &s, &err));
	assert_false(bl_store_is_remote(s));
	assert_null(bl_store_ratelimit(s));
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, "x", 1, &d);
	const struct bl_digest *ds[] = {&d};
	assert_true(bl_store_prefetch(s, ds, 1, &err));
	struct bl_vec v;
	bl_vec_init(&v, bl_descriptor_free);
	assert_false(bl_store_referrers(s, &d, &v, &err));
	assert_int_equal(err.code, BL_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "referrers: not supported (oci-dir store)"));
	assert_int_equal(v.len, 0);
	bl_vec_fini(&v);
	bl_vec_init(&v, free);
	assert_false(bl_store_list_tags(s, &v, &err));
	assert_int_equal(err.code, BL_E_UNSUPPORTED);
	assert_non_null(strstr(err.msg, "tags: not supported (oci-dir store)"));
	assert_int_equal(v.len, 0);
	bl_vec_fini(&v);
	bl_store_free(s);
	rm_tree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_open_tells_sources_apart_by_content),
	        cmocka_unit_test(test_ref_selector_filters_roots),
	        cmocka_unit_test(test_read_blob_checks_size_digest_and_cap),
	        cmocka_unit_test(test_fd_range_streams_share_one_fd),
	        cmocka_unit_test(test_verify_stream_checks_at_the_end),
	        cmocka_unit_test(test_plain_json_file_is_not_a_store),
	        cmocka_unit_test(test_local_store_lacks_the_optional_operations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
