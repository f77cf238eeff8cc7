/* compare.c on builds loaded from real layouts (model_fixture.h) that hold
 * broken or empty entries: a build compared with itself is identical, and
 * what cannot be compared says why. Cases the comparison fuzz harness
 * (tests/fuzz/fuzz_compare.c) found. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/compare.h"
#include "model_fixture.h"

#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_LAYER "application/vnd.oci.image.layer.v1.tar+gzip"
#define CONFIG_DOC                                                                                 \
	"{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","            \
	"\"diff_ids\":[]}}"

/* A layout whose one manifest has `config` (a descriptor as JSON text) and
 * `layers` (a JSON array as text). */
static void layout_with(struct fx *f, const char *config, const char *layers)
{
	fx_init(f);
	struct bl_digest cd, md;
	fx_blob(f, CONFIG_DOC, &cd);
	char *man = bl_asprintf("{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST
	                        "\",\"config\":%s,\"layers\":%s}",
	        config, layers);
	fx_blob(f, man, &md);
	char *desc = fx_desc(MT_MANIFEST, &md, man, NULL);
	char *index = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", desc);
	fx_index(f, index);
	free(index);
	free(desc);
	free(man);
}

static void layout_with_config(struct fx *f, const char *config)
{
	layout_with(f, config, "[]");
}

static struct bl_build *load(struct fx *f)
{
	const char *args[] = {f->dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	return b;
}

static const struct bl_cmp_node *find_label(const struct bl_cmp_node *n, const char *label)
{
	if (n->label && strcmp(n->label, label) == 0)
		return n;
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_cmp_node *c = find_label(bl_vec_get(&n->children, i), label);
		if (c)
			return c;
	}
	return NULL;
}

/* A config descriptor without a digest (the node holds the error): the same
 * layout loaded twice compares identical, not "different: blob ? -> ?". */
static void test_undescribed_config_against_itself_is_identical(void **state)
{
	(void)state;
	struct fx f;
	layout_with_config(&f, "{\"mediaType\":\"" MT_CONFIG "\",\"size\":78}");
	struct bl_build *a = load(&f), *b = load(&f);
	struct bl_cmp *c = bl_cmp_builds(a, b, NULL);
	assert_true(bl_cmp_is_identical(c));
	const struct bl_cmp_node *cfg = find_label(c->root, "config");
	assert_non_null(cfg);
	assert_int_equal(cfg->own, BL_CMP_IDENTICAL);
	bl_cmp_free(c);
	c = bl_cmp_builds(a, a, NULL);
	assert_true(bl_cmp_is_identical(c));
	bl_cmp_free(c);
	bl_build_free(a);
	bl_build_free(b);
	fx_fini(&f);
}

/* Against a readable config it cannot be compared: unknown, and the note
 * gives the left side's error. */
static void test_undescribed_config_against_a_readable_one_is_unknown(void **state)
{
	(void)state;
	struct fx fl, fr;
	layout_with_config(&fl, "{\"mediaType\":\"" MT_CONFIG "\",\"size\":78}");
	struct bl_digest cd;
	bl_digest_compute(BL_DIGEST_SHA256, CONFIG_DOC, strlen(CONFIG_DOC), &cd);
	char *desc = fx_desc(MT_CONFIG, &cd, CONFIG_DOC, NULL);
	layout_with_config(&fr, desc);
	free(desc);
	struct bl_build *a = load(&fl), *b = load(&fr);
	struct bl_cmp *c = bl_cmp_builds(a, b, NULL);
	const struct bl_cmp_node *cfg = find_label(c->root, "config");
	assert_non_null(cfg);
	assert_int_equal(cfg->own, BL_CMP_UNKNOWN);
	/* One note, not "blob ? -> ?". */
	assert_int_equal(cfg->notes.len, 1);
	const char *note = bl_vec_get(&cfg->notes, 0);
	assert_non_null(strstr(note, "cannot compare: left blob is error"));
	assert_non_null(strstr(note, "missing digest"));
	bl_cmp_free(c);
	bl_build_free(a);
	bl_build_free(b);
	fx_fini(&fl);
	fx_fini(&fr);
}

/* A layer descriptor whose digest does not parse: the same layout twice is
 * identical; against a layer with a good digest it cannot be compared. */
static void test_layer_with_a_bad_digest_against_itself_is_identical(void **state)
{
	(void)state;
	struct bl_digest cd;
	bl_digest_compute(BL_DIGEST_SHA256, CONFIG_DOC, strlen(CONFIG_DOC), &cd);
	char *config = fx_desc(MT_CONFIG, &cd, CONFIG_DOC, NULL);
	struct fx fa, fb;
	layout_with(&fa, config,
	        "[{\"mediaType\":\"" MT_LAYER "\",\"digest\":\"sha256:0feb\",\"size\":3}]");
	struct bl_digest ld;
	bl_digest_compute(BL_DIGEST_SHA256, "abc", 3, &ld);
	char *good = bl_asprintf(
	        "[{\"mediaType\":\"" MT_LAYER "\",\"digest\":\"%s\",\"size\":3}]", ld.str);
	layout_with(&fb, config, good);
	fx_blob(&fb, "abc", &ld); /* the right's layer is there: its side is readable */
	free(good);
	free(config);
	struct bl_build *a = load(&fa), *a2 = load(&fa), *b = load(&fb);
	struct bl_cmp *c = bl_cmp_builds(a, a2, NULL);
	assert_true(bl_cmp_is_identical(c));
	bl_cmp_free(c);
	c = bl_cmp_builds(a, b, NULL);
	const struct bl_cmp_node *layer = find_label(c->root, "layer 1/1");
	assert_non_null(layer);
	assert_int_equal(layer->own, BL_CMP_UNKNOWN);
	assert_int_equal(layer->notes.len, 1);
	assert_non_null(strstr(bl_vec_get(&layer->notes, 0), "cannot compare: left "));
	bl_cmp_free(c);
	bl_build_free(a);
	bl_build_free(a2);
	bl_build_free(b);
	fx_fini(&fa);
	fx_fini(&fb);
}

/* An image without layers has no ChainID: its words do not show an empty one. */
static void test_platform_without_layers_shows_no_chain_id(void **state)
{
	(void)state;
	struct fx f;
	struct bl_digest cd;
	bl_digest_compute(BL_DIGEST_SHA256, CONFIG_DOC, strlen(CONFIG_DOC), &cd);
	char *desc = fx_desc(MT_CONFIG, &cd, CONFIG_DOC, NULL);
	layout_with_config(&f, desc);
	free(desc);
	struct bl_build *a = load(&f);
	struct bl_cmp *c = bl_cmp_builds(a, a, NULL);
	assert_int_equal(c->platforms.len, 1);
	const struct bl_cmp_platform *p = bl_vec_get(&c->platforms, 0);
	assert_int_equal(p->status, BL_CMP_ROOTFS_IDENTICAL);
	assert_int_equal(p->right_layers, 0);
	assert_string_equal(p->sentence, "root filesystems identical (no layers)");
	/* The facts say what the sentence says (scripts test rootfsIdentical). */
	assert_true(p->rootfs_known);
	assert_true(p->rootfs_identical);
	bl_cmp_free(c);
	bl_build_free(a);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_undescribed_config_against_itself_is_identical),
	        cmocka_unit_test(test_undescribed_config_against_a_readable_one_is_unknown),
	        cmocka_unit_test(test_layer_with_a_bad_digest_against_itself_is_identical),
	        cmocka_unit_test(test_platform_without_layers_shows_no_chain_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
