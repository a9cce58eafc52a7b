/* test_process.c - unit tests for the container process's identity and
 * limits: hk_rlimits_apply, hk_oom_score_adj_apply, hk_caps_prepare /
 * hk_identity_switch / hk_caps_apply (checked through /proc/self/status,
 * also across an execve as a non-root uid), and hk_exec_lookup's runc
 * wording.
 *
 * Everything that changes the process runs in a forked child; the temp dir
 * lives under /tmp and is removed at the end.  Runs as root.  Tests that
 * need a privilege to be missing drop it from the child's effective set
 * first, so they behave the same with or without CAP_SYS_RESOURCE.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/caps.h"
#include "linux/exec.h"
#include "linux/identity.h"
#include "linux/rlimits.h"
#include "util/cleanup.h"

#define BIT(c) (1ULL << (c))

static char tmpdir[] = "/tmp/hk-process-XXXXXX";

/* Remove CAP from the calling thread's effective set. */
static int drop_effective(int cap)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2];
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	data[cap / 32].effective &= ~(1U << (cap % 32));
	return (int)syscall(SYS_capset, &hdr, data);
}

/* ---- rlimits ---- */

static void rlimits_body(void)
{
	hk_err err = {0};
	struct rlimit cur;
	CHECK(drop_effective(CAP_SYS_RESOURCE) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &cur) == 0);
	CHECK(cur.rlim_max >= 4096);

	hk_rlimit rl[] = {
	    {.resource = RLIMIT_NOFILE, .type = "RLIMIT_NOFILE", .soft = 1024, .hard = 4096},
	    {.resource = RLIMIT_CORE, .type = "RLIMIT_CORE", .soft = 0, .hard = 0},
	};
	CHECK(hk_rlimits_apply(rl, HK_ARRAY_SIZE(rl), &err) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &cur) == 0);
	CHECK(cur.rlim_cur == 1024 && cur.rlim_max == 4096);
	CHECK(getrlimit(RLIMIT_CORE, &cur) == 0);
	CHECK(cur.rlim_cur == 0 && cur.rlim_max == 0);
	CHECK(hk_rlimits_apply(NULL, 0, &err) == 0);

	/* Raising the hard limit needs CAP_SYS_RESOURCE, dropped above. */
	hk_rlimit up = {
	    .resource = RLIMIT_NOFILE, .type = "RLIMIT_NOFILE", .soft = 1024, .hard = 8192};
	CHECK(hk_rlimits_apply(&up, 1, &err) == -EPERM);
	CHECK_STREQ(err.msg,
	            "rlimit RLIMIT_NOFILE (soft 1024, hard 8192): operation not permitted");
	CHECK(getrlimit(RLIMIT_NOFILE, &cur) == 0);
	CHECK(cur.rlim_cur == 1024 && cur.rlim_max == 4096);

	hk_rlimit bad = {
	    .resource = RLIMIT_NOFILE, .type = "RLIMIT_NOFILE", .soft = 2048, .hard = 1024};
	CHECK(hk_rlimits_apply(&bad, 1, &err) == -EINVAL);
	CHECK_STREQ(err.msg, "rlimit RLIMIT_NOFILE (soft 2048, hard 1024): invalid argument");
}

TEST(rlimits_apply)
{
	tu_in_child(rlimits_body, 0);
}

/* ---- oom_score_adj ---- */

static int read_oom(void)
{
	char buf[32] = "";
	_cleanup_close_ int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return -9999;
	return atoi(buf);
}

static void oom_body(void)
{
	hk_err err = {0};
	CHECK(hk_oom_score_adj_apply(500, &err) == 0);
	CHECK(read_oom() == 500);
	CHECK(hk_oom_score_adj_apply(600, &err) == 0);
	CHECK(read_oom() == 600);
	/* Going below the minimum needs CAP_SYS_RESOURCE. */
	CHECK(drop_effective(CAP_SYS_RESOURCE) == 0);
	CHECK(hk_oom_score_adj_apply(-1000, &err) == -EACCES);
	CHECK_STREQ(err.msg,
	            "oom_score_adj -1000: write /proc/self/oom_score_adj: permission denied");
	CHECK(read_oom() == 600);
	CHECK(hk_oom_score_adj_apply(5000, &err) == -EINVAL);
}

