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

#include "../../src/model/model_internal.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/tree.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PARTS 16

struct memblob {
	struct bl_digest d;
	const uint8_t *data;
	size_t len;
};

struct memstore {
	struct bl_store base;
	struct memblob blobs[MAX_PARTS];
	size_t n;
};

static const struct memblob *find(struct bl_store *s, const struct bl_digest *d)
{
	struct memstore *m = (struct memstore *)s;
	for (size_t i = 0; i < m->n; i++) {
		if (bl_digest_equal(&m->blobs[i].d, d))
			return &m->blobs[i];
	}
	return NULL;
}

static bool mem_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err)
{
	(void)s;
	(void)roots;
	(void)err;
	return true;
}

static enum bl_blob_state mem_stat(struct bl_store *s, const struct bl_digest *d, int64_t *size)
{
	const struct memblob *b = find(s, d);
	if (size)
		*size = b ? (int64_t)b->len : -1;
	return b ? BL_BLOB_PRESENT : BL_BLOB_MISSING;
}

static bool mem_read(struct bl_store *s, const struct bl_digest *d, size_t max, struct bl_buf *out,
        struct bl_error *err)
{
	const struct memblob *b = find(s, d);
	if (!b)
		return bl_fail(err, BL_E_NOT_FOUND, "%s: not in memory", d->str);
	if (b->len > max)
		return bl_fail(err, BL_E_TOO_BIG, "%s: over %zu bytes", d->str, max);
	bl_buf_append(out, b->data, b->len);
	return true;
}

static bool mem_open(
        struct bl_store *s, const struct bl_digest *d, struct bl_stream **out, struct bl_error *err)
{
	const struct memblob *b = find(s, d);
	if (!b)
		return bl_fail(err, BL_E_NOT_FOUND, "%s: not in memory", d->str);
	*out = bl_stream_memory(b->data, b->len);
	return true;
}

static void mem_destroy(struct bl_store *s)
{
	free(s);
}

static const struct bl_store_ops mem_ops = {
        .kind = "memory",
        .list_roots = mem_roots,
        .stat_blob = mem_stat,
        .read_raw = mem_read,
        .open_raw = mem_open,
        .destroy = mem_destroy,
};

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
	struct memstore *m = bl_calloc(1, sizeof *m);
	m->base.ops = &mem_ops;
	m->base.source = bl_strdup("memory");
	struct fuzz_part parts[MAX_PARTS];
	m->n = fuzz_split(data, size, parts, MAX_PARTS);
	for (size_t i = 0; i < m->n; i++) {
		struct memblob *b = &m->blobs[i];
		b->data = parts[i].data;
		b->len = parts[i].len;
		bl_digest_compute(BL_DIGEST_SHA256, b->data, b->len, &b->d);
	}

	struct bl_build *b = model_build_new();
	bl_vec_push_take(&b->stores, &m->base);
	struct model_ctx ctx;
	model_ctx_init(&ctx, b);
	struct bl_node *t = model_node_new(&ctx, BL_NODE_TARGET, b->root, "fuzz");
	struct bl_node *n = model_node_new(&ctx, BL_NODE_BLOB, t, NULL);
	n->has_desc = true;
	memset(&n->desc, 0, sizeof n->desc);
	n->desc.digest = m->blobs[0].d;
	n->desc.size = (int64_t)m->blobs[0].len;
	/* no media type: sniffed from the document, as a generic descriptor */
	n->store = &m->base;
	model_graph_resolve(&ctx, n);

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
	model_ctx_fini(&ctx);
	bl_build_free(b);
	return 0;
}
