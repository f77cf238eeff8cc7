/* bakelens check SOURCE... [--target T] [--platform P] [--lowest-efficiency R]
 *     [--highest-wasted-bytes SIZE] [--highest-user-wasted-percent R] [--rules FILE] [--json]
 *
 * dive's CI rules over dive's figures (changeset.h), for every image manifest
 * of the target (or the one --platform names), with the exact shadowed bytes
 * beside them. Rules: dive's defaults (lowestEfficiency 0.9,
 * highestWastedBytes disabled, highestUserWastedPercent 0.1), then a
 * .dive-ci file's, then the options. Exit 0 when every rule passes, 1 when
 * one fails, 2 and up on errors. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bakelens/buf.h"
#include "bakelens/changeset.h"
#include "bakelens/cli.h"
#include "bakelens/file.h"
#include "bakelens/mem.h"
#include "bakelens/text.h"
#include "bakelens/passlist.h"
#include "cli_internal.h"

enum { R_EFFICIENCY, R_WASTED, R_USER, NRULES };

static const char *const rule_keys[NRULES] = {
        "lowestEfficiency", "highestWastedBytes", "highestUserWastedPercent"};
static const char *const rule_snake[NRULES] = {
        "lowest-efficiency", "highest-wasted-bytes", "highest-user-wasted-percent"};

struct rule {
	char *config; /* as given (owned) */
	bool disabled;
	double ratio;   /* R_EFFICIENCY, R_USER */
	uint64_t bytes; /* R_WASTED */
};

/* dive's isRuleDisabled. */
static bool disabled_value(const char *v)
{
	while (isspace((unsigned char)*v))
		v++;
	size_t n = strlen(v);
	while (n && isspace((unsigned char)v[n - 1]))
		n--;
	static const char *const offs[] = {"", "disabled", "off", "false"};
	for (size_t i = 0; i < 4; i++)
		if (strlen(offs[i]) == n && strncasecmp(v, offs[i], n) == 0)
			return true;
	return false;
}

/* go-humanize's ParseBytes: a number, optional spaces, an optional unit
 * (k, kb: 1000; ki, kib: 1024; up to e/eib), case ignored. */
static bool parse_bytes(const char *v, uint64_t *out)
{
	char *end;
	double num = strtod(v, &end);
	if (end == v || !isfinite(num) || num < 0)
		return false;
	while (*end == ' ')
		end++;
	static const char *const si[] = {"", "k", "m", "g", "t", "p", "e"};
	char unit[8] = "";
	size_t n = strlen(end);
	if (n >= sizeof unit)
		return false;
	/* unit[] is zeroed: copying n (< 8) bytes leaves it terminated */
	for (size_t i = 0; i < n && i < sizeof unit - 1; i++)
		unit[i] = (char)tolower((unsigned char)end[i]);
	if (n && unit[n - 1] == 'b')
		unit[--n] = '\0';
	double mult = 0, dec = 1, bin = 1;
	for (int i = 0; i < 7 && !mult; i++, dec *= 1000, bin *= 1024) {
		if (strcmp(unit, si[i]) == 0)
			mult = dec;
		else if (i && unit[0] == si[i][0] && strcmp(unit + 1, "i") == 0)
			mult = bin;
	}
	if (!mult || num * mult >= 18446744073709551615.0)
		return false;
	*out = (uint64_t)(num * mult);
	return true;
}

static bool set_rule(struct rule *r, int which, const char *value, struct bl_error *err)
{
	free(r->config);
	r->config = bl_strdup(value);
	r->disabled = disabled_value(value);
	if (r->disabled)
		return true;
	if (which == R_WASTED) {
		if (!parse_bytes(value, &r->bytes))
			return bl_fail(err, BL_E_USAGE,
			        "%s: expected a size (20MB, 1.5GiB, 1000) or \"disabled\", got "
			        "\"%s\"",
			        rule_keys[which], value);
		return true;
	}
	char *end;
	r->ratio = strtod(value, &end);
	while (isspace((unsigned char)*end))
		end++;
	if (end == value || *end || !(r->ratio >= 0 && r->ratio <= 1))
		return bl_fail(err, BL_E_USAGE,
		        "%s: expected a ratio from 0 to 1 or \"disabled\", got \"%s\"",
		        rule_keys[which], value);
	return true;
}

