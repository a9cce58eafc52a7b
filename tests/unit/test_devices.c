/* test_devices.c - unit tests for hk_devices_setup: the default nodes, the
 * linux.devices entries, the /dev links, replacing wrong entries, staying
 * inside the rootfs, the bind-mount variant (user namespaces and the EPERM
 * fallback) and the error messages.
 *
 * Each test runs in a forked child that unshared its mount namespace and
 * made "/" rprivate; the fake rootfs is a tmpfs on a directory below a
 * mkdtemp dir in /tmp, removed at the end.  Runs as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/devices.h"
#include "linux/rootfs.h"
#include "util/cleanup.h"

static char tmpdir[] = "/tmp/hk-devices-XXXXXX";

/* A tmpfs at tmpdir/NAME (OUT: 256 bytes) with a dev dir; its O_PATH fd. */
static int make_root(const char *name, char *out)
{
	snprintf(out, 256, "%s/%s", tmpdir, name);
	mkdir(out, 0755);
	if (mount("tmpfs", out, "tmpfs", 0, "mode=755") < 0) {
		perror("mount tmpfs");
		return -1;
	}
	char p[512];
	snprintf(p, sizeof(p), "%s/dev", out);
	mkdir(p, 0755);
	return open(out, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

static bool is_node(const char *root, const char *path, mode_t fmt, unsigned maj, unsigned min,
                    mode_t mode, uid_t uid, gid_t gid)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s%s", root, path);
	if (lstat(p, &st) < 0) {
		fprintf(stderr, "  %s: %s\n", p, strerror(errno));
		return false;
	}
	bool ok = (st.st_mode & S_IFMT) == fmt && (st.st_mode & 07777) == mode &&
	          st.st_uid == uid && st.st_gid == gid &&
	          (fmt == S_IFIFO || st.st_rdev == makedev(maj, min));
	if (!ok)
		fprintf(stderr, "  %s: mode %o rdev %u:%u owner %u:%u\n", p, st.st_mode,
		        major(st.st_rdev), minor(st.st_rdev), st.st_uid, st.st_gid);
	return ok;
}

static bool link_is(const char *root, const char *path, const char *target)
{
	char p[512], buf[256];
	snprintf(p, sizeof(p), "%s%s", root, path);
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return strcmp(buf, target) == 0;
}

static ino_t inode_of(const char *root, const char *path)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s%s", root, path);
	return lstat(p, &st) == 0 ? st.st_ino : 0;
}

/* Is ROOT/PATH a mount point (its device differs from its directory's)? */
static bool is_mounted(const char *root, const char *path)
{
	char p[512];
	struct stat a, b;
	snprintf(p, sizeof(p), "%s%s", root, path);
	if (stat(p, &a) < 0)
		return false;
	*strrchr(p, '/') = '\0';
	return stat(p, &b) == 0 && a.st_dev != b.st_dev;
}

/* The default nodes in the directory R. */
static void check_defaults(const char *r)
{
	CHECK(is_node(r, "/null", S_IFCHR, 1, 3, 0666, 0, 0));
	CHECK(is_node(r, "/zero", S_IFCHR, 1, 5, 0666, 0, 0));
	CHECK(is_node(r, "/full", S_IFCHR, 1, 7, 0666, 0, 0));
	CHECK(is_node(r, "/random", S_IFCHR, 1, 8, 0666, 0, 0));
	CHECK(is_node(r, "/urandom", S_IFCHR, 1, 9, 0666, 0, 0));
}

/* The links and directories in the directory R. */
static void check_links(const char *r)
{
	CHECK(link_is(r, "/fd", "/proc/self/fd"));
	CHECK(link_is(r, "/stdin", "/proc/self/fd/0"));
	CHECK(link_is(r, "/stdout", "/proc/self/fd/1"));
	CHECK(link_is(r, "/stderr", "/proc/self/fd/2"));
	CHECK(link_is(r, "/ptmx", "pts/ptmx"));
	if (access("/proc/kcore", F_OK) == 0)
		CHECK(link_is(r, "/core", "/proc/kcore"));
	else
		CHECK(inode_of(r, "/core") == 0);
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s/pts", r);
	CHECK(lstat(p, &st) == 0 && S_ISDIR(st.st_mode));
	snprintf(p, sizeof(p), "%s/shm", r);
	CHECK(lstat(p, &st) == 0 && S_ISDIR(st.st_mode));
}

