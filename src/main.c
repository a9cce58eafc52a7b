/* main.c - husk's entry point: global options, then one verb. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "linux/rootless.h"
#include "linux/seccomp_filter.h"
#include "linux/selfexe.h"
#include "spec/spec.h"
#include "util/cleanup.h"
#include "util/debug.h"

#define HUSK_VERSION "0.1.0"

static const struct verb {
	const char *name;
	int (*fn)(const hk_global *g, int argc, char **argv);
	const char *help;
} verbs[] = {
    {"box", hk_cmd_box, "run a command in a root filesystem, isolated (no config needed)"},
    {"create", hk_cmd_create, "create a container (its process waits for start)"},
    {"start", hk_cmd_start, "start the process of a created container"},
    {"state", hk_cmd_state, "print a container's state (OCI state JSON)"},
    {"kill", hk_cmd_kill, "send a signal to a container's process (or all, --all)"},
    {"delete", hk_cmd_delete, "delete a stopped container (--force: any)"},
    {"list", hk_cmd_list, "list containers"},
    {"ps", hk_cmd_ps, "list the processes of a container"},
    {"features", hk_cmd_features, "print what this build supports (OCI features JSON)"},
    {"exec", hk_cmd_exec, "run a new process in a running container"},
    {"pause", hk_cmd_pause, "suspend every process of a container (freezer)"},
    {"resume", hk_cmd_resume, "resume a paused container"},
    {"update", hk_cmd_update, "change a container's resource limits"},
    {"events", hk_cmd_events, "show a container's resource usage and OOM events"},
    {"run", hk_cmd_run, "create and run a container in the foreground"},
    {"spec", hk_cmd_spec, "write a default config.json"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: husk [GLOBAL OPTIONS] COMMAND [ARGS...]\n\n"
	           "husk is a Linux container runtime for OCI bundles, with runc's command line.\n"
	           "\ncommands:\n");
	for (size_t i = 0; i < HK_ARRAY_SIZE(verbs); i++)
		fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].help);
	fprintf(f, "  %-8s %s\n", "help", "this text, or `husk help COMMAND`: the command's");
	fprintf(f, "\nglobal options (before the command; -opt, --opt VALUE and --opt=VALUE "
	           "all work):\n"
	           "  --root DIR          state directory (default /run/husk; for a user\n"
	           "                      $XDG_RUNTIME_DIR/husk)\n"
	           "  --log FILE          also write errors to FILE (appended)\n"
	           "  --log-format FMT    text (default) or json, as runc's\n"
	           "  --debug             debug messages (to the --log file, else stderr)\n"
	           "  --systemd-cgroup    accepted; create and run refuse it: no systemd\n"
	           "                      cgroup driver yet\n"
	           "  --rootless MODE     auto (default), true or false; husk decides from\n"
	           "                      its effective uid either way (see husk(1))\n"
	           "  -v, --version       print the version\n"
	           "  -h, --help          this text\n"
	           "\n`husk COMMAND --help` describes a command; man husk, all of them.\n");
}

static int find_verb(const char *name)
{
	for (size_t i = 0; i < HK_ARRAY_SIZE(verbs); i++)
		if (strcmp(verbs[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A usage error of husk itself: the reason (also to the --log file), the
 * usage line; runc's status. */
static int global_usage_error(const hk_global *g, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int global_usage_error(const hk_global *g, const char *fmt, ...)
{
	hk_err err = {.code = EINVAL};
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err.msg, sizeof(err.msg), fmt, ap);
	va_end(ap);
	hk_cli_error(g, &err);
	fprintf(stderr, "usage: husk [GLOBAL OPTIONS] COMMAND [ARGS...] (see husk --help)\n");
	return HK_CLI_USAGE_STATUS;
}

/* --rootless takes what runc takes: auto, or a Go strconv.ParseBool
 * value. */
