/* Comparing two builds: see include/bakelens/compare.h.
 *
 * The walk goes down both graphs at once. Each aligned pair becomes a
 * bl_cmp_node whose `own` class says what differs in that node alone; the
 * class of a subtree is the highest class in it, and its flags name every
 * class found, so "config and layer content" can be said of one manifest.
 * A difference is reported where it starts: a manifest whose digest moved
 * because its config moved is not itself "different", its config is.
 *
 * The pieces it uses are beside it (compare_internal.h): the alignment
 * (align.c), the JSON diff (jsondiff.c), the tree (compare_node.c), the
 * per-platform summaries (compare_platform.c) and the words
 * (compare_words.c).
 */
#include <stdlib.h>
#include <string.h>

#include "bakelens/mediatype.h"
#include "bakelens/mem.h"
#include "compare_internal.h"

#define FIELDS_DEFAULT 64

struct ctx {
	const struct bl_cmp_opts *opts;
	size_t max_fields;
	struct bl_vec *platforms; /* NULL when no list of platforms is kept */
};

static bool same_digest(const struct bl_node *l, const struct bl_node *r)
{
	return l->has_desc && r->has_desc && bl_digest_is_set(&l->desc.digest) &&
	       bl_digest_equal(&l->desc.digest, &r->desc.digest);
}

/* A JSON diff that records on n: paths into its fields, sentences into its
 * notes. */
static struct cmp_jdiff jdiff_on(struct bl_cmp_node *n, const struct ctx *ctx, bool config)
{
	return (struct cmp_jdiff){.config = config,
	        .ignore_timestamps = ctx->opts->ignore_timestamps,
	        .max_fields = ctx->max_fields,
	        .fields = &n->fields,
	        .notes = &n->notes};
}

/* Descriptor annotations: the parent's document carries them, but they are
 * shown on the node they describe. Keys are named as they are. */
static void annotations_diff(struct bl_cmp_node *n, const struct ctx *ctx, const json_t *a,
        const json_t *b, const char *const *skip)
{
	struct cmp_jdiff d = jdiff_on(n, ctx, false);
	d.skip = skip;
	if (cmp_annotations_diff(&d, a, b))
		cmp_set_own(n, BL_CMP_ANNOTATIONS);
	cmp_note_take(n, cmp_words_ignored(d.ignored, "annotation"));
}

/* The annotations that name an image (a layout's tag, containerd's image
 * name) are where it is kept, not what it is: the target's names say them
 * ("names differ"), and the same bytes under another tag, or in a registry,
 * are identical. */
static void compare_desc_annotations(struct bl_cmp_node *n, const struct ctx *ctx)
{
	static const char *const naming[] = {
	        "org.opencontainers.image.ref.name", "io.containerd.image.name", NULL};
	annotations_diff(n, ctx, n->left->has_desc ? n->left->desc.annotations : NULL,
	        n->right->has_desc ? n->right->desc.annotations : NULL, naming);
}

/* When exactly one entry of a kind on each side is unmatched, pair them: the
 * same image under two names (two bare sources with different tags), even
 * beside provenance or warnings that are on one side only. */
static void pair_lone_leftovers(
        struct cmp_pairing *p, const struct bl_node *l, const struct bl_node *r)
{
	enum { KINDS = BL_NODE_INFO + 1 };
	size_t nl[KINDS] = {0}, nr[KINDS] = {0};
	size_t at_l[KINDS] = {0}, at_r[KINDS] = {0};
	for (size_t k = 0; k < p->n; k++) {
		if (p->r[k] < 0) {
			const struct bl_node *a = bl_vec_get(&l->children, (size_t)p->l[k]);
			nl[a->kind]++;
			at_l[a->kind] = k;
		}
		if (p->l[k] < 0) {
			const struct bl_node *b = bl_vec_get(&r->children, (size_t)p->r[k]);
			nr[b->kind]++;
			at_r[b->kind] = k;
		}
	}
	bool paired = false;
	for (int kind = 0; kind < KINDS; kind++) {
		if (nl[kind] != 1 || nr[kind] != 1)
			continue;
		p->r[at_l[kind]] = p->r[at_r[kind]];
		p->r[at_r[kind]] = -1; /* the row is dropped below */
		paired = true;
	}
	if (!paired)
		return;
	size_t w = 0;
	for (size_t k = 0; k < p->n; k++) {
		if (p->l[k] < 0 && p->r[k] < 0)
			continue;
		p->l[w] = p->l[k];
		p->r[w] = p->r[k];
		w++;
	}
	p->n = w;
}

