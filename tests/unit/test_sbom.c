/* SBOM documents decoded into packages, and package lists compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "bakelens/base64.h"
#include "bakelens/buf.h"
#include "bakelens/clock.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/sbom.h"

static json_t *parse(const char *s)
{
	json_t *j = json_loads(s, 0, NULL);
	assert_non_null(j);
	return j;
}

static const char *spdx_statement =
        "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\"https://"
        "spdx.dev/Document\",\"subject\":[],\"predicate\":{\"spdxVersion\":\"SPDX-2.3\","
        "\"SPDXID\":\"SPDXRef-DOCUMENT\",\"packages\":["
        "{\"SPDXID\":\"a\",\"name\":\"musl\",\"versionInfo\":\"1.2.4-r2\",\"externalRefs\":["
        "{\"referenceCategory\":\"SECURITY\",\"referenceType\":\"cpe23Type\","
        "\"referenceLocator\":\"cpe:2.3:a:musl:musl\"},"
        "{\"referenceCategory\":\"PACKAGE_MANAGER\",\"referenceType\":\"purl\","
        "\"referenceLocator\":\"pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64\"}]},"
        "{\"SPDXID\":\"b\",\"name\":\"alpine\",\"primaryPackagePurpose\":\"OPERATING_SYSTEM\"},"
        "7,"
        "{\"SPDXID\":\"c\"}]}}";

static void test_spdx_statement_every_package(void **state)
{
	(void)state;
	json_t *j = parse(spdx_statement);
	struct bl_sbom s;
	assert_true(bl_sbom_decode(j, &s, NULL));
	assert_string_equal(s.format, "spdx");
	assert_string_equal(s.spec_version, "SPDX-2.3");
	assert_int_equal(s.n, 3); /* the number is skipped, a package without a name kept */
	assert_string_equal(s.pkgs[0].name, "musl");
	assert_string_equal(s.pkgs[0].version, "1.2.4-r2");
	assert_string_equal(s.pkgs[0].purl, "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64");
	assert_string_equal(s.pkgs[0].type, "apk");
	assert_string_equal(s.pkgs[1].name, "alpine");
	assert_null(s.pkgs[1].version);
	assert_string_equal(s.pkgs[1].type, "operating-system");
	assert_string_equal(s.pkgs[2].name, "");
	assert_false(s.truncated);
	bl_sbom_fini(&s);
	json_decref(j);
}

static void test_cyclonedx_nested_and_grouped(void **state)
{
	(void)state;
	json_t *j = parse("{\"bomFormat\":\"CycloneDX\",\"specVersion\":\"1.5\",\"components\":["
	                  "{\"type\":\"library\",\"group\":\"org.example\",\"name\":\"core\","
	                  "\"version\":\"2.0\",\"purl\":\"pkg:maven/org.example/core@2.0\","
	                  "\"components\":[{\"type\":\"file\",\"name\":\"inner\"}]},"
	                  "{\"type\":\"application\",\"name\":\"app\",\"version\":\"1\"}]}");
	struct bl_sbom s;
	assert_true(bl_sbom_decode(j, &s, NULL));
	assert_string_equal(s.format, "cyclonedx");
	assert_int_equal(s.n, 3);
	assert_string_equal(s.pkgs[0].name, "org.example/core");
	assert_string_equal(s.pkgs[0].type, "maven");
	assert_string_equal(s.pkgs[1].name, "inner");
	assert_string_equal(s.pkgs[1].type, "file");
	assert_string_equal(s.pkgs[2].name, "app");
	assert_string_equal(s.pkgs[2].type, "application");
	bl_sbom_fini(&s);
	json_decref(j);
}

static void test_dsse_envelope_payload_decoded(void **state)
{
	(void)state;
	/* the statement of the first test, base64 in a DSSE envelope (cosign .att) */
	struct bl_buf b64;
	bl_buf_init(&b64);
	bl_base64_encode(spdx_statement, strlen(spdx_statement), &b64);
	char *env =
	        bl_asprintf("{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"%s\","
	                    "\"signatures\":[]}",
	                b64.data);
	json_t *j = parse(env);
	struct bl_sbom s;
	assert_true(bl_sbom_decode(j, &s, NULL));
	assert_int_equal(s.n, 3);
	assert_string_equal(s.pkgs[0].name, "musl");
	bl_sbom_fini(&s);
	json_decref(j);
	free(env);
	bl_buf_fini(&b64);
}

