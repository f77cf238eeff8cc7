/* buildx / bake --metadata-file (section 1).
 *
 * Values may be strings or JSON (buildx writes decoded JSON when it can), so
 * every lookup switches on the JSON type. A bad field is a status on its
 * target's node; the rest of the file still loads. */
#include "model_internal.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/base64.h"
#include "bakelens/buf.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* A key buildx writes into a build's flat object. */
static bool is_buildx_key(const char *k)
{
	return has_prefix(k, "containerimage.") || has_prefix(k, "buildx.") ||
	       strcmp(k, "image.name") == 0 || has_prefix(k, "result.");
}

/* Bake target names match ^[a-zA-Z0-9_-]+$ (buildx bake/bake.go). */
static bool is_target_name(const char *k)
{
	if (!*k)
		return false;
	for (const char *p = k; *p; p++) {
		char c = *p;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		            c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* An object with at least one buildx/containerimage key: a target's shape. */
static bool has_buildx_key(const json_t *v)
{
	if (!json_is_object(v))
		return false;
	const char *k;
	json_t *x;
	json_object_foreach((json_t *)v, k, x)
	{
		if (is_buildx_key(k))
			return true;
	}
	return false;
}

static bool is_target_object(const char *key, const json_t *v)
{
	return is_target_name(key) && has_buildx_key(v);
}

/* An object holding buildx keys under a key that no bake target can have:
 * say why it is not shown as a target (bake names match [a-zA-Z0-9_-]+). */
static bool looks_like_bad_target(const char *key, const json_t *v)
{
	return !is_target_name(key) && !is_buildx_key(key) && has_buildx_key(v);
}

bool model_metadata_sniff_json(const json_t *doc)
{
	if (!json_is_object(doc))
		return false;
	static const char *const not_metadata[] = {
	        "schemaVersion",
	        "manifests",
	        "layers",
	        "rootfs",
	        "_type",
	        "predicateType",
	        "mediaType",
	        "digest",
	        "imageLayoutVersion",
	};
	for (size_t i = 0; i < sizeof not_metadata / sizeof not_metadata[0]; i++) {
		if (json_object_get(doc, not_metadata[i]))
			return false;
	}
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)doc, k, v)
	{
		if (is_buildx_key(k) || is_target_object(k, v) || looks_like_bad_target(k, v))
			return true;
	}
	return false;
}

/* Decoded base64 when the string decodes to text, else the string as is. */
static char *decode_b64(const char *s)
{
	struct bl_buf b;
	bl_buf_init(&b);
	if (bl_base64_decode(s, &b) && b.len > 0 && memchr(b.data, '\0', b.len) == NULL)
		return bl_buf_take(&b);
	bl_buf_fini(&b);
	return bl_strdup(s);
}

static void decode_warnings(
        struct model_ctx *ctx, const json_t *v, const char *target, struct bl_node *parent)
{
	if (json_is_object(v) && json_object_size(v) == 0)
		return; /* docs examples write {} */
	if (!json_is_array(v)) {
		model_message(ctx->b, "%s%sbuildx.build.warnings: expected an array, ignored",
		        target ? target : "", target ? ": " : "");
		return;
	}
	size_t i;
	json_t *w;
	size_t count = 0;
	json_array_foreach(v, i, w)
	{
		if (!json_is_object(w))
			continue;
		struct bl_warning *x = bl_calloc(1, sizeof *x);
		json_t *level = json_object_get(w, "level");
		if (json_is_string(level))
			x->level = bl_strdup(json_string_value(level));
		else if (json_is_integer(level))
			x->level = bl_asprintf("%lld", (long long)json_integer_value(level));
		const char *s = bl_json_str(w, "short");
		if (s)
			x->rule = decode_b64(s);
		json_t *detail = bl_json_arr(w, "detail");
		if (detail) {
			struct bl_buf d;
			bl_buf_init(&d);
			size_t j;
			json_t *line;
			json_array_foreach(detail, j, line)
			{
				if (!json_is_string(line))
					continue;
				char *t = decode_b64(json_string_value(line));
				if (d.len)
					bl_buf_putc(&d, '\n');
				bl_buf_puts(&d, t);
				free(t);
			}
			x->detail = d.len ? bl_buf_take(&d) : NULL;
			bl_buf_fini(&d);
		}
		x->url = bl_strdup(bl_json_str(w, "url"));
		x->file = bl_strdup(bl_json_str(bl_json_obj(w, "sourceInfo"), "filename"));
		json_t *range = bl_json_arr(w, "range");
		int64_t line = 0;
		if (range && json_array_size(range) > 0 &&
		        bl_json_int(
		                bl_json_obj(json_array_get(range, 0), "start"), "line", &line) &&
		        line > 0 && line < 1000000000)
			x->line = (int)line;
		x->target = bl_strdup(target);
		bl_vec_push_take(&ctx->b->warnings, x);
		count++;
	}
	char *label = bl_asprintf("warnings (%zu)", count);
	struct bl_node *n = model_node_new(ctx, BL_NODE_INFO, parent, label);
	free(label);
	if (n)
		n->doc = json_incref((json_t *)v);
}

