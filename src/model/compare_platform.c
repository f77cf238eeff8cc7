/* Per platform: which index entry is which image, and how the root
 * filesystems of an aligned image pair compare (the layers' ChainIDs), as a
 * status and the words for it. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/sbom.h"
#include "compare_internal.h"

char *cmp_platform_key(const struct bl_node *n)
{
	if (n->has_desc && n->desc.has_platform && n->desc.platform.os && n->desc.platform.arch &&
	        !(strcmp(n->desc.platform.os, "unknown") == 0 &&
	                strcmp(n->desc.platform.arch, "unknown") == 0))
		return bl_platform_format(&n->desc.platform);
	/* From the config (a manifest at the root of a source carries no platform). */
	if (n->kind == BL_NODE_MANIFEST) {
		for (size_t i = 0; i < n->children.len; i++) {
			const struct bl_node *c = bl_vec_get(&n->children, i);
			if (c->kind != BL_NODE_CONFIG || !c->doc)
				continue;
			const char *os = bl_json_str(c->doc, "os");
			const char *arch = bl_json_str(c->doc, "architecture");
			if (!os || !arch)
				break;
			const char *var = bl_json_str(c->doc, "variant");
			return var ? bl_asprintf("%s/%s/%s", os, arch, var)
			           : bl_asprintf("%s/%s", os, arch);
		}
	}
	return NULL;
}

/* ---- which image is which ---- */

/* An attestation's key: the platform of the image it describes (the sibling
 * whose digest its vnd.docker.reference.digest names: from that image's
 * descriptor, else its config), then its predicate type. Its own label says
 * "for sha256:..." where the image's descriptor has no platform and "for
 * linux/amd64" where it has one: the same attestation either way. NULL when
 * the image is not there. */
static char *attestation_key(const struct bl_node *ix, const struct bl_node *a)
{
	const char *ref =
	        a->has_desc ? bl_descriptor_annotation(&a->desc, "vnd.docker.reference.digest")
	                    : NULL;
	for (size_t i = 0; ref && i < ix->children.len; i++) {
		const struct bl_node *s = bl_vec_get(&ix->children, i);
		if (s == a || !s->has_desc || s->kind == BL_NODE_ATTESTATION ||
		        strcmp(s->desc.digest.str, ref) != 0)
			continue;
		char *p = cmp_platform_key(s);
		if (!p)
			return NULL;
		char *k = bl_asprintf(
		        "attestation:for %s:%s", p, a->predicate_type ? a->predicate_type : "");
		free(p);
		return k;
	}
	return NULL;
}

/* Keys for children of an index: the platform for images, for attestations
 * the platform of their image and their predicate type (else the label), the
 * label for everything else; a repeated key gets "#2", "#3"... */
char **cmp_index_keys(const struct bl_node *ix)
{
	size_t n = ix->children.len;
	char **keys = bl_calloc(n + 1, sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		const struct bl_node *c = bl_vec_get(&ix->children, i);
		char *k = c->kind == BL_NODE_ATTESTATION ? attestation_key(ix, c)
		                                         : cmp_platform_key(c);
		if (!k)
			k = bl_asprintf(
			        "%s:%s", bl_node_kind_name(c->kind), c->label ? c->label : "");
		int seen = 1;
		for (size_t j = 0; j < i; j++) {
			const char *prev = keys[j];
			size_t len = strlen(k);
			if (strncmp(prev, k, len) == 0 && (prev[len] == '\0' || prev[len] == '#'))
				seen++;
		}
		if (seen > 1) {
			char *t = bl_asprintf("%s#%d", k, seen);
			free(k);
			k = t;
		}
		keys[i] = k;
	}
	return keys;
}