/* The subset of YAML a .dive-ci file uses: "rules:" and, indented under it,
 * "key: value" lines (camelCase or snake-case keys, values plain or quoted);
 * comments from '#', "---" and list items ("- x") skipped. Unknown keys are
 * ignored, as dive ignores them. */
static bool read_rules(const char *path, struct rule *rules, struct bl_error *err)
{
	struct bl_buf text;
	bl_buf_init(&text);
	if (!bl_file_read(path, 1 << 20, &text, err)) {
		bl_buf_fini(&text);
		return false;
	}
	bool ok = true, in_rules = false;
	int lineno = 0;
	for (char *line = text.data, *next; line && ok; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *hash = strchr(line, '#');
		if (hash && (hash == line || isspace((unsigned char)hash[-1])))
			*hash = '\0';
		size_t n = strlen(line);
		while (n && isspace((unsigned char)line[n - 1]))
			line[--n] = '\0';
		if (!n)
			continue;
		bool indented = isspace((unsigned char)line[0]);
		char *key = line;
		while (isspace((unsigned char)*key))
			key++;
		/* Document markers and list items (dive's own file has both). */
		if (strcmp(key, "---") == 0 || strcmp(key, "...") == 0 ||
		        (key[0] == '-' && (key[1] == ' ' || !key[1])))
			continue;
		char *colon = strchr(key, ':');
		if (!colon) {
			ok = bl_fail(err, BL_E_FORMAT, "%s: line %d: expected \"key: value\"", path,
			        lineno);
			break;
		}
		*colon = '\0';
		char *value = colon + 1;
		while (isspace((unsigned char)*value))
			value++;
		size_t vl = strlen(value);
		if (vl >= 2 && (value[0] == '"' || value[0] == '\'') && value[vl - 1] == value[0]) {
			value[vl - 1] = '\0';
			value++;
		}
		if (!indented) {
			in_rules = strcmp(key, "rules") == 0;
			continue;
		}
		if (!in_rules)
			continue;
		for (int i = 0; i < NRULES; i++)
			if (strcmp(key, rule_keys[i]) == 0 || strcmp(key, rule_snake[i]) == 0) {
				ok = set_rule(&rules[i], i, value, err);
				if (!ok) {
					err->code = BL_E_FORMAT;
					bl_error_prefix(err, "%s: line %d", path, lineno);
				}
			}
	}
	bl_buf_fini(&text);
	return ok;
}

/* One rule against the figures: 1 passed, 0 failed, -1 disabled; the
 * sentence (dive's wording) into msg. */
static int evaluate(
        const struct rule *r, int which, const struct bl_waste *w, char *msg, size_t size)
{
	if (r->disabled) {
		snprintf(msg, size, "rule disabled");
		return -1;
	}
	switch (which) {
	case R_EFFICIENCY:
		if (r->ratio > w->efficiency) {
			snprintf(msg, size,
			        "image efficiency is too low (efficiency=%.4f < threshold=%s)",
			        w->efficiency, r->config);
			return 0;
		}
		snprintf(msg, size, "efficiency=%.4f >= threshold=%s", w->efficiency, r->config);
		return 1;
	case R_WASTED:
		if (w->wasted_bytes > r->bytes) {
			snprintf(msg, size,
			        "too many bytes wasted (wasted-bytes=%llu > threshold=%s)",
			        (unsigned long long)w->wasted_bytes, r->config);
			return 0;
		}
		snprintf(msg, size, "wasted-bytes=%llu <= threshold=%s",
		        (unsigned long long)w->wasted_bytes, r->config);
		return 1;
	default:
		/* NaN (nothing wasted, no user bytes) passes, as in dive. */
		if (w->user_wasted_percent > r->ratio) {
			snprintf(msg, size,
			        "too many bytes wasted, relative to the user bytes added "
			        "(%%-user-wasted-bytes=%.4f > threshold=%s)",
			        w->user_wasted_percent, r->config);
			return 0;
		}
		snprintf(msg, size, "%%-user-wasted-bytes=%.4f <= threshold=%s",
		        w->user_wasted_percent, r->config);
		return 1;
	}
}

