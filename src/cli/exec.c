/* exec.c - `husk exec [OPTIONS] ID COMMAND [ARG...]` and `husk exec -p
 * process.json ID`: a new process in a running (or created) container,
 * with runc's options and exit statuses (the process's own in the
 * foreground; 255 when it could not be started, as runc). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "runtime/exec.h"
#include "util/cleanup.h"

static const char exec_usage[] =
    "[-p process.json | ...] [-t|--tty] [--console-socket PATH] [--pid-file F] [-d|--detach]\n"
    "       [--cwd DIR] [-e|--env K=V]... [-u|--user UID[:GID]] [-g|--additional-gids G]...\n"
    "       [--cap CAP]... [--no-new-privs] [--preserve-fds N] [--ignore-paused]\n"
    "       [--cgroup [CONTROLLER:]PATH]... [--apparmor PROFILE]\n"
    "       [--process-label LABEL] ID [COMMAND [ARG...]]";

static const char exec_help[] =
    "\nRun a new process in the container ID (running, or created and not yet\n"
    "started), in its namespaces and cgroup.  The process is the container's own\n"
    "(process in the config it was created with) with COMMAND as its args and\n"
    "the changes below, or with -p the process object in process.json as is.\n"
    "\n"
    "  -p, --process FILE       the process (config.json's \"process\" object)\n"
    "  -t, --tty                give it a terminal (foreground: relayed to ours)\n"
    "  --console-socket PATH    with -d -t: send the pty master to this socket\n"
    "  -d, --detach             return once it has started\n"
    "  --pid-file FILE          write its pid (as seen from the host)\n"
    "  --cwd DIR                working directory in the container\n"
    "  -e, --env K=V            set an environment variable (repeatable)\n"
    "  -u, --user UID[:GID]     run as this user (numeric)\n"
    "  -g, --additional-gids G  add a supplementary group (repeatable)\n"
    "  -c, --cap CAP            add a capability (bounding, effective, permitted)\n"
    "  --no-new-privs           set no_new_privs\n"
    "  --preserve-fds N         pass fds 3..3+N-1 on\n"
    "  --ignore-paused          allow exec in a paused container\n"
    "  --cgroup [CTRL:]PATH     run in this existing sub-cgroup of the container's\n"
    "                           cgroup; cgroup v1: CTRL[,CTRL]:PATH for the\n"
    "                           hierarchy of CTRL only (repeatable)\n"
    "  --apparmor PROFILE       run under this AppArmor profile (default: the\n"
    "                           container's process.apparmorProfile)\n"
    "  --process-label LABEL    run with this SELinux label (default: the\n"
    "                           container's process.selinuxLabel)\n"
    "\nExit status: the process's (128+N when killed by signal N); with -d, 0 once\n"
    "it has started; 255 when it could not be started.\n";

/* Whole-string decimal in [0, MAX]. */
static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;
	/* digits only: strtoul would take " 1", "+1" and "-1" (as 2^64-1) */
	if (!*s || strspn(s, "0123456789") != strlen(s))
		return -EINVAL;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_user(const char *s, hk_exec_opts *o)
{
	unsigned long v;
	_cleanup_free_ char *dup = strdup(s);
	if (!dup)
		return -ENOMEM;
	char *colon = strchr(dup, ':');
	if (colon) {
		*colon = '\0';
		if (parse_uint(colon + 1, UINT32_MAX - 1, &v) < 0)
			return -EINVAL;
		o->has_gid = true;
		o->gid = (uint32_t)v;
	}
	if (parse_uint(dup, UINT32_MAX - 1, &v) < 0)
		return -EINVAL;
	o->has_uid = true;
	o->uid = (uint32_t)v;
	return 0;
}

