/* Teaching texts: compiled in from docs/explain, chosen by node. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <openssl/evp.h>
#include <stdio.h>

#include "bakelens/explain.h"
#include "bakelens/file.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/verify.h"
#include "example.h"

static void test_every_kind_has_a_text(void **state)
{
	(void)state;
	for (int k = BL_NODE_BUILD; k <= BL_NODE_INFO; k++) {
		struct bl_node n = {.kind = (enum bl_node_kind)k};
		struct bl_buf b;
		bl_buf_init(&b);
		bl_explain_node(&n, &b);
		if (b.len < 80)
			fail_msg("kind %d has no explanation", k);
		bl_buf_fini(&b);
	}
}

static void test_layer_explains_diff_id_and_chainid(void **state)
{
	(void)state;
	struct bl_node n = {.kind = BL_NODE_LAYER, .status = BL_STATUS_MISSING};
	struct bl_buf b;
	bl_buf_init(&b);
	bl_explain_node(&n, &b);
	assert_non_null(strstr(bl_buf_str(&b), "# Layer digest and diff_id"));
	assert_non_null(strstr(bl_buf_str(&b), "# ChainID"));
	assert_non_null(strstr(bl_buf_str(&b), "# A missing blob"));
	bl_buf_fini(&b);
}

static void test_index_with_attestations_explains_the_moving_digest(void **state)
{
	(void)state;
	struct bl_node att = {.kind = BL_NODE_ATTESTATION,
	        .predicate_type = (char *)"https://slsa.dev/provenance/v0.2"};
	struct bl_node idx = {.kind = BL_NODE_INDEX};
	bl_vec_init(&idx.children, NULL);
	bl_vec_push_take(&idx.children, &att);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_explain_node(&idx, &b);
	assert_non_null(strstr(bl_buf_str(&b), "changes on every build"));
	bl_explain_node(&att, &b);
	assert_non_null(strstr(bl_buf_str(&b), "# SLSA provenance"));
	bl_buf_fini(&b);
	bl_vec_fini(&idx.children);
}

static void test_synthesised_node_says_so(void **state)
{
	(void)state;
	struct bl_node n = {.kind = BL_NODE_MANIFEST, .synthesised = true};
	struct bl_buf b;
	bl_buf_init(&b);
	bl_explain_node(&n, &b);
	assert_non_null(strstr(bl_buf_str(&b), "docker save"));
	bl_buf_fini(&b);
	assert_null(bl_explain_topic("nosuch"));
}

/* sha256:<hex> of a file's bytes, with OpenSSL directly (not bl_digest). */
static void sha256_of(const void *data, size_t len, char out[72])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL);
	strcpy(out, "sha256:");
	for (unsigned i = 0; i < mdlen; i++)
		sprintf(out + 7 + 2 * i, "%02x", md[i]);
}

static void sha256_file(const char *path, char out[72])
{
	struct bl_buf b;
	bl_buf_init(&b);
	struct bl_error err = {0};
	assert_true(bl_file_read(path, 1 << 20, &b, &err));
	sha256_of(b.data, b.len, out);
	bl_buf_fini(&b);
}

static struct bl_build *load(const char *src)
{
	struct bl_build *b = NULL;
	struct bl_error err = {0};
	const char *args[] = {src};
	if (!bl_build_load(args, 1, NULL, &b, &err))
		fail_msg("load %s: %s", src, err.msg);
	return b;
}

/* Layer `i` (0-based) of linux/amd64 in target "latest". */
static const struct bl_node *amd64_layer(const struct bl_build *b, int i)
{
	const struct bl_node *t = bl_build_find_target(b, "latest", NULL);
	assert_non_null(t);
	const struct bl_node *m = bl_node_find_platform(t, "linux/amd64", NULL);
	assert_non_null(m);
	for (size_t k = 0; k < m->children.len; k++) {
		const struct bl_node *c = m->children.items[k];
		if (c->kind == BL_NODE_LAYER && c->layer->index == i)
			return c;
	}
	fail_msg("no layer %d", i);
	return NULL;
}

