#!/usr/bin/python3
# reaper.py CMD ARGS... - run CMD and exit with its status, while a child
# subreaper (PR_SET_CHILD_SUBREAPER) stays behind until every process CMD
# left (conmon, containerd's shims, podman's cleanup commands) has ended,
# reaping them.  Engines double-fork these monitors; orphaned to a pid 1 that
# never reaps (as in this project's sandbox), an exited conmon stays a zombie
# that podman takes for alive (it then waits its 20 s conmon timeout).
# REAPER_PIDFILE=FILE: the lingering reaper's pid is appended to FILE.
import ctypes
import os
import sys

PR_SET_CHILD_SUBREAPER = 36


def main():
    r, w = os.pipe()
    if os.fork() > 0:
        # the caller's process: report CMD's status once it is known
        os.close(w)
        data = b""
        while True:
            chunk = os.read(r, 16)
            if not chunk:
                break
            data += chunk
        sys.exit(int(data) if data else 125)
    os.close(r)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        os.write(2, b"reaper: prctl(PR_SET_CHILD_SUBREAPER) failed\n")
        os._exit(125)
    pf = os.environ.pop("REAPER_PIDFILE", "")
    if pf:
        with open(pf, "a") as f:
            f.write("%d\n" % os.getpid())
    pid = os.fork()
    if pid == 0:
        os.close(w)
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        except OSError as e:
            sys.stderr.write("reaper: %s: %s\n" % (sys.argv[1], e))
        os._exit(127)
    # reap everything meanwhile: an exited conmon must not stay a zombie
    while True:
        try:
            got, st = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        if got == pid:
            break
    code = os.waitstatus_to_exitcode(st)
    if code < 0:
        code = 128 - code
    os.write(w, str(code).encode())
    os.close(w)
    # let go of the caller's stdio: $(...) must not wait for the monitors
    fd = os.open(os.devnull, os.O_RDWR)
    for i in (0, 1, 2):
        os.dup2(fd, i)
    os.setsid()
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
    os._exit(0)


if __name__ == "__main__":
    main()
