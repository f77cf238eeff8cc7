/* The Docker daemon store (dockerd.h): the image's JSON at open, its root
 * made from it, and the save stream read once, through the stream store,
 * the first time bytes other than that root are wanted. */
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/dockerd.h"
#include "bakelens/json.h"
#include "bakelens/mediatype.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "dockerd_internal.h"
#include "internal.h"

#define NAME_MAX_LEN 512u
#define CLOSE_NAMES 5u

struct dockerd_store {
	struct bl_store base;
	struct dockerd_api api;
	char *name; /* NAME[:TAG|@DIGEST] as given (only characters safe in a path) */
	char *what; /* the source, escaped, for messages */
	struct bl_dockerd_image im;
	struct bl_store_root *root;
	char *manifest; /* the synthesised manifest's bytes, NULL with a real target */
	size_t manifest_len;
	struct bl_store *saved; /* the save stream, read once; NULL until wanted */
	bool save_failed;
	struct bl_error save_err; /* why, given again to later reads */
	struct bl_source_opts opts;
};

/* Characters of image names, tags, digests and IDs: nothing that needs
 * escaping in a URL path, and nothing that could change the request. */
static bool name_is_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_MAX_LEN || strstr(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		            strchr("._-/:@", c)))
			return false;
	}
	return s[0] != '/' && s[0] != '-';
}

static bool is_synth(const struct dockerd_store *s, const struct bl_digest *d)
{
	return s->manifest && bl_digest_equal(d, &s->root->desc.digest);
}

/* ---- the save stream ---- */

/* Read GET /images/NAME/get once through the stream store. */
static bool ensure_saved(struct dockerd_store *s, struct bl_error *err)
{
	if (s->saved)
		return true;
	if (s->opts.offline)
		return bl_fail(err, BL_E_NET,
		        "%s: offline: the saved image, where the config's bytes are, is not read "
		        "(the digests shown are the daemon's claims)",
		        s->what);
	if (s->save_failed) {
		if (err)
			*err = s->save_err;
		return false;
	}
	char *path = bl_asprintf("/images/%s/get", s->name);
	struct bl_error e = {0};
	struct dockerd_body *b = dockerd_body_open(&s->api, path, s->what, &s->opts, &e);
	struct archive *a = b ? dockerd_body_archive(b, &e) : NULL;
	char *label = bl_asprintf("%s: saved image", s->what);
	if (a && !bl_store_stream_read(a, label, s->base.source, &s->opts, &s->saved, &e))
		dockerd_body_broke(b, &e); /* a transfer that broke says so, not "bad tar" */
	free(label);
	dockerd_body_free(b);
	free(path);
	if (!s->saved) {
		/* A cancel may be retried; anything else would fail the same way. */
		s->save_failed = e.code != BL_E_CANCELLED;
		s->save_err = e;
		if (err)
			*err = e;
		return false;
	}
	return true;
}

/* ---- a layer: a second pass over a new save stream, up to its member ---- */

struct layer_stream {
	struct bl_stream base;
	struct dockerd_body *b;
	struct archive *a;
	const char *what;
};

static ssize_t ls_read(struct bl_stream *st, void *buf, size_t n, struct bl_error *err)
{
	struct layer_stream *l = (struct layer_stream *)st;
	la_ssize_t r = archive_read_data(l->a, buf, n);
	if (r >= 0)
		return (ssize_t)r;
	if (!dockerd_body_broke(l->b, err)) {
		char *why = bl_tarix_why(l->a);
		bl_fail(err, BL_E_FORMAT, "%s: saved image: %s", l->what, why);
		free(why);
	}
	return -1;
}

static void ls_close(struct bl_stream *st)
{
	struct layer_stream *l = (struct layer_stream *)st;
	dockerd_body_free(l->b); /* frees the reader too */
	free(l);
}

/* The member names a save gives a layer: podman's `<hex>.tar`, Docker's
 * OCI `blobs/sha256/<hex>` (and a bare `<hex>`). */
static bool member_is(const char *name, const struct bl_digest *d)
{
	const char *hex = strchr(d->str, ':') + 1;
	size_t hl = strlen(hex);
	char *n = bl_tar_path_normalise(name);
	bool yes = false;
	if (n) {
		char *blob = bl_asprintf("blobs/sha256/%s", hex);
		yes = !strcmp(n, blob) || !strcmp(n, hex) ||
		      (!strncmp(n, hex, hl) && !strcmp(n + hl, ".tar"));
		free(blob);
	}
	free(n);
	return yes;
}

/* A pass over a new save stream up to the member named `member`, or, when
 * NULL, named by the digest `d` (member_is). 0: not there (at the end). */
