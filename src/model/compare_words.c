/* Every sentence a comparison says, in one place: class names, the notes on
 * nodes, the per-platform summary ("cache breaks at layer N of M: ...") and
 * the one-line summaries of a subtree. Reads nodes, never changes them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/json.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"
#include "compare_internal.h"

#define NOTE_VALUE_MAX 72 /* characters of a value quoted in a sentence */

static const struct {
	const char *name;
	const char *words;
} class_text[BL_CMP_CLASS_COUNT] = {
        [BL_CMP_IDENTICAL] = {"identical", "identical"},
        [BL_CMP_ANNOTATIONS] = {"annotations", "annotations only"},
        [BL_CMP_INDEX_ONLY] = {"index-only", "index only (attestations or provenance)"},
        [BL_CMP_CONFIG] = {"config", "config only"},
        [BL_CMP_RECOMPRESSED] = {"layer-recompressed", "layer recompressed (same diff_id)"},
        [BL_CMP_FORMAT] = {"manifest-format", "manifest format changed (Docker <-> OCI)"},
        [BL_CMP_LAYER_ADDED] = {"layer-added", "layer added"},
        [BL_CMP_LAYER_REMOVED] = {"layer-removed", "layer removed"},
        [BL_CMP_CONTENT] = {"layer-content", "layer content changed"},
        [BL_CMP_PLATFORM_ADDED] = {"platform-added", "platform added"},
        [BL_CMP_PLATFORM_REMOVED] = {"platform-removed", "platform removed"},
        [BL_CMP_ONLY_LEFT] = {"only-left", "missing on the right"},
        [BL_CMP_ONLY_RIGHT] = {"only-right", "missing on the left"},
        [BL_CMP_DIFFERENT] = {"different", "different"},
        [BL_CMP_UNKNOWN] = {"unknown", "cannot compare"},
};

const char *bl_cmp_class_name(enum bl_cmp_class c)
{
	return (unsigned)c < BL_CMP_CLASS_COUNT ? class_text[c].name : "?";
}

const char *bl_cmp_class_words(enum bl_cmp_class c)
{
	return (unsigned)c < BL_CMP_CLASS_COUNT ? class_text[c].words : "?";
}

/* ---- pieces ---- */

struct dshort {
	char s[32];
};

/* A short digest for a sentence, "?" when unknown. */
static struct dshort dshort(const struct bl_digest *d)
{
	struct dshort o;
	if (!bl_digest_is_set(d))
		snprintf(o.s, sizeof o.s, "?");
	else
		bl_digest_short(d, o.s, sizeof o.s);
	return o;
}

/* A short rendering of a JSON value for a sentence. */
static char *value_text(const json_t *v)
{
	if (!v)
		return bl_strdup("(absent)");
	char *s;
	if (json_is_string(v) && json_string_length(v) == 0)
		return bl_strdup("\"\""); /* an empty value, not a missing one */
	if (json_is_string(v))
		s = bl_strdup(json_string_value(v));
	else
		s = bl_json_compact(v);
	size_t len = strlen(s);
	if (len > NOTE_VALUE_MAX) {
		/* Cut on a UTF-8 boundary. */
		size_t cut = NOTE_VALUE_MAX;
		while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
			cut--;
		s[cut] = '\0';
		char *t = bl_asprintf("%s...", s);
		free(s);
		return t;
	}
	return s;
}

char *cmp_history_words(const char *by)
{
	static const char nop[] = "/bin/sh -c #(nop)";
	const char *p = by;
	if (strncmp(p, nop, sizeof nop - 1) == 0) {
		p += sizeof nop - 1;
		while (*p == ' ')
			p++;
	}
	struct bl_buf b;
	bl_buf_init(&b);
	while (*p) {
		/* file:HEX or dir:HEX (64 hex digits) -> 12 digits. */
		size_t tag = strncmp(p, "file:", 5) == 0 ? 5 : strncmp(p, "dir:", 4) == 0 ? 4 : 0;
		if (tag && (p == by || p[-1] == ' ')) {
			size_t hex = 0;
			while ((p[tag + hex] >= '0' && p[tag + hex] <= '9') ||
			        (p[tag + hex] >= 'a' && p[tag + hex] <= 'f'))
				hex++;
			if (hex == 64) {
				bl_buf_printf(&b, "%.*s", (int)(tag + 12), p);
				p += tag + hex;
				continue;
			}
		}
		bl_buf_putc(&b, *p++);
	}
	while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\t'))
		b.data[--b.len] = '\0';
	return bl_buf_take(&b);
}

