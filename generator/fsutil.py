"""Files are written atomically: a temporary file in the same folder, then a rename, so a crash or
Ctrl-C leaves the complete old file or the complete new one, never half of one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import IO, Any, Callable, Iterable

from .errors import InputError


def data_dir(name: str) -> Path:
    """prompts/ or templates/: inside the package when installed from a wheel, beside it in a
    checkout (and an editable install)."""
    here = Path(__file__).resolve().parent
    installed = here / name
    return installed if installed.is_dir() else here.parent / name


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_MODE = 0o666 & ~_umask()  # what open() would have given; mkstemp makes 0600


def _atomic(path: Path, write: Callable[[IO[Any]], None], binary: bool = False) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, _MODE)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def atomic_write_text(path: Path, text: str) -> None:
    _atomic(path, lambda f: f.write(text))


def atomic_write_lines(path: Path, chunks: Iterable[str]) -> None:
    """Like atomic_write_text, for text that comes in pieces (too much to hold at once)."""
    _atomic(path, lambda f: f.writelines(chunks))


def read_text_file(path: Path, limit: int, what: str) -> str:
    """A regular UTF-8 text file of at most `limit` bytes, or one InputError that names the file
    and never quotes its content. Device files and the kernel's /proc, /sys and /dev are refused:
    /proc/self/environ holds the API key."""
    source = str(path)
    try:
        resolved = path.resolve()
        info = resolved.stat()
    except FileNotFoundError:
        raise InputError(source, None, "file not found", f"check the path to the {what}") from None
    except OSError as e:
        raise InputError(source, None, f"cannot be read ({e.strerror})") from None
    if resolved.parts[1:2] in (("proc",), ("sys",), ("dev",)) or not stat.S_ISREG(info.st_mode):
        raise InputError(source, None, "is not a regular file", f"give a text file as the {what}")
    if info.st_size > limit:
        raise InputError(source, None, f"is larger than {limit // 1_000_000} MB", f"a {what} is a short text file")
    try:
        with resolved.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise InputError(source, None, f"cannot be read ({e.strerror})") from None
    if len(data) > limit:
        raise InputError(source, None, f"is larger than {limit // 1_000_000} MB", f"a {what} is a short text file")
    if b"\x00" in data:
        raise InputError(source, None, "is a binary file, not text", f"give a text file as the {what}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(source, None, "is not UTF-8 text", "save it as UTF-8") from None


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Like atomic_write_text, for images and other binary files."""
    _atomic(path, lambda f: f.write(data), binary=True)
