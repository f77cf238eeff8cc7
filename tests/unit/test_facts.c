/* bl_node_facts: what the detail pane and reports show, always escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bakelens/json.h"
#include "model_fixture.h"

static size_t fact_count(const struct bl_vec *facts, const char *key)
{
	size_t n = 0;
	for (size_t i = 0; i < facts->len; i++) {
		const struct bl_fact *f = bl_vec_get(facts, i);
		n += strcmp(f->key, key) == 0;
	}
	return n;
}

static bool all_safe(const struct bl_vec *facts)
{
	for (size_t i = 0; i < facts->len; i++) {
		const struct bl_fact *f = bl_vec_get(facts, i);
		for (const unsigned char *p = (const unsigned char *)f->value; *p; p++) {
			if (*p < 0x20 || *p == 0x7f)
				return false;
		}
		for (const unsigned char *p = (const unsigned char *)f->key; *p; p++) {
			if (*p < 0x20 || *p == 0x7f)
				return false;
		}
	}
	return true;
}

static void test_facts_config_layer_and_hostile_label_escaped(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	/* a label value with ESC and a newline, a key with a control too */
	fx_make_image(&f, &im, ",\"Labels\":{\"evil\":\"a\\u001b[31mb\\nc\",\"k\\u0007\":\"v\"}");
	const char *args[] = {f.dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	struct bl_node *m = fx_child(fx_child(fx_child(b->root, 0), 0), 0);
	struct bl_node *cfg = fx_child(m, 0);
	struct bl_vec facts;
	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(cfg, &facts);
	assert_string_equal(fx_fact(&facts, "kind"), "config");
	assert_string_equal(fx_fact(&facts, "digest"), im.config.str);
	assert_string_equal(fx_fact(&facts, "os/arch"), "linux/amd64");
	assert_string_equal(fx_fact(&facts, "user"), "app");
	assert_string_equal(fx_fact(&facts, "created"), "2024-01-02T03:04:05Z");
	assert_int_equal(fact_count(&facts, "env"), 2);
	assert_string_equal(fx_fact(&facts, "cmd"), "[\"sh\"]");
	const char *evil = fx_fact(&facts, "label:evil");
	assert_non_null(evil);
	assert_null(strchr(evil, '\x1b'));
	assert_null(strchr(evil, '\n'));
	assert_non_null(strstr(evil, "\\n"));
	assert_true(all_safe(&facts));
	assert_non_null(strstr(fx_fact(&facts, "history"), "3 entries"));
	assert_non_null(strstr(fx_fact(&facts, "size"), "bytes"));
	bl_vec_fini(&facts);

	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(fx_child(m, 2), &facts);
	assert_string_equal(fx_fact(&facts, "diff_id"), im.diff2.str);
	assert_non_null(fx_fact(&facts, "chain_id"));
	assert_string_equal(fx_fact(&facts, "compression"), "gzip");
	assert_string_equal(fx_fact(&facts, "created_by"), "RUN make");
	assert_string_equal(fx_fact(&facts, "position"), "2 of 2");
	bl_vec_fini(&facts);

	/* index child: platform and media type */
	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(m, &facts);
	assert_string_equal(fx_fact(&facts, "platform"), "linux/amd64");
	assert_string_equal(
	        fx_fact(&facts, "media_type"), "application/vnd.oci.image.manifest.v1+json");
	assert_string_equal(fx_fact(&facts, "layers"), "2");
	bl_vec_fini(&facts);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_facts_statement_slsa_v02_builder_args_materials(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	const char *args[] = {f.dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	struct bl_node *st = fx_find_kind(b->root, BL_NODE_STATEMENT);
	struct bl_vec facts;
	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(st, &facts);
	assert_string_equal(fx_fact(&facts, "predicate_type"), "https://slsa.dev/provenance/v0.2");
	assert_string_equal(fx_fact(&facts, "builder_id"), "https://example.com/builder");
	assert_string_equal(fx_fact(&facts, "build_type"), "https://mobyproject.org/buildkit@v1");
	assert_string_equal(fx_fact(&facts, "build_arg:build-arg:FOO"), "bar");
	char want[200];
	snprintf(want, sizeof want, "pkg:docker/alpine@3@sha256:%s", bl_digest_hex(&im.layer1));
	assert_string_equal(fx_fact(&facts, "material"), want);
	snprintf(want, sizeof want, "pkg:docker/x@sha256:%s", bl_digest_hex(&im.m_amd64));
	assert_string_equal(fx_fact(&facts, "subject"), want);
	bl_vec_fini(&facts);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_facts_metadata_target_names_ref_and_warnings(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	const char *meta = "{\"image.name\":\"docker.io/a/b:1,docker.io/a/"
	                   "b:2\",\"buildx.build.ref\":\"bld/bld0/abc\","
	                   "\"containerimage.digest\":\"sha256:"
	                   "1111111111111111111111111111111111111111111111111111111111111111\"}";
	char path[512];
	fx_file(&f, "m.json", meta, path, sizeof path);
	const char *args[] = {path};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	struct bl_vec facts;
	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(fx_child(b->root, 0), &facts);
	assert_int_equal(fact_count(&facts, "image_name"), 2);
	assert_string_equal(fx_fact(&facts, "buildx_ref"), "bld/bld0/abc");
	assert_string_equal(fx_fact(&facts, "status"), "unresolved");
	assert_non_null(fx_fact(&facts, "status_message"));
	bl_vec_fini(&facts);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_facts_corpus_slsa_v1_statement(void **state)
{
	(void)state;
	if (!fx_corpus())
		skip();
	char *p = fx_corpus_path("actions-toolkit/sigstore/provenance-slsa-v1.json");
	const char *args[] = {p};
	struct bl_build *b = NULL;
	struct bl_error e;
	if (!fx_load(args, 1, &b, &e))
		fail_msg("%s", e.msg);
	struct bl_node *st = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(st->kind, BL_NODE_STATEMENT);
	struct bl_vec facts;
	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(st, &facts);
	assert_string_equal(fx_fact(&facts, "predicate_type"), "https://slsa.dev/provenance/v1");
	assert_non_null(
	        strstr(fx_fact(&facts, "builder_id"), "github.com/docker/github-builder-test"));
	assert_string_equal(fx_fact(&facts, "started_on"), "2025-10-30T10:19:52.868710505Z");
	assert_non_null(fx_fact(&facts, "material"));
	assert_non_null(strstr(fx_fact(&facts, "material"), "@sha256:"));
	/* the decoder's facts: names of secrets, the builder, the Dockerfile, the steps */
	const json_t *pred = bl_json_obj(st->doc, "predicate");
	const json_t *bd = bl_json_obj(pred, "buildDefinition");
	const json_t *req = bl_json_obj(bl_json_obj(bd, "externalParameters"), "request");
	assert_string_equal(fx_fact(&facts, "secret"),
	        bl_json_str(json_array_get(bl_json_arr(req, "secrets"), 0), "id"));
	const json_t *ip = bl_json_obj(bd, "internalParameters");
	assert_string_equal(
	        fx_fact(&facts, "builder_platform"), bl_json_str(ip, "builderPlatform"));
	assert_string_equal(fx_fact(&facts, "provenance_mode"), "max");
	char steps[32];
	snprintf(steps, sizeof steps, "%zu",
	        json_array_size(bl_json_arr(bl_json_obj(ip, "buildConfig"), "llbDefinition")));
	assert_string_equal(fx_fact(&facts, "llb_steps"), steps);
	assert_string_equal(fx_fact(&facts, "dockerfile"), "hello.Dockerfile: in the statement");
	bl_vec_fini(&facts);
	bl_build_free(b);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_facts_config_layer_and_hostile_label_escaped),
	        cmocka_unit_test(test_facts_statement_slsa_v02_builder_args_materials),
	        cmocka_unit_test(test_facts_metadata_target_names_ref_and_warnings),
	        cmocka_unit_test(test_facts_corpus_slsa_v1_statement),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
