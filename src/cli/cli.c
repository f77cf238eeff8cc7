#include "bakelens/cli.h"

bool bl_cli_is_command(const char *arg)
{
	(void)arg;
	return false;
}

int bl_cli_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
