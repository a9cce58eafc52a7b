/* cgroup_devices.h - the device policy of the container's cgroup, shared by
 * cgroup_devices.c (the policy, v1's devices.allow / devices.deny lists),
 * cgroup_bpf.c (the v2 eBPF program) and the unit test.
 *
 * Not for use outside src/linux/cgroup*.c (and the unit test). */
#ifndef HUSK_LINUX_CGROUP_DEVICES_H
#define HUSK_LINUX_CGROUP_DEVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/types.h"
#include "util/error.h"

struct bpf_insn;

/* One exception of a v1 devices cgroup: TYPE 'c' or 'b', MAJOR and MINOR
 * -1 for any, ACCESS a mask of BPF_DEVCG_ACC_* (mknod, read, write). */
struct hk_devcg_ex {
	char type;
	int64_t major, minor;
	unsigned access;
};

/* What a v1 devices cgroup holds: allow or deny by default, and the
 * exceptions to that default.  Starts zeroed ("deny a": allow nothing). */
struct hk_devcg {
	bool default_allow;
	struct hk_devcg_ex *ex;
	size_t n_ex;
};

/* Apply RULE as writing it to v1's devices.allow or devices.deny does:
 * an "a" rule resets (allow or deny everything, no exceptions); a rule
 * that goes against the default adds an exception (merging the access of
 * one for the same type:major:minor); one that goes with it takes its
 * access away from the exception with exactly that type:major:minor.  v1
 * silently ignores taking away what a wildcard exception grants ("deny
 * c 1:3" after "allow c *:*"); as runc, that is an error here instead of
 * a rule that does nothing.  WHAT names the rule in errors
 * ("linux.resources.devices[2]"). */
int hk_devcg_apply(struct hk_devcg *s, const hk_device_rule *rule, const char *what, hk_err *err);

/* The whole policy of a container, as runc: deny all, RULES in order
 * (linux.resources.devices), NODES (linux.devices: rwm on each c, b and
 * u node), then the defaults every container gets (mknod of any node;
 * null, zero, full, random, urandom, tty, ptmx, pts).  *S is reset first. */
int hk_devcg_build(struct hk_devcg *s, const hk_device_rule *rules, size_t n_rules,
                   const hk_device *nodes, size_t n_nodes, hk_err *err);

void hk_devcg_free(struct hk_devcg *s);

/* Would a v1 devices cgroup in state S let a process use device TYPE
 * ('c' or 'b') MAJOR:MINOR for ACCESS (BPF_DEVCG_ACC_* bits, as the kernel
 * asks: read and write together for an O_RDWR open)?  Deny by default: one
 * exception must grant all of ACCESS; allow by default: no exception may
 * deny any of it. */
bool hk_devcg_allows(const struct hk_devcg *s, char type, uint32_t major, uint32_t minor,
                     unsigned access);

/* (cgroup_bpf.c) A BPF_PROG_TYPE_CGROUP_DEVICE program deciding as
 * hk_devcg_allows() does; *PROG is malloc'd, *N instructions. */
int hk_devcg_program(const struct hk_devcg *s, struct bpf_insn **prog, size_t *n, hk_err *err);

/* (cgroup_bpf.c) Load PROG and attach it to the cgroup v2 directory DIRFD
 * (BPF_F_ALLOW_MULTI), then, unless FRESH (a cgroup just made, with no
 * program yet), detach the device programs attached there before (a
 * second call replaces the policy instead of adding to it).  The program
 * lives as long as it is attached.  -EPERM (with a message) when the
 * kernel refuses to load it for lack of privilege. */
int hk_devcg_attach(int dirfd, bool fresh, const struct bpf_insn *prog, size_t n, hk_err *err);

#endif
