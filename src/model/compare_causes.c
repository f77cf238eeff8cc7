/* Why an image pair differs, from their provenance statements: what went
 * into the two builds that is not the same (the input changes), and the
 * cause chain of the first layer whose ChainID differs.
 *
 * The cause chain says only what provenance shows: the step that made the
 * layer (mode=max maps layers to steps), then what changed in that step or
 * in what it reads: its own Dockerfile lines, a base image it builds on, a
 * build argument in its environment, the context it copies from. When none
 * of these changed, it says that provenance does not tell, rather than
 * guess. Times, invocation ids and the builder's own parameters are no
 * inputs: they differ in every build. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/mem.h"
#include "bakelens/provenance.h"
#include "compare_internal.h"

#define LINE_CHANGES_MAX 20 /* Dockerfile line changes listed per platform */
#define WALK_MAX 4096       /* steps visited looking for what a step reads */

void cmp_input_free(void *x)
{
	struct bl_cmp_input *in = x;
	if (!in)
		return;
	free(in->kind);
	free(in->name);
	free(in->left);
	free(in->right);
	free(in->sentence);
	free(in);
}

static void add_input_take(struct bl_vec *v, const char *kind, const char *name, const char *l,
        const char *r, char *sentence)
{
	struct bl_cmp_input *in = bl_calloc(1, sizeof *in);
	in->kind = bl_strdup(kind);
	in->name = bl_strdup(name ? name : "");
	in->left = l ? bl_strdup(l) : NULL;
	in->right = r ? bl_strdup(r) : NULL;
	in->sentence = sentence;
	bl_vec_push_take(v, in);
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* "sha256:4b7ce07002c6" (12 hex digits) for a sentence; "?" for none. */
static char *short_digest(const char *d)
{
	if (!d)
		return bl_strdup("(none)");
	const char *hex = strchr(d, ':');
	size_t pre = hex ? (size_t)(hex - d) + 1 : 0;
	size_t len = strlen(d);
	return bl_strndup(d, len - pre > 12 ? pre + 12 : len);
}

/* A commit as people write it: 12 hex digits after the algorithm. */
static char *short_commit(const char *d)
{
	if (!d)
		return bl_strdup("(none)");
	const char *hex = strchr(d, ':');
	hex = hex ? hex + 1 : d;
	return bl_strndup(hex, strlen(hex) > 12 ? 12 : strlen(hex));
}

static char *strip_fragment(const char *uri)
{
	return uri ? bl_strndup(uri, strcspn(uri, "#")) : NULL;
}

/* ---- dependencies ---- */

static const char *dep_key(const struct bl_prov_dep *d)
{
	/* A git URI carries its commit as #fragment: the name stays. */
	return d->image ? d->uri : d->name;
}

static const struct bl_prov_dep *dep_find(const struct bl_prov *p, const char *key)
{
	for (size_t i = 0; i < p->deps.len; i++) {
		const struct bl_prov_dep *d = bl_vec_get(&p->deps, i);
		if (key && str_eq(dep_key(d), key))
			return d;
	}
	return NULL;
}

static void deps_diff(const struct bl_prov *l, const struct bl_prov *r, struct bl_vec *out)
{
	/* The context's repository is said once, as the context. */
	char *lctx = strip_fragment(l->source_uri), *rctx = strip_fragment(r->source_uri);
	for (int side = 0; side < 2; side++) {
		const struct bl_prov *a = side ? r : l, *b = side ? l : r;
		for (size_t i = 0; i < a->deps.len; i++) {
			const struct bl_prov_dep *d = bl_vec_get(&a->deps, i);
			if (!d->image && (str_eq(d->name, lctx) || str_eq(d->name, rctx)))
				continue;
			const struct bl_prov_dep *o = dep_find(b, dep_key(d));
			const char *what = d->image ? "base image" : "dependency";
			const char *kind = d->image ? "base-image" : "dependency";
			if (!o) {
				char *sd = short_digest(d->digest);
				add_input_take(out, kind, d->name, side ? NULL : d->digest,
				        side ? d->digest : NULL,
				        bl_asprintf("%s %s %s (%s)", what, d->name,
				                side ? "added" : "removed", sd));
				free(sd);
			} else if (!side && !str_eq(d->digest, o->digest)) {
				char *a1 = short_digest(d->digest), *b1 = short_digest(o->digest);
				add_input_take(out, kind, d->name, d->digest, o->digest,
				        bl_asprintf("%s %s moved %s -> %s", what, d->name, a1, b1));
				free(a1);
				free(b1);
			}
		}
	}
	free(lctx);
	free(rctx);
}

/* ---- context and Dockerfile ---- */

static void context_diff(const struct bl_prov *l, const struct bl_prov *r, struct bl_vec *out)
{
	char *lu = strip_fragment(l->source_uri), *ru = strip_fragment(r->source_uri);
	if (!str_eq(lu, ru)) {
		add_input_take(out, "context", "context", l->source_uri, r->source_uri,
		        bl_asprintf("context %s -> %s", l->source_uri ? l->source_uri : "(local)",
		                r->source_uri ? r->source_uri : "(local)"));
	} else if (!str_eq(l->source_digest, r->source_digest)) {
		char *a = short_commit(l->source_digest), *b = short_commit(r->source_digest);
		add_input_take(out, "context", ru ? ru : "context", l->source_digest,
		        r->source_digest,
		        bl_asprintf("context %s commit %s -> %s", ru ? ru : "(local)", a, b));
		free(a);
		free(b);
	} else if (!l->source_digest && !str_eq(l->vcs_revision, r->vcs_revision)) {
		/* A local context has no digest; buildx's git hint is all there is. */
		char *a = short_commit(l->vcs_revision), *b = short_commit(r->vcs_revision);
		const char *src = r->vcs_source ? r->vcs_source : "(local)";
		add_input_take(out, "context", src, l->vcs_revision, r->vcs_revision,
		        bl_asprintf("context %s commit %s -> %s (buildx's git hint, not verified)",
		                src, a, b));
		free(a);
		free(b);
	}
	free(lu);
	free(ru);
	if (!str_eq(l->source_path, r->source_path))
		add_input_take(out, "dockerfile", "path", l->source_path, r->source_path,
		        bl_asprintf("Dockerfile path %s -> %s",
		                l->source_path ? l->source_path : "(none)",
		                r->source_path ? r->source_path : "(none)"));
}

/* The lines of a text, borrowed pointers into a copy the caller frees. */
static char **split_lines(const char *text, size_t *n, char **copy)
{
	*copy = bl_strdup(text);
	size_t cap = 16, k = 0;
	char **v = bl_malloc(cap * sizeof *v);
	char *s = *copy;
	while (*s) {
		if (k == cap) {
			cap *= 2;
			v = bl_realloc(v, cap * sizeof *v);
		}
		v[k++] = s;
		char *nl = strchr(s, '\n');
		if (!nl)
			break;
		*nl = '\0';
		s = nl + 1;
	}
	*n = k;
	return v;
}

static void line_change(struct bl_vec *out, int line, const char *a, const char *b)
{
	char *name = bl_asprintf("line %d", line);
	char *s;
	if (a && b)
		s = bl_asprintf("Dockerfile line %d: `%s` -> `%s`", line, a, b);
	else if (b)
		s = bl_asprintf("Dockerfile line %d added: `%s`", line, b);
	else
		s = bl_asprintf("Dockerfile line %d removed: `%s`", line, a);
	add_input_take(out, "dockerfile-line", name, a, b, s);
	free(name);
}

static void dockerfile_diff(const struct bl_prov *l, const struct bl_prov *r, struct bl_vec *out)
{
	for (int side = 0; side < 2; side++) {
		const struct bl_prov *p = side ? r : l;
		if (p->dockerfile_error)
			add_input_take(out, "dockerfile", "text", NULL, NULL,
			        bl_asprintf("Dockerfile text on the %s unreadable: %s",
			                side ? "right" : "left", p->dockerfile_error));
	}
	if (!l->dockerfile || !r->dockerfile || strcmp(l->dockerfile, r->dockerfile) == 0)
		return;
	char *lc, *rc;
	size_t nl, nr;
	char **la = split_lines(l->dockerfile, &nl, &lc),
	     **ra = split_lines(r->dockerfile, &nr, &rc);
	int *pl = bl_calloc(nl + nr + 1, sizeof *pl), *pr = bl_calloc(nl + nr + 1, sizeof *pr);
	bool *m = bl_calloc(nl + nr + 1, sizeof *m);
	size_t np =
	        bl_cmp_align((const char *const *)la, nl, (const char *const *)ra, nr, pl, pr, m);
	size_t said = 0, more = 0;
	for (size_t k = 0; k < np; k++) {
		if (m[k])
			continue;
		if (said >= LINE_CHANGES_MAX) {
			more++;
			continue;
		}
		int line = pr[k] >= 0 ? pr[k] + 1 : pl[k] + 1;
		line_change(
		        out, line, pl[k] >= 0 ? la[pl[k]] : NULL, pr[k] >= 0 ? ra[pr[k]] : NULL);
		said++;
	}
	if (more)
		add_input_take(out, "dockerfile", "text", NULL, NULL,
		        bl_asprintf("and %zu more Dockerfile lines changed", more));
	free(pl);
	free(pr);
	free(m);
	free(la);
	free(ra);
	free(lc);
	free(rc);
}

/* ---- the request ---- */

static const char *arg_value(const struct bl_prov *p, const char *key)
{
	for (size_t i = 0; i < p->args.len; i++) {
		const struct bl_prov_kv *kv = bl_vec_get(&p->args, i);
		if (strcmp(kv->key, key) == 0)
			return kv->value;
	}
	return NULL;
}

static void args_diff(const struct bl_prov *l, const struct bl_prov *r, struct bl_vec *out)
{
	for (int side = 0; side < 2; side++) {
		const struct bl_prov *a = side ? r : l, *b = side ? l : r;
		for (size_t i = 0; i < a->args.len; i++) {
			const struct bl_prov_kv *kv = bl_vec_get(&a->args, i);
			const char *o = arg_value(b, kv->key);
			const char *kind = strncmp(kv->key, "build-arg:", 10) == 0
			                           ? "build-arg"
			                           : "frontend-attr";
			if (!o)
				add_input_take(out, kind, kv->key, side ? NULL : kv->value,
				        side ? kv->value : NULL,
				        side ? bl_asprintf("%s added: %s", kv->key, kv->value)
				             : bl_asprintf(
				                       "%s removed (was %s)", kv->key, kv->value));
			else if (!side && strcmp(o, kv->value) != 0)
				add_input_take(out, kind, kv->key, kv->value, o,
				        bl_asprintf("%s %s -> %s", kv->key, kv->value, o));
		}
	}
}

static bool has_name(const struct bl_vec *v, const char *s)
{
	for (size_t i = 0; i < v->len; i++)
		if (strcmp(bl_vec_get(v, i), s) == 0)
			return true;
	return false;
}

static void names_diff(const struct bl_vec *l, const struct bl_vec *r, const char *kind,
        const char *what, struct bl_vec *out)
{
	for (size_t i = 0; i < l->len; i++)
		if (!has_name(r, bl_vec_get(l, i)))
			add_input_take(out, kind, bl_vec_get(l, i), bl_vec_get(l, i), NULL,
			        bl_asprintf(
			                "%s %s no longer used", what, (char *)bl_vec_get(l, i)));
	for (size_t i = 0; i < r->len; i++)
		if (!has_name(l, bl_vec_get(r, i)))
			add_input_take(out, kind, bl_vec_get(r, i), NULL, bl_vec_get(r, i),
			        bl_asprintf("%s %s now used", what, (char *)bl_vec_get(r, i)));
}

static void value_diff(
        struct bl_vec *out, const char *kind, const char *what, const char *a, const char *b)
{
	if (!str_eq(a, b))
		add_input_take(out, kind, kind, a, b,
		        bl_asprintf("%s %s -> %s", what, a ? a : "(none)", b ? b : "(none)"));
}

void cmp_inputs_diff(const struct bl_prov *l, const struct bl_prov *r, struct bl_vec *out)
{
	deps_diff(l, r, out);
	context_diff(l, r, out);
	dockerfile_diff(l, r, out);
	value_diff(out, "frontend", "frontend", l->frontend, r->frontend);
	if (l->complete_request != r->complete_request || l->max_mode != r->max_mode) {
		/* mode=min drops arguments, secrets and ssh: a list of removals would lie. */
		add_input_take(out, "provenance", "mode", l->max_mode ? "max" : "min",
		        r->max_mode ? "max" : "min",
		        bl_asprintf("provenance mode %s -> %s (arguments, secrets and ssh not "
		                    "compared)",
		                l->max_mode ? "max" : "min", r->max_mode ? "max" : "min"));
	} else {
		args_diff(l, r, out);
		names_diff(&l->secrets, &r->secrets, "secret", "secret", out);
		names_diff(&l->ssh, &r->ssh, "ssh", "ssh", out);
	}
	value_diff(out, "builder-platform", "builder platform", l->builder_platform,
	        r->builder_platform);
}

/* ---- the cause chain ---- */

/* The image name of a docker-image:// source, without its digest, and the
 * digest: "docker-image://docker.io/library/alpine:latest@sha256:..." */
static bool image_source(const struct bl_prov_step *s, char **name, char **digest)
{
	const char *pre = "docker-image://";
	if (s->op != BL_PROV_OP_SOURCE || !s->identifier ||
	        strncmp(s->identifier, pre, strlen(pre)) != 0)
		return false;
	const char *id = s->identifier + strlen(pre);
	const char *at = strchr(id, '@');
	*name = at ? bl_strndup(id, (size_t)(at - id)) : bl_strdup(id);
	*digest = at ? bl_strdup(at + 1) : NULL;
	return true;
}

/* The digest the left's steps give image `name`, NULL when none. */
static char *left_image_digest(const struct bl_prov *l, const char *name)
{
	for (size_t i = 0; i < l->steps.len; i++) {
		char *n, *d;
		if (!image_source(bl_vec_get(&l->steps, i), &n, &d))
			continue;
		bool same = strcmp(n, name) == 0;
		free(n);
		if (same)
			return d;
		free(d);
	}
	return NULL;
}

/* Steps `start` reads, itself included, by a walk over inputs: marks[i]. */
static void reach(const struct bl_prov *p, int start, bool *marks)
{
	int *stack = bl_malloc(WALK_MAX * sizeof *stack);
	size_t top = 0, seen = 0;
	stack[top++] = start;
	while (top && seen < WALK_MAX) {
		int i = stack[--top];
		if (i < 0 || (size_t)i >= p->steps.len || marks[i])
			continue;
		marks[i] = true;
		seen++;
		const struct bl_prov_step *s = bl_vec_get(&p->steps, (size_t)i);
		for (size_t k = 0; k < s->ninputs && top < WALK_MAX; k++)
			stack[top++] = s->inputs[k];
	}
	free(stack);
}

static bool env_has(const struct bl_prov_step *s, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < s->env.len; i++) {
		const char *e = bl_vec_get(&s->env, i);
		if (strncmp(e, name, n) == 0 && e[n] == '=')
			return true;
	}
	return false;
}

