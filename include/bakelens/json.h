/* JSON over jansson, with size caps and readable errors.
 *
 * jansson stays at the edge: parsers in store and model use these helpers,
 * copy what they need into our structs, and at most keep one json_t reference
 * per node for the raw view.
 */
#ifndef BL_JSON_H
#define BL_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "bakelens/buf.h"
#include "bakelens/error.h"

#define BL_JSON_MANIFEST_MAX (4u << 20) /* manifests and indexes */
#define BL_JSON_CONFIG_MAX (32u << 20)  /* configs, statements, metadata files */

/* Parse `len` bytes (no NUL needed). Fails with BL_E_TOO_BIG over `max`,
 * BL_E_FORMAT on bad JSON ("line L column C: <jansson text>") or when the top
 * level is not an object or array. The result is a new reference. */
json_t *bl_json_parse(const void *data, size_t len, size_t max, struct bl_error *err);

/* True when the first of `n` bytes at `p` open a JSON object or array: '{'
 * or '[' after an optional UTF-8 byte order mark and blanks (space, tab, CR,
 * LF). Only the start is looked at; nothing is parsed. False for n == 0. */
bool bl_json_looks_like(const void *p, size_t n);

/* Borrowed lookups; NULL (or false) when `obj` is not an object, the key is
 * absent, or the value has another type. */
const char *bl_json_str(const json_t *obj, const char *key);
json_t *bl_json_obj(const json_t *obj, const char *key);
json_t *bl_json_arr(const json_t *obj, const char *key);
bool bl_json_int(const json_t *obj, const char *key, int64_t *out);
bool bl_json_bool(const json_t *obj, const char *key, bool def);

/* Pretty-printed (2-space indent, keys in document order), caller owns. */
char *bl_json_pretty(const json_t *j);
/* Compact, caller owns. */
char *bl_json_compact(const json_t *j);

#endif