/* A value in a config's history: a created_by line (or an entry, by its
 * created_by) in history words, anything else as value_text. */
static char *history_value_text(const json_t *v)
{
	const json_t *by = json_is_object(v) ? json_object_get(v, "created_by") : v;
	if (!json_is_string(by))
		return value_text(v);
	char *w = cmp_history_words(json_string_value(by));
	if (by != v) {
		char *t = bl_asprintf("entry \"%s\"", w);
		free(w);
		w = t;
	}
	json_t *tmp = json_string(w);
	char *out = tmp ? value_text(tmp) : bl_strdup(w);
	json_decref(tmp);
	free(w);
	return out;
}

char *cmp_field_list(const struct bl_vec *fields, size_t first, size_t total)
{
	struct bl_buf b;
	bl_buf_init(&b);
	size_t shown = 0;
	for (size_t i = first; i < fields->len && shown < 6; i++, shown++)
		bl_buf_printf(&b, "%s%s", shown ? ", " : "", (const char *)bl_vec_get(fields, i));
	if (total > shown)
		bl_buf_printf(&b, " (and %zu more)", total - shown);
	return bl_buf_take(&b);
}

/* ---- the notes on nodes ---- */

char *cmp_words_change(
        const char *prefix, const char *name, const json_t *a, const json_t *b, bool history)
{
	char *va = history ? history_value_text(a) : value_text(a);
	char *vb = history ? history_value_text(b) : value_text(b);
	char *s = bl_asprintf("%s%s: %s -> %s", prefix, name, va, vb);
	free(va);
	free(vb);
	return s;
}

char *cmp_words_ignored(size_t ignored, const char *what)
{
	if (!ignored)
		return NULL;
	return bl_asprintf("%zu timestamp %s%s differ%s (ignored)", ignored, what,
	        ignored == 1 ? "" : "s", ignored == 1 ? "s" : "");
}

char *cmp_words_one_sided(const struct bl_node *x, bool left, enum bl_cmp_class cls)
{
	const char *where = left ? "only in the left build" : "only in the right build";
	if (cls == BL_CMP_PLATFORM_ADDED || cls == BL_CMP_PLATFORM_REMOVED)
		return bl_asprintf("platform %s %s", x->label, left ? "removed" : "added");
	if (cls == BL_CMP_INDEX_ONLY)
		return bl_asprintf("%s %s", x->label, where);
	return bl_asprintf("%s %s %s", bl_node_kind_name(x->kind), x->label, where);
}

char *cmp_words_names_differ(const char *left, const char *right)
{
	return bl_asprintf("names differ: %s (left) and %s (right)", left, right);
}

char *cmp_words_entry_platform(const char *label, const char *left, const char *right)
{
	return bl_asprintf("entry %s: descriptor platform %s -> %s", label,
	        left ? left : "(absent)", right ? right : "(absent)");
}

char *cmp_words_unreadable(const char *side, const struct bl_node *x)
{
	return bl_asprintf("cannot compare: %s %s is %s%s%s", side, bl_node_kind_name(x->kind),
	        bl_node_status_name(x->status), x->status_msg ? ": " : "",
	        x->status_msg ? x->status_msg : "");
}

char *cmp_words_manifest_vs_index(bool left_is_index, const char *platform, size_t entries)
{
	return bl_asprintf("the %s side is a single manifest (%s), the %s side an index of %zu "
	                   "entries",
	        left_is_index ? "right" : "left", platform ? platform : "platform unknown",
	        left_is_index ? "left" : "right", entries);
}

char *cmp_words_kinds_differ(const struct bl_node *l, const struct bl_node *r)
{
	return bl_asprintf("a %s on the left, a %s on the right", bl_node_kind_name(l->kind),
	        bl_node_kind_name(r->kind));
}

char *cmp_words_recompressed(const struct bl_digest *diff_id, const char *lcomp,
        const struct bl_digest *ld, const char *rcomp, const struct bl_digest *rd)
{
	return bl_asprintf("same content (diff_id %s), compressed differently: %s %s -> %s %s",
	        dshort(diff_id).s, lcomp, dshort(ld).s, rcomp, dshort(rd).s);
}

char *cmp_words_content_changed(const struct bl_digest *l, const struct bl_digest *r)
{
	return bl_asprintf("content changed: diff_id %s -> %s", dshort(l).s, dshort(r).s);
}