/* The instruction text of a step, without its file and line numbers. */
static const char *instruction_of(const char *words)
{
	const char *q = words ? strchr(words, '`') : NULL;
	return q ? q : "";
}

static void because(struct bl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void because(struct bl_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bl_buf_puts(b, b->len ? "; and " : "");
	bl_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

static void image_reasons(const struct bl_prov *l, const struct bl_prov *r, const bool *marks,
        int step, struct bl_buf *b)
{
	for (size_t i = 0; i < r->steps.len; i++) {
		char *name, *rd;
		if (!marks[i] || !image_source(bl_vec_get(&r->steps, i), &name, &rd))
			continue;
		char *ld = left_image_digest(l, name);
		if (ld && !str_eq(ld, rd)) {
			char *a = short_digest(ld), *c = short_digest(rd);
			because(b, "%s base image %s moved %s -> %s",
			        (int)i == step ? "its" : "its input changed because", name, a, c);
			free(a);
			free(c);
		}
		free(name);
		free(rd);
		free(ld);
	}
}

static void arg_reasons(const struct bl_prov_step *s, const struct bl_vec *inputs, struct bl_buf *b)
{
	for (size_t i = 0; i < inputs->len; i++) {
		const struct bl_cmp_input *in = bl_vec_get(inputs, i);
		if (strcmp(in->kind, "build-arg") != 0)
			continue;
		const char *name = in->name + strlen("build-arg:");
		if (env_has(s, name))
			bl_buf_printf(b, "%sbuild argument %s that it uses changed (%s -> %s)",
			        b->len ? "; and " : "", name, in->left ? in->left : "(unset)",
			        in->right ? in->right : "(unset)");
	}
}

static void context_reasons(
        const struct bl_prov *r, const bool *marks, const struct bl_vec *inputs, struct bl_buf *b)
{
	bool reads_context = false;
	for (size_t i = 0; i < r->steps.len; i++) {
		const struct bl_prov_step *s = bl_vec_get(&r->steps, i);
		if (marks[i] && s->op == BL_PROV_OP_SOURCE && s->identifier &&
		        (strncmp(s->identifier, "local://", 8) == 0 ||
		                strncmp(s->identifier, "git://", 6) == 0))
			reads_context = true;
	}
	if (!reads_context)
		return;
	for (size_t i = 0; i < inputs->len; i++) {
		const struct bl_cmp_input *in = bl_vec_get(inputs, i);
		if (strcmp(in->kind, "context") == 0) {
			because(b, "the files it copies changed: %s", in->sentence);
			return;
		}
	}
	because(b, "the files it copies may have changed (provenance records no digest of a "
	           "local context)");
}

char *cmp_cause_chain(const struct bl_prov *l, const struct bl_prov *r, int lstep, int rstep,
        const struct bl_vec *inputs)
{
	struct bl_buf b;
	bl_buf_init(&b);
	char *lw = bl_prov_step_words(l, lstep), *rw = bl_prov_step_words(r, rstep);
	if (lw && rw && strcmp(instruction_of(lw), instruction_of(rw)) != 0)
		because(&b, "its instruction changed: %s -> %s", instruction_of(lw),
		        instruction_of(rw));
	bool *marks = bl_calloc(r->steps.len + 1, sizeof *marks);
	if (rstep >= 0) {
		reach(r, rstep, marks);
		image_reasons(l, r, marks, rstep, &b);
		arg_reasons(bl_vec_get(&r->steps, (size_t)rstep), inputs, &b);
		context_reasons(r, marks, inputs, &b);
	}
	free(marks);
	free(lw);
	free(rw);
	if (!b.len)
		bl_buf_puts(&b, "provenance does not say why its input changed");
	return bl_buf_take(&b);
}

static char *first_input(const struct bl_vec *v);

static void chain_for(struct bl_cmp_platform *p, const struct bl_cmp_node *n,
        const struct bl_prov *l, const struct bl_prov *r)
{
	size_t i = (size_t)p->first_divergent;
	struct bl_digest *ld, *rd;
	size_t nl = bl_prov_image_layers(n->left, &ld), nr = bl_prov_image_layers(n->right, &rd);
	int lstep = bl_prov_layer_step(l, ld, nl, i), rstep = bl_prov_layer_step(r, rd, nr, i);
	const struct bl_prov *by = rstep >= 0 ? r : l;
	p->divergent_step = bl_prov_step_words(by, rstep >= 0 ? rstep : lstep);
	struct bl_buf b;
	bl_buf_init(&b);
	bl_buf_printf(&b, "cache breaks at layer %zu of %zu", i + 1, nr ? nr : nl);
	if (p->divergent_step) {
		char *why = cmp_cause_chain(l, r, lstep, rstep, &p->inputs);
		bl_buf_printf(&b, ", made by %s: %s", p->divergent_step, why);
		free(why);
	} else {
		bl_buf_puts(&b, ": provenance does not map this layer to a Dockerfile instruction");
	}
	p->cause = bl_buf_take(&b);
	free(ld);
	free(rd);
}

void cmp_causes_apply(struct bl_cmp_node *n)
{
	struct bl_cmp_platform *p = n->platform;
	if (!p || !n->left || !n->right)
		return;
	struct bl_prov *l = bl_prov_of_image(n->left), *r = bl_prov_of_image(n->right);
	p->left_provenance = l != NULL;
	p->right_provenance = r != NULL;
	bl_vec_init(&p->inputs, cmp_input_free);
	if (l && r) {
		p->max_mode = l->max_mode && r->max_mode;
		cmp_inputs_diff(l, r, &p->inputs);
		if (p->status == BL_CMP_ROOTFS_DIFFERENT && p->first_divergent >= 0 && p->max_mode)
			chain_for(p, n, l, r);
	}
	free(n->cause);
	n->cause = NULL;
	if (p->cause) {
		n->cause = bl_strdup(p->cause);
	} else if (p->inputs.len) {
		n->cause = first_input(&p->inputs);
	}
	bl_prov_free(l);
	bl_prov_free(r);
}

/* "first (and N more inputs changed)" of a list of input changes. */
static char *first_input(const struct bl_vec *v)
{
	const struct bl_cmp_input *in = bl_vec_get(v, 0);
	return v->len > 1
	               ? bl_asprintf("%s (and %zu more inputs changed)", in->sentence, v->len - 1)
	               : bl_strdup(in->sentence);
}

/* The platform summary of the image statement s attests, NULL when none. */
static const struct bl_cmp_platform *platform_of(const struct bl_node *s, const struct bl_vec *ps)
{
	const struct bl_node *a = s->parent;
	const char *d = a && a->has_desc
	                        ? bl_descriptor_annotation(&a->desc, "vnd.docker.reference.digest")
	                        : NULL;
	for (size_t i = 0; d && ps && i < ps->len; i++) {
		const struct bl_cmp_platform *p = bl_vec_get(ps, i);
		const struct bl_node *m = p->node->right;
		if (m && m->has_desc && strcmp(m->desc.digest.str, d) == 0 &&
		        bl_prov_statement_of(m) == s)
			return p;
	}
	return NULL;
}

/* A statement of SLSA provenance, or the bare predicate a metadata file
 * holds (an INFO node labelled "provenance"). */
static bool is_provenance(const struct bl_node *x)
{
	if (x->kind == BL_NODE_INFO)
		return x->label && strncmp(x->label, "provenance", 10) == 0;
	return bl_prov_is_type(x->predicate_type);
}

void cmp_statement_causes(struct bl_cmp_node *n, const struct bl_vec *platforms)
{
	if (!n->left || !n->right || !is_provenance(n->left) || !is_provenance(n->right))
		return;
	/* The image pair beside it decoded both statements already. */
	const struct bl_cmp_platform *p = platform_of(n->right, platforms);
	if (p && p->left_provenance && p->right_provenance) {
		if (p->inputs.len) {
			free(n->cause);
			n->cause = first_input(&p->inputs);
		}
		return;
	}
	struct bl_prov *l = bl_prov_decode(n->left->doc, NULL);
	struct bl_prov *r = bl_prov_decode(n->right->doc, NULL);
	if (l && r) {
		struct bl_vec v;
		bl_vec_init(&v, cmp_input_free);
		cmp_inputs_diff(l, r, &v);
		if (v.len) {
			free(n->cause);
			n->cause = first_input(&v);
		}
		bl_vec_fini(&v);
	}
	bl_prov_free(l);
	bl_prov_free(r);
}
