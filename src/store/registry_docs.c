/* What the registry store knows about documents: the verified documents it
 * keeps in memory (within a budget) and, for every digest a parsed document
 * named, whether it is a manifest and the largest size declared for it. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "registry_internal.h"

#define MEM_DOC_BUDGET (16u << 20)

struct memdoc *bl_reg_mem_find(struct reg *s, const struct bl_digest *d)
{
	for (size_t i = 0; i < s->mem.len; i++) {
		struct memdoc *m = bl_vec_get(&s->mem, i);
		if (bl_digest_equal(&m->d, d))
			return m;
	}
	return NULL;
}

void bl_reg_memdoc_free(void *p)
{
	struct memdoc *m = p;
	if (m) {
		bl_buf_fini(&m->body);
		free(m);
	}
}

void bl_reg_mem_put(struct reg *s, const struct bl_digest *d, const void *data, size_t len)
{
	if (bl_reg_mem_find(s, d) || s->mem_bytes + len > MEM_DOC_BUDGET)
		return;
	struct memdoc *m = bl_calloc(1, sizeof *m);
	m->d = *d;
	bl_buf_init(&m->body);
	bl_buf_append(&m->body, data, len);
	s->mem_bytes += len;
	bl_vec_push_take(&s->mem, m);
}

struct seen *bl_reg_seen_find(struct reg *s, const struct bl_digest *d)
{
	for (size_t i = 0; i < s->seen.len; i++) {
		struct seen *e = bl_vec_get(&s->seen, i);
		if (bl_digest_equal(&e->d, d))
			return e;
	}
	return NULL;
}

/* The largest declared size is kept: a document that understates a digest's
 * size cannot cut another's read of it short. */
void bl_reg_seen_add(struct reg *s, const char *digest, bool manifest, int64_t size)
{
	struct bl_digest d;
	if (!digest || !bl_digest_parse(digest, &d, NULL))
		return;
	struct seen *e = bl_reg_seen_find(s, &d);
	if (!e) {
		e = bl_calloc(1, sizeof *e);
		e->d = d;
		bl_vec_push_take(&s->seen, e);
	}
	e->manifest = e->manifest || manifest;
	if (size > e->size)
		e->size = size;
}

/* The size descriptors declared for d, 0 when none did. */
int64_t bl_reg_seen_size(struct reg *s, const struct bl_digest *d)
{
	struct seen *e = bl_reg_seen_find(s, d);
	return e ? e->size : 0;
}

static void learn_desc(struct reg *s, const json_t *desc, bool manifest)
{
	int64_t size = 0;
	if (!json_is_object(desc))
		return;
	if (!bl_json_int(desc, "size", &size) || size < 0)
		size = 0;
	bl_reg_seen_add(s, bl_json_str(desc, "digest"), manifest, size);
}

/* Remember the kinds of the digests a document names. */
void bl_reg_learn(struct reg *s, const void *data, size_t len)
{
	if (len == 0 || ((const char *)data)[0] != '{')
		return;
	json_t *j = bl_json_parse(data, len, BL_JSON_MANIFEST_MAX, NULL);
	if (!j)
		return;
	size_t i;
	json_t *v;
	json_t *a = bl_json_arr(j, "manifests");
	json_array_foreach(a, i, v) learn_desc(s, v, true);
	learn_desc(s, bl_json_obj(j, "config"), false);
	a = bl_json_arr(j, "layers");
	json_array_foreach(a, i, v) learn_desc(s, v, false);
	a = bl_json_arr(j, "blobs");
	json_array_foreach(a, i, v) learn_desc(s, v, false);
	learn_desc(s, bl_json_obj(j, "subject"), true);
	json_decref(j);
}

char *bl_reg_media_type(const char *content_type, const struct bl_buf *body)
{
	if (content_type && *content_type) {
		size_t n = strcspn(content_type, ";");
		while (n > 0 && content_type[n - 1] == ' ')
			n--;
		char *mt = bl_strndup(content_type, n);
		if (strcmp(mt, "application/json") && strcmp(mt, "text/plain") &&
		        strcmp(mt, "application/octet-stream"))
			return mt;
		free(mt);
	}
	json_t *j =
	        bl_json_parse(body->data ? body->data : "", body->len, BL_JSON_MANIFEST_MAX, NULL);
	char *r = NULL;
	if (j) {
		const char *m = bl_json_str(j, "mediaType");
		if (m)
			r = bl_strdup(m);
		else if (bl_json_arr(j, "manifests"))
			r = bl_strdup(BL_MT_OCI_INDEX);
		else if (bl_json_arr(j, "layers"))
			r = bl_strdup(BL_MT_OCI_MANIFEST);
		json_decref(j);
	}
	return r;
}
