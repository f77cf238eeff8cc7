/* The blob table of a tar store and access to its members: read whole (kept
 * bytes, pread, or the compressed archive decompressed again up to the
 * member), streamed, hashed, or only their first bytes looked at. Shared by
 * the OCI tar store (tar.c) and the docker save synthesis (dockersave.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "tar_internal.h"

/* ---- blob table ---- */

static int cmp_blob(const void *a, const void *b)
{
	return strcmp(((const struct blob_ent *)a)->d.str, ((const struct blob_ent *)b)->d.str);
}

struct blob_ent *bl_tar_find_blob(struct tar_store *t, const struct bl_digest *d)
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
struct blob_ent *bl_tar_add_blob_ex(struct tar_store *t, const struct bl_digest *d, bool check)
{
	if (check && t->nblobs > 0) {
		struct blob_ent *have = bl_tar_find_blob(t, d);
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

struct blob_ent *bl_tar_add_blob(struct tar_store *t, const struct bl_digest *d)
{
	return bl_tar_add_blob_ex(t, d, true);
}

void bl_tar_set_member_state(struct blob_ent *b)
{
	if (b->m && b->m->hashed && b->m->sha.alg == b->d.alg)
		b->state = bl_digest_equal(&b->m->sha, &b->d) ? BL_BLOB_VERIFIED : BL_BLOB_MISMATCH;
}

/* ---- member access ---- */

/* Re-read a compressed archive from the start up to member `m`; leaves the
 * reader positioned at its data. */
struct archive *bl_tar_restream_to(
        struct tar_store *t, const struct bl_tar_member *m, struct bl_error *err)
{
	struct archive *a = bl_tarix_reader();
	if (archive_read_open_filename(a, t->path, 1 << 16) != ARCHIVE_OK) {
		char *why = bl_tarix_why(a);
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
			char *why =
			        r == ARCHIVE_EOF ? bl_strdup("archive changed") : bl_tarix_why(a);
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
bool bl_tar_sparse_unreadable(
        const struct bl_tar_member *m, const char *label, struct bl_error *err)
{
	if (m->offset >= 0 || m->data || (uint64_t)m->size <= BL_TAR_KEEP_MAX)
		return false;
	bl_fail(err, BL_E_UNSUPPORTED, "%s: a sparse tar member of %lld bytes: not read", label,
	        (long long)m->size);
	return true;
}

bool bl_tar_read_member(struct tar_store *t, const struct bl_tar_member *m, size_t max,
        struct bl_buf *out, const char *label, struct bl_error *err)
{
	if (bl_tar_sparse_unreadable(m, label, err))
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
		        "%s: layer not kept: standard input is read once (only JSON documents up "
		        "to "
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
				return bl_fail(
				        err, BL_E_FORMAT, "%s: archive ends inside it", label);
			got += (size_t)r;
			out->len += (size_t)r;
		}
		out->data[out->len] = '\0';
		return true;
	}
	struct archive *a = bl_tar_restream_to(t, m, err);
	if (!a)
		return false;
	int64_t got = 0;
	while (got < m->size) {
		la_ssize_t r = archive_read_data(a, out->data + out->len, (size_t)(m->size - got));
		if (r < 0) {
			char *why = bl_tarix_why(a);
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
		char *why = bl_tarix_why(as->a);
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

struct bl_stream *bl_tar_archive_stream_new(struct archive *a)
{
	struct archive_stream *as = bl_calloc(1, sizeof(*as));
	as->base.read = as_read;
	as->base.close = as_close;
	as->a = a;
	return &as->base;
}

/* ---- JSON helpers ---- */

json_t *bl_tar_member_json(struct tar_store *t, const struct bl_tar_member *m, const char *label,
        size_t max, struct bl_error *err)
{
	struct bl_buf b;
	bl_buf_init(&b);
	if (!bl_tar_read_member(t, m, max, &b, label, err)) {
		bl_buf_fini(&b);
		return NULL;
	}
	json_t *j = bl_json_parse(b.data ? b.data : "", b.len, max, err);
	bl_buf_fini(&b);
	if (!j)
		bl_error_prefix(err, "%s", label);
	return j;
}

/* sha256 of a member's bytes, streamed (a compressed member may inflate to
 * gigabytes: never held in memory). */
bool bl_tar_member_digest(struct tar_store *t, const struct bl_tar_member *m, struct bl_digest *out,
        struct bl_error *err)
{
	if (m->hashed && m->sha.alg == BL_DIGEST_SHA256) {
		*out = m->sha;
		return true;
	}
	char *sm = bl_text_safe(m->name);
	bool unreadable = bl_tar_sparse_unreadable(m, sm, err);
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
		struct archive *a = bl_tar_restream_to(t, m, err);
		if (!a)
			return false;
		s = bl_tar_archive_stream_new(a);
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
size_t bl_tar_member_magic(
        struct tar_store *t, const struct bl_tar_member *m, unsigned char *p, size_t n)
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

enum comp bl_tar_magic_comp(const unsigned char *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return COMP_GZIP;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return COMP_ZSTD;
	if (n >= 6 && memcmp(p,
	                      "\xfd"
	                      "7zXZ\0",
	                      6) == 0)
		return COMP_OTHER;
	if (n >= 3 && memcmp(p, "BZh", 3) == 0)
		return COMP_OTHER;
	return COMP_NONE;
}

/* Why bl_tarix_find found no regular file at `name` (for messages): the
 * member there is a link that loops or leaves the archive, or is not a file;
 * "" when there is no member of that name at all. */
const char *bl_tar_why_not_found(const struct tar_store *t, const char *name)
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
