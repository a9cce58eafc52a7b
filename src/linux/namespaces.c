/* namespaces.c - clone3, setns and user namespace id maps. */
#include "linux/namespaces.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/procfs.h"
#include "linux/rootless.h"
#include "util/cleanup.h"
#include "util/fs.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

static const unsigned long ns_flags[HK_NS_COUNT] = {
    [HK_NS_PID] = CLONE_NEWPID,       [HK_NS_NETWORK] = CLONE_NEWNET, [HK_NS_MOUNT] = CLONE_NEWNS,
    [HK_NS_IPC] = CLONE_NEWIPC,       [HK_NS_UTS] = CLONE_NEWUTS,     [HK_NS_USER] = CLONE_NEWUSER,
    [HK_NS_CGROUP] = CLONE_NEWCGROUP, [HK_NS_TIME] = CLONE_NEWTIME,
};

unsigned long hk_ns_clone_flag(enum hk_ns_type type)
{
	return type < HK_NS_COUNT ? ns_flags[type] : 0;
}

pid_t hk_clone(unsigned long flags, int cgroup_fd, int *pidfd, bool *into_cgroup)
{
	struct clone_args args = {
	    .flags = flags | (pidfd ? CLONE_PIDFD : 0),
	    .pidfd = (uint64_t)(uintptr_t)pidfd,
	    .exit_signal = SIGCHLD,
	};
	*into_cgroup = false;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
	}
	long r = syscall(SYS_clone3, &args, sizeof(args));
	if (r < 0 && cgroup_fd >= 0 && (errno == EINVAL || errno == E2BIG || errno == ENOSYS)) {
		args.flags &= ~(uint64_t)CLONE_INTO_CGROUP;
		args.cgroup = 0;
		r = syscall(SYS_clone3, &args, sizeof(args));
		if (r >= 0 || errno != ENOSYS)
			return r < 0 ? -errno : (pid_t)r;
	} else if (r >= 0) {
		*into_cgroup = cgroup_fd >= 0;
		return (pid_t)r;
	}
	if (r < 0 && errno == ENOSYS) {
		/* Kernels before 5.3: no clone3, no CLONE_NEWTIME here. */
		if (flags & CLONE_NEWTIME)
			return -ENOSYS;
		r = syscall(SYS_clone, (flags | SIGCHLD) | (pidfd ? CLONE_PIDFD : 0), NULL, pidfd,
		            NULL, NULL);
	}
	return r < 0 ? -errno : (pid_t)r;
}

int hk_ns_is_ours(pid_t pid, const char *name)
{
	char path[64], self[64];
	struct stat a, b;
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, name);
	snprintf(self, sizeof(self), "/proc/self/ns/%s", name);
	if (stat(path, &a) < 0 || stat(self, &b) < 0)
		return -1;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int hk_ns_join(enum hk_ns_type type, const char *path, hk_err *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(err, errno, "join %s namespace %s", hk_ns_type_name(type), path);
	if (setns(fd, (int)hk_ns_clone_flag(type)) < 0) {
		if (errno == EINVAL)
			return hk_err_plain(err, EINVAL,
			                    "join %s namespace %s: not a namespace of type %s (or "
			                    "not joinable)",
			                    hk_ns_type_name(type), path, hk_ns_type_name(type));
		return hk_err_set(err, errno, "join %s namespace %s", hk_ns_type_name(type), path);
	}
	return 0;
}

int hk_idmap_format(const hk_idmap *m, size_t n, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + off, len - off, "%u %u %u\n", m[i].container_id,
		                 m[i].host_id, m[i].size);
		if (w < 0 || (size_t)w >= len - off)
			return -E2BIG;
		off += (size_t)w;
	}
	return (int)off;
}

