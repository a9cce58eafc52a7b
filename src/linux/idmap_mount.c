/* idmap_mount.c - idmapped bind mounts: a throwaway user namespace holds
 * the mount's mappings; the source is cloned detached (open_tree), given
 * that namespace's mappings (mount_setattr MOUNT_ATTR_IDMAP) and attached
 * to the target (move_mount), as runc 1.2 and crun do. */
#include "linux/idmap_mount.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/namespaces.h"
#include "linux/procfs.h"
#include "util/cleanup.h"

#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
#ifndef SYS_mount_setattr
#define SYS_mount_setattr 442
#endif

bool hk_idmap_mount_wanted(const hk_mount *m, bool option)
{
	return option || m->n_uid_mappings || m->n_gid_mappings;
}

/* The helper child: a user namespace of its own; tells the parent its pid
 * as the procfs at /proc numbers it (the container may have a pid
 * namespace of its own, where fork's pid is not that one), then waits
 * until the parent closes GO. */
static void helper(int tell, int go)
{
	char pid[32];
	ssize_t n;
	if (unshare(CLONE_NEWUSER) < 0 || (n = readlink("/proc/self", pid, sizeof(pid) - 1)) <= 0 ||
	    write(tell, pid, (size_t)n) != n)
		_exit(1);
	close(tell);
	char c;
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* A user namespace fd holding M's mappings. */
static int make_userns(const hk_mount *m, hk_err *err)
{
	char umap[4096], gmap[4096];
	int ul = hk_idmap_format(m->uid_mappings, m->n_uid_mappings, umap, sizeof(umap));
	int gl = hk_idmap_format(m->gid_mappings, m->n_gid_mappings, gmap, sizeof(gmap));
	if (ul < 0 || gl < 0)
		return hk_err_plain(err, E2BIG, "uidMappings/gidMappings: too many");
	int tell[2], go[2];
	if (pipe2(tell, O_CLOEXEC) < 0)
		return hk_err_set(err, errno, "pipe");
	if (pipe2(go, O_CLOEXEC) < 0) {
		int e = errno;
		close(tell[0]);
		close(tell[1]);
		return hk_err_set(err, e, "pipe");
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(tell[0]);
		close(go[1]);
		helper(tell[1], go[0]);
	}
	int e = errno;
	close(tell[1]);
	close(go[0]);
	_cleanup_close_ int rd = tell[0], keep = go[1];
	if (pid < 0)
		return hk_err_set(err, e, "fork the idmap user namespace helper");

	int r = 0;
	char path[64], hpid[32] = {0};
	ssize_t n;
	while ((n = read(rd, hpid, sizeof(hpid) - 1)) < 0 && errno == EINTR)
		;
	if (n <= 0) {
		r = hk_err_plain(err, EPERM,
		                 "the idmap helper could not make a user namespace "
		                 "(unshare(CLONE_NEWUSER) refused?)");
	} else {
		_cleanup_close_ int procfd = hk_procfs_open("/proc", err);
		if (procfd < 0)
			r = procfd;
		if (r == 0) {
			snprintf(path, sizeof(path), "%s/uid_map", hpid);
			r = hk_procfs_write(procfd, path, umap, (size_t)ul, err);
		}
		if (r == 0) {
			snprintf(path, sizeof(path), "%s/gid_map", hpid);
			r = hk_procfs_write(procfd, path, gmap, (size_t)gl, err);
		}
		if (r == 0) {
			snprintf(path, sizeof(path), "/proc/%s/ns/user", hpid);
			/* a magic link, which hk_procfs_openat does not follow;
			 * /proc was just verified and the helper is alive */
			r = open(path, O_RDONLY | O_CLOEXEC);
			if (r < 0)
				r = hk_err_set(err, errno, "open %s", path);
		}
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return r;
}

int hk_idmap_mount_onto(const hk_mount *m, bool rec, bool idmap_rec, int target, bool in_userns,
                        hk_err *err)
{
	if (!m->n_uid_mappings || !m->n_gid_mappings)
		return hk_err_plain(err, EINVAL,
		                    "idmap/ridmap without uidMappings and gidMappings would use "
		                    "the container's user namespace mappings, which husk does not "
		                    "support: give the mount its own mappings");
	if (in_userns)
		return hk_err_plain(err, EOPNOTSUPP,
		                    "idmapped mounts need a container without a user namespace of "
		                    "its own (husk mounts from inside it, where the kernel refuses "
		                    "to idmap the host's filesystems)");
	_cleanup_close_ int userns = make_userns(m, err);
	if (userns < 0)
		return hk_err_wrap(err, "idmapped mount");
	_cleanup_close_ int tree =
	    (int)syscall(SYS_open_tree, AT_FDCWD, m->source,
	                 OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
	if (tree < 0)
		return hk_err_set(err, errno, "idmapped mount: open_tree %s", m->source);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (idmap_rec ? AT_RECURSIVE : 0),
	            &attr, sizeof(attr)) < 0) {
		int e = errno;
		if (e == EINVAL)
			return hk_err_set(err, e,
			                  "idmap %s: the filesystem (or one below, with ridmap) "
			                  "does not support idmapped mounts on this kernel",
			                  m->source);
		return hk_err_set(err, e, "idmap %s (mount_setattr MOUNT_ATTR_IDMAP)", m->source);
	}
	if (syscall(SYS_move_mount, tree, "", target, "",
	            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return hk_err_set(err, errno, "idmapped mount: attach %s", m->source);
	return hk_steal_fd(&tree);
}
