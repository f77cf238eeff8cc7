/* Comparing two builds: see include/bakelens/compare.h.
 *
 * The walk goes down both graphs at once. Each aligned pair becomes a
 * bl_cmp_node whose `own` class says what differs in that node alone; the
 * class of a subtree is the highest class in it, and its flags name every
 * class found, so "config and layer content" can be said of one manifest.
 * A difference is reported where it starts: a manifest whose digest moved
 * because its config moved is not itself "different", its config is.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/compare.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"

#define FIELDS_DEFAULT 64
#define NOTE_VALUE_MAX 72  /* characters of a value quoted in a sentence */
#define NOTE_FIELDS_MAX 24 /* "field: a -> b" sentences per node */
#define LCS_CELLS_MAX (4u << 20)

struct ctx {
	const struct bl_cmp_opts *opts;
	size_t max_fields;
	struct bl_vec *platforms; /* NULL when platform summaries are not wanted */
};

static const struct {
	const char *name;
	const char *words;
} class_text[BL_CMP_CLASS_COUNT] = {
	[BL_CMP_IDENTICAL] = {"identical", "identical"},
	[BL_CMP_ANNOTATIONS] = {"annotations", "annotations only"},
	[BL_CMP_INDEX_ONLY] = {"index-only", "index only (attestations or provenance)"},
	[BL_CMP_CONFIG] = {"config", "config only"},
	[BL_CMP_RECOMPRESSED] = {"layer-recompressed", "layer recompressed (same diff_id)"},
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

/* ---- nodes ---- */

static struct bl_cmp_node *cnode_new(struct bl_cmp_node *parent, const struct bl_node *l,
	const struct bl_node *r, const char *label)
{
	struct bl_cmp_node *n = bl_calloc(1, sizeof *n);
	n->left = l;
	n->right = r;
	n->kind = r ? r->kind : l ? l->kind : BL_NODE_BUILD;
	n->label = bl_strdup(label ? label : r ? r->label : l ? l->label : "?");
	bl_vec_init(&n->notes, free);
	bl_vec_init(&n->fields, free);
	bl_vec_init(&n->children, bl_cmp_node_free);
	n->left_index = n->right_index = -1;
	n->parent = parent;
	if (parent)
		bl_vec_push(&parent->children, n);
	return n;
}

void bl_cmp_node_free(void *p)
{
	struct bl_cmp_node *n = p;
	if (!n)
		return;
	bl_vec_fini(&n->children);
	bl_vec_fini(&n->notes);
	bl_vec_fini(&n->fields);
	free(n->label);
	free(n);
}

static void note(struct bl_cmp_node *n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct bl_cmp_node *n, const char *fmt, ...)
{
	struct bl_buf b;
	bl_buf_init(&b);
	va_list ap;
	va_start(ap, fmt);
	bl_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	bl_vec_push(&n->notes, bl_buf_take(&b));
}

static void set_own(struct bl_cmp_node *n, enum bl_cmp_class c)
{
	if (c > n->own)
		n->own = c;
}

/* The layer classes that move rootfs.diff_ids. */
#define DIFF_ID_CLASSES \
	(1u << BL_CMP_CONTENT | 1u << BL_CMP_LAYER_ADDED | 1u << BL_CMP_LAYER_REMOVED)

/* A config that follows the layers beside it, and is not itself a cause:
 * its class is theirs, as a manifest's is its children's. */
static void take_layer_classes(struct bl_cmp_node *n)
{
	const struct bl_cmp_node *p = n->parent;
	for (size_t i = 0; i < p->children.len; i++) {
		const struct bl_cmp_node *s = bl_vec_get(&p->children, i);
		if (s->kind != BL_NODE_LAYER || !(DIFF_ID_CLASSES & 1u << s->own))
			continue;
		if (s->own > n->cls)
			n->cls = s->own;
		n->flags |= 1u << s->own;
	}
}

/* Class and flags from the node's own class and its children's. A config
 * among the children that follows the layers is brought up to date first:
 * the layers may have been compared (or reclassified) after it. */
static void roll_up(struct bl_cmp_node *n)
{
	n->cls = n->own;
	n->flags = n->own != BL_CMP_IDENTICAL ? 1u << n->own : 0;
	if (n->follows_layers && n->own == BL_CMP_IDENTICAL && n->parent)
		take_layer_classes(n);
	for (size_t i = 0; i < n->children.len; i++) {
		struct bl_cmp_node *c = bl_vec_get(&n->children, i);
		if (c->follows_layers)
			roll_up(c);
		if (c->cls > n->cls)
			n->cls = c->cls;
		n->flags |= c->flags;
	}
}

/* "2 timestamp fields differ (ignored)", "1 timestamp annotation differs
 * (ignored)". */
static void note_ignored(struct bl_cmp_node *n, size_t ignored, const char *what)
{
	if (ignored)
		note(n, "%zu timestamp %s%s differ%s (ignored)", ignored, what, ignored == 1 ? "" : "s",
			ignored == 1 ? "s" : "");
}

static const char *digest_short(const struct bl_digest *d, char *buf, size_t len)
{
	if (!bl_digest_is_set(d)) {
		snprintf(buf, len, "?");
		return buf;
	}
	bl_digest_short(d, buf, len);
	return buf;
}

static bool same_digest(const struct bl_node *l, const struct bl_node *r)
{
	return l->has_desc && r->has_desc && bl_digest_is_set(&l->desc.digest) &&
		bl_digest_equal(&l->desc.digest, &r->desc.digest);
}

/* ---- JSON paths ---- */

static bool ident_key(const char *k)
{
	if (!*k)
		return false;
	for (const char *p = k; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '_'))
			return false;
	}
	return true;
}

static void path_key(struct bl_buf *p, const char *k)
{
	if (ident_key(k)) {
		bl_buf_printf(p, "%s%s", p->len ? "." : "", k);
		return;
	}
	bl_buf_puts(p, "[\"");
	for (const char *c = k; *c; c++) {
		if (*c == '"' || *c == '\\')
			bl_buf_putc(p, '\\');
		bl_buf_putc(p, *c);
	}
	bl_buf_puts(p, "\"]");
}

