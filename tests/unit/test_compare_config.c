/* compare.c on a config and a manifest's own fields: identical builds,
 * configs that differ in timestamps, labels or only because their layers
 * moved, a missing config, annotations (tags are names), another manifest
 * format (compare_fixture.h builds the trees). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/compare.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"
#include "compare_fixture.h"

static void test_identical_builds_are_identical(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m1", CFG_A, THREE, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_true(bl_cmp_is_identical(c));
	assert_int_equal(c->root->flags, 0);
	const struct bl_cmp_platform *p = platform0(c);
	assert_true(p->rootfs_known);
	assert_true(p->rootfs_identical);
	assert_int_equal(p->first_divergent, -1);
	assert_null(bl_cmp_next_difference(c->root, NULL, 1));
	bl_cmp_free(c);
}

static void test_config_only_names_created_and_history_fields(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A_LATER, THREE, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_CONFIG);
	assert_int_equal(c->root->flags, 1u << BL_CMP_CONFIG);
	const struct bl_cmp_node *cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_non_null(cfg);
	assert_int_equal(cfg->own, BL_CMP_CONFIG);
	assert_int_equal(cfg->fields.len, 2);
	assert_true(has_field(cfg, "created"));
	assert_true(has_field(cfg, "history[1].created"));
	assert_true(has_note(cfg, "created: 2024-01-01T00:00:00Z -> 2024-02-02T00:00:00Z"));
	/* The manifest's digest moved because of its config: not its own difference. */
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_IDENTICAL);
	assert_int_equal(m->cls, BL_CMP_CONFIG);
	assert_true(platform0(c)->rootfs_identical);
	assert_ptr_equal(bl_cmp_next_difference(c->root, NULL, 1), cfg);
	char *sum = bl_cmp_node_summary(c->root);
	assert_string_equal(sum, "config only");
	free(sum);
	sum = bl_cmp_node_summary(cfg);
	assert_non_null(strstr(sum, "created, history[1].created"));
	free(sum);
	bl_cmp_free(c);

	/* Semantic mode: timestamps ignored, the rest is identical. */
	struct bl_cmp_opts o = {.ignore_timestamps = true};
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, &o);
	assert_true(bl_cmp_is_identical(c));
	cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_true(has_note(cfg, "2 timestamp fields differ (ignored)"));
	bl_cmp_free(c);
}

static void test_config_label_path_quotes_dotted_keys(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A_LABEL, THREE, 3);
	struct bl_cmp_opts o = {.ignore_timestamps = true};
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, &o);
	const struct bl_cmp_node *cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_int_equal(cfg->own, BL_CMP_CONFIG);
	assert_true(has_field(cfg, "config.Labels[\"org.example.x\"]"));
	bl_cmp_free(c);
}

static void test_annotations_only(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ma = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *mb = manifest(fx->b.target, "m1", CFG_A, THREE, 3);
	ma->desc.annotations = json_pack("{s:s}", "org.opencontainers.image.created", "2024-01-01");
	mb->desc.annotations = json_pack("{s:s}", "org.opencontainers.image.created", "2024-03-03");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_ANNOTATIONS);
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_ANNOTATIONS);
	assert_true(has_field(m, "annotations[\"org.opencontainers.image.created\"]"));
	assert_true(has_note(m, "2024-01-01 -> 2024-03-03"));
	assert_false(has_note(m, "(ignored)"));
	bl_cmp_free(c);

	/* With ignore_timestamps the created annotation, the one timestamp among
	 * the OCI annotation keys, is not counted, and a note says so. */
	struct bl_cmp_opts o = {.ignore_timestamps = true};
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, &o);
	assert_true(bl_cmp_is_identical(c));
	m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_IDENTICAL);
	assert_int_equal(m->fields.len, 0);
	assert_true(has_note(m, "1 timestamp annotation differs (ignored)"));
	assert_false(has_note(m, "2024-03-03"));
	bl_cmp_free(c);

	/* Another key beside it still counts, alone. */
	json_object_set_new(
	        mb->desc.annotations, "org.opencontainers.image.revision", json_string("abc"));
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, &o);
	assert_int_equal(c->root->cls, BL_CMP_ANNOTATIONS);
	m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_ANNOTATIONS);
	assert_int_equal(m->fields.len, 1);
	assert_true(has_field(m, "annotations[\"org.opencontainers.image.revision\"]"));
	assert_true(has_note(m, "1 timestamp annotation differs (ignored)"));
	bl_cmp_free(c);
}

