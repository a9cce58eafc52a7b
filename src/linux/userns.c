/* userns.c - user namespaces for an ordinary user: the id maps of
 * /etc/subuid and /etc/subgid, and running a function as root inside a
 * new user namespace (a forked child; its result and error message come
 * back over a socket). */
#include "linux/userns.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/namespaces.h"
#include "linux/rootless.h"
#include "util/cleanup.h"
#include "util/passwd.h"

static const char *subuid_file = "/etc/subuid";
static const char *subgid_file = "/etc/subgid";
static const char *passwd_file = "/etc/passwd";

void hk_idmaps_testing_files(const char *subuid, const char *subgid, const char *passwd)
{
	subuid_file = subuid ? subuid : "/etc/subuid";
	subgid_file = subgid ? subgid : "/etc/subgid";
	passwd_file = passwd ? passwd : "/etc/passwd";
}

int hk_passwd_lookup(uid_t uid, char **name, char **home)
{
	_cleanup_file_ FILE *f = fopen(passwd_file, "re");
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0;
	hk_pwent e;

	if (name)
		*name = NULL;
	if (home)
		*home = NULL;
	if (!f)
		return -errno;
	int r = hk_pwent_find(f, NULL, (uint32_t)uid, &e, &buf, &cap);
	if (r < 0)
		return r;
	if (name && !(*name = strdup(e.name)))
		return -ENOMEM;
	if (home && !(*home = strdup(e.home))) {
		if (name) {
			free(*name);
			*name = NULL;
		}
		return -ENOMEM;
	}
	return 0;
}

/* The first "NAME:start:count" or "UID:start:count" line of FILE: 1 when
 * found, 0 when not, -errno when FILE cannot be read (ENOENT: no file). */
static int find_range(const char *file, const char *name, unsigned id, uint32_t *start,
                      uint32_t *count)
{
	_cleanup_file_ FILE *f = fopen(file, "re");
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	char idstr[16];

	if (!f)
		return -errno;
	snprintf(idstr, sizeof(idstr), "%u", id);
	while (getline(&line, &cap, f) > 0) {
		char *p = line + strspn(line, " \t");
		if (*p == '#')
			continue;
		char *c1 = strchr(p, ':');
		if (!c1)
			continue;
		*c1 = '\0';
		if (strcmp(p, idstr) != 0 && (!name || strcmp(p, name) != 0))
			continue;
		unsigned long long s, n;
		char *end;
		errno = 0;
		s = strtoull(c1 + 1, &end, 10);
		if (errno || *end != ':')
			continue;
		n = strtoull(end + 1, &end, 10);
		if (errno || (*end && *end != '\n' && *end != ' ' && *end != '\t'))
			continue;
		if (n == 0 || s > UINT32_MAX || n > UINT32_MAX || s + n > (1ULL << 32))
			continue;
		*start = (uint32_t)s;
		*count = (uint32_t)n;
		return 1;
	}
	return 0;
}

