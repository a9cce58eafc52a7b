/* floor.c - `floor ROOTFS CGROUP`: the kernel work of `run` of make bench's
 * bundle (husk spec's config running /bin/true, see lib.sh), done as
 * directly as C can, with nothing of a runtime: no config to read, no
 * state, no checks beyond each call's result, no process but the two the
 * kernel needs (this one waits, its clone becomes the container), one step
 * after the other.  What it costs is a floor under a runtime that works
 * the same way (one that overlaps its steps on several CPUs could go a
 * little lower): bench/start.sh prints it beside them.
 *
 * The work, as the bundle asks: the container's cgroup CGROUP (relative:
 * below ours) in each v1 hierarchy husk joins - cpuset given its parent's
 * cpus and mems, devices denied all but the default nodes - or, on cgroup
 * v2, one cgroup entered by clone3 (CLONE_INTO_CGROUP) and a cgroup
 * namespace; new pid, network, ipc, uts and mount namespaces; ROOTFS
 * bound, /proc, /dev (tmpfs), /dev/pts, /dev/shm, /dev/mqueue, /sys and
 * /sys/fs/cgroup (the container's own cgroups) mounted in it, the default
 * device nodes and links made; pivot_root; the masked paths covered and
 * the read-only ones (and the root) made read-only; the hostname; the
 * loopback up; RLIMIT_NOFILE; user 0:0 with no supplementary groups; the
 * bounding set cut to the bundle's three capabilities, which are also its
 * effective, permitted, inheritable and ambient ones; no_new_privs; execve
 * of /bin/true; wait; the cgroups removed.  Not done: the device filter a
 * runtime loads on cgroup v2 (a BPF program) and a seccomp filter (make
 * bench's SECCOMP= gives the runtimes one, not this).  ROOTFS must have
 * proc, dev and sys directories.  Any failure: a message and exit 1 (the
 * bench's clean-up removes what is left).  Small buffers only: each page
 * touched is a page fault, counted.
 *
 * The other two timed figures of make bench, as a runtime's commands
 * split them:
 *   floor create ROOTFS CGROUP DIR   the same work as above in DIR's name
 *                                    (made here: DIR/pid, DIR/fifo), the
 *                                    container's process waiting before
 *                                    its execve for a reader of DIR/fifo
 *                                    (as runc's exec.fifo); no wait
 *   floor start DIR                  let it go on (read the fifo)
 *   floor delete DIR CGROUP          SIGKILL it (delete --force), wait for
 *                                    its end, remove the cgroups and DIR
 *   floor exec PID                   exec of /bin/true in the container of
 *                                    PID: its cgroups joined, its pid,
 *                                    network, ipc, uts and mount (and on v2
 *                                    cgroup) namespaces entered, a fork,
 *                                    the user and capabilities as above,
 *                                    no_new_privs, execve, wait */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define PATH_LEN 512
#define MAX_HIER 16

/* the v1 controllers husk joins the container to */
static const char *const joined[] = {"cpu",     "cpuacct", "cpuset", "memory",
                                     "devices", "freezer", "blkio",  "pids"};

/* a v1 hierarchy joined: its controllers ("cpu,cpuacct": also its
 * directory's name under /sys/fs/cgroup) and the container's cgroup */
struct hier {
	char *ctrls;
	char *dir;
	int tasks_fd;
};
static struct hier hier[MAX_HIER];
static size_t n_hier;

static void die(const char *what)
{
	fprintf(stderr, "floor: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* snprintf that ends the program rather than cut a path */
__attribute__((format(printf, 3, 4))) static void fmt(char *buf, size_t len, const char *f, ...)
{
	va_list ap;
	va_start(ap, f);
	int n = vsnprintf(buf, len, f, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		die(f);
	}
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, s, strlen(s)) < 0)
		die(path);
	close(fd);
}

static void copy_file(const char *from, const char *to)
{
	char buf[1024];
	int fd = open(from, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		die(from);
	if ((size_t)n == sizeof(buf) - 1) {
		errno = EFBIG;
		die(from);
	}
	close(fd);
	buf[n] = '\0';
	write_file(to, buf);
}

static bool has_ctrl(const char *ctrls, const char *ctrl)
{
	size_t len = strlen(ctrl);
	for (const char *p = ctrls; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, ctrl, len) == 0 && (p[len] == ',' || p[len] == '\0'))
			return true;
	return false;
}

