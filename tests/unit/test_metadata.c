/* buildx / bake metadata files: shapes, warnings, resolution against layouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bakelens/json.h"
#include "model_fixture.h"

static struct bl_node *target_named(struct bl_build *b, const char *name)
{
	for (size_t i = 0; i < bl_node_count(b->root); i++) {
		struct bl_node *t = bl_node_child(b->root, i);
		if (t->kind == BL_NODE_TARGET && strcmp(t->label, name) == 0)
			return t;
	}
	return NULL;
}

/* True when a load message contains `part`. */
static bool any_message(const struct bl_build *b, const char *part)
{
	for (size_t i = 0; i < b->messages.len; i++)
		if (strstr(bl_vec_get(&b->messages, i), part))
			return true;
	return false;
}

static void test_metadata_sniff_tells_metadata_from_documents(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		bool metadata;
	} cases[] = {
	        {"{\"containerimage.digest\":\"sha256:"
	         "0000000000000000000000000000000000000000000000000000000000000000\"}",
	                true},
	        {"{\"web\":{\"containerimage.digest\":\"x\"},\"buildx.build.warnings\":[]}", true},
	        {"{\"buildx.build.warnings\":{}}", true},
	        {"{\"schemaVersion\":2,\"manifests\":[]}", false},
	        {"{\"schemaVersion\":2,\"config\":{},\"layers\":[]}", false},
	        {"{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}",
	                false},
	        {"{\"mediaType\":\"a\",\"digest\":\"sha256:00\",\"size\":1}", false},
	        {"{\"imageLayoutVersion\":\"1.0.0\"}", false},
	        {"{}", false},
	        {"[1]", false},
	        {"not json", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (bl_metadata_sniff(cases[i].json, strlen(cases[i].json)) != cases[i].metadata)
			fail_msg("case %zu: %s", i, cases[i].json);
	}
}

/* The first bytes that send a file to JSON parsing rather than to the store. */
static void test_metadata_json_looks_like_its_first_bytes(void **state)
{
	(void)state;
	assert_true(bl_json_looks_like("{}", 2));
	assert_true(bl_json_looks_like(" \t\r\n[1]", 7));
	assert_true(bl_json_looks_like("\xef\xbb\xbf\n{\"a\":1}", 11));
	assert_true(bl_json_looks_like("{not json at all", 16)); /* only the start is looked at */
	assert_false(bl_json_looks_like("", 0));
	assert_false(bl_json_looks_like("   ", 3));
	assert_false(bl_json_looks_like("\xef\xbb\xbf", 3));
	assert_false(bl_json_looks_like("\"str\"", 5));
	assert_false(bl_json_looks_like("\f{}", 3));
	assert_false(bl_json_looks_like("ustar\0{", 7));
	assert_false(bl_json_looks_like("{", 0)); /* n bounds the look */
}

