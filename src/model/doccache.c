/* The documents one build reads, by digest: model_internal.h. */
#include "model_internal.h"

#include <stdlib.h>

#include "bakelens/mem.h"

/* ---- documents read once per build ----
 *
 * A hostile index can list one manifest (or one 30 MiB config behind it)
 * thousands of times: each distinct digest is read, verified and parsed
 * once, and the nodes share the parsed document (read-only). The bytes of
 * distinct documents are bounded by MODEL_DOC_BUDGET. */

struct model_doc_cache {
	struct model_doc_ent *e;
	size_t cap, n; /* cap: a power of two */
};

static size_t doc_hash(const struct bl_digest *d)
{
	size_t h = 1469598103934665603u;
	for (const char *p = d->str; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return h;
}

static struct model_doc_ent *doc_slot(struct model_doc_cache *c, const struct bl_digest *d)
{
	size_t i = doc_hash(d) & (c->cap - 1);
	while (c->e[i].doc && !bl_digest_equal(&c->e[i].d, d))
		i = (i + 1) & (c->cap - 1);
	return &c->e[i];
}

const struct model_doc_ent *model_doc_find(const struct model_ctx *ctx, const struct bl_digest *d)
{
	if (!ctx->docs || ctx->docs->n == 0)
		return NULL;
	const struct model_doc_ent *e = doc_slot(ctx->docs, d);
	return e->doc ? e : NULL;
}

void model_doc_put(struct model_ctx *ctx, const struct bl_digest *d, json_t *doc, size_t len)
{
	if (!ctx->docs)
		ctx->docs = bl_calloc(1, sizeof *ctx->docs);
	struct model_doc_cache *c = ctx->docs;
	if ((c->n + 1) * 2 > c->cap) {
		struct model_doc_cache bigger = {
		        .cap = c->cap ? c->cap * 2 : 64,
		};
		bigger.e = bl_calloc(bigger.cap, sizeof *bigger.e);
		for (size_t i = 0; i < c->cap; i++) {
			if (c->e[i].doc)
				*doc_slot(&bigger, &c->e[i].d) = c->e[i];
		}
		bigger.n = c->n;
		free(c->e);
		*c = bigger;
	}
	struct model_doc_ent *e = doc_slot(c, d);
	if (e->doc)
		return;
	e->d = *d;
	e->doc = json_incref(doc);
	e->len = len;
	c->n++;
}

void model_ctx_fini(struct model_ctx *ctx)
{
	if (!ctx || !ctx->docs)
		return;
	for (size_t i = 0; i < ctx->docs->cap; i++)
		json_decref(ctx->docs->e[i].doc);
	free(ctx->docs->e);
	free(ctx->docs);
	ctx->docs = NULL;
}
