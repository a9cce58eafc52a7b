/* seccomp_filter.h - linux.seccomp: the syscall filter, built with libseccomp
 *
 * The filter is compiled in husk (the parent) before the container's
 * process exists, so that every problem of the profile is a config error
 * naming its JSON path; the process only hands the finished BPF program
 * to seccomp(2), one syscall, as late as it can (runtime/init.c).
 *
 * Compiling, as runc does:
 *   - a syscall name libseccomp does not know is skipped (a debug note):
 *     profiles list syscalls of newer kernels and other architectures;
 *   - a rule whose action is the default action is skipped;
 *   - args on distinct indexes make one rule (all must match); when an
 *     index repeats, each arg makes a rule of its own (any may match);
 *   - SCMP_ACT_KILL is SCMP_ACT_KILL_THREAD; ERRNO and TRACE without
 *     errnoRet return EPERM;
 *   - unless the default action lets the syscall through (ALLOW, LOG,
 *     TRACE) or already returns ENOSYS, a stub before libseccomp's program
 *     returns ENOSYS for syscall numbers above the highest one the profile
 *     names, per architecture: a syscall newer than the profile then
 *     looks absent (programs fall back) instead of denied (EPERM).  Unlike
 *     runc's stub, the native architecture is covered even when
 *     "architectures" does not list it (libseccomp always filters it).
 *
 * Flags: SECCOMP_FILTER_FLAG_LOG and _SPEC_ALLOW go to seccomp(2);
 * _WAIT_KILLABLE_RECV too when there is a listener (it means nothing
 * without one, and the kernel refuses it then: skipped); _TSYNC is
 * accepted and ignored, as runc does (the process is single-threaded, and
 * the kernel refuses TSYNC with a listener).  A flag the kernel lacks is a
 * config error.
 *
 * (Not "linux/seccomp.h": with -Isrc that name would hide the kernel's
 * <linux/seccomp.h>.)
 */
#ifndef HUSK_LINUX_SECCOMP_FILTER_H
#define HUSK_LINUX_SECCOMP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oci/types.h"
#include "util/error.h"

/* A compiled filter: what seccomp(SECCOMP_SET_MODE_FILTER) takes. */
typedef struct hk_seccomp_prog {
	void *insns; /* struct sock_filter[len] */
	size_t len;
	unsigned flags; /* SECCOMP_FILTER_FLAG_*, NEW_LISTENER among them when listener */
	bool listener;  /* SCMP_ACT_NOTIFY is used: loading returns a notify fd */
} hk_seccomp_prog;

/* Compile S (as the spec parser left it) into *OUT.  Errors name the
 * JSON path: "linux.seccomp.syscalls[3].action: ...". */
int hk_seccomp_build(const hk_seccomp *s, hk_seccomp_prog **out, hk_err *err);
void hk_seccomp_prog_free(hk_seccomp_prog *p);
/* hk_seccomp_build() keeps compiled programs in STATE_ROOT/.seccomp-cache
 * (--root's directory; NULL: the default state directory's). */
void hk_seccomp_cache_in(const char *state_root);
static inline void hk_seccomp_prog_freep(hk_seccomp_prog **p)
{
	hk_seccomp_prog_free(*p);
}
#define _cleanup_seccomp_prog_ __attribute__((cleanup(hk_seccomp_prog_freep)))

/* In the container's process: install P.  With a listener, *NOTIFY_FD is
 * the notify fd (close-on-exec), else -1.  Needs no_new_privs or
 * CAP_SYS_ADMIN (in the current user namespace). */
int hk_seccomp_load(const hk_seccomp_prog *p, int *notify_fd, hk_err *err);

/* The seccomp agent protocol (runc's): connect to the unix stream socket
 * PATH and send STATE_JSON (the OCI containerProcessState) in one message
 * with FD attached (SCM_RIGHTS). */
int hk_seccomp_send_listener(const char *path, const char *state_json, int fd, hk_err *err);

/* For `husk features`: the names this build knows (static, sorted). */
size_t hk_seccomp_actions(const char **out, size_t max);
size_t hk_seccomp_operators(const char **out, size_t max);
size_t hk_seccomp_archs(const char **out, size_t max);
size_t hk_seccomp_known_flags(const char **out, size_t max);
/* Is the known flag NAME usable with this kernel? */
bool hk_seccomp_flag_supported(const char *name);

/* Test hooks: the SCMP_ARCH_* value of NAME (0 when unknown), and the
 * largest syscall number S names for that architecture (-1: none). */
uint32_t hk_seccomp_arch_value(const char *name);
int hk_seccomp_max_syscall(const hk_seccomp *s, uint32_t arch);

#endif