static void test_metadata_flat_resolves_in_layout(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	char *meta = bl_asprintf("{\"containerimage.digest\":\"%s\",\"image.name\":\"docker.io/a/"
	                         "b:1,docker.io/a/b:latest\","
	                         "\"buildx.build.ref\":\"b/b0/"
	                         "xyz\",\"buildx.build.provenance\":{\"buildType\":\"https://"
	                         "mobyproject.org/buildkit@v1\"}}",
	        im.index.str);
	char path[512];
	fx_file(&f, "metadata.json", meta, path, sizeof path);
	const char *args[] = {path, f.dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	if (!fx_load(args, 2, &b, &e))
		fail_msg("%s", e.msg);
	assert_non_null(b->metadata);
	assert_string_equal(b->root->label, "metadata.json");
	assert_int_equal(bl_node_count(b->root), 1);
	struct bl_node *t = fx_child(b->root, 0);
	assert_int_equal(t->kind, BL_NODE_TARGET);
	assert_int_equal(t->status, BL_STATUS_OK);
	assert_string_equal(t->name, "docker.io/a/b:1");
	struct bl_node *root = fx_child(t, 0);
	assert_int_equal(root->kind, BL_NODE_INDEX);
	assert_int_equal(root->status, BL_STATUS_OK);
	assert_int_equal(bl_node_count(root), 3);
	/* provenance as an INFO child */
	struct bl_node *info = fx_find_kind(t, BL_NODE_INFO);
	assert_non_null(info);
	assert_string_equal(info->label, "provenance");
	assert_non_null(info->doc);
	free(meta);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_metadata_target_not_in_sources_is_unresolved(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	struct bl_digest other;
	bl_digest_compute(BL_DIGEST_SHA256, "elsewhere", 9, &other);
	char *meta = bl_asprintf("{\"containerimage.digest\":\"%s\"}", other.str);
	char path[512];
	fx_file(&f, "m.json", meta, path, sizeof path);
	const char *args[] = {path, f.dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 2, &b, &e));
	struct bl_node *t = fx_child(b->root, 0);
	assert_int_equal(t->status, BL_STATUS_UNRESOLVED);
	struct bl_node *r = fx_child(t, 0);
	assert_int_equal(r->status, BL_STATUS_UNRESOLVED);
	assert_non_null(strstr(r->status_msg, "not in any source given"));
	assert_non_null(strstr(r->status_msg, other.str));
	assert_non_null(strstr(r->status_msg, f.dir));
	bl_build_free(b);

	/* metadata alone: also unresolved, the digest still known */
	const char *args1[] = {path};
	assert_true(fx_load(args1, 1, &b, &e));
	r = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(r->status, BL_STATUS_UNRESOLVED);
	assert_string_equal(r->desc.digest.str, other.str);
	free(meta);
	bl_build_free(b);
	fx_fini(&f);
}

/* base64 values recorded with:
 *   printf 'FromAsCasing: mixed case' | base64        -> RnJvbUFzQ2FzaW5nOiBtaXhlZCBjYXNl
 *   printf 'first line' | base64                      -> Zmlyc3QgbGluZQ==
 *   printf 'second' | base64                          -> c2Vjb25k */
static void test_metadata_bake_targets_and_warnings_decoded(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	const char *meta = "{\"buildx.build.warnings\":[{\"vertex\":\"sha256:00\",\"level\":1,"
	                   "\"short\":\"RnJvbUFzQ2FzaW5nOiBtaXhlZCBjYXNl\",\"detail\":["
	                   "\"Zmlyc3QgbGluZQ==\",\"c2Vjb25k\"],"
	                   "\"url\":\"https://docs.docker.com/go/"
	                   "x\",\"sourceInfo\":{\"filename\":\"Dockerfile\"},"
	                   "\"range\":[{\"start\":{\"line\":7},\"end\":{\"line\":7}}]}],"
	                   "\"web\":{\"containerimage.digest\":\"sha256:"
	                   "1111111111111111111111111111111111111111111111111111111111111111\"},"
	                   "\"db\":{\"containerimage.digest\":\"sha256:"
	                   "2222222222222222222222222222222222222222222222222222222222222222\","
	                   "\"containerimage.config.digest\":\"sha256:"
	                   "333333333333333333333333333333333333333333333333333333333333333\"},"
	                   "\"result.txt\":\"ok\"}";
	char path[512];
	fx_file(&f, "bake.json", meta, path, sizeof path);
	const char *args[] = {path};
	struct bl_build *b = NULL;
	struct bl_error e;
	if (!fx_load(args, 1, &b, &e))
		fail_msg("%s", e.msg);
	struct bl_node *web = target_named(b, "web");
	struct bl_node *db = target_named(b, "db");
	assert_non_null(web);
	assert_non_null(db);
	assert_int_equal(fx_count_kind(b->root, BL_NODE_TARGET), 2);
	/* the 63-digit config digest: reported as a message; db and its image still usable */
	assert_int_equal(db->status, BL_STATUS_UNRESOLVED);
	assert_true(any_message(b, "db: containerimage.config.digest"));
	assert_non_null(fx_child(db, 0));
	assert_true(fx_child(db, 0)->has_desc);
	assert_int_equal(web->status, BL_STATUS_UNRESOLVED);

	assert_int_equal(b->warnings.len, 1);
	struct bl_warning *w = bl_vec_get(&b->warnings, 0);
	assert_string_equal(w->rule, "FromAsCasing: mixed case");
	assert_string_equal(w->detail, "first line\nsecond");
	assert_string_equal(w->file, "Dockerfile");
	assert_int_equal(w->line, 7);
	assert_string_equal(w->url, "https://docs.docker.com/go/x");
	assert_null(w->target);
	/* build-level info: warnings and result.txt under the BUILD node */
	size_t infos = 0;
	for (size_t i = 0; i < bl_node_count(b->root); i++)
		infos += fx_child(b->root, i)->kind == BL_NODE_INFO;
	assert_int_equal(infos, 2);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_metadata_empty_object_warnings_accepted(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	const char *meta =
	        "{\"buildx.build.warnings\":{},\"containerimage.digest\":\"sha256:"
	        "1111111111111111111111111111111111111111111111111111111111111111\","
	        "\"containerimage.descriptor\":{\"mediaType\":\"application/"
	        "vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:"
	        "1111111111111111111111111111111111111111111111111111111111111111\",\"size\":506}}";
	char path[512];
	fx_file(&f, "m.json", meta, path, sizeof path);
	const char *args[] = {path};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	assert_int_equal(b->warnings.len, 0);
	struct bl_node *r = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(r->kind, BL_NODE_MANIFEST);
	assert_int_equal(r->desc.size, 506);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_metadata_invalid_json_fails_naming_file(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	char path[512];
	fx_file(&f, "broken.json", "{\"containerimage.digest\": ", path, sizeof path);
	const char *args[] = {path};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_false(fx_load(args, 1, &b, &e));
	assert_int_equal(e.code, BL_E_FORMAT);
	assert_non_null(strstr(e.msg, "broken.json"));
	fx_fini(&f);
}

static void test_metadata_corpus_files_all_load(void **state)
{
	(void)state;
	static const char *const files[] = {
	        "actions-toolkit/metadata/metadata-build.json",
	        "actions-toolkit/metadata/metadata-bake.json",
	        "actions-toolkit/metadata/metadata-build-e266e3e.json",
	        "buildx/docs-metadata-build.json",
	        "buildx/docs-metadata-bake.json",
	        "buildx/docs-metadata-imagetools-create.json",
	        "buildx/docs-metadata-build-buildinfo-2022.json",
	};
	if (!fx_corpus())
		skip();
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		char *p = fx_corpus_path(files[i]);
		const char *args[] = {p};
		struct bl_build *b = NULL;
		struct bl_error e;
		if (!fx_load(args, 1, &b, &e))
			fail_msg("%s: %s", files[i], e.msg);
		assert_non_null(b->metadata);
		assert_true(fx_count_kind(b->root, BL_NODE_TARGET) >= 1);
		bl_build_free(b);
		free(p);
	}
	/* buildkit docs examples are documents, not metadata: they load as such */
	static const char *const docs[] = {
	        "buildkit/docs-attestation-index.json",
	        "buildkit/docs-attestation-manifest.json",
	};
	for (size_t i = 0; i < 2; i++) {
		char *p = fx_corpus_path(docs[i]);
		const char *args[] = {p};
		struct bl_build *b = NULL;
		struct bl_error e;
		if (!fx_load(args, 1, &b, &e))
			fail_msg("%s: %s", docs[i], e.msg);
		assert_null(b->metadata);
		bl_build_free(b);
		free(p);
	}
}

static void test_metadata_corpus_bad_config_digest_and_warnings(void **state)
{
	(void)state;
	if (!fx_corpus())
		skip();
	char *p = fx_corpus_path("actions-toolkit/metadata/metadata-build.json");
	const char *args[] = {p};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	struct bl_node *t = fx_child(b->root, 0);
	/* its containerimage.config.digest has 63 hex digits: reported, the target stays usable */
	assert_int_not_equal(t->status, BL_STATUS_ERROR);
	assert_true(any_message(b, "containerimage.config.digest"));
	assert_true(b->warnings.len > 0);
	struct bl_warning *w = bl_vec_get(&b->warnings, 0);
	assert_non_null(w->rule);
	assert_null(strstr(w->rule, "=")); /* decoded, not base64 */
	bl_build_free(b);
	free(p);

	p = fx_corpus_path("actions-toolkit/metadata/metadata-bake.json");
	args[0] = p;
	assert_true(fx_load(args, 1, &b, &e));
	assert_int_equal(fx_count_kind(b->root, BL_NODE_TARGET), 3);
	assert_int_equal(b->warnings.len, 13);
	bl_build_free(b);
	free(p);
}

/* 50 targets whose image.name is an unreachable registry (nothing listens
 * on 127.0.0.1 port 1): the registry is asked once, not once per target
 * (10000 targets on docker.io without network took minutes). */
static void test_metadata_unreachable_registry_is_asked_once(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct bl_buf m;
	bl_buf_init(&m);
	bl_buf_putc(&m, '{');
	for (int i = 0; i < 50; i++)
		bl_buf_printf(&m,
		        "%s\"t%02d\":{\"containerimage.digest\":\"sha256:%064d\",\"image.name\":"
		        "\"127.0.0.1:1/r%d:1\"}",
		        i ? "," : "", i, i, i);
	bl_buf_putc(&m, '}');
	char path[512];
	fx_file(&f, "meta.json", m.data, path, sizeof path);
	const char *args[] = {path};
	struct bl_source_opts o;
	memset(&o, 0, sizeof o);
	struct bl_build *b = NULL;
	struct bl_error e;
	bl_error_clear(&e);
	assert_true(bl_build_load(args, 1, &o, &b, &e));
	assert_int_equal(bl_node_count(b->root), 50);
	for (int i = 0; i < 50; i++) {
		struct bl_node *n = fx_child(fx_child(b->root, (size_t)i), 0);
		assert_int_equal(n->status, BL_STATUS_UNRESOLVED);
		bool again = strstr(n->status_msg, "not asked again") != NULL;
		if (again != (i > 0))
			fail_msg("target %d: %s", i, n->status_msg);
	}
	bl_build_free(b);
	bl_buf_fini(&m);
	fx_fini(&f);
}

/* A key no bake target can have (here with an escape sequence) holding a
 * target's keys: not a target, and the build says why. */
static void test_metadata_invalid_target_name_is_reported(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	char path[512];
	fx_file(&f, "meta.json",
	        "{\"web\\u001b[31m\":{\"containerimage.digest\":\"sha256:"
	        "1111111111111111111111111111111111111111111111111111111111111111\"}}",
	        path, sizeof path);
	const char *args[] = {path};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	bool said = false;
	for (size_t i = 0; i < b->messages.len; i++) {
		const char *m = bl_vec_get(&b->messages, i);
		if (strstr(m, "\"web\\e[31m\" is not a bake target name"))
			said = true;
	}
	assert_true(said);
	bl_build_free(b);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_metadata_sniff_tells_metadata_from_documents),
	        cmocka_unit_test(test_metadata_json_looks_like_its_first_bytes),
	        cmocka_unit_test(test_metadata_flat_resolves_in_layout),
	        cmocka_unit_test(test_metadata_target_not_in_sources_is_unresolved),
	        cmocka_unit_test(test_metadata_bake_targets_and_warnings_decoded),
	        cmocka_unit_test(test_metadata_empty_object_warnings_accepted),
	        cmocka_unit_test(test_metadata_invalid_json_fails_naming_file),
	        cmocka_unit_test(test_metadata_corpus_files_all_load),
	        cmocka_unit_test(test_metadata_corpus_bad_config_digest_and_warnings),
	        cmocka_unit_test(test_metadata_unreachable_registry_is_asked_once),
	        cmocka_unit_test(test_metadata_invalid_target_name_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
