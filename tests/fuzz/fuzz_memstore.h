/* Shared by the harnesses that build a model from bytes (fuzz_manifest,
 * fuzz_compare): an in-memory store whose blobs are parts of the input under
 * their own sha256, and a build whose one target "fuzz" points at the first
 * part, resolved as bl_build_load resolves a root descriptor. */
#ifndef FUZZ_MEMSTORE_H
#define FUZZ_MEMSTORE_H

#include <stdlib.h>
#include <string.h>

#include "../../src/model/model_internal.h"
#include "bakelens/mem.h"
#include "fuzz_common.h"

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

/* A build of `parts` (at most MAX_PARTS, at least 1): the store holds them
 * all, the target's root descriptor names the first (no media type: sniffed
 * from the document). The build owns the store; the parts are borrowed and
 * must outlive it. Free with bl_build_free. */
static inline struct bl_build *fuzz_build_new(const struct fuzz_part *parts, size_t n)
{
	struct memstore *m = bl_calloc(1, sizeof *m);
	m->base.ops = &mem_ops;
	m->base.source = bl_strdup("memory");
	m->n = n < MAX_PARTS ? n : MAX_PARTS;
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
	struct bl_node *n0 = model_node_new(&ctx, BL_NODE_BLOB, t, NULL);
	n0->has_desc = true;
	memset(&n0->desc, 0, sizeof n0->desc);
	n0->desc.digest = m->blobs[0].d;
	n0->desc.size = (int64_t)m->blobs[0].len;
	n0->store = &m->base;
	model_graph_resolve(&ctx, n0);
	model_ctx_fini(&ctx);
	return b;
}

#endif
