/* Loading a build from its arguments: see include/bakelens/model.h.
 *
 * An argument whose content is JSON is either a buildx metadata file or a
 * single document (index, manifest, config) opened on its own; anything else
 * is a store (layout, tarball, stdin). Stores are only opened here; the graph
 * is built by graph.c and the metadata read by metadata.c. */
#include "model_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/buf.h"
#include "bakelens/file.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/ref.h"
#include "bakelens/registry.h"
#include "bakelens/text.h"

void model_ctx_init(struct model_ctx *ctx, struct bl_build *b)
{
	ctx->b = b;
	ctx->nodes = 1; /* the BUILD root */
	ctx->capped = false;
	ctx->registry = NULL;
	ctx->cancelled = false;
	ctx->nreferrers_failed = 0;
	ctx->docs = NULL;
	ctx->doc_bytes = 0;
}

/* Registries that send rate-limit headers (Docker Hub) are told about once
 * per load, so that a user sees how many pulls are left before a 429. */
static void report_rate_limits(struct bl_build *b, const struct bl_vec *stores)
{
	for (size_t i = 0; i < stores->len; i++) {
		const struct bl_store *s = bl_vec_get(stores, i);
		const struct bl_store_ratelimit *rl = bl_store_ratelimit(s);
		if (!rl || !rl->present)
			continue;
		char *src = bl_text_safe(s->source);
		char *rem = bl_text_safe(rl->remaining[0] ? rl->remaining : "?");
		char *lim = bl_text_safe(rl->limit[0] ? rl->limit : "?");
		model_message(b, "%s: rate limit: %s remaining of %s", src, rem, lim);
		free(src);
		free(rem);
		free(lim);
	}
}

/* ---- arguments ---- */

static const char *base_name(const char *path)
{
	size_t len = strlen(path);
	while (len > 1 && path[len - 1] == '/')
		len--;
	const char *s = path;
	for (size_t i = 0; i + 1 < len; i++) {
		if (path[i] == '/')
			s = path + i + 1;
	}
	return s;
}

void bl_build_split_side(const char *arg, struct bl_vec *parts)
{
	/* A path is taken whole first: '+' is legal in file names. */
	struct stat st;
	if (!strchr(arg, '+') || stat(arg, &st) == 0) {
		bl_vec_push_take(parts, bl_strdup(arg));
		return;
	}
	for (const char *p = arg;;) {
		const char *plus = strchr(p, '+');
		size_t len = plus ? (size_t)(plus - p) : strlen(p);
		if (len)
			bl_vec_push_take(parts, bl_strndup(p, len));
		if (!plus)
			break;
		p = plus + 1;
	}
}

/* Read `path` into out when it is a regular file whose first non-blank byte
 * opens a JSON object or array. Returns 1 (JSON, read), 0 (not JSON: let the
 * store layer open it), -1 (error in err). */
