/* test_lsm.c - unit tests for lsm.c: "" means not set, the config errors
 * for a module the host does not run, the detection from a fake sysfs,
 * the mount data with the label, where the label goes in hk_mounts_apply
 * (without SELinux the kernel refuses context=, which shows which mounts
 * got it), and hk_lsm_apply_exec's errors (a /proc that is no procfs; in
 * the AppArmor VM, "profile not loaded").  Runs as root; mounts only in a
 * child's own mount namespace, under a temp dir removed at the end.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/lsm.h"
#include "linux/rootfs.h"
#include "util/cleanup.h"

static char tmpdir[] = "/tmp/hk-lsm-XXXXXX";

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void put(const char *rel, const char *text)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	FILE *f = fopen(p, "w");
	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void mkdirs(const char *rel)
{
	char p[512];
	snprintf(p, sizeof(p), "%s/%s", tmpdir, rel);
	for (char *s = p + strlen(tmpdir) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

TEST(empty_is_unset)
{
	CHECK(hk_lsm_label(NULL) == NULL);
	CHECK(hk_lsm_label("") == NULL);
	CHECK_STREQ(hk_lsm_label("p"), "p");
}

TEST(check_process)
{
	hk_err err = {0};
	hk_process p = {0};
	CHECK(hk_lsm_check_process(&p, 0, &err) == 0);
	p.apparmor_profile = "";
	p.selinux_label = "";
	CHECK(hk_lsm_check_process(&p, 0, &err) == 0);
	p.apparmor_profile = "docker-default";
	CHECK(hk_lsm_check_process(&p, HK_LSM_SELINUX, &err) == -EOPNOTSUPP);
	CHECK_STREQ(err.msg, "process.apparmorProfile: AppArmor is not enabled on this host");
	CHECK(hk_lsm_check_process(&p, HK_LSM_APPARMOR, &err) == 0);
	p.selinux_label = "system_u:system_r:container_t:s0";
	CHECK(hk_lsm_check_process(&p, HK_LSM_APPARMOR, &err) == -EOPNOTSUPP);
	CHECK_STREQ(err.msg, "process.selinuxLabel: SELinux is not enabled on this host");
	CHECK(hk_lsm_check_process(&p, HK_LSM_APPARMOR | HK_LSM_SELINUX, &err) == 0);

	hk_spec s = {.has_process = true, .process = p};
	CHECK(hk_lsm_check_spec(&s, HK_LSM_APPARMOR, &err) == -EOPNOTSUPP);
	s.has_process = false;
	CHECK(hk_lsm_check_spec(&s, 0, &err) == 0);
}

TEST(mount_label)
{
	CHECK(hk_lsm_mount_label("system_u:object_r:x:s0", 0) == NULL);
	CHECK(hk_lsm_mount_label("system_u:object_r:x:s0", HK_LSM_APPARMOR) == NULL);
	CHECK_STREQ(hk_lsm_mount_label("system_u:object_r:x:s0", HK_LSM_SELINUX),
	            "system_u:object_r:x:s0");
	CHECK(hk_lsm_mount_label("", HK_LSM_SELINUX) == NULL);
	CHECK(hk_lsm_mount_label(NULL, HK_LSM_SELINUX) == NULL);
}

TEST(mount_data)
{
	hk_err err = {0};
	char *d = NULL;
	CHECK_OK(hk_lsm_mount_data("", "u:r:t:s0:c1,c2", &d, &err), err);
	CHECK_STREQ(d, "context=\"u:r:t:s0:c1,c2\"");
	free(d);
	CHECK_OK(hk_lsm_mount_data(NULL, "u:r:t:s0", &d, &err), err);
	CHECK_STREQ(d, "context=\"u:r:t:s0\"");
	free(d);
	CHECK_OK(hk_lsm_mount_data("mode=755,size=65536k", "u:r:t:s0", &d, &err), err);
	CHECK_STREQ(d, "mode=755,size=65536k,context=\"u:r:t:s0\"");
	free(d);
	CHECK(hk_lsm_mount_data("mode=755", "u:r:t\",uid=0", &d, &err) == -EINVAL);
	CHECK(d == NULL);
	CHECK_STREQ(err.msg, "linux.mountLabel \"u:r:t\",uid=0\": must not hold '\"'");
}

/* A fake sysfs: AppArmor's "enabled" decides, but only with a real procfs
 * that answers for it; a selinux directory that is no selinuxfs counts
 * for nothing. */
