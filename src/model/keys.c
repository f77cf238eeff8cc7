/* `bakelens digest --json` read back, and two answers compared: query.h. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/query.h"

/* `obj`.`field` as a digest: absent or null leaves it unset. */
static bool read_digest(const json_t *obj, const char *field, const char *where, unsigned bit,
        unsigned *has, struct bl_digest *d, struct bl_error *err)
{
	const json_t *v = json_object_get(obj, field);
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v) || !bl_digest_parse(json_string_value(v), d, NULL))
		return bl_fail(err, BL_E_FORMAT, "%s.%s: not a digest", where, field);
	*has |= bit;
	return true;
}

static bool read_error(const json_t *obj, const char *where, enum bl_status *status, char **msg,
        struct bl_error *err)
{
	const json_t *v = json_object_get(obj, "error");
	if (!v || json_is_null(v))
		return true;
	if (!json_is_string(v))
		return bl_fail(err, BL_E_FORMAT, "%s.error: not a string", where);
	*status = BL_E_FORMAT; /* the class is not kept in the document, the message is */
	*msg = bl_strdup(json_string_value(v));
	return true;
}

static bool read_platform(struct bl_target_keys *tk, const char *name, const json_t *obj,
        const char *where, struct bl_error *err)
{
	if (!json_is_object(obj))
		return bl_fail(err, BL_E_FORMAT, "%s: not an object", where);
	struct bl_platform_keys *pk = bl_keys_add_platform(tk, name);
	for (enum bl_what w = BL_WHAT_MANIFEST; w <= BL_WHAT_CONFIG; w++)
		if (!read_digest(obj, bl_keys_field(w), where, 1u << w, &pk->has, &pk->key[w], err))
			return false;
	const json_t *layer = json_object_get(obj, "layer");
	if (layer && !json_is_null(layer)) {
		char *lw = bl_asprintf("%s.layer", where);
		bool ok =
		        json_is_object(layer) || bl_fail(err, BL_E_FORMAT, "%s: not an object", lw);
		for (enum bl_what w = BL_WHAT_LAYER; ok && w <= BL_WHAT_CHAIN_ID; w++)
			ok = read_digest(
			        layer, bl_keys_field(w), lw, 1u << w, &pk->has, &pk->key[w], err);
		free(lw);
		if (!ok)
			return false;
	}
	return read_error(obj, where, &pk->status, &pk->error, err);
}

static bool read_target(
        struct bl_keys *k, const char *name, const json_t *obj, struct bl_error *err)
{
	char *where = bl_asprintf("targets.%s", name);
	struct bl_target_keys *tk = bl_keys_add_target(k, name);
	unsigned has = 0;
	bool ok = json_is_object(obj) || bl_fail(err, BL_E_FORMAT, "%s: not an object", where);
	ok = ok && read_digest(obj, "index", where, 1, &has, &tk->index, err);
	tk->has_index = has != 0;
	ok = ok && read_error(obj, where, &tk->status, &tk->error, err);
	const json_t *ps = ok ? json_object_get(obj, "platforms") : NULL;
	if (ps && !json_is_object(ps))
		ok = bl_fail(err, BL_E_FORMAT, "%s.platforms: not an object", where);
	const char *pname;
	const json_t *pv;
	if (ok && ps) {
		json_object_foreach((json_t *)ps, pname, pv)
		{
			char *pw = bl_asprintf("%s.platforms.%s", where, pname);
			ok = read_platform(tk, pname, pv, pw, err);
			free(pw);
			if (!ok)
				break;
		}
	}
	free(where);
	return ok;
}

static bool read_asked(const json_t *doc, unsigned *asked, struct bl_error *err)
{
	const json_t *keys = json_object_get(doc, "keys");
	if (!json_is_array(keys))
		return bl_fail(err, BL_E_FORMAT, "keys: expected a list of key names");
	*asked = 0;
	size_t i;
	const json_t *v;
	json_array_foreach(keys, i, v)
	{
		enum bl_what w;
		if (!json_is_string(v) || !bl_what_parse(json_string_value(v), &w))
			return bl_fail(err, BL_E_FORMAT, "keys[%zu]: not a key name", i);
		*asked |= 1u << w;
	}
	*asked &= BL_KEYS_ALL;
	if (!*asked)
		return bl_fail(err, BL_E_FORMAT, "keys: names no key");
	return true;
}

bool bl_keys_read(const void *data, size_t len, struct bl_keys *out, struct bl_error *err)
{
	bl_keys_init(out);
	json_t *doc = bl_json_parse(data, len, BL_JSON_CONFIG_MAX, err);
	if (!doc)
		return false;
	bool ok = true;
	int64_t version = 0;
	if (!json_is_object(doc))
		ok = bl_fail(err, BL_E_FORMAT, "not the output of digest --json (not an object)");
	else if (!bl_json_int(doc, "version", &version))
		ok = bl_fail(err, BL_E_FORMAT, "not the output of digest --json (no \"version\")");
	else if (version != BL_KEYS_VERSION)
		ok = bl_fail(err, BL_E_FORMAT, "version %lld: this bakelens reads version %d",
		        (long long)version, BL_KEYS_VERSION);
	ok = ok && read_asked(doc, &out->asked, err);
	const json_t *targets = ok ? json_object_get(doc, "targets") : NULL;
	if (ok && !json_is_object(targets))
		ok = bl_fail(err, BL_E_FORMAT, "targets: expected an object");
	const char *name;
	const json_t *tv;
	if (ok) {
		json_object_foreach((json_t *)targets, name, tv)
		{
			if (!(ok = read_target(out, name, tv, err)))
				break;
		}
	}
	json_decref(doc);
	return ok;
}