static int read_json_file(const char *path, struct bl_buf *out, struct bl_error *err)
{
	struct stat st;
	if (strcmp(path, "-") == 0 || stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return 0;
	/* The head decides before the size cap: an archive of any size goes to
	 * the store layer unread. */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0; /* the store layer reports it */
	unsigned char head[64];
	ssize_t n = read(fd, head, sizeof head);
	close(fd);
	if (n <= 0 || !bl_json_looks_like(head, (size_t)n))
		return 0;
	struct bl_error rerr;
	bl_error_clear(&rerr);
	if (bl_file_read(path, BL_JSON_CONFIG_MAX, out, &rerr))
		return 1;
	/* The path is escaped here: bl_file_read names it as given. */
	char *q = bl_text_safe(path);
	if (rerr.code == BL_E_TOO_BIG) {
		bl_fail(err, BL_E_TOO_BIG, "%s: a JSON file over %u bytes", q, BL_JSON_CONFIG_MAX);
	} else {
		errno = rerr.sys_errno;
		bl_fail_errno(err, BL_E_IO, "%s: read", q);
	}
	free(q);
	return -1;
}

/* A document opened on its own: one TARGET with the document as its root. */
static bool add_single_document(struct model_ctx *ctx, const char *path, json_t *doc,
        const struct bl_buf *bytes, struct bl_error *err)
{
	enum bl_node_kind kind = model_doc_kind(doc, NULL);
	/* A document with a schemaVersion but no known shape (schema 1, a
	 * future version) is still shown, as a blob. */
	if (!json_is_object(doc) ||
	        (kind == BL_NODE_BLOB && !json_object_get(doc, "schemaVersion"))) {
		char *q = bl_text_safe(path);
		bl_fail(err, BL_E_FORMAT,
		        "%s: JSON that is neither buildx metadata nor an OCI/Docker index, "
		        "manifest or config",
		        q);
		free(q);
		return false;
	}
	struct bl_node *t = model_node_new(ctx, BL_NODE_TARGET, ctx->b->root, base_name(path));
	if (!t)
		return true;
	struct bl_node *n = model_node_new(ctx, kind, t, bl_node_kind_name(kind));
	if (!n)
		return true;
	n->has_desc = true;
	memset(&n->desc, 0, sizeof n->desc);
	n->desc.size = (int64_t)bytes->len;
	bl_digest_compute(BL_DIGEST_SHA256, bytes->data, bytes->len, &n->desc.digest);
	const char *mt = bl_json_str(doc, "mediaType");
	n->desc.media_type = bl_strdup(mt);
	n->doc = json_incref(doc);
	n->note = bl_strdup("opened as a file: its digest is of the file's bytes");
	model_graph_expand(ctx, n);
	return true;
}

/* True when `src` was taken as a Docker Hub reference only because it names
 * no registry ("alpine", "exmples/out", "old/out:latest"): it may as well
 * be a mistyped path. "docker://..." and "host.tld/..." say what they are. */
static bool maybe_a_path(const char *src)
{
	if (strstr(src, "://"))
		return false;
	const char *slash = strchr(src, '/');
	if (!slash)
		return true;
	size_t n = (size_t)(slash - src);
	return !memchr(src, '.', n) && !memchr(src, ':', n) &&
	       !(n == 9 && !strncmp(src, "localhost", 9));
}

/* Roots sorted by what they point at (digest, media type, size), the named
 * first, then by position. */
struct root_ref {
	const struct bl_store_root *r;
	size_t pos;
};

static int cmp_root_ref(const void *a, const void *b)
{
	const struct root_ref *x = a, *y = b;
	int c = strcmp(x->r->desc.digest.str, y->r->desc.digest.str);
	if (!c)
		c = strcmp(x->r->desc.media_type ? x->r->desc.media_type : "",
		        y->r->desc.media_type ? y->r->desc.media_type : "");
	if (!c)
		c = x->r->desc.size < y->r->desc.size ? -1 : x->r->desc.size > y->r->desc.size;
	if (!c) /* the named ones of an image side by side */
		c = (x->r->name == NULL) - (y->r->name == NULL);
	if (!c)
		c = x->pos < y->pos ? -1 : x->pos > y->pos;
	return c;
}

/* Roots that point at the same image (one digest, media type and size: docker save
 * with two tags, skopeo's --additional-tag, an index.json listing a manifest
 * under two ref.names) are one target. lead[i] gets the position of the first
 * root of i's group, next[i] the position of the group's next root (SIZE_MAX
 * after the last). A root without a name or a valid digest is a group of its
 * own: untagged copies of one descriptor stay apart, as listed. Sorting keeps this n log n for
 * stores with many roots. */
static void group_roots(const struct bl_vec *roots, size_t *lead, size_t *next)
{
	size_t n = roots->len;
	struct root_ref *refs = bl_calloc(n + 1, sizeof *refs);
	for (size_t i = 0; i < n; i++) {
		refs[i].r = bl_vec_get(roots, i);
		refs[i].pos = i;
		lead[i] = i;
		next[i] = SIZE_MAX;
	}
	qsort(refs, n, sizeof *refs, cmp_root_ref);
	for (size_t i = 1; i < n; i++) {
		const struct bl_store_root *a = refs[i - 1].r, *b = refs[i].r;
		if (!a->name || !b->name || !bl_digest_is_set(&b->desc.digest) ||
		        !bl_digest_equal(&a->desc.digest, &b->desc.digest) ||
		        a->desc.size != b->desc.size ||
		        strcmp(a->desc.media_type ? a->desc.media_type : "",
		                b->desc.media_type ? b->desc.media_type : "") != 0)
			continue;
		lead[refs[i].pos] = lead[refs[i - 1].pos];
		next[refs[i - 1].pos] = refs[i].pos;
	}
	free(refs);
}

/* The label of the target of the group that starts at `first`: its names in order, each once,
 * joined by ", " (a reference holds no comma or space), at most
 * LABEL_NAMES_MAX of them then "(and N more)"; "(untagged) <short digest>"
 * when none has a name. */
#define LABEL_NAMES_MAX 16
static char *group_label(const struct bl_vec *roots, const size_t *next, size_t first)
{
	const char *shown[LABEL_NAMES_MAX];
	size_t nshown = 0, more = 0;
	struct bl_buf b;
	bl_buf_init(&b);
	for (size_t i = first; i != SIZE_MAX; i = next[i]) {
		const struct bl_store_root *r = bl_vec_get(roots, i);
		if (!r->name)
			continue;
		bool seen = false;
		for (size_t j = 0; j < nshown && !seen; j++)
			seen = strcmp(shown[j], r->name) == 0;
		if (seen)
			continue;
		if (nshown == LABEL_NAMES_MAX) {
			more++;
			continue;
		}
		shown[nshown++] = r->name;
		bl_buf_printf(&b, "%s%s", b.len ? ", " : "", r->name);
	}
	if (more)
		bl_buf_printf(&b, " (and %zu more)", more);
	if (!b.len) {
		const struct bl_store_root *r = bl_vec_get(roots, first);
		char sh[32];
		bl_digest_short(&r->desc.digest, sh, sizeof sh);
		bl_buf_printf(&b, "(untagged) %s", sh);
	}
	return bl_buf_take(&b);
}

/* The first name in the group that starts at `first`, or NULL. */
static const char *group_name(const struct bl_vec *roots, const size_t *next, size_t first)
{
	for (size_t i = first; i != SIZE_MAX; i = next[i]) {
		const struct bl_store_root *r = bl_vec_get(roots, i);
		if (r->name)
			return r->name;
	}
	return NULL;
}

/* Without metadata: one TARGET per image among the roots of each store. */
static bool add_store_roots(struct model_ctx *ctx, struct bl_store *s, struct bl_error *err)
{
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	if (!bl_store_roots(s, &roots, err)) {
		bl_vec_fini(&roots);
		/* A name that is no file went to Docker Hub: say both. */
		if (bl_store_is_remote(s) && s->source && maybe_a_path(s->source) && err &&
		        err->code != BL_E_CANCELLED) {
			char *q = bl_text_safe(s->source);
			bl_error_prefix(
			        err, "%s: no such file or directory; as an image reference", q);
			free(q);
		}
		return false;
	}
	if (roots.len == 0)
		model_message(ctx->b, "%s: no images in this source", s->source ? s->source : "?");
	size_t *lead = bl_calloc(roots.len + 1, sizeof *lead);
	size_t *next = bl_calloc(roots.len + 1, sizeof *next);
	group_roots(&roots, lead, next);
	for (size_t i = 0; i < roots.len; i++) {
		if (lead[i] != i)
			continue; /* named on its group's target */
		struct bl_store_root *r = bl_vec_get(&roots, i);
		char *label = group_label(&roots, next, i);
		struct bl_node *t = model_node_new(ctx, BL_NODE_TARGET, ctx->b->root, label);
		free(label);
		if (!t)
			break;
		t->name = bl_strdup(group_name(&roots, next, i));
		t->store = s;
		enum bl_media_kind mk = bl_mediatype_kind(r->desc.media_type);
		enum bl_node_kind k = mk == BL_MEDIA_INDEX      ? BL_NODE_INDEX
		                      : mk == BL_MEDIA_MANIFEST ? BL_NODE_MANIFEST
		                                                : BL_NODE_BLOB;
		struct bl_node *n = model_node_new(ctx, k, t, bl_node_kind_name(k));
		if (!n)
			break;
		n->has_desc = true;
		bl_descriptor_copy(&n->desc, &r->desc);
		n->store = s;
		n->synthesised = r->synthesised;
		if (!bl_digest_is_set(&r->desc.digest)) {
			/* an index.json entry that is no valid descriptor: its note
			 * says why (the read would only say "no valid digest") */
			model_node_status(n, BL_STATUS_ERROR, "%s",
			        r->note ? r->note : "not a valid descriptor");
			continue;
		}
		n->note = bl_strdup(r->note);
		model_graph_resolve(ctx, n);
	}
	free(lead);
	free(next);
	bl_vec_fini(&roots);
	return true;
}

static void append_sources(struct bl_buf *out, const struct bl_build *b)
{
	for (size_t i = 0; i < b->stores.len; i++) {
		const struct bl_store *s = bl_vec_get(&b->stores, i);
		if (i)
			bl_buf_puts(out, ", ");
		bl_buf_puts(out, s->source ? s->source : "?");
	}
}

/* The first source (not a registry) that holds `d`. */
static struct bl_store *locate_local(struct model_ctx *ctx, const struct bl_digest *d)
{
	for (size_t i = 0; i < ctx->b->stores.len; i++) {
		struct bl_store *s = bl_vec_get(&ctx->b->stores, i);
		if (!bl_store_is_remote(s) && bl_store_stat(s, d, NULL) != BL_BLOB_MISSING)
			return s;
	}
	return NULL;
}

/* "domain/path" of a registry store's reference, caller owns; NULL. */
static char *store_repository(const struct bl_store *s)
{
	const char *src = s->source ? s->source : "";
	if (strncmp(src, "docker://", 9) == 0)
		src += 9;
	struct bl_ref r;
	if (!bl_ref_parse(src, &r, NULL))
		return NULL;
	char *name = bl_ref_name(&r);
	bl_ref_fini(&r);
	return name;
}

static struct bl_store *find_repository(const struct bl_vec *stores, const char *repo)
{
	for (size_t i = 0; i < stores->len; i++) {
		struct bl_store *s = bl_vec_get(stores, i);
		if (!bl_store_is_remote(s))
			continue;
		char *name = store_repository(s);
		bool same = name && strcmp(name, repo) == 0;
		free(name);
		if (same)
			return s;
	}
	return NULL;
}

/* The registry store for target image `name` pinned at `d`: a registry source
 * given for that repository, or one opened here (one per repository, kept in
 * b->remote). A new store reads its root at once, so that errors (404, auth,
 * offline and not cached) are reported here and the read that follows is
 * served from memory. `pinned` gets "domain/path@digest". */
static struct bl_store *remote_store(struct model_ctx *ctx, const char *name,
        const struct bl_digest *d, char **pinned, struct bl_error *err)
{
	*pinned = NULL;
	struct bl_ref r;
	if (!bl_ref_parse(name, &r, err)) {
		char *q = bl_text_safe(name);
		bl_error_prefix(err, "image.name \"%s\"", q);
		free(q);
		return NULL;
	}
	free(r.tag);
	r.tag = NULL;
	r.digest = *d;
	*pinned = bl_ref_format(&r);
	char *repo = bl_ref_name(&r);
	bl_ref_fini(&r);
	struct bl_store *s = find_repository(&ctx->b->stores, repo);
	if (!s)
		s = find_repository(&ctx->b->remote, repo);
	free(repo);
	if (s)
		return s;
	if (!bl_store_registry_open(*pinned, ctx->registry, &s, err))
		return NULL;
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	bool ok = bl_store_roots(s, &roots, err);
	bl_vec_fini(&roots);
	if (!ok) {
		/* not kept: the next target of this repository tries afresh */
		bl_store_free(s);
		return NULL;
	}
	bl_vec_push_take(&ctx->b->remote, s);
	return s;
}

/* The registry domain of an image name, caller frees; NULL. */
static char *name_domain(const char *name)
{
	struct bl_ref r;
	if (!bl_ref_parse(name, &r, NULL))
		return NULL;
	char *d = bl_strdup(r.domain);
	bl_ref_fini(&r);
	return d;
}

/* Registries that failed with a network error for an earlier target, as
 * "domain\0message" strings: asked once per load, so that 10000 targets on an
 * unreachable registry cost one failure, not 10000. */
static const char *dead_registry(const struct bl_vec *dead, const char *domain)
{
	for (size_t i = 0; domain && i < dead->len; i++) {
		const char *e = bl_vec_get(dead, i);
		if (strcmp(e, domain) == 0)
			return e + strlen(e) + 1;
	}
	return NULL;
}

void model_resolve_targets(struct model_ctx *ctx)
{
	struct bl_vec dead;
	bl_vec_init(&dead, free);
	struct bl_node *root = ctx->b->root;
	for (size_t i = 0; i < root->children.len && !ctx->cancelled; i++) {
		struct bl_node *t = bl_vec_get(&root->children, i);
		if (t->kind != BL_NODE_TARGET || t->children.len == 0)
			continue;
		struct bl_node *n = bl_vec_get(&t->children, 0);
		if (!n->has_desc || n->doc || n->kind == BL_NODE_INFO || n->status != BL_STATUS_OK)
			continue;
		struct bl_store *s = NULL;
		struct bl_error rerr;
		bl_error_clear(&rerr);
		bool tried = false;
		char *pinned = NULL;
		if (ctx->registry && t->name) {
			/* local sources first; then the registry named by image.name */
			s = locate_local(ctx, &n->desc.digest);
			if (!s) {
				tried = true;
				char *dom = name_domain(t->name);
				const char *prev = dead_registry(&dead, dom);
				if (prev) {
					char *q = bl_text_safe(dom);
					bl_fail(&rerr, BL_E_NET,
					        "registry %s not asked again, it failed for an "
					        "earlier target: %s",
					        q, prev);
					free(q);
				} else {
					s = remote_store(
					        ctx, t->name, &n->desc.digest, &pinned, &rerr);
					if (!s && rerr.code == BL_E_NET && dom &&
					        !ctx->registry->offline) {
						size_t dl = strlen(dom), ml = strlen(rerr.msg);
						char *e = bl_malloc(dl + ml + 2);
						memcpy(e, dom, dl + 1);
						memcpy(e + dl + 1, rerr.msg, ml + 1);
						bl_vec_push_take(&dead, e);
					}
				}
				free(dom);
				if (!s && rerr.code == BL_E_CANCELLED) {
					ctx->cancelled = true;
					free(pinned);
					break;
				}
			}
		} else {
			s = model_locate(ctx, NULL, &n->desc.digest);
		}
		if (!s) {
			struct bl_buf msg;
			bl_buf_init(&msg);
			bl_buf_printf(&msg, "%s: not in any source given (", n->desc.digest.str);
			if (ctx->b->stores.len)
				append_sources(&msg, ctx->b);
			else
				bl_buf_puts(&msg, "only the metadata file was given");
			bl_buf_putc(&msg, ')');
			if (tried) {
				bool offline = ctx->registry && ctx->registry->offline;
				bl_buf_printf(&msg, "; %s%s", offline ? "--offline: " : "",
				        rerr.msg[0] ? rerr.msg : bl_status_name(rerr.code));
			}
			free(pinned);
			model_node_status(n, BL_STATUS_UNRESOLVED, "%s", bl_buf_str(&msg));
			if (t->status == BL_STATUS_OK)
				model_node_status(t, BL_STATUS_UNRESOLVED, "%s", bl_buf_str(&msg));
			bl_buf_fini(&msg);
			continue;
		}
		if (pinned && !n->note) {
			char *q = bl_text_safe(pinned);
			n->note =
			        bl_asprintf("from the registry: %s (not in the sources given)", q);
			free(q);
		}
		free(pinned);
		n->store = s;
		t->store = s;
		model_graph_resolve(ctx, n);
	}
	bl_vec_fini(&dead);
}

struct pending_doc {
	char *path;
	json_t *doc;
	struct bl_buf bytes;
};

/* Stores keep the progress callback they were opened with and call it
 * whenever they read, also long after loading (a registry layer listed by
 * ls or the explorer). The caller's callback and its state may be gone by
 * then (a stack frame, a finished loader), so stores get this relay, which
 * the build owns and which stops passing reports on when loading ends. */
struct bl_load_relay {
	bl_progress_fn fn;
	void *ud;
};

static bool relay_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct bl_load_relay *r = ud;
	return r->fn ? r->fn(r->ud, what, done, total) : true;
}

