/* Graph resolution over real OCI layouts written by the test, and over the corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <time.h>

#include "bakelens/json.h"
#include "bakelens/tree.h"
#include "model_fixture.h"

static struct bl_build *load_dir(struct fx *f)
{
	const char *args[] = {f->dir};
	struct bl_build *b = NULL;
	struct bl_error e;
	if (!fx_load(args, 1, &b, &e))
		fail_msg("load %s: %s", f->dir, e.msg);
	return b;
}

static void test_graph_nested_index_with_platforms_and_attestation(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	struct bl_build *b = load_dir(&f);

	assert_int_equal(bl_node_count(b->root), 1);
	struct bl_node *t = fx_child(b->root, 0);
	assert_int_equal(t->kind, BL_NODE_TARGET);
	assert_string_equal(t->label, "latest");
	struct bl_node *idx = fx_child(t, 0);
	assert_int_equal(idx->kind, BL_NODE_INDEX);
	assert_int_equal(idx->status, BL_STATUS_OK);
	assert_string_equal(idx->desc.digest.str, im.index.str);
	assert_int_equal(bl_node_count(idx), 3);
	assert_string_equal(fx_child(idx, 0)->label, "linux/amd64");
	assert_int_equal(fx_child(idx, 0)->kind, BL_NODE_MANIFEST);
	assert_string_equal(fx_child(idx, 1)->label, "linux/arm64/v8");
	struct bl_node *att = fx_child(idx, 2);
	assert_int_equal(att->kind, BL_NODE_ATTESTATION);
	assert_string_equal(att->label, "attestation for linux/amd64");
	assert_non_null(att->predicate_type);
	assert_string_equal(att->predicate_type, "https://slsa.dev/provenance/v0.2");
	struct bl_node *st = fx_find_kind(att, BL_NODE_STATEMENT);
	assert_non_null(st);
	assert_int_equal(st->status, BL_STATUS_OK);
	assert_non_null(st->doc);
	assert_string_equal(st->predicate_type, "https://slsa.dev/provenance/v0.2");

	/* manifest: config first, then layers */
	struct bl_node *m = fx_child(idx, 0);
	assert_int_equal(bl_node_count(m), 3);
	assert_int_equal(fx_child(m, 0)->kind, BL_NODE_CONFIG);
	assert_string_equal(fx_child(m, 1)->label, "layer 1/2");
	assert_string_equal(fx_child(m, 2)->label, "layer 2/2");
	assert_int_equal(fx_count_status(b->root, BL_STATUS_OK),
	        fx_count_kind(b->root, BL_NODE_BUILD) + fx_count_kind(b->root, BL_NODE_TARGET) +
	                fx_count_kind(b->root, BL_NODE_INDEX) +
	                fx_count_kind(b->root, BL_NODE_MANIFEST) +
	                fx_count_kind(b->root, BL_NODE_ATTESTATION) +
	                fx_count_kind(b->root, BL_NODE_CONFIG) +
	                fx_count_kind(b->root, BL_NODE_LAYER) +
	                fx_count_kind(b->root, BL_NODE_STATEMENT));
	const struct bl_platform *p = bl_node_platform(fx_child(m, 2));
	assert_non_null(p);
	assert_string_equal(p->arch, "amd64");
	bl_build_free(b);
	fx_fini(&f);
}

static void test_graph_history_pairs_with_layers_skipping_empty_layer(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	struct bl_build *b = load_dir(&f);
	struct bl_node *m = fx_child(fx_child(fx_child(b->root, 0), 0), 0);
	struct bl_node *l1 = fx_child(m, 1), *l2 = fx_child(m, 2);
	assert_int_equal(l1->kind, BL_NODE_LAYER);
	assert_non_null(l1->layer);
	assert_string_equal(l1->layer->created_by, "ADD base");
	/* the second layer pairs with the third history entry: ENV is empty_layer */
	assert_string_equal(l2->layer->created_by, "RUN make");
	assert_string_equal(l2->layer->comment, "buildkit");
	assert_int_equal(l2->layer->index, 1);
	assert_int_equal(l2->layer->count, 2);
	assert_int_equal(l2->layer->comp, BL_COMP_GZIP);
	assert_int_equal(l1->layer->blob, BL_BLOB_PRESENT);
	assert_true(l1->layer->has_diff_id);
	assert_string_equal(l1->layer->diff_id.str, im.diff1.str);
	assert_string_equal(l2->layer->diff_id.str, im.diff2.str);
	bl_build_free(b);
	fx_fini(&f);
}

