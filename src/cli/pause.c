/* pause.c - husk pause (being written). */
#include <stdio.h>

#include "cli/cli.h"

int hk_cmd_pause(const hk_global *g, int argc, char **argv)
{
	fprintf(stderr, "husk pause: not implemented yet\n");
	return 1;
}
int hk_cmd_resume(const hk_global *g, int argc, char **argv)
{
	fprintf(stderr, "husk resume: not implemented yet\n");
	return 1;
}
