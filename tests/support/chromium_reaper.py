"""Runs Chromium as its child and does not exit before every process Chromium left is gone.

Started by tests/support/browser.py as ``python -I -S chromium_reaper.py IN_FD OUT_FD PARENT_PID
CHROMIUM_ARGV...`` in a new session, so its pid is also the process group id.

Why a separate process instead of starting Chromium directly:

* Chromium's crash handler (chrome_crashpad_handler) double-forks into a session of its own, so
  killing Chromium's process group misses it. As a *child subreaper* this process inherits every
  orphan of the Chromium tree, the crash handler included, and kills and reaps it.
* On a machine whose pid 1 does not reap orphans (some containers), Chromium's helpers stay as
  zombies after it quits. Here they are reaped, so "the reaper exited" means "nothing is left".
* ``--remote-debugging-pipe`` wants the DevTools pipe on fds 3 and 4; Python's subprocess cannot
  put inherited fds at fixed numbers, and dash cannot redirect fds above 9.
* PR_SET_PDEATHSIG: if the test process dies without cleaning up, this one gets SIGTERM and
  still takes Chromium down.

Exits with Chromium's exit code (128 + signal if it was killed).
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36

_terminating = False


def _children() -> list[int]:
    """Pids whose parent is this process (orphans land here, so /proc is the only list)."""
    me = os.getpid()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name may contain spaces and parentheses: the fields after the last ')'
        # are "state ppid ...".
        fields = stat[stat.rfind(b")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == me:
            found.append(int(entry))
    return found


def _kill_children() -> None:
    for pid in _children():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _on_signal(signum, frame) -> None:
    global _terminating
    _terminating = True
    _kill_children()


def main(argv: list[str]) -> int:
    global _terminating
    in_fd, out_fd, parent = int(argv[1]), int(argv[2]), int(argv[3])
    command = argv[4:]

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("chromium_reaper: PR_SET_CHILD_SUBREAPER failed", file=sys.stderr)
        return 70
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before PDEATHSIG was armed
        return 71
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _on_signal)

    # Chromium reads commands from fd 3 and writes answers to fd 4.
    os.dup2(in_fd, 3)
    os.dup2(out_fd, 4)
    for fd in (in_fd, out_fd):
        if fd not in (3, 4):
            os.close(fd)
    chromium = os.posix_spawn(command[0], command, os.environ)
    # Only Chromium may hold the pipe ends, so the test process sees EOF when Chromium is gone.
    os.close(3)
    os.close(4)
    if _terminating:  # a signal came before Chromium existed
        _kill_children()

    code = 0
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            return code
        if pid == chromium:
            code = os.waitstatus_to_exitcode(status)
            code = 128 - code if code < 0 else code
            _terminating = True
        if _terminating:
            # Whatever Chromium left (renderers, zygotes, the crash handler) goes now; an orphan
            # that appears later is re-parented here and killed at the next reap.
            _kill_children()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
