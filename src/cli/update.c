/* update.c - husk update (being written). */
#include <stdio.h>

#include "cli/cli.h"

int hk_cmd_update(const hk_global *g, int argc, char **argv)
{
	fprintf(stderr, "husk update: not implemented yet\n");
	return 1;
}