/* A short rendering of a JSON value for a sentence. */
static char *value_text(const json_t *v)
{
	if (!v)
		return bl_strdup("(absent)");
	char *s;
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

/* A history line as people read it: without the "/bin/sh -c #(nop) " that
 * the classic builder and buildah put before COPY, ENV..., without trailing
 * blanks, and with the content hash in "COPY file:<64 hex> in /x" cut to 12
 * digits like a short digest. Owned by the caller. */
static char *history_words(const char *by)
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
	char *w = history_words(json_string_value(by));
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

struct jdiff {
	struct bl_cmp_node *n;
	const struct ctx *ctx;
	size_t count;        /* differing paths found */
	size_t noted;        /* "field: a -> b" sentences written */
	size_t ignored;      /* timestamps skipped (ignore_timestamps) */
	bool config;         /* a config: timestamps may be ignored, rootfs skipped */
	bool rootfs;         /* config: rootfs differs (follows the layers) */
	const char *const *skip; /* top-level keys not compared, NULL-terminated, or NULL */
	const char *prefix;  /* sentence prefix ("annotation ") */
};

static bool is_timestamp_path(const char *path)
{
	if (strcmp(path, "created") == 0)
		return true;
	/* history[N].created */
	if (strncmp(path, "history[", 8) != 0)
		return false;
	const char *p = path + 8;
	while (*p >= '0' && *p <= '9')
		p++;
	return strcmp(p, "].created") == 0;
}

static void jdiff_record(struct jdiff *d, const char *path, const json_t *a, const json_t *b)
{
	if (d->config && d->ctx->opts && d->ctx->opts->ignore_timestamps && is_timestamp_path(path)) {
		d->ignored++;
		return;
	}
	d->count++;
	if (d->n->fields.len < d->ctx->max_fields)
		bl_vec_push(&d->n->fields, bl_strdup(path));
	if (d->noted < NOTE_FIELDS_MAX && (!a || !json_is_object(a) || !b || !json_is_object(b))) {
		bool hist = d->config && strncmp(path, "history[", 8) == 0;
		char *va = hist ? history_value_text(a) : value_text(a);
		char *vb = hist ? history_value_text(b) : value_text(b);
		note(d->n, "%s%s: %s -> %s", d->prefix ? d->prefix : "", path, va, vb);
		free(va);
		free(vb);
		d->noted++;
	}
}

static bool skipped(const struct jdiff *d, size_t depth, const char *key)
{
	if (depth != 0 || !d->skip)
		return false;
	for (const char *const *s = d->skip; *s; s++)
		if (strcmp(*s, key) == 0)
			return true;
	return false;
}

static void jdiff_walk(struct jdiff *d, struct bl_buf *path, size_t depth, const json_t *a,
	const json_t *b)
{
	if (a && b && json_equal((json_t *)a, (json_t *)b))
		return;
	size_t mark = path->len;
	if (depth == 0 && d->config && !json_is_object(a) && !json_is_object(b)) {
		jdiff_record(d, "(document)", a, b);
		return;
	}
	if (json_is_object(a) && json_is_object(b)) {
		const char *k;
		json_t *va;
		json_object_foreach((json_t *)a, k, va) {
			if (skipped(d, depth, k))
				continue;
			if (depth == 0 && d->config && strcmp(k, "rootfs") == 0) {
				if (!json_equal(va, json_object_get(b, "rootfs")))
					d->rootfs = true;
				continue;
			}
			path_key(path, k);
			jdiff_walk(d, path, depth + 1, va, json_object_get(b, k));
			path->len = mark;
			path->data[mark] = '\0';
		}
		json_t *vb;
		json_object_foreach((json_t *)b, k, vb) {
			if (json_object_get(a, k) || skipped(d, depth, k))
				continue;
			if (depth == 0 && d->config && strcmp(k, "rootfs") == 0) {
				d->rootfs = true;
				continue;
			}
			path_key(path, k);
			jdiff_record(d, bl_buf_str(path), NULL, vb);
			path->len = mark;
			path->data[mark] = '\0';
		}
		return;
	}
	if (json_is_array(a) && json_is_array(b)) {
		size_t na = json_array_size(a), nb = json_array_size(b);
		for (size_t i = 0; i < na || i < nb; i++) {
			bl_buf_printf(path, "[%zu]", i);
			jdiff_walk(d, path, depth + 1, i < na ? json_array_get(a, i) : NULL,
				i < nb ? json_array_get(b, i) : NULL);
			path->len = mark;
			path->data[mark] = '\0';
		}
		return;
	}
	jdiff_record(d, path->len ? bl_buf_str(path) : "(document)", a, b);
}

/* Record the JSON paths where a and b differ on n; returns how many. */
static size_t json_diff(struct bl_cmp_node *n, const struct ctx *ctx, const json_t *a,
	const json_t *b, const char *const *skip, const char *prefix, bool config, bool *rootfs,
	size_t *ignored)
{
	struct jdiff d = {.n = n, .ctx = ctx, .config = config, .skip = skip, .prefix = prefix};
	struct bl_buf path;
	bl_buf_init(&path);
	jdiff_walk(&d, &path, 0, a, b);
	bl_buf_fini(&path);
	if (rootfs)
		*rootfs = d.rootfs;
	if (ignored)
		*ignored = d.ignored;
	return d.count;
}

/* The fields (from `first`) as "a, b, c (and N more)". */
static char *field_list(const struct bl_cmp_node *n, size_t first, size_t total)
{
	struct bl_buf b;
	bl_buf_init(&b);
	size_t shown = 0;
	for (size_t i = first; i < n->fields.len && shown < 6; i++, shown++)
		bl_buf_printf(&b, "%s%s", shown ? ", " : "", (const char *)bl_vec_get(&n->fields, i));
	if (total > shown)
		bl_buf_printf(&b, " (and %zu more)", total - shown);
	return bl_buf_take(&b);
}

/* The annotation keys that hold a time (of the keys the OCI image spec
 * defines, only "created" does). */
static bool is_timestamp_annotation(const char *key)
{
	return strcmp(key, "org.opencontainers.image.created") == 0;
}

/* Descriptor annotations: the parent's document carries them, but they are
 * shown on the node they describe. Keys are named as they are. */
static void annotations_diff(struct bl_cmp_node *n, const struct ctx *ctx, const json_t *a,
	const json_t *b)
{
	if (a && !json_is_object(a))
		a = NULL;
	if (b && !json_is_object(b))
		b = NULL;
	if ((!a && !b) || (a && b && json_equal((json_t *)a, (json_t *)b)))
		return;
	json_t *empty = json_object();
	const json_t *sides[2] = {a ? a : empty, b ? b : empty};
	size_t found = 0, ignored = 0;
	for (int s = 0; s < 2; s++) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)sides[s], k, v) {
			json_t *va = json_object_get(sides[0], k), *vb = json_object_get(sides[1], k);
			if (s == 1 && va)
				continue; /* seen from the left */
			if (va && vb && json_equal(va, vb))
				continue;
			if (ctx->opts->ignore_timestamps && is_timestamp_annotation(k)) {
				ignored++;
				continue;
			}
			found++;
			struct bl_buf path;
			bl_buf_init(&path);
			bl_buf_puts(&path, "annotations");
			path_key(&path, k);
			if (n->fields.len < ctx->max_fields)
				bl_vec_push(&n->fields, bl_buf_take(&path));
			bl_buf_fini(&path);
			if (found <= NOTE_FIELDS_MAX) {
				char *ta = value_text(va), *tb = value_text(vb);
				note(n, "annotation %s: %s -> %s", k, ta, tb);
				free(ta);
				free(tb);
			}
		}
	}
	json_decref(empty);
	if (found)
		set_own(n, BL_CMP_ANNOTATIONS);
	note_ignored(n, ignored, "annotation");
}

