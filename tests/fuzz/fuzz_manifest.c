/* libFuzzer: bytes as an index, manifest or config document -> graph
 * resolution against an in-memory store.
 *
 * The input is split on "\n--\n": the first part is the root document, every
 * part (the root too) is a blob of the store under its own sha256, so the
 * fuzzer can grow nested graphs when it learns digests from the dictionary
 * or the corpus. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/tree.h"
#include "fuzz_memstore.h"

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
	struct fuzz_part parts[MAX_PARTS];
	size_t n = fuzz_split(data, size, parts, MAX_PARTS);
	struct bl_build *b = fuzz_build_new(parts, n);

	visit(b->root);
	struct bl_tree tr;
	bl_tree_init(&tr, b->root, 100);
	struct bl_buf line;
	bl_buf_init(&line);
	for (size_t r = 0; r < tr.len; r++) {
		bl_tree_row_guides(&tr, r, true, &line);
		bl_tree_row_text(&tr.rows[r], &line);
		bl_buf_clear(&line);
	}
	bl_buf_fini(&line);
	bl_tree_fini(&tr);
	struct bl_query q = {0};
	struct bl_digest d;
	for (int w = BL_WHAT_DEFAULT; w <= BL_WHAT_CHAIN_ID; w++) {
		q.what = (enum bl_what)w;
		(void)bl_build_query(b, &q, &d, NULL);
		q.platform = "linux/amd64";
		(void)bl_build_query(b, &q, &d, NULL);
		q.platform = NULL;
	}
	bl_build_free(b);
	return 0;
}