static bool joins(const char *ctrls)
{
	for (size_t i = 0; i < sizeof(joined) / sizeof(joined[0]); i++)
		if (has_ctrl(ctrls, joined[i]))
			return true;
	return false;
}

static const char *const allowed[] = {"c *:* m",     "b *:* m",   "c 1:3 rwm", "c 1:8 rwm",
                                      "c 1:7 rwm",   "c 5:0 rwm", "c 1:5 rwm", "c 1:9 rwm",
                                      "c 136:* rwm", "c 5:2 rwm"};

/* the container's cgroup NAME in hierarchy CTRLS, where we are in OWN:
 * made when MAKE, else only named (to be removed) */
static void v1_cgroup(const char *ctrls, const char *own, const char *name, bool make)
{
	char path[PATH_LEN];
	fmt(path, sizeof(path), "/sys/fs/cgroup/%s", ctrls);
	if (access(path, F_OK) < 0 || n_hier == MAX_HIER)
		return;
	struct hier *h = &hier[n_hier++];
	if (!(h->ctrls = strdup(ctrls)) ||
	    asprintf(&h->dir, "%s%s/%s", path, strcmp(own, "/") ? own : "", name) < 0)
		die("out of memory");
	if (!make)
		return;
	if (mkdir(h->dir, 0755) < 0)
		die(h->dir);
	if (has_ctrl(ctrls, "cpuset")) {
		char from[PATH_LEN], to[PATH_LEN];
		for (int m = 0; m < 2; m++) {
			const char *f = m ? "cpuset.mems" : "cpuset.cpus";
			fmt(from, sizeof(from), "%s/../%s", h->dir, f);
			fmt(to, sizeof(to), "%s/%s", h->dir, f);
			copy_file(from, to);
		}
	}
	if (has_ctrl(ctrls, "devices")) {
		fmt(path, sizeof(path), "%s/devices.deny", h->dir);
		write_file(path, "a");
		fmt(path, sizeof(path), "%s/devices.allow", h->dir);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			die(path);
		for (size_t a = 0; a < sizeof(allowed) / sizeof(allowed[0]); a++)
			if (write(fd, allowed[a], strlen(allowed[a])) < 0)
				die(path);
		close(fd);
	}
	fmt(path, sizeof(path), "%s/tasks", h->dir);
	if ((h->tasks_fd = open(path, O_WRONLY | O_CLOEXEC)) < 0)
		die(path);
}

/* From /proc/self/cgroup, read once: v1, the container's cgroup in each
 * hierarchy husk joins (made when MAKE); v2, our cgroup's path into
 * OWN_V2. */
static void read_cgroups(bool v2, const char *name, bool make, char *own_v2, size_t len)
{
	char line[PATH_LEN];
	FILE *f = fopen("/proc/self/cgroup", "re");
	if (!f)
		die("/proc/self/cgroup");
	bool found_v2 = false;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1, *path = c2 + 1;
		if (v2 && !*ctrls) {
			fmt(own_v2, len, "%s", path);
			found_v2 = true;
		} else if (!v2 && *ctrls && joins(ctrls)) {
			v1_cgroup(ctrls, path, name, make);
		}
	}
	fclose(f);
	if (v2 && !found_v2) {
		errno = ENOENT;
		die("no cgroup v2 line in /proc/self/cgroup");
	}
}

static void mnt(const char *src, const char *dst, const char *type, unsigned long flags,
                const char *data)
{
	if (mount(src, dst, type, flags, data) < 0)
		die(dst);
}

/* /sys/fs/cgroup: v2 mounted as it is (in the cgroup namespace), v1 a
 * tmpfs with each hierarchy's container cgroup bound (read-only) under the
 * hierarchy's name */
