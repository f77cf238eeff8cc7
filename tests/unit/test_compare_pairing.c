/* compare.c pairing the two sides: targets (missing, lone ones with other
 * names), platforms of an index (added, removed, a single manifest against
 * an index, an index around the image), attestations by their image's platform, two marked nodes,
 * and walking the differences (compare_fixture.h builds the trees). */
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

/* An index with one image per platform and a provenance attestation for each. */
static struct bl_node *index_with(
        struct bl_node *parent, const char *seed, const char *prov, bool arm)
{
	struct bl_node *ix = mk(BL_NODE_INDEX, parent, "index");
	set_desc(ix, seed, MT_INDEX);
	set_doc(ix, "{\"schemaVersion\":2}");
	struct bl_node *m = manifest(ix, "amd", CFG_A, THREE, 3);
	set_platform(m, "linux", "amd64");
	free(m->label);
	m->label = bl_strdup("linux/amd64");
	if (arm) {
		struct bl_node *m2 = manifest(ix, "arm", CFG_A, THREE, 2);
		set_platform(m2, "linux", "arm64");
		free(m2->label);
		m2->label = bl_strdup("linux/arm64");
	}
	struct bl_node *at = mk(BL_NODE_ATTESTATION, ix, "attestation for linux/amd64");
	set_desc(at, prov, MT_MANIFEST);
	set_doc(at, "{\"schemaVersion\":2}");
	struct bl_node *st = mk(BL_NODE_STATEMENT, at, "provenance v0.2");
	set_desc(st, prov, "application/vnd.in-toto+json");
	st->predicate_type = bl_strdup("https://slsa.dev/provenance/v0.2");
	char *doc = bl_asprintf("{\"predicateType\":\"https://slsa.dev/provenance/v0.2\","
	                        "\"predicate\":{\"metadata\":{\"buildStartedOn\":\"%s\"}}}",
	        prov);
	set_doc(st, doc);
	free(doc);
	return ix;
}

/* One side the image alone, the other an index around it (and nothing
 * else): index only, said as that, not as attestations that do not exist;
 * with an attestation in the index, attestations are said. */
static void test_index_around_the_image_is_said_so(void **state)
{
	struct pair *fx = *state;
	struct bl_node *m = manifest(fx->a.target, "amd", CFG_A, THREE, 3);
	set_platform(m, "linux", "amd64");
	struct bl_node *ix = mk(BL_NODE_INDEX, fx->b.target, "index");
	set_desc(ix, "i1", MT_INDEX);
	set_doc(ix, "{\"schemaVersion\":2}");
	struct bl_node *im = manifest(ix, "amd", CFG_A, THREE, 3);
	set_platform(im, "linux", "amd64");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_INDEX_ONLY);
	char *top = bl_cmp_node_describe(c->root);
	assert_string_equal(top, "index only (an index around the image on one side)");
	free(top);
	bl_cmp_free(c);
	struct bl_node *arm = manifest(ix, "arm", CFG_A, THREE, 2);
	set_platform(arm, "linux", "arm64");
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	top = bl_cmp_node_describe(c->root);
	assert_string_equal(top, "platform added; an index around the image on one side");
	free(top);
	bl_cmp_free(c);
	struct bl_node *at = mk(BL_NODE_ATTESTATION, ix, "attestation for linux/amd64");
	set_desc(at, "att", MT_MANIFEST);
	set_doc(at, "{\"schemaVersion\":2}");
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	top = bl_cmp_node_describe(c->root);
	assert_string_equal(top, "platform added; attestations or provenance changed");
	free(top);
	bl_cmp_free(c);
}

static void test_index_only_when_provenance_differs(void **state)
{
	struct pair *fx = *state;
	index_with(fx->a.target, "i1", "2024-01-01", false);
	index_with(fx->b.target, "i2", "2024-01-02", false);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_INDEX_ONLY);
	const struct bl_cmp_node *st = find(c->root, BL_NODE_STATEMENT, NULL);
	assert_non_null(st);
	assert_true(has_field(st, "predicate.metadata.buildStartedOn"));
	assert_true(has_note(
	        st, "provenance v0.2 statement differs: predicate.metadata.buildStartedOn"));
	assert_true(platform0(c)->rootfs_identical);
	bl_cmp_free(c);
}

