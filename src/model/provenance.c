/* SLSA provenance decoded: see include/bakelens/provenance.h.
 *
 * v0.2 and v1 carry the same BuildKit data under different paths (BuildKit
 * builds the v1 structure and converts it), so each version only finds the
 * objects and one set of functions reads them. Every read of a field that
 * is there but of the wrong type leaves a sentence in `problems`: a reader
 * of the decoded struct can tell "absent" from "unreadable". The layer map
 * and the words are in provenance_map.c. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/base64.h"
#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/provenance.h"

#define SLSA_PREFIX "https://slsa.dev/provenance/"
#define BK_EXT_V02 "https://mobyproject.org/buildkit@v1#metadata"

bool bl_prov_is_type(const char *pt)
{
	return pt && strncmp(pt, SLSA_PREFIX, strlen(SLSA_PREFIX)) == 0;
}

static void problem(struct bl_prov *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void problem(struct bl_prov *p, const char *fmt, ...)
{
	if (p->problems.len >= BL_PROV_LIST_MAX)
		return;
	va_list ap;
	va_start(ap, fmt);
	bl_vec_push_take(&p->problems, bl_vasprintf(fmt, ap));
	va_end(ap);
}

/* A copy of at most BL_PROV_STRING_MAX bytes. */
static char *dup_capped(struct bl_prov *p, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (n > BL_PROV_STRING_MAX) {
		p->capped = true;
		n = BL_PROV_STRING_MAX;
	}
	return bl_strndup(s, n);
}

/* obj[key] as a new string: NULL when absent; a problem when not a string. */
static char *str_at(struct bl_prov *p, const json_t *obj, const char *key, const char *where)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		problem(p, "%s.%s: not a string", where, key);
		return NULL;
	}
	return dup_capped(p, json_string_value(v));
}

/* obj[key] when it is an object; a problem when it is something else. */
static const json_t *obj_at(
        struct bl_prov *p, const json_t *obj, const char *key, const char *where)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (v && !json_is_object(v) && !json_is_null(v)) {
		problem(p, "%s.%s: not an object", where, key);
		return NULL;
	}
	return json_is_object(v) ? v : NULL;
}

static const json_t *arr_at(
        struct bl_prov *p, const json_t *obj, const char *key, const char *where)
{
	const json_t *v = json_is_object(obj) ? json_object_get(obj, key) : NULL;
	if (v && !json_is_array(v) && !json_is_null(v)) {
		problem(p, "%s.%s: not an array", where, key);
		return NULL;
	}
	return json_is_array(v) ? v : NULL;
}

/* {"sha256": hex, ...} -> "sha256:hex" (the first string value). */
static char *digest_text(struct bl_prov *p, const json_t *dg)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)dg, k, v)
	{
		if (json_is_string(v)) {
			char *s = bl_asprintf("%s:%s", k, json_string_value(v));
			char *r = dup_capped(p, s);
			free(s);
			return r;
		}
	}
	return NULL;
}

/* ---- dependencies ---- */

static void dep_free(void *x)
{
	struct bl_prov_dep *d = x;
	if (!d)
		return;
	free(d->uri);
	free(d->name);
	free(d->digest);
	free(d);
}

static void kv_free(void *x)
{
	struct bl_prov_kv *kv = x;
	if (!kv)
		return;
	free(kv->key);
	free(kv->value);
	free(kv);
}

static void deps_decode(struct bl_prov *p, const json_t *arr, const char *where)
{
	size_t i;
	const json_t *m;
	json_array_foreach(arr, i, m)
	{
		if (i >= BL_PROV_LIST_MAX) {
			p->capped = true;
			break;
		}
		if (!json_is_object(m)) {
			problem(p, "%s[%zu]: not an object", where, i);
			continue;
		}
		struct bl_prov_dep *d = bl_calloc(1, sizeof *d);
		d->uri = str_at(p, m, "uri", where);
		const json_t *dg = obj_at(p, m, "digest", where);
		d->digest = dg ? digest_text(p, dg) : NULL;
		char *img = d->uri ? bl_prov_purl_image(d->uri) : NULL;
		d->image = img != NULL;
		if (img)
			d->name = img;
		else if (d->uri)
			d->name = bl_strndup(d->uri, strcspn(d->uri, "#"));
		else
			d->name = bl_strdup("?");
		bl_vec_push_take(&p->deps, d);
	}
}

