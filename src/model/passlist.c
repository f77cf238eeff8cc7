/* Layers listed while a once-read source passes: see passlist.h.
 *
 * The tap is called by the stdin store for every regular member of the
 * archive before it knows what the member is (the manifest may come after
 * the layers it names). Members whose name cannot be a blob, and blobs that
 * open a JSON document, are left alone; every other member is listed as a
 * layer. A member that turns out not to be a tar keeps its error, which is
 * only ever shown if a manifest names it as a layer. */
#include "bakelens/passlist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

struct capture {
	uint32_t seq;
	FILE *f; /* an unnamed temporary file: the bytes never sit in memory */
};

struct kept {
	struct bl_digest d;
	bool ok;
	struct bl_file_list list;
	struct bl_error err; /* why listing it failed (!ok) */
	struct capture *caps;
	size_t ncaps;
};

struct bl_passlist {
	struct bl_store_tap tap;
	char *capture_path;
	struct kept **items;
	size_t len, cap;
	bool used;
};

static void kept_free(struct kept *k)
{
	if (!k)
		return;
	bl_file_list_fini(&k->list);
	for (size_t i = 0; i < k->ncaps; i++)
		if (k->caps[i].f)
			fclose(k->caps[i].f);
	free(k->caps);
	free(k);
}

/* Layers are at "blobs/<alg>/<hex>" (OCI archives, docker save since 25),
 * "<hex>.tar" (skopeo's docker-archive) or "<id>/layer.tar" (older docker
 * save): rather than trust a naming, every member is a candidate but the
 * small documents those archives also hold. */
static bool may_be_layer(const char *name)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	size_t n = strlen(base);
	if (n >= 5 && strcmp(base + n - 5, ".json") == 0)
		return false;
	return strcmp(base, "VERSION") != 0 && strcmp(base, "json") != 0 &&
	       strcmp(base, "oci-layout") != 0 && strcmp(base, "repositories") != 0;
}

/* The first bytes of a member, read to decide what it is, then the rest. */
struct peek_stream {
	struct bl_stream base;
	struct bl_stream *in;
	unsigned char buf[64];
	size_t len, pos;
};

static ssize_t peek_read(struct bl_stream *s, void *buf, size_t n, struct bl_error *err)
{
	struct peek_stream *p = (struct peek_stream *)s;
	if (p->pos < p->len) {
		size_t take = p->len - p->pos < n ? p->len - p->pos : n;
		memcpy(buf, p->buf + p->pos, take);
		p->pos += take;
		return (ssize_t)take;
	}
	return p->in->read(p->in, buf, n, err);
}

static void peek_close(struct bl_stream *s)
{
	(void)s; /* on the stack of tap_member */
}

static bool capture_block(void *ud, uint32_t seq, const void *buf, size_t len, struct bl_error *err)
{
	struct kept *k = ud;
	if (!buf) {
		k->caps = bl_realloc(k->caps, (k->ncaps + 1) * sizeof *k->caps);
		struct capture *c = &k->caps[k->ncaps++];
		c->seq = seq;
		c->f = tmpfile();
		if (!c->f)
			return bl_fail_errno(
			        err, BL_E_IO, "a temporary file for the captured file");
		return true;
	}
	struct capture *c = &k->caps[k->ncaps - 1];
	if (fwrite(buf, 1, len, c->f) != len)
		return bl_fail_errno(err, BL_E_IO, "writing a temporary file");
	return true;
}

static void *tap_member(void *ud, const char *name, int64_t size, struct bl_stream *data)
{
	struct bl_passlist *p = ud;
	p->used = true;
	if (size <= 0 || !may_be_layer(name))
		return NULL;
	struct peek_stream ps = {.base = {peek_read, peek_close}, .in = data};
	while (ps.len < sizeof ps.buf) {
		ssize_t r = data->read(data, ps.buf + ps.len, sizeof ps.buf - ps.len, NULL);
		if (r <= 0)
			break; /* a failure is the pass's: it reads the member again */
		ps.len += (size_t)r;
	}
	size_t i = 0;
	while (i < ps.len &&
	        (ps.buf[i] == ' ' || ps.buf[i] == '\n' || ps.buf[i] == '\r' || ps.buf[i] == '\t'))
		i++;
	if (i == ps.len || ps.buf[i] == '{' || ps.buf[i] == '[')
		return NULL; /* a JSON document (index, manifest, config) */
	struct kept *k = bl_malloc(sizeof *k);
	memset(k, 0, sizeof *k);
	bl_file_list_init(&k->list);
	/* Named as bl_layerfiles_list names a layer, when the name says its digest. */
	char *what;
	struct bl_digest d;
	const char *slash = strrchr(name, '/');
	char *ds = slash && strncmp(name, "blobs/", 6) == 0
	                   ? bl_asprintf("%.*s:%s", (int)(slash - name - 6), name + 6, slash + 1)
	                   : NULL;
	if (ds && bl_digest_parse(ds, &d, NULL)) {
		char sh[32];
		bl_digest_short(&d, sh, sizeof sh);
		what = bl_asprintf("layer %s", sh);
	} else {
		char *safe = bl_text_safe(name);
		what = bl_asprintf("layer %s", safe);
		free(safe);
	}
	free(ds);
	struct bl_layerfiles_opts lo = {
	        .hash = true,
	        .layer = -1,
	        .capture_path = p->capture_path,
	        .capture = p->capture_path ? capture_block : NULL,
	        .capture_ud = k,
	};
	k->ok = bl_layerfiles_read(&ps.base, what, &lo, &k->list, &k->err);
	if (!k->ok)
		bl_file_list_fini(&k->list);
	free(what);
	return k;
}

