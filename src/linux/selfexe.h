/* selfexe.h - husk's own binary, out of the container's reach
 * (CVE-2019-5736; see selfexe.c). */
#ifndef HUSK_LINUX_SELFEXE_H
#define HUSK_LINUX_SELFEXE_H

#include <stdbool.h>

#include "util/error.h"

/* Before any process is put in a container: unless husk's binary already
 * runs from a read-only mount or a sealed copy, or (for an ordinary user)
 * is a root-owned file the user's containers cannot write, re-execute it
 * (same ARGV, same environment) from a read-only view of itself (see
 * hk_selfexe_open_readonly).  Returns 0 when nothing needs doing; on
 * success of the re-exec it does not return; an error says why it could
 * not. */
int hk_selfexe_readonly(char *const argv[], hk_err *err);

/* How hk_selfexe_open_readonly made its view. */
enum hk_selfexe_how {
	HK_SELFEXE_DETACHED, /* a detached read-only bind (open_tree + mount_setattr) */
	HK_SELFEXE_BIND,     /* a read-only bind made in a throwaway mount namespace */
	HK_SELFEXE_MEMFD,    /* a sealed memfd copy */
};

/* Open a read-only view of the executable file PATH in *FD (O_CLOEXEC, to
 * be run with execveat(fd, "", ..., AT_EMPTY_PATH)) that no mount
 * namespace shows and that cannot be opened for writing.  ROOTLESS: the
 * caller has no capabilities in its mount namespace's user namespace; the
 * bind is then made in a throwaway user namespace, or, when that cannot
 * be, the view is a sealed memfd copy.  *HOW (may be NULL) says which. */
int hk_selfexe_open_readonly(const char *path, bool rootless, int *fd, enum hk_selfexe_how *how,
                             hk_err *err);

/* For the unit tests: with NEW_API false the new mount API is not used
 * (the bind is made with mount(2), as on kernels before 5.12); with
 * USERNS false the throwaway user namespace is not tried (a rootless view
 * is then the memfd copy).  Both default to true. */
void hk_selfexe_use(bool new_api, bool userns);

#endif
