/* compare.c on hand-built node trees: alignment (LCS with insertion and
 * removal), classification of every class, per-platform cache breaks. The
 * digests here are computed in the test from short strings (bl_digest_compute),
 * never written by hand. */
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

/* ---- building trees by hand ---- */

static void tnode_free(void *p)
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

static struct bl_node *mk(enum bl_node_kind kind, struct bl_node *parent, const char *label)
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

static void digest_of(const char *seed, struct bl_digest *d)
{
	bl_digest_compute(BL_DIGEST_SHA256, seed, strlen(seed), d);
}

static void set_desc(struct bl_node *n, const char *seed, const char *media_type)
{
	n->has_desc = true;
	digest_of(seed, &n->desc.digest);
	n->desc.size = (int64_t)strlen(seed);
	n->desc.media_type = bl_strdup(media_type);
}

static void set_platform(struct bl_node *n, const char *os, const char *arch)
{
	n->desc.has_platform = true;
	n->desc.platform.os = bl_strdup(os);
	n->desc.platform.arch = bl_strdup(arch);
}

static void set_doc(struct bl_node *n, const char *json)
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
static struct bl_node *manifest(struct bl_node *parent, const char *seed, const char *config_json,
        const struct lspec *layers, size_t n)
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

static void tb_init(struct tb *t, const char *target)
{
	memset(t, 0, sizeof *t);
	t->b.root = mk(BL_NODE_BUILD, NULL, "build");
	t->target = mk(BL_NODE_TARGET, t->b.root, target);
}

static void tb_fini(struct tb *t)
{
	tnode_free(t->b.root);
}

/* The fixture of most tests: two builds, left (a) and right (b), each with
 * one target "app" for the test to fill; freed after the test. */
struct pair {
	struct tb a, b;
};

static int pair_setup(void **state)
{
	struct pair *p = bl_calloc(1, sizeof *p);
	tb_init(&p->a, "app");
	tb_init(&p->b, "app");
	*state = p;
	return 0;
}

static int pair_teardown(void **state)
{
	struct pair *p = *state;
	tb_fini(&p->a);
	tb_fini(&p->b);
	free(p);
	return 0;
}

static const char *CFG_A =
        "{\"architecture\":\"amd64\",\"os\":\"linux\","
        "\"created\":\"2024-01-01T00:00:00Z\",\"config\":{\"Labels\":{\"org.example.x\":\"1\"}},"
        "\"history\":[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY a\"},"
        "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"RUN apt-get update\"},"
        "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY c\"}],"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
static const char *CFG_A_LATER =
        "{\"architecture\":\"amd64\",\"os\":\"linux\","
        "\"created\":\"2024-02-02T00:00:00Z\",\"config\":{\"Labels\":{\"org.example.x\":\"1\"}},"
        "\"history\":[{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY a\"},"
        "{\"created\":\"2024-02-02T00:00:00Z\",\"created_by\":\"RUN apt-get update\"},"
        "{\"created\":\"2024-01-01T00:00:00Z\",\"created_by\":\"COPY c\"}],"
        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
static const char *CFG_A_LABEL =
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

static const struct bl_cmp_node *find(
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

static bool has_field(const struct bl_cmp_node *n, const char *f)
{
	for (size_t i = 0; i < n->fields.len; i++)
		if (strcmp(bl_vec_get(&n->fields, i), f) == 0)
			return true;
	return false;
}

static bool has_note(const struct bl_cmp_node *n, const char *part)
{
	for (size_t i = 0; i < n->notes.len; i++)
		if (strstr(bl_vec_get(&n->notes, i), part))
			return true;
	return false;
}

static const struct bl_cmp_platform *platform0(const struct bl_cmp *c)
{
	assert_true(c->platforms.len >= 1);
	return bl_vec_get(&c->platforms, 0);
}

/* ---- alignment ---- */

static size_t align(
        const char *const *l, size_t nl, const char *const *r, size_t nr, int *pl, int *pr, bool *m)
{
	return bl_cmp_align(l, nl, r, nr, pl, pr, m);
}

static void test_align_lcs_recognises_an_inserted_layer(void **state)
{
	(void)state;
	const char *l[] = {"a", "b", "c"};
	const char *r[] = {"a", "x", "b", "c"};
	int pl[8], pr[8];
	bool m[8];
	size_t n = align(l, 3, r, 4, pl, pr, m);
	assert_int_equal(n, 4);
	int want_l[] = {0, -1, 1, 2}, want_r[] = {0, 1, 2, 3};
	bool want_m[] = {true, false, true, true};
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(pl[k], want_l[k]);
		assert_int_equal(pr[k], want_r[k]);
		assert_int_equal(m[k], want_m[k]);
	}
}

static void test_align_lcs_recognises_a_removed_layer(void **state)
{
	(void)state;
	const char *l[] = {"a", "b", "c", "d"};
	const char *r[] = {"a", "c", "d"};
	int pl[8], pr[8];
	bool m[8];
	size_t n = align(l, 4, r, 3, pl, pr, m);
	assert_int_equal(n, 4);
	assert_int_equal(pl[1], 1);
	assert_int_equal(pr[1], -1);
	assert_int_equal(pl[2], 2);
	assert_int_equal(pr[2], 1);
	assert_true(m[2]);
}

static void test_align_pairs_changed_items_in_a_gap_by_position(void **state)
{
	(void)state;
	const char *l[] = {"a", "b", "c", "d"};
	const char *r[] = {"a", "B", "C", "d", "e"};
	int pl[16], pr[16];
	bool m[16];
	size_t n = align(l, 4, r, 5, pl, pr, m);
	assert_int_equal(n, 5);
	/* b<>B and c<>C are paired (content changed), d matches, e is added. */
	assert_int_equal(pl[1], 1);
	assert_int_equal(pr[1], 1);
	assert_false(m[1]);
	assert_int_equal(pl[2], 2);
	assert_int_equal(pr[2], 2);
	assert_int_equal(pl[3], 3);
	assert_int_equal(pr[3], 3);
	assert_true(m[3]);
	assert_int_equal(pl[4], -1);
	assert_int_equal(pr[4], 4);
}