/* ---- the frontend request ---- */

static char *json_value_text(struct bl_prov *p, const json_t *v)
{
	if (json_is_string(v))
		return dup_capped(p, json_string_value(v));
	char *s = bl_json_compact(v);
	char *r = dup_capped(p, s ? s : "");
	free(s);
	return r;
}

static void ids_decode(struct bl_prov *p, const json_t *arr, const char *key, struct bl_vec *out,
        const char *where)
{
	size_t i;
	const json_t *x;
	json_array_foreach(arr, i, x)
	{
		if (i >= BL_PROV_LIST_MAX) {
			p->capped = true;
			break;
		}
		char *id = json_is_string(x) ? dup_capped(p, json_string_value(x))
		                             : str_at(p, x, key, where);
		if (id)
			bl_vec_push_take(out, id);
		else
			problem(p, "%s[%zu]: no %s", where, i, key);
	}
}

static void request_decode(struct bl_prov *p, const json_t *req, const char *where)
{
	if (!req)
		return;
	p->frontend = str_at(p, req, "frontend", where);
	const json_t *args = obj_at(p, req, "args", where);
	const char *k;
	const json_t *v;
	size_t n = 0;
	json_object_foreach((json_t *)args, k, v)
	{
		if (n++ >= BL_PROV_LIST_MAX) {
			p->capped = true;
			break;
		}
		struct bl_prov_kv *kv = bl_calloc(1, sizeof *kv);
		kv->key = dup_capped(p, k);
		kv->value = json_value_text(p, v);
		bl_vec_push_take(&p->args, kv);
	}
	char *w = bl_asprintf("%s.secrets", where);
	ids_decode(p, arr_at(p, req, "secrets", where), "id", &p->secrets, w);
	free(w);
	w = bl_asprintf("%s.ssh", where);
	ids_decode(p, arr_at(p, req, "ssh", where), "id", &p->ssh, w);
	free(w);
	w = bl_asprintf("%s.locals", where);
	ids_decode(p, arr_at(p, req, "locals", where), "name", &p->locals, w);
	free(w);
}

static void config_source_decode(struct bl_prov *p, const json_t *cs, const char *where)
{
	if (!cs)
		return;
	p->source_uri = str_at(p, cs, "uri", where);
	const json_t *dg = obj_at(p, cs, "digest", where);
	p->source_digest = dg ? digest_text(p, dg) : NULL;
	p->source_path = str_at(p, cs, "path", where);
	if (!p->source_path)
		p->source_path = str_at(p, cs, "entryPoint", where);
}

/* ---- LLB steps ---- */

static void step_free(void *x)
{
	struct bl_prov_step *s = x;
	if (!s)
		return;
	free(s->id);
	free(s->identifier);
	free(s->args);
	bl_vec_fini(&s->env);
	free(s->inputs);
	free(s);
}

static void chain_free(void *x)
{
	struct bl_prov_chain *c = x;
	if (!c)
		return;
	free(c->digests);
	free(c);
}

/* The index of the step called `id` ("step3", or "step3:0" with an
 * output), -1 when none is. Steps are usually named by their position. */
static int step_index(const struct bl_prov *p, const char *id, size_t len)
{
	if (len > 4 && strncmp(id, "step", 4) == 0) {
		char *end;
		long k = strtol(id + 4, &end, 10);
		if (end == id + len && k >= 0 && (size_t)k < p->steps.len) {
			const struct bl_prov_step *s = bl_vec_get(&p->steps, (size_t)k);
			if (strlen(s->id) == len && strncmp(s->id, id, len) == 0)
				return (int)k;
		}
	}
	for (size_t i = 0; i < p->steps.len; i++) {
		const struct bl_prov_step *s = bl_vec_get(&p->steps, i);
		if (strlen(s->id) == len && strncmp(s->id, id, len) == 0)
			return (int)i;
	}
	return -1;
}

static void exec_decode(struct bl_prov *p, struct bl_prov_step *s, const json_t *ex)
{
	const json_t *meta = bl_json_obj(ex, "meta");
	const json_t *args = bl_json_arr(meta, "args");
	struct bl_buf b;
	bl_buf_init(&b);
	size_t i;
	const json_t *a;
	json_array_foreach(args, i, a)
	{
		if (json_is_string(a) && b.len < BL_PROV_STRING_MAX)
			bl_buf_printf(&b, "%s%s", b.len ? " " : "", json_string_value(a));
	}
	char *joined = bl_buf_take(&b);
	s->args = dup_capped(p, joined);
	free(joined);
	json_array_foreach(bl_json_arr(meta, "env"), i, a)
	{
		if (i >= BL_PROV_LIST_MAX)
			break;
		if (json_is_string(a))
			bl_vec_push_take(&s->env, dup_capped(p, json_string_value(a)));
	}
}

