/* state.c - `husk state ID`: print the container's OCI state JSON. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "runtime/state.h"
#include "util/cleanup.h"

static const char state_usage[] = "ID";

int hk_cmd_state(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	hk_err err = {0};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			printf("usage: husk state %s\n\nPrint the state of container ID (OCI state "
			       "JSON).\n",
			       state_usage);
			return 0;
		default:
			return hk_cli_usage_error("state", state_usage, "unknown option");
		}
	}
	if (optind != argc - 1)
		return hk_cli_usage_error("state", state_usage,
		                          "expected exactly one container id");
	const char *id = argv[optind];
	_cleanup_free_ char *root = hk_cli_container_root(g, id, &err);
	if (!root) {
		hk_cli_error(g, &err);
		return 1;
	}
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
