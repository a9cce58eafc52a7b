/* identity.c - switching the container process to process.user: the
 * supplementary groups, then the gid, then the uid (in that order: once the
 * uid is no longer 0 the gid calls would be refused).  Capabilities survive
 * the switch because hk_caps_prepare() set PR_SET_KEEPCAPS.
 */
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <sys/types.h>
#include <unistd.h>

#include "linux/identity.h"

_Static_assert(sizeof(gid_t) == sizeof(uint32_t), "gid_t is 32 bits");

int hk_identity_switch(const hk_user *user, bool setgroups_allowed, hk_err *err)
{
	if (!setgroups_allowed) {
		if (user->n_additional_gids > 0)
			return hk_err_plain(err, EPERM,
			                    "process.user.additionalGids: setgroups is denied in "
			                    "this user namespace");
	} else if (setgroups(user->n_additional_gids, (const gid_t *)user->additional_gids) < 0) {
		return hk_err_set(err, errno, "setgroups");
	}

	/* (uid_t)-1 means "leave unchanged" to the kernel: never a real id. */
	if (user->gid == (uint32_t)-1)
		return hk_err_set(err, EINVAL, "setresgid %u", user->gid);
	if (setresgid(user->gid, user->gid, user->gid) < 0)
		return hk_err_set(err, errno, "setresgid %u", user->gid);

	if (user->uid == (uint32_t)-1)
		return hk_err_set(err, EINVAL, "setresuid %u", user->uid);
	if (setresuid(user->uid, user->uid, user->uid) < 0)
		return hk_err_set(err, errno, "setresuid %u", user->uid);
	return 0;
}