/* A config with the diff_ids of its layers (the strings stand for them). */
#define CFG_IDS(ids)                                                                               \
	"{\"architecture\":\"amd64\",\"os\":\"linux\","                                            \
	"\"created\":\"2024-01-01T00:00:00Z\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" ids  \
	"]}}"

/* A config whose digest moved only because its rootfs.diff_ids followed the
 * layers is not called identical, and not counted as a cause either. */
static void test_config_moved_by_its_layers_follows_them(void **state)
{
	struct pair *fx = *state;
	struct tb d;
	tb_init(&d, "app");
	const struct lspec four[] = {{"a", "a.gz", "COPY a"}, {"b", "b.gz", "RUN apt-get update"},
	        {"c", "c.gz", "COPY c"}, {"d", "d.gz", "COPY d"}};
	struct bl_node *ma = manifest(fx->a.target, "m1", CFG_IDS("\"a\",\"b\",\"c\""), THREE, 3);
	struct bl_node *mb =
	        manifest(fx->b.target, "m2", CFG_IDS("\"a\",\"b2\",\"c\""), THREE_B2, 3);
	manifest(d.target, "m3", CFG_IDS("\"a\",\"b\",\"c\",\"d\""), four, 4);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_false(bl_digest_equal(&cfg->left->desc.digest, &cfg->right->desc.digest));
	assert_int_equal(cfg->own, BL_CMP_IDENTICAL);
	assert_true(cfg->follows_layers);
	assert_int_equal(cfg->cls, BL_CMP_CONTENT);
	assert_int_equal(cfg->flags, 1u << BL_CMP_CONTENT);
	assert_true(has_note(cfg, "rootfs.diff_ids differ (follows the layers)"));
	char *s = bl_cmp_node_describe(cfg);
	assert_string_equal(s, "changed only because its layers did (rootfs.diff_ids)");
	free(s);
	s = bl_cmp_node_summary(cfg);
	assert_string_equal(s, "changed only because its layers did (rootfs.diff_ids)");
	free(s);
	/* The layer is the cause, counted once; the walk does not stop at the config. */
	assert_int_equal(c->root->cls, BL_CMP_CONTENT);
	assert_int_equal(c->root->flags, 1u << BL_CMP_CONTENT);
	s = bl_cmp_node_describe(c->root);
	assert_string_equal(s, "1 layer changed content");
	free(s);
	struct bl_cmp_node *l2 = (struct bl_cmp_node *)find(c->root, BL_NODE_LAYER, "layer 2/3");
	assert_ptr_equal(bl_cmp_next_difference(c->root, NULL, 1), l2);
	/* The layer found the same apart from ignored timestamps: so is the config. */
	bl_cmp_node_reclassify(l2, BL_CMP_IDENTICAL, "files identical apart from timestamps");
	assert_true(bl_cmp_is_identical(c));
	assert_int_equal(cfg->cls, BL_CMP_IDENTICAL);
	assert_null(bl_cmp_node_follow_words(cfg));
	s = bl_cmp_node_describe(cfg);
	assert_string_equal(s, "identical");
	free(s);
	bl_cmp_free(c);

	/* A layer added: the config follows that class. */
	c = bl_cmp_builds(&fx->a.b, &d.b, NULL);
	cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_int_equal(cfg->own, BL_CMP_IDENTICAL);
	assert_int_equal(cfg->cls, BL_CMP_LAYER_ADDED);
	assert_non_null(bl_cmp_node_follow_words(cfg));
	assert_int_equal(c->root->flags, 1u << BL_CMP_LAYER_ADDED);
	bl_cmp_free(c);

	/* A config that is a cause itself keeps its own words. */
	struct tb e;
	tb_init(&e, "app");
	manifest(e.target, "m4",
	        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":"
	        "\"2024-02-02T00:00:00Z\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"a\","
	        "\"b2\","
	        "\"c\"]}}",
	        THREE_B2, 3);
	c = bl_cmp_builds(&fx->a.b, &e.b, NULL);
	cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_int_equal(cfg->own, BL_CMP_CONFIG);
	assert_int_equal(cfg->cls, BL_CMP_CONFIG);
	assert_null(bl_cmp_node_follow_words(cfg));
	s = bl_cmp_node_describe(cfg);
	assert_string_equal(s, "config only");
	free(s);
	bl_cmp_free(c);
	tb_fini(&e);

	/* Two configs compared alone: no layers beside them, the diff_ids are theirs. */
	struct bl_cmp_node *n =
	        bl_cmp_nodes(bl_vec_get(&ma->children, 0), bl_vec_get(&mb->children, 0), NULL);
	assert_int_equal(n->own, BL_CMP_CONFIG);
	assert_false(n->follows_layers);
	assert_true(has_field(n, "rootfs.diff_ids"));
	assert_true(has_note(n, "config differs in rootfs.diff_ids"));
	bl_cmp_node_free(n);
	tb_fini(&d);
}

