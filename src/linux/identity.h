/* identity.h - the process's user ids and groups inside the container. */
#ifndef HUSK_LINUX_IDENTITY_H
#define HUSK_LINUX_IDENTITY_H

#include <stdbool.h>

#include "oci/types.h"
#include "util/error.h"

/* setgroups(additionalGids) (skipped when setgroups is denied in a user
 * namespace and the list is empty), setresgid(gid), setresuid(uid).
 * Capabilities survive thanks to hk_caps_prepare(). */
int hk_identity_switch(const hk_user *user, bool setgroups_allowed, hk_err *err);

#endif
