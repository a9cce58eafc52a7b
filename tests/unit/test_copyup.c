/* test_copyup.c - unit tests for hk_copy_tree (copyup.c) and the
 * `tmpcopyup` mount option of hk_mounts_apply: what is copied (files,
 * directories, symlinks as symlinks; modes, owners, times), what is not
 * (fifos, symlink targets outside the tree), the depth bound, owners a
 * user namespace cannot map, and the tmpfs over a rootfs directory.
 *
 * Mounting runs in forked children with their own mount namespace; the
 * temp dirs live under /tmp and are removed at the end.  Runs as root.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/copyup.h"
#include "linux/rootfs.h"
#include "util/cleanup.h"
#include "util/fs.h"

static char tmpdir[] = "/tmp/hk-copyup-XXXXXX";

static void put(const char *dir, const char *name, const char *content, mode_t mode)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
	chmod(p, mode);
}

static char *path(char *buf, const char *dir, const char *name)
{
	if (snprintf(buf, 4096, "%s/%s", dir, name) >= 4096)
		abort();
	return buf;
}

static bool has_content(const char *dir, const char *name, const char *want)
{
	char p[4096], got[256] = "";
	FILE *f = fopen(path(p, dir, name), "r");
	if (!f)
		return false;
	size_t n = fread(got, 1, sizeof(got) - 1, f);
	fclose(f);
	got[n] = '\0';
	return strcmp(got, want) == 0;
}

static bool is_link_to(const char *dir, const char *name, const char *want)
{
	char p[4096], got[4096];
	ssize_t n = readlink(path(p, dir, name), got, sizeof(got) - 1);
	if (n < 0)
		return false;
	got[n] = '\0';
	return strcmp(got, want) == 0;
}

/* DIR/data: file (0604, 1234:5678, old mtime), sub (0777) / deeper / n
 * (4755), symlinks link -> file, sdir -> sub, abs -> /etc/passwd,
 * rel -> ../../.., out -> OUTSIDE (a directory with a file), a fifo. */
static void make_tree(const char *dir, const char *outside)
{
	char p[4096];
	mkdir(dir, 0755);
	put(dir, "file", "hello", 0604);
	CHECK(chown(path(p, dir, "file"), 1234, 5678) == 0);
	struct timespec ts[2] = {{981173106, 0}, {981173106, 500}};
	CHECK(utimensat(AT_FDCWD, p, ts, 0) == 0);
	mkdir(path(p, dir, "sub"), 0700);
	chmod(p, 0777);
	mkdir(path(p, dir, "sub/deeper"), 0755);
	put(dir, "sub/deeper/n", "nested", 04755);
	CHECK(symlink("file", path(p, dir, "link")) == 0);
	CHECK(symlink("sub", path(p, dir, "sdir")) == 0);
	CHECK(symlink("/etc/passwd", path(p, dir, "abs")) == 0);
	CHECK(symlink("../../..", path(p, dir, "rel")) == 0);
	CHECK(symlink(outside, path(p, dir, "out")) == 0);
	CHECK(mkfifo(path(p, dir, "fifo"), 0644) == 0);
}

TEST(copy_tree_files_dirs_symlinks)
{
	char src[4096], dst[4096], outside[4096], p[4096];
	snprintf(src, sizeof(src), "%s/src", tmpdir);
	snprintf(dst, sizeof(dst), "%s/dst", tmpdir);
	snprintf(outside, sizeof(outside), "%s/outside", tmpdir);
	mkdir(outside, 0755);
	put(outside, "secret", "s", 0644);
	make_tree(src, outside);
	mkdir(dst, 0711);
	_cleanup_close_ int s = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int d = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	hk_err err = {0};
	CHECK_OK(hk_copy_tree(s, d, &err), err);

	struct stat st;
	CHECK(has_content(dst, "file", "hello"));
	CHECK(lstat(path(p, dst, "file"), &st) == 0 && (st.st_mode & 07777) == 0604);
	CHECK(st.st_uid == 1234 && st.st_gid == 5678);
	CHECK(st.st_mtim.tv_sec == 981173106 && st.st_mtim.tv_nsec == 500);
	CHECK(lstat(path(p, dst, "sub"), &st) == 0 && S_ISDIR(st.st_mode));
	CHECK((st.st_mode & 07777) == 0777);
	CHECK(has_content(dst, "sub/deeper/n", "nested"));
	CHECK(lstat(path(p, dst, "sub/deeper/n"), &st) == 0 && (st.st_mode & 07777) == 04755);
	/* Symlinks are symlinks with the same text, none followed. */
	CHECK(is_link_to(dst, "link", "file"));
	CHECK(is_link_to(dst, "sdir", "sub"));
	CHECK(is_link_to(dst, "abs", "/etc/passwd"));
	CHECK(is_link_to(dst, "rel", "../../.."));
	CHECK(is_link_to(dst, "out", outside));
	CHECK(lstat(path(p, dst, "out"), &st) == 0 && S_ISLNK(st.st_mode));
	/* Special files are skipped; dst's own mode is left alone. */
	CHECK(lstat(path(p, dst, "fifo"), &st) < 0 && errno == ENOENT);
	CHECK(stat(dst, &st) == 0 && (st.st_mode & 07777) == 0711);
	/* The source is unchanged, the outside untouched. */
	CHECK(stat(path(p, src, "file"), &st) == 0 && st.st_mtim.tv_sec == 981173106);
	CHECK(has_content(outside, "secret", "s"));
	/* A second copy into a non-empty directory collides: an error that
	 * names the entry. */
	CHECK(hk_copy_tree(s, d, &err) == -EEXIST);
	CHECK(strstr(err.msg, ": file exists") != NULL);
}

