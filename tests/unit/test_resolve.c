/* test_resolve.c - hk_resolve_in_root and procfs "magic links"
 * (/proc/PID/fd/N, cwd, root, exe, ns/...): refused (ELOOP) by both the
 * openat2 path (RESOLVE_NO_MAGICLINKS) and the userspace walk, which must
 * not re-resolve the text readlink gives (a host path) inside the root.
 * procfs's ordinary symlinks (/proc/self, /proc/mounts) still resolve.
 *
 * The root is the host's "/" (where /proc is), so the walk's old fault
 * shows as a directory created in a temp dir of ours.  No mounts.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "linux/rootfs.h"
#include "util/cleanup.h"

static char tmpdir[] = "/tmp/hk-resolve-XXXXXX";

TEST(magic_links_refused)
{
	_cleanup_close_ int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	/* an fd on a directory of the "host": what CVE-2024-21626 reached */
	_cleanup_close_ int dir = open(tmpdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(root >= 0 && dir >= 0);
	char path[128], sub[4096];
	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	static const char *const magic[] = {"/proc/self/cwd", "/proc/self/root/tmp",
	                                    "/proc/self/ns/mnt", "/proc/thread-self/fd/0"};
	for (int mode = 0; mode < 2; mode++) {
		hk_resolve_use_openat2(mode == 0);
		hk_err err = {0};
		for (int mk = 0; mk < 2; mk++) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d/sub", dir);
			int fd = hk_resolve_in_root(root, path, mk, false, &err);
			if (fd != -ELOOP)
				fprintf(stderr, "  mode %d mkdir %d: %s: %d\n", mode, mk, path, fd);
			CHECK(fd == -ELOOP);
			if (fd >= 0)
				close(fd);
			CHECK(access(sub, F_OK) < 0 && errno == ENOENT);
		}
		for (size_t i = 0; i < HK_ARRAY_SIZE(magic); i++) {
			int fd = hk_resolve_in_root(root, magic[i], false, false, &err);
			if (fd != -ELOOP)
				fprintf(stderr, "  mode %d: %s: %d\n", mode, magic[i], fd);
			CHECK(fd == -ELOOP);
			if (fd >= 0)
				close(fd);
		}
		/* ordinary procfs symlinks ("self" -> "PID", "mounts" ->
		 * "self/mounts") are paths like any other */
		_cleanup_close_ int a =
		    hk_resolve_in_root(root, "/proc/self/status", false, false, &err);
		_cleanup_close_ int b =
		    hk_resolve_in_root(root, "/proc/mounts", false, false, &err);
		_cleanup_close_ int c =
		    hk_resolve_in_root(root, "/proc/thread-self/comm", false, false, &err);
		CHECK(a >= 0 && b >= 0 && c >= 0);
	}
	hk_resolve_use_openat2(true);
}

int main(void)
{
	if (!tu_make_tmpdir(tmpdir))
		return 1;
	RUN(magic_links_refused);
	tu_remove_tree(tmpdir);
	return check_summary();
}
