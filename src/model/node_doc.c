/* Documents read after loading: a statement that loading left unread
 * (doc_deferred: an SBOM, often megabytes, that most commands never look
 * at), read from its store, verified and parsed or scanned when something
 * asks for it (model.h: bl_node_read, bl_node_load_doc; sbom.h:
 * bl_node_sbom). Nothing unverified is ever handed out. */
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/model.h"
#include "bakelens/sbom.h"

bool bl_node_read(const struct bl_node *n, size_t cap, struct bl_buf *out, struct bl_error *err)
{
	bl_buf_clear(out);
	if (!n->has_desc || !n->store)
		return bl_fail(err, BL_E_NOT_FOUND, "%s: not in any source given",
		        n->has_desc ? n->desc.digest.str : (n->label ? n->label : "document"));
	return bl_store_read_blob(n->store, &n->desc, cap, out, err);
}

json_t *bl_node_read_doc(const struct bl_node *n, struct bl_error *err)
{
	struct bl_buf b;
	bl_buf_init(&b);
	json_t *doc = NULL;
	if (bl_node_read(n, BL_JSON_CONFIG_MAX, &b, err))
		doc = bl_json_parse(b.data, b.len, BL_JSON_CONFIG_MAX, err);
	bl_buf_fini(&b);
	return doc;
}

bool bl_node_load_doc(struct bl_node *n, struct bl_error *err)
{
	if (n->doc)
		return true;
	json_t *doc = bl_node_read_doc(n, err);
	if (!doc)
		return false;
	n->doc = doc;
	n->doc_deferred = false;
	return true;
}

bool bl_node_is_sbom(const struct bl_node *n)
{
	return n && n->kind == BL_NODE_STATEMENT && bl_sbom_predicate(n->predicate_type);
}

bool bl_node_sbom(const struct bl_node *n, struct bl_sbom *out, struct bl_error *err)
{
	if (!n->has_desc && n->doc)
		return bl_sbom_decode(n->doc, out, err);
	struct bl_buf b;
	bl_buf_init(&b);
	bool ok = bl_node_read(n, BL_JSON_CONFIG_MAX, &b, err);
	if (ok)
		ok = bl_sbom_scan(b.data, b.len, out, err);
	else
		bl_sbom_scan("", 0, out, NULL); /* `out` initialised for bl_sbom_fini */
	bl_buf_fini(&b);
	return ok;
}
