/* compare.c's words: history lines without the #(nop) prefix and with file
 * hashes cut, a config's note, a node's description, a platform's status,
 * the fields a difference names, the class names (compare_fixture.h builds
 * the trees). */
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

/* A config pair made by buildah: history lines as "/bin/sh -c #(nop) COPY
 * file:<64 hex> in /x " (the hash stands in for the file's content). */
#define NOP "/bin/sh -c #(nop) "

#define HEX64 "34a41c2dfa4e97525628233594d805b3f55b6020daf3c9146a42afc1f17543ca"

#define HEX64B "ce1b7b357ff9f55a5960704fae7ae2422e230e6113756e70126075f3252c46e6"

static void test_sentences_drop_the_nop_prefix_and_cut_file_hashes(void **state)
{
	struct pair *fx = *state;
	const struct lspec one[] = {{"a", "a.gz", NOP "COPY file:" HEX64 " in /app/b.txt "}};
	const struct lspec two[] = {{"b", "b.gz", NOP "COPY file:" HEX64B " in /app/b.txt "}};
	manifest(fx->a.target, "m1", CFG_A, one, 1);
	manifest(fx->b.target, "m2", CFG_A, two, 1);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_platform *p = platform0(c);
	/* The history line itself stays as the image has it. */
	assert_string_equal(p->divergent_created_by, NOP "COPY file:" HEX64B " in /app/b.txt ");
	assert_string_equal(p->sentence, "cache breaks at layer 1 of 1: COPY file:ce1b7b357ff9 in "
	                                 "/app/b.txt; root filesystems differ");
	const struct bl_cmp_node *l = find(c->root, BL_NODE_LAYER, NULL);
	assert_true(has_note(l, "made by: COPY file:34a41c2dfa4e in /app/b.txt -> COPY "
	                        "file:ce1b7b357ff9 in /app/b.txt"));
	bl_cmp_free(c);
}

static void test_config_note_shows_history_lines_in_words(void **state)
{
	struct pair *fx = *state;
	const char *c1 = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"history\":["
	                 "{\"created_by\":\"" NOP "COPY file:" HEX64 " in /app/b.txt \"}],"
	                 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	const char *c2 = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"history\":["
	                 "{\"created_by\":\"" NOP "COPY file:" HEX64B " in /app/b.txt \"},"
	                 "{\"created_by\":\"" NOP "COPY file:" HEX64 " in /app/e.txt \"}],"
	                 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	manifest(fx->a.target, "m1", c1, THREE, 1);
	manifest(fx->b.target, "m2", c2, THREE, 1);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *cfg = find(c->root, BL_NODE_CONFIG, NULL);
	/* Cut at 72 characters, the raw lines would hide the paths. */
	assert_true(has_note(cfg, "history[0].created_by: COPY file:34a41c2dfa4e in /app/b.txt -> "
	                          "COPY file:ce1b7b357ff9 in /app/b.txt"));
	assert_true(has_note(cfg, "history[1]: (absent) -> entry \"COPY file:34a41c2dfa4e in "
	                          "/app/e.txt\""));
	bl_cmp_free(c);
}

static void test_describe_says_only_when_a_class_is_alone(void **state)
{
	struct pair *fx = *state;
	struct tb d;
	tb_init(&d, "app");
	const struct lspec changed[] = {{"a", "a.gz", "COPY a"},
	        {"b2", "b2.gz", "RUN apt-get update"}, {"c2", "c2.gz", "COPY c"}};
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A_LATER, changed, 3);
	manifest(d.target, "m3", CFG_A_LATER, THREE, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	char *s = bl_cmp_node_describe(c->root);
	assert_string_equal(
	        s, "2 layers changed content; config changed: created, history[1].created");
	free(s);
	/* Below the top the fields are the config node's to name. */
	s = bl_cmp_node_describe(find(c->root, BL_NODE_MANIFEST, NULL));
	assert_string_equal(s, "2 layers changed content; config changed");
	free(s);
	s = bl_cmp_node_describe(find(c->root, BL_NODE_LAYER, "layer 2/3"));
	assert_string_equal(s, "layer content changed");
	free(s);
	/* The old summary is unchanged (the compare view shows it). */
	s = bl_cmp_node_summary(c->root);
	assert_string_equal(s, "layer content changed; config only");
	free(s);
	bl_cmp_free(c);

	c = bl_cmp_builds(&fx->a.b, &d.b, NULL);
	s = bl_cmp_node_describe(c->root);
	assert_string_equal(s, "config only: created, history[1].created");
	free(s);
	bl_cmp_free(c);
	tb_fini(&d);
}

