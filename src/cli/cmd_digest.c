/* bakelens digest: one digest on stdout, for scripts and CI cache keys; with
 * --json or --compare every target's keys (cmd_digest_json.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/cli.h"
#include "bakelens/mem.h"
#include "bakelens/query.h"
#include "cli_internal.h"

/* The keys --what names, in the order given (comma-separated values and
 * repeated options alike), at most `max`; false after reporting a bad name. */
static bool what_list(
        const struct bl_options *o, enum bl_what *list, size_t max, size_t *n, unsigned *mask)
{
	*n = 0;
	for (int i = 0; i < o->nwhats; i++) {
		struct bl_error err = {0};
		if (!bl_keys_parse_what(o->whats[i], mask, &err)) {
			cli_fail(&err);
			return false;
		}
		char *copy = bl_strdup(o->whats[i]), *save = NULL;
		for (char *p = strtok_r(copy, ",", &save); p; p = strtok_r(NULL, ",", &save))
			if (*n < max && bl_what_parse(p, &list[*n]))
				++*n;
		free(copy);
	}
	return true;
}

/* One digest per line, for each key asked, in the order asked. */
static int print_digests(
        const struct bl_options *o, struct bl_query *q, const enum bl_what *list, size_t n)
{
	struct bl_build *b = NULL;
	int rc;
	if (!cli_load(o, &b, &rc))
		return rc;
	rc = BL_EXIT_OK;
	for (size_t i = 0; i < (n ? n : 1) && rc == BL_EXIT_OK; i++) {
		if (n)
			q->what = list[i];
		if (q->has_layer && q->what == BL_WHAT_DEFAULT)
			q->what = BL_WHAT_LAYER;
		struct bl_digest d;
		struct bl_error err = {0};
		if (bl_build_query(b, q, &d, &err))
			printf("%s\n", d.str);
		else
			rc = cli_fail_input(b, o, &err);
	}
	/* The answers stand, but an image with a corrupt or unreadable part
	 * (e.g. its config) is not a success: exit as tree would. */
	if (rc == BL_EXIT_OK)
		rc = cli_check_statuses(
		        b, bl_build_find_target(b, q->target, NULL), o->quiet ? 0 : 20);
	bl_build_free(b);
	return rc;
}

int cli_cmd_digest(const struct bl_options *o)
{
	enum bl_what list[64];
	size_t n;
	unsigned mask = 0;
	if (!what_list(o, list, sizeof list / sizeof list[0], &n, &mask))
		return BL_EXIT_USAGE;
	if (o->json || o->compare)
		return cli_digest_json(o, mask);
	struct bl_query q = {.target = o->target, .platform = o->platform};
	if (o->layer) {
		char *end;
		long v = strtol(o->layer, &end, 10);
		if (*end || end == o->layer) {
			cli_error("--layer: expected a whole number (negative counts from the "
			          "end), got \"%s\"",
			        o->layer);
			return BL_EXIT_USAGE;
		}
		q.has_layer = true;
		q.layer = v;
	}
	return print_digests(o, &q, list, n);
}
