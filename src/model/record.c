/* Build history records: the `.dockerbuild` files of `docker buildx history
 * export`. Each record is an OCI manifest whose config is the record JSON
 * (Go encoding/json over BuildKit's BuildHistoryRecord, plus buildx's
 * localState), with the build's logs (protobuf, left undecoded), its trace
 * and its provenance predicates as layers. graph.c reads the documents; this
 * file only decodes what is already read, so nothing here can fail. */
#include "model_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/provenance.h"
#include "bakelens/text.h"

#define RECORD_LABEL_ERR 100 /* bytes of an error message kept in a label */

/* The record document of a record manifest, or NULL. */
static const json_t *record_doc(const struct bl_node *n)
{
	if (!n || (n->kind != BL_NODE_MANIFEST && n->kind != BL_NODE_ATTESTATION))
		return NULL;
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&n->children, i);
		if (c->has_desc && c->desc.media_type &&
		        bl_mediatype_kind(c->desc.media_type) == BL_MEDIA_RECORD &&
		        json_is_object(c->doc))
			return c->doc;
	}
	return NULL;
}

bool bl_node_is_record(const struct bl_node *n)
{
	return record_doc(n) != NULL;
}

/* The first layer child of n with media type mt, or NULL. */
static const struct bl_node *layer_of_type(const struct bl_node *n, const char *mt)
{
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&n->children, i);
		if (c->has_desc && c->desc.media_type && strcmp(c->desc.media_type, mt) == 0)
			return c;
	}
	return NULL;
}

static const char *attr(const json_t *doc, const char *key)
{
	return bl_json_str(bl_json_obj(doc, "FrontendAttrs"), key);
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

/* The last path segment of s (a URL or a path), ".git" dropped. */
static char *base_name(const char *s)
{
	size_t len = strlen(s);
	while (len > 0 && s[len - 1] == '/')
		len--;
	size_t start = len;
	while (start > 0 && s[start - 1] != '/')
		start--;
	size_t n = len - start;
	if (n > 4 && strncmp(s + start + n - 4, ".git", 4) == 0)
		n -= 4;
	char *out = bl_malloc(n + 1);
	memcpy(out, s + start, n);
	out[n] = '\0';
	return out;
}

/* The name buildx shows for a record: an explicit name, else the source
 * repository's or the local directory's name, with the target after it
 * (as `docker buildx history ls` does). Never NULL. */
static char *record_name(const json_t *doc)
{
	const char *explicit_name = nonempty(bl_json_str(doc, "Name"));
	if (!explicit_name)
		explicit_name = nonempty(attr(doc, "build-arg:BUILDKIT_BUILD_NAME"));
	if (explicit_name)
		return bl_strdup(explicit_name);
	char *base = NULL;
	const char *src = nonempty(attr(doc, "vcs:source"));
	const char *local = nonempty(bl_json_str(bl_json_obj(doc, "localState"), "LocalPath"));
	if (src)
		base = base_name(src);
	if ((!base || !*base) && local) {
		free(base);
		base = base_name(local);
	}
	if ((!base || !*base) && nonempty(attr(doc, "filename"))) {
		free(base);
		base = bl_strdup(attr(doc, "filename"));
	}
	const char *target = nonempty(attr(doc, "target"));
	if (!base || !*base) {
		free(base);
		return bl_strdup(target ? target : "build");
	}
	if (!target)
		return base;
	char *both = bl_asprintf("%s (%s)", base, target);
	free(base);
	return both;
}

/* ---- times ---- */

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* A record time in milliseconds since the epoch: RFC 3339 text, or the
 * {seconds, nanos} object of protobuf's Timestamp. False when absent or
 * unreadable. */
static bool time_ms(const json_t *v, int64_t *out)
{
	if (json_is_object(v)) {
		int64_t s = 0, ns = 0;
		if (!bl_json_int(v, "seconds", &s))
			return false;
		bl_json_int(v, "nanos", &ns);
		if (s < -(INT64_C(1) << 40) || s > (INT64_C(1) << 40))
			return false;
		*out = s * 1000 + ns / 1000000;
		return true;
	}
	if (!json_is_string(v))
		return false;
	const char *s = json_string_value(v);
	int y, mo, d, h, mi, se, used = 0;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &se, &used) != 6 ||
	        used < 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return false;
	const char *p = s + used;
	int64_t ms = 0;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 3)
				ms = ms * 10 + (*p - '0');
		for (; digits > 0 && digits < 3; digits++)
			ms *= 10;
	}
	int64_t off = 0;
	if ((*p == '+' || *p == '-') && strlen(p) == 6) {
		int oh = 0, om = 0;
		if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2)
			return false;
		off = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
	} else if (strcmp(p, "Z") != 0 && strcmp(p, "z") != 0) {
		return false;
	}
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	*out = secs * 1000 + ms;
	return true;
}

/* A record time as text: the string as recorded, else RFC 3339 made from
 * {seconds, nanos}. NULL when absent. */
