/* containerd and BuildKit over their gRPC API (store.h,
 * bl_store_containerd_open): the Images service names the roots, the Content
 * service gives the blobs (Info for presence and size, Read streamed in
 * messages of up to 1 MiB). Nothing read here is cached: the verifying front
 * (store.c) hashes every byte as it passes, so nothing unverified is kept. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/ref.h"
#include "bakelens/text.h"
#include "containerd.pb-c.h"
#include "grpc_internal.h"
#include "internal.h"

#define SVC_CONTENT "/containerd.services.content.v1.Content/"
#define SVC_IMAGES "/containerd.services.images.v1.Images/"
#define DEFAULT_CONTAINERD "/run/containerd/containerd.sock"
#define DEFAULT_BUILDKIT "/run/buildkit/buildkitd.sock"
/* A stream holds at most this much that its reader has not taken yet
 * before it asks the daemon to wait (plus one message). */
#define PENDING_MAX (4u << 20)

/* Info answers kept for the store's life: a load asks about one digest
 * several times (locating a target, then reading it), and with a connect
 * command each call runs the command again. Only presence and size are
 * kept, never bytes. */
enum { STAT_CACHE = 64 };

struct stat_entry {
	struct bl_digest d;
	enum bl_blob_state st;
	int64_t size;
};

struct ctrd {
	struct bl_store base;
	struct bl_grpc_conn *conn;
	char *ns;                   /* NULL for BuildKit (its namespace is fixed) */
	char *socket;               /* NULL with a connect command */
	bool named;                 /* the root is an image found by its name */
	struct bl_store_root *root; /* NULL: none given */
	struct stat_entry stats[STAT_CACHE];
	size_t nstats, next_stat; /* filled, and the next slot to reuse */
};

static const char lazy_note[] = "not in the content store: a lazy layer the builder never "
                                "pulled; this is normal";

/* ---- Content service ---- */

/* One Info call (see cd_stat). */
static enum bl_blob_state info(struct ctrd *c, const struct bl_digest *d, int64_t *size)
{
	Blctrd__InfoRequest req = BLCTRD__INFO_REQUEST__INIT;
	req.digest = (char *)d->str;
	uint8_t buf[256];
	size_t len = blctrd__info_request__pack(&req, buf);
	struct bl_buf out;
	bl_buf_init(&out);
	int code = -1;
	struct bl_error err;
	bool ok = bl_grpc_unary(c->conn, SVC_CONTENT "Info", buf, len, &out, &code, &err);
	enum bl_blob_state st = BL_BLOB_PRESENT;
	if (!ok && code == BL_GRPC_NOT_FOUND)
		st = BL_BLOB_MISSING;
	if (ok) {
		Blctrd__InfoResponse *r =
		        blctrd__info_response__unpack(NULL, out.len, (const uint8_t *)out.data);
		if (r && r->info)
			*size = r->info->size;
		blctrd__info_response__free_unpacked(r, NULL);
	}
	bl_buf_fini(&out);
	return st;
}

/* Info: BL_BLOB_PRESENT with *size, MISSING on NOT_FOUND; any other
 * failure answers PRESENT so that the read says what went wrong. */
static enum bl_blob_state cd_stat(struct bl_store *s, const struct bl_digest *d, int64_t *size)
{
	struct ctrd *c = (struct ctrd *)s;
	for (size_t i = 0; i < c->nstats; i++) {
		if (bl_digest_equal(&c->stats[i].d, d)) {
			if (size)
				*size = c->stats[i].size;
			return c->stats[i].st;
		}
	}
	int64_t got = -1;
	enum bl_blob_state st = info(c, d, &got);
	if (size)
		*size = got;
	if (st == BL_BLOB_MISSING || got >= 0) { /* an answer, not a failure to ask */
		c->stats[c->next_stat] = (struct stat_entry){*d, st, got};
		c->next_stat = (c->next_stat + 1) % STAT_CACHE;
		if (c->nstats < STAT_CACHE)
			c->nstats++;
	}
	return st;
}

