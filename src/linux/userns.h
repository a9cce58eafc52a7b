/* userns.h - user namespaces for an ordinary user: which ids to map, and
 * running a piece of work as root in a user namespace (unpacking a
 * tarball with its owners kept, removing a layer whose files belong to
 * subordinate ids). */
#ifndef HUSK_LINUX_USERNS_H
#define HUSK_LINUX_USERNS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "oci/types.h"
#include "util/error.h"

typedef struct hk_idmaps {
	hk_idmap uids[2];
	size_t n_uids;
	hk_idmap gids[2];
	size_t n_gids;
	/* true: 0 -> the user's uid/gid and 1..N -> the user's first
	 * subordinate range of /etc/subuid and /etc/subgid (by name or uid);
	 * false: only 0 -> the user's own uid/gid. */
	bool full;
	/* when !full, why, in a few words for a note to the user, e.g.
	 * "no range for alice in /etc/subuid" or "newuidmap is not
	 * installed (package uidmap)" */
	char why_single[256];
} hk_idmaps;

/* The maps for the calling user (its real uid/gid).  Full when both
 * files have a range for the user and the setuid helpers newuidmap and
 * newgidmap are installed; single otherwise (that is not an error). */
int hk_idmaps_for_user(hk_idmaps *out, hk_err *err);

/* Run FN(ARG, ERR) in a forked child inside a new user namespace with
 * MAPS written (through newuidmap/newgidmap when full), as uid and gid 0
 * there, and wait for it.  Returns what FN returned; FN's error message
 * travels back into ERR.  The child has only the user namespace (its
 * mount namespace is the caller's). */
int hk_userns_run(const hk_idmaps *maps, int (*fn)(void *arg, hk_err *err), void *arg, hk_err *err);

/* The login name and home directory of UID from /etc/passwd (read
 * directly: no NSS, husk is linked statically); either may be NULL.
 * 0, -ENOENT when there is no such line, or another -errno. */
int hk_passwd_lookup(uid_t uid, char **name, char **home);

/* Testing only: read these files instead of /etc/subuid, /etc/subgid and
 * /etc/passwd (NULL: the real one). */
void hk_idmaps_testing_files(const char *subuid, const char *subgid, const char *passwd);

#endif
