/* test_procfs.c - verified /proc writes (procfs.c) on every path a kernel
 * can make it take: openat2, the component walk of kernels without it
 * (< 5.6) or under a seccomp profile that refuses it, and mount ids from
 * statx or, before 5.8, from fdinfo.
 *
 * A bind mount of another file or directory of the SAME procfs (same
 * device, same magic) over a part of the path must be refused
 * (CVE-2025-52881: /proc/sys/kernel/core_pattern bound over a sysctl or
 * over thread-self/attr/exec).  Everything runs in a forked child with its
 * own mount and UTS namespaces: a write that gets through changes only the
 * child's domainname, which the test then reads.
 */
#include <linux/magic.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "testutil.h"
#include "linux/procfs.h"
#include "util/cleanup.h"

/* every way: {openat2, statx} on/off */
static void set_way(int way)
{
	hk_procfs_use_openat2(!(way & 1));
	hk_procfs_use_statx_mnt_id(!(way & 2));
}

static const char *way_name(int way)
{
	static const char *n[] = {"openat2", "walk+statx", "openat2 (no statx)", "walk+fdinfo"};
	return n[way];
}

/* the mount id of mount point MP in /proc/self/mountinfo, -1 */
static long long mountinfo_id(const char *mp)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], path[4096];
	long long id, found = -1;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "%lld %*d %*s %*s %4095s", &id, path) == 2 && !strcmp(path, mp))
			found = id; /* the last one: the top of a stack */
	if (f)
		fclose(f);
	return found;
}

static void mount_id_body(void)
{
	CHECK(mount("tmpfs", "/mnt", "tmpfs", 0, "size=16k") == 0);
	const char *paths[] = {"/", "/proc", "/mnt", "/proc/self"};
	const char *mps[] = {"/", "/proc", "/mnt", "/proc"};
	hk_err err = {0};
	int procfd = hk_procfs_open("/proc", &err);
	CHECK(procfd >= 0);
	for (size_t i = 0; i < HK_ARRAY_SIZE(paths); i++) {
		int fd = open(paths[i], O_PATH | O_CLOEXEC);
		CHECK(fd >= 0);
		long long want = mountinfo_id(mps[i]);
		CHECK(want > 0);
		for (int way = 0; way < 4; way += 2) {
			set_way(way);
			long long a = hk_procfs_mount_id(procfd, fd),
			          b = hk_procfs_mount_id(-1, fd);
			if (a != want || b != want)
				fprintf(stderr, "  %s (%s): %lld, %lld, mountinfo %lld\n", paths[i],
				        way_name(way), a, b, want);
			CHECK(a == want && b == want);
		}
		close(fd);
	}
	/* another task's fdinfo directory bound over ours: a child that has
	 * the same procfd, and at every other number an fd on /mnt, so its
	 * fdinfo would say X (on "/" here) is on /mnt.  Refused. */
	set_way(2);
	int x = open("/", O_PATH | O_CLOEXEC), ready[2];
	CHECK(x >= 0 && pipe(ready) == 0);
	pid_t child = fork();
	if (child == 0) {
		int m = open("/mnt", O_PATH);
		for (int n = 3; n < 64; n++)
			if (n == x || (n != procfd && n != m && fcntl(n, F_GETFD) < 0))
				dup2(m, n);
		close(ready[1]);
		pause();
		_exit(0);
	}
	close(ready[1]);
	char c;
	CHECK(read(ready[0], &c, 1) == 0);
	close(ready[0]);
	char own[64], other[64];
	snprintf(own, sizeof(own), "/proc/self/task/%d/fdinfo", (int)syscall(SYS_gettid));
	snprintf(other, sizeof(other), "/proc/%d/fdinfo", (int)child);
	CHECK(mount(other, own, NULL, MS_BIND, NULL) == 0);
	long long forged = hk_procfs_mount_id(procfd, x);
	if (forged >= 0)
		fprintf(stderr, "  fdinfo of another task read: %lld (/ is %lld, /mnt %lld)\n",
		        forged, mountinfo_id("/"), mountinfo_id("/mnt"));
	CHECK(forged < 0);
	CHECK(umount2(own, MNT_DETACH) == 0);
	kill(child, SIGKILL);
	tu_wait(child);
	CHECK(hk_procfs_mount_id(procfd, x) == mountinfo_id("/"));
	close(x);
	set_way(0);
	close(procfd);
}

TEST(procfs_mount_id_from_statx_or_fdinfo)
{
	tu_in_child(mount_id_body, TU_NEWNS);
}

