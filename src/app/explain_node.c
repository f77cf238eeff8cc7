/* A node explained with its own values, and the commands that check them:
 * see include/bakelens/explain.h.
 *
 * Values from the input (labels, env, paths, names) pass through
 * bl_text_safe before they are written; commands are only made from paths
 * without control characters, so that a pasted command runs what it shows. */
#include "bakelens/explain.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"

#define LISTED_MAX 50 /* children, env entries, labels listed before "..." */

char *bl_explain_shell_quote(const char *s)
{
	bool plain = *s != '\0';
	for (const char *p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || strchr("_./:@%+=,-", *p);
	if (plain)
		return bl_strdup(s);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_putc(&b, '\'');
	for (const char *p = s; *p; p++) {
		if (*p == '\'')
			bl_buf_puts(&b, "'\\''");
		else
			bl_buf_putc(&b, *p);
	}
	bl_buf_putc(&b, '\'');
	return bl_buf_take(&b);
}

/* "2,048" */
static void grouped(int64_t v, char *out, size_t outlen)
{
	char digits[32];
	snprintf(digits, sizeof digits, "%" PRId64, v < 0 ? 0 : v);
	size_t n = strlen(digits), o = 0;
	for (size_t i = 0; i < n && o + 2 < outlen; i++) {
		if (i && (n - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

static void line(struct bl_buf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void line(struct bl_buf *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bl_buf_vprintf(out, fmt, ap);
	va_end(ap);
	bl_buf_putc(out, '\n');
}

/* Input text as one escaped line. */
static char *safe(const char *s)
{
	return bl_text_safe(s ? s : "");
}

static const struct bl_node *ancestor(const struct bl_node *n, enum bl_node_kind kind)
{
	for (; n; n = n->parent)
		if (n->kind == kind)
			return n;
	return NULL;
}

static const struct bl_node *child_of_kind(const struct bl_node *n, enum bl_node_kind kind)
{
	for (size_t i = 0; n && i < n->children.len; i++) {
		const struct bl_node *c = n->children.items[i];
		if (c->kind == kind)
			return c;
	}
	return NULL;
}

/* The layer under `n` in the same manifest, NULL for the bottom one. */
const struct bl_node *bl_explain_layer_below(const struct bl_node *n)
{
	if (!n->layer || n->layer->index <= 0 || !n->parent)
		return NULL;
	for (size_t i = 0; i < n->parent->children.len; i++) {
		const struct bl_node *c = n->parent->children.items[i];
		if (c->kind == BL_NODE_LAYER && c->layer && c->layer->index == n->layer->index - 1)
			return c;
	}
	return NULL;
}

static bool has_digest(const struct bl_node *n)
{
	return n && n->has_desc && bl_digest_is_set(&n->desc.digest);
}

/* "layer 2/3 of linux/amd64", escaped. */
char *bl_explain_title(const struct bl_node *n)
{
	struct bl_platform pf;
	char *plat = n->kind != BL_NODE_TARGET && bl_node_image_platform(n, &pf)
	                     ? bl_platform_format(&pf)
	                     : NULL;
	if (plat)
		bl_platform_fini(&pf);
	const char *label = n->label ? n->label : bl_node_kind_name(n->kind);
	char *t = plat && strcmp(plat, label) != 0 ? bl_asprintf("%s of %s", label, plat)
	                                           : bl_strdup(label);
	char *s = safe(t);
	free(t);
	free(plat);
	return s;
}

/* Where the node's bytes can be read by hand. */
enum where_kind { WHERE_NONE, WHERE_DIR, WHERE_TAR, WHERE_REGISTRY };
struct where {
	enum where_kind kind;
	char *path; /* DIR: the directory holding blobs/; TAR: the file; REGISTRY: repository */
	const char *why; /* WHERE_NONE: why not, static */
};

static bool printable_path(const char *s)
{
	return bl_text_is_safe(s, strlen(s)) && !strpbrk(s, "\n\r\t");
}

/* The path of a store's source: the argument without its transport prefix
 * and ":REF" selector. */
static char *source_path(const struct bl_store *s)
{
	static const char *const prefixes[] = {
	        "oci:", "oci-archive:", "docker-archive:", "content:"};
	const char *src = s->source;
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t pl = strlen(prefixes[i]);
		if (!strncmp(src, prefixes[i], pl)) {
			src += pl;
			break;
		}
	}
	size_t len = strlen(src);
	if (s->ref) {
		size_t rl = strlen(s->ref);
		if (len > rl + 1 && src[len - rl - 1] == ':' && !strcmp(src + len - rl, s->ref))
			len -= rl + 1;
	}
	return bl_strndup(src, len);
}

static void where_of(const struct bl_node *n, struct where *w)
{
	*w = (struct where){.kind = WHERE_NONE, .why = "its source is unknown"};
	const struct bl_store *s = n->store;
	if (!s) {
		for (const struct bl_node *p = n->parent; p && !s; p = p->parent)
			s = p->store;
	}
	if (!s || !s->ops)
		return;
	const char *kind = s->ops->kind;
	struct bl_store_daemon dm;
	if (!strcmp(kind, "registry")) {
		const char *ref = s->source;
		if (!strncmp(ref, "docker://", 9))
			ref += 9;
		/* The repository: the reference without its tag or digest. */
		size_t len = strcspn(ref, "@");
		char *repo = bl_strndup(ref, len);
		char *slash = strrchr(repo, '/');
		char *colon = strrchr(slash ? slash : repo, ':');
		if (colon)
			*colon = '\0';
		w->kind = WHERE_REGISTRY;
		w->path = repo;
	} else if (!strcmp(kind, "oci-dir") || !strcmp(kind, "oci-archive") ||
	           !strcmp(kind, "content")) {
		char *path = source_path(s);
		if (!strcmp(kind, "content")) {
			/* A builder's root holds its store further down. */
			char *at = strrchr(path, '@');
			if (at && bl_digest_is_valid(at + 1))
				*at = '\0';
			char *found = bl_store_content_find(path);
			if (found) {
				free(path);
				path = found;
			}
		}
		w->kind = !strcmp(kind, "oci-archive") ? WHERE_TAR : WHERE_DIR;
		w->path = path;
	} else if (bl_store_daemon_where(s, &dm)) {
		w->why = dm.socket ? "its daemon's socket or image name holds characters a command "
		                     "cannot carry"
		                   : "its daemon is reached through --connect-cmd: run ctr or curl "
		                     "where the daemon's socket is";
	} else if (!strcmp(kind, "stdin")) {
		w->why = "standard input is read once: save it to a file to check it by hand";
	} else {
		w->why = "its blobs are not stored under blobs/sha256/ in this kind of source";
	}
	if (w->path && !printable_path(w->path)) {
		free(w->path);
		w->path = NULL;
		w->kind = WHERE_NONE;
		w->why = "its path holds control characters";
	}
}

/* "DIR/blobs/sha256/<hex>" quoted, or the tar member piped. The command that
 * prints the blob's bytes (cat) or its path (for sha256sum FILE). */
static char *blob_path(const struct where *w, const struct bl_digest *d)
{
	char *p = bl_asprintf(
	        "%s/blobs/%s/%s", w->path, bl_digest_alg_name(d->alg), bl_digest_hex(d));
	char *q = bl_explain_shell_quote(p);
	free(p);
	return q;
}

/* A command printing the blob's bytes on stdout. */
static char *blob_cat(const struct where *w, const struct bl_digest *d)
{
	if (w->kind == WHERE_TAR) {
		char *f = bl_explain_shell_quote(w->path);
		char *s = bl_asprintf(
		        "tar -xOf %s blobs/%s/%s", f, bl_digest_alg_name(d->alg), bl_digest_hex(d));
		free(f);
		return s;
	}
	char *p = blob_path(w, d);
	char *s = bl_asprintf("cat %s", p);
	free(p);
	return s;
}

/* The sha256sum of a blob's bytes. */
static void check_blob_digest(const struct where *w, const struct bl_node *n, struct bl_buf *out)
{
	const struct bl_digest *d = &n->desc.digest;
	if (w->kind == WHERE_DIR) {
		char *p = blob_path(w, d);
		line(out, "$ %ssum %s", bl_digest_alg_name(d->alg), p);
		free(p);
	} else if (w->kind == WHERE_TAR) {
		char *c = blob_cat(w, d);
		line(out, "$ %s | %ssum", c, bl_digest_alg_name(d->alg));
		free(c);
	} else if (w->kind == WHERE_REGISTRY && n->kind != BL_NODE_LAYER &&
	           n->kind != BL_NODE_CONFIG && n->kind != BL_NODE_STATEMENT &&
	           n->kind != BL_NODE_BLOB) {
		char *ref = bl_asprintf("docker://%s@%s", w->path, d->str);
		char *q = bl_explain_shell_quote(ref);
		line(out, "$ skopeo inspect --raw %s | %ssum", q, bl_digest_alg_name(d->alg));
		free(q);
		free(ref);
	} else if (w->kind == WHERE_REGISTRY && n->kind == BL_NODE_CONFIG &&
	           has_digest(n->parent)) {
		char *ref = bl_asprintf("docker://%s@%s", w->path, n->parent->desc.digest.str);
		char *q = bl_explain_shell_quote(ref);
		line(out, "$ skopeo inspect --raw --config %s | %ssum", q,
		        bl_digest_alg_name(d->alg));
		free(q);
		free(ref);
	}
}

/* bakelens digest SRC... --target T [--platform P] [--layer N] --what W */
static void check_bakelens(
        const struct bl_build *b, const struct bl_node *n, const char *what, struct bl_buf *out)
{
	const struct bl_node *t = ancestor(n, BL_NODE_TARGET);
	if (!t || !t->label || !printable_path(t->label))
		return;
	struct bl_buf cmd;
	bl_buf_init(&cmd);
	bl_buf_puts(&cmd, "bakelens digest");
	size_t sources = 0;
	if (b) {
		if (b->metadata_path) {
			if (!printable_path(b->metadata_path))
				goto out;
			char *q = bl_explain_shell_quote(b->metadata_path);
			bl_buf_printf(&cmd, " %s", q);
			free(q);
			sources++;
		}
		for (size_t i = 0; i < b->stores.len; i++) {
			const struct bl_store *s = b->stores.items[i];
			if (!printable_path(s->source) || !strcmp(s->source, "-"))
				goto out;
			char *q = bl_explain_shell_quote(s->source);
			bl_buf_printf(&cmd, " %s", q);
			free(q);
			sources++;
		}
	} else {
		const struct bl_store *s = n->store;
		for (const struct bl_node *p = n; p && !s; p = p->parent)
			s = p->store;
		if (!s || !printable_path(s->source) || !strcmp(s->source, "-"))
			goto out;
		char *q = bl_explain_shell_quote(s->source);
		bl_buf_printf(&cmd, " %s", q);
		free(q);
		sources++;
	}
	if (!sources)
		goto out;
	char *tq = bl_explain_shell_quote(t->label);
	bl_buf_printf(&cmd, " --target %s", tq);
	free(tq);
	struct bl_platform pf;
	if (n->kind != BL_NODE_INDEX && n->kind != BL_NODE_TARGET &&
	        bl_node_image_platform(n, &pf)) {
		char *p = bl_platform_format(&pf);
		bl_platform_fini(&pf);
		char *pq = bl_explain_shell_quote(p);
		bl_buf_printf(&cmd, " --platform %s", pq);
		free(pq);
		free(p);
	}
	if (n->layer) /* --layer counts from 1, as the tree numbers layers */
		bl_buf_printf(&cmd, " --layer %d", n->layer->index + 1);
	bl_buf_printf(&cmd, " --what %s", what);
	line(out, "$ %s", bl_buf_str(&cmd));
out:
	bl_buf_fini(&cmd);
}

static void layer_checks(const struct bl_build *b, const struct where *w, const struct bl_node *n,
        struct bl_buf *out)
{
	check_blob_digest(w, n, out);
	const char *alg = bl_digest_alg_name(n->desc.digest.alg);
	const char *unzip = n->layer->comp == BL_COMP_GZIP   ? "gzip -dc"
	                    : n->layer->comp == BL_COMP_ZSTD ? "zstd -dc"
	                    : n->layer->comp == BL_COMP_NONE ? "cat"
	                                                     : NULL;
	if (unzip && w->kind == WHERE_DIR) {
		char *p = blob_path(w, &n->desc.digest);
		line(out, "$ %s %s | %ssum", unzip, p, alg);
		free(p);
	} else if (unzip && w->kind == WHERE_TAR) {
		char *c = blob_cat(w, &n->desc.digest);
		line(out, "$ %s | %s | %ssum", c, unzip, alg);
		free(c);
	}
	const struct bl_node *config = child_of_kind(n->parent, BL_NODE_CONFIG);
	if (has_digest(config) && (w->kind == WHERE_DIR || w->kind == WHERE_TAR)) {
		if (w->kind == WHERE_DIR) {
			char *p = blob_path(w, &config->desc.digest);
			line(out, "$ jq -r '.rootfs.diff_ids[%d]' %s", n->layer->index, p);
			free(p);
		} else {
			char *c = blob_cat(w, &config->desc.digest);
			line(out, "$ %s | jq -r '.rootfs.diff_ids[%d]'", c, n->layer->index);
			free(c);
		}
	}
	check_bakelens(b, n, "diff-id", out);
	check_bakelens(b, n, "chain-id", out);
}

/* ---- a daemon's store: ask the daemon itself ---- */

static const struct bl_store *store_of(const struct bl_node *n)
{
	const struct bl_store *s = NULL;
	for (; n && !s; n = n->parent)
		s = n->store;
	return s;
}

/* The image's root document: the one its target (or the source) names. */
static bool is_root_doc(const struct bl_node *n)
{
	return (n->kind == BL_NODE_MANIFEST || n->kind == BL_NODE_INDEX) &&
	       (!n->parent || n->parent->kind == BL_NODE_TARGET ||
	               n->parent->kind == BL_NODE_BUILD);
}

/* The manifest above `n` (or n) was made by bakelens from the image JSON:
 * then the daemon's Id is the config and RootFS.Layers the layers. */
static bool under_synthesised(const struct bl_node *n)
{
	const struct bl_node *m = ancestor(n, BL_NODE_MANIFEST);
	return m && m->synthesised;
}

/* The Engine API (curl on its socket) and the docker CLI on the same socket.
 * The image JSON's Id, Descriptor and RootFS.Layers are the daemon's own
 * answers; `docker save` is Docker 25's layout (blobs/sha256/HEX). */
static void docker_checks(const struct bl_store_daemon *dm, const char *sock,
        const struct bl_node *n, struct bl_buf *out)
{
	char *url = bl_asprintf("http://d/images/%s/json", dm->image);
	char *uq = bl_explain_shell_quote(url);
	char *img = bl_explain_shell_quote(dm->image);
	char *host = bl_asprintf("unix://%s", dm->socket);
	char *hq = bl_explain_shell_quote(host);
	const char *alg = bl_digest_alg_name(n->desc.digest.alg);
	bool synth = under_synthesised(n);
	if (n->kind == BL_NODE_CONFIG && synth) {
		line(out, "$ curl -s --unix-socket %s %s | jq -r .Id", sock, uq);
		line(out, "$ DOCKER_HOST=%s docker image inspect --format '{{.Id}}' %s", hq, img);
	} else if (is_root_doc(n) && !n->synthesised) {
		line(out, "$ curl -s --unix-socket %s %s | jq -r .Descriptor.digest", sock, uq);
	} else if (n->kind == BL_NODE_LAYER && n->layer) {
		line(out, "$ curl -s --unix-socket %s %s | jq -r '.RootFS.Layers[%d]'", sock, uq,
		        n->layer->index);
		line(out,
		        "$ DOCKER_HOST=%s docker image inspect --format '{{index .RootFS.Layers "
		        "%d}}' %s",
		        hq, n->layer->index, img);
	}
	if (!n->synthesised)
		line(out, "$ DOCKER_HOST=%s docker save %s | tar -xOf - blobs/%s/%s | %ssum", hq,
		        img, alg, bl_digest_hex(&n->desc.digest), alg);
	free(hq);
	free(host);
	free(img);
	free(uq);
	free(url);
}

/* ctr on the daemon's socket: the Content service's bytes of each blob,
 * the Images service's digest of the image's root. */
static void ctr_checks(const struct bl_store_daemon *dm, const char *sock, const struct bl_node *n,
        struct bl_buf *out)
{
	struct bl_buf ctr;
	bl_buf_init(&ctr);
	bl_buf_printf(&ctr, "ctr -a %s", sock);
	if (dm->ns) {
		char *q = bl_explain_shell_quote(dm->ns);
		bl_buf_printf(&ctr, " -n %s", q);
		free(q);
	}
	const char *c = bl_buf_str(&ctr);
	const struct bl_digest *d = &n->desc.digest;
	const char *alg = bl_digest_alg_name(d->alg);
	line(out, "$ %s content get %s | %ssum", c, d->str, alg);
	if (is_root_doc(n) && dm->image && !strpbrk(dm->image, "'\"\\ "))
		line(out, "$ %s images ls | awk '$1 == \"%s\" {print $3}'", c, dm->image);
	if (n->kind == BL_NODE_CONFIG)
		line(out, "$ %s content get %s | jq -r '.rootfs.diff_ids[]'", c, d->str);
	if (n->kind == BL_NODE_LAYER && n->layer) {
		const char *unzip = n->layer->comp == BL_COMP_GZIP   ? "gzip -dc"
		                    : n->layer->comp == BL_COMP_ZSTD ? "zstd -dc"
		                                                     : NULL;
		if (unzip)
			line(out, "$ %s content get %s | %s | %ssum", c, d->str, unzip, alg);
		const struct bl_node *config = child_of_kind(n->parent, BL_NODE_CONFIG);
		if (has_digest(config))
			line(out, "$ %s content get %s | jq -r '.rootfs.diff_ids[%d]'", c,
			        config->desc.digest.str, n->layer->index);
	}
	bl_buf_fini(&ctr);
}

/* True when `n` comes from a daemon: its commands, or none (said by
 * where_of) when the daemon has no socket to name. */
static bool daemon_checks(const struct bl_build *b, const struct bl_node *n, struct bl_buf *out)
{
	const struct bl_store *s = store_of(n);
	struct bl_store_daemon dm;
	if (!bl_store_daemon_where(s, &dm))
		return false;
	if (!dm.socket || !printable_path(dm.socket) || (dm.image && !printable_path(dm.image)))
		return true;
	char *sock = bl_explain_shell_quote(dm.socket);
	if (!strcmp(s->ops->kind, "docker-daemon")) {
		if (dm.image)
			docker_checks(&dm, sock, n, out);
	} else {
		ctr_checks(&dm, sock, n, out);
	}
	free(sock);
	if (n->kind == BL_NODE_LAYER && n->layer) {
		check_bakelens(b, n, "diff-id", out);
		check_bakelens(b, n, "chain-id", out);
	} else if (n->kind == BL_NODE_MANIFEST) {
		check_bakelens(b, n, "manifest", out);
	} else if (n->kind == BL_NODE_CONFIG) {
		check_bakelens(b, n, "config", out);
	} else if (n->kind == BL_NODE_INDEX && n->parent && n->parent->kind == BL_NODE_TARGET) {
		check_bakelens(b, n, "index", out);
	}
	return true;
}

static void checks(const struct bl_build *b, const struct bl_node *n, struct bl_buf *out)
{
	if (n->kind == BL_NODE_TARGET) {
		check_bakelens(b, n, "index", out);
		return;
	}
	if (!has_digest(n) || daemon_checks(b, n, out))
		return;
	struct where w;
	where_of(n, &w);
	if (n->kind == BL_NODE_LAYER && n->layer) {
		layer_checks(b, &w, n, out);
	} else {
		check_blob_digest(&w, n, out);
		if (n->kind == BL_NODE_CONFIG && w.kind != WHERE_NONE && w.kind != WHERE_REGISTRY) {
			char *c = w.kind == WHERE_DIR ? blob_path(&w, &n->desc.digest)
			                              : blob_cat(&w, &n->desc.digest);
			if (w.kind == WHERE_DIR)
				line(out, "$ jq -r '.rootfs.diff_ids[]' %s", c);
			else
				line(out, "$ %s | jq -r '.rootfs.diff_ids[]'", c);
			free(c);
		}
		if (n->kind == BL_NODE_MANIFEST)
			check_bakelens(b, n, "manifest", out);
		else if (n->kind == BL_NODE_CONFIG)
			check_bakelens(b, n, "config", out);
		else if (n->kind == BL_NODE_INDEX && n->parent && n->parent->kind == BL_NODE_TARGET)
			check_bakelens(b, n, "index", out);
	}
	free(w.path);
}

char *bl_explain_checks(const struct bl_build *b, const struct bl_node *n)
{
	if (!n)
		return NULL;
	struct bl_buf out;
	bl_buf_init(&out);
	checks(b, n, &out);
	if (!out.len) {
		bl_buf_fini(&out);
		return NULL;
	}
	/* The same lines without their "$ " marks. */
	struct bl_buf cmds;
	bl_buf_init(&cmds);
	const char *p = bl_buf_str(&out);
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > 2 && p[0] == '$' && p[1] == ' ') {
			bl_buf_append(&cmds, p + 2, len - 2);
			bl_buf_putc(&cmds, '\n');
		}
		p += len + (nl ? 1 : 0);
	}
	bl_buf_fini(&out);
	return bl_buf_take(&cmds);
}

static void size_sentence(const struct bl_node *n, char *out, size_t outlen)
{
	char g[40];
	grouped(n->desc.size, g, sizeof g);
	snprintf(out, outlen, "%s byte%s", g, n->desc.size == 1 ? "" : "s");
}

static void layer_values(const struct bl_node *n, struct bl_buf *out)
{
	const struct bl_layer_info *li = n->layer;
	char size[40];
	grouped(n->desc.size, size, sizeof size);
	const char *comp = bl_compression_name(li->comp);
	if (li->comp == BL_COMP_NONE)
		line(out, "Its digest %s is the sha256 of these %s bytes (an uncompressed tar).",
		        n->desc.digest.str, size);
	else
		line(out, "Its digest %s is the sha256 of these %s compressed bytes (%s).",
		        n->desc.digest.str, size, comp);
	if (li->has_diff_id)
		line(out,
		        "Its diff_id %s is the sha256 of the tar they decompress to "
		        "(config.rootfs.diff_ids[%d]; v measures its size).",
		        li->diff_id.str, li->index);
	else
		line(out, "Its diff_id is unknown: the config has no rootfs.diff_ids[%d].",
		        li->index);
	const struct bl_node *below = bl_explain_layer_below(n);
	if (li->has_chain_id && li->index == 0)
		line(out,
		        "Its ChainID is its diff_id, as it is the bottom layer (layer 1): "
		        "ChainID = diff_id = %s.",
		        li->chain_id.str);
	else if (li->has_chain_id && below && below->layer && below->layer->has_chain_id)
		line(out,
		        "Its ChainID is sha256(\"%s %s\") = %s (the ChainID of layer %d, a space, "
		        "its diff_id).",
		        below->layer->chain_id.str, li->diff_id.str, li->chain_id.str,
		        below->layer->index + 1);
	else if (li->has_chain_id)
		line(out, "Its ChainID is %s.", li->chain_id.str);
	bl_buf_putc(out, '\n');
	line(out, "Recompressing it changes its digest, not its diff_id; a changed file changes "
	          "both; a changed lower layer changes its ChainID, not its digest or diff_id.");
	if (li->created_by) {
		char *c = safe(li->created_by);
		line(out, "Made by: %s", c);
		free(c);
	}
}

static void list_children(const struct bl_node *n, struct bl_buf *out)
{
	for (size_t i = 0; i < n->children.len && i < LISTED_MAX; i++) {
		const struct bl_node *c = n->children.items[i];
		char *t = safe(c->label ? c->label : bl_node_kind_name(c->kind));
		if (has_digest(c))
			line(out, "  %s %s (%" PRId64 " bytes)", t, c->desc.digest.str,
			        c->desc.size);
		else
			line(out, "  %s", t);
		free(t);
	}
	if (n->children.len > LISTED_MAX)
		line(out, "  ... and %zu more", n->children.len - LISTED_MAX);
}

static void config_values(const struct bl_node *n, struct bl_buf *out)
{
	const json_t *c = n->doc;
	line(out, "The fields it holds change it; these are present:");
	const char *created = bl_json_str(c, "created");
	if (created) {
		char *s = safe(created);
		line(out, "  created: %s", s);
		free(s);
	}
	json_t *hist = bl_json_arr(c, "history");
	if (hist)
		line(out, "  history: %zu entries (each with its created date and command)",
		        json_array_size(hist));
	json_t *cc = bl_json_obj(c, "config");
	json_t *env = bl_json_arr(cc, "Env");
	size_t i;
	json_t *v;
	json_array_foreach(env, i, v)
	{
		if (i >= LISTED_MAX)
			break;
		if (json_is_string(v)) {
			char *s = safe(json_string_value(v));
			line(out, "  env: %s", s);
			free(s);
		}
	}
	const char *k;
	size_t count = 0;
	json_object_foreach(bl_json_obj(cc, "Labels"), k, v)
	{
		if (count++ >= LISTED_MAX)
			break;
		char *sk = safe(k);
		char *sv = safe(json_is_string(v) ? json_string_value(v) : "");
		line(out, "  label %s: %s", sk, sv);
		free(sk);
		free(sv);
	}
	json_t *ids = bl_json_arr(bl_json_obj(c, "rootfs"), "diff_ids");
	if (ids)
		line(out, "  rootfs.diff_ids: %zu (one per layer: a changed layer changes it)",
		        json_array_size(ids));
	if (!c)
		line(out, "  (the config could not be read)");
}

static void values(const struct bl_node *n, struct bl_buf *out)
{
	char size[64];
	if (has_digest(n))
		size_sentence(n, size, sizeof size);
	switch (n->kind) {
	case BL_NODE_LAYER:
		if (n->layer && has_digest(n))
			layer_values(n, out);
		break;
	case BL_NODE_INDEX:
		if (!has_digest(n))
			break;
		line(out, "Its digest %s is the sha256 of its %s. It lists %zu entr%s:",
		        n->desc.digest.str, size, n->children.len,
		        n->children.len == 1 ? "y" : "ies");
		list_children(n, out);
		bl_buf_putc(out, '\n');
		line(out, "Its digest moves when any manifest or attestation it lists moves: "
		          "provenance records timestamps, so a rebuild of the same files gives "
		          "another index digest.");
		break;
	case BL_NODE_MANIFEST:
	case BL_NODE_ATTESTATION: {
		if (!has_digest(n))
			break;
		size_t layers = 0;
		for (size_t i = 0; i < n->children.len; i++) {
			const struct bl_node *c = n->children.items[i];
			layers += c->kind != BL_NODE_CONFIG;
		}
		line(out, "Its digest %s is the sha256 of its %s. It lists %s + %zu %s:",
		        n->desc.digest.str, size,
		        child_of_kind(n, BL_NODE_CONFIG) ? "a config" : "no config", layers,
		        n->kind == BL_NODE_ATTESTATION ? "statements" : "layers");
		list_children(n, out);
		bl_buf_putc(out, '\n');
		line(out, "A changed config or layer changes its digest, and with it the digest of "
		          "every index that lists it.");
		break;
	}
	case BL_NODE_CONFIG:
		if (!has_digest(n))
			break;
		line(out, "Its digest %s is the sha256 of its %s.", n->desc.digest.str, size);
		config_values(n, out);
		break;
	case BL_NODE_STATEMENT:
	case BL_NODE_BLOB:
		if (!has_digest(n))
			break;
		line(out, "Its digest %s is the sha256 of its %s.", n->desc.digest.str, size);
		if (n->predicate_type) {
			char *p = safe(n->predicate_type);
			line(out, "Its predicate type: %s", p);
			free(p);
		}
		break;
	case BL_NODE_TARGET: {
		const char *ptr = bl_json_str(n->doc, "containerimage.digest");
		const struct bl_node *root = n->children.len ? n->children.items[0] : NULL;
		if (ptr) {
			char *p = safe(ptr);
			line(out, "Its containerimage.digest points at %s%s%s.", p,
			        root ? ", the " : "", root ? bl_node_kind_name(root->kind) : "");
			free(p);
		} else if (has_digest(root)) {
			line(out, "Its image is the %s %s.", bl_node_kind_name(root->kind),
			        root->desc.digest.str);
		}
		if (root && root->store) {
			char *s = safe(root->store->source);
			line(out, "It was found in %s.", s);
			free(s);
		} else if (n->status == BL_STATUS_UNRESOLVED) {
			line(out, "It was found in none of the sources given.");
		}
		if (n->name) {
			char *s = safe(n->name);
			line(out, "Image name: %s", s);
			free(s);
		}
		break;
	}
	default:
		break;
	}
}

void bl_explain_values(const struct bl_build *b, const struct bl_node *n, struct bl_buf *out)
{
	if (!n || n->kind == BL_NODE_BUILD || n->kind == BL_NODE_INFO)
		return;
	size_t start = out->len;
	char *title = bl_explain_title(n);
	line(out, "# This %s: %s", bl_node_kind_name(n->kind), title);
	free(title);
	size_t head = out->len;
	values(n, out);
	if (n->status != BL_STATUS_OK && n->status_msg) {
		char *m = safe(n->status_msg);
		line(out, "Status: %s: %s", bl_node_status_name(n->status), m);
		free(m);
	}
	struct bl_buf cmds;
	bl_buf_init(&cmds);
	checks(b, n, &cmds);
	if (cmds.len) {
		bl_buf_putc(out, '\n');
		line(out, "# Check it by hand");
		bl_buf_append(out, cmds.data, cmds.len);
		line(out, "v recomputes these here; c then k copies the commands.");
	} else if (has_digest(n)) {
		struct where w;
		where_of(n, &w);
		bl_buf_putc(out, '\n');
		line(out, "No commands to check it by hand: %s. v recomputes its digests here.",
		        w.why ? w.why : "none apply");
		free(w.path);
	}
	bl_buf_fini(&cmds);
	if (out->len == head && out->len > start) {
		/* A heading with nothing under it says nothing. */
		out->len = start;
		out->data[start] = '\0';
	}
}
