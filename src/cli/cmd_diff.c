/* bakelens diff A B: compare two builds (see docs/diff-json.md).
 *
 * Each side is one argument: a source, or several joined with "+"
 * ("old/metadata.json+old/out"). An argument that names an existing path is
 * one source even when it contains "+". Exit 0 identical, 1 different,
 * 2 and above on errors (as diff(1)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "bakelens/buf.h"
#include "bakelens/cli.h"
#include "bakelens/compare.h"
#include "bakelens/json.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "cli_internal.h"

/* cli_fail without depending on its signature, which is changing. */
#define TEXT_FILES_MAX 200 /* file changes printed per layer (JSON has them all) */

struct side {
	const char *name; /* "left", "right" */
	const char *arg;
	struct bl_vec parts; /* char *, owned */
	struct bl_build *b;
};

/* File-level results for one layer pair. */
struct files {
	const struct bl_cmp_node *n;
	struct bl_file_list l, r;
	struct bl_file_diff d;
	char *error; /* why the files were not compared, NULL */
};

struct run {
	const struct bl_options *o;
	struct side sides[2];
	struct bl_cmp *cmp;
	struct bl_vec files;          /* struct files *, owned */
	int worst;                    /* exit code of the worst error met while listing files */
	struct cli_progress progress; /* loading and listing, on a terminal's stderr */
};

static void files_free(void *p)
{
	struct files *f = p;
	if (!f)
		return;
	bl_file_diff_fini(&f->d);
	bl_file_list_fini(&f->l);
	bl_file_list_fini(&f->r);
	free(f->error);
	free(f);
}

static bool load_side(struct run *r, struct side *s, int *rc)
{
	bl_vec_init(&s->parts, free);
	bl_build_split_side(s->arg, &s->parts);
	if (s->parts.len == 0) {
		cli_error("%s side: no source in \"%s\" (expected SRC or SRC+SRC...)", s->name,
		        s->arg);
		*rc = BL_EXIT_USAGE;
		return false;
	}
	struct bl_error err = {0};
	struct bl_source_opts lo;
	bl_options_source(r->o, &lo); /* --offline, --insecure... as every command */
	lo.progress = cli_progress;
	lo.progress_ud = &r->progress;
	bool loaded =
	        bl_build_load((const char *const *)s->parts.items, s->parts.len, &lo, &s->b, &err);
	cli_progress_end(&r->progress);
	if (!loaded) {
		bl_error_prefix(&err, "%s side", s->name);
		*rc = cli_fail(&err);
		return false;
	}
	if (!r->o->quiet) {
		for (size_t i = 0; i < s->b->messages.len; i++)
			cli_error("%s side: %s", s->name,
			        (const char *)bl_vec_get(&s->b->messages, i));
	}
	return true;
}

/* ---- file-level differences ---- */

static void collect_layers(const struct bl_cmp_node *n, struct bl_vec *out)
{
	if (n->kind == BL_NODE_LAYER && n->own == BL_CMP_CONTENT && n->left && n->right)
		bl_vec_push_take(out, (void *)n);
	for (size_t i = 0; i < n->children.len; i++)
		collect_layers(bl_vec_get(&n->children, i), out);
}

static void list_files(struct run *r)
{
	struct bl_vec layers;
	bl_vec_init(&layers, NULL);
	collect_layers(r->cmp->root, &layers);
	struct bl_layerfiles_opts lo = {
	        .hash = true, .layer = -1, .progress = cli_progress, .progress_ud = &r->progress};
	struct bl_file_diff_opts fo = {.ignore_timestamps = r->o->ignore_timestamps};
	for (size_t i = 0; i < layers.len; i++) {
		struct bl_cmp_node *n = bl_vec_get(&layers, i);
		struct files *f = bl_calloc(1, sizeof *f);
		f->n = n;
		bl_file_list_init(&f->l);
		bl_file_list_init(&f->r);
		bl_file_diff_init(&f->d);
		bl_vec_push_take(&r->files, f);
		struct bl_error err = {0};
		if (!bl_layerfiles_list_node(n->left, &lo, &f->l, &err) ||
		        !bl_layerfiles_list_node(n->right, &lo, &f->r, &err)) {
			f->error = bl_strdup(err.msg);
			/* A missing blob is normal in sparse exports; bad bytes are not. */
			if (err.code != BL_E_NOT_FOUND && err.code != BL_E_UNSUPPORTED) {
				int code = bl_exit_code(err.code);
				if (r->worst != BL_EXIT_VERIFY)
					r->worst = code;
			}
			continue;
		}
		bl_layerfiles_diff(&f->l, &f->r, &fo, &f->d);
		bl_cmp_apply_file_diff(n, &f->d, r->o->ignore_timestamps);
	}
	bl_vec_fini(&layers);
}

