/* SBOM documents decoded into packages, and package lists compared. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* ---- the scanner over bytes (sbom_scan.c) ---- */

static bool scan(const char *doc, struct bl_sbom *s, struct bl_error *e)
{
	bl_error_clear(e);
	return bl_sbom_scan(doc, strlen(doc), s, e);
}

/* What the scanner says of the JSON itself: valid unless it failed with
 * "invalid JSON" (another failure is about what the document holds). */
static bool scan_valid(const char *doc, size_t len)
{
	struct bl_sbom s;
	struct bl_error e;
	bl_error_clear(&e);
	bool ok = bl_sbom_scan(doc, len, &s, &e);
	bl_sbom_fini(&s);
	return ok || strncmp(e.msg, "invalid JSON", 12) != 0;
}

static bool jansson_valid(const char *doc, size_t len)
{
	json_t *j = json_loadb(doc, len, 0, NULL);
	json_decref(j);
	return j != NULL;
}

static void test_scan_escapes_and_surrogate_pairs(void **state)
{
	(void)state;
	struct bl_sbom s;
	struct bl_error e;
	assert_true(
	        scan("{\"spdxVersion\":\"SPDX-2.3\",\"packages\":["
	             "{\"name\":\"caf\\u00e9 \\ud83d\\ude00\",\"versionInfo\":\"a\\\"b\\\\c\\/d\"},"
	             "{\"name\":\"t\\tn\\nr\\rb\\bf\\f\",\"versionInfo\":\"\xe2\x82\xac\"}]}",
	                &s, &e));
	assert_int_equal(s.n, 2);
	/* U+00E9 is C3 A9; U+1F600 (the pair D83D DE00) is F0 9F 98 80 */
	assert_string_equal(s.pkgs[0].name, "caf\xc3\xa9 \xf0\x9f\x98\x80");
	assert_string_equal(s.pkgs[0].version, "a\"b\\c/d");
	assert_string_equal(s.pkgs[1].name, "t\tn\nr\rb\bf\f");
	assert_string_equal(s.pkgs[1].version, "\xe2\x82\xac");
	bl_sbom_fini(&s);
	static const char *const bad[] = {
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"\\ud83d\"}]}",  /* lone high */
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"\\ude00x\"}]}", /* lone low */
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"\\ud83d\\u0041\"}]}",
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"a\\u0000b\"}]}",
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"\\x41\"}]}",
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"\\u12g4\"}]}",
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"tab\there\"}]}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(jansson_valid(bad[i], strlen(bad[i])));
		assert_false(scan(bad[i], &s, &e));
		assert_int_equal(e.code, BL_E_FORMAT);
		assert_non_null(strstr(e.msg, "invalid JSON at byte"));
		bl_sbom_fini(&s);
	}
}

static void test_scan_invalid_utf8(void **state)
{
	(void)state;
	static const char *const bad[] = {
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"\xff\"}]}",
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"\xc0\xaf\"}]}", /* over-long */
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"\xe2\x82\"}]}", /* cut */
	        "{\"spdxVersion\":\"x\",\"packages\":[{\"name\":\"\xed\xa0\x80\"}]}", /* surrogate
	                                                                               */
	        "{\"spdxVersion\":\"x\",\"other\":\"\xf4\x90\x80\x80\"}", /* over U+10FFFF */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct bl_sbom s;
		struct bl_error e;
		assert_false(jansson_valid(bad[i], strlen(bad[i])));
		assert_false(scan(bad[i], &s, &e));
		assert_non_null(strstr(e.msg, "invalid UTF-8"));
		bl_sbom_fini(&s);
	}
}

/* Components in any member order: each before the ones nested in it. */
static void test_scan_nested_cyclonedx_in_any_order(void **state)
{
	(void)state;
	struct bl_sbom s;
	struct bl_error e;
	assert_true(scan("{\"predicate\":{\"components\":["
	                 "{\"components\":[{\"name\":\"c1\",\"version\":\"1\"},"
	                 "{\"components\":[{\"name\":\"g1\"}],\"name\":\"c2\"}],"
	                 "\"name\":\"p\",\"group\":\"org.x\",\"purl\":\"pkg:maven/org.x/p@2\","
	                 "\"version\":\"2\"},"
	                 "{\"name\":\"q\",\"type\":\"LIBRARY\",\"components\":7}],"
	                 "\"specVersion\":\"1.5\",\"bomFormat\":\"CycloneDX\"},"
	                 "\"predicateType\":\"https://cyclonedx.org/bom\"}",
	        &s, &e));
	assert_string_equal(s.format, "cyclonedx");
	assert_string_equal(s.spec_version, "1.5");
	assert_int_equal(s.n, 5);
	static const char *const names[] = {"org.x/p", "c1", "c2", "g1", "q"};
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(s.pkgs[i].name, names[i]);
	assert_string_equal(s.pkgs[0].type, "maven");
	assert_string_equal(s.pkgs[0].version, "2");
	assert_string_equal(s.pkgs[1].version, "1");
	assert_null(s.pkgs[3].version);
	assert_string_equal(s.pkgs[4].type, "library");
	bl_sbom_fini(&s);
	/* the format key after the packages */
	assert_true(scan("{\"packages\":[{\"name\":\"a\"}],\"spdxVersion\":\"SPDX-2.2\"}", &s, &e));
	assert_int_equal(s.n, 1);
	assert_string_equal(s.spec_version, "SPDX-2.2");
	bl_sbom_fini(&s);
}