/* The values the test reads itself: the manifest's layer descriptor and the
 * config's diff_ids, from the blob files, with jansson and OpenSSL. */
struct expect {
	char digest[72], size[32], diff0[72], diff1[72], chain1[72], config_hex[65];
};

static void read_expected(const char *ex, struct expect *e)
{
	char path[9000];
	snprintf(path, sizeof path, "%s/index.json", ex);
	json_t *idx = json_load_file(path, 0, NULL);
	const char *index_digest = json_string_value(
	        json_object_get(json_array_get(json_object_get(idx, "manifests"), 0), "digest"));
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", ex, index_digest + 7);
	json_t *ii = json_load_file(path, 0, NULL);
	const char *man = NULL;
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(ii, "manifests"), i, m)
	{
		json_t *pl = json_object_get(m, "platform");
		if (!strcmp(json_string_value(json_object_get(pl, "architecture")), "amd64"))
			man = json_string_value(json_object_get(m, "digest"));
	}
	assert_non_null(man);
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", ex, man + 7);
	json_t *mj = json_load_file(path, 0, NULL);
	json_t *l1 = json_array_get(json_object_get(mj, "layers"), 1);
	snprintf(e->digest, sizeof e->digest, "%s",
	        json_string_value(json_object_get(l1, "digest")));
	snprintf(e->size, sizeof e->size, "%lld",
	        (long long)json_integer_value(json_object_get(l1, "size")));
	const char *cfg =
	        json_string_value(json_object_get(json_object_get(mj, "config"), "digest"));
	snprintf(e->config_hex, sizeof e->config_hex, "%s", cfg + 7);
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", ex, cfg + 7);
	json_t *cj = json_load_file(path, 0, NULL);
	json_t *ids = json_object_get(json_object_get(cj, "rootfs"), "diff_ids");
	snprintf(e->diff0, sizeof e->diff0, "%s", json_string_value(json_array_get(ids, 0)));
	snprintf(e->diff1, sizeof e->diff1, "%s", json_string_value(json_array_get(ids, 1)));
	char chain_in[400];
	snprintf(chain_in, sizeof chain_in, "%s %s", e->diff0, e->diff1);
	sha256_of(chain_in, strlen(chain_in), e->chain1);
	json_decref(cj);
	json_decref(mj);
	json_decref(ii);
	json_decref(idx);
}

static void test_layer_values_of_the_example(void **state)
{
	(void)state;
	const char *ex = example_out();
	if (!ex)
		skip();
	struct expect e;
	read_expected(ex, &e);
	/* The blob file hashes to the descriptor's digest (the example is sound). */
	char path[9000], got[72];
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", ex, e.digest + 7);
	sha256_file(path, got);
	assert_string_equal(got, e.digest);

	struct bl_build *b = load(ex);
	const struct bl_node *l = amd64_layer(b, 1);
	struct bl_buf out;
	bl_buf_init(&out);
	bl_explain_values(b, l, &out);
	const char *t = bl_buf_str(&out);
	char want[9000];
	snprintf(want, sizeof want,
	        "Its digest %s is the sha256 of these %s compressed bytes (gzip)", e.digest,
	        e.size);
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof want, "Its diff_id %s is the sha256", e.diff1);
	assert_non_null(strstr(t, want));
	/* Layer 1's ChainID is its diff_id. */
	snprintf(want, sizeof want, "Its ChainID is sha256(\"%s %s\") = %s", e.diff0, e.diff1,
	        e.chain1);
	assert_non_null(strstr(t, want));
	/* The commands, on this very directory. */
	snprintf(want, sizeof want, "$ sha256sum %s/blobs/sha256/%s\n", ex, e.digest + 7);
	assert_non_null(strstr(t, want));
	snprintf(
	        want, sizeof want, "$ gzip -dc %s/blobs/sha256/%s | sha256sum\n", ex, e.digest + 7);
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof want, "$ jq -r '.rootfs.diff_ids[1]' %s/blobs/sha256/%s\n", ex,
	        e.config_hex);
	assert_non_null(strstr(t, want));
	snprintf(want, sizeof want,
	        "$ bakelens digest %s --target latest --platform linux/amd64 --layer 2 --what "
	        "chain-id\n",
	        ex);
	assert_non_null(strstr(t, want));
	/* What changes what, after the values. */
	assert_non_null(strstr(t, "Recompressing it changes its digest, not its diff_id"));
	/* The copy text: the same commands without their marks. */
	char *cmds = bl_explain_checks(b, l);
	assert_non_null(cmds);
	snprintf(want, sizeof want, "sha256sum %s/blobs/sha256/%s\n", ex, e.digest + 7);
	assert_true(strncmp(cmds, want, strlen(want)) == 0);
	assert_null(strstr(cmds, "$ "));
	free(cmds);

	/* Layer 1: ChainID = diff_id. */
	bl_buf_clear(&out);
	bl_explain_values(b, amd64_layer(b, 0), &out);
	snprintf(want, sizeof want, "ChainID = diff_id = %s", e.diff0);
	assert_non_null(strstr(bl_buf_str(&out), want));
	bl_buf_fini(&out);
	bl_build_free(b);
}