/* ---- the walk ---- */

static void compare_pair(struct bl_cmp_node *n, const struct ctx *ctx);

static bool is_attestation(const struct bl_node *n)
{
	return n->kind == BL_NODE_ATTESTATION;
}

static bool image_like(const struct bl_node *n)
{
	return n->kind == BL_NODE_MANIFEST || n->kind == BL_NODE_INDEX;
}

/* A node on one side only. */
static void one_sided(struct bl_cmp_node *n, bool in_index)
{
	const struct bl_node *x = n->left ? n->left : n->right;
	bool left = n->left != NULL;
	enum bl_cmp_class c;
	if (x->referrer) {
		cmp_set_own(n, BL_CMP_INDEX_ONLY);
		cmp_note_take(n, cmp_referrer_one_sided(x, left));
		return;
	}
	if (is_attestation(x) || x->kind == BL_NODE_STATEMENT || x->kind == BL_NODE_INFO)
		c = BL_CMP_INDEX_ONLY;
	else if (in_index && image_like(x))
		c = left ? BL_CMP_PLATFORM_REMOVED : BL_CMP_PLATFORM_ADDED;
	else
		c = left ? BL_CMP_ONLY_LEFT : BL_CMP_ONLY_RIGHT;
	cmp_set_own(n, c);
	cmp_note_take(n, cmp_words_one_sided(x, left, c));
}

/* A node on one side only, with nothing below it compared. */
static void one_sided_alone(struct bl_cmp_node *n, bool in_index)
{
	one_sided(n, in_index);
	cmp_roll_up(n);
}

/* Targets by name, information by label without its count ("warnings (3)"). */
static char *child_key(const struct bl_node *c)
{
	const char *label = c->label ? c->label : "";
	size_t len = strlen(label);
	if (c->kind == BL_NODE_INFO) {
		const char *paren = strstr(label, " (");
		if (paren)
			len = (size_t)(paren - label);
	}
	return bl_asprintf("%s:%.*s", bl_node_kind_name(c->kind), (int)len, label);
}

static void platform_one_sided(struct bl_cmp_node *n, const struct ctx *ctx);

/* "os/arch[/variant]" of a descriptor's platform field, NULL without one. */
static char *desc_platform(const struct bl_node *x)
{
	return x->has_desc && x->desc.has_platform ? bl_platform_format(&x->desc.platform) : NULL;
}

/* Index entries a and b (paired) whose descriptors say different platforms
 * (one says none): a difference of the index n, which holds the
 * descriptors; what they point at may still be byte for byte the same. */
static void entry_platforms(struct bl_cmp_node *n, const struct bl_node *a, const struct bl_node *b)
{
	char *pa = desc_platform(a), *pb = desc_platform(b);
	if (pa || pb) {
		if (!pa || !pb || strcmp(pa, pb) != 0) {
			cmp_set_own(n, BL_CMP_INDEX_ONLY);
			/* Named by the side that says its platform. */
			const struct bl_node *named = pb ? b : a;
			cmp_note_take(n, cmp_words_entry_platform(named->label, pa, pb));
		}
	}
	free(pa);
	free(pb);
}

static void compare_children_by_key(struct bl_cmp_node *n, const struct ctx *ctx,
        const struct bl_node *l, const struct bl_node *r, bool in_index, bool lone_pairing)
{
	size_t nl = l->children.len, nr = r->children.len;
	char **lk = in_index ? cmp_index_keys(l) : bl_calloc(nl + 1, sizeof *lk);
	char **rk = in_index ? cmp_index_keys(r) : bl_calloc(nr + 1, sizeof *rk);
	if (!in_index) {
		for (size_t i = 0; i < nl; i++)
			lk[i] = child_key(bl_vec_get(&l->children, i));
		for (size_t i = 0; i < nr; i++)
			rk[i] = child_key(bl_vec_get(&r->children, i));
	}
	struct cmp_pairing p;
	cmp_pair_by_key((const char *const *)lk, nl, (const char *const *)rk, nr, &p);
	if (lone_pairing)
		pair_lone_leftovers(&p, l, r);
	for (size_t k = 0; k < p.n; k++) {
		const struct bl_node *a =
		        p.l[k] >= 0 ? bl_vec_get(&l->children, (size_t)p.l[k]) : NULL;
		const struct bl_node *b =
		        p.r[k] >= 0 ? bl_vec_get(&r->children, (size_t)p.r[k]) : NULL;
		struct bl_cmp_node *c = cmp_node_new(n, a, b, NULL);
		if (a && b) {
			if (a->label && b->label && strcmp(a->label, b->label) != 0 && lone_pairing)
				cmp_note_take(c, cmp_words_names_differ(a->label, b->label));
			if (in_index)
				entry_platforms(n, a, b);
			compare_pair(c, ctx);
		} else {
			one_sided(c, in_index);
			if (in_index)
				platform_one_sided(c, ctx);
			cmp_roll_up(c);
		}
	}
	cmp_pairing_fini(&p);
	cmp_free_keys(lk, nl);
	cmp_free_keys(rk, nr);
}