static void test_missing_config_is_unknown_not_identical(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *m = manifest(fx->b.target, "m2", CFG_A_LATER, THREE, 3);
	struct bl_node *cfg = bl_vec_get(&m->children, 0);
	json_decref(cfg->doc);
	cfg->doc = NULL;
	cfg->status = BL_STATUS_MISSING;
	cfg->status_msg = bl_strdup("blob not in layout");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *cn = find(c->root, BL_NODE_CONFIG, "config");
	assert_int_equal(cn->own, BL_CMP_UNKNOWN);
	assert_true(has_note(cn, "right config is missing: blob not in layout"));
	bl_cmp_free(c);
}

/* The same image with a Docker v2s2 manifest (skopeo copy --format v2s2, a
 * docker-archive): its own class is the format, which Docker's lack of
 * annotations comes with, and with nothing else beside it the words say it
 * is the same image; with a config changed, only that the format changed. */
static void test_other_manifest_format_is_the_same_image(void **state)
{
	struct pair *fx = *state;
	struct bl_node *m1 = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *m2 = manifest(fx->b.target, "m2", CFG_A, THREE, 3);
	json_decref(m1->doc);
	json_decref(m2->doc);
	set_doc(m1, "{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST
	            "\",\"annotations\":{\"org.opencontainers.image.base.name\":\"\"}}");
	set_doc(m2, "{\"schemaVersion\":2,\"mediaType\":"
	            "\"application/vnd.docker.distribution.manifest.v2+json\"}");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_FORMAT);
	assert_int_equal(c->root->cls, BL_CMP_FORMAT);
	assert_string_equal(bl_cmp_class_name(BL_CMP_FORMAT), "manifest-format");
	char *top = bl_cmp_node_describe(c->root);
	assert_string_equal(top, "same image in another manifest format");
	free(top);
	assert_true(has_note(m, "annotation org.opencontainers.image.base.name: \"\" -> (absent)"));
	assert_true(has_note(m, "mediaType: " MT_MANIFEST
	                        " -> application/vnd.docker.distribution.manifest.v2+json"));
	bl_cmp_free(c);
	/* An OCI manifest may leave its mediaType out: its descriptor says it. */
	json_decref(m1->doc);
	set_doc(m1, "{\"schemaVersion\":2}");
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(find(c->root, BL_NODE_MANIFEST, NULL)->own, BL_CMP_FORMAT);
	bl_cmp_free(c);
	struct bl_node *cfg = bl_vec_get(&m2->children, 0);
	json_decref(cfg->doc);
	set_doc(cfg, CFG_A_LATER);
	digest_of(CFG_A_LATER, &cfg->desc.digest);
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	top = bl_cmp_node_describe(c->root);
	assert_non_null(strstr(top, "manifest format changed; config changed"));
	free(top);
	bl_cmp_free(c);
}

/* A tag (ref.name) and containerd's image name are names, not content. */
static void test_tag_annotations_are_names(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ma = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *mb = manifest(fx->b.target, "m1", CFG_A, THREE, 3);
	ma->desc.annotations = json_pack("{s:s, s:s}", "org.opencontainers.image.ref.name", "v1",
	        "io.containerd.image.name", "docker.io/library/demo:v1");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_true(bl_cmp_is_identical(c));
	bl_cmp_free(c);
	mb->desc.annotations = json_pack("{s:s, s:s}", "org.opencontainers.image.ref.name", "v2",
	        "org.opencontainers.image.revision", "abc");
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_ANNOTATIONS);
	assert_int_equal(m->fields.len, 1);
	assert_true(has_field(m, "annotations[\"org.opencontainers.image.revision\"]"));
	bl_cmp_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_identical_builds_are_identical, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(test_config_only_names_created_and_history_fields,
	                pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_config_label_path_quotes_dotted_keys, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(test_annotations_only, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_config_moved_by_its_layers_follows_them, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_missing_config_is_unknown_not_identical, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_other_manifest_format_is_the_same_image, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_tag_annotations_are_names, pair_setup, pair_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
