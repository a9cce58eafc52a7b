/* seccomp_internal.h - between seccomp_filter.c, seccomp_enosys.c and
 * seccomp_cache.c only (and their unit tests). */
#ifndef HUSK_LINUX_SECCOMP_INTERNAL_H
#define HUSK_LINUX_SECCOMP_INTERNAL_H

#include "linux/seccomp_filter.h"

/* Put the ENOSYS stub (seccomp_filter.h) for S before P's program; P unchanged
 * when no architecture has a syscall of S. */
int hk_seccomp_prepend_enosys(const hk_seccomp *s, hk_seccomp_prog *p, hk_err *err);

/* ---- seccomp_cache.c: compiled programs kept across runs ----
 * hk_seccomp_build looks a profile's program up by its key, and stores
 * what it compiled; the flags and the listener are worked out anew from
 * the profile each time (with its config checks and --debug notes). */
#define HK_SECCOMP_KEY_SIZE 32

/* The key of S: the SHA-256 of husk's build, the kernel and S; false
 * when it cannot be made (nothing is cached then). */
bool hk_seccomp_cache_key(const hk_seccomp *s, uint8_t key[HK_SECCOMP_KEY_SIZE]);
/* The program stored under KEY in P->insns (malloc'd) and P->len; false
 * when there is none or it fails any check (then it is not used). */
bool hk_seccomp_cache_load(const uint8_t key[HK_SECCOMP_KEY_SIZE], hk_seccomp_prog *p);
/* Keep P's program under KEY (best effort: a failure goes unnoticed). */
void hk_seccomp_cache_store(const uint8_t key[HK_SECCOMP_KEY_SIZE], const hk_seccomp_prog *p);

/* The cache directory instead of the default (the default state
 * directory's .seccomp-cache: /run/husk for root, else
 * $XDG_RUNTIME_DIR/husk or /tmp/husk-UID); NULL turns the cache off. */
void hk_seccomp_cache_dir(const char *dir);

/* Tests: the libseccomp version the key records instead of
 * seccomp_version()'s (as after an upgrade); NULL: the real one. */
struct scmp_version;
void hk_seccomp_cache_lib_version(const struct scmp_version *v);
/* What the lookups did (for the tests). */
typedef struct hk_seccomp_cache_stats {
	unsigned hits, misses, rejected, stores;
} hk_seccomp_cache_stats;
extern hk_seccomp_cache_stats hk_seccomp_cache_counts;

#endif
