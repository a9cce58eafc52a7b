/* notify.h - sd_notify through a container (as runc): when husk runs with
 * $NOTIFY_SOCKET set, the container gets its own datagram socket,
 * ROOT/ID/notify/notify.sock, bind-mounted read-only at /run/notify and
 * named by NOTIFY_SOCKET=/run/notify/notify.sock in its environment.
 * `start` (and `run -d`) waits until the container's process sends a
 * READY= line (or exits) and passes that line, then MAINPID=<its host
 * pid>, on to the host's $NOTIFY_SOCKET; `run` in the foreground passes
 * it with MAINPID=<husk's pid>, husk being the process to watch.  Other
 * messages are dropped (as runc). */
#ifndef HUSK_RUNTIME_NOTIFY_H
#define HUSK_RUNTIME_NOTIFY_H

#include <sys/types.h>

#include "spec/spec.h"
#include "util/error.h"

/* The directory in the container the socket's directory is mounted at. */
#define HK_NOTIFY_DIR "/run/notify"

/* Whether $NOTIFY_SOCKET asks for it (set and not empty). */
bool hk_notify_wanted(void);

/* When wanted: add the bind mount of ROOT/ID/notify and the
 * NOTIFY_SOCKET variable (replacing one the process had) to S, before the
 * container is made.  Nothing is created on disk.  A user namespace whose
 * root is not our euid is refused: the container's init makes the mount
 * from inside it, and the state directories (0700) are closed to it. */
int hk_notify_setup_spec(hk_spec *s, const char *root, const char *id, hk_err *err);

/* When wanted: make ROOT/ID/notify (the mount's source) in a state
 * directory that has just been created.  hk_state_remove removes it. */
int hk_notify_mkdir(const char *root, const char *id, hk_err *err);

/* Remove the notify directory (and socket) under the state directory
 * DFD; missing is fine.  0, or -errno when it stays. */
int hk_notify_remove_at(int dfd);

/* When wanted and ROOT/ID/notify exists: bind the socket there and return
 * its fd (>= 0).  -ENOENT, ERR untouched, when there is nothing to relay
 * (not wanted, or the container was created without it). */
int hk_notify_bind(const char *root, const char *id, hk_err *err);

/* Relay from SOCK to $NOTIFY_SOCKET: wait for a READY= line, forward it
 * and "MAINPID=MAINPID", and return 0.  Returns 0 without forwarding when
 * STOPFD (a pidfd of the container's process, or an eventfd) becomes
 * readable first. */
int hk_notify_relay(int sock, int stopfd, pid_t mainpid, hk_err *err);

/* `run` in the foreground: relay from SOCK in a thread while husk
 * supervises; hk_notify_bg_stop ends and joins it. */
struct hk_notify_bg;
int hk_notify_bg_start(int sock, pid_t mainpid, struct hk_notify_bg **bg, hk_err *err);
void hk_notify_bg_stop(struct hk_notify_bg *bg);

#endif
