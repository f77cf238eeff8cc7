/* Copy texts: each menu entry's value for the nodes of a real OCI layout
 * (model_fixture.h), checked against the fixture's own data: the digests its
 * blobs were written under, the JSON of the blob files, a ChainID computed
 * here with OpenSSL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "bakelens/copytext.h"
#include "model_fixture.h"

struct cfx {
	struct fx f;
	struct fx_image im;
	struct bl_build *b;
	struct bl_node *target, *index, *amd64, *config, *layer1, *layer2;
};

static int setup(void **state)
{
	struct cfx *c = bl_calloc(1, sizeof *c);
	fx_init(&c->f);
	fx_make_image(&c->f, &c->im, NULL);
	const char *args[] = {c->f.dir};
	struct bl_error e;
	if (!fx_load(args, 1, &c->b, &e))
		return -1;
	/* build > target "latest" > index > linux/amd64 > config, layer 1/2, 2/2 */
	c->target = fx_child(c->b->root, 0);
	c->index = fx_child(c->target, 0);
	c->amd64 = fx_child(c->index, 0);
	c->config = fx_child(c->amd64, 0);
	c->layer1 = fx_child(c->amd64, 1);
	c->layer2 = fx_child(c->amd64, 2);
	*state = c;
	return 0;
}

static int teardown(void **state)
{
	struct cfx *c = *state;
	bl_build_free(c->b);
	fx_fini(&c->f);
	free(c);
	return 0;
}

/* The copy text of `key` for `n`, asserting what it is called. */
static char *copy(const struct bl_node *n, char key, const char *want_what)
{
	const char *what = NULL;
	char *t = bl_copytext_make(n, key, &what);
	assert_non_null(what);
	assert_string_equal(what, want_what);
	return t;
}

static void assert_copy(const struct bl_node *n, char key, const char *want_what, const char *want)
{
	char *t = copy(n, key, want_what);
	assert_non_null(t);
	assert_string_equal(t, want);
	free(t);
}

/* The JSON of the blob named `d` in the fixture's layout, parsed. */
static json_t *blob_json(struct cfx *c, const struct bl_digest *d)
{
	char *p = bl_asprintf("%s/blobs/sha256/%s", c->f.dir, bl_digest_hex(d));
	json_t *j = json_load_file(p, 0, NULL);
	assert_non_null(j);
	free(p);
	return j;
}

static void test_menu_lists_seven_entries_with_labels(void **state)
{
	(void)state;
	char keys[BL_COPYTEXT_COUNT + 1] = "";
	for (size_t i = 0; i < BL_COPYTEXT_COUNT; i++)
		keys[i] = bl_copytext_menu[i].key;
	assert_string_equal(keys, "drsicjk");
	assert_string_equal(bl_copytext_label('d'), "digest");
	assert_string_equal(bl_copytext_label('r'), "name@digest");
	assert_string_equal(bl_copytext_label('c'), "ChainID");
	assert_string_equal(bl_copytext_label('j'), "node JSON");
	assert_string_equal(bl_copytext_label('k'), "check commands");
	assert_string_equal(bl_copytext_label('x'), "");
}

static void test_digest_and_short_digest_are_the_blobs_names(void **state)
{
	struct cfx *c = *state;
	assert_copy(c->amd64, 'd', "digest", c->im.m_amd64.str);
	assert_copy(c->config, 'd', "digest", c->im.config.str);
	assert_copy(c->layer2, 'd', "digest", c->im.layer2.str);
	/* "sha256:" and the first 12 hex digits */
	char want[32];
	snprintf(want, sizeof want, "sha256:%.12s", c->im.layer2.str + strlen("sha256:"));
	assert_copy(c->layer2, 's', "short digest", want);
	assert_int_equal(strlen(want), 19);
}

/* The target (an index.json entry's tag, no descriptor of its own) copies
 * its index's digest. */
static void test_target_copies_its_root_documents_digest(void **state)
{
	struct cfx *c = *state;
	assert_false(c->target->has_desc);
	assert_copy(c->target, 'd', "digest", c->im.index.str);
	char want[256];
	snprintf(want, sizeof want, "latest@%s", c->im.index.str);
	assert_copy(c->target, 'r', "name@digest", want);
}

/* name@digest: the nearest name above, tag dropped, at the node's digest. */
static void test_reference_uses_the_nearest_names_repository(void **state)
{
	struct cfx *c = *state;
	char want[256];
	snprintf(want, sizeof want, "latest@%s", c->im.m_amd64.str);
	assert_copy(c->amd64, 'r', "name@digest", want);
	char *saved = c->target->name;
	c->target->name = (char *)"ghcr.io/o/web:1,ghcr.io/o/web:latest";
	snprintf(want, sizeof want, "ghcr.io/o/web@%s", c->im.m_amd64.str);
	assert_copy(c->amd64, 'r', "name@digest", want);
	/* a registry port is not a tag */
	c->target->name = (char *)"localhost:5000/o/r:tag";
	snprintf(want, sizeof want, "localhost:5000/o/r@%s", c->im.layer1.str);
	assert_copy(c->layer1, 'r', "name@digest", want);
	c->target->name = (char *)"localhost:5000/o/r";
	assert_copy(c->layer1, 'r', "name@digest", want);
	/* a name already pinned: its digest is replaced by the node's */
	c->target->name = (char *)"ghcr.io/o/web@sha256:0000";
	snprintf(want, sizeof want, "ghcr.io/o/web@%s", c->im.config.str);
	assert_copy(c->config, 'r', "name@digest", want);
	c->target->name = saved;
}