bool bl_build_load(const char *const *args, size_t nargs, const struct bl_source_opts *opts,
        struct bl_build **out, struct bl_error *err)
{
	*out = NULL;
	struct bl_build *b = model_build_new();
	struct model_ctx ctx;
	model_ctx_init(&ctx, b);
	struct pending_doc *docs = bl_calloc(nargs ? nargs : 1, sizeof *docs);
	size_t ndocs = 0;
	bool ok = false;

	if (nargs == 0) {
		bl_fail(err, BL_E_USAGE, "no source given");
		goto done;
	}
	struct bl_source_opts sopts = {0};
	if (opts)
		sopts = *opts;
	b->relay = bl_calloc(1, sizeof *b->relay);
	if (sopts.progress) {
		*b->relay = (struct bl_load_relay){sopts.progress, sopts.progress_ud};
		sopts.progress = relay_progress;
		sopts.progress_ud = b->relay;
	}
	ctx.registry = &sopts;
	for (size_t i = 0; i < nargs; i++) {
		struct bl_buf bytes;
		bl_buf_init(&bytes);
		int r = read_json_file(args[i], &bytes, err);
		if (r < 0) {
			bl_buf_fini(&bytes);
			goto done;
		}
		if (r == 0) {
			bl_buf_fini(&bytes);
			struct bl_store *s = NULL;
			if (!bl_store_open(args[i], &sopts, &s, err))
				goto done;
			bl_vec_push_take(&b->stores, s);
			continue;
		}
		json_t *doc = bl_json_parse(bytes.data, bytes.len, BL_JSON_CONFIG_MAX, err);
		if (!doc) {
			char *q = bl_text_safe(args[i]);
			bl_error_prefix(err, "%s", q);
			free(q);
			bl_buf_fini(&bytes);
			goto done;
		}
		if (model_metadata_sniff_json(doc)) {
			if (b->metadata) {
				char *q = bl_text_safe(args[i]);
				bl_fail(err, BL_E_USAGE,
				        "%s: a second metadata file (give one per build)", q);
				free(q);
				json_decref(doc);
				bl_buf_fini(&bytes);
				goto done;
			}
			b->metadata = doc;
			b->metadata_path = bl_strdup(args[i]);
			bl_buf_fini(&bytes);
			continue;
		}
		docs[ndocs].path = bl_strdup(args[i]);
		docs[ndocs].doc = doc;
		docs[ndocs].bytes = bytes;
		ndocs++;
	}