TEST(oom_score_adj)
{
	tu_in_child(oom_body, 0);
}

/* ---- capabilities and identity ---- */

static void caps_identity_body(void)
{
	hk_err err = {0};
	uint32_t gids[] = {10, 20};
	/* Bits 62 and 63 are unknown to the kernel: silently skipped. */
	hk_caps caps = {
	    .bounding = BIT(CAP_CHOWN) | BIT(CAP_KILL) | BIT(62),
	    .effective = BIT(CAP_CHOWN) | BIT(63),
	    .permitted = BIT(CAP_CHOWN) | BIT(63),
	};
	hk_user user = {.uid = 1000, .gid = 1000, .additional_gids = gids, .n_additional_gids = 2};

	CHECK(hk_caps_prepare(&caps, &err) == 0);
	CHECK(tu_self_status("CapBnd") == (BIT(CAP_CHOWN) | BIT(CAP_KILL)));
	CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1);
	CHECK(hk_identity_switch(&user, true, &err) == 0);
	/* KEEPCAPS kept the permitted set across the uid change. */
	CHECK(tu_self_status("CapPrm") != 0);
	CHECK_OK(hk_caps_apply(&caps, &err), err);

	CHECK(tu_self_status("CapBnd") == 0x21);
	CHECK(tu_self_status("CapEff") == 0x1);
	CHECK(tu_self_status("CapPrm") == 0x1);
	CHECK(tu_self_status("CapInh") == 0);
	CHECK(tu_self_status("CapAmb") == 0);
	CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);

	uid_t ru, eu, su;
	gid_t rg, eg, sg;
	CHECK(getresuid(&ru, &eu, &su) == 0 && ru == 1000 && eu == 1000 && su == 1000);
	CHECK(getresgid(&rg, &eg, &sg) == 0 && rg == 1000 && eg == 1000 && sg == 1000);
	gid_t groups[8];
	int n = getgroups(8, groups);
	CHECK(n == 2 && groups[0] == 10 && groups[1] == 20);

	/* The set is really gone: no CAP_SETUID any more. */
	CHECK(setuid(0) < 0 && errno == EPERM);
}

TEST(caps_identity)
{
	tu_in_child(caps_identity_body, 0);
}

/* Fork a child that switches to uid 1000 with CAPS and runs
 * `cat /proc/self/status`; return its output in OUT. */
