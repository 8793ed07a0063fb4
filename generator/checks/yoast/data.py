"""Yoast SEO's German word lists (yoastseo 3.6.0), read once from data/yoast-de.json.

The JSON is built from the npm package by tools/build_seo_plugin_data.py; its "sources" name the
file in node_modules/yoastseo/build/ each list comes from. yoastseo is GPL-3.0 (README, Licence).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "yoast-de.json"


@dataclass(frozen=True)
class YoastData:
    version: str
    function_words: frozenset[str]
    transition_words: tuple[str, ...]
    two_part_transition_words: tuple[tuple[str, str], ...]
    first_word_exceptions: frozenset[str]
    stop_words: tuple[str, ...]
    passive_auxiliaries: tuple[str, ...]
    participle_like: frozenset[str]
    passive_irregulars: frozenset[str]
    active_participle_exceptions: frozenset[str]
    abbreviations: tuple[str, ...]
    transliterations: tuple[tuple[str, str], ...]  # (letter, replacement), applied in order
    transliterations_wp: tuple[tuple[str, str], ...]  # applied in reverse order (transliterateWPstyle.js)


@lru_cache(maxsize=1)
def yoast_data() -> YoastData:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return YoastData(
        version=raw["yoastseo"],
        function_words=frozenset(raw["functionWords"]),
        transition_words=tuple(raw["transitionWords"]),
        two_part_transition_words=tuple((a, b) for a, b in raw["twoPartTransitionWords"]),
        first_word_exceptions=frozenset(raw["firstWordExceptions"]),
        stop_words=tuple(raw["stopWords"]),
        passive_auxiliaries=tuple(raw["passiveAuxiliaries"]),
        participle_like=frozenset(raw["participleLike"]),
        passive_irregulars=frozenset(raw["passiveIrregulars"]),
        active_participle_exceptions=frozenset(raw["activeParticipleExceptions"]),
        abbreviations=tuple(raw["abbreviations"]),
        transliterations=tuple((t["letter"], t["alternative"]) for t in raw["transliterations"]),
        transliterations_wp=tuple((t["letter"], t["alternative"]) for t in raw["transliterationsWPstyle"]),
    )