static void test_shell_quote(void **state)
{
	(void)state;
	char *q = bl_explain_shell_quote("out/blobs/sha256/ab");
	assert_string_equal(q, "out/blobs/sha256/ab");
	free(q);
	q = bl_explain_shell_quote("my dir/it's");
	assert_string_equal(q, "'my dir/it'\\''s'");
	free(q);
	q = bl_explain_shell_quote("");
	assert_string_equal(q, "''");
	free(q);
}

/* A config whose labels and env hold escape sequences: listed, escaped. */
static void test_config_values_are_escaped(void **state)
{
	(void)state;
	struct bl_node n = {.kind = BL_NODE_CONFIG, .has_desc = true, .label = (char *)"config"};
	bl_digest_compute(BL_DIGEST_SHA256, "x", 1, &n.desc.digest);
	n.desc.size = 1;
	n.doc = json_pack("{s:s, s:{s:[s], s:{s:s}}, s:[{}, {}]}", "created",
	        "2026-01-01T00:00:00Z", "config", "Env", "PATH=/bin\x1b[2J", "Labels",
	        "evil\x1b]52;c;eA==\x07",
	        "v\xc2\x9b"
	        "1m",
	        "history");
	struct bl_buf out;
	bl_buf_init(&out);
	bl_explain_values(NULL, &n, &out);
	const char *t = bl_buf_str(&out);
	assert_non_null(strstr(t, "created: 2026-01-01T00:00:00Z"));
	assert_non_null(strstr(t, "history: 2 entries"));
	assert_non_null(strstr(t, "env: PATH=/bin"));
	assert_non_null(strstr(t, "label evil"));
	assert_null(strchr(t, '\x1b'));
	assert_null(strchr(t, '\x07'));
	assert_null(strstr(t, "\xc2\x9b"));
	assert_true(bl_text_is_safe(t, strlen(t)) || !strchr(t, '\x1b'));
	bl_buf_fini(&out);
	json_decref(n.doc);
}

static const struct bl_check *find_check(const struct bl_verify_report *r, const char *prefix)
{
	for (size_t i = 0; i < r->checks.len; i++) {
		const struct bl_check *c = r->checks.items[i];
		if (!strncmp(c->text, prefix, strlen(prefix)))
			return c;
	}
	return NULL;
}

