/* What the explorer shows of every node of a build, for the integration
 * tests (no command prints these):
 *   node_probe [--files] SOURCE...
 * prints, for each node with a descriptor, a line "== KIND DIGEST" (layers:
 * "== layer N DIGEST", N from 0), then its "check it by hand" commands as
 * the explain pane has them (bl_explain_checks), one a line. With --files,
 * a layer's files instead, one path a line, listed as the explorer's file
 * view lists them: the layer's blob opened on its own (no one-pass tap).
 * Exit 0; 1 when the build cannot load or a layer cannot be listed
 * ("node_probe: <status>: <message>" on stderr). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bakelens/explain.h"
#include "bakelens/layerfiles.h"
#include "bakelens/model.h"

static bool files;

static bool walk(const struct bl_build *b, const struct bl_node *n)
{
	if (n->has_desc) {
		if (n->layer)
			printf("== layer %d %s\n", n->layer->index, n->desc.digest.str);
		else
			printf("== %s %s\n", bl_node_kind_name(n->kind), n->desc.digest.str);
		if (!files) {
			char *cmds = bl_explain_checks(b, n);
			if (cmds)
				fputs(cmds, stdout);
			free(cmds);
		} else if (n->kind == BL_NODE_LAYER) {
			struct bl_file_list l;
			bl_file_list_init(&l);
			struct bl_error err = {0};
			bool ok = bl_layerfiles_list_node(n, NULL, &l, &err);
			for (size_t i = 0; ok && i < l.len; i++)
				printf("%s\n", l.items[i].path);
			bl_file_list_fini(&l);
			if (!ok) {
				fprintf(stderr, "node_probe: %s: %s\n", bl_status_name(err.code),
				        err.msg);
				return false;
			}
		}
	}
	for (size_t i = 0; i < bl_node_count(n); i++)
		if (!walk(b, bl_node_child(n, i)))
			return false;
	return true;
}

int main(int argc, char **argv)
{
	int first = 1;
	if (argc > 1 && !strcmp(argv[1], "--files")) {
		files = true;
		first = 2;
	}
	struct bl_build *b = NULL;
	struct bl_error err = {0};
	if (argc <= first) {
		fprintf(stderr, "usage: node_probe [--files] SOURCE...\n");
		return 1;
	}
	if (!bl_build_load(
	            (const char *const *)argv + first, (size_t)(argc - first), NULL, &b, &err)) {
		fprintf(stderr, "node_probe: %s: %s\n", bl_status_name(err.code), err.msg);
		return 1;
	}
	bool ok = walk(b, b->root);
	bl_build_free(b);
	return ok ? 0 : 1;
}