static void test_platform_added_and_removed(void **state)
{
	struct pair *fx = *state;
	index_with(fx->a.target, "i1", "2024-01-01", false);
	index_with(fx->b.target, "i2", "2024-01-01", true);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_PLATFORM_ADDED);
	const struct bl_cmp_node *arm = find(c->root, BL_NODE_MANIFEST, "linux/arm64");
	assert_non_null(arm);
	assert_null(arm->left);
	assert_int_equal(arm->own, BL_CMP_PLATFORM_ADDED);
	assert_int_equal(find(c->root, BL_NODE_MANIFEST, "linux/amd64")->cls, BL_CMP_IDENTICAL);
	assert_int_equal(c->platforms.len, 2);
	bool saw_added = false;
	for (size_t i = 0; i < c->platforms.len; i++) {
		const struct bl_cmp_platform *p = bl_vec_get(&c->platforms, i);
		if (strcmp(p->platform, "linux/arm64") == 0) {
			saw_added = true;
			assert_int_equal(p->left_layers, -1);
			assert_int_equal(p->right_layers, 2);
			assert_int_equal(p->status, BL_CMP_ROOTFS_ADDED);
			assert_string_equal(p->sentence, "platform added");
		}
	}
	assert_true(saw_added);
	bl_cmp_free(c);
	c = bl_cmp_builds(&fx->b.b, &fx->a.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_PLATFORM_REMOVED);
	bl_cmp_free(c);
}

static void test_target_missing_on_one_side(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m1", CFG_A, THREE, 3);
	struct bl_node *extra = mk(BL_NODE_TARGET, fx->a.b.root, "worker");
	manifest(extra, "w", CFG_A, THREE, 1);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_ONLY_LEFT);
	const struct bl_cmp_node *w = find(c->root, BL_NODE_TARGET, "worker");
	assert_non_null(w);
	assert_null(w->right);
	assert_true(has_note(w, "only in the left build"));
	assert_int_equal(find(c->root, BL_NODE_TARGET, "app")->cls, BL_CMP_IDENTICAL);
	bl_cmp_free(c);
}

static void test_lone_targets_with_different_names_are_paired(void **state)
{
	(void)state;
	struct tb a, b;
	tb_init(&a, "v1");
	tb_init(&b, "v2");
	manifest(a.target, "m1", CFG_A, THREE, 3);
	manifest(b.target, "m1", CFG_A, THREE, 3);
	struct bl_cmp *c = bl_cmp_builds(&a.b, &b.b, NULL);
	assert_true(bl_cmp_is_identical(c));
	assert_int_equal(c->root->children.len, 1);
	const struct bl_cmp_node *t = bl_vec_get(&c->root->children, 0);
	assert_true(has_note(t, "names differ"));
	bl_cmp_free(c);
	tb_fini(&a);
	tb_fini(&b);
}

static void test_single_manifest_against_index_lines_up_the_platform(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "amd", CFG_A, THREE, 3); /* platform from its config */
	index_with(fx->b.target, "i2", "2024-01-01", true);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *amd = find(c->root, BL_NODE_MANIFEST, "linux/amd64");
	assert_non_null(amd);
	assert_non_null(amd->left);
	assert_non_null(amd->right);
	assert_int_equal(amd->cls, BL_CMP_IDENTICAL);
	assert_int_equal(c->root->cls, BL_CMP_PLATFORM_ADDED);
	assert_true(c->root->flags & (1u << BL_CMP_INDEX_ONLY));
	bl_cmp_free(c);
}