static void compare_desc_annotations(struct bl_cmp_node *n, const struct ctx *ctx)
{
	annotations_diff(n, ctx, n->left->has_desc ? n->left->desc.annotations : NULL,
		n->right->has_desc ? n->right->desc.annotations : NULL);
}

/* ---- alignment ---- */

static bool key_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static size_t flush_gap(const int *gl, size_t ngl, const int *gr, size_t ngr, int *pl, int *pr,
	bool *matched, size_t k)
{
	size_t both = ngl < ngr ? ngl : ngr;
	for (size_t x = 0; x < both; x++, k++) {
		pl[k] = gl[x];
		pr[k] = gr[x];
		if (matched)
			matched[k] = false;
	}
	for (size_t x = both; x < ngl; x++, k++) {
		pl[k] = gl[x];
		pr[k] = -1;
		if (matched)
			matched[k] = false;
	}
	for (size_t x = both; x < ngr; x++, k++) {
		pl[k] = -1;
		pr[k] = gr[x];
		if (matched)
			matched[k] = false;
	}
	return k;
}

size_t bl_cmp_align(const char *const *left, size_t nl, const char *const *right, size_t nr,
	int *pl, int *pr, bool *matched)
{
	size_t k = 0;
	size_t w = nr + 1;
	int *gl = bl_calloc(nl + 1, sizeof *gl);
	int *gr = bl_calloc(nr + 1, sizeof *gr);
	size_t ngl = 0, ngr = 0;
	unsigned *dp = NULL;
	if ((nl + 1) * w <= LCS_CELLS_MAX) {
		/* dp[i][j]: LCS length of left[i..] and right[j..]. */
		dp = bl_calloc((nl + 1) * w, sizeof *dp);
		for (size_t i = nl; i-- > 0;) {
			for (size_t j = nr; j-- > 0;) {
				if (key_eq(left[i], right[j]))
					dp[i * w + j] = dp[(i + 1) * w + j + 1] + 1;
				else {
					unsigned down = dp[(i + 1) * w + j], across = dp[i * w + j + 1];
					dp[i * w + j] = down >= across ? down : across;
				}
			}
		}
	}
	size_t i = 0, j = 0;
	while (i < nl && j < nr) {
		bool take = dp ? key_eq(left[i], right[j]) && dp[i * w + j] == dp[(i + 1) * w + j + 1] + 1
			: key_eq(left[i], right[j]);
		if (take) {
			k = flush_gap(gl, ngl, gr, ngr, pl, pr, matched, k);
			ngl = ngr = 0;
			pl[k] = (int)i;
			pr[k] = (int)j;
			if (matched)
				matched[k] = true;
			k++;
			i++;
			j++;
		} else if (!dp) {
			/* Too large for a table: position only. */
			gl[ngl++] = (int)i++;
			gr[ngr++] = (int)j++;
		} else if (dp[(i + 1) * w + j] >= dp[i * w + j + 1]) {
			gl[ngl++] = (int)i++;
		} else {
			gr[ngr++] = (int)j++;
		}
	}
	while (i < nl)
		gl[ngl++] = (int)i++;
	while (j < nr)
		gr[ngr++] = (int)j++;
	k = flush_gap(gl, ngl, gr, ngr, pl, pr, matched, k);
	free(dp);
	free(gl);
	free(gr);
	return k;
}

/* Align by key (first occurrence wins), unmatched keep their order. Used for
 * targets, platforms and statements, where order carries no meaning. */
struct pairing {
	size_t n;
	int *l, *r;
};

static void pair_by_key(const char *const *lk, size_t nl, const char *const *rk, size_t nr,
	struct pairing *out)
{
	out->l = bl_calloc(nl + nr + 1, sizeof *out->l);
	out->r = bl_calloc(nl + nr + 1, sizeof *out->r);
	out->n = 0;
	bool *used = bl_calloc(nr + 1, sizeof *used);
	for (size_t i = 0; i < nl; i++) {
		int m = -1;
		for (size_t j = 0; j < nr && m < 0; j++)
			if (!used[j] && key_eq(lk[i], rk[j]))
				m = (int)j;
		if (m >= 0)
			used[m] = true;
		out->l[out->n] = (int)i;
		out->r[out->n] = m;
		out->n++;
	}
	for (size_t j = 0; j < nr; j++) {
		if (used[j])
			continue;
		out->l[out->n] = -1;
		out->r[out->n] = (int)j;
		out->n++;
	}
	free(used);
}

/* When exactly one entry on each side is unmatched, pair them: the same
 * image under two names (two bare sources with different tags). */
static void pair_lone_leftovers(struct pairing *p, const struct bl_node *l,
	const struct bl_node *r)
{
	int lonely_l = -1, lonely_r = -1;
	size_t nl = 0, nr = 0;
	for (size_t k = 0; k < p->n; k++) {
		if (p->r[k] < 0) {
			nl++;
			lonely_l = (int)k;
		}
		if (p->l[k] < 0) {
			nr++;
			lonely_r = (int)k;
		}
	}
	if (nl != 1 || nr != 1)
		return;
	const struct bl_node *a = bl_vec_get(&l->children, (size_t)p->l[lonely_l]);
	const struct bl_node *b = bl_vec_get(&r->children, (size_t)p->r[lonely_r]);
	if (a->kind != b->kind)
		return;
	p->r[lonely_l] = p->r[lonely_r];
	for (size_t k = (size_t)lonely_r; k + 1 < p->n; k++) {
		p->l[k] = p->l[k + 1];
		p->r[k] = p->r[k + 1];
	}
	p->n--;
}

