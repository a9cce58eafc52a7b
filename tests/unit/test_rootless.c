/* test_rootless.c - telling husk's own situation apart: root on the host,
 * an ordinary user, root in a user namespace (unshare -r); the --rootless
 * override; runc's choice of the default state directory for each. */
#include <sys/syscall.h>

#include "linux/rootless.h"
#include "testutil.h"

/* Become root in a new user namespace holding only our own ids, as
 * `unshare -r` does: 0, or -1. */
static int unshare_r(void)
{
	char buf[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	if (unshare(CLONE_NEWUSER) < 0)
		return -1;
	int fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd < 0 || write(fd, "deny", 4) != 4)
		return -1;
	close(fd);
	int n = snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)uid);
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return -1;
	close(fd);
	n = snprintf(buf, sizeof(buf), "0 %u 1", (unsigned)gid);
	fd = open("/proc/self/gid_map", O_WRONLY);
	if (fd < 0 || write(fd, buf, (size_t)n) != n)
		return -1;
	close(fd);
	return 0;
}

static void in_userns_body(void)
{
	CHECK(unshare_r() == 0);
	CHECK(geteuid() == 0);
	CHECK(hk_in_user_namespace());
	CHECK(!hk_host_root());
	CHECK(hk_rootless());
	/* root in a user namespace: $XDG_RUNTIME_DIR unless $USER is root */
	setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
	setenv("USER", "alice", 1);
	char *r = hk_default_state_root();
	CHECK_STREQ(r, "/run/user/1000/husk");
	free(r);
	setenv("USER", "root", 1);
	r = hk_default_state_root();
	CHECK_STREQ(r, "/run/husk");
	free(r);
	/* --rootless false: cgroup errors are errors again */
	hk_rootless_set("false");
	CHECK(!hk_rootless());
	hk_rootless_set("auto");
	CHECK(hk_rootless());
}

TEST(rootless_in_user_namespace)
{
	tu_in_child(in_userns_body, 0);
}

/* each body in its own child: the answer is kept after the first call */
static void host_root_body(void)
{
	CHECK(hk_host_root());
	CHECK(!hk_rootless());
	setenv("XDG_RUNTIME_DIR", "/run/user/0", 1);
	unsetenv("USER");
	char *r = hk_default_state_root();
	CHECK_STREQ(r, "/run/husk");
	free(r);
	hk_rootless_set("true");
	CHECK(hk_rootless());
	hk_rootless_set(NULL);
	CHECK(!hk_rootless());
}

TEST(rootless_host_root)
{
	FILE *f = fopen("/proc/self/uid_map", "r");
	unsigned long a = 1, b = 1, n = 0;
	bool initial =
	    f && fscanf(f, "%lu %lu %lu", &a, &b, &n) == 3 && a == 0 && b == 0 && n == 4294967295UL;
	if (f)
		fclose(f);
	if (geteuid() != 0 || !initial) {
		printf("  (not root on the host: skipped)\n");
		return;
	}
	tu_in_child(host_root_body, 0);
}

static void ordinary_user_body(void)
{
	CHECK(setresgid(65534, 65534, 65534) == 0);
	CHECK(setresuid(65534, 65534, 65534) == 0);
	CHECK(!hk_host_root());
	CHECK(hk_rootless());
	setenv("XDG_RUNTIME_DIR", "/run/user/65534", 1);
	char *r = hk_default_state_root();
	CHECK_STREQ(r, "/run/user/65534/husk");
	free(r);
	unsetenv("XDG_RUNTIME_DIR");
	r = hk_default_state_root();
	CHECK_STREQ(r, "/tmp/husk-65534");
	free(r);
}

TEST(rootless_ordinary_user)
{
	if (geteuid() != 0) {
		printf("  (needs root to become another user: skipped)\n");
		return;
	}
	tu_in_child(ordinary_user_body, 0);
}

int main(void)
{
	RUN(rootless_in_user_namespace);
	RUN(rootless_host_root);
	RUN(rootless_ordinary_user);
	return check_summary();
}
