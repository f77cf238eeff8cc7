/* libFuzzer: bytes as a build history record (`docker buildx history
 * export`) -> the record manifest's label, facts and `record` JSON.
 *
 * The input is split on "\n--\n": the record document, a provenance
 * predicate and a logs blob. The harness writes the record manifest around
 * them (their digests computed here), so every input reaches the record
 * decoder instead of stopping at an unknown digest. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/tree.h"
#include "fuzz_memstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *desc(const char *mt, const struct fuzz_part *p)
{
	struct bl_digest d;
	bl_digest_compute(BL_DIGEST_SHA256, p->data, p->len, &d);
	return bl_asprintf(
	        "{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}", mt, d.str, p->len);
}

static void visit(const struct bl_node *n, struct bl_buf *line)
{
	struct bl_vec facts;
	bl_vec_init(&facts, bl_fact_free);
	bl_node_facts(n, &facts);
	bl_vec_fini(&facts);
	json_t *r = bl_node_record_json(n);
	if (r) {
		char *text = bl_json_compact(r);
		free(text);
		json_decref(r);
	}
	struct bl_tree_row row = {.node = (struct bl_node *)n};
	bl_tree_row_text(&row, line);
	bl_buf_clear(line);
	for (size_t i = 0; i < bl_node_count(n); i++)
		visit(bl_node_child(n, i), line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[MAX_PARTS];
	size_t n = fuzz_split(data, size, parts, 3);
	static const uint8_t none[] = "{}";
	while (n < 3)
		parts[n++] = (struct fuzz_part){none, 2};
	char *cd = desc(BL_MT_BUILDKIT_RECORD, &parts[0]);
	char *pd = desc(BL_MT_INTOTO, &parts[1]);
	char *ld = desc(BL_MT_BUILDKIT_LOGS, &parts[2]);
	char *man = bl_asprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":%s,"
	                        "\"layers\":[%s,%s]}",
	        BL_MT_OCI_MANIFEST, cd, ld, pd);
	struct fuzz_part all[4] = {
	        {(const uint8_t *)man, strlen(man)}, parts[0], parts[1], parts[2]};
	struct bl_build *b = fuzz_build_new(all, 4);
	struct bl_buf line;
	bl_buf_init(&line);
	visit(b->root, &line);
	bl_buf_fini(&line);
	bl_build_free(b);
	free(man);
	free(cd);
	free(pd);
	free(ld);
	return 0;
}
