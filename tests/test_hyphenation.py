"""The German hyphenation patterns kept in the user's cache: read back, they hyphenate exactly as
pyphen's own parse of its dictionary."""

from __future__ import annotations

import pyphen
import pytest

from generator import german, hyphenation

from .conftest import DATA, SEED


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """A fresh cache folder, and no patterns parsed in this process yet."""
    monkeypatch.setenv("GENPOST_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.hyphenator.cache_clear()
    yield tmp_path
    hyphenation.hyphenator.cache_clear()


def _words() -> list[str]:
    text = SEED.read_text(encoding="utf-8") + (DATA / "good_post.md").read_text(encoding="utf-8")
    found = {w for word in german.words(text) for w in german._LETTERS_RE.findall(word)}
    return sorted(found | {"Digitalisierung", "Interoperabilitätsanforderungen", "Idee", "Schifffahrt"})


def _fresh_positions(words: list[str]) -> list[list[int]]:
    hd = pyphen.HyphDict(pyphen.LANGUAGES["de_DE"])  # pyphen's own parse, not shared with anything
    right = 2
    return [[i for i in hd.positions(w) if 2 <= i <= len(w) - right] for w in words]


def test_the_first_process_writes_the_patterns_and_the_next_reads_them_back_alike(cache_home, monkeypatch):
    words = _words()
    assert len(words) > 500
    expected = _fresh_positions(words)

    first = hyphenation.hyphenator()
    [written] = cache_home.glob("hyph-de_DE-*.marshal")
    assert [first.positions(w) for w in words] == expected

    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.hyphenator.cache_clear()
    monkeypatch.setattr(pyphen.HyphDict, "__init__", lambda *a: pytest.fail("parsed the dictionary again"))
    second = hyphenation.hyphenator()
    assert second.hd.patterns is not first.hd.patterns  # read from the file, not this process's parse
    assert [second.positions(w) for w in words] == expected
    assert list(cache_home.iterdir()) == [written]  # no temporary file left


def test_a_damaged_cache_file_is_parsed_again_and_replaced(cache_home, monkeypatch):
    hyphenation.hyphenator()
    [written] = cache_home.glob("hyph-de_DE-*.marshal")
    good = written.read_bytes()
    written.write_bytes(good[: len(good) // 2])
    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.hyphenator.cache_clear()
    assert hyphenation.hyphenator().positions("Digitalisierung") == [2, 4, 6, 8, 11]
    assert written.read_bytes() == good


def test_an_unwritable_cache_folder_costs_only_the_parse(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("GENPOST_CACHE_HOME", str(blocker / "genpost"))
    monkeypatch.setattr(pyphen, "hdcache", {})
    hyphenation.hyphenator.cache_clear()
    try:
        assert hyphenation.hyphenator().positions("Digitalisierung") == [2, 4, 6, 8, 11]
    finally:
        hyphenation.hyphenator.cache_clear()
