/* Drives bl_layertoc_cat for the integration tests and the benchmark:
 *   layertoc_probe SOURCE LAYER PATH
 * opens SOURCE (any bl_store_open argument), takes its first root (the first
 * manifest of an index), loads the TOC of layer LAYER and writes file PATH
 * to stdout, fetching only that file's chunks. On stderr:
 *   toc <kind> <bytes read for the TOC>
 *   cat <bytes read for the file>
 * Errors: "layertoc_probe: <status>: <message>" on stderr, exit 1. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/layertoc.h"
#include "bakelens/mem.h"

static int die(const struct bl_error *e)
{
	fprintf(stderr, "layertoc_probe: %s: %s\n", bl_status_name(e->code), e->msg);
	return 1;
}

static json_t *read_json(struct bl_store *s, const struct bl_descriptor *d, struct bl_error *err)
{
	struct bl_buf b;
	bl_buf_init(&b);
	json_t *j = NULL;
	if (bl_store_read_blob(s, d, BL_JSON_MANIFEST_MAX, &b, err))
		j = bl_json_parse(b.data, b.len, BL_JSON_MANIFEST_MAX, err);
	bl_buf_fini(&b);
	return j;
}

static bool to_stdout(void *ud, const void *data, size_t len, struct bl_error *err)
{
	(void)ud;
	if (fwrite(data, 1, len, stdout) != len)
		return bl_fail(err, BL_E_IO, "standard output: write failed");
	return true;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: layertoc_probe SOURCE LAYER PATH\n");
		return 2;
	}
	struct bl_error err = {0};
	struct bl_store *s = NULL;
	struct bl_vec roots;
	bl_vec_init(&roots, bl_store_root_free);
	struct bl_layertoc t;
	bl_layertoc_init(&t);
	struct bl_descriptor ld = {0};
	bool have_ld = false;
	json_t *m = NULL;
	int rc = 1;
	if (!bl_store_open(argv[1], NULL, &s, &err) || !bl_store_roots(s, &roots, &err))
		goto fail;
	if (!roots.len) {
		bl_fail(&err, BL_E_NOT_FOUND, "no root");
		goto fail;
	}
	struct bl_store_root *r = bl_vec_get(&roots, 0);
	m = read_json(s, &r->desc, &err);
	if (m && bl_json_arr(m, "manifests")) {
		struct bl_descriptor md;
		if (!bl_descriptor_parse(json_array_get(bl_json_arr(m, "manifests"), 0),
		            "manifests[0]", &md, &err))
			goto fail;
		json_decref(m);
		m = read_json(s, &md, &err);
		bl_descriptor_fini(&md);
	}
	if (!m || !bl_descriptor_parse(
	                  json_array_get(bl_json_arr(m, "layers"), (size_t)atoi(argv[2])), "layer",
	                  &ld, &err))
		goto fail;
	have_ld = true;
	if (!bl_layertoc_load(s, &ld, &t, &err))
		goto fail;
	fprintf(stderr, "toc %s %llu%s%s\n", bl_layertoc_kind_name(t.kind),
	        (unsigned long long)t.bytes_read, t.why ? " " : "", t.why ? t.why : "");
	const struct bl_layertoc_entry *e = bl_layertoc_find(&t, argv[3]);
	if (!e) {
		bl_fail(&err, BL_E_NOT_FOUND, "%s: not in the TOC", argv[3]);
		goto fail;
	}
	uint64_t bytes = 0;
	if (!bl_layertoc_cat(s, &ld, &t, e, to_stdout, NULL, &bytes, &err))
		goto fail;
	fprintf(stderr, "cat %llu\n", (unsigned long long)bytes);
	rc = fflush(stdout) == 0 ? 0 : 1;
	goto out;
fail:
	die(&err);
out:
	bl_layertoc_fini(&t);
	if (have_ld)
		bl_descriptor_fini(&ld);
	json_decref(m);
	bl_vec_fini(&roots);
	bl_store_free(s);
	return rc;
}