/* newuidmap PID cid hid size ... */
static int run_map_helper(const char *helper, pid_t pid, const hk_idmap *m, size_t n, hk_err *err)
{
	char *argv[3 + 3 * 64 + 1];
	char nums[3 * 64 + 1][16];
	size_t a = 0, k = 0;

	if (n > 64)
		return hk_err_plain(err, E2BIG, "%s: too many id mappings", helper);
	argv[a++] = (char *)helper;
	snprintf(nums[k], sizeof(nums[k]), "%d", (int)pid);
	argv[a++] = nums[k++];
	for (size_t i = 0; i < n; i++) {
		uint32_t v[3] = {m[i].container_id, m[i].host_id, m[i].size};
		for (int j = 0; j < 3; j++) {
			snprintf(nums[k], sizeof(nums[k]), "%u", v[j]);
			argv[a++] = nums[k++];
		}
	}
	argv[a] = NULL;
	pid_t child = fork();
	if (child < 0)
		return hk_err_set(err, errno, "fork %s", helper);
	if (child == 0) {
		execvp(helper, argv);
		_exit(127);
	}
	int status;
	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return hk_err_set(err, errno, "wait %s", helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return hk_err_plain(err, ENOENT,
		                    "%s not found: install the uidmap package to map more than "
		                    "your own id",
		                    helper);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return hk_err_plain(err, EPERM, "%s failed (check /etc/subuid and /etc/subgid)",
		                    helper);
	return 0;
}

static bool is_own_single(const hk_idmap *m, size_t n, uint32_t own)
{
	return n == 1 && m[0].host_id == own && m[0].size == 1;
}

static int write_map(pid_t pid, const char *file, const char *helper, const hk_idmap *m, size_t n,
                     bool direct, hk_err *err)
{
	char path[64], buf[4096];
	if (n == 0)
		return 0;
	if (!direct)
		return run_map_helper(helper, pid, m, n, err);
	int len = hk_idmap_format(m, n, buf, sizeof(buf));
	if (len < 0)
		return hk_err_plain(err, E2BIG, "%s: too many id mappings", file);
	snprintf(path, sizeof(path), "%d/%s", (int)pid, file);
	_cleanup_close_ int procfd = hk_procfs_open("/proc", err);
	if (procfd < 0)
		return procfd;
	return hk_procfs_write(procfd, path, buf, (size_t)len, err);
}

bool hk_userns_setgroups_denied(pid_t pid)
{
	char path[64], buf[16] = {0};
	hk_err ignored;
	if (pid == 0)
		snprintf(path, sizeof(path), "self/setgroups");
	else
		snprintf(path, sizeof(path), "%d/setgroups", (int)pid);
	_cleanup_close_ int procfd = hk_procfs_open("/proc", &ignored);
	if (procfd < 0)
		return false;
	_cleanup_close_ int fd = hk_procfs_openat(procfd, path, O_RDONLY | O_CLOEXEC, &ignored);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		return false;
	return strncmp(buf, "deny", 4) == 0;
}

int hk_userns_write_maps(pid_t pid, const hk_idmap *uids, size_t n_uids, const hk_idmap *gids,
                         size_t n_gids, bool *setgroups_denied, hk_err *err)
{
	bool root = geteuid() == 0;
	bool uid_direct = root || is_own_single(uids, n_uids, geteuid());
	bool gid_direct = root || is_own_single(gids, n_gids, getegid());
	int r;

	*setgroups_denied = false;
	if (!root && gid_direct && n_gids > 0) {
		/* An unprivileged process may only map its own gid, and only
		 * once setgroups is denied. */
		char path[64];
		snprintf(path, sizeof(path), "%d/setgroups", (int)pid);
		_cleanup_close_ int procfd = hk_procfs_open("/proc", err);
		r = procfd < 0 ? procfd : hk_procfs_write(procfd, path, "deny", 4, err);
		if (r < 0)
			return hk_err_wrap(err, "user namespace");
		*setgroups_denied = true;
	}
	r = write_map(pid, "uid_map", "newuidmap", uids, n_uids, uid_direct, err);
	if (r < 0)
		return hk_err_wrap(err, "linux.uidMappings");
	r = write_map(pid, "gid_map", "newgidmap", gids, n_gids, gid_direct, err);
	if (r < 0)
		return hk_err_wrap(err, "linux.gidMappings");
	/* A user namespace made inside one where setgroups is denied (husk
	 * under `unshare -r`) inherits the denial: ask the kernel. */
	if (!*setgroups_denied && hk_in_user_namespace())
		*setgroups_denied = hk_userns_setgroups_denied(pid);
	return 0;
}

static int format_offset(char *buf, size_t len, const char *clock, const hk_time_offset *o)
{
	return snprintf(buf, len, "%s %lld %u\n", clock, (long long)o->secs, o->nanosecs);
}

int hk_timens_write_offsets(const hk_time_offset *monotonic, const hk_time_offset *boottime,
                            hk_err *err)
{
	char buf[128];
	int r;
	if (!monotonic->present && !boottime->present)
		return 0;
	_cleanup_close_ int procfd = hk_procfs_open("/proc", err);
	if (procfd < 0)
		return hk_err_wrap(err, "linux.timeOffsets");
	if (monotonic->present) {
		int n = format_offset(buf, sizeof(buf), "monotonic", monotonic);
		r = hk_procfs_write(procfd, "self/timens_offsets", buf, (size_t)n, err);
		if (r < 0)
			return hk_err_wrap(err, "linux.timeOffsets.monotonic");
	}
	if (boottime->present) {
		int n = format_offset(buf, sizeof(buf), "boottime", boottime);
		r = hk_procfs_write(procfd, "self/timens_offsets", buf, (size_t)n, err);
		if (r < 0)
			return hk_err_wrap(err, "linux.timeOffsets.boottime");
	}
	return 0;
}

/* The identity of the pid namespace of /proc/WHO ("self" or a pid). */
static int pidns_of(const char *who, struct stat *st)
{
	char path[300];
	snprintf(path, sizeof(path), "/proc/%s/ns/pid", who);
	return stat(path, st) < 0 ? -errno : 0;
}

pid_t hk_pid_innermost(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	_cleanup_file_ FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "NSpid:", 6) != 0)
			continue;
		const char *last = strrchr(line, '\t');
		long v = last ? strtol(last + 1, NULL, 10) : 0;
		return v > 0 ? (pid_t)v : 0;
	}
	return 0;
}

