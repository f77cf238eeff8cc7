#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "bakelens/mediatype.h"

struct mt_case {
	const char *name;
	bool known;
	enum bl_media_kind kind;
	enum bl_compression comp;
	bool docker;
	bool nondist;
};

static const struct mt_case cases[] = {
        {BL_MT_OCI_INDEX, true, BL_MEDIA_INDEX, BL_COMP_NONE, false, false},
        {BL_MT_OCI_MANIFEST, true, BL_MEDIA_MANIFEST, BL_COMP_NONE, false, false},
        {BL_MT_OCI_CONFIG, true, BL_MEDIA_CONFIG, BL_COMP_NONE, false, false},
        {"application/vnd.oci.image.layer.v1.tar", true, BL_MEDIA_LAYER, BL_COMP_NONE, false,
                false},
        {"application/vnd.oci.image.layer.v1.tar+gzip", true, BL_MEDIA_LAYER, BL_COMP_GZIP, false,
                false},
        {"application/vnd.oci.image.layer.v1.tar+zstd", true, BL_MEDIA_LAYER, BL_COMP_ZSTD, false,
                false},
        {"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", true, BL_MEDIA_LAYER,
                BL_COMP_GZIP, false, true},
        {"application/vnd.oci.empty.v1+json", true, BL_MEDIA_EMPTY, BL_COMP_NONE, false, false},
        {"application/vnd.oci.descriptor.v1+json", true, BL_MEDIA_DESCRIPTOR, BL_COMP_NONE, false,
                false},
        {BL_MT_INTOTO, true, BL_MEDIA_INTOTO, BL_COMP_NONE, false, false},
        {BL_MT_DOCKER_LIST, true, BL_MEDIA_INDEX, BL_COMP_NONE, true, false},
        {BL_MT_DOCKER_MANIFEST, true, BL_MEDIA_MANIFEST, BL_COMP_NONE, true, false},
        {BL_MT_DOCKER_CONFIG, true, BL_MEDIA_CONFIG, BL_COMP_NONE, true, false},
        {BL_MT_DOCKER_LAYER, true, BL_MEDIA_LAYER, BL_COMP_NONE, true, false},
        {BL_MT_DOCKER_LAYER_GZIP, true, BL_MEDIA_LAYER, BL_COMP_GZIP, true, false},
        {"application/vnd.docker.image.rootfs.diff.tar.zstd", true, BL_MEDIA_LAYER, BL_COMP_ZSTD,
                true, false},
        {"application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", true, BL_MEDIA_LAYER,
                BL_COMP_GZIP, true, true},
        {"application/vnd.docker.distribution.manifest.v1+prettyjws", true, BL_MEDIA_SCHEMA1,
                BL_COMP_NONE, true, false},
        {"application/vnd.docker.attestation.manifest.v1+json", true, BL_MEDIA_UNKNOWN,
                BL_COMP_NONE, true, false},
        {"application/vnd.buildkit.historyrecord.v0", true, BL_MEDIA_RECORD, BL_COMP_NONE, false,
                false},
        {"application/vnd.buildkit.otlp.json.v0", true, BL_MEDIA_UNKNOWN, BL_COMP_NONE, false,
                false},
        {"application/vnd.buildkit.status.v0", true, BL_MEDIA_UNKNOWN, BL_COMP_NONE, false, false},
        /* parameters are ignored */
        {"application/vnd.oci.image.manifest.v1+json; charset=utf-8", true, BL_MEDIA_MANIFEST,
                BL_COMP_NONE, false, false},
        /* not in the table: kind and compression guessed */
        {"application/vnd.oci.image.layer.v1.tar+gzip+encrypted", false, BL_MEDIA_LAYER,
                BL_COMP_UNKNOWN, false, false},
        {"application/vnd.docker.plugin.v1+json", false, BL_MEDIA_UNKNOWN, BL_COMP_NONE, false,
                false},
        {"application/vnd.cncf.helm.config.v1+json", false, BL_MEDIA_UNKNOWN, BL_COMP_NONE, false,
                false},
        {"text/plain", false, BL_MEDIA_UNKNOWN, BL_COMP_UNKNOWN, false, false},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct mt_case *c = &cases[i];
		const struct bl_mediatype *mt = bl_mediatype_find(c->name);
		if ((mt != NULL) != c->known)
			fail_msg("case %zu (%s): known %d", i, c->name, mt != NULL);
		if (bl_mediatype_kind(c->name) != c->kind)
			fail_msg("case %zu (%s): kind %s", i, c->name,
			        bl_media_kind_name(bl_mediatype_kind(c->name)));
		if (bl_mediatype_compression(c->name) != c->comp)
			fail_msg("case %zu (%s): comp %s", i, c->name,
			        bl_compression_name(bl_mediatype_compression(c->name)));
		if (mt) {
			assert_int_equal(mt->kind, c->kind);
			assert_int_equal(mt->docker, c->docker);
			assert_int_equal(mt->nondistributable, c->nondist);
			assert_non_null(mt->summary);
			assert_true(strlen(mt->summary) > 3);
		}
	}
}

static void test_null_is_unknown(void **state)
{
	(void)state;
	assert_null(bl_mediatype_find(NULL));
	assert_int_equal(bl_mediatype_kind(NULL), BL_MEDIA_UNKNOWN);
}

static void test_summaries_name_the_family(void **state)
{
	(void)state;
	assert_string_equal(bl_mediatype_find(BL_MT_OCI_MANIFEST)->summary, "OCI image manifest");
	assert_non_null(strstr(bl_mediatype_find(BL_MT_DOCKER_LIST)->summary, "Docker"));
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(bl_media_kind_name(BL_MEDIA_INDEX), "index");
	assert_string_equal(bl_media_kind_name(BL_MEDIA_MANIFEST), "manifest");
	assert_string_equal(bl_media_kind_name(BL_MEDIA_UNKNOWN), "unknown");
	assert_string_equal(bl_compression_name(BL_COMP_NONE), "none");
	assert_string_equal(bl_compression_name(BL_COMP_GZIP), "gzip");
	assert_string_equal(bl_compression_name(BL_COMP_ZSTD), "zstd");
	assert_string_equal(bl_compression_name(BL_COMP_UNKNOWN), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_table),
	        cmocka_unit_test(test_null_is_unknown),
	        cmocka_unit_test(test_summaries_name_the_family),
	        cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
