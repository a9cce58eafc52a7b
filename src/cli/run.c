/* run.c - `husk run [-d] [-b BUNDLE] [--pid-file F] [--preserve-fds N] ID`. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runtime/container.h"
#include "runtime/lifecycle.h"
#include "runtime/notify.h"
#include "runtime/run.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const char run_usage[] =
    "[-d] [-b BUNDLE] [--pid-file FILE] [--console-socket PATH] [--preserve-fds N] ID";

int hk_cmd_run(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"pid-file", required_argument, NULL, 'p'},
	    {"no-pivot", no_argument, NULL, 'P'},
	    {"no-new-keyring", no_argument, NULL, 'K'},
	    {"detach", no_argument, NULL, 'd'},
	    {"console-socket", required_argument, NULL, 'c'},
	    {"preserve-fds", required_argument, NULL, 'F'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *bundle = ".", *pid_file = NULL, *console = NULL;
	bool detach = false;
	unsigned preserve = 0;
	hk_err err = {0};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+b:dh", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			detach = true;
			break;
		case 'c':
			console = optarg;
			break;
		case 'b':
			bundle = optarg;
			break;
		case 'p':
			pid_file = optarg;
			break;
		case 'P':
			return hk_cli_usage_error("run", run_usage,
			                          "--no-pivot is not supported: husk always uses "
			                          "pivot_root");
		case 'K':
			break;
		case 'F': {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (!*optarg || *optarg == '-' || *end || errno || n > 65536)
				return hk_cli_usage_error("run", run_usage,
				                          "--preserve-fds %s: expected a number",
				                          optarg);
			preserve = (unsigned)n;
			break;
		}
		case 'h':
			printf("usage: husk run %s\n\nCreate and run the container described by "
			       "BUNDLE/config.json in the foreground;\nexit with its process's "
			       "status (128+N when killed by signal N).\n",
			       run_usage);
			return 0;
		default:
			return hk_cli_usage_error("run", run_usage, "unknown option");
		}
	}
	if (optind != argc - 1)
		return hk_cli_usage_error("run", run_usage, "expected exactly one container id");
	const char *id = argv[optind];
	if (detach) {
		/* create + start; husk returns, the container goes on */
		_cleanup_free_ char *root = hk_state_root(g->root);
		if (hk_cli_create(g, id, bundle, pid_file, console, preserve, &err) < 0) {
			hk_cli_error(g, &err);
			return 1;
		}
		if (hk_lc_start(root, id, &err) < 0) {
			hk_err ignored;
			hk_cli_error(g, &err);
			hk_lc_delete(root, id, true, &ignored);
			return 1;
		}
		return 0;
	}
	if (console)
		return hk_cli_usage_error("run", run_usage, "--console-socket needs -d");
	_cleanup_bundle_ hk_bundle bd;
	if (hk_cli_bundle_load(g, id, bundle, preserve, &bd, &err) < 0 ||
	    hk_notify_setup_spec(bd.spec, bd.root, id, &err) < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	hk_create_opts reg = {.root = bd.root,
	                      .id = id,
	                      .bundle = bd.path,
	                      .spec = bd.spec,
	                      .config_json = bd.json,
	                      .config_len = bd.len};
	hk_container_opts o = {.id = id,
	                       .bundle = bd.path,
	                       .spec = bd.spec,
	                       .foreground = true,
	                       .preserve_fds = preserve,
	                       .listen_fds = true};
	int status = -1;
	int r = hk_run_foreground(&o, &reg, pid_file, &status, &err);
	if (r < 0) {
		hk_cli_error(g, &err);
		if (status >= 0)
			return status; /* it ran; only the cleanup failed */
		/* as a shell: 127 command not found, 126 not executable */
		if (strncmp(err.msg, "exec: ", 6) == 0)
			return err.code == ENOENT ? 127 : 126;
		return 1;
	}
	return status;
}
