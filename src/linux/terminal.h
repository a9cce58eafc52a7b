/* terminal.h - the container's pty and the caller's terminal. */
#ifndef HUSK_LINUX_TERMINAL_H
#define HUSK_LINUX_TERMINAL_H

#include <stdbool.h>
#include <termios.h>

#include "util/error.h"

/* Child side, after pivot_root and setsid(): open /dev/ptmx (the
 * container's own devpts instance), unlock, open the slave, make it the
 * controlling terminal and stdin/stdout/stderr, bind-mount it onto
 * /dev/console when MOUNT_CONSOLE, apply the size when ROWS/COLS > 0.
 * Returns the master fd (O_CLOEXEC) in *MASTER. */
int hk_pty_setup_child(bool mount_console, unsigned rows, unsigned cols, int *master, hk_err *err);

/* create --console-socket PATH: hand the pty MASTER to whoever listens
 * on the AF_UNIX stream socket PATH (one message, payload "/dev/pts/0",
 * the fd as SCM_RIGHTS), as runc does for conmon and containerd. */
int hk_console_socket_send(const char *path, int master, hk_err *err);

/* Parent side. */
int hk_tty_make_raw(int fd, struct termios *saved, hk_err *err);
void hk_tty_restore(int fd, const struct termios *saved);
/* Copy the window size of FROM (a terminal) to TO; 0 or -errno. */
int hk_tty_copy_winsize(int from, int to);
/* Move what is readable on FROM to TO (one read, full write).
 * Returns bytes moved, 0 on EOF, -errno on error (-EAGAIN if nothing). */
long hk_tty_pump(int from, int to);

#endif
