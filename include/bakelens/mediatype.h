/* The media types of images and artifacts, as data. Unknown types are shown
 * as what they are, never refused. */
#ifndef BL_MEDIATYPE_H
#define BL_MEDIATYPE_H

#include <stdbool.h>

enum bl_media_kind {
	BL_MEDIA_UNKNOWN = 0,
	BL_MEDIA_INDEX,      /* OCI index, Docker manifest list */
	BL_MEDIA_MANIFEST,   /* OCI manifest, Docker v2s2 manifest */
	BL_MEDIA_SCHEMA1,    /* Docker v2 schema 1 (legacy, shown, not walked) */
	BL_MEDIA_CONFIG,     /* image config */
	BL_MEDIA_LAYER,      /* filesystem layer */
	BL_MEDIA_EMPTY,      /* application/vnd.oci.empty.v1+json */
	BL_MEDIA_INTOTO,     /* in-toto statement (attestation layer) */
	BL_MEDIA_DESCRIPTOR, /* application/vnd.oci.descriptor.v1+json: sniff the content */
	BL_MEDIA_RECORD,     /* BuildKit build history record (the config of a .dockerbuild
	                        record manifest): JSON, read and decoded */
};

enum bl_compression {
	BL_COMP_NONE = 0,
	BL_COMP_GZIP,
	BL_COMP_ZSTD,
	BL_COMP_UNKNOWN,
};

struct bl_mediatype {
	const char *name;
	enum bl_media_kind kind;
	enum bl_compression comp;
	bool docker;           /* a Docker type (vs OCI) */
	bool nondistributable; /* foreign / non-distributable layer */
	const char *summary;   /* a few words: "OCI image manifest" */
};

/* The table entry, or NULL for a type not in the table. Parameters
 * (";charset=...") are ignored. */
const struct bl_mediatype *bl_mediatype_find(const char *name);
/* The kind, guessing from suffixes for types not in the table
 * ("...tar+gzip+encrypted" is a layer); BL_MEDIA_UNKNOWN for NULL. */
enum bl_media_kind bl_mediatype_kind(const char *name);
enum bl_compression bl_mediatype_compression(const char *name);
const char *bl_media_kind_name(enum bl_media_kind kind);   /* "index", "manifest", ... */
const char *bl_compression_name(enum bl_compression comp); /* "none", "gzip", "zstd", "unknown" */

/* Media type strings used when synthesising documents. */
#define BL_MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define BL_MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define BL_MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define BL_MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define BL_MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define BL_MT_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define BL_MT_DOCKER_LAYER "application/vnd.docker.image.rootfs.diff.tar"
#define BL_MT_DOCKER_LAYER_GZIP "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define BL_MT_INTOTO "application/vnd.in-toto+json"
/* `docker buildx history export`: a record manifest's config, logs and trace. */
#define BL_MT_BUILDKIT_RECORD "application/vnd.buildkit.historyrecord.v0"
#define BL_MT_BUILDKIT_LOGS "application/vnd.buildkit.status.v0"
#define BL_MT_BUILDKIT_TRACE "application/vnd.buildkit.otlp.json.v0"

#endif
