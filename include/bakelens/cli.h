/* The scriptable face: subcommands that print text or JSON. Never calls into ui. */
#ifndef BL_CLI_H
#define BL_CLI_H

#include <stdbool.h>

#include "bakelens/exitcode.h" /* the exit codes bl_cli_main returns */

/* True when `arg` names a subcommand (tree, inspect, digest, ...). */
bool bl_cli_is_command(const char *arg);
/* The index in argv of the subcommand: the first argument that is neither an
 * option nor an option's value (`bakelens --offline tree X` as well as
 * `bakelens tree --offline X`), when it names one; 0 when there is none. */
int bl_cli_command_at(int argc, char **argv);
/* Run the command line (argv[0] is the program); without a subcommand it is
 * `tree`. Returns the exit code. */
int bl_cli_main(int argc, char **argv);

#endif
