/* OCI content descriptors and platforms: see include/bakelens/descriptor.h. */
#include "bakelens/descriptor.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"

static const char *place(const char *where)
{
	return where && *where ? where : "descriptor";
}

bool bl_descriptor_parse(
        const json_t *j, const char *where, struct bl_descriptor *out, struct bl_error *err)
{
	memset(out, 0, sizeof *out);
	bl_digest_clear(&out->digest);
	out->size = -1;
	where = place(where);
	if (!json_is_object(j))
		return bl_fail(err, BL_E_FORMAT, "%s: expected a descriptor object", where);

	json_t *v = json_object_get(j, "mediaType");
	if (v && !json_is_string(v))
		return bl_fail(err, BL_E_FORMAT, "%s: mediaType: expected a string", where);

	v = json_object_get(j, "digest");
	if (!v)
		return bl_fail(err, BL_E_FORMAT, "%s: missing digest", where);
	if (!json_is_string(v))
		return bl_fail(err, BL_E_FORMAT, "%s: digest: expected a string", where);
	struct bl_digest digest;
	if (!bl_digest_parse(json_string_value(v), &digest, err)) {
		bl_error_prefix(err, "%s: digest", where);
		return false;
	}

	int64_t size = -1;
	v = json_object_get(j, "size");
	if (v) {
		if (!json_is_integer(v))
			return bl_fail(err, BL_E_FORMAT, "%s: size: expected an integer", where);
		size = (int64_t)json_integer_value(v);
		if (size < 0)
			return bl_fail(err, BL_E_FORMAT, "%s: size: %lld is negative", where,
			        (long long)size);
	}

	v = json_object_get(j, "artifactType");
	if (v && !json_is_string(v))
		return bl_fail(err, BL_E_FORMAT, "%s: artifactType: expected a string", where);

	json_t *plat = json_object_get(j, "platform");
	if (plat && !json_is_object(plat))
		return bl_fail(err, BL_E_FORMAT, "%s: platform: expected an object", where);

	json_t *ann = json_object_get(j, "annotations");
	if (ann && !json_is_object(ann) && !json_is_null(ann))
		return bl_fail(err, BL_E_FORMAT, "%s: annotations: expected an object", where);

	out->media_type = bl_strdup(bl_json_str(j, "mediaType"));
	out->digest = digest;
	out->size = size;
	out->artifact_type = bl_strdup(bl_json_str(j, "artifactType"));
	if (plat) {
		out->has_platform = true;
		bl_platform_parse_json(plat, &out->platform);
	}
	if (json_is_object(ann))
		out->annotations = json_incref(ann);
	/* jansson's refcount is the one mutable part of a const json_t. */
	out->raw = json_incref((json_t *)j);
	return true;
}

void bl_descriptor_fini(struct bl_descriptor *d)
{
	if (!d)
		return;
	free(d->media_type);
	free(d->artifact_type);
	bl_platform_fini(&d->platform);
	json_decref(d->annotations);
	json_decref(d->raw);
	memset(d, 0, sizeof *d);
	bl_digest_clear(&d->digest);
	d->size = -1;
}

void bl_descriptor_free(void *p)
{
	struct bl_descriptor *d = p;
	if (d) {
		bl_descriptor_fini(d);
		free(d);
	}
}

void bl_descriptor_copy(struct bl_descriptor *dst, const struct bl_descriptor *src)
{
	memset(dst, 0, sizeof *dst);
	dst->media_type = bl_strdup(src->media_type);
	dst->digest = src->digest;
	dst->size = src->size;
	dst->artifact_type = bl_strdup(src->artifact_type);
	dst->has_platform = src->has_platform;
	bl_platform_copy(&dst->platform, &src->platform);
	dst->annotations = src->annotations ? json_incref(src->annotations) : NULL;
	dst->raw = src->raw ? json_incref(src->raw) : NULL;
}