/* Two layers swapped around one that stayed (buildah: COPY b, RUN, COPY a
 * after COPY a, RUN, COPY b): of the common subsequences of one length, the
 * one that keeps a layer at its position, so the unmoved layer is not said
 * to be removed and added at the same place. */
static void test_align_ties_keep_positions(void **state)
{
	(void)state;
	const char *l[] = {"base", "a", "run", "b"};
	const char *r[] = {"base", "b", "run", "a"};
	int pl[16], pr[16];
	bool m[16];
	size_t n = align(l, 4, r, 4, pl, pr, m);
	assert_int_equal(n, 4);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(pl[k], pr[k]); /* every pair at one position */
	assert_true(m[0]);
	assert_false(m[1]); /* a<>b: content changed */
	assert_true(m[2]);
	assert_false(m[3]);
}

static void test_align_null_keys_never_match(void **state)
{
	(void)state;
	const char *l[] = {NULL, "a"};
	const char *r[] = {NULL, "a"};
	int pl[4], pr[4];
	bool m[4];
	size_t n = align(l, 2, r, 2, pl, pr, m);
	assert_int_equal(n, 2);
	assert_false(m[0]);
	assert_true(m[1]);
}

static void test_align_empty_sides(void **state)
{
	(void)state;
	const char *r[] = {"a", "b"};
	int pl[4], pr[4];
	size_t n = align(NULL, 0, r, 2, pl, pr, NULL);
	assert_int_equal(n, 2);
	assert_int_equal(pl[0], -1);
	assert_int_equal(pr[1], 1);
	assert_int_equal(align(NULL, 0, NULL, 0, pl, pr, NULL), 0);
}

/* ---- classification ---- */

static void test_identical_builds_are_identical(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m1", CFG_A, THREE, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_true(bl_cmp_is_identical(c));
	assert_int_equal(c->root->flags, 0);
	const struct bl_cmp_platform *p = platform0(c);
	assert_true(p->rootfs_known);
	assert_true(p->rootfs_identical);
	assert_int_equal(p->first_divergent, -1);
	assert_null(bl_cmp_next_difference(c->root, NULL, 1));
	bl_cmp_free(c);
}

static void test_config_only_names_created_and_history_fields(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A_LATER, THREE, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_CONFIG);
	assert_int_equal(c->root->flags, 1u << BL_CMP_CONFIG);
	const struct bl_cmp_node *cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_non_null(cfg);
	assert_int_equal(cfg->own, BL_CMP_CONFIG);
	assert_int_equal(cfg->fields.len, 2);
	assert_true(has_field(cfg, "created"));
	assert_true(has_field(cfg, "history[1].created"));
	assert_true(has_note(cfg, "created: 2024-01-01T00:00:00Z -> 2024-02-02T00:00:00Z"));
	/* The manifest's digest moved because of its config: not its own difference. */
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_IDENTICAL);
	assert_int_equal(m->cls, BL_CMP_CONFIG);
	assert_true(platform0(c)->rootfs_identical);
	assert_ptr_equal(bl_cmp_next_difference(c->root, NULL, 1), cfg);
	char *sum = bl_cmp_node_summary(c->root);
	assert_string_equal(sum, "config only");
	free(sum);
	sum = bl_cmp_node_summary(cfg);
	assert_non_null(strstr(sum, "created, history[1].created"));
	free(sum);
	bl_cmp_free(c);

	/* Semantic mode: timestamps ignored, the rest is identical. */
	struct bl_cmp_opts o = {.ignore_timestamps = true};
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, &o);
	assert_true(bl_cmp_is_identical(c));
	cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_true(has_note(cfg, "2 timestamp fields differ (ignored)"));
	bl_cmp_free(c);
}

static void test_config_label_path_quotes_dotted_keys(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A_LABEL, THREE, 3);
	struct bl_cmp_opts o = {.ignore_timestamps = true};
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, &o);
	const struct bl_cmp_node *cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_int_equal(cfg->own, BL_CMP_CONFIG);
	assert_true(has_field(cfg, "config.Labels[\"org.example.x\"]"));
	bl_cmp_free(c);
}

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

/* An index with one image per platform and a provenance attestation for each. */
static struct bl_node *index_with(
        struct bl_node *parent, const char *seed, const char *prov, bool arm)
{
	struct bl_node *ix = mk(BL_NODE_INDEX, parent, "index");
	set_desc(ix, seed, MT_INDEX);
	set_doc(ix, "{\"schemaVersion\":2}");
	struct bl_node *m = manifest(ix, "amd", CFG_A, THREE, 3);
	set_platform(m, "linux", "amd64");
	free(m->label);
	m->label = bl_strdup("linux/amd64");
	if (arm) {
		struct bl_node *m2 = manifest(ix, "arm", CFG_A, THREE, 2);
		set_platform(m2, "linux", "arm64");
		free(m2->label);
		m2->label = bl_strdup("linux/arm64");
	}
	struct bl_node *at = mk(BL_NODE_ATTESTATION, ix, "attestation for linux/amd64");
	set_desc(at, prov, MT_MANIFEST);
	set_doc(at, "{\"schemaVersion\":2}");
	struct bl_node *st = mk(BL_NODE_STATEMENT, at, "provenance v0.2");
	set_desc(st, prov, "application/vnd.in-toto+json");
	st->predicate_type = bl_strdup("https://slsa.dev/provenance/v0.2");
	char *doc = bl_asprintf("{\"predicateType\":\"https://slsa.dev/provenance/v0.2\","
	                        "\"predicate\":{\"metadata\":{\"buildStartedOn\":\"%s\"}}}",
	        prov);
	set_doc(st, doc);
	free(doc);
	return ix;
}

