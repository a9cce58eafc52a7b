/* spec.c - `husk spec [--rootless] [-b BUNDLE]`: write a default config.json. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/fs.h"

static const char spec_usage[] = "[--rootless] [-b BUNDLE]";

int hk_cmd_spec(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"bundle", required_argument, NULL, 'b'},
	    {"rootless", no_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	const char *bundle = ".";
	bool rootless = false;
	hk_err err = {0};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+b:h", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			bundle = optarg;
			break;
		case 'r':
			rootless = true;
			break;
		case 'h':
			printf("usage: husk spec %s\n\nWrite a default config.json (the same "
			       "defaults as `runc spec`) into BUNDLE.\n",
			       spec_usage);
			return 0;
		default:
			return hk_cli_usage_error("spec", spec_usage, "unknown option");
		}
	}
	if (optind != argc)
		return hk_cli_usage_error("spec", spec_usage, "unexpected argument \"%s\"",
		                          argv[optind]);
	_cleanup_free_ char *path = NULL;
	if (asprintf(&path, "%s/config.json", bundle) < 0) {
		hk_err_set(&err, ENOMEM, "spec");
		hk_cli_error(g, &err);
		return 1;
	}
	if (access(path, F_OK) == 0) {
		hk_err_plain(&err, EEXIST, "File %s exists. Remove it first", path);
		hk_cli_error(g, &err);
		return 1;
	}
	_cleanup_free_ char *json = hk_spec_default_json(rootless);
	if (!json) {
		hk_err_set(&err, ENOMEM, "spec");
		hk_cli_error(g, &err);
		return 1;
	}
	if (hk_write_file_at(AT_FDCWD, path, json, strlen(json), 1, &err) < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	return 0;
}
