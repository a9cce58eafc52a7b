/* delete.c - `husk delete [--force|-f] ID`: remove a container. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"

static const char delete_usage[] = "[--force|-f] ID";

int hk_cmd_delete(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"force", no_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	hk_err err = {0};
	bool force = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+fh", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			force = true;
			break;
		case 'h':
			printf(
			    "usage: husk delete %s\n\nDelete a stopped or created container: its "
			    "cgroup and its state.\nWith --force also a running one (killed "
			    "first, SIGKILL), and a missing one\nis not an error.\n",
			    delete_usage);
			return 0;
		default:
			return hk_cli_usage_error("delete", delete_usage, "unknown option");
		}
	}
	if (optind != argc - 1)
		return hk_cli_usage_error("delete", delete_usage,
		                          "expected exactly one container id");
	const char *id = argv[optind];
	_cleanup_free_ char *root = hk_cli_container_root(g, id, &err);
	if (!root) {
		hk_cli_error(g, &err);
		return 1;
	}
	if (hk_lc_delete(root, id, force, &err) < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	return 0;
}