/* One side the image alone, the other an index around it (and nothing
 * else): index only, said as that, not as attestations that do not exist;
 * with an attestation in the index, attestations are said. */
static void test_index_around_the_image_is_said_so(void **state)
{
	struct pair *fx = *state;
	struct bl_node *m = manifest(fx->a.target, "amd", CFG_A, THREE, 3);
	set_platform(m, "linux", "amd64");
	struct bl_node *ix = mk(BL_NODE_INDEX, fx->b.target, "index");
	set_desc(ix, "i1", MT_INDEX);
	set_doc(ix, "{\"schemaVersion\":2}");
	struct bl_node *im = manifest(ix, "amd", CFG_A, THREE, 3);
	set_platform(im, "linux", "amd64");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_INDEX_ONLY);
	char *top = bl_cmp_node_describe(c->root);
	assert_string_equal(top, "index only (an index around the image on one side)");
	free(top);
	bl_cmp_free(c);
	struct bl_node *arm = manifest(ix, "arm", CFG_A, THREE, 2);
	set_platform(arm, "linux", "arm64");
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	top = bl_cmp_node_describe(c->root);
	assert_string_equal(top, "platform added; an index around the image on one side");
	free(top);
	bl_cmp_free(c);
	struct bl_node *at = mk(BL_NODE_ATTESTATION, ix, "attestation for linux/amd64");
	set_desc(at, "att", MT_MANIFEST);
	set_doc(at, "{\"schemaVersion\":2}");
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	top = bl_cmp_node_describe(c->root);
	assert_string_equal(top, "platform added; attestations or provenance changed");
	free(top);
	bl_cmp_free(c);
}

static void test_index_only_when_provenance_differs(void **state)
{
	struct pair *fx = *state;
	index_with(fx->a.target, "i1", "2024-01-01", false);
	index_with(fx->b.target, "i2", "2024-01-02", false);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_INDEX_ONLY);
	const struct bl_cmp_node *st = find(c->root, BL_NODE_STATEMENT, NULL);
	assert_non_null(st);
	assert_true(has_field(st, "predicate.metadata.buildStartedOn"));
	assert_true(has_note(
	        st, "provenance v0.2 statement differs: predicate.metadata.buildStartedOn"));
	assert_true(platform0(c)->rootfs_identical);
	bl_cmp_free(c);
}

static void test_platform_added_and_removed(void **state)
{
	struct pair *fx = *state;
	index_with(fx->a.target, "i1", "2024-01-01", false);
	index_with(fx->b.target, "i2", "2024-01-01", true);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_PLATFORM_ADDED);
	const struct bl_cmp_node *arm = find(c->root, BL_NODE_MANIFEST, "linux/arm64");
	assert_non_null(arm);
	assert_null(arm->left);
	assert_int_equal(arm->own, BL_CMP_PLATFORM_ADDED);
	assert_int_equal(find(c->root, BL_NODE_MANIFEST, "linux/amd64")->cls, BL_CMP_IDENTICAL);
	assert_int_equal(c->platforms.len, 2);
	bool saw_added = false;
	for (size_t i = 0; i < c->platforms.len; i++) {
		const struct bl_cmp_platform *p = bl_vec_get(&c->platforms, i);
		if (strcmp(p->platform, "linux/arm64") == 0) {
			saw_added = true;
			assert_int_equal(p->left_layers, -1);
			assert_int_equal(p->right_layers, 2);
			assert_int_equal(p->status, BL_CMP_ROOTFS_ADDED);
			assert_string_equal(p->sentence, "platform added");
		}
	}
	assert_true(saw_added);
	bl_cmp_free(c);
	c = bl_cmp_builds(&fx->b.b, &fx->a.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_PLATFORM_REMOVED);
	bl_cmp_free(c);
}

static void test_annotations_only(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ma = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *mb = manifest(fx->b.target, "m1", CFG_A, THREE, 3);
	ma->desc.annotations = json_pack("{s:s}", "org.opencontainers.image.created", "2024-01-01");
	mb->desc.annotations = json_pack("{s:s}", "org.opencontainers.image.created", "2024-03-03");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_ANNOTATIONS);
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_ANNOTATIONS);
	assert_true(has_field(m, "annotations[\"org.opencontainers.image.created\"]"));
	assert_true(has_note(m, "2024-01-01 -> 2024-03-03"));
	assert_false(has_note(m, "(ignored)"));
	bl_cmp_free(c);

	/* With ignore_timestamps the created annotation, the one timestamp among
	 * the OCI annotation keys, is not counted, and a note says so. */
	struct bl_cmp_opts o = {.ignore_timestamps = true};
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, &o);
	assert_true(bl_cmp_is_identical(c));
	m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_IDENTICAL);
	assert_int_equal(m->fields.len, 0);
	assert_true(has_note(m, "1 timestamp annotation differs (ignored)"));
	assert_false(has_note(m, "2024-03-03"));
	bl_cmp_free(c);

	/* Another key beside it still counts, alone. */
	json_object_set_new(
	        mb->desc.annotations, "org.opencontainers.image.revision", json_string("abc"));
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, &o);
	assert_int_equal(c->root->cls, BL_CMP_ANNOTATIONS);
	m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_ANNOTATIONS);
	assert_int_equal(m->fields.len, 1);
	assert_true(has_field(m, "annotations[\"org.opencontainers.image.revision\"]"));
	assert_true(has_note(m, "1 timestamp annotation differs (ignored)"));
	bl_cmp_free(c);
}

/* A config with the diff_ids of its layers (the strings stand for them). */
#define CFG_IDS(ids)                                                                               \
	"{\"architecture\":\"amd64\",\"os\":\"linux\","                                            \
	"\"created\":\"2024-01-01T00:00:00Z\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[" ids  \
	"]}}"

