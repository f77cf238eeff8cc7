/* compare.c on layers: recompressed, content changed (where the cache
 * breaks), added, removed, added on top, unknown when the manifest was not
 * read, and the reclassification once the files of a layer pair are
 * compared (compare_fixture.h builds the trees). */
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

static void test_recompressed_layer_keeps_rootfs_identical(void **state)
{
	struct pair *fx = *state;
	const struct lspec zst[] = {{"a", "a.zst", "COPY a"}, {"b", "b.zst", "RUN apt-get update"},
	        {"c", "c.gz", "COPY c"}};
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A, zst, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_RECOMPRESSED);
	const struct bl_cmp_node *l1 = find(c->root, BL_NODE_LAYER, "layer 1/3");
	assert_int_equal(l1->own, BL_CMP_RECOMPRESSED);
	assert_true(has_note(l1, "gzip"));
	assert_true(has_note(l1, "zstd"));
	assert_int_equal(find(c->root, BL_NODE_LAYER, "layer 3/3")->own, BL_CMP_IDENTICAL);
	const struct bl_cmp_platform *p = platform0(c);
	assert_true(p->rootfs_identical);
	assert_int_equal(p->first_divergent, -1);
	bl_cmp_free(c);
}

static void test_content_change_names_the_cache_break(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A, THREE_B2, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_CONTENT);
	const struct bl_cmp_node *l2 = find(c->root, BL_NODE_LAYER, "layer 2/3");
	assert_int_equal(l2->own, BL_CMP_CONTENT);
	assert_int_equal(l2->left_index, 1);
	assert_int_equal(l2->right_index, 1);
	/* Layer 3 has the same diff_id (the same files) but a new ChainID. */
	assert_int_equal(find(c->root, BL_NODE_LAYER, "layer 3/3")->own, BL_CMP_IDENTICAL);
	const struct bl_cmp_platform *p = platform0(c);
	assert_int_equal(p->first_divergent, 1);
	assert_string_equal(p->divergent_created_by, "RUN apt-get update");
	assert_false(p->rootfs_identical);
	assert_true(p->rootfs_known);
	assert_non_null(strstr(p->sentence, "cache breaks at layer 2 of 3: RUN apt-get update"));
	assert_string_equal(p->platform, "linux/amd64");
	assert_string_equal(p->target, "app");
	bl_cmp_free(c);
}

static void test_layer_added_and_removed(void **state)
{
	struct pair *fx = *state;
	const struct lspec four[] = {{"a", "a.gz", "COPY a"}, {"n", "n.gz", "COPY new"},
	        {"b", "b.gz", "RUN apt-get update"}, {"c", "c.gz", "COPY c"}};
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A, four, 4);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_LAYER_ADDED);
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	size_t added = 0, same = 0;
	for (size_t i = 0; i < m->children.len; i++) {
		const struct bl_cmp_node *x = bl_vec_get(&m->children, i);
		if (x->kind != BL_NODE_LAYER)
			continue;
		if (x->own == BL_CMP_LAYER_ADDED) {
			added++;
			assert_int_equal(x->right_index, 1);
			assert_null(x->left);
			assert_true(has_note(x, "COPY new"));
		} else {
			assert_int_equal(x->own, BL_CMP_IDENTICAL);
			same++;
		}
	}
	assert_int_equal(added, 1);
	assert_int_equal(same, 3);
	const struct bl_cmp_platform *p = platform0(c);
	assert_int_equal(p->first_divergent, 1);
	assert_string_equal(p->divergent_created_by, "COPY new");
	bl_cmp_free(c);

	/* The other way round: removed. */
	c = bl_cmp_builds(&fx->b.b, &fx->a.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_LAYER_REMOVED);
	assert_true(c->root->flags & (1u << BL_CMP_LAYER_REMOVED));
	assert_false(c->root->flags & (1u << BL_CMP_CONTENT));
	bl_cmp_free(c);
}

static void test_trailing_layers_removed_say_so(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A, THREE, 2);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_platform *p = platform0(c);
	assert_int_equal(p->first_divergent, 2);
	assert_string_equal(p->sentence,
	        "the right's 2 layers are the left's first 2; the left has "
	        "1 more (from layer 3 of 3: COPY c); root filesystems differ");
	bl_cmp_free(c);
}