struct rd_stream {
	struct bl_stream s;
	struct ctrd *c;
	struct bl_grpc_call *call;
	struct bl_buf pending; /* data received, not yet read */
	size_t pos;
	int64_t received; /* bytes of the blob so far */
	bool ended;
	char what[96]; /* "blob sha256:0123456789ab…" */
};

static bool on_chunk(void *ud, const uint8_t *msg, size_t len, struct bl_error *err)
{
	struct rd_stream *r = ud;
	Blctrd__ReadContentResponse *m = blctrd__read_content_response__unpack(NULL, len, msg);
	if (!m)
		return bl_fail(err, BL_E_FORMAT,
		        "%s: a Read answer that is not a ReadContentResponse", r->what);
	/* The offset is relative to the requested one: the running count. */
	bool ok = m->offset == r->received;
	if (ok) {
		bl_buf_append(&r->pending, m->data.data, m->data.len);
		r->received += (int64_t)m->data.len;
	} else {
		bl_fail(err, BL_E_FORMAT, "%s: a chunk at offset %lld where %lld was due", r->what,
		        (long long)m->offset, (long long)r->received);
	}
	blctrd__read_content_response__free_unpacked(m, NULL);
	if (ok && r->pending.len - r->pos > PENDING_MAX)
		bl_grpc_call_pause(r->call);
	return ok;
}

static ssize_t rd_read(struct bl_stream *s, void *buf, size_t n, struct bl_error *err)
{
	struct rd_stream *r = (struct rd_stream *)s;
	while (r->pos == r->pending.len) {
		bl_buf_clear(&r->pending);
		r->pos = 0;
		if (r->ended)
			return 0;
		int code = -1;
		int st = bl_grpc_call_step(r->call, &code, err);
		if (st < 0) {
			if (code == BL_GRPC_NOT_FOUND)
				bl_fail(err, BL_E_NOT_FOUND, "%s: %s: %s",
				        bl_grpc_conn_name(r->c->conn), r->what, lazy_note);
			else
				bl_error_prefix(err, "%s", r->what);
			return -1;
		}
		if (st == 0)
			r->ended = true;
	}
	size_t k = r->pending.len - r->pos < n ? r->pending.len - r->pos : n;
	memcpy(buf, r->pending.data + r->pos, k);
	r->pos += k;
	return (ssize_t)k;
}

static void rd_close(struct bl_stream *s)
{
	struct rd_stream *r = (struct rd_stream *)s;
	bl_grpc_call_free(r->call);
	bl_buf_fini(&r->pending);
	free(r);
}

/* A Read of `size` bytes at `offset` (size 0: to the end). */
static struct rd_stream *read_start(
        struct ctrd *c, const struct bl_digest *d, int64_t offset, int64_t size)
{
	struct rd_stream *r = bl_calloc(1, sizeof *r);
	r->s.read = rd_read;
	r->s.close = rd_close;
	r->c = c;
	bl_buf_init(&r->pending);
	char shortd[32];
	bl_store_short(d, shortd, sizeof shortd);
	snprintf(r->what, sizeof r->what, "blob %s", shortd);
	Blctrd__ReadContentRequest req = BLCTRD__READ_CONTENT_REQUEST__INIT;
	req.digest = (char *)d->str;
	req.offset = offset;
	req.size = size;
	uint8_t buf[256];
	size_t len = blctrd__read_content_request__pack(&req, buf);
	r->call = bl_grpc_call_start(c->conn, SVC_CONTENT "Read", buf, len, on_chunk, r);
	return r;
}

static bool cd_open_raw(
        struct bl_store *s, const struct bl_digest *d, struct bl_stream **out, struct bl_error *err)
{
	*out = &read_start((struct ctrd *)s, d, 0, 0)->s;
	return true;
}

/* Read `r` to its end into out, at most max bytes (BL_E_TOO_BIG past it). */
static bool drain(struct rd_stream *r, size_t max, struct bl_buf *out, struct bl_error *err)
{
	char chunk[65536];
	for (;;) {
		ssize_t n = rd_read(&r->s, chunk, sizeof chunk, err);
		if (n < 0)
			return false;
		if (n == 0)
			return true;
		if (out->len + (size_t)n > max)
			return bl_fail(err, BL_E_TOO_BIG, "%s: over %zu bytes", r->what, max);
		bl_buf_append(out, chunk, (size_t)n);
	}
}