static void test_next_difference_walks_both_ways(void **state)
{
	struct pair *fx = *state;
	const struct lspec changed[] = {{"a", "a.zst", "COPY a"},
	        {"b", "b.gz", "RUN apt-get update"}, {"c2", "c2.gz", "COPY c"}};
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A_LATER, changed, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *d1 = bl_cmp_next_difference(c->root, NULL, 1);
	const struct bl_cmp_node *d2 = bl_cmp_next_difference(c->root, d1, 1);
	const struct bl_cmp_node *d3 = bl_cmp_next_difference(c->root, d2, 1);
	assert_int_equal(d1->kind, BL_NODE_CONFIG);
	assert_string_equal(d2->label, "layer 1/3");
	assert_string_equal(d3->label, "layer 3/3");
	assert_null(bl_cmp_next_difference(c->root, d3, 1));
	assert_ptr_equal(bl_cmp_next_difference(c->root, d3, -1), d2);
	assert_ptr_equal(bl_cmp_next_difference(c->root, NULL, -1), d3);
	assert_int_equal(c->root->flags,
	        (1u << BL_CMP_CONFIG) | (1u << BL_CMP_RECOMPRESSED) | (1u << BL_CMP_CONTENT));
	char *sum = bl_cmp_node_summary(c->root);
	assert_string_equal(
	        sum, "layer content changed; layer recompressed (same diff_id); config only");
	free(sum);
	bl_cmp_free(c);
}

static void test_compare_two_marked_nodes(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ma = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *mb = manifest(fx->b.target, "m2", CFG_A_LABEL, THREE, 3);
	struct bl_cmp_node *n =
	        bl_cmp_nodes(bl_vec_get(&ma->children, 0), bl_vec_get(&mb->children, 0), NULL);
	assert_int_equal(n->cls, BL_CMP_CONFIG);
	assert_true(has_field(n, "config.Labels[\"org.example.x\"]"));
	bl_cmp_node_free(n);
	n = bl_cmp_nodes(bl_vec_get(&ma->children, 1), bl_vec_get(&mb->children, 2), NULL);
	assert_int_equal(n->cls, BL_CMP_CONTENT);
	assert_non_null(strstr(n->label, "<>"));
	bl_cmp_node_free(n);
}

/* Each side one target, and information on one side only: the targets are
 * still the pair to compare, whatever their names. */
static void test_lone_targets_paired_beside_one_sided_information(void **state)
{
	(void)state;
	struct tb a, b;
	tb_init(&a, "demo:v1, localhost/demo:v1");
	tb_init(&b, "demo:v2");
	mk(BL_NODE_INFO, a.b.root, "warnings (2)");
	manifest(a.target, "m1", CFG_A, THREE, 3);
	manifest(b.target, "m2", CFG_A, THREE_B2, 3);
	struct bl_cmp *c = bl_cmp_builds(&a.b, &b.b, NULL);
	const struct bl_cmp_node *t = find(c->root, BL_NODE_TARGET, NULL);
	assert_non_null(t);
	assert_non_null(t->left);
	assert_non_null(t->right);
	assert_int_equal(t->cls, BL_CMP_CONTENT);
	assert_true(has_note(t, "names differ: demo:v1, localhost/demo:v1 (left)"));
	bl_cmp_free(c);
	tb_fini(&a);
	tb_fini(&b);
}

/* An attestation for an image, its descriptor saying `ref` (that image). */
static struct bl_node *attestation_for(
        struct bl_node *ix, const char *label, const struct bl_node *img, const char *sbom)
{
	struct bl_node *at = mk(BL_NODE_ATTESTATION, ix, label);
	char *seed = bl_asprintf("att-%s", sbom);
	set_desc(at, seed, MT_MANIFEST);
	free(seed);
	at->desc.annotations = json_pack("{s:s, s:s}", "vnd.docker.reference.type",
	        "attestation-manifest", "vnd.docker.reference.digest", img->desc.digest.str);
	at->predicate_type = bl_strdup("https://spdx.dev/Document");
	set_doc(at, "{\"schemaVersion\":2}");
	char *st_doc = bl_asprintf("{\"predicateType\":\"https://spdx.dev/Document\","
	                           "\"predicate\":{\"name\":\"%s\"}}",
	        sbom);
	struct bl_digest sd;
	digest_of(st_doc, &sd);
	char *cfg = bl_asprintf("{\"architecture\":\"unknown\",\"os\":\"unknown\",\"rootfs\":"
	                        "{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
	        sd.str);
	struct bl_node *c = mk(BL_NODE_CONFIG, at, "config");
	set_desc(c, cfg, MT_CONFIG);
	set_doc(c, cfg);
	struct bl_node *st = mk(BL_NODE_STATEMENT, at, "SPDX");
	set_desc(st, st_doc, "application/vnd.in-toto+json");
	st->predicate_type = bl_strdup("https://spdx.dev/Document");
	set_doc(st, st_doc);
	free(st_doc);
	free(cfg);
	return at;
}