static void basic_body(void)
{
	char r[256], p[512];
	int rootfd = make_root("basic", r);
	CHECK(rootfd >= 0);
	char rdev[512];
	snprintf(rdev, sizeof(rdev), "%s/dev", r);

	/* Entries that are not what the config asks are replaced; a right
	 * node only gets its mode fixed (same inode). */
	snprintf(p, sizeof(p), "%s/dev/zero", r);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	snprintf(p, sizeof(p), "%s/dev/full", r);
	CHECK(mknod(p, S_IFCHR | 0666, makedev(1, 3)) == 0);
	snprintf(p, sizeof(p), "%s/dev/random", r);
	CHECK(mknod(p, S_IFCHR | 0600, makedev(1, 8)) == 0);
	ino_t random_ino = inode_of(r, "/dev/random");
	snprintf(p, sizeof(p), "%s/dev/ptmx", r);
	CHECK(mknod(p, S_IFCHR | 0666, makedev(5, 2)) == 0);
	snprintf(p, sizeof(p), "%s/dev/urandom", r);
	CHECK(mkdir(p, 0755) == 0);
	/* A node bind-mounted from elsewhere (the host) is left alone. */
	char hostnode[512];
	snprintf(hostnode, sizeof(hostnode), "%s/basic-hostnode", tmpdir);
	CHECK(mknod(hostnode, S_IFCHR | 0600, makedev(1, 7)) == 0);
	snprintf(p, sizeof(p), "%s/dev/bound", r);
	close(open(p, O_CREAT | O_WRONLY, 0644));
	CHECK(mount(hostnode, p, NULL, MS_BIND, NULL) == 0);

	hk_device devs[] = {
	    {.path = "/dev/fuse",
	     .type = 'c',
	     .major = 10,
	     .minor = 229,
	     .has_file_mode = true,
	     .file_mode = 0600,
	     .has_uid = true,
	     .uid = 1,
	     .has_gid = true,
	     .gid = 2},
	    {.path = "/dev/net/tun", .type = 'c', .major = 10, .minor = 200},
	    /* Replaces the default /dev/tty (same path once cleaned). */
	    {.path = "/dev//./tty",
	     .type = 'c',
	     .major = 5,
	     .minor = 0,
	     .has_file_mode = true,
	     .file_mode = 0620,
	     .has_gid = true,
	     .gid = 5},
	    {.path = "/dev/myfifo", .type = 'p', .has_file_mode = true, .file_mode = 0640},
	    {.path = "/dev/sda9",
	     .type = 'b',
	     .major = 8,
	     .minor = 9,
	     .has_file_mode = true,
	     .file_mode = 020660},
	    {.path = "/dev/bound", .type = 'c', .major = 1, .minor = 7},
	    /* Ignored, as runc does: /dev/ptmx is the devpts link. */
	    {.path = "/dev/ptmx", .type = 'c', .major = 5, .minor = 2},
	};
	hk_err err = {0};
	CHECK_OK(hk_devices_setup(rootfd, devs, HK_ARRAY_SIZE(devs), false, &err), err);
	check_defaults(rdev);
	CHECK(inode_of(r, "/dev/random") == random_ino);
	CHECK(is_node(r, "/dev/tty", S_IFCHR, 5, 0, 0620, 0, 5));
	CHECK(is_node(r, "/dev/fuse", S_IFCHR, 10, 229, 0600, 1, 2));
	CHECK(is_node(r, "/dev/net/tun", S_IFCHR, 10, 200, 0666, 0, 0));
	CHECK(is_node(r, "/dev/myfifo", S_IFIFO, 0, 0, 0640, 0, 0));
	CHECK(is_node(r, "/dev/sda9", S_IFBLK, 8, 9, 0660, 0, 0));
	CHECK(is_node(tmpdir, "/basic-hostnode", S_IFCHR, 1, 7, 0600, 0, 0));
	CHECK(is_mounted(r, "/dev/bound"));
	check_links(rdev);

	/* Again: nothing to change, nothing recreated. */
	ino_t null_ino = inode_of(r, "/dev/null");
	int rc = hk_devices_setup(rootfd, devs, HK_ARRAY_SIZE(devs), false, &err);
	CHECK(rc == 0);
	CHECK(inode_of(r, "/dev/null") == null_ino);
	check_defaults(rdev);
	check_links(rdev);
	close(rootfd);
	umount2(r, MNT_DETACH);
}

TEST(devices_default_and_spec_nodes)
{
	tu_in_child(basic_body, TU_NEWNS);
}

/* Which resolver the escape test uses: openat2 or the userspace walk. */
static bool escape_walk;

