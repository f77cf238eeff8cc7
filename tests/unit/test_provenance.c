/* The SLSA provenance decoder (provenance.h): the corpus's real statements
 * (values checked against the file's own fields), and bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/base64.h"
#include "bakelens/clock.h"
#include "bakelens/compare.h"
#include "bakelens/file.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/provenance.h"
#include "model_fixture.h"

static json_t *load_corpus(const char *rel)
{
	char *p = fx_corpus_path(rel);
	if (!p)
		return NULL;
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_error e;
	if (!bl_file_read(p, 1u << 24, &b, &e))
		fail_msg("%s", e.msg);
	json_t *j = bl_json_parse(b.data, b.len, 1u << 24, &e);
	assert_non_null(j);
	bl_buf_fini(&b);
	free(p);
	return j;
}

static json_t *parse(const char *text)
{
	struct bl_error e;
	json_t *j = bl_json_parse(text, strlen(text), 1u << 26, &e);
	if (!j)
		fail_msg("%s", e.msg);
	return j;
}

static bool has_problem(const struct bl_prov *p, const char *needle)
{
	for (size_t i = 0; i < p->problems.len; i++)
		if (strstr(bl_vec_get(&p->problems, i), needle))
			return true;
	return false;
}

static void test_corpus_slsa_v1_mode_max(void **state)
{
	(void)state;
	if (!fx_corpus())
		skip();
	json_t *doc = load_corpus("actions-toolkit/sigstore/provenance-slsa-v1.json");
	struct bl_error e;
	struct bl_prov *p = bl_prov_decode(doc, &e);
	assert_non_null(p);
	const json_t *pred = bl_json_obj(doc, "predicate");
	const json_t *bd = bl_json_obj(pred, "buildDefinition");
	const json_t *deps = bl_json_arr(bd, "resolvedDependencies");
	assert_true(p->v1);
	assert_true(p->max_mode);
	assert_int_equal(p->problems.len, 0);
	/* dependencies: as many as the file has, each digest as alg:hex */
	assert_int_equal(p->deps.len, json_array_size(deps));
	for (size_t i = 0; i < p->deps.len; i++) {
		const struct bl_prov_dep *d = bl_vec_get(&p->deps, i);
		const json_t *m = json_array_get(deps, i);
		assert_string_equal(d->uri, bl_json_str(m, "uri"));
		const char *sha = bl_json_str(bl_json_obj(m, "digest"), "sha256");
		const char *sha1 = bl_json_str(bl_json_obj(m, "digest"), "sha1");
		char *want = bl_asprintf("%s:%s", sha ? "sha256" : "sha1", sha ? sha : sha1);
		assert_string_equal(d->digest, want);
		free(want);
	}
	const struct bl_prov_dep *alpine = bl_vec_get(&p->deps, 1);
	assert_true(alpine->image);
	assert_string_equal(alpine->name, "docker.io/library/alpine:latest");
	const json_t *ep = bl_json_obj(bd, "externalParameters");
	const json_t *cs = bl_json_obj(ep, "configSource");
	assert_string_equal(p->source_uri, bl_json_str(cs, "uri"));
	assert_string_equal(p->source_path, bl_json_str(cs, "path"));
	char *sd = bl_asprintf("sha1:%s", bl_json_str(bl_json_obj(cs, "digest"), "sha1"));
	assert_string_equal(p->source_digest, sd);
	free(sd);
	const json_t *req = bl_json_obj(ep, "request");
	assert_string_equal(p->frontend, bl_json_str(req, "frontend"));
	assert_int_equal(p->secrets.len, json_array_size(bl_json_arr(req, "secrets")));
	assert_string_equal(bl_vec_get(&p->secrets, 0),
	        bl_json_str(json_array_get(bl_json_arr(req, "secrets"), 0), "id"));
	const json_t *ip = bl_json_obj(bd, "internalParameters");
	assert_string_equal(p->builder_platform, bl_json_str(ip, "builderPlatform"));
	const json_t *md = bl_json_obj(bl_json_obj(pred, "runDetails"), "metadata");
	assert_string_equal(p->invocation_id, bl_json_str(md, "invocationID"));
	assert_string_equal(p->started, bl_json_str(md, "startedOn"));
	assert_string_equal(p->finished, bl_json_str(md, "finishedOn"));
	/* the steps and the Dockerfile, decoded from the file's base64 */
	const json_t *llb = bl_json_arr(bl_json_obj(ip, "buildConfig"), "llbDefinition");
	assert_int_equal(p->steps.len, json_array_size(llb));
	const json_t *info = json_array_get(
	        bl_json_arr(bl_json_obj(bl_json_obj(md, "buildkit_metadata"), "source"), "infos"),
	        0);
	struct bl_buf text;
	bl_buf_init(&text);
	assert_true(bl_base64_decode(bl_json_str(info, "data"), &text));
	assert_string_equal(p->dockerfile, text.data);
	assert_string_equal(p->dockerfile_name, bl_json_str(info, "filename"));
	struct bl_digest dd;
	bl_digest_compute(BL_DIGEST_SHA256, text.data, text.len, &dd);
	assert_string_equal(p->dockerfile_digest.str, dd.str);
	/* step1 is the RUN on line 3 of hello.Dockerfile (locations.step1) */
	const struct bl_prov_step *s1 = bl_vec_get(&p->steps, 1);
	assert_int_equal(s1->op, BL_PROV_OP_EXEC);
	assert_int_equal(s1->line_first, 3);
	assert_int_equal(s1->ninputs, 1);
	assert_int_equal(s1->inputs[0], 0);
	char *line3 = bl_prov_dockerfile_line(p, 3);
	char *w = bl_prov_step_words(p, 1);
	char *want = bl_asprintf("hello.Dockerfile:3 `%s`", line3);
	assert_string_equal(w, want);
	free(w);
	free(want);
	free(line3);
	/* layers["step0:0"]: its one layer was made by the FROM on line 1 */
	const json_t *chain = json_array_get(
	        json_array_get(
	                bl_json_arr(bl_json_obj(bl_json_obj(md, "buildkit_metadata"), "layers"),
	                        "step0:0"),
	                0),
	        0);
	struct bl_digest ld;
	assert_true(bl_digest_parse(bl_json_str(chain, "digest"), &ld, NULL));
	assert_int_equal(bl_prov_layer_step(p, &ld, 1, 0), 0);
	w = bl_prov_step_words(p, 0);
	assert_string_equal(w, "hello.Dockerfile:1 `FROM alpine AS base`");
	free(w);
	/* a layer that is not in the map: unknown */
	struct bl_digest other;
	bl_digest_compute(BL_DIGEST_SHA256, "x", 1, &other);
	assert_int_equal(bl_prov_layer_step(p, &other, 1, 0), -1);
	json_t *j = bl_prov_json(p);
	assert_string_equal(bl_json_str(j, "mode"), "max");
	assert_string_equal(bl_json_str(j, "version"), "v1");
	json_decref(j);
	bl_buf_fini(&text);
	bl_prov_free(p);
	json_decref(doc);
}