static const struct files *files_of(const struct run *r, const struct bl_cmp_node *n)
{
	for (size_t i = 0; i < r->files.len; i++) {
		const struct files *f = bl_vec_get(&r->files, i);
		if (f->n == n)
			return f;
	}
	return NULL;
}

/* An identical node is folded unless a node below it says why it is
 * identical although its bytes are not (timestamps ignored). */
static bool explained_below(const struct bl_cmp_node *n)
{
	for (size_t i = 0; i < n->children.len; i++) {
		const struct bl_cmp_node *c = bl_vec_get(&n->children, i);
		if (c->notes.len || explained_below(c))
			return true;
	}
	return false;
}

static bool folded(const struct bl_cmp_node *n)
{
	return n->cls == BL_CMP_IDENTICAL && !explained_below(n);
}

/* Some pair below n has two different digests. */
static bool bytes_differ(const struct bl_cmp_node *n)
{
	if (n->left && n->right && n->left->has_desc && n->right->has_desc &&
	        bl_digest_is_set(&n->left->desc.digest) &&
	        bl_digest_is_set(&n->right->desc.digest) &&
	        !bl_digest_equal(&n->left->desc.digest, &n->right->desc.digest))
		return true;
	for (size_t i = 0; i < n->children.len; i++)
		if (bytes_differ(bl_vec_get(&n->children, i)))
			return true;
	return false;
}

/* ---- text ---- */

static char marker(const struct bl_cmp_node *n)
{
	switch (n->cls) {
	case BL_CMP_IDENTICAL:
		return '=';
	case BL_CMP_ONLY_LEFT:
	case BL_CMP_LAYER_REMOVED:
	case BL_CMP_PLATFORM_REMOVED:
		return n->right ? '~' : '-';
	case BL_CMP_ONLY_RIGHT:
	case BL_CMP_LAYER_ADDED:
	case BL_CMP_PLATFORM_ADDED:
		return n->left ? '~' : '+';
	case BL_CMP_UNKNOWN:
		return '?';
	default:
		return '~';
	}
}

static void indent(int depth)
{
	for (int i = 0; i < depth; i++)
		fputs("  ", stdout);
}

static void put_title(const struct bl_cmp_node *n)
{
	const char *kind = bl_node_kind_name(n->kind);
	if (n->kind == BL_NODE_BUILD) {
		fputs("build", stdout);
		return;
	}
	if (strcmp(n->label, kind) != 0 && n->kind != BL_NODE_LAYER &&
	        n->kind != BL_NODE_MANIFEST && n->kind != BL_NODE_ATTESTATION &&
	        n->kind != BL_NODE_STATEMENT)
		printf("%s ", kind);
	cli_put_safe(n->label);
}

static const char *utc_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

static void put_entry_brief(const struct bl_file_entry *e)
{
	char mode[16];
	bl_file_mode_string(e, mode, sizeof mode);
	printf("%s %lld:%lld %lld", mode, (long long)e->uid, (long long)e->gid, (long long)e->size);
}

/* "(mtime 2024-01-01 00:00:00 -> ...; mode -rw-r--r-- -> -rwxr-xr-x; uid 0 -> 1000)":
 * only what changed, with both values. */
