/* Content digests: parse, validate, compute (OpenSSL EVP), ChainID.
 *
 * Valid: "sha256:" + 64 lowercase hex, "sha512:" + 128 lowercase hex.
 * Anything else (uppercase, other algorithms, path characters, wrong length)
 * is invalid: a digest names a file in a layout, so this check is also what
 * keeps a blob path inside its layout.
 */
#ifndef BL_DIGEST_H
#define BL_DIGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "bakelens/error.h"

enum bl_digest_alg {
	BL_DIGEST_NONE = 0,
	BL_DIGEST_SHA256,
	BL_DIGEST_SHA512,
};

#define BL_DIGEST_MAX 136 /* "sha512:" + 128 hex + NUL */

struct bl_digest {
	enum bl_digest_alg alg;  /* BL_DIGEST_NONE: not set */
	char str[BL_DIGEST_MAX]; /* "sha256:<hex>", NUL-terminated */
};

/* Parse and validate. On failure `out` is cleared and err says why (BL_E_FORMAT),
 * quoting the input escaped and shortened. */
bool bl_digest_parse(const char *s, struct bl_digest *out, struct bl_error *err);
bool bl_digest_is_valid(const char *s);
bool bl_digest_is_set(const struct bl_digest *d);
bool bl_digest_equal(const struct bl_digest *a, const struct bl_digest *b);
void bl_digest_clear(struct bl_digest *d);
const char *bl_digest_alg_name(enum bl_digest_alg alg); /* "sha256" */
/* The encoded part after the colon, borrowed. "" when not set. */
const char *bl_digest_hex(const struct bl_digest *d);
/* "sha256:" + first 12 hex digits, into out (at least 20 bytes). */
void bl_digest_short(const struct bl_digest *d, char *out, size_t outlen);

/* Incremental hashing. */
struct bl_hasher {
	enum bl_digest_alg alg;
	void *ctx; /* EVP_MD_CTX */
};

void bl_hasher_init(struct bl_hasher *h, enum bl_digest_alg alg);
void bl_hasher_update(struct bl_hasher *h, const void *data, size_t len);
/* Writes the digest and resets nothing: call _fini after. */
void bl_hasher_final(struct bl_hasher *h, struct bl_digest *out);
void bl_hasher_fini(struct bl_hasher *h);

void bl_digest_compute(enum bl_digest_alg alg, const void *data, size_t len, struct bl_digest *out);

/* ChainID: chain(NULL, d0) = d0; chain(c, dn) = sha256(c->str + " " + dn->str). */
void bl_digest_chain(
        const struct bl_digest *parent, const struct bl_digest *diff_id, struct bl_digest *out);

#endif