static char *time_text(const json_t *v)
{
	if (json_is_string(v))
		return bl_strdup(json_string_value(v));
	int64_t ms;
	if (!time_ms(v, &ms))
		return NULL;
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400;
	/* civil_from_days */
	int64_t z = days + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	int64_t d = doy - (153 * mp + 2) / 5 + 1;
	int64_t m = mp < 10 ? mp + 3 : mp - 9;
	int64_t y = yoe + era * 400 + (m <= 2);
	return bl_asprintf("%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64
	                   ":%02" PRId64 ".%03" PRId64 "Z",
	        y, m, d, rem / 3600, rem / 60 % 60, rem % 60, ms - secs * 1000);
}

static bool duration_ms(const json_t *doc, int64_t *out)
{
	int64_t a, b;
	if (!time_ms(json_object_get(doc, "CreatedAt"), &a) ||
	        !time_ms(json_object_get(doc, "CompletedAt"), &b) || b < a)
		return false;
	*out = b - a;
	return true;
}

/* ---- status ---- */

static const json_t *record_error(const json_t *doc)
{
	const json_t *e = bl_json_obj(doc, "error");
	int64_t code = 0;
	if (e && (nonempty(bl_json_str(e, "message")) || (bl_json_int(e, "code", &code) && code)))
		return e;
	return NULL;
}

static const char *record_status(const json_t *doc)
{
	if (record_error(doc))
		return "error";
	if (json_object_get(doc, "CompletedAt") &&
	        !json_is_null(json_object_get(doc, "CompletedAt")))
		return "completed";
	return "running";
}

/* A count the record omits when zero. */
static int64_t count(const json_t *doc, const char *key)
{
	int64_t v = 0;
	bl_json_int(doc, key, &v);
	return v;
}

/* The first line of an error message, at most RECORD_LABEL_ERR bytes, cut
 * on a character boundary. */
static char *short_message(const char *msg)
{
	size_t n = strcspn(msg, "\r\n");
	bool cut = n > RECORD_LABEL_ERR;
	if (cut) {
		n = RECORD_LABEL_ERR;
		while (n > 0 && ((unsigned char)msg[n] & 0xC0) == 0x80)
			n--;
	}
	return bl_asprintf("%.*s%s", (int)n, msg, cut ? "..." : "");
}

void model_record_mark(struct bl_node *n)
{
	const json_t *doc = record_doc(n);
	if (!doc)
		return;
	/* A record whose layers are all provenance is still a record. */
	n->kind = BL_NODE_MANIFEST;
	char *name = record_name(doc);
	const char *ref = bl_json_str(doc, "Ref");
	const json_t *e = record_error(doc);
	char *state;
	if (e) {
		const char *msg = bl_json_str(e, "message");
		char *shortm = short_message(msg ? msg : "");
		state = bl_asprintf("error: %s", shortm);
		free(shortm);
	} else {
		state = bl_strdup(record_status(doc));
	}
	int64_t cached = count(doc, "numCachedSteps");
	char cachedtxt[48] = "";
	if (cached)
		snprintf(cachedtxt, sizeof cachedtxt, " (%" PRId64 " cached)", cached);
	free(n->label);
	n->label = bl_asprintf("build record: %s (ref %s): %s, steps %" PRId64 "/%" PRId64 "%s",
	        name, ref ? ref : "?", state, count(doc, "numCompletedSteps"),
	        count(doc, "numTotalSteps"), cachedtxt);
	free(state);
	free(name);
	for (size_t i = 0; i < n->children.len; i++) {
		struct bl_node *c = bl_vec_get(&n->children, i);
		const char *mt = c->has_desc ? c->desc.media_type : NULL;
		const char *label = NULL;
		if (mt && strcmp(mt, BL_MT_BUILDKIT_LOGS) == 0)
			label = "build logs";
		else if (mt && strcmp(mt, BL_MT_BUILDKIT_TRACE) == 0)
			label = "build trace";
		else if (mt && bl_mediatype_kind(mt) == BL_MEDIA_RECORD)
			label = "record";
		else if (c->kind == BL_NODE_STATEMENT)
			label = "provenance";
		if (label) {
			free(c->label);
			c->label = bl_strdup(label);
		}
	}
}

/* ---- JSON ---- */

static void set_str(json_t *o, const char *key, const char *s)
{
	json_t *v = s ? json_string(s) : NULL;
	json_object_set_new(o, key, v ? v : json_null());
}

/* logs/trace: the layer in the file, else the descriptor the record holds. */
static json_t *blob_json(
        const struct bl_node *n, const json_t *doc, const char *mt, const char *key)
{
	json_t *o = json_object();
	const struct bl_node *l = layer_of_type(n, mt);
	const json_t *d = bl_json_obj(doc, key);
	int64_t size = -1;
	const char *digest = NULL;
	if (l) {
		size = l->desc.size;
		digest = l->desc.digest.str;
	} else if (d) {
		bl_json_int(d, "size", &size);
		digest = bl_json_str(d, "digest");
	}
	json_object_set_new(o, "present", json_boolean(l || d));
	json_object_set_new(o, "inFile", json_boolean(l && l->status == BL_STATUS_OK));
	if (size >= 0)
		json_object_set_new(o, "size", json_integer(size));
	if (digest)
		set_str(o, "digest", digest);
	return o;
}