TEST(detect)
{
	char sysfs[512], fake_proc[512];
	snprintf(sysfs, sizeof(sysfs), "%s/sys", tmpdir);
	snprintf(fake_proc, sizeof(fake_proc), "%s/proc", tmpdir);
	mkdirs("sys/module/apparmor/parameters");
	mkdirs("sys/fs/selinux");
	mkdirs("proc/self/attr/apparmor");
	put("sys/fs/selinux/enforce", "1\n");
	put("sys/module/apparmor/parameters/enabled", "N\n");
	CHECK(hk_lsm_detect(sysfs, "/proc") == 0);
	put("sys/module/apparmor/parameters/enabled", "Y\n");
	CHECK(hk_lsm_detect(sysfs, fake_proc) == 0);
	/* the host's own answer: whether its procfs has AppArmor's files */
	bool host_aa = access("/proc/self/attr/apparmor", F_OK) == 0;
	CHECK(hk_lsm_detect(sysfs, "/proc") == (host_aa ? HK_LSM_APPARMOR : 0));
	CHECK(hk_lsm_detect("/nonexistent-hk", "/proc") == 0);
	CHECK((hk_lsm_enabled() & HK_LSM_SELINUX) ==
	      (access("/sys/fs/selinux/enforce", F_OK) == 0 ? HK_LSM_SELINUX : 0));
}

/* In a child with its own mount namespace.  Without SELinux the kernel
 * refuses a context= option: a mount that fails names the labeled data,
 * one that works did not get the label. */
static void mounts_body(void)
{
	char root[512];
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	mkdir(root, 0755);
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(rootfd >= 0);
	hk_err err = {0};
	hk_mount ok[] = {
	    {.type = "proc", .source = "proc", .destination = "/proc"},
	    {.type = "mqueue", .source = "mqueue", .destination = "/dev/mqueue"},
	    {.type = "bind", .source = tmpdir, .destination = "/b"},
	};
	char *opts[] = {"bind"};
	ok[2].options = opts;
	ok[2].n_options = 1;
	hk_mounts_set_label("system_u:object_r:container_file_t:s0:c1,c2");
	/* proc and binds take no label; mqueue is mounted again without */
	CHECK_OK(hk_mounts_apply(rootfd, ok, HK_ARRAY_SIZE(ok), false, false, &err), err);
	hk_mount tmp[] = {{.type = "tmpfs", .source = "tmpfs", .destination = "/t"}};
	char *mode[] = {"mode=700"};
	tmp[0].options = mode;
	tmp[0].n_options = 1;
	CHECK(hk_mounts_apply(rootfd, tmp, 1, false, false, &err) == -EINVAL);
	CHECK_STREQ(err.msg,
	            "mounts[0] (tmpfs on /t): mount with data "
	            "\"mode=700,context=\"system_u:object_r:container_file_t:s0:c1,c2\"\": "
	            "invalid argument");
	hk_mounts_set_label(NULL);
	CHECK_OK(hk_mounts_apply(rootfd, tmp, 1, false, false, &err), err);
}

TEST(mounts_take_the_label)
{
	if (access("/sys/fs/selinux/enforce", F_OK) == 0) {
		printf("  skipped: SELinux is enabled (context= is valid here)\n");
		return;
	}
	tu_in_child(mounts_body, TU_NEWNS);
}

static void apply_body(void)
{
	hk_err err = {0};
	hk_process p = {0};
	/* nothing to set: no /proc needed */
	CHECK(hk_lsm_apply_exec(&p, "/nonexistent-hk", &err) == 0);
	p.apparmor_profile = "husk-unit-no-such-profile";
	CHECK(hk_lsm_apply_exec(&p, tmpdir, &err) == -EXDEV);
	CHECK(starts(err.msg, "process.apparmorProfile: needs the container's procfs at /proc "
	                      "(a \"proc\" mount): "));
	CHECK(strstr(err.msg, "is not a procfs") != NULL);
	int r = hk_lsm_apply_exec(&p, "/proc", &err);
	if (hk_lsm_enabled() & HK_LSM_APPARMOR) {
		CHECK(r == -ENOENT);
		CHECK_STREQ(
		    err.msg,
		    "process.apparmorProfile \"husk-unit-no-such-profile\": profile not loaded");
	} else {
		/* no LSM takes the write */
		CHECK(r < 0);
		CHECK(starts(err.msg, "process.apparmorProfile \"husk-unit-no-such-profile\""));
	}
	p.apparmor_profile = NULL;
	p.selinux_label = "system_u:system_r:container_t:s0";
	CHECK(hk_lsm_apply_exec(&p, tmpdir, &err) == -EXDEV);
	CHECK(starts(err.msg, "process.selinuxLabel: needs the container's procfs"));
}

TEST(apply_exec)
{
	/* in a child: a write that works changes the process's next exec */
	tu_in_child(apply_body, 0);
}

int main(void)
{
	if (!tu_make_tmpdir(tmpdir))
		return 1;
	RUN(empty_is_unset);
	RUN(check_process);
	RUN(mount_label);
	RUN(mount_data);
	RUN(detect);
	RUN(mounts_take_the_label);
	RUN(apply_exec);
	tu_remove_tree(tmpdir);
	return check_summary();
}
