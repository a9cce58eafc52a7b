/* copyup.h - copy a directory tree from an untrusted root filesystem
 * into a fresh one (the `tmpcopyup` mount option). */
#ifndef HUSK_LINUX_COPYUP_H
#define HUSK_LINUX_COPYUP_H

#include "util/error.h"

/* Deepest directory level hk_copy_tree() copies (the top is level 0). */
#define HK_COPYUP_MAX_DEPTH 128

/* Copy the contents of directory SRC into directory DST (both fds open
 * O_RDONLY|O_DIRECTORY; SRC may be on a filesystem an attacker controls).
 * Only directories, regular files and symlinks are copied, with their
 * mode (set-id bits included), owner (best effort: an owner the user
 * namespace cannot map is left as is) and access/modification times;
 * fifos, sockets and devices are skipped, as are directories on another
 * filesystem than SRC (mounts below it are not crossed).  Symlinks are
 * copied as symlinks, never followed: every entry is opened relative to
 * its parent's fd with O_NOFOLLOW and checked to be what fstatat saw.
 * Hard links become separate files.  DST's own mode/owner are not
 * changed.  Deeper than HK_COPYUP_MAX_DEPTH levels is an error (ELOOP).
 * Error messages name the entry relative to SRC: "copy a/b: ...". */
int hk_copy_tree(int src, int dst, hk_err *err);

#endif
