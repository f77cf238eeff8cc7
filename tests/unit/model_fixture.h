/* Test helpers for the model tests: real OCI layouts written into a temp
 * directory, blobs named by the sha256 of their bytes (computed here), and
 * corpus paths. Everything static inline so each test uses what it needs. */
#ifndef BL_TEST_MODEL_FIXTURE_H
#define BL_TEST_MODEL_FIXTURE_H

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bakelens/digest.h"
#include "bakelens/mem.h"
#include "bakelens/model.h"

struct fx {
	char dir[256];
};

static inline void fx_write(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f) {
		perror(path);
		abort();
	}
	if (len && fwrite(data, 1, len, f) != len)
		abort();
	fclose(f);
}

static inline void fx_init(struct fx *f)
{
	snprintf(f->dir, sizeof f->dir, "/tmp/blmodel-XXXXXX");
	if (!mkdtemp(f->dir))
		abort();
	char p[512];
	snprintf(p, sizeof p, "%s/blobs", f->dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/blobs/sha256", f->dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/oci-layout", f->dir);
	const char *layout = "{\"imageLayoutVersion\":\"1.0.0\"}";
	fx_write(p, layout, strlen(layout));
}

static inline void fx_rm(const char *path)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			char *p = bl_asprintf("%s/%s", path, de->d_name);
			fx_rm(p);
			free(p);
		}
		closedir(d);
	}
	remove(path);
}

static inline void fx_fini(struct fx *f)
{
	fx_rm(f->dir);
}

/* Write a blob named by its own sha256; returns the digest in out. */
static inline void fx_blob(struct fx *f, const char *data, struct bl_digest *out)
{
	bl_digest_compute(BL_DIGEST_SHA256, data, strlen(data), out);
	char p[512];
	snprintf(p, sizeof p, "%s/blobs/sha256/%s", f->dir, bl_digest_hex(out));
	fx_write(p, data, strlen(data));
}

/* Write `data` under the name of another digest (a mismatching blob). */
static inline void fx_blob_as(struct fx *f, const struct bl_digest *name, const char *data)
{
	char p[512];
	snprintf(p, sizeof p, "%s/blobs/sha256/%s", f->dir, bl_digest_hex(name));
	fx_write(p, data, strlen(data));
}

static inline void fx_index(struct fx *f, const char *json)
{
	char p[512];
	snprintf(p, sizeof p, "%s/index.json", f->dir);
	fx_write(p, json, strlen(json));
}

/* A file in the fixture dir (for metadata files). Returns its path (static buffer per call site).
 */
static inline void fx_file(struct fx *f, const char *name, const char *data, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", f->dir, name);
	fx_write(path, data, strlen(data));
}

/* A descriptor object as JSON text; caller frees. `extra` is inserted as is
 * (",\"platform\":{...}") or NULL. */
static inline char *fx_desc(
        const char *mt, const struct bl_digest *d, const char *data, const char *extra)
{
	return bl_asprintf("{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu%s}", mt, d->str,
	        strlen(data), extra ? extra : "");
}

static inline const char *fx_corpus(void)
{
	const char *c = getenv("BL_CORPUS");
	struct stat st;
	if (!c || stat(c, &st) != 0 || !S_ISDIR(st.st_mode))
		return NULL;
	return c;
}

static inline char *fx_corpus_path(const char *rel)
{
	const char *c = fx_corpus();
	return c ? bl_asprintf("%s/%s", c, rel) : NULL;
}

static inline bool fx_load(
        const char *const *args, size_t n, struct bl_build **b, struct bl_error *e)
{
	struct bl_source_opts o;
	memset(&o, 0, sizeof o);
	o.offline = true; /* unit tests never reach for a registry named in metadata */
	bl_error_clear(e);
	return bl_build_load(args, n, &o, b, e);
}

/* The value of the first fact called key, or NULL. */
static inline const char *fx_fact(const struct bl_vec *facts, const char *key)
{
	for (size_t i = 0; i < facts->len; i++) {
		const struct bl_fact *f = bl_vec_get(facts, i);
		if (strcmp(f->key, key) == 0)
			return f->value;
	}
	return NULL;
}

static inline struct bl_node *fx_child(const struct bl_node *n, size_t i)
{
	if (!n || i >= bl_node_count(n))
		return NULL;
	return bl_node_child(n, i);
}

/* First node of a kind, depth-first. */
static inline struct bl_node *fx_find_kind(struct bl_node *n, enum bl_node_kind k)
{
	if (n->kind == k)
		return n;
	for (size_t i = 0; i < bl_node_count(n); i++) {
		struct bl_node *r = fx_find_kind(bl_node_child(n, i), k);
		if (r)
			return r;
	}
	return NULL;
}

static inline size_t fx_count_kind(const struct bl_node *n, enum bl_node_kind k)
{
	size_t c = n->kind == k;
	for (size_t i = 0; i < bl_node_count(n); i++)
		c += fx_count_kind(bl_node_child(n, i), k);
	return c;
}

static inline size_t fx_count_status(const struct bl_node *n, enum bl_node_status st)
{
	size_t c = n->status == st;
	for (size_t i = 0; i < bl_node_count(n); i++)
		c += fx_count_status(bl_node_child(n, i), st);
	return c;
}

/* The image used by several tests: an index.json entry -> index with
 * linux/amd64 (2 layers, history with an empty_layer entry), linux/arm64/v8
 * and an attestation manifest for amd64 holding one SLSA statement. */
