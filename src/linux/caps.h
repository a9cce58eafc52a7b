/* caps.h - capability names and the five capability sets. */
#ifndef HUSK_LINUX_CAPS_H
#define HUSK_LINUX_CAPS_H

#include <stdint.h>

#include "oci/types.h"
#include "util/error.h"

/* "CAP_SYS_ADMIN" -> 21; -1 when unknown.  Case-sensitive, as runc. */
int hk_cap_from_name(const char *name);
/* 21 -> "CAP_SYS_ADMIN"; NULL when unknown to this build. */
const char *hk_cap_name(int cap);
/* Highest capability the running kernel knows (/proc/sys/kernel/cap_last_cap). */
int hk_cap_last(void);

/* Step 1, while still privileged: drop every capability not in
 * caps->bounding from the bounding set, and set PR_SET_KEEPCAPS so the
 * permitted set survives the uid change that follows. */
int hk_caps_prepare(const hk_caps *caps, hk_err *err);
/* Step 2, after the uid/gid switch: set effective, permitted, inheritable
 * (capset) and then the ambient set; clears KEEPCAPS. */
int hk_caps_apply(const hk_caps *caps, hk_err *err);

#endif
