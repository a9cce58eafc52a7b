/* rootfs.c - preparing, entering and finishing the container's root
 * filesystem: mount propagation, the rootfs bind mount, pivot_root (never
 * chroot) and the final read-only remount and propagation of "/".
 */
#include "linux/rootfs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/mounts_internal.h"
#include "util/cleanup.h"

unsigned long hk_rootfs_propagation(const char *p)
{
	static const struct {
		const char *name;
		unsigned long flags;
	} table[] = {
	    {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
	    {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
	    {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
	    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	if (!p || !*p)
		return MS_PRIVATE | MS_REC;
	for (size_t i = 0; i < HK_ARRAY_SIZE(table); i++)
		if (strcmp(p, table[i].name) == 0)
			return table[i].flags;
	return 0;
}

static int mount_overlay(const char *target, const hk_overlay *ov, bool in_userns, hk_err *err)
{
	const char *dirs[] = {ov->lower, ov->upper, ov->work};
	for (size_t i = 0; i < HK_ARRAY_SIZE(dirs); i++)
		if (strpbrk(dirs[i], ",:\\"))
			return hk_err_plain(err, EINVAL,
			                    "overlay: %s: a layer path may not contain ',', ':' "
			                    "or '\\'",
			                    dirs[i]);
	_cleanup_free_ char *data = NULL;
	if (asprintf(&data, "lowerdir=%s,upperdir=%s,workdir=%s%s", ov->lower, ov->upper, ov->work,
	             in_userns ? ",userxattr" : "") < 0)
		return hk_err_set(err, ENOMEM, "overlay");
	/* nodev: a device node in an image is never a way to the host's
	 * devices (the container's /dev is a tmpfs of its own) */
	if (mount("overlay", target, "overlay", MS_NODEV, data) == 0)
		return 0;
	int e = errno;
	if (e == EINVAL)
		return hk_err_set(err, e,
		                  "overlay on %s (lower %s, upper %s): the upper layer's "
		                  "filesystem may not support overlayfs (set HUSK_STORAGE to a "
		                  "directory on ext4, xfs or tmpfs)",
		                  target, ov->lower, ov->upper);
	return hk_err_set(err, e, "overlay on %s (lower %s, upper %s)", target, ov->lower,
	                  ov->upper);
}

int hk_rootfs_prepare(const char *rootfs, const char *propagation, const hk_overlay *overlay,
                      bool in_userns, int *rootfd, hk_err *err)
{
	unsigned long prop = hk_rootfs_propagation(propagation);
	if (!prop)
		return hk_err_plain(err, EINVAL, "rootfs: invalid rootfsPropagation \"%s\"",
		                    propagation);
	/* Slave or shared in the end: stay a slave of the host for now so
	 * host mounts keep flowing in; anything else: rprivate. */
	unsigned long first =
	    (prop & (MS_SLAVE | MS_SHARED)) ? MS_SLAVE | MS_REC : MS_PRIVATE | MS_REC;
	if (mount("", "/", NULL, first, NULL) < 0)
		return hk_err_set(err, errno, "rootfs: make / %s",
		                  (first & MS_SLAVE) ? "rslave" : "rprivate");
	if (overlay) {
		int r = mount_overlay(rootfs, overlay, in_userns, err);
		if (r < 0)
			return r;
	} else if (mount(rootfs, rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) {
		return hk_err_set(err, errno, "rootfs: bind %s onto itself", rootfs);
	}
	int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return hk_err_set(err, errno, "rootfs: open %s", rootfs);
	*rootfd = fd;
	return 0;
}

int hk_rootfs_pivot(int rootfd, hk_err *err)
{
	if (fchdir(rootfd) < 0)
		return hk_err_set(err, errno, "rootfs: fchdir");
	/* pivot_root(".", "."): the old root is stacked under the new one
	 * and reachable as "." until it is detached. */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return hk_err_set(err, errno, "rootfs: pivot_root");
	/* Do not let the unmount propagate back to the host. */
	if (mount("", ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return hk_err_set(err, errno, "rootfs: make old root rslave");
	if (umount2(".", MNT_DETACH) < 0)
		return hk_err_set(err, errno, "rootfs: unmount old root");
	if (chdir("/") < 0)
		return hk_err_set(err, errno, "rootfs: chdir /");
	return 0;
}

int hk_rootfs_finalize(bool readonly, const char *propagation, hk_err *err)
{
	if (readonly) {
		unsigned long flags = hk_mount_keep_flags("/", MS_BIND | MS_REMOUNT | MS_RDONLY);
		if (mount("", "/", NULL, flags, NULL) < 0)
			return hk_err_set(err, errno, "rootfs: remount / read-only");
	}
	unsigned long prop = hk_rootfs_propagation(propagation);
	if (!prop)
		return hk_err_plain(err, EINVAL, "rootfs: invalid rootfsPropagation \"%s\"",
		                    propagation);
	if (prop == (MS_PRIVATE | MS_REC))
		return 0; /* already so since hk_rootfs_prepare */
	if (mount("", "/", NULL, prop, NULL) < 0)
		return hk_err_set(err, errno, "rootfs: set propagation of / to %s", propagation);
	return 0;
}
