/* Provenance put to use: which step made which layer, the Dockerfile lines
 * of a step, image names of dependencies, the statement of an image, and
 * the decoded provenance as JSON. Reads what provenance.c decoded. */
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/model.h"
#include "bakelens/provenance.h"
#include "bakelens/ref.h"

#define WORDS_MAX 96 /* characters of an instruction quoted in a sentence */

static bool chain_matches(const struct bl_prov_chain *c, const struct bl_digest *layers, size_t i)
{
	if (c->n != i + 1)
		return false;
	for (size_t k = 0; k <= i; k++)
		if (!bl_digest_equal(&c->digests[k], &layers[k]))
			return false;
	return true;
}

int bl_prov_layer_step(const struct bl_prov *p, const struct bl_digest *layers, size_t n, size_t i)
{
	if (!p || i >= n)
		return -1;
	int best = -1;
	for (size_t k = 0; k < p->chains.len; k++) {
		const struct bl_prov_chain *c = bl_vec_get(&p->chains, k);
		if (c->step < 0 || !chain_matches(c, layers, i))
			continue;
		const struct bl_prov_step *s = bl_vec_get(&p->steps, (size_t)c->step);
		/* The terminal step repeats its input's chain: a step with lines
		 * (the instruction itself) says more. */
		bool good = s->op != BL_PROV_OP_NONE && s->line_first > 0;
		if (good)
			return c->step;
		if (best < 0)
			best = c->step;
	}
	return best;
}

char *bl_prov_dockerfile_line(const struct bl_prov *p, int line)
{
	if (!p || !p->dockerfile || line <= 0)
		return NULL;
	const char *s = p->dockerfile;
	for (int l = 1; l < line; l++) {
		s = strchr(s, '\n');
		if (!s)
			return NULL;
		s++;
	}
	if (!*s && line > 1)
		return NULL;
	size_t n = strcspn(s, "\n");
	if (n && s[n - 1] == '\r')
		n--;
	return bl_strndup(s, n);
}

char *bl_prov_step_words(const struct bl_prov *p, int step)
{
	if (!p || step < 0 || (size_t)step >= p->steps.len)
		return NULL;
	const struct bl_prov_step *s = bl_vec_get(&p->steps, (size_t)step);
	if (s->line_first <= 0 || s->source_index != 0)
		return NULL;
	struct bl_buf b;
	bl_buf_init(&b);
	const char *file = p->dockerfile_name ? p->dockerfile_name : "Dockerfile";
	bl_buf_printf(&b, "%s:%d", file, s->line_first);
	if (s->line_last > s->line_first)
		bl_buf_printf(&b, "-%d", s->line_last);
	struct bl_buf t;
	bl_buf_init(&t);
	for (int l = s->line_first; l <= s->line_last && t.len <= WORDS_MAX; l++) {
		char *text = bl_prov_dockerfile_line(p, l);
		if (!text)
			break;
		/* A continued line: the backslash and the indent are layout only. */
		size_t n = strlen(text);
		while (n && (text[n - 1] == '\\' || text[n - 1] == ' ' || text[n - 1] == '\t'))
			n--;
		const char *start = text + strspn(text, " \t");
		if (n > (size_t)(start - text))
			bl_buf_printf(&t, "%s%.*s", t.len ? " " : "",
			        (int)(n - (size_t)(start - text)), start);
		free(text);
	}
	if (t.len) {
		if (t.len > WORDS_MAX)
			bl_buf_printf(&b, " `%.*s...`", WORDS_MAX, bl_buf_str(&t));
		else
			bl_buf_printf(&b, " `%s`", bl_buf_str(&t));
	}
	bl_buf_fini(&t);
	return bl_buf_take(&b);
}

char *bl_prov_purl_image(const char *uri)
{
	const char *rest = NULL;
	if (strncmp(uri, "pkg:docker/", 11) == 0)
		rest = uri + 11;
	else if (strncmp(uri, "pkg:oci/", 8) == 0)
		rest = uri + 8;
	if (!rest)
		return NULL;
	char *s = bl_strndup(rest, strcspn(rest, "?#"));
	char *at = strrchr(s, '@');
	char *text;
	if (at) {
		*at = '\0';
		const char *ver = at + 1;
		text = bl_asprintf("%s%s%s", s, strchr(ver, ':') ? "@" : ":", ver);
	} else {
		text = bl_strdup(s);
	}
	free(s);
	struct bl_ref r;
	if (!bl_ref_parse(text, &r, NULL))
		return text;
	free(text);
	char *out = bl_ref_format(&r);
	bl_ref_fini(&r);
	return out;
}