static void pairing_fini(struct pairing *p)
{
	free(p->l);
	free(p->r);
}

/* ---- the walk ---- */

static void compare_pair(struct bl_cmp_node *n, const struct ctx *ctx);

static bool is_attestation(const struct bl_node *n)
{
	return n->kind == BL_NODE_ATTESTATION;
}

static char *platform_key(const struct bl_node *n)
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
			return var ? bl_asprintf("%s/%s/%s", os, arch, var) : bl_asprintf("%s/%s", os, arch);
		}
	}
	return NULL;
}

/* Keys for children of an index: the platform for images, the label for
 * attestations ("attestation for linux/amd64") and everything else; a
 * repeated key gets "#2", "#3"... */
static char **index_keys(const struct bl_node *ix)
{
	size_t n = ix->children.len;
	char **keys = bl_calloc(n + 1, sizeof *keys);
	for (size_t i = 0; i < n; i++) {
		const struct bl_node *c = bl_vec_get(&ix->children, i);
		char *k = is_attestation(c) ? NULL : platform_key(c);
		if (!k)
			k = bl_asprintf("%s:%s", bl_node_kind_name(c->kind), c->label ? c->label : "");
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

static void free_keys(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
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
	const char *where = left ? "only in the left build" : "only in the right build";
	if (is_attestation(x) || x->kind == BL_NODE_STATEMENT || x->kind == BL_NODE_INFO) {
		set_own(n, BL_CMP_INDEX_ONLY);
		note(n, "%s %s", x->label, where);
	} else if (in_index && image_like(x)) {
		set_own(n, left ? BL_CMP_PLATFORM_REMOVED : BL_CMP_PLATFORM_ADDED);
		note(n, "platform %s %s", x->label, left ? "removed" : "added");
	} else {
		set_own(n, left ? BL_CMP_ONLY_LEFT : BL_CMP_ONLY_RIGHT);
		note(n, "%s %s %s", bl_node_kind_name(x->kind), x->label, where);
	}
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

static void compare_children_by_key(struct bl_cmp_node *n, const struct ctx *ctx,
	const struct bl_node *l, const struct bl_node *r, bool in_index, bool lone_pairing)
{
	size_t nl = l->children.len, nr = r->children.len;
	char **lk = in_index ? index_keys(l) : bl_calloc(nl + 1, sizeof *lk);
	char **rk = in_index ? index_keys(r) : bl_calloc(nr + 1, sizeof *rk);
	if (!in_index) {
		for (size_t i = 0; i < nl; i++)
			lk[i] = child_key(bl_vec_get(&l->children, i));
		for (size_t i = 0; i < nr; i++)
			rk[i] = child_key(bl_vec_get(&r->children, i));
	}
	struct pairing p;
	pair_by_key((const char *const *)lk, nl, (const char *const *)rk, nr, &p);
	if (lone_pairing)
		pair_lone_leftovers(&p, l, r);
	for (size_t k = 0; k < p.n; k++) {
		const struct bl_node *a = p.l[k] >= 0 ? bl_vec_get(&l->children, (size_t)p.l[k]) : NULL;
		const struct bl_node *b = p.r[k] >= 0 ? bl_vec_get(&r->children, (size_t)p.r[k]) : NULL;
		struct bl_cmp_node *c = cnode_new(n, a, b, NULL);
		if (a && b) {
			if (a->label && b->label && strcmp(a->label, b->label) != 0 && lone_pairing)
				note(c, "names differ: %s (left) and %s (right)", a->label, b->label);
			compare_pair(c, ctx);
		} else {
			one_sided(c, in_index);
			if (in_index)
				platform_one_sided(c, ctx);
			roll_up(c);
		}
	}
	pairing_fini(&p);
	free_keys(lk, nl);
	free_keys(rk, nr);
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
		if (x->status == BL_STATUS_OK && (x->doc || x->kind == BL_NODE_LAYER ||
			x->kind == BL_NODE_BLOB))
			continue;
		if (x->status == BL_STATUS_OK && !x->has_desc)
			continue;
		note(n, "cannot compare: %s %s is %s%s%s", names[i], bl_node_kind_name(x->kind),
			bl_node_status_name(x->status), x->status_msg ? ": " : "",
			x->status_msg ? x->status_msg : "");
		bad = true;
	}
	if (bad)
		set_own(n, BL_CMP_UNKNOWN);
	return bad;
}

/* The own part of an index or manifest document: everything but the lists
 * whose entries are compared as children. */
static void compare_doc_rest(struct bl_cmp_node *n, const struct ctx *ctx,
	const char *const *skip)
{
	if (!n->left->doc || !n->right->doc)
		return;
	annotations_diff(n, ctx, json_object_get(n->left->doc, "annotations"),
		json_object_get(n->right->doc, "annotations"));
	size_t first = n->fields.len;
	size_t cnt = json_diff(n, ctx, n->left->doc, n->right->doc, skip, NULL, false, NULL, NULL);
	if (!cnt)
		return;
	bool only_ann = true;
	for (size_t i = first; i < n->fields.len; i++) {
		const char *f = bl_vec_get(&n->fields, i);
		if (strncmp(f, "annotations", 11) != 0)
			only_ann = false;
	}
	if (n->fields.len - first < cnt)
		only_ann = false; /* not every path was kept: be conservative */
	set_own(n, only_ann ? BL_CMP_ANNOTATIONS : BL_CMP_DIFFERENT);
}

/* Descend through indexes that only wrap another index (BuildKit's OCI
 * export: index.json -> index -> manifests). */
static const struct bl_node *platform_index(const struct bl_node *n)
{
	while (n->kind == BL_NODE_INDEX && n->children.len == 1) {
		const struct bl_node *c = bl_vec_get(&n->children, 0);
		if (c->kind != BL_NODE_INDEX)
			break;
		n = c;
	}
	return n;
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
	compare_children_by_key(n, ctx, platform_index(l), platform_index(r), true, false);
}

/* A single manifest on one side, an index on the other: line the manifest
 * up with the index entry of its platform. */
static void compare_manifest_index(struct bl_cmp_node *n, const struct ctx *ctx)
{
	bool left_is_index = n->left->kind == BL_NODE_INDEX;
	const struct bl_node *ix = platform_index(left_is_index ? n->left : n->right);
	const struct bl_node *m = left_is_index ? n->right : n->left;
	char *want = platform_key(m);
	note(n, "the %s side is a single manifest (%s), the %s side an index of %zu entries",
		left_is_index ? "right" : "left", want ? want : "platform unknown",
		left_is_index ? "left" : "right", ix->children.len);
	/* The images below say what differs; the wrapping itself is an index matter. */
	set_own(n, BL_CMP_INDEX_ONLY);
	char **keys = index_keys(ix);
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
			struct bl_cmp_node *p = left_is_index ? cnode_new(n, c, m, NULL)
				: cnode_new(n, m, c, NULL);
			compare_pair(p, ctx);
		} else {
			struct bl_cmp_node *p = left_is_index ? cnode_new(n, c, NULL, NULL)
				: cnode_new(n, NULL, c, NULL);
			one_sided(p, true);
			platform_one_sided(p, ctx);
			roll_up(p);
		}
	}
	free_keys(keys, ix->children.len);
	free(want);
	if (match < 0) {
		struct bl_cmp_node *p = left_is_index ? cnode_new(n, NULL, m, NULL)
			: cnode_new(n, m, NULL, NULL);
		one_sided(p, true);
		roll_up(p);
	}
}