static void test_platform_status_goes_with_its_words(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ma = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *mb = manifest(fx->b.target, "m2", CFG_A_LABEL, THREE, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_platform *p = platform0(c);
	assert_int_equal(p->status, BL_CMP_ROOTFS_IDENTICAL);
	assert_true(strncmp(p->sentence,
	                    "root filesystems identical (3 layers, ChainID sha256:", 52) == 0);
	/* The node of the image pair owns it. */
	assert_ptr_equal(p->node->platform, p);
	bl_cmp_free(c);
	/* Two marked manifests get their summary too, on the node. */
	struct bl_node *mc = manifest(fx->b.target, "m3", CFG_A, THREE_B2, 3);
	struct bl_cmp_node *n = bl_cmp_nodes(ma, mc, NULL);
	assert_non_null(n->platform);
	assert_int_equal(n->platform->status, BL_CMP_ROOTFS_DIFFERENT);
	assert_string_equal(n->platform->sentence,
	        "cache breaks at layer 2 of 3: RUN apt-get update; root filesystems differ");
	bl_cmp_node_free(n);
	/* A missing config: ChainIDs unknown. */
	struct bl_layer_info *li = ((struct bl_node *)bl_vec_get(&mb->children, 1))->layer;
	li->has_chain_id = false;
	n = bl_cmp_nodes(ma, mb, NULL);
	assert_int_equal(n->platform->status, BL_CMP_ROOTFS_UNKNOWN);
	assert_string_equal(n->platform->sentence,
	        "layer ChainIDs unknown (a manifest or config is missing or unreadable)");
	assert_false(n->platform->rootfs_known);
	bl_cmp_node_free(n);
}

/* A manifest that differs in a field nothing finer explains is said by the
 * field, never by the bare class name; an empty value is shown as "". */
static void test_different_says_which_fields(void **state)
{
	struct pair *fx = *state;
	struct bl_node *m1 = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *m2 = manifest(fx->b.target, "m2", CFG_A, THREE, 3);
	json_decref(m1->doc);
	json_decref(m2->doc);
	set_doc(m1, "{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST
	            "\",\"annotations\":{\"org.opencontainers.image.base.name\":\"\"}}");
	set_doc(m2, "{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST
	            "\",\"artifactType\":\"application/x\"}");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_DIFFERENT);
	char *top = bl_cmp_node_describe(c->root);
	assert_string_equal(top, "manifest differs in artifactType, "
	                         "annotations[\"org.opencontainers.image.base.name\"]");
	free(top);
	char *own = bl_cmp_node_describe(m);
	assert_string_equal(own, "differs in artifactType, "
	                         "annotations[\"org.opencontainers.image.base.name\"]");
	free(own);
	assert_true(has_note(m, "annotation org.opencontainers.image.base.name: \"\" -> (absent)"));
	bl_cmp_free(c);
}

static void test_class_names_are_distinct(void **state)
{
	(void)state;
	for (int i = 0; i < BL_CMP_CLASS_COUNT; i++) {
		assert_non_null(bl_cmp_class_name((enum bl_cmp_class)i));
		assert_string_not_equal(bl_cmp_class_words((enum bl_cmp_class)i), "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(bl_cmp_class_name((enum bl_cmp_class)i),
			        bl_cmp_class_name((enum bl_cmp_class)j));
	}
	assert_string_equal(bl_cmp_class_name(BL_CMP_CLASS_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_sentences_drop_the_nop_prefix_and_cut_file_hashes, pair_setup,
	                pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_config_note_shows_history_lines_in_words, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_describe_says_only_when_a_class_is_alone, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_platform_status_goes_with_its_words, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_different_says_which_fields, pair_setup, pair_teardown),
	        cmocka_unit_test(test_class_names_are_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