/* ---- the statement of an image ---- */

static bool attests(const struct bl_node *a, const struct bl_node *m)
{
	if (a->kind != BL_NODE_ATTESTATION || !a->has_desc || !m->has_desc)
		return false;
	const char *d = bl_descriptor_annotation(&a->desc, "vnd.docker.reference.digest");
	return d && strcmp(d, m->desc.digest.str) == 0;
}

const struct bl_node *bl_prov_statement_of(const struct bl_node *m)
{
	if (!m || m->kind != BL_NODE_MANIFEST || !m->parent || !m->has_desc)
		return NULL;
	const struct bl_node *ix = m->parent;
	for (size_t i = 0; i < ix->children.len; i++) {
		const struct bl_node *a = bl_vec_get(&ix->children, i);
		if (!attests(a, m))
			continue;
		for (size_t k = 0; k < a->children.len; k++) {
			const struct bl_node *s = bl_vec_get(&a->children, k);
			if (s->kind == BL_NODE_STATEMENT && bl_prov_is_type(s->predicate_type) &&
			        s->doc)
				return s;
		}
	}
	return NULL;
}

struct bl_prov *bl_prov_of_image(const struct bl_node *m)
{
	const struct bl_node *s = bl_prov_statement_of(m);
	return s ? bl_prov_decode(s->doc, NULL) : NULL;
}

size_t bl_prov_image_layers(const struct bl_node *m, struct bl_digest **out)
{
	size_t n = 0;
	*out = NULL;
	if (!m)
		return 0;
	for (size_t i = 0; i < m->children.len; i++)
		n += ((const struct bl_node *)bl_vec_get(&m->children, i))->kind == BL_NODE_LAYER;
	if (!n)
		return 0;
	struct bl_digest *d = bl_calloc(n, sizeof *d);
	size_t k = 0;
	for (size_t i = 0; i < m->children.len; i++) {
		const struct bl_node *c = bl_vec_get(&m->children, i);
		if (c->kind == BL_NODE_LAYER)
			d[k++] = c->desc.digest;
	}
	*out = d;
	return n;
}

char *bl_prov_layer_words(const struct bl_node *layer)
{
	if (!layer || layer->kind != BL_NODE_LAYER || !layer->layer)
		return NULL;
	struct bl_prov *p = bl_prov_of_image(layer->parent);
	if (!p)
		return NULL;
	struct bl_digest *d;
	size_t n = bl_prov_image_layers(layer->parent, &d);
	int step = bl_prov_layer_step(p, d, n, (size_t)layer->layer->index);
	char *w = bl_prov_step_words(p, step);
	free(d);
	bl_prov_free(p);
	return w;
}

/* ---- JSON ---- */

static json_t *str_or_null(const char *s)
{
	json_t *v = s ? json_string(s) : NULL;
	return v ? v : json_null();
}

static json_t *names_json(const struct bl_vec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->len; i++)
		json_array_append_new(a, str_or_null(bl_vec_get(v, i)));
	return a;
}

static const char *op_name(enum bl_prov_op op)
{
	static const char *const names[] = {
	        "none", "source", "exec", "file", "merge", "diff", "build"};
	return (size_t)op < sizeof names / sizeof names[0] ? names[op] : "none";
}

