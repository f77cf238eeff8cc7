/* libFuzzer harness for the parsers that take raw user and registry strings:
 * bl_ref_parse / bl_ref_format, bl_digest_parse and bl_text_escape.
 *
 * Invariants checked (abort() on violation, so libFuzzer reports it):
 * - a parsed reference formats to a string that parses again and formats to
 *   the same string (normalisation is idempotent);
 * - a digest that parses is the input unchanged, and is valid again;
 * - escaped text holds no C0 control, DEL or C1 control, and text reported
 *   safe escapes to itself. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/digest.h"
#include "bakelens/mem.h"
#include "bakelens/ref.h"
#include "bakelens/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ref(const char *s)
{
	struct bl_ref r;
	struct bl_error err;
	if (!bl_ref_parse(s, &r, &err)) {
		if (err.code != BL_E_FORMAT || !err.msg[0])
			abort();
		return;
	}
	char *once = bl_ref_format(&r);
	struct bl_ref r2;
	if (!bl_ref_parse(once, &r2, &err))
		abort();
	char *twice = bl_ref_format(&r2);
	if (strcmp(once, twice) != 0)
		abort();
	if (!bl_ref_is_plausible(once))
		abort();
	char *name = bl_ref_name(&r2);
	if (strncmp(once, name, strlen(name)) != 0)
		abort();
	free(name);
	free(once);
	free(twice);
	bl_ref_fini(&r);
	bl_ref_fini(&r2);
}

static void check_digest(const char *s)
{
	struct bl_digest d;
	struct bl_error err;
	if (!bl_digest_parse(s, &d, &err)) {
		if (err.code != BL_E_FORMAT || bl_digest_is_set(&d))
			abort();
		return;
	}
	if (strcmp(d.str, s) != 0 || !bl_digest_is_valid(d.str))
		abort();
}

static void check_escape(const uint8_t *data, size_t size)
{
	struct bl_buf b;
	bl_buf_init(&b);
	bl_text_escape(&b, (const char *)data, size);
	const unsigned char *p = (const unsigned char *)bl_buf_str(&b);
	for (size_t i = 0; i < b.len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			abort();
		if (p[i] == 0xc2 && i + 1 < b.len && p[i + 1] >= 0x80 && p[i + 1] <= 0x9f)
			abort();
	}
	/* The escaped form is itself safe, and escaping is stable on it. */
	if (!bl_text_is_safe(bl_buf_str(&b), b.len))
		abort();
	if (bl_text_is_safe((const char *)data, size) &&
	        (b.len != size || memcmp(b.data ? b.data : "", data, size) != 0))
		abort();
	(void)bl_text_width(bl_buf_str(&b));
	bl_buf_fini(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = bl_strndup((const char *)data, size); /* stops at an embedded NUL */
	check_ref(s);
	check_digest(s);
	free(s);
	check_escape(data, size);
	return 0;
}