/* ---- manifests, layers, configs ---- */

static bool is_config_child(const struct bl_node *c)
{
	return c->kind == BL_NODE_CONFIG || (c->label && strncmp(c->label, "config", 6) == 0);
}

struct parts {
	const struct bl_node *config;
	struct bl_vec layers;     /* const struct bl_node *, borrowed */
	struct bl_vec statements; /* borrowed */
};

static void split_manifest(const struct bl_node *m, struct parts *p)
{
	p->config = NULL;
	bl_vec_init(&p->layers, NULL);
	bl_vec_init(&p->statements, NULL);
	for (size_t i = 0; i < m->children.len; i++) {
		struct bl_node *c = bl_vec_get(&m->children, i);
		if (!p->config && is_config_child(c))
			p->config = c;
		else if (c->kind == BL_NODE_STATEMENT)
			bl_vec_push(&p->statements, c);
		else
			bl_vec_push(&p->layers, c);
	}
}

static void parts_fini(struct parts *p)
{
	bl_vec_fini(&p->layers);
	bl_vec_fini(&p->statements);
}

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
	return bl_compression_name(n->layer ? n->layer->comp
		: bl_mediatype_compression(n->has_desc ? n->desc.media_type : NULL));
}

static void compare_layer_pair(struct bl_cmp_node *n, bool matched)
{
	const struct bl_node *a = n->left, *b = n->right;
	char s1[32], s2[32], s3[32];
	if (same_digest(a, b))
		return;
	bool both_diff = a->layer && a->layer->has_diff_id && b->layer && b->layer->has_diff_id;
	if (both_diff && bl_digest_equal(&a->layer->diff_id, &b->layer->diff_id)) {
		set_own(n, BL_CMP_RECOMPRESSED);
		note(n, "same content (diff_id %s), compressed differently: %s %s -> %s %s",
			digest_short(&a->layer->diff_id, s1, sizeof s1), comp_name(a),
			digest_short(&a->desc.digest, s2, sizeof s2), comp_name(b),
			digest_short(&b->desc.digest, s3, sizeof s3));
		return;
	}
	if (both_diff) {
		set_own(n, BL_CMP_CONTENT);
		note(n, "content changed: diff_id %s -> %s",
			digest_short(&a->layer->diff_id, s1, sizeof s1),
			digest_short(&b->layer->diff_id, s2, sizeof s2));
		char *cl = a->layer->created_by ? history_words(a->layer->created_by) : NULL;
		char *cr = b->layer->created_by ? history_words(b->layer->created_by) : NULL;
		if (cr && cl && strcmp(cl, cr) != 0)
			note(n, "made by: %s -> %s", cl, cr);
		else if (cr || cl)
			note(n, "made by: %s", cr ? cr : cl);
		free(cl);
		free(cr);
		return;
	}
	/* Without diff_ids (no config): an uncompressed blob's digest is its diff_id. */
	if (matched) {
		return;
	}
	bool raw = a->kind == BL_NODE_LAYER && b->kind == BL_NODE_LAYER &&
		strcmp(comp_name(a), "none") == 0 && strcmp(comp_name(b), "none") == 0;
	if (raw) {
		set_own(n, BL_CMP_CONTENT);
		note(n, "content changed: uncompressed blob %s -> %s",
			digest_short(&a->desc.digest, s1, sizeof s1), digest_short(&b->desc.digest, s2, sizeof s2));
		return;
	}
	set_own(n, a->kind == BL_NODE_LAYER ? BL_CMP_UNKNOWN : BL_CMP_DIFFERENT);
	note(n, "blob %s -> %s%s", digest_short(&a->desc.digest, s1, sizeof s1),
		digest_short(&b->desc.digest, s2, sizeof s2),
		a->kind == BL_NODE_LAYER ? ": no diff_id (config unreadable), content or compression unknown"
			: "");
}

static void compare_layers(struct bl_cmp_node *n, const struct parts *lp, const struct parts *rp)
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
		const struct bl_node *a = pl[k] >= 0 ? bl_vec_get(&lp->layers, (size_t)pl[k]) : NULL;
		const struct bl_node *b = pr[k] >= 0 ? bl_vec_get(&rp->layers, (size_t)pr[k]) : NULL;
		struct bl_cmp_node *c = cnode_new(n, a, b, NULL);
		c->left_index = pl[k];
		c->right_index = pr[k];
		if (a && b && pl[k] != pr[k]) {
			free(c->label);
			c->label = bl_asprintf("layer %d/%zu <> %d/%zu", pl[k] + 1, nl, pr[k] + 1, nr);
		}
		if (a && b) {
			compare_layer_pair(c, m[k]);
		} else {
			const struct bl_node *x = a ? a : b;
			int pos = a ? pl[k] : pr[k];
			char *by = x->layer && x->layer->created_by ? history_words(x->layer->created_by)
				: NULL;
			set_own(c, a ? BL_CMP_LAYER_REMOVED : BL_CMP_LAYER_ADDED);
			note(c, "layer %s %s %d of %zu%s%s", a ? "removed:" : "added:", a ? "was" : "at",
				pos + 1, a ? nl : nr, by ? ": " : "", by ? by : "");
			free(by);
		}
		roll_up(c);
	}
	free(pl);
	free(pr);
	free(m);
	free(lk);
	free(rk);
}

/* Put `s` (taken) before the node's other notes: the summary comes first. */
static void note_first_take(struct bl_cmp_node *n, char *s)
{
	bl_vec_push(&n->notes, NULL);
	memmove(n->notes.items + 1, n->notes.items, (n->notes.len - 1) * sizeof *n->notes.items);
	n->notes.items[0] = s;
}