	if (b->metadata) {
		model_metadata_load(&ctx, b->metadata);
		model_resolve_targets(&ctx);
	}
	for (size_t i = 0; i < ndocs; i++) {
		if (!add_single_document(&ctx, docs[i].path, docs[i].doc, &docs[i].bytes, err))
			goto done;
	}
	if (!b->metadata && ndocs == 0) {
		for (size_t i = 0; i < b->stores.len && !ctx.cancelled; i++) {
			if (!add_store_roots(&ctx, bl_vec_get(&b->stores, i), err))
				goto done;
		}
	}
	if (ctx.cancelled) {
		bl_fail(err, BL_E_CANCELLED, "loading cancelled");
		goto done;
	}
	report_rate_limits(b, &b->stores);
	report_rate_limits(b, &b->remote);

	struct bl_buf label;
	bl_buf_init(&label);
	if (b->metadata_path) {
		char *q = bl_text_safe(base_name(b->metadata_path));
		bl_buf_puts(&label, q);
		free(q);
	} else if (ndocs) {
		for (size_t i = 0; i < ndocs; i++) {
			char *q = bl_text_safe(base_name(docs[i].path));
			bl_buf_printf(&label, "%s%s", i ? ", " : "", q);
			free(q);
		}
	} else {
		append_sources(&label, b);
	}
	free(b->root->label);
	b->root->label = bl_buf_take(&label);
	ok = true;

done:
	if (b->relay)
		b->relay->fn = NULL; /* loading is over: later reads report to no one */
	model_ctx_fini(&ctx);
	for (size_t i = 0; i < ndocs; i++) {
		free(docs[i].path);
		json_decref(docs[i].doc);
		bl_buf_fini(&docs[i].bytes);
	}
	free(docs);
	if (!ok) {
		bl_build_free(b);
		return false;
	}
	*out = b;
	return true;
}

