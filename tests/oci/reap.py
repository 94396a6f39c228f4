#!/usr/bin/env python3
"""Stand where conmon and containerd's shim stand: a child subreaper
(prctl(2) PR_SET_CHILD_SUBREAPER), so that the container's init, which
`create` leaves behind when it ends, becomes this process's child, and
its exit status can be read, as they read it.

    reap.py OUT ERR PIDFILE CREATE... -- START...

Runs CREATE (which must write PIDFILE) with its stdout and stderr, the
container's, into the files OUT and ERR, then START, then waits for
the init and prints how each ended, one line each:

    create 0
    start 0
    init exit 3        (or: init signal 9)

If CREATE fails, nothing else runs; if START fails, nothing is
waited for.
"""
import ctypes
import os
import subprocess
import sys

PR_SET_CHILD_SUBREAPER = 36


def become_subreaper(name):
    """Orphans below this process become its children (console.py's
    too)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("%s: prctl: errno %d" % (name, ctypes.get_errno()))


def reap_init(init):
    """Wait for the init, and print how it ended."""
    _, status = os.waitpid(init, 0)
    if os.WIFEXITED(status):
        print("init exit %d" % os.WEXITSTATUS(status))
    else:
        print("init signal %d" % os.WTERMSIG(status))


def main():
    out, err, pidfile = sys.argv[1:4]
    words = sys.argv[4:]
    split = words.index("--")
    create, start = words[:split], words[split + 1:]
    become_subreaper("reap.py")
    with open(out, "w") as stdout, open(err, "w") as stderr:
        code = subprocess.call(create, stdout=stdout, stderr=stderr)
    print("create %d" % code, flush=True)
    if code != 0:
        return
    with open(pidfile) as f:
        init = int(f.read())
    code = subprocess.call(start)
    print("start %d" % code, flush=True)
    if code != 0:
        return              # the init waits for a start that failed
    reap_init(init)


if __name__ == "__main__":
    main()
