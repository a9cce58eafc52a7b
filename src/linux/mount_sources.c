/* mount_sources.c - bind sources opened by husk's own process for a
 * container with a user namespace (hk_mounts_open_sources, rootfs.h).
 *
 * The container's process makes its mounts inside its user namespace,
 * where the host's root may be nobody: a source under a directory only
 * husk's user may enter (a volume below a 0700 directory, the notify
 * socket in the state directory) cannot be looked up from there.  Before
 * the clone, husk clones each bind source detached (open_tree), as crun
 * does; hk_mounts_apply() attaches that copy where its own lookup of the
 * source is refused (EACCES), and otherwise lets it go: a copy made in
 * the container's mount namespace has its submounts and flags locked by
 * the kernel (a user namespace's root may not unmount or loosen them),
 * one of husk's has not, so it is the fallback only.  The copy is made
 * rprivate (or rslave when the rootfs follows the host's mounts), as a
 * bind made in the container's mount namespace would be: a clone of a
 * shared mount would otherwise be a peer of the host's, and mounts would
 * propagate both ways.  Where husk cannot copy (no CAP_SYS_ADMIN here, a
 * kernel before 5.12 without mount_setattr, a source that is not there)
 * nothing is opened and the container's process reports what fails. */
#include "linux/rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/mountopts.h"
#include "linux/mounts_internal.h"

/* the copies by index in the mounts array; -1: none */
static int *trees;
static size_t n_trees;

int hk_mounts_open_sources(const hk_mount *mounts, size_t n, const char *propagation, hk_err *err)
{
	hk_mounts_close_sources();
	if (!n)
		return 0;
	if (!(trees = malloc(n * sizeof(*trees))))
		return hk_err_set(err, ENOMEM, "mount sources");
	n_trees = n;
	for (size_t i = 0; i < n; i++)
		trees[i] = -1;
	struct mount_attr attr = {
	    .propagation = (hk_rootfs_propagation(propagation) & (MS_SLAVE | MS_SHARED))
	                       ? MS_SLAVE
	                       : MS_PRIVATE,
	};
	for (size_t i = 0; i < n; i++) {
		struct hk_mopts o __attribute__((cleanup(hk_mopts_free))) = {0};
		hk_err ignored; /* the container's process reports a bad entry */
		if (hk_mopts_parse(&mounts[i], &o, &ignored) < 0 || !mounts[i].source ||
		    !hk_mopts_is_bind(&mounts[i], &o))
			continue;
		int rec = (o.flags & MS_REC) ? AT_RECURSIVE : 0;
		int tree = (int)syscall(SYS_open_tree, AT_FDCWD, mounts[i].source,
		                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | rec);
		if (tree >= 0 && syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | AT_RECURSIVE,
		                         &attr, sizeof(attr)) == 0) {
			trees[i] = tree;
			continue;
		}
		int e = errno;
		if (tree >= 0)
			close(tree);
		if (e == EPERM || e == ENOSYS) /* not here: none will be */
			break;
	}
	return 0;
}

void hk_mounts_close_sources(void)
{
	for (size_t i = 0; i < n_trees; i++)
		if (trees[i] >= 0)
			close(trees[i]);
	free(trees);
	trees = NULL;
	n_trees = 0;
}

int hk_mount_source_take(size_t i)
{
	if (i >= n_trees)
		return -1;
	int tree = trees[i];
	trees[i] = -1;
	return tree;
}