char *cmp_words_made_by(const char *left_by, const char *right_by)
{
	char *cl = left_by ? cmp_history_words(left_by) : NULL;
	char *cr = right_by ? cmp_history_words(right_by) : NULL;
	char *s = NULL;
	if (cr && cl && strcmp(cl, cr) != 0)
		s = bl_asprintf("made by: %s -> %s", cl, cr);
	else if (cr || cl)
		s = bl_asprintf("made by: %s", cr ? cr : cl);
	free(cl);
	free(cr);
	return s;
}

char *cmp_words_uncompressed_changed(const struct bl_digest *l, const struct bl_digest *r)
{
	return bl_asprintf("content changed: uncompressed blob %s -> %s", dshort(l).s, dshort(r).s);
}

char *cmp_words_blob_changed(const struct bl_digest *l, const struct bl_digest *r, bool layer)
{
	return bl_asprintf("blob %s -> %s%s", dshort(l).s, dshort(r).s,
	        layer ? ": no diff_id (config unreadable), content or compression unknown" : "");
}

char *cmp_words_layer_one_sided(bool removed, int pos, size_t total, const char *created_by)
{
	char *by = created_by ? cmp_history_words(created_by) : NULL;
	char *s = bl_asprintf("layer %s %s %d of %zu%s%s",
	        removed ? "removed:" : "added:", removed ? "was" : "at", pos + 1, total,
	        by ? ": " : "", by ? by : "");
	free(by);
	return s;
}

char *cmp_words_document_differs(
        const char *label, const char *verb, const struct bl_vec *fields, size_t total)
{
	char *list = cmp_field_list(fields, 0, total);
	char *s = bl_asprintf("%s %s: %s", label, verb, list);
	free(list);
	return s;
}

char *cmp_words_config_differs(const struct bl_vec *fields, size_t total)
{
	char *list = cmp_field_list(fields, 0, total);
	char *s = bl_asprintf("config differs in %s", list);
	free(list);
	return s;
}

char *cmp_words_follows_layers(void)
{
	return bl_strdup("rootfs.diff_ids differ (follows the layers)");
}

char *cmp_words_one_side_only(const char *label)
{
	return bl_asprintf("%s present on one side only", label);
}

char *cmp_words_timestamps_only(const struct bl_file_diff *d)
{
	return bl_asprintf("files identical apart from timestamps (%zu entr%s only in mtime; "
	                   "ignored)",
	        d->timestamps_ignored, d->timestamps_ignored == 1 ? "y differs" : "ies differ");
}

char *cmp_words_diff_id_timestamps(const struct bl_digest *l, const struct bl_digest *r)
{
	return bl_asprintf("diff_id %s -> %s (timestamps only)", dshort(l).s, dshort(r).s);
}

/* ---- per platform ---- */

/* Root filesystems that differ: where the cache breaks, and what follows
 * when one side is the other plus layers on top. */
static char *divergence_words(const struct bl_cmp_platform *s)
{
	size_t i = (size_t)s->first_divergent;
	size_t nl = (size_t)s->left_layers, nr = (size_t)s->right_layers;
	bool ts = s->status == BL_CMP_ROOTFS_TIMESTAMPS_ONLY;
	char *by = s->divergent_created_by ? cmp_history_words(s->divergent_created_by) : NULL;
	const char *sep = by ? ": " : "", *what = by ? by : "";
	struct bl_buf b;
	bl_buf_init(&b);
	if (i >= nr) {
		/* The right is the left's first layers: nothing to build, less to have. */
		bl_buf_printf(&b,
		        "the right's %zu layer%s %s the left's first %zu; the left has %zu "
		        "more (from layer %zu of %zu%s%s)",
		        nr, nr == 1 ? "" : "s", nr == 1 ? "is" : "are", nr, nl - nr, i + 1, nl, sep,
		        what);
	} else {
		bl_buf_puts(
		        &b, ts ? "root filesystems differ only in file timestamps (ignored); the "
		                 "cache still breaks at "
		               : "cache breaks at ");
		bl_buf_printf(&b, "layer %zu of %zu%s%s", i + 1, nr, sep, what);
		if (i == nl)
			bl_buf_printf(&b, " (on top of the left's %zu layer%s: %zu added)", nl,
			        nl == 1 ? "" : "s", nr - nl);
	}
	if (!ts)
		bl_buf_puts(&b, "; root filesystems differ");
	free(by);
	return bl_buf_take(&b);
}

