"""Run genpost on a pseudo-terminal, as a person at a terminal would, and read what it shows.

stdout and stderr are the pty's slave, so genpost (and rich) see a terminal of the given size:
colours, the live progress bar, tables sized to the window. Reading waits on the pty with
select() until a pattern appears or the process ends, each with a deadline; nothing sleeps.

Example::

    with Terminal([GENPOST, "batch", ...], cols=80) as term:
        term.read_until(r"batch summary")
        code = term.wait()
    lines = term.screen_lines()
"""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def plain(text: str) -> str:
    """Text without ANSI escape sequences (colours, cursor movement)."""
    return _ANSI.sub("", text)


class Terminal:
    def __init__(self, argv: list[str], *, cols: int = 80, rows: int = 40, cwd: str | Path | None = None,
                 env: dict[str, str] | None = None):
        self.argv = argv
        self.cols, self.rows = cols, rows
        self.cwd = cwd
        self.env = dict(os.environ if env is None else env)
        for name in ("COLUMNS", "LINES", "NO_COLOR", "CI", "GITHUB_ACTIONS"):
            self.env.pop(name, None)  # rich would take these over the window size
        self.env["TERM"] = "xterm-256color"
        self.raw = b""
        self.proc: subprocess.Popen | None = None
        self._master: int | None = None

    def __enter__(self) -> "Terminal":
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", self.rows, self.cols, 0, 0))
        try:
            self.proc = subprocess.Popen(self.argv, stdin=slave, stdout=slave, stderr=slave, cwd=self.cwd,
                                         env=self.env, start_new_session=True, close_fds=True)
        finally:
            os.close(slave)
        self._master = master
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        if self._master is not None:
            os.close(self._master)
            self._master = None

    @property
    def text(self) -> str:
        return plain(self.raw.decode("utf-8", errors="replace"))

    def _read_some(self, deadline: float) -> bool:
        """Read what is there (waiting until the deadline); False once the pty is closed."""
        assert self._master is not None
        left = deadline - time.monotonic()
        if left <= 0:
            return True
        ready, _, _ = select.select([self._master], [], [], left)
        if not ready:
            return True
        try:
            chunk = os.read(self._master, 65536)
        except OSError:  # EIO: every slave end is closed, the process has ended
            return False
        if not chunk:
            return False
        self.raw += chunk
        return True

    def read_until(self, pattern: str, timeout: float = 60.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            m = re.search(pattern, self.text)
            if m:
                return m
            if time.monotonic() >= deadline or not self._read_some(deadline):
                m = re.search(pattern, self.text)
                if m:
                    return m
                raise AssertionError(f"{pattern!r} did not appear within {timeout} s; the terminal showed:\n"
                                     + self.text[-3000:])

    def wait(self, timeout: float = 120.0) -> int:
        """Read everything until the process ends; its exit code."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while self._read_some(deadline):
            if time.monotonic() >= deadline:
                raise AssertionError(f"{self.argv} did not end within {timeout} s; it showed:\n" + self.text[-3000:])
        return self.proc.wait(timeout=max(deadline - time.monotonic(), 1.0))

    def screen_lines(self) -> list[str]:
        """The lines as they stay on the screen: a carriage return or a cursor-up redraw (the
        progress bar) overwrites the earlier text, so only the final state of each line is kept."""
        return render_screen(self.raw.decode("utf-8", errors="replace"))


_CSI = re.compile(r"\x1b\[([0-?]*)([ -/]*)([@-~])")


def render_screen(data: str) -> list[str]:
    """A minimal terminal: text, CR, LF, cursor up (CSI n A), erase line (CSI K / 2K), show and
    hide cursor. Enough for what rich's live display writes; colours are dropped."""
    lines: list[str] = [""]
    row, col = 0, 0
    i = 0
    while i < len(data):
        ch = data[i]
        if ch == "\x1b":
            m = _CSI.match(data, i)
            if m:
                params, final = m.group(1), m.group(3)
                n = int(params) if params.isdigit() else 1
                if final == "A":
                    row = max(row - n, 0)
                elif final == "B":
                    row += n
                elif final == "K":
                    if params in ("", "0"):
                        lines[row] = lines[row][:col]
                    elif params == "2":
                        lines[row] = ""
                elif final == "G":
                    col = max(n - 1, 0)
                i = m.end()
                continue
            i += 2 if i + 1 < len(data) else 1
            continue
        if ch == "\r":
            col = 0
        elif ch == "\n":
            row += 1
            col = 0
        elif ch in "\x07\x08":
            pass
        else:
            while len(lines) <= row:
                lines.append("")
            line = lines[row].ljust(col)
            lines[row] = line[:col] + ch + line[col + 1:]
            col += 1
        while len(lines) <= row:
            lines.append("")
        i += 1
    return [line.rstrip() for line in lines]
