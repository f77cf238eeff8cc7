/* `bakelens digest`: one digest out of a build (bl_build_query, model.h), or
 * every target's keys at once (bl_build_keys, query.h). */
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/json.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"
#include "bakelens/model.h"
#include "bakelens/query.h"
#include "bakelens/text.h"

/* The keys as --what names them (bl_what_parse reads them, completion lists
 * them) and as digest --json writes them (query.h). */
static const struct {
	const char *name, *field;
} key_names[] = {
        [BL_WHAT_INDEX] = {"index", "index"},
        [BL_WHAT_MANIFEST] = {"manifest", "manifest"},
        [BL_WHAT_CONFIG] = {"config", "config"},
        [BL_WHAT_LAYER] = {"layer", "digest"},
        [BL_WHAT_DIFF_ID] = {"diff-id", "diff_id"},
        [BL_WHAT_CHAIN_ID] = {"chain-id", "chain_id"},
};

const char *bl_what_name(size_t i)
{
	return i <= BL_WHAT_CHAIN_ID - BL_WHAT_INDEX ? key_names[BL_WHAT_INDEX + i].name : NULL;
}

bool bl_what_parse(const char *s, enum bl_what *out)
{
	if (!s)
		return false;
	for (enum bl_what w = BL_WHAT_INDEX; w <= BL_WHAT_CHAIN_ID; w++) {
		if (strcmp(s, key_names[w].name) == 0) {
			*out = w;
			return true;
		}
	}
	return false;
}

/* Fail when n has a bad status. */
static bool check(const struct bl_node *t, const struct bl_node *n, struct bl_error *err)
{
	if (n->status == BL_STATUS_OK)
		return true;
	char *tl = bl_text_safe(t->label);
	char *nl = bl_text_safe(n->label);
	bl_fail(err, n->cause, "%s: %s: %s", tl, nl,
	        n->status_msg ? n->status_msg : bl_node_status_name(n->status));
	free(tl);
	free(nl);
	return false;
}

/* The node whose digest is the answer may be absent (its digest is named by a
 * verified parent), but not corrupt: a blob that does not match its digest or
 * cannot be parsed means the source is damaged, and the answer is refused. */
static bool check_not_corrupt(
        const struct bl_node *t, const struct bl_node *n, struct bl_error *err)
{
	if (n->status == BL_STATUS_MISMATCH || n->status == BL_STATUS_ERROR)
		return check(t, n, err);
	return true;
}

/* Every node from t (exclusive) down to n must be fine. */
static bool check_path(const struct bl_node *t, const struct bl_node *n, struct bl_error *err)
{
	const struct bl_node *chain[128];
	size_t len = 0;
	for (const struct bl_node *p = n; p && p != t && len < 128; p = p->parent)
		chain[len++] = p;
	while (len > 0) {
		if (!check(t, chain[--len], err))
			return false;
	}
	return true;
}

/* True when `list` ("a, b, c", or "a,b" as image.name) holds `name` as one
 * of its pieces, blanks around a piece ignored. */
static bool list_has(const char *list, const char *name)
{
	size_t len = strlen(name);
	for (const char *p = list; p && *p;) {
		while (*p == ' ')
			p++;
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		while (n && p[n - 1] == ' ')
			n--;
		if (n == len && strncmp(p, name, n) == 0)
			return true;
		p = end ? end + 1 : NULL;
	}
	return false;
}

bool bl_target_has_name(const struct bl_node *t, const char *name)
{
	if ((t->label && strcmp(t->label, name) == 0) || (t->name && strcmp(t->name, name) == 0))
		return true;
	/* One image under several tags is one target labelled with them all. */
	if (t->label && list_has(t->label, name))
		return true;
	return t->doc && list_has(bl_json_str(t->doc, "image.name"), name);
}

const char *bl_node_extra_name(const struct bl_node *n)
{
	if (!n->name ||
	        (n->label && (strcmp(n->name, n->label) == 0 || list_has(n->label, n->name))))
		return NULL;
	return n->name;
}

