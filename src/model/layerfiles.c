/* The files of a layer: see include/bakelens/layerfiles.h.
 *
 * libarchive pulls the blob through a read callback over a bl_stream, so
 * nothing but one read buffer and the entry list is held. The stream is read
 * to its end after the tar's end marker: a verifying stream only checks the
 * digest when it reaches the end. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bakelens/buf.h"
#include "bakelens/digest.h"
#include "bakelens/layerfiles.h"
#include "bakelens/layertoc.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"

#define READ_BUF (256u << 10)
#define PROGRESS_EVERY (4u << 20)

void bl_file_list_init(struct bl_file_list *l)
{
	memset(l, 0, sizeof *l);
	bl_arena_init(&l->arena);
}

void bl_file_list_fini(struct bl_file_list *l)
{
	bl_arena_fini(&l->arena);
	free(l->items);
	memset(l, 0, sizeof *l);
}

static struct bl_file_entry *list_push(struct bl_file_list *l)
{
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->items = bl_realloc(l->items, l->cap * sizeof *l->items);
	}
	struct bl_file_entry *e = &l->items[l->len++];
	memset(e, 0, sizeof *e);
	return e;
}

/* Entries a and b (indices) in path order, then in the order they were
 * listed (tar order). */
static bool idx_less(const struct bl_file_entry *it, uint32_t a, uint32_t b)
{
	int c = strcmp(it[a].path, it[b].path);
	return c < 0 || (c == 0 && a < b);
}

/* Quicksort of indices into `it` (median of three, insertion sort for short
 * runs, the larger side looped so the stack stays logarithmic). */
