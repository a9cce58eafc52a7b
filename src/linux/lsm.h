/* lsm.h - Linux security modules: process.apparmorProfile,
 * process.selinuxLabel and linux.mountLabel.
 *
 * The labels are checked in husk before anything of the container exists
 * (hk_lsm_check_process: a label for an LSM the host does not run is a
 * config error, never a silently unconfined container), written by the
 * container's process itself just before its exec (hk_lsm_apply_exec,
 * through the container's verified procfs), and the mount label goes into
 * the data of the mounts that take one (hk_lsm_mount_data). */
#ifndef HUSK_LINUX_LSM_H
#define HUSK_LINUX_LSM_H

#include "oci/types.h"
#include "util/error.h"

/* hk_lsm_enabled() bits */
#define HK_LSM_APPARMOR 1u
#define HK_LSM_SELINUX  2u

/* The LSMs this host runs (HK_LSM_* bits), looked up once:
 *   AppArmor: /sys/module/apparmor/parameters/enabled says "Y" and the
 *     host's /proc answers for it (attr/apparmor/, or attr/current on a
 *     kernel older than 5.8, where AppArmor is then the major LSM);
 *   SELinux: selinuxfs is mounted at /sys/fs/selinux and its enforce file
 *     is readable. */
unsigned hk_lsm_enabled(void);
/* hk_lsm_enabled() when label A or B is set, else 0 without looking (the
 * detection costs syscalls that a container without labels need not pay). */
unsigned hk_lsm_enabled_for(const char *a, const char *b);

/* The same lookup from the sysfs at SYSFS (normally "/sys") and the
 * procfs at PROC (normally "/proc"), not cached (tests). */
unsigned hk_lsm_detect(const char *sysfs, const char *proc);

/* A label as the config gives it: NULL when it is NULL or "" (both mean
 * "not set", as runc). */
const char *hk_lsm_label(const char *label);

/* Can P's labels be applied on a host running the LSMs ENABLED
 * (hk_lsm_enabled())?  -EOPNOTSUPP, naming the field, when one asks for
 * an LSM that is not there:
 *   process.apparmorProfile: AppArmor is not enabled on this host
 *   process.selinuxLabel: SELinux is not enabled on this host */
int hk_lsm_check_process(const hk_process *p, unsigned enabled, hk_err *err);

/* hk_lsm_check_process() for the config's process; and a --debug note
 * when linux.mountLabel is set but SELinux is not in ENABLED: then it is
 * ignored, as runc does (without SELinux no mount has a context to
 * take, and nothing runs less confined for it: the process's label is
 * what confines, and selinuxLabel without SELinux is an error). */
int hk_lsm_check_spec(const hk_spec *s, unsigned enabled, hk_err *err);

/* The mount label to use for MOUNT_LABEL (linux.mountLabel): NULL when it
 * is not set or SELinux is not in ENABLED (see hk_lsm_check_spec). */
const char *hk_lsm_mount_label(const char *mount_label, unsigned enabled);

/* DATA (a mount's comma-separated data, may be "" or NULL) with
 * context="LABEL" added, as runc's label.FormatMountLabel: in *OUT,
 * allocated.  -EINVAL for a label holding a '"' (it would end the quoted
 * value). */
int hk_lsm_mount_data(const char *data, const char *label, char **out, hk_err *err);

/* In the process about to exec (the container's init after pivot_root,
 * or `husk exec`'s process in the container's mounts): make its next
 * execve enter P's AppArmor profile ("exec PROFILE" to
 * thread-self/attr/apparmor/exec, attr/exec on kernels before 5.8) and
 * SELinux label (to thread-self/attr/exec), through the procfs at PROC
 * (the container's "/proc"), which must be a real procfs.  Nothing (and
 * no /proc needed) when P sets neither.  Errors name the field, e.g.
 *   process.apparmorProfile "x": profile not loaded
 * (the kernel knows no such profile). */
int hk_lsm_apply_exec(const hk_process *p, const char *proc, hk_err *err);

#endif
