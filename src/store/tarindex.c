/* One pass over the headers of a tar: names, types, sizes, data offsets.
 *
 * In SEEK mode the data of each member is skipped: archive_read_open_fd on a
 * regular file skips with lseek, so opening a multi-GB tar reads only its
 * 512-byte headers. In STREAM mode (compressed files, pipes) every member is
 * read once: hashed, and kept in memory when small enough. */
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "internal.h"

struct archive *bl_tarix_reader(void)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	/* ARCHIVE_WARN from a filter means "an external program will be used":
	 * still fine. Only the filters images come in. */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_zstd(a);
	return a;
}

void bl_tarix_init(struct bl_tarix *ix)
{
	memset(ix, 0, sizeof(*ix));
	bl_arena_init(&ix->arena);
}

void bl_tarix_fini(struct bl_tarix *ix)
{
	if (!ix)
		return;
	for (size_t i = 0; i < ix->n; i++)
		free(ix->m[i].data);
	free(ix->m);
	free(ix->by_name);
	free(ix->filter);
	bl_arena_fini(&ix->arena);
	memset(ix, 0, sizeof(*ix));
}

/* Split on '/', drop "" and "."; ".." pops when allowed, else fails. */
static char *normalise(const char *in, bool allow_dotdot)
{
	size_t n = strlen(in);
	char *out = bl_malloc(n + 1);
	size_t len = 0;
	const char *p = in;
	while (*p) {
		while (*p == '/')
			p++;
		const char *start = p;
		while (*p && *p != '/')
			p++;
		size_t cl = (size_t)(p - start);
		if (cl == 0 || (cl == 1 && start[0] == '.'))
			continue;
		if (cl == 2 && start[0] == '.' && start[1] == '.') {
			if (!allow_dotdot || len == 0) {
				free(out);
				return NULL;
			}
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the '/' */
			continue;
		}
		if (len > 0)
			out[len++] = '/';
		memcpy(out + len, start, cl);
		len += cl;
	}
	out[len] = '\0';
	if (len == 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *bl_tar_path_normalise(const char *in)
{
	return in ? normalise(in, false) : NULL;
}

static struct bl_tar_member *push_member(struct bl_tarix *ix)
{
	if (ix->n == ix->cap) {
		ix->cap = ix->cap ? ix->cap * 2 : 32;
		ix->m = bl_realloc(ix->m, ix->cap * sizeof(*ix->m));
	}
	struct bl_tar_member *m = &ix->m[ix->n++];
	memset(m, 0, sizeof(*m));
	return m;
}

static const struct bl_tarix *sort_ix; /* qsort has no context argument in C11 */

static int cmp_by_name(const void *a, const void *b)
{
	size_t ia = *(const size_t *)a, ib = *(const size_t *)b;
	int c = strcmp(sort_ix->m[ia].name, sort_ix->m[ib].name);
	if (c)
		return c;
	return ia < ib ? -1 : ia > ib;
}

static void build_name_index(struct bl_tarix *ix)
{
	ix->by_name = bl_malloc((ix->n ? ix->n : 1) * sizeof(size_t));
	for (size_t i = 0; i < ix->n; i++)
		ix->by_name[i] = i;
	sort_ix = ix;
	qsort(ix->by_name, ix->n, sizeof(size_t), cmp_by_name);
	sort_ix = NULL;
	/* Keep the last header of each name (what extraction would leave). */
	size_t w = 0;
	for (size_t i = 0; i < ix->n; i++) {
		if (w > 0 &&
		        strcmp(ix->m[ix->by_name[w - 1]].name, ix->m[ix->by_name[i]].name) == 0)
			w--;
		ix->by_name[w++] = ix->by_name[i];
	}
	ix->n_by_name = w;
}

static const struct bl_tar_member *find_exact(const struct bl_tarix *ix, const char *name)
{
	size_t lo = 0, hi = ix->n_by_name;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->m[ix->by_name[mid]].name, name);
		if (c == 0)
			return &ix->m[ix->by_name[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct bl_tar_member *bl_tarix_find(const struct bl_tarix *ix, const char *name)
{
	char *cur = normalise(name, false);
	for (int depth = 0; cur && depth < 16; depth++) {
		const struct bl_tar_member *m = find_exact(ix, cur);
		free(cur);
		cur = NULL;
		if (!m)
			return NULL;
		if (m->is_hardlink && m->link && m->size == 0) {
			cur = bl_strdup(m->link);
			continue;
		}
		if (m->is_symlink && m->link) {
			char *joined;
			const char *slash = strrchr(m->name, '/');
			if (m->link[0] == '/' || !slash)
				joined = bl_strdup(m->link);
			else
				joined = bl_asprintf(
				        "%.*s/%s", (int)(slash - m->name), m->name, m->link);
			cur = normalise(joined, true);
			free(joined);
			continue;
		}
		return m->is_reg || m->is_hardlink ? m : NULL;
	}
	free(cur);
	return NULL;
}

#define PROGRESS_STEP (4 << 20) /* bytes of a member between two progress reports */

static bool report_progress(const struct bl_tarix_opts *o, struct archive *a, struct bl_error *err)
{
	if (!o->progress)
		return true;
	int64_t done = archive_filter_bytes(a, -1);
	if (!o->progress(o->progress_ud, "indexing archive", done < 0 ? 0 : (uint64_t)done,
	            o->file_size > 0 ? (uint64_t)o->file_size : 0))
		return bl_fail(err, BL_E_CANCELLED, "%s: cancelled while indexing", o->what);
	return true;
}

char *bl_tarix_why(struct archive *a)
{
	const char *w = archive_error_string(a);
	return bl_text_safe(w && *w ? w : "unreadable data (truncated or damaged)");
}

/* Where the archive broke, for messages. */
static void fail_at(struct bl_error *err, const struct bl_tarix_opts *o, struct archive *a,
        const char *member, const char *what)
{
	char *safe_why = bl_tarix_why(a);
	long long off = (long long)archive_filter_bytes(a, 0);
	if (member) {
		char *sm = bl_text_safe(member);
		bl_fail(err, BL_E_FORMAT, "%s: member \"%s\" (offset %lld): %s: %s", o->what, sm,
		        off, what, safe_why);
		free(sm);
	} else {
		bl_fail(err, BL_E_FORMAT, "%s: at offset %lld: %s: %s", o->what, off, what,
		        safe_why);
	}
	free(safe_why);
}

/* A member named for messages: an escaped prefix of its name, cut at a
 * character, with "..." when cut. Caller owns. */
static char *member_label(const char *raw)
{
	size_t rl = strlen(raw), cut = rl < 64 ? rl : 64;
	while (cut > 0 && ((unsigned char)raw[cut] & 0xc0) == 0x80)
		cut--;
	char *prefix = bl_strndup(raw, cut);
	char *safe = bl_text_safe(prefix);
	free(prefix);
	if (cut == rl)
		return safe;
	char *label = bl_asprintf("%s...", safe);
	free(safe);
	return label;
}

/* Member names and link targets are kept for every member, so a long one
 * is refused rather than kept: image tools write names of a few hundred
 * bytes; a pax name may be longer than PATH_MAX, but not without bound. */
static bool name_fits(const struct bl_tarix_opts *o, struct archive *a, const char *raw,
        const char *what, const char *s, struct bl_error *err)
{
	size_t len = strlen(s);
	if (len <= BL_TAR_NAME_MAX)
		return true;
	char *label = member_label(raw);
	bl_fail(err, BL_E_FORMAT,
	        "%s: member \"%s\" (offset %lld): %s is %zu bytes, over the %u byte limit", o->what,
	        label, (long long)archive_filter_bytes(a, 0), what, len, BL_TAR_NAME_MAX);
	free(label);
	return false;
}

static bool keepable(const char *name, const unsigned char *p, size_t n)
{
	const char *base = strrchr(name, '/');
	base = base ? base + 1 : name;
	if (strcmp(base, "oci-layout") == 0 || strcmp(base, "repositories") == 0)
		return true;
	size_t i = 0;
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n'))
		i++;
	return i < n && (p[i] == '{' || p[i] == '[');
}

/* libarchive's ARCHIVE_RETRY ("Damaged tar archive") is above ARCHIVE_WARN but
 * leaves no usable entry or data: a failure here. */
static bool archive_failed(int r)
{
	return r < ARCHIVE_WARN || r == ARCHIVE_RETRY;
}

/* Zero bytes that the holes of sparse members may add to the hashing of one
 * archive in STREAM mode. A sparse header costs a few bytes and can claim a
 * terabyte of holes: past this budget a sparse member is skipped unhashed
 * (reading it later fails: see tarblob.c), so that time stays bounded. Image
 * tools never write sparse members. */
#define SPARSE_HASH_BUDGET (64u << 20)

/* One member being streamed: every block read goes through member_next,
 * which hashes it, keeps it when wanted and reports progress, whether the
 * pass itself or a tap (bl_store_tap) asked for it. */
struct member_read {
	struct bl_tar_member *m;
	struct archive *a;
	const struct bl_tarix_opts *o;
	const char *raw_name;
	bool may_keep, decided, eof, failed;
	unsigned char *keep;
	struct bl_hasher h;
	int64_t got, reported;
	struct bl_error err; /* why the member could not be read (failed) */
	/* the block a tap reads from, and how far it got */
	const unsigned char *block;
	size_t blen, bpos;
};

/* Read and account for the next block: 1 with a block in mr->block, 0 at
 * the member's end, -1 on failure (mr->err). */
static int member_next(struct member_read *mr)
{
	struct bl_tar_member *m = mr->m;
	const struct bl_tarix_opts *o = mr->o;
	if (mr->failed)
		return -1;
	if (mr->eof)
		return 0;
	const void *block;
	size_t blen;
	la_int64_t boff;
	int r = archive_read_data_block(mr->a, &block, &blen, &boff);
	if (r == ARCHIVE_EOF) {
		mr->eof = true;
		return 0;
	}
	if (archive_failed(r)) {
		fail_at(&mr->err, o, mr->a, mr->raw_name, "cannot read data");
		goto fail;
	}
	if (!mr->decided) {
		mr->decided = true;
		if (mr->may_keep && mr->got == 0 &&
		        (m->size <= (int64_t)BL_TAR_KEEP_MAX ||
		                (boff == 0 && keepable(m->name, block, blen))))
			mr->keep = bl_malloc((size_t)m->size + 1);
	}
	/* Sparse members have holes: fill them with zeros. */
	while (mr->got < boff) {
		static const unsigned char zeros[4096];
		size_t z = (size_t)(boff - mr->got) < sizeof(zeros) ? (size_t)(boff - mr->got)
		                                                    : sizeof(zeros);
		if (mr->got + (int64_t)z > m->size)
			break;
		bl_hasher_update(&mr->h, zeros, z);
		if (mr->keep)
			memset(mr->keep + mr->got, 0, z);
		mr->got += (int64_t)z;
	}
	if (mr->got + (int64_t)blen > m->size) {
		char *sm = bl_text_safe(mr->raw_name);
		bl_fail(&mr->err, BL_E_FORMAT, "%s: member \"%s\": more data than its size %lld",
		        o->what, sm, (long long)m->size);
		free(sm);
		goto fail;
	}
	bl_hasher_update(&mr->h, block, blen);
	if (mr->keep && blen)
		memcpy(mr->keep + mr->got, block, blen);
	if (m->magic_len < sizeof(m->magic)) {
		size_t take = sizeof(m->magic) - m->magic_len;
		if (mr->got > (int64_t)m->magic_len)
			take = 0;
		if (take > blen)
			take = blen;
		memcpy(m->magic + m->magic_len, block, take);
		m->magic_len += take;
	}
	mr->got += (int64_t)blen;
	/* A layer streams for a while: say how far, and let the user cancel. */
	if (mr->got - mr->reported >= PROGRESS_STEP) {
		mr->reported = mr->got;
		if (!report_progress(o, mr->a, &mr->err))
			goto fail;
	}
	mr->block = block;
	mr->blen = blen;
	mr->bpos = 0;
	return 1;
fail:
	mr->failed = true;
	return -1;
}

/* The member's data as a stream for a tap: it reads through member_next. */
struct tap_stream {
	struct bl_stream base;
	struct member_read *mr;
};

static ssize_t tap_read(struct bl_stream *s, void *buf, size_t n, struct bl_error *err)
{
	struct member_read *mr = ((struct tap_stream *)s)->mr;
	while (mr->bpos == mr->blen) {
		int r = member_next(mr);
		if (r < 0) {
			if (err)
				*err = mr->err;
			return -1;
		}
		if (r == 0)
			return 0;
	}
	size_t take = mr->blen - mr->bpos < n ? mr->blen - mr->bpos : n;
	memcpy(buf, mr->block + mr->bpos, take);
	mr->bpos += take;
	return (ssize_t)take;
}

static void tap_close(struct bl_stream *s)
{
	(void)s; /* on the stack of stream_member */
}

static bool stream_member(struct bl_tarix *ix, struct bl_tar_member *m, struct archive *a,
        const struct bl_tarix_opts *o, const char *raw_name, struct bl_error *err)
{
	/* Members up to BL_TAR_KEEP_MAX are kept when they look like JSON; bigger
	 * ones up to a config's cap (BL_JSON_CONFIG_MAX) when their first bytes
	 * open a JSON document, so that a 30 MiB config read from a pipe is
	 * there when asked for. The buffer is made at the first data block. */
	struct member_read mr = {
	        .m = m,
	        .a = a,
	        .o = o,
	        .raw_name = raw_name,
	        .may_keep = m->size <= (int64_t)BL_JSON_CONFIG_MAX &&
	                    ix->kept_total + (uint64_t)m->size <= BL_TAR_KEEP_TOTAL,
	};
	bl_hasher_init(&mr.h,
	        strncmp(m->name, "blobs/sha512/", 13) == 0 ? BL_DIGEST_SHA512 : BL_DIGEST_SHA256);
	/* A tap reads what it wants of the member first; the rest is read
	 * here, so the member is hashed whole either way. */
	void *token = NULL;
	if (o->tap && o->tap->member) {
		struct tap_stream ts = {{tap_read, tap_close}, &mr};
		token = o->tap->member(o->tap->ud, m->name, m->size, &ts.base);
	}
	int r;
	while ((r = member_next(&mr)) > 0)
		;
	if (r < 0) {
		if (err)
			*err = mr.err;
		goto fail;
	}
	if (mr.got < m->size) {
		/* Trailing hole of a sparse file. */
		static const unsigned char zeros[4096];
		while (mr.got < m->size) {
			size_t z = (size_t)(m->size - mr.got) < sizeof(zeros)
			                   ? (size_t)(m->size - mr.got)
			                   : sizeof(zeros);
			bl_hasher_update(&mr.h, zeros, z);
			if (mr.keep)
				memset(mr.keep + mr.got, 0, z);
			mr.got += (int64_t)z;
		}
	}
	bl_hasher_final(&mr.h, &m->sha);
	bl_hasher_fini(&mr.h);
	m->hashed = true;
	if (token)
		o->tap->done(o->tap->ud, token, &m->sha);
	if (mr.keep && keepable(m->name, mr.keep, (size_t)m->size)) {
		mr.keep[m->size] = '\0';
		m->data = mr.keep;
		ix->kept_total += (uint64_t)m->size;
	} else {
		free(mr.keep);
	}
	return true;
fail:
	if (token)
		o->tap->done(o->tap->ud, token, NULL);
	bl_hasher_fini(&mr.h);
	free(mr.keep);
	return false;
}

bool bl_tarix_build(
        struct bl_tarix *ix, struct archive *a, const struct bl_tarix_opts *o, struct bl_error *err)
{
	struct archive_entry *e;
	size_t ordinal = 0;
	uint64_t sparse_hashed = 0; /* hole bytes hashed so far (SPARSE_HASH_BUDGET) */
	char *last = NULL;          /* raw name of the last member, for messages */
	bool ok = false;
	for (;;) {
		int r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (archive_failed(r)) {
			if (ordinal == 0)
				fail_at(err, o, a, NULL, "not a tar archive");
			else
				fail_at(err, o, a, NULL, "broken tar header");
			if (last && err) {
				char *sl = bl_text_safe(last);
				size_t l = strlen(err->msg);
				snprintf(err->msg + l, sizeof(err->msg) - l,
				        " (after member \"%s\")", sl);
				free(sl);
			}
			goto out;
		}
		ordinal++;
		if (ordinal == 1 && archive_filter_count(a) > 1 &&
		        archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE)
			ix->filter = bl_strdup(archive_filter_name(a, 0));
		const char *raw = archive_entry_pathname(e);
		if (!raw)
			raw = archive_entry_pathname_utf8(e);
		if (!raw)
			raw = "";
		mode_t type = archive_entry_filetype(e);
		const char *hl = archive_entry_hardlink(e);
		const char *sym = !hl && type == AE_IFLNK ? archive_entry_symlink(e) : NULL;
		if (!name_fits(o, a, raw, "its name", raw, err) ||
		        (hl && !name_fits(o, a, raw, "its hard link target", hl, err)) ||
		        (sym && !name_fits(o, a, raw, "its symlink target", sym, err)))
			goto out;
		free(last);
		last = bl_strdup(raw);
		char *name = type == AE_IFDIR ? NULL : normalise(raw, false);
		if (!name) {
			if (type != AE_IFDIR && *raw)
				ix->unsafe_names++;
		} else {
			/* What the index keeps grows with the members: bounded, so that
			 * a pipe of any length is read in bounded memory. */
			uint64_t cost = sizeof(struct bl_tar_member) + sizeof(size_t) +
			                strlen(name) + 1 +
			                (hl           ? strlen(hl) + 1
			                        : sym ? strlen(sym) + 1
			                              : 0);
			uint64_t max = o->index_max ? o->index_max : BL_TAR_INDEX_MAX;
			if (cost > max - ix->index_bytes) {
				char *label = member_label(raw);
				bl_fail(err, BL_E_TOO_BIG,
				        "%s: member %zu \"%s\": the index of member names would be "
				        "over %llu bytes: too many for an image archive",
				        o->what, ordinal, label, (unsigned long long)max);
				free(label);
				free(name);
				goto out;
			}
			ix->index_bytes += cost;
			struct bl_tar_member *m = push_member(ix);
			m->name = bl_arena_strdup(&ix->arena, name);
			m->ordinal = ordinal;
			m->size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
			if (m->size < 0)
				m->size = 0;
			m->is_hardlink = hl != NULL;
			m->is_symlink = !hl && type == AE_IFLNK;
			m->is_reg = !hl && type == AE_IFREG;
			if (hl) {
				char *t = normalise(hl, false);
				m->link = t ? bl_arena_strdup(&ix->arena, t) : NULL;
				free(t);
			} else if (sym) {
				m->link = bl_arena_strdup(&ix->arena, sym);
			}
			m->offset =
			        archive_entry_sparse_count(e) > 0 ? -1 : archive_filter_bytes(a, 0);
			/* (compared without m->offset + m->size: a pax size near
			 * INT64_MAX would overflow) */
			if (o->mode == BL_TARIX_SEEK && o->file_size > 0 && m->offset >= 0 &&
			        (m->offset > o->file_size || m->size > o->file_size - m->offset)) {
				char *sm = bl_text_safe(raw);
				bl_fail(err, BL_E_FORMAT,
				        "%s: member \"%s\" (offset %lld): truncated: %lld bytes, "
				        "the file ends %lld bytes in",
				        o->what, sm, (long long)m->offset, (long long)m->size,
				        (long long)(o->file_size - m->offset));
				free(sm);
				free(name);
				goto out;
			}
			bool sparse = m->offset < 0;
			bool hash = o->mode == BL_TARIX_STREAM &&
			            (m->is_reg || (m->is_hardlink && m->size > 0));
			if (hash && sparse) {
				/* holes are hashed as zeros: within the budget only */
				if ((uint64_t)m->size > SPARSE_HASH_BUDGET - sparse_hashed)
					hash = false;
				else
					sparse_hashed += (uint64_t)m->size;
			}
			if (hash) {
				if (!stream_member(ix, m, a, o, raw, err)) {
					free(name);
					goto out;
				}
			}
		}
		free(name);
		r = archive_read_data_skip(a);
		if (archive_failed(r)) {
			fail_at(err, o, a, raw, "cannot skip data");
			goto out;
		}
		if (!report_progress(o, a, err))
			goto out;
	}
	if (ordinal == 0 && o->file_size == 0 && archive_filter_bytes(a, -1) == 0) {
		bl_fail(err, BL_E_FORMAT, "%s: empty input, expected a tar archive", o->what);
		goto out;
	}
	build_name_index(ix);
	ok = true;
out:
	free(last);
	return ok;
}

bool bl_tarix_build_fd(
        struct bl_tarix *ix, int fd, const struct bl_tarix_opts *o, struct bl_error *err)
{
	struct archive *a = bl_tarix_reader();
	bool ok = archive_read_open_fd(a, fd, 1 << 16) == ARCHIVE_OK;
	if (!ok) {
		char *why = bl_tarix_why(a);
		bl_fail(err, BL_E_FORMAT, "%s: not a readable tar archive: %s", o->what, why);
		free(why);
	} else {
		ok = bl_tarix_build(ix, a, o, err);
	}
	archive_read_free(a);
	return ok;
}
