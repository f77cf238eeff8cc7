/* Tree rows: expand, collapse, filter, search, row text and guides, on
 * hand-made nodes (no store, no terminal). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bakelens/tree.h"
#include "model_fixture.h"

static void node_free(void *p)
{
	struct bl_node *n = p;
	bl_vec_fini(&n->children);
	free(n->label);
	free(n->name);
	free(n);
}

static struct bl_node *mk(
        struct bl_node *parent, enum bl_node_kind kind, const char *label, const char *digest_src)
{
	struct bl_node *n = bl_calloc(1, sizeof *n);
	n->kind = kind;
	n->label = bl_strdup(label);
	bl_vec_init(&n->children, node_free);
	if (digest_src) {
		n->has_desc = true;
		bl_digest_compute(
		        BL_DIGEST_SHA256, digest_src, strlen(digest_src), &n->desc.digest);
		n->desc.size = 1536;
	}
	n->parent = parent;
	if (parent)
		bl_vec_push_take(&parent->children, n);
	return n;
}

/* build
 *   web (target)
 *     index
 *       linux/amd64
 *         config
 *         layer 1/1
 *       linux/arm64
 *   db (target) */
struct tfx {
	struct bl_node *root, *web, *index, *amd, *config, *layer, *arm, *db;
	struct bl_tree t; /* over root */
};

static void make(struct tfx *x)
{
	x->root = mk(NULL, BL_NODE_BUILD, "build", NULL);
	x->web = mk(x->root, BL_NODE_TARGET, "web", NULL);
	x->index = mk(x->web, BL_NODE_INDEX, "index", "i");
	x->amd = mk(x->index, BL_NODE_MANIFEST, "linux/amd64", "m1");
	x->config = mk(x->amd, BL_NODE_CONFIG, "config", "c");
	x->layer = mk(x->amd, BL_NODE_LAYER, "layer 1/1", "l");
	x->arm = mk(x->index, BL_NODE_MANIFEST, "linux/arm64", "m2");
	x->db = mk(x->root, BL_NODE_TARGET, "db", NULL);
}

/* The nodes above and their tree, expanded to `depth`. */
static int setup_depth(void **state, int depth)
{
	struct tfx *x = bl_calloc(1, sizeof *x);
	make(x);
	bl_tree_init(&x->t, x->root, depth);
	*state = x;
	return 0;
}

/* Only the targets shown (depth 1). */
static int setup_collapsed(void **state)
{
	return setup_depth(state, 1);
}

/* Every node shown (depth 10). */
static int setup_open(void **state)
{
	return setup_depth(state, 10);
}

static int teardown(void **state)
{
	struct tfx *x = *state;
	bl_tree_fini(&x->t);
	node_free(x->root);
	free(x);
	return 0;
}

static void test_tree_init_depth_and_expand_collapse(void **state)
{
	struct tfx *x = *state;
	struct bl_tree *t = &x->t;
	/* root expanded, targets collapsed */
	assert_int_equal(t->len, 2);
	assert_ptr_equal(t->rows[0].node, x->web);
	assert_int_equal(t->rows[0].depth, 0);
	assert_true(t->rows[0].has_children);
	assert_false(t->rows[1].has_children);
	assert_true(t->rows[1].last);
	size_t r = bl_tree_expand(t, 0);
	assert_int_equal(r, 0);
	assert_int_equal(t->len, 3);
	assert_ptr_equal(t->rows[1].node, x->index);
	assert_int_equal(t->rows[1].depth, 1);
	r = bl_tree_expand_all(t, 1);
	assert_int_equal(r, 1);
	assert_int_equal(t->len, 7);
	/* collapse on a leaf goes to its parent */
	r = bl_tree_collapse(t, 4); /* layer 1/1 */
	assert_ptr_equal(t->rows[4].node, x->layer);
	assert_ptr_equal(t->rows[r].node, x->amd);
	r = bl_tree_collapse(t, r);
	assert_ptr_equal(t->rows[r].node, x->amd);
	assert_int_equal(t->len, 5);
	r = bl_tree_toggle(t, r);
	assert_int_equal(t->len, 7);
	bl_tree_fini(t);

	bl_tree_init(t, x->root, 10);
	t->show_root = true;
	bl_tree_rebuild(t);
	assert_int_equal(t->len, 8);
	assert_ptr_equal(t->rows[0].node, x->root);
}

static void test_tree_filter_keeps_ancestors_of_matches(void **state)
{
	struct tfx *x = *state;
	struct bl_tree *t = &x->t;
	bl_tree_set_filter(t, "ARM64");
	assert_int_equal(t->len, 3);
	assert_ptr_equal(t->rows[0].node, x->web);
	assert_ptr_equal(t->rows[1].node, x->index);
	assert_ptr_equal(t->rows[2].node, x->arm);
	assert_true(t->rows[2].last);
	bl_tree_set_filter(t, "");
	assert_null(t->filter);
	assert_int_equal(t->len, 2);
	bl_tree_set_filter(t, "nothing matches this");
	assert_int_equal(t->len, 0);
	bl_tree_set_filter(t, NULL);
}