static void print_metadata_change(const struct bl_file_change *c)
{
	const struct bl_file_entry *a = c->left, *b = c->right;
	const char *sep = "";
	fputs("  (", stdout);
	if (c->what & BL_FMETA_MTIME) {
		char t1[32], t2[32];
		printf("mtime %s -> %s", utc_time(a->mtime, t1, sizeof t1),
		        utc_time(b->mtime, t2, sizeof t2));
		sep = "; ";
	}
	if (c->what & BL_FMETA_MODE) {
		char m1[16], m2[16];
		bl_file_mode_string(a, m1, sizeof m1);
		bl_file_mode_string(b, m2, sizeof m2);
		printf("%smode %s -> %s", sep, m1, m2);
		sep = "; ";
	}
	if (c->what & BL_FMETA_UID) {
		printf("%suid %lld -> %lld", sep, (long long)a->uid, (long long)b->uid);
		sep = "; ";
	}
	if (c->what & BL_FMETA_GID) {
		printf("%sgid %lld -> %lld", sep, (long long)a->gid, (long long)b->gid);
		sep = "; ";
	}
	if (c->what & BL_FMETA_LINK) {
		printf("%slink ", sep);
		cli_put_safe(a->linkname ? a->linkname : "(none)");
		fputs(" -> ", stdout);
		cli_put_safe(b->linkname ? b->linkname : "(none)");
	}
	putchar(')');
}

static void print_files(const struct files *f, int depth)
{
	indent(depth);
	if (f->error) {
		fputs("files: not compared: ", stdout);
		cli_put_safe(f->error);
		putchar('\n');
		return;
	}
	printf("files: %zu added, %zu removed, %zu content changed, %zu metadata only, %zu same",
	        f->d.counts[BL_FCHANGE_ADDED], f->d.counts[BL_FCHANGE_REMOVED],
	        f->d.counts[BL_FCHANGE_CONTENT], f->d.counts[BL_FCHANGE_METADATA], f->d.same);
	if (f->d.timestamps_ignored)
		printf(" (%zu with only timestamps ignored)", f->d.timestamps_ignored);
	putchar('\n');
	for (size_t i = 0; i < f->d.len && i < TEXT_FILES_MAX; i++) {
		const struct bl_file_change *c = &f->d.items[i];
		const struct bl_file_entry *e = c->right ? c->right : c->left;
		static const char tags[] = {'A', 'D', 'M', 'm'};
		indent(depth + 1);
		printf("%c ", tags[c->kind]);
		cli_put_safe(e->path);
		if (c->kind == BL_FCHANGE_METADATA) {
			print_metadata_change(c);
		} else if (c->kind == BL_FCHANGE_CONTENT) {
			char *what = bl_file_change_what(c->what);
			printf("  (%s: ", what);
			free(what);
			put_entry_brief(c->left);
			fputs(" -> ", stdout);
			put_entry_brief(c->right);
			if (c->what & BL_FMETA_MTIME) {
				char t1[32], t2[32];
				fprintf(stdout, "; mtime %s -> %s",
				        utc_time(c->left->mtime, t1, sizeof t1),
				        utc_time(c->right->mtime, t2, sizeof t2));
			}
			if (c->what & BL_FMETA_LINK) {
				fputs("; link ", stdout);
				cli_put_safe(c->left->linkname ? c->left->linkname : "(none)");
				fputs(" -> ", stdout);
				cli_put_safe(c->right->linkname ? c->right->linkname : "(none)");
			}
			putchar(')');
		} else {
			fputs("  (", stdout);
			put_entry_brief(e);
			putchar(')');
		}
		putchar('\n');
	}
	if (f->d.len > TEXT_FILES_MAX) {
		indent(depth + 1);
		printf("... and %zu more (--json lists them all)\n", f->d.len - TEXT_FILES_MAX);
	}
}

static void print_node(const struct run *r, const struct bl_cmp_node *n, int depth);