static void test_layers_added_on_top_are_counted(void **state)
{
	struct pair *fx = *state;
	const struct lspec five[] = {{"a", "a.gz", "COPY a"}, {"b", "b.gz", "RUN apt-get update"},
	        {"c", "c.gz", "COPY c"}, {"d", "d.gz", "COPY d"}, {"e", "e.gz", "COPY e"}};
	manifest(fx->a.target, "m1", CFG_A, five, 3);
	manifest(fx->b.target, "m2", CFG_A, five, 5);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_platform *p = platform0(c);
	assert_int_equal(p->first_divergent, 3);
	assert_string_equal(p->sentence, "cache breaks at layer 4 of 5: COPY d (on top of the "
	                                 "left's 3 layers: 2 added); root filesystems differ");
	char *s = bl_cmp_node_describe(c->root);
	assert_string_equal(s, "2 layers added");
	free(s);
	bl_cmp_free(c);
}

static void test_platform_refresh_after_layers_found_identical(void **state)
{
	struct pair *fx = *state;
	const struct lspec mtimes[] = {{"a", "a.gz", "COPY a"},
	        {"b-mtime", "b2.gz", "RUN apt-get update"}, {"c", "c.gz", "COPY c"}};
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A, mtimes, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	/* Nothing reclassified yet: the refresh changes nothing. */
	bl_cmp_platforms_refresh(c);
	const struct bl_cmp_platform *p = platform0(c);
	assert_false(p->rootfs_timestamps_only);
	assert_non_null(strstr(p->sentence, "cache breaks at layer 2 of 3"));
	struct bl_cmp_node *l2 = (struct bl_cmp_node *)find(c->root, BL_NODE_LAYER, "layer 2/3");
	bl_cmp_node_reclassify(l2, BL_CMP_IDENTICAL, "files identical apart from timestamps");
	assert_true(bl_cmp_is_identical(c));
	bl_cmp_platforms_refresh(c);
	assert_true(p->rootfs_timestamps_only);
	assert_false(p->rootfs_identical); /* the ChainIDs still differ */
	assert_int_equal(p->first_divergent, 1);
	assert_string_equal(p->sentence,
	        "root filesystems differ only in file timestamps (ignored); "
	        "the cache still breaks at layer 2 of 3: RUN apt-get update");
	bl_cmp_free(c);
}

/* A file diff with `changes` changes (the entries are not read) and
 * `ignored` entries equal but for their mtime. */
static void file_diff(struct bl_file_diff *d, size_t changes, size_t ignored)
{
	static struct bl_file_change one = {.kind = BL_FCHANGE_METADATA};
	bl_file_diff_init(d);
	d->items = changes ? &one : NULL;
	d->len = changes;
	d->timestamps_ignored = ignored;
}

