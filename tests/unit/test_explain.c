/* Teaching texts: compiled in from docs/explain, chosen by node. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bakelens/explain.h"

static void test_every_kind_has_a_text(void **state)
{
	(void)state;
	for (int k = BL_NODE_BUILD; k <= BL_NODE_INFO; k++) {
		struct bl_node n = {.kind = (enum bl_node_kind)k};
		struct bl_buf b;
		bl_buf_init(&b);
		bl_explain_node(&n, &b);
		if (b.len < 80)
			fail_msg("kind %d has no explanation", k);
		bl_buf_fini(&b);
	}
}

static void test_layer_explains_diff_id_and_chainid(void **state)
{
	(void)state;
	struct bl_node n = {.kind = BL_NODE_LAYER, .status = BL_STATUS_MISSING};
	struct bl_buf b;
	bl_buf_init(&b);
	bl_explain_node(&n, &b);
	assert_non_null(strstr(bl_buf_str(&b), "# Layer digest and diff_id"));
	assert_non_null(strstr(bl_buf_str(&b), "# ChainID"));
	assert_non_null(strstr(bl_buf_str(&b), "# A missing blob"));
	bl_buf_fini(&b);
}

static void test_index_with_attestations_explains_the_moving_digest(void **state)
{
	(void)state;
	struct bl_node att = {.kind = BL_NODE_ATTESTATION,
	        .predicate_type = (char *)"https://slsa.dev/provenance/v0.2"};
	struct bl_node idx = {.kind = BL_NODE_INDEX};
	bl_vec_init(&idx.children, NULL);
	bl_vec_push_take(&idx.children, &att);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_explain_node(&idx, &b);
	assert_non_null(strstr(bl_buf_str(&b), "changes on every build"));
	bl_explain_node(&att, &b);
	assert_non_null(strstr(bl_buf_str(&b), "# SLSA provenance"));
	bl_buf_fini(&b);
	bl_vec_fini(&idx.children);
}

static void test_synthesised_node_says_so(void **state)
{
	(void)state;
	struct bl_node n = {.kind = BL_NODE_MANIFEST, .synthesised = true};
	struct bl_buf b;
	bl_buf_init(&b);
	bl_explain_node(&n, &b);
	assert_non_null(strstr(bl_buf_str(&b), "docker save"));
	bl_buf_fini(&b);
	assert_null(bl_explain_topic("nosuch"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_kind_has_a_text),
	        cmocka_unit_test(test_layer_explains_diff_id_and_chainid),
	        cmocka_unit_test(test_index_with_attestations_explains_the_moving_digest),
	        cmocka_unit_test(test_synthesised_node_says_so),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
