/* Prints the explorer's "check it by hand" commands of every node of a
 * build, as the explain pane has them (bl_explain_checks): a line
 * "== KIND DIGEST" (layers: "== layer N DIGEST", N from 0), then the
 * commands, one a line. The integration tests run the commands against the
 * real daemon and compare what they print with the node's digest.
 * Usage: explain_probe SOURCE... ; exit 0, 1 when the build cannot load. */
#include <stdio.h>
#include <stdlib.h>

#include "bakelens/explain.h"
#include "bakelens/model.h"

static void walk(const struct bl_build *b, const struct bl_node *n)
{
	if (n->has_desc) {
		if (n->layer)
			printf("== layer %d %s\n", n->layer->index, n->desc.digest.str);
		else
			printf("== %s %s\n", bl_node_kind_name(n->kind), n->desc.digest.str);
		char *cmds = bl_explain_checks(b, n);
		if (cmds)
			fputs(cmds, stdout);
		free(cmds);
	}
	for (size_t i = 0; i < bl_node_count(n); i++)
		walk(b, bl_node_child(n, i));
}

int main(int argc, char **argv)
{
	struct bl_build *b = NULL;
	struct bl_error err = {0};
	if (argc < 2 ||
	        !bl_build_load((const char *const *)argv + 1, (size_t)argc - 1, NULL, &b, &err)) {
		fprintf(stderr, "explain_probe: %s\n",
		        argc < 2 ? "usage: explain_probe SOURCE..." : err.msg);
		return 1;
	}
	walk(b, b->root);
	bl_build_free(b);
	return 0;
}
