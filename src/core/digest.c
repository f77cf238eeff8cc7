/* Content digests: see include/bakelens/digest.h. */
#include "bakelens/digest.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

#define QUOTE_MAX 80 /* bytes of escaped input quoted in an error */

static size_t hex_len(enum bl_digest_alg alg)
{
	switch (alg) {
	case BL_DIGEST_SHA256:
		return 64;
	case BL_DIGEST_SHA512:
		return 128;
	case BL_DIGEST_NONE:
		break;
	}
	return 0;
}

/* The input, escaped and cut to QUOTE_MAX bytes (with "..." when cut), caller owns. */
static char *quote(const char *s)
{
	char *esc = bl_text_safe(s);
	size_t n = strlen(esc);
	if (n > QUOTE_MAX) {
		/* Cut on a UTF-8 boundary: step back over continuation bytes. */
		size_t cut = QUOTE_MAX - 3; /* room for "..." and the NUL */
		while (cut > 0 && ((unsigned char)esc[cut] & 0xc0) == 0x80)
			cut--;
		memcpy(esc + cut, "...", 4);
	}
	return esc;
}

static bool fail_digest(struct bl_error *err, const char *s, const char *why)
{
	if (!err)
		return false;
	char *q = quote(s);
	bl_fail(err, BL_E_FORMAT,
	        "invalid digest \"%s\": %s (expected sha256:<64 lowercase hex> or "
	        "sha512:<128 lowercase hex>)",
	        q, why);
	free(q);
	return false;
}

bool bl_digest_parse(const char *s, struct bl_digest *out, struct bl_error *err)
{
	struct bl_digest tmp;
	bl_digest_clear(&tmp);
	if (out)
		bl_digest_clear(out);
	if (!s)
		return bl_fail(
		        err, BL_E_FORMAT, "missing digest (expected sha256:<64 lowercase hex>)");
	if (!*s)
		return fail_digest(err, s, "empty");
	const char *colon = strchr(s, ':');
	if (!colon)
		return fail_digest(err, s, "no algorithm");
	size_t alen = (size_t)(colon - s);
	enum bl_digest_alg alg;
	if (alen == 6 && memcmp(s, "sha256", 6) == 0)
		alg = BL_DIGEST_SHA256;
	else if (alen == 6 && memcmp(s, "sha512", 6) == 0)
		alg = BL_DIGEST_SHA512;
	else
		return fail_digest(err, s, "unsupported algorithm");
	const char *hex = colon + 1;
	size_t want = hex_len(alg);
	size_t i = 0;
	for (; hex[i]; i++) {
		char c = hex[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return fail_digest(err, s,
			        c >= 'A' && c <= 'F'
			                ? "uppercase hex digit"
			                : "character that is not a lowercase hex digit");
		if (i >= want)
			return fail_digest(err, s, "too many hex digits");
	}
	if (i != want)
		return fail_digest(err, s, "too few hex digits");
	tmp.alg = alg;
	memcpy(tmp.str, s, alen + 1 + want);
	tmp.str[alen + 1 + want] = '\0';
	if (out)
		*out = tmp;
	return true;
}

bool bl_digest_is_valid(const char *s)
{
	return bl_digest_parse(s, NULL, NULL);
}

bool bl_digest_is_set(const struct bl_digest *d)
{
	return d && d->alg != BL_DIGEST_NONE && d->str[0];
}

bool bl_digest_equal(const struct bl_digest *a, const struct bl_digest *b)
{
	if (!bl_digest_is_set(a) || !bl_digest_is_set(b))
		return false;
	return a->alg == b->alg && strcmp(a->str, b->str) == 0;
}

void bl_digest_clear(struct bl_digest *d)
{
	d->alg = BL_DIGEST_NONE;
	memset(d->str, 0, sizeof d->str);
}

const char *bl_digest_alg_name(enum bl_digest_alg alg)
{
	switch (alg) {
	case BL_DIGEST_SHA256:
		return "sha256";
	case BL_DIGEST_SHA512:
		return "sha512";
	case BL_DIGEST_NONE:
		break;
	}
	return "none";
}

const char *bl_digest_hex(const struct bl_digest *d)
{
	if (!bl_digest_is_set(d))
		return "";
	const char *colon = strchr(d->str, ':');
	return colon ? colon + 1 : "";
}

void bl_digest_short(const struct bl_digest *d, char *out, size_t outlen)
{
	if (!out || outlen == 0)
		return;
	out[0] = '\0';
	if (!bl_digest_is_set(d))
		return;
	const char *alg = bl_digest_alg_name(d->alg);
	const char *hex = bl_digest_hex(d);
	size_t n = 0;
	for (const char *p = alg; *p && n + 1 < outlen; p++)
		out[n++] = *p;
	if (n + 1 < outlen)
		out[n++] = ':';
	for (size_t i = 0; i < 12 && hex[i] && n + 1 < outlen; i++)
		out[n++] = hex[i];
	out[n] = '\0';
}

static const EVP_MD *evp_md(enum bl_digest_alg alg)
{
	return alg == BL_DIGEST_SHA512 ? EVP_sha512() : EVP_sha256();
}

void bl_hasher_init(struct bl_hasher *h, enum bl_digest_alg alg)
{
	if (alg == BL_DIGEST_NONE)
		alg = BL_DIGEST_SHA256;
	h->alg = alg;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	/* Creating a context or starting SHA-2 fails only when memory is out. */
	if (!ctx || EVP_DigestInit_ex(ctx, evp_md(alg), NULL) != 1)
		abort();
	h->ctx = ctx;
}

void bl_hasher_update(struct bl_hasher *h, const void *data, size_t len)
{
	if (len == 0)
		return;
	if (EVP_DigestUpdate(h->ctx, data, len) != 1)
		abort();
}

void bl_hasher_final(struct bl_hasher *h, struct bl_digest *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_DigestFinal_ex(h->ctx, md, &mdlen) != 1)
		abort();
	bl_digest_clear(out);
	const char *name = bl_digest_alg_name(h->alg);
	size_t n = strlen(name);
	memcpy(out->str, name, n);
	out->str[n++] = ':';
	for (unsigned int i = 0; i < mdlen && n + 2 < sizeof out->str; i++) {
		out->str[n++] = hex[md[i] >> 4];
		out->str[n++] = hex[md[i] & 0xf];
	}
	out->str[n] = '\0';
	out->alg = h->alg;
}

void bl_hasher_fini(struct bl_hasher *h)
{
	if (h->ctx)
		EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void bl_digest_compute(enum bl_digest_alg alg, const void *data, size_t len, struct bl_digest *out)
{
	struct bl_hasher h;
	bl_hasher_init(&h, alg);
	bl_hasher_update(&h, data, len);
	bl_hasher_final(&h, out);
	bl_hasher_fini(&h);
}

void bl_digest_chain(
        const struct bl_digest *parent, const struct bl_digest *diff_id, struct bl_digest *out)
{
	if (!bl_digest_is_set(parent)) {
		struct bl_digest tmp = *diff_id; /* out may alias diff_id */
		*out = tmp;
		return;
	}
	struct bl_hasher h;
	bl_hasher_init(&h, BL_DIGEST_SHA256);
	bl_hasher_update(&h, parent->str, strlen(parent->str));
	bl_hasher_update(&h, " ", 1);
	bl_hasher_update(&h, diff_id->str, strlen(diff_id->str));
	/* out may alias parent: parent is not read after this point. */
	bl_hasher_final(&h, out);
	bl_hasher_fini(&h);
}
