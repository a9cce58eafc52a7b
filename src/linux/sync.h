/* sync.h - the parent <-> container-child channel.
 *
 * A SOCK_SEQPACKET socketpair: one message per send, typed.  Used by the
 * runtime (parent side) and by the container's init sequence (child side),
 * so it sits below both.  Errors in the child travel to the parent as
 * HK_SYNC_ERROR messages carrying an hk_err; the parent prints them. */
#ifndef HUSK_LINUX_SYNC_H
#define HUSK_LINUX_SYNC_H

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

#endif