int hk_cmd_exec(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"process", required_argument, NULL, 'p'},
	    {"tty", no_argument, NULL, 't'},
	    {"console-socket", required_argument, NULL, 'C'},
	    {"pid-file", required_argument, NULL, 'P'},
	    {"detach", no_argument, NULL, 'd'},
	    {"cwd", required_argument, NULL, 'w'},
	    {"env", required_argument, NULL, 'e'},
	    {"user", required_argument, NULL, 'u'},
	    {"additional-gids", required_argument, NULL, 'g'},
	    {"cap", required_argument, NULL, 'c'},
	    {"no-new-privs", no_argument, NULL, 'N'},
	    {"preserve-fds", required_argument, NULL, 'F'},
	    {"ignore-paused", no_argument, NULL, 'I'},
	    {"apparmor", required_argument, NULL, 'A'},
	    {"process-label", required_argument, NULL, 'L'},
	    {"cgroup", required_argument, NULL, 'G'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	hk_exec_opts o = {0};
	/* at most one of each per argument */
	_cleanup_free_ char **env = calloc((size_t)argc + 1, sizeof(char *));
	_cleanup_free_ char **caps = calloc((size_t)argc + 1, sizeof(char *));
	_cleanup_free_ uint32_t *gids = calloc((size_t)argc + 1, sizeof(uint32_t));
	_cleanup_free_ char **cgroups = calloc((size_t)argc + 1, sizeof(char *));
	unsigned long v;
	int c;
	if (!env || !caps || !gids || !cgroups)
		return 255;
	o.cgroups = cgroups;
	o.env = env;
	o.caps = caps;
	o.gids = gids;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:tde:u:g:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o.process_file = optarg;
			break;
		case 't':
			o.tty = true;
			break;
		case 'C':
			o.console_socket = optarg;
			break;
		case 'P':
			o.pid_file = optarg;
			break;
		case 'd':
			o.detach = true;
			break;
		case 'w':
			o.cwd = optarg;
			break;
		case 'e':
			env[o.n_env++] = optarg;
			break;
		case 'u':
			if (parse_user(optarg, &o) < 0)
				return hk_cli_usage_error("exec", exec_usage,
				                          "--user %s: expected UID[:GID] (numbers)",
				                          optarg);
			break;
		case 'g':
			if (parse_uint(optarg, UINT32_MAX - 1, &v) < 0)
				return hk_cli_usage_error("exec", exec_usage,
				                          "--additional-gids %s: expected a gid",
				                          optarg);
			gids[o.n_gids++] = (uint32_t)v;
			break;
		case 'c':
			caps[o.n_caps++] = optarg;
			break;
		case 'N':
			o.no_new_privs = true;
			break;
		case 'F':
			if (parse_uint(optarg, 65536, &v) < 0)
				return hk_cli_usage_error("exec", exec_usage,
				                          "--preserve-fds %s: expected a number",
				                          optarg);
			o.preserve_fds = (unsigned)v;
			break;
		case 'I':
			o.ignore_paused = true;
			break;
		case 'A':
			o.apparmor = optarg;
			break;
		case 'L':
			o.process_label = optarg;
			break;
		case 'G':
			cgroups[o.n_cgroups++] = optarg;
			break;
		case 'h':
			printf("usage: husk exec %s\n%s", exec_usage, exec_help);
			return 0;
		default:
			return hk_cli_usage_error("exec", exec_usage, "unknown option");
		}
	}
	if (optind >= argc)
		return hk_cli_usage_error("exec", exec_usage, "expected a container id");
	o.id = argv[optind++];
	if (o.process_file && optind < argc)
		return hk_cli_usage_error("exec", exec_usage,
		                          "a COMMAND and -p are exclusive: the command is "
		                          "process.json's args");
	if (!o.process_file && optind >= argc)
		return hk_cli_usage_error("exec", exec_usage, "expected a command (or -p)");
	o.args = argv + optind;
	o.n_args = (size_t)(argc - optind);
	hk_err err = {0};
	_cleanup_free_ char *root = hk_cli_container_root(g, o.id, &err);
	if (!root) {
		hk_cli_error(g, &err);
		return 255;
	}
	o.root = root;
	int status = -1;
	if (hk_exec(&o, &status, &err) < 0) {
		hk_cli_error(g, &err);
		return 255;
	}
	return status;
}
