/* bakelens digest: one digest on stdout, for scripts and CI cache keys. */
#include <stdio.h>
#include <stdlib.h>

#include "bakelens/cli.h"
#include "cli_internal.h"

int cli_cmd_digest(const struct bl_options *o)
{
	struct bl_query q = {.target = o->target, .platform = o->platform};
	if (o->what && !bl_what_parse(o->what, &q.what)) {
		cli_error("--what: expected index, manifest, config, layer, diff-id or chain-id, "
		          "got \"%s\"",
		        o->what);
		return BL_EXIT_USAGE;
	}
	if (o->layer) {
		char *end;
		long n = strtol(o->layer, &end, 10);
		if (*end || end == o->layer) {
			cli_error("--layer: expected a whole number (negative counts from the "
			          "end), got \"%s\"",
			        o->layer);
			return BL_EXIT_USAGE;
		}
		q.has_layer = true;
		q.layer = n;
		if (q.what == BL_WHAT_DEFAULT)
			q.what = BL_WHAT_LAYER;
	}
	struct bl_build *b = NULL;
	int rc;
	if (!cli_load(o, &b, &rc))
		return rc;
	struct bl_digest d;
	struct bl_error err = {0};
	if (bl_build_query(b, &q, &d, &err)) {
		printf("%s\n", d.str);
		/* The answer stands, but an image with a corrupt or unreadable part
		 * (e.g. its config) is not a success: exit as tree would. */
		rc = cli_check_statuses(
		        b, bl_build_find_target(b, q.target, NULL), o->quiet ? 0 : 20);
	} else {
		rc = cli_fail_input(b, o, &err);
	}
	bl_build_free(b);
	return rc;
}