const struct bl_node *bl_build_find_target(
        const struct bl_build *b, const char *name, struct bl_error *err)
{
	const struct bl_node *root = b->root;
	const struct bl_node *found = NULL;
	size_t count = 0;
	struct bl_buf names;
	bl_buf_init(&names);
	for (size_t i = 0; i < root->children.len; i++) {
		const struct bl_node *t = bl_vec_get(&root->children, i);
		if (t->kind != BL_NODE_TARGET)
			continue;
		count++;
		char *q = bl_text_safe(t->label);
		/* A target under several names is bracketed, to tell where it ends. */
		bool several = strstr(q, ", ") != NULL;
		bl_buf_printf(&names, "%s%s%s%s", names.len ? ", " : "", several ? "[" : "", q,
		        several ? "]" : "");
		free(q);
		if (name && !found && bl_target_has_name(t, name))
			found = t;
		if (!name)
			found = t;
	}
	if (name && !found) {
		char *q = bl_text_safe(name);
		bl_fail(err, BL_E_NOT_FOUND, "no target \"%s\" (targets: %s)", q,
		        count ? bl_buf_str(&names) : "none");
		free(q);
	} else if (!name && count == 0) {
		bl_fail(err, BL_E_NOT_FOUND, "no targets in this build");
	} else if (!name && count > 1) {
		found = NULL;
		bl_fail(err, BL_E_USAGE, "%zu targets: %s; choose one with --target", count,
		        bl_buf_str(&names));
	}
	bl_buf_fini(&names);
	return found;
}

/* Image manifests under an index, nested indexes walked, attestations skipped. */
static void collect_manifests(const struct bl_node *n, struct bl_vec *out, int depth)
{
	if (depth > 64)
		return;
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&n->children, i);
		if (c->kind == BL_NODE_MANIFEST)
			bl_vec_push_take(out, (void *)c);
		else if (c->kind == BL_NODE_INDEX)
			collect_manifests(c, out, depth + 1);
	}
}

/* The first index or manifest under n that could not be read (error,
 * mismatch, loop, nested too deep), or NULL: why an index holds no usable
 * manifest. */
static const struct bl_node *first_broken(const struct bl_node *n, int depth)
{
	if (depth > 64)
		return NULL;
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&n->children, i);
		if (c->kind != BL_NODE_INDEX && c->kind != BL_NODE_MANIFEST &&
		        c->kind != BL_NODE_BLOB)
			continue;
		if (c->status == BL_STATUS_ERROR || c->status == BL_STATUS_MISMATCH ||
		        c->status == BL_STATUS_LOOP)
			return c;
		const struct bl_node *b =
		        c->kind == BL_NODE_INDEX ? first_broken(c, depth + 1) : NULL;
		if (b)
			return b;
	}
	return NULL;
}

static char *platform_of(const struct bl_node *m)
{
	const struct bl_platform *p = bl_node_platform(m);
	return p ? bl_platform_format(p) : bl_strdup("(no platform)");
}

static const struct bl_node *find_child(const struct bl_node *n, enum bl_node_kind kind)
{
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&n->children, i);
		if (c->kind == kind)
			return c;
	}
	return NULL;
}

/* The target's image: its first child when that is a descriptor (read or
 * not), else NULL and why (the target's own status, or no image). */
static const struct bl_node *image_root(const struct bl_node *t, struct bl_error *err)
{
	const struct bl_node *root = t->children.len ? bl_vec_get(&t->children, 0) : NULL;
	if (root && root->has_desc && root->kind != BL_NODE_INFO)
		return root;
	if (!check(t->parent ? t->parent : t, t, err))
		return NULL;
	char *tl = bl_text_safe(t->label);
	bl_fail(err, BL_E_NOT_FOUND, "%s: no image in this target", tl);
	free(tl);
	return NULL;
}