static void cgroup_mounts(bool v2)
{
	const unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (v2) {
		mnt("cgroup", "sys/fs/cgroup", "cgroup2", fl | MS_RDONLY, NULL);
		return;
	}
	mnt("tmpfs", "sys/fs/cgroup", "tmpfs", fl, "mode=755");
	char dst[PATH_LEN];
	for (size_t k = 0; k < n_hier; k++) {
		fmt(dst, sizeof(dst), "sys/fs/cgroup/%s", hier[k].ctrls);
		if (mkdir(dst, 0755) < 0)
			die(dst);
		mnt(hier[k].dir, dst, NULL, MS_BIND, NULL);
		mnt(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | fl, NULL);
	}
	mnt(NULL, "sys/fs/cgroup", NULL, MS_REMOUNT | MS_RDONLY | fl, "mode=755");
}

static void devices(void)
{
	static const struct {
		const char *name;
		unsigned maj, min;
	} nodes[] = {{"dev/null", 1, 3},   {"dev/zero", 1, 5},    {"dev/full", 1, 7},
	             {"dev/random", 1, 8}, {"dev/urandom", 1, 9}, {"dev/tty", 5, 0}};
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (mknod(nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].maj, nodes[i].min)) < 0)
			die(nodes[i].name);
	static const char *const links[][2] = {
	    {"/proc/self/fd", "dev/fd"},       {"/proc/self/fd/0", "dev/stdin"},
	    {"/proc/self/fd/1", "dev/stdout"}, {"/proc/self/fd/2", "dev/stderr"},
	    {"pts/ptmx", "dev/ptmx"},          {"/proc/kcore", "dev/core"}};
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) < 0)
			die(links[i][1]);
}

static void masked_and_readonly(void)
{
	static const char *const masked[] = {
	    "/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
	    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
	    "/sys/firmware",       "/proc/scsi"};
	static const char *const readonly[] = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
	                                       "/proc/sysrq-trigger"};
	struct stat st;
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		if (stat(masked[i], &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			mnt("tmpfs", masked[i], "tmpfs", MS_RDONLY, NULL);
		else
			mnt("/dev/null", masked[i], NULL, MS_BIND, NULL);
	}
	for (size_t i = 0; i < sizeof(readonly) / sizeof(readonly[0]); i++) {
		if (stat(readonly[i], &st) < 0)
			continue;
		mnt(readonly[i], readonly[i], NULL, MS_BIND | MS_REC, NULL);
		mnt(NULL, readonly[i], NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
	}
	mnt(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL);
}

static void user_and_capabilities(void)
{
	const int keep[] = {CAP_AUDIT_WRITE, CAP_KILL, CAP_NET_BIND_SERVICE};
	uint64_t set = 0;
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		set |= 1ULL << keep[i];
	/* every capability the kernel knows (EINVAL past the last) */
	for (int c = 0; c < 64; c++) {
		if (set & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0) {
			if (errno == EINVAL)
				break;
			die("PR_CAPBSET_DROP");
		}
	}
	if (setgroups(0, NULL) < 0 || setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
		die("user 0:0");
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	uint32_t lo = (uint32_t)set, hi = (uint32_t)(set >> 32);
	struct __user_cap_data_struct d[2] = {{lo, lo, lo}, {hi, hi, hi}};
	if (syscall(SYS_capset, &h, d) < 0)
		die("capset");
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, keep[i], 0, 0) < 0)
			die("PR_CAP_AMBIENT_RAISE");
}

static void loopback_up(void)
{
	struct ifreq ifr = {.ifr_name = "lo"};
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sock < 0 || ioctl(sock, SIOCGIFFLAGS, &ifr) < 0)
		die("loopback");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sock, SIOCSIFFLAGS, &ifr) < 0)
		die("loopback up");
	close(sock);
}

/* Is /sys/fs/cgroup the cgroup v2 mount (not a v1 or hybrid layout)? */
static bool cgroup_v2(void)
{
	struct statfs sf;
	if (statfs("/sys/fs/cgroup", &sf) < 0)
		die("/sys/fs/cgroup");
	return sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* v2: the container's cgroup NAME, a sibling of ours OWN (ours holds a
 * process), as husk's */
static void v2_cgroup(char *own, const char *name, char *out, size_t len)
{
	char *slash = strrchr(own, '/');
	if (slash)
		*slash = '\0';
	fmt(out, len, "/sys/fs/cgroup%s/%s", own, name);
}

