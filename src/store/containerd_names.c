/* Why an image is not in a containerd namespace (grpc_internal.h): the
 * Namespaces service says whether the namespace exists, the Images service
 * which names are there, and the close ones are suggested. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/vec.h"
#include "containerd.pb-c.h"
#include "grpc_internal.h"

/* "docker.io/library/alpine:3.19" -> "alpine": the last path component,
 * without tag or digest. */
static char *base_of(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *b = slash ? slash + 1 : name;
	return bl_strndup(b, strcspn(b, ":@"));
}

/* How close `cand` is to `want`: 3 same repository (any tag), 2 same last
 * component, 1 one holds the other's last component, 0 not close. */
static int closeness(const char *cand, const char *want)
{
	size_t rc = strcspn(cand, "@"), rw = strcspn(want, "@");
	const char *tc = memchr(cand, ':', rc), *tw = memchr(want, ':', rw);
	/* A ':' before the last '/' is a port, not a tag. */
	const char *lc = strrchr(cand, '/'), *lw = strrchr(want, '/');
	size_t nc = tc && (!lc || tc > lc) ? (size_t)(tc - cand) : rc;
	size_t nw = tw && (!lw || tw > lw) ? (size_t)(tw - want) : rw;
	if (nc >= nw && strncmp(cand + nc - nw, want, nw) == 0 &&
	        (nc == nw || cand[nc - nw - 1] == '/'))
		return 3;
	char *bc = base_of(cand), *bw = base_of(want);
	int r = !strcmp(bc, bw) ? 2 : *bw && (strstr(bc, bw) || (*bc && strstr(bw, bc))) ? 1 : 0;
	free(bc);
	free(bw);
	return r;
}

char *ctrd_close_names(
        const char *const *list, size_t n, const char *name, size_t max, bool *any_close)
{
	struct bl_buf out;
	bl_buf_init(&out);
	size_t shown = 0;
	for (int level = 3; level >= 1 && shown < max; level--)
		for (size_t i = 0; i < n && shown < max; i++)
			if (closeness(list[i], name) == level) {
				bl_buf_printf(&out, "%s%s", shown ? ", " : "", list[i]);
				shown++;
			}
	*any_close = shown > 0;
	for (size_t i = 0; shown == 0 && i < n && i < max; i++)
		bl_buf_printf(&out, "%s%s", i ? ", " : "", list[i]);
	bl_buf_puts(&out, ""); /* a buffer never appended to holds no string yet */
	return bl_buf_take(&out);
}

/* The names the daemon lists (namespaces or images), escaped, into v;
 * false when the list cannot be read. */
static bool list_names(struct bl_grpc_conn *c, bool namespaces, struct bl_vec *v)
{
	struct bl_buf out;
	bl_buf_init(&out);
	bool ok = bl_grpc_unary(c,
	        namespaces ? "/containerd.services.namespaces.v1.Namespaces/List"
	                   : "/containerd.services.images.v1.Images/List",
	        "", 0, &out, NULL, NULL);
	if (ok && namespaces) {
		Blctrd__ListNamespacesResponse *r = blctrd__list_namespaces_response__unpack(
		        NULL, out.len, (const uint8_t *)out.data);
		ok = r != NULL;
		for (size_t i = 0; r && i < r->n_namespaces; i++)
			bl_vec_push_take(v, bl_text_safe(r->namespaces[i]->name));
		blctrd__list_namespaces_response__free_unpacked(r, NULL);
	} else if (ok) {
		Blctrd__ListImagesResponse *r = blctrd__list_images_response__unpack(
		        NULL, out.len, (const uint8_t *)out.data);
		ok = r != NULL;
		for (size_t i = 0; r && i < r->n_images; i++)
			bl_vec_push_take(v, bl_text_safe(r->images[i]->name));
		blctrd__list_images_response__free_unpacked(r, NULL);
	}
	bl_buf_fini(&out);
	return ok;
}

static bool has(const struct bl_vec *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (!strcmp(bl_vec_get(v, i), s))
			return true;
	return false;
}

void ctrd_explain_missing(
        struct bl_grpc_conn *c, const char *ns, const char *name, struct bl_error *err)
{
	char *sn = bl_text_safe(name), *sns = bl_text_safe(ns ? ns : "");
	struct bl_vec v;
	bl_vec_init(&v, free);
	if (ns && list_names(c, true, &v) && !has(&v, sns)) {
		bool near;
		char *all = ctrd_close_names((const char *const *)v.items, v.len, sns, 8, &near);
		bl_fail(err, BL_E_NOT_FOUND, "%s: image %s: unknown namespace %s (%s%s)",
		        bl_grpc_conn_name(c), sn, sns, *all ? "namespaces here: " : "none here yet",
		        all);
		free(all);
	} else {
		bl_vec_fini(&v);
		bl_vec_init(&v, free);
		if (list_names(c, false, &v) && v.len) {
			bool near;
			char *close =
			        ctrd_close_names((const char *const *)v.items, v.len, sn, 5, &near);
			bl_fail(err, BL_E_NOT_FOUND, "%s: no image %s in namespace %s; %s %s%s",
			        bl_grpc_conn_name(c), sn, sns, near ? "close names:" : "it holds",
			        close, !near && v.len > 5 ? ", ..." : "");
			free(close);
		} else {
			bl_fail(err, BL_E_NOT_FOUND, "%s: no image %s in namespace %s%s",
			        bl_grpc_conn_name(c), sn, sns,
			        v.len ? "" : " (it holds no images)");
		}
	}
	bl_vec_fini(&v);
	free(sn);
	free(sns);
}
