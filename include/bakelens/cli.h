/* The scriptable face: subcommands that print text or JSON. Never calls into ui. */
#ifndef BL_CLI_H
#define BL_CLI_H

#include <stdbool.h>

/* Exit codes, stable and documented in docs/bakelens.1. diff(1)-like: 0 ok
 * (or identical), 1 different, 2 and above errors. */
enum bl_exit {
	BL_EXIT_OK = 0,
	BL_EXIT_DIFFERENT = 1,
	BL_EXIT_USAGE = 2,     /* bad command line */
	BL_EXIT_INPUT = 3,     /* a source cannot be opened or read (missing file, I/O error) */
	BL_EXIT_FORMAT = 4,    /* a source is not valid (bad JSON, bad tar, bad digest string) */
	BL_EXIT_VERIFY = 5,    /* content does not match its digest or size */
	BL_EXIT_NOT_FOUND = 6, /* the target, platform, layer or blob asked for is not there */
	BL_EXIT_NETWORK = 7,
	BL_EXIT_AUTH = 8,
	BL_EXIT_CANCELLED = 130,
};

/* True when `arg` names a subcommand (tree, inspect, digest, ...). */
bool bl_cli_is_command(const char *arg);
/* The index in argv of the subcommand: the first argument that is neither an
 * option nor an option's value (`bakelens --offline tree X` as well as
 * `bakelens tree --offline X`), when it names one; 0 when there is none. */
int bl_cli_command_at(int argc, char **argv);
/* Run the command line (argv[0] is the program); without a subcommand it is
 * `tree`. Returns the exit code. */
int bl_cli_main(int argc, char **argv);
/* The exit code for an error status. */
int bl_cli_exit_code(int status);

#endif
