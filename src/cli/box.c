/* box.c - `husk box [OPTIONS] [ROOTFS] [--] [COMMAND [ARG...]]`: the
 * command line of box/box.h. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "box/box.h"
#include "cli/cli.h"
#include "util/cleanup.h"
#include "util/size.h"

static const char box_usage[] = "[OPTIONS] [ROOTFS] [--] [COMMAND [ARG...]]";

static const char box_help[] =
    "Run COMMAND (default /bin/sh) in ROOTFS: a directory, a tarball (such as\n"
    "`docker export` output; .tar, .tar.gz, .tar.xz, .tar.zst, ...) or, when none\n"
    "is given, a built-in busybox root filesystem.  The box gets its own pid,\n"
    "mount, uts, ipc and cgroup namespaces (a user namespace too when run by an\n"
    "ordinary user) and writes into a copy-on-write layer over ROOTFS, which is\n"
    "never changed.  husk exits with COMMAND's status.\n\n"
    "options:\n"
    "  -m, --memory SIZE        memory limit (e.g. 100M, 1g)\n"
    "      --memory-swap SIZE   memory + swap limit (-1: unlimited swap)\n"
    "      --pids-limit N       at most N processes\n"
    "      --cpus N             CPU time, in CPUs (e.g. 0.5)\n"
    "      --tmpfs PATH[:OPTS]  a tmpfs on PATH (OPTS: tmpfs options, e.g. size=64m)\n"
    "  -v, --volume HOST:PATH[:ro]  bind HOST (a file or directory) on PATH\n"
    "  -e, --env K=V            set an environment variable (K alone: the host's value)\n"
    "  -w, --workdir DIR        working directory\n"
    "  -u, --user UID[:GID]     user (names are looked up in ROOTFS's /etc/passwd)\n"
    "      --hostname NAME      host name (default: the box's name)\n"
    "      --name NAME          the box's name (default: box-XXXXXXXX)\n"
    "      --read-only          the root filesystem is read-only\n"
    "  -t, --tty[=BOOL]         a terminal (default: when stdin is one)\n"
    "  -i, --interactive        keep stdin open (always so; for docker habits)\n"
    "      --net host|none      the host's network (default) or none of its own\n"
    "      --rm[=BOOL]          discard the writable layer at exit (default true);\n"
    "                           --rm=false keeps it: a later box of that --name goes on\n"
    "      --print-spec         print the OCI config.json the box would run, and exit\n"
    "      --remove NAME        remove the layer box NAME kept (--rm=false), and exit\n";

static int parse_bool(const char *opt, const char *v, bool *out)
{
	if (!v || strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		*out = true;
	else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
		*out = false;
	else
		return hk_cli_usage_error("box", box_usage,
		                          "%s: expected true or false, got \"%s\"", opt, v);
	return 0;
}

static int add_mount(hk_box_opts *o, hk_box_mount m)
{
	hk_box_mount *n = realloc(o->mounts, (o->n_mounts + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	o->mounts = n;
	o->mounts[o->n_mounts++] = m;
	return 0;
}

/* -v HOST:PATH[:ro|rw] */
static int parse_volume(hk_box_opts *o, const char *arg)
{
	_cleanup_free_ char *s = strdup(arg);
	if (!s)
		return -ENOMEM;
	char *dest = strchr(s, ':');
	if (!dest || dest == s || !dest[1])
		return hk_cli_usage_error("box", box_usage, "-v %s: expected HOST:PATH[:ro]", arg);
	*dest++ = '\0';
	char *mode = strchr(dest, ':');
	bool ro = false;
	if (mode) {
		*mode++ = '\0';
		if (strcmp(mode, "ro") == 0)
			ro = true;
		else if (strcmp(mode, "rw") != 0)
			return hk_cli_usage_error(
			    "box", box_usage, "-v %s: unknown mode \"%s\" (ro or rw)", arg, mode);
	}
	if (dest[0] != '/')
		return hk_cli_usage_error("box", box_usage,
		                          "-v %s: the path in the box must be absolute", arg);
	char *src = realpath(s, NULL);
	if (!src) {
		fprintf(stderr, "husk: -v %s: %s: %s\n", arg, s, strerror(errno));
		return 2;
	}
	hk_box_mount m = {.source = src, .dest = strdup(dest), .readonly = ro};
	return add_mount(o, m) < 0 || !m.dest ? -ENOMEM : 0;
}