static json_t *steps_json(const struct bl_prov *p)
{
	json_t *a = json_array();
	for (size_t i = 0; i < p->steps.len; i++) {
		const struct bl_prov_step *s = bl_vec_get(&p->steps, i);
		json_t *j = json_object();
		json_object_set_new(j, "id", str_or_null(s->id));
		json_object_set_new(j, "op", json_string(op_name(s->op)));
		json_object_set_new(j, "identifier", str_or_null(s->identifier));
		json_object_set_new(j, "args", str_or_null(s->args));
		json_t *in = json_array();
		for (size_t k = 0; k < s->ninputs; k++)
			json_array_append_new(in, json_integer(s->inputs[k]));
		json_object_set_new(j, "inputs", in);
		json_object_set_new(j, "firstLine",
		        s->line_first > 0 ? json_integer(s->line_first) : json_null());
		json_object_set_new(
		        j, "lastLine", s->line_last > 0 ? json_integer(s->line_last) : json_null());
		char *w = bl_prov_step_words(p, (int)i);
		json_object_set_new(j, "instruction", str_or_null(w));
		free(w);
		json_array_append_new(a, j);
	}
	return a;
}

json_t *bl_prov_json(const struct bl_prov *p)
{
	json_t *j = json_object();
	json_object_set_new(j, "predicateType", str_or_null(p->predicate_type));
	json_object_set_new(j, "version", json_string(p->v1 ? "v1" : "v0.2"));
	json_object_set_new(j, "mode", json_string(p->max_mode ? "max" : "min"));
	json_object_set_new(j, "buildType", str_or_null(p->build_type));
	json_object_set_new(j, "builderId", str_or_null(p->builder_id));
	json_object_set_new(j, "frontend", str_or_null(p->frontend));
	json_t *deps = json_array();
	for (size_t i = 0; i < p->deps.len; i++) {
		const struct bl_prov_dep *d = bl_vec_get(&p->deps, i);
		json_t *dj = json_object();
		json_object_set_new(dj, "uri", str_or_null(d->uri));
		json_object_set_new(dj, "name", str_or_null(d->name));
		json_object_set_new(dj, "digest", str_or_null(d->digest));
		json_object_set_new(dj, "image", json_boolean(d->image));
		json_array_append_new(deps, dj);
	}
	json_object_set_new(j, "dependencies", deps);
	json_t *args = json_object();
	for (size_t i = 0; i < p->args.len; i++) {
		const struct bl_prov_kv *kv = bl_vec_get(&p->args, i);
		json_object_set_new(args, kv->key, str_or_null(kv->value));
	}
	json_object_set_new(j, "args", args);
	json_object_set_new(j, "secrets", names_json(&p->secrets));
	json_object_set_new(j, "ssh", names_json(&p->ssh));
	json_object_set_new(j, "locals", names_json(&p->locals));
	json_t *src = json_object();
	json_object_set_new(src, "uri", str_or_null(p->source_uri));
	json_object_set_new(src, "digest", str_or_null(p->source_digest));
	json_object_set_new(src, "path", str_or_null(p->source_path));
	json_object_set_new(src, "vcsSource", str_or_null(p->vcs_source));
	json_object_set_new(src, "vcsRevision", str_or_null(p->vcs_revision));
	json_object_set_new(j, "source", src);
	json_object_set_new(j, "builderPlatform", str_or_null(p->builder_platform));
	json_object_set_new(j, "invocationId", str_or_null(p->invocation_id));
	json_object_set_new(j, "startedOn", str_or_null(p->started));
	json_object_set_new(j, "finishedOn", str_or_null(p->finished));
	json_t *comp = json_object();
	json_object_set_new(comp, "request", json_boolean(p->complete_request));
	json_object_set_new(comp, "dependencies", json_boolean(p->complete_deps));
	json_object_set_new(j, "completeness", comp);
	json_t *df = json_object();
	json_object_set_new(df, "name", str_or_null(p->dockerfile_name));
	json_object_set_new(df, "text", str_or_null(p->dockerfile));
	json_object_set_new(df, "error", str_or_null(p->dockerfile_error));
	json_object_set_new(df, "digest",
	        str_or_null(
	                bl_digest_is_set(&p->dockerfile_digest) ? p->dockerfile_digest.str : NULL));
	json_object_set_new(j, "dockerfile", df);
	json_object_set_new(j, "steps", steps_json(p));
	json_object_set_new(j, "layerChains", json_integer((json_int_t)p->chains.len));
	json_object_set_new(j, "capped", json_boolean(p->capped));
	json_object_set_new(j, "problems", names_json(&p->problems));
	return j;
}