static void test_corpus_slsa_v02_mode_min(void **state)
{
	(void)state;
	if (!fx_corpus())
		skip();
	json_t *doc = load_corpus(
	        "actions-toolkit/oci-layout/hello-oci-multiplatform-gzip/blobs/"
	        "sha256/a659ccda8bbcce09842dfd7bf7fa0581e215564273bfc27718ca0eee18e16880");
	struct bl_prov *p = bl_prov_decode(doc, NULL);
	assert_non_null(p);
	const json_t *pred = bl_json_obj(doc, "predicate");
	assert_false(p->v1);
	assert_false(p->max_mode);
	assert_int_equal(p->deps.len, json_array_size(bl_json_arr(pred, "materials")));
	const json_t *inv = bl_json_obj(pred, "invocation");
	assert_string_equal(
	        p->source_path, bl_json_str(bl_json_obj(inv, "configSource"), "entryPoint"));
	assert_string_equal(p->frontend, bl_json_str(bl_json_obj(inv, "parameters"), "frontend"));
	assert_string_equal(
	        p->builder_platform, bl_json_str(bl_json_obj(inv, "environment"), "platform"));
	const json_t *md = bl_json_obj(pred, "metadata");
	const json_t *vcs =
	        bl_json_obj(bl_json_obj(md, "https://mobyproject.org/buildkit@v1#metadata"), "vcs");
	assert_string_equal(p->vcs_revision, bl_json_str(vcs, "revision"));
	assert_string_equal(p->invocation_id, bl_json_str(md, "buildInvocationID"));
	assert_int_equal(p->steps.len, 0);
	assert_null(p->dockerfile);
	bl_prov_free(p);
	json_decref(doc);
}

