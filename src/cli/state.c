/* state.c - `husk state ID`: print the container's OCI state JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "runtime/state.h"
#include "util/cleanup.h"

int hk_cmd_state(const hk_global *g, int argc, char **argv)
{
	const char *id;
	int status;
	_cleanup_free_ char *root =
	    hk_cli_id_arg(g, argc, argv, "state",
	                  "Print the state of container ID (OCI state JSON).", &id, &status);
	if (!root)
		return status;
	hk_err err = {0};
	/* No lock: state.json is replaced atomically, and a reader must not
	 * wait for a long operation on the container. */
	hk_state *st = NULL;
	if (hk_state_load(root, id, &st, &err) < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	_cleanup_free_ char *json = hk_state_json(st, hk_state_status(root, st));
	hk_state_free(st);
	if (!json) {
		hk_err_set(&err, ENOMEM, "state");
		hk_cli_error(g, &err);
		return 1;
	}
	fputs(json, stdout);
	return 0;
}
