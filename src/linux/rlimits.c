/* rlimits.c - applying process.rlimits (soft and hard exactly, with
 * prlimit on the calling process).  Raising a hard limit needs
 * CAP_SYS_RESOURCE; the error then names the rlimit and both values.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

#include "linux/rlimits.h"

static const char *limit_str(uint64_t v, char *buf, size_t len)
{
	if (v == (uint64_t)RLIM_INFINITY)
		return "unlimited";
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

int hk_rlimits_apply(const hk_rlimit *rl, size_t n, hk_err *err)
{
	for (size_t i = 0; i < n; i++) {
		struct rlimit lim = {.rlim_cur = (rlim_t)rl[i].soft,
		                     .rlim_max = (rlim_t)rl[i].hard};
		if (prlimit(0, (__rlimit_resource_t)rl[i].resource, &lim, NULL) == 0)
			continue;
		int e = errno;
		char num[32], soft[32], hard[32];
		const char *name = rl[i].type;
		if (!name) {
			snprintf(num, sizeof(num), "%d", rl[i].resource);
			name = num;
		}
		return hk_err_set(err, e, "rlimit %s (soft %s, hard %s)", name,
		                  limit_str(rl[i].soft, soft, sizeof(soft)),
		                  limit_str(rl[i].hard, hard, sizeof(hard)));
	}
	return 0;
}
