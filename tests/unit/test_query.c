/* bl_build_query: `bakelens digest` answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bakelens/query.h"
#include "model_fixture.h"

struct qfx {
	struct fx f;
	struct fx_image im;
	struct bl_build *b;
};

static int setup(void **state)
{
	struct qfx *q = bl_calloc(1, sizeof *q);
	fx_init(&q->f);
	fx_make_image(&q->f, &q->im, NULL);
	const char *args[] = {q->f.dir};
	struct bl_error e;
	if (!fx_load(args, 1, &q->b, &e))
		return -1;
	*state = q;
	return 0;
}

static int teardown(void **state)
{
	struct qfx *q = *state;
	bl_build_free(q->b);
	fx_fini(&q->f);
	free(q);
	return 0;
}

static bool ask(struct qfx *q, const char *platform, enum bl_what what, bool has_layer, long layer,
        struct bl_digest *out, struct bl_error *e)
{
	struct bl_query qu = {.target = NULL,
	        .platform = platform,
	        .what = what,
	        .has_layer = has_layer,
	        .layer = layer};
	bl_error_clear(e);
	return bl_build_query(q->b, &qu, out, e);
}

static void test_query_what_parse_names(void **state)
{
	(void)state;
	enum bl_what w;
	assert_true(bl_what_parse("index", &w));
	assert_int_equal(w, BL_WHAT_INDEX);
	assert_true(bl_what_parse("diff-id", &w));
	assert_int_equal(w, BL_WHAT_DIFF_ID);
	assert_true(bl_what_parse("chain-id", &w));
	assert_int_equal(w, BL_WHAT_CHAIN_ID);
	assert_true(bl_what_parse("layer", &w));
	assert_int_equal(w, BL_WHAT_LAYER);
	assert_false(bl_what_parse("diff_id", &w));
	assert_false(bl_what_parse("", &w));
	assert_false(bl_what_parse(NULL, &w));
}

static void test_query_default_is_root_index(void **state)
{
	struct qfx *q = *state;
	struct bl_digest d;
	struct bl_error e;
	assert_true(ask(q, NULL, BL_WHAT_DEFAULT, false, 0, &d, &e));
	assert_string_equal(d.str, q->im.index.str);
	assert_true(ask(q, NULL, BL_WHAT_INDEX, false, 0, &d, &e));
	assert_string_equal(d.str, q->im.index.str);
}

static void test_query_platform_alone_means_its_manifest_and_is_checked(void **state)
{
	struct qfx *q = *state;
	struct bl_digest d;
	struct bl_error e;
	/* --platform without --what: that platform's manifest, not the index */
	assert_true(ask(q, "linux/arm64", BL_WHAT_DEFAULT, false, 0, &d, &e));
	assert_string_equal(d.str, q->im.m_arm64.str);
	/* --what index with a platform that is not there: not found, not the index */
	assert_false(ask(q, "linux/s390x", BL_WHAT_INDEX, false, 0, &d, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, "linux/s390x"));
	assert_false(ask(q, "linux/s390x", BL_WHAT_DEFAULT, false, 0, &d, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	/* with one that is there, the index */
	assert_true(ask(q, "linux/amd64", BL_WHAT_INDEX, false, 0, &d, &e));
	assert_string_equal(d.str, q->im.index.str);
}

static void test_query_several_platforms_without_platform_is_usage(void **state)
{
	struct qfx *q = *state;
	struct bl_digest d;
	struct bl_error e;
	assert_false(ask(q, NULL, BL_WHAT_MANIFEST, false, 0, &d, &e));
	assert_int_equal(e.code, BL_E_USAGE);
	assert_non_null(strstr(e.msg, "linux/amd64"));
	assert_non_null(strstr(e.msg, "linux/arm64/v8"));
	/* attestations are not platforms */
	assert_null(strstr(e.msg, "unknown"));
}

static void test_query_platform_selects_manifest_config_and_layers(void **state)
{
	struct qfx *q = *state;
	struct bl_digest d;
	struct bl_error e;
	assert_true(ask(q, "linux/amd64", BL_WHAT_MANIFEST, false, 0, &d, &e));
	assert_string_equal(d.str, q->im.m_amd64.str);
	assert_true(ask(q, "linux/arm64", BL_WHAT_MANIFEST, false, 0, &d, &e));
	assert_string_equal(d.str, q->im.m_arm64.str);
	assert_true(ask(q, "linux/amd64", BL_WHAT_CONFIG, false, 0, &d, &e));
	assert_string_equal(d.str, q->im.config.str);
	assert_true(ask(q, "linux/amd64", BL_WHAT_LAYER, false, 0, &d, &e)); /* default: last */
	assert_string_equal(d.str, q->im.layer2.str);
	assert_true(ask(q, "linux/amd64", BL_WHAT_LAYER, true, 1, &d, &e)); /* 1: the bottom */
	assert_string_equal(d.str, q->im.layer1.str);
	assert_true(ask(q, "linux/amd64", BL_WHAT_LAYER, true, -2, &d, &e));
	assert_string_equal(d.str, q->im.layer1.str);
	assert_true(ask(q, "linux/amd64", BL_WHAT_DIFF_ID, true, 2, &d, &e));
	assert_string_equal(d.str, q->im.diff2.str);
	assert_true(ask(q, "linux/amd64", BL_WHAT_CHAIN_ID, true, 1, &d, &e));
	assert_string_equal(d.str, q->im.diff1.str);
	struct bl_digest chain;
	bl_digest_chain(&q->im.diff1, &q->im.diff2, &chain);
	assert_true(ask(q, "linux/amd64", BL_WHAT_CHAIN_ID, false, 0, &d, &e));
	assert_string_equal(d.str, chain.str);
}

static void test_query_missing_platform_and_layer_not_found(void **state)
{
	struct qfx *q = *state;
	struct bl_digest d;
	struct bl_error e;
	assert_false(ask(q, "windows/amd64", BL_WHAT_MANIFEST, false, 0, &d, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, "linux/amd64"));
	assert_false(ask(q, "linux/amd64", BL_WHAT_LAYER, true, 3, &d, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, "2 layers (1 to 2, or -1 to -2)"));
	assert_false(ask(q, "linux/amd64", BL_WHAT_LAYER, true, 0, &d, &e)); /* 0 is none */
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_false(ask(q, "linux/amd64", BL_WHAT_LAYER, true, -3, &d, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_false(ask(q, "bad platform!", BL_WHAT_MANIFEST, false, 0, &d, &e));
}

static void test_query_target_by_name_and_ambiguity(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	char *meta = bl_asprintf(
	        "{\"a\":{\"containerimage.digest\":\"%s\"},\"b\":{\"containerimage.digest\":\"%s\","
	        "\"containerimage.config.digest\":\"%s\"}}",
	        im.index.str, im.m_arm64.str, im.config.str);
	char path[512];
	fx_file(&f, "m.json", meta, path, sizeof path);
	const char *args[] = {path, f.dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 2, &b, &e));
	struct bl_query qu = {0};
	struct bl_digest d;
	assert_false(bl_build_query(b, &qu, &d, &e));
	assert_int_equal(e.code, BL_E_USAGE);
	assert_non_null(strstr(e.msg, "a, b"));
	qu.target = "b";
	assert_true(bl_build_query(b, &qu, &d, &e));
	assert_string_equal(d.str, im.m_arm64.str);
	qu.what = BL_WHAT_CONFIG;
	assert_true(bl_build_query(b, &qu, &d, &e));
	assert_string_equal(d.str, im.config.str);
	qu.what = BL_WHAT_INDEX;
	assert_false(bl_build_query(b, &qu, &d, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	qu.what = BL_WHAT_DEFAULT;
	qu.target = "c";
	assert_false(bl_build_query(b, &qu, &d, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, "a, b"));
	bl_build_free(b);

	/* metadata alone: the digest is known, what needs a blob is not found */
	const char *args1[] = {path};
	assert_true(fx_load(args1, 1, &b, &e));
	qu.target = "a";
	qu.what = BL_WHAT_DEFAULT;
	assert_true(bl_build_query(b, &qu, &d, &e));
	assert_string_equal(d.str, im.index.str);
	qu.what = BL_WHAT_MANIFEST;
	qu.platform = "linux/amd64";
	assert_false(bl_build_query(b, &qu, &d, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	/* config digest from metadata when the manifest is not available */
	qu.target = "b";
	qu.what = BL_WHAT_CONFIG;
	qu.platform = NULL;
	assert_true(bl_build_query(b, &qu, &d, &e));
	assert_string_equal(d.str, im.config.str);
	bl_build_free(b);
	free(meta);
	fx_fini(&f);
}

/* The fixture image with its config blob removed, loaded. */
static struct bl_build *load_without_config(struct fx *f, struct fx_image *im)
{
	fx_init(f);
	fx_make_image(f, im, NULL);
	char p[512];
	snprintf(p, sizeof p, "%s/blobs/sha256/%s", f->dir, bl_digest_hex(&im->config));
	remove(p);
	const char *args[] = {f->dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	return b;
}

static void test_query_missing_config_fails_with_not_found(void **state)
{
	(void)state;
	struct fx f;
	struct fx_image im;
	struct bl_build *b = load_without_config(&f, &im);
	struct bl_error e;
	struct bl_query qu = {.platform = "linux/amd64", .what = BL_WHAT_DIFF_ID};
	struct bl_digest d;
	assert_false(bl_build_query(b, &qu, &d, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, bl_digest_hex(&im.config)));
	/* the layer digest itself is in the manifest: still answered */
	qu.what = BL_WHAT_LAYER;
	assert_true(bl_build_query(b, &qu, &d, &e));
	assert_string_equal(d.str, im.layer2.str);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_query_corpus_sparse_index_platform(void **state)
{
	(void)state;
	if (!fx_corpus())
		skip();
	char *p = fx_corpus_path("oras-go/hello-world.tar");
	const char *args[] = {p};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	struct bl_query qu = {.platform = "linux/amd64", .what = BL_WHAT_CONFIG};
	struct bl_digest d;
	assert_true(bl_build_query(b, &qu, &d, &e));
	assert_true(bl_digest_is_set(&d));
	qu.platform = "linux/arm64";
	assert_false(bl_build_query(b, &qu, &d, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND); /* that manifest is absent */
	bl_build_free(b);
	free(p);
}

/* An index chain 80 levels deep (distinct blobs): the walk stops at its
 * depth cap, and digest says so (a format error), not "no image manifest". */
static void test_query_index_nested_past_the_cap_says_why(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	const char *man =
	        "{\"schemaVersion\":2,\"mediaType\":\"application/"
	        "vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/"
	        "vnd.oci.image.config.v1+json\",\"digest\":\"sha256:"
	        "0000000000000000000000000000000000000000000000000000000000000000\",\"size\":2},"
	        "\"layers\":[]}";
	struct bl_digest d;
	fx_blob(&f, man, &d);
	char *desc = fx_desc(BL_MT_OCI_MANIFEST, &d, man, NULL);
	for (int i = 0; i < 80; i++) {
		char *idx = bl_asprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"manifests\":[%"
		                        "s],\"annotations\":{\"level\":\"%d\"}}",
		        BL_MT_OCI_INDEX, desc, i);
		fx_blob(&f, idx, &d);
		free(desc);
		desc = fx_desc(BL_MT_OCI_INDEX, &d, idx, NULL);
		free(idx);
	}
	char *top = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", desc);
	fx_index(&f, top);
	const char *args[] = {f.dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	struct bl_query q = {.what = BL_WHAT_CONFIG};
	struct bl_digest out;
	bl_error_clear(&e);
	assert_false(bl_build_query(b, &q, &out, &e));
	assert_int_equal(e.code, BL_E_FORMAT);
	if (!strstr(e.msg, "nested more than 64 levels deep"))
		fail_msg("%s", e.msg);
	bl_build_free(b);
	free(top);
	free(desc);
	fx_fini(&f);
}

/* The explorer's -t/-p and digest's --target/--platform pick the same nodes. */
static void test_query_find_target_and_platform_choose_the_node(void **state)
{
	struct qfx *q = *state;
	struct bl_error e;
	bl_error_clear(&e);
	const struct bl_node *only = bl_build_find_target(q->b, NULL, &e);
	assert_non_null(only);
	assert_ptr_equal(only, bl_node_child(q->b->root, 0));
	assert_int_equal(only->kind, BL_NODE_TARGET);
	assert_ptr_equal(bl_build_find_target(q->b, "latest", &e), only);

	const struct bl_node *m = bl_node_find_platform(only, "linux/amd64", &e);
	assert_non_null(m);
	assert_int_equal(m->kind, BL_NODE_MANIFEST);
	assert_string_equal(m->desc.digest.str, q->im.m_amd64.str);
	/* no variant asked: the arm64/v8 manifest */
	m = bl_node_find_platform(only, "linux/arm64", &e);
	assert_non_null(m);
	assert_string_equal(m->desc.digest.str, q->im.m_arm64.str);

	/* the attestation (unknown/unknown) is no platform */
	bl_error_clear(&e);
	assert_null(bl_node_find_platform(only, "unknown/unknown", &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	bl_error_clear(&e);
	assert_null(bl_node_find_platform(only, "windows/amd64", &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, "no manifest for platform windows/amd64"));
	assert_non_null(strstr(e.msg, "(platforms: linux/amd64, linux/arm64/v8)"));
	bl_error_clear(&e);
	assert_null(bl_node_find_platform(only, NULL, &e));
	assert_int_equal(e.code, BL_E_USAGE);
	bl_error_clear(&e);
	assert_null(bl_node_find_platform(only, "bad platform!", &e));
	assert_int_equal(e.code, BL_E_USAGE);

	bl_error_clear(&e);
	assert_null(bl_build_find_target(q->b, "nope", &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_string_equal(e.msg, "no target \"nope\" (targets: latest)");
	/* no error wanted: still NULL */
	assert_null(bl_build_find_target(q->b, "nope", NULL));
}

/* Targets by label or image name; a single manifest's platform from its config. */
static void test_query_find_in_metadata_targets(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	char *meta = bl_asprintf(
	        "{\"a\":{\"containerimage.digest\":\"%s\"},"
	        "\"b\":{\"containerimage.digest\":\"%s\",\"image.name\":\"example.com/b:1\"}}",
	        im.index.str, im.m_arm64.str);
	char path[512];
	fx_file(&f, "m.json", meta, path, sizeof path);
	const char *args[] = {path, f.dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 2, &b, &e));
	const struct bl_node *ta = bl_node_child(b->root, 0), *tb = bl_node_child(b->root, 1);
	assert_string_equal(ta->label, "a");
	assert_string_equal(tb->label, "b");

	bl_error_clear(&e);
	assert_null(bl_build_find_target(b, NULL, &e));
	assert_int_equal(e.code, BL_E_USAGE);
	assert_non_null(strstr(e.msg, "2 targets: a, b"));
	assert_ptr_equal(bl_build_find_target(b, "a", &e), ta);
	assert_ptr_equal(bl_build_find_target(b, "b", &e), tb);
	assert_ptr_equal(bl_build_find_target(b, "example.com/b:1", &e), tb);

	/* b is one manifest: no platform in its descriptor, amd64 in its config */
	const struct bl_node *m = bl_node_find_platform(tb, "linux/amd64", &e);
	assert_non_null(m);
	assert_ptr_equal(m, bl_node_child(tb, 0));
	assert_string_equal(m->desc.digest.str, im.m_arm64.str);
	bl_error_clear(&e);
	assert_null(bl_node_find_platform(tb, "linux/arm64", &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, "(platforms: linux/amd64)"));
	m = bl_node_find_platform(ta, "linux/amd64", &e);
	assert_non_null(m);
	assert_string_equal(m->desc.digest.str, im.m_amd64.str);
	bl_build_free(b);

	/* metadata alone: the index is in no source */
	const char *args1[] = {path};
	assert_true(fx_load(args1, 1, &b, &e));
	bl_error_clear(&e);
	assert_null(bl_node_find_platform(bl_node_child(b->root, 0), "linux/amd64", &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, "not in any source given"));
	bl_build_free(b);
	free(meta);
	fx_fini(&f);
}

/* ---- bl_build_keys: every target's keys at once ---- */

static const struct bl_platform_keys *keys_platform(const struct bl_target_keys *tk, size_t i)
{
	assert_true(i < tk->platforms.len);
	return bl_vec_get(&tk->platforms, i);
}

static void test_keys_every_platform_every_key(void **state)
{
	struct qfx *q = *state;
	struct bl_keys k;
	struct bl_error e = {0};
	assert_true(bl_build_keys(q->b, NULL, NULL, 0, &k, &e));
	assert_int_equal(k.asked, BL_KEYS_ALL);
	assert_int_equal(k.targets.len, 1);
	const struct bl_target_keys *tk = bl_vec_get(&k.targets, 0);
	assert_string_equal(tk->name, "latest");
	assert_null(tk->error);
	assert_true(tk->has_index);
	assert_string_equal(tk->index.str, q->im.index.str);
	/* the attestation manifest is not a platform */
	assert_int_equal(tk->platforms.len, 2);
	const struct bl_platform_keys *amd = keys_platform(tk, 0), *arm = keys_platform(tk, 1);
	assert_string_equal(amd->platform, "linux/amd64");
	assert_string_equal(arm->platform, "linux/arm64/v8");
	assert_int_equal(amd->has, BL_KEYS_PLATFORM);
	assert_int_equal(arm->has, BL_KEYS_PLATFORM);
	assert_null(amd->error);
	assert_string_equal(amd->key[BL_WHAT_MANIFEST].str, q->im.m_amd64.str);
	assert_string_equal(amd->key[BL_WHAT_CONFIG].str, q->im.config.str);
	assert_string_equal(amd->key[BL_WHAT_LAYER].str, q->im.layer2.str);
	assert_string_equal(amd->key[BL_WHAT_DIFF_ID].str, q->im.diff2.str);
	struct bl_digest chain;
	bl_digest_chain(&q->im.diff1, &q->im.diff2, &chain);
	assert_string_equal(amd->key[BL_WHAT_CHAIN_ID].str, chain.str);
	/* arm64 has one layer: its ChainID is its diff_id */
	assert_string_equal(arm->key[BL_WHAT_MANIFEST].str, q->im.m_arm64.str);
	assert_string_equal(arm->key[BL_WHAT_LAYER].str, q->im.layer1.str);
	assert_string_equal(arm->key[BL_WHAT_DIFF_ID].str, q->im.diff1.str);
	assert_string_equal(arm->key[BL_WHAT_CHAIN_ID].str, q->im.diff1.str);
	bl_keys_fini(&k);
}

static void test_keys_narrowed_to_asked_keys_and_platform(void **state)
{
	struct qfx *q = *state;
	struct bl_keys k;
	struct bl_error e = {0};
	unsigned asked = 0;
	assert_true(bl_keys_parse_what("layer,chain-id", &asked, &e));
	assert_true(bl_build_keys(q->b, "latest", "linux/arm64", asked, &k, &e));
	const struct bl_target_keys *tk = bl_vec_get(&k.targets, 0);
	assert_false(tk->has_index);
	assert_int_equal(tk->platforms.len, 1);
	const struct bl_platform_keys *arm = keys_platform(tk, 0);
	assert_string_equal(arm->platform, "linux/arm64/v8");
	assert_int_equal(arm->has, (1u << BL_WHAT_LAYER) | (1u << BL_WHAT_CHAIN_ID));
	assert_string_equal(arm->key[BL_WHAT_LAYER].str, q->im.layer1.str);
	bl_keys_fini(&k);
	/* a platform not in the image is the target's error, not a failure */
	assert_true(bl_build_keys(q->b, NULL, "windows/amd64", 0, &k, &e));
	tk = bl_vec_get(&k.targets, 0);
	assert_int_equal(tk->status, BL_E_NOT_FOUND);
	assert_non_null(strstr(tk->error, "linux/amd64"));
	/* as `digest --what index --platform P`: a platform not there is not passed over */
	assert_false(tk->has_index);
	bl_keys_fini(&k);
	/* an unknown target or an unparsable platform fails the whole call */
	assert_false(bl_build_keys(q->b, "nope", NULL, 0, &k, &e));
	assert_int_equal(e.code, BL_E_NOT_FOUND);
	bl_keys_fini(&k);
	assert_false(bl_build_keys(q->b, NULL, "bad platform!", 0, &k, &e));
	assert_int_equal(e.code, BL_E_USAGE);
	bl_keys_fini(&k);
}

static void test_keys_parse_what_lists(void **state)
{
	(void)state;
	unsigned m = 0;
	struct bl_error e = {0};
	assert_true(bl_keys_parse_what("index", &m, &e));
	assert_true(bl_keys_parse_what("diff-id,manifest", &m, &e));
	assert_int_equal(
	        m, (1u << BL_WHAT_INDEX) | (1u << BL_WHAT_DIFF_ID) | (1u << BL_WHAT_MANIFEST));
	assert_false(bl_keys_parse_what("layer,diff_id", &m, &e));
	assert_int_equal(e.code, BL_E_USAGE);
	assert_non_null(strstr(e.msg, "\"diff_id\""));
	assert_false(bl_keys_parse_what("layer,", &m, &e));
	assert_false(bl_keys_parse_what("", &m, &e));
	assert_string_equal(bl_keys_name(BL_WHAT_CHAIN_ID), "chain-id");
	assert_string_equal(bl_keys_field(BL_WHAT_CHAIN_ID), "chain_id");
	assert_string_equal(bl_keys_field(BL_WHAT_LAYER), "digest");
	assert_null(bl_keys_name(BL_WHAT_DEFAULT));
}

/* A missing config: that platform's diff_id and ChainID cannot be known and
 * it says why, the keys the manifest holds are still given. */
static void test_keys_missing_config_is_the_platforms_error(void **state)
{
	(void)state;
	struct fx f;
	struct fx_image im;
	struct bl_build *b = load_without_config(&f, &im);
	struct bl_error e;
	struct bl_keys k;
	assert_true(bl_build_keys(b, NULL, NULL, 0, &k, &e));
	const struct bl_target_keys *tk = bl_vec_get(&k.targets, 0);
	assert_null(tk->error);
	const struct bl_platform_keys *amd = keys_platform(tk, 0);
	assert_int_equal(amd->status, BL_E_NOT_FOUND);
	assert_non_null(strstr(amd->error, bl_digest_hex(&im.config)));
	assert_int_equal(amd->has,
	        (1u << BL_WHAT_MANIFEST) | (1u << BL_WHAT_CONFIG) | (1u << BL_WHAT_LAYER));
	assert_string_equal(amd->key[BL_WHAT_LAYER].str, im.layer2.str);
	bl_keys_fini(&k);
	bl_build_free(b);
	fx_fini(&f);
}

/* The size of blob d in the fixture's layout. */
static long blob_size(const struct fx *f, const struct bl_digest *d)
{
	char p[600];
	snprintf(p, sizeof p, "%s/blobs/sha256/%s", f->dir, bl_digest_hex(d));
	FILE *fp = fopen(p, "rb");
	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	long n = ftell(fp);
	fclose(fp);
	return n;
}

/* index.json naming one image twice and another once: two targets, the
 * first with both names; `digest` without --target answers when every
 * target gives the same digest, and names the targets when they differ. */
static void test_query_one_image_under_two_names_is_one_target(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	const char *mt = "application/vnd.oci.image.manifest.v1+json";
	char *idx =
	        bl_asprintf("{\"schemaVersion\":2,\"manifests\":["
	                    "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%ld,\"annotations\":"
	                    "{\"org.opencontainers.image.ref.name\":\"a:1\"}},"
	                    "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%ld,\"annotations\":"
	                    "{\"org.opencontainers.image.ref.name\":\"b\"}},"
	                    "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%ld,\"annotations\":"
	                    "{\"org.opencontainers.image.ref.name\":\"a:latest\"}}]}",
	                mt, im.m_amd64.str, blob_size(&f, &im.m_amd64), mt, im.m_arm64.str,
	                blob_size(&f, &im.m_arm64), mt, im.m_amd64.str, blob_size(&f, &im.m_amd64));
	fx_index(&f, idx);
	const char *args[] = {f.dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	assert_int_equal(bl_node_count(b->root), 2);
	const struct bl_node *ta = bl_node_child(b->root, 0);
	assert_string_equal(ta->label, "a:1, a:latest");
	assert_string_equal(ta->name, "a:1");
	assert_ptr_equal(bl_build_find_target(b, "a:latest", &e), ta);
	assert_ptr_equal(bl_build_find_target(b, "a:1", &e), ta);
	assert_null(bl_build_find_target(b, "a", &e));

	struct bl_query qu = {0};
	struct bl_digest d;
	/* The manifests differ: ambiguous, the targets named. */
	assert_false(bl_build_query(b, &qu, &d, &e));
	assert_int_equal(e.code, BL_E_USAGE);
	assert_non_null(strstr(e.msg, "2 targets: [a:1, a:latest], b;"));
	/* Both images share their config and first layer: one answer. */
	qu.what = BL_WHAT_CONFIG;
	assert_true(bl_build_query(b, &qu, &d, &e));
	assert_string_equal(d.str, im.config.str);
	qu.what = BL_WHAT_LAYER;
	qu.has_layer = true;
	qu.layer = 1; /* the bottom layer */
	assert_true(bl_build_query(b, &qu, &d, &e));
	assert_string_equal(d.str, im.layer1.str);
	/* The last layers differ. */
	qu.layer = -1;
	assert_false(bl_build_query(b, &qu, &d, &e));
	assert_int_equal(e.code, BL_E_USAGE);
	bl_build_free(b);
	free(idx);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_query_what_parse_names),
	        cmocka_unit_test_setup_teardown(test_query_default_is_root_index, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_query_platform_alone_means_its_manifest_and_is_checked, setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(
	                test_query_several_platforms_without_platform_is_usage, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_query_platform_selects_manifest_config_and_layers, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_query_missing_platform_and_layer_not_found, setup, teardown),
	        cmocka_unit_test(test_query_target_by_name_and_ambiguity),
	        cmocka_unit_test(test_query_missing_config_fails_with_not_found),
	        cmocka_unit_test(test_query_corpus_sparse_index_platform),
	        cmocka_unit_test(test_query_index_nested_past_the_cap_says_why),
	        cmocka_unit_test_setup_teardown(
	                test_query_find_target_and_platform_choose_the_node, setup, teardown),
	        cmocka_unit_test(test_query_find_in_metadata_targets),
	        cmocka_unit_test_setup_teardown(
	                test_keys_every_platform_every_key, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_keys_narrowed_to_asked_keys_and_platform, setup, teardown),
	        cmocka_unit_test(test_keys_parse_what_lists),
	        cmocka_unit_test(test_keys_missing_config_is_the_platforms_error),
	        cmocka_unit_test(test_query_one_image_under_two_names_is_one_target),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
