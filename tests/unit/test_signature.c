/* Signer identities from certificates and sigstore bundles (signature.h);
 * real certificates made with openssl are read in registry_signatures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bakelens/signature.h"

static void test_garbage_is_no_identity(void **state)
{
	(void)state;
	assert_null(bl_cert_identity("not a certificate", 17, true));
	assert_null(bl_cert_identity("\x30\x03\x02\x01\x01", 5, false));
	assert_null(bl_cert_identity(NULL, 0, true));
	struct bl_bundle_info b;
	bl_bundle_inspect("[", 1, &b);
	assert_null(b.identity);
	assert_false(b.dsse);
	bl_bundle_info_fini(&b);
	/* a certificate whose bytes are not DER */
	static const char bad[] =
	        "{\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"AAAA\"}}}";
	bl_bundle_inspect(bad, strlen(bad), &b);
	assert_null(b.identity);
	bl_bundle_info_fini(&b);
}

static void test_bundle_key_hint_and_dsse_predicate(void **state)
{
	(void)state;
	/* payload: {"predicateType":"https://slsa.dev/provenance/v1"} in base64 */
	static const char bundle[] =
	        "{\"verificationMaterial\":{\"publicKey\":{\"hint\":\"abc123\"}},"
	        "\"dsseEnvelope\":{\"payloadType\":\"application/vnd.in-toto+json\",\"payload\":"
	        "\"eyJwcmVkaWNhdGVUeXBlIjoiaHR0cHM6Ly9zbHNhLmRldi9wcm92ZW5hbmNlL3YxIn0=\"}}";
	struct bl_bundle_info b;
	bl_bundle_inspect(bundle, strlen(bundle), &b);
	assert_string_equal(b.identity, "key abc123");
	assert_true(b.dsse);
	assert_string_equal(b.predicate_type, "https://slsa.dev/provenance/v1");
	bl_bundle_info_fini(&b);
	assert_string_equal(bl_referrer_kind_name(BL_REFERRER_SIGNATURE), "signature");
	assert_string_equal(bl_referrer_kind_name(BL_REFERRER_OTHER), "other");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_garbage_is_no_identity),
	        cmocka_unit_test(test_bundle_key_hint_and_dsse_predicate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