static void test_verify_passes_on_the_example(void **state)
{
	(void)state;
	const char *ex = example_out();
	if (!ex)
		skip();
	struct expect e;
	read_expected(ex, &e);
	struct bl_build *b = load(ex);
	struct bl_verify_report r;
	bl_verify_report_init(&r);
	struct bl_error err = {0};
	assert_true(bl_verify_node(amd64_layer(b, 1), NULL, NULL, &r, &err));
	assert_int_equal(r.failed, 0);
	const struct bl_check *c = find_check(&r, "digest: ");
	assert_non_null(c);
	assert_int_equal(c->state, BL_CHECK_OK);
	assert_non_null(strstr(c->text, e.digest));
	c = find_check(&r, "diff_id: ");
	assert_non_null(c);
	assert_int_equal(c->state, BL_CHECK_OK);
	assert_non_null(strstr(c->text, e.diff1));
	assert_non_null(strstr(c->text, "config.rootfs.diff_ids[1]"));
	c = find_check(&r, "ChainID: ");
	assert_non_null(c);
	assert_int_equal(c->state, BL_CHECK_OK);
	assert_non_null(strstr(c->text, e.chain1));
	c = find_check(&r, "size: ");
	assert_non_null(c);
	assert_non_null(strstr(c->text, e.size));
	bl_verify_report_fini(&r);
	bl_build_free(b);
}

static void test_verify_reports_an_altered_byte(void **state)
{
	(void)state;
	const char *ex = example_out();
	if (!ex)
		skip();
	struct expect e;
	read_expected(ex, &e);
	char tmpl[] = "/tmp/bl-verify-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	char cmd[20000];
	snprintf(cmd, sizeof cmd, "cp -r '%s/.' '%s/'", ex, tmpl);
	assert_int_equal(system(cmd), 0);
	char path[9000];
	snprintf(path, sizeof path, "%s/blobs/sha256/%s", tmpl, e.digest + 7);
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	fseek(f, 40, SEEK_SET);
	int ch = fgetc(f);
	fseek(f, 40, SEEK_SET);
	fputc(ch ^ 0x01, f);
	fclose(f);
	char altered[72];
	sha256_file(path, altered);

	struct bl_build *b = load(tmpl);
	struct bl_verify_report r;
	bl_verify_report_init(&r);
	struct bl_error err = {0};
	assert_true(bl_verify_node(amd64_layer(b, 1), NULL, NULL, &r, &err));
	assert_true(r.failed >= 1);
	const struct bl_check *c = find_check(&r, "digest: ");
	assert_non_null(c);
	assert_int_equal(c->state, BL_CHECK_FAIL);
	char want[400];
	snprintf(want, sizeof want, "expected %s (descriptor), got %s", e.digest, altered);
	assert_non_null(strstr(c->text, want));
	/* The size still matches: one byte changed, none added. */
	c = find_check(&r, "size: ");
	assert_int_equal(c->state, BL_CHECK_OK);
	bl_verify_report_fini(&r);
	bl_build_free(b);

	/* A missing blob says so. */
	assert_int_equal(unlink(path), 0);
	b = load(tmpl);
	bl_verify_report_init(&r);
	assert_true(bl_verify_node(amd64_layer(b, 1), NULL, NULL, &r, &err));
	c = find_check(&r, "blob: ");
	assert_non_null(c);
	assert_int_equal(c->state, BL_CHECK_FAIL);
	assert_non_null(strstr(c->text, "is missing from"));
	bl_verify_report_fini(&r);
	bl_build_free(b);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
	assert_int_equal(system(cmd), 0);
}

/* ---- a daemon's nodes: the commands ask the daemon ---- */

struct fake_daemon {
	struct bl_store base;
	struct bl_store_daemon where;
};

static bool fake_where(const struct bl_store *s, struct bl_store_daemon *out)
{
	*out = ((const struct fake_daemon *)s)->where;
	return true;
}

static const struct bl_store_ops fake_docker_ops = {
        .kind = "docker-daemon", .daemon_where = fake_where};
static const struct bl_store_ops fake_ctrd_ops = {.kind = "containerd", .daemon_where = fake_where};

/* target -> manifest -> config, layer 1/2 (index 0) and layer 2/2 (index 1). */
struct daemon_image {
	struct bl_node target, manifest, config, layers[2];
	struct bl_layer_info info[2];
};

