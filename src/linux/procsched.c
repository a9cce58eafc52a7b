/* procsched.c - scheduling policy and I/O priority of the container's process. */
#include "linux/procsched.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* glibc has no wrapper nor struct for sched_setattr: the kernel's
 * SCHED_ATTR_SIZE_VER0 layout (48 bytes; no utilization clamps). */
struct hk_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
};

static const char *const policies[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",      "SCHED_BATCH",
                                       "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE"};

/* In bit order: SCHED_FLAG_RESET_ON_FORK is 0x01 ... UTIL_CLAMP_MAX 0x40. */
static const char *const flags[] = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",
                                    "SCHED_FLAG_DL_OVERRUN",    "SCHED_FLAG_KEEP_POLICY",
                                    "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN",
                                    "SCHED_FLAG_UTIL_CLAMP_MAX"};

static const char *const ioprio_classes[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                             "IOPRIO_CLASS_IDLE"};

int hk_sched_policy_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(policies) / sizeof(*policies); i++)
		if (strcmp(name, policies[i]) == 0)
			return (int)i;
	return -1;
}

uint64_t hk_sched_flag_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++)
		if (strcmp(name, flags[i]) == 0)
			return UINT64_C(1) << i;
	return 0;
}

int hk_ioprio_class_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(ioprio_classes) / sizeof(*ioprio_classes); i++)
		if (strcmp(name, ioprio_classes[i]) == 0)
			return (int)i + 1;
	return -1;
}

int hk_sched_apply(const hk_sched *s, hk_err *err)
{
	struct hk_sched_attr a = {
	    .size = sizeof(a),
	    .sched_policy = (uint32_t)s->policy,
	    .sched_flags = s->flags,
	    .sched_nice = s->nice,
	    .sched_priority = (uint32_t)s->priority,
	    .sched_runtime = s->runtime,
	    .sched_deadline = s->deadline,
	    .sched_period = s->period,
	};
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return hk_err_set(err, errno, "sched_setattr %s", policies[s->policy]);
	return 0;
}

int hk_ioprio_apply(int ioprio_class, int level, hk_err *err)
{
	enum { IOPRIO_WHO_PROCESS = 1, IOPRIO_CLASS_SHIFT = 13 };
	int prio = ioprio_class << IOPRIO_CLASS_SHIFT | level;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, prio) < 0)
		return hk_err_set(err, errno, "ioprio_set %s %d", ioprio_classes[ioprio_class - 1],
		                  level);
	return 0;
}