const char *bl_descriptor_annotation(const struct bl_descriptor *d, const char *key)
{
	if (!d)
		return NULL;
	return bl_json_str(d->annotations, key);
}

bool bl_platform_parse_json(const json_t *j, struct bl_platform *out)
{
	memset(out, 0, sizeof *out);
	if (!json_is_object(j))
		return false;
	out->os = bl_strdup(bl_json_str(j, "os"));
	out->arch = bl_strdup(bl_json_str(j, "architecture"));
	out->variant = bl_strdup(bl_json_str(j, "variant"));
	out->os_version = bl_strdup(bl_json_str(j, "os.version"));
	return true;
}

char *bl_platform_format(const struct bl_platform *p)
{
	const char *os = p && p->os && *p->os ? p->os : "?";
	const char *arch = p && p->arch && *p->arch ? p->arch : "?";
	if (p && p->variant && *p->variant)
		return bl_asprintf("%s/%s/%s", os, arch, p->variant);
	return bl_asprintf("%s/%s", os, arch);
}

static bool valid_platform_part(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		            c == '_' || c == '-' || c == '.'))
			return false;
	}
	return true;
}

static char *lower_dup(const char *s, size_t n)
{
	char *d = bl_strndup(s, n);
	for (char *p = d; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	}
	return d;
}

bool bl_platform_parse(const char *s, struct bl_platform *out, struct bl_error *err)
{
	memset(out, 0, sizeof *out);
	const char *parts[3];
	size_t lens[3];
	size_t count = 0;
	const char *p = s ? s : "";
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (count == 3 || !valid_platform_part(p, n)) {
			count = 0;
			break;
		}
		parts[count] = p;
		lens[count] = n;
		count++;
		if (!slash)
			break;
		p = slash + 1;
	}
	if (count < 2) {
		if (err) {
			char *q = bl_text_safe(s);
			bl_fail(err, BL_E_USAGE,
			        "invalid platform \"%s\": expected os/arch[/variant]", q);
			free(q);
		}
		return false;
	}
	out->os = lower_dup(parts[0], lens[0]);
	out->arch = lower_dup(parts[1], lens[1]);
	/* The aliases that uname -m prints. */
	if (strcmp(out->arch, "x86_64") == 0 || strcmp(out->arch, "x86-64") == 0) {
		free(out->arch);
		out->arch = bl_strdup("amd64");
	} else if (strcmp(out->arch, "aarch64") == 0) {
		free(out->arch);
		out->arch = bl_strdup("arm64");
	}
	if (count == 3)
		out->variant = lower_dup(parts[2], lens[2]);
	return true;
}

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The variant an image without one has, per architecture (containerd's
 * platforms.Normalize): arm64 is v8, arm is v7, amd64 is v1. */
static const char *default_variant(const char *arch)
{
	if (str_eq(arch, "arm64"))
		return "v8";
	if (str_eq(arch, "arm"))
		return "v7";
	if (str_eq(arch, "amd64"))
		return "v1";
	return NULL;
}

bool bl_platform_match(const struct bl_platform *want, const struct bl_platform *have)
{
	if (!want || !have)
		return false;
	if (!str_eq(want->os, have->os) || !str_eq(want->arch, have->arch))
		return false;
	if (!want->variant || !*want->variant)
		return true;
	if (have->variant && *have->variant)
		return strcmp(want->variant, have->variant) == 0;
	return str_eq(want->variant, default_variant(have->arch));
}

void bl_platform_fini(struct bl_platform *p)
{
	if (!p)
		return;
	free(p->os);
	free(p->arch);
	free(p->variant);
	free(p->os_version);
	memset(p, 0, sizeof *p);
}

void bl_platform_copy(struct bl_platform *dst, const struct bl_platform *src)
{
	dst->os = bl_strdup(src->os);
	dst->arch = bl_strdup(src->arch);
	dst->variant = bl_strdup(src->variant);
	dst->os_version = bl_strdup(src->os_version);
}
