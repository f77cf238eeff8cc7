/* The media types: see include/bakelens/mediatype.h. */
#include "bakelens/mediatype.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#define K(x) BL_MEDIA_##x
#define C(x) BL_COMP_##x

static const struct bl_mediatype table[] = {
        /* OCI */
        {.name = "application/vnd.oci.image.index.v1+json",
                .kind = K(INDEX),
                .comp = C(NONE),
                .summary = "OCI image index"},
        {.name = "application/vnd.oci.image.manifest.v1+json",
                .kind = K(MANIFEST),
                .comp = C(NONE),
                .summary = "OCI image manifest"},
        {.name = "application/vnd.oci.image.config.v1+json",
                .kind = K(CONFIG),
                .comp = C(NONE),
                .summary = "OCI image config"},
        {.name = "application/vnd.oci.image.layer.v1.tar",
                .kind = K(LAYER),
                .comp = C(NONE),
                .summary = "OCI layer (tar)"},
        {.name = "application/vnd.oci.image.layer.v1.tar+gzip",
                .kind = K(LAYER),
                .comp = C(GZIP),
                .summary = "OCI layer (tar+gzip)"},
        {.name = "application/vnd.oci.image.layer.v1.tar+zstd",
                .kind = K(LAYER),
                .comp = C(ZSTD),
                .summary = "OCI layer (tar+zstd)"},
        {.name = "application/vnd.oci.image.layer.nondistributable.v1.tar",
                .kind = K(LAYER),
                .comp = C(NONE),
                .nondistributable = true,
                .summary = "OCI non-distributable layer (tar)"},
        {.name = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
                .kind = K(LAYER),
                .comp = C(GZIP),
                .nondistributable = true,
                .summary = "OCI non-distributable layer (tar+gzip)"},
        {.name = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
                .kind = K(LAYER),
                .comp = C(ZSTD),
                .nondistributable = true,
                .summary = "OCI non-distributable layer (tar+zstd)"},
        {.name = "application/vnd.oci.empty.v1+json",
                .kind = K(EMPTY),
                .comp = C(NONE),
                .summary = "OCI empty blob ({})"},
        {.name = "application/vnd.oci.descriptor.v1+json",
                .kind = K(DESCRIPTOR),
                .comp = C(NONE),
                .summary = "OCI descriptor"},
        {.name = "application/vnd.in-toto+json",
                .kind = K(INTOTO),
                .comp = C(NONE),
                .summary = "in-toto attestation statement"},

        /* BuildKit build history (docker buildx history export) */
        {.name = BL_MT_BUILDKIT_RECORD,
                .kind = K(RECORD),
                .comp = C(NONE),
                .summary = "BuildKit build history record"},
        {.name = BL_MT_BUILDKIT_LOGS,
                .kind = K(UNKNOWN),
                .comp = C(NONE),
                .summary = "BuildKit build logs (protobuf status stream)"},
        {.name = BL_MT_BUILDKIT_TRACE,
                .kind = K(UNKNOWN),
                .comp = C(NONE),
                .summary = "BuildKit build trace (OpenTelemetry spans, JSON)"},

        /* Docker v2 schema 2 */
        {.name = "application/vnd.docker.distribution.manifest.list.v2+json",
                .kind = K(INDEX),
                .comp = C(NONE),
                .docker = true,
                .summary = "Docker manifest list"},
        {.name = "application/vnd.docker.distribution.manifest.v2+json",
                .kind = K(MANIFEST),
                .comp = C(NONE),
                .docker = true,
                .summary = "Docker image manifest (v2 schema 2)"},
        {.name = "application/vnd.docker.container.image.v1+json",
                .kind = K(CONFIG),
                .comp = C(NONE),
                .docker = true,
                .summary = "Docker image config"},
        {.name = "application/vnd.docker.image.rootfs.diff.tar",
                .kind = K(LAYER),
                .comp = C(NONE),
                .docker = true,
                .summary = "Docker layer (tar)"},
        {.name = "application/vnd.docker.image.rootfs.diff.tar.gzip",
                .kind = K(LAYER),
                .comp = C(GZIP),
                .docker = true,
                .summary = "Docker layer (tar.gzip)"},
        {.name = "application/vnd.docker.image.rootfs.diff.tar.zstd",
                .kind = K(LAYER),
                .comp = C(ZSTD),
                .docker = true,
                .summary = "Docker layer (tar.zstd)"},
        {.name = "application/vnd.docker.image.rootfs.foreign.diff.tar",
                .kind = K(LAYER),
                .comp = C(NONE),
                .docker = true,
                .nondistributable = true,
                .summary = "Docker foreign layer (tar)"},
        {.name = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
                .kind = K(LAYER),
                .comp = C(GZIP),
                .docker = true,
                .nondistributable = true,
                .summary = "Docker foreign layer (tar.gzip)"},

        /* Docker v2 schema 1 (legacy) */
        {.name = "application/vnd.docker.distribution.manifest.v1+prettyjws",
                .kind = K(SCHEMA1),
                .comp = C(NONE),
                .docker = true,
                .summary = "Docker manifest (v2 schema 1, signed)"},
        {.name = "application/vnd.docker.distribution.manifest.v1+json",
                .kind = K(SCHEMA1),
                .comp = C(NONE),
                .docker = true,
                .summary = "Docker manifest (v2 schema 1)"},

        /* BuildKit. Known so they get a summary; their kind stays unknown because
         * nothing walks into them. */
        {.name = "application/vnd.docker.attestation.manifest.v1+json",
                .kind = K(UNKNOWN),
                .comp = C(NONE),
                .docker = true,
                .summary = "BuildKit attestation manifest"},
        {.name = "application/vnd.buildkit.cacheconfig.v0",
                .kind = K(UNKNOWN),
                .comp = C(NONE),
                .summary = "BuildKit cache config"},
};

