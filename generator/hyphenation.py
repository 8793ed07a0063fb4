"""Pyphen's German hyphenation patterns, parsed once per installation instead of once per process.

Pyphen reads its `hyph_de_DE.dic` text file into a dictionary of 66,000 patterns every time a
process asks for it: about 0.4-0.7 s of CPU, most of `genpost check`'s time. The parsed patterns are
kept in the user's cache folder (marshal: plain data, no code runs on loading) and read back in
about 10 ms. The file's name carries what the patterns depend on (pyphen's version, the
dictionary file's size and time, the interpreter's marshal format), so an update reads the
dictionary again; a missing, unreadable or unwritable cache only costs the parse.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from functools import lru_cache
from pathlib import Path

LANG = "de_DE"


def cache_folder() -> Path:
    """genpost's folder in the user's cache (GENPOST_CACHE_HOME, else XDG_CACHE_HOME, else the
    platform's usual place)."""
    if os.environ.get("GENPOST_CACHE_HOME"):
        return Path(os.environ["GENPOST_CACHE_HOME"])
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "genpost" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "genpost"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "genpost"


def _cache_file(dic: Path, version: str) -> Path:
    stat = dic.stat()
    key = f"{version}|{dic.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{marshal.version}|{sys.version_info[:2]}"
    return cache_folder() / f"hyph-{LANG}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.marshal"


def _plain(patterns: dict) -> dict | None:
    """The patterns as plain data (equal values shared, which halves the file and its loading),
    or None when a dictionary holds pyphen's nonstandard hyphenations (not plain ints)."""
    shared: dict = {}
    out = {}
    for key, (start, values) in patterns.items():
        if not all(type(v) is int for v in values):
            return None
        value = (start, tuple(values))
        out[key] = shared.setdefault(value, value)
    return out


def _load(path: Path) -> tuple[int, dict] | None:
    """(the longest pattern's length, the patterns), or None for a missing or foreign file."""
    try:
        maxlen, patterns = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return (maxlen, patterns) if type(maxlen) is int and type(patterns) is dict and patterns else None


def _store(path: Path, patterns: dict) -> None:
    """Written whole or not at all (fsutil's atomic write: a temporary file, then a rename)."""
    from .fsutil import atomic_write_bytes

    try:
        atomic_write_bytes(path, marshal.dumps((max(len(key) for key in patterns), patterns)))
    except OSError:
        pass  # a read-only home or full disk: the next process parses the dictionary again


@lru_cache(maxsize=1)
def hyphenator():
    """pyphen.Pyphen for German, its patterns from the cache when they are there."""
    import pyphen

    dic = pyphen.LANGUAGES.get(pyphen.language_fallback(LANG) or "")
    hyph_dict = getattr(pyphen, "HyphDict", None)
    known = getattr(pyphen, "hdcache", None)
    if dic is None or hyph_dict is None or not isinstance(known, dict) or dic in known:
        return pyphen.Pyphen(lang=LANG)  # another pyphen (its own way), or parsed already
    path = _cache_file(Path(dic), getattr(pyphen, "VERSION", getattr(pyphen, "__version__", "?")))
    loaded = _load(path)
    if loaded is None:
        parsed = pyphen.Pyphen(lang=LANG)
        patterns = _plain(parsed.hd.patterns)
        if patterns is None:
            return parsed
        _store(path, patterns)
        return parsed
    hd = hyph_dict.__new__(hyph_dict)  # what HyphDict.__init__ leaves, without reading the file
    hd.maxlen, hd.patterns = loaded
    hd.cache = {}
    known[dic] = hd
    return pyphen.Pyphen(lang=LANG)