/* A config whose digest moved only because its rootfs.diff_ids followed the
 * layers is not called identical, and not counted as a cause either. */
static void test_config_moved_by_its_layers_follows_them(void **state)
{
	struct pair *fx = *state;
	struct tb d;
	tb_init(&d, "app");
	const struct lspec four[] = {{"a", "a.gz", "COPY a"}, {"b", "b.gz", "RUN apt-get update"},
	        {"c", "c.gz", "COPY c"}, {"d", "d.gz", "COPY d"}};
	struct bl_node *ma = manifest(fx->a.target, "m1", CFG_IDS("\"a\",\"b\",\"c\""), THREE, 3);
	struct bl_node *mb =
	        manifest(fx->b.target, "m2", CFG_IDS("\"a\",\"b2\",\"c\""), THREE_B2, 3);
	manifest(d.target, "m3", CFG_IDS("\"a\",\"b\",\"c\",\"d\""), four, 4);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_false(bl_digest_equal(&cfg->left->desc.digest, &cfg->right->desc.digest));
	assert_int_equal(cfg->own, BL_CMP_IDENTICAL);
	assert_true(cfg->follows_layers);
	assert_int_equal(cfg->cls, BL_CMP_CONTENT);
	assert_int_equal(cfg->flags, 1u << BL_CMP_CONTENT);
	assert_true(has_note(cfg, "rootfs.diff_ids differ (follows the layers)"));
	char *s = bl_cmp_node_describe(cfg);
	assert_string_equal(s, "changed only because its layers did (rootfs.diff_ids)");
	free(s);
	s = bl_cmp_node_summary(cfg);
	assert_string_equal(s, "changed only because its layers did (rootfs.diff_ids)");
	free(s);
	/* The layer is the cause, counted once; the walk does not stop at the config. */
	assert_int_equal(c->root->cls, BL_CMP_CONTENT);
	assert_int_equal(c->root->flags, 1u << BL_CMP_CONTENT);
	s = bl_cmp_node_describe(c->root);
	assert_string_equal(s, "1 layer changed content");
	free(s);
	struct bl_cmp_node *l2 = (struct bl_cmp_node *)find(c->root, BL_NODE_LAYER, "layer 2/3");
	assert_ptr_equal(bl_cmp_next_difference(c->root, NULL, 1), l2);
	/* The layer found the same apart from ignored timestamps: so is the config. */
	bl_cmp_node_reclassify(l2, BL_CMP_IDENTICAL, "files identical apart from timestamps");
	assert_true(bl_cmp_is_identical(c));
	assert_int_equal(cfg->cls, BL_CMP_IDENTICAL);
	assert_null(bl_cmp_node_follow_words(cfg));
	s = bl_cmp_node_describe(cfg);
	assert_string_equal(s, "identical");
	free(s);
	bl_cmp_free(c);

	/* A layer added: the config follows that class. */
	c = bl_cmp_builds(&fx->a.b, &d.b, NULL);
	cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_int_equal(cfg->own, BL_CMP_IDENTICAL);
	assert_int_equal(cfg->cls, BL_CMP_LAYER_ADDED);
	assert_non_null(bl_cmp_node_follow_words(cfg));
	assert_int_equal(c->root->flags, 1u << BL_CMP_LAYER_ADDED);
	bl_cmp_free(c);

	/* A config that is a cause itself keeps its own words. */
	struct tb e;
	tb_init(&e, "app");
	manifest(e.target, "m4",
	        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":"
	        "\"2024-02-02T00:00:00Z\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"a\","
	        "\"b2\","
	        "\"c\"]}}",
	        THREE_B2, 3);
	c = bl_cmp_builds(&fx->a.b, &e.b, NULL);
	cfg = find(c->root, BL_NODE_CONFIG, "config");
	assert_int_equal(cfg->own, BL_CMP_CONFIG);
	assert_int_equal(cfg->cls, BL_CMP_CONFIG);
	assert_null(bl_cmp_node_follow_words(cfg));
	s = bl_cmp_node_describe(cfg);
	assert_string_equal(s, "config only");
	free(s);
	bl_cmp_free(c);
	tb_fini(&e);

	/* Two configs compared alone: no layers beside them, the diff_ids are theirs. */
	struct bl_cmp_node *n =
	        bl_cmp_nodes(bl_vec_get(&ma->children, 0), bl_vec_get(&mb->children, 0), NULL);
	assert_int_equal(n->own, BL_CMP_CONFIG);
	assert_false(n->follows_layers);
	assert_true(has_field(n, "rootfs.diff_ids"));
	assert_true(has_note(n, "config differs in rootfs.diff_ids"));
	bl_cmp_node_free(n);
	tb_fini(&d);
}

static void test_target_missing_on_one_side(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m1", CFG_A, THREE, 3);
	struct bl_node *extra = mk(BL_NODE_TARGET, fx->a.b.root, "worker");
	manifest(extra, "w", CFG_A, THREE, 1);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(c->root->cls, BL_CMP_ONLY_LEFT);
	const struct bl_cmp_node *w = find(c->root, BL_NODE_TARGET, "worker");
	assert_non_null(w);
	assert_null(w->right);
	assert_true(has_note(w, "only in the left build"));
	assert_int_equal(find(c->root, BL_NODE_TARGET, "app")->cls, BL_CMP_IDENTICAL);
	bl_cmp_free(c);
}

static void test_lone_targets_with_different_names_are_paired(void **state)
{
	(void)state;
	struct tb a, b;
	tb_init(&a, "v1");
	tb_init(&b, "v2");
	manifest(a.target, "m1", CFG_A, THREE, 3);
	manifest(b.target, "m1", CFG_A, THREE, 3);
	struct bl_cmp *c = bl_cmp_builds(&a.b, &b.b, NULL);
	assert_true(bl_cmp_is_identical(c));
	assert_int_equal(c->root->children.len, 1);
	const struct bl_cmp_node *t = bl_vec_get(&c->root->children, 0);
	assert_true(has_note(t, "names differ"));
	bl_cmp_free(c);
	tb_fini(&a);
	tb_fini(&b);
}

