/* pause.c - `husk pause ID` and `husk resume ID`: freeze and thaw every
 * process of a container (its cgroup's freezer). */
#include <stdbool.h>

#include "cli/cli.h"
#include "runtime/control.h"
#include "util/cleanup.h"

static int freeze_cmd(const hk_global *g, int argc, char **argv, bool pause)
{
	const char *id;
	int status;
	_cleanup_free_ char *root = hk_cli_id_arg(
	    g, argc, argv, pause ? "pause" : "resume",
	    pause ? "Suspend every process of the running container ID (the cgroup freezer);\n"
	            "`husk state` then says \"paused\".  `husk resume ID` lets them go on."
	          : "Resume the processes of the paused container ID.",
	    &id, &status);
	if (!root)
		return status;
	hk_err err = {0};
	int r = pause ? hk_lc_pause(root, id, &err) : hk_lc_resume(root, id, &err);
	if (r < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	return 0;
}

int hk_cmd_pause(const hk_global *g, int argc, char **argv)
{
	return freeze_cmd(g, argc, argv, true);
}

int hk_cmd_resume(const hk_global *g, int argc, char **argv)
{
	return freeze_cmd(g, argc, argv, false);
}