static int open_member(struct dockerd_store *s, const struct bl_digest *d, const char *member,
        struct bl_stream **out, struct bl_error *err)
{
	char *path = bl_asprintf("/images/%s/get", s->name);
	struct dockerd_body *b = dockerd_body_open(&s->api, path, s->what, &s->opts, err);
	free(path);
	struct archive *a = b ? dockerd_body_archive(b, err) : NULL;
	if (!a) {
		dockerd_body_free(b);
		return false;
	}
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		if (archive_entry_filetype(e) != AE_IFREG)
			continue;
		if (member) {
			char *n = bl_tar_path_normalise(archive_entry_pathname(e));
			bool same = n && !strcmp(n, member);
			free(n);
			if (!same)
				continue;
		} else if (!member_is(archive_entry_pathname(e), d)) {
			continue;
		}
		struct layer_stream *l = bl_calloc(1, sizeof(*l));
		l->base.read = ls_read;
		l->base.close = ls_close;
		l->b = b;
		l->a = a;
		l->what = s->what;
		*out = &l->base;
		return 1;
	}
	if (r != ARCHIVE_EOF && !dockerd_body_broke(b, err)) {
		char *why = bl_tarix_why(a);
		bl_fail(err, BL_E_FORMAT, "%s: saved image: %s", s->what, why);
		free(why);
	}
	dockerd_body_free(b);
	return r == ARCHIVE_EOF ? 0 : -1;
}

/* A layer in a pass of its own. Docker 25 and podman name a layer's member
 * by its digest; Docker before 25 by its v1 ID (`<id>/layer.tar`), which no
 * digest gives. Then the member is the one whose bytes hash to the digest:
 * the one pass over the save (ensure_saved) hashes every member as it
 * passes, and says which one that is. */
static bool open_layer(struct dockerd_store *s, const struct bl_digest *d, struct bl_stream **out,
        struct bl_error *err)
{
	const char *member = s->saved ? bl_tar_store_member_of(s->saved, d) : NULL;
	int r = open_member(s, d, member, out, err);
	if (r == 0 && !member) {
		if (!ensure_saved(s, err))
			return false;
		member = bl_tar_store_member_of(s->saved, d);
		if (member)
			r = open_member(s, d, member, out, err);
	}
	if (r == 0)
		bl_fail(err, BL_E_NOT_FOUND, "%s: the saved image holds no layer %s", s->what,
		        d->str);
	return r == 1;
}

static bool is_layer(const struct dockerd_store *s, const struct bl_digest *d)
{
	for (size_t i = 0; i < s->im.nlayers; i++)
		if (bl_digest_equal(&s->im.layers[i], d))
			return true;
	return false;
}

/* A digest the image JSON names: the ID, a diff_id, the target. */
static bool is_claim(const struct dockerd_store *s, const struct bl_digest *d)
{
	return bl_digest_equal(d, &s->im.id) || is_layer(s, d) ||
	       (s->im.has_target && bl_digest_equal(d, &s->im.target.digest));
}

/* ---- the ops ---- */

static bool dd_list_roots(struct bl_store *st, struct bl_vec *roots, struct bl_error *err)
{
	(void)err;
	struct dockerd_store *s = (struct dockerd_store *)st;
	bl_vec_push_take(roots, bl_store_root_dup(s->root));
	return true;
}

static enum bl_blob_state dd_stat(struct bl_store *st, const struct bl_digest *d, int64_t *size)
{
	struct dockerd_store *s = (struct dockerd_store *)st;
	*size = -1;
	if (is_synth(s, d)) {
		*size = (int64_t)s->manifest_len;
		return BL_BLOB_VERIFIED;
	}
	if (s->saved) {
		enum bl_blob_state bs = s->saved->ops->stat_blob(s->saved, d, size);
		/* A digest the daemon claimed that its own save does not hold: the
		 * claim is false, not a blob that happens to be absent. */
		if (bs == BL_BLOB_MISSING && is_claim(s, d))
			return BL_BLOB_MISMATCH;
		return bs;
	}
	/* Not read yet: what the daemon claims it has. */
	if (is_claim(s, d))
		return BL_BLOB_PRESENT;
	return BL_BLOB_MISSING;
}

/* Does the saved image list the image ID as one of its roots (index.json)?
 * Then the ID names a manifest or index, not a config, and the manifest made
 * from the image JSON is wrong. */
