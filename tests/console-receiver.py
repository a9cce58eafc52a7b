#!/usr/bin/env python3
# console-receiver.py SOCKET [TIMEOUT] - what conmon and containerd do with
# --console-socket: listen on SOCKET, receive one message carrying the pty
# master (SCM_RIGHTS), print "payload: ..." and then everything the
# container writes on the pty (until it closes or TIMEOUT seconds of quiet).
import array, os, select, socket, sys

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
s.listen(1)
quiet = float(sys.argv[2]) if len(sys.argv) > 2 else 30
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(1024, socket.CMSG_LEN(fds.itemsize))
for level, typ, data in anc:
    if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
print("payload:", msg.decode(), flush=True)
m = fds[0]
out = b""
while True:
    r, _, _ = select.select([m], [], [], quiet)
    if not r:
        break
    try:
        d = os.read(m, 1024)
    except OSError:
        break
    if not d:
        break
    out += d
print(out.decode(errors="replace").replace("\r", ""), flush=True)