char *cmp_words_platform(const struct bl_cmp_platform *p)
{
	switch (p->status) {
	case BL_CMP_ROOTFS_ADDED:
		return bl_strdup("platform added");
	case BL_CMP_ROOTFS_REMOVED:
		return bl_strdup("platform removed");
	case BL_CMP_ROOTFS_UNKNOWN:
		return bl_strdup(
		        "layer ChainIDs unknown (a manifest or config is missing or unreadable)");
	case BL_CMP_ROOTFS_IDENTICAL:
		if (!p->rootfs_known)
			return bl_strdup(
			        "root filesystems identical (the same manifest; not read, its "
			        "layers unknown)");
		/* No layer, no ChainID to show. */
		if (p->right_layers == 0)
			return bl_strdup("root filesystems identical (no layers)");
		return bl_asprintf("root filesystems identical (%d layer%s, ChainID %s)",
		        p->right_layers, p->right_layers == 1 ? "" : "s", p->right_chain.str);
	case BL_CMP_ROOTFS_DIFFERENT:
	case BL_CMP_ROOTFS_TIMESTAMPS_ONLY:
		break;
	}
	return divergence_words(p);
}

/* ---- summaries of a subtree ---- */

const char *bl_cmp_node_follow_words(const struct bl_cmp_node *n)
{
	if (!n->follows_layers || n->own != BL_CMP_IDENTICAL || n->cls == BL_CMP_IDENTICAL)
		return NULL;
	return "changed only because its layers did (rootfs.diff_ids)";
}

/* A summary that lists no classes: identical, or following the layers. */
static char *plain_words(const struct bl_cmp_node *n)
{
	if (n->cls == BL_CMP_IDENTICAL)
		return bl_strdup("identical");
	const char *w = bl_cmp_node_follow_words(n);
	return w ? bl_strdup(w) : NULL;
}

char *bl_cmp_node_summary(const struct bl_cmp_node *n)
{
	char *plain = plain_words(n);
	if (plain)
		return plain;
	struct bl_buf b;
	bl_buf_init(&b);
	/* The classes present, most fundamental first. */
	bool first = true;
	for (int c = BL_CMP_CLASS_COUNT - 1; c > BL_CMP_IDENTICAL; c--) {
		if (!(n->flags & (1u << c)))
			continue;
		bl_buf_printf(&b, "%s%s", first ? "" : "; ", class_text[c].words);
		first = false;
		if (c == BL_CMP_CONFIG && n->own == BL_CMP_CONFIG && n->fields.len) {
			char *list = cmp_field_list(&n->fields, 0, n->fields.len);
			bl_buf_printf(&b, ": %s", list);
			free(list);
		}
	}
	/* What provenance says made it differ, rather than the class alone. */
	if (n->cause)
		bl_buf_printf(&b, "; why: %s", n->cause);
	return bl_buf_take(&b);
}

static size_t count_own(const struct bl_cmp_node *n, enum bl_cmp_class c)
{
	size_t k = n->own == c ? 1 : 0;
	for (size_t i = 0; i < n->children.len; i++)
		k += count_own(bl_vec_get(&n->children, i), c);
	return k;
}

static const struct bl_cmp_node *own_node(const struct bl_cmp_node *n, enum bl_cmp_class c)
{
	if (n->own == c)
		return n;
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_cmp_node *r = own_node(bl_vec_get(&n->children, i), c);
		if (r)
			return r;
	}
	return NULL;
}

/* Whether every index-only difference under n is an image on one side
 * against an index around it on the other (a manifest paired with an
 * index), so that no attestation or provenance is named where there is
 * none. */
static bool only_wrappers(const struct bl_cmp_node *n)
{
	if (n->own == BL_CMP_INDEX_ONLY &&
	        !(n->left && n->right && n->left->kind != n->right->kind &&
	                (n->left->kind == BL_NODE_INDEX || n->right->kind == BL_NODE_INDEX)))
		return false;
	for (size_t i = 0; i < n->children.len; i++)
		if (!only_wrappers(bl_vec_get(&n->children, i)))
			return false;
	return true;
}

/* Digests that differ with nothing finer to say: what differs, never the
 * bare class name (it read "different: different" after "result:"). On the
 * node itself "differs in mediaType, annotations[...]", above it named
 * ("manifest differs in ..."), or "2 documents differ". The fields that make
 * it different come before the annotations beside them. */