static bool id_is_a_root(struct dockerd_store *s)
{
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	bool found = false;
	if (s->saved->ops->list_roots(s->saved, &roots, NULL))
		for (size_t i = 0; i < roots.len && !found; i++) {
			const struct bl_store_root *r = bl_vec_get(&roots, i);
			found = bl_digest_equal(&r->desc.digest, &s->im.id);
		}
	bl_vec_fini(&roots);
	return found;
}

static bool dd_read_raw(struct bl_store *st, const struct bl_digest *d, size_t max,
        struct bl_buf *out, struct bl_error *err)
{
	struct dockerd_store *s = (struct dockerd_store *)st;
	if (is_synth(s, d)) {
		if (s->manifest_len > max)
			return bl_fail(
			        err, BL_E_TOO_BIG, "%s: manifest over %zu bytes", s->what, max);
		bl_buf_append(out, s->manifest, s->manifest_len);
		return true;
	}
	if (!ensure_saved(s, err))
		return false;
	if (s->manifest && bl_digest_equal(d, &s->im.id) && id_is_a_root(s))
		return bl_fail(err, BL_E_UNSUPPORTED,
		        "%s: the image ID %s is the image's manifest or index, not its config "
		        "(Docker's containerd image store before API 1.48 does not say so); read "
		        "`docker save -o FILE` of it instead",
		        s->what, d->str);
	if (is_claim(s, d) &&
	        s->saved->ops->stat_blob(s->saved, d, &(int64_t){0}) == BL_BLOB_MISSING)
		return bl_fail(err, BL_E_DIGEST,
		        "%s: the daemon names %s but the image it saved holds no such blob: "
		        "its image JSON does not match its own save",
		        s->what, d->str);
	return s->saved->ops->read_raw(s->saved, d, max, out, err);
}

static bool dd_open_raw(struct bl_store *st, const struct bl_digest *d, struct bl_stream **out,
        struct bl_error *err)
{
	struct dockerd_store *s = (struct dockerd_store *)st;
	*out = NULL;
	if (is_synth(s, d)) {
		*out = bl_stream_memory(s->manifest, s->manifest_len);
		return true;
	}
	/* A layer is not kept by the one pass: read it in a pass of its own
	 * rather than first hashing the whole image. */
	if (is_layer(s, d))
		return open_layer(s, d, out, err);
	if (!ensure_saved(s, err))
		return false;
	struct bl_error e = {0};
	if (s->saved->ops->open_raw(s->saved, d, out, &e))
		return true;
	if (e.code == BL_E_UNSUPPORTED) /* hashed as it passed, not kept */
		return open_layer(s, d, out, err);
	if (err)
		*err = e;
	return false;
}

static void dd_destroy(struct bl_store *st)
{
	struct dockerd_store *s = (struct dockerd_store *)st;
	bl_store_free(s->saved);
	bl_store_root_free(s->root);
	bl_dockerd_image_fini(&s->im);
	dockerd_api_fini(&s->api);
	free(s->manifest);
	free(s->name);
	free(s->what);
	free(s);
}

static bool dd_daemon_where(const struct bl_store *st, struct bl_store_daemon *out)
{
	const struct dockerd_store *s = (const struct dockerd_store *)st;
	out->socket = s->api.sock;
	out->image = s->name;
	return true;
}

static const struct bl_store_ops dockerd_ops = {
        .kind = "docker-daemon",
        .list_roots = dd_list_roots,
        .stat_blob = dd_stat,
        .read_raw = dd_read_raw,
        .open_raw = dd_open_raw,
        .destroy = dd_destroy,
        .daemon_where = dd_daemon_where,
};

/* ---- opening ---- */

/* The root: the daemon's target descriptor, or a v2s2 manifest made from
 * the image JSON (config = the ID, layers = the diff_ids, no sizes: the
 * daemon does not say them). */