bool bl_metadata_sniff(const void *data, size_t len)
{
	json_t *doc = bl_json_parse(data, len, BL_JSON_CONFIG_MAX, NULL);
	if (!doc)
		return false;
	bool r = model_metadata_sniff_json(doc);
	json_decref(doc);
	return r;
}

/* ---- referrers read after loading ---- */

struct bl_referrers {
	const struct bl_node *subject; /* the node they were read for, borrowed */
	/* Stands in for subject while they are read (its kind, store, digest
	 * and parent), so that the walk makes them under it and never touches
	 * the tree; NULL when there was nothing to read. Owns them. */
	struct bl_node *holder;
	struct bl_vec messages; /* char *: what the walk said */
};

void bl_referrers_free(struct bl_referrers *r)
{
	if (!r)
		return;
	model_node_free(r->holder);
	bl_vec_fini(&r->messages);
	free(r);
}

size_t bl_referrers_count(const struct bl_referrers *r)
{
	return r && r->holder ? r->holder->children.len : 0;
}

bool bl_build_referrers_read(struct bl_build *b, const struct bl_node *n, bl_progress_fn progress,
        void *ud, struct bl_referrers **out, struct bl_error *err)
{
	*out = NULL;
	struct bl_referrers *r = bl_calloc(1, sizeof *r);
	r->subject = n;
	bl_vec_init(&r->messages, free);
	if (!n->referrers_pending) {
		*out = r;
		return true;
	}
	/* The walk's build: b's stores, borrowed (the walk only looks them
	 * up), and messages of its own, handed over when attached. */
	struct bl_build shadow = {.stores = b->stores};
	bl_vec_init(&shadow.messages, free);
	/* Every document the referrers name is read (the load that skipped
	 * them is over). */
	static const struct bl_source_opts all = {0};
	struct model_ctx ctx;
	model_ctx_init(&ctx, &shadow);
	ctx.registry = &all;
	struct bl_node *h = model_node_new(&ctx, n->kind, NULL, n->label);
	h->status = n->status;
	h->store = n->store;
	h->has_desc = n->has_desc;
	if (n->has_desc)
		bl_descriptor_copy(&h->desc, &n->desc);
	h->parent = n->parent; /* walked upwards only (loops, referrers of referrers) */
	/* Stores report to the build's relay: to the caller's callback now. */
	struct bl_load_relay saved = {0};
	if (b->relay) {
		saved = *b->relay;
		*b->relay = (struct bl_load_relay){progress, ud};
	}
	bool ok = model_add_referrers(&ctx, h);
	if (b->relay)
		*b->relay = saved;
	bool cancelled = ctx.cancelled;
	model_ctx_fini(&ctx);
	h->parent = NULL;
	if (ok && !cancelled) {
		r->holder = h;
		bl_vec_fini(&r->messages);
		r->messages = shadow.messages;
		*out = r;
		return true;
	}
	model_node_free(h);
	bl_referrers_free(r);
	if (cancelled) {
		bl_vec_fini(&shadow.messages);
		return bl_fail(err, BL_E_CANCELLED, "%s: referrers: cancelled", n->desc.digest.str);
	}
	const char *why = shadow.messages.len ? bl_vec_get(&shadow.messages, 0) : NULL;
	bl_fail(err, BL_E_NET, "%s", why ? why : "referrers not listed");
	bl_vec_fini(&shadow.messages);
	return false;
}

