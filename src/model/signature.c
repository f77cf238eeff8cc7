/* Referrers named for what they are (signature.h): a cosign signature,
 * attestation or SBOM, a sigstore bundle, or another artifact, with the
 * signer identity its certificate claims. graph.c calls
 * model_referrer_describe once a referrer's manifest is read; the rest are
 * pure functions over bytes (fuzzed with the SBOM decoder's inputs).
 *
 * Nothing is verified here: the certificate is read for the name it gives,
 * and the label says "not verified". */
#include "bakelens/signature.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/base64.h"
#include "bakelens/buf.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "model_internal.h"

/* A sigstore bundle is small (a certificate, a signature, a log entry). */
#define BUNDLE_MAX (1u << 20)

#define ANN_COSIGN_CERT "dev.sigstore.cosign/certificate"
#define ANN_COSIGN_SIG "dev.cosignproject.cosign/signature"
#define ANN_BUNDLE_PREDICATE "dev.sigstore.bundle.predicateType"
#define COSIGN_SIGN_PREDICATE "https://sigstore.dev/cosign/sign/v1"
#define MT_SIMPLESIGNING "application/vnd.dev.cosign.simplesigning.v1+json"
#define MT_DSSE "application/vnd.dsse.envelope.v1+json"
#define AT_COSIGN_SIG "application/vnd.dev.cosign.artifact.sig.v1+json"

void bl_referrer_free(struct bl_referrer *r)
{
	if (!r)
		return;
	free(r->artifact_type);
	free(r->predicate_type);
	free(r->format);
	free(r->identity);
	free(r);
}

const char *bl_referrer_kind_name(enum bl_referrer_kind k)
{
	switch (k) {
	case BL_REFERRER_SIGNATURE:
		return "signature";
	case BL_REFERRER_ATTESTATION:
		return "attestation";
	case BL_REFERRER_SBOM:
		return "sbom";
	default:
		return "other";
	}
}

static char *asn1_string(const ASN1_STRING *s)
{
	if (!s)
		return NULL;
	const unsigned char *d = ASN1_STRING_get0_data(s);
	int len = ASN1_STRING_length(s);
	if (!d || len <= 0)
		return NULL;
	char *out = bl_calloc((size_t)len + 1, 1);
	memcpy(out, d, (size_t)len);
	out[strnlen(out, (size_t)len)] = '\0';
	return out;
}

/* The first SAN of `type` (GEN_EMAIL, GEN_URI), or NULL. */
static char *san_of(X509 *x, int type)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	char *out = NULL;
	for (int i = 0; names && !out && i < sk_GENERAL_NAME_num(names); i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
		if (g->type == type)
			out = asn1_string(g->d.ia5);
	}
	GENERAL_NAMES_free(names);
	return out;
}

char *bl_cert_identity(const void *data, size_t len, bool pem)
{
	if (!data || !len || len > INT32_MAX)
		return NULL;
	X509 *x = NULL;
	if (pem) {
		BIO *bio = BIO_new_mem_buf(data, (int)len);
		if (bio)
			x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
		BIO_free(bio);
	} else {
		const unsigned char *p = data;
		x = d2i_X509(NULL, &p, (long)len);
	}
	if (!x)
		return NULL;
	char *id = san_of(x, GEN_EMAIL);
	if (!id)
		id = san_of(x, GEN_URI);
	if (!id) {
		X509_NAME *sub = X509_get_subject_name(x);
		int i = sub ? X509_NAME_get_index_by_NID(sub, NID_commonName, -1) : -1;
		if (i >= 0)
			id = asn1_string(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(sub, i)));
	}
	X509_free(x);
	if (id && !*id) {
		free(id);
		id = NULL;
	}
	return id;
}

static char *der_identity(const char *b64)
{
	if (!b64)
		return NULL;
	struct bl_buf der;
	bl_buf_init(&der);
	char *id = NULL;
	if (bl_base64_decode(b64, &der))
		id = bl_cert_identity(der.data, der.len, false);
	bl_buf_fini(&der);
	return id;
}

/* The predicate type of a DSSE envelope's in-toto payload, or NULL. */
static char *dsse_predicate(const json_t *env)
{
	const char *pl = bl_json_str(env, "payload");
	if (!pl)
		return NULL;
	struct bl_buf b;
	bl_buf_init(&b);
	char *pt = NULL;
	if (bl_base64_decode(pl, &b)) {
		json_t *st = bl_json_parse(b.data, b.len, BUNDLE_MAX, NULL);
		pt = bl_strdup(bl_json_str(st, "predicateType"));
		json_decref(st);
	}
	bl_buf_fini(&b);
	return pt;
}

