/* Image tarballs: OCI layout tars (buildx type=oci/type=docker, containerd
 * exports, docker save >= 25) and legacy docker save archives, plain or
 * compressed, from a file or read once from a pipe.
 *
 * Opening indexes the member headers once (tarindex.c), then classifies:
 * blobs/<alg>/<hex> members are blobs by name; index.json gives the roots;
 * manifest.json adds RepoTags, or, when there is no usable index.json, gives
 * roots itself: the real manifest blob when one is in blobs/, else a Docker
 * v2s2 manifest synthesised from manifest.json and the config (legacy).
 *
 * Costs: an uncompressed file is indexed by reading headers only (members are
 * then read with pread). A compressed file is decompressed once while
 * indexing (every member hashed, small ones kept), and reading a large member
 * later decompresses again up to it. Legacy archives whose layers are
 * compressed (kaniko's <hex>.tar.gz) have those layers hashed at open time,
 * since their digest is not in the config: one extra read of each. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/json.h"
#include "bakelens/mediatype.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "internal.h"

#define MT_DOCKER_LAYER_ZSTD "application/vnd.docker.image.rootfs.diff.tar.zstd"

struct blob_ent {
	struct bl_digest d;
	const struct bl_tar_member *m; /* NULL for a synthesised document */
	char *synth;                   /* owned bytes when m is NULL */
	size_t synth_len;
	enum bl_blob_state state;      /* known state (VERIFIED when hashed), else PRESENT */
};

struct tar_store {
	struct bl_store base;
	struct bl_tarix ix;
	int fd;
	char *path;      /* file to re-stream (RESTREAM) */
	char *what;      /* escaped source, for messages */
	enum bl_tar_access access;
	struct blob_ent *blobs;
	size_t nblobs, cap;
	bool sorted;
	struct bl_vec roots;
	size_t roots_dropped; /* names past TAR_ROOTS_MAX, not listed */
	/* manifest blobs by config digest (find_manifest_for_config), built once */
	struct man_cand *cands;
	size_t ncands;
	bool cands_built;
};

/* Roots one archive lists at most: a 32 MiB manifest.json can name millions
 * of RepoTags, each a root, and the model shows at most 100000 nodes. */
#define TAR_ROOTS_MAX 50000

struct man_cand {
	struct bl_digest config;
	struct bl_digest manifest;
	int64_t size;
	char *media_type;
};

/* ---- blob table ---- */

static int cmp_blob(const void *a, const void *b)
{
	return strcmp(((const struct blob_ent *)a)->d.str, ((const struct blob_ent *)b)->d.str);
}

static struct blob_ent *find_blob(struct tar_store *t, const struct bl_digest *d)
{
	if (t->nblobs == 0)
		return NULL; /* (qsort and bsearch take no NULL array, even empty) */
	if (!t->sorted) {
		qsort(t->blobs, t->nblobs, sizeof(*t->blobs), cmp_blob);
		t->sorted = true;
	}
	struct blob_ent key;
	memset(&key, 0, sizeof(key));
	key.d = *d;
	return bsearch(&key, t->blobs, t->nblobs, sizeof(*t->blobs), cmp_blob);
}

/* `check`: look for an entry with that digest first (sorts the table: do not
 * use in a loop over many blobs). */
static struct blob_ent *add_blob_ex(struct tar_store *t, const struct bl_digest *d, bool check)
{
	if (check && t->nblobs > 0) {
		struct blob_ent *have = find_blob(t, d);
		if (have)
			return have;
	}
	if (t->nblobs == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->blobs = bl_realloc(t->blobs, t->cap * sizeof(*t->blobs));
	}
	struct blob_ent *b = &t->blobs[t->nblobs++];
	memset(b, 0, sizeof(*b));
	b->d = *d;
	b->state = BL_BLOB_PRESENT;
	t->sorted = false;
	return b;
}

static struct blob_ent *add_blob(struct tar_store *t, const struct bl_digest *d)
{
	return add_blob_ex(t, d, true);
}

static void set_member_state(struct blob_ent *b)
{
	if (b->m && b->m->hashed && b->m->sha.alg == b->d.alg)
		b->state = bl_digest_equal(&b->m->sha, &b->d) ? BL_BLOB_VERIFIED : BL_BLOB_MISMATCH;
}

/* libarchive's reason, escaped (it can quote member names), never NULL:
 * caller frees. */
static char *archive_why(struct archive *a)
{
	const char *w = archive_error_string(a);
	return bl_text_safe(w && *w ? w : "unreadable data (truncated or damaged)");
}

/* ---- member access ---- */

/* Re-read a compressed archive from the start up to member `m`; leaves the
 * reader positioned at its data. */
