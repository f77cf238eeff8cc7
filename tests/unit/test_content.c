/* The content store directory (src/store/content.c) and how bl_store_open
 * recognises it: blobs/sha256/<hex> with no index.json, its root given as
 * DIR@DIGEST, verified and sniffed. Digests are computed here from the bytes
 * written, never copied from the store's answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store_helpers.h"

/* Write `content` as a blob of the store at `dir` (made when needed). */
static void put_blob(const char *dir, const char *content, struct bl_digest *d)
{
	bl_digest_compute(BL_DIGEST_SHA256, content, strlen(content), d);
	shell("mkdir -p '%s/blobs/sha256'", dir);
	char *name = bl_asprintf("blobs/sha256/%s", bl_digest_hex(d));
	write_file(dir, name, content, strlen(content));
	free(name);
}

struct fixture {
	char *dir;
	struct bl_digest config, layer, manifest, index;
	char *manifest_json, *index_json;
};

/* A manifest without mediaType (its shape says what it is), its config and
 * one layer, and a Docker manifest list over it: blobs only, no index.json. */
static struct fixture *make_store(void)
{
	struct fixture *f = bl_calloc(1, sizeof *f);
	f->dir = make_tmpdir();
	const char *cfg = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
	                  "\"layers\",\"diff_ids\":[]}}";
	put_blob(f->dir, cfg, &f->config);
	put_blob(f->dir, "layer bytes", &f->layer);
	f->manifest_json = bl_asprintf(
	        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"%s\",\"digest\":\"%s\","
	        "\"size\":%zu},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer."
	        "v1.tar\",\"digest\":\"%s\",\"size\":11}]}",
	        BL_MT_OCI_CONFIG, f->config.str, strlen(cfg), f->layer.str);
	put_blob(f->dir, f->manifest_json, &f->manifest);
	f->index_json = bl_asprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[{"
	                            "\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
	        BL_MT_DOCKER_LIST, BL_MT_OCI_MANIFEST, f->manifest.str, strlen(f->manifest_json));
	put_blob(f->dir, f->index_json, &f->index);
	return f;
}

static void free_store(struct fixture *f)
{
	rm_tree(f->dir);
	free(f->manifest_json);
	free(f->index_json);
	free(f);
}

static struct bl_store *open_ok(const char *arg, const char *kind)
{
	struct bl_store *s = NULL;
	struct bl_error err;
	bl_error_clear(&err);
	if (!bl_store_open(arg, NULL, &s, &err))
		fail_msg("%s: %s", arg, err.msg);
	assert_string_equal(s->ops->kind, kind);
	return s;
}

static void test_blobs_without_index_open_as_a_content_store_with_no_root(void **state)
{
	(void)state;
	struct fixture *f = make_store();
	struct bl_store *s = open_ok(f->dir, "content");
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	struct bl_error err;
	assert_false(bl_store_roots(s, &roots, &err));
	assert_int_equal(err.code, BL_E_USAGE);
	char *want = bl_asprintf(
	        "content store %s: no root; give %s@sha256:... or a metadata file", f->dir, f->dir);
	assert_string_equal(err.msg, want);
	free(want);
	assert_int_equal(roots.len, 0);
	/* Blobs are there without a root: what a metadata file's targets need. */
	int64_t size = -1;
	assert_int_equal(bl_store_stat(s, &f->manifest, &size), BL_BLOB_PRESENT);
	assert_int_equal(size, (int64_t)strlen(f->manifest_json));
	struct bl_descriptor d = {.digest = f->config, .size = -1};
	struct bl_buf b;
	bl_buf_init(&b);
	assert_true(bl_store_read_blob(s, &d, 1 << 20, &b, &err));
	assert_non_null(strstr(b.data, "\"diff_ids\""));
	bl_buf_fini(&b);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free_store(f);
}

static struct bl_store_root *only_root(struct bl_store *s, struct bl_vec *roots)
{
	struct bl_error err;
	bl_vec_init(roots, bl_store_root_free);
	if (!bl_store_roots(s, roots, &err))
		fail_msg("roots: %s", err.msg);
	assert_int_equal(roots->len, 1);
	return roots->items[0];
}

static void test_root_digest_is_read_and_its_type_sniffed(void **state)
{
	(void)state;
	struct fixture *f = make_store();
	/* A manifest without mediaType: its shape makes it an OCI manifest. */
	char *arg = bl_asprintf("content:%s@%s", f->dir, f->manifest.str);
	struct bl_store *s = open_ok(arg, "content");
	assert_string_equal(s->source, arg);
	struct bl_vec roots;
	struct bl_store_root *r = only_root(s, &roots);
	assert_string_equal(r->desc.digest.str, f->manifest.str);
	assert_int_equal(r->desc.size, (int64_t)strlen(f->manifest_json));
	assert_string_equal(r->desc.media_type, BL_MT_OCI_MANIFEST);
	assert_null(r->name);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(arg);
	/* An index with its own mediaType keeps it; no prefix needed. */
	arg = bl_asprintf("%s@%s", f->dir, f->index.str);
	s = open_ok(arg, "content");
	r = only_root(s, &roots);
	assert_string_equal(r->desc.media_type, BL_MT_DOCKER_LIST);
	assert_int_equal(r->desc.size, (int64_t)strlen(f->index_json));
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(arg);
	free_store(f);
}

static void expect_open_fails(const char *arg, enum bl_status code, const char *msg_part)
{
	struct bl_store *s = NULL;
	struct bl_error err;
	bl_error_clear(&err);
	if (bl_store_open(arg, NULL, &s, &err))
		fail_msg("%s: opened, expected %s", arg, bl_status_name(code));
	if (err.code != code || !strstr(err.msg, msg_part))
		fail_msg("%s: %s: %s (expected %s, \"%s\")", arg, bl_status_name(err.code), err.msg,
		        bl_status_name(code), msg_part);
	assert_null(s);
}

static void test_bad_roots_fail_with_their_own_status(void **state)
{
	(void)state;
	struct fixture *f = make_store();
	struct bl_digest absent;
	bl_digest_compute(BL_DIGEST_SHA256, "not stored", 10, &absent);
	char *arg = bl_asprintf("content:%s@%s", f->dir, absent.str);
	expect_open_fails(arg, BL_E_NOT_FOUND, "not in content store");
	free(arg);
	/* A config is no root. */
	arg = bl_asprintf("content:%s@%s", f->dir, f->config.str);
	expect_open_fails(arg, BL_E_FORMAT, "neither an image index nor an image manifest");
	free(arg);
	arg = bl_asprintf("content:%s@sha256:abc", f->dir);
	expect_open_fails(arg, BL_E_FORMAT, "after '@'");
	free(arg);
	/* The root's bytes changed (same length): hashed before use. */
	char *name = bl_asprintf("blobs/sha256/%s", bl_digest_hex(&f->manifest));
	char *bad = bl_strdup(f->manifest_json);
	bad[strlen(bad) - 2] = ' ';
	write_file(f->dir, name, bad, strlen(bad));
	arg = bl_asprintf("content:%s@%s", f->dir, f->manifest.str);
	expect_open_fails(arg, BL_E_DIGEST, "content hashes to");
	free(arg);
	free(bad);
	free(name);
	free_store(f);
}

static void expect_read_fails(
        struct bl_store *s, const struct bl_digest *dg, enum bl_status code, const char *part)
{
	struct bl_descriptor d = {.digest = *dg, .size = -1};
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_error err;
	bool ok = bl_store_read_blob(s, &d, 1 << 20, &b, &err);
	bl_buf_fini(&b);
	if (ok || err.code != code || !strstr(err.msg, part))
		fail_msg("%s: %s (expected %s, \"%s\")", dg->str, ok ? "read" : err.msg,
		        bl_status_name(code), part);
}

static void test_missing_blob_is_not_found_in_the_content_store(void **state)
{
	(void)state;
	struct fixture *f = make_store();
	char *name = bl_asprintf("%s/blobs/sha256/%s", f->dir, bl_digest_hex(&f->layer));
	unlink(name);
	free(name);
	char *arg = bl_asprintf("content:%s@%s", f->dir, f->manifest.str);
	struct bl_store *s = open_ok(arg, "content");
	assert_int_equal(bl_store_stat(s, &f->layer, NULL), BL_BLOB_MISSING);
	expect_read_fails(s, &f->layer, BL_E_NOT_FOUND, "not in content store");
	assert_non_null(s->ops->missing_note);
	bl_store_free(s);
	free(arg);
	free_store(f);
}

static void test_builder_root_finds_its_content_store(void **state)
{
	(void)state;
	char *root = make_tmpdir();
	char *inner = bl_asprintf("%s/io.containerd.content.v1.content", root);
	struct bl_digest d;
	put_blob(inner, "{\"schemaVersion\":2,\"manifests\":[]}", &d);
	char *found = bl_store_content_find(root);
	assert_non_null(found);
	assert_string_equal(found, inner);
	free(found);
	char *arg = bl_asprintf("%s@%s", root, d.str);
	struct bl_store *s = open_ok(arg, "content");
	assert_non_null(strstr(s->describe, "io.containerd.content.v1.content"));
	struct bl_vec roots;
	struct bl_store_root *r = only_root(s, &roots);
	assert_string_equal(r->desc.media_type, BL_MT_OCI_INDEX);
	bl_vec_fini(&roots);
	bl_store_free(s);
	free(arg);
	/* An empty directory holds no store. */
	char *empty = make_tmpdir();
	if (!empty) {
		fail_msg("mkdtemp failed");
		return;
	}
	assert_null(bl_store_content_find(empty));
	arg = bl_asprintf("content:%s", empty);
	expect_open_fails(arg, BL_E_FORMAT, "not a content store");
	free(arg);
	rm_tree(empty);
	free(inner);
	rm_tree(root);
}

static void test_layout_stays_a_layout_unless_content_is_asked(void **state)
{
	(void)state;
	struct fixture *f = make_store();
	char *idx = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\","
	                        "\"digest\":\"%s\",\"size\":%zu}]}",
	        BL_MT_OCI_MANIFEST, f->manifest.str, strlen(f->manifest_json));
	write_file(f->dir, "index.json", idx, strlen(idx));
	free(idx);
	struct bl_store *s = open_ok(f->dir, "oci-dir");
	bl_store_free(s);
	/* content: reads the layout's blobs and ignores its index. */
	char *arg = bl_asprintf("content:%s@%s", f->dir, f->index.str);
	s = open_ok(arg, "content");
	bl_store_free(s);
	free(arg);
	/* oci: on blobs with no index says what it is. */
	char *name = bl_asprintf("%s/index.json", f->dir);
	unlink(name);
	free(name);
	arg = bl_asprintf("oci:%s", f->dir);
	expect_open_fails(arg, BL_E_FORMAT, "a content store: read it as content:DIR");
	free(arg);
	free_store(f);
}

static void test_symlinked_blob_in_content_store_is_refused(void **state)
{
	(void)state;
	struct fixture *f = make_store();
	char *outside = bl_asprintf("%s.outside", f->dir);
	write_file("/", outside + 1, "layer bytes", 11);
	shell("ln -sf '%s' '%s/blobs/sha256/%s'", outside, f->dir, bl_digest_hex(&f->layer));
	struct bl_store *s = open_ok(f->dir, "content");
	expect_read_fails(s, &f->layer, BL_E_FORMAT, "symbolic link");
	bl_store_free(s);
	unlink(outside);
	free(outside);
	free_store(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_blobs_without_index_open_as_a_content_store_with_no_root),
	        cmocka_unit_test(test_root_digest_is_read_and_its_type_sniffed),
	        cmocka_unit_test(test_bad_roots_fail_with_their_own_status),
	        cmocka_unit_test(test_missing_blob_is_not_found_in_the_content_store),
	        cmocka_unit_test(test_builder_root_finds_its_content_store),
	        cmocka_unit_test(test_layout_stays_a_layout_unless_content_is_asked),
	        cmocka_unit_test(test_symlinked_blob_in_content_store_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
