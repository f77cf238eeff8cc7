/* Node trees built by hand for the compare tests (test_compare_*.c): nodes,
 * descriptors whose digests are computed from short strings
 * (bl_digest_compute, never written by hand), manifests with their config
 * and layers, the fixture of two builds (`struct pair`, made and freed by
 * pair_setup and pair_teardown), and lookups in a comparison. Everything
 * static inline so each test uses what it needs. */
#ifndef BL_TEST_COMPARE_FIXTURE_H
#define BL_TEST_COMPARE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bakelens/compare.h"
#include "bakelens/mem.h"

static inline void tnode_free(void *p)
{
	struct bl_node *n = p;
	if (!n)
		return;
	bl_vec_fini(&n->children);
	free(n->label);
	free(n->status_msg);
	if (n->has_desc)
		bl_descriptor_fini(&n->desc);
	if (n->doc)
		json_decref(n->doc);
	free(n->predicate_type);
	if (n->layer) {
		free(n->layer->created_by);
		free(n->layer);
	}
	free(n);
}

static inline struct bl_node *mk(enum bl_node_kind kind, struct bl_node *parent, const char *label)
{
	struct bl_node *n = bl_calloc(1, sizeof *n);
	n->kind = kind;
	n->label = bl_strdup(label);
	bl_vec_init(&n->children, tnode_free);
	n->parent = parent;
	if (parent)
		bl_vec_push_take(&parent->children, n);
	return n;
}

static inline void digest_of(const char *seed, struct bl_digest *d)
{
	bl_digest_compute(BL_DIGEST_SHA256, seed, strlen(seed), d);
}

static inline void set_desc(struct bl_node *n, const char *seed, const char *media_type)
{
	n->has_desc = true;
	digest_of(seed, &n->desc.digest);
	n->desc.size = (int64_t)strlen(seed);
	n->desc.media_type = bl_strdup(media_type);
}

static inline void set_platform(struct bl_node *n, const char *os, const char *arch)
{
	n->desc.has_platform = true;
	n->desc.platform.os = bl_strdup(os);
	n->desc.platform.arch = bl_strdup(arch);
}

static inline void set_doc(struct bl_node *n, const char *json)
{
	json_error_t e;
	n->doc = json_loads(json, 0, &e);
	assert_non_null(n->doc);
}

#define MT_MANIFEST "application/vnd.oci.image.manifest.v1+json"

#define MT_INDEX "application/vnd.oci.image.index.v1+json"

#define MT_CONFIG "application/vnd.oci.image.config.v1+json"

#define MT_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"

#define MT_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"

/* A layer spec: content seed (diff_id), blob seed (digest), history line. */
struct lspec {
	const char *content;
	const char *blob;
	const char *by;
};

/* A manifest with a config and layers; ChainIDs computed like the model does. */
static inline struct bl_node *manifest(struct bl_node *parent, const char *seed,
        const char *config_json, const struct lspec *layers, size_t n)
{
	struct bl_node *m = mk(BL_NODE_MANIFEST, parent, "manifest");
	set_desc(m, seed, MT_MANIFEST);
	set_doc(m, "{\"schemaVersion\":2}");
	struct bl_node *c = mk(BL_NODE_CONFIG, m, "config");
	set_desc(c, config_json, MT_CONFIG);
	set_doc(c, config_json);
	struct bl_digest chain;
	for (size_t i = 0; i < n; i++) {
		char label[32];
		snprintf(label, sizeof label, "layer %zu/%zu", i + 1, n);
		struct bl_node *l = mk(BL_NODE_LAYER, m, label);
		set_desc(l, layers[i].blob, strstr(layers[i].blob, "zst") ? MT_ZSTD : MT_GZIP);
		l->layer = bl_calloc(1, sizeof *l->layer);
		l->layer->index = (int)i;
		l->layer->count = (int)n;
		l->layer->has_diff_id = true;
		digest_of(layers[i].content, &l->layer->diff_id);
		bl_digest_chain(i ? &chain : NULL, &l->layer->diff_id, &chain);
		l->layer->has_chain_id = true;
		l->layer->chain_id = chain;
		l->layer->created_by = bl_strdup(layers[i].by);
		l->layer->comp = strstr(layers[i].blob, "zst") ? BL_COMP_ZSTD : BL_COMP_GZIP;
	}
	return m;
}