static struct archive *restream_to(struct tar_store *t, const struct bl_tar_member *m,
	struct bl_error *err)
{
	struct archive *a = bl_tarix_reader();
	if (archive_read_open_filename(a, t->path, 1 << 16) != ARCHIVE_OK) {
		char *why = archive_why(a);
		bl_fail(err, BL_E_IO, "%s: cannot reopen: %s", t->what, why);
		free(why);
		archive_read_free(a);
		return NULL;
	}
	struct archive_entry *e;
	for (size_t ord = 1;; ord++) {
		int r = archive_read_next_header(a, &e);
		if (r < ARCHIVE_WARN || r == ARCHIVE_RETRY || r == ARCHIVE_EOF) {
			char *sm = bl_text_safe(m->name);
			char *why = r == ARCHIVE_EOF ? bl_strdup("archive changed") : archive_why(a);
			bl_fail(err, BL_E_FORMAT, "%s: member \"%s\" not found when re-reading: %s",
				t->what, sm, why);
			free(why);
			free(sm);
			archive_read_free(a);
			return NULL;
		}
		if (ord == m->ordinal)
			return a;
		archive_read_data_skip(a);
	}
}

/* A sparse member (offset unknown) whose holes make it bigger than any
 * document: never read (tarindex.c does not hash it either), so that a
 * few-byte header claiming a terabyte of holes costs nothing. */
static bool sparse_unreadable(const struct bl_tar_member *m, const char *label,
	struct bl_error *err)
{
	if (m->offset >= 0 || m->data || (uint64_t)m->size <= BL_TAR_KEEP_MAX)
		return false;
	bl_fail(err, BL_E_UNSUPPORTED, "%s: a sparse tar member of %lld bytes: not read", label,
		(long long)m->size);
	return true;
}

static bool read_member(struct tar_store *t, const struct bl_tar_member *m, size_t max,
	struct bl_buf *out, const char *label, struct bl_error *err)
{
	if (sparse_unreadable(m, label, err))
		return false;
	if ((uint64_t)m->size > max)
		return bl_fail(err, BL_E_TOO_BIG, "%s: %lld bytes, over the %zu-byte cap", label,
			(long long)m->size, max);
	if (m->data) {
		bl_buf_append(out, m->data, (size_t)m->size);
		return true;
	}
	if (m->size == 0) {
		bl_buf_append(out, "", 0);
		return true;
	}
	if (t->access == BL_TAR_ONCE)
		return bl_fail(err, BL_E_UNSUPPORTED,
			"%s: layer not kept: standard input is read once (only JSON documents up to "
			"32 MiB, 64 MiB in all, are kept)",
			label);
	bl_buf_reserve(out, (size_t)m->size + 1);
	if (t->access == BL_TAR_PREAD && m->offset >= 0) {
		size_t got = 0;
		while (got < (size_t)m->size) {
			ssize_t r = pread(t->fd, out->data + out->len, (size_t)m->size - got,
				(off_t)(m->offset + (int64_t)got));
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0)
				return bl_fail_errno(err, BL_E_IO, "%s", label);
			if (r == 0)
				return bl_fail(err, BL_E_FORMAT, "%s: archive ends inside it", label);
			got += (size_t)r;
			out->len += (size_t)r;
		}
		out->data[out->len] = '\0';
		return true;
	}
	struct archive *a = restream_to(t, m, err);
	if (!a)
		return false;
	int64_t got = 0;
	while (got < m->size) {
		la_ssize_t r = archive_read_data(a, out->data + out->len, (size_t)(m->size - got));
		if (r < 0) {
			char *why = archive_why(a);
			bl_fail(err, BL_E_FORMAT, "%s: %s", label, why);
			free(why);
			archive_read_free(a);
			return false;
		}
		if (r == 0)
			break;
		got += r;
		out->len += (size_t)r;
	}
	archive_read_free(a);
	out->data[out->len] = '\0';
	if (got != m->size)
		return bl_fail(err, BL_E_FORMAT, "%s: archive ends inside it", label);
	return true;
}

struct archive_stream {
	struct bl_stream base;
	struct archive *a;
};

static ssize_t as_read(struct bl_stream *s, void *buf, size_t n, struct bl_error *err)
{
	struct archive_stream *as = (struct archive_stream *)s;
	la_ssize_t r = archive_read_data(as->a, buf, n);
	if (r < 0) {
		char *why = archive_why(as->a);
		bl_fail(err, BL_E_FORMAT, "compressed archive: %s", why);
		free(why);
		return -1;
	}
	return (ssize_t)r;
}

static void as_close(struct bl_stream *s)
{
	struct archive_stream *as = (struct archive_stream *)s;
	archive_read_free(as->a);
	free(as);
}

static struct bl_stream *archive_stream_new(struct archive *a)
{
	struct archive_stream *as = bl_calloc(1, sizeof(*as));
	as->base.read = as_read;
	as->base.close = as_close;
	as->a = a;
	return &as->base;
}

/* ---- JSON helpers ---- */

static json_t *member_json(struct tar_store *t, const struct bl_tar_member *m, const char *label,
	size_t max, struct bl_error *err)
{
	struct bl_buf b;
	bl_buf_init(&b);
	if (!read_member(t, m, max, &b, label, err)) {
		bl_buf_fini(&b);
		return NULL;
	}
	json_t *j = bl_json_parse(b.data ? b.data : "", b.len, max, err);
	bl_buf_fini(&b);
	if (!j)
		bl_error_prefix(err, "%s", label);
	return j;
}

static struct bl_stream *archive_stream_new(struct archive *a);

/* sha256 of a member's bytes, streamed (a compressed member may inflate to
 * gigabytes: never held in memory). */