static bool cd_read_raw(struct bl_store *s, const struct bl_digest *d, size_t max,
        struct bl_buf *out, struct bl_error *err)
{
	struct rd_stream *r = read_start((struct ctrd *)s, d, 0, 0);
	bl_buf_clear(out);
	bool ok = drain(r, max, out, err);
	rd_close(&r->s);
	return ok;
}

static bool cd_read_range(struct bl_store *s, const struct bl_digest *d, uint64_t offset,
        size_t len, void *buf, struct bl_error *err)
{
	if (len == 0)
		return true;
	struct rd_stream *r = read_start((struct ctrd *)s, d, (int64_t)offset, (int64_t)len);
	struct bl_buf got;
	bl_buf_init(&got);
	bool ok = drain(r, len, &got, err);
	if (ok && got.len != len)
		ok = bl_fail(err, BL_E_FORMAT, "%s: %zu bytes at %llu where %zu were asked",
		        r->what, got.len, (unsigned long long)offset, len);
	if (ok)
		memcpy(buf, got.data, len);
	bl_buf_fini(&got);
	rd_close(&r->s);
	return ok;
}

static bool cd_list_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err)
{
	struct ctrd *c = (struct ctrd *)s;
	if (!c->root) {
		char *src = bl_text_safe(s->source);
		bl_fail(err, BL_E_USAGE,
		        "%s: no root; name an image or a digest (%s@sha256:...) or "
		        "give a metadata file",
		        src, src);
		free(src);
		return false;
	}
	bl_vec_push_take(roots, bl_store_root_dup(c->root));
	return true;
}

static void cd_destroy(struct bl_store *s)
{
	struct ctrd *c = (struct ctrd *)s;
	bl_grpc_conn_free(c->conn);
	bl_store_root_free(c->root);
	free(c->ns);
	free(c->socket);
	free(c);
}

static bool cd_daemon_where(const struct bl_store *s, struct bl_store_daemon *out)
{
	const struct ctrd *c = (const struct ctrd *)s;
	out->socket = c->socket;
	out->ns = c->ns;
	out->image = c->named && c->root ? c->root->name : NULL;
	return true;
}

/* The same operations for both daemons: they serve the same Content service. */
#define DAEMON_OPS(name)                                                                           \
	{                                                                                          \
		.kind = name, .list_roots = cd_list_roots, .stat_blob = cd_stat,                   \
		.read_raw = cd_read_raw, .open_raw = cd_open_raw, .destroy = cd_destroy,           \
		.read_range = cd_read_range, .daemon_where = cd_daemon_where,                      \
		.missing_note = "a builder's content store often lacks layers it never pulled; "   \
		                "that is normal there",                                            \
	}
static const struct bl_store_ops containerd_ops = DAEMON_OPS("containerd");
static const struct bl_store_ops buildkit_ops = DAEMON_OPS("buildkit");

/* ---- Images service ---- */

/* Images/Get of `name`: true with the image's target in *desc; false with
 * *code the gRPC status (NOT_FOUND: no such image). */
static bool get_image(struct ctrd *c, const char *name, struct bl_descriptor *desc, int *code,
        struct bl_error *err)
{
	Blctrd__GetImageRequest req = BLCTRD__GET_IMAGE_REQUEST__INIT;
	req.name = (char *)name;
	size_t len = blctrd__get_image_request__get_packed_size(&req);
	uint8_t *buf = bl_malloc(len ? len : 1);
	blctrd__get_image_request__pack(&req, buf);
	struct bl_buf out;
	bl_buf_init(&out);
	bool ok = bl_grpc_unary(c->conn, SVC_IMAGES "Get", buf, len, &out, code, err);
	free(buf);
	Blctrd__GetImageResponse *r =
	        ok ? blctrd__get_image_response__unpack(NULL, out.len, (const uint8_t *)out.data)
	           : NULL;
	if (ok && (!r || !r->image || !r->image->target)) {
		ok = bl_fail(err, BL_E_FORMAT, "%s: an image answer without a target",
		        bl_grpc_conn_name(c->conn));
	} else if (ok) {
		Blctrd__Descriptor *t = r->image->target;
		struct bl_error derr;
		if (!bl_digest_parse(t->digest, &desc->digest, &derr)) {
			char *safe = bl_text_safe(t->digest);
			ok = bl_fail(err, BL_E_FORMAT,
			        "%s: an image whose target is not a digest: %s",
			        bl_grpc_conn_name(c->conn), safe);
			free(safe);
		} else {
			desc->media_type = bl_strdup(t->media_type);
			desc->size = t->size;
		}
	}
	blctrd__get_image_response__free_unpacked(r, NULL);
	bl_buf_fini(&out);
	return ok;
}

