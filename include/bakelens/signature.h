/* Referrers named for what they are: signatures, attestations and SBOMs
 * that cosign and sigstore put next to an image (cosign's sha256-<hex>.sig,
 * .att and .sbom tags; OCI 1.1 referrers carrying sigstore bundles), with
 * the signer identity a certificate in them claims.
 *
 * Nothing here verifies a signature, a certificate chain or a transparency
 * log entry: an identity is what the certificate says, and every signed
 * referrer is shown "not verified".
 */
#ifndef BL_SIGNATURE_H
#define BL_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>

enum bl_referrer_kind {
	BL_REFERRER_OTHER = 0,   /* an artifact of another kind (named by its artifact type) */
	BL_REFERRER_SIGNATURE,   /* cosign simple signing, a sigstore message signature */
	BL_REFERRER_ATTESTATION, /* an in-toto statement (signed DSSE, or BuildKit's) */
	BL_REFERRER_SBOM,        /* an SBOM as an artifact of its own (cosign .sbom) */
};

/* What the model learned about a node found as a referrer of a manifest
 * (bl_node.referrer); NULL on every other node. Strings are owned, escaped
 * nowhere (input data). */
struct bl_referrer {
	enum bl_referrer_kind kind;
	char *artifact_type;  /* the referrers index's artifactType, else the manifest's own
	                         artifactType, else its config's media type; NULL */
	char *predicate_type; /* attestations: the in-toto predicate type, NULL when unknown */
	char *format;         /* "cosign", "sigstore bundle", NULL */
	char *identity;       /* the signer the certificate names (SAN email, else URI), NULL */
	bool signed_;         /* it carries a signature or a certificate (never verified) */
};

void bl_referrer_free(struct bl_referrer *r);

/* "signature", "attestation", "sbom", "other": as inspect --json says it. */
const char *bl_referrer_kind_name(enum bl_referrer_kind k);

/* The identity an X.509 certificate names: the first email address of its
 * subjectAltName, else the first URI, else its subject's common name. `data`
 * is PEM when `pem`, else DER. A new string, or NULL when it does not parse
 * or names none. */
char *bl_cert_identity(const void *data, size_t len, bool pem);

/* The identity in a sigstore bundle (JSON bytes): the certificate of
 * verificationMaterial (`certificate.rawBytes`, else the first of
 * `x509CertificateChain.certificates`), else "key " + publicKey.hint. Also
 * says whether the bundle holds a DSSE envelope (an attestation) and its
 * predicate type when the payload is readable. New strings or NULL. */
struct bl_bundle_info {
	char *identity;
	bool dsse;
	char *predicate_type;
};
void bl_bundle_inspect(const void *data, size_t len, struct bl_bundle_info *out);
void bl_bundle_info_fini(struct bl_bundle_info *b);

#endif
