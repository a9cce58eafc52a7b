/* procsched.h - process.scheduler (sched_setattr) and process.ioPriority
 * (ioprio_set), applied by the init to itself before exec. */
#ifndef HUSK_LINUX_PROCSCHED_H
#define HUSK_LINUX_PROCSCHED_H

#include <stdint.h>

#include "oci/types.h"
#include "util/error.h"

/* The kernel's policy numbers (glibc's <sched.h> lacks SCHED_DEADLINE). */
enum {
	HK_SCHED_OTHER,
	HK_SCHED_FIFO,
	HK_SCHED_RR,
	HK_SCHED_BATCH,
	HK_SCHED_ISO,
	HK_SCHED_IDLE,
	HK_SCHED_DEADLINE
};

/* "SCHED_FIFO" -> SCHED_FIFO (SCHED_ISO is 4, which Linux never merged:
 * the kernel refuses it); -1 when unknown. */
int hk_sched_policy_from_name(const char *name);
/* "SCHED_FLAG_RESET_ON_FORK" -> its bit; 0 when unknown. */
uint64_t hk_sched_flag_from_name(const char *name);
/* "IOPRIO_CLASS_BE" -> 2 (the kernel's IOPRIO_CLASS_*); -1 when unknown. */
int hk_ioprio_class_from_name(const char *name);

/* sched_setattr(0, ...) with the policy, nice, priority, flags and the
 * SCHED_DEADLINE parameters of S. RT policies need CAP_SYS_NICE (and an
 * RT budget in the cgroup where RT group scheduling is configured). */
int hk_sched_apply(const hk_sched *s, hk_err *err);
/* ioprio_set(IOPRIO_WHO_PROCESS, 0, CLASS << 13 | LEVEL). */
int hk_ioprio_apply(int ioprio_class, int level, hk_err *err);

#endif