/* ---- comparison ---- */

static const struct bl_target_keys *find_target(const struct bl_keys *k, const char *name)
{
	for (size_t i = 0; i < k->targets.len; i++) {
		const struct bl_target_keys *tk = bl_vec_get(&k->targets, i);
		if (strcmp(tk->name, name) == 0)
			return tk;
	}
	return NULL;
}

static const struct bl_platform_keys *find_platform(
        const struct bl_target_keys *tk, const char *platform)
{
	for (size_t i = 0; i < tk->platforms.len; i++) {
		const struct bl_platform_keys *pk = bl_vec_get(&tk->platforms, i);
		if (strcmp(pk->platform, platform) == 0)
			return pk;
	}
	return NULL;
}

/* One line when the key differs (set on one side only counts). */
static size_t key_line(struct bl_vec *lines, const char *target, const char *platform,
        enum bl_what w, bool old_has, const struct bl_digest *old, bool cur_has,
        const struct bl_digest *cur)
{
	if (old_has == cur_has && (!cur_has || bl_digest_equal(old, cur)))
		return 0;
	bl_vec_push_take(lines, bl_asprintf("%s%s%s %s: %s -> %s", target, platform ? " " : "",
	                                platform ? platform : "", bl_keys_name(w),
	                                old_has ? old->str : "none", cur_has ? cur->str : "none"));
	return 1;
}

static size_t compare_platforms(const struct bl_target_keys *o, const struct bl_target_keys *c,
        unsigned both, struct bl_vec *lines)
{
	size_t n = 0;
	for (size_t i = 0; i < c->platforms.len; i++) {
		const struct bl_platform_keys *cp = bl_vec_get(&c->platforms, i);
		const struct bl_platform_keys *op = find_platform(o, cp->platform);
		if (!op) {
			bl_vec_push_take(
			        lines, bl_asprintf("%s %s: platform added", c->name, cp->platform));
			n++;
			continue;
		}
		for (enum bl_what w = BL_WHAT_MANIFEST; w <= BL_WHAT_CHAIN_ID; w++)
			if (both & (1u << w))
				n += key_line(lines, c->name, cp->platform, w, op->has & (1u << w),
				        &op->key[w], cp->has & (1u << w), &cp->key[w]);
	}
	for (size_t i = 0; i < o->platforms.len; i++) {
		const struct bl_platform_keys *op = bl_vec_get(&o->platforms, i);
		if (!find_platform(c, op->platform)) {
			bl_vec_push_take(lines,
			        bl_asprintf("%s %s: platform removed", c->name, op->platform));
			n++;
		}
	}
	return n;
}

size_t bl_keys_compare(const struct bl_keys *old, const struct bl_keys *cur, struct bl_vec *lines)
{
	unsigned both = old->asked & cur->asked;
	size_t n = 0;
	for (size_t i = 0; i < cur->targets.len; i++) {
		const struct bl_target_keys *c = bl_vec_get(&cur->targets, i);
		const struct bl_target_keys *o = find_target(old, c->name);
		if (!o) {
			bl_vec_push_take(lines, bl_asprintf("%s: target added", c->name));
			n++;
			continue;
		}
		if (both & (1u << BL_WHAT_INDEX))
			n += key_line(lines, c->name, NULL, BL_WHAT_INDEX, o->has_index, &o->index,
			        c->has_index, &c->index);
		if (both & BL_KEYS_PLATFORM)
			n += compare_platforms(o, c, both, lines);
	}
	for (size_t i = 0; i < old->targets.len; i++) {
		const struct bl_target_keys *o = bl_vec_get(&old->targets, i);
		if (!find_target(cur, o->name)) {
			bl_vec_push_take(lines, bl_asprintf("%s: target removed", o->name));
			n++;
		}
	}
	return n;
}

/* Drop the items of `v` for which keep() says no, in place, order kept. */
static void vec_filter(
        struct bl_vec *v, bool (*keep)(const void *item, const void *ud), const void *ud)
{
	size_t out = 0;
	for (size_t i = 0; i < v->len; i++) {
		if (keep(v->items[i], ud))
			v->items[out++] = v->items[i];
		else
			v->free_fn(v->items[i]);
	}
	v->len = out;
}

static bool target_in(const void *item, const void *cur)
{
	return find_target(cur, ((const struct bl_target_keys *)item)->name) != NULL;
}

static bool platform_in(const void *item, const void *tk)
{
	return find_platform(tk, ((const struct bl_platform_keys *)item)->platform) != NULL;
}

void bl_keys_narrow(struct bl_keys *old, const struct bl_keys *cur, bool targets, bool platforms)
{
	if (targets)
		vec_filter(&old->targets, target_in, cur);
	if (!platforms)
		return;
	for (size_t i = 0; i < old->targets.len; i++) {
		struct bl_target_keys *o = bl_vec_get(&old->targets, i);
		const struct bl_target_keys *c = find_target(cur, o->name);
		if (c)
			vec_filter(&o->platforms, platform_in, c);
	}
}