static void step_decode(struct bl_prov *p, const json_t *x, size_t i)
{
	struct bl_prov_step *s = bl_calloc(1, sizeof *s);
	bl_vec_init(&s->env, free);
	char where[64];
	snprintf(where, sizeof where, "llbDefinition[%zu]", i);
	s->id = str_at(p, x, "id", where);
	if (!s->id)
		s->id = bl_asprintf("step%zu", i);
	const json_t *op = bl_json_obj(bl_json_obj(x, "op"), "Op");
	static const struct {
		const char *key;
		enum bl_prov_op op;
	} ops[] = {{"source", BL_PROV_OP_SOURCE}, {"exec", BL_PROV_OP_EXEC},
	        {"file", BL_PROV_OP_FILE}, {"merge", BL_PROV_OP_MERGE}, {"diff", BL_PROV_OP_DIFF},
	        {"build", BL_PROV_OP_BUILD}};
	for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
		const json_t *o = bl_json_obj(op, ops[k].key);
		if (!o)
			continue;
		s->op = ops[k].op;
		if (s->op == BL_PROV_OP_SOURCE)
			s->identifier = str_at(p, o, "identifier", where);
		else if (s->op == BL_PROV_OP_EXEC)
			exec_decode(p, s, o);
		break;
	}
	bl_vec_push_take(&p->steps, s);
}

/* Inputs after every step is known: they name steps by id. */
static void step_inputs(struct bl_prov *p, const json_t *llb)
{
	for (size_t i = 0; i < p->steps.len; i++) {
		struct bl_prov_step *s = bl_vec_get(&p->steps, i);
		const json_t *in = bl_json_arr(json_array_get(llb, i), "inputs");
		size_t n = json_array_size(in);
		if (n > BL_PROV_LIST_MAX)
			n = BL_PROV_LIST_MAX;
		s->inputs = bl_calloc(n ? n : 1, sizeof *s->inputs);
		for (size_t k = 0; k < n; k++) {
			const char *ref = json_string_value(json_array_get(in, k));
			s->inputs[k] = ref ? step_index(p, ref, strcspn(ref, ":")) : -1;
		}
		s->ninputs = n;
	}
}

static void llb_decode(struct bl_prov *p, const json_t *bc, const char *where)
{
	const json_t *llb = arr_at(p, bc, "llbDefinition", where);
	if (!llb)
		return;
	p->max_mode = true;
	size_t i;
	const json_t *x;
	json_array_foreach(llb, i, x)
	{
		if (i >= BL_PROV_STEPS_MAX) {
			p->capped = true;
			problem(p, "%s.llbDefinition: %zu steps, only the first %d read", where,
			        json_array_size(llb), BL_PROV_STEPS_MAX);
			break;
		}
		if (!json_is_object(x)) {
			problem(p, "%s.llbDefinition[%zu]: not an object", where, i);
			x = NULL;
		}
		step_decode(p, x, i);
	}
	step_inputs(p, llb);
}

/* ---- BuildKit's extension: sources, layers, vcs ---- */

static void locations_decode(struct bl_prov *p, const json_t *locs)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)locs, k, v)
	{
		int si = step_index(p, k, strlen(k));
		if (si < 0)
			continue;
		struct bl_prov_step *s = bl_vec_get(&p->steps, (size_t)si);
		const json_t *first = json_array_get(bl_json_arr(v, "locations"), 0);
		int64_t idx = 0;
		bl_json_int(first, "sourceIndex", &idx);
		s->source_index = idx >= 0 && idx < 1024 ? (int)idx : -1;
		size_t i;
		const json_t *r;
		json_array_foreach(bl_json_arr(first, "ranges"), i, r)
		{
			int64_t a = 0, b = 0;
			bl_json_int(bl_json_obj(r, "start"), "line", &a);
			bl_json_int(bl_json_obj(r, "end"), "line", &b);
			if (a <= 0 || a > 1000000)
				continue;
			if (b < a || b > 1000000)
				b = a;
			if (!s->line_first || a < s->line_first)
				s->line_first = (int)a;
			if (b > s->line_last)
				s->line_last = (int)b;
		}
	}
}

