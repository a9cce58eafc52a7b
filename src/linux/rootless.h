/* rootless.h - whether husk runs without the host's privileges (an
 * ordinary user, or "root" inside a user namespace such as `unshare -r`
 * or `podman unshare`), and what follows from it: the default state
 * directory and cgroup permission errors that are not fatal. */
#ifndef HUSK_LINUX_ROOTLESS_H
#define HUSK_LINUX_ROOTLESS_H

#include <stdbool.h>

/* Whether husk lives in a user namespace other than the initial one (its
 * /proc/self/uid_map is not the identity over all ids).  Asked once: the
 * answer describes husk as it was started, not a child that later made
 * a user namespace of its own. */
bool hk_in_user_namespace(void);

/* Root on the host: euid 0 outside any user namespace (what may own
 * files of any id, use /var/lib/husk, write every cgroup). */
bool hk_host_root(void);

/* The global --rootless option: "auto" (or NULL), or a boolean as runc
 * takes it ("true", "1", "f", ...); the caller checked it. */
void hk_rootless_set(const char *mode);

/* Rootless as runc means it: cgroups husk may not write are left out
 * (unless the config asks for a limit).  auto: an ordinary user, or root
 * in a user namespace. */
bool hk_rootless(void);

/* The default state directory, as runc chooses it: /run/husk for root;
 * $XDG_RUNTIME_DIR/husk for an ordinary user and for root in a user
 * namespace whose $USER is not "root" (podman unshare); else
 * /tmp/husk-EUID.  Allocated; NULL when out of memory. */
char *hk_default_state_root(void);

#endif