/* Attestation statements and build information: any field that differs makes
 * the node "index only", summed up as "<label> <verb>: <fields>". */
static void diff_documents(struct bl_cmp_node *n, const struct ctx *ctx, const char *verb)
{
	size_t cnt = json_diff(n, ctx, n->left->doc, n->right->doc, NULL, NULL, false, NULL, NULL);
	if (!cnt)
		return;
	set_own(n, BL_CMP_INDEX_ONLY);
	char *list = field_list(n, 0, cnt);
	note_first_take(n, bl_asprintf("%s %s: %s", n->label, verb, list));
	free(list);
}

static void compare_config(struct bl_cmp_node *n, const struct ctx *ctx)
{
	if (same_digest(n->left, n->right) || unreadable(n))
		return;
	bool rootfs = false;
	size_t ignored = 0;
	size_t cnt = json_diff(n, ctx, n->left->doc, n->right->doc, NULL, NULL,
		n->left->kind == BL_NODE_CONFIG, &rootfs, &ignored);
	/* Two configs compared alone have no layers beside them to be the cause:
	 * then the diff_ids are a difference of the config's own. */
	if (rootfs && !n->parent) {
		if (n->fields.len < ctx->max_fields)
			bl_vec_push(&n->fields, bl_strdup("rootfs.diff_ids"));
		cnt++;
	}
	if (cnt) {
		set_own(n, BL_CMP_CONFIG);
		char *list = field_list(n, 0, cnt);
		/* First sentence: the summary, before the per-field ones. */
		note_first_take(n, bl_asprintf("config differs in %s", list));
		free(list);
	}
	if (rootfs && n->parent) {
		/* roll_up gives it the layers' classes while it is no cause itself. */
		n->follows_layers = true;
		note(n, "rootfs.diff_ids differ (follows the layers)");
	}
	note_ignored(n, ignored, "field");
}

static void compare_statement(struct bl_cmp_node *n, const struct ctx *ctx)
{
	if (same_digest(n->left, n->right) || unreadable(n))
		return;
	diff_documents(n, ctx, "statement differs");
}

static const struct bl_cmp_node *ancestor_target(const struct bl_cmp_node *n)
{
	for (; n; n = n->parent)
		if (n->kind == BL_NODE_TARGET)
			return n;
	return NULL;
}

static bool final_chain(const struct parts *p, struct bl_digest *out)
{
	bl_digest_clear(out);
	for (size_t i = 0; i < p->layers.len; i++) {
		const struct bl_node *x = bl_vec_get(&p->layers, i);
		if (!x->layer || !x->layer->has_chain_id)
			return false;
		*out = x->layer->chain_id;
	}
	return true;
}

/* The sentence of a platform whose root filesystems differ: where the cache
 * breaks, and what follows when one side is the other plus layers on top. */
static char *platform_sentence(const struct bl_cmp_platform *s)
{
	size_t i = (size_t)s->first_divergent;
	size_t nl = (size_t)s->left_layers, nr = (size_t)s->right_layers;
	char *by = s->divergent_created_by ? history_words(s->divergent_created_by) : NULL;
	const char *sep = by ? ": " : "", *what = by ? by : "";
	struct bl_buf b;
	bl_buf_init(&b);
	if (i >= nr) {
		/* The right is the left's first layers: nothing to build, less to have. */
		bl_buf_printf(&b, "the right's %zu layer%s %s the left's first %zu; the left has %zu "
			"more (from layer %zu of %zu%s%s)", nr, nr == 1 ? "" : "s", nr == 1 ? "is" : "are",
			nr, nl - nr, i + 1, nl, sep, what);
	} else {
		bl_buf_puts(&b, s->rootfs_timestamps_only ? "root filesystems differ only in file "
			"timestamps (ignored); the cache still breaks at " : "cache breaks at ");
		bl_buf_printf(&b, "layer %zu of %zu%s%s", i + 1, nr, sep, what);
		if (i == nl)
			bl_buf_printf(&b, " (on top of the left's %zu layer%s: %zu added)", nl,
				nl == 1 ? "" : "s", nr - nl);
	}
	if (!s->rootfs_timestamps_only)
		bl_buf_puts(&b, "; root filesystems differ");
	free(by);
	return bl_buf_take(&b);
}

static void add_platform(struct bl_cmp_node *n, const struct ctx *ctx, const struct parts *lp,
	const struct parts *rp)
{
	if (!ctx->platforms)
		return;
	struct bl_cmp_platform *s = bl_calloc(1, sizeof *s);
	const struct bl_cmp_node *t = ancestor_target(n);
	s->target = bl_strdup(t ? t->label : "");
	const struct bl_node *any = n->right ? n->right : n->left;
	char *pk = platform_key(any);
	s->platform = pk ? pk : bl_strdup(n->label);
	s->node = n;
	s->left_layers = lp ? (int)lp->layers.len : -1;
	s->right_layers = rp ? (int)rp->layers.len : -1;
	s->first_divergent = -1;
	bl_vec_push(ctx->platforms, s);
	if (!lp || !rp) {
		s->sentence = bl_asprintf("platform %s", lp ? "removed" : "added");
		return;
	}
	bool lk = final_chain(lp, &s->left_chain), rk = final_chain(rp, &s->right_chain);
	s->rootfs_known = lk && rk;
	s->rootfs_identical = s->rootfs_known && lp->layers.len == rp->layers.len &&
		bl_digest_equal(&s->left_chain, &s->right_chain);
	if (!s->rootfs_known) {
		s->sentence = bl_strdup("layer ChainIDs unknown (a config is missing or unreadable)");
		return;
	}
	size_t nl = lp->layers.len, nr = rp->layers.len;
	size_t i = 0;
	for (; i < nl && i < nr; i++) {
		const struct bl_node *a = bl_vec_get(&lp->layers, i), *b = bl_vec_get(&rp->layers, i);
		if (!bl_digest_equal(&a->layer->chain_id, &b->layer->chain_id))
			break;
	}
	if (i == nl && i == nr) {
		s->sentence = bl_asprintf("root filesystems identical (%zu layer%s, ChainID %s)", nr,
			nr == 1 ? "" : "s", s->right_chain.str);
		return;
	}
	s->first_divergent = (int)i;
	const struct bl_node *at = i < nr ? bl_vec_get(&rp->layers, i) : bl_vec_get(&lp->layers, i);
	if (at->layer && at->layer->created_by)
		s->divergent_created_by = bl_strdup(at->layer->created_by);
	s->sentence = platform_sentence(s);
}