static void test_not_provenance_fails(void **state)
{
	(void)state;
	struct bl_error e;
	json_t *j = parse("{\"_type\":\"x\",\"predicateType\":\"https://spdx.dev/Document\","
	                  "\"predicate\":{}}");
	bl_error_clear(&e);
	assert_null(bl_prov_decode(j, &e));
	assert_int_equal(e.code, BL_E_FORMAT);
	json_decref(j);
	j = parse("[1]");
	assert_null(bl_prov_decode(j, &e));
	json_decref(j);
	j = parse("{\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":3}");
	assert_null(bl_prov_decode(j, &e));
	json_decref(j);
}

static void test_missing_and_unexpected_fields(void **state)
{
	(void)state;
	/* nothing there: decoded, nothing set, no problem */
	json_t *j =
	        parse("{\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{}}");
	struct bl_prov *p = bl_prov_decode(j, NULL);
	assert_non_null(p);
	assert_true(p->v1);
	assert_int_equal(p->deps.len, 0);
	assert_null(p->frontend);
	assert_int_equal(p->problems.len, 0);
	bl_prov_free(p);
	json_decref(j);
	/* wrong types: each a problem, the rest still decoded */
	j = parse(
	        "{\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{"
	        "\"buildDefinition\":{\"resolvedDependencies\":\"alpine\","
	        "\"externalParameters\":{\"request\":{\"frontend\":7,\"args\":[1],"
	        "\"secrets\":[{\"id\":\"S\"},{\"x\":1}]}},"
	        "\"internalParameters\":{\"builderPlatform\":\"linux/arm64\","
	        "\"buildConfig\":{\"llbDefinition\":[5,{\"id\":\"step1\",\"inputs\":[\"nope:0\"],"
	        "\"op\":{\"Op\":{\"exec\":{\"meta\":{\"args\":[1,\"sh\"]}}}}}]}}},"
	        "\"runDetails\":{\"metadata\":{\"startedOn\":{}, \"unknown\":1}}, \"extra\":[]}}");
	p = bl_prov_decode(j, NULL);
	assert_non_null(p);
	assert_true(has_problem(p, "resolvedDependencies: not an array"));
	assert_true(has_problem(p, "frontend: not a string"));
	assert_true(has_problem(p, "args: not an object"));
	assert_true(has_problem(p, "secrets[1]: no id"));
	assert_true(has_problem(p, "llbDefinition[0]: not an object"));
	assert_true(has_problem(p, "startedOn: not a string"));
	assert_int_equal(p->secrets.len, 1);
	assert_string_equal(p->builder_platform, "linux/arm64");
	assert_int_equal(p->steps.len, 2);
	const struct bl_prov_step *s = bl_vec_get(&p->steps, 1);
	assert_int_equal(s->inputs[0], -1);
	assert_string_equal(s->args, "sh");
	bl_prov_free(p);
	json_decref(j);
}

static void test_invalid_base64_dockerfile_is_a_field_error(void **state)
{
	(void)state;
	json_t *j = parse(
	        "{\"predicateType\":\"https://slsa.dev/provenance/v0.2\",\"predicate\":{"
	        "\"invocation\":{\"parameters\":{\"frontend\":\"dockerfile.v0\"}},"
	        "\"buildConfig\":{\"llbDefinition\":[]},"
	        "\"metadata\":{\"https://mobyproject.org/buildkit@v1#metadata\":{"
	        "\"source\":{\"infos\":[{\"filename\":\"Dockerfile\",\"data\":\"@@not*base64\"}],"
	        "\"locations\":{\"step0\":{}}}}}}}");
	struct bl_prov *p = bl_prov_decode(j, NULL);
	assert_non_null(p);
	assert_null(p->dockerfile);
	assert_string_equal(p->dockerfile_error, "not valid base64");
	assert_true(has_problem(p, "not valid base64"));
	assert_string_equal(p->frontend, "dockerfile.v0");
	assert_null(bl_prov_dockerfile_line(p, 1));
	json_t *pj = bl_prov_json(p);
	assert_string_equal(
	        bl_json_str(bl_json_obj(pj, "dockerfile"), "error"), "not valid base64");
	json_decref(pj);
	bl_prov_free(p);
	json_decref(j);
}