static void print_children(const struct run *r, const struct bl_cmp_node *n, int depth)
{
	/* Runs of identical children fold into one line. */
	size_t i = 0;
	while (i < n->children.len) {
		const struct bl_cmp_node *c = bl_vec_get(&n->children, i);
		if (!folded(c) || c->notes.len) {
			print_node(r, c, depth);
			i++;
			continue;
		}
		size_t j = i;
		while (j < n->children.len && folded(bl_vec_get(&n->children, j)) &&
		        !((const struct bl_cmp_node *)bl_vec_get(&n->children, j))->notes.len)
			j++;
		if (j - i == 1) {
			print_node(r, c, depth);
		} else {
			indent(depth);
			printf("= %zu identical: ", j - i);
			for (size_t k = i; k < j && k < i + 4; k++) {
				if (k > i)
					fputs(", ", stdout);
				put_title(bl_vec_get(&n->children, k));
			}
			if (j - i > 4)
				printf(", ... (%zu more)", j - i - 4);
			putchar('\n');
		}
		i = j;
	}
}

static void print_node(const struct run *r, const struct bl_cmp_node *n, int depth)
{
	indent(depth);
	printf("%c ", marker(n));
	put_title(n);
	char *sum = bl_cmp_node_describe(n);
	fputs(": ", stdout);
	cli_put_safe(sum);
	free(sum);
	putchar('\n');
	/* Notes stay visible on an identical node only when they explain it
	 * (timestamps ignored, names that differ). */
	for (size_t i = 0; i < n->notes.len; i++) {
		indent(depth + 2);
		cli_put_safe(bl_vec_get(&n->notes, i));
		putchar('\n');
	}
	/* A platform says its cause above the tree; a statement here. */
	if (n->cause && !n->platform) {
		indent(depth + 2);
		fputs("why: ", stdout);
		cli_put_safe(n->cause);
		putchar('\n');
	}
	const struct files *f = files_of(r, n);
	if (f)
		print_files(f, depth + 2);
	if (folded(n))
		return;
	print_children(r, n, depth + 1);
}

static void print_sources(const struct side *s)
{
	printf("%-6s ", s->name[0] == 'l' ? "left:" : "right:");
	for (size_t i = 0; i < s->parts.len; i++) {
		if (i)
			fputs(" + ", stdout);
		cli_put_safe(bl_vec_get(&s->parts, i));
	}
	putchar('\n');
}

/* What provenance says: the cause chain, then every input that changed. */
static void print_causes(const struct bl_cmp_platform *p)
{
	if (p->cause) {
		fputs("    cause: ", stdout);
		cli_put_safe(p->cause);
		putchar('\n');
	}
	for (size_t i = 0; i < p->inputs.len; i++) {
		const struct bl_cmp_input *in = bl_vec_get(&p->inputs, i);
		fputs("    input: ", stdout);
		cli_put_safe(in->sentence);
		putchar('\n');
	}
	if (p->left_provenance != p->right_provenance)
		printf("    provenance on the %s only\n", p->left_provenance ? "left" : "right");
}

static void print_text(const struct run *r)
{
	print_sources(&r->sides[0]);
	print_sources(&r->sides[1]);
	char *sum = bl_cmp_node_describe(r->cmp->root);
	if (!bl_cmp_is_identical(r->cmp)) {
		fputs("result: different: ", stdout);
		cli_put_safe(sum);
	} else if (r->o->ignore_timestamps && bytes_differ(r->cmp->root)) {
		fputs("result: identical apart from timestamps (ignored; the digests differ)",
		        stdout);
	} else {
		fputs("result: identical", stdout);
	}
	putchar('\n');
	free(sum);
	for (size_t i = 0; i < r->cmp->platforms.len; i++) {
		const struct bl_cmp_platform *p = bl_vec_get(&r->cmp->platforms, i);
		fputs("  ", stdout);
		cli_put_safe(p->target);
		putchar(' ');
		cli_put_safe(p->platform);
		fputs(": ", stdout);
		cli_put_safe(p->sentence ? p->sentence : "");
		char *ps = bl_cmp_node_describe(p->node);
		fputs(" [", stdout);
		cli_put_safe(ps);
		fputs("]\n", stdout);
		free(ps);
		print_causes(p);
	}
	putchar('\n');
	print_node(r, r->cmp->root, 0);
}

/* ---- JSON ---- */

static json_t *classes_json(unsigned flags)
{
	json_t *a = json_array();
	for (int c = BL_CMP_CLASS_COUNT - 1; c > BL_CMP_IDENTICAL; c--)
		if (flags & (1u << c))
			json_array_append_new(
			        a, json_string(bl_cmp_class_name((enum bl_cmp_class)c)));
	return a;
}