/* --tmpfs PATH[:OPTIONS] */
static int parse_tmpfs(hk_box_opts *o, const char *arg)
{
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	if (n == 0 || arg[0] != '/')
		return hk_cli_usage_error("box", box_usage,
		                          "--tmpfs %s: expected an absolute PATH[:OPTIONS]", arg);
	hk_box_mount m = {.dest = strndup(arg, n),
	                  .opts = colon && colon[1] ? strdup(colon + 1) : NULL};
	return add_mount(o, m) < 0 || !m.dest ? -ENOMEM : 0;
}

static void free_opts(hk_box_opts *o)
{
	for (size_t i = 0; i < o->n_mounts; i++) {
		free(o->mounts[i].source);
		free(o->mounts[i].dest);
		free(o->mounts[i].opts);
	}
	free(o->mounts);
	free(o->env);
}

static int size_opt(const char *opt, const char *v, bool allow_unlimited, int64_t *out)
{
	if (allow_unlimited && strcmp(v, "-1") == 0) {
		*out = -1;
		return 0;
	}
	if (hk_parse_size(v, out) < 0)
		return hk_cli_usage_error(
		    "box", box_usage, "%s: expected a size such as 100M or 1g, got \"%s\"", opt, v);
	return 0;
}

static int parse_opts(hk_box_opts *o, int argc, char **argv, bool *tty_set)
{
	enum {
		O_MEMSWAP = 256,
		O_PIDS,
		O_CPUS,
		O_TMPFS,
		O_HOSTNAME,
		O_NAME,
		O_RO,
		O_NET,
		O_RM,
		O_PRINT,
		O_REMOVE,
		O_HELP
	};
	static const struct option opts[] = {
	    {"memory", required_argument, NULL, 'm'},
	    {"memory-swap", required_argument, NULL, O_MEMSWAP},
	    {"pids-limit", required_argument, NULL, O_PIDS},
	    {"cpus", required_argument, NULL, O_CPUS},
	    {"tmpfs", required_argument, NULL, O_TMPFS},
	    {"volume", required_argument, NULL, 'v'},
	    {"env", required_argument, NULL, 'e'},
	    {"workdir", required_argument, NULL, 'w'},
	    {"user", required_argument, NULL, 'u'},
	    {"hostname", required_argument, NULL, O_HOSTNAME},
	    {"name", required_argument, NULL, O_NAME},
	    {"read-only", no_argument, NULL, O_RO},
	    {"tty", optional_argument, NULL, 't'},
	    {"interactive", no_argument, NULL, 'i'},
	    {"net", required_argument, NULL, O_NET},
	    {"network", required_argument, NULL, O_NET},
	    {"rm", optional_argument, NULL, O_RM},
	    {"print-spec", no_argument, NULL, O_PRINT},
	    {"remove", required_argument, NULL, O_REMOVE},
	    {"help", no_argument, NULL, O_HELP},
	    {0},
	};
	int c, r;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+m:v:e:w:u:ti", opts, NULL)) != -1) {
		r = 0;
		switch (c) {
		case 'm':
			r = size_opt("--memory", optarg, false, &o->memory);
			if (r == 0 && o->memory == 0)
				o->memory = -1; /* as docker: 0 is no limit */
			else if (r == 0 && o->memory < 6 << 20)
				r = hk_cli_usage_error("box", box_usage,
				                       "--memory %s: the smallest limit is 6M",
				                       optarg);
			break;
		case O_MEMSWAP:
			r = size_opt("--memory-swap", optarg, true, &o->memory_swap);
			break;
		case O_PIDS: {
			char *end;
			o->pids_limit = strtoll(optarg, &end, 10);
			if (o->pids_limit == 0 || o->pids_limit == -1)
				o->pids_limit = -1; /* as docker: unlimited */
			else if (*end || end == optarg || o->pids_limit < 0)
				r = hk_cli_usage_error(
				    "box", box_usage,
				    "--pids-limit: expected a positive number, got "
				    "\"%s\"",
				    optarg);
			break;
		}
		case O_CPUS: {
			char *end;
			o->cpus = strtod(optarg, &end);
			if (*end || end == optarg || !(o->cpus >= 0.01 && o->cpus <= 100000) ||
			    strpbrk(optarg, "xXnNiI"))
				r = hk_cli_usage_error(
				    "box", box_usage,
				    "--cpus: expected a positive number, got \"%s\"", optarg);
			break;
		}
		case O_TMPFS:
			r = parse_tmpfs(o, optarg);
			break;
		case 'v':
			r = parse_volume(o, optarg);
			break;
		case 'e': {
			char **n = realloc(o->env, (o->n_env + 2) * sizeof(*n));
			if (!n)
				return -ENOMEM;
			o->env = n;
			o->env[o->n_env++] = optarg;
			o->env[o->n_env] = NULL;
			break;
		}
		case 'w':
			o->workdir = optarg;
			break;
		case 'u':
			o->user = optarg;
			break;
		case O_HOSTNAME:
			o->hostname = optarg;
			break;
		case O_NAME: {
			hk_err err = {0};
			if (hk_cli_check_id(optarg, &err) < 0)
				r = hk_cli_usage_error("box", box_usage, "--name: %s", err.msg);
			o->name = optarg;
			break;
		}
		case O_RO:
			o->readonly = true;
			break;
		case 't':
			*tty_set = true;
			r = parse_bool("--tty", optarg, &o->tty);
			break;
		case 'i':
			break;
		case O_NET:
			if (strcmp(optarg, "none") == 0)
				o->net_none = true;
			else if (strcmp(optarg, "host") == 0)
				o->net_none = false;
			else
				r = hk_cli_usage_error("box", box_usage,
				                       "--net: expected host or none, got \"%s\"",
				                       optarg);
			break;
		case O_RM:
			r = parse_bool("--rm", optarg, &o->rm);
			break;
		case O_PRINT:
			o->print_spec = true;
			break;
		case O_REMOVE:
			o->remove = optarg;
			break;
		case O_HELP:
			printf("usage: husk box %s\n\n%s", box_usage, box_help);
			return -1;
		default:
			return hk_cli_usage_error("box", box_usage, "unknown option");
		}
		if (r != 0)
			return r;
	}
	/* [ROOTFS] [--] [COMMAND...]: a "--" before anything else means no
	 * ROOTFS */
	bool dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0;
	if (!dashdash && optind < argc) {
		o->source = argv[optind++];
		if (optind < argc && strcmp(argv[optind], "--") == 0)
			optind++;
	}
	o->argv = argv + optind;
	o->argc = argc - optind;
	return 0;
}

