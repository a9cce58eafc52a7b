/* test_rootfs.c - unit tests for the rootfs layer: hk_resolve_in_root
 * (openat2 and the userspace walk), hk_mounts_apply, hk_rootfs_prepare /
 * pivot / finalize, masked and readonly paths, sysctl.
 *
 * Everything that mounts runs in a forked child that unshared its mount
 * namespace and made "/" rprivate; the temp dirs live under /tmp and are
 * removed at the end.  Runs as root; works on hybrid and pure v2 cgroups.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/procfs.h"
#include "linux/rootfs.h"
#include "util/cleanup.h"

static char tmpdir[] = "/tmp/hk-rootfs-XXXXXX";
static char uniq[64]; /* a name that exists nowhere on the host */

static void put_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

/* A fresh directory tmpdir/NAME (OUT: 256 bytes) with SUBDIRS. */
static void make_root(const char *name, char *out, const char *const *subdirs)
{
	snprintf(out, 256, "%s/%s", tmpdir, name);
	mkdir(out, 0755);
	for (; subdirs && *subdirs; subdirs++) {
		char p[4096];
		snprintf(p, sizeof(p), "%s/%s", out, *subdirs);
		mkdir(p, 0755);
	}
}

static int count_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

static bool same_file(int fd, const char *path)
{
	struct stat a, b;
	if (fd < 0 || fstat(fd, &a) < 0 || stat(path, &b) < 0)
		return false;
	return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* ---- hk_resolve_in_root ---- */

static void resolve_symlinks_body(void)
{
	char r[256], p[4096], etc[4096];
	const char *dirs[] = {"etc", "etc/sub", NULL};
	make_root("res", r, dirs);
	snprintf(etc, sizeof(etc), "%s/etc", r);
	const char *links[][2] = {
	    {"a", "/"},        {"b", ".."},  {"c", "../../etc"}, {"d", "/etc/../etc/"},
	    {"l1", "l2"},      {"l2", "l1"}, {"u", "/usr"},      {"etc/up", "../../../../.."},
	    {"empty", "etc/."}};
	for (size_t i = 0; i < HK_ARRAY_SIZE(links); i++) {
		snprintf(p, sizeof(p), "%s/%s", r, links[i][0]);
		unlink(p);
		CHECK(symlink(links[i][1], p) == 0);
	}
	_cleanup_close_ int root = open(r, O_PATH | O_DIRECTORY | O_CLOEXEC);
	hk_err err = {0};
	int fds_before = count_fds();
	const char *to_etc[] = {"/a/etc", "a/a/a/etc",   "/b/b/etc",
	                        "/c",     "c",           "../../../etc",
	                        "/d",     "/etc/up/etc", "/etc/sub/../../../etc",
	                        "/empty"};
	for (int mode = 0; mode < 2; mode++) {
		hk_resolve_use_openat2(mode == 0);
		for (size_t i = 0; i < HK_ARRAY_SIZE(to_etc); i++) {
			_cleanup_close_ int fd =
			    hk_resolve_in_root(root, to_etc[i], false, false, &err);
			if (!same_file(fd, etc))
				fprintf(stderr, "  mode %d: %s did not resolve to etc\n", mode,
				        to_etc[i]);
			CHECK(same_file(fd, etc));
		}
		_cleanup_close_ int top = hk_resolve_in_root(root, "/a/b/..", false, false, &err);
		CHECK(same_file(top, r));
		CHECK(hk_resolve_in_root(root, "/l1", false, false, &err) == -ELOOP);
		CHECK(strstr(err.msg, "resolve /l1 in rootfs: ") == err.msg);
		/* /usr exists on the host, not in the root. */
		CHECK(hk_resolve_in_root(root, "/u", false, false, &err) == -ENOENT);
	}
	hk_resolve_use_openat2(true);
	CHECK(count_fds() == fds_before); /* the walk leaks no fds */
}

TEST(resolve_symlinks_stay_inside)
{
	resolve_symlinks_body();
}

TEST(resolve_mkdir_inside_root)
{
	char r[256], p[4096];
	for (int mode = 0; mode < 2; mode++) {
		hk_resolve_use_openat2(mode == 0);
		make_root(mode ? "mk1" : "mk0", r, NULL);
		snprintf(p, sizeof(p), "%s/t", r);
		CHECK(symlink("/tmp", p) == 0); /* dangling: the root has no /tmp */
		snprintf(p, sizeof(p), "%s/esc", r);
		char target[256];
		snprintf(target, sizeof(target), "../../../../../%s", uniq);
		CHECK(symlink(target, p) == 0);
		_cleanup_close_ int root = open(r, O_PATH | O_DIRECTORY | O_CLOEXEC);
		hk_err err = {0};

		char rel[512];
		snprintf(rel, sizeof(rel), "/t/%s/x/y", uniq);
		_cleanup_close_ int fd = hk_resolve_in_root(root, rel, true, false, &err);
		snprintf(p, sizeof(p), "%s/tmp/%s/x/y", r, uniq);
		CHECK(same_file(fd, p));
		snprintf(p, sizeof(p), "/tmp/%s", uniq);
		CHECK(access(p, F_OK) < 0 && errno == ENOENT);

		_cleanup_close_ int fd2 = hk_resolve_in_root(root, "/esc/z/file", true, true, &err);
		snprintf(p, sizeof(p), "%s/%s/z/file", r, uniq);
		struct stat st;
		CHECK(same_file(fd2, p) && stat(p, &st) == 0 && S_ISREG(st.st_mode));
		snprintf(p, sizeof(p), "/%s", uniq);
		CHECK(access(p, F_OK) < 0 && errno == ENOENT);

		/* Existing path: no creation needed, same answer. */
		_cleanup_close_ int fd3 = hk_resolve_in_root(root, "/tmp", true, false, &err);
		snprintf(p, sizeof(p), "%s/tmp", r);
		CHECK(same_file(fd3, p));
		/* A file in the middle is not a directory. */
		CHECK(hk_resolve_in_root(root, "/esc/z/file/deeper", true, false, &err) ==
		      -ENOTDIR);
	}
	hk_resolve_use_openat2(true);
}

/* ---- hk_mounts_apply ---- */

static char *opts_buf[8][8];
static hk_mount mk(const char *type, const char *src, const char *dst, int slot,
                   const char *const *opts)
{
	hk_mount m = {0};
	m.type = (char *)type;
	m.source = (char *)src;
	m.destination = (char *)dst;
	size_t n = 0;
	for (; opts && opts[n]; n++)
		opts_buf[slot][n] = (char *)opts[n];
	m.options = opts_buf[slot];
	m.n_options = n;
	return m;
}

static void mounts_basic_body(void)
{
	char r[256], src[256], p[4096];
	make_root("mb", r, NULL);
	make_root("mbsrc", src, (const char *[]){"sub", NULL});
	snprintf(p, sizeof(p), "%s/file", src);
	put_file(p, "hello");
	/* A submount inside the source, to check rbind + rro. */
	snprintf(p, sizeof(p), "%s/sub", src);
	CHECK(mount("tmpfs", p, "tmpfs", 0, "size=64k") == 0);

	hk_mount ms[] = {
	    mk("tmpfs", "tmpfs", "/mytemp", 0, (const char *[]){"size=1m", "mode=700", NULL}),
	    mk("bind", src, "/ro", 1, (const char *[]){"ro", "nosuid", NULL}),
	    mk("proc", "proc", "/proc", 2, NULL),
	    {0}, /* the file bind, below */
	    mk("none", src, "/rro", 4, (const char *[]){"rbind", "rro", "rnoatime", NULL}),
	    mk("tmpfs", "tmpfs", "/priv", 5, (const char *[]){"noexec", "private", NULL}),
	};
	char file[4096];
	snprintf(file, sizeof(file), "%s/file", src);
	ms[3] = mk(NULL, file, "/etc/x/file", 3, (const char *[]){"bind", NULL});
	_cleanup_close_ int root = open(r, O_PATH | O_DIRECTORY | O_CLOEXEC);
	hk_err err = {0};
	CHECK_OK(hk_mounts_apply(root, ms, HK_ARRAY_SIZE(ms), false, false, &err), err);

	struct statfs sfs;
	struct stat st;
	snprintf(p, sizeof(p), "%s/mytemp", r);
	CHECK(statfs(p, &sfs) == 0 && sfs.f_type == TMPFS_MAGIC);
	CHECK((unsigned long long)sfs.f_blocks * sfs.f_bsize == 1024 * 1024);
	CHECK(stat(p, &st) == 0 && (st.st_mode & 07777) == 0700);

	snprintf(p, sizeof(p), "%s/ro/file", r);
	CHECK(access(p, R_OK) == 0);
	CHECK(tu_open_fails(p, O_WRONLY, EROFS));
	struct statvfs sv;
	snprintf(p, sizeof(p), "%s/ro", r);
	CHECK(statvfs(p, &sv) == 0 && (sv.f_flag & ST_RDONLY) && (sv.f_flag & ST_NOSUID));
	/* The bind source itself stays writable. */
	CHECK(statvfs(src, &sv) == 0 && !(sv.f_flag & ST_RDONLY));

	snprintf(p, sizeof(p), "%s/proc", r);
	CHECK(tu_fs_type(p) == PROC_SUPER_MAGIC);

	snprintf(p, sizeof(p), "%s/etc/x/file", r);
	CHECK(stat(p, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 5);

	/* rro reaches the submount; plain ro did not. */
	snprintf(p, sizeof(p), "%s/rro/sub/f", r);
	CHECK(tu_open_fails(p, O_CREAT | O_WRONLY, EROFS));
	snprintf(p, sizeof(p), "%s/rro/sub", r);
	CHECK(statvfs(p, &sv) == 0 && (sv.f_flag & ST_NOATIME));
	snprintf(p, sizeof(p), "%s/ro/sub/f", r);
	/* ro was not recursive: the submount is not under /ro at all. */
	struct stat top, sub;
	snprintf(p, sizeof(p), "%s/ro", r);
	CHECK(stat(p, &top) == 0);
	snprintf(p, sizeof(p), "%s/ro/sub", r);
	CHECK(stat(p, &sub) == 0 && sub.st_dev == top.st_dev);
	snprintf(p, sizeof(p), "%s/rro/sub", r);
	CHECK(stat(p, &sub) == 0 && sub.st_dev != top.st_dev);

	snprintf(p, sizeof(p), "%s/priv", r);
	CHECK(statvfs(p, &sv) == 0 && (sv.f_flag & ST_NOEXEC));
}

TEST(mounts_tmpfs_bind_proc)
{
	tu_in_child(mounts_basic_body, TU_NEWNS);
}

static void mounts_escape_body(void)
{
	char r[256], p[4096];
	make_root("esc", r, (const char *[]){"tmp", NULL});
	snprintf(p, sizeof(p), "%s/link", r);
	CHECK(symlink("/", p) == 0);
	snprintf(p, sizeof(p), "%s/up", r);
	CHECK(symlink("../../../../tmp", p) == 0);
	snprintf(p, sizeof(p), "%s/conf", r);
	CHECK(symlink("/etc", p) == 0); /* dangling inside the root */
	long host_root_type = tu_fs_type("/");

	char d1[256], d2[256];
	snprintf(d1, sizeof(d1), "/link/%s", uniq);
	snprintf(d2, sizeof(d2), "/up/%s", uniq);
	hk_mount ms[] = {
	    mk("tmpfs", "tmpfs", d1, 0, NULL),
	    mk("tmpfs", "tmpfs", d2, 1, NULL),
	    mk("tmpfs", "tmpfs", "/conf", 2, NULL),
	};
	_cleanup_close_ int root = open(r, O_PATH | O_DIRECTORY | O_CLOEXEC);
	hk_err err = {0};
	CHECK_OK(hk_mounts_apply(root, ms, HK_ARRAY_SIZE(ms), false, false, &err), err);
	snprintf(p, sizeof(p), "%s/%s", r, uniq);
	CHECK(tu_fs_type(p) == TMPFS_MAGIC);
	snprintf(p, sizeof(p), "%s/tmp/%s", r, uniq);
	CHECK(tu_fs_type(p) == TMPFS_MAGIC);
	snprintf(p, sizeof(p), "%s/conf", r);
	struct stat st;
	CHECK(lstat(p, &st) == 0 && S_ISLNK(st.st_mode)); /* the link itself is kept */
	snprintf(p, sizeof(p), "%s/etc", r);
	CHECK(tu_fs_type(p) == TMPFS_MAGIC);
	/* The host: nothing created, /etc and / untouched. */
	snprintf(p, sizeof(p), "/%s", uniq);
	CHECK(access(p, F_OK) < 0);
	snprintf(p, sizeof(p), "/tmp/%s", uniq);
	CHECK(access(p, F_OK) < 0);
	CHECK(tu_fs_type("/etc") != TMPFS_MAGIC || tu_fs_type("/") == TMPFS_MAGIC);
	CHECK(tu_fs_type("/") == host_root_type);
	CHECK(!tu_mounted_at("/etc"));
}

TEST(mounts_symlinked_destination_stays_inside)
{
	tu_in_child(mounts_escape_body, TU_NEWNS);
}

static void mounts_errors_body(void)
{
	char r[256];
	make_root("err", r, NULL);
	_cleanup_close_ int root = open(r, O_PATH | O_DIRECTORY | O_CLOEXEC);
	hk_err err = {0};
	hk_mount ms[] = {
	    mk("tmpfs", "tmpfs", "/ok", 0, NULL),
	    mk("tmpfs", "tmpfs", "/mytemp", 1, (const char *[]){"size=bogus", NULL}),
	};
	CHECK(hk_mounts_apply(root, ms, 2, false, false, &err) == -EINVAL);
	CHECK_STREQ(
	    err.msg,
	    "mounts[1] (tmpfs on /mytemp): mount with data \"size=bogus\": invalid argument");

	hk_mount m2[] = {mk("nosuchfs", "x", "/a", 0, NULL)};
	CHECK(hk_mounts_apply(root, m2, 1, false, false, &err) == -ENODEV);
	CHECK_STREQ(err.msg, "mounts[0] (nosuchfs on /a): mount: no such device");

	hk_mount m3[] = {mk("bind", "/nonexistent-hk", "/b", 0, (const char *[]){"rbind", NULL})};
	CHECK(hk_mounts_apply(root, m3, 1, false, false, &err) == -ENOENT);
	CHECK_STREQ(err.msg,
	            "mounts[0] (bind on /b): stat /nonexistent-hk: no such file or directory");
}

TEST(mounts_errors_name_the_entry)
{
	tu_in_child(mounts_errors_body, TU_NEWNS);
}

static void mounts_cgroup_body(void)
{
	char r[256], p[4096];
	make_root("cg", r, NULL);
	_cleanup_close_ int root = open(r, O_PATH | O_DIRECTORY | O_CLOEXEC);
	hk_err err = {0};
	hk_mount ms[] = {mk("cgroup", "cgroup", "/sys/fs/cgroup", 0,
	                    (const char *[]){"nosuid", "noexec", "nodev", "relatime", "ro", NULL})};
	CHECK_OK(hk_mounts_apply(root, ms, 1, false, false, &err), err);
	snprintf(p, sizeof(p), "%s/sys/fs/cgroup", r);
	struct statvfs sv;
	if (tu_fs_type("/sys/fs/cgroup") == CGROUP2_SUPER_MAGIC) {
		CHECK(tu_fs_type(p) == CGROUP2_SUPER_MAGIC);
		CHECK(statvfs(p, &sv) == 0 && (sv.f_flag & ST_RDONLY) && (sv.f_flag & ST_NOEXEC));
		snprintf(p, sizeof(p), "%s/sys/fs/cgroup/cgroup.controllers", r);
		CHECK(access(p, R_OK) == 0);
		return;
	}
	CHECK(tu_fs_type(p) == TMPFS_MAGIC);
	CHECK(statvfs(p, &sv) == 0 && (sv.f_flag & ST_RDONLY));
	int checked = 0;
	const char *v1[] = {"memory", "cpu", "pids", "systemd", "unified"};
	for (size_t i = 0; i < HK_ARRAY_SIZE(v1); i++) {
		char host[256];
		snprintf(host, sizeof(host), "/sys/fs/cgroup/%s", v1[i]);
		long t = tu_fs_type(host);
		if (t != CGROUP_SUPER_MAGIC && t != CGROUP2_SUPER_MAGIC)
			continue;
		snprintf(p, sizeof(p), "%s/sys/fs/cgroup/%s", r, v1[i]);
		CHECK(tu_fs_type(p) == t);
		CHECK(statvfs(p, &sv) == 0 && (sv.f_flag & ST_RDONLY) && (sv.f_flag & ST_NOSUID));
		checked++;
	}
	CHECK(checked > 0);
	snprintf(p, sizeof(p), "%s/sys/fs/cgroup/memory/memory.limit_in_bytes", r);
	CHECK(tu_fs_type("/sys/fs/cgroup/memory") != CGROUP_SUPER_MAGIC || access(p, R_OK) == 0);
}

TEST(mounts_cgroup_follows_host_layout)
{
	tu_in_child(mounts_cgroup_body, TU_NEWNS);
}

/* In a user namespace the flags of mounts from the parent namespace are
 * locked: a bind remount must keep them, sysfs falls back to an rbind. */
static void mounts_userns_body(void)
{
	char r[256], src[256], p[4096];
	make_root("un", r, NULL);
	make_root("unsrc", src, NULL);
	CHECK(mount("tmpfs", src, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k") == 0);
	snprintf(p, sizeof(p), "%s/f", src);
	put_file(p, "x");
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		fprintf(stderr, "  skipped: unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		return;
	}
	put_file("/proc/self/setgroups", "deny");
	put_file("/proc/self/uid_map", "0 0 1\n");
	put_file("/proc/self/gid_map", "0 0 1\n");
	/* Without the locked flags the remount is refused. */
	snprintf(p, sizeof(p), "%s/raw", r);
	mkdir(p, 0755);
	CHECK(mount(src, p, NULL, MS_BIND, NULL) == 0);
	CHECK(mount("", p, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0 && errno == EPERM);

	_cleanup_close_ int root = open(r, O_PATH | O_DIRECTORY | O_CLOEXEC);
	hk_err err = {0};
	hk_mount ms[] = {
	    mk("bind", src, "/ro", 0, (const char *[]){"ro", NULL}),
	    mk("sysfs", "sysfs", "/sys", 1, (const char *[]){"ro", "nosuid", NULL}),
	};
	CHECK_OK(hk_mounts_apply(root, ms, HK_ARRAY_SIZE(ms), true, false, &err), err);
	struct statvfs sv;
	snprintf(p, sizeof(p), "%s/ro", r);
	CHECK(statvfs(p, &sv) == 0 && (sv.f_flag & ST_RDONLY) && (sv.f_flag & ST_NODEV));
	snprintf(p, sizeof(p), "%s/ro/f", r);
	CHECK(tu_open_fails(p, O_WRONLY, EROFS));
	snprintf(p, sizeof(p), "%s/sys", r);
	CHECK(tu_fs_type(p) == SYSFS_MAGIC);
	CHECK(statvfs(p, &sv) == 0 && (sv.f_flag & ST_RDONLY));
}

TEST(mounts_in_user_namespace)
{
	tu_in_child(mounts_userns_body, TU_NEWNS);
}

/* The rbind of /sys a rootless container gets ("ro", not recursive): the
 * host's cgroup mounts below it are made read-only too (CVE-2023-25809),
 * also on a kernel without STATX_MNT_ID (< 5.8: mount ids from fdinfo)
 * and without mount_setattr (< 5.12), as a seccomp filter shows it. */
static void userns_sys_cgroups(bool old_kernel)
{
	char r[256];
	make_root(old_kernel ? "cgo" : "cgn", r, NULL);
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		fprintf(stderr, "  skipped: unshare(CLONE_NEWUSER): %s\n", strerror(errno));
		return;
	}
	put_file("/proc/self/setgroups", "deny");
	put_file("/proc/self/uid_map", "0 0 1\n");
	put_file("/proc/self/gid_map", "0 0 1\n");
	if (old_kernel) {
		hk_procfs_use_statx_mnt_id(0);
		scmp_filter_ctx sc = seccomp_init(SCMP_ACT_ALLOW);
		CHECK(sc && seccomp_rule_add(sc, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(mount_setattr),
		                             0) == 0);
		CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && seccomp_load(sc) == 0);
		seccomp_release(sc);
	}
	_cleanup_close_ int root = open(r, O_PATH | O_DIRECTORY | O_CLOEXEC);
	hk_err err = {0};
	hk_mount ms[] = {mk("sysfs", "sysfs", "/sys", 0, (const char *[]){"ro", "nosuid", NULL})};
	CHECK_OK(hk_mounts_apply(root, ms, HK_ARRAY_SIZE(ms), true, false, &err), err);
	/* every cgroup mount below the new /sys */
	char prefix[512], line[4096], mp[4096], type[64];
	snprintf(prefix, sizeof(prefix), "%s/sys/", r);
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int n = 0;
	while (f && fgets(line, sizeof(line), f)) {
		const char *dash = strstr(line, " - ");
		if (sscanf(line, "%*d %*d %*s %*s %4095s", mp) != 1 || !dash ||
		    sscanf(dash, " - %63s", type) != 1 ||
		    strncmp(mp, prefix, strlen(prefix)) != 0 ||
		    (strcmp(type, "cgroup") != 0 && strcmp(type, "cgroup2") != 0))
			continue;
		struct statvfs sv;
		CHECK(statvfs(mp, &sv) == 0);
		if (!(sv.f_flag & ST_RDONLY))
			fprintf(stderr, "  %s is writable\n", mp);
		CHECK(sv.f_flag & ST_RDONLY);
		n++;
	}
	if (f)
		fclose(f);
	CHECK(n > 0);
	hk_procfs_use_statx_mnt_id(1);
}
static void userns_sys_cgroups_new(void)
{
	userns_sys_cgroups(false);
}
static void userns_sys_cgroups_old(void)
{
	userns_sys_cgroups(true);
}

TEST(mounts_userns_sys_cgroups_read_only)
{
	tu_in_child(userns_sys_cgroups_new, TU_NEWNS);
	tu_in_child(userns_sys_cgroups_old, TU_NEWNS);
}

/* ---- prepare / pivot / paths / sysctl / finalize ---- */

static void prepare_body(void)
{
	char r[256];
	make_root("prep", r, NULL);
	int fd = -1;
	hk_err err = {0};
	CHECK(hk_rootfs_prepare(r, "bogus", NULL, false, &fd, &err) == -EINVAL);
	CHECK_STREQ(err.msg, "rootfs: invalid rootfsPropagation \"bogus\"");
	CHECK(hk_rootfs_prepare(r, "rslave", NULL, false, &fd, &err) == 0);
	CHECK(tu_mounted_at(r));
	CHECK(same_file(fd, r));
	int fl = fd >= 0 ? fcntl(fd, F_GETFL) : 0;
	CHECK((fl & O_PATH) && (fcntl(fd, F_GETFD) & FD_CLOEXEC));
	/* The rootfs mount is not shared (pivot_root would refuse it). */
	CHECK(tu_mountinfo_count(r, "shared:") == 0);
	if (fd >= 0)
		close(fd);
}

TEST(rootfs_prepare)
{
	tu_in_child(prepare_body, TU_NEWNS | TU_KEEP_PROPAGATION);
}

static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	if (!d)
		return false;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n == 0;
}

static void pivot_body(void)
{
	char r[256], p[4096];
	const char *dirs[] = {"bin", "dev", "proc", "etc", "secretdir", "rodir", NULL};
	make_root("pv", r, dirs);
	snprintf(p, sizeof(p), "%s/etc/secret", r);
	put_file(p, "top secret");
	snprintf(p, sizeof(p), "%s/secretdir/file", r);
	put_file(p, "x");
	snprintf(p, sizeof(p), "%s/dev/null", r);
	put_file(p, "not a device");
	snprintf(p, sizeof(p), "%s/bin/busybox", r);
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "cp \"$(command -v busybox)\" %s", p);
	/* NOLINTNEXTLINE(cert-env33-c): the test's own command, the shell finds busybox */
	CHECK(system(cmd) == 0);
	CHECK(unshare(CLONE_NEWUTS) == 0);

	int rootfd = -1;
	hk_err err = {0};
	CHECK(hk_rootfs_prepare(r, NULL, NULL, false, &rootfd, &err) == 0);
	hk_mount ms[] = {
	    mk("proc", "proc", "/proc", 0, NULL),
	    mk("tmpfs", "tmpfs", "/tmp", 1, NULL),
	    mk("bind", "/dev/null", "/realnull", 2, NULL),
	};
	CHECK(hk_mounts_apply(rootfd, ms, HK_ARRAY_SIZE(ms), false, false, &err) == 0);
	CHECK(hk_rootfs_pivot(rootfd, &err) == 0);
	close(rootfd);

	char cwd[4096];
	CHECK(getcwd(cwd, sizeof(cwd)) && strcmp(cwd, "/") == 0);
	CHECK(access("/usr", F_OK) < 0 && errno == ENOENT); /* host-only */
	CHECK(access(tmpdir, F_OK) < 0);
	CHECK(access("/etc/secret", R_OK) == 0);
	CHECK(tu_mounted_at("/") && tu_mounted_at("/proc") && tu_mounted_at("/tmp"));
	CHECK(!tu_mounted_at("/sys") && !tu_mounted_at("/usr") && !tu_mounted_at(r));
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/busybox", "busybox", "true", (char *)NULL);
		_exit(127);
	}
	CHECK(tu_exited_ok(tu_wait(pid)));

	/* A fake /dev/null is refused for masking files. */
	char *masked[] = {"/etc/secret", "/secretdir", "/does/not/exist"};
	CHECK(hk_paths_mask(masked, 3, &err) == -EPERM);
	CHECK_STREQ(err.msg, "maskedPaths: /dev/null is not the null device");
	CHECK(mount("/realnull", "/dev/null", NULL, MS_BIND, NULL) == 0);
	CHECK(hk_paths_mask(masked, 3, &err) == 0);
	char buf[64];
	int fd = open("/etc/secret", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 0);
	if (fd >= 0)
		close(fd);
	CHECK(dir_is_empty("/secretdir"));
	CHECK(tu_open_fails("/secretdir/new", O_CREAT | O_WRONLY, EROFS));

	char *ro[] = {"/rodir", "/missing", "/proc/sys"};
	CHECK(hk_paths_readonly(ro, 3, &err) == 0);
	CHECK(tu_open_fails("/rodir/new", O_CREAT | O_WRONLY, EROFS));
	fd = open("/etc/new", O_CREAT | O_WRONLY, 0644);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd); /* an open writer would make the ro remount EBUSY */

	/* sysctl: kernel.hostname is per UTS namespace, ours is private. */
	hk_kv bad[] = {{"../etc/x", "1"}};
	CHECK(hk_sysctl_apply(bad, 1, &err) == -EINVAL);
	CHECK_STREQ(err.msg, "linux.sysctl \"../etc/x\": invalid key");
	/* /proc/sys is a read-only mount now: writes through it are refused,
	 * whatever that mount is (CVE-2019-16884 class). */
	hk_kv host[] = {{"kernel.hostname", "husk-test"}};
	CHECK(hk_sysctl_apply(host, 1, &err) == -EXDEV);
	CHECK_STREQ(err.msg, "linux.sysctl \"kernel.hostname\": open /proc/sys/kernel/hostname: "
	                     "refused: something is mounted over part of the path");
	CHECK(umount2("/proc/sys", MNT_DETACH) == 0);
	hk_kv missing[] = {{"kernel.husk_nonexistent", "1"}};
	CHECK(hk_sysctl_apply(missing, 1, &err) == -ENOENT);
	CHECK_STREQ(err.msg, "linux.sysctl \"kernel.husk_nonexistent\": open "
	                     "/proc/sys/kernel/husk_nonexistent: no such file or directory");
	for (int walk = 0; walk < 2; walk++) { /* openat2, then the old-kernel walk */
		hk_procfs_use_openat2(!walk);
		/* a tmpfs over /proc/sys/kernel with a fake "hostname" file */
		CHECK(mount("tmpfs", "/proc/sys/kernel", "tmpfs", 0, NULL) == 0);
		CHECK(close(open("/proc/sys/kernel/hostname", O_CREAT | O_WRONLY, 0644)) == 0);
		CHECK(hk_sysctl_apply(host, 1, &err) == -EXDEV);
		CHECK(umount2("/proc/sys/kernel", MNT_DETACH) == 0);
		/* a whole fake /proc: a directory, and a symlink to a real one */
		CHECK(mount("tmpfs", "/proc", "tmpfs", 0, NULL) == 0);
		CHECK(mkdir("/proc/sys", 0755) == 0 && mkdir("/proc/sys/kernel", 0755) == 0);
		CHECK(close(open("/proc/sys/kernel/hostname", O_CREAT | O_WRONLY, 0644)) == 0);
		CHECK(hk_sysctl_apply(host, 1, &err) == -EXDEV);
		CHECK(strstr(err.msg, "/proc is not a procfs") != NULL);
		CHECK(umount2("/proc", MNT_DETACH) == 0);
		CHECK(hk_sysctl_apply(host, 1, &err) == 0);
		hk_procfs_use_openat2(1);
	}
	char hn[256] = "";
	CHECK(gethostname(hn, sizeof(hn)) == 0 && strcmp(hn, "husk-test") == 0);
	/* the procfs's own "self" and "thread-self" links are followed, no other */
	int procfd = hk_procfs_open("/proc", &err);
	CHECK(procfd >= 0);
	fd = hk_procfs_openat(procfd, "thread-self/comm", O_RDONLY, &err);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(hk_procfs_openat(procfd, "mounts", O_RDONLY, &err) == -ELOOP);
	CHECK(hk_procfs_openat(procfd, "self/../../etc", O_RDONLY, &err) < 0);
	close(procfd);
	CHECK(hk_procfs_open("/etc", &err) == -EXDEV);

	CHECK_OK(hk_rootfs_finalize(true, "rshared", &err), err);
	CHECK(tu_open_fails("/newfile", O_CREAT | O_WRONLY, EROFS));
	CHECK(tu_mountinfo_count("/", "shared:") > 0);
	CHECK(hk_rootfs_finalize(false, "nonsense", &err) == -EINVAL);
}

TEST(rootfs_pivot_mask_readonly_sysctl_finalize)
{
	tu_in_child(pivot_body, TU_NEWNS);
}

int main(void)
{
	if (!tu_make_tmpdir(tmpdir))
		return 1;
	snprintf(uniq, sizeof(uniq), "hk-escape-%d", (int)getpid());
	RUN(resolve_symlinks_stay_inside);
	RUN(resolve_mkdir_inside_root);
	RUN(mounts_tmpfs_bind_proc);
	RUN(mounts_symlinked_destination_stays_inside);
	RUN(mounts_errors_name_the_entry);
	RUN(mounts_cgroup_follows_host_layout);
	RUN(mounts_in_user_namespace);
	RUN(mounts_userns_sys_cgroups_read_only);
	RUN(rootfs_prepare);
	RUN(rootfs_pivot_mask_readonly_sysctl_finalize);
	tu_remove_tree(tmpdir);
	return check_summary();
}
