/* events.c - `husk events [--stats] [--interval D] ID`: a container's
 * resource usage and OOM kills as runc's JSON, one object per line. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/control.h"
#include "util/cleanup.h"

static const char events_usage[] = "[--stats] [--interval DURATION] ID";

/* A Go duration ("5s", "500ms", "1m30s", "1.5s", "0") in milliseconds
 * (a positive one below 1 ms counts as 1 ms): 0, or -1 when malformed. */
static int parse_duration(const char *s, long long *ms)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = {
	    {"ns", 1},  {"us", 1e3}, {"µs", 1e3},   {"ms", 1e6},
	    {"s", 1e9}, {"m", 60e9}, {"h", 3600e9},
	};
	double total = 0;
	bool neg = *s == '-';
	if (*s == '-' || *s == '+')
		s++;
	if (!strcmp(s, "0")) {
		*ms = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		if ((*s < '0' || *s > '9') && *s != '.')
			return -1;
		double v = strtod(s, &end);
		if (end == s)
			return -1;
		s = end;
		size_t best = 0, bi = 0;
		for (size_t i = 0; i < HK_ARRAY_SIZE(units); i++) {
			size_t n = strlen(units[i].unit);
			if (!strncmp(s, units[i].unit, n) && n > best) {
				best = n;
				bi = i;
			}
		}
		if (!best)
			return -1; /* a unit is required */
		total += v * units[bi].ns;
		s += best;
	}
	if (total > 9.2e18)
		return -1;
	long long v = (long long)(total / 1e6);
	if (v == 0 && total > 0)
		v = 1;
	*ms = neg ? -v : v;
	return 0;
}

int hk_cmd_events(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"stats", no_argument, NULL, 's'},
	    {"interval", required_argument, NULL, 'i'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	hk_err err = {0};
	hk_events_opts o = {.interval_ms = 5000, .out = stdout};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			o.stats_only = true;
			break;
		case 'i':
			if (parse_duration(optarg, &o.interval_ms) < 0)
				return hk_cli_usage_error("events", events_usage,
				                          "invalid value \"%s\" for --interval "
				                          "(a duration such as 5s, 500ms, 1m30s)",
				                          optarg);
			break;
		case 'h':
			printf("usage: husk events %s\n\nShow the resource usage of container ID "
			       "(cpu, memory, pids) every\ninterval (default 5s) and its OOM kills "
			       "as they happen, as JSON objects\n(one a line: {\"type\":\"stats\","
			       "...} and {\"type\":\"oom\",...}), until it\nstops.  --stats: one "
			       "stats object, then exit.\n",
			       events_usage);
			return 0;
		default:
			return hk_cli_usage_error("events", events_usage, "unknown option");
		}
	}
	if (optind != argc - 1)
		return hk_cli_usage_error("events", events_usage,
		                          "expected exactly one container id");
	if (o.interval_ms <= 0)
		return hk_cli_usage_error("events", events_usage,
		                          "duration interval must be greater than 0");
	const char *id = argv[optind];
	_cleanup_free_ char *root = hk_cli_container_root(g, id, &err);
	if (!root || hk_lc_events(root, id, &o, &err) < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	return 0;
}
