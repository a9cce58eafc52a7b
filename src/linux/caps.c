/* caps.c - applying process.capabilities without libcap: the bounding set
 * (prctl PR_CAPBSET_DROP) before the uid switch, then the effective,
 * permitted and inheritable sets (capset, version 3 = two 32-bit words) and
 * the ambient set (PR_CAP_AMBIENT_*) after it.  PR_SET_KEEPCAPS bridges the
 * two so the permitted set survives setresuid() away from uid 0.
 *
 * Capabilities above hk_cap_last() are unknown to the running kernel and
 * are silently skipped, as runc does.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "linux/caps.h"

/* The capabilities the running kernel knows, as a mask. */
static uint64_t known_mask(void)
{
	int last = hk_cap_last();
	if (last >= 63)
		return ~0ULL;
	if (last < 0)
		return 0;
	return (1ULL << (last + 1)) - 1;
}

/* Name for error messages: "CAP_SYS_ADMIN", or "capability 45". */
static const char *cap_label(int cap, char *buf, size_t len)
{
	const char *name = hk_cap_name(cap);
	if (name)
		return name;
	snprintf(buf, len, "capability %d", cap);
	return buf;
}

int hk_caps_prepare(const hk_caps *caps, hk_err *err)
{
	int last = hk_cap_last();
	char buf[32];

	for (int cap = 0; cap <= last && cap < 64; cap++) {
		if (caps->bounding & (1ULL << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) == 0)
			continue;
		int e = errno;
		if (e == EINVAL)
			continue; /* unknown to this kernel after all */
		/* Without CAP_SETPCAP: fine if it is gone already (asked only
		 * now: one system call per capability in the common case). */
		if (e == EPERM && prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0) == 0)
			continue;
		return hk_err_set(err, e, "capabilities: drop %s from bounding set",
		                  cap_label(cap, buf, sizeof(buf)));
	}
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return hk_err_set(err, errno, "capabilities: set keepcaps");
	return 0;
}

/* The first capability set in MASK, for error messages. */
static int first_cap(uint64_t mask)
{
	for (int cap = 0; cap < 64; cap++)
		if (mask & (1ULL << cap))
			return cap;
	return -1;
}

int hk_caps_apply(const hk_caps *caps, hk_err *err)
{
	uint64_t known = known_mask();
	uint64_t eff = caps->effective & known;
	uint64_t prm = caps->permitted & known;
	uint64_t inh = caps->inheritable & known;
	uint64_t amb = caps->ambient & known;
	char buf[32];

	/* Check up front so nothing is half-applied and the error names the
	 * capability instead of a bare "operation not permitted". */
	if (eff & ~prm)
		return hk_err_plain(
		    err, EPERM, "capabilities: effective capability %s is not in the permitted set",
		    cap_label(first_cap(eff & ~prm), buf, sizeof(buf)));
	/* An ambient capability needs to be both permitted and inheritable.
	 * runc's default spec lists ambient capabilities without inheritable
	 * ones (CVE-2022-27650: nothing inheritable unless asked); like runc,
	 * such ambient entries are skipped rather than failing the start. */
	amb &= prm & inh;

	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2] = {
	    {.effective = (uint32_t)eff, .permitted = (uint32_t)prm, .inheritable = (uint32_t)inh},
	    {.effective = (uint32_t)(eff >> 32),
	     .permitted = (uint32_t)(prm >> 32),
	     .inheritable = (uint32_t)(inh >> 32)},
	};
	if (syscall(SYS_capset, &hdr, data) < 0)
		return hk_err_set(err, errno, "capabilities: capset");

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return hk_err_set(err, errno, "capabilities: clear ambient set");
	for (int cap = 0; cap < 64; cap++) {
		if (!(amb & (1ULL << cap)))
			continue;
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0) < 0)
			return hk_err_set(err, errno, "capabilities: raise ambient %s",
			                  cap_label(cap, buf, sizeof(buf)));
	}
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return hk_err_set(err, errno, "capabilities: clear keepcaps");
	return 0;
}