/* The root of image `name` (tried as given, then normalised as docker
 * does); a missing one is explained by ctrd_explain_missing. */
static bool find_image(struct ctrd *c, const char *name, struct bl_error *err)
{
	struct bl_descriptor d = {.size = -1};
	int code = -1;
	bool ok = get_image(c, name, &d, &code, err);
	char *full = NULL;
	if (!ok && code == BL_GRPC_NOT_FOUND) {
		struct bl_ref ref;
		if (bl_ref_parse(name, &ref, NULL)) {
			full = bl_ref_format(&ref);
			bl_ref_fini(&ref);
			if (full && strcmp(full, name) != 0)
				ok = get_image(c, full, &d, &code, err);
		}
	}
	if (!ok) {
		if (code == BL_GRPC_NOT_FOUND)
			ctrd_explain_missing(c->conn, c->ns, name, err);
		free(full);
		bl_descriptor_fini(&d);
		return false;
	}
	c->root = bl_calloc(1, sizeof *c->root);
	c->root->name = bl_strdup(full && strcmp(full, name) != 0 ? full : name);
	c->root->desc = d;
	free(full);
	return true;
}

/* ---- opening ---- */

/* The socket path of an address ("unix:///p", "/p"), caller frees; NULL
 * with err for another scheme. */
static char *socket_path(const char *addr, const char *from, struct bl_error *err)
{
	if (strncmp(addr, "unix://", 7) == 0)
		addr += 7;
	if (*addr && !strstr(addr, "://"))
		return bl_strdup(addr);
	char *safe = bl_text_safe(addr);
	if (strncmp(addr, "docker-container://", 19) == 0)
		bl_fail(err, BL_E_UNSUPPORTED,
		        "%s: %s: reach a builder container with --connect-cmd 'docker exec -i %s "
		        "buildctl dial-stdio'",
		        from, safe, safe + 19);
	else
		bl_fail(err, BL_E_UNSUPPORTED,
		        "%s: %s: only unix:// sockets are read; another transport goes through "
		        "--connect-cmd",
		        from, safe);
	free(safe);
	return NULL;
}

/* A containerd namespace name: letters, digits, and '.', '_', '-' inside. */
static bool ns_valid(const char *s, size_t n)
{
	if (n == 0 || n > 76)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		             (ch >= '0' && ch <= '9');
		if (!alnum && !((ch == '.' || ch == '_' || ch == '-') && i > 0 && i + 1 < n))
			return false;
	}
	return true;
}

bool bl_store_containerd_open(const char *arg, const struct bl_source_opts *opts,
        struct bl_store **out, struct bl_error *err)
{
	*out = NULL;
	bool buildkit = strncmp(arg, "buildkit:", 9) == 0;
	const char *rest = strchr(arg, ':') + 1;
	char *safe_arg = bl_text_safe(arg);
	char *name = NULL, *ns = NULL, *path = NULL;
	struct bl_digest dg;
	bool have_digest = false, ok = false;
	struct ctrd *c = NULL;