static json_t *side_json(const struct bl_node *x, int index)
{
	if (!x)
		return json_null();
	json_t *j = json_object();
	json_object_set_new(j, "label", cli_json_str(x->label));
	json_object_set_new(j, "status", json_string(bl_node_status_name(x->status)));
	if (x->has_desc) {
		json_object_set_new(j, "digest",
		        bl_digest_is_set(&x->desc.digest) ? json_string(x->desc.digest.str)
		                                          : json_null());
		json_object_set_new(j, "mediaType", cli_json_str(x->desc.media_type));
		json_object_set_new(
		        j, "size", x->desc.size >= 0 ? json_integer(x->desc.size) : json_null());
	}
	if (x->layer) {
		json_object_set_new(j, "index", json_integer(index >= 0 ? index : x->layer->index));
		json_object_set_new(j, "diffID",
		        x->layer->has_diff_id ? json_string(x->layer->diff_id.str) : json_null());
		json_object_set_new(j, "chainID",
		        x->layer->has_chain_id ? json_string(x->layer->chain_id.str) : json_null());
		json_object_set_new(j, "createdBy", cli_json_str(x->layer->created_by));
		json_object_set_new(
		        j, "compression", json_string(bl_compression_name(x->layer->comp)));
	}
	return j;
}

static json_t *entry_json(const struct bl_file_entry *e)
{
	if (!e)
		return json_null();
	json_t *j = json_object();
	cli_json_entry_fields(j, e);
	if (e->has_sha256) {
		char hex[72] = "sha256:";
		for (int i = 0; i < 32; i++)
			snprintf(hex + 7 + 2 * i, 3, "%02x", e->sha256[i]);
		json_object_set_new(j, "sha256", json_string(hex));
	} else {
		json_object_set_new(j, "sha256", json_null());
	}
	return j;
}

static json_t *change_json(const struct bl_file_change *c)
{
	json_t *cj = json_object();
	json_object_set_new(cj, "path", cli_json_str((c->right ? c->right : c->left)->path));
	json_object_set_new(cj, "change", json_string(bl_file_change_name(c->kind)));
	json_t *what = json_array();
	char *w = bl_file_change_what(c->what);
	for (char *tok = strtok(w, ","); tok; tok = strtok(NULL, ",")) {
		while (*tok == ' ')
			tok++;
		json_array_append_new(what, json_string(tok));
	}
	free(w);
	json_object_set_new(cj, "what", what);
	json_object_set_new(cj, "left", entry_json(c->left));
	json_object_set_new(cj, "right", entry_json(c->right));
	return cj;
}

/* The counts, then the changes one at a time: a layer pair with a million
 * changed files never becomes a million objects at once. */
static void files_out(struct cli_jw *w, const struct files *f)
{
	cli_jw_open(w, '{');
	json_t *j = json_object();
	if (f->error) {
		json_object_set_new(j, "error", cli_json_str(f->error));
		cli_jw_fields_new(w, j);
		cli_jw_close(w, '}');
		return;
	}
	json_object_set_new(j, "leftEntries", json_integer((json_int_t)f->l.len));
	json_object_set_new(j, "rightEntries", json_integer((json_int_t)f->r.len));
	json_object_set_new(j, "same", json_integer((json_int_t)f->d.same));
	for (int k = 0; k < 4; k++)
		json_object_set_new(j, bl_file_change_name((enum bl_file_change_kind)k),
		        json_integer((json_int_t)f->d.counts[k]));
	json_object_set_new(
	        j, "timestampsIgnored", json_integer((json_int_t)f->d.timestamps_ignored));
	cli_jw_fields_new(w, j);
	cli_jw_key(w, "changes");
	cli_jw_open(w, '[');
	for (size_t i = 0; i < f->d.len && cli_out_ok(); i++)
		cli_jw_put_new(w, change_json(&f->d.items[i]));
	cli_jw_close(w, ']');
	cli_jw_close(w, '}');
}

static json_t *strings_json(const struct bl_vec *v)
{
	json_t *a = json_array();
	for (size_t i = 0; i < v->len; i++)
		json_array_append_new(a, cli_json_str(bl_vec_get(v, i)));
	return a;
}

