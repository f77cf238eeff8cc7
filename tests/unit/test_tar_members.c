/* The tar store on hostile members: names with escapes, `..` paths,
 * symlinked layers, a blob that does not hash to its name, a truncated
 * member, an index.json too big to read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <time.h>

#include "store_helpers.h"
#include "tar_fixture.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_member_names_with_escapes_stay_escaped_in_messages),
	        cmocka_unit_test(test_dotdot_members_are_ignored_and_paths_cannot_escape),
	        cmocka_unit_test(test_symlinked_layer_member_resolves_to_its_target),
	        cmocka_unit_test(test_blob_member_not_matching_its_name_fails_digest),
	        cmocka_unit_test(test_truncated_tar_fails_naming_the_member),
	        cmocka_unit_test(test_ten_mib_index_json_in_a_tar_is_too_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
