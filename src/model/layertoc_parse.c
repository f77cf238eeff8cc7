/* The parsers of include/bakelens/layertoc.h: footers, the zstd:chunked
 * position annotation, the eStargz TOC member, zstd frames and the TOC JSON.
 * No I/O here: layertoc.c reads the bytes. Everything is input from the
 * network, so every length is checked before it is used. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "bakelens/json.h"
#include "bakelens/layertoc.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"

void bl_layertoc_init(struct bl_layertoc *t)
{
	memset(t, 0, sizeof *t);
	bl_arena_init(&t->arena);
}

void bl_layertoc_fini(struct bl_layertoc *t)
{
	bl_arena_fini(&t->arena);
	free(t->entries);
	free(t->chunks);
	memset(t, 0, sizeof *t);
}

const char *bl_layertoc_kind_name(enum bl_layertoc_kind k)
{
	switch (k) {
	case BL_LAYERTOC_ESTARGZ:
		return "estargz-toc";
	case BL_LAYERTOC_ZSTD_CHUNKED:
		return "zstd-chunked-toc";
	case BL_LAYERTOC_NONE:
		break;
	}
	return "whole-layer";
}

/* ---- footers ---- */

static unsigned le16(const unsigned char *p)
{
	return (unsigned)p[0] | (unsigned)p[1] << 8;
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* 16 hex digits followed by "STARGZ". */
static bool stargz_offset(const unsigned char *p, uint64_t *out)
{
	if (memcmp(p + 16, "STARGZ", 6) != 0)
		return false;
	uint64_t v = 0;
	for (int i = 0; i < 16; i++) {
		unsigned c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

/* A gzip header with FEXTRA of `xlen` bytes at p. */
static bool gzip_extra_header(const unsigned char *p, unsigned xlen)
{
	return p[0] == 0x1f && p[1] == 0x8b && p[2] == 8 && (p[3] & 4) && le16(p + 10) == xlen;
}

bool bl_layertoc_estargz_footer(
        const void *tail, size_t len, uint64_t *toc_offset, size_t *footer, struct bl_error *err)
{
	const unsigned char *b = tail;
	if (len >= BL_LAYERTOC_ESTARGZ_FOOTER) {
		const unsigned char *p = b + len - BL_LAYERTOC_ESTARGZ_FOOTER;
		if (gzip_extra_header(p, 26) && p[12] == 'S' && p[13] == 'G' &&
		        le16(p + 14) == 22 && stargz_offset(p + 16, toc_offset)) {
			*footer = BL_LAYERTOC_ESTARGZ_FOOTER;
			return true;
		}
	}
	if (len >= BL_LAYERTOC_ESTARGZ_FOOTER_LEGACY) {
		const unsigned char *p = b + len - BL_LAYERTOC_ESTARGZ_FOOTER_LEGACY;
		if (gzip_extra_header(p, 22) && stargz_offset(p + 12, toc_offset)) {
			*footer = BL_LAYERTOC_ESTARGZ_FOOTER_LEGACY;
			return true;
		}
	}
	return bl_fail(err, BL_E_FORMAT, "no eStargz footer at the end of the blob");
}

static const unsigned char skippable_magic[4] = {0x50, 0x2a, 0x4d, 0x18};

bool bl_layertoc_zstd_footer(
        const void *tail, size_t len, struct bl_layertoc_pos *pos, struct bl_error *err)
{
	const unsigned char *b = tail;
	if (len >= BL_LAYERTOC_ZSTD_FOOTER) {
		const unsigned char *p = b + len - BL_LAYERTOC_ZSTD_FOOTER;
		if (!memcmp(p, skippable_magic, 4) && le32(p + 4) == 64 &&
		        !memcmp(p + 64, "GNUlInUx", 8)) {
			pos->offset = le64(p + 8);
			pos->length = le64(p + 16);
			pos->length_uncompressed = le64(p + 24);
			pos->type = le64(p + 32);
			return true;
		}
	}
	if (len >= BL_LAYERTOC_ZSTD_FOOTER_OLD) {
		const unsigned char *p = b + len - BL_LAYERTOC_ZSTD_FOOTER_OLD;
		if (!memcmp(p, skippable_magic, 4) && le32(p + 4) == 40 &&
		        !memcmp(p + 40, "GnUlInUx", 8)) {
			pos->offset = le64(p + 8);
			pos->length = le64(p + 16);
			pos->length_uncompressed = le64(p + 24);
			pos->type = le64(p + 32);
			return true;
		}
	}
	return bl_fail(err, BL_E_FORMAT, "no zstd:chunked footer at the end of the blob");
}

/* A decimal number up to the next ':' or the end; *s moves past it. */
static bool decimal(const char **s, uint64_t *out)
{
	const char *p = *s;
	uint64_t v = 0;
	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = v;
	*s = p;
	return true;
}

bool bl_layertoc_zstd_position(const char *s, struct bl_layertoc_pos *pos, struct bl_error *err)
{
	const char *p = s;
	uint64_t v[4] = {0, 0, 0, 0};
	int n = 0;
	while (n < 4 && decimal(&p, &v[n])) {
		n++;
		if (*p != ':')
			break;
		p++;
	}
	if (n < 3 || *p) {
		char *safe = bl_text_safe(s);
		bl_fail(err, BL_E_FORMAT,
		        "manifest-position \"%s\": expected offset:length:uncompressed:type", safe);
		free(safe);
		return false;
	}
	*pos = (struct bl_layertoc_pos){v[0], v[1], v[2], v[3]};
	return true;
}

/* ---- compressed TOCs ---- */

bool bl_layertoc_estargz_json(const void *gz, size_t len, struct bl_buf *json, struct bl_error *err)
{
	struct archive *a = archive_read_new();
	if (!a)
		abort();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	bool ok = false;
	struct archive_entry *ae;
	if (archive_read_open_memory(a, gz, len) != ARCHIVE_OK ||
	        archive_read_next_header(a, &ae) < ARCHIVE_WARN) {
		bl_fail(err, BL_E_FORMAT, "TOC: not a gzip-compressed tar: %s",
		        archive_error_string(a) ? archive_error_string(a) : "unreadable");
		goto out;
	}
	const char *name = archive_entry_pathname(ae);
	while (name && name[0] == '.' && name[1] == '/')
		name += 2;
	if (!name || strcmp(name, "stargz.index.json") != 0 ||
	        archive_entry_filetype(ae) != AE_IFREG) {
		bl_fail(err, BL_E_FORMAT, "TOC: the tar's entry is not stargz.index.json");
		goto out;
	}
	int64_t size = archive_entry_size(ae);
	if (size < 0 || (uint64_t)size > BL_LAYERTOC_JSON_MAX) {
		bl_fail(err, BL_E_TOO_BIG, "TOC: stargz.index.json of %lld bytes, over %u",
		        (long long)size, BL_LAYERTOC_JSON_MAX);
		goto out;
	}
	bl_buf_reserve(json, (size_t)size + 1);
	char tmp[65536];
	la_ssize_t n;
	while ((n = archive_read_data(a, tmp, sizeof tmp)) > 0) {
		if (json->len + (size_t)n > (size_t)size) {
			bl_fail(err, BL_E_FORMAT, "TOC: stargz.index.json longer than its header");
			goto out;
		}
		bl_buf_append(json, tmp, (size_t)n);
	}
	if (n < 0 || json->len != (size_t)size) {
		bl_fail(err, BL_E_FORMAT, "TOC: stargz.index.json cut short: %s",
		        archive_error_string(a) ? archive_error_string(a) : "short");
		goto out;
	}
	ok = true;
out:
	archive_read_free(a);
	return ok;
}

bool bl_layertoc_zstd_decompress(
        const void *z, size_t len, size_t max, struct bl_buf *out, struct bl_error *err)
{
	ZSTD_DCtx *dc = ZSTD_createDCtx();
	if (!dc)
		abort();
	ZSTD_inBuffer in = {z, len, 0};
	size_t start = out->len;
	bool ok = true;
	size_t rc = 1;
	while (in.pos < in.size || rc != 0) {
		bl_buf_reserve(out, 65536);
		size_t room = 65536;
		ZSTD_outBuffer ob = {out->data + out->len, room, 0};
		size_t before = in.pos;
		rc = ZSTD_decompressStream(dc, &ob, &in);
		if (ZSTD_isError(rc)) {
			ok = bl_fail(err, BL_E_FORMAT, "not zstd data: %s", ZSTD_getErrorName(rc));
			break;
		}
		out->len += ob.pos;
		out->data[out->len] = '\0';
		if (out->len - start > max) {
			ok = bl_fail(err, BL_E_TOO_BIG, "decompresses to more than %zu bytes", max);
			break;
		}
		if (ob.pos == 0 && in.pos == before) {
			if (rc != 0)
				ok = bl_fail(err, BL_E_FORMAT, "zstd data cut short");
			break;
		}
	}
	ZSTD_freeDCtx(dc);
	return ok;
}

/* ---- TOC JSON ---- */

/* "./a/b/" -> "a/b", as the whole-layer listing normalises. NULL for names
 * with a ".." component or an empty one. */
static const char *toc_name(struct bl_arena *a, const char *p)
{
	while (p[0] == '.' && p[1] == '/')
		p += 2;
	while (*p == '/')
		p++;
	size_t n = strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	if (n == 1 && p[0] == '.')
		n = 0;
	return bl_arena_strndup(a, p, n);
}

/* RFC 3339 ("2024-01-02T03:04:05.123Z", "...+01:00"); false when not one. */
static bool rfc3339(const char *s, int64_t *sec, int32_t *nsec)
{
	struct tm tm = {0};
	/* "YYYY-MM-DDTHH:MM:SS" read by hand: sscanf costs more than the rest
	 * of an entry's parsing */
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	int used = 19;
	for (int i = 0; i < used; i++)
		if (shape[i] == 'd' ? s[i] < '0' || s[i] > '9'
		                    : s[i] != shape[i] && !(shape[i] == 'T' && s[i] == 't'))
			return false;
#define NUM2(at) ((s[at] - '0') * 10 + (s[(at) + 1] - '0'))
	tm.tm_year = NUM2(0) * 100 + NUM2(2);
	tm.tm_mon = NUM2(5);
	tm.tm_mday = NUM2(8);
	tm.tm_hour = NUM2(11);
	tm.tm_min = NUM2(14);
	tm.tm_sec = NUM2(17);
#undef NUM2
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	const char *p = s + used;
	int32_t ns = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				ns = ns * 10 + (*p - '0');
		for (; digits < 9; digits++)
			ns *= 10;
	}
	int64_t off = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int hh, mm, n = 0;
		if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &n) != 2 || n != 5)
			return false;
		off = (hh * 3600 + mm * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	*sec = (int64_t)timegm(&tm) - off;
	*nsec = ns;
	return true;
}

static enum bl_file_type toc_type(const char *t)
{
	static const struct {
		const char *name;
		enum bl_file_type type;
	} types[] = {{"reg", BL_FILE_REGULAR}, {"dir", BL_FILE_DIR}, {"symlink", BL_FILE_SYMLINK},
	        {"hardlink", BL_FILE_HARDLINK}, {"char", BL_FILE_CHAR}, {"block", BL_FILE_BLOCK},
	        {"fifo", BL_FILE_FIFO}};
	for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
		if (!strcmp(t, types[i].name))
			return types[i].type;
	return BL_FILE_OTHER;
}

/* A non-negative integer field, 0 when absent. */
static bool field_u64(const json_t *e, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(e, key);
	*out = 0;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

static bool field_str(const json_t *e, const char *key, const char **out)
{
	json_t *v = json_object_get(e, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return false;
	*out = json_string_value(v);
	return true;
}

static struct bl_layertoc_chunk *chunk_push(struct bl_layertoc *t)
{
	if (t->nchunks == t->chunks_cap) {
		t->chunks_cap = t->chunks_cap ? t->chunks_cap * 2 : 64;
		t->chunks = bl_realloc(t->chunks, t->chunks_cap * sizeof *t->chunks);
	}
	struct bl_layertoc_chunk *c = &t->chunks[t->nchunks++];
	memset(c, 0, sizeof *c);
	return c;
}

/* The raw fields of one TOC entry. */
struct raw {
	const char *name, *type, *link, *modtime, *digest, *chunk_digest;
	uint64_t size, mode, uid, gid, offset, end_offset, inner, chunk_offset, chunk_size;
};

static bool raw_read(const json_t *e, struct raw *r)
{
	return json_is_object(e) && field_str(e, "name", &r->name) && r->name &&
	       field_str(e, "type", &r->type) && r->type && field_str(e, "linkName", &r->link) &&
	       field_str(e, "modtime", &r->modtime) && field_str(e, "digest", &r->digest) &&
	       field_str(e, "chunkDigest", &r->chunk_digest) && field_u64(e, "size", &r->size) &&
	       field_u64(e, "mode", &r->mode) && field_u64(e, "uid", &r->uid) &&
	       field_u64(e, "gid", &r->gid) && field_u64(e, "offset", &r->offset) &&
	       field_u64(e, "endOffset", &r->end_offset) &&
	       field_u64(e, "innerOffset", &r->inner) &&
	       field_u64(e, "chunkOffset", &r->chunk_offset) &&
	       field_u64(e, "chunkSize", &r->chunk_size);
}

/* The chunk an entry (a regular file's first, or a "chunk" entry) names. */
static bool add_chunk(struct bl_layertoc *t, struct bl_layertoc_entry *file, const struct raw *r,
        struct bl_error *err)
{
	const char *dg = r->chunk_digest ? r->chunk_digest : NULL;
	/* One chunk for the whole file: its file digest covers it. */
	if (!dg && r->chunk_offset == 0 && (r->chunk_size == 0 || r->chunk_size == r->size))
		dg = r->digest;
	uint64_t fsize = (uint64_t)file->file.size;
	if (r->chunk_offset > fsize)
		return bl_fail(err, BL_E_FORMAT, "chunkOffset %llu past the file's %llu bytes",
		        (unsigned long long)r->chunk_offset, (unsigned long long)fsize);
	uint64_t size = r->chunk_size ? r->chunk_size : fsize - r->chunk_offset;
	if (size > fsize - r->chunk_offset || size > BL_LAYERTOC_CHUNK_MAX)
		return bl_fail(err, BL_E_FORMAT,
		        "chunk of %llu bytes at %llu does not fit the file",
		        (unsigned long long)size, (unsigned long long)r->chunk_offset);
	if (r->offset >= t->payload_end)
		return bl_fail(err, BL_E_FORMAT, "offset %llu is past the data (%llu)",
		        (unsigned long long)r->offset, (unsigned long long)t->payload_end);
	struct bl_layertoc_chunk *c = chunk_push(t);
	c->offset = r->offset;
	/* zstd:chunked gives a file's end (endOffset, on its first entry only):
	 * it bounds every chunk of the file; see set_chunk_ends */
	c->end = file->nchunks ? t->chunks[file->first_chunk].end : r->end_offset;
	c->inner = r->inner;
	c->file_offset = r->chunk_offset;
	c->size = size;
	if (dg && !bl_digest_parse(dg, &c->digest, err))
		return false;
	if (file->nchunks == 0)
		file->first_chunk = t->nchunks - 1;
	file->nchunks++;
	return true;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* A chunk's compressed bytes end where the next chunk (of any file) starts,
 * or where the TOC starts; zstd:chunked gives a file's end (endOffset) and
 * that bounds its last chunk. */
static bool set_chunk_ends(struct bl_layertoc *t, struct bl_error *err)
{
	uint64_t *offs = bl_calloc(t->nchunks + 1, sizeof *offs);
	for (size_t i = 0; i < t->nchunks; i++)
		offs[i] = t->chunks[i].offset;
	qsort(offs, t->nchunks, sizeof *offs, cmp_u64);
	bool ok = true;
	for (size_t i = 0; i < t->nchunks && ok; i++) {
		struct bl_layertoc_chunk *c = &t->chunks[i];
		size_t lo = 0, hi = t->nchunks;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (offs[mid] <= c->offset)
				lo = mid + 1;
			else
				hi = mid;
		}
		uint64_t next = lo < t->nchunks ? offs[lo] : t->payload_end;
		if (c->end > c->offset && c->end < next)
			next = c->end;
		else if (c->end && c->end <= c->offset)
			ok = bl_fail(err, BL_E_FORMAT, "endOffset %llu before offset %llu",
			        (unsigned long long)c->end, (unsigned long long)c->offset);
		c->end = next;
	}
	free(offs);
	return ok;
}

static struct bl_layertoc_entry *entry_push(struct bl_layertoc *t)
{
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 256;
		t->entries = bl_realloc(t->entries, t->cap * sizeof *t->entries);
	}
	struct bl_layertoc_entry *e = &t->entries[t->len++];
	memset(e, 0, sizeof *e);
	e->file.layer = -1;
	return e;
}

static bool add_entry(struct bl_layertoc *t, const struct raw *r, struct bl_layertoc_entry **last,
        struct bl_error *err)
{
	const char *name = toc_name(&t->arena, r->name);
	if (!strcmp(r->type, "chunk")) {
		if (!*last || strcmp((*last)->file.path, name) != 0)
			return bl_fail(err, BL_E_FORMAT, "a chunk of no regular file before it");
		return add_chunk(t, *last, r, err);
	}
	*last = NULL;
	if (!*name)
		return true; /* the root directory, as the whole-layer listing drops it */
	struct bl_layertoc_entry *e = entry_push(t);
	struct bl_file_entry *f = &e->file;
	f->path = name;
	f->type = toc_type(r->type);
	f->seq = (uint32_t)(t->len - 1);
	f->mode = (uint32_t)(r->mode & 07777);
	f->size = f->type == BL_FILE_REGULAR ? (int64_t)(r->size & INT64_MAX) : 0;
	f->uid = (int64_t)(r->uid & INT64_MAX);
	f->gid = (int64_t)(r->gid & INT64_MAX);
	if (r->modtime && *r->modtime && !rfc3339(r->modtime, &f->mtime, &f->mtime_nsec))
		return bl_fail(err, BL_E_FORMAT, "modtime is not RFC 3339");
	if (r->link && (f->type == BL_FILE_SYMLINK || f->type == BL_FILE_HARDLINK))
		f->linkname = f->type == BL_FILE_HARDLINK ? toc_name(&t->arena, r->link)
		                                          : bl_arena_strdup(&t->arena, r->link);
	struct bl_digest d;
	bl_digest_clear(&d);
	if (r->digest && f->type == BL_FILE_REGULAR && !bl_digest_parse(r->digest, &d, err))
		return false;
	/* zstd:chunked gives an empty file no digest: it is the empty one */
	if (!r->digest && f->type == BL_FILE_REGULAR && f->size == 0)
		bl_digest_compute(BL_DIGEST_SHA256, "", 0, &d);
	if (bl_digest_is_set(&d) && d.alg == BL_DIGEST_SHA256) {
		const char *hex = bl_digest_hex(&d);
		/* (a validated digest: lowercase hex; sscanf per byte was a tenth
		 * of the time of listing a TOC) */
		for (int i = 0; i < 32; i++) {
			unsigned hi = (unsigned char)hex[2 * i], lo = (unsigned char)hex[2 * i + 1];
			hi = hi >= 'a' ? hi - 'a' + 10 : hi - '0';
			lo = lo >= 'a' ? lo - 'a' + 10 : lo - '0';
			f->sha256[i] = (unsigned char)(hi << 4 | lo);
		}
		f->has_sha256 = true;
	}
	if (f->type == BL_FILE_REGULAR) {
		*last = e;
		if (f->size > 0)
			return add_chunk(t, e, r, err);
	}
	return true;
}

bool bl_layertoc_parse(enum bl_layertoc_kind kind, const void *json, size_t len,
        uint64_t payload_end, struct bl_layertoc *t, struct bl_error *err)
{
	json_t *j = bl_json_parse(json, len, BL_LAYERTOC_JSON_MAX, err);
	if (!j) {
		bl_error_prefix(err, "TOC");
		return false;
	}
	t->kind = kind;
	t->payload_end = payload_end;
	json_t *ents = json_is_object(j) ? json_object_get(j, "entries") : NULL;
	bool ok = json_is_array(ents);
	if (!ok)
		bl_fail(err, BL_E_FORMAT, "TOC: expected an object with an \"entries\" array");
	struct bl_layertoc_entry *last = NULL;
	for (size_t i = 0; ok && i < json_array_size(ents); i++) {
		struct raw r = {0};
		if (!raw_read(json_array_get(ents, i), &r)) {
			ok = bl_fail(err, BL_E_FORMAT,
			        "TOC: entries[%zu]: a field has the wrong type", i);
			break;
		}
		if (!add_entry(t, &r, &last, err)) {
			char *safe = bl_text_safe(r.name);
			bl_error_prefix(err, "TOC: entries[%zu] \"%s\"", i, safe);
			free(safe);
			ok = false;
		}
	}
	if (ok && !set_chunk_ends(t, err)) {
		bl_error_prefix(err, "TOC");
		ok = false;
	}
	json_decref(j);
	return ok;
}