/* The same attestation, labelled by the image's platform on one side and by
 * its digest on the other (the image's descriptor has no platform there):
 * paired by the platform of the image (its config's), identical. */
static void test_attestation_pairs_by_its_image_platform(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ia = mk(BL_NODE_INDEX, fx->a.target, "index");
	set_desc(ia, "ia", MT_INDEX);
	set_doc(ia, "{\"schemaVersion\":2}");
	struct bl_node *ib = mk(BL_NODE_INDEX, fx->b.target, "index");
	set_desc(ib, "ib", MT_INDEX);
	set_doc(ib, "{\"schemaVersion\":2}");
	struct bl_node *ma = manifest(ia, "amd", CFG_A, THREE, 3);
	set_platform(ma, "linux", "amd64");
	manifest(ib, "amd", CFG_A, THREE, 3);
	attestation_for(ia, "attestation for linux/amd64", ma, "busybox");
	attestation_for(ib, "attestation for sha256:0f90", bl_vec_get(&ib->children, 0), "busybox");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *at = find(c->root, BL_NODE_ATTESTATION, NULL);
	assert_non_null(at->left);
	assert_non_null(at->right);
	assert_int_equal(at->cls, BL_CMP_IDENTICAL);
	const struct bl_cmp_node *ix = find(c->root, BL_NODE_INDEX, NULL);
	assert_int_equal(ix->own, BL_CMP_INDEX_ONLY);
	assert_true(has_note(ix, "entry manifest: descriptor platform linux/amd64 -> (absent)"));
	bl_cmp_free(c);
}

/* An SBOM changed: the attestation's config moved with its diff_ids (the
 * statements'), and no layer is beside it to be the cause. */
static void test_attestation_config_moved_by_its_statements_differs(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ia = mk(BL_NODE_INDEX, fx->a.target, "index");
	set_desc(ia, "ia", MT_INDEX);
	set_doc(ia, "{\"schemaVersion\":2}");
	struct bl_node *ib = mk(BL_NODE_INDEX, fx->b.target, "index");
	set_desc(ib, "ib", MT_INDEX);
	set_doc(ib, "{\"schemaVersion\":2}");
	struct bl_node *ma = manifest(ia, "amd", CFG_A, THREE, 3);
	struct bl_node *mb = manifest(ib, "amd", CFG_A, THREE, 3);
	set_platform(ma, "linux", "amd64");
	set_platform(mb, "linux", "amd64");
	attestation_for(ia, "attestation for linux/amd64", ma, "busybox");
	attestation_for(ib, "attestation for linux/amd64", mb, "alpine");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *at = find(c->root, BL_NODE_ATTESTATION, NULL);
	const struct bl_cmp_node *cfg = find(at, BL_NODE_CONFIG, NULL);
	assert_false(bl_digest_equal(&cfg->left->desc.digest, &cfg->right->desc.digest));
	assert_int_equal(cfg->own, BL_CMP_INDEX_ONLY);
	assert_true(has_field(cfg, "rootfs.diff_ids"));
	assert_int_equal(c->root->cls, BL_CMP_INDEX_ONLY);
	bl_cmp_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_index_around_the_image_is_said_so, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_index_only_when_provenance_differs, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_platform_added_and_removed, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_target_missing_on_one_side, pair_setup, pair_teardown),
	        cmocka_unit_test(test_lone_targets_with_different_names_are_paired),
	        cmocka_unit_test_setup_teardown(
	                test_single_manifest_against_index_lines_up_the_platform, pair_setup,
	                pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_next_difference_walks_both_ways, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_compare_two_marked_nodes, pair_setup, pair_teardown),
	        cmocka_unit_test(test_lone_targets_paired_beside_one_sided_information),
	        cmocka_unit_test_setup_teardown(
	                test_attestation_pairs_by_its_image_platform, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_attestation_config_moved_by_its_statements_differs, pair_setup,
	                pair_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