/* Is the setuid helper HELPER (newuidmap) installed: /usr/bin or PATH. */
static bool have_helper(const char *helper)
{
	char path[4096];
	snprintf(path, sizeof(path), "/usr/bin/%s", helper);
	if (access(path, X_OK) == 0)
		return true;
	const char *env = getenv("PATH");
	if (!env)
		return false;
	_cleanup_free_ char *dirs = strdup(env);
	char *save = NULL;
	for (char *d = dirs ? strtok_r(dirs, ":", &save) : NULL; d;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(path, sizeof(path), "%s/%s", d, helper);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

int hk_idmaps_for_user(hk_idmaps *out, hk_err *err)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	_cleanup_free_ char *name = NULL;
	uint32_t us = 0, uc = 0, gs = 0, gc = 0;
	int r;

	memset(out, 0, sizeof(*out));
	out->uids[0] = (hk_idmap){.container_id = 0, .host_id = uid, .size = 1};
	out->gids[0] = (hk_idmap){.container_id = 0, .host_id = gid, .size = 1};
	out->n_uids = out->n_gids = 1;

	/* in a user namespace (unshare -r) /etc/subuid speaks of host ids
	 * that newuidmap would refuse: the own id only */
	if (hk_in_user_namespace()) {
		snprintf(out->why_single, sizeof(out->why_single),
		         "husk runs in a user namespace (only its own id is mapped)");
		return 0;
	}
	r = hk_passwd_lookup(uid, &name, NULL);
	if (r == -ENOMEM)
		return hk_err_set(err, ENOMEM, "%s", passwd_file);
	const char *who = name ? name : "";
	char whobuf[32];
	if (!name) {
		snprintf(whobuf, sizeof(whobuf), "uid %u", (unsigned)uid);
		who = whobuf;
	}

	const char *files[] = {subuid_file, subgid_file};
	uint32_t *starts[] = {&us, &gs}, *counts[] = {&uc, &gc};
	for (size_t i = 0; i < 2; i++) {
		r = find_range(files[i], name, uid, starts[i], counts[i]);
		if (r < 0 && r != -ENOENT && r != -EACCES)
			return hk_err_set(err, -r, "%s", files[i]);
		if (r <= 0) {
			snprintf(out->why_single, sizeof(out->why_single), "no range for %s in %s",
			         who, files[i]);
			return 0;
		}
	}
	if (!have_helper("newuidmap") || !have_helper("newgidmap")) {
		snprintf(out->why_single, sizeof(out->why_single),
		         "newuidmap/newgidmap are not installed (package uidmap)");
		return 0;
	}
	out->uids[1] = (hk_idmap){.container_id = 1, .host_id = us, .size = uc};
	out->gids[1] = (hk_idmap){.container_id = 1, .host_id = gs, .size = gc};
	out->n_uids = out->n_gids = 2;
	out->full = true;
	return 0;
}

/* What the child sends back at the end. */
struct userns_result {
	int ret;
	hk_err err;
};

static ssize_t read_full(int fd, void *buf, size_t len)
{
	ssize_t n;
	while ((n = read(fd, buf, len)) < 0 && errno == EINTR)
		;
	return n;
}

static void write_all(int fd, const void *buf, size_t len)
{
	ssize_t n;
	while ((n = write(fd, buf, len)) < 0 && errno == EINTR)
		;
}

static void send_result(int sock, int ret, const hk_err *err)
{
	struct userns_result res = {.ret = ret};
	if (ret < 0)
		res.err = *err;
	write_all(sock, &res, sizeof(res));
}

static int child_become_root(int sock, hk_err *err)
{
	char c = 0;
	if (unshare(CLONE_NEWUSER) < 0) {
		int e = errno;
		write_all(sock, "E", 1);
		return hk_err_set(err, e, "unshare(CLONE_NEWUSER)");
	}
	write_all(sock, "R", 1);
	/* The parent writes the maps and says whether setgroups is allowed. */
	if (read_full(sock, &c, 1) != 1 || (c != 'G' && c != 'D'))
		return hk_err_plain(err, EPROTO, "user namespace: the parent gave up");
	if (setresgid(0, 0, 0) < 0)
		return hk_err_set(err, errno, "user namespace: setresgid(0)");
	if (c == 'G' && setgroups(0, NULL) < 0)
		return hk_err_set(err, errno, "user namespace: setgroups");
	if (setresuid(0, 0, 0) < 0)
		return hk_err_set(err, errno, "user namespace: setresuid(0)");
	return 0;
}

static void reap(pid_t pid, bool kill_it)
{
	if (kill_it)
		kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

int hk_userns_run(const hk_idmaps *maps, int (*fn)(void *arg, hk_err *err), void *arg, hk_err *err)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return hk_err_set(err, errno, "user namespace: socketpair");
	_cleanup_close_ int ours = sv[0];
	_cleanup_close_ int theirs = sv[1];

	fflush(NULL);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0)
		return hk_err_set(err, errno, "user namespace: fork");
	if (pid == 0) {
		close(hk_steal_fd(&ours));
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		hk_err cerr = {0};
		int r = child_become_root(theirs, &cerr);
		if (r == 0)
			r = fn(arg, &cerr);
		send_result(theirs, r, &cerr);
		fflush(NULL);
		_exit(r < 0 ? 1 : 0);
	}
	close(hk_steal_fd(&theirs));

	char c = 0;
	if (read_full(ours, &c, 1) != 1 || c != 'R') {
		struct userns_result res = {0};
		ssize_t n = read_full(ours, &res, sizeof(res));
		reap(pid, true);
		if (n == (ssize_t)sizeof(res) && res.ret < 0) {
			*err = res.err;
			return res.ret;
		}
		return hk_err_plain(err, EPROTO, "user namespace: the child died");
	}
	bool denied = false;
	int r = hk_userns_write_maps(pid, maps->uids, maps->n_uids, maps->gids, maps->n_gids,
	                             &denied, err);
	if (r < 0) {
		reap(pid, true);
		return r;
	}
	write_all(ours, denied ? "D" : "G", 1);

	struct userns_result res = {0};
	ssize_t n = read_full(ours, &res, sizeof(res));
	int st = 0;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return hk_err_set(err, errno, "user namespace: wait");
	if (n != (ssize_t)sizeof(res)) {
		if (WIFSIGNALED(st))
			return hk_err_plain(err, EINTR,
			                    "user namespace: the child was killed by "
			                    "signal %d",
			                    WTERMSIG(st));
		return hk_err_plain(err, EPROTO,
		                    "user namespace: the child exited (status %d) "
		                    "without a result",
		                    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	if (res.ret < 0) {
		res.err.msg[sizeof(res.err.msg) - 1] = '\0';
		*err = res.err;
		if (err->code <= 0)
			err->code = -res.ret;
	}
	return res.ret;
}
