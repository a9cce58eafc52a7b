/* test_close_range.c - hk_close_range: the system call and, forced, both
 * fallbacks of kernels without it (the /proc/self/fd walk and the loop
 * over every possible fd) close, or mark close-on-exec, exactly the fds of
 * the range (CVE-2024-21626: no host fd may reach the container). */
#include <linux/close_range.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include <sys/syscall.h>

#include "testutil.h"
#include "util/fs.h"

#define LOW  40 /* an fd below the range: left alone */
#define MID  41 /* first of the range */
#define MID2 57
#define HIGH 900 /* far up, past a gap */
#define OUT  950 /* above the range's end: left alone */

static const int fds[] = {LOW, MID, MID2, HIGH, OUT};

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static bool cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);
	return fl >= 0 && (fl & FD_CLOEXEC);
}

/* FDS open, none close-on-exec; 0 or -1 */
static int open_fds(void)
{
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (dup2(0, fds[i]) != fds[i] || fcntl(fds[i], F_SETFD, 0) < 0)
			return -1;
	return 0;
}

static void close_fds(void)
{
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		close(fds[i]);
}

static void check_way(int skip)
{
	struct rlimit rl = {1024, 1024};
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(open_fds() == 0);
	hk_close_range_skip(skip);
	hk_close_range(MID, OUT - 1, CLOSE_RANGE_CLOEXEC);
	CHECK(is_open(LOW) && !cloexec(LOW));
	CHECK(cloexec(MID) && cloexec(MID2) && cloexec(HIGH));
	CHECK(is_open(OUT) && !cloexec(OUT));
	hk_close_range(MID, OUT - 1, 0);
	CHECK(is_open(LOW));
	CHECK(!is_open(MID) && !is_open(MID2) && !is_open(HIGH));
	CHECK(is_open(OUT));
	hk_close_range(MID, ~0U, 0);
	CHECK(!is_open(OUT) && is_open(LOW));
	hk_close_range_skip(0);
	close_fds();
}

static void by_syscall(void)
{
	check_way(0);
}
static void by_procfs(void)
{
	check_way(1);
}
static void by_loop(void)
{
	check_way(2);
}

TEST(close_range_syscall)
{
	tu_in_child(by_syscall, 0);
}

TEST(close_range_proc_fd_fallback)
{
	tu_in_child(by_procfs, 0);
}

TEST(close_range_loop_fallback)
{
	tu_in_child(by_loop, 0);
}

/* the loop: an fd above a soft limit lowered after it was opened is
 * closed (the hard limit, up to 65536, is covered) */
static void lowered_limit(void)
{
	struct rlimit rl = {8192, 8192};
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	CHECK(dup2(0, 5000) == 5000);
	rl.rlim_cur = 1024;
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0);
	hk_close_range_skip(2);
	hk_close_range(MID, ~0U, 0);
	CHECK(!is_open(5000));
	hk_close_range_skip(0);
}

TEST(close_range_loop_lowered_limit)
{
	tu_in_child(lowered_limit, 0);
}

/* without a procfs at /proc (a container's, before it is mounted or
 * replaced), the walk gives way to the loop */
static void fake_proc(void)
{
	CHECK(mount("none", "/proc", "tmpfs", 0, NULL) == 0);
	CHECK(mkdir("/proc/self", 0755) == 0 && mkdir("/proc/self/fd", 0755) == 0);
	check_way(1);
}

TEST(close_range_no_procfs)
{
	tu_in_child(fake_proc, TU_NEWNS);
}

/* an old kernel, as a seccomp filter shows it: 5.9/5.10 refuse
 * CLOSE_RANGE_CLOEXEC (EINVAL), older ones have no close_range (ENOSYS) */
static void old_kernel(int e, bool only_cloexec)
{
	scmp_filter_ctx sc = seccomp_init(SCMP_ACT_ALLOW);
	int r = -1;
	if (sc && only_cloexec)
		r = seccomp_rule_add(
		    sc, SCMP_ACT_ERRNO(e), SCMP_SYS(close_range), 1,
		    SCMP_A2(SCMP_CMP_MASKED_EQ, CLOSE_RANGE_CLOEXEC, CLOSE_RANGE_CLOEXEC));
	else if (sc)
		r = seccomp_rule_add(sc, SCMP_ACT_ERRNO(e), SCMP_SYS(close_range), 0);
	CHECK(r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && seccomp_load(sc) == 0);
	seccomp_release(sc);
	CHECK(syscall(SYS_close_range, 1000U, 1000U, CLOSE_RANGE_CLOEXEC) < 0 && errno == e);
	check_way(0);
}
static void kernel_5_10(void)
{
	old_kernel(EINVAL, true);
}
static void kernel_5_8(void)
{
	old_kernel(ENOSYS, false);
}

TEST(close_range_old_kernels)
{
	tu_in_child(kernel_5_10, 0);
	tu_in_child(kernel_5_8, 0);
}

int main(void)
{
	RUN(close_range_syscall);
	RUN(close_range_proc_fd_fallback);
	RUN(close_range_loop_fallback);
	RUN(close_range_loop_lowered_limit);
	RUN(close_range_no_procfs);
	RUN(close_range_old_kernels);
	return check_summary();
}