static bool member_digest(struct tar_store *t, const struct bl_tar_member *m,
	struct bl_digest *out, struct bl_error *err)
{
	if (m->hashed && m->sha.alg == BL_DIGEST_SHA256) {
		*out = m->sha;
		return true;
	}
	char *sm = bl_text_safe(m->name);
	bool unreadable = sparse_unreadable(m, sm, err);
	free(sm);
	if (unreadable)
		return false;
	if (m->data || m->size == 0) {
		bl_digest_compute(BL_DIGEST_SHA256, m->data ? m->data : "", (size_t)m->size, out);
		return true;
	}
	if (t->access == BL_TAR_ONCE)
		return bl_fail(err, BL_E_UNSUPPORTED, "not hashed: standard input is read once");
	struct bl_stream *s = NULL;
	if (t->access == BL_TAR_PREAD && m->offset >= 0) {
		s = bl_stream_fd_range(t->fd, m->offset, m->size);
	} else {
		struct archive *a = restream_to(t, m, err);
		if (!a)
			return false;
		s = archive_stream_new(a);
	}
	struct bl_hasher h;
	bl_hasher_init(&h, BL_DIGEST_SHA256);
	char *buf = bl_malloc(1 << 16);
	ssize_t r;
	while ((r = s->read(s, buf, 1 << 16, err)) > 0)
		bl_hasher_update(&h, buf, (size_t)r);
	free(buf);
	s->close(s);
	if (r == 0)
		bl_hasher_final(&h, out);
	bl_hasher_fini(&h);
	return r == 0;
}

/* First bytes of a member (for compression magic). */
static size_t member_magic(struct tar_store *t, const struct bl_tar_member *m, unsigned char *p,
	size_t n)
{
	if (m->data) {
		size_t k = (size_t)m->size < n ? (size_t)m->size : n;
		memcpy(p, m->data, k);
		return k;
	}
	if (m->magic_len > 0 || m->hashed) {
		memcpy(p, m->magic, m->magic_len);
		return m->magic_len;
	}
	if (t->access == BL_TAR_PREAD && m->offset >= 0) {
		ssize_t r = pread(t->fd, p, (size_t)m->size < n ? (size_t)m->size : n, m->offset);
		return r > 0 ? (size_t)r : 0;
	}
	return 0;
}

enum comp { COMP_NONE, COMP_GZIP, COMP_ZSTD, COMP_OTHER };

static enum comp magic_comp(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return COMP_GZIP;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return COMP_ZSTD;
	if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
		return COMP_OTHER;
	if (n >= 3 && memcmp(p, "BZh", 3) == 0)
		return COMP_OTHER;
	return COMP_NONE;
}

/* ---- classification ---- */

/* Why bl_tarix_find found no regular file at `name` (for messages): the
 * member there is a link that loops or leaves the archive, or is not a file;
 * "" when there is no member of that name at all. */
