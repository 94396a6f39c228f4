#!/usr/bin/env python3
"""Stand where conmon and containerd's shim stand for a container with
a terminal: listen on the console socket, take the pty's master that
the runtime sends there (SCM_RIGHTS, unix(7)), type into it, and read
what the container writes to it until every process there has closed
it; reap the container's init as a subreaper, as reap.py does.

    console.py SOCKET TRANSCRIPT INPUT PIDFILE CREATE... -- START...

SOCKET is the path to listen on (CREATE must name it with
--console-socket), TRANSCRIPT the file that gets all the container
wrote to its terminal. INPUT is typed in once the container has
written a line "ready" (so a program can turn the echo off first).
Prints one line each, as reap.py does:

    create 0
    start 0
    init exit 5        (or: init signal 9)
"""
import array
import os
import socket
import subprocess
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the checkout
from reap import become_subreaper, reap_init  # noqa: E402


def receive_fd(listener):
    """The one descriptor the runtime sends over its connection."""
    connection, _ = listener.accept()
    fds = array.array("i")
    _, ancillary, _, _ = connection.recvmsg(
        4096, socket.CMSG_SPACE(fds.itemsize))
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(data[:fds.itemsize])
    connection.close()
    if not fds:
        sys.exit("console.py: no descriptor came")
    return fds[0]


def main():
    path, transcript, typed, pidfile = sys.argv[1:5]
    words = sys.argv[5:]
    split = words.index("--")
    create, start = words[:split], words[split + 1:]
    become_subreaper("console.py")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    # create connects and its child sends the master before create
    # ends: both wait in the socket's queue until accept().
    code = subprocess.call(create)
    print("create %d" % code, flush=True)
    if code != 0:
        return
    master = receive_fd(listener)
    with open(pidfile) as f:
        init = int(f.read())
    code = subprocess.call(start)
    print("start %d" % code, flush=True)
    if code != 0:
        return
    written = b""
    while True:
        if typed and b"ready\r\n" in written:
            os.write(master, typed.encode())
            typed = ""
        try:
            chunk = os.read(master, 4096)
        except OSError:         # EIO: no process holds the slave now
            break
        if not chunk:
            break
        written += chunk
    with open(transcript, "wb") as f:
        f.write(written)
    reap_init(init)


main()
