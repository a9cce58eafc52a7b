/* create.c - `husk create [-b BUNDLE] [--console-socket PATH] [--pid-file F]
 * ID` and `husk start ID`. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/container.h"
#include "runtime/lifecycle.h"
#include "runtime/notify.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const char create_usage[] =
    "[-b BUNDLE] [--console-socket PATH] [--pid-file FILE] [--preserve-fds N] ID";

int hk_cli_bundle_load(const hk_global *g, const char *id, const char *bundle,
                       unsigned preserve_fds, hk_bundle *out, hk_err *err)
{
	memset(out, 0, sizeof(*out));
	/* before any fd of ours may take their numbers */
	int r = hk_check_preserved_fds(preserve_fds, hk_listen_fds(), err);
	if (r < 0 || (r = hk_cli_check_id(id, err)) < 0)
		return r;
	_cleanup_free_ char *real = hk_realpath(bundle);
	if (!real)
		return hk_err_set(err, errno, "bundle %s", bundle);
	if (strlen(real) >= sizeof(out->path))
		return hk_err_set(err, ENAMETOOLONG, "bundle %s", bundle);
	strcpy(out->path, real);
	_cleanup_free_ char *config = NULL;
	out->root = hk_state_root(g->root);
	if (!out->root || asprintf(&config, "%s/config.json", out->path) < 0)
		return hk_err_set(err, ENOMEM, "bundle %s", bundle);
	if ((r = hk_read_file(config, &out->json, &out->len, err)) < 0 ||
	    (r = hk_spec_parse(out->json, out->len, &out->spec, err)) < 0)
		return hk_err_wrap(err, "config.json");
	return 0;
}

void hk_cli_bundle_free(hk_bundle *b)
{
	hk_spec_free(b->spec);
	free(b->json);
	free(b->root);
}

int hk_cli_create(const hk_global *g, const char *id, const char *bundle, const char *pid_file,
                  const char *console, unsigned preserve_fds, hk_err *err)
{
	_cleanup_bundle_ hk_bundle b;
	int r = hk_cli_bundle_load(g, id, bundle, preserve_fds, &b, err);
	if (r < 0 || (r = hk_notify_setup_spec(b.spec, b.root, id, err)) < 0)
		return r;
	hk_create_opts o = {.root = b.root,
	                    .id = id,
	                    .bundle = b.path,
	                    .spec = b.spec,
	                    .config_json = b.json,
	                    .config_len = b.len,
	                    .pid_file = pid_file,
	                    .console_socket = console,
	                    .preserve_fds = preserve_fds};
	return hk_lc_create(&o, err);
}

int hk_cmd_create(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"console-socket", required_argument, NULL, 'c'},
	    {"pid-file", required_argument, NULL, 'p'},
	    {"preserve-fds", required_argument, NULL, 'F'},
	    {"no-pivot", no_argument, NULL, 'P'},
	    {"no-new-keyring", no_argument, NULL, 'K'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *bundle = ".", *pid_file = NULL, *console = NULL;
	unsigned preserve = 0;
	hk_err err = {0};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case 'c':
			console = optarg;
			break;
		case 'p':
			pid_file = optarg;
			break;
		case 'F': {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (!*optarg || *optarg == '-' || *end || errno || n > 65536)
				return hk_cli_usage_error("create", create_usage,
				                          "--preserve-fds %s: expected a number",
				                          optarg);
			preserve = (unsigned)n;
			break;
		}
		case 'P':
			return hk_cli_usage_error("create", create_usage,
			                          "--no-pivot is not supported: husk always uses "
			                          "pivot_root");
		case 'K':
			break;
		case 'h':
			printf("usage: husk create %s\n\nCreate the container described by "
			       "BUNDLE/config.json: everything but its process,\nwhich waits "
			       "until `husk start ID`.  --preserve-fds N passes husk's fds\n"
			       "3..3+N-1 on to it (after the $LISTEN_FDS ones of systemd "
			       "socket activation).\n",
			       create_usage);
			return 0;
		default:
			return hk_cli_usage_error("create", create_usage, "unknown option");
		}
	}
	if (optind != argc - 1)
		return hk_cli_usage_error("create", create_usage,
		                          "expected exactly one container id");
	int r = hk_cli_create(g, argv[optind], bundle, pid_file, console, preserve, &err);
	if (r < 0)
		hk_cli_error(g, &err);
	return r < 0 ? 1 : 0;
}

int hk_cmd_start(const hk_global *g, int argc, char **argv)
{
	const char *id;
	int status;
	_cleanup_free_ char *root = hk_cli_id_arg(
	    g, argc, argv, "start", "Let the process of a created container run.", &id, &status);
	if (!root)
		return status;
	hk_err err = {0};
	if (hk_lc_start(root, id, &err) < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	return 0;
}
