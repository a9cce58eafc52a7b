/* rlimits.h - process.rlimits. */
#ifndef HUSK_LINUX_RLIMITS_H
#define HUSK_LINUX_RLIMITS_H

#include <stddef.h>

#include "oci/types.h"
#include "util/error.h"

/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 when unknown. */
int hk_rlimit_from_name(const char *name);
/* setrlimit() each entry, soft and hard exactly; error names the rlimit. */
int hk_rlimits_apply(const hk_rlimit *rl, size_t n, hk_err *err);

#endif
