/* Reading a layer through its TOC: see include/bakelens/layertoc.h. The
 * parsers are in layertoc_parse.c; this file does the ranged reads and the
 * checks that make ranged bytes trustworthy (the TOC digest from the layer's
 * descriptor, each chunk's digest from the TOC). */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/layertoc.h"
#include "bakelens/mem.h"

/* Why a layer is read whole: shown to users with `ls -v`. */
static const char *const why_no_annotation = "no TOC annotation";
static const char *const why_zstd_unverified =
        "zstd:chunked without a manifest-checksum annotation: its TOC cannot be verified";
static const char *const why_no_size = "the layer's size is unknown";
static const char *const why_estargz_unverified =
        "an eStargz footer but no TOC digest annotation: its TOC cannot be verified";
static const char *const why_local_no_range = "the source cannot read parts of a blob";
static const char *const why_remote_no_range = "the registry does not answer Range requests";

/* The annotation `what` under the current prefix, else the older one
 * (Debian 12's skopeo writes that); `key` gets its full name. */
static const char *zstd_annotation(
        const struct bl_descriptor *d, const char *what, char *key, size_t keylen)
{
	snprintf(key, keylen, "%s%s", BL_LAYERTOC_ZSTD_PREFIX, what);
	const char *v = bl_descriptor_annotation(d, key);
	if (v)
		return v;
	snprintf(key, keylen, "%s%s", BL_LAYERTOC_ZSTD_PREFIX_OLD, what);
	return bl_descriptor_annotation(d, key);
}

/* A ranged read counted in t->bytes_read; *unsupported when the store
 * cannot (the caller falls back, err untouched). */
static bool read_part(struct bl_store *store, const struct bl_descriptor *desc, uint64_t off,
        size_t len, void *buf, struct bl_layertoc *t, bool *unsupported, struct bl_error *err)
{
	struct bl_error e;
	bl_error_clear(&e);
	if (bl_store_read_range(store, desc, off, len, buf, &e)) {
		t->bytes_read += len;
		return true;
	}
	if (e.code == BL_E_UNSUPPORTED) {
		*unsupported = true;
		t->why = bl_store_is_remote(store) ? why_remote_no_range : why_local_no_range;
		return false;
	}
	if (err)
		*err = e;
	return false;
}

/* sha256 of data equal to the digest in annotation `key`. */
static bool check_digest(const void *data, size_t len, const char *annotated, const char *what,
        const char *key, struct bl_error *err)
{
	struct bl_digest want, got;
	if (!bl_digest_parse(annotated, &want, err)) {
		bl_error_prefix(err, "annotation %s", key);
		return false;
	}
	bl_digest_compute(want.alg, data, len, &got);
	if (!bl_digest_equal(&want, &got))
		return bl_fail(err, BL_E_DIGEST,
		        "%s does not match annotation %s: %s annotated, %s read; nothing listed "
		        "from it",
		        what, key, want.str, got.str);
	return true;
}

static bool load_estargz(struct bl_store *store, const struct bl_descriptor *desc,
        const char *toc_digest, struct bl_layertoc *t, struct bl_error *err)
{
	uint64_t size = (uint64_t)desc->size;
	unsigned char tail[BL_LAYERTOC_ESTARGZ_FOOTER];
	size_t tl = size < sizeof tail ? (size_t)size : sizeof tail;
	bool unsupported = false;
	if (!read_part(store, desc, size - tl, tl, tail, t, &unsupported, err))
		return unsupported;
	uint64_t toc_off;
	size_t footer;
	if (!bl_layertoc_estargz_footer(tail, tl, &toc_off, &footer, err)) {
		bl_error_prefix(err, "eStargz (annotation %s)", BL_LAYERTOC_ANN_ESTARGZ);
		return false;
	}
	if (toc_off >= size - footer || size - footer - toc_off > BL_LAYERTOC_COMPRESSED_MAX)
		return bl_fail(err, BL_E_FORMAT,
		        "eStargz footer: TOC offset %llu does not fit a %llu-byte blob",
		        (unsigned long long)toc_off, (unsigned long long)size);
	size_t gzlen = (size_t)(size - footer - toc_off);
	void *gz = bl_malloc(gzlen);
	struct bl_buf json;
	bl_buf_init(&json);
	bool ok = read_part(store, desc, toc_off, gzlen, gz, t, &unsupported, err);
	if (ok)
		ok = bl_layertoc_estargz_json(gz, gzlen, &json, err) &&
		     check_digest(json.data, json.len, toc_digest, "eStargz TOC",
		             BL_LAYERTOC_ANN_ESTARGZ, err) &&
		     bl_layertoc_parse(BL_LAYERTOC_ESTARGZ, json.data, json.len, toc_off, t, err);
	free(gz);
	bl_buf_fini(&json);
	if (!ok && unsupported)
		return true;
	return ok;
}