static void platform_one_sided(struct bl_cmp_node *n, const struct ctx *ctx)
{
	const struct bl_node *x = n->left ? n->left : n->right;
	if (x->kind != BL_NODE_MANIFEST)
		return;
	struct parts p;
	split_manifest(x, &p);
	add_platform(n, ctx, n->left ? &p : NULL, n->right ? &p : NULL);
	parts_fini(&p);
}

static void compare_statements(struct bl_cmp_node *n, const struct ctx *ctx,
	const struct parts *lp, const struct parts *rp)
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
	struct pairing p;
	pair_by_key(lk, nl, rk, nr, &p);
	for (size_t k = 0; k < p.n; k++) {
		const struct bl_node *a = p.l[k] >= 0 ? bl_vec_get(&lp->statements, (size_t)p.l[k]) : NULL;
		const struct bl_node *b = p.r[k] >= 0 ? bl_vec_get(&rp->statements, (size_t)p.r[k]) : NULL;
		struct bl_cmp_node *c = cnode_new(n, a, b, NULL);
		if (a && b) {
			compare_pair(c, ctx);
		} else {
			one_sided(c, false);
			roll_up(c);
		}
	}
	pairing_fini(&p);
	free(lk);
	free(rk);
}

static void compare_manifest(struct bl_cmp_node *n, const struct ctx *ctx)
{
	struct parts lp, rp;
	split_manifest(n->left, &lp);
	split_manifest(n->right, &rp);
	if (!same_digest(n->left, n->right) && !unreadable(n)) {
		static const char *const skip[] = {"config", "layers", "subject", "annotations", NULL};
		compare_doc_rest(n, ctx, skip);
	}
	if (lp.config || rp.config) {
		struct bl_cmp_node *c = cnode_new(n, lp.config, rp.config, "config");
		if (lp.config && rp.config)
			compare_pair(c, ctx);
		else {
			one_sided(c, false);
			roll_up(c);
		}
	}
	compare_layers(n, &lp, &rp);
	compare_statements(n, ctx, &lp, &rp);
	if (n->kind == BL_NODE_MANIFEST && n->left->kind == BL_NODE_MANIFEST)
		add_platform(n, ctx, &lp, &rp);
	parts_fini(&lp);
	parts_fini(&rp);
}

static void compare_info(struct bl_cmp_node *n, const struct ctx *ctx)
{
	if (!n->left->doc || !n->right->doc) {
		if (n->left->doc || n->right->doc) {
			set_own(n, BL_CMP_INDEX_ONLY);
			note(n, "%s present on one side only", n->label);
		}
		return;
	}
	diff_documents(n, ctx, "differs");
}

static void compare_target(struct bl_cmp_node *n, const struct ctx *ctx)
{
	const struct bl_node *lr = find_target_root(n->left), *rr = find_target_root(n->right);
	if (lr || rr) {
		struct bl_cmp_node *c = cnode_new(n, lr, rr, NULL);
		if (lr && rr)
			compare_pair(c, ctx);
		else {
			one_sided(c, false);
			roll_up(c);
		}
	}
	/* Provenance, buildinfo and the other INFO children, by label. */
	struct bl_node li = {.kind = BL_NODE_TARGET}, ri = {.kind = BL_NODE_TARGET};
	bl_vec_init(&li.children, NULL);
	bl_vec_init(&ri.children, NULL);
	for (size_t i = 0; i < n->left->children.len; i++) {
		struct bl_node *x = bl_vec_get(&n->left->children, i);
		if (x != lr)
			bl_vec_push(&li.children, x);
	}
	for (size_t i = 0; i < n->right->children.len; i++) {
		struct bl_node *x = bl_vec_get(&n->right->children, i);
		if (x != rr)
			bl_vec_push(&ri.children, x);
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
	roll_up(n);
}

static void compare_pair(struct bl_cmp_node *n, const struct ctx *ctx)
{
	const struct bl_node *l = n->left, *r = n->right;
	if (l->has_desc && r->has_desc)
		compare_desc_annotations(n, ctx);
	if (l->kind == BL_NODE_MANIFEST && r->kind == BL_NODE_INDEX) {
		compare_manifest_index(n, ctx);
	} else if (l->kind == BL_NODE_INDEX && r->kind == BL_NODE_MANIFEST) {
		compare_manifest_index(n, ctx);
	} else if (l->kind != r->kind && !(is_config_child(l) && is_config_child(r))) {
		if (!same_digest(l, r)) {
			set_own(n, BL_CMP_DIFFERENT);
			note(n, "a %s on the left, a %s on the right", bl_node_kind_name(l->kind),
				bl_node_kind_name(r->kind));
		}
	} else {
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
			if (is_config_child(l) && l->doc && r->doc)
				compare_config(n, ctx);
			else if (!same_digest(l, r)) {
				char s1[32], s2[32];
				set_own(n, BL_CMP_DIFFERENT);
				note(n, "blob %s -> %s", digest_short(&l->desc.digest, s1, sizeof s1),
					digest_short(&r->desc.digest, s2, sizeof s2));
			}
			break;
		}
	}
	/* Everything under an attestation is a difference of the index only. */
	if (n->kind == BL_NODE_ATTESTATION || n->kind == BL_NODE_STATEMENT)
		clamp_index_only(n);
	else
		roll_up(n);
}

static void ctx_init(struct ctx *ctx, const struct bl_cmp_opts *opts, struct bl_vec *platforms)
{
	static const struct bl_cmp_opts defaults = {0};
	ctx->opts = opts ? opts : &defaults;
	ctx->max_fields = ctx->opts->max_fields ? ctx->opts->max_fields : FIELDS_DEFAULT;
	ctx->platforms = platforms;
}

static void platform_free(void *p)
{
	struct bl_cmp_platform *s = p;
	if (!s)
		return;
	free(s->target);
	free(s->platform);
	free(s->divergent_created_by);
	free(s->sentence);
	free(s);
}

struct bl_cmp *bl_cmp_builds(const struct bl_build *left, const struct bl_build *right,
	const struct bl_cmp_opts *opts)
{
	struct bl_cmp *c = bl_calloc(1, sizeof *c);
	c->left = left;
	c->right = right;
	bl_vec_init(&c->platforms, platform_free);
	struct ctx ctx;
	ctx_init(&ctx, opts, &c->platforms);
	c->root = cnode_new(NULL, left->root, right->root, "build");
	compare_pair(c->root, &ctx);
	return c;
}