/* A node chosen elsewhere (a target, a platform's manifest) gets a row. */
static void test_tree_reveal_expands_ancestors(void **state)
{
	struct tfx *x = *state;
	struct bl_tree *t = &x->t;
	assert_int_equal(t->len, 2);
	size_t row = 99;
	assert_true(bl_tree_reveal(t, x->db, &row));
	assert_int_equal(row, 1);
	assert_int_equal(t->len, 2);
	assert_true(bl_tree_reveal(t, x->layer, &row));
	assert_ptr_equal(t->rows[row].node, x->layer);
	assert_int_equal(row, 4); /* web, index, linux/amd64, config, layer */
	assert_true(x->web->expanded && x->index->expanded && x->amd->expanded);
	assert_false(x->arm->expanded);
	/* hidden by the filter: no row */
	bl_tree_set_filter(t, "db");
	row = 99;
	assert_false(bl_tree_reveal(t, x->arm, &row));
	assert_int_equal(row, 99);
}

static void test_tree_search_label_and_digest_prefix_expands(void **state)
{
	struct tfx *x = *state;
	struct bl_tree *t = &x->t;
	size_t found = 99;
	assert_true(bl_tree_search(t, 0, "LAYER", 1, &found));
	assert_ptr_equal(t->rows[found].node, x->layer);
	assert_true(x->amd->expanded);
	/* digest prefix, with and without the algorithm */
	char q[40];
	snprintf(q, sizeof q, "%.10s", bl_digest_hex(&x->config->desc.digest));
	assert_true(bl_tree_search(t, 0, q, 1, &found));
	assert_ptr_equal(t->rows[found].node, x->config);
	snprintf(q, sizeof q, "sha256:%.8s", bl_digest_hex(&x->arm->desc.digest));
	assert_true(bl_tree_search(t, 0, q, 1, &found));
	assert_ptr_equal(t->rows[found].node, x->arm);
	/* backwards and wrapping */
	assert_true(bl_tree_search(t, 0, "linux", -1, &found));
	assert_ptr_equal(t->rows[found].node, x->arm);
	assert_false(bl_tree_search(t, 0, "zzz", 1, &found));
	assert_false(bl_tree_search(t, 0, "sha512:00", 1, &found));
}

static void test_tree_row_text_and_guides(void **state)
{
	struct tfx *x = *state;
	struct bl_tree *t = &x->t;
	/* Rows point at nodes: what a row says is read when it is drawn. */
	x->layer->status = BL_STATUS_MISSING;
	free(x->db->label);
	x->db->label = bl_strdup("d\x1b[2Jb\n");
	struct bl_buf b;
	bl_buf_init(&b);
	/* row 4 is layer 1/1 */
	assert_ptr_equal(t->rows[4].node, x->layer);
	bl_tree_row_text(&t->rows[4], &b);
	char sh[32];
	bl_digest_short(&x->layer->desc.digest, sh, sizeof sh);
	char want[128];
	snprintf(want, sizeof want, "layer 1/1  %s  1.5 KiB  ! missing", sh);
	assert_string_equal(bl_buf_str(&b), want);
	bl_buf_clear(&b);
	bl_tree_row_text(&t->rows[6], &b); /* db: escaped */
	assert_null(strchr(bl_buf_str(&b), '\x1b'));
	assert_null(strchr(bl_buf_str(&b), '\n'));
	bl_buf_clear(&b);

	/* web(0) index(1) amd(2) config(3) layer(4) arm(5) db(6) */
	bl_tree_row_guides(t, 0, true, &b);
	assert_string_equal(bl_buf_str(&b), "");
	bl_tree_row_guides(t, 1, true, &b);
	assert_string_equal(bl_buf_str(&b), "`- ");
	bl_buf_clear(&b);
	bl_tree_row_guides(t, 3, true, &b);
	assert_string_equal(bl_buf_str(&b), "   |  |- ");
	bl_buf_clear(&b);
	bl_tree_row_guides(t, 4, true, &b);
	assert_string_equal(bl_buf_str(&b), "   |  `- ");
	bl_buf_clear(&b);
	bl_tree_row_guides(t, 4, false, &b);
	assert_string_equal(bl_buf_str(&b), "   \xe2\x94\x82  \xe2\x94\x94\xe2\x94\x80 ");
	bl_buf_clear(&b);
	bl_tree_row_guides(t, 2, false, &b);
	assert_string_equal(bl_buf_str(&b), "   \xe2\x94\x9c\xe2\x94\x80 ");
	bl_buf_fini(&b);
}

static void test_tree_over_loaded_build(void **state)
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
	struct bl_tree t;
	bl_tree_init(&t, b->root, 2);
	assert_int_equal(t.len, 2); /* target, index */
	bl_tree_expand_all(&t, 0);
	/* target index amd(config l1 l2) arm(config l1) att(config statement) */
	assert_int_equal(t.len, 12);
	bl_tree_fini(&t);
	bl_build_free(b);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_tree_init_depth_and_expand_collapse, setup_collapsed, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_tree_filter_keeps_ancestors_of_matches, setup_collapsed, teardown),
	        cmocka_unit_test_setup_teardown(test_tree_search_label_and_digest_prefix_expands,
	                setup_collapsed, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_tree_reveal_expands_ancestors, setup_collapsed, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_tree_row_text_and_guides, setup_open, teardown),
	        cmocka_unit_test(test_tree_over_loaded_build),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