/* the container's process from execve on: /bin/true */
static void exec_true(void)
{
	char *const argv[] = {"/bin/true", NULL};
	char *const envp[] = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	                      "TERM=xterm", "HOME=/root", NULL};
	execve(argv[0], argv, envp);
	die("execve /bin/true");
}

/* The container's process: FIFO, when not -1, an O_PATH fd of the fifo it
 * waits on before its execve. */
static void container(const char *rootfs, bool v2, int fifo)
{
	for (size_t k = 0; k < n_hier; k++)
		if (write(hier[k].tasks_fd, "0", 1) < 0)
			die(hier[k].dir);
	if (v2 && unshare(CLONE_NEWCGROUP) < 0)
		die("cgroup namespace");
	if (setsid() < 0)
		die("setsid");
	mnt(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL);
	mnt(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL);
	if (chdir(rootfs) < 0)
		die(rootfs);
	mnt("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	mnt("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k");
	if (mkdir("dev/pts", 0755) < 0 || mkdir("dev/shm", 0755) < 0 ||
	    mkdir("dev/mqueue", 0755) < 0)
		die("mkdir /dev/*");
	mnt("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620,gid=5");
	mnt("shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=1777,size=65536k");
	mnt("mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NOEXEC | MS_NODEV, NULL);
	mnt("sysfs", "sys", "sysfs", MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY, NULL);
	cgroup_mounts(v2);
	devices();
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		die("pivot_root");
	if (umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		die("umount the old root");
	mnt(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL);
	masked_and_readonly();
	if (sethostname("runc", 4) < 0)
		die("sethostname");
	loopback_up();
	struct rlimit rl = {1024, 1024};
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("setrlimit");
	user_and_capabilities();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("PR_SET_NO_NEW_PRIVS");
	if (fifo >= 0) {
		/* opened for writing through the container's /proc: blocks
		 * until `start` opens it for reading */
		char p[64];
		fmt(p, sizeof(p), "/proc/self/fd/%d", fifo);
		int w = open(p, O_WRONLY | O_CLOEXEC);
		if (w < 0 || write(w, "0", 1) < 0)
			die("exec fifo");
		close(w);
		close(fifo);
	}
	exec_true();
}

/* The run of the first usage, or, with DIR, `create`: the process left
 * waiting on DIR/fifo and its pid in DIR/pid. */
static int run_or_create(const char *rootfs, const char *cgroup, const char *dir)
{
	bool v2 = cgroup_v2();
	int cgfd = -1, fifo = -1;
	char own[PATH_LEN], v2dir[PATH_LEN], path[PATH_LEN];
	if (dir) {
		fmt(path, sizeof(path), "%s/fifo", dir);
		if (mkdir(dir, 0700) < 0 || mkfifo(path, 0600) < 0 ||
		    (fifo = open(path, O_PATH | O_CLOEXEC)) < 0)
			die(path);
	}
	read_cgroups(v2, cgroup, true, own, sizeof(own));
	if (v2) {
		v2_cgroup(own, cgroup, v2dir, sizeof(v2dir));
		if (mkdir(v2dir, 0755) < 0 ||
		    (cgfd = open(v2dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			die(v2dir);
	}
	struct clone_args ca = {
	    .flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET |
	             (v2 ? CLONE_INTO_CGROUP : 0),
	    .exit_signal = SIGCHLD,
	    .cgroup = (uint64_t)(cgfd < 0 ? 0 : cgfd),
	};
	long pid = syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid < 0)
		die("clone3");
	if (pid == 0)
		container(rootfs, v2, fifo);
	if (dir) {
		char num[32];
		fmt(path, sizeof(path), "%s/pid", dir);
		fmt(num, sizeof(num), "%ld", pid);
		int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 || write(fd, num, strlen(num)) < 0)
			die(path);
		close(fd);
		return 0;
	}
	int status;
	if (waitpid((pid_t)pid, &status, 0) < 0)
		die("waitpid");
	if (v2 && rmdir(v2dir) < 0)
		die(v2dir);
	for (size_t k = 0; k < n_hier; k++)
		if (rmdir(hier[k].dir) < 0)
			die(hier[k].dir);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

/* `start`: the reader the container's process waits for */
static int start(const char *dir)
{
	char path[PATH_LEN], c;
	fmt(path, sizeof(path), "%s/fifo", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, &c, 1) != 1)
		die(path);
	close(fd);
	if (unlink(path) < 0)
		die(path);
	return 0;
}

/* `delete --force`: the container's process killed and waited for (not
 * our child: through a pidfd), then its cgroups and DIR removed */
static int delete (const char *dir, const char *cgroup)
{
	char path[PATH_LEN], num[32] = "";
	fmt(path, sizeof(path), "%s/pid", dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, num, sizeof(num) - 1) <= 0)
		die(path);
	close(fd);
	int pidfd = (int)syscall(SYS_pidfd_open, atoi(num), 0);
	if (pidfd >= 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
			die("kill");
		if (poll(&p, 1, -1) < 0)
			die("poll");
		close(pidfd);
	} else if (errno != ESRCH) {
		die("pidfd_open");
	}
	bool v2 = cgroup_v2();
	char own[PATH_LEN];
	read_cgroups(v2, cgroup, false, own, sizeof(own));
	if (v2) {
		v2_cgroup(own, cgroup, path, sizeof(path));
		if (rmdir(path) < 0)
			die(path);
	}
	for (size_t k = 0; k < n_hier; k++)
		if (rmdir(hier[k].dir) < 0)
			die(hier[k].dir);
	fmt(path, sizeof(path), "%s/pid", dir);
	if (unlink(path) < 0 || rmdir(dir) < 0)
		die(dir);
	return 0;
}

/* `exec` of /bin/true in the container of PID */
static int exec_in(const char *pid_arg)
{
	char path[PATH_LEN], line[PATH_LEN];
	bool v2 = cgroup_v2();
	/* its cgroups, opened while the host's /sys/fs/cgroup is ours */
	int join[MAX_HIER];
	size_t n_join = 0;
	fmt(path, sizeof(path), "/proc/%s/cgroup", pid_arg);
	FILE *f = fopen(path, "re");
	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f) && n_join < MAX_HIER) {
		line[strcspn(line, "\n")] = '\0';
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1;
		if (v2 ? *ctrls != '\0' : !joins(ctrls))
			continue;
		if (v2)
			fmt(path, sizeof(path), "/sys/fs/cgroup%s/cgroup.procs", c2 + 1);
		else
			fmt(path, sizeof(path), "/sys/fs/cgroup/%s%s/tasks", ctrls, c2 + 1);
		if ((join[n_join++] = open(path, O_WRONLY | O_CLOEXEC)) < 0)
			die(path);
	}
	fclose(f);
	int pidfd = (int)syscall(SYS_pidfd_open, atoi(pid_arg), 0);
	if (pidfd < 0 || setns(pidfd, CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID |
	                                  CLONE_NEWNET) < 0)
		die("setns");
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* the cgroup namespace after the move: from inside it ours
		 * could not be seen, and the move would be refused */
		for (size_t k = 0; k < n_join; k++)
			if (write(join[k], "0", 1) < 0)
				die("join the cgroup");
		if (v2 && setns(pidfd, CLONE_NEWCGROUP) < 0)
			die("setns cgroup");
		user_and_capabilities();
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			die("PR_SET_NO_NEW_PRIVS");
		exec_true();
	}
	close(pidfd);
	int status;
	if (waitpid(pid, &status, 0) < 0)
		die("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int main(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";
	if (strcmp(verb, "create") == 0 && argc == 5)
		return run_or_create(argv[2], argv[3], argv[4]);
	if (strcmp(verb, "start") == 0 && argc == 3)
		return start(argv[2]);
	if (strcmp(verb, "delete") == 0 && argc == 4)
		return delete (argv[2], argv[3]);
	if (strcmp(verb, "exec") == 0 && argc == 3)
		return exec_in(argv[2]);
	if (argc == 3)
		return run_or_create(argv[1], argv[2], NULL);
	fprintf(stderr, "usage: floor ROOTFS CGROUP | floor create ROOTFS CGROUP DIR |\n"
	                "       floor start DIR | floor delete DIR CGROUP | floor exec PID\n");
	return 2;
}