static void describe_different(struct bl_buf *b, const struct bl_cmp_node *n, size_t k)
{
	const struct bl_cmp_node *d = k == 1 ? own_node(n, BL_CMP_DIFFERENT) : NULL;
	if (!d) {
		bl_buf_printf(b, "%zu documents differ", k);
		return;
	}
	if (d != n)
		bl_buf_printf(b, "%s ", bl_node_kind_name(d->kind));
	if (!d->fields.len) {
		bl_buf_puts(b, "digests differ");
		return;
	}
	struct bl_vec order;
	bl_vec_init(&order, NULL);
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < d->fields.len; i++) {
			const char *f = bl_vec_get(&d->fields, i);
			if ((strncmp(f, "annotations", 11) == 0) == (pass == 1))
				bl_vec_push_take(&order, (void *)f);
		}
	}
	char *list = cmp_field_list(&order, 0, order.len);
	bl_buf_printf(b, "differs in %s", list);
	free(list);
	bl_vec_fini(&order);
}

/* One class of a report: "config changed: created", "2 layers added"...
 * `k` counts the nodes below whose own class it is (0: not counted). */
static void describe_class(
        struct bl_buf *b, const struct bl_cmp_node *n, int c, bool alone, size_t k)
{
	const char *s = k != 1 ? "s" : "";
	switch (c) {
	case BL_CMP_ANNOTATIONS:
		bl_buf_puts(b, alone ? "annotations only" : "annotations changed");
		break;
	case BL_CMP_INDEX_ONLY:
		if (only_wrappers(n))
			bl_buf_puts(b, alone ? "index only (an index around the image on one side)"
			                     : "an index around the image on one side");
		else
			bl_buf_puts(b, alone ? "index only (attestations or provenance)"
			                     : "attestations or provenance changed");
		break;
	case BL_CMP_CONFIG: {
		bl_buf_puts(b, alone ? "config only" : "config changed");
		/* The fields, at the top, when one config below says what they are
		 * (the config node's first note names them too). */
		const struct bl_cmp_node *cfg =
		        k == 1 && !n->parent ? own_node(n, BL_CMP_CONFIG) : NULL;
		if (cfg && cfg->fields.len) {
			char *list = cmp_field_list(&cfg->fields, 0, cfg->fields.len);
			bl_buf_printf(b, ": %s", list);
			free(list);
		} else if (k > 1 && !n->parent) {
			bl_buf_printf(b, " (%zu configs)", k);
		}
		break;
	}
	case BL_CMP_RECOMPRESSED:
		if (k)
			bl_buf_printf(b, "%zu layer%s recompressed (same diff_id)", k, s);
		else
			bl_buf_puts(b, class_text[c].words);
		break;
	case BL_CMP_LAYER_ADDED:
	case BL_CMP_LAYER_REMOVED:
		if (k)
			bl_buf_printf(b, "%zu layer%s %s", k, s,
			        c == BL_CMP_LAYER_ADDED ? "added" : "removed");
		else
			bl_buf_puts(b, class_text[c].words);
		break;
	case BL_CMP_CONTENT:
		if (k)
			bl_buf_printf(b, "%zu layer%s changed content", k, s);
		else
			bl_buf_puts(b, class_text[c].words);
		break;
	case BL_CMP_FORMAT:
		/* With nothing beside it but what a conversion changes, the images
		 * are the same: say so, not only what moved. */
		if (!(n->flags & ~(1u << BL_CMP_FORMAT | 1u << BL_CMP_RECOMPRESSED |
		                         1u << BL_CMP_ANNOTATIONS | 1u << BL_CMP_INDEX_ONLY |
		                         1u << BL_CMP_IDENTICAL)))
			bl_buf_puts(b, "same image in another manifest format");
		else
			bl_buf_puts(b, "manifest format changed");
		break;
	case BL_CMP_DIFFERENT:
		describe_different(b, n, k);
		break;
	default:
		bl_buf_puts(b, class_text[c].words);
		break;
	}
}

char *bl_cmp_node_describe(const struct bl_cmp_node *n)
{
	char *plain = plain_words(n);
	if (plain)
		return plain;
	unsigned present = 0;
	for (int c = BL_CMP_IDENTICAL + 1; c < BL_CMP_CLASS_COUNT; c++)
		if (n->flags & (1u << c))
			present++;
	bool count = n->kind != BL_NODE_LAYER;
	struct bl_buf b;
	bl_buf_init(&b);
	for (int c = BL_CMP_CLASS_COUNT - 1; c > BL_CMP_IDENTICAL; c--) {
		if (!(n->flags & (1u << c)))
			continue;
		if (b.len)
			bl_buf_puts(&b, "; ");
		describe_class(
		        &b, n, c, present == 1, count ? count_own(n, (enum bl_cmp_class)c) : 0);
	}
	return bl_buf_take(&b);
}
