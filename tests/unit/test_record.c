/* Build history records (`docker buildx history export`): labels, the
 * `record` JSON of inspect, and the facts, from layouts made here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bakelens/json.h"
#include "model_fixture.h"

/* A layout whose one root is a record manifest: config `record` (JSON),
 * one logs layer and, when `predicate` is not NULL, a provenance layer. */
static struct bl_build *load_record(struct fx *f, const char *record, const char *predicate)
{
	fx_init(f);
	struct bl_digest rd, ld, pd, md;
	const char *logs = "\x01\x02logs";
	fx_blob(f, record, &rd);
	fx_blob(f, logs, &ld);
	char *cd = fx_desc(BL_MT_BUILDKIT_RECORD, &rd, record, NULL);
	char *lds = fx_desc(BL_MT_BUILDKIT_LOGS, &ld, logs, NULL);
	char *pds = NULL;
	if (predicate) {
		fx_blob(f, predicate, &pd);
		pds = fx_desc(BL_MT_INTOTO, &pd, predicate,
		        ",\"annotations\":{\"in-toto.io/predicate-type\":"
		        "\"https://slsa.dev/provenance/v0.2\"}");
	}
	char *man = bl_asprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":%s,"
	                        "\"layers\":[%s%s%s]}",
	        BL_MT_OCI_MANIFEST, cd, lds, pds ? "," : "", pds ? pds : "");
	fx_blob(f, man, &md);
	char *mdesc = fx_desc(BL_MT_OCI_MANIFEST, &md, man, NULL);
	char *idx = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", mdesc);
	fx_index(f, idx);
	free(cd);
	free(lds);
	free(pds);
	free(man);
	free(mdesc);
	free(idx);
	const char *args[] = {f->dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	return b;
}

static struct bl_node *record_node(struct bl_build *b)
{
	return fx_child(fx_child(b->root, 0), 0);
}