static bool load_zstd(struct bl_store *store, const struct bl_descriptor *desc,
        const char *checksum, const char *checksum_key, struct bl_layertoc *t, struct bl_error *err)
{
	char key[128];
	uint64_t size = (uint64_t)desc->size;
	struct bl_layertoc_pos pos;
	bool unsupported = false;
	const char *at = zstd_annotation(desc, "manifest-position", key, sizeof key);
	if (at) {
		if (!bl_layertoc_zstd_position(at, &pos, err))
			return false;
	} else {
		unsigned char tail[BL_LAYERTOC_ZSTD_FOOTER];
		size_t tl = size < sizeof tail ? (size_t)size : sizeof tail;
		if (!read_part(store, desc, size - tl, tl, tail, t, &unsupported, err))
			return unsupported;
		if (!bl_layertoc_zstd_footer(tail, tl, &pos, err))
			return false;
	}
	if (pos.offset < 8 || pos.offset > size || pos.length > size - pos.offset ||
	        pos.length > BL_LAYERTOC_COMPRESSED_MAX || pos.length == 0)
		return bl_fail(err, BL_E_FORMAT,
		        "zstd:chunked TOC at %llu+%llu does not fit a %llu-byte blob",
		        (unsigned long long)pos.offset, (unsigned long long)pos.length,
		        (unsigned long long)size);
	void *z = bl_malloc((size_t)pos.length);
	struct bl_buf json;
	bl_buf_init(&json);
	size_t max = pos.length_uncompressed && pos.length_uncompressed < BL_LAYERTOC_JSON_MAX
	                     ? (size_t)pos.length_uncompressed
	                     : BL_LAYERTOC_JSON_MAX;
	bool ok = read_part(store, desc, pos.offset, (size_t)pos.length, z, t, &unsupported, err);
	if (ok)
		ok = check_digest(z, (size_t)pos.length, checksum, "zstd:chunked TOC", checksum_key,
		             err) &&
		     bl_layertoc_zstd_decompress(z, (size_t)pos.length, max, &json, err);
	if (ok && pos.length_uncompressed && json.len != pos.length_uncompressed)
		ok = bl_fail(err, BL_E_FORMAT,
		        "zstd:chunked TOC: %zu bytes decompressed, %llu announced", json.len,
		        (unsigned long long)pos.length_uncompressed);
	if (ok)
		ok = bl_layertoc_parse(
		        BL_LAYERTOC_ZSTD_CHUNKED, json.data, json.len, pos.offset - 8, t, err);
	free(z);
	bl_buf_fini(&json);
	if (!ok && unsupported)
		return true;
	return ok;
}

/* A local layer without annotations: its footer (a seek, cheap) says whether
 * it has a TOC that could have been used, for -v. Failures change nothing. */
static void footer_without_digest(
        struct bl_store *store, const struct bl_descriptor *desc, bool zstd, struct bl_layertoc *t)
{
	unsigned char tail[BL_LAYERTOC_ZSTD_FOOTER];
	size_t tl = zstd ? BL_LAYERTOC_ZSTD_FOOTER : BL_LAYERTOC_ESTARGZ_FOOTER;
	if (desc->size < (int64_t)tl)
		return;
	struct bl_error e;
	bl_error_clear(&e);
	if (!bl_store_read_range(store, desc, (uint64_t)desc->size - tl, tl, tail, &e))
		return;
	t->bytes_read += tl;
	uint64_t off;
	size_t fl;
	struct bl_layertoc_pos pos;
	if (zstd ? bl_layertoc_zstd_footer(tail, tl, &pos, &e)
	         : bl_layertoc_estargz_footer(tail, tl, &off, &fl, &e))
		t->why = zstd ? why_zstd_unverified : why_estargz_unverified;
}

bool bl_layertoc_load(struct bl_store *store, const struct bl_descriptor *desc,
        struct bl_layertoc *t, struct bl_error *err)
{
	const char *mt = desc->media_type ? desc->media_type : "";
	bool zstd = strstr(mt, "zstd") != NULL;
	const char *estargz = bl_descriptor_annotation(desc, BL_LAYERTOC_ANN_ESTARGZ);
	char ckey[128], pkey[128];
	const char *checksum = zstd_annotation(desc, "manifest-checksum", ckey, sizeof ckey);
	bool ok;
	t->why = NULL;
	if (zstd && checksum && desc->size > 0) {
		ok = load_zstd(store, desc, checksum, ckey, t, err);
	} else if (!zstd && estargz && desc->size > 0) {
		ok = load_estargz(store, desc, estargz, t, err);
	} else {
		bool sized = desc->size > 0;
		t->why = zstd && zstd_annotation(desc, "manifest-position", pkey, sizeof pkey)
		                 ? why_zstd_unverified
		         : (estargz || checksum) && !sized ? why_no_size
		                                           : why_no_annotation;
		if (t->why == why_no_annotation && store && !bl_store_is_remote(store))
			footer_without_digest(store, desc, zstd, t);
		return true;
	}
	if (!ok || t->why) {
		/* nothing half-read is kept */
		uint64_t bytes = t->bytes_read;
		const char *why = t->why;
		bl_layertoc_fini(t);
		bl_layertoc_init(t);
		t->bytes_read = bytes;
		t->why = why;
	}
	return ok;
}