static void daemon_image(struct daemon_image *im, struct bl_store *store, bool synthesised)
{
	memset(im, 0, sizeof *im);
	im->target = (struct bl_node){.kind = BL_NODE_TARGET, .label = (char *)"app:v1"};
	im->manifest = (struct bl_node){.kind = BL_NODE_MANIFEST,
	        .has_desc = true,
	        .synthesised = synthesised,
	        .store = store,
	        .parent = &im->target};
	im->config =
	        (struct bl_node){.kind = BL_NODE_CONFIG, .has_desc = true, .parent = &im->manifest};
	bl_vec_init(&im->target.children, NULL);
	bl_vec_init(&im->manifest.children, NULL);
	bl_vec_push_take(&im->target.children, &im->manifest);
	bl_vec_push_take(&im->manifest.children, &im->config);
	bl_digest_compute(BL_DIGEST_SHA256, "m", 1, &im->manifest.desc.digest);
	bl_digest_compute(BL_DIGEST_SHA256, "c", 1, &im->config.desc.digest);
	for (int i = 0; i < 2; i++) {
		im->info[i] = (struct bl_layer_info){
		        .index = i, .count = 2, .comp = synthesised ? BL_COMP_NONE : BL_COMP_GZIP};
		im->layers[i] = (struct bl_node){.kind = BL_NODE_LAYER,
		        .has_desc = true,
		        .parent = &im->manifest,
		        .layer = &im->info[i]};
		char b = (char)('0' + i);
		bl_digest_compute(BL_DIGEST_SHA256, &b, 1, &im->layers[i].desc.digest);
		bl_vec_push_take(&im->manifest.children, &im->layers[i]);
	}
}

static void daemon_image_fini(struct daemon_image *im)
{
	bl_vec_fini(&im->manifest.children);
	bl_vec_fini(&im->target.children);
}

static void assert_line(const char *text, const char *want)
{
	char *l = bl_asprintf("%s\n", want);
	if (!strstr(text, l))
		fail_msg("no line\n%s\nin\n%s", want, text);
	free(l);
}

static void test_docker_daemon_nodes_ask_the_engine_api(void **state)
{
	(void)state;
	struct fake_daemon d = {
	        .base = {.ops = &fake_docker_ops, .source = (char *)"docker-daemon:app:v1"},
	        .where = {.socket = "/run/my docker.sock", .image = "app:v1"}};
	struct daemon_image im;
	daemon_image(&im, &d.base, true);
	char *t = bl_explain_checks(NULL, &im.config);
	assert_non_null(t);
	assert_line(t,
	        "curl -s --unix-socket '/run/my docker.sock' http://d/images/app:v1/json | jq "
	        "-r .Id");
	assert_line(t, "DOCKER_HOST='unix:///run/my docker.sock' docker image inspect --format "
	               "'{{.Id}}' app:v1");
	char *w = bl_asprintf("DOCKER_HOST='unix:///run/my docker.sock' docker save app:v1 | tar "
	                      "-xOf - blobs/sha256/%s | sha256sum",
	        bl_digest_hex(&im.config.desc.digest));
	assert_line(t, w);
	free(w);
	assert_line(t, "bakelens digest docker-daemon:app:v1 --target app:v1 --what config");
	free(t);
	/* The second layer: RootFS.Layers[1], the second --layer. */
	t = bl_explain_checks(NULL, &im.layers[1]);
	assert_non_null(t);
	assert_line(t,
	        "curl -s --unix-socket '/run/my docker.sock' http://d/images/app:v1/json | jq "
	        "-r '.RootFS.Layers[1]'");
	assert_line(t, "DOCKER_HOST='unix:///run/my docker.sock' docker image inspect --format "
	               "'{{index .RootFS.Layers 1}}' app:v1");
	assert_line(t, "bakelens digest docker-daemon:app:v1 --target app:v1 --layer 2 --what "
	               "diff-id");
	assert_null(strstr(t, "blobs/sha256/\n")); /* no path without its hex */
	free(t);
	/* The manifest bakelens made is in no save: only bakelens can say it. */
	t = bl_explain_checks(NULL, &im.manifest);
	assert_non_null(t);
	assert_null(strstr(t, "docker save"));
	assert_null(strstr(t, "curl"));
	free(t);
	daemon_image_fini(&im);

	/* A daemon that names the image's manifest (containerd image store):
	 * its Descriptor, and the save's blob. */
	daemon_image(&im, &d.base, false);
	t = bl_explain_checks(NULL, &im.manifest);
	assert_line(t,
	        "curl -s --unix-socket '/run/my docker.sock' http://d/images/app:v1/json | jq "
	        "-r .Descriptor.digest");
	free(t);
	t = bl_explain_checks(NULL, &im.config);
	assert_null(strstr(t, ".Id")); /* the Id is the manifest's there */
	free(t);
	daemon_image_fini(&im);
}

