/* seccomp_internal.h - between seccomp.c and seccomp_enosys.c only. */
#ifndef HUSK_LINUX_SECCOMP_INTERNAL_H
#define HUSK_LINUX_SECCOMP_INTERNAL_H

#include "linux/seccomp_filter.h"

/* Put the ENOSYS stub (seccomp_filter.h) for S before P's program; P unchanged
 * when no architecture has a syscall of S. */
int hk_seccomp_prepend_enosys(const hk_seccomp *s, hk_seccomp_prog *p, hk_err *err);

#endif