static const struct bl_node *find_target_root(const struct bl_node *t)
{
	for (size_t i = 0; i < t->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&t->children, i);
		if (c->has_desc)
			return c;
	}
	return NULL;
}

/* Status problems that stop a comparison of a pair whose digests differ. */
static bool unreadable(struct bl_cmp_node *n)
{
	const struct bl_node *sides[2] = {n->left, n->right};
	const char *names[2] = {"left", "right"};
	bool bad = false;
	for (int i = 0; i < 2; i++) {
		const struct bl_node *x = sides[i];
		if (x->status == BL_STATUS_OK &&
		        (x->doc || x->doc_deferred || x->kind == BL_NODE_LAYER ||
		                x->kind == BL_NODE_BLOB))
			continue;
		if (x->status == BL_STATUS_OK && !x->has_desc)
			continue;
		cmp_note_take(n, cmp_words_unreadable(names[i], x));
		bad = true;
	}
	if (bad)
		cmp_set_own(n, BL_CMP_UNKNOWN);
	return bad;
}

/* A pair where a side has no descriptor: its entry could not be read and
 * the node holds the error. The same error on both sides is the same broken
 * entry (of two identical documents, say), no difference; otherwise nothing
 * can be compared, and each side's error says why. */
static void compare_undescribed(struct bl_cmp_node *n)
{
	const struct bl_node *l = n->left, *r = n->right;
	if (!l->has_desc && !r->has_desc && l->status == r->status &&
	        strcmp(l->status_msg ? l->status_msg : "", r->status_msg ? r->status_msg : "") == 0)
		return;
	if (!unreadable(n)) {
		cmp_set_own(n, BL_CMP_UNKNOWN);
		cmp_note_take(n,
		        cmp_words_unreadable(l->has_desc ? "right" : "left", l->has_desc ? r : l));
	}
}

/* Two documents of one kind, one in Docker's format and one in OCI's (a
 * v2s2 manifest and an OCI manifest, a manifest list and an OCI index): what
 * `skopeo copy --format`, a docker-archive or a registry conversion makes of
 * one image. Docker's formats have no annotations, so those go too. */
static const struct bl_mediatype *doc_type(const struct bl_node *x)
{
	/* OCI lets a document leave its mediaType out: its descriptor says it. */
	const char *t = json_string_value(json_object_get(x->doc, "mediaType"));
	return bl_mediatype_find(t ? t : x->has_desc ? x->desc.media_type : NULL);
}

static bool other_format(const struct bl_node *a, const struct bl_node *b)
{
	const struct bl_mediatype *ma = doc_type(a), *mb = doc_type(b);
	return ma && mb && ma->kind == mb->kind && ma->docker != mb->docker &&
	       (ma->kind == BL_MEDIA_MANIFEST || ma->kind == BL_MEDIA_INDEX);
}

/* The own part of an index or manifest document: everything but the lists
 * whose entries are compared as children. */