static void add_info(
        struct model_ctx *ctx, struct bl_node *parent, const char *label, const json_t *v)
{
	struct bl_node *n = model_node_new(ctx, BL_NODE_INFO, parent, label);
	if (n)
		n->doc = json_incref((json_t *)v);
}

/* Record a field error on the target without losing an earlier one. */
static void target_error(
        struct bl_node *t, const char *name, const char *field, const struct bl_error *e)
{
	if (t->status != BL_STATUS_OK)
		return;
	model_node_status(t, BL_STATUS_ERROR, "%s: %s: %s", name, field, e->msg);
}

static void load_target(struct model_ctx *ctx, const char *name, const json_t *obj)
{
	struct bl_node *t = model_node_new(ctx, BL_NODE_TARGET, ctx->b->root, name);
	if (!t)
		return;
	t->doc = json_incref((json_t *)obj);
	struct bl_error e;
	bl_error_clear(&e);

	/* image.name: comma-separated; the first is the node's name. */
	const char *names = bl_json_str(obj, "image.name");
	if (names) {
		const char *end = strchr(names, ',');
		size_t len = end ? (size_t)(end - names) : strlen(names);
		while (len && (names[0] == ' ')) {
			names++;
			len--;
		}
		while (len && names[len - 1] == ' ')
			len--;
		if (len)
			t->name = bl_strndup(names, len);
	}

	bool have_desc = false;
	struct bl_descriptor desc;
	memset(&desc, 0, sizeof desc);
	json_t *dj = json_object_get(obj, "containerimage.descriptor");
	if (dj) {
		char *where = bl_asprintf("%s: containerimage.descriptor", name);
		if (json_is_object(dj) && bl_descriptor_parse(dj, where, &desc, &e)) {
			have_desc = true;
		} else {
			if (!json_is_object(dj))
				bl_fail(&e, BL_E_FORMAT, "%s: expected an object", where);
			if (t->status == BL_STATUS_OK)
				model_node_status(t, BL_STATUS_ERROR, "%s", e.msg);
		}
		free(where);
	}

	struct bl_digest dg;
	bl_digest_clear(&dg);
	json_t *dgj = json_object_get(obj, "containerimage.digest");
	if (dgj) {
		if (!json_is_string(dgj))
			bl_fail(&e, BL_E_FORMAT, "expected a string");
		if (!json_is_string(dgj) || !bl_digest_parse(json_string_value(dgj), &dg, &e))
			target_error(t, name, "containerimage.digest", &e);
	}
	json_t *cfg = json_object_get(obj, "containerimage.config.digest");
	if (cfg) {
		struct bl_digest cd;
		if (!json_is_string(cfg))
			bl_fail(&e, BL_E_FORMAT, "expected a string");
		/* Secondary information (the image itself is named by containerimage.digest):
		 * a bad value is reported, and the target stays usable. */
		if (!json_is_string(cfg) || !bl_digest_parse(json_string_value(cfg), &cd, &e))
			model_message(ctx->b, "%s: containerimage.config.digest: %s", name, e.msg);
	}
	if (have_desc && bl_digest_is_set(&dg) && !bl_digest_equal(&dg, &desc.digest))
		model_message(ctx->b,
		        "%s: containerimage.digest %s differs from the descriptor's %s", name,
		        dg.str, desc.digest.str);

	/* The root descriptor: first child, resolved later by build.c. */
	if (have_desc || bl_digest_is_set(&dg)) {
		enum bl_media_kind mk =
		        have_desc ? bl_mediatype_kind(desc.media_type) : BL_MEDIA_UNKNOWN;
		enum bl_node_kind k = mk == BL_MEDIA_INDEX      ? BL_NODE_INDEX
		                      : mk == BL_MEDIA_MANIFEST ? BL_NODE_MANIFEST
		                      : mk == BL_MEDIA_CONFIG   ? BL_NODE_CONFIG
		                                                : BL_NODE_BLOB;
		struct bl_node *n = model_node_new(ctx, k, t, k == BL_NODE_BLOB ? "image" : NULL);
		if (n) {
			n->has_desc = true;
			if (have_desc) {
				n->desc = desc;
				have_desc = false; /* moved */
			} else {
				memset(&n->desc, 0, sizeof n->desc);
				n->desc.digest = dg;
				n->desc.size = -1;
			}
		}
	}
	if (have_desc)
		bl_descriptor_fini(&desc);

	const char *k;
	json_t *v;
	json_object_foreach((json_t *)obj, k, v)
	{
		if (strcmp(k, "buildx.build.provenance") == 0) {
			add_info(ctx, t, "provenance", v);
		} else if (has_prefix(k, "buildx.build.provenance/")) {
			char *label = bl_asprintf(
			        "provenance %s", k + strlen("buildx.build.provenance/"));
			add_info(ctx, t, label, v);
			free(label);
		} else if (strcmp(k, "containerimage.buildinfo") == 0) {
			add_info(ctx, t, "buildinfo", v);
		} else if (has_prefix(k, "containerimage.buildinfo/")) {
			char *label = bl_asprintf(
			        "buildinfo %s", k + strlen("containerimage.buildinfo/"));
			add_info(ctx, t, label, v);
			free(label);
		} else if (has_prefix(k, "result.")) {
			add_info(ctx, t, k, v);
		} else if (strcmp(k, "buildx.build.warnings") == 0) {
			decode_warnings(ctx, v, strcmp(name, "default") == 0 ? NULL : name, t);
		}
	}
}

void model_metadata_load(struct model_ctx *ctx, const json_t *doc)
{
	if (!json_is_object(doc))
		return;
	bool bake = false;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)doc, k, v)
	{
		if (looks_like_bad_target(k, v)) {
			char *q = bl_text_safe(k);
			model_message(ctx->b,
			        "metadata: \"%s\" is not a bake target name (letters, digits, "
			        "'_' and '-' only): not read as a target",
			        q);
			free(q);
		}
	}
	json_object_foreach((json_t *)doc, k, v)
	{
		if (is_target_object(k, v)) {
			bake = true;
			break;
		}
	}
	if (!bake) {
		load_target(ctx, "default", doc);
		return;
	}
	json_object_foreach((json_t *)doc, k, v)
	{
		if (is_target_object(k, v))
			load_target(ctx, k, v);
	}
	/* Build-level information after the targets. */
	json_object_foreach((json_t *)doc, k, v)
	{
		if (is_target_object(k, v))
			continue;
		if (strcmp(k, "buildx.build.warnings") == 0)
			decode_warnings(ctx, v, NULL, ctx->b->root);
		else
			add_info(ctx, ctx->b->root, k, v);
	}
}