void bl_bundle_inspect(const void *data, size_t len, struct bl_bundle_info *out)
{
	memset(out, 0, sizeof *out);
	json_t *b = bl_json_parse(data, len, BUNDLE_MAX, NULL);
	if (!b)
		return;
	json_t *vm = bl_json_obj(b, "verificationMaterial");
	out->identity = der_identity(bl_json_str(bl_json_obj(vm, "certificate"), "rawBytes"));
	if (!out->identity) {
		json_t *chain =
		        bl_json_arr(bl_json_obj(vm, "x509CertificateChain"), "certificates");
		out->identity = der_identity(bl_json_str(json_array_get(chain, 0), "rawBytes"));
	}
	const char *hint = bl_json_str(bl_json_obj(vm, "publicKey"), "hint");
	if (!out->identity && hint)
		out->identity = bl_asprintf("key %s", hint);
	json_t *env = bl_json_obj(b, "dsseEnvelope");
	if (env) {
		out->dsse = true;
		out->predicate_type = dsse_predicate(env);
	}
	json_decref(b);
}

void bl_bundle_info_fini(struct bl_bundle_info *b)
{
	if (!b)
		return;
	free(b->identity);
	free(b->predicate_type);
	memset(b, 0, sizeof *b);
}

/* ---- the model's side: a referrer read, then named ---- */

static bool contains(const char *s, const char *what)
{
	return s && strstr(s, what);
}

static bool is_bundle_type(const char *t)
{
	return contains(t, "application/vnd.dev.sigstore.bundle");
}

static bool is_sbom_type(const char *t)
{
	return contains(t, "spdx") || contains(t, "cyclonedx") || contains(t, "syft");
}

/* What the referrer says it is: the index entry's artifactType, else its
 * manifest's, else the manifest's config media type (unless it is the
 * empty one), else the entry's media type. */
static char *what_it_is(const struct bl_node *n)
{
	const char *t = n->desc.artifact_type;
	if (!t)
		t = bl_json_str(n->doc, "artifactType");
	if (!t) {
		const char *cmt = bl_json_str(bl_json_obj(n->doc, "config"), "mediaType");
		if (cmt && bl_mediatype_kind(cmt) != BL_MEDIA_EMPTY)
			t = cmt;
	}
	if (!t)
		t = n->desc.media_type;
	return t ? bl_strdup(t) : NULL;
}

/* The layer descriptors of n's manifest, as JSON (borrowed), by media type. */
static json_t *layer_of_type(const struct bl_node *n, const char *mt, size_t *count)
{
	json_t *layers = bl_json_arr(n->doc, "layers");
	json_t *first = NULL;
	size_t i;
	json_t *l;
	*count = 0;
	json_array_foreach(layers, i, l)
	{
		const char *m = bl_json_str(l, "mediaType");
		if (m && (mt ? strcmp(m, mt) == 0 : is_bundle_type(m) || is_sbom_type(m))) {
			if (!first)
				first = l;
			(*count)++;
		}
	}
	return first;
}

static const char *layer_annotation(const json_t *l, const char *key)
{
	return bl_json_str(bl_json_obj(l, "annotations"), key);
}

/* cosign's tag forms: certificates are layer annotations. */
static void cosign_layers(struct bl_referrer *r, const struct bl_node *n)
{
	json_t *layers = bl_json_arr(n->doc, "layers");
	size_t i;
	json_t *l;
	json_array_foreach(layers, i, l)
	{
		const char *cert = layer_annotation(l, ANN_COSIGN_CERT);
		if (cert || layer_annotation(l, ANN_COSIGN_SIG))
			r->signed_ = true;
		if (cert && !r->identity)
			r->identity = bl_cert_identity(cert, strlen(cert), true);
		const char *pt = layer_annotation(l, "predicateType");
		if (pt && !r->predicate_type)
			r->predicate_type = bl_strdup(pt);
	}
}

/* A sigstore bundle layer read (it is small) and looked into. */
static void bundle_layer(struct bl_referrer *r, struct bl_node *n, const json_t *lj)
{
	struct bl_descriptor d;
	if (!n->store || !bl_descriptor_parse(lj, "layers[]", &d, NULL))
		return;
	struct bl_buf buf;
	bl_buf_init(&buf);
	if (bl_store_read_blob(n->store, &d, BUNDLE_MAX, &buf, NULL)) {
		struct bl_bundle_info bi;
		bl_bundle_inspect(buf.data, buf.len, &bi);
		r->identity = bi.identity;
		bi.identity = NULL;
		if (bi.dsse && r->kind != BL_REFERRER_SIGNATURE) {
			r->kind = BL_REFERRER_ATTESTATION;
			if (!r->predicate_type) {
				r->predicate_type = bi.predicate_type;
				bi.predicate_type = NULL;
			}
		}
		bl_bundle_info_fini(&bi);
	}
	bl_buf_fini(&buf);
	bl_descriptor_fini(&d);
}