static void test_single_manifest_against_index_lines_up_the_platform(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "amd", CFG_A, THREE, 3); /* platform from its config */
	index_with(fx->b.target, "i2", "2024-01-01", true);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *amd = find(c->root, BL_NODE_MANIFEST, "linux/amd64");
	assert_non_null(amd);
	assert_non_null(amd->left);
	assert_non_null(amd->right);
	assert_int_equal(amd->cls, BL_CMP_IDENTICAL);
	assert_int_equal(c->root->cls, BL_CMP_PLATFORM_ADDED);
	assert_true(c->root->flags & (1u << BL_CMP_INDEX_ONLY));
	bl_cmp_free(c);
}

static void test_missing_config_is_unknown_not_identical(void **state)
{
	struct pair *fx = *state;
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *m = manifest(fx->b.target, "m2", CFG_A_LATER, THREE, 3);
	struct bl_node *cfg = bl_vec_get(&m->children, 0);
	json_decref(cfg->doc);
	cfg->doc = NULL;
	cfg->status = BL_STATUS_MISSING;
	cfg->status_msg = bl_strdup("blob not in layout");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *cn = find(c->root, BL_NODE_CONFIG, "config");
	assert_int_equal(cn->own, BL_CMP_UNKNOWN);
	assert_true(has_note(cn, "right config is missing: blob not in layout"));
	bl_cmp_free(c);
}

static void test_next_difference_walks_both_ways(void **state)
{
	struct pair *fx = *state;
	const struct lspec changed[] = {{"a", "a.zst", "COPY a"},
	        {"b", "b.gz", "RUN apt-get update"}, {"c2", "c2.gz", "COPY c"}};
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A_LATER, changed, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *d1 = bl_cmp_next_difference(c->root, NULL, 1);
	const struct bl_cmp_node *d2 = bl_cmp_next_difference(c->root, d1, 1);
	const struct bl_cmp_node *d3 = bl_cmp_next_difference(c->root, d2, 1);
	assert_int_equal(d1->kind, BL_NODE_CONFIG);
	assert_string_equal(d2->label, "layer 1/3");
	assert_string_equal(d3->label, "layer 3/3");
	assert_null(bl_cmp_next_difference(c->root, d3, 1));
	assert_ptr_equal(bl_cmp_next_difference(c->root, d3, -1), d2);
	assert_ptr_equal(bl_cmp_next_difference(c->root, NULL, -1), d3);
	assert_int_equal(c->root->flags,
	        (1u << BL_CMP_CONFIG) | (1u << BL_CMP_RECOMPRESSED) | (1u << BL_CMP_CONTENT));
	char *sum = bl_cmp_node_summary(c->root);
	assert_string_equal(
	        sum, "layer content changed; layer recompressed (same diff_id); config only");
	free(sum);
	bl_cmp_free(c);
}

static void test_compare_two_marked_nodes(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ma = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *mb = manifest(fx->b.target, "m2", CFG_A_LABEL, THREE, 3);
	struct bl_cmp_node *n =
	        bl_cmp_nodes(bl_vec_get(&ma->children, 0), bl_vec_get(&mb->children, 0), NULL);
	assert_int_equal(n->cls, BL_CMP_CONFIG);
	assert_true(has_field(n, "config.Labels[\"org.example.x\"]"));
	bl_cmp_node_free(n);
	n = bl_cmp_nodes(bl_vec_get(&ma->children, 1), bl_vec_get(&mb->children, 2), NULL);
	assert_int_equal(n->cls, BL_CMP_CONTENT);
	assert_non_null(strstr(n->label, "<>"));
	bl_cmp_node_free(n);
}

/* A config pair made by buildah: history lines as "/bin/sh -c #(nop) COPY
 * file:<64 hex> in /x " (the hash stands in for the file's content). */
#define NOP "/bin/sh -c #(nop) "
#define HEX64 "34a41c2dfa4e97525628233594d805b3f55b6020daf3c9146a42afc1f17543ca"
#define HEX64B "ce1b7b357ff9f55a5960704fae7ae2422e230e6113756e70126075f3252c46e6"

static void test_sentences_drop_the_nop_prefix_and_cut_file_hashes(void **state)
{
	struct pair *fx = *state;
	const struct lspec one[] = {{"a", "a.gz", NOP "COPY file:" HEX64 " in /app/b.txt "}};
	const struct lspec two[] = {{"b", "b.gz", NOP "COPY file:" HEX64B " in /app/b.txt "}};
	manifest(fx->a.target, "m1", CFG_A, one, 1);
	manifest(fx->b.target, "m2", CFG_A, two, 1);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_platform *p = platform0(c);
	/* The history line itself stays as the image has it. */
	assert_string_equal(p->divergent_created_by, NOP "COPY file:" HEX64B " in /app/b.txt ");
	assert_string_equal(p->sentence, "cache breaks at layer 1 of 1: COPY file:ce1b7b357ff9 in "
	                                 "/app/b.txt; root filesystems differ");
	const struct bl_cmp_node *l = find(c->root, BL_NODE_LAYER, NULL);
	assert_true(has_note(l, "made by: COPY file:34a41c2dfa4e in /app/b.txt -> COPY "
	                        "file:ce1b7b357ff9 in /app/b.txt"));
	bl_cmp_free(c);
}

