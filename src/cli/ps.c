/* ps.c - `husk ps [-f table|json] ID [PS_ARGS...]`: the processes of a
 * container (every process in its cgroup).  As runc: json is the sorted
 * array of host pids; table runs `ps PS_ARGS` (default -ef) and keeps the
 * header and the lines whose PID column is one of them. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "linux/cgroup.h"
#include "linux/namespaces.h"
#include "runtime/state.h"
#include "util/cleanup.h"

static const char ps_usage[] = "[-f|--format table|json] ID [PS_ARGS...]";

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

/* Without a cgroup (rootless): the processes in the container's pid
 * namespace, or just its process when it shares husk's. */
static int pids_without_cgroup(const hk_state *st, pid_t **pids, size_t *n, hk_err *err)
{
	hk_err e;
	if (hk_pidns_members(st->pid, pids, n, &e) == 0)
		return 0;
	if (!(*pids = malloc(sizeof(pid_t))))
		return hk_err_set(err, ENOMEM, "ps");
	(*pids)[0] = st->pid;
	*n = 1;
	return 0;
}

static int pids_of_cgroup(const hk_state *st, pid_t **pids, size_t *n, hk_err *err)
{
	hk_cgroup *cg = NULL;
	int r = hk_cgroup_load(st->cgroup, &cg, err);
	if (r < 0)
		return hk_err_wrap(err, "ps");
	r = hk_cgroup_pids(cg, pids, n, err);
	hk_cgroup_free(cg);
	return r < 0 ? hk_err_wrap(err, "ps") : 0;
}

/* The container's pids, sorted. */
static int container_pids(const hk_state *st, pid_t **pids, size_t *n, hk_err *err)
{
	*pids = NULL;
	*n = 0;
	int r = st->cgroup && *st->cgroup ? pids_of_cgroup(st, pids, n, err)
	                                  : pids_without_cgroup(st, pids, n, err);
	if (r < 0)
		return r;
	if (*n)
		qsort(*pids, *n, sizeof(pid_t), cmp_pid);
	return 0;
}

/* Run `ps ARGS...` and return its whole output. */
static int run_ps(char **args, int nargs, char **out, hk_err *err)
{
	_cleanup_free_ char **argv = calloc((size_t)nargs + 3, sizeof(char *));
	if (!argv)
		return hk_err_set(err, ENOMEM, "ps");
	argv[0] = "ps";
	if (nargs == 0)
		argv[1] = "-ef";
	for (int i = 0; i < nargs; i++)
		argv[i + 1] = args[i];
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return hk_err_set(err, errno, "pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		return hk_err_set(err, e, "fork");
	}
	if (pid == 0) {
		if (dup2(p[1], STDOUT_FILENO) < 0)
			_exit(127);
		execvp("ps", argv);
		fprintf(stderr, "husk: exec ps: %s\n", strerror(errno));
		_exit(127);
	}
	close(p[1]);
	_cleanup_close_ int rfd = p[0];
	size_t len = 0, cap = 4096;
	_cleanup_free_ char *buf = malloc(cap);
	int r = buf ? 0 : hk_err_set(err, ENOMEM, "ps");
	while (r == 0) {
		if (len + 1 >= cap) {
			char *nb = realloc(buf, cap *= 2);
			if (!nb) {
				r = hk_err_set(err, ENOMEM, "ps");
				break;
			}
			buf = nb;
		}
		ssize_t k = read(rfd, buf + len, cap - len - 1);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			r = hk_err_set(err, errno, "read ps output");
		if (k <= 0)
			break;
		len += (size_t)k;
	}
	close(hk_steal_fd(&rfd));
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return r < 0 ? r : hk_err_set(err, errno, "wait ps");
	if (r < 0)
		return r;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return hk_err_plain(err, EIO, "ps failed (exit status %d)",
		                    WIFEXITED(status) ? WEXITSTATUS(status)
		                                      : 128 + WTERMSIG(status));
	buf[len] = '\0';
	*out = hk_steal_ptr(&buf);
	return 0;
}