static void test_apply_file_diff_reclassifies_layers_that_differ_in_timestamps(void **state)
{
	struct pair *fx = *state;
	const struct lspec mtimes[] = {{"a", "a.gz", "COPY a"},
	        {"b-mtime", "b2.gz", "RUN apt-get update"}, {"c-mtime", "c2.gz", "COPY c"}};
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A, mtimes, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_platform *p = platform0(c);
	assert_int_equal(p->status, BL_CMP_ROOTFS_DIFFERENT);
	struct bl_cmp_node *l2 = (struct bl_cmp_node *)find(c->root, BL_NODE_LAYER, "layer 2/3");
	struct bl_cmp_node *l3 = (struct bl_cmp_node *)find(c->root, BL_NODE_LAYER, "layer 3/3");
	struct bl_file_diff none, ts1, ts2, changed;
	file_diff(&none, 0, 0);
	file_diff(&ts1, 0, 1);
	file_diff(&ts2, 0, 2);
	file_diff(&changed, 1, 3);
	/* Timestamps not ignored, or a file that still differs: nothing changes. */
	assert_false(bl_cmp_apply_file_diff(l2, &ts2, false));
	assert_false(bl_cmp_apply_file_diff(l2, &changed, true));
	assert_int_equal(l2->own, BL_CMP_CONTENT);
	assert_int_equal(l2->notes.len, 2);
	/* Layer 2: identical now, said why; layer 3 still differs, and so does
	 * the platform. */
	assert_true(bl_cmp_apply_file_diff(l2, &ts2, true));
	assert_int_equal(l2->own, BL_CMP_IDENTICAL);
	assert_int_equal(l2->cls, BL_CMP_IDENTICAL);
	assert_string_equal(bl_vec_get(&l2->notes, l2->notes.len - 1),
	        "files identical apart from timestamps (2 entries differ only in mtime; ignored)");
	/* Identical, and no sentence says its content changed. */
	assert_false(has_note(l2, "content changed"));
	assert_true(has_note(l2, " (timestamps only)"));
	assert_int_equal(c->root->cls, BL_CMP_CONTENT);
	assert_int_equal(p->status, BL_CMP_ROOTFS_DIFFERENT);
	assert_false(p->rootfs_timestamps_only);
	/* Once is enough: the layer is no longer a content change. */
	assert_false(bl_cmp_apply_file_diff(l2, &none, true));
	assert_int_equal(l2->notes.len, 3);
	/* Layer 3: the last one; the build is identical and the platform says
	 * its root filesystems differ only in timestamps. */
	assert_true(bl_cmp_apply_file_diff(l3, &ts1, true));
	assert_string_equal(bl_vec_get(&l3->notes, l3->notes.len - 1),
	        "files identical apart from timestamps (1 entry differs only in mtime; ignored)");
	assert_true(bl_cmp_is_identical(c));
	assert_int_equal(p->status, BL_CMP_ROOTFS_TIMESTAMPS_ONLY);
	assert_true(p->rootfs_timestamps_only);
	assert_int_equal(p->first_divergent, 1);
	assert_string_equal(p->sentence,
	        "root filesystems differ only in file timestamps (ignored); "
	        "the cache still breaks at layer 2 of 3: RUN apt-get update");
	/* Not a layer: never reclassified. */
	assert_false(bl_cmp_apply_file_diff(c->root, &none, true));
	bl_cmp_free(c);
}

/* A manifest that was not read (a metadata file's target in none of the
 * sources) has layers nobody knows, not none: the same digest on both sides
 * is the same root filesystem, ChainIDs unknown; different digests are
 * unknown. Never "identical (no layers)" with rootfs_identical false. */
static void test_unread_manifest_layers_unknown(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ma = mk(BL_NODE_MANIFEST, fx->a.target, "linux/amd64");
	struct bl_node *mb = mk(BL_NODE_MANIFEST, fx->b.target, "linux/amd64");
	set_desc(ma, "m1", MT_MANIFEST);
	set_desc(mb, "m1", MT_MANIFEST);
	set_platform(ma, "linux", "amd64");
	set_platform(mb, "linux", "amd64");
	ma->status = mb->status = BL_STATUS_UNRESOLVED;
	struct bl_cmp_node *n = bl_cmp_nodes(ma, mb, NULL);
	assert_non_null(n->platform);
	assert_int_equal(n->cls, BL_CMP_IDENTICAL);
	assert_int_equal(n->platform->status, BL_CMP_ROOTFS_IDENTICAL);
	assert_true(n->platform->rootfs_identical);
	assert_false(n->platform->rootfs_known);
	assert_int_equal(n->platform->left_layers, -1);
	assert_int_equal(n->platform->right_layers, -1);
	assert_string_equal(n->platform->sentence,
	        "root filesystems identical (the same manifest; not read, its layers unknown)");
	bl_cmp_node_free(n);
	free(mb->desc.media_type);
	set_desc(mb, "m2", MT_MANIFEST);
	n = bl_cmp_nodes(ma, mb, NULL);
	assert_int_equal(n->platform->status, BL_CMP_ROOTFS_UNKNOWN);
	assert_false(n->platform->rootfs_identical);
	assert_string_equal(n->platform->sentence,
	        "layer ChainIDs unknown (a manifest or config is missing or unreadable)");
	bl_cmp_node_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_recompressed_layer_keeps_rootfs_identical, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_content_change_names_the_cache_break, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_layer_added_and_removed, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_trailing_layers_removed_say_so, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_layers_added_on_top_are_counted, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(test_platform_refresh_after_layers_found_identical,
	                pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_apply_file_diff_reclassifies_layers_that_differ_in_timestamps,
	                pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_unread_manifest_layers_unknown, pair_setup, pair_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