static void test_config_note_shows_history_lines_in_words(void **state)
{
	struct pair *fx = *state;
	const char *c1 = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"history\":["
	                 "{\"created_by\":\"" NOP "COPY file:" HEX64 " in /app/b.txt \"}],"
	                 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	const char *c2 = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"history\":["
	                 "{\"created_by\":\"" NOP "COPY file:" HEX64B " in /app/b.txt \"},"
	                 "{\"created_by\":\"" NOP "COPY file:" HEX64 " in /app/e.txt \"}],"
	                 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	manifest(fx->a.target, "m1", c1, THREE, 1);
	manifest(fx->b.target, "m2", c2, THREE, 1);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *cfg = find(c->root, BL_NODE_CONFIG, NULL);
	/* Cut at 72 characters, the raw lines would hide the paths. */
	assert_true(has_note(cfg, "history[0].created_by: COPY file:34a41c2dfa4e in /app/b.txt -> "
	                          "COPY file:ce1b7b357ff9 in /app/b.txt"));
	assert_true(has_note(cfg, "history[1]: (absent) -> entry \"COPY file:34a41c2dfa4e in "
	                          "/app/e.txt\""));
	bl_cmp_free(c);
}

static void test_describe_says_only_when_a_class_is_alone(void **state)
{
	struct pair *fx = *state;
	struct tb d;
	tb_init(&d, "app");
	const struct lspec changed[] = {{"a", "a.gz", "COPY a"},
	        {"b2", "b2.gz", "RUN apt-get update"}, {"c2", "c2.gz", "COPY c"}};
	manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	manifest(fx->b.target, "m2", CFG_A_LATER, changed, 3);
	manifest(d.target, "m3", CFG_A_LATER, THREE, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	char *s = bl_cmp_node_describe(c->root);
	assert_string_equal(
	        s, "2 layers changed content; config changed: created, history[1].created");
	free(s);
	/* Below the top the fields are the config node's to name. */
	s = bl_cmp_node_describe(find(c->root, BL_NODE_MANIFEST, NULL));
	assert_string_equal(s, "2 layers changed content; config changed");
	free(s);
	s = bl_cmp_node_describe(find(c->root, BL_NODE_LAYER, "layer 2/3"));
	assert_string_equal(s, "layer content changed");
	free(s);
	/* The old summary is unchanged (the compare view shows it). */
	s = bl_cmp_node_summary(c->root);
	assert_string_equal(s, "layer content changed; config only");
	free(s);
	bl_cmp_free(c);

	c = bl_cmp_builds(&fx->a.b, &d.b, NULL);
	s = bl_cmp_node_describe(c->root);
	assert_string_equal(s, "config only: created, history[1].created");
	free(s);
	bl_cmp_free(c);
	tb_fini(&d);
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

static void test_platform_status_goes_with_its_words(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ma = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *mb = manifest(fx->b.target, "m2", CFG_A_LABEL, THREE, 3);
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_platform *p = platform0(c);
	assert_int_equal(p->status, BL_CMP_ROOTFS_IDENTICAL);
	assert_true(strncmp(p->sentence,
	                    "root filesystems identical (3 layers, ChainID sha256:", 52) == 0);
	/* The node of the image pair owns it. */
	assert_ptr_equal(p->node->platform, p);
	bl_cmp_free(c);
	/* Two marked manifests get their summary too, on the node. */
	struct bl_node *mc = manifest(fx->b.target, "m3", CFG_A, THREE_B2, 3);
	struct bl_cmp_node *n = bl_cmp_nodes(ma, mc, NULL);
	assert_non_null(n->platform);
	assert_int_equal(n->platform->status, BL_CMP_ROOTFS_DIFFERENT);
	assert_string_equal(n->platform->sentence,
	        "cache breaks at layer 2 of 3: RUN apt-get update; root filesystems differ");
	bl_cmp_node_free(n);
	/* A missing config: ChainIDs unknown. */
	struct bl_layer_info *li = ((struct bl_node *)bl_vec_get(&mb->children, 1))->layer;
	li->has_chain_id = false;
	n = bl_cmp_nodes(ma, mb, NULL);
	assert_int_equal(n->platform->status, BL_CMP_ROOTFS_UNKNOWN);
	assert_string_equal(n->platform->sentence,
	        "layer ChainIDs unknown (a manifest or config is missing or unreadable)");
	assert_false(n->platform->rootfs_known);
	bl_cmp_node_free(n);
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

/* Each side one target, and information on one side only: the targets are
 * still the pair to compare, whatever their names. */
static void test_lone_targets_paired_beside_one_sided_information(void **state)
{
	(void)state;
	struct tb a, b;
	tb_init(&a, "demo:v1, localhost/demo:v1");
	tb_init(&b, "demo:v2");
	mk(BL_NODE_INFO, a.b.root, "warnings (2)");
	manifest(a.target, "m1", CFG_A, THREE, 3);
	manifest(b.target, "m2", CFG_A, THREE_B2, 3);
	struct bl_cmp *c = bl_cmp_builds(&a.b, &b.b, NULL);
	const struct bl_cmp_node *t = find(c->root, BL_NODE_TARGET, NULL);
	assert_non_null(t);
	assert_non_null(t->left);
	assert_non_null(t->right);
	assert_int_equal(t->cls, BL_CMP_CONTENT);
	assert_true(has_note(t, "names differ: demo:v1, localhost/demo:v1 (left)"));
	bl_cmp_free(c);
	tb_fini(&a);
	tb_fini(&b);
}

/* A manifest that differs in a field nothing finer explains is said by the
 * field, never by the bare class name; an empty value is shown as "". */
static void test_different_says_which_fields(void **state)
{
	struct pair *fx = *state;
	struct bl_node *m1 = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *m2 = manifest(fx->b.target, "m2", CFG_A, THREE, 3);
	json_decref(m1->doc);
	json_decref(m2->doc);
	set_doc(m1, "{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST
	            "\",\"annotations\":{\"org.opencontainers.image.base.name\":\"\"}}");
	set_doc(m2, "{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST
	            "\",\"artifactType\":\"application/x\"}");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_DIFFERENT);
	char *top = bl_cmp_node_describe(c->root);
	assert_string_equal(top, "manifest differs in artifactType, "
	                         "annotations[\"org.opencontainers.image.base.name\"]");
	free(top);
	char *own = bl_cmp_node_describe(m);
	assert_string_equal(own, "differs in artifactType, "
	                         "annotations[\"org.opencontainers.image.base.name\"]");
	free(own);
	assert_true(has_note(m, "annotation org.opencontainers.image.base.name: \"\" -> (absent)"));
	bl_cmp_free(c);
}

/* The same image with a Docker v2s2 manifest (skopeo copy --format v2s2, a
 * docker-archive): its own class is the format, which Docker's lack of
 * annotations comes with, and with nothing else beside it the words say it
 * is the same image; with a config changed, only that the format changed. */
static void test_other_manifest_format_is_the_same_image(void **state)
{
	struct pair *fx = *state;
	struct bl_node *m1 = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *m2 = manifest(fx->b.target, "m2", CFG_A, THREE, 3);
	json_decref(m1->doc);
	json_decref(m2->doc);
	set_doc(m1, "{\"schemaVersion\":2,\"mediaType\":\"" MT_MANIFEST
	            "\",\"annotations\":{\"org.opencontainers.image.base.name\":\"\"}}");
	set_doc(m2, "{\"schemaVersion\":2,\"mediaType\":"
	            "\"application/vnd.docker.distribution.manifest.v2+json\"}");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_FORMAT);
	assert_int_equal(c->root->cls, BL_CMP_FORMAT);
	assert_string_equal(bl_cmp_class_name(BL_CMP_FORMAT), "manifest-format");
	char *top = bl_cmp_node_describe(c->root);
	assert_string_equal(top, "same image in another manifest format");
	free(top);
	assert_true(has_note(m, "annotation org.opencontainers.image.base.name: \"\" -> (absent)"));
	assert_true(has_note(m, "mediaType: " MT_MANIFEST
	                        " -> application/vnd.docker.distribution.manifest.v2+json"));
	bl_cmp_free(c);
	/* An OCI manifest may leave its mediaType out: its descriptor says it. */
	json_decref(m1->doc);
	set_doc(m1, "{\"schemaVersion\":2}");
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_int_equal(find(c->root, BL_NODE_MANIFEST, NULL)->own, BL_CMP_FORMAT);
	bl_cmp_free(c);
	struct bl_node *cfg = bl_vec_get(&m2->children, 0);
	json_decref(cfg->doc);
	set_doc(cfg, CFG_A_LATER);
	digest_of(CFG_A_LATER, &cfg->desc.digest);
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	top = bl_cmp_node_describe(c->root);
	assert_non_null(strstr(top, "manifest format changed; config changed"));
	free(top);
	bl_cmp_free(c);
}

/* A tag (ref.name) and containerd's image name are names, not content. */
static void test_tag_annotations_are_names(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ma = manifest(fx->a.target, "m1", CFG_A, THREE, 3);
	struct bl_node *mb = manifest(fx->b.target, "m1", CFG_A, THREE, 3);
	ma->desc.annotations = json_pack("{s:s, s:s}", "org.opencontainers.image.ref.name", "v1",
	        "io.containerd.image.name", "docker.io/library/demo:v1");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	assert_true(bl_cmp_is_identical(c));
	bl_cmp_free(c);
	mb->desc.annotations = json_pack("{s:s, s:s}", "org.opencontainers.image.ref.name", "v2",
	        "org.opencontainers.image.revision", "abc");
	c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *m = find(c->root, BL_NODE_MANIFEST, NULL);
	assert_int_equal(m->own, BL_CMP_ANNOTATIONS);
	assert_int_equal(m->fields.len, 1);
	assert_true(has_field(m, "annotations[\"org.opencontainers.image.revision\"]"));
	bl_cmp_free(c);
}

/* An attestation for an image, its descriptor saying `ref` (that image). */
static struct bl_node *attestation_for(
        struct bl_node *ix, const char *label, const struct bl_node *img, const char *sbom)
{
	struct bl_node *at = mk(BL_NODE_ATTESTATION, ix, label);
	char *seed = bl_asprintf("att-%s", sbom);
	set_desc(at, seed, MT_MANIFEST);
	free(seed);
	at->desc.annotations = json_pack("{s:s, s:s}", "vnd.docker.reference.type",
	        "attestation-manifest", "vnd.docker.reference.digest", img->desc.digest.str);
	at->predicate_type = bl_strdup("https://spdx.dev/Document");
	set_doc(at, "{\"schemaVersion\":2}");
	char *st_doc = bl_asprintf("{\"predicateType\":\"https://spdx.dev/Document\","
	                           "\"predicate\":{\"name\":\"%s\"}}",
	        sbom);
	struct bl_digest sd;
	digest_of(st_doc, &sd);
	char *cfg = bl_asprintf("{\"architecture\":\"unknown\",\"os\":\"unknown\",\"rootfs\":"
	                        "{\"type\":\"layers\",\"diff_ids\":[\"%s\"]}}",
	        sd.str);
	struct bl_node *c = mk(BL_NODE_CONFIG, at, "config");
	set_desc(c, cfg, MT_CONFIG);
	set_doc(c, cfg);
	struct bl_node *st = mk(BL_NODE_STATEMENT, at, "SPDX");
	set_desc(st, st_doc, "application/vnd.in-toto+json");
	st->predicate_type = bl_strdup("https://spdx.dev/Document");
	set_doc(st, st_doc);
	free(st_doc);
	free(cfg);
	return at;
}

/* The same attestation, labelled by the image's platform on one side and by
 * its digest on the other (the image's descriptor has no platform there):
 * paired by the platform of the image (its config's), identical. */
static void test_attestation_pairs_by_its_image_platform(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ia = mk(BL_NODE_INDEX, fx->a.target, "index");
	set_desc(ia, "ia", MT_INDEX);
	set_doc(ia, "{\"schemaVersion\":2}");
	struct bl_node *ib = mk(BL_NODE_INDEX, fx->b.target, "index");
	set_desc(ib, "ib", MT_INDEX);
	set_doc(ib, "{\"schemaVersion\":2}");
	struct bl_node *ma = manifest(ia, "amd", CFG_A, THREE, 3);
	set_platform(ma, "linux", "amd64");
	manifest(ib, "amd", CFG_A, THREE, 3);
	attestation_for(ia, "attestation for linux/amd64", ma, "busybox");
	attestation_for(ib, "attestation for sha256:0f90", bl_vec_get(&ib->children, 0), "busybox");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *at = find(c->root, BL_NODE_ATTESTATION, NULL);
	assert_non_null(at->left);
	assert_non_null(at->right);
	assert_int_equal(at->cls, BL_CMP_IDENTICAL);
	const struct bl_cmp_node *ix = find(c->root, BL_NODE_INDEX, NULL);
	assert_int_equal(ix->own, BL_CMP_INDEX_ONLY);
	assert_true(has_note(ix, "entry manifest: descriptor platform linux/amd64 -> (absent)"));
	bl_cmp_free(c);
}

/* An SBOM changed: the attestation's config moved with its diff_ids (the
 * statements'), and no layer is beside it to be the cause. */
static void test_attestation_config_moved_by_its_statements_differs(void **state)
{
	struct pair *fx = *state;
	struct bl_node *ia = mk(BL_NODE_INDEX, fx->a.target, "index");
	set_desc(ia, "ia", MT_INDEX);
	set_doc(ia, "{\"schemaVersion\":2}");
	struct bl_node *ib = mk(BL_NODE_INDEX, fx->b.target, "index");
	set_desc(ib, "ib", MT_INDEX);
	set_doc(ib, "{\"schemaVersion\":2}");
	struct bl_node *ma = manifest(ia, "amd", CFG_A, THREE, 3);
	struct bl_node *mb = manifest(ib, "amd", CFG_A, THREE, 3);
	set_platform(ma, "linux", "amd64");
	set_platform(mb, "linux", "amd64");
	attestation_for(ia, "attestation for linux/amd64", ma, "busybox");
	attestation_for(ib, "attestation for linux/amd64", mb, "alpine");
	struct bl_cmp *c = bl_cmp_builds(&fx->a.b, &fx->b.b, NULL);
	const struct bl_cmp_node *at = find(c->root, BL_NODE_ATTESTATION, NULL);
	const struct bl_cmp_node *cfg = find(at, BL_NODE_CONFIG, NULL);
	assert_false(bl_digest_equal(&cfg->left->desc.digest, &cfg->right->desc.digest));
	assert_int_equal(cfg->own, BL_CMP_INDEX_ONLY);
	assert_true(has_field(cfg, "rootfs.diff_ids"));
	assert_int_equal(c->root->cls, BL_CMP_INDEX_ONLY);
	bl_cmp_free(c);
}

static void test_class_names_are_distinct(void **state)
{
	(void)state;
	for (int i = 0; i < BL_CMP_CLASS_COUNT; i++) {
		assert_non_null(bl_cmp_class_name((enum bl_cmp_class)i));
		assert_string_not_equal(bl_cmp_class_words((enum bl_cmp_class)i), "?");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(bl_cmp_class_name((enum bl_cmp_class)i),
			        bl_cmp_class_name((enum bl_cmp_class)j));
	}
	assert_string_equal(bl_cmp_class_name(BL_CMP_CLASS_COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_align_lcs_recognises_an_inserted_layer),
	        cmocka_unit_test(test_align_lcs_recognises_a_removed_layer),
	        cmocka_unit_test(test_align_pairs_changed_items_in_a_gap_by_position),
	        cmocka_unit_test(test_align_ties_keep_positions),
	        cmocka_unit_test_setup_teardown(
	                test_index_around_the_image_is_said_so, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_unread_manifest_layers_unknown, pair_setup, pair_teardown),
	        cmocka_unit_test(test_align_null_keys_never_match),
	        cmocka_unit_test(test_align_empty_sides),
	        cmocka_unit_test_setup_teardown(
	                test_identical_builds_are_identical, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(test_config_only_names_created_and_history_fields,
	                pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_config_label_path_quotes_dotted_keys, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_recompressed_layer_keeps_rootfs_identical, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_content_change_names_the_cache_break, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_layer_added_and_removed, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_trailing_layers_removed_say_so, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_index_only_when_provenance_differs, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_platform_added_and_removed, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(test_annotations_only, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_config_moved_by_its_layers_follows_them, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_target_missing_on_one_side, pair_setup, pair_teardown),
	        cmocka_unit_test(test_lone_targets_with_different_names_are_paired),
	        cmocka_unit_test_setup_teardown(
	                test_single_manifest_against_index_lines_up_the_platform, pair_setup,
	                pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_missing_config_is_unknown_not_identical, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_next_difference_walks_both_ways, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_compare_two_marked_nodes, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_sentences_drop_the_nop_prefix_and_cut_file_hashes, pair_setup,
	                pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_config_note_shows_history_lines_in_words, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_describe_says_only_when_a_class_is_alone, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_layers_added_on_top_are_counted, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(test_platform_refresh_after_layers_found_identical,
	                pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_apply_file_diff_reclassifies_layers_that_differ_in_timestamps,
	                pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_platform_status_goes_with_its_words, pair_setup, pair_teardown),
	        cmocka_unit_test(test_lone_targets_paired_beside_one_sided_information),
	        cmocka_unit_test_setup_teardown(
	                test_different_says_which_fields, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_other_manifest_format_is_the_same_image, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_tag_annotations_are_names, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_attestation_pairs_by_its_image_platform, pair_setup, pair_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_attestation_config_moved_by_its_statements_differs, pair_setup,
	                pair_teardown),
	        cmocka_unit_test(test_class_names_are_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
