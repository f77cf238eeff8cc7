/* bakelens ls SOURCE... [--target T] [--platform P] [--layer N | --merged]
 *                       [--changes] [--tree] [--json]
 *
 * The files of one layer (--layer N: 1 is the bottom, negative counts from
 * the top), or of the whole image with whiteouts applied (--merged, the
 * default); --changes says what a layer (or each) adds, modifies and
 * deletes; --tree indents with directory sizes. Layers are streamed and
 * verified, never held in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/buf.h"
#include "bakelens/changeset.h"
#include "bakelens/cli.h"
#include "bakelens/filetree.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"
#include "bakelens/passlist.h"
#include "bakelens/text.h"
#include "cli_internal.h"

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

/* The fields of one entry; layer numbers from 1. */
static json_t *entry_json(const struct bl_file_entry *e)
{
	json_t *j = json_object();
	json_object_set_new(j, "path", cli_json_str(e->path));
	cli_json_entry_fields(j, e);
	json_object_set_new(j, "layer", e->layer >= 0 ? json_integer(e->layer + 1) : json_null());
	json_object_set_new(j, "layer_numbering", json_string("1-based"));
	if (e->type == BL_FILE_HARDLINK)
		json_object_set_new(j, "link_state",
		        json_string(e->link_state == BL_LINK_GONE       ? "target deleted"
		                    : e->link_state == BL_LINK_REPLACED ? "target replaced"
		                                                        : "ok"));
	return j;
}

/* One entry at a time: a million entries never become a million objects. */
static void print_json(const struct bl_file_list *l)
{
	struct cli_jw w;
	cli_jw_init(&w);
	cli_jw_open(&w, '[');
	for (size_t i = 0; i < l->len && cli_out_ok(); i++)
		cli_jw_put_new(&w, entry_json(&l->items[i]));
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
	fprintf(stderr, "bakelens: layer %d %s: read %s%s%s%s, %llu of %lld bytes\n", layer + 1, sh,
	        path, why ? " (" : "", why ? why : "", why ? ")" : "", (unsigned long long)bytes,
	        (long long)size);
}

/* An array streamed when `json`, else nothing. */
static void jw_begin(struct cli_jw *w, bool json)
{
	if (json) {
		cli_jw_init(w);
		cli_jw_open(w, '[');
	}
}

static void jw_done(struct cli_jw *w, bool json)
{
	if (json) {
		cli_jw_close(w, ']');
		cli_jw_end(w);
	}
}

static void print_tree(const struct bl_file_list *l, bool json)
{
	struct bl_filetree t;
	bl_filetree_build(l, &t);
	struct cli_jw w;
	jw_begin(&w, json);
	struct bl_buf line;
	bl_buf_init(&line);
	for (size_t i = 0; i < t.len && cli_out_ok(); i++) {
		const struct bl_filetree_node *n = &t.nodes[i];
		bool dir = !n->entry || n->entry->type == BL_FILE_DIR;
		if (json) {
			json_t *j = n->entry ? entry_json(n->entry) : json_object();
			if (!n->entry) {
				json_object_set_new(j, "path", cli_json_str(n->path));
				json_object_set_new(j, "type", json_string("dir"));
				json_object_set_new(j, "implied", json_true());
			}
			json_object_set_new(j, "depth", json_integer(n->depth));
			json_object_set_new(j, "bytes", json_integer((json_int_t)n->bytes));
			json_object_set_new(j, "entries", json_integer((json_int_t)n->entries));
			cli_jw_put_new(&w, j);
			continue;
		}
		bl_buf_clear(&line);
		char *name = bl_text_safe(n->name);
		bl_buf_printf(&line, "%12llu  %*s%s%s", (unsigned long long)n->bytes, 2 * n->depth,
		        "", name, dir ? "/" : "");
		free(name);
		if (n->entry && n->entry->linkname) {
			char *ln = bl_text_safe(n->entry->linkname);
			bl_buf_printf(&line, "%s%s",
			        n->entry->type == BL_FILE_HARDLINK ? " link to " : " -> ", ln);
			free(ln);
		}
		puts(bl_buf_str(&line));
	}
	jw_done(&w, json);
	if (!json && cli_out_ok())
		printf("%12llu  total\n", (unsigned long long)t.bytes);
	bl_buf_fini(&line);
	bl_filetree_fini(&t);
}