static void idx_sort(const struct bl_file_entry *it, uint32_t *v, size_t n)
{
	while (n > 16) {
		size_t m = n / 2;
		uint32_t t;
#define SWAP(i, j) (t = v[i], v[i] = v[j], v[j] = t)
		if (idx_less(it, v[m], v[0]))
			SWAP(m, 0);
		if (idx_less(it, v[n - 1], v[m])) {
			SWAP(n - 1, m);
			if (idx_less(it, v[m], v[0]))
				SWAP(m, 0);
		}
		uint32_t pivot = v[m];
		size_t i = 0, j = n - 1;
		for (;;) {
			while (idx_less(it, v[i], pivot))
				i++;
			while (idx_less(it, pivot, v[j]))
				j--;
			if (i >= j)
				break;
			SWAP(i, j);
			i++;
			j--;
		}
#undef SWAP
		size_t left = j + 1; /* [0, j] and [j + 1, n) */
		if (left < n - left) {
			idx_sort(it, v, left);
			v += left;
			n -= left;
		} else {
			idx_sort(it, v + left, n - left);
			n = left;
		}
	}
	for (size_t i = 1; i < n; i++) {
		uint32_t x = v[i];
		size_t j = i;
		for (; j > 0 && idx_less(it, x, v[j - 1]); j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Sort by path; of equal paths keep the last in tar order. The entries
 * are sorted through an index and moved once along the permutation's
 * cycles: 4 bytes an entry on the side, where qsort takes 16 (a million
 * entries are 112 MB; this is what holds a listing's peak). */
static void list_sort_unique(struct bl_file_list *l)
{
	if (l->len < 2)
		return;
	uint32_t *v = bl_malloc(l->len * sizeof *v);
	for (size_t i = 0; i < l->len; i++)
		v[i] = (uint32_t)i;
	idx_sort(l->items, v, l->len);
	for (size_t i = 0; i < l->len; i++) {
		if (v[i] == i)
			continue;
		struct bl_file_entry tmp = l->items[i];
		size_t j = i;
		for (;;) {
			size_t k = v[j];
			v[j] = (uint32_t)j;
			if (k == i) {
				l->items[j] = tmp;
				break;
			}
			l->items[j] = l->items[k];
			j = k;
		}
	}
	free(v);
	size_t w = 0;
	for (size_t i = 0; i < l->len; i++) {
		if (i + 1 < l->len && strcmp(l->items[i].path, l->items[i + 1].path) == 0)
			continue;
		l->items[w++] = l->items[i];
	}
	l->len = w;
}

size_t bl_file_list_lower_bound(const struct bl_file_list *l, const char *key)
{
	return bl_file_list_lower_bound_in(l, key, 0, l->len);
}

size_t bl_file_list_lower_bound_in(
        const struct bl_file_list *l, const char *key, size_t lo, size_t hi)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(l->items[mid].path, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct bl_file_entry *bl_file_list_find(const struct bl_file_list *l, const char *path)
{
	size_t i = bl_file_list_lower_bound(l, path);
	return i < l->len && strcmp(l->items[i].path, path) == 0 ? &l->items[i] : NULL;
}

const char *bl_file_type_name(enum bl_file_type t)
{
	switch (t) {
	case BL_FILE_REGULAR:
		return "file";
	case BL_FILE_DIR:
		return "dir";
	case BL_FILE_SYMLINK:
		return "symlink";
	case BL_FILE_HARDLINK:
		return "hardlink";
	case BL_FILE_CHAR:
		return "char";
	case BL_FILE_BLOCK:
		return "block";
	case BL_FILE_FIFO:
		return "fifo";
	case BL_FILE_SOCKET:
		return "socket";
	case BL_FILE_OTHER:
		return "other";
	}
	return "other";
}

void bl_file_mode_string(const struct bl_file_entry *e, char *out, size_t outlen)
{
	static const char types[] = {[BL_FILE_REGULAR] = '-',
	        [BL_FILE_DIR] = 'd',
	        [BL_FILE_SYMLINK] = 'l',
	        [BL_FILE_HARDLINK] = 'h',
	        [BL_FILE_CHAR] = 'c',
	        [BL_FILE_BLOCK] = 'b',
	        [BL_FILE_FIFO] = 'p',
	        [BL_FILE_SOCKET] = 's',
	        [BL_FILE_OTHER] = '?'};
	char s[11];
	uint32_t m = e->mode;
	s[0] = (unsigned)e->type <= BL_FILE_OTHER ? types[e->type] : '?';
	const char *rwx = "rwxrwxrwx";
	for (int i = 0; i < 9; i++)
		s[1 + i] = (m & (0400u >> i)) ? rwx[i] : '-';
	if (m & 04000)
		s[3] = (m & 0100) ? 's' : 'S';
	if (m & 02000)
		s[6] = (m & 0010) ? 's' : 'S';
	if (m & 01000)
		s[9] = (m & 0001) ? 't' : 'T';
	s[10] = '\0';
	snprintf(out, outlen, "%s", s);
}

/* "./a/b/" -> "a/b"; "/" and "./" -> "". Written into the arena. "." and
 * ".." components inside are resolved as a runtime joining the path under
 * its root would; a ".." above the root gives NULL (the member would land
 * outside the image's filesystem: no runtime applies it as written). */
static const char *normalise(struct bl_arena *a, const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (p[0] == '/')
		p++;
	if (strcmp(p, ".") == 0)
		return "";
	size_t len = strlen(p);
	while (len > 0 && p[len - 1] == '/')
		len--;
	bool plain = true; /* the usual case: no "//", "." or ".." component */
	for (size_t i = 0; i < len && plain; i++)
		if ((i == 0 || p[i - 1] == '/') &&
		        (p[i] == '/' ||
		                (p[i] == '.' &&
		                        (i + 1 == len || p[i + 1] == '/' ||
		                                (p[i + 1] == '.' &&
		                                        (i + 2 == len || p[i + 2] == '/'))))))
			plain = false;
	if (plain)
		return bl_arena_strndup(a, p, len);
	char *out = bl_malloc(len + 1);
	size_t o = 0;
	for (size_t i = 0; i < len;) {
		size_t j = i;
		while (j < len && p[j] != '/')
			j++;
		size_t cl = j - i;
		if (cl == 2 && p[i] == '.' && p[i + 1] == '.') {
			if (o == 0) {
				free(out);
				return NULL;
			}
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--;
		} else if (cl > 0 && !(cl == 1 && p[i] == '.')) {
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, p + i, cl);
			o += cl;
		}
		i = j + 1;
	}
	const char *r = bl_arena_strndup(a, out, o);
	free(out);
	return r;
}

/* ---- reading ---- */

struct reader {
	struct bl_stream *s;
	char *buf;
	struct bl_error err;
	bool failed;
	uint64_t bytes;
	uint64_t next_progress;
	const struct bl_layerfiles_opts *o;
	bool cancelled;
	bool eof; /* the stream returned 0 */
};

/* A decompression bomb: past BOMB_FLOOR uncompressed bytes, a layer that
 * decompresses to more than BOMB_RATIO times what was read of it is
 * refused. gzip cannot pass 1032:1 and real layers stay far below it; zstd,
 * xz and bzip2 can reach millions to one, and listing such a layer would
 * take as long as writing all of it out. */
#define BOMB_FLOOR (256ull << 20)
#define BOMB_RATIO 1100u

static la_ssize_t cb_read(struct archive *a, void *ud, const void **buf)
{
	struct reader *r = ud;
	int64_t un = archive_filter_bytes(a, 0);
	if (un > 0 && (uint64_t)un > BOMB_FLOOR && (uint64_t)un / BOMB_RATIO > r->bytes) {
		r->failed = true;
		bl_fail(&r->err, BL_E_TOO_BIG,
		        "decompresses to over %u times its size (%lld bytes from the first "
		        "%llu): refused as a decompression bomb",
		        BOMB_RATIO, (long long)un, (unsigned long long)r->bytes);
		archive_set_error(a, EFBIG, "%s", r->err.msg);
		return -1;
	}
	/* Data that decompresses far more than usual is fed in small pieces, so
	 * that the check above comes before gigabytes, not after. */
	size_t want = un <= 0 || (uint64_t)un / 64 > r->bytes ? 16384 : READ_BUF;
	ssize_t n = r->s->read(r->s, r->buf, want, &r->err);
	if (n < 0) {
		r->failed = true;
		archive_set_error(a, EIO, "%s", r->err.msg);
		return -1;
	}
	r->bytes += (uint64_t)n;
	if (n == 0)
		r->eof = true;
	if (r->o && r->o->progress && r->bytes >= r->next_progress) {
		r->next_progress = r->bytes + PROGRESS_EVERY;
		if (!r->o->progress(r->o->progress_ud, "listing layer", r->bytes, 0)) {
			r->cancelled = true;
			archive_set_error(a, ECANCELED, "cancelled");
			return -1;
		}
	}
	*buf = r->buf;
	return n;
}

static unsigned hexval(char c)
{
	return c >= 'a' ? (unsigned)(c - 'a' + 10) : (unsigned)(c - '0');
}

static enum bl_file_type type_of(struct archive_entry *ae)
{
	if (archive_entry_hardlink(ae))
		return BL_FILE_HARDLINK;
	switch (archive_entry_filetype(ae)) {
	case AE_IFREG:
		return BL_FILE_REGULAR;
	case AE_IFDIR:
		return BL_FILE_DIR;
	case AE_IFLNK:
		return BL_FILE_SYMLINK;
	case AE_IFCHR:
		return BL_FILE_CHAR;
	case AE_IFBLK:
		return BL_FILE_BLOCK;
	case AE_IFIFO:
		return BL_FILE_FIFO;
	case AE_IFSOCK:
		return BL_FILE_SOCKET;
	default:
		return BL_FILE_OTHER;
	}
}

/* The decompressed data ended cleanly where the tar format wanted more:
 * see the end-of-tar case in bl_layerfiles_read. */
static bool clean_truncation(const struct reader *r, struct archive *a)
{
	const char *es = archive_error_string(a);
	return r->eof && !r->failed && !r->cancelled && es &&
	       strncmp(es, "Truncated input file", 20) == 0;
}

static bool fail_archive(struct reader *r, struct archive *a, const char *what, const char *member,
        struct bl_error *err)
{
	if (r->cancelled)
		return bl_fail(err, BL_E_CANCELLED, "%s: cancelled", what);
	if (r->failed) {
		*err = r->err;
		bl_error_prefix(err, "%s", what);
		return false;
	}
	char *m = member ? bl_text_safe(member) : NULL;
	bl_fail(err, BL_E_FORMAT, "%s%s%s%s: expected a tar (uncompressed, gzip or zstd): %s", what,
	        m ? ": tar member \"" : "", m ? m : "", m ? "\"" : "",
	        archive_error_string(a) ? archive_error_string(a) : "unreadable");
	free(m);
	return false;
}

/* A reader of tars (uncompressed, gzip, zstd, xz or bzip2) pulling from
 * r->s, opened: NULL (err set, `a` freed) when the start is unreadable. The
 * caller frees r->buf either way. */
static struct archive *open_archive(struct reader *r, const char *what, struct bl_error *err)
{
	bl_error_clear(&r->err);
	r->buf = bl_malloc(READ_BUF);
	struct archive *a = archive_read_new();
	if (!a)
		abort();
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_format_tar(a);
	/* An empty layer (zero bytes) is an empty tar for our purposes. */
	archive_read_support_format_empty(a);
	if (archive_read_open(a, r, NULL, cb_read, NULL) != ARCHIVE_OK) {
		fail_archive(r, a, what, NULL, err);
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/* Drain what is left of `r->s` so a verifying stream checks its digest. */
static bool drain(struct reader *r, const char *what, struct bl_error *err)
{
	for (;;) {
		/* A failure libarchive did not pass on (it had what it needed). */
		ssize_t n = r->failed ? -1 : r->s->read(r->s, r->buf, READ_BUF, &r->err);
		if (n < 0) {
			*err = r->err;
			bl_error_prefix(err, "%s", what);
			return false;
		}
		if (n == 0)
			return true;
		r->bytes += (uint64_t)n;
	}
}

bool bl_layerfiles_read(struct bl_stream *s, const char *what, const struct bl_layerfiles_opts *o,
        struct bl_file_list *out, struct bl_error *err)
{
	static const struct bl_layerfiles_opts defaults = {.layer = -1};
	if (!o)
		o = &defaults;
	struct reader r = {.s = s, .o = o, .next_progress = PROGRESS_EVERY};
	bool ok = false;
	char *member = NULL;
	uint32_t seq = 0;
	bool truncated = false;
	struct archive *a = open_archive(&r, what, err);
	if (!a)
		goto out;
	for (;;) {
		struct archive_entry *ae;
		int rc = archive_read_next_header(a, &ae);
		if (rc == ARCHIVE_EOF)
			break;
		if (rc == ARCHIVE_WARN)
			rc = ARCHIVE_OK; /* e.g. unknown pax keywords: the entry is usable */
		if (rc != ARCHIVE_OK) {
			/* Some writers (umoci 0.4) end the tar right after the last
			 * member's data: no padding, no end marker. The decompressed
			 * data ended cleanly after a complete member: the listing is
			 * whole. A stream that did not end cleanly failed above. */
			if (member && clean_truncation(&r, a)) {
				out->missing_end_marker = true;
				break;
			}
			fail_archive(&r, a, what, member, err);
			goto out;
		}
		const char *name = archive_entry_pathname(ae);
		if (!name)
			name = "";
		free(member);
		member = bl_strdup(name);
		const char *path = normalise(&out->arena, name);
		enum bl_file_type t = type_of(ae);
		const char *link = t == BL_FILE_HARDLINK  ? archive_entry_hardlink(ae)
		                   : t == BL_FILE_SYMLINK ? archive_entry_symlink(ae)
		                                          : NULL;
		const char *hard =
		        t == BL_FILE_HARDLINK && link ? normalise(&out->arena, link) : "";
		if (!path || !hard) {
			char *sm = bl_text_safe(name);
			bl_fail(err, BL_E_FORMAT,
			        "%s: tar member \"%s\": %s leaves the layer's root", what, sm,
			        path ? "its hard link target" : "its path");
			free(sm);
			goto out;
		}
		struct bl_hasher h;
		bool hashing = o->hash && t == BL_FILE_REGULAR;
		bool capturing = o->capture && o->capture_path && t == BL_FILE_REGULAR &&
		                 strcmp(path, o->capture_path) == 0;
		if (hashing)
			bl_hasher_init(&h, BL_DIGEST_SHA256);
		int64_t start = archive_filter_bytes(a, 0); /* where the member's data begins */
		bool sunk = !capturing || o->capture(o->capture_ud, seq, NULL, 0, err);
		if (!sunk) {
			if (err && err->code == BL_OK)
				bl_fail(err, BL_E_CANCELLED, "%s: cancelled", what);
			if (hashing)
				bl_hasher_fini(&h);
			goto out;
		}
		if (hashing || capturing) {
			const void *blk;
			size_t len;
			la_int64_t off;
			int drc;
			int64_t got = 0;
			while ((drc = archive_read_data_block(a, &blk, &len, &off)) == ARCHIVE_OK) {
				if (hashing)
					bl_hasher_update(&h, blk, len);
				if (capturing && sunk)
					sunk = o->capture(o->capture_ud, seq, blk, len, err);
				got += (int64_t)len;
			}
			/* All the data, then the short end (padding missing). */
			if (drc != ARCHIVE_EOF && got == archive_entry_size(ae) &&
			        clean_truncation(&r, a)) {
				out->missing_end_marker = true;
				truncated = true;
				drc = ARCHIVE_EOF;
			}
			if (drc != ARCHIVE_EOF || !sunk) {
				if (hashing)
					bl_hasher_fini(&h);
				if (sunk)
					fail_archive(&r, a, what, member, err);
				else if (err && err->code == BL_OK)
					bl_fail(err, BL_E_CANCELLED, "%s: cancelled", what);
				goto out;
			}
		} else if (archive_read_data_skip(a) != ARCHIVE_OK) {
			/* Skipping takes data and padding at once: the same short end,
			 * if the data was all there (a skip that ran out inside it is
			 * a file cut short). */
			int64_t size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
			if (!clean_truncation(&r, a) || archive_filter_bytes(a, 0) - start < size) {
				fail_archive(&r, a, what, member, err);
				goto out;
			}
			out->missing_end_marker = true;
			truncated = true;
		}
		if (!*path) {
			if (hashing)
				bl_hasher_fini(&h);
			continue; /* the root directory */
		}
		out->content_bytes += archive_entry_size_is_set(ae) && archive_entry_size(ae) > 0
		                              ? (uint64_t)archive_entry_size(ae)
		                              : 0;
		struct bl_file_entry *e = list_push(out);
		e->path = path;
		e->type = t;
		e->seq = seq++;
		e->layer = o->layer;
		e->mode = (uint32_t)(archive_entry_mode(ae) & 07777);
		e->size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
		e->uid = archive_entry_uid(ae);
		e->gid = archive_entry_gid(ae);
		e->mtime = archive_entry_mtime_is_set(ae) ? archive_entry_mtime(ae) : 0;
		e->mtime_nsec =
		        archive_entry_mtime_is_set(ae) ? (int32_t)archive_entry_mtime_nsec(ae) : 0;
		if (link)
			e->linkname =
			        t == BL_FILE_HARDLINK ? hard : bl_arena_strdup(&out->arena, link);
		if (hashing) {
			struct bl_digest d;
			bl_hasher_final(&h, &d);
			bl_hasher_fini(&h);
			const char *hex = bl_digest_hex(&d);
			for (int i = 0; i < 32; i++)
				e->sha256[i] = (unsigned char)(hexval(hex[2 * i]) << 4 |
				                               hexval(hex[2 * i + 1]));
			e->has_sha256 = true;
		}
		if (truncated)
			break;
	}
	/* What the tar format consumed from the decompressed data: the tar up
	 * to its end marker (libarchive reads no further). */
	out->tar_bytes += archive_filter_bytes(a, 0) > 0 ? (uint64_t)archive_filter_bytes(a, 0) : 0;
	/* The rest of the stream (tar padding after the end marker, the end of
	 * the compressed data): verification happens at the end. */
	if (!drain(&r, what, err))
		goto out;
	list_sort_unique(out);
	out->bytes_read += r.bytes;
	ok = true;
out:
	free(member);
	if (a)
		archive_read_free(a);
	free(r.buf);
	return ok;
}

/* The listing from the layer's TOC (layertoc.h): 1 listed, 0 failed (a TOC
 * that is wrong), -1 read the whole layer instead (out->toc_why says why). */
static int layer_from_toc(struct bl_store *store, const struct bl_descriptor *desc,
        const struct bl_layerfiles_opts *o, struct bl_file_list *out, struct bl_error *err)
{
	out->toc_why = NULL;
	if (o && o->need_tar_bytes)
		return -1;
	struct bl_layertoc t;
	bl_layertoc_init(&t);
	int rc = bl_layertoc_load(store, desc, &t, err) ? -1 : 0;
	out->toc_why = t.why;
	if (rc < 0 && t.kind == BL_LAYERTOC_NONE)
		out->bytes_read += t.bytes_read; /* a footer looked at */
	for (size_t i = 0; rc < 0 && i < t.len; i++)
		if (o && o->hash && t.entries[i].file.type == BL_FILE_REGULAR &&
		        !t.entries[i].file.has_sha256)
			out->toc_why = "the TOC lacks a file digest and hashes were asked for";
	if (rc < 0 && t.kind != BL_LAYERTOC_NONE && !out->toc_why) {
		for (size_t i = 0; i < t.len; i++) {
			struct bl_file_entry *e = list_push(out);
			*e = t.entries[i].file;
			e->path = bl_arena_strdup(&out->arena, e->path);
			e->linkname =
			        e->linkname ? bl_arena_strdup(&out->arena, e->linkname) : NULL;
			e->layer = o ? o->layer : -1;
			out->content_bytes += e->size > 0 ? (uint64_t)e->size : 0;
		}
		list_sort_unique(out);
		out->bytes_read += t.bytes_read;
		if (o && o->read_path)
			o->read_path(o->read_path_ud, o->layer, &desc->digest,
			        bl_layertoc_kind_name(t.kind), NULL, t.bytes_read, desc->size);
		rc = 1;
	}
	bl_layertoc_fini(&t);
	return rc;
}

bool bl_layerfiles_list(struct bl_store *store, const struct bl_descriptor *desc,
        const struct bl_layerfiles_opts *o, struct bl_file_list *out, struct bl_error *err)
{
	char sh[32];
	bl_digest_short(&desc->digest, sh, sizeof sh);
	char *what = bl_asprintf("layer %s", sh);
	struct bl_stream *s = NULL;
	bool ok = false;
	uint64_t before = out->bytes_read;
	int toc = layer_from_toc(store, desc, o, out, err);
	if (toc >= 0) {
		if (!toc)
			bl_error_prefix(err, "%s", what);
		free(what);
		return toc;
	}
	if (!bl_store_open_blob(store, desc, &s, err)) {
		bl_error_prefix(err, "%s", what);
		goto out;
	}
	ok = bl_layerfiles_read(s, what, o, out, err);
	s->close(s);
	if (ok && o && o->read_path)
		o->read_path(o->read_path_ud, o->layer, &desc->digest, "whole-layer", out->toc_why,
		        out->bytes_read - before, desc->size);
out:
	free(what);
	return ok;
}

bool bl_layerfiles_list_node(const struct bl_node *layer, const struct bl_layerfiles_opts *o,
        struct bl_file_list *out, struct bl_error *err)
{
	if (!layer->has_desc)
		return bl_fail(err, BL_E_NOT_FOUND, "%s: no descriptor", layer->label);
	if (!layer->store) {
		char sh[32];
		bl_digest_short(&layer->desc.digest, sh, sizeof sh);
		return bl_fail(err, BL_E_NOT_FOUND, "layer %s: blob not in any source given%s%s",
		        sh, layer->status_msg ? ": " : "",
		        layer->status_msg ? layer->status_msg : "");
	}
	return bl_layerfiles_list(layer->store, &layer->desc, o, out, err);
}

bool bl_layer_number_index(long number, size_t count, size_t *idx)
{
	if (number == 0 || count == 0)
		return false;
	if (number > 0 && (unsigned long)number <= count) {
		*idx = (size_t)number - 1;
		return true;
	}
	if (number < 0 && (unsigned long)-number <= count) {
		*idx = count - (size_t)-number;
		return true;
	}
	return false;
}

char *bl_layer_number_range(size_t count)
{
	if (!count)
		return bl_strdup("(none)");
	return bl_asprintf("(1 to %zu, or -1 to -%zu)", count, count);
}

bool bl_layerfiles_cat(struct bl_stream *s, const char *what, uint32_t seq, bl_data_sink sink,
        void *ud, struct bl_error *err)
{
	struct reader r = {.s = s, .next_progress = UINT64_MAX};
	bool ok = false;
	uint32_t at = 0;
	struct archive *a = open_archive(&r, what, err);
	if (!a)
		goto out;
	for (;;) {
		struct archive_entry *ae;
		int rc = archive_read_next_header(a, &ae);
		if (rc == ARCHIVE_EOF || (rc != ARCHIVE_OK && rc != ARCHIVE_WARN)) {
			if (rc == ARCHIVE_EOF || clean_truncation(&r, a))
				bl_fail(err, BL_E_NOT_FOUND, "%s: no member %u", what,
				        (unsigned)seq);
			else
				fail_archive(&r, a, what, NULL, err);
			goto out;
		}
		const char *name = archive_entry_pathname(ae);
		/* The members counted as bl_layerfiles_read counts them. */
		struct bl_arena tmp;
		bl_arena_init(&tmp);
		const char *np = normalise(&tmp, name ? name : "");
		bool root = np && !*np;
		bl_arena_fini(&tmp);
		if (root || at++ != seq)
			continue; /* the next header skips the data */
		const void *blk;
		size_t len;
		la_int64_t off;
		int drc;
		int64_t got = 0;
		while ((drc = archive_read_data_block(a, &blk, &len, &off)) == ARCHIVE_OK) {
			got += (int64_t)len;
			if (!sink(ud, blk, len, err)) {
				if (err && err->code == BL_OK)
					bl_fail(err, BL_E_CANCELLED, "%s: cancelled", what);
				goto out;
			}
		}
		if (drc != ARCHIVE_EOF &&
		        !(got == archive_entry_size(ae) && clean_truncation(&r, a))) {
			fail_archive(&r, a, what, name, err);
			goto out;
		}
		ok = drain(&r, what, err);
		goto out;
	}
out:
	if (a)
		archive_read_free(a);
	free(r.buf);
	return ok;
}

bool bl_layerfiles_cat_node(const struct bl_node *layer, uint32_t seq, bl_data_sink sink, void *ud,
        struct bl_error *err)
{
	if (!layer->has_desc || !layer->store)
		return bl_layerfiles_list_node(layer, NULL, NULL, err); /* says why */
	char sh[32];
	bl_digest_short(&layer->desc.digest, sh, sizeof sh);
	char *what = bl_asprintf("layer %s", sh);
	struct bl_stream *s = NULL;
	bool ok = false;
	if (!bl_store_open_blob(layer->store, &layer->desc, &s, err)) {
		bl_error_prefix(err, "%s", what);
		goto out;
	}
	ok = bl_layerfiles_cat(s, what, seq, sink, ud, err);
	s->close(s);
out:
	free(what);
	return ok;
}

/* A name escaped as bl_text_escape does, without its work for the usual
 * name: printable ASCII passes as it is. */
static void put_name(struct bl_buf *out, const char *s)
{
	size_t n = 0;
	while (s[n] >= 0x20 && s[n] < 0x7f)
		n++;
	if (!s[n])
		bl_buf_append(out, s, n);
	else
		bl_text_escape(out, s, strlen(s));
}

void bl_file_entry_line(const struct bl_file_entry *e, bool show_layer, struct bl_buf *out)
{
	char mode[16], when[32];
	bl_file_mode_string(e, mode, sizeof mode);
	time_t t = (time_t)e->mtime;
	struct tm tm;
	/* Layers give most entries one mtime: formatted once per run of them
	 * (a thread's own copy: listings are printed from worker threads too). */
	static _Thread_local int64_t last_mtime = INT64_MIN;
	static _Thread_local char last_when[32];
	if (e->mtime == last_mtime)
		memcpy(when, last_when, sizeof when);
	else if (gmtime_r(&t, &tm))
		strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
	else
		snprintf(when, sizeof when, "?");
	if (e->mtime != last_mtime) {
		last_mtime = e->mtime;
		memcpy(last_when, when, sizeof when);
	}
	bl_buf_printf(out, "%s %5lld %5lld %10lld %s ", mode, (long long)e->uid, (long long)e->gid,
	        (long long)e->size, when);
	if (show_layer)
		bl_buf_printf(out, "[%d] ", e->layer + 1); /* layer numbers count from 1 */
	put_name(out, e->path);
	if (e->linkname) {
		bl_buf_puts(out, e->type == BL_FILE_HARDLINK ? " link to " : " -> ");
		put_name(out, e->linkname);
		if (e->link_state == BL_LINK_GONE)
			bl_buf_printf(out, " (target path deleted since)");
		else if (e->link_state == BL_LINK_REPLACED)
			bl_buf_printf(out, " (target path replaced since)");
	}
}

bool bl_layerfiles_list_image(const struct bl_node *manifest, const struct bl_layerfiles_opts *o,
        struct bl_file_list *out, struct bl_error *err)
{
	int pos = 0;
	for (size_t i = 0; i < manifest->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&manifest->children, i);
		if (c->kind != BL_NODE_LAYER)
			continue;
		struct bl_layerfiles_opts lo = o ? *o : (struct bl_layerfiles_opts){0};
		lo.layer = pos++;
		struct bl_file_list one;
		bl_file_list_init(&one);
		bool ok = bl_layerfiles_list_node(c, &lo, &one, err);
		if (ok)
			bl_layerfiles_merge(out, &one); /* sums the byte counts too */
		bl_file_list_fini(&one);
		if (!ok)
			return false;
	}
	return true;
}
