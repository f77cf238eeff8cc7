/* libFuzzer: bytes -> buildx metadata, through the code bl_build_load uses
 * for a metadata file (sniff, targets, warnings), then tree rows and facts
 * for every node. No store: every target ends unresolved. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../src/model/model_internal.h"
#include "bakelens/json.h"
#include "bakelens/tree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void visit(const struct bl_node *n)
{
	struct bl_vec facts;
	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(n, &facts);
	bl_vec_fini(&facts);
	for (size_t i = 0; i < bl_node_count(n); i++)
		visit(bl_node_child(n, i));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)bl_metadata_sniff(data, size);
	json_t *doc = bl_json_parse(data, size, BL_JSON_CONFIG_MAX, NULL);
	if (!doc)
		return 0;
	struct bl_build *b = model_build_new();
	struct model_ctx ctx;
	model_ctx_init(&ctx, b);
	b->metadata = doc;
	model_metadata_load(&ctx, doc);
	model_resolve_targets(&ctx);
	visit(b->root);
	struct bl_tree t;
	bl_tree_init(&t, b->root, 100);
	struct bl_buf line;
	bl_buf_init(&line);
	for (size_t r = 0; r < t.len; r++) {
		bl_tree_row_guides(&t, r, false, &line);
		bl_tree_row_text(&t.rows[r], &line);
		bl_buf_clear(&line);
	}
	size_t found;
	(void)bl_tree_search(&t, 0, "sha256:0", 1, &found);
	bl_buf_fini(&line);
	bl_tree_fini(&t);
	struct bl_query q = {0};
	struct bl_digest d;
	for (int w = BL_WHAT_DEFAULT; w <= BL_WHAT_CHAIN_ID; w++) {
		q.what = (enum bl_what)w;
		(void)bl_build_query(b, &q, &d, NULL);
	}
	model_ctx_fini(&ctx);
	bl_build_free(b);
	return 0;
}
