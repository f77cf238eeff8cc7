/* A node's digests recomputed from its bytes: see include/bakelens/verify.h.
 *
 * The bytes are read through the store's raw stream, not its verifying one:
 * a verified stream fails at its end on a mismatch, and the point here is to
 * say what the bytes hash to instead. One pass: the compressed bytes are
 * hashed as libarchive pulls them, the decompressed ones as it gives them. */
#include "bakelens/verify.h"

#include <archive.h>
#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/explain.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/work.h"

#define READ_BUF (64 * 1024)
#define PROGRESS_EVERY (1024 * 1024) /* bytes between progress reports */

void bl_verify_report_init(struct bl_verify_report *r)
{
	*r = (struct bl_verify_report){0};
	bl_vec_init(&r->checks, NULL);
}

void bl_verify_report_fini(struct bl_verify_report *r)
{
	for (size_t i = 0; i < r->checks.len; i++) {
		struct bl_check *c = r->checks.items[i];
		free(c->text);
		free(c);
	}
	bl_vec_fini(&r->checks);
	free(r->title);
	*r = (struct bl_verify_report){0};
}

static void add(struct bl_verify_report *r, enum bl_check_state st, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void add(struct bl_verify_report *r, enum bl_check_state st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *text = bl_vasprintf(fmt, ap);
	va_end(ap);
	struct bl_check *c = bl_malloc(sizeof *c);
	c->state = st;
	c->text = bl_text_safe(text);
	free(text);
	bl_vec_push_take(&r->checks, c);
	if (st == BL_CHECK_FAIL)
		r->failed++;
}

/* The raw stream, hashed and counted as it is read. */
struct pull {
	struct bl_stream *s;
	struct bl_hasher h;
	uint64_t bytes, total, next_report;
	bl_progress_fn progress;
	void *ud;
	bool eof, failed, cancelled;
	struct bl_error err;
	char buf[READ_BUF];
};

static ssize_t pull_some(struct pull *p)
{
	if (p->eof || p->failed || p->cancelled)
		return 0;
	ssize_t n = p->s->read(p->s, p->buf, sizeof p->buf, &p->err);
	if (n < 0) {
		p->failed = true;
		return -1;
	}
	if (n == 0)
		p->eof = true;
	bl_hasher_update(&p->h, p->buf, (size_t)n);
	p->bytes += (uint64_t)n;
	if (p->progress && (p->eof || p->bytes >= p->next_report)) {
		p->next_report = p->bytes + PROGRESS_EVERY;
		if (!p->progress(p->ud, "reading", p->bytes, p->total)) {
			p->cancelled = true;
			return -1;
		}
	}
	return n;
}

static la_ssize_t cb_read(struct archive *a, void *ud, const void **buf)
{
	struct pull *p = ud;
	ssize_t n = pull_some(p);
	if (n < 0) {
		archive_set_error(a, EIO, "%s", p->cancelled ? "cancelled" : p->err.msg);
		return -1;
	}
	*buf = p->buf;
	return n;
}

/* The blob's bytes decompressed (comp) and hashed into *diff with their
 * count; false with why set when they do not decompress. */
static bool decompress(struct pull *p, enum bl_compression comp, struct bl_digest *diff,
        uint64_t *count, char *why, size_t whylen)
{
	struct archive *a = archive_read_new();
	if (!a)
		abort();
	if (comp == BL_COMP_GZIP)
		archive_read_support_filter_gzip(a);
	else if (comp == BL_COMP_ZSTD)
		archive_read_support_filter_zstd(a);
	archive_read_support_format_raw(a);
	archive_read_support_format_empty(a);
	struct bl_hasher h;
	bl_hasher_init(&h, BL_DIGEST_SHA256);
	*count = 0;
	bool ok = false;
	struct archive_entry *ae;
	if (archive_read_open(a, p, NULL, cb_read, NULL) != ARCHIVE_OK) {
		snprintf(why, whylen, "%s", archive_error_string(a) ? archive_error_string(a) : "");
		goto out;
	}
	int rc = archive_read_next_header(a, &ae);
	if (rc == ARCHIVE_EOF) {
		ok = true; /* no bytes at all: an empty layer */
		goto out;
	}
	if (rc < ARCHIVE_WARN) {
		snprintf(why, whylen, "%s", archive_error_string(a) ? archive_error_string(a) : "");
		goto out;
	}
	/* Only the filter the media type names was enabled: bytes that are not
	 * gzip (zstd) would pass through unfiltered and be hashed as they are. */
	if (comp != BL_COMP_NONE && archive_filter_count(a) < 2) {
		snprintf(why, whylen, "the bytes are not %s data", bl_compression_name(comp));
		goto out;
	}
	char *chunk = bl_malloc(READ_BUF);
	for (;;) {
		la_ssize_t n = archive_read_data(a, chunk, READ_BUF);
		if (n == 0) {
			ok = true;
			break;
		}
		if (n < 0) {
			snprintf(why, whylen, "%s",
			        archive_error_string(a) ? archive_error_string(a) : "read error");
			break;
		}
		bl_hasher_update(&h, chunk, (size_t)n);
		*count += (uint64_t)n;
	}
	free(chunk);
out:
	if (ok)
		bl_hasher_final(&h, diff);
	bl_hasher_fini(&h);
	archive_read_free(a);
	return ok;
}

static void layer_checks(const struct bl_node *n, bool decompressed, const struct bl_digest *diff,
        uint64_t count, const char *why, struct bl_verify_report *r)
{
	const struct bl_layer_info *li = n->layer;
	const char *comp = bl_compression_name(li->comp);
	if (!decompressed) {
		add(r, BL_CHECK_FAIL, "diff_id: the bytes do not decompress (%s): %s", comp, why);
		return;
	}
	if (li->comp != BL_COMP_NONE)
		add(r, BL_CHECK_INFO, "decompressed (%s): %" PRIu64 " bytes", comp, count);
	if (!li->has_diff_id) {
		add(r, BL_CHECK_INFO, "diff_id: %s (the config has no rootfs.diff_ids[%d])",
		        diff->str, li->index);
		return;
	}
	if (bl_digest_equal(diff, &li->diff_id))
		add(r, BL_CHECK_OK, "diff_id: %s = config.rootfs.diff_ids[%d]", diff->str,
		        li->index);
	else
		add(r, BL_CHECK_FAIL,
		        "diff_id: expected %s (config.rootfs.diff_ids[%d]), got %s: the "
		        "decompressed tar is not the one the config records",
		        li->diff_id.str, li->index, diff->str);
	if (!li->has_chain_id)
		return;
	struct bl_digest chain;
	const struct bl_node *below = bl_explain_layer_below(n);
	if (li->index == 0) {
		chain = *diff;
		if (bl_digest_equal(&chain, &li->chain_id))
			add(r, BL_CHECK_OK, "ChainID: the bottom layer's is its diff_id: %s",
			        chain.str);
		else
			add(r, BL_CHECK_FAIL, "ChainID: expected %s, got %s (its diff_id)",
			        li->chain_id.str, chain.str);
		return;
	}
	if (!below || !below->layer->has_chain_id) {
		add(r, BL_CHECK_INFO, "ChainID: the layer below has none to build on");
		return;
	}
	bl_digest_chain(&below->layer->chain_id, diff, &chain);
	if (bl_digest_equal(&chain, &li->chain_id))
		add(r, BL_CHECK_OK, "ChainID: sha256(\"%s %s\") = %s", below->layer->chain_id.str,
		        diff->str, chain.str);
	else
		add(r, BL_CHECK_FAIL, "ChainID: expected %s, got sha256(\"%s %s\") = %s",
		        li->chain_id.str, below->layer->chain_id.str, diff->str, chain.str);
}

bool bl_verify_node(const struct bl_node *n, bl_progress_fn progress, void *ud,
        struct bl_verify_report *out, struct bl_error *err)
{
	if (n && n->kind == BL_NODE_TARGET && !n->has_desc && n->children.len)
		n = n->children.items[0];
	if (!n || !n->has_desc || !bl_digest_is_set(&n->desc.digest))
		return bl_fail(err, BL_E_USAGE, "nothing to verify: this node has no digest");
	struct bl_store *s = n->store;
	for (const struct bl_node *p = n->parent; p && !s; p = p->parent)
		s = p->store;
	if (!s)
		return bl_fail(err, BL_E_USAGE, "nothing to verify: this node has no source");
	free(out->title);
	out->title = bl_explain_title(n);
	const struct bl_descriptor *d = &n->desc;
	struct pull *p = bl_calloc(1, sizeof *p);
	p->progress = progress;
	p->ud = ud;
	p->total = d->size > 0 ? (uint64_t)d->size : 0;
	if (!s->ops->open_raw(s, &d->digest, &p->s, &p->err)) {
		if (p->err.code == BL_E_NOT_FOUND) {
			char *src = bl_text_safe(s->source);
			add(out, BL_CHECK_FAIL, "blob: %s is missing from %s%s%s", d->digest.str,
			        src, s->ops->missing_note ? ": " : "",
			        s->ops->missing_note ? s->ops->missing_note : "");
			free(src);
		} else {
			add(out, BL_CHECK_FAIL, "blob: %s cannot be read: %s", d->digest.str,
			        p->err.msg);
		}
		free(p);
		return true;
	}
	bl_hasher_init(&p->h, d->digest.alg);
	bool is_layer = n->kind == BL_NODE_LAYER && n->layer && n->layer->comp != BL_COMP_UNKNOWN;
	bool decompressed = false;
	struct bl_digest diff = {0};
	uint64_t count = 0;
	char why[256] = "";
	if (is_layer)
		decompressed = decompress(p, n->layer->comp, &diff, &count, why, sizeof why);
	/* Whatever libarchive left unread (trailing bytes, or all of it when it
	 * stopped early) still counts for the digest. */
	while (!p->eof && !p->failed && !p->cancelled)
		pull_some(p);
	p->s->close(p->s);
	struct bl_digest got;
	bl_hasher_final(&p->h, &got);
	bl_hasher_fini(&p->h);
	bool ok = true;
	if (p->cancelled) {
		ok = bl_fail(err, BL_E_CANCELLED, "verify cancelled");
	} else if (p->failed) {
		add(out, BL_CHECK_FAIL, "blob: reading %s failed after %" PRIu64 " bytes: %s",
		        d->digest.str, p->bytes, p->err.msg);
	} else {
		if (d->size >= 0 && (uint64_t)d->size == p->bytes)
			add(out, BL_CHECK_OK, "size: %" PRIu64 " bytes = descriptor", p->bytes);
		else if (d->size >= 0)
			add(out, BL_CHECK_FAIL,
			        "size: expected %" PRId64 " bytes (descriptor), got %" PRIu64,
			        d->size, p->bytes);
		if (bl_digest_equal(&got, &d->digest))
			add(out, BL_CHECK_OK, "digest: %s = descriptor", got.str);
		else
			add(out, BL_CHECK_FAIL,
			        "digest: expected %s (descriptor), got %s: the bytes in the source "
			        "are not the ones its parent names",
			        d->digest.str, got.str);
		if (is_layer)
			layer_checks(n, decompressed, &diff, count, why, out);
	}
	free(p);
	return ok;
}

/* The worker thread (bakelens/work.h). */
struct bl_verify {
	struct bl_work w;
	const struct bl_node *node;
	/* Written by the thread before bl_work_done: */
	bool ok;
	struct bl_verify_report report;
	struct bl_error err;
};

static bool on_progress(void *ud, const char *what, uint64_t done, uint64_t total)
{
	struct bl_verify *j = ud;
	return bl_work_report(&j->w, NULL, what, done, total);
}

static void *run(void *arg)
{
	struct bl_verify *j = arg;
	struct bl_error err = {0};
	bool ok = bl_verify_node(j->node, on_progress, j, &j->report, &err);
	j->ok = ok;
	j->err = err;
	bl_work_done(&j->w);
	return NULL;
}

struct bl_verify *bl_verify_start(const struct bl_node *n, struct bl_error *err)
{
	const struct bl_node *root =
	        n && n->kind == BL_NODE_TARGET && !n->has_desc && n->children.len
	                ? n->children.items[0]
	                : n;
	if (!root || !root->has_desc || !bl_digest_is_set(&root->desc.digest)) {
		bl_fail(err, BL_E_USAGE, "nothing to verify: this node has no digest");
		return NULL;
	}
	struct bl_verify *j = bl_calloc(1, sizeof *j);
	j->node = n;
	bl_verify_report_init(&j->report);
	if (!bl_work_start(&j->w, run, j, "verify", "starting", err)) {
		bl_verify_report_fini(&j->report);
		free(j);
		return NULL;
	}
	return j;
}

void bl_verify_poll(struct bl_verify *j, struct bl_load_state *st)
{
	bl_work_poll(&j->w, st);
}

void bl_verify_cancel(struct bl_verify *j)
{
	bl_work_cancel(&j->w);
}

bool bl_verify_finish(struct bl_verify *j, struct bl_verify_report *out, struct bl_error *err)
{
	bool cancel = bl_work_join(&j->w);
	bool ok = j->ok;
	if (ok && cancel) {
		ok = false;
		bl_error_clear(&j->err);
		bl_fail(&j->err, BL_E_CANCELLED, "verify cancelled");
	}
	if (ok) {
		*out = j->report;
	} else {
		bl_verify_report_fini(&j->report);
		bl_verify_report_init(out);
		if (err)
			*err = j->err;
	}
	free(j);
	return ok;
}