static void compare_doc_rest(struct bl_cmp_node *n, const struct ctx *ctx, const char *const *skip)
{
	if (!n->left->doc || !n->right->doc)
		return;
	annotations_diff(n, ctx, json_object_get(n->left->doc, "annotations"),
	        json_object_get(n->right->doc, "annotations"), NULL);
	size_t first = n->fields.len;
	struct cmp_jdiff d = jdiff_on(n, ctx, false);
	d.skip = skip;
	size_t cnt = cmp_json_diff(&d, n->left->doc, n->right->doc);
	if (!cnt)
		return;
	bool only_ann = true, only_format = true;
	for (size_t i = first; i < n->fields.len; i++) {
		const char *f = bl_vec_get(&n->fields, i);
		if (strncmp(f, "annotations", 11) != 0)
			only_ann = false;
		if (strncmp(f, "annotations", 11) != 0 && strcmp(f, "mediaType") != 0)
			only_format = false;
	}
	if (n->fields.len - first < cnt)
		only_ann = only_format = false; /* not every path was kept: be conservative */
	if (only_ann)
		cmp_set_own(n, BL_CMP_ANNOTATIONS);
	else if (only_format && other_format(n->left, n->right))
		cmp_set_own(n, BL_CMP_FORMAT);
	else
		cmp_set_own(n, BL_CMP_DIFFERENT);
}

static void compare_index(struct bl_cmp_node *n, const struct ctx *ctx)
{
	static const char *const skip[] = {"manifests", "annotations", NULL};
	compare_doc_rest(n, ctx, skip);
	const struct bl_node *l = n->left, *r = n->right;
	/* The same nesting on both sides is compared level by level; one wrapper
	 * more on one side is looked through. */
	if (l->children.len == 1 && r->children.len == 1) {
		compare_children_by_key(n, ctx, l, r, true, true);
		return;
	}
	compare_children_by_key(n, ctx, cmp_platform_index(l), cmp_platform_index(r), true, false);
}

/* A new child of n pairing x (from the index side) with y (the other side). */
static struct bl_cmp_node *index_side_child(
        struct bl_cmp_node *n, bool left_is_index, const struct bl_node *x, const struct bl_node *y)
{
	return left_is_index ? cmp_node_new(n, x, y, NULL) : cmp_node_new(n, y, x, NULL);
}

/* A single manifest on one side, an index on the other: line the manifest
 * up with the index entry of its platform. */
static void compare_manifest_index(struct bl_cmp_node *n, const struct ctx *ctx)
{
	bool left_is_index = n->left->kind == BL_NODE_INDEX;
	const struct bl_node *ix = cmp_platform_index(left_is_index ? n->left : n->right);
	const struct bl_node *m = left_is_index ? n->right : n->left;
	char *want = cmp_platform_key(m);
	cmp_note_take(n, cmp_words_manifest_vs_index(left_is_index, want, ix->children.len));
	/* The images below say what differs; the wrapping itself is an index matter. */
	cmp_set_own(n, BL_CMP_INDEX_ONLY);
	char **keys = cmp_index_keys(ix);
	int match = -1;
	for (size_t i = 0; i < ix->children.len && want; i++)
		if (strcmp(keys[i], want) == 0)
			match = (int)i;
	if (match < 0 && ix->children.len > 0) {
		/* No platform to go by: the first image. */
		for (size_t i = 0; i < ix->children.len && match < 0; i++)
			if (!is_attestation(bl_vec_get(&ix->children, i)))
				match = (int)i;
	}
	for (size_t i = 0; i < ix->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&ix->children, i);
		if ((int)i == match) {
			compare_pair(index_side_child(n, left_is_index, c, m), ctx);
		} else {
			struct bl_cmp_node *p = index_side_child(n, left_is_index, c, NULL);
			one_sided(p, true);
			platform_one_sided(p, ctx);
			cmp_roll_up(p);
		}
	}
	cmp_free_keys(keys, ix->children.len);
	free(want);
	if (match < 0)
		one_sided_alone(index_side_child(n, left_is_index, NULL, m), true);
}

/* ---- manifests, layers, configs ---- */

static const char *layer_key(const struct bl_node *n)
{
	if (n->layer && n->layer->has_diff_id)
		return n->layer->diff_id.str;
	if (n->has_desc && bl_digest_is_set(&n->desc.digest))
		return n->desc.digest.str;
	return NULL;
}

static const char *comp_name(const struct bl_node *n)
{
	return bl_compression_name(
	        n->layer ? n->layer->comp
	                 : bl_mediatype_compression(n->has_desc ? n->desc.media_type : NULL));
}

