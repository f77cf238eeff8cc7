/* bakelens tree: the explorer's tree, printed. */
#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "bakelens/cli.h"
#include "bakelens/tree.h"
#include "cli_internal.h"

static bool locale_is_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
}

int cli_cmd_tree(const struct bl_options *o)
{
	struct bl_build *b = NULL;
	int rc;
	if (!cli_load(o, &b, &rc))
		return rc;

	struct bl_tree t;
	/* Depth counts below the targets; the build root and targets add two levels. */
	bl_tree_init(&t, b->root, o->depth < 0 ? 100000 : o->depth + 1);
	t.show_root = true;
	bl_tree_rebuild(&t);
	bool ascii = o->ascii || !locale_is_utf8();
	struct bl_buf line;
	bl_buf_init(&line);
	for (size_t i = 0; i < t.len; i++) {
		bl_buf_clear(&line);
		bl_tree_row_guides(&t, i, ascii, &line);
		bl_tree_row_text(&t.rows[i], &line);
		bl_buf_putc(&line, '\n');
		fwrite(line.data, 1, line.len, stdout);
		if (!cli_out_ok())
			break;
	}
	bl_buf_fini(&line);
	bl_tree_fini(&t);
	/* The tree before the problems on stderr; a failed flush is kept for the end. */
	fflush(stdout);
	cli_out_ok();
	rc = cli_check_statuses(b, NULL, o->quiet ? 0 : 20);
	bl_build_free(b);
	return rc;
}