static void make_root(struct dockerd_store *s)
{
	struct bl_store_root *r = bl_calloc(1, sizeof(*r));
	r->name = bl_strdup(s->name);
	if (s->im.has_target) {
		bl_descriptor_copy(&r->desc, &s->im.target);
		r->note = bl_strdup("the image's target as the daemon names it (Descriptor); "
		                    "its bytes come from the saved image and are verified");
		s->root = r;
		return;
	}
	json_t *layers = json_array();
	for (size_t i = 0; i < s->im.nlayers; i++)
		json_array_append_new(
		        layers, json_pack("{s:s, s:s}", "mediaType", BL_MT_DOCKER_LAYER, "digest",
		                        s->im.layers[i].str));
	json_t *man = json_pack("{s:i, s:s, s:{s:s, s:s}, s:o}", "schemaVersion", 2, "mediaType",
	        BL_MT_DOCKER_MANIFEST, "config", "mediaType", BL_MT_DOCKER_CONFIG, "digest",
	        s->im.id.str, "layers", layers);
	s->manifest = json_dumps(man, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(man);
	s->manifest_len = strlen(s->manifest);
	r->desc.media_type = bl_strdup(BL_MT_DOCKER_MANIFEST);
	bl_digest_compute(BL_DIGEST_SHA256, s->manifest, s->manifest_len, &r->desc.digest);
	r->desc.size = (int64_t)s->manifest_len;
	r->synthesised = true;
	struct bl_buf note;
	bl_buf_init(&note);
	bl_buf_puts(&note, "made by bakelens from the daemon's image JSON: the config digest "
	                   "(the image ID) and the layer diff_ids are the daemon's claims until "
	                   "the saved image is read, which checks each against its bytes");
	for (size_t i = 0; i < s->im.digests.len; i++) {
		char *safe = bl_text_safe(bl_vec_get(&s->im.digests, i));
		bl_buf_printf(&note, "%s%s", i ? ", " : "; repo digests (daemon's claim): ", safe);
		free(safe);
	}
	r->note = bl_buf_take(&note);
	s->root = r;
}

/* 404 for the image: say which names the daemon has that are close. */
static void add_close_names(struct dockerd_store *s, struct bl_error *err)
{
	struct bl_buf body;
	bl_buf_init(&body);
	long status = 0;
	struct bl_vec names;
	bl_vec_init(&names, free);
	if (dockerd_get(&s->api, "/images/json", 64u << 20, &status, &body, s->what, NULL) &&
	        status == 200)
		bl_dockerd_close_names(body.data, body.len, s->name, CLOSE_NAMES, &names);
	bl_buf_fini(&body);
	struct bl_buf msg;
	bl_buf_init(&msg);
	char *safe = bl_text_safe(s->name);
	bl_buf_printf(&msg, "%s: the daemon at %s has no image %s", s->what, s->api.shown, safe);
	free(safe);
	for (size_t i = 0; i < names.len; i++) {
		char *n = bl_text_safe(bl_vec_get(&names, i));
		bl_buf_printf(&msg, "%s%s", i ? ", " : "; close names: ", n);
		free(n);
	}
	if (!names.len)
		bl_buf_puts(&msg, " (docker images lists what it has)");
	bl_fail(err, BL_E_NOT_FOUND, "%s", bl_buf_str(&msg));
	bl_buf_fini(&msg);
	bl_vec_fini(&names);
}

static bool load_image(struct dockerd_store *s, struct bl_error *err)
{
	char *path = bl_asprintf("/images/%s/json", s->name);
	struct bl_buf body;
	bl_buf_init(&body);
	long status = 0;
	bool ok = dockerd_get(&s->api, path, 16u << 20, &status, &body, s->what, err);
	if (ok && status == 404) {
		add_close_names(s, err);
		ok = false;
	} else if (ok && status != 200) {
		ok = dockerd_fail_status(s->what, path, status, &body, err);
	} else if (ok &&
	           !bl_dockerd_parse_image(body.data ? body.data : "", body.len, &s->im, err)) {
		bl_error_prefix(err, "%s: GET %s: not the Engine API's image JSON", s->what, path);
		ok = false;
	}
	bl_buf_fini(&body);
	free(path);
	return ok;
}

bool bl_store_dockerd_open(const char *arg, const struct bl_source_opts *opts,
        struct bl_store **out, struct bl_error *err)
{
	*out = NULL;
	const char *name = strncmp(arg, "docker-daemon:", 14) == 0 ? arg + 14 : arg;
	char *what = bl_text_safe(arg);
	if (!name_is_valid(name)) {
		bl_fail(err, BL_E_USAGE,
		        "%s: expected docker-daemon:NAME[:TAG|@DIGEST] or an image ID (letters, "
		        "digits and ._-/:@ only)",
		        what);
		free(what);
		return false;
	}
	struct dockerd_store *s = bl_calloc(1, sizeof(*s));
	s->what = what;
	s->name = bl_strdup(name);
	bl_dockerd_image_init(&s->im);
	if (opts)
		s->opts = *opts;
	bl_store_base_init(&s->base, &dockerd_ops, arg, "Docker daemon image (Engine API)");
	if (!dockerd_api_init(&s->api, opts, what, err) || !load_image(s, err)) {
		bl_store_free(&s->base);
		return false;
	}
	free(s->base.describe);
	s->base.describe = bl_asprintf("Docker daemon image (Engine API on %s)", s->api.shown);
	make_root(s);
	*out = &s->base;
	return true;
}