/* Image manifests under `n` (indexes walked; attestations are another kind). */
static void collect(const struct bl_node *n, struct bl_vec *out, int depth)
{
	if (depth > 64)
		return;
	if (n->kind == BL_NODE_MANIFEST) {
		bl_vec_push_take(out, (void *)n);
		return;
	}
	for (size_t i = 0; i < bl_node_count(n); i++) {
		const struct bl_node *c = bl_node_child(n, i);
		if (c->kind == BL_NODE_MANIFEST || c->kind == BL_NODE_INDEX)
			collect(c, out, depth + 1);
	}
}

static json_t *real(double v)
{
	return isfinite(v) ? json_real(v) : json_null(); /* JSON has no inf or nan */
}

static json_t *image_json(const struct bl_node *m, const struct bl_image_files *f,
        const struct bl_waste *w, const struct rule *rules, int *failed)
{
	json_t *j = json_object();
	json_object_set_new(j, "image", cli_json_str(m->label));
	json_object_set_new(
	        j, "manifest", m->has_desc ? json_string(m->desc.digest.str) : json_null());
	json_object_set_new(j, "layer_numbering", json_string("1-based"));
	json_object_set_new(j, "efficiency", real(w->efficiency));
	json_object_set_new(j, "size_bytes", json_integer((json_int_t)w->size_bytes));
	json_object_set_new(j, "user_size_bytes", json_integer((json_int_t)w->user_size_bytes));
	json_object_set_new(j, "wasted_bytes", json_integer((json_int_t)w->wasted_bytes));
	json_object_set_new(j, "user_wasted_percent", real(w->user_wasted_percent));
	json_t *in = json_array();
	for (size_t i = 0; i < w->nineff; i++) {
		json_t *x = json_object();
		json_object_set_new(x, "path", cli_json_str(w->ineff[i].path));
		json_object_set_new(x, "count", json_integer((json_int_t)w->ineff[i].count));
		json_object_set_new(x, "cumulative_bytes", json_integer(w->ineff[i].cumulative));
		json_object_set_new(x, "minimum_bytes", json_integer(w->ineff[i].minimum));
		json_array_append_new(in, x);
	}
	json_object_set_new(j, "inefficiencies", in);
	json_object_set_new(j, "shadowed_bytes", json_integer((json_int_t)w->shadowed_bytes));
	json_object_set_new(j, "shadowed_files", json_integer((json_int_t)w->shadowed_files));
	json_t *sh = json_array();
	for (size_t i = 0; i < w->nshadowed; i++) {
		json_t *x = json_object();
		json_object_set_new(x, "path", cli_json_str(w->shadowed[i].path));
		json_object_set_new(x, "layer", json_integer((json_int_t)w->shadowed[i].layer + 1));
		json_object_set_new(
		        x, "by_layer", json_integer((json_int_t)w->shadowed[i].by_layer + 1));
		json_object_set_new(x, "size", json_integer(w->shadowed[i].size));
		json_array_append_new(sh, x);
	}
	json_object_set_new(j, "shadowed", sh);
	json_t *layers = json_array();
	uint64_t comp = 0, tar = 0;
	for (size_t i = 0; i < f->len; i++) {
		json_t *x = json_object();
		const struct bl_node *ln = cli_image_layer(m, i);
		json_object_set_new(x, "layer", json_integer((json_int_t)i + 1));
		json_object_set_new(x, "digest",
		        ln && ln->has_desc ? json_string(ln->desc.digest.str) : json_null());
		json_object_set_new(x, "compressed_bytes", json_integer(f->compressed[i]));
		json_object_set_new(
		        x, "uncompressed_bytes", json_integer((json_int_t)f->layers[i].tar_bytes));
		json_object_set_new(
		        x, "size_bytes", json_integer((json_int_t)f->layers[i].content_bytes));
		json_object_set_new(
		        x, "shadowed_bytes", json_integer((json_int_t)w->layer_shadowed_bytes[i]));
		json_object_set_new(
		        x, "shadowed_files", json_integer((json_int_t)w->layer_shadowed_files[i]));
		json_array_append_new(layers, x);
		comp += f->compressed[i] > 0 ? (uint64_t)f->compressed[i] : 0;
		tar += f->layers[i].tar_bytes;
	}
	json_object_set_new(j, "layers", layers);
	json_object_set_new(j, "compressed_bytes", json_integer((json_int_t)comp));
	json_object_set_new(j, "uncompressed_bytes", json_integer((json_int_t)tar));
	json_t *rj = json_array();
	for (int i = 0; i < NRULES; i++) {
		char msg[256];
		int st = evaluate(&rules[i], i, w, msg, sizeof msg);
		if (st == 0)
			(*failed)++;
		json_t *x = json_object();
		json_object_set_new(x, "rule", json_string(rule_keys[i]));
		json_object_set_new(x, "limit", cli_json_str(rules[i].config));
		json_object_set_new(x, "status",
		        json_string(st > 0 ? "pass"
		                    : st   ? "disabled"
		                           : "fail"));
		json_object_set_new(x, "message", json_string(msg));
		json_array_append_new(rj, x);
	}
	json_object_set_new(j, "rules", rj);
	return j;
}

