/* libFuzzer: bytes as SLSA provenance -> the decoder (provenance.h), its
 * JSON, the words of every step, the layer map and the comparison of two
 * statements (input changes and the cause chain).
 *
 * The input is split on "\n--\n": the left statement, the right statement
 * (the left again when absent). Layer digests for the map are taken from the
 * decoded chains themselves, so a well-formed chain reaches the lookup. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/model/compare_internal.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/provenance.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct bl_prov *decode(const struct fuzz_part *p)
{
	json_t *j = bl_json_parse(p->data, p->len, 1u << 22, NULL);
	struct bl_prov *pv = j ? bl_prov_decode(j, NULL) : NULL;
	json_decref(j);
	return pv;
}

static void exercise(const struct bl_prov *p)
{
	json_t *j = bl_prov_json(p);
	char *text = bl_json_compact(j);
	free(text);
	json_decref(j);
	for (size_t i = 0; i < p->steps.len && i < 64; i++)
		free(bl_prov_step_words(p, (int)i));
	for (int l = 0; l < 8; l++)
		free(bl_prov_dockerfile_line(p, l));
	for (size_t i = 0; i < p->chains.len && i < 16; i++) {
		const struct bl_prov_chain *c = bl_vec_get(&p->chains, i);
		for (size_t k = 0; k < c->n; k++)
			bl_prov_layer_step(p, c->digests, c->n, k);
	}
	for (size_t i = 0; i < p->deps.len && i < 16; i++) {
		const struct bl_prov_dep *d = bl_vec_get(&p->deps, i);
		if (d->uri)
			free(bl_prov_purl_image(d->uri));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_part parts[2];
	size_t n = fuzz_split(data, size, parts, 2);
	struct bl_prov *l = decode(&parts[0]);
	struct bl_prov *r = n > 1 ? decode(&parts[1]) : NULL;
	if (l)
		exercise(l);
	if (r)
		exercise(r);
	const struct bl_prov *a = l, *b = r ? r : l;
	if (a && b) {
		/* Cause chains start from the steps that made each layer. */
		struct bl_vec inputs;
		bl_vec_init(&inputs, cmp_input_free);
		cmp_inputs_diff(a, b, &inputs);
		int ls = a->steps.len ? (int)(a->steps.len - 1) : -1;
		int rs = b->steps.len ? (int)(b->steps.len - 1) : -1;
		free(cmp_cause_chain(a, b, ls, rs, &inputs));
		free(cmp_cause_chain(a, b, 0, b->steps.len ? 0 : -1, &inputs));
		bl_vec_fini(&inputs);
	}
	bl_prov_free(l);
	bl_prov_free(r);
	return 0;
}