void bl_cmp_free(struct bl_cmp *c)
{
	if (!c)
		return;
	bl_cmp_node_free(c->root);
	bl_vec_fini(&c->platforms);
	free(c);
}

struct bl_cmp_node *bl_cmp_nodes(const struct bl_node *left, const struct bl_node *right,
	const struct bl_cmp_opts *opts)
{
	struct ctx ctx;
	ctx_init(&ctx, opts, NULL);
	struct bl_cmp_node *n = cnode_new(NULL, left, right, NULL);
	if (left && right) {
		if (left->label && right->label && strcmp(left->label, right->label) != 0) {
			free(n->label);
			n->label = bl_asprintf("%s <> %s", left->label, right->label);
		}
		compare_pair(n, &ctx);
	} else if (left || right) {
		one_sided(n, false);
		roll_up(n);
	}
	return n;
}

void bl_cmp_node_reclassify(struct bl_cmp_node *n, enum bl_cmp_class own, const char *sentence)
{
	n->own = own;
	if (sentence)
		bl_vec_push(&n->notes, bl_strdup(sentence));
	for (; n; n = n->parent)
		roll_up(n);
}

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

bool bl_cmp_is_identical(const struct bl_cmp *c)
{
	return c && c->root && c->root->cls == BL_CMP_IDENTICAL;
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
			char *list = field_list(n, 0, n->fields.len);
			bl_buf_printf(&b, ": %s", list);
			free(list);
		}
	}
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

char *bl_cmp_node_describe(const struct bl_cmp_node *n)
{
	char *plain = plain_words(n);
	if (plain)
		return plain;
	unsigned present = 0;
	for (int c = BL_CMP_IDENTICAL + 1; c < BL_CMP_CLASS_COUNT; c++)
		if (n->flags & (1u << c))
			present++;
	bool alone = present == 1;
	bool count = n->kind != BL_NODE_LAYER;
	struct bl_buf b;
	bl_buf_init(&b);
	for (int c = BL_CMP_CLASS_COUNT - 1; c > BL_CMP_IDENTICAL; c--) {
		if (!(n->flags & (1u << c)))
			continue;
		if (b.len)
			bl_buf_puts(&b, "; ");
		size_t k = count ? count_own(n, (enum bl_cmp_class)c) : 0;
		const char *s = k != 1 ? "s" : "";
		switch (c) {
		case BL_CMP_ANNOTATIONS:
			bl_buf_puts(&b, alone ? "annotations only" : "annotations changed");
			break;
		case BL_CMP_INDEX_ONLY:
			bl_buf_puts(&b, alone ? "index only (attestations or provenance)"
				: "attestations or provenance changed");
			break;
		case BL_CMP_CONFIG:
			bl_buf_puts(&b, alone ? "config only" : "config changed");
			/* The fields, at the top, when one config below says what they are
			 * (the config node's first note names them too). */
			const struct bl_cmp_node *cfg = k == 1 && !n->parent ? own_node(n, BL_CMP_CONFIG)
				: NULL;
			if (cfg && cfg->fields.len) {
				char *list = field_list(cfg, 0, cfg->fields.len);
				bl_buf_printf(&b, ": %s", list);
				free(list);
			} else if (k > 1 && !n->parent) {
				bl_buf_printf(&b, " (%zu configs)", k);
			}
			break;
		case BL_CMP_RECOMPRESSED:
			if (k)
				bl_buf_printf(&b, "%zu layer%s recompressed (same diff_id)", k, s);
			else
				bl_buf_puts(&b, class_text[c].words);
			break;
		case BL_CMP_LAYER_ADDED:
		case BL_CMP_LAYER_REMOVED:
			if (k)
				bl_buf_printf(&b, "%zu layer%s %s", k, s,
					c == BL_CMP_LAYER_ADDED ? "added" : "removed");
			else
				bl_buf_puts(&b, class_text[c].words);
			break;
		case BL_CMP_CONTENT:
			if (k)
				bl_buf_printf(&b, "%zu layer%s changed content", k, s);
			else
				bl_buf_puts(&b, class_text[c].words);
			break;
		default:
			bl_buf_puts(&b, class_text[c].words);
			break;
		}
	}
	return bl_buf_take(&b);
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

void bl_cmp_platforms_refresh(struct bl_cmp *c)
{
	for (size_t i = 0; i < c->platforms.len; i++) {
		struct bl_cmp_platform *p = bl_vec_get(&c->platforms, i);
		if (!p->rootfs_known || p->rootfs_identical || p->first_divergent < 0 ||
			p->left_layers != p->right_layers || !layers_all_identical(p->node))
			continue;
		p->rootfs_timestamps_only = true;
		free(p->sentence);
		p->sentence = platform_sentence(p);
	}
}

/* Depth-first order over the whole tree. */
static const struct bl_cmp_node *dfs_next(const struct bl_cmp_node *n)
{
	if (n->children.len)
		return bl_vec_get(&n->children, 0);
	for (; n->parent; n = n->parent) {
		const struct bl_cmp_node *p = n->parent;
		for (size_t i = 0; i < p->children.len; i++)
			if (bl_vec_get(&p->children, i) == n && i + 1 < p->children.len)
				return bl_vec_get(&p->children, i + 1);
	}
	return NULL;
}

static const struct bl_cmp_node *last_descendant(const struct bl_cmp_node *n)
{
	while (n->children.len)
		n = bl_vec_get(&n->children, n->children.len - 1);
	return n;
}

static const struct bl_cmp_node *dfs_prev(const struct bl_cmp_node *n)
{
	const struct bl_cmp_node *p = n->parent;
	if (!p)
		return NULL;
	for (size_t i = 0; i < p->children.len; i++)
		if (bl_vec_get(&p->children, i) == n)
			return i == 0 ? p : last_descendant(bl_vec_get(&p->children, i - 1));
	return NULL;
}

const struct bl_cmp_node *bl_cmp_next_difference(const struct bl_cmp_node *root,
	const struct bl_cmp_node *from, int dir)
{
	if (!root)
		return NULL;
	const struct bl_cmp_node *n = from;
	if (!n) {
		if (dir < 0)
			n = last_descendant(root);
		else
			n = root;
		if (n->own != BL_CMP_IDENTICAL)
			return n;
	}
	for (;;) {
		n = dir < 0 ? dfs_prev(n) : dfs_next(n);
		if (!n)
			return NULL;
		if (n->own != BL_CMP_IDENTICAL)
			return n;
	}
}