static void tap_done(void *ud, void *token, const struct bl_digest *d)
{
	struct bl_passlist *p = ud;
	struct kept *k = token;
	if (!d) {
		kept_free(k);
		return;
	}
	k->d = *d;
	if (p->len == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->items = bl_realloc(p->items, p->cap * sizeof *p->items);
	}
	p->items[p->len++] = k;
}

struct bl_passlist *bl_passlist_new(const char *capture_path)
{
	struct bl_passlist *p = bl_malloc(sizeof *p);
	memset(p, 0, sizeof *p);
	p->tap = (struct bl_store_tap){.member = tap_member, .done = tap_done, .ud = p};
	p->capture_path = capture_path ? bl_strdup(capture_path) : NULL;
	return p;
}

void bl_passlist_free(struct bl_passlist *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->len; i++)
		kept_free(p->items[i]);
	free(p->items);
	free(p->capture_path);
	free(p);
}

const struct bl_store_tap *bl_passlist_tap(struct bl_passlist *p)
{
	return &p->tap;
}

bool bl_passlist_used(const struct bl_passlist *p)
{
	return p && p->used;
}

static const struct kept *find(const struct bl_passlist *p, const struct bl_digest *d)
{
	/* The last one: a blob stored twice lists the same either way. */
	for (size_t i = p ? p->len : 0; i-- > 0;)
		if (bl_digest_equal(&p->items[i]->d, d))
			return p->items[i];
	return NULL;
}

int bl_passlist_list(const struct bl_passlist *p, const struct bl_descriptor *desc,
        const struct bl_layerfiles_opts *o, struct bl_file_list *out, struct bl_error *err)
{
	const struct kept *k = find(p, &desc->digest);
	if (!k)
		return -1;
	if (!k->ok) {
		if (err)
			*err = k->err;
		return 0;
	}
	const struct bl_file_list *src = &k->list;
	/* A copy: the same blob may be a layer of several images, or twice of one. */
	out->items = bl_realloc(out->items, (src->len ? src->len : 1) * sizeof *out->items);
	out->cap = src->len ? src->len : 1;
	for (size_t i = 0; i < src->len; i++) {
		struct bl_file_entry e = src->items[i];
		e.path = bl_arena_strdup(&out->arena, e.path);
		e.linkname = e.linkname ? bl_arena_strdup(&out->arena, e.linkname) : NULL;
		e.layer = o ? o->layer : -1;
		if (!o || !o->hash) {
			e.has_sha256 = false;
			memset(e.sha256, 0, sizeof e.sha256);
		}
		out->items[i] = e;
	}
	out->len = src->len;
	out->bytes_read += src->bytes_read;
	out->tar_bytes += src->tar_bytes;
	out->content_bytes += src->content_bytes;
	out->missing_end_marker = src->missing_end_marker;
	out->toc_why = NULL;
	if (o && o->read_path)
		o->read_path(o->read_path_ud, o->layer, &desc->digest, "whole-layer",
		        "listed as it passed, read once", src->bytes_read, desc->size);
	return 1;
}

bool bl_passlist_list_node(const struct bl_node *layer, const struct bl_layerfiles_opts *o,
        struct bl_file_list *out, struct bl_error *err)
{
	if (o && o->pass && layer->has_desc) {
		int r = bl_passlist_list(o->pass, &layer->desc, o, out, err);
		if (r >= 0)
			return r == 1;
	}
	return bl_layerfiles_list_node(layer, o, out, err);
}

bool bl_passlist_cat(const struct bl_passlist *p, const struct bl_descriptor *desc, uint32_t seq,
        bl_data_sink sink, void *ud, struct bl_error *err)
{
	char sh[32];
	bl_digest_short(&desc->digest, sh, sizeof sh);
	const struct kept *k = find(p, &desc->digest);
	const struct capture *c = NULL;
	for (size_t i = 0; k && i < k->ncaps; i++)
		if (k->caps[i].seq == seq)
			c = &k->caps[i];
	if (!c)
		return bl_fail(err, BL_E_UNSUPPORTED,
		        "layer %s: the file's bytes were not kept: standard input is read once, "
		        "and the path asked for reaches them through a link (name the target "
		        "path, or read the image from a file)",
		        sh);
	rewind(c->f);
	char buf[1 << 16];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, c->f)) > 0)
		if (!sink(ud, buf, n, err)) {
			if (err && err->code == BL_OK)
				bl_fail(err, BL_E_CANCELLED, "layer %s: cancelled", sh);
			return false;
		}
	if (ferror(c->f))
		return bl_fail_errno(err, BL_E_IO, "layer %s: reading a temporary file", sh);
	return true;
}