const struct bl_node *bl_node_find_platform(
        const struct bl_node *t, const char *platform, struct bl_error *err)
{
	const struct bl_node *root = image_root(t, err);
	if (!root)
		return NULL;
	const struct bl_node *out = NULL;
	char *tl = bl_text_safe(t->label);
	struct bl_vec ms;
	bl_vec_init(&ms, NULL);
	struct bl_platform want;
	memset(&want, 0, sizeof want);
	if (platform && !bl_platform_parse(platform, &want, err))
		goto done;
	if (root->kind == BL_NODE_MANIFEST) {
		/* One image: its platform, from the descriptor or else the config
		 * (architecture, os, variant), must be the one asked for when known. */
		struct bl_platform have;
		bool known = bl_node_image_platform(root, &have);
		if (platform && known && !bl_platform_match(&want, &have)) {
			char *q = bl_text_safe(platform), *p = bl_platform_format(&have);
			bl_fail(err, BL_E_NOT_FOUND,
			        "%s: no manifest for platform %s (platforms: %s)", tl, q, p);
			free(q);
			free(p);
		} else {
			out = root;
		}
		bl_platform_fini(&have);
		goto done;
	}
	if (root->kind != BL_NODE_INDEX) {
		if (!check(t, root, err))
			goto done;
		char *nl = bl_text_safe(root->label);
		bl_fail(err, BL_E_NOT_FOUND, "%s: %s is a %s, not an index or manifest", tl, nl,
		        bl_node_kind_name(root->kind));
		free(nl);
		goto done;
	}
	if (!check(t, root, err))
		goto done;
	collect_manifests(root, &ms, 0);
	struct bl_buf list;
	bl_buf_init(&list);
	const struct bl_node *match = NULL;
	for (size_t i = 0; i < ms.len; i++) {
		const struct bl_node *m = bl_vec_get(&ms, i);
		char *p = platform_of(m);
		bl_buf_printf(&list, "%s%s", list.len ? ", " : "", p);
		free(p);
		const struct bl_platform *have = bl_node_platform(m);
		if (platform && have && !match && bl_platform_match(&want, have))
			match = m;
	}
	const struct bl_node *broken = ms.len == 0 ? first_broken(root, 0) : NULL;
	if (broken) {
		check(t, broken, err);
	} else if (ms.len == 0) {
		bl_fail(err, BL_E_NOT_FOUND, "%s: the index holds no image manifest", tl);
	} else if (platform && !match) {
		char *q = bl_text_safe(platform);
		bl_fail(err, BL_E_NOT_FOUND, "%s: no manifest for platform %s (platforms: %s)", tl,
		        q, bl_buf_str(&list));
		free(q);
	} else if (!platform && ms.len > 1) {
		bl_fail(err, BL_E_USAGE, "%s: %zu platforms: %s; choose one with --platform", tl,
		        ms.len, bl_buf_str(&list));
	} else {
		out = match ? match : bl_vec_get(&ms, 0);
	}
	bl_buf_fini(&list);
done:
	bl_platform_fini(&want);
	bl_vec_fini(&ms);
	free(tl);
	return out;
}

/* The answer to `q` in target `t`; `given`, when not NULL, is the image
 * manifest to answer for (q->platform is then not looked at). */
