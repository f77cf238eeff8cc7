/* What ls, cat and check share: the image the options name, its layers
 * listed, and --layer numbers (cli_internal.h). */
#include <stdlib.h>
#include <string.h>

#include "bakelens/changeset.h"
#include "bakelens/layerfiles.h"
#include "bakelens/mem.h"
#include "bakelens/passlist.h"
#include "bakelens/text.h"
#include "cli_internal.h"

const struct bl_node *cli_image_manifest(
        const struct bl_build *b, const struct bl_options *o, struct bl_error *err)
{
	const struct bl_node *t = bl_build_find_target(b, o->target, err);
	if (!t)
		return NULL;
	const struct bl_node *m = bl_node_find_platform(t, o->platform, err);
	if (!m)
		return NULL;
	return cli_image_usable(m, err) ? m : NULL;
}

bool cli_image_usable(const struct bl_node *m, struct bl_error *err)
{
	if (m->status == BL_STATUS_OK)
		return true;
	/* Without its manifest the image has no layers to list: saying nothing
	 * would read as an empty image. */
	char *label = bl_text_safe(m->label ? m->label : "manifest");
	bl_fail(err, m->cause != BL_OK ? m->cause : BL_E_NOT_FOUND, "%s: no layers to list: %s",
	        label, m->status_msg ? m->status_msg : bl_node_status_name(m->status));
	free(label);
	return false;
}

size_t cli_image_layer_count(const struct bl_node *m)
{
	size_t n = 0;
	for (size_t i = 0; i < bl_node_count(m); i++)
		if (bl_node_child(m, i)->kind == BL_NODE_LAYER)
			n++;
	return n;
}

const struct bl_node *cli_image_layer(const struct bl_node *m, size_t idx)
{
	for (size_t i = 0, seen = 0; i < bl_node_count(m); i++) {
		const struct bl_node *c = bl_node_child(m, i);
		if (c->kind == BL_NODE_LAYER && seen++ == idx)
			return c;
	}
	return NULL;
}

bool cli_layer_arg(const char *arg, long *out)
{
	char *end;
	*out = strtol(arg, &end, 10);
	if (*end || end == arg) {
		cli_error("--layer: expected a layer number (1 is the bottom, -1 the top), got "
		          "\"%s\"",
		        arg);
		return false;
	}
	return true;
}

bool cli_layer_index(long number, size_t count, size_t *idx, struct bl_error *err)
{
	if (bl_layer_number_index(number, count, idx))
		return true;
	if (!count)
		return bl_fail(err, BL_E_NOT_FOUND, "--layer %ld: the image has no layers", number);
	char *range = bl_layer_number_range(count);
	bl_fail(err, BL_E_NOT_FOUND, "--layer %ld: the image has %zu layer%s %s", number, count,
	        count == 1 ? "" : "s", range);
	free(range);
	return false;
}

bool cli_image_list(const struct bl_options *o, const struct bl_node *m, bool hash, size_t count,
        const struct bl_passlist *pass, struct bl_image_files *f, struct bl_error *err)
{
	struct cli_progress prog;
	cli_progress_begin(&prog, o);
	struct bl_layerfiles_opts lo = {
	        .hash = hash, .progress = cli_progress, .progress_ud = &prog, .pass = pass};
	bool ok = bl_image_files_load(m, &lo, count, f, err);
	cli_progress_end(&prog);
	return ok;
}

bool cli_image_load(const struct bl_options *o, bool configs, const char *capture,
        struct bl_build **b, struct bl_passlist **pass, int *exit_code)
{
	*pass = bl_passlist_new(capture);
	struct bl_source_opts needs = {
	        .no_referrers = true, .depth = BL_LOAD_CONFIGS, .platform = o->platform};
	return cli_load_tap(o, configs ? &needs : NULL, bl_passlist_tap(*pass), b, exit_code);
}

bool cli_image_list_files(const struct bl_options *o, const struct bl_node *m,
        const struct bl_passlist *pass, struct bl_image_files *f, struct bl_error *err)
{
	struct cli_progress prog;
	cli_progress_begin(&prog, o);
	struct bl_layerfiles_opts lo = {
	        .progress = cli_progress, .progress_ud = &prog, .pass = pass};
	bool ok = true;
	for (size_t i = 0; ok && i < cli_image_layer_count(m); i++) {
		const struct bl_node *c = cli_image_layer(m, i);
		lo.layer = (int)i;
		struct bl_file_list one;
		bl_file_list_init(&one);
		ok = bl_passlist_list_node(c, &lo, &one, err);
		if (ok)
			bl_image_files_add_take(f, &one, c->has_desc ? c->desc.size : -1);
		bl_file_list_fini(&one);
	}
	cli_progress_end(&prog);
	return ok;
}
