/* bakelens: choose the face. A subcommand (or --help/--version, or stdout
 * not a terminal) runs the scriptable CLI; otherwise the explorer opens. */
#include <locale.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bakelens/cli.h"
#include "bakelens/ui.h"

static bool wants_cli_only(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0 ||
		        strcmp(argv[i], "-V") == 0 || strcmp(argv[i], "--version") == 0)
			return true;
	}
	return false;
}

/* Index of "--diff" among the options, or 0. */
static int diff_flag(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--diff") == 0)
			return i;
	return 0;
}

/* `bakelens --diff A B` without a terminal is `bakelens diff A B`. */
static int cli_diff(int argc, char **argv, int flag)
{
	char **args = calloc((size_t)argc + 1, sizeof *args);
	if (!args)
		return 1;
	int n = 0;
	args[n++] = argv[0];
	args[n++] = "diff";
	for (int i = 1; i < argc; i++)
		if (i != flag)
			args[n++] = argv[i];
	int rc = bl_cli_main(n, args);
	free(args);
	return rc;
}

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (bl_cli_command_at(argc, argv))
		return bl_cli_main(argc, argv);
	/* The explorer needs the terminal for keys: with stdin a pipe ("-"),
	 * print the tree instead. */
	if (wants_cli_only(argc, argv) || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO)) {
		int flag = diff_flag(argc, argv);
		return flag ? cli_diff(argc, argv, flag) : bl_cli_main(argc, argv);
	}
	return bl_ui_main(argc, argv);
}