static void node_out(struct cli_jw *w, const struct run *r, const struct bl_cmp_node *n)
{
	cli_jw_open(w, '{');
	json_t *j = json_object();
	json_object_set_new(j, "kind", json_string(bl_node_kind_name(n->kind)));
	json_object_set_new(j, "label", cli_json_str(n->label));
	json_object_set_new(j, "class", json_string(bl_cmp_class_name(n->cls)));
	json_object_set_new(j, "own", json_string(bl_cmp_class_name(n->own)));
	json_object_set_new(j, "classes", classes_json(n->flags));
	char *sum = bl_cmp_node_describe(n);
	json_object_set_new(j, "summary", cli_json_str(sum));
	free(sum);
	json_object_set_new(j, "cause", cli_json_str(n->cause));
	json_object_set_new(j, "left", side_json(n->left, n->left_index));
	json_object_set_new(j, "right", side_json(n->right, n->right_index));
	json_object_set_new(j, "notes", strings_json(&n->notes));
	json_object_set_new(j, "fields", strings_json(&n->fields));
	if (n->packages)
		json_object_set_new(j, "packages", cli_pkg_diff_json(n->packages));
	cli_jw_fields_new(w, j);
	const struct files *f = files_of(r, n);
	if (f) {
		cli_jw_key(w, "files");
		files_out(w, f);
	}
	cli_jw_key(w, "children");
	cli_jw_open(w, '[');
	if (!folded(n)) {
		for (size_t i = 0; i < n->children.len && cli_out_ok(); i++)
			node_out(w, r, bl_vec_get(&n->children, i));
	}
	cli_jw_close(w, ']');
	cli_jw_close(w, '}');
}

static json_t *platform_json(const struct bl_cmp_platform *p)
{
	json_t *j = json_object();
	json_object_set_new(j, "target", cli_json_str(p->target));
	json_object_set_new(j, "platform", cli_json_str(p->platform));
	json_object_set_new(j, "class", json_string(bl_cmp_class_name(p->node->cls)));
	json_object_set_new(j, "classes", classes_json(p->node->flags));
	json_object_set_new(
	        j, "leftLayers", p->left_layers >= 0 ? json_integer(p->left_layers) : json_null());
	json_object_set_new(j, "rightLayers",
	        p->right_layers >= 0 ? json_integer(p->right_layers) : json_null());
	json_object_set_new(j, "firstDivergentLayer",
	        p->first_divergent >= 0 ? json_integer(p->first_divergent) : json_null());
	json_object_set_new(j, "divergentCreatedBy", cli_json_str(p->divergent_created_by));
	json_object_set_new(j, "rootfsKnown", json_boolean(p->rootfs_known));
	json_object_set_new(j, "rootfsIdentical", json_boolean(p->rootfs_identical));
	json_object_set_new(j, "rootfsTimestampsOnly", json_boolean(p->rootfs_timestamps_only));
	json_object_set_new(j, "leftChainID",
	        bl_digest_is_set(&p->left_chain) ? json_string(p->left_chain.str) : json_null());
	json_object_set_new(j, "rightChainID",
	        bl_digest_is_set(&p->right_chain) ? json_string(p->right_chain.str) : json_null());
	json_object_set_new(j, "summary", cli_json_str(p->sentence));
	json_object_set_new(j, "provenance",
	        json_string(p->left_provenance ? (p->right_provenance ? "both" : "left")
	                                       : (p->right_provenance ? "right" : "none")));
	json_object_set_new(j, "divergentStep", cli_json_str(p->divergent_step));
	json_object_set_new(j, "cause", cli_json_str(p->cause));
	json_t *in = json_array();
	for (size_t i = 0; i < p->inputs.len; i++) {
		const struct bl_cmp_input *x = bl_vec_get(&p->inputs, i);
		json_t *xj = json_object();
		json_object_set_new(xj, "kind", json_string(x->kind));
		json_object_set_new(xj, "name", cli_json_str(x->name));
		json_object_set_new(xj, "left", cli_json_str(x->left));
		json_object_set_new(xj, "right", cli_json_str(x->right));
		json_object_set_new(xj, "summary", cli_json_str(x->sentence));
		json_array_append_new(in, xj);
	}
	json_object_set_new(j, "inputChanges", in);
	json_t *pk = json_object();
	json_object_set_new(pk, "changed", json_integer((json_int_t)p->packages_changed));
	json_object_set_new(pk, "added", json_integer((json_int_t)p->packages_added));
	json_object_set_new(pk, "removed", json_integer((json_int_t)p->packages_removed));
	json_object_set_new(
	        pk, "versionChanged", json_integer((json_int_t)p->packages_version_changed));
	json_object_set_new(j, "packageChanges", pk);
	return j;
}