/* A build with one target holding `root` (created by the caller under it). */
struct tb {
	struct bl_build b;
	struct bl_node *target;
};

static inline void tb_init(struct tb *t, const char *target)
{
	memset(t, 0, sizeof *t);
	t->b.root = mk(BL_NODE_BUILD, NULL, "build");
	t->target = mk(BL_NODE_TARGET, t->b.root, target);
}

static inline void tb_fini(struct tb *t)
{
	tnode_free(t->b.root);
}

/* The fixture of most tests: two builds, left (a) and right (b), each with
 * one target "app" for the test to fill; freed after the test. */
struct pair {
	struct tb a, b;
};

static inline int pair_setup(void **state)
{
	struct pair *p = bl_calloc(1, sizeof *p);
	tb_init(&p->a, "app");
	tb_init(&p->b, "app");
	*state = p;
	return 0;
}

static inline int pair_teardown(void **state)
{
	struct pair *p = *state;
	tb_fini(&p->a);
	tb_fini(&p->b);
	free(p);
	return 0;
}

static const char CFG_A[] =
        "{\"architecture\":\"amd64\",\"os\":\"linux\","
        "\"created\":\"2024-01-01T00:00:00Z\",\"config\":{\"Labels\":{\"org.example.x\":\"1\"}},"
        "\"history\":[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY a\"},"
        "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"RUN apt-get update\"},"
        "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY c\"}],"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

static const char CFG_A_LATER[] =
        "{\"architecture\":\"amd64\",\"os\":\"linux\","
        "\"created\":\"2024-02-02T00:00:00Z\",\"config\":{\"Labels\":{\"org.example.x\":\"1\"}},"
        "\"history\":[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY a\"},"
        "{\"created\":\"2024-02-02T00:00:00Z\",\"created_by\":\"RUN apt-get update\"},"
        "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY c\"}],"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

static const char CFG_A_LABEL[] =
        "{\"architecture\":\"amd64\",\"os\":\"linux\","
        "\"created\":\"2024-01-01T00:00:00Z\",\"config\":{\"Labels\":{\"org.example.x\":\"2\"}},"
        "\"history\":[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY a\"},"
        "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"RUN apt-get update\"},"
        "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY c\"}],"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";

static const struct lspec THREE[] = {
        {"a", "a.gz", "COPY a"}, {"b", "b.gz", "RUN apt-get update"}, {"c", "c.gz", "COPY c"}};

/* THREE with the content of layer 2 changed. */
static const struct lspec THREE_B2[] = {
        {"a", "a.gz", "COPY a"}, {"b2", "b2.gz", "RUN apt-get update"}, {"c", "c.gz", "COPY c"}};

static inline const struct bl_cmp_node *find(
        const struct bl_cmp_node *n, enum bl_node_kind kind, const char *label)
{
	if (n->kind == kind && (!label || strcmp(n->label, label) == 0))
		return n;
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_cmp_node *r = find(bl_vec_get(&n->children, i), kind, label);
		if (r)
			return r;
	}
	return NULL;
}

static inline bool has_field(const struct bl_cmp_node *n, const char *f)
{
	for (size_t i = 0; i < n->fields.len; i++)
		if (strcmp(bl_vec_get(&n->fields, i), f) == 0)
			return true;
	return false;
}

static inline bool has_note(const struct bl_cmp_node *n, const char *part)
{
	for (size_t i = 0; i < n->notes.len; i++)
		if (strstr(bl_vec_get(&n->notes, i), part))
			return true;
	return false;
}

static inline const struct bl_cmp_platform *platform0(const struct bl_cmp *c)
{
	assert_true(c->platforms.len >= 1);
	return bl_vec_get(&c->platforms, 0);
}

#endif
