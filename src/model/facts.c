/* Facts about a node for the detail pane and reports.
 *
 * Every key and value goes through bl_text_safe: annotation keys, labels,
 * env values and build args are input data and can hold anything. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/json.h"
#include "bakelens/mem.h"
#include "bakelens/model.h"
#include "bakelens/signature.h"
#include "bakelens/provenance.h"
#include "bakelens/text.h"

#define FACT_LIST_MAX 200 /* repeated facts per group (env, labels, materials...) */
#define PACKAGE_NAMES 5

void bl_fact_free(void *p)
{
	struct bl_fact *f = p;
	if (!f)
		return;
	free(f->key);
	free(f->value);
	free(f);
}

static void add(struct bl_vec *facts, const char *key, const char *value)
{
	if (!value)
		return;
	struct bl_fact *f = bl_malloc(sizeof *f);
	f->key = bl_text_safe(key);
	f->value = bl_text_safe(value);
	bl_vec_push_take(facts, f);
}

static void addf(struct bl_vec *facts, const char *key, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
static void addf(struct bl_vec *facts, const char *key, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *v = bl_vasprintf(fmt, ap);
	va_end(ap);
	add(facts, key, v);
	free(v);
}

/* A JSON value as one line: strings as they are, the rest compact. */
static void add_json(struct bl_vec *facts, const char *key, const json_t *v)
{
	if (!v || json_is_null(v))
		return;
	if (json_is_string(v)) {
		add(facts, key, json_string_value(v));
		return;
	}
	char *s = bl_json_compact(v);
	add(facts, key, s);
	free(s);
}

static void add_prefixed_object(struct bl_vec *facts, const char *prefix, const json_t *obj)
{
	const char *k;
	json_t *v;
	size_t n = 0;
	json_object_foreach((json_t *)obj, k, v)
	{
		if (n++ >= FACT_LIST_MAX)
			break;
		char *key = bl_asprintf("%s:%s", prefix, k);
		add_json(facts, key, v);
		free(key);
	}
}

static void add_size(struct bl_vec *facts, int64_t size)
{
	if (size < 0)
		return;
	char human[32];
	bl_text_size(size, human, sizeof human);
	addf(facts, "size", "%lld bytes (%s)", (long long)size, human);
}

static void desc_facts(const struct bl_node *n, struct bl_vec *facts)
{
	const struct bl_descriptor *d = &n->desc;
	if (bl_digest_is_set(&d->digest))
		add(facts, "digest", d->digest.str);
	if (d->media_type) {
		add(facts, "media_type", d->media_type);
		const struct bl_mediatype *mt = bl_mediatype_find(d->media_type);
		if (mt && mt->summary)
			add(facts, "type", mt->summary);
	}
	add_size(facts, d->size);
	if (d->has_platform) {
		char *p = bl_platform_format(&d->platform);
		add(facts, "platform", p);
		free(p);
		if (d->platform.os_version)
			add(facts, "os_version", d->platform.os_version);
	}
	add(facts, "artifact_type", d->artifact_type);
	if (json_is_object(d->annotations))
		add_prefixed_object(facts, "annotation", d->annotations);
}

static void config_facts(const json_t *c, struct bl_vec *facts)
{
	add(facts, "created", bl_json_str(c, "created"));
	add(facts, "author", bl_json_str(c, "author"));
	const char *os = bl_json_str(c, "os");
	const char *arch = bl_json_str(c, "architecture");
	const char *variant = bl_json_str(c, "variant");
	if (os || arch)
		addf(facts, "os/arch", "%s/%s%s%s", os ? os : "?", arch ? arch : "?",
		        variant ? "/" : "", variant ? variant : "");
	json_t *cc = bl_json_obj(c, "config");
	if (cc) {
		add(facts, "user", bl_json_str(cc, "User"));
		add(facts, "workdir", bl_json_str(cc, "WorkingDir"));
		add_json(facts, "entrypoint", json_object_get(cc, "Entrypoint"));
		add_json(facts, "cmd", json_object_get(cc, "Cmd"));
		json_t *env = bl_json_arr(cc, "Env");
		size_t i;
		json_t *v;
		json_array_foreach(env, i, v)
		{
			if (i >= FACT_LIST_MAX)
				break;
			add_json(facts, "env", v);
		}
		json_t *labels = bl_json_obj(cc, "Labels");
		if (labels)
			add_prefixed_object(facts, "label", labels);
		const char *k;
		json_t *x;
		size_t n = 0;
		json_object_foreach(bl_json_obj(cc, "ExposedPorts"), k, x)
		{
			if (n++ >= FACT_LIST_MAX)
				break;
			add(facts, "exposed_port", k);
		}
		n = 0;
		json_object_foreach(bl_json_obj(cc, "Volumes"), k, x)
		{
			if (n++ >= FACT_LIST_MAX)
				break;
			add(facts, "volume", k);
		}
		add(facts, "stop_signal", bl_json_str(cc, "StopSignal"));
	}
	json_t *hist = bl_json_arr(c, "history");
	if (hist) {
		size_t empty = 0;
		size_t i;
		json_t *h;
		json_array_foreach(hist, i, h)
		{
			if (bl_json_bool(h, "empty_layer", false))
				empty++;
		}
		addf(facts, "history", "%zu entries (%zu empty_layer)", json_array_size(hist),
		        empty);
	}
	json_t *diff_ids = bl_json_arr(bl_json_obj(c, "rootfs"), "diff_ids");
	if (diff_ids)
		addf(facts, "diff_ids", "%zu", json_array_size(diff_ids));
}

/* SLSA provenance, v0.2 or v1, as the decoder reads it (provenance.h). */
static void slsa_facts(const json_t *doc, struct bl_vec *facts)
{
	struct bl_prov *p = bl_prov_decode(doc, NULL);
	if (!p)
		return;
	add(facts, "builder_id", p->builder_id);
	add(facts, "build_type", p->build_type);
	add(facts, "provenance_mode", p->max_mode ? "max" : "min");
	add(facts, "config_source", p->source_uri);
	add(facts, "config_source_digest", p->source_digest);
	add(facts, p->v1 ? "config_source_path" : "config_source_entry_point", p->source_path);
	add(facts, "vcs_source", p->vcs_source);
	add(facts, "vcs_revision", p->vcs_revision);
	add(facts, "frontend", p->frontend);
	for (size_t i = 0; i < p->args.len && i < FACT_LIST_MAX; i++) {
		const struct bl_prov_kv *kv = bl_vec_get(&p->args, i);
		char *key = bl_asprintf("build_arg:%s", kv->key);
		add(facts, key, kv->value);
		free(key);
	}
	for (size_t i = 0; i < p->deps.len && i < FACT_LIST_MAX; i++) {
		const struct bl_prov_dep *d = bl_vec_get(&p->deps, i);
		if (d->digest)
			addf(facts, "material", "%s@%s", d->uri ? d->uri : "?", d->digest);
		else
			add(facts, "material", d->uri ? d->uri : "?");
	}
	for (size_t i = 0; i < p->secrets.len && i < FACT_LIST_MAX; i++)
		add(facts, "secret", bl_vec_get(&p->secrets, i));
	for (size_t i = 0; i < p->ssh.len && i < FACT_LIST_MAX; i++)
		add(facts, "ssh", bl_vec_get(&p->ssh, i));
	add(facts, "builder_platform", p->builder_platform);
	add(facts, "invocation_id", p->invocation_id);
	add(facts, "started_on", p->started);
	add(facts, "finished_on", p->finished);
	if (p->dockerfile || p->dockerfile_error)
		addf(facts, "dockerfile", "%s: %s",
		        p->dockerfile_name ? p->dockerfile_name : "Dockerfile",
		        p->dockerfile_error ? p->dockerfile_error : "in the statement");
	if (bl_digest_is_set(&p->dockerfile_digest))
		add(facts, "dockerfile_digest", p->dockerfile_digest.str);
	if (p->max_mode)
		addf(facts, "llb_steps", "%zu%s", p->steps.len, p->capped ? " (capped)" : "");
	for (size_t i = 0; i < p->problems.len && i < FACT_LIST_MAX; i++)
		add(facts, "problem", bl_vec_get(&p->problems, i));
	bl_prov_free(p);
}

static void spdx_facts(const json_t *p, struct bl_vec *facts)
{
	add(facts, "spdx_version", bl_json_str(p, "spdxVersion"));
	add(facts, "sbom_name", bl_json_str(p, "name"));
	json_t *pk = bl_json_arr(p, "packages");
	if (!pk)
		return;
	addf(facts, "packages", "%zu", json_array_size(pk));
	size_t i;
	json_t *x;
	json_array_foreach(pk, i, x)
	{
		if (i >= PACKAGE_NAMES)
			break;
		const char *name = bl_json_str(x, "name");
		const char *ver = bl_json_str(x, "versionInfo");
		if (name)
			addf(facts, "package", "%s%s%s", name, ver ? " " : "", ver ? ver : "");
	}
}

static void statement_facts(const json_t *s, struct bl_vec *facts)
{
	add(facts, "statement_type", bl_json_str(s, "_type"));
	const char *pt = bl_json_str(s, "predicateType");
	add(facts, "predicate_type", pt);
	json_t *subj = bl_json_arr(s, "subject");
	size_t i;
	json_t *x;
	json_array_foreach(subj, i, x)
	{
		if (i >= FACT_LIST_MAX)
			break;
		const char *name = bl_json_str(x, "name");
		const char *sha = bl_json_str(bl_json_obj(x, "digest"), "sha256");
		addf(facts, "subject", "%s%ssha256:%s", name ? name : "", name ? "@" : "",
		        sha ? sha : "?");
	}
	json_t *p = bl_json_obj(s, "predicate");
	if (!pt || !p)
		return;
	if (bl_prov_is_type(pt))
		slsa_facts(s, facts);
	else if (strstr(pt, "spdx.dev"))
		spdx_facts(p, facts);
}

static void target_facts(const struct bl_node *n, struct bl_vec *facts)
{
	const json_t *m = n->doc;
	const char *names = bl_json_str(m, "image.name");
	if (names) {
		const char *p = names;
		size_t count = 0;
		while (*p && count++ < FACT_LIST_MAX) {
			size_t len = strcspn(p, ",");
			char *one = bl_strndup(p, len);
			add(facts, "image_name", one);
			free(one);
			p += len;
			if (*p == ',')
				p++;
		}
	} else if (n->name) {
		add(facts, "name", n->name);
	}
	add(facts, "buildx_ref", bl_json_str(m, "buildx.build.ref"));
	add_json(facts, "image_digest", json_object_get(m, "containerimage.digest"));
	add_json(facts, "config_digest", json_object_get(m, "containerimage.config.digest"));
	if (n->children.len) {
		const struct bl_node *r = bl_vec_get(&n->children, 0);
		if (r->has_desc && bl_digest_is_set(&r->desc.digest)) {
			add(facts, "root", r->desc.digest.str);
			add(facts, "root_kind", bl_node_kind_name(r->kind));
		}
	}
	if (n->store && n->store->source)
		add(facts, "source", n->store->source);
}

static void layer_facts(const struct bl_layer_info *li, struct bl_vec *facts)
{
	addf(facts, "position", "%d of %d", li->index + 1, li->count);
	if (li->has_diff_id)
		add(facts, "diff_id", li->diff_id.str);
	if (li->has_chain_id)
		add(facts, "chain_id", li->chain_id.str);
	add(facts, "compression", bl_compression_name(li->comp));
	static const char *const blob[] = {"missing", "present", "verified", "digest mismatch"};
	if ((size_t)li->blob < sizeof blob / sizeof blob[0])
		add(facts, "blob", blob[li->blob]);
	add(facts, "created_by", li->created_by);
	add(facts, "created", li->created);
	add(facts, "comment", li->comment);
}

static void blob_fact(struct bl_vec *facts, const char *key, const json_t *j)
{
	int64_t size = -1;
	bl_json_int(j, "size", &size);
	char sz[32] = "";
	if (size >= 0)
		bl_text_size(size, sz, sizeof sz);
	char *v = !bl_json_bool(j, "present", false) ? bl_strdup("absent")
	          : bl_json_bool(j, "inFile", false)
	                  ? bl_asprintf("present, %s", sz)
	                  : bl_asprintf("recorded, %s, not in the file", sz);
	add(facts, key, v);
	free(v);
}

/* A build history record's fields (bl_node_record_json), one fact each. */
static void record_facts(const struct bl_node *n, struct bl_vec *facts)
{
	json_t *r = bl_node_record_json(n);
	if (!r)
		return;
	add(facts, "record_ref", bl_json_str(r, "ref"));
	add(facts, "record_name", bl_json_str(r, "name"));
	add(facts, "record_status", bl_json_str(r, "status"));
	add(facts, "error", bl_json_str(bl_json_obj(r, "error"), "message"));
	add(facts, "frontend", bl_json_str(r, "frontend"));
	add(facts, "target", bl_json_str(r, "target"));
	add(facts, "filename", bl_json_str(r, "filename"));
	add(facts, "context", bl_json_str(r, "context"));
	const char *k;
	json_t *v;
	size_t nargs = 0;
	json_object_foreach(bl_json_obj(r, "buildArgs"), k, v)
	{
		if (nargs++ >= FACT_LIST_MAX)
			break;
		char *key = bl_asprintf("build_arg:%s", k);
		add(facts, key, json_string_value(v));
		free(key);
	}
	size_t i;
	json_array_foreach(bl_json_arr(r, "platforms"), i, v)
	        add(facts, "platform", json_string_value(v));
	size_t nattrs = 0;
	json_object_foreach(bl_json_obj(r, "frontendAttrs"), k, v)
	{
		if (strncmp(k, "build-arg:", 10) == 0 || !json_is_string(v))
			continue;
		if (nattrs++ >= FACT_LIST_MAX)
			break;
		char *key = bl_asprintf("frontend_attr:%s", k);
		add(facts, key, json_string_value(v));
		free(key);
	}
	add(facts, "started", bl_json_str(r, "createdAt"));
	add(facts, "completed", bl_json_str(r, "completedAt"));
	int64_t ms;
	if (bl_json_int(r, "durationMs", &ms)) {
		char d[48];
		snprintf(d, sizeof d, "%" PRId64 ".%03" PRId64 " s", ms / 1000, ms % 1000);
		add(facts, "duration", d);
	}
	const json_t *st = bl_json_obj(r, "steps");
	char steps[96];
	int64_t done = 0, total = 0, cached = 0;
	bl_json_int(st, "completed", &done);
	bl_json_int(st, "total", &total);
	bl_json_int(st, "cached", &cached);
	snprintf(steps, sizeof steps, "%" PRId64 "/%" PRId64 " completed, %" PRId64 " cached", done,
	        total, cached);
	add(facts, "steps", steps);
	json_array_foreach(bl_json_arr(r, "exporters"), i, v)
	        add(facts, "exporter", json_string_value(v));
	const json_t *resp = bl_json_obj(r, "exporterResponse");
	json_array_foreach(bl_json_arr(resp, "imageNames"), i, v)
	        add(facts, "image_name", json_string_value(v));
	add(facts, "containerimage.digest", bl_json_str(resp, "containerImageDigest"));
	json_array_foreach(bl_json_arr(r, "provenance"), i, v)
	{
		add(facts, "provenance", bl_json_str(v, "predicateType"));
		add(facts, "builder_id", bl_json_str(v, "builderId"));
		int64_t m;
		if (bl_json_int(v, "materials", &m)) {
			char mt[32];
			snprintf(mt, sizeof mt, "%" PRId64, m);
			add(facts, "materials", mt);
		}
	}
	blob_fact(facts, "logs", bl_json_obj(r, "logs"));
	blob_fact(facts, "trace", bl_json_obj(r, "trace"));
	json_decref(r);
}

/* What a referrer is and who claims to have signed it; never verified. */
static void referrer_facts(const struct bl_node *n, struct bl_vec *facts)
{
	const struct bl_referrer *r = n->referrer;
	if (!r)
		return;
	add(facts, "referrer", bl_referrer_kind_name(r->kind));
	add(facts, "predicate_type", r->kind == BL_REFERRER_ATTESTATION ? r->predicate_type : NULL);
	add(facts, "signer", r->identity);
	if (r->signed_)
		add(facts, "verified", "no (the signer is what its certificate claims)");
}

void bl_node_facts(const struct bl_node *n, struct bl_vec *facts)
{
	if (!n)
		return;
	add(facts, "kind", bl_node_kind_name(n->kind));
	if (n->has_desc)
		desc_facts(n, facts);
	add(facts, "status", bl_node_status_name(n->status));
	add(facts, "status_message", n->status_msg);
	if (n->synthesised)
		add(facts, "synthesised", "yes: made by bakelens, not stored in the source");
	add(facts, "note", n->note);
	if (n->store && n->store->source && n->kind != BL_NODE_TARGET)
		add(facts, "source", n->store->source);

	switch (n->kind) {
	case BL_NODE_BUILD: {
		/* Targets only: build-level information (warnings) is no target. */
		size_t targets = 0;
		for (size_t i = 0; i < n->children.len; i++)
			targets += ((const struct bl_node *)bl_vec_get(&n->children, i))->kind ==
			           BL_NODE_TARGET;
		addf(facts, "targets", "%zu", targets);
		break;
	}
	case BL_NODE_TARGET:
		target_facts(n, facts);
		break;
	case BL_NODE_INDEX:
		addf(facts, "manifests", "%zu", json_array_size(bl_json_arr(n->doc, "manifests")));
		break;
	case BL_NODE_MANIFEST:
	case BL_NODE_ATTESTATION:
		if (n->doc) {
			add(facts, "manifest_artifact_type", bl_json_str(n->doc, "artifactType"));
			addf(facts, "layers", "%zu",
			        json_array_size(bl_json_arr(n->doc, "layers")));
			const char *subj = bl_json_str(bl_json_obj(n->doc, "subject"), "digest");
			add(facts, "subject", subj);
		}
		if (n->has_desc)
			add(facts, "attests",
			        bl_descriptor_annotation(&n->desc, "vnd.docker.reference.digest"));
		add(facts, "predicate_type", n->predicate_type);
		record_facts(n, facts);
		break;
	case BL_NODE_CONFIG:
		if (n->doc)
			config_facts(n->doc, facts);
		break;
	case BL_NODE_LAYER:
		if (n->layer) {
			layer_facts(n->layer, facts);
			/* mode=max provenance: the instruction that made it. */
			char *w = bl_prov_layer_words(n);
			add(facts, "dockerfile_lines", w);
			free(w);
		}
		break;
	case BL_NODE_STATEMENT:
		if (n->doc && bl_json_str(n->doc, "predicateType"))
			statement_facts(n->doc, facts);
		else if (n->doc && n->predicate_type && bl_prov_is_type(n->predicate_type)) {
			/* a bare predicate (build history records hold them so) */
			add(facts, "predicate_type", n->predicate_type);
			slsa_facts(n->doc, facts);
		} else if (n->doc)
			statement_facts(n->doc, facts);
		else
			add(facts, "predicate_type", n->predicate_type);
		break;
	case BL_NODE_INFO:
		if (n->label && strncmp(n->label, "provenance", 10) == 0)
			slsa_facts(n->doc, facts);
		else if (json_is_array(n->doc))
			addf(facts, "entries", "%zu", json_array_size(n->doc));
		else if (json_is_string(n->doc))
			add(facts, "value", json_string_value(n->doc));
		break;
	case BL_NODE_BLOB:
		break;
	}
	referrer_facts(n, facts);
}
