/* kill.c - `husk kill [--all|-a] ID [SIGNAL]`: signal a container. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "cli/cli.h"
#include "runtime/lifecycle.h"
#include "util/cleanup.h"

static const char kill_usage[] = "[--all|-a] ID [SIGNAL]";

int hk_cmd_kill(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	hk_err err = {0};
	bool all = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+ah", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			all = true;
			break;
		case 'h':
			printf("usage: husk kill %s\n\nSend SIGNAL (default TERM; a name such as "
			       "KILL or SIGKILL, or a number)\nto the process of container ID, or "
			       "with --all to every process in its cgroup.\n",
			       kill_usage);
			return 0;
		default:
			return hk_cli_usage_error("kill", kill_usage, "unknown option");
		}
	}
	if (optind >= argc || argc - optind > 2)
		return hk_cli_usage_error("kill", kill_usage,
		                          "expected a container id and an "
		                          "optional signal");
	const char *id = argv[optind];
	const char *signame = optind + 1 < argc ? argv[optind + 1] : "TERM";
	int sig = hk_signal_parse(signame);
	if (sig < 0)
		return hk_cli_usage_error("kill", kill_usage, "unknown signal \"%s\"", signame);
	_cleanup_free_ char *root = hk_cli_container_root(g, id, &err);
	if (!root) {
		hk_cli_error(g, &err);
		return 1;
	}
	if (hk_lc_kill(root, id, sig, all, &err) < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	return 0;
}
