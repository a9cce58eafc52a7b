/* devices.h - the container's /dev. */
#ifndef HUSK_LINUX_DEVICES_H
#define HUSK_LINUX_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "oci/types.h"
#include "util/error.h"

/* Before pivot_root, with ROOTFD the rootfs: create /dev/null, zero, full,
 * random, urandom, tty and then every linux.devices entry (mknod; in a
 * user namespace, where mknod is not allowed, an empty file with the host
 * device bind-mounted over it), all resolved inside the rootfs; then the
 * links /dev/fd -> /proc/self/fd, /dev/stdin|stdout|stderr ->
 * /proc/self/fd/0|1|2, /dev/ptmx -> pts/ptmx, /dev/core -> /proc/kcore
 * (only when /proc/kcore exists), and the /dev/pts and /dev/shm
 * directories when missing.  Existing entries are replaced only when the
 * config asks for them. */
int hk_devices_setup(int rootfd, const hk_device *devs, size_t n, bool in_userns, hk_err *err);

#endif
