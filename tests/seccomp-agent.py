#!/usr/bin/env python3
# seccomp-agent.py SOCKET OUT [ERRNO] - a seccomp agent, as runc's protocol
# has it (linux.seccomp.listenerPath): listen on SOCKET; every connection
# brings one message, the containerProcessState JSON with the notify fd
# attached (SCM_RIGHTS).  The JSON goes to OUT, a line each; every syscall
# notified on any fd is answered: it fails with ERRNO, or with ERRNO 0
# (the default) it "succeeds" (returns 0) without being done.  Exits after
# 120 s without any event.
import array, fcntl, os, select, socket, struct, sys

NOTIF_RECV = 0xC0502100  # SECCOMP_IOCTL_NOTIF_RECV, struct seccomp_notif (80 bytes)
NOTIF_SEND = 0xC0182101  # SECCOMP_IOCTL_NOTIF_SEND, struct seccomp_notif_resp (24)

srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(sys.argv[1])
srv.listen(8)
out = open(sys.argv[2], "a")
err = int(sys.argv[3]) if len(sys.argv) > 3 else 0
poll = select.poll()
poll.register(srv, select.POLLIN)


def take(conn):
    fds = array.array("i")
    msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_LEN(fds.itemsize))
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(data[: fds.itemsize])
    conn.close()
    out.write(msg.decode() + "\n")
    out.flush()
    if fds:
        poll.register(fds[0], select.POLLIN)


def answer(fd):
    req = bytearray(80)
    try:
        fcntl.ioctl(fd, NOTIF_RECV, req, True)
    except OSError:
        return  # the process went meanwhile
    (notif_id,) = struct.unpack_from("Q", req, 0)
    resp = bytearray(struct.pack("QqiI", notif_id, 0, -err, 0))
    try:
        fcntl.ioctl(fd, NOTIF_SEND, resp, True)
    except OSError:
        pass


while True:
    events = poll.poll(120000)
    if not events:
        break
    for fd, ev in events:
        if fd == srv.fileno():
            take(srv.accept()[0])
        elif ev & select.POLLIN:
            answer(fd)
        elif ev & (select.POLLHUP | select.POLLERR):
            # no process uses the filter any more
            poll.unregister(fd)
            os.close(fd)