static void compare_layer_pair(struct bl_cmp_node *n, bool matched)
{
	const struct bl_node *a = n->left, *b = n->right;
	if (!a->has_desc || !b->has_desc) {
		compare_undescribed(n);
		return;
	}
	if (same_digest(a, b))
		return;
	bool both_diff = a->layer && a->layer->has_diff_id && b->layer && b->layer->has_diff_id;
	if (both_diff && bl_digest_equal(&a->layer->diff_id, &b->layer->diff_id)) {
		cmp_set_own(n, BL_CMP_RECOMPRESSED);
		cmp_note_take(n, cmp_words_recompressed(&a->layer->diff_id, comp_name(a),
		                         &a->desc.digest, comp_name(b), &b->desc.digest));
		return;
	}
	if (both_diff) {
		cmp_set_own(n, BL_CMP_CONTENT);
		cmp_note_take(n, cmp_words_content_changed(&a->layer->diff_id, &b->layer->diff_id));
		cmp_note_take(n, cmp_words_made_by(a->layer->created_by, b->layer->created_by));
		return;
	}
	/* Without diff_ids (no config): an uncompressed blob's digest is its diff_id. */
	if (matched)
		return;
	bool raw = a->kind == BL_NODE_LAYER && b->kind == BL_NODE_LAYER &&
	           strcmp(comp_name(a), "none") == 0 && strcmp(comp_name(b), "none") == 0;
	if (raw) {
		cmp_set_own(n, BL_CMP_CONTENT);
		cmp_note_take(n, cmp_words_uncompressed_changed(&a->desc.digest, &b->desc.digest));
		return;
	}
	cmp_set_own(n, a->kind == BL_NODE_LAYER ? BL_CMP_UNKNOWN : BL_CMP_DIFFERENT);
	cmp_note_take(n,
	        cmp_words_blob_changed(&a->desc.digest, &b->desc.digest, a->kind == BL_NODE_LAYER));
}

static void compare_layers(
        struct bl_cmp_node *n, const struct cmp_parts *lp, const struct cmp_parts *rp)
{
	size_t nl = lp->layers.len, nr = rp->layers.len;
	const char **lk = bl_calloc(nl + 1, sizeof *lk);
	const char **rk = bl_calloc(nr + 1, sizeof *rk);
	for (size_t i = 0; i < nl; i++)
		lk[i] = layer_key(bl_vec_get(&lp->layers, i));
	for (size_t i = 0; i < nr; i++)
		rk[i] = layer_key(bl_vec_get(&rp->layers, i));
	int *pl = bl_calloc(nl + nr + 1, sizeof *pl);
	int *pr = bl_calloc(nl + nr + 1, sizeof *pr);
	bool *m = bl_calloc(nl + nr + 1, sizeof *m);
	size_t np = bl_cmp_align(lk, nl, rk, nr, pl, pr, m);
	for (size_t k = 0; k < np; k++) {
		const struct bl_node *a =
		        pl[k] >= 0 ? bl_vec_get(&lp->layers, (size_t)pl[k]) : NULL;
		const struct bl_node *b =
		        pr[k] >= 0 ? bl_vec_get(&rp->layers, (size_t)pr[k]) : NULL;
		struct bl_cmp_node *c = cmp_node_new(n, a, b, NULL);
		c->left_index = pl[k];
		c->right_index = pr[k];
		if (a && b && pl[k] != pr[k]) {
			free(c->label);
			c->label =
			        bl_asprintf("layer %d/%zu <> %d/%zu", pl[k] + 1, nl, pr[k] + 1, nr);
		}
		if (a && b) {
			compare_layer_pair(c, m[k]);
		} else {
			const struct bl_node *x = a ? a : b;
			cmp_set_own(c, a ? BL_CMP_LAYER_REMOVED : BL_CMP_LAYER_ADDED);
			cmp_note_take(
			        c, cmp_words_layer_one_sided(a != NULL, a ? pl[k] : pr[k],
			                   a ? nl : nr, x->layer ? x->layer->created_by : NULL));
		}
		cmp_roll_up(c);
	}
	free(pl);
	free(pr);
	free(m);
	free(lk);
	free(rk);
}

/* Attestation statements and build information: any field that differs makes
 * the node "index only", summed up as "<label> <verb>: <fields>". */
static void diff_documents(struct bl_cmp_node *n, const struct ctx *ctx, const char *verb)
{
	struct cmp_jdiff d = jdiff_on(n, ctx, false);
	size_t cnt = cmp_json_diff(&d, n->left->doc, n->right->doc);
	if (!cnt)
		return;
	cmp_set_own(n, BL_CMP_INDEX_ONLY);
	cmp_note_first_take(n, cmp_words_document_differs(n->label, verb, &n->fields, cnt));
}

