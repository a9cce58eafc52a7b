/* image.h - where a box's root filesystem comes from: the built-in
 * busybox rootfs, a directory, or a tarball unpacked once into the cache.
 *
 * Storage (HK_STORAGE env "HUSK_STORAGE" overrides; otherwise root:
 * /var/lib/husk, a user: $XDG_CACHE_HOME/husk or ~/.cache/husk):
 *   rootfs/sha256-HEX[-MAPKEY]/   an unpacked tarball (MAPKEY names the id
 *                                 shift for a rootless user with a full map)
 *   rootfs/builtin-KEY/           the built-in rootfs
 *   boxes/NAME/                   a box's writable layer (box.c)
 */
#ifndef HUSK_BOX_IMAGE_H
#define HUSK_BOX_IMAGE_H

#include <stdbool.h>

#include "linux/userns.h"
#include "util/error.h"

/* The storage directory (malloc'd; created with its parents, mode 0700
 * for a user's). */
int hk_storage_dir(char **out, hk_err *err);

/* Resolve SOURCE into the absolute path of a root filesystem directory
 * (*OUT, malloc'd):
 *   NULL        the built-in rootfs: made once in STORAGE from the host's
 *               static busybox (/bin/busybox, or $HUSK_BUSYBOX) with its
 *               applet links, /etc/passwd, /etc/group, and the usual
 *               empty directories; an error says what to install when
 *               there is no static busybox.
 *   directory   itself (realpath).
 *   file        a tarball: hashed (SHA-256 of its content), unpacked into
 *               STORAGE/rootfs/sha256-HEX[...] unless already there
 *               (unpacked into a temporary directory and renamed, so a
 *               half-unpacked tree is never used; concurrent husks are
 *               safe), and that directory returned.
 * MAPS is NULL as root (owners kept as they are); for a user, the maps of
 * the container: with a full map the tarball is unpacked inside a user
 * namespace with those maps (owners shifted into the subordinate range),
 * otherwise as the user (every file the user's; owners not kept).
 * PROGRESS: a progress line on stderr while unpacking. */
int hk_image_resolve(const char *source, const char *storage, const hk_idmaps *maps, bool progress,
                     char **out, hk_err *err);

/* Remove the tree at PATH (absolute) entirely, also directories without
 * search permission (overlayfs' work dir); with a full MAPS, inside a user
 * namespace with those maps (files of subordinate ids).  A missing PATH
 * is not an error. */
int hk_tree_remove(const char *path, const hk_idmaps *maps, hk_err *err);

#endif