static bool query_target(const struct bl_node *t, const struct bl_node *given,
        const struct bl_query *q, struct bl_digest *out, struct bl_error *err)
{
	bl_digest_clear(out);
	const struct bl_node *root = image_root(t, err);
	if (!root)
		return false;
	enum bl_what what = q->what;
	/* Asked for a platform, the answer is that platform's manifest. */
	if (what == BL_WHAT_DEFAULT && q->platform)
		what = BL_WHAT_MANIFEST;
	if (what == BL_WHAT_DEFAULT) {
		if (!check_not_corrupt(t, root, err))
			return false;
		*out = root->desc.digest;
		return true;
	}
	if (what == BL_WHAT_INDEX) {
		if (root->kind == BL_NODE_INDEX) {
			/* A platform given with it must be there: a typo must not pass. */
			if (!given && q->platform && !bl_node_find_platform(t, q->platform, err))
				return false;
			if (!check_not_corrupt(t, root, err))
				return false;
			*out = root->desc.digest;
			return true;
		}
		if (!check(t, root, err))
			return false;
		char *tl = bl_text_safe(t->label);
		bl_fail(err, BL_E_NOT_FOUND, "%s: the image is a single %s, not an index", tl,
		        bl_node_kind_name(root->kind));
		free(tl);
		return false;
	}

	/* The unresolved single-manifest case: metadata still knows the config. */
	if (what == BL_WHAT_CONFIG && root->status == BL_STATUS_UNRESOLVED && t->doc) {
		const char *cd = bl_json_str(t->doc, "containerimage.config.digest");
		if (cd && bl_digest_parse(cd, out, NULL))
			return true;
	}

	const struct bl_node *m = given ? given : bl_node_find_platform(t, q->platform, err);
	if (!m)
		return false;
	if (what == BL_WHAT_MANIFEST) {
		if (m != root && !check_path(t, m->parent, err))
			return false;
		if (!check_not_corrupt(t, m, err))
			return false;
		*out = m->desc.digest;
		return true;
	}
	if (!check_path(t, m, err))
		return false;
	if (what == BL_WHAT_CONFIG) {
		const struct bl_node *c = find_child(m, BL_NODE_CONFIG);
		if (!c && m->children.len) {
			const struct bl_node *first = bl_vec_get(&m->children, 0);
			if (first->label && strncmp(first->label, "config", 6) == 0)
				c = first;
		}
		if (!c || !c->has_desc) {
			char *tl = bl_text_safe(t->label);
			bl_fail(err, BL_E_NOT_FOUND, "%s: the manifest has no config", tl);
			free(tl);
			return false;
		}
		if (!check_not_corrupt(t, c, err))
			return false;
		*out = c->desc.digest;
		return true;
	}

	/* Layers. */
	size_t count = 0;
	for (size_t i = 0; i < m->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&m->children, i);
		if (c->kind == BL_NODE_LAYER)
			count++;
	}
	long want = q->has_layer ? q->layer : -1;
	size_t at;
	if (!bl_layer_number_index(want, count, &at)) {
		char *tl = bl_text_safe(t->label), *range = bl_layer_number_range(count);
		bl_fail(err, BL_E_NOT_FOUND, "%s: no layer %ld: the manifest has %zu layer%s %s",
		        tl, want, count, count == 1 ? "" : "s", range);
		free(tl);
		free(range);
		return false;
	}
	const struct bl_node *l = NULL;
	for (size_t i = 0, seen = 0; i < m->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&m->children, i);
		if (c->kind == BL_NODE_LAYER && seen++ == at) {
			l = c;
			break;
		}
	}
	if (what == BL_WHAT_LAYER) {
		if (!check_not_corrupt(t, l, err))
			return false;
		*out = l->desc.digest;
		return true;
	}
	bool is_diff = what == BL_WHAT_DIFF_ID;
	if (l->layer && is_diff && l->layer->has_diff_id) {
		*out = l->layer->diff_id;
		return true;
	}
	if (l->layer && !is_diff && l->layer->has_chain_id) {
		*out = l->layer->chain_id;
		return true;
	}
	const struct bl_node *c = find_child(m, BL_NODE_CONFIG);
	if (c && !check(t, c, err))
		return false;
	char *tl = bl_text_safe(t->label);
	bl_fail(err, BL_E_NOT_FOUND, "%s: layer %ld: no %s (the config %s)", tl, (long)at + 1,
	        is_diff ? "diff_id" : "chain_id",
	        c ? "lists no valid diff_id for it" : "is not available");
	free(tl);
	return false;
}

/* No target named, several there: the answer when every target gives the
 * same one (one image under two names in different sources, or a query
 * whose answer is shared, such as a base layer). */
static bool query_agreed(const struct bl_build *b, const struct bl_query *q, struct bl_digest *out)
{
	bool have = false;
	for (size_t i = 0; i < b->root->children.len; i++) {
		const struct bl_node *t = bl_vec_get(&b->root->children, i);
		if (t->kind != BL_NODE_TARGET)
			continue;
		struct bl_digest d;
		struct bl_error e = {0};
		if (!query_target(t, NULL, q, &d, &e))
			return false;
		if (have && !bl_digest_equal(&d, out))
			return false;
		*out = d;
		have = true;
	}
	return have;
}

bool bl_build_query(const struct bl_build *b, const struct bl_query *q, struct bl_digest *out,
        struct bl_error *err)
{
	bl_digest_clear(out);
	struct bl_error local = {0};
	struct bl_error *e = err ? err : &local;
	const struct bl_node *t = bl_build_find_target(b, q->target, e);
	if (!t && !q->target && e->code == BL_E_USAGE) {
		if (query_agreed(b, q, out)) {
			bl_error_clear(e);
			return true;
		}
		bl_digest_clear(out);
		return false; /* e names the targets */
	}
	return t && query_target(t, NULL, q, out, e);
}