static const char *mark(const struct bl_change *c)
{
	static const char *const marks[] = {"A", "M", "D", "="};
	return marks[c->kind];
}

static void change_text(const struct bl_change *c, struct bl_buf *out)
{
	bl_buf_printf(out, "%s ", mark(c));
	if (c->kind != BL_CHANGE_DELETED) {
		bl_file_entry_line(c->entry, false, out);
		if (c->kind == BL_CHANGE_MODIFIED) {
			char *what = bl_file_change_what(c->what);
			bl_buf_printf(out, "  (%s changed)", what);
			free(what);
		}
		return;
	}
	char *p = bl_text_safe(c->path);
	bl_buf_printf(out, "%s  (%s", p, bl_delete_cause_name(c->cause));
	free(p);
	if (!c->lower)
		bl_buf_printf(out, ": no layer under it has this path)");
	else
		bl_buf_printf(out, ": deletes %zu entr%s, %llu bytes, from layer %d)",
		        c->del_entries, c->del_entries == 1 ? "y" : "ies",
		        (unsigned long long)c->del_bytes, c->lower->layer + 1);
}

static json_t *change_json(const struct bl_change *c, size_t layer)
{
	json_t *j = c->entry ? entry_json(c->entry) : json_object();
	json_object_set_new(j, "change", json_string(bl_change_kind_name(c->kind)));
	json_object_set_new(j, "path", cli_json_str(c->path));
	json_object_set_new(j, "layer", json_integer((json_int_t)layer + 1));
	json_object_set_new(j, "layer_numbering", json_string("1-based"));
	if (c->kind == BL_CHANGE_MODIFIED) {
		json_t *what = json_array();
		for (unsigned bit = 1; bit <= BL_FMETA_DATA; bit <<= 1)
			if (c->what & bit) {
				char *name = bl_file_change_what(bit);
				json_array_append_new(what, json_string(name));
				free(name);
			}
		json_object_set_new(j, "changed", what);
	}
	if (c->kind == BL_CHANGE_DELETED) {
		json_object_set_new(j, "cause", json_string(bl_delete_cause_name(c->cause)));
		json_object_set_new(j, "deletes_entries", json_integer((json_int_t)c->del_entries));
		json_object_set_new(j, "deletes_bytes", json_integer((json_int_t)c->del_bytes));
		json_object_set_new(j, "deleted_from_layer",
		        c->lower ? json_integer(c->lower->layer + 1) : json_null());
		json_object_set_new(j, "type",
		        c->lower ? json_string(bl_file_type_name(c->lower->type)) : json_null());
	}
	return j;
}

static void print_changes(
        const struct bl_image_files *f, const struct bl_node *m, size_t from, size_t to, bool json)
{
	struct cli_jw w;
	jw_begin(&w, json);
	struct bl_buf line;
	bl_buf_init(&line);
	for (size_t L = from; L <= to && cli_out_ok(); L++) {
		struct bl_changeset cs;
		bl_changeset_init(&cs);
		bl_changeset_compute(f, L, &cs);
		if (!json) {
			const struct bl_node *ln = cli_image_layer(m, L);
			char sh[32] = "?";
			if (ln && ln->has_desc)
				bl_digest_short(&ln->desc.digest, sh, sizeof sh);
			printf("%slayer %zu/%zu %s: %zu added, %zu modified, %zu deleted (%zu "
			       "entries, "
			       "%llu bytes); %llu bytes compressed, %llu uncompressed (tar), %llu "
			       "in "
			       "files\n",
			        L > from ? "\n" : "", L + 1, cli_image_layer_count(m), sh,
			        cs.counts[BL_CHANGE_ADDED], cs.counts[BL_CHANGE_MODIFIED],
			        cs.counts[BL_CHANGE_DELETED], cs.deleted_entries,
			        (unsigned long long)cs.deleted_bytes,
			        (unsigned long long)f->compressed[L],
			        (unsigned long long)f->layers[L].tar_bytes,
			        (unsigned long long)f->layers[L].content_bytes);
		}
		for (size_t i = 0; i < cs.len && cli_out_ok(); i++) {
			const struct bl_change *c = &cs.items[i];
			if (json) {
				cli_jw_put_new(&w, change_json(c, L));
				continue;
			}
			if (c->kind == BL_CHANGE_SAME)
				continue;
			bl_buf_clear(&line);
			change_text(c, &line);
			puts(bl_buf_str(&line));
		}
		bl_changeset_fini(&cs);
	}
	jw_done(&w, json);
	bl_buf_fini(&line);
}