const struct bl_layertoc_entry *bl_layertoc_find(const struct bl_layertoc *t, const char *path)
{
	/* the last entry of a name wins, as when the layer is applied */
	for (size_t i = t->len; i-- > 0;)
		if (!strcmp(t->entries[i].file.path, path))
			return &t->entries[i];
	return NULL;
}

/* The first `need` bytes a gzip member (and any after it) decompresses to. */
static bool gunzip_prefix(
        const void *gz, size_t len, size_t need, struct bl_buf *out, struct bl_error *err)
{
	struct archive *a = archive_read_new();
	if (!a)
		abort();
	archive_read_support_filter_gzip(a);
	archive_read_support_format_raw(a);
	struct archive_entry *ae;
	bool ok = archive_read_open_memory(a, gz, len) == ARCHIVE_OK &&
	          archive_read_next_header(a, &ae) == ARCHIVE_OK;
	char tmp[65536];
	while (ok && out->len < need) {
		size_t want = need - out->len < sizeof tmp ? need - out->len : sizeof tmp;
		la_ssize_t n = archive_read_data(a, tmp, want);
		if (n <= 0)
			break;
		bl_buf_append(out, tmp, (size_t)n);
	}
	if (out->len < need)
		ok = bl_fail(err, BL_E_FORMAT, "gzip data gives %zu bytes of %zu%s%s", out->len,
		        need, archive_error_string(a) ? ": " : "",
		        archive_error_string(a) ? archive_error_string(a) : "");
	archive_read_free(a);
	return ok;
}

static bool cat_chunk(struct bl_store *store, const struct bl_descriptor *desc,
        const struct bl_layertoc *t, const struct bl_layertoc_chunk *c, bl_layertoc_write_fn write,
        void *ud, uint64_t *bytes, struct bl_error *err)
{
	if (!bl_digest_is_set(&c->digest))
		return bl_fail(
		        err, BL_E_DIGEST, "the TOC gives no digest for this chunk: not read");
	uint64_t clen = c->end - c->offset;
	if (c->end <= c->offset || clen > BL_LAYERTOC_CHUNK_MAX || c->inner > BL_LAYERTOC_CHUNK_MAX)
		return bl_fail(err, BL_E_TOO_BIG, "a chunk of %llu compressed bytes",
		        (unsigned long long)clen);
	void *z = bl_malloc((size_t)clen);
	struct bl_buf plain;
	bl_buf_init(&plain);
	size_t need = (size_t)(c->inner + c->size);
	bool ok = bl_store_read_range(store, desc, c->offset, (size_t)clen, z, err);
	if (ok) {
		*bytes += clen;
		ok = t->kind == BL_LAYERTOC_ESTARGZ
		             ? gunzip_prefix(z, (size_t)clen, need, &plain, err)
		             : bl_layertoc_zstd_decompress(
		                       z, (size_t)clen, need + (1u << 20), &plain, err);
	}
	if (ok && plain.len < need)
		ok = bl_fail(err, BL_E_FORMAT, "chunk decompresses to %zu bytes, %zu expected",
		        plain.len, need);
	if (ok) {
		struct bl_digest got;
		bl_digest_compute(c->digest.alg, plain.data + c->inner, (size_t)c->size, &got);
		if (!bl_digest_equal(&got, &c->digest))
			ok = bl_fail(err, BL_E_DIGEST,
			        "chunk does not match the TOC: %s listed, %s read", c->digest.str,
			        got.str);
	}
	if (ok)
		ok = write(ud, plain.data + c->inner, (size_t)c->size, err);
	free(z);
	bl_buf_fini(&plain);
	return ok;
}

bool bl_layertoc_cat(struct bl_store *store, const struct bl_descriptor *desc,
        const struct bl_layertoc *t, const struct bl_layertoc_entry *e, bl_layertoc_write_fn write,
        void *ud, uint64_t *bytes_read, struct bl_error *err)
{
	uint64_t bytes = 0;
	bool ok = true;
	if (e->file.type != BL_FILE_REGULAR)
		ok = bl_fail(err, BL_E_USAGE, "not a regular file");
	uint64_t done = 0;
	for (size_t i = 0; ok && i < e->nchunks; i++) {
		const struct bl_layertoc_chunk *c = &t->chunks[e->first_chunk + i];
		if (c->file_offset != done) {
			ok = bl_fail(err, BL_E_FORMAT, "the TOC's chunks leave a gap at byte %llu",
			        (unsigned long long)done);
			break;
		}
		ok = cat_chunk(store, desc, t, c, write, ud, &bytes, err);
		if (!ok)
			bl_error_prefix(
			        err, "chunk at byte %llu", (unsigned long long)c->file_offset);
		done += c->size;
	}
	if (ok && done != (uint64_t)e->file.size)
		ok = bl_fail(err, BL_E_FORMAT, "the TOC's chunks cover %llu of %lld bytes",
		        (unsigned long long)done, (long long)e->file.size);
	if (bytes_read)
		*bytes_read = bytes;
	return ok;
}