/* A name that is not a reference would run a command when pasted. */
static void test_a_hostile_name_gives_no_reference(void **state)
{
	struct cfx *c = *state;
	char *saved = c->target->name;
	c->target->name = (char *)"ghcr.io/o/web:1\nrm -rf ~\n";
	assert_null(copy(c->amd64, 'r', "name@digest"));
	assert_null(copy(c->target, 'r', "name@digest"));
	c->target->name = (char *)"ghcr.io/o/web:\x1b]0;t\a";
	assert_null(copy(c->amd64, 'r', "name@digest"));
	c->target->name = (char *)"ghcr.io/o/w\xc3\xa9"
	                          "b:1";
	assert_null(copy(c->amd64, 'r', "name@digest"));
	/* the digest itself is still there */
	assert_copy(c->amd64, 'd', "digest", c->im.m_amd64.str);
	c->target->name = saved;
}

/* diff_id from the config's rootfs; ChainID(L0) = diff_id(L0),
 * ChainID(L1) = sha256("<ChainID(L0)> <diff_id(L1)>") computed here. */
static void test_layers_copy_diff_id_and_chain_id(void **state)
{
	struct cfx *c = *state;
	assert_copy(c->layer1, 'i', "diff_id", c->im.diff1.str);
	assert_copy(c->layer2, 'i', "diff_id", c->im.diff2.str);
	assert_copy(c->layer1, 'c', "ChainID", c->im.diff1.str);
	/* hashed in three updates, as the definition reads */
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	EVP_DigestUpdate(ctx, c->im.diff1.str, strlen(c->im.diff1.str));
	EVP_DigestUpdate(ctx, " ", 1);
	EVP_DigestUpdate(ctx, c->im.diff2.str, strlen(c->im.diff2.str));
	assert_int_equal(EVP_DigestFinal_ex(ctx, md, &mdlen), 1);
	EVP_MD_CTX_free(ctx);
	assert_int_equal(mdlen, 32);
	static const char hexdig[] = "0123456789abcdef";
	char want[80] = "sha256:";
	for (unsigned i = 0; i < mdlen; i++) {
		want[7 + 2 * i] = hexdig[md[i] >> 4];
		want[8 + 2 * i] = hexdig[md[i] & 15];
	}
	want[7 + 2 * mdlen] = '\0';
	assert_copy(c->layer2, 'c', "ChainID", want);
	/* not a layer: no such values */
	assert_null(copy(c->config, 'i', "diff_id"));
	assert_null(copy(c->amd64, 'c', "ChainID"));
}

/* JSON: the document when the node has one (the blob file), else the
 * descriptor that refers to it (as written in the manifest). */
static void test_json_is_the_document_else_the_descriptor(void **state)
{
	struct cfx *c = *state;
	char *t = copy(c->amd64, 'j', "JSON");
	assert_non_null(t);
	assert_true(strncmp(t, "{\n", 2) == 0);
	json_t *got = json_loads(t, 0, NULL);
	json_t *want = blob_json(c, &c->im.m_amd64);
	assert_non_null(got);
	assert_true(json_equal(got, want));
	json_decref(got);
	free(t);
	/* layer 2/2 has no document: its entry in the manifest's layers */
	t = copy(c->layer2, 'j', "JSON");
	assert_non_null(t);
	got = json_loads(t, 0, NULL);
	assert_non_null(got);
	assert_true(json_equal(got, json_array_get(json_object_get(want, "layers"), 1)));
	assert_string_equal(json_string_value(json_object_get(got, "digest")), c->im.layer2.str);
	json_decref(got);
	json_decref(want);
	free(t);
}

/* C1 and bidi controls inside JSON strings become \u escapes: the same
 * JSON, nothing a terminal would act on when the paste is echoed. */
static void test_json_escapes_c1_and_bidi_controls(void **state)
{
	struct cfx *c = *state;
	json_t *doc = json_pack("{s:s,s:s}", "label",
	        "a\xc2\x9b"
	        "31m\xe2\x80\xae"
	        "b",
	        "plain", "caf\xc3\xa9");
	json_t *saved = c->config->doc;
	c->config->doc = doc;
	char *t = copy(c->config, 'j', "JSON");
	c->config->doc = saved;
	assert_non_null(t);
	assert_null(strstr(t, "\xc2\x9b"));
	assert_null(strstr(t, "\xe2\x80\xae"));
	assert_non_null(strstr(t, "\\u009b"));
	assert_non_null(strstr(t, "\\u202e"));
	/* printable UTF-8 is kept as it is */
	assert_non_null(strstr(t, "caf\xc3\xa9"));
	json_t *back = json_loads(t, 0, NULL);
	assert_non_null(back);
	assert_true(json_equal(back, doc));
	json_decref(back);
	json_decref(doc);
	free(t);
}

static void test_nothing_for_no_node_or_an_unknown_key(void **state)
{
	struct cfx *c = *state;
	const char *what = "unchanged";
	assert_null(bl_copytext_make(NULL, 'd', &what));
	assert_string_equal(what, "unchanged");
	assert_null(bl_copytext_make(c->amd64, 'x', &what));
	assert_string_equal(what, "unchanged");
	/* the build root has no descriptor */
	assert_null(copy(c->b->root, 'd', "digest"));
	assert_null(copy(c->b->root, 's', "short digest"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_menu_lists_seven_entries_with_labels),
	        cmocka_unit_test_setup_teardown(
	                test_digest_and_short_digest_are_the_blobs_names, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_target_copies_its_root_documents_digest, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_reference_uses_the_nearest_names_repository, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_a_hostile_name_gives_no_reference, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_layers_copy_diff_id_and_chain_id, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_json_is_the_document_else_the_descriptor, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_json_escapes_c1_and_bidi_controls, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_nothing_for_no_node_or_an_unknown_key, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