static void image_text(const struct bl_node *m, const struct bl_image_files *f,
        const struct bl_waste *w, const struct rule *rules, int *failed)
{
	char *label = bl_text_safe(m->label ? m->label : "image");
	char wasted[32], shadow[32], size[32], comp[32], tar[32];
	int64_t c = 0, t = 0;
	for (size_t i = 0; i < f->len; i++) {
		c += f->compressed[i] > 0 ? f->compressed[i] : 0;
		t += (int64_t)f->layers[i].tar_bytes;
	}
	bl_text_size((int64_t)w->wasted_bytes, wasted, sizeof wasted);
	bl_text_size((int64_t)w->shadowed_bytes, shadow, sizeof shadow);
	bl_text_size((int64_t)w->size_bytes, size, sizeof size);
	bl_text_size(c, comp, sizeof comp);
	bl_text_size(t, tar, sizeof tar);
	printf("%s: %zu layers, %s compressed, %s uncompressed, %s in files\n", label, f->len, comp,
	        tar, size);
	printf("  dive: efficiency %.4f, wasted %s (%llu bytes), user wasted %.4f\n", w->efficiency,
	        wasted, (unsigned long long)w->wasted_bytes, w->user_wasted_percent);
	printf("  exact: the layers ship %s (%llu bytes, %zu files) the final image does not "
	       "contain\n",
	        shadow, (unsigned long long)w->shadowed_bytes, w->shadowed_files);
	for (int i = 0; i < NRULES; i++) {
		char msg[256];
		int st = evaluate(&rules[i], i, w, msg, sizeof msg);
		if (st == 0)
			(*failed)++;
		printf("  %s: %s: %s\n", st > 0 ? "PASS" : st ? "SKIP" : "FAIL", rule_keys[i], msg);
	}
	free(label);
}