size_t bl_build_referrers_attach_take(struct bl_build *b, struct bl_node *n, struct bl_referrers *r)
{
	if (!r)
		return 0;
	size_t added = 0;
	if (r->subject == n && r->holder && n->referrers_pending) {
		/* Popped from the end: put back in their order. */
		struct bl_vec *kids = &r->holder->children;
		size_t k = kids->len;
		struct bl_node **tmp = bl_calloc(k ? k : 1, sizeof *tmp);
		for (size_t i = k; i-- > 0;)
			tmp[i] = bl_vec_pop(kids);
		for (size_t i = 0; i < k; i++) {
			tmp[i]->parent = n;
			bl_vec_push_take(&n->children, tmp[i]);
		}
		free(tmp);
		n->referrers_pending = false;
		added = k;
	}
	for (size_t i = 0; i < r->messages.len; i++)
		model_message(b, "%s", (const char *)bl_vec_get(&r->messages, i));
	bl_referrers_free(r);
	return added;
}

bool bl_build_read_referrers(
        struct bl_build *b, struct bl_node *n, size_t *added, struct bl_error *err)
{
	if (added)
		*added = 0;
	struct bl_referrers *r = NULL;
	struct bl_error e = {0};
	if (!bl_build_referrers_read(b, n, NULL, NULL, &r, &e)) {
		if (e.code != BL_E_CANCELLED)
			model_message(b, "%s", e.msg);
		if (err)
			*err = e;
		return false;
	}
	size_t k = bl_build_referrers_attach_take(b, n, r);
	if (added)
		*added = k;
	return true;
}
