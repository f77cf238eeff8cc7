/* libFuzzer: bytes as two SBOM documents -> their packages, compared.
 *
 * The input is split on "\n--\n" (fuzz_common.h): each part is parsed as
 * JSON (a statement, a DSSE envelope or a bare SPDX / CycloneDX document)
 * and decoded; two that decode are compared and every change put in words,
 * so the decoder, the diff and the sentences all see hostile input. Each
 * part is also read as a sigstore bundle and as a certificate (PEM, DER). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "bakelens/json.h"
#include "bakelens/sbom.h"
#include "bakelens/signature.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
		ok[i] = j && bl_sbom_decode(j, &s[i], NULL);
		if (j && !ok[i])
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