static void test_not_an_sbom_fails(void **state)
{
	(void)state;
	json_t *j = parse("{\"predicateType\":\"https://slsa.dev/provenance/v1\","
	                  "\"predicate\":{\"buildDefinition\":{}}}");
	struct bl_sbom s;
	struct bl_error e;
	bl_error_clear(&e);
	assert_false(bl_sbom_decode(j, &s, &e));
	assert_int_equal(e.code, BL_E_FORMAT);
	bl_sbom_fini(&s);
	json_decref(j);
	j = parse("{\"spdxVersion\":\"SPDX-2.3\",\"packages\":{}}");
	bl_error_clear(&e);
	assert_false(bl_sbom_decode(j, &s, &e));
	assert_non_null(strstr(e.msg, "packages is not an array"));
	bl_sbom_fini(&s);
	json_decref(j);
	assert_true(bl_sbom_predicate("https://spdx.dev/Document"));
	assert_true(bl_sbom_predicate("https://cyclonedx.org/bom"));
	assert_false(bl_sbom_predicate("https://slsa.dev/provenance/v0.2"));
	assert_false(bl_sbom_predicate(NULL));
}

static void test_long_field_cut_and_deep_nesting_bounded(void **state)
{
	(void)state;
	char *big = bl_calloc(100001, 1);
	memset(big, 'x', 100000);
	char *doc =
	        bl_asprintf("{\"spdxVersion\":\"SPDX-2.3\",\"packages\":[{\"name\":\"%s\"}]}", big);
	json_t *j = parse(doc);
	struct bl_sbom s;
	assert_true(bl_sbom_decode(j, &s, NULL));
	assert_int_equal(strlen(s.pkgs[0].name), BL_SBOM_FIELD_MAX);
	bl_sbom_fini(&s);
	json_decref(j);
	free(doc);
	free(big);
	/* components nested 100 deep: followed to BL_SBOM_DEPTH_MAX only */
	json_t *root = json_object(), *arr = json_array();
	json_object_set_new(root, "bomFormat", json_string("CycloneDX"));
	json_object_set(root, "components", arr);
	for (int i = 0; i < 100; i++) {
		json_t *c = json_object(), *kids = json_array();
		json_object_set_new(c, "name", json_string("n"));
		json_object_set(c, "components", kids);
		json_array_append_new(arr, c);
		json_decref(arr);
		arr = kids;
	}
	json_decref(arr);
	assert_true(bl_sbom_decode(root, &s, NULL));
	assert_int_equal(s.n, BL_SBOM_DEPTH_MAX + 1);
	bl_sbom_fini(&s);
	json_decref(root);
}

static void sbom_of(struct bl_sbom *s, const char *const *pk)
{
	json_t *doc = json_object(), *arr = json_array();
	json_object_set_new(doc, "spdxVersion", json_string("SPDX-2.3"));
	for (size_t i = 0; pk[i]; i += 2) {
		json_t *p = json_object();
		json_object_set_new(p, "name", json_string(pk[i]));
		json_object_set_new(p, "versionInfo", json_string(pk[i + 1]));
		json_array_append_new(arr, p);
	}
	json_object_set_new(doc, "packages", arr);
	assert_true(bl_sbom_decode(doc, s, NULL));
	json_decref(doc);
}

