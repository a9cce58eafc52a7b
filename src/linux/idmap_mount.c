/* idmap_mount.c - idmapped bind mounts, as runc 1.2 makes them.
 *
 * The container's child clones the source detached (open_tree), in its own
 * mount namespace as for any bind, and hands the copy to husk over the
 * sync socket.  husk, the parent, gives it the mappings: a throwaway user
 * namespace holds them (the mount's own, else the container's user
 * namespace's), and mount_setattr(MOUNT_ATTR_IDMAP) wants CAP_SYS_ADMIN
 * over the filesystem's user namespace (the host's), which a child inside
 * a user namespace of its own never has.  The child then attaches the copy
 * (move_mount) in its place in the mounts array, and the entry's other
 * options are applied to it as to any bind. */
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
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "linux/mountopts.h"
#include "linux/namespaces.h"
#include "linux/procfs.h"
#include "linux/rootless.h"
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

/* A user namespace fd holding the mappings UIDS and GIDS. */
static int make_userns(const hk_idmap *uids, size_t n_uids, const hk_idmap *gids, size_t n_gids,
                       hk_err *err)
{
	char umap[4096], gmap[4096];
	int ul = hk_idmap_format(uids, n_uids, umap, sizeof(umap));
	int gl = hk_idmap_format(gids, n_gids, gmap, sizeof(gmap));
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
	_cleanup_close_ int rd = tell[0];
	/* NOLINTNEXTLINE(clang-analyzer-deadcode.DeadStores): only there to be closed */
	_cleanup_close_ int keep = go[1];
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

static bool is_bind(const hk_mount *m, const struct hk_mopts *o)
{
	return (o->flags & MS_BIND) || (m->type && strcmp(m->type, "bind") == 0);
}

/* "mounts[I] (TYPE on DEST): " before ERR's message, as hk_mounts_apply
 * names an entry. */
static int name_entry(const hk_mount *m, size_t i, hk_err *err)
{
	return hk_err_wrap(err, "mounts[%zu] (%s on %s)", i, m->type ? m->type : "bind",
	                   m->destination);
}

static const char no_mappings[] =
    "idmap/ridmap without uidMappings and gidMappings takes the mappings of the "
    "container's user namespace, and the container has none: give the mount its own";

/* The checks of one entry, in the order runc 1.2 makes them. */
static int check_one(const hk_spec *s, const hk_mount *m, const struct hk_mopts *o, hk_err *err)
{
	const hk_namespace *userns = hk_spec_namespace(s, HK_NS_USER);
	if (!is_bind(m, o))
		return hk_err_plain(err, EINVAL,
		                    "idmapped mounts are supported for bind mounts only");
	if (!hk_host_root())
		return hk_err_plain(
		    err, EPERM,
		    "idmapped mounts are not supported for rootless containers: "
		    "the kernel idmaps a mount only for a process with "
		    "CAP_SYS_ADMIN over its filesystem's user namespace (the "
		    "host's), which husk run by an ordinary user, or in a user namespace, "
		    "does not have");
	if (m->n_uid_mappings && m->n_gid_mappings)
		return 0;
	if (m->n_uid_mappings || m->n_gid_mappings)
		return hk_err_plain(err, EINVAL,
		                    "idmapped mounts must have both uidMappings and gidMappings");
	if (!userns)
		return hk_err_plain(err, EINVAL, "%s", no_mappings);
	if (!userns->path && (!s->lnx.n_uid_mappings || !s->lnx.n_gid_mappings))
		return hk_err_plain(err, EINVAL,
		                    "idmap/ridmap without mappings takes the container's, and "
		                    "linux.uidMappings or linux.gidMappings is empty");
	return 0;
}

int hk_idmap_mounts_check(const hk_spec *s, hk_err *err)
{
	for (size_t i = 0; i < s->n_mounts; i++) {
		const hk_mount *m = &s->mounts[i];
		struct hk_mopts o __attribute__((cleanup(hk_mopts_free))) = {0};
		hk_err ignored;
		/* a bad option: the child names it, before any idmapping */
		if (hk_mopts_parse(m, &o, &ignored) < 0 || !hk_idmap_mount_wanted(m, o.idmap))
			continue;
		if (check_one(s, m, &o, err) < 0)
			return name_entry(m, i, err);
	}
	return 0;
}

/* The user namespace whose mappings mounts[I] of S takes: its own, else
 * the one the container's process PID is in (made or joined: the very
 * namespace, not a path that could name another by now). */
static int userns_for(const hk_spec *s, const hk_mount *m, pid_t pid, hk_err *err)
{
	if (m->n_uid_mappings)
		return make_userns(m->uid_mappings, m->n_uid_mappings, m->gid_mappings,
		                   m->n_gid_mappings, err);
	if (!hk_spec_namespace(s, HK_NS_USER)) /* hk_idmap_mounts_check() refused it */
		return hk_err_plain(err, EINVAL, "idmap: no mappings");
	char rel[64];
	snprintf(rel, sizeof(rel), "%d/ns", (int)pid);
	_cleanup_close_ int procfd = hk_procfs_open("/proc", err);
	_cleanup_close_ int nsdir =
	    procfd < 0 ? -1
	               : hk_procfs_openat(procfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC, err);
	if (nsdir < 0)
		return hk_err_wrap(err, "idmap: the container's user namespace");
	/* ns/user is a magic link: followed from the verified directory */
	int fd = openat(nsdir, "user", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(err, errno, "idmap: open %s/user", rel);
	return fd;
}

int hk_idmap_mount_set(const hk_spec *s, size_t i, int tree, pid_t pid, hk_err *err)
{
	const hk_mount *m = &s->mounts[i];
	struct hk_mopts o __attribute__((cleanup(hk_mopts_free))) = {0};
	if (hk_mopts_parse(m, &o, err) < 0)
		return name_entry(m, i, err);
	_cleanup_close_ int userns = userns_for(s, m, pid, err);
	if (userns < 0)
		return name_entry(m, i, err);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | (o.idmap_rec ? AT_RECURSIVE : 0),
	            &attr, sizeof(attr)) == 0)
		return 0;
	int e = errno;
	if (e == EINVAL)
		hk_err_set(err, e,
		           "idmap %s: the filesystem (or one below, with ridmap) does not support "
		           "idmapped mounts on this kernel",
		           m->source);
	else if (e == EPERM)
		hk_err_set(err, e,
		           "idmap %s: refused (an idmapped mount cannot be idmapped again, and "
		           "husk needs CAP_SYS_ADMIN over the filesystem's user namespace)",
		           m->source);
	else
		hk_err_set(err, e, "idmap %s (mount_setattr MOUNT_ATTR_IDMAP)", m->source);
	return name_entry(m, i, err);
}