/* ---- Every target's keys (query.h) ---- */

const char *bl_keys_name(enum bl_what what)
{
	return what >= BL_WHAT_INDEX && what <= BL_WHAT_CHAIN_ID ? key_names[what].name : NULL;
}

const char *bl_keys_field(enum bl_what what)
{
	return what >= BL_WHAT_INDEX && what <= BL_WHAT_CHAIN_ID ? key_names[what].field : NULL;
}

bool bl_keys_parse_what(const char *s, unsigned *mask, struct bl_error *err)
{
	for (const char *p = s;;) {
		const char *comma = strchr(p, ',');
		char *name = comma ? bl_strndup(p, (size_t)(comma - p)) : bl_strdup(p);
		enum bl_what w;
		bool ok = bl_what_parse(name, &w);
		if (!ok) {
			char *q = bl_text_safe(name);
			bl_fail(err, BL_E_USAGE,
			        "--what: expected index, manifest, config, layer, diff-id or "
			        "chain-id, got \"%s\"",
			        q);
			free(q);
		}
		free(name);
		if (!ok)
			return false;
		*mask |= 1u << w;
		if (!comma)
			return true;
		p = comma + 1;
	}
}

/* `base`, or "base (N)" with the first N from 2 that no name in `seen`
 * (const char *, borrowed) has: JSON object keys must differ. The result
 * is the caller's; it is not added to `seen`. */
static char *unique_name(const struct bl_vec *seen, const char *base)
{
	char *name = bl_strdup(base);
	for (int n = 2;; n++) {
		bool taken = false;
		for (size_t i = 0; i < seen->len && !taken; i++)
			taken = strcmp(bl_vec_get(seen, i), name) == 0;
		if (!taken)
			return name;
		free(name);
		name = bl_asprintf("%s (%d)", base, n);
	}
}

static void platform_keys_free(void *p)
{
	struct bl_platform_keys *pk = p;
	free(pk->platform);
	free(pk->error);
	free(pk);
}

static void target_keys_free(void *p)
{
	struct bl_target_keys *tk = p;
	free(tk->name);
	free(tk->error);
	bl_vec_fini(&tk->platforms);
	free(tk);
}

void bl_keys_init(struct bl_keys *k)
{
	k->asked = BL_KEYS_ALL;
	bl_vec_init(&k->targets, target_keys_free);
}

void bl_keys_fini(struct bl_keys *k)
{
	bl_vec_fini(&k->targets);
}

struct bl_target_keys *bl_keys_add_target(struct bl_keys *k, const char *name)
{
	struct bl_target_keys *tk = bl_calloc(1, sizeof *tk);
	struct bl_vec seen;
	bl_vec_init(&seen, NULL);
	for (size_t i = 0; i < k->targets.len; i++)
		bl_vec_push_take(
		        &seen, ((struct bl_target_keys *)bl_vec_get(&k->targets, i))->name);
	tk->name = unique_name(&seen, name);
	bl_vec_fini(&seen);
	bl_vec_init(&tk->platforms, platform_keys_free);
	bl_vec_push_take(&k->targets, tk);
	return tk;
}

struct bl_platform_keys *bl_keys_add_platform(struct bl_target_keys *tk, const char *platform)
{
	struct bl_platform_keys *pk = bl_calloc(1, sizeof *pk);
	struct bl_vec seen;
	bl_vec_init(&seen, NULL);
	for (size_t i = 0; i < tk->platforms.len; i++)
		bl_vec_push_take(&seen,
		        ((struct bl_platform_keys *)bl_vec_get(&tk->platforms, i))->platform);
	pk->platform = unique_name(&seen, platform);
	bl_vec_fini(&seen);
	bl_vec_push_take(&tk->platforms, pk);
	return pk;
}

/* Keep the first failure: it is the one nearest the image's root. */
static void set_error(enum bl_status *status, char **msg, const struct bl_error *e)
{
	if (*status != BL_OK)
		return;
	*status = e->code == BL_OK ? BL_E_FORMAT : e->code;
	*msg = bl_strdup(e->msg[0] ? e->msg : bl_status_name(*status));
}