struct fx_image {
	struct bl_digest layer1, layer2, diff1, diff2, config, m_amd64, m_arm64, statement,
	        att_config, att, index;
};

static inline void fx_make_image(struct fx *f, struct fx_image *im, const char *config_extra)
{
	char diff1[200], diff2[200];
	/* diff_ids: any valid digests; computed from fixed strings */
	bl_digest_compute(BL_DIGEST_SHA256, "diff one", 8, &im->diff1);
	bl_digest_compute(BL_DIGEST_SHA256, "diff two", 8, &im->diff2);
	snprintf(diff1, sizeof diff1, "%s", im->diff1.str);
	snprintf(diff2, sizeof diff2, "%s", im->diff2.str);
	const char *l1 = "layer one bytes";
	const char *l2 = "layer two bytes";
	fx_blob(f, l1, &im->layer1);
	fx_blob(f, l2, &im->layer2);
	char *config = bl_asprintf(
	        "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2024-01-02T03:04:05Z\","
	        "\"config\":{\"Env\":[\"PATH=/usr/"
	        "bin\",\"A=1\"],\"Cmd\":[\"sh\"],\"User\":\"app\"%s},"
	        "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"%s\",\"%s\"]},"
	        "\"history\":[{\"created_by\":\"ADD base\"},{\"created_by\":\"ENV "
	        "A=1\",\"empty_layer\":true},"
	        "{\"created_by\":\"RUN make\",\"comment\":\"buildkit\"}]}",
	        config_extra ? config_extra : "", diff1, diff2);
	fx_blob(f, config, &im->config);
	char *cd = fx_desc("application/vnd.oci.image.config.v1+json", &im->config, config, NULL);
	char *ld1 = fx_desc("application/vnd.oci.image.layer.v1.tar+gzip", &im->layer1, l1, NULL);
	char *ld2 = fx_desc("application/vnd.oci.image.layer.v1.tar+gzip", &im->layer2, l2, NULL);
	char *m1 = bl_asprintf(
	        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	        "\"config\":%s,\"layers\":[%s,%s]}",
	        cd, ld1, ld2);
	fx_blob(f, m1, &im->m_amd64);
	char *m2 = bl_asprintf(
	        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	        "\"config\":%s,\"layers\":[%s]}",
	        cd, ld1);
	fx_blob(f, m2, &im->m_arm64);
	char *st = bl_asprintf(
	        "{\"_type\":\"https://in-toto.io/Statement/v0.1\","
	        "\"predicateType\":\"https://slsa.dev/provenance/v0.2\","
	        "\"subject\":[{\"name\":\"pkg:docker/x\",\"digest\":{\"sha256\":\"%s\"}}],"
	        "\"predicate\":{\"builder\":{\"id\":\"https://example.com/builder\"},"
	        "\"buildType\":\"https://mobyproject.org/buildkit@v1\","
	        "\"invocation\":{\"parameters\":{\"frontend\":\"dockerfile.v0\",\"args\":{\"build-"
	        "arg:FOO\":\"bar\"}}},"
	        "\"materials\":[{\"uri\":\"pkg:docker/"
	        "alpine@3\",\"digest\":{\"sha256\":\"%s\"}}]}}",
	        bl_digest_hex(&im->m_amd64), bl_digest_hex(&im->layer1));
	fx_blob(f, st, &im->statement);
	const char *ac = "{\"architecture\":\"unknown\",\"os\":\"unknown\",\"config\":{},"
	                 "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}";
	fx_blob(f, ac, &im->att_config);
	char *acd = fx_desc("application/vnd.oci.image.config.v1+json", &im->att_config, ac, NULL);
	char *sd = fx_desc("application/vnd.in-toto+json", &im->statement, st,
	        ",\"annotations\":{\"in-toto.io/predicate-type\":\"https://slsa.dev/provenance/"
	        "v0.2\"}");
	char *am = bl_asprintf(
	        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
	        "\"config\":%s,\"layers\":[%s]}",
	        acd, sd);
	fx_blob(f, am, &im->att);
	char *e1 = fx_desc("application/vnd.oci.image.manifest.v1+json", &im->m_amd64, m1,
	        ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}");
	char *e2 = fx_desc("application/vnd.oci.image.manifest.v1+json", &im->m_arm64, m2,
	        ",\"platform\":{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}");
	char *annot = bl_asprintf(",\"platform\":{\"architecture\":\"unknown\",\"os\":\"unknown\"},"
	                          "\"annotations\":{\"vnd.docker.reference.digest\":\"%s\","
	                          "\"vnd.docker.reference.type\":\"attestation-manifest\"}",
	        im->m_amd64.str);
	char *e3 = fx_desc("application/vnd.oci.image.manifest.v1+json", &im->att, am, annot);
	char *idx = bl_asprintf(
	        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	        "\"manifests\":[%s,%s,%s]}",
	        e1, e2, e3);
	fx_blob(f, idx, &im->index);
	char *top = fx_desc("application/vnd.oci.image.index.v1+json", &im->index, idx,
	        ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"latest\"}");
	char *tj = bl_asprintf(
	        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
	        "\"manifests\":[%s]}",
	        top);
	fx_index(f, tj);
	free(config);
	free(cd);
	free(ld1);
	free(ld2);
	free(m1);
	free(m2);
	free(st);
	free(acd);
	free(sd);
	free(am);
	free(e1);
	free(e2);
	free(annot);
	free(e3);
	free(idx);
	free(top);
	free(tj);
}

#endif
