/* supervise.h - waiting on a process in the foreground, for `husk run` and
 * `husk exec`: signals forwarded, its pty relayed, its exit collected. */
#ifndef HUSK_RUNTIME_SUPERVISE_H
#define HUSK_RUNTIME_SUPERVISE_H

#include <stdbool.h>
#include <sys/types.h>

/* Until PID (husk's child) has exited: forward to it the signals read
 * from SIGFD (a signalfd of hk_forward_sigset(), those signals blocked),
 * reap every child of husk (SIGCHLD), and, when PTY_MASTER >= 0, copy it
 * to stdout and stdin to it (stdin in raw mode and the window size passed
 * on while stdin is a terminal; restored before returning).  *STATUS: its
 * wait status.  Returns 0, or -errno when the loop failed (then PID has
 * been killed and reaped). */
int hk_supervise(pid_t pid, int pty_master, int sigfd, int *status);

/* A wait status as a shell reports it: the exit code, 128+N when killed
 * by signal N. */
int hk_exit_code(int status);

#endif
