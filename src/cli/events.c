/* events.c - husk events (being written). */
#include <stdio.h>

#include "cli/cli.h"

int hk_cmd_events(const hk_global *g, int argc, char **argv)
{
	fprintf(stderr, "husk events: not implemented yet\n");
	return 1;
}
