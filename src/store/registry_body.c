/* Parsers of the registry's response bodies: tag pages, referrers indexes,
 * token answers and error bodies. Pure functions over bytes, kept apart from
 * the transfers so they can be tested and fuzzed on their own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/credentials.h"
#include "bakelens/descriptor.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/registry.h"
#include "bakelens/text.h"

#define TOKEN_BODY_MAX (1u << 20)
#define ERROR_BODY_MAX (64u << 10)

bool bl_registry_tags_parse(const void *body, size_t len, struct bl_vec *tags, struct bl_error *err)
{
	json_t *j = bl_json_parse(body ? body : "", len, BL_JSON_MANIFEST_MAX, err);
	if (!j)
		return false;
	bool ok = true;
	json_t *a = json_is_object(j) ? json_object_get(j, "tags") : NULL;
	if (!json_is_object(j)) {
		ok = bl_fail(err, BL_E_FORMAT, "not a JSON object");
	} else if (a && !json_is_null(a) && !json_is_array(a)) {
		ok = bl_fail(err, BL_E_FORMAT, "\"tags\" is not an array");
	} else {
		size_t i;
		json_t *v;
		json_array_foreach(a, i, v)
		{
			if (json_is_string(v))
				bl_vec_push_take(tags, bl_strdup(json_string_value(v)));
		}
	}
	json_decref(j);
	return ok;
}

bool bl_registry_index_parse(
        const void *body, size_t len, struct bl_vec *descs, struct bl_error *err)
{
	json_t *j = bl_json_parse(body ? body : "", len, BL_JSON_MANIFEST_MAX, err);
	if (!j)
		return false;
	size_t i;
	json_t *v;
	bool ok = true;
	json_array_foreach(bl_json_arr(j, "manifests"), i, v)
	{
		char place[48];
		snprintf(place, sizeof place, "manifests[%zu]", i);
		struct bl_descriptor *d = bl_calloc(1, sizeof *d);
		if (!bl_descriptor_parse(v, place, d, err)) {
			free(d);
			ok = false;
			break;
		}
		bl_vec_push_take(descs, d);
	}
	json_decref(j);
	return ok;
}

bool bl_registry_token_parse(const void *body, size_t len, char **token, int64_t *expires_s)
{
	*token = NULL;
	*expires_s = 60;
	json_t *j = bl_json_parse_secret(body ? body : "", len, TOKEN_BODY_MAX, NULL);
	const char *tok = j ? bl_json_str(j, "token") : NULL;
	if (!tok || !*tok)
		tok = j ? bl_json_str(j, "access_token") : NULL;
	if (!tok || !*tok) {
		json_decref(j);
		return false;
	}
	int64_t exp = 60;
	if (!bl_json_int(j, "expires_in", &exp) || exp < 60)
		exp = 60;
	*token = bl_strdup(tok);
	*expires_s = exp;
	json_decref(j);
	return true;
}

char *bl_registry_error_code(const void *body, size_t len)
{
	json_t *j = bl_json_parse(body ? body : "", len, ERROR_BODY_MAX, NULL);
	json_t *a = j ? bl_json_arr(j, "errors") : NULL;
	json_t *e = a ? json_array_get(a, 0) : NULL;
	const char *code = json_is_object(e) ? bl_json_str(e, "code") : NULL;
	char *r = code ? bl_text_safe(code) : NULL;
	json_decref(j);
	return r;
}