/* m (a manifest, may be NULL) has filesystem layers among its children. */
static bool has_layers(const struct bl_node *m)
{
	for (size_t i = 0; m && i < m->children.len; i++)
		if (((const struct bl_node *)bl_vec_get(&m->children, i))->kind == BL_NODE_LAYER)
			return true;
	return false;
}

static void compare_config(struct bl_cmp_node *n, const struct ctx *ctx)
{
	if (same_digest(n->left, n->right) || unreadable(n))
		return;
	struct cmp_jdiff d = jdiff_on(n, ctx, n->left->kind == BL_NODE_CONFIG);
	size_t cnt = cmp_json_diff(&d, n->left->doc, n->right->doc);
	/* Two configs compared alone, or an attestation's (its diff_ids are its
	 * statements'), have no layers beside them to be the cause: then the
	 * diff_ids are a difference of the config's own. */
	bool beside_layers =
	        n->parent && (has_layers(n->left->parent) || has_layers(n->right->parent));
	if (d.rootfs && !beside_layers) {
		if (n->fields.len < ctx->max_fields)
			bl_vec_push_take(&n->fields, bl_strdup("rootfs.diff_ids"));
		cnt++;
	}
	if (cnt) {
		cmp_set_own(n, BL_CMP_CONFIG);
		/* First sentence: the summary, before the per-field ones. */
		cmp_note_first_take(n, cmp_words_config_differs(&n->fields, cnt));
	}
	if (d.rootfs && beside_layers) {
		/* cmp_roll_up gives it the layers' classes while it is no cause itself. */
		n->follows_layers = true;
		cmp_note_take(n, cmp_words_follows_layers());
	}
	cmp_note_take(n, cmp_words_ignored(d.ignored, "field"));
}

static void compare_statement(struct bl_cmp_node *n, const struct ctx *ctx)
{
	if (same_digest(n->left, n->right) || unreadable(n))
		return;
	if (cmp_packages(n))
		return;
	if (!n->left->doc || !n->right->doc) {
		/* one side left unread (an SBOM statement), the other of another kind */
		cmp_set_own(n, BL_CMP_INDEX_ONLY);
		cmp_note_take(n, cmp_words_blob_changed(
		                         &n->left->desc.digest, &n->right->desc.digest, false));
		return;
	}
	diff_documents(n, ctx, "statement differs");
	cmp_statement_causes(n, ctx->platforms);
}

/* The platform summary of an image pair (either side's parts NULL when that
 * side is absent), kept by the node and listed in ctx->platforms. */
static void add_platform(struct bl_cmp_node *n, const struct ctx *ctx, const struct cmp_parts *lp,
        const struct cmp_parts *rp)
{
	n->platform = cmp_platform_new(n, lp ? &lp->layers : NULL, rp ? &rp->layers : NULL);
	cmp_causes_apply(n);
	if (ctx->platforms)
		bl_vec_push_take(ctx->platforms, n->platform);
}

static void platform_one_sided(struct bl_cmp_node *n, const struct ctx *ctx)
{
	const struct bl_node *x = n->left ? n->left : n->right;
	if (x->kind != BL_NODE_MANIFEST || x->referrer)
		return;
	struct cmp_parts p;
	cmp_parts_split(x, &p);
	add_platform(n, ctx, n->left ? &p : NULL, n->right ? &p : NULL);
	cmp_parts_fini(&p);
}

