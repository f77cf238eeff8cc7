/* bakelens: choose the face. A subcommand (or --help/--version, or stdout
 * not a terminal) runs the scriptable CLI; otherwise the explorer opens. */
#include <locale.h>
#include <stdbool.h>
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

int main(int argc, char **argv)
{
	setlocale(LC_ALL, "");
	if (argc > 1 && bl_cli_is_command(argv[1]))
		return bl_cli_main(argc, argv);
	/* The explorer needs the terminal for keys: with stdin a pipe ("-"),
	 * print the tree instead. */
	if (wants_cli_only(argc, argv) || !isatty(STDOUT_FILENO) || !isatty(STDIN_FILENO))
		return bl_cli_main(argc, argv);
	return bl_ui_main(argc, argv);
}
