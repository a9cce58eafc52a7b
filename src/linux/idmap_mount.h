/* idmap_mount.h - idmapped bind mounts (runtime-spec 1.2: a mount's
 * uidMappings/gidMappings and the options "idmap"/"ridmap", as runc 1.2).
 * Internal to linux/: mounts.c is the user. */
#ifndef HUSK_LINUX_IDMAP_MOUNT_H
#define HUSK_LINUX_IDMAP_MOUNT_H

#include <stdbool.h>

#include "oci/types.h"
#include "util/error.h"

/* Whether M is to be idmapped: it has mappings, or OPTION ("idmap" or
 * "ridmap" among its options) is set. */
bool hk_idmap_mount_wanted(const hk_mount *m, bool option);

/* Bind M->source (its submounts too with REC) onto the resolved target fd
 * TARGET, idmapped with M's mappings as a user namespace holds them
 * ("containerID hostID size": a file the filesystem has as containerID is
 * seen as hostID), the submounts too with IDMAP_REC (ridmap).  The kernel
 * wants CAP_SYS_ADMIN over the filesystem, so this works only from the
 * host's user namespace: IN_USERNS (a container with its own) is refused
 * with a clear error, as are the options without mappings (the container's
 * own mappings would need its user namespace).  Returns the attached mount
 * (an fd, as hk_mount_clone_onto) or -errno. */
int hk_idmap_mount_onto(const hk_mount *m, bool rec, bool idmap_rec, int target, bool in_userns,
                        hk_err *err);

#endif
