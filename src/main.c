/* main.c - husk's entry point: global options, then one verb. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "spec/spec.h"

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
	           "husk is a Linux container runtime for OCI bundles.\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-8s %s\n", verbs[i].name, verbs[i].help);
	fprintf(f, "\nglobal options:\n"
	           "  --root DIR          state directory (default /run/husk)\n"
	           "  --log FILE          also write errors to FILE\n"
	           "  --log-format FMT    text or json\n"
	           "  --debug             more output\n"
	           "  --systemd-cgroup    use systemd to manage cgroups (not supported yet)\n"
	           "  --rootless MODE     auto, true or false\n"
	           "  -v, --version       print the version\n");
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
	hk_global g = {.root = getuid() == 0 ? "/run/husk" : NULL, .rootless = "auto"};
	int c;

	while ((c = getopt_long(argc, argv, "+vh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			g.root = optarg;
			break;
		case 'l':
			g.log = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
				fprintf(stderr,
				        "husk: --log-format: expected text or json, got "
				        "\"%s\"\n",
				        optarg);
				return 2;
			}
			g.log_json = strcmp(optarg, "json") == 0;
			break;
		case 'd':
			g.debug = true;
			break;
		case 's':
			g.systemd_cgroup = true;
			break;
		case 'R':
			g.rootless = optarg;
			break;
		case 'v':
			printf("husk version %s\nspec: %s\n", HUSK_VERSION, HK_OCI_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	if (g.systemd_cgroup) {
		fprintf(stderr, "husk: --systemd-cgroup: the systemd cgroup driver is not "
		                "supported yet; use the default cgroupfs driver\n");
		return 1;
	}
	const char *verb = argv[optind];
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].name, verb) == 0)
			return verbs[i].fn(&g, argc - optind, argv + optind);
	fprintf(stderr, "husk: unknown command \"%s\" (see husk --help)\n", verb);
	return 2;
}
