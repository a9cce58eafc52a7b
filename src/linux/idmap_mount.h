/* idmap_mount.h - idmapped bind mounts (runtime-spec 1.2: a mount's
 * uidMappings/gidMappings and the options "idmap"/"ridmap", as runc 1.2).
 * The container's child clones the source and attaches it (mounts.c);
 * husk, the parent, checks the entries before anything is made and
 * idmaps the copies (runtime/container.c). */
#ifndef HUSK_LINUX_IDMAP_MOUNT_H
#define HUSK_LINUX_IDMAP_MOUNT_H

#include <stdbool.h>
#include <stddef.h>

#include "linux/rootfs.h"
#include "oci/types.h"
#include "util/error.h"

/* Whether M is to be idmapped: it has mappings, or OPTION ("idmap" or
 * "ridmap" among its options) is set. */
bool hk_idmap_mount_wanted(const hk_mount *m, bool option);

/* The parent, before anything is made: every idmapped entry of S is a
 * bind, husk runs as root (an ordinary user cannot idmap the host's
 * filesystems, nor can root in a user namespace), the mappings are given for both uids and gids, or
 * else the container has a user namespace whose mappings to take.  Errors name the entry:
 * "mounts[2] (bind on /m): ...". */
int hk_idmap_mounts_check(const hk_spec *s, hk_err *err);

/* The parent: idmap TREE, a detached copy of S->mounts[I]'s source
 * (open_tree, made by the child), with the mount's mappings, else those
 * of the user namespace of the container's process PID (made or joined):
 * a file the filesystem has as containerID is seen as hostID.  With
 * "ridmap" the mounts below in the copy too.  Errors name the entry. */
int hk_idmap_mount_set(const hk_spec *s, size_t i, int tree, pid_t pid, hk_err *err);

/* The child: clone M->source (mounts[I]; its submounts too with REC)
 * detached, unless COPY is such a copy already (husk's, made before the
 * clone: hk_mounts_open_sources; taken), have IDMAP idmap the copy (NULL:
 * refused), and attach it to the resolved target fd TARGET.  Without
 * mappings of its own and without a user namespace (IN_USERNS) to take
 * them from, M is refused.  Returns the attached mount (an fd, as
 * hk_mount_clone_onto) or -errno. */
int hk_idmap_mount_onto(const hk_mount *m, size_t i, bool rec, bool in_userns, int copy, int target,
                        hk_idmapper idmap, void *arg, hk_err *err);

#endif
