/* bakelens digest --json and --compare: every target's cache keys in one
 * document (docs/digest-json.md), or what moved since an earlier one. */
#include <stdio.h>
#include <stdlib.h>

#include "bakelens/buf.h"
#include "bakelens/exitcode.h"
#include "bakelens/file.h"
#include "bakelens/json.h"
#include "bakelens/query.h"
#include "bakelens/text.h"
#include "cli_internal.h"

static json_t *digest_or_null(bool has, const struct bl_digest *d)
{
	return has ? json_string(d->str) : json_null();
}

static void write_platform(struct cli_jw *w, unsigned asked, const struct bl_platform_keys *pk)
{
	cli_jw_key(w, pk->platform);
	cli_jw_open(w, '{');
	for (enum bl_what k = BL_WHAT_MANIFEST; k <= BL_WHAT_CONFIG; k++)
		if (asked & (1u << k))
			cli_jw_set_new(w, bl_keys_field(k),
			        digest_or_null(pk->has & (1u << k), &pk->key[k]));
	if (asked & BL_KEYS_LAYER) {
		cli_jw_key(w, "layer");
		cli_jw_open(w, '{');
		for (enum bl_what k = BL_WHAT_LAYER; k <= BL_WHAT_CHAIN_ID; k++)
			if (asked & (1u << k))
				cli_jw_set_new(w, bl_keys_field(k),
				        digest_or_null(pk->has & (1u << k), &pk->key[k]));
		cli_jw_close(w, '}');
	}
	if (pk->error)
		cli_jw_set_new(w, "error", cli_json_str(pk->error));
	cli_jw_close(w, '}');
}

static void write_target(struct cli_jw *w, unsigned asked, const struct bl_target_keys *tk)
{
	cli_jw_key(w, tk->name);
	cli_jw_open(w, '{');
	if (asked & (1u << BL_WHAT_INDEX))
		cli_jw_set_new(w, "index", digest_or_null(tk->has_index, &tk->index));
	if (asked & BL_KEYS_PLATFORM) {
		cli_jw_key(w, "platforms");
		cli_jw_open(w, '{');
		for (size_t i = 0; i < tk->platforms.len; i++)
			write_platform(w, asked, bl_vec_get(&tk->platforms, i));
		cli_jw_close(w, '}');
	}
	if (tk->error)
		cli_jw_set_new(w, "error", cli_json_str(tk->error));
	cli_jw_close(w, '}');
}

static bool write_json(const struct bl_options *o, const struct bl_keys *k)
{
	struct cli_jw w;
	cli_jw_init(&w);
	cli_jw_open(&w, '{');
	cli_jw_set_new(&w, "version", json_integer(BL_KEYS_VERSION));
	cli_jw_key(&w, "sources");
	cli_jw_open(&w, '[');
	for (int i = 0; i < o->nsources; i++)
		cli_jw_put_new(&w, cli_json_str(o->sources[i]));
	cli_jw_close(&w, ']');
	json_t *names = json_array();
	for (enum bl_what k2 = BL_WHAT_INDEX; k2 <= BL_WHAT_CHAIN_ID; k2++)
		if (k->asked & (1u << k2))
			json_array_append_new(names, json_string(bl_keys_name(k2)));
	cli_jw_set_new(&w, "keys", names);
	cli_jw_key(&w, "targets");
	cli_jw_open(&w, '{');
	for (size_t i = 0; i < k->targets.len && cli_out_ok(); i++)
		write_target(&w, k->asked, bl_vec_get(&k->targets, i));
	cli_jw_close(&w, '}');
	cli_jw_close(&w, '}');
	return cli_jw_end(&w);
}

/* A key's error not already told by cli_check_statuses, which reports the
 * corrupt and unreadable nodes (every class but these) in the target. */
static bool told_apart(enum bl_status st)
{
	return st == BL_E_NOT_FOUND || st == BL_E_LOOP || st == BL_E_USAGE;
}

/* The problems of each target on stderr; the worst exit code: the keys that
 * could not be computed, and as for plain digest any corrupt or unreadable
 * part of a target's image. */
static int report_errors(const struct bl_build *b, const struct bl_options *o, const char *input,
        const struct bl_keys *k)
{
	int worst = BL_EXIT_OK;
	for (size_t i = 0; i < k->targets.len; i++) {
		const struct bl_target_keys *tk = bl_vec_get(&k->targets, i);
		worst = bl_exit_worse(worst, cli_check_statuses(b, tk->node, o->quiet ? 0 : 20));
		if (tk->error) {
			if (told_apart(tk->status))
				cli_error("%s: %s", input, tk->error);
			worst = bl_exit_worse(worst, bl_exit_code(tk->status));
		}
		for (size_t j = 0; j < tk->platforms.len; j++) {
			const struct bl_platform_keys *pk = bl_vec_get(&tk->platforms, j);
			if (!pk->error)
				continue;
			if (told_apart(pk->status))
				cli_error("%s: %s", input, pk->error);
			worst = bl_exit_worse(worst, bl_exit_code(pk->status));
		}
	}
	return worst;
}

/* The earlier output named by --compare; false after reporting why. */
static bool read_previous(const char *path, struct bl_keys *prev, int *rc)
{
	struct bl_buf data;
	bl_buf_init(&data);
	struct bl_error err = {0};
	/* bl_file_read names the path itself; the parser does not. */
	bool ok = bl_file_read(path, BL_JSON_CONFIG_MAX, &data, &err);
	if (ok && !(ok = bl_keys_read(data.data, data.len, prev, &err)))
		bl_error_prefix(&err, "%s", path);
	else if (!ok)
		bl_keys_init(prev);
	bl_buf_fini(&data);
	if (!ok)
		*rc = cli_fail(&err);
	return ok;
}

int cli_digest_json(const struct bl_options *o, unsigned asked)
{
	if (o->layer) {
		cli_error("--layer: not with --json or --compare (their layer keys are the last "
		          "layer's)");
		return BL_EXIT_USAGE;
	}
	int rc = BL_EXIT_OK;
	struct bl_keys prev;
	bool comparing = o->compare != NULL;
	if (comparing && !read_previous(o->compare, &prev, &rc)) {
		bl_keys_fini(&prev);
		return rc;
	}
	struct bl_build *b = NULL;
	if (!cli_load(o, &b, &rc)) {
		if (comparing)
			bl_keys_fini(&prev);
		return rc;
	}
	const char *input = b->root->label ? b->root->label : o->sources[0];
	struct bl_keys k;
	struct bl_error err = {0};
	if (!bl_build_keys(b, o->target, o->platform, asked, &k, &err)) {
		rc = cli_fail_input(b, o, &err);
	} else if (comparing) {
		bl_keys_narrow(&prev, &k, o->target != NULL, o->platform != NULL);
		struct bl_vec lines;
		bl_vec_init(&lines, free);
		size_t moved = bl_keys_compare(&prev, &k, &lines);
		for (size_t i = 0; i < lines.len && cli_out_ok(); i++) {
			cli_put_safe(bl_vec_get(&lines, i));
			putchar('\n');
		}
		bl_vec_fini(&lines);
		rc = bl_exit_worse(
		        report_errors(b, o, input, &k), moved ? BL_EXIT_DIFFERENT : BL_EXIT_OK);
	} else {
		write_json(o, &k);
		rc = report_errors(b, o, input, &k);
	}
	bl_keys_fini(&k);
	if (comparing)
		bl_keys_fini(&prev);
	bl_build_free(b);
	return rc;
}
