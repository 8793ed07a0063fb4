"""Peak memory of a command's whole process tree: the command, its checker workers and anything
else it starts, sampled every 50 ms with psutil (`pip install -e '.[bench]'`).

The figure is the sum of each process's RSS at one sample, the peak over all samples. Pages that
several processes share (the interpreter, libraries) count once per process, so it is an upper
bound; `/usr/bin/time` and getrusage see one process only, and not the checker worker."""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

INTERVAL = 0.05


@dataclass
class TreeRun:
    returncode: int
    peak_mb: float  # largest sum of RSS over the tree at one sample
    peak_processes: int  # processes alive at that sample
    seconds: float
    stderr: str


def _tree_rss(root: psutil.Process) -> tuple[int, int]:
    try:
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0, 0
    total = 0
    alive = 0
    for p in procs:
        try:
            total += p.memory_info().rss
            alive += 1
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue  # it ended between listing and reading
    return total, alive


def run_tree(cmd: list[str], cwd: Path, interval: float = INTERVAL) -> TreeRun:
    """Run CMD to its end, sampling its process tree; its stdout is discarded."""
    t0 = time.perf_counter()
    proc = psutil.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = [0, 0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            rss, alive = _tree_rss(proc)
            if rss > peak[0]:
                peak[:] = [rss, alive]
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, stderr = proc.communicate()
    done.set()
    sampler.join()
    return TreeRun(proc.returncode, peak[0] / 1e6, peak[1], time.perf_counter() - t0, stderr)
