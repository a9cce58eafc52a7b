/* hooks.h - OCI hooks (config.json "hooks"): each one a program run with
 * the container's state JSON on its stdin.
 *
 * Where each kind runs (config.md, "POSIX-platform Hooks"):
 *   prestart, createRuntime  husk, during create, after the container's
 *                            namespaces exist (runtime namespaces)
 *   createContainer          the container's init, in its mount namespace,
 *                            before pivot_root
 *   startContainer           the container's init, after pivot_root, just
 *                            before its program is executed
 *   poststart                husk, after start has started the process
 *   poststop                 husk, after delete has removed the container
 * A failure of one of the first four fails the operation (a failed create
 * then runs the poststop hooks: hk_container_fail); poststart and poststop
 * failures are warnings and the remaining hooks still run.  The state on
 * stdin is hk_state_hook_json's, its pid the container's as seen from the
 * hook's pid namespace. */
#ifndef HUSK_RUNTIME_HOOKS_H
#define HUSK_RUNTIME_HOOKS_H

#include <stdbool.h>

#include "oci/types.h"
#include "util/error.h"

/* Run the hooks of KIND in their order, each with STATE_JSON on stdin, the
 * hook's env (and nothing else) as environment, args[0] as argv[0], every
 * other fd closed, default signal dispositions and an empty signal mask.
 * A hook fails when it cannot be executed, exits non-zero, is killed, or
 * runs longer than its timeout (it is then SIGKILLed); the error names it:
 * "hooks.prestart[1] (/usr/bin/x): exited with status 3: <its stderr>".
 * For poststart and poststop a failure is printed as a warning on stderr
 * ("husk: warning: hooks.poststop[0] ...") and the next hooks still run;
 * 0 is returned. */
int hk_hooks_run(const hk_hooks *hooks, enum hk_hook_kind kind, const char *state_json,
                 hk_err *err);

/* Does HOOKS have any hook of KIND? */
bool hk_hooks_any(const hk_hooks *hooks, enum hk_hook_kind kind);

#endif