static int print_table(const pid_t *pids, size_t n, char **args, int nargs, hk_err *err)
{
	_cleanup_free_ char *out = NULL;
	int r = run_ps(args, nargs, &out, err);
	if (r < 0)
		return r;
	char *save = NULL, *line = strtok_r(out, "\n", &save);
	if (!line)
		return hk_err_plain(err, EIO, "ps printed nothing");
	/* the PID column of the header */
	_cleanup_free_ char *head = strdup(line);
	if (!head)
		return hk_err_set(err, ENOMEM, "ps");
	int col = -1, i = 0;
	for (char *s2 = NULL, *f = strtok_r(head, " \t", &s2); f;
	     f = strtok_r(NULL, " \t", &s2), i++)
		if (strcmp(f, "PID") == 0) {
			col = i;
			break;
		}
	if (col < 0)
		return hk_err_plain(err, EINVAL, "ps: no PID column in its output");
	puts(line);
	while ((line = strtok_r(NULL, "\n", &save))) {
		_cleanup_free_ char *copy = strdup(line);
		if (!copy)
			return hk_err_set(err, ENOMEM, "ps");
		char *s2 = NULL, *f = strtok_r(copy, " \t", &s2);
		for (i = 0; f && i < col; i++)
			f = strtok_r(NULL, " \t", &s2);
		char *end;
		long v = f ? strtol(f, &end, 10) : 0;
		if (!f || *end || v <= 0)
			continue;
		pid_t key = (pid_t)v;
		if (bsearch(&key, pids, n, sizeof(pid_t), cmp_pid))
			puts(line);
	}
	return 0;
}

int hk_cmd_ps(const hk_global *g, int argc, char **argv)
{
	static const struct option opts[] = {
	    {"format", required_argument, NULL, 'f'},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	hk_err err = {0};
	bool json = false;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "+f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0)
				return hk_cli_usage_error("ps", ps_usage,
				                          "invalid format \"%s\": expected table "
				                          "or json",
				                          optarg);
			json = strcmp(optarg, "json") == 0;
			break;
		case 'h':
			printf("usage: husk ps %s\n\nList the processes of container ID: with "
			       "--format json their\nhost pids, else the lines of `ps PS_ARGS` "
			       "(default -ef) for them.\n",
			       ps_usage);
			return 0;
		default:
			return hk_cli_usage_error("ps", ps_usage, "unknown option");
		}
	}
	if (optind >= argc)
		return hk_cli_usage_error("ps", ps_usage, "expected a container id");
	const char *id = argv[optind];
	char **ps_args = argv + optind + 1;
	int n_ps_args = argc - optind - 1;
	if (n_ps_args > 0 && strcmp(ps_args[0], "--") == 0)
		ps_args++, n_ps_args--;
	if (json && n_ps_args > 0)
		return hk_cli_usage_error("ps", ps_usage,
		                          "ps arguments are not used with "
		                          "--format json");
	_cleanup_free_ char *root = hk_cli_container_root(g, id, &err);
	if (!root) {
		hk_cli_error(g, &err);
		return 1;
	}
	hk_state *st = NULL;
	if (hk_state_load(root, id, &st, &err) < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	_cleanup_free_ pid_t *pids = NULL;
	size_t n = 0;
	int r = 0;
	if (!hk_state_alive(st))
		r = hk_err_plain(&err, ESRCH, "container \"%s\" is not running", id);
	else
		r = container_pids(st, &pids, &n, &err);
	hk_state_free(st);
	if (r == 0 && json) {
		putchar('[');
		for (size_t i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", (int)pids[i]);
		puts("]");
	} else if (r == 0) {
		fflush(stdout);
		r = print_table(pids, n, ps_args, n_ps_args, &err);
	}
	if (r < 0) {
		hk_cli_error(g, &err);
		return 1;
	}
	return 0;
}
