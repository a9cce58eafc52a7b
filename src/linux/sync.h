/* sync.h - the parent <-> container-child channel.
 *
 * A SOCK_SEQPACKET socketpair: one message per send, typed.  Used by the
 * runtime (parent side) and by the container's init sequence (child side),
 * so it sits below both.  Errors in the child travel to the parent as
 * HK_SYNC_ERROR messages carrying an hk_err; the parent prints them. */
#ifndef HUSK_LINUX_SYNC_H
#define HUSK_LINUX_SYNC_H

#include <stdbool.h>
#include <sys/types.h>

#include "util/error.h"

enum hk_sync_type {
	HK_SYNC_USERNS_READY = 1, /* child -> parent: write my id maps */
	HK_SYNC_GO,               /* parent -> child: id maps written, continue */
	HK_SYNC_CGROUP,           /* parent -> child: you are in your cgroup */
	HK_SYNC_REAPED,           /* parent -> forked child: your parent is husk now */
	HK_SYNC_PID,              /* child -> parent: the pid of the container process
	                             (when the child had to fork into its pid namespace) */
	HK_SYNC_PTY,              /* child -> parent: pty master attached (SCM_RIGHTS) */
	HK_SYNC_READY,            /* child -> parent: set up, about to wait/exec */
	HK_SYNC_ERROR,            /* child -> parent: hk_err payload */
	HK_SYNC_HOOKS,            /* child -> parent: namespaces and mounts made, before
	                             pivot_root: run the prestart and createRuntime hooks */
	HK_SYNC_HOOKS_DONE,       /* parent -> child: they ran; attached: a memfd with the
	                             state JSON for the container's own hooks */
	HK_SYNC_SECCOMP,          /* child -> parent: the seccomp filter is in; attached:
	                             its notify fd, for the agent at listenerPath */
	HK_SYNC_IDMAP,            /* child -> parent: value N; attached: a detached copy
	                             (open_tree) of mounts[N]'s source, to be idmapped */
	HK_SYNC_IDMAP_DONE,       /* parent -> child: that copy is idmapped */
	HK_SYNC_RECORDED,         /* parent -> created child: the container is in the
	                             state store; wait for start (until then, husk's
	                             death ends the child: EOF) */
};

typedef struct hk_sync_msg {
	int type;
	int value; /* a pid, or an error code */
	hk_err err;
} hk_sync_msg;

/* socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC). */
int hk_sync_pair(int fds[2], hk_err *err);
/* Send a message, with FD attached when FD >= 0. */
int hk_sync_send(int sock, int type, int value, int fd, hk_err *err);
/* Send an error (type HK_SYNC_ERROR) carrying E. Best effort. */
void hk_sync_send_error(int sock, const hk_err *e);
/* While creating, let these signals (INT, TERM, HUP, QUIT), read from
 * the signalfd SIGFD, interrupt a wait for the child: hk_sync_recv then
 * fails with EINTR.  -1 turns it off (the child must, first thing). */
void hk_sync_cancel_on(int sigfd);

/* Receive one message; an attached fd lands in *FD (else -1; FD may be
 * NULL).  Returns 0, or -EPIPE on EOF (the child exec'd or died). */
int hk_sync_recv(int sock, hk_sync_msg *msg, int *fd, hk_err *err);
/* Receive and require TYPE; an HK_SYNC_ERROR is copied into ERR. */
int hk_sync_expect(int sock, int type, hk_sync_msg *msg, int *fd, hk_err *err);
/* The child's side of a message without payload, by read(2) (the
 * container's seccomp filter may be in already; read is what it leaves):
 * 0 when it is TYPE, -EPIPE on EOF, a reset or another message (REAPED
 * and CGROUP, which may still be queued, are passed over), -errno when
 * read fails (-EINTR after 100 tries). */
int hk_sync_read_type(int sock, int type);

/* The parent's last stage: receive until the child has exec'd (EOF after
 * READY; with STOP_AT_READY, return at READY: `create`'s process waits
 * for start).  A PTY message's fd replaces *PTY; an ERROR is copied into
 * ERR; any other message goes to ON_MSG (which owns its FD; NULL: an
 * unexpected message).  AFTER_READY (may be NULL) runs once READY came.
 * WHO names the child in "WHO died before reporting an error". */
typedef int (*hk_sync_handler)(void *arg, const hk_sync_msg *msg, int fd, hk_err *err);
int hk_sync_wait_exec(int sock, int *pty, bool stop_at_ready, const char *who,
                      hk_sync_handler on_msg, hk_sync_handler after_ready, void *arg, hk_err *err);

#endif