int cli_cmd_check(const struct bl_options *o)
{
	struct rule rules[NRULES] = {{0}};
	struct bl_error err = {0};
	static const char *const defaults[NRULES] = {"0.9", "disabled", "0.1"};
	const char *given[NRULES] = {
	        o->lowest_efficiency, o->highest_wasted_bytes, o->highest_user_wasted_percent};
	int rc = BL_EXIT_OK;
	bool ok = true;
	for (int i = 0; i < NRULES && ok; i++)
		ok = set_rule(&rules[i], i, defaults[i], &err);
	if (ok && o->rules)
		ok = read_rules(o->rules, rules, &err);
	for (int i = 0; i < NRULES && ok; i++)
		if (given[i]) {
			ok = set_rule(&rules[i], i, given[i], &err);
			if (!ok)
				bl_error_prefix(&err, "--%s", rule_snake[i]);
		}
	struct bl_build *b = NULL;
	struct bl_passlist *pass = NULL; /* the layers of standard input */
	struct bl_vec images;            /* struct bl_node *, borrowed */
	bl_vec_init(&images, NULL);
	if (!ok) {
		rc = cli_fail(&err);
		goto out;
	}
	if (!cli_image_load(o, false, NULL, &b, &pass, &rc))
		goto out;
	const struct bl_node *t = bl_build_find_target(b, o->target, &err);
	const struct bl_node *one =
	        t && o->platform ? bl_node_find_platform(t, o->platform, &err) : NULL;
	if (!t || (o->platform && !one)) {
		rc = cli_fail_input(b, o, &err);
		goto out;
	}
	if (one)
		bl_vec_push_take(&images, (void *)one);
	else
		collect(t, &images, 0);
	if (!images.len) {
		bl_fail(&err, BL_E_NOT_FOUND, "no image manifest to check");
		rc = cli_fail_input(b, o, &err);
		goto out;
	}
	int failed = 0, worst = BL_EXIT_OK;
	struct cli_jw w;
	if (o->json) {
		cli_jw_init(&w);
		cli_jw_open(&w, '{');
		cli_jw_set_new(&w, "layer_numbering", json_string("1-based"));
		cli_jw_key(&w, "images");
		cli_jw_open(&w, '[');
	}
	for (size_t i = 0; i < images.len && cli_out_ok(); i++) {
		const struct bl_node *m = bl_vec_get(&images, i);
		struct bl_image_files f;
		bl_image_files_init(&f);
		struct bl_error e = {0};
		if (!cli_image_usable(m, &e) ||
		        !cli_image_list(o, m, false, SIZE_MAX, pass, &f, &e)) {
			worst = bl_exit_worse(worst, cli_fail_input(b, o, &e));
			bl_image_files_fini(&f);
			continue;
		}
		struct bl_waste waste;
		bl_waste_init(&waste);
		bl_waste_compute(&f, &waste);
		if (o->json)
			cli_jw_put_new(&w, image_json(m, &f, &waste, rules, &failed));
		else
			image_text(m, &f, &waste, rules, &failed);
		bl_waste_fini(&waste);
		bl_image_files_fini(&f);
	}
	if (o->json) {
		cli_jw_close(&w, ']');
		cli_jw_set_new(&w, "pass", json_boolean(failed == 0 && worst == BL_EXIT_OK));
		cli_jw_close(&w, '}');
		cli_jw_end(&w);
	} else if (failed) {
		printf("FAIL: %d rule%s failed\n", failed, failed == 1 ? "" : "s");
	} else if (worst == BL_EXIT_OK) {
		printf("PASS\n");
	}
	/* An error outranks a failed rule: the figures were not all made. */
	rc = worst != BL_EXIT_OK ? worst : failed ? BL_EXIT_DIFFERENT : BL_EXIT_OK;
out:
	for (int i = 0; i < NRULES; i++)
		free(rules[i].config);
	bl_vec_fini(&images);
	bl_build_free(b);
	bl_passlist_free(pass);
	return rc;
}