	/* [NS/][NAME][@DIGEST]; buildkit:[@]DIGEST */
	const char *at = strrchr(rest, '@');
	if (buildkit && *rest && rest[0] != '@') {
		if (at) {
			bl_fail(err, BL_E_USAGE,
			        "%s: BuildKit names no images: give buildkit:DIGEST", safe_arg);
			goto done;
		}
		at = rest - 1; /* the digest right after "buildkit:" */
	}
	if (at) {
		if (!bl_digest_parse(at + 1, &dg, err)) {
			bl_error_prefix(err, "%s", safe_arg);
			goto done;
		}
		have_digest = true;
	}
	size_t nlen = !at ? strlen(rest) : at < rest ? 0 : (size_t)(at - rest);
	const char *slash = buildkit ? NULL : memchr(rest, '/', nlen);
	if (slash && !memchr(rest, '.', (size_t)(slash - rest)) &&
	        !memchr(rest, ':', (size_t)(slash - rest)) &&
	        !(slash - rest == 9 && strncmp(rest, "localhost", 9) == 0)) {
		if (!ns_valid(rest, (size_t)(slash - rest))) {
			bl_fail(err, BL_E_USAGE, "%s: not a namespace name before '/'", safe_arg);
			goto done;
		}
		ns = bl_strndup(rest, (size_t)(slash - rest));
		nlen -= (size_t)(slash + 1 - rest);
		rest = slash + 1;
	}
	if (nlen)
		name = bl_strndup(rest, nlen);
	if (!buildkit && !ns) {
		const char *env = getenv("CONTAINERD_NAMESPACE");
		ns = bl_strdup(env && *env ? env : "default");
		if (!ns_valid(ns, strlen(ns))) {
			char *s = bl_text_safe(ns);
			bl_fail(err, BL_E_USAGE, "CONTAINERD_NAMESPACE: not a namespace name: %s",
			        s);
			free(s);
			goto done;
		}
	}

	struct bl_grpc_target t = {
	        .daemon = buildkit ? "BuildKit" : "containerd",
	        .ns = ns,
	        .connect_timeout_ms = opts ? opts->connect_timeout_ms : 0,
	        .low_speed_time_s = opts ? opts->low_speed_time_s : 0,
	        .progress = opts ? opts->progress : NULL,
	        .progress_ud = opts ? opts->progress_ud : NULL,
	};
	if (opts && opts->connect_cmd) {
		t.connect_cmd = opts->connect_cmd;
	} else {
		const char *env = getenv(buildkit ? "BUILDKIT_HOST" : "CONTAINERD_ADDRESS");
		const char *addr = buildkit ? DEFAULT_BUILDKIT : DEFAULT_CONTAINERD;
		const char *from = "default address";
		if (opts && opts->containerd_address) {
			addr = opts->containerd_address;
			from = "--containerd-address";
		} else if (env && *env) {
			addr = env;
			from = buildkit ? "BUILDKIT_HOST" : "CONTAINERD_ADDRESS";
		}
		if (!(path = socket_path(addr, from, err)))
			goto done;
		t.socket = path;
	}
	c = bl_calloc(1, sizeof *c);
	c->conn = bl_grpc_conn_new(&t);
	c->ns = bl_strdup(ns);
	c->socket = path ? bl_strdup(path) : NULL;
	char *describe = ns ? bl_asprintf("%s, namespace %s", bl_grpc_conn_name(c->conn), ns)
	                    : bl_strdup(bl_grpc_conn_name(c->conn));
	bl_store_base_init(&c->base, buildkit ? &buildkit_ops : &containerd_ops, arg, describe);
	free(describe);
	if (name) {
		if (!find_image(c, name, err))
			goto done;
		c->named = true;
		if (have_digest && !bl_digest_equal(&dg, &c->root->desc.digest)) {
			char *sn = bl_text_safe(c->root->name);
			bl_fail(err, BL_E_NOT_FOUND, "%s: image %s is %s in namespace %s, not %s",
			        bl_grpc_conn_name(c->conn), sn, c->root->desc.digest.str, ns,
			        dg.str);
			free(sn);
			goto done;
		}
	} else if (have_digest) {
		c->root = bl_store_sniff_root(&c->base, &dg, bl_grpc_conn_name(c->conn), err);
		if (!c->root)
			goto done;
	}
	*out = &c->base;
	c = NULL;
	ok = true;
done:
	if (c)
		bl_store_free(&c->base);
	free(safe_arg);
	free(name);
	free(ns);
	free(path);
	return ok;
}
