/* bakelens ls SOURCE... [--target T] [--platform P] [--layer N | --merged] [--json]
 *
 * The files of one layer (--layer N, 0-based, negative from the end), or of
 * the whole image with whiteouts applied (--merged, the default). Layers are
 * streamed and verified, never held in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/cli.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "cli_internal.h"

static const struct bl_node *find_manifest(const struct bl_node *n, const struct bl_digest *d)
{
	if (n->kind == BL_NODE_MANIFEST && n->has_desc && bl_digest_equal(&n->desc.digest, d))
		return n;
	for (size_t i = 0; i < bl_node_count(n); i++) {
		const struct bl_node *r = find_manifest(bl_node_child(n, i), d);
		if (r)
			return r;
	}
	return NULL;
}

static void print_text(const struct bl_file_list *l, bool show_layer)
{
	struct bl_buf line;
	bl_buf_init(&line);
	for (size_t i = 0; i < l->len; i++) {
		bl_buf_clear(&line);
		bl_file_entry_line(&l->items[i], show_layer, &line);
		puts(bl_buf_str(&line));
		if (!cli_out_ok())
			break;
	}
	bl_buf_fini(&line);
}

/* One entry at a time: a million entries never become a million objects. */
static void print_json(const struct bl_file_list *l)
{
	struct cli_jw w;
	cli_jw_init(&w);
	cli_jw_open(&w, '[');
	for (size_t i = 0; i < l->len && cli_out_ok(); i++) {
		const struct bl_file_entry *e = &l->items[i];
		json_t *j = json_object();
		json_object_set_new(j, "path", cli_json_str(e->path));
		json_object_set_new(j, "type", json_string(bl_file_type_name(e->type)));
		json_object_set_new(j, "size", json_integer(e->size));
		json_object_set_new(j, "mode", json_integer(e->mode));
		json_object_set_new(j, "uid", json_integer(e->uid));
		json_object_set_new(j, "gid", json_integer(e->gid));
		json_object_set_new(j, "mtime", json_integer(e->mtime));
		json_object_set_new(j, "linkname", cli_json_str(e->linkname));
		json_object_set_new(
		        j, "layer", e->layer >= 0 ? json_integer(e->layer) : json_null());
		cli_jw_put_new(&w, j);
	}
	cli_jw_close(&w, ']');
	cli_jw_end(&w);
}

/* -v: which way a layer was read and what it cost, on stderr. */
static void cli_read_path(void *ud, int layer, const struct bl_digest *d, const char *path,
        const char *why, uint64_t bytes, int64_t size)
{
	(void)ud;
	char sh[32];
	bl_digest_short(d, sh, sizeof sh);
	fprintf(stderr, "bakelens: layer %d %s: read %s%s%s%s, %llu of %lld bytes\n", layer, sh,
	        path, why ? " (" : "", why ? why : "", why ? ")" : "", (unsigned long long)bytes,
	        (long long)size);
}

int cli_cmd_ls(const struct bl_options *o)
{
	long layer = 0;
	if (o->layer) {
		char *end;
		layer = strtol(o->layer, &end, 10);
		if (*end || end == o->layer) {
			cli_error("--layer: expected a whole number (negative counts from the "
			          "end), got \"%s\"",
			        o->layer);
			return BL_EXIT_USAGE;
		}
		if (o->merged) {
			cli_error("ls: --layer and --merged exclude each other");
			return BL_EXIT_USAGE;
		}
	}
	struct bl_build *b = NULL;
	int rc;
	if (!cli_load(o, &b, &rc))
		return rc;
	struct bl_query q = {
	        .target = o->target, .platform = o->platform, .what = BL_WHAT_MANIFEST};
	struct bl_digest md;
	struct bl_error err = {0};
	struct bl_file_list acc;
	bl_file_list_init(&acc);
	struct bl_vec layers; /* struct bl_node *, borrowed */
	bl_vec_init(&layers, NULL);
	if (!bl_build_query(b, &q, &md, &err)) {
		rc = cli_fail_input(b, o, &err);
		goto out;
	}
	const struct bl_node *m = find_manifest(b->root, &md);
	if (!m) {
		bl_fail(&err, BL_E_NOT_FOUND, "manifest %s: not loaded", md.str);
		rc = cli_fail_input(b, o, &err);
		goto out;
	}
	/* Problems elsewhere in the image (a config that fails its digest, a
	 * manifest the registry would not give) are reported, the listing still
	 * made, and the exit status is theirs unless the listing's is worse. */
	int bad = cli_check_statuses(b, bl_build_find_target(b, q.target, NULL), o->quiet ? 0 : 20);
	struct cli_progress prog;
	cli_progress_begin(&prog, o);
	struct bl_layerfiles_opts lo = {.progress = cli_progress, .progress_ud = &prog};
	if (o->verbose)
		lo.read_path = cli_read_path;
	if (o->layer) {
		for (size_t i = 0; i < bl_node_count(m); i++) {
			struct bl_node *c = bl_node_child(m, i);
			if (c->kind == BL_NODE_LAYER)
				bl_vec_push_take(&layers, c);
		}
		size_t n = layers.len;
		long idx = layer < 0 ? (long)n + layer : layer;
		if (idx < 0 || idx >= (long)n) {
			bl_fail(&err, BL_E_NOT_FOUND,
			        "--layer %ld: the image has %zu layer%s (0 to %zu, or -1 to -%zu)",
			        layer, n, n == 1 ? "" : "s", n ? n - 1 : 0, n);
			rc = bl_exit_worse(bad, cli_fail_input(b, o, &err));
			goto out;
		}
		lo.layer = (int)idx;
		if (!bl_layerfiles_list_node(bl_vec_get(&layers, (size_t)idx), &lo, &acc, &err)) {
			cli_progress_end(&prog);
			rc = bl_exit_worse(bad, cli_fail_input(b, o, &err));
			goto out;
		}
	} else if (!bl_layerfiles_list_image(m, &lo, &acc, &err)) {
		cli_progress_end(&prog);
		rc = bl_exit_worse(bad, cli_fail_input(b, o, &err));
		goto out;
	}
	cli_progress_end(&prog);
	if (o->json)
		print_json(&acc);
	else
		print_text(&acc, !o->layer);
	rc = bad;
out:
	bl_vec_fini(&layers);
	bl_file_list_fini(&acc);
	bl_build_free(b);
	return rc;
}
