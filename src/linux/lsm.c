/* lsm.c - AppArmor profiles and SELinux labels; see lsm.h.
 *
 * As runc: the profile and the label are set for the next execve of the
 * process itself ("exec PROFILE" to attr/apparmor/exec, the label to
 * attr/exec), so husk's own setup runs unconfined and the program starts
 * confined.  The file is the calling thread's (thread-self): the kernel
 * keeps these attributes per task.  Every write goes through the
 * container's procfs, verified to be one (procfs.h): a /proc faked by the
 * image, or a mount over /proc/self/attr, must not turn the write into a
 * no-op that leaves the container unconfined (CVE-2019-16884). */
#include "linux/lsm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "linux/procfs.h"
#include "util/cleanup.h"
#include "util/debug.h"

#ifndef SELINUX_MAGIC
#define SELINUX_MAGIC 0xf97cff8c
#endif

const char *hk_lsm_label(const char *label)
{
	return label && *label ? label : NULL;
}

/* Does the file at PATH start with "Y"? */
static bool file_says_yes(const char *path)
{
	char buf[4] = "";
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd >= 0 && read(fd, buf, 1) == 1 && buf[0] == 'Y';
}

/* Does the procfs PROCFD answer for AppArmor?  Kernels >= 5.8 have
 * attr/apparmor/; before, attr/current is the major LSM's, readable
 * (EINVAL without one). */
static bool apparmor_attrs(int procfd)
{
	hk_err ignored;
	_cleanup_close_ int dir =
	    hk_procfs_openat(procfd, "self/attr/apparmor", O_PATH | O_DIRECTORY, &ignored);
	if (dir >= 0)
		return true;
	_cleanup_close_ int fd = hk_procfs_openat(procfd, "self/attr/current", O_RDONLY, &ignored);
	char buf[64];
	return fd >= 0 && read(fd, buf, sizeof(buf)) > 0;
}

static bool selinux_mounted(const char *sysfs)
{
	char path[512];
	struct statfs sf;
	snprintf(path, sizeof(path), "%s/fs/selinux", sysfs);
	if (statfs(path, &sf) < 0 || sf.f_type != SELINUX_MAGIC)
		return false;
	snprintf(path, sizeof(path), "%s/fs/selinux/enforce", sysfs);
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	return fd >= 0;
}

unsigned hk_lsm_detect(const char *sysfs, const char *proc)
{
	unsigned on = 0;
	char path[512];
	snprintf(path, sizeof(path), "%s/module/apparmor/parameters/enabled", sysfs);
	if (file_says_yes(path)) {
		hk_err ignored;
		_cleanup_close_ int procfd = hk_procfs_open(proc, &ignored);
		if (procfd >= 0 && apparmor_attrs(procfd))
			on |= HK_LSM_APPARMOR;
	}
	if (selinux_mounted(sysfs))
		on |= HK_LSM_SELINUX;
	return on;
}

unsigned hk_lsm_enabled_for(const char *a, const char *b)
{
	return hk_lsm_label(a) || hk_lsm_label(b) ? hk_lsm_enabled() : 0;
}

unsigned hk_lsm_enabled(void)
{
	/* the host does not change its LSMs while husk runs; the child of a
	 * clone inherits the answer (and may no longer see the host's /sys) */
	static int cached = -1;
	if (cached < 0)
		cached = (int)hk_lsm_detect("/sys", "/proc");
	return (unsigned)cached;
}

int hk_lsm_check_process(const hk_process *p, unsigned enabled, hk_err *err)
{
	if (hk_lsm_label(p->apparmor_profile) && !(enabled & HK_LSM_APPARMOR))
		return hk_err_plain(
		    err, EOPNOTSUPP,
		    "process.apparmorProfile: AppArmor is not enabled on this host");
	if (hk_lsm_label(p->selinux_label) && !(enabled & HK_LSM_SELINUX))
		return hk_err_plain(err, EOPNOTSUPP,
		                    "process.selinuxLabel: SELinux is not enabled on this host");
	return 0;
}