/* Whether PID is pid 1 of its own pid namespace: the namespace was made
 * for it, not joined. */
static bool is_pidns_init(pid_t pid)
{
	return hk_pid_innermost(pid) == 1;
}

static bool same_ns(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

/* Call FN(pid, identity of the namespace, ARG) for every process in the
 * pid namespace of INIT; see hk_pidns_members(). */
static int pidns_walk(pid_t init, int (*fn)(pid_t, const struct stat *, void *), void *arg,
                      hk_err *err)
{
	struct stat want, self, st;
	char who[32];
	snprintf(who, sizeof(who), "%d", (int)init);
	if (pidns_of(who, &want) < 0)
		return 0; /* gone: no process left */
	if (pidns_of("self", &self) == 0 && same_ns(&self, &want))
		return hk_err_plain(err, ENOTSUP, "the container shares husk's pid namespace");
	/* a joined namespace (a pod's) holds other containers' processes */
	if (!is_pidns_init(init))
		return hk_err_plain(err, ENOTSUP, "the container joined a pid namespace");
	_cleanup_dir_ DIR *d = opendir("/proc");
	if (!d)
		return hk_err_set(err, errno, "open /proc");
	for (struct dirent *de; (de = readdir(d));) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		if (*end || v <= 0 || pidns_of(de->d_name, &st) < 0 || !same_ns(&st, &want))
			continue;
		int r = fn((pid_t)v, &want, arg);
		if (r < 0)
			return hk_err_set(err, -r, "/proc");
	}
	return 0;
}

struct pid_list {
	pid_t *pids;
	size_t n;
};

static int add_pid(pid_t pid, const struct stat *ns, void *arg)
{
	struct pid_list *l = arg;
	(void)ns;
	pid_t *np = realloc(l->pids, (l->n + 1) * sizeof(*np));
	if (!np)
		return -ENOMEM;
	l->pids = np;
	l->pids[l->n++] = pid;
	return 0;
}

int hk_pidns_members(pid_t init, pid_t **pids, size_t *n, hk_err *err)
{
	struct pid_list l = {0};
	int r = pidns_walk(init, add_pid, &l, err);
	if (r < 0) {
		free(l.pids);
		l = (struct pid_list){0};
	}
	*pids = l.pids;
	*n = l.n;
	return r;
}

/* Signal PID through a pidfd once its namespace is checked again: a pid
 * reused since the walk read it is left alone. */
static int signal_member(pid_t pid, const struct stat *ns, void *arg)
{
	int sig = *(const int *)arg;
	char who[32];
	struct stat st;
	snprintf(who, sizeof(who), "%d", (int)pid);
#if defined(SYS_pidfd_open) && defined(SYS_pidfd_send_signal)
	_cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, pid, 0);
#else
	_cleanup_close_ int fd = (errno = ENOSYS, -1);
#endif
	if (fd < 0) {
		if (errno != ENOSYS)
			return 0; /* gone */
		/* no pidfds (< 5.3): a small race, as kill(2) always had */
		if (pidns_of(who, &st) == 0 && same_ns(&st, ns))
			kill(pid, sig);
		return 0;
	}
#ifdef SYS_pidfd_send_signal
	if (pidns_of(who, &st) == 0 && same_ns(&st, ns))
		syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
#endif
	return 0;
}

int hk_pidns_signal(pid_t init, int sig, hk_err *err)
{
	return pidns_walk(init, signal_member, &sig, err);
}