/* ChainID(L0) = DiffID(L0); ChainID(L1) = sha256("<chain0> <diff1>"), computed
 * here with OpenSSL directly, not with bl_digest_*. */
static void test_graph_chain_id_matches_independent_sha256(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	struct bl_build *b = load_dir(&f);
	struct bl_node *m = fx_child(fx_child(fx_child(b->root, 0), 0), 0);
	struct bl_node *l1 = fx_child(m, 1), *l2 = fx_child(m, 2);
	assert_true(l1->layer->has_chain_id);
	assert_string_equal(l1->layer->chain_id.str, im.diff1.str);

	char in[300];
	snprintf(in, sizeof in, "%s %s", im.diff1.str, im.diff2.str);
	unsigned char md[32];
	unsigned int mdlen = 0;
	assert_int_equal(EVP_Digest(in, strlen(in), md, &mdlen, EVP_sha256(), NULL), 1);
	char want[80] = "sha256:";
	for (unsigned i = 0; i < mdlen; i++)
		snprintf(want + 7 + 2 * i, 3, "%02x", md[i]);
	assert_true(l2->layer->has_chain_id);
	assert_string_equal(l2->layer->chain_id.str, want);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_graph_missing_blob_is_status_and_rest_loads(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	const char *l = "some layer";
	struct bl_digest ld, cd, md;
	fx_blob(&f, l, &ld);
	/* the config is referenced but never written */
	const char *config = "{\"os\":\"linux\",\"architecture\":\"amd64\",\"rootfs\":{\"type\":"
	                     "\"layers\",\"diff_ids\":[]}}";
	bl_digest_compute(BL_DIGEST_SHA256, config, strlen(config), &cd);
	struct bl_digest absent;
	bl_digest_compute(BL_DIGEST_SHA256, "absent layer", 12, &absent);
	char *c = fx_desc("application/vnd.oci.image.config.v1+json", &cd, config, NULL);
	char *l1 = fx_desc("application/vnd.oci.image.layer.v1.tar", &ld, l, NULL);
	char *l2 = fx_desc("application/vnd.oci.image.layer.v1.tar", &absent, "absent layer", NULL);
	char *m = bl_asprintf("{\"schemaVersion\":2,\"mediaType\":\"application/"
	                      "vnd.oci.image.manifest.v1+json\",\"config\":%s,\"layers\":[%s,%s]}",
	        c, l1, l2);
	fx_blob(&f, m, &md);
	char *e = fx_desc("application/vnd.oci.image.manifest.v1+json", &md, m, NULL);
	char *ij = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", e);
	fx_index(&f, ij);
	struct bl_build *b = load_dir(&f);
	struct bl_node *man = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(man->kind, BL_NODE_MANIFEST);
	assert_int_equal(man->status, BL_STATUS_OK);
	struct bl_node *cfg = fx_child(man, 0);
	assert_int_equal(cfg->status, BL_STATUS_MISSING);
	assert_non_null(cfg->status_msg);
	assert_non_null(strstr(cfg->status_msg, bl_digest_hex(&cd)));
	assert_int_equal(fx_child(man, 1)->status, BL_STATUS_OK);
	assert_int_equal(fx_child(man, 2)->status, BL_STATUS_MISSING);
	assert_int_equal(fx_child(man, 2)->layer->blob, BL_BLOB_MISSING);
	/* no config: no diff_id, and loading did not fail */
	assert_false(fx_child(man, 1)->layer->has_diff_id);
	free(c);
	free(l1);
	free(l2);
	free(m);
	free(e);
	free(ij);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_graph_mismatching_blob_is_mismatch_status(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	const char *m = "{\"schemaVersion\":2,\"mediaType\":\"application/"
	                "vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/"
	                "vnd.oci.empty.v1+json\",\"digest\":\"sha256:"
	                "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\","
	                "\"size\":2},\"layers\":[]}";
	struct bl_digest md;
	bl_digest_compute(BL_DIGEST_SHA256, m, strlen(m), &md);
	/* same length, other bytes, under the manifest's name */
	char *other = bl_strdup(m);
	other[strlen(other) - 3] = ' ';
	fx_blob_as(&f, &md, other);
	char *e = fx_desc("application/vnd.oci.image.manifest.v1+json", &md, m, NULL);
	char *ij = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", e);
	fx_index(&f, ij);
	struct bl_build *b = load_dir(&f);
	struct bl_node *man = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(man->status, BL_STATUS_MISMATCH);
	assert_non_null(man->status_msg);
	assert_null(man->doc);
	free(other);
	free(e);
	free(ij);
	bl_build_free(b);
	fx_fini(&f);
}

/* An index listing its own subject (regclient's "loop" shape). */
static void test_graph_index_listing_its_subject_is_loop(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	const char *child = "{\"schemaVersion\":2,\"mediaType\":\"application/"
	                    "vnd.oci.image.manifest.v1+json\",\"artifactType\":\"application/"
	                    "example\",\"config\":{\"mediaType\":\"application/"
	                    "vnd.oci.empty.v1+json\",\"digest\":\"sha256:"
	                    "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\","
	                    "\"size\":2},\"layers\":[]}";
	struct bl_digest cd, id;
	fx_blob(&f, child, &cd);
	fx_blob(&f, "{}", &id); /* the empty config blob */
	char *d = fx_desc("application/vnd.oci.image.manifest.v1+json", &cd, child, NULL);
	char *idx = bl_asprintf("{\"schemaVersion\":2,\"mediaType\":\"application/"
	                        "vnd.oci.image.index.v1+json\",\"manifests\":[%s],\"subject\":%s}",
	        d, d);
	fx_blob(&f, idx, &id);
	char *e = fx_desc("application/vnd.oci.image.index.v1+json", &id, idx, NULL);
	char *ij = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", e);
	fx_index(&f, ij);
	struct bl_build *b = load_dir(&f);
	struct bl_node *in = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(in->kind, BL_NODE_INDEX);
	assert_int_equal(in->status, BL_STATUS_LOOP);
	assert_non_null(strstr(in->status_msg, "refers to itself"));
	/* still walked */
	assert_int_equal(fx_child(in, 0)->kind, BL_NODE_MANIFEST);
	assert_non_null(in->note);
	free(d);
	free(idx);
	free(e);
	free(ij);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_graph_unknown_media_type_is_blob_not_refused(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct bl_digest xd;
	fx_blob(&f, "<xml/>", &xd);
	char *e = fx_desc("application/xml", &xd, "<xml/>", NULL);
	char *ij = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", e);
	fx_index(&f, ij);
	struct bl_build *b = load_dir(&f);
	struct bl_node *n = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(n->kind, BL_NODE_BLOB);
	assert_int_equal(n->status, BL_STATUS_OK);
	assert_null(n->doc);
	free(e);
	free(ij);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_graph_generic_descriptor_type_sniffed_from_document(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	/* refer to the amd64 manifest with the generic descriptor media type */
	char path[512];
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", f.dir, bl_digest_hex(&im.m_amd64));
	FILE *fp = fopen(path, "rb");
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = 0;
	char *e = fx_desc("application/vnd.oci.descriptor.v1+json", &im.m_amd64, buf, NULL);
	char *ij = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", e);
	fx_index(&f, ij);
	struct bl_build *b = load_dir(&f);
	struct bl_node *m = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(m->kind, BL_NODE_MANIFEST);
	assert_int_equal(bl_node_count(m), 3);
	free(e);
	free(ij);
	bl_build_free(b);
	fx_fini(&f);
}

static void test_graph_single_manifest_file_loads_without_store(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct fx_image im;
	fx_make_image(&f, &im, NULL);
	char src[512], path[512];
	snprintf(src, sizeof src, "%s/blobs/sha256/%s", f.dir, bl_digest_hex(&im.m_amd64));
	FILE *fp = fopen(src, "rb");
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = 0;
	fx_file(&f, "manifest.json", buf, path, sizeof path);
	const char *args[] = {path};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	struct bl_node *m = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(m->kind, BL_NODE_MANIFEST);
	/* the file's digest is the sha256 of its bytes */
	assert_string_equal(m->desc.digest.str, im.m_amd64.str);
	assert_int_equal(fx_child(m, 0)->status, BL_STATUS_UNRESOLVED);
	assert_int_equal(fx_child(m, 1)->status, BL_STATUS_UNRESOLVED);
	bl_build_free(b);

	/* with the layout given too, the blobs resolve */
	const char *args2[] = {path, f.dir};
	assert_true(fx_load(args2, 2, &b, &e));
	m = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(fx_child(m, 0)->status, BL_STATUS_OK);
	assert_int_equal(fx_child(m, 0)->kind, BL_NODE_CONFIG);
	assert_true(fx_child(m, 2)->layer->has_chain_id);
	bl_build_free(b);
	fx_fini(&f);
}

/* A bare descriptor whose media type is a manifest's ({mediaType, digest,
 * size}, the image-spec's descriptor schema cases) is no manifest: the node
 * is an error naming what is missing, with no children, on its own and as
 * a blob an index points at. */
static void test_graph_descriptor_fed_as_manifest_is_invalid(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	const char *mt = "application/vnd.oci.image.manifest.v1+json";
	struct bl_digest any;
	bl_digest_compute(BL_DIGEST_SHA256, "x", 1, &any);
	char *bare =
	        bl_asprintf("{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":1}", mt, any.str);
	char path[512];
	fx_file(&f, "desc.json", bare, path, sizeof path);
	const char *args[] = {path};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_true(fx_load(args, 1, &b, &e));
	struct bl_node *m = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(m->kind, BL_NODE_MANIFEST);
	assert_int_equal(m->status, BL_STATUS_ERROR);
	assert_int_equal(m->cause, BL_E_FORMAT);
	assert_non_null(strstr(m->status_msg, "config"));
	assert_non_null(strstr(m->status_msg, "layers"));
	assert_non_null(strstr(m->status_msg, "descriptor"));
	assert_int_equal(bl_node_count(m), 0);
	bl_build_free(b);

	/* the same bytes as a blob of a layout, listed as a manifest */
	struct bl_digest bd;
	fx_blob(&f, bare, &bd);
	char *d = fx_desc(mt, &bd, bare, NULL);
	char *ij = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", d);
	fx_index(&f, ij);
	b = load_dir(&f);
	m = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(m->status, BL_STATUS_ERROR);
	assert_non_null(strstr(m->status_msg, "not a valid manifest"));
	assert_int_equal(bl_node_count(m), 0);
	bl_build_free(b);

	/* a manifest with layers but no config names only the config */
	const char *half = "{\"schemaVersion\":2,\"mediaType\":\"application/"
	                   "vnd.oci.image.manifest.v1+json\",\"layers\":[]}";
	fx_file(&f, "half.json", half, path, sizeof path);
	assert_true(fx_load(args, 1, &b, &e));
	m = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(m->status, BL_STATUS_ERROR);
	assert_string_equal(m->status_msg, "not a valid manifest: no config");
	bl_build_free(b);
	free(d);
	free(ij);
	free(bare);
	fx_fini(&f);
}

static void test_graph_json_that_is_no_known_document_fails_clearly(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	char path[512];
	fx_file(&f, "x.json", "[1,2,3]", path, sizeof path);
	const char *args[] = {path};
	struct bl_build *b = NULL;
	struct bl_error e;
	assert_false(fx_load(args, 1, &b, &e));
	assert_int_equal(e.code, BL_E_FORMAT);
	assert_non_null(strstr(e.msg, "x.json"));
	assert_null(b);
	fx_fini(&f);
}

/* ---- corpus ---- */

static void test_graph_corpus_multiplatform_has_two_platforms_two_attestations(void **state)
{
	(void)state;
	static const char *const paths[] = {
	        "actions-toolkit/oci-layout/hello-oci-multiplatform-gzip",
	        "actions-toolkit/oci-archive/hello-oci-multiplatform-gzip.tar",
	};
	if (!fx_corpus())
		skip();
	for (size_t i = 0; i < 2; i++) {
		char *p = fx_corpus_path(paths[i]);
		const char *args[] = {p};
		struct bl_build *b = NULL;
		struct bl_error e;
		if (!fx_load(args, 1, &b, &e))
			fail_msg("%s: %s", p, e.msg);
		assert_int_equal(fx_count_kind(b->root, BL_NODE_MANIFEST), 2);
		assert_int_equal(fx_count_kind(b->root, BL_NODE_ATTESTATION), 2);
		assert_int_equal(fx_count_kind(b->root, BL_NODE_STATEMENT), 2);
		struct bl_node *st = fx_find_kind(b->root, BL_NODE_STATEMENT);
		assert_non_null(st->doc);
		assert_string_equal(st->predicate_type, "https://slsa.dev/provenance/v0.2");
		struct bl_vec facts;
		bl_vec_init(&facts, bl_fact_free);
		bl_node_facts(st, &facts);
		bool builder = false, material = false;
		for (size_t j = 0; j < facts.len; j++) {
			struct bl_fact *fa = bl_vec_get(&facts, j);
			builder |= strcmp(fa->key, "build_type") == 0;
			material |= strcmp(fa->key, "material") == 0;
		}
		assert_true(builder);
		assert_true(material);
		bl_vec_fini(&facts);
		struct bl_node *att = fx_find_kind(b->root, BL_NODE_ATTESTATION);
		assert_non_null(strstr(att->label, "attestation for linux/"));
		assert_int_equal(fx_count_status(b->root, BL_STATUS_MISSING), 0);
		assert_int_equal(fx_count_status(b->root, BL_STATUS_ERROR), 0);
		bl_build_free(b);
		free(p);
	}
}

static void test_graph_corpus_regclient_loop_detected(void **state)
{
	(void)state;
	if (!fx_corpus())
		skip();
	char *p = fx_corpus_path("regclient/testrepo");
	const char *args[] = {p};
	struct bl_build *b = NULL;
	struct bl_error e;
	if (!fx_load(args, 1, &b, &e))
		fail_msg("%s: %s", p, e.msg);
	assert_true(fx_count_status(b->root, BL_STATUS_LOOP) >= 1);
	assert_int_equal(fx_count_status(b->root, BL_STATUS_MISSING), 0);
	bl_build_free(b);
	free(p);
}

static void test_graph_corpus_every_layout_and_tar_loads(void **state)
{
	(void)state;
	static const struct {
		const char *path;
		bool ok; /* false: SOURCES.md says the input is invalid */
	} items[] = {
	        {"actions-toolkit/oci-archive/hello-oci-gzip.tar", true},
	        {"actions-toolkit/oci-archive/hello-oci-uncompressed.tar", true},
	        {"actions-toolkit/oci-archive/hello-oci-zstd.tar", true},
	        {"actions-toolkit/dockerbuild/test-docker-action-COIO50.dockerbuild", true},
	        {"actions-toolkit/dockerbuild/test-docker-action-SNHBPN-3.dockerbuild", true},
	        {"oras-go/hello-world.tar", true},
	        {"oras-go/hello-world-prefixed-path.tar", true},
	        {"go-containerregistry/tarball/test_bundle.tar", true},
	        {"go-containerregistry/tarball/hello-world-v25.tar", true},
	        {"go-containerregistry/tarball/test_link.tar", true},
	        {"go-containerregistry/tarball/test_image_1.tar", true},
	        {"go-containerregistry/tarball/no_manifest.tar", false},
	        {"go-containerregistry/tarball/null_manifest.tar", false},
	        {"go-containerregistry/mutate/source_image_with_empty_layer_history.tar", true},
	        {"go-containerregistry/mutate/whiteout_image.tar", true},
	        {"go-containerregistry/layout/test_gc_image_unknown_mediatype", true},
	        {"go-containerregistry/layout/test_index_media_type", true},
	        {"go-containerregistry/layout/test_index_one_image", true},
	        {"go-containerregistry/layout/test_gc_index", true},
	        {"go-containerregistry/layout/test_index", true},
	        {"containers-image/oci-layout/delete_image_multiple_images", true},
	        {"containers-image/oci-layout/delete_image_two_identical_references", true},
	        {"containers-image/docker-archive/almostempty.tar", true},
	        {"containers-skopeo/docker-two-images.tar.xz", true},
	        {"regclient/testrepo", true},
	        {"regclient/external", true},
	        {"stereoscope/oci/multiplatform_oci_dir", true},
	        {"stereoscope/oci/valid_oci_dir", true},
	        {"stereoscope/oci/valid-oci.tar", true},
	        {"dive/test-oci-gzip-image.tar", true},
	        {"dive/test-oci-zstd-image.tar", true},
	        {"dive/test-docker-image.tar", true},
	        {"dive/test-kaniko-image.tar", true},
	};
	if (!fx_corpus())
		skip();
	for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
		char *p = fx_corpus_path(items[i].path);
		struct stat sb;
		if (stat(p, &sb) != 0) {
			free(p);
			continue;
		}
		const char *args[] = {p};
		struct bl_build *b = NULL;
		struct bl_error e;
		bool ok = fx_load(args, 1, &b, &e);
		if (items[i].ok && !ok)
			fail_msg("%s: %s", items[i].path, e.msg);
		if (!items[i].ok) {
			if (ok)
				fail_msg("%s: loaded, expected an error", items[i].path);
			assert_true(strlen(e.msg) > 0);
		}
		if (ok) {
			assert_true(bl_node_count(b->root) >= 1);
			/* every node prints and gives facts */
			struct bl_tree t;
			bl_tree_init(&t, b->root, 100);
			struct bl_buf line;
			bl_buf_init(&line);
			for (size_t r = 0; r < t.len; r++) {
				bl_tree_row_text(&t.rows[r], &line);
				struct bl_vec facts;
				bl_vec_init(&facts, bl_fact_free);
				bl_node_facts(t.rows[r].node, &facts);
				assert_true(facts.len > 0);
				bl_vec_fini(&facts);
			}
			bl_buf_fini(&line);
			bl_tree_fini(&t);
			bl_build_free(b);
		}
		free(p);
	}
}

static void test_graph_corpus_sparse_index_shows_missing_platforms(void **state)
{
	(void)state;
	if (!fx_corpus())
		skip();
	char *p = fx_corpus_path("oras-go/hello-world.tar");
	const char *args[] = {p};
	struct bl_build *b = NULL;
	struct bl_error e;
	if (!fx_load(args, 1, &b, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(fx_count_status(b->root, BL_STATUS_MISSING), 10);
	bl_build_free(b);
	free(p);
}

/* 20000 layers and a history of 200000 empty_layer entries before the real
 * ones: pairing scanned the history from the start for every layer
 * (4e9 steps); it is one pass now. */
static void test_graph_history_pairing_is_linear(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	enum { NL = 20000, NE = 200000 };
	struct bl_buf cfg, man;
	bl_buf_init(&cfg);
	bl_buf_init(&man);
	bl_buf_puts(&cfg, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
	                  "\"layers\",\"diff_ids\":[");
	for (int i = 0; i < NL; i++)
		bl_buf_printf(&cfg, "%s\"sha256:%064x\"", i ? "," : "", i);
	bl_buf_puts(&cfg, "]},\"history\":[");
	for (int i = 0; i < NE; i++)
		bl_buf_puts(&cfg, "{\"empty_layer\":true},");
	for (int i = 0; i < NL; i++)
		bl_buf_printf(&cfg, "%s{\"created_by\":\"x%d\"}", i ? "," : "", i);
	bl_buf_puts(&cfg, "]}");
	struct bl_digest cd, md;
	fx_blob(&f, cfg.data, &cd);
	bl_buf_printf(&man,
	        "{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":\"%s\","
	        "\"digest\":\"%s\",\"size\":%zu},\"layers\":[",
	        BL_MT_OCI_MANIFEST, BL_MT_OCI_CONFIG, cd.str, cfg.len);
	for (int i = 0; i < NL; i++)
		bl_buf_printf(&man,
		        "%s{\"mediaType\":\"%s\",\"digest\":\"sha256:%064x\",\"size\":1}",
		        i ? "," : "", "application/vnd.oci.image.layer.v1.tar", i);
	bl_buf_puts(&man, "]}");
	fx_blob(&f, man.data, &md);
	char *d = fx_desc(BL_MT_OCI_MANIFEST, &md, man.data, NULL);
	char *idx = bl_asprintf("{\"schemaVersion\":2,\"manifests\":[%s]}", d);
	fx_index(&f, idx);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct bl_build *b = load_dir(&f);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (sec > 30)
		fail_msg("loading took %.1f s", sec);
	struct bl_node *m = fx_child(fx_child(b->root, 0), 0);
	assert_int_equal(m->kind, BL_NODE_MANIFEST);
	assert_int_equal(bl_node_count(m), NL + 1);
	struct bl_node *last = fx_child(m, NL);
	assert_non_null(last->layer);
	assert_string_equal(last->layer->created_by, "x19999");
	assert_string_equal(fx_child(m, 1)->layer->created_by, "x0");
	bl_build_free(b);
	free(idx);
	free(d);
	bl_buf_fini(&cfg);
	bl_buf_fini(&man);
	fx_fini(&f);
}

/* An index.json entry that is no valid descriptor (size not an integer):
 * its node says why, not "descriptor has no valid digest". */
static void test_graph_invalid_root_descriptor_says_why(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	fx_index(&f, "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/"
	             "vnd.oci.image.manifest.v1+json\","
	             "\"digest\":\"sha256:"
	             "0000000000000000000000000000000000000000000000000000000000000000\",\"size\":"
	             "1e300}]}");
	struct bl_build *b = load_dir(&f);
	struct bl_node *n = fx_child(fx_child(b->root, 0), 0);
	assert_non_null(n);
	assert_int_equal(n->status, BL_STATUS_ERROR);
	if (!n->status_msg || !strstr(n->status_msg, "manifests[0]: size: expected an integer"))
		fail_msg("%s", n->status_msg ? n->status_msg : "(null)");
	bl_build_free(b);
	fx_fini(&f);
}

/* An index listing one manifest 2000 times, its config 2 MiB: every copy
 * was read, hashed and parsed again (a 4 MiB index could so make the load
 * read 40 GB and hold them). Each distinct document is read once now and
 * shared; a copy whose descriptor has another size is still a mismatch. */
static void test_graph_repeated_documents_are_read_once(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct bl_buf cfg;
	bl_buf_init(&cfg);
	bl_buf_puts(&cfg, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
	                  "\"layers\",\"diff_ids\":[]},\"config\":{\"Labels\":{\"pad\":\"");
	for (int i = 0; i < (2 << 20) / 64; i++)
		bl_buf_puts(
		        &cfg, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	bl_buf_puts(&cfg, "\"}}}");
	struct bl_digest cd, md;
	fx_blob(&f, cfg.data, &cd);
	char *man =
	        bl_asprintf("{\"schemaVersion\":2,\"mediaType\":\"%s\",\"config\":{\"mediaType\":"
	                    "\"%s\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[]}",
	                BL_MT_OCI_MANIFEST, BL_MT_OCI_CONFIG, cd.str, cfg.len);
	fx_blob(&f, man, &md);
	char *d = fx_desc(BL_MT_OCI_MANIFEST, &md, man, NULL);
	struct bl_buf idx;
	bl_buf_init(&idx);
	bl_buf_puts(&idx, "{\"schemaVersion\":2,\"manifests\":[");
	enum { N = 2000 };
	for (int i = 0; i < N; i++)
		bl_buf_printf(&idx, "%s%s", i ? "," : "", d);
	bl_buf_printf(&idx, ",{\"mediaType\":\"%s\",\"digest\":\"%s\",\"size\":%zu}]}",
	        BL_MT_OCI_MANIFEST, md.str, strlen(man) + 1);
	fx_index(&f, idx.data);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct bl_build *b = load_dir(&f);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double sec = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (sec > 30)
		fail_msg("loading took %.1f s", sec);
	assert_int_equal(bl_node_count(b->root), N + 1);
	struct bl_node *c0 = fx_child(fx_child(fx_child(b->root, 0), 0), 0);
	struct bl_node *cn = fx_child(fx_child(fx_child(b->root, N - 1), 0), 0);
	assert_int_equal(c0->kind, BL_NODE_CONFIG);
	assert_int_equal(cn->status, BL_STATUS_OK);
	assert_non_null(c0->doc);
	assert_ptr_equal(c0->doc, cn->doc);
	struct bl_node *bad = fx_child(fx_child(b->root, N), 0);
	assert_int_equal(bad->status, BL_STATUS_MISMATCH);
	if (!strstr(bad->status_msg, "descriptor says"))
		fail_msg("%s", bad->status_msg);
	bl_build_free(b);
	bl_buf_fini(&idx);
	free(d);
	free(man);
	bl_buf_fini(&cfg);
	fx_fini(&f);
}

/* "A+B" on a compare side: the sources to load together; a path with '+'
 * in its name that exists stays whole. */
static void test_graph_split_side_joins_sources_with_plus(void **state)
{
	(void)state;
	struct fx f;
	fx_init(&f);
	struct bl_vec parts;
	bl_vec_init(&parts, free);
	bl_build_split_side("out.json+layout", &parts);
	assert_int_equal(parts.len, 2);
	assert_string_equal(bl_vec_get(&parts, 0), "out.json");
	assert_string_equal(bl_vec_get(&parts, 1), "layout");
	bl_vec_fini(&parts);

	bl_vec_init(&parts, free);
	bl_build_split_side("+a++b+", &parts); /* empty pieces dropped */
	assert_int_equal(parts.len, 2);
	assert_string_equal(bl_vec_get(&parts, 0), "a");
	assert_string_equal(bl_vec_get(&parts, 1), "b");
	bl_vec_fini(&parts);

	bl_vec_init(&parts, free);
	bl_build_split_side("+", &parts);
	assert_int_equal(parts.len, 0);
	bl_build_split_side("docker://alpine:3", &parts);
	assert_int_equal(parts.len, 1);
	assert_string_equal(bl_vec_get(&parts, 0), "docker://alpine:3");
	bl_vec_fini(&parts);

	char path[512];
	fx_file(&f, "c++.tar", "x", path, sizeof path);
	bl_vec_init(&parts, free);
	bl_build_split_side(path, &parts);
	assert_int_equal(parts.len, 1);
	assert_string_equal(bl_vec_get(&parts, 0), path);
	bl_vec_fini(&parts);
	fx_fini(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_graph_nested_index_with_platforms_and_attestation),
	        cmocka_unit_test(test_graph_history_pairs_with_layers_skipping_empty_layer),
	        cmocka_unit_test(test_graph_chain_id_matches_independent_sha256),
	        cmocka_unit_test(test_graph_missing_blob_is_status_and_rest_loads),
	        cmocka_unit_test(test_graph_mismatching_blob_is_mismatch_status),
	        cmocka_unit_test(test_graph_index_listing_its_subject_is_loop),
	        cmocka_unit_test(test_graph_unknown_media_type_is_blob_not_refused),
	        cmocka_unit_test(test_graph_generic_descriptor_type_sniffed_from_document),
	        cmocka_unit_test(test_graph_single_manifest_file_loads_without_store),
	        cmocka_unit_test(test_graph_json_that_is_no_known_document_fails_clearly),
	        cmocka_unit_test(test_graph_descriptor_fed_as_manifest_is_invalid),
	        cmocka_unit_test(
	                test_graph_corpus_multiplatform_has_two_platforms_two_attestations),
	        cmocka_unit_test(test_graph_corpus_regclient_loop_detected),
	        cmocka_unit_test(test_graph_corpus_every_layout_and_tar_loads),
	        cmocka_unit_test(test_graph_corpus_sparse_index_shows_missing_platforms),
	        cmocka_unit_test(test_graph_history_pairing_is_linear),
	        cmocka_unit_test(test_graph_invalid_root_descriptor_says_why),
	        cmocka_unit_test(test_graph_repeated_documents_are_read_once),
	        cmocka_unit_test(test_graph_split_side_joins_sources_with_plus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