int hk_lsm_check_spec(const hk_spec *s, unsigned enabled, hk_err *err)
{
	const char *mount_label = hk_lsm_label(s->lnx.mount_label);
	if (mount_label && !(enabled & HK_LSM_SELINUX))
		hk_debug("linux.mountLabel \"%s\" ignored: SELinux is not enabled on this host",
		         mount_label);
	return s->has_process ? hk_lsm_check_process(&s->process, enabled, err) : 0;
}

const char *hk_lsm_mount_label(const char *mount_label, unsigned enabled)
{
	return enabled & HK_LSM_SELINUX ? hk_lsm_label(mount_label) : NULL;
}

int hk_lsm_mount_data(const char *data, const char *label, char **out, hk_err *err)
{
	*out = NULL;
	if (strchr(label, '"'))
		return hk_err_plain(err, EINVAL, "linux.mountLabel \"%s\": must not hold '\"'",
		                    label);
	/* quoted: an MCS label holds commas (s0:c1,c2) */
	bool more = data && *data;
	if (asprintf(out, "%s%scontext=\"%s\"", more ? data : "", more ? "," : "", label) < 0) {
		*out = NULL;
		return hk_err_set(err, ENOMEM, "linux.mountLabel");
	}
	return 0;
}

/* Write BUF, in one write, to the attribute file FD: 0 or -errno. */
static int write_attr(int fd, const char *buf)
{
	size_t len = strlen(buf);
	ssize_t n = write(fd, buf, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

static int apply_apparmor(int procfd, const char *profile, hk_err *err)
{
	const char *rel = "thread-self/attr/apparmor/exec";
	int fd = hk_procfs_openat(procfd, rel, O_WRONLY, err);
	if (fd == -ENOENT) {
		/* before 5.8 only the major LSM's attr/exec: AppArmor's here
		 * (checked in husk: hk_lsm_check_process) */
		rel = "thread-self/attr/exec";
		fd = hk_procfs_openat(procfd, rel, O_WRONLY, err);
	}
	if (fd < 0)
		return hk_err_wrap(err, "process.apparmorProfile \"%s\"", profile);
	_cleanup_close_ int afd = fd;
	_cleanup_free_ char *cmd = NULL;
	if (asprintf(&cmd, "exec %s", profile) < 0)
		return hk_err_set(err, ENOMEM, "process.apparmorProfile");
	int r = write_attr(afd, cmd);
	if (r == -ENOENT)
		return hk_err_plain(err, ENOENT,
		                    "process.apparmorProfile \"%s\": profile not loaded", profile);
	if (r < 0)
		return hk_err_set(err, -r, "process.apparmorProfile \"%s\": write /proc/%s",
		                  profile, rel);
	return 0;
}

static int apply_selinux(int procfd, const char *label, hk_err *err)
{
	const char *rel = "thread-self/attr/exec";
	_cleanup_close_ int fd = hk_procfs_openat(procfd, rel, O_WRONLY, err);
	if (fd < 0)
		return hk_err_wrap(err, "process.selinuxLabel \"%s\"", label);
	int r = write_attr(fd, label);
	if (r < 0)
		return hk_err_set(err, -r, "process.selinuxLabel \"%s\": write /proc/%s", label,
		                  rel);
	return 0;
}

int hk_lsm_apply_exec(const hk_process *p, const char *proc, hk_err *err)
{
	const char *profile = hk_lsm_label(p->apparmor_profile);
	const char *label = hk_lsm_label(p->selinux_label);
	if (!profile && !label)
		return 0;
	_cleanup_close_ int procfd = hk_procfs_open(proc, err);
	if (procfd < 0)
		return hk_err_wrap(err,
		                   "%s: needs the container's procfs at /proc (a \"proc\" mount)",
		                   profile ? "process.apparmorProfile" : "process.selinuxLabel");
	int r;
	if (profile && (r = apply_apparmor(procfd, profile, err)) < 0)
		return r;
	if (label && (r = apply_selinux(procfd, label, err)) < 0)
		return r;
	return 0;
}