static void dockerfile_decode(struct bl_prov *p, const json_t *info)
{
	p->dockerfile_name = str_at(p, info, "filename", "source.infos[0]");
	const json_t *data = json_object_get(info, "data");
	if (!data || json_is_null(data))
		return;
	if (!json_is_string(data)) {
		p->dockerfile_error = bl_strdup("not a string");
		problem(p, "source.infos[0].data: not a string");
		return;
	}
	const char *s = json_string_value(data);
	size_t len = strlen(s), max = (BL_PROV_TEXT_MAX / 3) * 4;
	char *part = NULL;
	if (len > max) {
		p->capped = true;
		part = bl_strndup(s, max);
		s = part;
	}
	struct bl_buf b;
	bl_buf_init(&b);
	if (bl_base64_decode(s, &b)) {
		bl_digest_compute(BL_DIGEST_SHA256, b.data, b.len, &p->dockerfile_digest);
		p->dockerfile = bl_buf_take(&b);
	} else {
		bl_buf_fini(&b);
		p->dockerfile_error = bl_strdup("not valid base64");
		problem(p, "source.infos[0].data: not valid base64");
	}
	free(part);
}

static void chains_decode(struct bl_prov *p, const json_t *layers)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)layers, k, v)
	{
		int si = step_index(p, k, strcspn(k, ":"));
		size_t i;
		const json_t *chain;
		json_array_foreach(v, i, chain)
		{
			if (p->chains.len >= BL_PROV_LIST_MAX) {
				p->capped = true;
				return;
			}
			size_t n = json_array_size(chain);
			if (!n || n > BL_PROV_LIST_MAX)
				continue;
			struct bl_prov_chain *c = bl_calloc(1, sizeof *c);
			c->step = si;
			c->n = n;
			c->digests = bl_calloc(n, sizeof *c->digests);
			for (size_t j = 0; j < n; j++)
				bl_digest_parse(bl_json_str(json_array_get(chain, j), "digest"),
				        &c->digests[j], NULL);
			bl_vec_push_take(&p->chains, c);
		}
	}
}

static void extension_decode(struct bl_prov *p, const json_t *ext)
{
	if (!ext)
		return;
	const json_t *vcs = obj_at(p, ext, "vcs", "buildkit_metadata");
	p->vcs_source = str_at(p, vcs, "source", "vcs");
	p->vcs_revision = str_at(p, vcs, "revision", "vcs");
	const json_t *src = obj_at(p, ext, "source", "buildkit_metadata");
	const json_t *infos = arr_at(p, src, "infos", "source");
	if (json_is_object(json_array_get(infos, 0)))
		dockerfile_decode(p, json_array_get(infos, 0));
	locations_decode(p, obj_at(p, src, "locations", "source"));
	chains_decode(p, obj_at(p, ext, "layers", "buildkit_metadata"));
}

/* ---- the two versions ---- */

static void decode_v1(struct bl_prov *p, const json_t *pred)
{
	const json_t *bd = obj_at(p, pred, "buildDefinition", "predicate");
	const json_t *rd = obj_at(p, pred, "runDetails", "predicate");
	p->build_type = str_at(p, bd, "buildType", "buildDefinition");
	p->builder_id = str_at(p, obj_at(p, rd, "builder", "runDetails"), "id", "builder");
	deps_decode(p, arr_at(p, bd, "resolvedDependencies", "buildDefinition"),
	        "resolvedDependencies");
	const json_t *ep = obj_at(p, bd, "externalParameters", "buildDefinition");
	config_source_decode(
	        p, obj_at(p, ep, "configSource", "externalParameters"), "configSource");
	request_decode(p, obj_at(p, ep, "request", "externalParameters"), "request");
	const json_t *ip = obj_at(p, bd, "internalParameters", "buildDefinition");
	p->builder_platform = str_at(p, ip, "builderPlatform", "internalParameters");
	llb_decode(p, obj_at(p, ip, "buildConfig", "internalParameters"), "buildConfig");
	const json_t *md = obj_at(p, rd, "metadata", "runDetails");
	/* BuildKit writes invocationID; the SLSA schema says invocationId. */
	p->invocation_id = str_at(p, md, "invocationID", "metadata");
	if (!p->invocation_id)
		p->invocation_id = str_at(p, md, "invocationId", "metadata");
	p->started = str_at(p, md, "startedOn", "metadata");
	p->finished = str_at(p, md, "finishedOn", "metadata");
	const json_t *c = obj_at(p, md, "buildkit_completeness", "metadata");
	p->complete_request = bl_json_bool(c, "request", false);
	p->complete_deps = bl_json_bool(c, "resolvedDependencies", false);
	extension_decode(p, obj_at(p, md, "buildkit_metadata", "metadata"));
}