static json_t *split_json(const char *s)
{
	json_t *a = json_array();
	while (s && *s) {
		size_t n = strcspn(s, ",");
		char *part = bl_asprintf("%.*s", (int)n, s);
		json_t *v = json_string(part);
		if (v && n)
			json_array_append_new(a, v);
		else
			json_decref(v);
		free(part);
		s += n;
		if (*s == ',')
			s++;
	}
	return a;
}

json_t *bl_node_record_json(const struct bl_node *n)
{
	const json_t *doc = record_doc(n);
	if (!doc)
		return NULL;
	json_t *r = json_object();
	set_str(r, "ref", bl_json_str(doc, "Ref"));
	char *name = record_name(doc);
	set_str(r, "name", name);
	free(name);
	set_str(r, "frontend", bl_json_str(doc, "Frontend"));
	json_t *fa = bl_json_obj(doc, "FrontendAttrs");
	json_object_set_new(r, "frontendAttrs", fa ? json_deep_copy(fa) : json_object());
	json_t *args = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(fa, k, v)
	{
		if (strncmp(k, "build-arg:", 10) == 0 && json_is_string(v))
			json_object_set(args, k + 10, v);
	}
	json_object_set_new(r, "buildArgs", args);
	set_str(r, "target", attr(doc, "target"));
	json_object_set_new(r, "platforms", split_json(attr(doc, "platform")));
	set_str(r, "filename", attr(doc, "filename"));
	const char *ctx = attr(doc, "context");
	set_str(r, "context", ctx ? ctx : attr(doc, "vcs:localdir:context"));
	set_str(r, "defaultPlatform", bl_json_str(doc, "DefaultPlatform"));
	set_str(r, "status", record_status(doc));
	const json_t *e = record_error(doc);
	if (e) {
		json_t *ej = json_object();
		int64_t code = 0;
		bl_json_int(e, "code", &code);
		json_object_set_new(ej, "code", json_integer(code));
		set_str(ej, "message", bl_json_str(e, "message"));
		json_object_set_new(r, "error", ej);
	} else {
		json_object_set_new(r, "error", json_null());
	}
	char *t = time_text(json_object_get(doc, "CreatedAt"));
	set_str(r, "createdAt", t);
	free(t);
	t = time_text(json_object_get(doc, "CompletedAt"));
	set_str(r, "completedAt", t);
	free(t);
	int64_t ms;
	json_object_set_new(
	        r, "durationMs", duration_ms(doc, &ms) ? json_integer(ms) : json_null());
	json_t *steps = json_object();
	json_object_set_new(steps, "cached", json_integer(count(doc, "numCachedSteps")));
	json_object_set_new(steps, "completed", json_integer(count(doc, "numCompletedSteps")));
	json_object_set_new(steps, "total", json_integer(count(doc, "numTotalSteps")));
	json_object_set_new(r, "steps", steps);
	json_object_set_new(r, "warnings", json_integer(count(doc, "numWarnings")));
	json_t *exporters = json_array();
	size_t i;
	json_array_foreach(bl_json_arr(doc, "Exporters"), i, v)
	{
		const char *type = bl_json_str(v, "Type");
		json_t *s = type ? json_string(type) : NULL;
		if (s)
			json_array_append_new(exporters, s);
	}
	json_object_set_new(r, "exporters", exporters);
	const json_t *resp = bl_json_obj(doc, "ExporterResponse");
	json_t *rj = json_object();
	json_object_set_new(rj, "imageNames", split_json(bl_json_str(resp, "image.name")));
	set_str(rj, "containerImageDigest", bl_json_str(resp, "containerimage.digest"));
	json_object_set_new(r, "exporterResponse", rj);
	json_t *prov = json_array();
	for (i = 0; i < n->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&n->children, i);
		if (c->kind != BL_NODE_STATEMENT)
			continue;
		json_t *p = json_object();
		set_str(p, "predicateType", c->predicate_type);
		if (c->has_desc)
			json_object_set_new(p, "size", json_integer(c->desc.size));
		/* The statement or the bare predicate buildx stores, decoded by the
		 * one SLSA reader. */
		struct bl_prov *pv = c->doc ? bl_prov_decode(c->doc, NULL) : NULL;
		set_str(p, "builderId", pv ? pv->builder_id : NULL);
		json_object_set_new(
		        p, "materials", pv ? json_integer((json_int_t)pv->deps.len) : json_null());
		bl_prov_free(pv);
		json_array_append_new(prov, p);
	}
	json_object_set_new(r, "provenance", prov);
	json_object_set_new(r, "logs", blob_json(n, doc, BL_MT_BUILDKIT_LOGS, "logs"));
	json_object_set_new(r, "trace", blob_json(n, doc, BL_MT_BUILDKIT_TRACE, "trace"));
	return r;
}