int hk_idmap_mount_onto(const hk_mount *m, size_t i, bool rec, bool in_userns, int copy, int target,
                        hk_idmapper idmap, void *arg, hk_err *err)
{
	_cleanup_close_ int tree = copy;
	/* (husk checked before; hk_mounts_apply() may be called without it) */
	if (!m->n_uid_mappings && !in_userns)
		return hk_err_plain(err, EINVAL, "%s", no_mappings);
	if (!idmap)
		return hk_err_plain(err, ENOTSUP,
		                    "idmapped mounts: nobody to idmap them (no parent)");
	if (tree < 0)
		tree = (int)syscall(SYS_open_tree, AT_FDCWD, m->source,
		                    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (rec ? AT_RECURSIVE : 0));
	if (tree < 0 && errno == EINVAL && !rec)
		return hk_err_set(err, errno,
		                  "idmapped mount: open_tree %s (a mount below it cannot be left "
		                  "out in a user namespace: rbind takes it along)",
		                  m->source);
	if (tree < 0)
		return hk_err_set(err, errno, "idmapped mount: open_tree %s", m->source);
	int r = idmap(arg, i, tree, err);
	if (r < 0)
		return r;
	if (syscall(SYS_move_mount, tree, "", target, "",
	            MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return hk_err_set(err, errno, "idmapped mount: attach %s", m->source);
	return hk_steal_fd(&tree);
}