static void test_containerd_nodes_ask_ctr(void **state)
{
	(void)state;
	struct fake_daemon d = {.base = {.ops = &fake_ctrd_ops,
	                                .source = (char *)"containerd:bl/example.com/app:v1"},
	        .where = {.socket = "/tmp/c.sock", .ns = "bl", .image = "example.com/app:v1"}};
	struct daemon_image im;
	daemon_image(&im, &d.base, false);
	char *t = bl_explain_checks(NULL, &im.manifest);
	char *w = bl_asprintf(
	        "ctr -a /tmp/c.sock -n bl content get %s | sha256sum", im.manifest.desc.digest.str);
	assert_line(t, w);
	free(w);
	assert_line(t, "ctr -a /tmp/c.sock -n bl images ls | awk '$1 == \"example.com/app:v1\" "
	               "{print $3}'");
	free(t);
	t = bl_explain_checks(NULL, &im.layers[0]);
	w = bl_asprintf("ctr -a /tmp/c.sock -n bl content get %s | gzip -dc | sha256sum",
	        im.layers[0].desc.digest.str);
	assert_line(t, w);
	free(w);
	w = bl_asprintf("ctr -a /tmp/c.sock -n bl content get %s | jq -r '.rootfs.diff_ids[0]'",
	        im.config.desc.digest.str);
	assert_line(t, w);
	free(w);
	free(t);
	daemon_image_fini(&im);

	/* BuildKit: no namespace, given by digest (no image name). */
	d.where = (struct bl_store_daemon){.socket = "/run/buildkit/buildkitd.sock"};
	d.base.source = (char *)"buildkit:x";
	daemon_image(&im, &d.base, false);
	t = bl_explain_checks(NULL, &im.manifest);
	w = bl_asprintf("ctr -a /run/buildkit/buildkitd.sock content get %s | sha256sum",
	        im.manifest.desc.digest.str);
	assert_line(t, w);
	free(w);
	assert_null(strstr(t, "images ls"));
	free(t);

	/* Through a connect command: no socket to name, and the pane says so. */
	d.where = (struct bl_store_daemon){.ns = "bl"};
	assert_null(bl_explain_checks(NULL, &im.manifest));
	struct bl_buf out;
	bl_buf_init(&out);
	bl_explain_values(NULL, &im.manifest, &out);
	assert_non_null(strstr(bl_buf_str(&out), "No commands to check it by hand: its daemon is "
	                                         "reached through --connect-cmd"));
	bl_buf_fini(&out);
	daemon_image_fini(&im);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_kind_has_a_text),
	        cmocka_unit_test(test_layer_explains_diff_id_and_chainid),
	        cmocka_unit_test(test_index_with_attestations_explains_the_moving_digest),
	        cmocka_unit_test(test_synthesised_node_says_so),
	        cmocka_unit_test(test_layer_values_of_the_example),
	        cmocka_unit_test(test_shell_quote),
	        cmocka_unit_test(test_config_values_are_escaped),
	        cmocka_unit_test(test_verify_passes_on_the_example),
	        cmocka_unit_test(test_verify_reports_an_altered_byte),
	        cmocka_unit_test(test_docker_daemon_nodes_ask_the_engine_api),
	        cmocka_unit_test(test_containerd_nodes_ask_ctr),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
