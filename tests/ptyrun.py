#!/usr/bin/env python3
"""ptyrun.py CMD... - run CMD on a fresh pty (as a person at a terminal
would), sized 30x100; when the output shows "ready", resize the terminal to
40x120 (the kernel sends SIGWINCH to the foreground job, as a terminal
emulator does), then after "resized" is seen send SIGTERM to CMD.  Prints
what CMD wrote, then "termios-restored: yes|no" and "exit: N".
$PTYRUN_TIMEOUT: seconds before CMD is killed (default 30)."""
import fcntl, os, select, signal, struct, sys, termios, time

def setsize(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

master, slave = os.openpty()
setsize(slave, 30, 100)
before = termios.tcgetattr(slave)
pid = os.fork()
if pid == 0:
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)
    os.close(master)
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
state = "start"
deadline = time.time() + float(os.environ.get("PTYRUN_TIMEOUT", "30"))
status = None
while time.time() < deadline:
    r, _, _ = select.select([master], [], [], 0.1)
    if r:
        try:
            data = os.read(master, 4096)
        except OSError:
            data = b""
        out += data
    if state == "start" and b"ready" in out:
        setsize(slave, 40, 120)
        state = "resized"
    elif state == "resized" and b"40 120" in out:
        time.sleep(0.2)
        termios_mid = termios.tcgetattr(slave)
        raw = not (termios_mid[3] & termios.ECHO)
        out += b"\nraw-while-running: " + (b"yes" if raw else b"no") + b"\n"
        os.kill(pid, signal.SIGTERM)
        state = "term"
    wpid, st = os.waitpid(pid, os.WNOHANG)
    if wpid == pid:
        status = st
        break
if status is None:
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
# what the child wrote just before it ended, not read yet (for 2 s at
# most: a process left holding the terminal may write on)
drain_end = time.time() + 2
while time.time() < drain_end and select.select([master], [], [], 0.1)[0]:
    try:
        data = os.read(master, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
after = termios.tcgetattr(slave)
sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
print("\ntermios-restored:", "yes" if after == before else "no")
print("exit:", os.waitstatus_to_exitcode(status))