int hk_cmd_box(const hk_global *g, int argc, char **argv)
{
	hk_box_opts o = {.rm = true, .memory = -1, .memory_swap = -2, .pids_limit = -1};
	bool tty_set = false;
	int r = parse_opts(&o, argc, argv, &tty_set);
	if (r != 0) {
		free_opts(&o);
		/* as docker and podman: 125 when husk, not the command, failed */
		return r == -1 ? 0 : 125;
	}
	if (o.memory_swap >= 0 && (o.memory < 0 || o.memory_swap < o.memory)) {
		free_opts(&o);
		hk_cli_usage_error(
		    "box", box_usage,
		    "--memory-swap: needs --memory, and is memory plus swap: at least "
		    "as much as --memory (-1: unlimited swap)");
		return 125;
	}
	if (!tty_set)
		o.tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
	hk_err err = {0};
	int status = -1;
	if (o.remove) {
		r = hk_box_remove(o.remove, &err);
		free_opts(&o);
		if (r < 0)
			hk_cli_error(g, &err);
		return r < 0 ? 125 : 0;
	}
	r = hk_box_run(&o, &status, &err);
	free_opts(&o);
	if (r < 0) {
		hk_cli_error(g, &err);
		if (status >= 0)
			return status;
		if (strncmp(err.msg, "exec: ", 6) == 0)
			return err.code == ENOENT ? 127 : 126;
		return 125; /* as docker and podman: husk itself failed */
	}
	return status;
}
