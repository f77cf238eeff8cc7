/* JSON over jansson: see include/bakelens/json.h. */
#include "bakelens/json.h"

#include <stdlib.h>
#include <string.h>

#include "bakelens/mem.h"
#include "bakelens/text.h"

/* What went wrong, in our own words: jansson's text can quote the input
 * ("invalid escape near '\"pass\q'"), so for documents that hold secrets only
 * the start of its message is matched, and the words printed are these. */
static const struct {
	const char *jansson, *kind;
} error_kinds[] = {
        {"invalid escape", "invalid escape in a string"},
        {"invalid Unicode", "invalid \\u escape in a string"},
        {"control character", "control character in a string"},
        {"unexpected newline", "newline in a string"},
        {"premature end of input", "premature end of input"},
        {"end of file expected", "text after the end of the document"},
        {"unable to decode byte", "invalid UTF-8"},
        {"maximum parsing depth", "nested too deeply"},
        {"too big", "integer too big"},
        {"real number overflow", "number too big"},
        {"string or '}' expected", "string or '}' expected"},
        {"']' expected", "']' expected"},
        {"':' expected", "':' expected"},
        {"'[' or '{' expected", "'[' or '{' expected"},
        {"unexpected token", "unexpected token"},
        {"invalid token", "invalid token"},
        {"\\u0000 is not allowed", "\\u0000 in a string"},
        {"NUL byte in object key", "NUL byte in an object key"},
};

static const char *error_kind(const json_error_t *jerr)
{
	for (size_t i = 0; i < sizeof error_kinds / sizeof error_kinds[0]; i++) {
		const char *j = error_kinds[i].jansson;
		if (!strncmp(jerr->text, j, strlen(j)))
			return error_kinds[i].kind;
	}
	switch (json_error_code(jerr)) {
	case json_error_premature_end_of_input:
		return "premature end of input";
	case json_error_invalid_utf8:
		return "invalid UTF-8";
	default:
		return "invalid JSON";
	}
}

static json_t *parse(const void *data, size_t len, size_t max, bool quote, struct bl_error *err)
{
	if (len > max) {
		bl_fail(err, BL_E_TOO_BIG, "document is %zu bytes, over the %zu byte limit", len,
		        max);
		return NULL;
	}
	if (!data && len > 0) {
		bl_fail(err, BL_E_FORMAT, "no data");
		return NULL;
	}
	/* No valid JSON text holds a NUL byte (in a string it must be escaped),
	 * but jansson skips one that follows a number or a literal ("null\0}"
	 * parses): refuse it here, so every reader, and the SBOM scanner that
	 * walks bytes without jansson, take the same documents. */
	const char *nul = data ? memchr(data, '\0', len) : NULL;
	if (nul) {
		size_t at = (size_t)(nul - (const char *)data);
		bl_fail(err, BL_E_FORMAT, "byte %zu: NUL byte in the document", at);
		return NULL;
	}
	json_error_t jerr;
	/* Duplicate keys are accepted (last wins), as Go's encoding/json does. */
	json_t *j = json_loadb(data ? data : "", len, 0, &jerr);
	if (!j && quote) {
		char *text = bl_text_safe(jerr.text);
		bl_fail(err, BL_E_FORMAT, "line %d column %d: %s", jerr.line, jerr.column, text);
		free(text);
		return NULL;
	}
	if (!j) {
		bl_fail(err, BL_E_FORMAT, "line %d column %d (byte %d): %s", jerr.line, jerr.column,
		        jerr.position, error_kind(&jerr));
		return NULL;
	}
	if (!json_is_object(j) && !json_is_array(j)) {
		json_decref(j);
		bl_fail(err, BL_E_FORMAT, "line 1 column 1: expected a JSON object or array");
		return NULL;
	}
	return j;
}

json_t *bl_json_parse(const void *data, size_t len, size_t max, struct bl_error *err)
{
	return parse(data, len, max, true, err);
}

json_t *bl_json_parse_secret(const void *data, size_t len, size_t max, struct bl_error *err)
{
	return parse(data, len, max, false, err);
}

/* A file's first bytes tell a JSON document from a layout or an archive
 * without reading or parsing the rest. */
bool bl_json_looks_like(const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i = 0;
	if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		i = 3;
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i < n && (s[i] == '{' || s[i] == '[');
}

static json_t *get(const json_t *obj, const char *key)
{
	if (!obj || !key || !json_is_object(obj))
		return NULL;
	return json_object_get(obj, key);
}

const char *bl_json_str(const json_t *obj, const char *key)
{
	json_t *v = get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *bl_json_obj(const json_t *obj, const char *key)
{
	json_t *v = get(obj, key);
	return json_is_object(v) ? v : NULL;
}

json_t *bl_json_arr(const json_t *obj, const char *key)
{
	json_t *v = get(obj, key);
	return json_is_array(v) ? v : NULL;
}

bool bl_json_int(const json_t *obj, const char *key, int64_t *out)
{
	json_t *v = get(obj, key);
	if (!json_is_integer(v))
		return false;
	if (out)
		*out = (int64_t)json_integer_value(v);
	return true;
}

bool bl_json_bool(const json_t *obj, const char *key, bool def)
{
	json_t *v = get(obj, key);
	return json_is_boolean(v) ? json_is_true(v) : def;
}

static char *dump(const json_t *j, size_t flags)
{
	if (!j)
		return bl_strdup("null");
	char *s = json_dumps(j, flags | JSON_ENCODE_ANY);
	if (!s)
		return bl_strdup("null"); /* only on allocation failure inside jansson */
	char *copy = bl_strdup(s);
	free(s);
	return copy;
}

char *bl_json_pretty(const json_t *j)
{
	return dump(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
}

char *bl_json_compact(const json_t *j)
{
	return dump(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
}