static void get_domain(char *buf, size_t len)
{
	buf[0] = '\0';
	CHECK(getdomainname(buf, len) == 0);
}

/* Bind SRC over DST (both under /proc), then a write to REL must be
 * refused with EXDEV on every way, and reach nothing. */
static void refused_over(const char *src, const char *dst, const char *rel)
{
	char dom[256];
	CHECK(mount(src, dst, NULL, MS_BIND, NULL) == 0);
	for (int way = 0; way < 4; way++) {
		set_way(way);
		hk_err err = {0};
		int procfd = hk_procfs_open("/proc", &err);
		CHECK(procfd >= 0);
		int r = hk_procfs_write(procfd, rel, "hacked", 6, &err);
		if (r != -EXDEV)
			fprintf(stderr, "  %s over %s, %s: %d %s\n", src, dst, way_name(way), r,
			        err.msg);
		CHECK(r == -EXDEV);
		CHECK(strstr(err.msg, "something is mounted over part of the path") != NULL);
		close(procfd);
	}
	set_way(0);
	get_domain(dom, sizeof(dom));
	CHECK(strcmp(dom, "hacked") != 0);
	CHECK(umount2(dst, MNT_DETACH) == 0);
}

/* REL is written on every way when nothing is mounted over it */
static void written(const char *rel, const char *value)
{
	for (int way = 0; way < 4; way++) {
		set_way(way);
		hk_err err = {0};
		int procfd = hk_procfs_open("/proc", &err);
		CHECK(procfd >= 0);
		CHECK_OK(hk_procfs_write(procfd, rel, value, strlen(value), &err), err);
		if (procfd >= 0)
			close(procfd);
	}
	set_way(0);
}

static void same_procfs_body(void)
{
	CHECK(unshare(CLONE_NEWUTS) == 0);
	CHECK(setdomainname("before", 6) == 0);
	/* a file over a file: writes to "hostname" would land in "domainname" */
	refused_over("/proc/sys/kernel/domainname", "/proc/sys/kernel/hostname",
	             "sys/kernel/hostname");
	/* a directory over a directory on the path */
	refused_over("/proc/sys/kernel", "/proc/sys/vm", "sys/vm/domainname");
	/* over a file beneath the per-thread directory ("thread-self/" is
	 * expanded to <pid>/task/<tid>/ first) */
	char comm[64];
	snprintf(comm, sizeof(comm), "/proc/self/task/%d/comm", (int)syscall(SYS_gettid));
	refused_over("/proc/sys/kernel/domainname", comm, "thread-self/comm");
	char dom[256];
	get_domain(dom, sizeof(dom));
	CHECK_STREQ(dom, "before");
	/* and with nothing mounted over them, the same writes go through */
	written("sys/kernel/domainname", "after");
	get_domain(dom, sizeof(dom));
	CHECK_STREQ(dom, "after");
	written("thread-self/comm", "hk-procfs");
}

TEST(procfs_bind_from_same_procfs_refused)
{
	tu_in_child(same_procfs_body, TU_NEWNS);
}

/* husk run under a seccomp profile that refuses openat2 with EPERM: the
 * walk takes over, as strict */
static void openat2_eperm_body(void)
{
	scmp_filter_ctx sc = seccomp_init(SCMP_ACT_ALLOW);
	CHECK(sc && seccomp_rule_add(sc, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(openat2), 0) == 0);
	CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && seccomp_load(sc) == 0);
	seccomp_release(sc);
	CHECK(unshare(CLONE_NEWUTS) == 0);
	hk_err err = {0};
	int procfd = hk_procfs_open("/proc", &err);
	CHECK(procfd >= 0);
	CHECK_OK(hk_procfs_write(procfd, "sys/kernel/domainname", "eperm", 5, &err), err);
	char dom[256];
	get_domain(dom, sizeof(dom));
	CHECK_STREQ(dom, "eperm");
	CHECK(mount("/proc/sys/kernel/domainname", "/proc/sys/kernel/hostname", NULL, MS_BIND,
	            NULL) == 0);
	CHECK(hk_procfs_write(procfd, "sys/kernel/hostname", "x", 1, &err) == -EXDEV);
	close(procfd);
}

TEST(procfs_openat2_refused_by_seccomp)
{
	tu_in_child(openat2_eperm_body, TU_NEWNS);
}

int main(void)
{
	RUN(procfs_mount_id_from_statx_or_fdinfo);
	RUN(procfs_bind_from_same_procfs_refused);
	RUN(procfs_openat2_refused_by_seccomp);
	return check_summary();
}