static size_t layer_count(const struct bl_node *m)
{
	size_t n = 0;
	for (size_t i = 0; i < m->children.len; i++)
		n += ((const struct bl_node *)bl_vec_get(&m->children, i))->kind == BL_NODE_LAYER;
	return n;
}

static void manifest_keys(
        const struct bl_node *t, const struct bl_node *m, unsigned asked, struct bl_target_keys *tk)
{
	struct bl_platform have;
	char *name =
	        bl_node_image_platform(m, &have) ? bl_platform_format(&have) : bl_strdup("unknown");
	bl_platform_fini(&have);
	struct bl_platform_keys *pk = bl_keys_add_platform(tk, name);
	free(name);
	for (enum bl_what w = BL_WHAT_MANIFEST; w <= BL_WHAT_CHAIN_ID; w++) {
		if (!(asked & (1u << w)))
			continue;
		/* A readable manifest without layers has no layer keys: not an error. */
		if ((1u << w) & BL_KEYS_LAYER && m->status == BL_STATUS_OK && layer_count(m) == 0)
			continue;
		struct bl_query q = {.what = w};
		struct bl_error e = {0};
		if (query_target(t, m, &q, &pk->key[w], &e))
			pk->has |= 1u << w;
		else
			set_error(&pk->status, &pk->error, &e);
	}
}

static void target_keys(
        const struct bl_node *t, const char *platform, unsigned asked, struct bl_keys *out)
{
	struct bl_target_keys *tk = bl_keys_add_target(out, t->label ? t->label : "?");
	tk->node = t;
	struct bl_error e = {0};
	const struct bl_node *root = image_root(t, &e);
	if (!root) {
		set_error(&tk->status, &tk->error, &e);
		return;
	}
	if (asked & (1u << BL_WHAT_INDEX) && root->kind == BL_NODE_INDEX) {
		struct bl_query q = {.what = BL_WHAT_INDEX, .platform = platform};
		if (query_target(t, NULL, &q, &tk->index, &e))
			tk->has_index = true;
		else
			set_error(&tk->status, &tk->error, &e);
	}
	if (!(asked & BL_KEYS_PLATFORM))
		return;
	struct bl_vec ms;
	bl_vec_init(&ms, NULL);
	if (platform || root->kind != BL_NODE_INDEX) {
		const struct bl_node *m = bl_node_find_platform(t, platform, &e);
		if (m)
			bl_vec_push_take(&ms, (void *)m);
	} else if (check(t, root, &e)) {
		collect_manifests(root, &ms, 0);
		const struct bl_node *broken = ms.len == 0 ? first_broken(root, 0) : NULL;
		if (broken)
			check(t, broken, &e);
		else if (ms.len == 0)
			bl_fail(&e, BL_E_NOT_FOUND, "%s: the index holds no image manifest",
			        tk->name);
	}
	if (ms.len == 0)
		set_error(&tk->status, &tk->error, &e);
	for (size_t i = 0; i < ms.len; i++)
		manifest_keys(t, bl_vec_get(&ms, i), asked, tk);
	bl_vec_fini(&ms);
}

bool bl_build_keys(const struct bl_build *b, const char *target, const char *platform,
        unsigned asked, struct bl_keys *out, struct bl_error *err)
{
	bl_keys_init(out);
	asked &= BL_KEYS_ALL;
	out->asked = asked ? asked : BL_KEYS_ALL;
	if (platform) {
		/* A platform that does not parse is the command line's fault, not each target's. */
		struct bl_platform want;
		memset(&want, 0, sizeof want);
		bool ok = bl_platform_parse(platform, &want, err);
		bl_platform_fini(&want);
		if (!ok) {
			if (err)
				err->code = BL_E_USAGE;
			return false;
		}
	}
	const struct bl_node *only = NULL;
	if (target && !(only = bl_build_find_target(b, target, err)))
		return false;
	for (size_t i = 0; i < b->root->children.len; i++) {
		const struct bl_node *t = bl_vec_get(&b->root->children, i);
		if (t->kind == BL_NODE_TARGET && (!only || t == only))
			target_keys(t, platform, out->asked, out);
	}
	return true;
}