int cli_cmd_ls(const struct bl_options *o)
{
	long layer = 0;
	if (o->layer && !cli_layer_arg(o->layer, &layer))
		return BL_EXIT_USAGE;
	if (o->layer && o->merged) {
		cli_error("ls: --layer and --merged exclude each other");
		return BL_EXIT_USAGE;
	}
	if (o->changes && (o->merged || o->tree)) {
		cli_error("ls: --changes excludes --merged and --tree");
		return BL_EXIT_USAGE;
	}
	struct bl_build *b = NULL;
	struct bl_passlist *pass = NULL; /* the layers of standard input */
	int rc;
	if (!cli_image_load(o, true, NULL, &b, &pass, &rc)) {
		bl_passlist_free(pass);
		return rc;
	}
	struct bl_error err = {0};
	struct bl_file_list acc;
	bl_file_list_init(&acc);
	struct bl_image_files f;
	bl_image_files_init(&f);
	const struct bl_node *m = cli_image_manifest(b, o, &err);
	if (!m) {
		rc = cli_fail_input(b, o, &err);
		goto out;
	}
	/* Problems elsewhere in the image (a config that fails its digest, a
	 * manifest the registry would not give) are reported, the listing still
	 * made, and the exit status is theirs unless the listing's is worse. */
	int bad =
	        cli_check_statuses(b, bl_build_find_target(b, o->target, NULL), o->quiet ? 0 : 20);
	size_t count = cli_image_layer_count(m), idx = 0;
	if (o->layer && !cli_layer_index(layer, count, &idx, &err)) {
		rc = bl_exit_worse(bad, cli_fail_input(b, o, &err));
		goto out;
	}
	if (o->changes) {
		/* A layer's changes need the layers under it, not those above. */
		if (!cli_image_list(o, m, true, o->layer ? idx + 1 : SIZE_MAX, pass, &f, &err)) {
			rc = bl_exit_worse(bad, cli_fail_input(b, o, &err));
			goto out;
		}
		if (f.len)
			print_changes(
			        &f, m, o->layer ? idx : 0, o->layer ? idx : f.len - 1, o->json);
		else if (o->json)
			print_json(&acc);
		rc = bad;
		goto out;
	}
	struct cli_progress prog;
	cli_progress_begin(&prog, o);
	struct bl_layerfiles_opts lo = {
	        .progress = cli_progress, .progress_ud = &prog, .pass = pass};
	if (o->verbose)
		lo.read_path = cli_read_path;
	bool ok;
	if (o->layer) {
		lo.layer = (int)idx;
		ok = bl_passlist_list_node(cli_image_layer(m, idx), &lo, &acc, &err);
	} else if (bl_passlist_used(pass)) {
		/* the same merge as bl_layerfiles_list_image, from the kept listings */
		ok = bl_image_files_load(m, &lo, SIZE_MAX, &f, &err);
		if (ok)
			bl_image_files_merged(&f, SIZE_MAX, &acc);
	} else {
		ok = bl_layerfiles_list_image(m, &lo, &acc, &err);
	}
	cli_progress_end(&prog);
	if (!ok) {
		rc = bl_exit_worse(bad, cli_fail_input(b, o, &err));
		goto out;
	}
	if (o->tree)
		print_tree(&acc, o->json);
	else if (o->json)
		print_json(&acc);
	else
		print_text(&acc, !o->layer);
	rc = bad;
out:
	bl_image_files_fini(&f);
	bl_file_list_fini(&acc);
	bl_build_free(b);
	bl_passlist_free(pass);
	return rc;
}