static bool rootless_valid(const char *v)
{
	static const char *const ok[] = {"",     "auto", "1", "t", "T",     "TRUE",  "true",
	                                 "True", "0",    "f", "F", "FALSE", "false", "False"};
	if (strcasecmp(v, "auto") == 0)
		return true;
	for (size_t i = 0; i < HK_ARRAY_SIZE(ok); i++)
		if (strcmp(v, ok[i]) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"root", required_argument, NULL, 'r'},
	    {"log", required_argument, NULL, 'l'},
	    {"log-format", required_argument, NULL, 'f'},
	    {"debug", no_argument, NULL, 'd'},
	    {"systemd-cgroup", no_argument, NULL, 's'},
	    {"rootless", required_argument, NULL, 'R'},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	/* A closed stdin/stdout/stderr would be reused by the next open():
	 * a signalfd or a cgroup file would become "stdin". */
	for (int fd = 0; fd < 3; fd++)
		if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) != fd)
			return 125;
	/* root: NULL is the default, chosen by hk_state_root() */
	hk_global g = {.rootless = "auto"};
	_cleanup_free_ char *abs_root = NULL;
	hk_err err = {0};
	int c;

	hk_cli_init(&g, 0, NULL);
	/* Go's flag package (runc's) takes -log as well as --log: so does
	 * getopt_long_only(); -v and -h still work */
	while ((c = getopt_long_only(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			if (!*optarg)
				return global_usage_error(&g, "--root: empty directory name");
			g.root = optarg;
			break;
		case 'l':
			g.log = *optarg ? optarg : NULL; /* as runc: "" is stderr */
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0)
				return global_usage_error(
				    &g, "invalid log-format \"%s\": expected text or json", optarg);
			g.log_json = strcmp(optarg, "json") == 0;
			break;
		case 'd':
			g.debug = true;
			break;
		case 's':
			g.systemd_cgroup = true;
			break;
		case 'R':
			if (!rootless_valid(optarg))
				return global_usage_error(
				    &g,
				    "invalid --rootless value \"%s\": expected "
				    "auto, true or false",
				    optarg);
			g.rootless = optarg;
			break;
		case 'v':
			printf("husk version %s\nspec: %s\n", HUSK_VERSION, HK_OCI_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default: {
			const char *arg = argv[optind - 1];
			int n = (int)strcspn(arg, "=");
			if (optopt == 0)
				return global_usage_error(&g, "unknown global option %.*s", n, arg);
			if (arg[n] == '=')
				return global_usage_error(&g, "option %.*s takes no value", n, arg);
			return global_usage_error(&g, "option %s needs a value", arg);
		}
		}
	}
	if (hk_cli_open_log(&g, &err) < 0) {
		g.log = NULL;
		hk_cli_error(&g, &err);
		return 1;
	}
	if (optind >= argc) {
		hk_err_plain(&err, EINVAL, "no command given");
		hk_cli_error(&g, &err);
		usage(stderr);
		return HK_CLI_USAGE_STATUS;
	}
	/* a relative --root would change meaning with the cwd (runc makes
	 * it absolute too) */
	if (g.root && g.root[0] != '/') {
		_cleanup_free_ char *cwd = get_current_dir_name();
		if (!cwd || asprintf(&abs_root, "%s/%s", cwd, g.root) < 0) {
			hk_err_set(&err, cwd ? ENOMEM : errno, "--root %s", g.root);
			hk_cli_error(&g, &err);
			return 1;
		}
		g.root = abs_root;
	}
	const char *verb = argv[optind];
	int vargc = argc - optind;
	char **vargv = argv + optind;
	char *help_argv[] = {NULL, "--help", NULL};
	if (strcmp(verb, "help") == 0) {
		if (vargc == 1) {
			usage(stdout);
			return 0;
		}
		/* husk help VERB: husk VERB --help */
		verb = help_argv[0] = argv[optind + 1];
		vargc = 2;
		vargv = help_argv;
	}
	int v = find_verb(verb);
	if (v < 0)
		return global_usage_error(&g, "unknown command \"%s\"", verb);
	/* verbs that put processes running husk's binary in a container: that
	 * binary must not be writable through them (CVE-2019-5736), for root
	 * and for an ordinary user (whose containers can write a binary the
	 * user owns) */
	static const char *const into_container[] = {"create", "run", "exec", "box"};
	for (size_t i = 0; i < HK_ARRAY_SIZE(into_container); i++) {
		if (strcmp(verb, into_container[i]) == 0 && hk_selfexe_readonly(argv, &err) < 0) {
			hk_err_wrap(&err, "protect husk's binary");
			hk_cli_error(&g, &err);
			return 1;
		}
	}
	if (g.root && (!strcmp(verb, "create") || !strcmp(verb, "run") || !strcmp(verb, "exec")))
		hk_seccomp_cache_in(g.root); /* compiled filters: with the state */
	hk_rootless_set(g.rootless);
	hk_cli_init(&g, vargc, vargv);
	hk_debug("husk %s, command %s, root %s, rootless %s (euid %u)", HUSK_VERSION, verb,
	         g.root ? g.root : "(default)", g.rootless, (unsigned)geteuid());
	/* containerd and cri-o pass --systemd-cgroup to every command (delete
	 * too, when cleaning up): only those that would make a cgroup
	 * refuse it */
	bool help = vargc > 1 && (strcmp(vargv[1], "--help") == 0 || strcmp(vargv[1], "-h") == 0);
	if (g.systemd_cgroup && !help &&
	    (strcmp(verb, "create") == 0 || strcmp(verb, "run") == 0)) {
		hk_err_plain(&err, ENOTSUP,
		             "--systemd-cgroup: husk has no systemd cgroup driver yet; leave the "
		             "option out (husk manages cgroups itself: linux.cgroupsPath is a "
		             "path, not slice:prefix:name)");
		hk_cli_error(&g, &err);
		return 1;
	}
	return verbs[v].fn(&g, vargc, vargv);
}
