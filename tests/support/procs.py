"""Which processes exist, from /proc: for tests that prove a service left nothing running.

A process is identified by (pid, start time), so a pid the kernel hands out again later is not
mistaken for the one that was recorded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    state: str  # "R", "S", "Z" (zombie: exited, not yet reaped), ...
    start: int  # clock ticks after boot
    name: str


def read_proc(pid: int) -> Proc | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode(errors="replace")
    except OSError:
        return None
    # "pid (name) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime
    # stime cutime cstime priority nice threads itrealvalue starttime ..."; the name may hold
    # spaces and parentheses.
    name = stat[stat.index("(") + 1 : stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2 :].split()
    return Proc(pid, int(fields[1]), int(fields[2]), fields[0], int(fields[19]), name)


def all_procs() -> list[Proc]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (proc := read_proc(int(entry))) is not None:
            found.append(proc)
    return found


def tree(root: int) -> list[Proc]:
    """``root`` and everything below it, as it is right now."""
    procs = all_procs()
    children: dict[int, list[Proc]] = {}
    for proc in procs:
        children.setdefault(proc.ppid, []).append(proc)
    top = read_proc(root)
    if top is None:
        return []
    result, todo = [], [top]
    while todo:
        proc = todo.pop()
        result.append(proc)
        todo.extend(children.get(proc.pid, []))
    return result


def still_there(recorded: list[Proc]) -> list[Proc]:
    """The recorded processes that still exist (zombies included: they are not reaped)."""
    alive = []
    for proc in recorded:
        now = read_proc(proc.pid)
        if now is not None and now.start == proc.start:
            alive.append(now)
    return alive


def in_group(pgid: int) -> list[Proc]:
    return [proc for proc in all_procs() if proc.pgid == pgid]
