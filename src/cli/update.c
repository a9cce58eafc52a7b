/* update.c - `husk update [OPTIONS] ID`: change a container's resource
 * limits, from options (runc's names and size syntax) or from a
 * LinuxResources JSON object (--resources FILE, or - for stdin). */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "runtime/control.h"
#include "util/cleanup.h"
#include "util/fs.h"
#include "util/size.h"

static const char update_usage[] =
    "[--resources FILE|-] [--memory N] [--memory-reservation N] [--memory-swap N]\n"
    "       [--kernel-memory N] [--kernel-memory-tcp N] [--pids-limit N]\n"
    "       [--cpu-share N] [--cpu-period N] [--cpu-quota N] [--cpu-burst N]\n"
    "       [--cpu-rt-period N] [--cpu-rt-runtime N] [--cpu-idle 0|1]\n"
    "       [--cpuset-cpus LIST] [--cpuset-mems LIST] [--blkio-weight N] ID";

static const char update_help[] =
    "\nChange the resource limits of container ID (created, running or paused); the\n"
    "new values are also kept with the container.  0 leaves a value as it is, -1\n"
    "means unlimited.\n\n"
    "  -r, --resources FILE|-      a LinuxResources JSON object (as in config.json's\n"
    "                              linux.resources), '-' for stdin; the other options\n"
    "                              are then ignored (as runc)\n"
    "      --memory N              memory limit in bytes (suffixes k, m, g, t, p:\n"
    "                              512m, 1g)\n"
    "      --memory-reservation N  memory soft limit\n"
    "      --memory-swap N         memory + swap limit; -1 unlimited swap\n"
    "      --kernel-memory N       kernel memory limit (linux.resources.memory.kernel;\n"
    "                              obsolete: cgroup v1 only)\n"
    "      --kernel-memory-tcp N   kernel TCP buffer limit (memory.kernelTCP)\n"
    "      --pids-limit N          maximum number of processes\n"
    "      --cpu-share N           CPU shares (relative weight; also --cpu-shares)\n"
    "      --cpu-period N          CFS period (microseconds)\n"
    "      --cpu-quota N           CFS quota per period (microseconds)\n"
    "      --cpu-burst N           CFS burst: unused quota that may be spent\n"
    "                              later, above the quota (microseconds)\n"
    "      --cpu-rt-period N       realtime period (microseconds)\n"
    "      --cpu-rt-runtime N      realtime runtime (microseconds)\n"
    "      --cpu-idle 0|1          1: the container's tasks run as SCHED_IDLE\n"
    "      --cpuset-cpus LIST      CPUs to use (0-2,4)\n"
    "      --cpuset-mems LIST      memory nodes to use\n"
    "      --blkio-weight N        block IO weight (10-1000)\n"
    "\n--l3-cache-schema and --mem-bw-schema (Intel RDT) are refused: husk does\n"
    "not support Intel RDT.\n";

enum {
	OPT_MEMORY = 256,
	OPT_MEMORY_RES,
	OPT_MEMORY_SWAP,
	OPT_PIDS,
	OPT_SHARES,
	OPT_PERIOD,
	OPT_QUOTA,
	OPT_RT_PERIOD,
	OPT_RT_RUNTIME,
	OPT_CPUS,
	OPT_MEMS,
	OPT_BLKIO,
	OPT_KMEM,
	OPT_KMEM_TCP,
	OPT_BURST,
	OPT_IDLE,
	OPT_RDT,
};

/* A size for --memory and the like: "-1" (unlimited) or docker's
 * RAMInBytes (runc's parser). */
static int parse_size(const char *s, long long *out)
{
	int64_t v;
	if (!strcmp(s, "-1")) {
		*out = -1;
		return 0;
	}
	int r = hk_parse_size(s, &v);
	if (r == 0)
		*out = v;
	return r;
}