void cmp_free_keys(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

/* Descend through indexes that only wrap another index (BuildKit's OCI
 * export: index.json -> index -> manifests). */
const struct bl_node *cmp_platform_index(const struct bl_node *n)
{
	while (n->kind == BL_NODE_INDEX && n->children.len == 1) {
		const struct bl_node *c = bl_vec_get(&n->children, 0);
		if (c->kind != BL_NODE_INDEX)
			break;
		n = c;
	}
	return n;
}

void cmp_parts_split(const struct bl_node *m, struct cmp_parts *p)
{
	p->config = NULL;
	bl_vec_init(&p->layers, NULL);
	bl_vec_init(&p->statements, NULL);
	bl_vec_init(&p->referrers, NULL);
	for (size_t i = 0; i < m->children.len; i++) {
		struct bl_node *c = bl_vec_get(&m->children, i);
		if (c->referrer)
			bl_vec_push_take(&p->referrers, c);
		else if (!p->config && cmp_is_config_child(c))
			p->config = c;
		else if (c->kind == BL_NODE_STATEMENT)
			bl_vec_push_take(&p->statements, c);
		else
			bl_vec_push_take(&p->layers, c);
	}
}

void cmp_parts_fini(struct cmp_parts *p)
{
	bl_vec_fini(&p->layers);
	bl_vec_fini(&p->statements);
	bl_vec_fini(&p->referrers);
}

bool cmp_is_config_child(const struct bl_node *c)
{
	return c->kind == BL_NODE_CONFIG || (c->label && strncmp(c->label, "config", 6) == 0);
}

/* ---- the summary ---- */

static const struct bl_cmp_node *ancestor_target(const struct bl_cmp_node *n)
{
	for (; n; n = n->parent)
		if (n->kind == BL_NODE_TARGET)
			return n;
	return NULL;
}

static bool final_chain(const struct bl_vec *layers, struct bl_digest *out)
{
	bl_digest_clear(out);
	for (size_t i = 0; i < layers->len; i++) {
		const struct bl_node *x = bl_vec_get(layers, i);
		if (!x->layer || !x->layer->has_chain_id)
			return false;
		*out = x->layer->chain_id;
	}
	return true;
}

/* Status and the ChainID facts, from the two sides' layers. */
static void rootfs(struct bl_cmp_platform *s, const struct bl_vec *ll, const struct bl_vec *rl)
{
	if (!ll || !rl) {
		s->status = ll ? BL_CMP_ROOTFS_REMOVED : BL_CMP_ROOTFS_ADDED;
		return;
	}
	bool lk = final_chain(ll, &s->left_chain), rk = final_chain(rl, &s->right_chain);
	s->rootfs_known = lk && rk;
	/* No layers on either side is one (empty) root filesystem too. */
	s->rootfs_identical = s->rootfs_known && ll->len == rl->len &&
	                      (ll->len == 0 || bl_digest_equal(&s->left_chain, &s->right_chain));
	if (!s->rootfs_known) {
		s->status = BL_CMP_ROOTFS_UNKNOWN;
		return;
	}
	size_t nl = ll->len, nr = rl->len;
	size_t i = 0;
	for (; i < nl && i < nr; i++) {
		const struct bl_node *a = bl_vec_get(ll, i), *b = bl_vec_get(rl, i);
		if (!bl_digest_equal(&a->layer->chain_id, &b->layer->chain_id))
			break;
	}
	if (i == nl && i == nr) {
		s->status = BL_CMP_ROOTFS_IDENTICAL;
		return;
	}
	s->status = BL_CMP_ROOTFS_DIFFERENT;
	s->first_divergent = (int)i;
	const struct bl_node *at = i < nr ? bl_vec_get(rl, i) : bl_vec_get(ll, i);
	if (at->layer && at->layer->created_by)
		s->divergent_created_by = bl_strdup(at->layer->created_by);
}

/* A side present whose manifest was not read (unresolved, missing,
 * unreadable: no document, nothing below it): its layers are unknown, not
 * none. */
static bool unread(const struct bl_node *m, const struct bl_vec *layers)
{
	return m && layers && !m->doc && layers->len == 0;
}

/* The same manifest digest is the same root filesystem, read or not; other
 * digests cannot be told apart without the documents. Counts are unknown. */
static void unread_rootfs(struct bl_cmp_platform *s, const struct bl_cmp_node *n,
        const struct bl_vec *ll, const struct bl_vec *rl)
{
	if (unread(n->left, ll))
		s->left_layers = -1;
	if (unread(n->right, rl))
		s->right_layers = -1;
	const struct bl_node *l = n->left, *r = n->right;
	s->rootfs_identical = l && r && l->has_desc && r->has_desc &&
	                      bl_digest_is_set(&l->desc.digest) &&
	                      bl_digest_equal(&l->desc.digest, &r->desc.digest);
	s->status = s->rootfs_identical ? BL_CMP_ROOTFS_IDENTICAL : BL_CMP_ROOTFS_UNKNOWN;
}

/* The sentence: the root filesystems' words, then the packages'. */
static void platform_words(struct bl_cmp_platform *p)
{
	free(p->sentence);
	p->sentence = cmp_words_platform(p);
	if (!p->packages_changed)
		return;
	char *s = bl_asprintf("%s; %zu package%s changed (%zu added, %zu removed, %zu version%s "
	                      "changed)",
	        p->sentence, p->packages_changed, p->packages_changed == 1 ? "" : "s",
	        p->packages_added, p->packages_removed, p->packages_version_changed,
	        p->packages_version_changed == 1 ? "" : "s");
	free(p->sentence);
	p->sentence = s;
}

struct bl_cmp_platform *cmp_platform_new(const struct bl_cmp_node *n,
        const struct bl_vec *left_layers, const struct bl_vec *right_layers)
{
	struct bl_cmp_platform *s = bl_calloc(1, sizeof *s);
	const struct bl_cmp_node *t = ancestor_target(n);
	s->target = bl_strdup(t ? t->label : "");
	const struct bl_node *any = n->right ? n->right : n->left;
	char *pk = cmp_platform_key(any);
	s->platform = pk ? pk : bl_strdup(n->label);
	s->node = n;
	s->left_layers = left_layers ? (int)left_layers->len : -1;
	s->right_layers = right_layers ? (int)right_layers->len : -1;
	s->first_divergent = -1;
	if (unread(n->left, left_layers) || unread(n->right, right_layers))
		unread_rootfs(s, n, left_layers, right_layers);
	else
		rootfs(s, left_layers, right_layers);
	platform_words(s);
	return s;
}

void cmp_platform_free(void *p)
{
	struct bl_cmp_platform *s = p;
	if (!s)
		return;
	free(s->target);
	free(s->platform);
	free(s->divergent_created_by);
	free(s->sentence);
	bl_vec_fini(&s->inputs);
	free(s->divergent_step);
	free(s->cause);
	free(s);
}

static bool layers_all_identical(const struct bl_cmp_node *n)
{
	if (n->kind == BL_NODE_LAYER && n->own != BL_CMP_IDENTICAL)
		return false;
	for (size_t i = 0; i < n->children.len; i++)
		if (!layers_all_identical(bl_vec_get(&n->children, i)))
			return false;
	return true;
}

void cmp_platform_refresh(struct bl_cmp_platform *p)
{
	if (p->status != BL_CMP_ROOTFS_DIFFERENT || p->left_layers != p->right_layers ||
	        !layers_all_identical(p->node))
		return;
	p->rootfs_timestamps_only = true;
	p->status = BL_CMP_ROOTFS_TIMESTAMPS_ONLY;
	platform_words(p);
}

void bl_cmp_platforms_refresh(struct bl_cmp *c)
{
	for (size_t i = 0; i < c->platforms.len; i++)
		cmp_platform_refresh(bl_vec_get(&c->platforms, i));
}

/* ---- package changes ---- */

/* The image pair among att's siblings whose `right` (else `left`) side has
 * the digest att's side names in vnd.docker.reference.digest. */
static struct bl_cmp_platform *beside(const struct bl_cmp_node *att, bool right)
{
	const struct bl_node *a = right ? att->right : att->left;
	const char *ref =
	        a && a->has_desc ? bl_descriptor_annotation(&a->desc, "vnd.docker.reference.digest")
	                         : NULL;
	const struct bl_cmp_node *ix = att->parent;
	for (size_t i = 0; ref && ix && i < ix->children.len; i++) {
		const struct bl_cmp_node *c = bl_vec_get(&ix->children, i);
		const struct bl_node *m = right ? c->right : c->left;
		if (c->platform && m && m->has_desc && strcmp(m->desc.digest.str, ref) == 0)
			return c->platform;
	}
	return NULL;
}

static struct bl_cmp_platform *platform_of(const struct bl_cmp_node *stmt)
{
	for (const struct bl_cmp_node *a = stmt->parent; a; a = a->parent)
		if (a->platform)
			return a->platform; /* a referrer under the image */
	if (!stmt->parent)
		return NULL;
	struct bl_cmp_platform *p = beside(stmt->parent, true);
	return p ? p : beside(stmt->parent, false);
}

void cmp_platforms_packages(struct bl_cmp_node *n)
{
	const struct bl_pkg_diff *d = n->packages;
	struct bl_cmp_platform *p = d && d->n ? platform_of(n) : NULL;
	if (p) {
		p->packages_changed += d->n;
		p->packages_added += d->added;
		p->packages_removed += d->removed;
		p->packages_version_changed += d->changed;
		platform_words(p);
	}
	for (size_t i = 0; i < n->children.len; i++)
		cmp_platforms_packages(bl_vec_get(&n->children, i));
}