static void test_record_completed_label_json_and_provenance(void **state)
{
	(void)state;
	struct fx f;
	struct bl_build *b = load_record(&f,
	        "{\"Ref\":\"r1\",\"Frontend\":\"dockerfile.v0\","
	        "\"FrontendAttrs\":{\"target\":\"app\",\"build-arg:A\":\"1\","
	        "\"platform\":\"linux/amd64,linux/arm64\"},"
	        "\"localState\":{\"LocalPath\":\"/src/proj/\"},"
	        "\"CreatedAt\":\"2024-05-15T10:00:00.250+02:00\","
	        "\"CompletedAt\":\"2024-05-15T08:00:03Z\","
	        "\"ExporterResponse\":{\"image.name\":\"a:1,b:2\"},"
	        "\"numCachedSteps\":3,\"numTotalSteps\":9,\"numCompletedSteps\":9}",
	        "{\"builder\":{\"id\":\"bid\"},\"materials\":[{},{},{}]}");
	struct bl_node *m = record_node(b);
	assert_true(bl_node_is_record(m));
	assert_int_equal(m->kind, BL_NODE_MANIFEST);
	/* named after the local directory, the target after it, as buildx does */
	assert_string_equal(
	        m->label, "build record: proj (app) (ref r1): completed, steps 9/9 (3 cached)");
	json_t *r = bl_node_record_json(m);
	assert_non_null(r);
	assert_string_equal(bl_json_str(r, "status"), "completed");
	assert_string_equal(bl_json_str(r, "name"), "proj (app)");
	assert_string_equal(bl_json_str(bl_json_obj(r, "buildArgs"), "A"), "1");
	assert_int_equal(json_array_size(bl_json_arr(r, "platforms")), 2);
	int64_t v = 0;
	/* 10:00:00.250+02:00 is 08:00:00.250Z: 2.75 s before 08:00:03Z */
	assert_true(bl_json_int(r, "durationMs", &v));
	assert_int_equal(v, 2750);
	assert_true(bl_json_int(bl_json_obj(r, "steps"), "cached", &v));
	assert_int_equal(v, 3);
	assert_int_equal(
	        json_array_size(bl_json_arr(bl_json_obj(r, "exporterResponse"), "imageNames")), 2);
	json_t *p = json_array_get(bl_json_arr(r, "provenance"), 0);
	assert_string_equal(bl_json_str(p, "builderId"), "bid");
	assert_true(bl_json_int(p, "materials", &v));
	assert_int_equal(v, 3);
	assert_true(bl_json_int(bl_json_obj(r, "logs"), "size", &v));
	assert_int_equal(v, 6);
	assert_false(bl_json_bool(bl_json_obj(r, "trace"), "present", true));
	json_decref(r);
	/* the bare predicate layer is decoded as provenance (facts.c) */
	struct bl_node *st = fx_find_kind(m, BL_NODE_STATEMENT);
	assert_non_null(st);
	assert_string_equal(st->label, "provenance");
	struct bl_vec facts;
	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(st, &facts);
	assert_string_equal(fx_fact(&facts, "builder_id"), "bid");
	bl_vec_fini(&facts);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_record_error_from_seconds_and_hostile_escaped(void **state)
{
	(void)state;
	struct fx f;
	struct bl_build *b = load_record(&f,
	        "{\"Ref\":\"r2\",\"Name\":\"n\\u001b[2Jx\","
	        "\"FrontendAttrs\":{\"build-arg:EVIL\":\"a\\u001b]52;c;b\\u0007\\nz\"},"
	        "\"CreatedAt\":{\"seconds\":100,\"nanos\":900000000},"
	        "\"CompletedAt\":{\"seconds\":102},"
	        "\"error\":{\"code\":2,\"message\":\"line one\\nline two\"},"
	        "\"numTotalSteps\":2,\"numCompletedSteps\":1}",
	        NULL);
	struct bl_node *m = record_node(b);
	/* the label keeps the raw name (escaped where it is shown); the error's first line */
	assert_string_equal(
	        m->label, "build record: n\x1b[2Jx (ref r2): error: line one, steps 1/2");
	json_t *r = bl_node_record_json(m);
	assert_string_equal(bl_json_str(r, "status"), "error");
	assert_string_equal(bl_json_str(bl_json_obj(r, "error"), "message"), "line one\nline two");
	assert_string_equal(bl_json_str(r, "createdAt"), "1970-01-01T00:01:40.900Z");
	int64_t v = 0;
	assert_true(bl_json_int(r, "durationMs", &v));
	assert_int_equal(v, 1100);
	json_decref(r);
	struct bl_vec facts;
	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(m, &facts);
	assert_string_equal(fx_fact(&facts, "record_status"), "error");
	const char *arg = fx_fact(&facts, "build_arg:EVIL");
	assert_non_null(arg);
	assert_null(strchr(arg, '\x1b'));
	assert_null(strchr(arg, '\n'));
	assert_null(strchr(fx_fact(&facts, "record_name"), '\x1b'));
	assert_non_null(strstr(fx_fact(&facts, "error"), "line one"));
	assert_null(strchr(fx_fact(&facts, "error"), '\n'));
	bl_vec_fini(&facts);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_record_bad_times_and_image_is_no_record(void **state)
{
	(void)state;
	struct fx f;
	struct bl_build *b = load_record(&f,
	        "{\"Ref\":\"r3\",\"CreatedAt\":\"yesterday\",\"CompletedAt\":[1],"
	        "\"FrontendAttrs\":\"not an object\"}",
	        NULL);
	struct bl_node *m = record_node(b);
	json_t *r = bl_node_record_json(m);
	assert_non_null(r);
	assert_true(json_is_null(json_object_get(r, "durationMs")));
	assert_string_equal(bl_json_str(r, "name"), "build");
	json_decref(r);
	bl_build_free(b);
	fx_fini(&f);

	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	const char *args[] = {f.dir};
	struct bl_error e;
	b = NULL;
	assert_true(fx_load(args, 1, &b, &e));
	m = fx_find_kind(b->root, BL_NODE_MANIFEST);
	assert_non_null(m);
	assert_false(bl_node_is_record(m));
	assert_null(bl_node_record_json(m));
	bl_build_free(b);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_record_completed_label_json_and_provenance),
	        cmocka_unit_test(test_record_error_from_seconds_and_hostile_escaped),
	        cmocka_unit_test(test_record_bad_times_and_image_is_no_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