static void compare_statements(struct bl_cmp_node *n, const struct ctx *ctx,
        const struct cmp_parts *lp, const struct cmp_parts *rp)
{
	size_t nl = lp->statements.len, nr = rp->statements.len;
	const char **lk = bl_calloc(nl + 1, sizeof *lk);
	const char **rk = bl_calloc(nr + 1, sizeof *rk);
	for (size_t i = 0; i < nl; i++) {
		const struct bl_node *x = bl_vec_get(&lp->statements, i);
		lk[i] = x->predicate_type ? x->predicate_type : x->label;
	}
	for (size_t i = 0; i < nr; i++) {
		const struct bl_node *x = bl_vec_get(&rp->statements, i);
		rk[i] = x->predicate_type ? x->predicate_type : x->label;
	}
	struct cmp_pairing p;
	cmp_pair_by_key(lk, nl, rk, nr, &p);
	for (size_t k = 0; k < p.n; k++) {
		const struct bl_node *a =
		        p.l[k] >= 0 ? bl_vec_get(&lp->statements, (size_t)p.l[k]) : NULL;
		const struct bl_node *b =
		        p.r[k] >= 0 ? bl_vec_get(&rp->statements, (size_t)p.r[k]) : NULL;
		struct bl_cmp_node *c = cmp_node_new(n, a, b, NULL);
		if (a && b)
			compare_pair(c, ctx);
		else
			one_sided_alone(c, false);
	}
	cmp_pairing_fini(&p);
	free(lk);
	free(rk);
}

static void compare_manifest(struct bl_cmp_node *n, const struct ctx *ctx)
{
	struct cmp_parts lp, rp;
	cmp_parts_split(n->left, &lp);
	cmp_parts_split(n->right, &rp);
	if (!same_digest(n->left, n->right) && !unreadable(n)) {
		static const char *const skip[] = {
		        "config", "layers", "subject", "annotations", NULL};
		compare_doc_rest(n, ctx, skip);
	}
	if (lp.config || rp.config) {
		struct bl_cmp_node *c = cmp_node_new(n, lp.config, rp.config, "config");
		if (lp.config && rp.config)
			compare_pair(c, ctx);
		else
			one_sided_alone(c, false);
	}
	compare_layers(n, &lp, &rp);
	compare_statements(n, ctx, &lp, &rp);
	cmp_referrers(n, &lp.referrers, &rp.referrers);
	if (n->kind == BL_NODE_MANIFEST && n->left->kind == BL_NODE_MANIFEST)
		add_platform(n, ctx, &lp, &rp);
	cmp_parts_fini(&lp);
	cmp_parts_fini(&rp);
}

static void compare_info(struct bl_cmp_node *n, const struct ctx *ctx)
{
	if (!n->left->doc || !n->right->doc) {
		if (n->left->doc || n->right->doc) {
			cmp_set_own(n, BL_CMP_INDEX_ONLY);
			cmp_note_take(n, cmp_words_one_side_only(n->label));
		}
		return;
	}
	diff_documents(n, ctx, "differs");
	cmp_statement_causes(n, NULL);
}

static void compare_target(struct bl_cmp_node *n, const struct ctx *ctx)
{
	const struct bl_node *lr = find_target_root(n->left), *rr = find_target_root(n->right);
	if (lr || rr) {
		struct bl_cmp_node *c = cmp_node_new(n, lr, rr, NULL);
		if (lr && rr)
			compare_pair(c, ctx);
		else
			one_sided_alone(c, false);
	}
	/* Provenance, buildinfo and the other INFO children, by label. */
	struct bl_node li = {.kind = BL_NODE_TARGET}, ri = {.kind = BL_NODE_TARGET};
	bl_vec_init(&li.children, NULL);
	bl_vec_init(&ri.children, NULL);
	for (size_t i = 0; i < n->left->children.len; i++) {
		struct bl_node *x = bl_vec_get(&n->left->children, i);
		if (x != lr)
			bl_vec_push_take(&li.children, x);
	}
	for (size_t i = 0; i < n->right->children.len; i++) {
		struct bl_node *x = bl_vec_get(&n->right->children, i);
		if (x != rr)
			bl_vec_push_take(&ri.children, x);
	}
	compare_children_by_key(n, ctx, &li, &ri, false, false);
	/* Children point at the real parents' nodes; nothing else kept li/ri. */
	bl_vec_fini(&li.children);
	bl_vec_fini(&ri.children);
}

static void clamp_index_only(struct bl_cmp_node *n)
{
	for (size_t i = 0; i < n->children.len; i++)
		clamp_index_only(bl_vec_get(&n->children, i));
	if (n->own != BL_CMP_IDENTICAL)
		n->own = BL_CMP_INDEX_ONLY;
	cmp_roll_up(n);
}