static void decode_v02(struct bl_prov *p, const json_t *pred)
{
	p->build_type = str_at(p, pred, "buildType", "predicate");
	p->builder_id = str_at(p, obj_at(p, pred, "builder", "predicate"), "id", "builder");
	deps_decode(p, arr_at(p, pred, "materials", "predicate"), "materials");
	const json_t *inv = obj_at(p, pred, "invocation", "predicate");
	config_source_decode(p, obj_at(p, inv, "configSource", "invocation"), "configSource");
	request_decode(p, obj_at(p, inv, "parameters", "invocation"), "parameters");
	p->builder_platform =
	        str_at(p, obj_at(p, inv, "environment", "invocation"), "platform", "environment");
	llb_decode(p, obj_at(p, pred, "buildConfig", "predicate"), "buildConfig");
	const json_t *md = obj_at(p, pred, "metadata", "predicate");
	p->invocation_id = str_at(p, md, "buildInvocationID", "metadata");
	p->started = str_at(p, md, "buildStartedOn", "metadata");
	p->finished = str_at(p, md, "buildFinishedOn", "metadata");
	const json_t *c = obj_at(p, md, "completeness", "metadata");
	p->complete_request = bl_json_bool(c, "parameters", false);
	p->complete_deps = bl_json_bool(c, "materials", false);
	extension_decode(p, obj_at(p, md, BK_EXT_V02, "metadata"));
}

struct bl_prov *bl_prov_decode(const json_t *doc, struct bl_error *err)
{
	if (!json_is_object(doc)) {
		bl_fail(err, BL_E_FORMAT, "provenance: not a JSON object");
		return NULL;
	}
	const char *pt = bl_json_str(doc, "predicateType");
	const json_t *pred = doc;
	if (pt || json_object_get(doc, "_type")) {
		if (!bl_prov_is_type(pt)) {
			bl_fail(err, BL_E_FORMAT,
			        "statement: predicate type is not SLSA provenance");
			return NULL;
		}
		pred = bl_json_obj(doc, "predicate");
		if (!pred) {
			bl_fail(err, BL_E_FORMAT, "provenance statement: no predicate object");
			return NULL;
		}
	}
	struct bl_prov *p = bl_calloc(1, sizeof *p);
	bl_vec_init(&p->deps, dep_free);
	bl_vec_init(&p->args, kv_free);
	bl_vec_init(&p->secrets, free);
	bl_vec_init(&p->ssh, free);
	bl_vec_init(&p->locals, free);
	bl_vec_init(&p->steps, step_free);
	bl_vec_init(&p->chains, chain_free);
	bl_vec_init(&p->problems, free);
	p->predicate_type = dup_capped(p, pt);
	p->v1 = json_object_get(pred, "buildDefinition") ||
	        (pt && strcmp(pt, SLSA_PREFIX "v1") == 0);
	if (p->v1)
		decode_v1(p, pred);
	else
		decode_v02(p, pred);
	return p;
}

void bl_prov_free(struct bl_prov *p)
{
	if (!p)
		return;
	free(p->predicate_type);
	free(p->build_type);
	free(p->builder_id);
	bl_vec_fini(&p->deps);
	free(p->frontend);
	bl_vec_fini(&p->args);
	bl_vec_fini(&p->secrets);
	bl_vec_fini(&p->ssh);
	bl_vec_fini(&p->locals);
	free(p->source_uri);
	free(p->source_digest);
	free(p->source_path);
	free(p->vcs_source);
	free(p->vcs_revision);
	free(p->builder_platform);
	free(p->invocation_id);
	free(p->started);
	free(p->finished);
	free(p->dockerfile_name);
	free(p->dockerfile);
	free(p->dockerfile_error);
	bl_vec_fini(&p->steps);
	bl_vec_fini(&p->chains);
	bl_vec_fini(&p->problems);
	free(p);
}