static void test_huge_llb_definition_is_capped(void **state)
{
	(void)state;
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_puts(&b, "{\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{"
	                "\"buildDefinition\":{\"internalParameters\":{\"buildConfig\":{"
	                "\"llbDefinition\":[");
	size_t n = 50000;
	for (size_t i = 0; i < n; i++)
		bl_buf_printf(&b,
		        "%s{\"id\":\"step%zu\",\"inputs\":[\"step%zu:0\"],\"op\":{\"Op\":"
		        "{\"exec\":{\"meta\":{\"args\":[\"a\"],\"env\":[\"A=1\"]}}}}}",
		        i ? "," : "", i, i ? i - 1 : 0);
	bl_buf_puts(&b, "]}}}}}");
	json_t *j = parse(b.data);
	int64_t t0 = bl_clock_ms();
	struct bl_prov *p = bl_prov_decode(j, NULL);
	int64_t ms = bl_clock_ms() - t0;
	assert_non_null(p);
	assert_int_equal(p->steps.len, BL_PROV_STEPS_MAX);
	assert_true(p->capped);
	assert_true(has_problem(p, "only the first"));
	/* inputs resolve by position, not by a scan per input */
	const struct bl_prov_step *last = bl_vec_get(&p->steps, BL_PROV_STEPS_MAX - 1);
	assert_int_equal(last->inputs[0], BL_PROV_STEPS_MAX - 2);
	assert_true(ms < 2000);
	bl_prov_free(p);
	json_decref(j);
	bl_buf_fini(&b);
}

static void test_hostile_strings_kept_raw_and_capped(void **state)
{
	(void)state;
	struct bl_buf big;
	bl_buf_init(&big);
	for (int i = 0; i < BL_PROV_STRING_MAX * 2; i++)
		bl_buf_putc(&big, 'x');
	char *text = bl_asprintf(
	        "{\"predicateType\":\"https://slsa.dev/provenance/v1\",\"predicate\":{"
	        "\"buildDefinition\":{\"externalParameters\":{\"request\":{\"args\":{"
	        "\"build-arg:EVIL\":\"a\\u001b]52;c;b\\u0007\\nz\",\"build-arg:BIG\":\"%s\"}}}}}}",
	        big.data);
	json_t *j = parse(text);
	struct bl_prov *p = bl_prov_decode(j, NULL);
	const struct bl_prov_kv *evil = bl_vec_get(&p->args, 0);
	assert_string_equal(evil->value, "a\x1b]52;c;b\x07\nz"); /* escaped where printed */
	const struct bl_prov_kv *bigkv = bl_vec_get(&p->args, 1);
	assert_int_equal(strlen(bigkv->value), BL_PROV_STRING_MAX);
	assert_true(p->capped);
	bl_prov_free(p);
	json_decref(j);
	free(text);
	bl_buf_fini(&big);
}

static void test_purl_image_names(void **state)
{
	(void)state;
	char *s = bl_prov_purl_image("pkg:docker/alpine@latest?platform=linux%2Famd64");
	assert_string_equal(s, "docker.io/library/alpine:latest");
	free(s);
	s = bl_prov_purl_image("pkg:docker/docker/buildkit-syft-scanner@stable-1");
	assert_string_equal(s, "docker.io/docker/buildkit-syft-scanner:stable-1");
	free(s);
	s = bl_prov_purl_image("pkg:docker/ghcr.io/a/b@1.0");
	assert_string_equal(s, "ghcr.io/a/b:1.0");
	free(s);
	assert_null(bl_prov_purl_image("https://github.com/a/b.git#main"));
}

/* A node whose cause provenance named says it in its one-line summary. */
static void test_summary_names_the_cause(void **state)
{
	(void)state;
	struct bl_cmp_node n;
	memset(&n, 0, sizeof n);
	n.kind = BL_NODE_MANIFEST;
	n.cls = n.own = BL_CMP_CONTENT;
	n.flags = 1u << BL_CMP_CONTENT;
	char *plain = bl_cmp_node_summary(&n);
	assert_string_equal(plain, "layer content changed");
	n.cause = "build-arg:VERSION 1.2 -> 1.3";
	char *why = bl_cmp_node_summary(&n);
	assert_string_equal(why, "layer content changed; why: build-arg:VERSION 1.2 -> 1.3");
	free(plain);
	free(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_corpus_slsa_v1_mode_max),
	        cmocka_unit_test(test_corpus_slsa_v02_mode_min),
	        cmocka_unit_test(test_not_provenance_fails),
	        cmocka_unit_test(test_missing_and_unexpected_fields),
	        cmocka_unit_test(test_invalid_base64_dockerfile_is_a_field_error),
	        cmocka_unit_test(test_huge_llb_definition_is_capped),
	        cmocka_unit_test(test_hostile_strings_kept_raw_and_capped),
	        cmocka_unit_test(test_purl_image_names),
	        cmocka_unit_test(test_summary_names_the_cause),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