/* Two nodes of the same kind. */
static void compare_same_kind(struct bl_cmp_node *n, const struct ctx *ctx)
{
	const struct bl_node *l = n->left, *r = n->right;
	switch (l->kind) {
	case BL_NODE_BUILD:
		compare_children_by_key(n, ctx, l, r, false, true);
		break;
	case BL_NODE_TARGET:
		compare_target(n, ctx);
		break;
	case BL_NODE_INDEX:
		if (!same_digest(l, r) && unreadable(n))
			break;
		compare_index(n, ctx);
		break;
	case BL_NODE_MANIFEST:
	case BL_NODE_ATTESTATION:
		compare_manifest(n, ctx);
		break;
	case BL_NODE_CONFIG:
		compare_config(n, ctx);
		break;
	case BL_NODE_STATEMENT:
		compare_statement(n, ctx);
		break;
	case BL_NODE_INFO:
		compare_info(n, ctx);
		break;
	case BL_NODE_LAYER:
		compare_layer_pair(n, false);
		break;
	case BL_NODE_BLOB:
		if (!l->has_desc || !r->has_desc)
			compare_undescribed(n);
		else if (cmp_is_config_child(l) && l->doc && r->doc)
			compare_config(n, ctx);
		else if (!same_digest(l, r)) {
			cmp_set_own(n, BL_CMP_DIFFERENT);
			cmp_note_take(
			        n, cmp_words_blob_changed(&l->desc.digest, &r->desc.digest, false));
		}
		break;
	}
}

static void compare_pair(struct bl_cmp_node *n, const struct ctx *ctx)
{
	const struct bl_node *l = n->left, *r = n->right;
	if (l->referrer || r->referrer) {
		cmp_referrer_pair(n); /* an artifact beside the image, never one of its platforms */
		return;
	}
	if (l->has_desc && r->has_desc)
		compare_desc_annotations(n, ctx);
	if ((l->kind == BL_NODE_MANIFEST && r->kind == BL_NODE_INDEX) ||
	        (l->kind == BL_NODE_INDEX && r->kind == BL_NODE_MANIFEST)) {
		compare_manifest_index(n, ctx);
	} else if (l->kind != r->kind && !(cmp_is_config_child(l) && cmp_is_config_child(r))) {
		if (!same_digest(l, r)) {
			cmp_set_own(n, BL_CMP_DIFFERENT);
			cmp_note_take(n, cmp_words_kinds_differ(l, r));
		}
	} else {
		compare_same_kind(n, ctx);
	}
	/* Everything under an attestation is a difference of the index only. */
	if (n->kind == BL_NODE_ATTESTATION || n->kind == BL_NODE_STATEMENT)
		clamp_index_only(n);
	else
		cmp_roll_up(n);
}

static void ctx_init(struct ctx *ctx, const struct bl_cmp_opts *opts, struct bl_vec *platforms)
{
	static const struct bl_cmp_opts defaults = {0};
	ctx->opts = opts ? opts : &defaults;
	ctx->max_fields = ctx->opts->max_fields ? ctx->opts->max_fields : FIELDS_DEFAULT;
	ctx->platforms = platforms;
}

struct bl_cmp *bl_cmp_builds(
        const struct bl_build *left, const struct bl_build *right, const struct bl_cmp_opts *opts)
{
	struct bl_cmp *c = bl_calloc(1, sizeof *c);
	c->left = left;
	c->right = right;
	/* The nodes own the summaries; the list only lines them up. */
	bl_vec_init(&c->platforms, NULL);
	struct ctx ctx;
	ctx_init(&ctx, opts, &c->platforms);
	c->root = cmp_node_new(NULL, left->root, right->root, "build");
	compare_pair(c->root, &ctx);
	cmp_platforms_packages(c->root);
	return c;
}

void bl_cmp_free(struct bl_cmp *c)
{
	if (!c)
		return;
	bl_vec_fini(&c->platforms);
	bl_cmp_node_free(c->root);
	free(c);
}

struct bl_cmp_node *bl_cmp_nodes(
        const struct bl_node *left, const struct bl_node *right, const struct bl_cmp_opts *opts)
{
	struct ctx ctx;
	ctx_init(&ctx, opts, NULL);
	struct bl_cmp_node *n = cmp_node_new(NULL, left, right, NULL);
	if (left && right) {
		if (left->label && right->label && strcmp(left->label, right->label) != 0) {
			free(n->label);
			n->label = bl_asprintf("%s <> %s", left->label, right->label);
		}
		compare_pair(n, &ctx);
		cmp_platforms_packages(n);
	} else if (left || right) {
		one_sided_alone(n, false);
	}
	return n;
}