/* A whole-string integer (SIGNED: may be negative). */
static int parse_int(const char *s, bool is_signed, long long *out)
{
	char *end;
	errno = 0;
	if (!*s || (!is_signed && *s == '-'))
		return -EINVAL;
	long long v = strtoll(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = v;
	return 0;
}

static json_object *section(json_object *top, const char *name)
{
	json_object *o = NULL;
	if (!json_object_object_get_ex(top, name, &o)) {
		o = json_object_new_object();
		json_object_object_add(top, name, o);
	}
	return o;
}

/* Add the value of option C (ARG) to the LinuxResources object TOP. */
static int add_option(json_object *top, int c, const char *name, const char *arg, hk_err *err)
{
	static const struct {
		int opt;
		const char *sect, *key;
		char kind; /* 's' size, 'u' unsigned, 'i' signed, 'c' cpuset list */
	} map[] = {
	    {OPT_MEMORY, "memory", "limit", 's'},
	    {OPT_MEMORY_RES, "memory", "reservation", 's'},
	    {OPT_MEMORY_SWAP, "memory", "swap", 's'},
	    {OPT_KMEM, "memory", "kernel", 's'},
	    {OPT_KMEM_TCP, "memory", "kernelTCP", 's'},
	    {OPT_PIDS, "pids", "limit", 'i'},
	    {OPT_SHARES, "cpu", "shares", 'u'},
	    {OPT_PERIOD, "cpu", "period", 'u'},
	    {OPT_QUOTA, "cpu", "quota", 'i'},
	    {OPT_BURST, "cpu", "burst", 'u'},
	    {OPT_IDLE, "cpu", "idle", 'i'},
	    {OPT_RT_PERIOD, "cpu", "realtimePeriod", 'u'},
	    {OPT_RT_RUNTIME, "cpu", "realtimeRuntime", 'i'},
	    {OPT_CPUS, "cpu", "cpus", 'c'},
	    {OPT_MEMS, "cpu", "mems", 'c'},
	    {OPT_BLKIO, "blockIO", "weight", 'u'},
	};
	for (size_t i = 0; i < HK_ARRAY_SIZE(map); i++) {
		if (map[i].opt != c)
			continue;
		json_object *sect = section(top, map[i].sect);
		long long v = 0;
		int r = 0;
		if (map[i].kind == 'c') {
			json_object_object_add(sect, map[i].key, json_object_new_string(arg));
			return 0;
		}
		if (map[i].kind == 's')
			r = parse_size(arg, &v);
		else
			r = parse_int(arg, map[i].kind == 'i', &v);
		if (r < 0)
			return hk_err_plain(err, EINVAL, "invalid value for --%s: %s \"%s\"", name,
			                    map[i].kind == 's' ? "invalid size" : "not an integer",
			                    arg);
		if (c == OPT_BLKIO && v != 0 && (v < 10 || v > 1000))
			return hk_err_plain(
			    err, EINVAL,
			    "invalid value for --blkio-weight: %lld is out of range "
			    "(10-1000)",
			    v);
		if (c == OPT_BLKIO && v == 0)
			return 0; /* runc: 0 is not set */
		json_object_object_add(sect, map[i].key, json_object_new_int64(v));
		return 0;
	}
	return 0;
}

static int read_resources(const char *file, char **text, size_t *len, hk_err *err)
{
	if (strcmp(file, "-") != 0) {
		int r = hk_read_file(file, text, len, err);
		return r < 0 ? hk_err_wrap(err, "--resources") : 0;
	}
	size_t cap = 4096, n = 0;
	_cleanup_free_ char *buf = malloc(cap);
	for (;;) {
		if (!buf)
			return hk_err_set(err, ENOMEM, "--resources");
		if (n + 1 >= cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				return hk_err_set(err, ENOMEM, "--resources");
			buf = nb;
			cap *= 2;
		}
		ssize_t got = read(STDIN_FILENO, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return hk_err_set(err, errno, "--resources: read stdin");
		if (got == 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*len = n;
	*text = hk_steal_ptr(&buf);
	return 0;
}

int hk_cmd_update(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"resources", required_argument, NULL, 'r'},
	    {"memory", required_argument, NULL, OPT_MEMORY},
	    {"memory-reservation", required_argument, NULL, OPT_MEMORY_RES},
	    {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
	    {"pids-limit", required_argument, NULL, OPT_PIDS},
	    {"cpu-share", required_argument, NULL, OPT_SHARES},
	    {"cpu-shares", required_argument, NULL, OPT_SHARES},
	    {"cpu-period", required_argument, NULL, OPT_PERIOD},
	    {"cpu-quota", required_argument, NULL, OPT_QUOTA},
	    {"cpu-rt-period", required_argument, NULL, OPT_RT_PERIOD},
	    {"cpu-rt-runtime", required_argument, NULL, OPT_RT_RUNTIME},
	    {"cpuset-cpus", required_argument, NULL, OPT_CPUS},
	    {"cpuset-mems", required_argument, NULL, OPT_MEMS},
	    {"blkio-weight", required_argument, NULL, OPT_BLKIO},
	    {"kernel-memory", required_argument, NULL, OPT_KMEM},
	    {"kernel-memory-tcp", required_argument, NULL, OPT_KMEM_TCP},
	    {"cpu-burst", required_argument, NULL, OPT_BURST},
	    {"cpu-idle", required_argument, NULL, OPT_IDLE},
	    {"l3-cache-schema", required_argument, NULL, OPT_RDT},
	    {"mem-bw-schema", required_argument, NULL, OPT_RDT},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	hk_err err = {0};
	const char *resources = NULL;
	json_object *top = json_object_new_object();
	bool flags = false;
	int c, idx = 0, r = 0;

	optind = 1;
	while (r == 0 && (c = getopt_long(argc, argv, "+r:h", opts, &idx)) != -1) {
		switch (c) {
		case 'r':
			resources = optarg;
			break;
		case 'h':
			json_object_put(top);
			printf("usage: husk update %s\n%s", update_usage, update_help);
			return 0;
		case '?':
			json_object_put(top);
			return hk_cli_usage_error("update", update_usage, "unknown option");
		case OPT_RDT:
			/* Intel RDT is resctrl (linux.intelRdt), not a cgroup */
			r = hk_err_plain(&err, ENOTSUP, "--%s: husk does not support Intel RDT",
			                 opts[idx].name);
			break;
		default:
			flags = true;
			r = add_option(top, c, opts[idx].name, optarg, &err);
			break;
		}
	}
	if (r < 0) {
		json_object_put(top);
		hk_cli_error(g, &err);
		return 1;
	}
	if (optind != argc - 1) {
		json_object_put(top);
		return hk_cli_usage_error("update", update_usage,
		                          "expected exactly one container id");
	}
	const char *id = argv[optind];
	_cleanup_free_ char *root = hk_cli_container_root(g, id, &err);
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	if (!root) {
		r = -1;
	} else if (resources) {
		if (flags)
			fprintf(stderr, "husk update: --resources given: the other options are "
			                "ignored\n");
		r = read_resources(resources, &text, &len, &err);
	} else {
		const char *t = json_object_to_json_string_ext(top, JSON_C_TO_STRING_PLAIN);
		if (!t || !(text = strdup(t)))
			r = hk_err_set(&err, ENOMEM, "update");
		len = text ? strlen(text) : 0;
	}
	json_object_put(top);
	if (r == 0)
		r = hk_lc_update(root, id, text, len, &err);
	if (r < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	return 0;
}
