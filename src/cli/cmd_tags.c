/* bakelens tags: the tags of a registry repository, one per line (or JSON),
 * every page of the listing followed. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "bakelens/cli.h"
#include "bakelens/registry.h"
#include "bakelens/text.h"
#include "cli_internal.h"

int cli_cmd_tags(const struct bl_options *o)
{
	if (o->nsources != 1) {
		cli_error("tags: expected one repository (docker://REF or REF), got %d arguments",
		        o->nsources);
		return BL_EXIT_USAGE;
	}
	struct bl_source_opts so;
	bl_options_source(o, &so);
	struct bl_store *s = NULL;
	struct bl_error err = {0};
	if (!bl_store_open(o->sources[0], &so, &s, &err))
		return cli_fail(&err);
	int rc = BL_EXIT_OK;
	struct bl_vec tags;
	bl_vec_init(&tags, free);
	if (!bl_store_list_tags(s, &tags, &err)) {
		if (err.code == BL_E_UNSUPPORTED) {
			char *q = bl_text_safe(o->sources[0]);
			cli_error("%s: not a registry reference (tags are listed for registry "
			          "repositories)",
			        q);
			free(q);
			rc = BL_EXIT_USAGE;
		} else {
			rc = cli_fail(&err);
		}
	} else if (o->json) {
		struct cli_jw w;
		cli_jw_init(&w);
		cli_jw_open(&w, '[');
		for (size_t i = 0; i < tags.len && cli_out_ok(); i++)
			cli_jw_put_new(&w, cli_json_str(bl_vec_get(&tags, i)));
		cli_jw_close(&w, ']');
		cli_jw_end(&w);
	} else {
		for (size_t i = 0; i < tags.len && cli_out_ok(); i++) {
			char *t = bl_text_safe(bl_vec_get(&tags, i));
			printf("%s\n", t);
			free(t);
		}
	}
	bl_vec_fini(&tags);
	bl_store_free(s);
	return rc;
}