static const char *why_not_found(const struct tar_store *t, const char *name)
{
	char *n = bl_tar_path_normalise(name);
	if (!n)
		return " (the path leaves the archive)";
	const struct bl_tar_member *m = NULL;
	size_t lo = 0, hi = t->ix.n_by_name;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(t->ix.m[t->ix.by_name[mid]].name, n);
		if (c == 0) {
			m = &t->ix.m[t->ix.by_name[mid]];
			break;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	free(n);
	if (!m)
		return "";
	if (m->is_symlink || m->is_hardlink)
		return " (a link that loops, leaves the archive or names no member)";
	return " (a member that is not a regular file: a device, FIFO or the like)";
}

static void add_layout_blobs(struct tar_store *t)
{
	for (size_t i = 0; i < t->ix.n_by_name; i++) {
		const struct bl_tar_member *m = &t->ix.m[t->ix.by_name[i]];
		if (strncmp(m->name, "blobs/", 6) != 0)
			continue;
		const char *alg = m->name + 6;
		const char *slash = strchr(alg, '/');
		if (!slash || strchr(slash + 1, '/'))
			continue;
		char *ds = bl_asprintf("%.*s:%s", (int)(slash - alg), alg, slash + 1);
		struct bl_digest d;
		if (bl_digest_parse(ds, &d, NULL)) {
			const struct bl_tar_member *target = bl_tarix_find(&t->ix, m->name);
			if (target) {
				/* names are unique in by_name, so digests are too */
				struct blob_ent *b = add_blob_ex(t, &d, false);
				b->m = target;
				set_member_state(b);
			}
		}
		free(ds);
	}
}

static struct bl_store_root *new_root(const char *name)
{
	struct bl_store_root *r = bl_calloc(1, sizeof(*r));
	r->name = bl_strdup(name);
	r->desc.size = -1;
	return r;
}

/* RepoTags of a manifest.json entry as a JSON array, or NULL. */
static json_t *repo_tags(json_t *entry)
{
	json_t *tags = json_object_get(entry, "RepoTags");
	return json_is_array(tags) && json_array_size(tags) > 0 ? tags : NULL;
}

static void push_root(struct tar_store *t, struct bl_store_root *r)
{
	if (t->roots.len >= TAR_ROOTS_MAX) {
		t->roots_dropped++;
		bl_store_root_free(r);
		return;
	}
	bl_vec_push(&t->roots, r);
}

/* Push one root per RepoTag (a copy of `proto` each), or `proto` itself when untagged. */
static void push_tagged(struct tar_store *t, struct bl_store_root *proto, json_t *tags)
{
	if (!tags) {
		push_root(t, proto);
		return;
	}
	size_t i;
	json_t *tag;
	bool first = true;
	json_array_foreach(tags, i, tag)
	{
		if (!json_is_string(tag))
			continue;
		if (!first && t->roots.len >= TAR_ROOTS_MAX) {
			t->roots_dropped++;
			continue;
		}
		struct bl_store_root *r = first ? proto : bl_store_root_dup(proto);
		free(r->name);
		r->name = bl_strdup(json_string_value(tag));
		push_root(t, r);
		first = false;
	}
	if (first)
		push_root(t, proto);
}

/* manifest.json path ("blobs/sha256/<hex>") as a digest, when it is one. */
static bool path_digest(const char *path, struct bl_digest *d)
{
	char *n = bl_tar_path_normalise(path);
	bool ok = false;
	if (n && strncmp(n, "blobs/", 6) == 0) {
		char *slash = strchr(n + 6, '/');
		if (slash) {
			*slash = ':';
			ok = bl_digest_parse(n + 6, d, NULL);
		}
	}
	free(n);
	return ok;
}

/* Does a member start (after blanks) with '{'? Looks at kept bytes, the
 * magic recorded while streaming, or the file (PREAD). */
static bool member_is_object(struct tar_store *t, const struct bl_tar_member *m)
{
	unsigned char p[6];
	size_t n = member_magic(t, m, p, sizeof(p));
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < n && p[i] == '{';
}

/* Every small manifest blob in blobs/, by the digest of its config, once
 * per store (an archive can hold thousands of blobs and manifest.json
 * thousands of entries). Only blobs that can be read cheaply are looked at:
 * kept in memory, or read with pread; never one that needs the compressed
 * archive decompressed again. */
static void build_candidates(struct tar_store *t)
{
	t->cands_built = true;
	size_t cap = 0;
	for (size_t i = 0; i < t->nblobs; i++) {
		struct blob_ent *b = &t->blobs[i];
		if (!b->m || b->m->size > 65536 || b->m->size < 2)
			continue;
		if (!b->m->data && !(t->access == BL_TAR_PREAD && b->m->offset >= 0))
			continue;
		if (!member_is_object(t, b->m))
			continue;
		struct bl_buf buf;
		bl_buf_init(&buf);
		bool ok = read_member(t, b->m, 65536, &buf, "blob", NULL);
		json_t *j = ok ? bl_json_parse(buf.data, buf.len, 65536, NULL) : NULL;
		bl_buf_fini(&buf);
		if (!j)
			continue;
		struct bl_digest cd;
		if (json_object_get(j, "layers") &&
			bl_digest_parse(bl_json_str(bl_json_obj(j, "config"), "digest"), &cd, NULL)) {
			if (t->ncands == cap) {
				cap = cap ? cap * 2 : 8;
				t->cands = bl_realloc(t->cands, cap * sizeof(*t->cands));
			}
			struct man_cand *c = &t->cands[t->ncands++];
			const char *mt = bl_json_str(j, "mediaType");
			c->config = cd;
			c->manifest = b->d;
			c->size = b->m->size;
			c->media_type = bl_strdup(mt ? mt : BL_MT_OCI_MANIFEST);
		}
		json_decref(j);
	}
}

/* A manifest blob in blobs/ whose config is `config` (Docker >= 25 saves
 * one). Only small blobs that parse as a manifest are looked at. */
static bool find_manifest_for_config(struct tar_store *t, const struct bl_digest *config,
	struct bl_descriptor *out)
{
	if (!t->cands_built)
		build_candidates(t);
	for (size_t i = 0; i < t->ncands; i++) {
		const struct man_cand *c = &t->cands[i];
		if (!bl_digest_equal(&c->config, config))
			continue;
		memset(out, 0, sizeof(*out));
		out->media_type = bl_strdup(c->media_type);
		out->digest = c->manifest;
		out->size = c->size;
		return true;
	}
	return false;
}

static bool synth_entry(struct tar_store *t, json_t *entry, size_t idx, bool from_v25,
	struct bl_error *err)
{
	char where[64];
	snprintf(where, sizeof(where), "manifest.json[%zu]", idx);
	if (!json_is_object(entry))
		return bl_fail(err, BL_E_FORMAT, "%s: %s: expected an object", t->what, where);
	const char *cfg_path = bl_json_str(entry, "Config");
	if (!cfg_path || !*cfg_path)
		return bl_fail(err, BL_E_FORMAT, "%s: %s: no Config", t->what, where);
	json_t *layers = json_object_get(entry, "Layers");
	if (layers && !json_is_null(layers) && !json_is_array(layers))
		return bl_fail(err, BL_E_FORMAT, "%s: %s: Layers is not an array", t->what, where);
	const struct bl_tar_member *cm = bl_tarix_find(&t->ix, cfg_path);
	if (!cm) {
		char *sp = bl_text_safe(cfg_path);
		bl_fail(err, BL_E_FORMAT, "%s: %s: Config \"%s\" is not in the archive%s", t->what,
			where, sp, why_not_found(t, cfg_path));
		free(sp);
		return false;
	}
	/* Docker >= 25: the real manifest is in blobs/; prefer it. */
	struct bl_digest cfgd;
	if (path_digest(cfg_path, &cfgd)) {
		struct bl_descriptor md;
		if (find_manifest_for_config(t, &cfgd, &md)) {
			struct bl_store_root *r = new_root(NULL);
			r->desc = md;
			r->note = bl_strdup(from_v25
					? "found through manifest.json: index.json lists no images"
					: "found through manifest.json");
			push_tagged(t, r, repo_tags(entry));
			return true;
		}
	}
	char *cfg_label = bl_asprintf("%s: %s: Config", t->what, where);
	struct bl_buf cbuf;
	bl_buf_init(&cbuf);
	if (!read_member(t, cm, BL_JSON_CONFIG_MAX, &cbuf, cfg_label, err)) {
		free(cfg_label);
		bl_buf_fini(&cbuf);
		return false;
	}
	json_t *config = bl_json_parse(cbuf.data ? cbuf.data : "", cbuf.len, BL_JSON_CONFIG_MAX, err);
	if (!config) {
		bl_error_prefix(err, "%s", cfg_label);
		free(cfg_label);
		bl_buf_fini(&cbuf);
		return false;
	}
	struct bl_digest config_digest;
	bl_digest_compute(BL_DIGEST_SHA256, cbuf.data ? cbuf.data : "", cbuf.len, &config_digest);
	size_t config_size = cbuf.len;
	bl_buf_fini(&cbuf);
	struct blob_ent *cb = add_blob(t, &config_digest);
	if (!cb->m && !cb->synth) {
		cb->m = cm;
	}
	cb->state = BL_BLOB_VERIFIED;

	json_t *diff_ids = bl_json_arr(bl_json_obj(config, "rootfs"), "diff_ids");
	json_t *sources = bl_json_obj(entry, "LayerSources");
	json_t *mlayers = json_array();
	bool ok = false;
	size_t i;
	json_t *lp;
	json_array_foreach(layers, i, lp)
	{
		char lw[96];
		snprintf(lw, sizeof(lw), "%s.Layers[%zu]", where, i);
		if (!json_is_string(lp)) {
			bl_fail(err, BL_E_FORMAT, "%s: %s: expected a path", t->what, lw);
			goto out;
		}
		const char *path = json_string_value(lp);
		const struct bl_tar_member *lm = bl_tarix_find(&t->ix, path);
		if (!lm) {
			char *sp = bl_text_safe(path);
			bl_fail(err, BL_E_FORMAT, "%s: %s: \"%s\" is not in the archive%s", t->what, lw, sp,
				why_not_found(t, path));
			free(sp);
			goto out;
		}
		unsigned char mg[6];
		size_t mn = member_magic(t, lm, mg, sizeof(mg));
		enum comp c = magic_comp(mg, mn);
		struct bl_digest ld;
		const char *mt = BL_MT_DOCKER_LAYER;
		json_t *did = json_array_get(diff_ids, i);
		if (c == COMP_NONE && json_is_string(did) &&
			bl_digest_parse(json_string_value(did), &ld, NULL)) {
			/* Uncompressed: the member's digest is the diff_id. */
		} else {
			/* Compressed (kaniko writes <hex>.tar.gz), or no diff_id: the
			 * layer is named by the digest of its own bytes. This hashes
			 * the member now, once. */
			if (!member_digest(t, lm, &ld, err)) {
				bl_error_prefix(err, "%s: %s", t->what, lw);
				goto out;
			}
			if (c == COMP_GZIP)
				mt = BL_MT_DOCKER_LAYER_GZIP;
			else if (c == COMP_ZSTD)
				mt = MT_DOCKER_LAYER_ZSTD;
		}
		json_t *src = json_object_get(sources, ld.str);
		const char *smt = bl_json_str(src, "mediaType");
		const char *sdg = bl_json_str(src, "digest");
		if (smt && sdg && strcmp(sdg, ld.str) == 0)
			mt = smt;
		struct blob_ent *lb = add_blob(t, &ld);
		if (!lb->m && !lb->synth) {
			lb->m = lm;
			set_member_state(lb);
		}
		json_array_append_new(mlayers, json_pack("{s:s, s:I, s:s}", "mediaType", mt, "size",
							(json_int_t)lm->size, "digest", ld.str));
	}
	json_t *man = json_pack("{s:i, s:s, s:{s:s, s:I, s:s}, s:O}", "schemaVersion", 2,
		"mediaType", BL_MT_DOCKER_MANIFEST, "config", "mediaType", BL_MT_DOCKER_CONFIG, "size",
		(json_int_t)config_size, "digest", config_digest.str, "layers", mlayers);
	char *bytes = json_dumps(man, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(man);
	struct bl_digest md;
	size_t mlen = strlen(bytes);
	bl_digest_compute(BL_DIGEST_SHA256, bytes, mlen, &md);
	struct blob_ent *mb = add_blob(t, &md);
	if (!mb->m && !mb->synth) {
		mb->synth = bl_strdup(bytes);
		mb->synth_len = mlen;
		mb->state = BL_BLOB_VERIFIED;
	}
	free(bytes);
	struct bl_store_root *r = new_root(NULL);
	r->desc.media_type = bl_strdup(BL_MT_DOCKER_MANIFEST);
	r->desc.digest = md;
	r->desc.size = (int64_t)mlen;
	r->synthesised = true;
	r->note = bl_strdup("synthesised from docker save manifest.json (legacy): no manifest blob exists");
	push_tagged(t, r, repo_tags(entry));
	ok = true;
out:
	json_decref(mlayers);
	json_decref(config);
	free(cfg_label);
	return ok;
}

/* Roots from a docker manifest.json (legacy, or v25 with an empty index). */
static bool roots_from_manifest_json(struct tar_store *t, const struct bl_tar_member *mm,
	bool from_v25, struct bl_error *err)
{
	char *label = bl_asprintf("%s: manifest.json", t->what);
	json_t *j = NULL;
	bool ok = false;
	struct bl_buf b;
	bl_buf_init(&b);
	if (!read_member(t, mm, BL_JSON_CONFIG_MAX, &b, label, err)) {
		bl_buf_fini(&b);
		goto out;
	}
	/* Decode any top level, so that `null` gets a clear message. */
	json_error_t je;
	j = json_loadb(b.data ? b.data : "", b.len, JSON_DECODE_ANY, &je);
	bl_buf_fini(&b);
	if (!j) {
		char *why = bl_text_safe(je.text);
		bl_fail(err, BL_E_FORMAT, "%s: line %d column %d: %s", label, je.line, je.column, why);
		free(why);
		goto out;
	}
	if (!json_is_array(j)) {
		bl_fail(err, BL_E_FORMAT, "%s: expected an array of images, found %s", label,
			json_is_null(j) ? "null" : json_is_object(j) ? "an object" : "a scalar");
		goto out;
	}
	if (json_array_size(j) == 0) {
		bl_fail(err, BL_E_FORMAT, "%s: empty array: no images", label);
		goto out;
	}
	size_t i;
	json_t *e;
	json_array_foreach(j, i, e)
	{
		if (!synth_entry(t, e, i, from_v25, err))
			goto out;
	}
	ok = true;
out:
	json_decref(j);
	free(label);
	return ok;
}

/* A manifest.json entry with RepoTags, by the digest its Config path names. */
struct tagged_cfg {
	struct bl_digest config;
	size_t order; /* position in manifest.json: the first entry wins */
	json_t *tags; /* borrowed from the parsed manifest.json */
};

static int cmp_tagged(const void *a, const void *b)
{
	const struct tagged_cfg *x = a, *y = b;
	int c = strcmp(x->config.str, y->config.str);
	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Give unnamed index.json roots the RepoTags of manifest.json entries whose
 * Config is the root manifest's config. The entries are sorted once, so a
 * big index.json and a big manifest.json cost n log n, not n * m. */
static void name_from_manifest_json(struct tar_store *t, const struct bl_tar_member *mm)
{
	json_t *j = member_json(t, mm, "manifest.json", BL_JSON_CONFIG_MAX, NULL);
	if (!json_is_array(j)) {
		json_decref(j);
		return;
	}
	size_t ne = 0;
	struct tagged_cfg *ents = bl_calloc(json_array_size(j) + 1, sizeof(*ents));
	size_t i;
	json_t *e;
	json_array_foreach(j, i, e)
	{
		json_t *tags = repo_tags(e);
		if (tags && path_digest(bl_json_str(e, "Config"), &ents[ne].config)) {
			ents[ne].order = i;
			ents[ne].tags = tags;
			ne++;
		}
	}
	qsort(ents, ne, sizeof(*ents), cmp_tagged);
	size_t n = t->roots.len;
	for (size_t ri = 0; ri < n && ne > 0; ri++) {
		struct bl_store_root *r = t->roots.items[ri];
		if (r->name || bl_mediatype_kind(r->desc.media_type) != BL_MEDIA_MANIFEST)
			continue;
		struct blob_ent *b = find_blob(t, &r->desc.digest);
		if (!b || !b->m || b->m->size > (int64_t)BL_JSON_MANIFEST_MAX)
			continue;
		json_t *man = member_json(t, b->m, "manifest", BL_JSON_MANIFEST_MAX, NULL);
		struct bl_digest cd;
		bool has_cd = bl_digest_parse(bl_json_str(bl_json_obj(man, "config"), "digest"), &cd,
			NULL);
		json_decref(man);
		if (!has_cd)
			continue;
		/* the first entry (in file order) with this config */
		size_t lo = 0, hi = ne;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (strcmp(ents[mid].config.str, cd.str) < 0)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo == ne || strcmp(ents[lo].config.str, cd.str) != 0)
			continue;
		size_t k;
		json_t *tag;
		json_array_foreach(ents[lo].tags, k, tag)
		{
			if (!json_is_string(tag))
				continue;
			if (!r->name) {
				r->name = bl_strdup(json_string_value(tag));
			} else {
				struct bl_store_root *c = bl_store_root_dup(r);
				free(c->name);
				c->name = bl_strdup(json_string_value(tag));
				push_root(t, c);
			}
		}
	}
	free(ents);
	json_decref(j);
}

static bool classify(struct tar_store *t, struct bl_error *err)
{
	add_layout_blobs(t);
	const struct bl_tar_member *im = bl_tarix_find(&t->ix, "index.json");
	const struct bl_tar_member *mm = bl_tarix_find(&t->ix, "manifest.json");
	const char *kind = NULL;
	if (im) {
		char *label = bl_asprintf("%s: index.json", t->what);
		struct bl_buf b;
		bl_buf_init(&b);
		bool ok = read_member(t, im, BL_JSON_MANIFEST_MAX, &b, label, err) &&
			(b.len > 0 || bl_fail(err, BL_E_FORMAT, "%s: empty file", label)) &&
			bl_store_index_roots(b.data, b.len, label, &t->roots, err);
		bl_buf_fini(&b);
		free(label);
		if (!ok)
			return false;
		if (t->roots.len > 0) {
			if (mm)
				name_from_manifest_json(t, mm);
			kind = mm ? "OCI layout tar with docker manifest.json (docker save >= 25, containerd or buildx type=docker)"
				  : "OCI layout tar";
		} else if (mm) {
			if (!roots_from_manifest_json(t, mm, true, err))
				return false;
			kind = "OCI layout tar with docker manifest.json (index.json lists no images)";
		} else {
			kind = "OCI layout tar (index.json lists no images)";
		}
	} else if (mm) {
		if (!roots_from_manifest_json(t, mm, false, err))
			return false;
		kind = "docker save (legacy) tar";
	} else {
		const char *wi = why_not_found(t, "index.json");
		const char *wm = why_not_found(t, "manifest.json");
		if (*wi || *wm)
			return bl_fail(err, BL_E_FORMAT, "%s: not an image archive: %s%s", t->what,
				*wi ? "index.json is there but unusable" : "manifest.json is there but unusable",
				*wi ? wi : wm);
		return bl_fail(err, BL_E_FORMAT, "%s: not an image archive: no index.json or manifest.json",
			t->what);
	}
	struct bl_buf d;
	bl_buf_init(&d);
	bl_buf_puts(&d, kind);
	if (t->ix.filter)
		bl_buf_printf(&d, " (%s)", t->ix.filter);
	if (t->access == BL_TAR_RESTREAM)
		bl_buf_puts(&d, ": compressed archive, streamed");
	else if (t->access == BL_TAR_ONCE)
		bl_buf_puts(&d, ", read once from a stream (layers hashed, not kept)");
	if (t->ix.unsafe_names)
		bl_buf_printf(&d, "; %zu member(s) with \"..\" in their name ignored",
			t->ix.unsafe_names);
	if (t->ix.n > t->ix.n_by_name)
		bl_buf_printf(&d, "; %zu member(s) superseded by a later one of the same name",
			t->ix.n - t->ix.n_by_name);
	if (t->roots_dropped)
		bl_buf_printf(&d, "; %zu more image name(s) past the first %d not listed",
			t->roots_dropped, TAR_ROOTS_MAX);
	free(t->base.describe);
	t->base.describe = bl_buf_take(&d);
	bl_buf_fini(&d);
	return true;
}

/* ---- ops ---- */

static bool ts_list_roots(struct bl_store *s, struct bl_vec *roots, struct bl_error *err)
{
	struct tar_store *t = (struct tar_store *)s;
	for (size_t i = 0; i < t->roots.len; i++)
		bl_vec_push(roots, bl_store_root_dup(t->roots.items[i]));
	return true;
}

static enum bl_blob_state ts_stat(struct bl_store *s, const struct bl_digest *d, int64_t *size)
{
	struct tar_store *t = (struct tar_store *)s;
	struct blob_ent *b = find_blob(t, d);
	*size = -1;
	if (!b)
		return BL_BLOB_MISSING;
	*size = b->m ? b->m->size : (int64_t)b->synth_len;
	return b->state;
}

static bool ts_read_raw(struct bl_store *s, const struct bl_digest *d, size_t max,
	struct bl_buf *out, struct bl_error *err)
{
	struct tar_store *t = (struct tar_store *)s;
	char sh[40];
	bl_store_short(d, sh, sizeof(sh));
	struct blob_ent *b = find_blob(t, d);
	if (!b)
		return bl_fail(err, BL_E_NOT_FOUND, "blob %s: not in %s", sh, t->what);
	if (b->synth) {
		if (b->synth_len > max)
			return bl_fail(err, BL_E_TOO_BIG, "blob %s: %zu bytes, over the %zu-byte cap", sh,
				b->synth_len, max);
		bl_buf_append(out, b->synth, b->synth_len);
		return true;
	}
	char *label = bl_asprintf("blob %s", sh);
	bool ok = read_member(t, b->m, max, out, label, err);
	free(label);
	return ok;
}

static bool ts_open_raw(struct bl_store *s, const struct bl_digest *d, struct bl_stream **out,
	struct bl_error *err)
{
	struct tar_store *t = (struct tar_store *)s;
	char sh[40];
	bl_store_short(d, sh, sizeof(sh));
	struct blob_ent *b = find_blob(t, d);
	if (!b)
		return bl_fail(err, BL_E_NOT_FOUND, "blob %s: not in %s", sh, t->what);
	if (b->synth) {
		*out = bl_stream_memory(b->synth, b->synth_len);
		return true;
	}
	const struct bl_tar_member *m = b->m;
	if (m->data || m->size == 0) {
		*out = bl_stream_memory(m->data ? m->data : "", (size_t)m->size);
		return true;
	}
	if (t->access == BL_TAR_ONCE)
		return bl_fail(err, BL_E_UNSUPPORTED,
			"blob %s: layer not kept: standard input is read once", sh);
	if (t->access == BL_TAR_PREAD && m->offset >= 0) {
		/* The stream shares the store's fd: it must not outlive the store. */
		*out = bl_stream_fd_range(t->fd, m->offset, m->size);
		return true;
	}
	if (sparse_unreadable(m, sh, err))
		return false;
	struct archive *a = restream_to(t, m, err);
	if (!a)
		return false;
	*out = archive_stream_new(a);
	return true;
}

static void ts_destroy(struct bl_store *s)
{
	struct tar_store *t = (struct tar_store *)s;
	bl_tarix_fini(&t->ix);
	if (t->fd >= 0)
		close(t->fd);
	for (size_t i = 0; i < t->nblobs; i++)
		free(t->blobs[i].synth);
	for (size_t i = 0; i < t->ncands; i++)
		free(t->cands[i].media_type);
	free(t->cands);
	free(t->blobs);
	bl_vec_fini(&t->roots);
	free(t->path);
	free(t->what);
	free(t);
}

#define TAR_OPS(name, k)                                                                        \
	static const struct bl_store_ops name = {                                              \
		.kind = k,                                                                      \
		.list_roots = ts_list_roots,                                                    \
		.stat_blob = ts_stat,                                                           \
		.read_raw = ts_read_raw,                                                        \
		.open_raw = ts_open_raw,                                                        \
		.destroy = ts_destroy,                                                          \
	}
TAR_OPS(oci_archive_ops, "oci-archive");
TAR_OPS(docker_archive_ops, "docker-archive");
TAR_OPS(stdin_ops, "stdin");

bool bl_tar_store_new(struct bl_tarix *ix, int fd, const char *path, enum bl_tar_access access,
	const char *source, struct bl_store **out, struct bl_error *err)
{
	*out = NULL;
	struct tar_store *t = bl_calloc(1, sizeof(*t));
	t->ix = *ix;
	memset(ix, 0, sizeof(*ix));
	t->fd = fd;
	t->path = bl_strdup(path);
	t->what = bl_text_safe(source);
	t->access = access;
	bl_vec_init(&t->roots, bl_store_root_free);
	bl_store_base_init(&t->base, access == BL_TAR_ONCE ? &stdin_ops : &oci_archive_ops, source,
		NULL);
	if (!classify(t, err)) {
		bl_store_free(&t->base);
		return false;
	}
	if (access != BL_TAR_ONCE && !bl_tarix_find(&t->ix, "index.json"))
		t->base.ops = &docker_archive_ops;
	*out = &t->base;
	return true;
}

bool bl_store_tar_open(const char *path, const struct bl_source_opts *opts,
	struct bl_store **out, struct bl_error *err)
{
	*out = NULL;
	char *safe = bl_text_safe(path);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			bl_fail(err, BL_E_IO, "%s: no such file or directory", safe);
		else
			bl_fail_errno(err, BL_E_IO, "%s", safe);
		free(safe);
		return false;
	}
	struct stat st;
	unsigned char head[6] = {0};
	ssize_t hn = pread(fd, head, sizeof(head), 0);
	if (fstat(fd, &st) != 0 || hn < 0) {
		bl_fail_errno(err, BL_E_IO, "%s", safe);
		close(fd);
		free(safe);
		return false;
	}
	bool compressed = (hn >= 2 && head[0] == 0x1f && head[1] == 0x8b) ||
		(hn >= 6 && memcmp(head, "\xfd" "7zXZ\0", 6) == 0) ||
		(hn >= 4 && memcmp(head, "\x28\xb5\x2f\xfd", 4) == 0) ||
		(hn >= 3 && memcmp(head, "BZh", 3) == 0) || (hn >= 1 && head[0] == 0x5d);
	struct bl_tarix ix;
	bl_tarix_init(&ix);
	struct bl_tarix_opts o = {
		.mode = compressed ? BL_TARIX_STREAM : BL_TARIX_SEEK,
		.what = safe,
		.file_size = S_ISREG(st.st_mode) ? st.st_size : 0,
		.progress = opts ? opts->progress : NULL,
		.progress_ud = opts ? opts->progress_ud : NULL,
	};
	struct archive *a = bl_tarix_reader();
	bool ok = archive_read_open_fd(a, fd, 1 << 16) == ARCHIVE_OK;
	if (!ok) {
		char *why = archive_why(a);
		bl_fail(err, BL_E_FORMAT, "%s: not a readable tar archive: %s", safe, why);
		free(why);
	} else {
		ok = bl_tarix_build(&ix, a, &o, err);
	}
	archive_read_free(a);
	if (!ok) {
		bl_tarix_fini(&ix);
		close(fd);
		free(safe);
		return false;
	}
	if (compressed) {
		close(fd);
		fd = -1;
	}
	ok = bl_tar_store_new(&ix, fd, path, compressed ? BL_TAR_RESTREAM : BL_TAR_PREAD, path, out,
		err);
	bl_tarix_fini(&ix);
	free(safe);
	return ok;
}