static void classify(struct bl_referrer *r, struct bl_node *n)
{
	const char *at = r->artifact_type;
	size_t nsig = 0, ndsse = 0, nbundle = 0;
	layer_of_type(n, MT_SIMPLESIGNING, &nsig);
	layer_of_type(n, MT_DSSE, &ndsse);
	json_t *bundle = layer_of_type(n, NULL, &nbundle);
	if (bundle && !is_bundle_type(bl_json_str(bundle, "mediaType")))
		bundle = NULL;
	if (nsig || contains(at, "cosign signature") || contains(at, AT_COSIGN_SIG)) {
		r->kind = BL_REFERRER_SIGNATURE;
		r->format = bl_strdup("cosign");
		cosign_layers(r, n);
	} else if (ndsse || contains(at, "cosign attestation")) {
		r->kind = BL_REFERRER_ATTESTATION;
		r->format = bl_strdup("cosign");
		cosign_layers(r, n);
	} else if (is_bundle_type(at) || bundle) {
		r->format = bl_strdup("sigstore bundle");
		r->signed_ = true;
		const char *pt =
		        bl_json_str(bl_json_obj(n->doc, "annotations"), ANN_BUNDLE_PREDICATE);
		if (pt && strcmp(pt, COSIGN_SIGN_PREDICATE) == 0) {
			r->kind = BL_REFERRER_SIGNATURE;
		} else if (pt) {
			r->kind = BL_REFERRER_ATTESTATION;
			r->predicate_type = bl_strdup(pt);
		} else {
			r->kind = BL_REFERRER_SIGNATURE; /* a message signature unless the bundle
			                                    says DSSE */
		}
		if (bundle)
			bundle_layer(r, n, bundle);
	} else if (contains(at, "cosign sbom") || is_sbom_type(at)) {
		r->kind = BL_REFERRER_SBOM;
		if (contains(at, "cosign"))
			r->format = bl_strdup("cosign");
		cosign_layers(r, n);
	} else if (n->kind == BL_NODE_ATTESTATION || contains(at, "in-toto")) {
		r->kind = BL_REFERRER_ATTESTATION;
		r->predicate_type = n->predicate_type ? bl_strdup(n->predicate_type) : NULL;
	}
}

char *model_referrer_label(const struct bl_referrer *r)
{
	struct bl_buf b;
	bl_buf_init(&b);
	switch (r->kind) {
	case BL_REFERRER_SIGNATURE:
		bl_buf_puts(&b, "signature");
		break;
	case BL_REFERRER_ATTESTATION:
		bl_buf_printf(&b, "attestation of %s",
		        r->predicate_type ? r->predicate_type : "an unknown predicate type");
		break;
	case BL_REFERRER_SBOM: {
		bl_buf_puts(&b, "SBOM");
		if (r->artifact_type && !contains(r->artifact_type, "cosign"))
			bl_buf_printf(&b, " %s", r->artifact_type);
		break;
	}
	default:
		bl_buf_printf(&b, "%s%s", MODEL_REFERRER_LABEL,
		        r->artifact_type ? r->artifact_type : "unknown type");
		break;
	}
	if (r->format)
		bl_buf_printf(&b, " (%s)", r->format);
	if (r->identity)
		bl_buf_printf(&b, ", signer %s", r->identity);
	else if (r->signed_)
		bl_buf_puts(&b, ", no signer identity");
	if (r->signed_)
		bl_buf_puts(&b, ", not verified");
	char *raw = bl_strdup(b.data ? b.data : "");
	bl_buf_fini(&b);
	char *safe = bl_text_safe(raw);
	free(raw);
	return safe;
}

void model_referrer_describe(struct bl_node *n)
{
	struct bl_referrer *r = n->referrer;
	if (!r)
		return;
	free(r->artifact_type);
	r->artifact_type = what_it_is(n);
	if (n->doc)
		classify(r, n);
	if (r->signed_ && !n->note)
		n->note = bl_strdup("signature not verified: the signer is what its certificate "
		                    "claims");
	free(n->label);
	n->label = model_referrer_label(r);
}