static void test_diff_added_removed_changed(void **state)
{
	(void)state;
	static const char *const l[] = {"musl", "1.2.4", "zlib", "1.3", "old", "1", "libc", "1",
	        "libc", "2", "same", "5", NULL};
	static const char *const r[] = {"same", "5", "new", "9", "zlib", "1.3.1", "musl", "1.2.4",
	        "libc", "1", "libc", "3", NULL};
	struct bl_sbom a, b;
	sbom_of(&a, l);
	sbom_of(&b, r);
	struct bl_pkg_diff d;
	bl_sbom_diff(&a, &b, &d);
	assert_int_equal(d.n, 4);
	assert_int_equal(d.added, 1);
	assert_int_equal(d.removed, 1);
	assert_int_equal(d.changed, 2);
	/* sorted by name: libc (2 -> 3: the common 1 set aside), new, old, zlib */
	assert_int_equal(d.v[0].kind, BL_PKG_CHANGED);
	assert_string_equal(d.v[0].name, "libc");
	assert_string_equal(d.v[0].old_version, "2");
	assert_string_equal(d.v[0].new_version, "3");
	assert_int_equal(d.v[1].kind, BL_PKG_ADDED);
	assert_string_equal(d.v[1].name, "new");
	assert_null(d.v[1].old_version);
	assert_int_equal(d.v[2].kind, BL_PKG_REMOVED);
	assert_string_equal(d.v[2].name, "old");
	assert_string_equal(d.v[3].name, "zlib");
	char *w = bl_pkg_change_words(&d.v[3]);
	assert_string_equal(w, "package zlib 1.3 -> 1.3.1");
	free(w);
	w = bl_pkg_change_words(&d.v[1]);
	assert_string_equal(w, "package added: new 9");
	free(w);
	bl_pkg_diff_fini(&d);
	/* the same packages in another order: no change */
	bl_sbom_diff(&a, &a, &d);
	assert_int_equal(d.n, 0);
	bl_pkg_diff_fini(&d);
	bl_sbom_fini(&a);
	bl_sbom_fini(&b);
}

/* 100,000 packages: decoded and compared in bounded time and memory. */
static void test_hundred_thousand_packages_bounded(void **state)
{
	(void)state;
	struct bl_buf doc;
	bl_buf_init(&doc);
	bl_buf_puts(&doc, "{\"predicateType\":\"https://spdx.dev/Document\",\"predicate\":{"
	                  "\"spdxVersion\":\"SPDX-2.3\",\"packages\":[");
	for (int i = 0; i < 100000; i++)
		bl_buf_printf(&doc,
		        "%s{\"SPDXID\":\"p%d\",\"name\":\"pkg-%d\",\"versionInfo\":\"1.%d\","
		        "\"externalRefs\":[{\"referenceType\":\"purl\",\"referenceLocator\":"
		        "\"pkg:deb/debian/pkg-%d@1.%d\"}]}",
		        i ? "," : "", i, i, i, i, i);
	bl_buf_puts(&doc, "]}}");
	json_t *j = bl_json_parse(doc.data, doc.len, BL_JSON_CONFIG_MAX, NULL);
	assert_non_null(j);
	uint64_t t0 = bl_clock_ms();
	struct bl_sbom a, b;
	assert_true(bl_sbom_decode(j, &a, NULL));
	assert_true(bl_sbom_decode(j, &b, NULL));
	assert_int_equal(a.n, 100000);
	assert_string_equal(a.pkgs[99999].name, "pkg-99999");
	assert_string_equal(a.pkgs[99999].type, "deb");
	/* the strings are the packages' own, not the document's: about 60
	 * bytes a package (arena chunks aside) */
	assert_true(a.strings.total < 100000u * 80);
	struct bl_pkg_diff d;
	bl_sbom_diff(&a, &b, &d);
	assert_int_equal(d.n, 0);
	uint64_t ms = bl_clock_ms() - t0;
	print_message("decode twice + diff of 100000 packages: %llu ms\n", (unsigned long long)ms);
	assert_true(ms < 5000);
	bl_pkg_diff_fini(&d);
	bl_sbom_fini(&a);
	bl_sbom_fini(&b);
	json_decref(j);
	bl_buf_fini(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_spdx_statement_every_package),
	        cmocka_unit_test(test_cyclonedx_nested_and_grouped),
	        cmocka_unit_test(test_dsse_envelope_payload_decoded),
	        cmocka_unit_test(test_not_an_sbom_fails),
	        cmocka_unit_test(test_long_field_cut_and_deep_nesting_bounded),
	        cmocka_unit_test(test_diff_added_removed_changed),
	        cmocka_unit_test(test_hundred_thousand_packages_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