TEST(copy_tree_depth_bound)
{
	char src[4096], dst[4096];
	snprintf(src, sizeof(src), "%s/deep", tmpdir);
	mkdir(src, 0755);
	/* HK_COPYUP_MAX_DEPTH levels below the top are fine... */
	_cleanup_close_ int s = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int cur = dup(s);
	for (int i = 0; i < HK_COPYUP_MAX_DEPTH; i++) {
		CHECK(mkdirat(cur, "a", 0755) == 0);
		int next = openat(cur, "a", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = next;
	}
	hk_err err = {0};
	snprintf(dst, sizeof(dst), "%s/deep-ok", tmpdir);
	mkdir(dst, 0755);
	_cleanup_close_ int d = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK_OK(hk_copy_tree(s, d, &err), err);
	/* ...one more is refused. */
	CHECK(mkdirat(cur, "a", 0755) == 0);
	close(cur);
	snprintf(dst, sizeof(dst), "%s/deep-no", tmpdir);
	mkdir(dst, 0755);
	_cleanup_close_ int d2 = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK(hk_copy_tree(s, d2, &err) == -ELOOP);
	CHECK(strncmp(err.msg, "copy a/a/a/", 11) == 0);
	CHECK(strstr(err.msg, ": more than 128 directory levels") != NULL);
}

/* In a user namespace mapping only root: owners 1234 cannot be kept, and
 * set-uid bits of such files are dropped rather than given to root. */
static void userns_body(void)
{
	char src[4096], dst[4096], p[4096];
	snprintf(src, sizeof(src), "%s/usrc", tmpdir);
	snprintf(dst, sizeof(dst), "%s/udst", tmpdir);
	mkdir(src, 0755);
	mkdir(dst, 0755);
	put(src, "suid", "x", 04755);
	CHECK(chown(path(p, src, "suid"), 1234, 1234) == 0);
	CHECK(chmod(p, 04755) == 0);
	put(src, "mine", "y", 04755);
	if (unshare(CLONE_NEWUSER) < 0) {
		perror("unshare(CLONE_NEWUSER)");
		CHECK(0);
		return;
	}
	hk_err err = {0};
	CHECK_OK(hk_write_file("/proc/self/setgroups", "deny", &err), err);
	CHECK_OK(hk_write_file("/proc/self/uid_map", "0 0 1", &err), err);
	CHECK_OK(hk_write_file("/proc/self/gid_map", "0 0 1", &err), err);
	_cleanup_close_ int s = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int d = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	CHECK_OK(hk_copy_tree(s, d, &err), err);
	struct stat st;
	CHECK(stat(path(p, dst, "suid"), &st) == 0 && (st.st_mode & 07777) == 0755);
	CHECK(st.st_uid == 0);
	CHECK(stat(path(p, dst, "mine"), &st) == 0 && (st.st_mode & 07777) == 04755);
}

TEST(copy_tree_unmapped_owner)
{
	tu_in_child(userns_body, 0);
}

static hk_mount tmpfs_mount(const char *dst, char **opts)
{
	hk_mount m = {0};
	m.type = "tmpfs";
	m.source = "tmpfs";
	m.destination = (char *)dst;
	for (; opts[m.n_options]; m.n_options++)
		;
	m.options = opts;
	return m;
}

/* A rootfs whose /data holds the tree; mounts through a symlinked path. */
static void mounts_body(void)
{
	char root[256], data[4096], outside[4096], p[4096];
	snprintf(root, sizeof(root), "%s/root", tmpdir);
	snprintf(data, sizeof(data), "%s/data", root);
	snprintf(outside, sizeof(outside), "%s/outside2", tmpdir);
	mkdir(root, 0755);
	mkdir(outside, 0755);
	make_tree(data, outside);
	CHECK(symlink("/etc/../data", path(p, root, "via")) == 0);
	mkdir(path(p, root, "plain"), 0755);
	put(root, "plain/hidden", "h", 0644);
	_cleanup_close_ int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	hk_err err = {0};

	char *ro[] = {"ro", "nosuid", "rprivate", "tmpcopyup", "mode=750", NULL};
	char *none[] = {"tmpcopyup", "notmpcopyup", NULL};
	hk_mount ms[] = {tmpfs_mount("/via", ro), tmpfs_mount("/plain", none)};
	CHECK_OK(hk_mounts_apply(rootfd, ms, 2, false, false, &err), err);
	struct stat st;
	CHECK(tu_fs_type(data) == TMPFS_MAGIC);
	CHECK(stat(data, &st) == 0 && (st.st_mode & 07777) == 0750);
	CHECK(has_content(data, "file", "hello"));
	CHECK(has_content(data, "sub/deeper/n", "nested"));
	CHECK(is_link_to(data, "abs", "/etc/passwd"));
	CHECK(is_link_to(data, "rel", "../../.."));
	CHECK(lstat(path(p, data, "fifo"), &st) < 0 && errno == ENOENT);
	/* Read-only after the copy. */
	CHECK(tu_open_fails(path(p, data, "new"), O_CREAT | O_WRONLY | O_CLOEXEC, EROFS));
	/* notmpcopyup undid tmpcopyup: an empty tmpfs. */
	CHECK(tu_fs_type(path(p, root, "plain")) == TMPFS_MAGIC);
	CHECK(access(path(p, root, "plain/hidden"), F_OK) < 0 && errno == ENOENT);
	/* Below the mount the rootfs directory is as it was. */
	CHECK(umount2(data, MNT_DETACH) == 0);
	CHECK(lstat(path(p, data, "fifo"), &st) == 0 && S_ISFIFO(st.st_mode));
	CHECK(access(path(p, data, "new"), F_OK) < 0 && errno == ENOENT);

	/* tmpcopyup on a bind mount is ignored, as runc does. */
	char *bindopts[] = {"rbind", "tmpcopyup", NULL};
	hk_mount b = {.type = "bind",
	              .source = outside,
	              .destination = "/b",
	              .options = bindopts,
	              .n_options = 2};
	CHECK_OK(hk_mounts_apply(rootfd, &b, 1, false, false, &err), err);

	/* idmap without the mount's own mappings and without a user
	 * namespace to take them from: a clear refusal, not silently a plain
	 * bind. */
	char *idmap[] = {"rbind", "idmap", NULL};
	b.options = idmap;
	CHECK(hk_mounts_apply(rootfd, &b, 1, false, false, &err) == -EINVAL);
	CHECK_STREQ(err.msg, "mounts[0] (bind on /b): idmap/ridmap without uidMappings and "
	                     "gidMappings takes the mappings of the container's user namespace, "
	                     "and the container has none: give the mount its own");

	/* An unknown option still fails, naming it. */
	char *bogus[] = {"tmpcopyup", "bogus", NULL};
	hk_mount m = tmpfs_mount("/data", bogus);
	CHECK(hk_mounts_apply(rootfd, &m, 1, false, false, &err) == -EINVAL);
	CHECK_STREQ(err.msg,
	            "mounts[0] (tmpfs on /data): mount with data \"bogus\": invalid argument");
}

TEST(mounts_tmpcopyup)
{
	tu_in_child(mounts_body, TU_NEWNS);
}

TEST(mount_option_names_list_tmpcopyup)
{
	const char *names[128];
	size_t n = hk_mount_option_names(names, 128);
	bool copyup = false, no = false;
	for (size_t i = 0; i < n && i < 128; i++) {
		copyup |= !strcmp(names[i], "tmpcopyup");
		no |= !strcmp(names[i], "notmpcopyup");
	}
	CHECK(copyup && no);
	bool idmap = false, ridmap = false;
	for (size_t i = 0; i < n && i < 128; i++) {
		idmap |= !strcmp(names[i], "idmap");
		ridmap |= !strcmp(names[i], "ridmap");
	}
	CHECK(idmap && ridmap);
}

int main(void)
{
	if (!tu_make_tmpdir(tmpdir))
		return 1;
	RUN(copy_tree_files_dirs_symlinks);
	RUN(copy_tree_depth_bound);
	RUN(copy_tree_unmapped_owner);
	RUN(mounts_tmpcopyup);
	RUN(mount_option_names_list_tmpcopyup);
	tu_remove_tree(tmpdir);
	return check_summary();
}
