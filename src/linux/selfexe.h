/* selfexe.h - husk's own binary, out of the container's reach
 * (CVE-2019-5736; see selfexe.c). */
#ifndef HUSK_LINUX_SELFEXE_H
#define HUSK_LINUX_SELFEXE_H

#include <stdbool.h>

#include "util/error.h"

/* For root, before any process is put in a container: unless husk's
 * binary already runs from a read-only mount, re-execute it (same ARGV,
 * same environment) from a read-only bind mount of itself that no mount
 * namespace shows.  Returns 0 when nothing needs doing; on success of the
 * re-exec it does not return; an error says why it could not. */
int hk_selfexe_readonly(char *const argv[], hk_err *err);

#endif