#define TABLE_LEN (sizeof table / sizeof table[0])

/* Length of the type without parameters and trailing blanks. */
static size_t base_len(const char *name)
{
	size_t n = strcspn(name, ";");
	while (n > 0 && (name[n - 1] == ' ' || name[n - 1] == '\t'))
		n--;
	return n;
}

static const struct bl_mediatype *find_n(const char *name, size_t n)
{
	for (size_t i = 0; i < TABLE_LEN; i++) {
		if (strlen(table[i].name) == n && strncasecmp(table[i].name, name, n) == 0)
			return &table[i];
	}
	return NULL;
}

const struct bl_mediatype *bl_mediatype_find(const char *name)
{
	if (!name)
		return NULL;
	return find_n(name, base_len(name));
}

static bool has_suffix_n(const char *s, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);
	return n >= m && strncasecmp(s + n - m, suffix, m) == 0;
}

/* Case-insensitive search for `needle` in the first n bytes of s. */
static bool contains_n(const char *s, size_t n, const char *needle)
{
	size_t m = strlen(needle);
	for (size_t i = 0; i + m <= n; i++) {
		if (strncasecmp(s + i, needle, m) == 0)
			return true;
	}
	return false;
}

#define ENCRYPTED "+encrypted"

enum bl_media_kind bl_mediatype_kind(const char *name)
{
	if (!name)
		return BL_MEDIA_UNKNOWN;
	size_t n = base_len(name);
	const struct bl_mediatype *mt = find_n(name, n);
	if (mt)
		return mt->kind;
	/* "...tar+gzip+encrypted" (ocicrypt) is the layer it wraps. */
	if (has_suffix_n(name, n, ENCRYPTED)) {
		mt = find_n(name, n - strlen(ENCRYPTED));
		if (mt)
			return mt->kind;
	}
	if ((contains_n(name, n, ".layer.") || contains_n(name, n, ".rootfs.")) &&
	        contains_n(name, n, "tar"))
		return BL_MEDIA_LAYER;
	if (contains_n(name, n, "manifest.list") || contains_n(name, n, "image.index"))
		return BL_MEDIA_INDEX;
	if (contains_n(name, n, "in-toto") && has_suffix_n(name, n, "+json"))
		return BL_MEDIA_INTOTO;
	return BL_MEDIA_UNKNOWN;
}

enum bl_compression bl_mediatype_compression(const char *name)
{
	if (!name)
		return BL_COMP_UNKNOWN;
	size_t n = base_len(name);
	const struct bl_mediatype *mt = find_n(name, n);
	if (mt)
		return mt->comp;
	if (has_suffix_n(name, n, ENCRYPTED))
		return BL_COMP_UNKNOWN; /* the bytes are ciphertext, whatever is inside */
	if (has_suffix_n(name, n, "+gzip") || has_suffix_n(name, n, ".gzip") ||
	        has_suffix_n(name, n, ".gz"))
		return BL_COMP_GZIP;
	if (has_suffix_n(name, n, "+zstd") || has_suffix_n(name, n, ".zstd") ||
	        has_suffix_n(name, n, ".zst"))
		return BL_COMP_ZSTD;
	if (has_suffix_n(name, n, ".tar") || has_suffix_n(name, n, "+json"))
		return BL_COMP_NONE;
	return BL_COMP_UNKNOWN;
}

const char *bl_media_kind_name(enum bl_media_kind kind)
{
	switch (kind) {
	case BL_MEDIA_UNKNOWN:
		return "unknown";
	case BL_MEDIA_INDEX:
		return "index";
	case BL_MEDIA_MANIFEST:
		return "manifest";
	case BL_MEDIA_SCHEMA1:
		return "schema1";
	case BL_MEDIA_CONFIG:
		return "config";
	case BL_MEDIA_LAYER:
		return "layer";
	case BL_MEDIA_EMPTY:
		return "empty";
	case BL_MEDIA_INTOTO:
		return "in-toto";
	case BL_MEDIA_DESCRIPTOR:
		return "descriptor";
	case BL_MEDIA_RECORD:
		return "record";
	}
	return "unknown";
}

const char *bl_compression_name(enum bl_compression comp)
{
	switch (comp) {
	case BL_COMP_NONE:
		return "none";
	case BL_COMP_GZIP:
		return "gzip";
	case BL_COMP_ZSTD:
		return "zstd";
	case BL_COMP_UNKNOWN:
		return "unknown";
	}
	return "unknown";
}