static void print_json(const struct run *r)
{
	json_t *j = json_object();
	json_object_set_new(j, "schemaVersion", json_integer(2));
	json_object_set_new(j, "identical", json_boolean(bl_cmp_is_identical(r->cmp)));
	json_object_set_new(j, "class", json_string(bl_cmp_class_name(r->cmp->root->cls)));
	json_object_set_new(j, "classes", classes_json(r->cmp->root->flags));
	json_object_set_new(j, "ignoreTimestamps", json_boolean(r->o->ignore_timestamps));
	json_object_set_new(j, "left", strings_json(&r->sides[0].parts));
	json_object_set_new(j, "right", strings_json(&r->sides[1].parts));
	json_t *ps = json_array();
	for (size_t i = 0; i < r->cmp->platforms.len; i++)
		json_array_append_new(ps, platform_json(bl_vec_get(&r->cmp->platforms, i)));
	json_object_set_new(j, "platforms", ps);
	/* The head whole; the tree streamed, node by node and file by file. */
	struct cli_jw w;
	cli_jw_init(&w);
	cli_jw_open(&w, '{');
	cli_jw_fields_new(&w, j);
	cli_jw_key(&w, "tree");
	node_out(&w, r, r->cmp->root);
	cli_jw_close(&w, '}');
	cli_jw_end(&w);
}

int cli_cmd_diff(const struct bl_options *o)
{
	if (o->nsources != 2) {
		cli_error("diff: expected two sides, A and B (each SRC or SRC+SRC...), got %d "
		          "argument%s",
		        o->nsources, o->nsources == 1 ? "" : "s");
		return BL_EXIT_USAGE;
	}
	struct run r = {.o = o};
	r.sides[0] = (struct side){.name = "left", .arg = o->sources[0]};
	r.sides[1] = (struct side){.name = "right", .arg = o->sources[1]};
	bl_vec_init(&r.files, files_free);
	cli_progress_begin(&r.progress, o);
	int rc = BL_EXIT_OK;
	if (!cli_report_check(o, &rc))
		goto out;
	if (!load_side(&r, &r.sides[0], &rc) || !load_side(&r, &r.sides[1], &rc))
		goto out;
	struct bl_cmp_opts co = {.ignore_timestamps = o->ignore_timestamps};
	r.cmp = bl_cmp_builds(r.sides[0].b, r.sides[1].b, &co);
	if (o->files) {
		list_files(&r);
		cli_progress_end(&r.progress);
	}
	struct cli_report_diff rd = {r.cmp, &r.sides[0].parts, &r.sides[1].parts};
	if (!cli_report_diff(o, &rd, &r.worst) && !o->quiet) {
		if (o->json)
			print_json(&r);
		else
			print_text(&r);
	}
	rc = bl_cmp_is_identical(r.cmp) ? BL_EXIT_OK : BL_EXIT_DIFFERENT;
	if (r.worst) {
		for (size_t i = 0; i < r.files.len; i++) {
			const struct files *f = bl_vec_get(&r.files, i);
			if (f->error)
				cli_error("%s", f->error);
		}
		rc = r.worst;
	}
out:
	bl_cmp_free(r.cmp);
	bl_vec_fini(&r.files);
	for (int i = 0; i < 2; i++) {
		bl_build_free(r.sides[i].b);
		if (r.sides[i].parts.free_fn)
			bl_vec_fini(&r.sides[i].parts);
	}
	return rc;
}
