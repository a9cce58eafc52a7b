/* exec.c - husk exec (being written). */
#include <stdio.h>

#include "cli/cli.h"

int hk_cmd_exec(const hk_global *g, int argc, char **argv)
{
	fprintf(stderr, "husk exec: not implemented yet\n");
	return 1;
}
