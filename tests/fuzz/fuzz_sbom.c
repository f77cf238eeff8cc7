/* libFuzzer: bytes as two SBOM documents -> their packages, compared.
 *
 * The input is split on "\n--\n" (fuzz_common.h): each part is scanned
 * (bl_sbom_scan: a statement, a DSSE envelope or a bare SPDX / CycloneDX
 * document); two that decode are compared and every change put in words,
 * so the decoder, the diff and the sentences all see hostile input. Each
 * part is also read as a sigstore bundle and as a certificate (PEM, DER).
 *
 * Differential: the scanner must take as valid JSON exactly what jansson
 * takes, and decode the same packages from the bytes as from jansson's tree
 * written out again (bl_sbom_decode); any disagreement aborts. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/sbom.h"
#include "bakelens/signature.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static bool same_packages(const struct bl_sbom *a, const struct bl_sbom *b)
{
	if (a->n != b->n || a->truncated != b->truncated || strcmp(a->format, b->format) != 0 ||
	        !same_str(a->spec_version, b->spec_version))
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct bl_package *x = &a->pkgs[i], *y = &b->pkgs[i];
		if (!same_str(x->name, y->name) || !same_str(x->version, y->version) ||
		        !same_str(x->type, y->type) || !same_str(x->purl, y->purl))
			return false;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[2];
	size_t n = fuzz_split(data, size, parts, 2);
	struct bl_sbom s[2];
	bool ok[2] = {false, false};
	for (size_t i = 0; i < 2; i++) {
		const struct fuzz_part *p = &parts[i < n ? i : 0];
		struct bl_bundle_info bi;
		bl_bundle_inspect(p->data, p->len, &bi);
		bl_bundle_info_fini(&bi);
		free(bl_cert_identity(p->data, p->len, true));
		free(bl_cert_identity(p->data, p->len, false));
		json_t *j = n ? bl_json_parse(p->data, p->len, 1u << 20, NULL) : NULL;
		struct bl_error e;
		bl_error_clear(&e);
		ok[i] = bl_sbom_scan(p->data, p->len, &s[i], &e);
		bool scan_valid = ok[i] || strncmp(e.msg, "invalid JSON", 12) != 0;
		if (p->len <= (1u << 20) && scan_valid != (j != NULL))
			abort(); /* the scanner and jansson disagree on validity */
		if (j) {
			struct bl_sbom t;
			bool okt = bl_sbom_decode(j, &t, NULL);
			if (okt != ok[i] || (okt && !same_packages(&s[i], &t)))
				abort(); /* the bytes and the tree decode differently */
			bl_sbom_fini(&t);
		}
		if (!ok[i])
			bl_sbom_fini(&s[i]);
		json_decref(j);
	}
	if (ok[0] && ok[1]) {
		struct bl_pkg_diff d;
		bl_sbom_diff(&s[0], &s[1], &d);
		for (size_t i = 0; i < d.n; i++)
			free(bl_pkg_change_words(&d.v[i]));
		bl_pkg_diff_fini(&d);
	}
	for (size_t i = 0; i < 2; i++)
		if (ok[i])
			bl_sbom_fini(&s[i]);
	return 0;
}