static void test_scan_dsse_payload_bytes(void **state)
{
	(void)state;
	struct bl_buf b64;
	bl_buf_init(&b64);
	bl_base64_encode(spdx_statement, strlen(spdx_statement), &b64);
	char *env = bl_asprintf("{\"signatures\":[{\"sig\":\"x\"}],\"payload\":\"%s\","
	                        "\"payloadType\":\"application/vnd.in-toto+json\"}",
	        b64.data);
	struct bl_sbom s;
	struct bl_error e;
	assert_true(scan(env, &s, &e));
	assert_int_equal(s.n, 3);
	assert_string_equal(s.pkgs[0].purl, "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64");
	bl_sbom_fini(&s);
	free(env);
	/* a payload that is not base64 */
	assert_false(scan(
	        "{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":\"%%\"}", &s, &e));
	assert_non_null(strstr(e.msg, "not base64"));
	bl_sbom_fini(&s);
	bl_buf_fini(&b64);
}

/* Every cut of a valid statement is invalid JSON, said as such. */
static void test_scan_truncated(void **state)
{
	(void)state;
	size_t len = strlen(spdx_statement);
	for (size_t cut = 0; cut < len; cut++) {
		struct bl_sbom s;
		struct bl_error e;
		bl_error_clear(&e);
		assert_false(bl_sbom_scan(spdx_statement, cut, &s, &e));
		assert_int_equal(e.code, BL_E_FORMAT);
		assert_true(strncmp(e.msg, "invalid JSON", 12) == 0 || cut == 0);
		bl_sbom_fini(&s);
	}
	assert_true(jansson_valid(spdx_statement, len));
	assert_true(scan_valid(spdx_statement, len));
}

/* Nesting: as deep as the JSON parser goes and no deeper, and a bomb of
 * brackets costs no stack. */
static void test_scan_depth_bombs(void **state)
{
	(void)state;
	size_t depths[] = {2047, 2048, 2049, 100000};
	for (size_t k = 0; k < sizeof depths / sizeof depths[0]; k++) {
		size_t d = depths[k];
		struct bl_buf b;
		bl_buf_init(&b);
		/* the document object is one level: d - 1 arrays inside it */
		bl_buf_puts(&b, "{\"spdxVersion\":\"x\",\"junk\":");
		for (size_t i = 1; i < d; i++)
			bl_buf_putc(&b, '[');
		for (size_t i = 1; i < d; i++)
			bl_buf_putc(&b, ']');
		bl_buf_puts(&b, "}");
		bool want = jansson_valid(b.data, b.len);
		assert_int_equal(scan_valid(b.data, b.len), want);
		assert_int_equal(want, d <= 2048);
		bl_buf_fini(&b);
	}
}

/* Numbers, literals and what may follow a document, as the parser takes them. */
static void test_scan_validity_as_the_parser(void **state)
{
	(void)state;
	static const char *const docs[] = {
	        "{\"spdxVersion\":\"x\",\"n\":-0}",
	        "{\"spdxVersion\":\"x\",\"n\":1.5e3}",
	        "{\"spdxVersion\":\"x\",\"n\":01}",
	        "{\"spdxVersion\":\"x\",\"n\":1.}",
	        "{\"spdxVersion\":\"x\",\"n\":.5}",
	        "{\"spdxVersion\":\"x\",\"n\":1e999}",
	        "{\"spdxVersion\":\"x\",\"n\":1e-999}",
	        "{\"spdxVersion\":\"x\",\"n\":9223372036854775807}",
	        "{\"spdxVersion\":\"x\",\"n\":9223372036854775808}",
	        "{\"spdxVersion\":\"x\",\"n\":[true,false,null]}",
	        "{\"spdxVersion\":\"x\",\"n\":tru}",
	        "{\"spdxVersion\":\"x\",\"n\":[1,]}",
	        "{\"spdxVersion\":\"x\",}",
	        "{\"spdxVersion\":\"x\"} ",
	        "{\"spdxVersion\":\"x\"} {}",
	        "{\"spdxVersion\" \"x\"}",
	        "{'spdxVersion':\"x\"}",
	        "\"just a string\"",
	        "[]",
	        "",
	        " \n\t",
	};
	for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
		size_t len = strlen(docs[i]);
		assert_int_equal(scan_valid(docs[i], len), jansson_valid(docs[i], len));
	}
	/* a NUL byte inside the document */
	static const char nul[] = "{\"spdxVersion\":\"x\",\"n\":\"a\0b\"}";
	assert_int_equal(scan_valid(nul, sizeof nul - 1), jansson_valid(nul, sizeof nul - 1));
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
	assert_true(bl_sbom_scan(doc.data, doc.len, &a, NULL));
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
	        cmocka_unit_test(test_scan_escapes_and_surrogate_pairs),
	        cmocka_unit_test(test_scan_invalid_utf8),
	        cmocka_unit_test(test_scan_nested_cyclonedx_in_any_order),
	        cmocka_unit_test(test_scan_dsse_payload_bytes),
	        cmocka_unit_test(test_scan_truncated),
	        cmocka_unit_test(test_scan_depth_bombs),
	        cmocka_unit_test(test_scan_validity_as_the_parser),
	        cmocka_unit_test(test_hundred_thousand_packages_bounded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