static void escape_body(void)
{
	char r[256], p[512], host[512];
	const char *tag = escape_walk ? "walk" : "openat2";
	char name[64];
	snprintf(name, sizeof(name), "escape-%s", tag);
	hk_resolve_use_openat2(!escape_walk);
	int rootfd = make_root(name, r);
	CHECK(rootfd >= 0);

	/* rootfs/dev is a symlink to a host directory; rootfs/dev2/null a
	 * symlink to a host file; rootfs/dev3 a relative escape. */
	snprintf(host, sizeof(host), "%s/hostdev-%s", tmpdir, tag);
	CHECK(mkdir(host, 0755) == 0);
	snprintf(p, sizeof(p), "%s/dev", r);
	CHECK(rmdir(p) == 0 && symlink(host, p) == 0);
	char hostfile[512];
	snprintf(hostfile, sizeof(hostfile), "%s/hostfile-%s", tmpdir, tag);
	close(open(hostfile, O_CREAT | O_WRONLY, 0600));
	snprintf(p, sizeof(p), "%s/dev2", r);
	CHECK(mkdir(p, 0755) == 0);
	snprintf(p, sizeof(p), "%s/dev2/null", r);
	CHECK(symlink(hostfile, p) == 0);
	snprintf(p, sizeof(p), "%s/dev3", r);
	CHECK(symlink("../../../../../../..", p) == 0);

	hk_device devs[] = {
	    {.path = "/dev2/null", .type = 'c', .major = 1, .minor = 3},
	    {.path = "/dev3/esc-node", .type = 'c', .major = 1, .minor = 3},
	    {.path = "/dev/../../../../esc-dots", .type = 'c', .major = 1, .minor = 3},
	};
	hk_err err = {0};
	CHECK_OK(hk_devices_setup(rootfd, devs, HK_ARRAY_SIZE(devs), false, &err), err);

	/* Nothing on the host. */
	DIR *d = opendir(host);
	int entries = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		entries += e->d_name[0] != '.';
	if (d)
		closedir(d);
	CHECK(entries == 0);
	struct stat st;
	CHECK(lstat(hostfile, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600);
	CHECK(lstat("/esc-node", &st) < 0 && lstat("/esc-dots", &st) < 0);

	/* Everything inside the rootfs instead. */
	char in[1024];
	snprintf(in, sizeof(in), "%s%s", r, host);
	check_defaults(in);
	check_links(in);
	CHECK(is_node(r, "/dev2/null", S_IFCHR, 1, 3, 0666, 0, 0));
	CHECK(is_node(r, "/esc-node", S_IFCHR, 1, 3, 0666, 0, 0));
	CHECK(is_node(r, "/esc-dots", S_IFCHR, 1, 3, 0666, 0, 0));
	close(rootfd);
	umount2(r, MNT_DETACH);
}

TEST(devices_stay_inside_rootfs)
{
	escape_walk = false;
	tu_in_child(escape_body, TU_NEWNS);
	escape_walk = true;
	tu_in_child(escape_body, TU_NEWNS);
}

static void check_bound(const char *r, const char *path, unsigned maj, unsigned min)
{
	char p[512];
	struct stat st;
	snprintf(p, sizeof(p), "%s%s", r, path);
	CHECK(stat(p, &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(maj, min));
	CHECK(is_mounted(r, path));
}

static void userns_body(void)
{
	char r[256], p[512], hostnode[512], hostfile[512];
	int rootfd = make_root("userns", r);
	CHECK(rootfd >= 0);
	char rdev[512];
	snprintf(rdev, sizeof(rdev), "%s/dev", r);

	/* A host device node for a linux.devices entry (bound from the same
	 * path on the host), and a planted symlink to a host file. */
	snprintf(hostnode, sizeof(hostnode), "%s/hostnode", tmpdir);
	CHECK(mknod(hostnode, S_IFCHR | 0600, makedev(1, 7)) == 0);
	snprintf(hostfile, sizeof(hostfile), "%s/hostfile2", tmpdir);
	close(open(hostfile, O_CREAT | O_WRONLY, 0600));
	snprintf(p, sizeof(p), "%s/dev/zero", r);
	CHECK(symlink(hostfile, p) == 0);

	hk_device devs[] = {
	    {.path = hostnode, .type = 'c', .major = 1, .minor = 7},
	    {.path = "/dev/myfifo", .type = 'p', .has_file_mode = true, .file_mode = 0600},
	};
	hk_err err = {0};
	CHECK_OK(hk_devices_setup(rootfd, devs, HK_ARRAY_SIZE(devs), true, &err), err);
	check_bound(r, "/dev/null", 1, 3);
	check_bound(r, "/dev/zero", 1, 5);
	check_bound(r, "/dev/full", 1, 7);
	check_bound(r, "/dev/random", 1, 8);
	check_bound(r, "/dev/urandom", 1, 9);
	check_bound(r, "/dev/tty", 5, 0);
	check_bound(r, hostnode, 1, 7);
	CHECK(is_node(r, "/dev/myfifo", S_IFIFO, 0, 0, 0600, 0, 0));
	check_links(rdev);
	struct stat st;
	CHECK(lstat(hostfile, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0);

	/* Again: the bound nodes are kept, no mount is stacked. */
	int before = tu_mountinfo_count(NULL, NULL);
	CHECK(hk_devices_setup(rootfd, devs, HK_ARRAY_SIZE(devs), true, &err) == 0);
	CHECK(tu_mountinfo_count(NULL, NULL) == before);
	close(rootfd);
	umount2(r, MNT_DETACH);
}

TEST(devices_bind_in_userns)
{
	tu_in_child(userns_body, TU_NEWNS);
}

/* Without CAP_MKNOD (mknod fails with EPERM) the nodes are bind-mounted. */
static void eperm_body(void)
{
	char r[256];
	int rootfd = make_root("eperm", r);
	CHECK(rootfd >= 0);
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct c[2];
	CHECK(syscall(SYS_capget, &h, c) == 0);
	c[CAP_MKNOD / 32].effective &= ~(1u << (CAP_MKNOD % 32));
	CHECK(syscall(SYS_capset, &h, c) == 0);
	hk_err err = {0};
	CHECK_OK(hk_devices_setup(rootfd, NULL, 0, false, &err), err);
	check_bound(r, "/dev/null", 1, 3);
	check_bound(r, "/dev/tty", 5, 0);
	close(rootfd);
	umount2(r, MNT_DETACH);
}

TEST(devices_mknod_eperm_falls_back_to_bind)
{
	tu_in_child(eperm_body, TU_NEWNS);
}

static void errors_body(void)
{
	char r[256];
	hk_err err = {0};
	int rootfd = make_root("errors", r);
	CHECK(rootfd >= 0);

	hk_device bad_type[] = {{.path = "/dev/x", .type = 'x'}};
	CHECK(hk_devices_setup(rootfd, bad_type, 1, false, &err) == -EINVAL);
	CHECK_STREQ(err.msg, "linux.devices[0] (/dev/x): invalid type 'x'");

	hk_device bad_num[] = {{.path = "/dev/ok", .type = 'c', .major = 1, .minor = 3},
	                       {.path = "/dev/x", .type = 'c', .major = 4096, .minor = 0}};
	CHECK(hk_devices_setup(rootfd, bad_num, 2, false, &err) == -EINVAL);
	CHECK_STREQ(err.msg, "linux.devices[1] (/dev/x): invalid device number 4096:0");

	hk_device bad_path[] = {{.path = "dev/x", .type = 'c', .major = 1, .minor = 3}};
	CHECK(hk_devices_setup(rootfd, bad_path, 1, false, &err) == -EINVAL);
	CHECK_STREQ(err.msg, "linux.devices[0] (dev/x): invalid path");

	hk_device under_file[] = {{.path = "/dev/null/x", .type = 'c', .major = 1, .minor = 3}};
	CHECK(hk_devices_setup(rootfd, under_file, 1, false, &err) == -ENOTDIR);
	CHECK(strncmp(err.msg, "linux.devices[0] (/dev/null/x): ", 32) == 0);
	CHECK(strstr(err.msg, ": not a directory") != NULL);

	/* A read-only rootfs: mknod fails, the message names the device. */
	close(rootfd);
	umount2(r, MNT_DETACH);
	rootfd = make_root("errors", r);
	CHECK(mount(NULL, r, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0);
	CHECK(hk_devices_setup(rootfd, NULL, 0, false, &err) == -EROFS);
	CHECK_STREQ(err.msg, "device /dev/null: mknod: read-only file system");
	close(rootfd);
	umount2(r, MNT_DETACH);
}

TEST(devices_errors_name_the_device)
{
	tu_in_child(errors_body, TU_NEWNS);
}

int main(void)
{
	if (!tu_make_tmpdir(tmpdir))
		return 1;
	umask(077); /* the children's: modes must not depend on it */
	RUN(devices_default_and_spec_nodes);
	RUN(devices_stay_inside_rootfs);
	RUN(devices_bind_in_userns);
	RUN(devices_mknod_eperm_falls_back_to_bind);
	RUN(devices_errors_name_the_device);
	tu_remove_tree(tmpdir);
	return check_summary();
}