static void exec_status_as_user(const hk_caps *caps, char *out, size_t len)
{
	int p[2];
	out[0] = '\0';
	CHECK(pipe2(p, O_CLOEXEC) == 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		hk_err err = {0};
		hk_user user = {.uid = 1000, .gid = 1000};
		dup2(p[1], 1);
		if (hk_caps_prepare(caps, &err) < 0 || hk_identity_switch(&user, true, &err) < 0 ||
		    hk_caps_apply(caps, &err) < 0) {
			fprintf(stderr, "  child: %s\n", err.msg);
			_exit(1);
		}
		execl("/bin/cat", "cat", "/proc/self/status", (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	size_t off = 1;
	out[0] = '\n';
	ssize_t n;
	while (off < len - 1 && (n = read(p[0], out + off, len - 1 - off)) > 0)
		off += (size_t)n;
	out[off] = '\0';
	close(p[0]);
	int status = tu_wait(pid);
	CHECK(status != -1);
	CHECK(tu_exited_ok(status));
}

TEST(caps_ambient_exec)
{
	char out[8192];
	const uint64_t nbs = BIT(CAP_NET_BIND_SERVICE);
	hk_caps caps = {.bounding = nbs,
	                .effective = nbs,
	                .permitted = nbs,
	                .inheritable = nbs,
	                .ambient = nbs};
	exec_status_as_user(&caps, out, sizeof(out));
	CHECK(strstr(out, "\nUid:\t1000\t1000\t1000\t1000\n") != NULL);
	CHECK(tu_status_hex(out, "CapAmb") == nbs);
	CHECK(tu_status_hex(out, "CapEff") == nbs);
	CHECK(tu_status_hex(out, "CapPrm") == nbs);
	CHECK(tu_status_hex(out, "CapInh") == nbs);
	CHECK(tu_status_hex(out, "CapBnd") == nbs);

	/* Control: without ambient, a non-root execve loses everything. */
	caps.ambient = 0;
	exec_status_as_user(&caps, out, sizeof(out));
	CHECK(strstr(out, "\nUid:\t1000\t1000\t1000\t1000\n") != NULL);
	CHECK(tu_status_hex(out, "CapAmb") == 0);
	CHECK(tu_status_hex(out, "CapEff") == 0);
	CHECK(tu_status_hex(out, "CapPrm") == 0);
	CHECK(tu_status_hex(out, "CapInh") == nbs);
}

static void caps_errors_body(void)
{
	hk_err err = {0};
	const uint64_t nbs = BIT(CAP_NET_BIND_SERVICE);

	/* An ambient capability that is not also inheritable is skipped, as
	 * runc does for its own default spec (no inheritable set). */
	hk_caps amb = {.effective = nbs, .permitted = nbs, .ambient = nbs};
	CHECK(hk_caps_apply(&amb, &err) == 0);
	CHECK(tu_self_status("CapAmb") == 0);
	CHECK(tu_self_status("CapEff") == nbs);
	uint64_t before = tu_self_status("CapEff");
	hk_caps eff = {.effective = nbs | BIT(CAP_SYS_ADMIN), .permitted = nbs};
	CHECK(hk_caps_apply(&eff, &err) == -EPERM);
	CHECK_STREQ(err.msg,
	            "capabilities: effective capability CAP_SYS_ADMIN is not in the permitted set");
	/* Nothing was half-applied. */
	CHECK(tu_self_status("CapEff") == before);

	/* Without CAP_SETPCAP the bounding set cannot shrink... */
	CHECK(drop_effective(CAP_SETPCAP) == 0);
	hk_caps bnd = {.bounding = ~BIT(CAP_SYS_ADMIN)};
	CHECK(hk_caps_prepare(&bnd, &err) == -EPERM);
	CHECK_STREQ(err.msg, "capabilities: drop CAP_SYS_ADMIN from bounding set: operation not "
	                     "permitted");
	/* ...but keeping it as it is needs nothing. */
	bnd.bounding = ~0ULL;
	CHECK(hk_caps_prepare(&bnd, &err) == 0);
}

TEST(caps_errors)
{
	tu_in_child(caps_errors_body, 0);
}

static void identity_errors_body(void)
{
	hk_err err = {0};
	uint32_t gids[] = {10};
	gid_t seven = 7, g[4];
	CHECK(setgroups(1, &seven) == 0);

	hk_user u = {.uid = 0, .gid = 0, .additional_gids = gids, .n_additional_gids = 1};
	CHECK(hk_identity_switch(&u, false, &err) == -EPERM);
	CHECK_STREQ(err.msg,
	            "process.user.additionalGids: setgroups is denied in this user namespace");
	CHECK(getgroups(4, g) == 1 && g[0] == 7);

	/* Denied and empty: groups are left alone, the ids still switch. */
	u.n_additional_gids = 0;
	u.gid = 50;
	CHECK(hk_identity_switch(&u, false, &err) == 0);
	CHECK(getgroups(4, g) == 1 && g[0] == 7);
	CHECK(getgid() == 50);
	/* Allowed and empty: the groups are cleared. */
	CHECK(hk_identity_switch(&u, true, &err) == 0);
	CHECK(getgroups(4, g) == 0);

	u.uid = (uint32_t)-1;
	CHECK(hk_identity_switch(&u, true, &err) == -EINVAL);
	CHECK_STREQ(err.msg, "setresuid 4294967295: invalid argument");

	CHECK(drop_effective(CAP_SETUID) == 0);
	u.uid = 1000;
	CHECK(hk_identity_switch(&u, true, &err) == -EPERM);
	CHECK_STREQ(err.msg, "setresuid 1000: operation not permitted");
	CHECK(getuid() == 0);
}

TEST(identity_errors)
{
	tu_in_child(identity_errors_body, 0);
}

/* ---- exec lookup ---- */

static void put_file(const char *dir, const char *name, mode_t mode)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs("#!/bin/sh\nexit 0\n", f);
		fclose(f);
	}
	CHECK(chmod(p, mode) == 0);
}

static char *const *env_with(const char *path)
{
	static char buf[4200];
	static char *env[4];
	snprintf(buf, sizeof(buf), "PATH=%s", path);
	env[0] = "HOME=/root";
	env[1] = "PATH=/decoy-overridden";
	env[2] = buf; /* the last PATH wins */
	env[3] = NULL;
	return env;
}

static char a[512], b[512], c[512];

TEST(exec_lookup)
{
	hk_err err = {0};
	char out[4096], want[1024], path[4200];
	char *no_path_env[] = {"HOME=/root", NULL};

	/* a: hkprog (0755), hknox (0644), hkboth (0644); b: hkboth (0755);
	 * c: hkdir/ (a directory). */
	snprintf(path, sizeof(path), "/nonexistent-hk:%s:%s", a, b);
	CHECK(hk_exec_lookup("hkprog", env_with(path), out, sizeof(out), &err) == 0);
	snprintf(want, sizeof(want), "%s/hkprog", a);
	CHECK_STREQ(out, want);
	CHECK(hk_exec_lookup("hkboth", env_with(path), out, sizeof(out), &err) == 0);
	snprintf(want, sizeof(want), "%s/hkboth", b);
	CHECK_STREQ(out, want);

	CHECK(hk_exec_lookup("hknox", env_with(path), out, sizeof(out), &err) == -EACCES);
	CHECK_STREQ(err.msg, "exec: \"hknox\": permission denied");
	CHECK(err.code == EACCES);
	CHECK(hk_exec_lookup("hk-nope", env_with(path), out, sizeof(out), &err) == -ENOENT);
	CHECK_STREQ(err.msg, "exec: \"hk-nope\": executable file not found in $PATH");
	CHECK(err.code == ENOENT);
	/* A directory of that name is not a candidate. */
	snprintf(path, sizeof(path), "%s", c);
	CHECK(hk_exec_lookup("hkdir", env_with(path), out, sizeof(out), &err) == -ENOENT);
	CHECK(hk_exec_lookup("", env_with(path), out, sizeof(out), &err) == -ENOENT);
	CHECK_STREQ(err.msg, "exec: \"\": executable file not found in $PATH");
	/* An empty PATH is an empty list (Go's filepath.SplitList). */
	CHECK(hk_exec_lookup("sh", env_with(""), out, sizeof(out), &err) == -ENOENT);

	/* No PATH: the default one, which has sh but not our dirs. */
	CHECK(hk_exec_lookup("sh", no_path_env, out, sizeof(out), &err) == 0);
	CHECK(strcmp(out, "/usr/bin/sh") == 0 || strcmp(out, "/bin/sh") == 0);
	CHECK(hk_exec_lookup("hkprog", no_path_env, out, sizeof(out), &err) == -ENOENT);
	CHECK(hk_exec_lookup("sh", NULL, out, sizeof(out), &err) == 0);

	/* Trailing slash in an entry; too small an output buffer. */
	snprintf(path, sizeof(path), "%s/", a);
	CHECK(hk_exec_lookup("hkprog", env_with(path), out, sizeof(out), &err) == 0);
	snprintf(want, sizeof(want), "%s/hkprog", a);
	CHECK_STREQ(out, want);
	CHECK(hk_exec_lookup("hkprog", env_with(path), out, 8, &err) == -ENAMETOOLONG);

	/* With a '/'. */
	CHECK(hk_exec_lookup("/bin/nope", NULL, out, sizeof(out), &err) == -ENOENT);
	CHECK_STREQ(err.msg, "exec: \"/bin/nope\": stat /bin/nope: no such file or directory");
	CHECK(hk_exec_lookup("/etc", NULL, out, sizeof(out), &err) == -EACCES);
	CHECK_STREQ(err.msg, "exec: \"/etc\": permission denied");
	snprintf(want, sizeof(want), "%s/hknox", a);
	CHECK(hk_exec_lookup(want, NULL, out, sizeof(out), &err) == -EACCES);
	snprintf(path, sizeof(path), "exec: \"%s\": permission denied", want);
	CHECK_STREQ(err.msg, path);
	snprintf(want, sizeof(want), "%s/hkprog", a);
	CHECK(hk_exec_lookup(want, NULL, out, sizeof(out), &err) == 0);
	CHECK_STREQ(out, want);
}

/* Relative and empty PATH entries are relative to the cwd. */
static void exec_relative_body(void)
{
	hk_err err = {0};
	char out[4096];
	CHECK(chdir(tmpdir) == 0);
	CHECK(hk_exec_lookup("hkprog", env_with("/nonexistent-hk:a"), out, sizeof(out), &err) == 0);
	CHECK_STREQ(out, "a/hkprog");
	CHECK(chdir(a) == 0);
	CHECK(hk_exec_lookup("hkprog", env_with("/nonexistent-hk::/bin"), out, sizeof(out), &err) ==
	      0);
	CHECK_STREQ(out, "./hkprog");
	CHECK(hk_exec_lookup("hkprog", env_with("/nonexistent-hk"), out, sizeof(out), &err) ==
	      -ENOENT);
	CHECK(hk_exec_lookup("./hkprog", NULL, out, sizeof(out), &err) == 0);
	CHECK_STREQ(out, "./hkprog");
	CHECK(hk_exec_lookup("./hk-nope", NULL, out, sizeof(out), &err) == -ENOENT);
	CHECK_STREQ(err.msg, "exec: \"./hk-nope\": stat ./hk-nope: no such file or directory");

	/* As uid 1000, a root-only 0700 file has exec bits but is refused. */
	put_file(a, "hkroot", 0700);
	CHECK(setresgid(1000, 1000, 1000) == 0 && setresuid(1000, 1000, 1000) == 0);
	CHECK(hk_exec_lookup("hkroot", env_with("."), out, sizeof(out), &err) == -EACCES);
	CHECK_STREQ(err.msg, "exec: \"hkroot\": permission denied");
	CHECK(hk_exec_lookup("hkprog", env_with("."), out, sizeof(out), &err) == 0);
	CHECK_STREQ(out, "./hkprog");
}

TEST(exec_relative)
{
	tu_in_child(exec_relative_body, 0);
}

int main(void)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_process: must run as root\n");
		return 1;
	}
	if (!tu_make_tmpdir(tmpdir))
		return 1;
	chmod(tmpdir, 0755); /* exec_relative looks around as uid 1000 */
	snprintf(a, sizeof(a), "%s/a", tmpdir);
	snprintf(b, sizeof(b), "%s/b", tmpdir);
	snprintf(c, sizeof(c), "%s/c", tmpdir);
	mkdir(a, 0755);
	mkdir(b, 0755);
	mkdir(c, 0755);
	put_file(a, "hkprog", 0755);
	put_file(a, "hknox", 0644);
	put_file(a, "hkboth", 0644);
	put_file(b, "hkboth", 0755);
	char d[600];
	snprintf(d, sizeof(d), "%s/hkdir", c);
	mkdir(d, 0755);

	RUN(rlimits_apply);
	RUN(oom_score_adj);
	RUN(caps_identity);
	RUN(caps_ambient_exec);
	RUN(caps_errors);
	RUN(identity_errors);
	RUN(exec_lookup);
	RUN(exec_relative);

	if (tu_remove_tree(tmpdir) < 0)
		fprintf(stderr, "test_process: could not remove %s\n", tmpdir);
	return check_summary();
}
