"""Repetition: the same sentence opening or the same 5-word phrase used over and over."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from itertools import chain

from ..german import words
from . import ids
from .registry import Check, Rule, Verdict, declare
from .research import Research

OPENING_MAX = 3  # the same two-word opening in more sentences than this, or than 5 % of them
OPENING_SHARE = 0.05
PHRASE_MAX = 2  # the same five-word phrase more often than this


def _norm(word: str) -> str:
    return word.lower().strip(".,;:!?„“”\"'()–-")


def _counts(r: Research) -> tuple[Counter[str], Counter[tuple[str, ...]]]:
    return r.memo("repetition", lambda: _count(r))


def _count(r: Research) -> tuple[Counter[str], Counter[tuple[str, ...]]]:
    keyword = r.brief.keyword
    read = [_sentence(s, keyword) for s in r.doc.sentences]
    openings = Counter(opening for opening, _ in read if opening is not None)
    phrases = Counter(chain.from_iterable(p for _, p in read))
    return openings, phrases


@lru_cache(maxsize=6144)  # per sentence (~260 a post, 1.5 kB each): the posts in flight are re-checked
def _sentence(sentence: str, keyword_phrase: str) -> tuple[str | None, tuple[tuple[str, ...], ...]]:
    """A sentence's two-word opening and its five-word phrases."""
    keyword = [w.lower() for w in keyword_phrase.split()]
    k = len(keyword)
    ws = [_norm(w) for w in words(sentence)]
    opening = " ".join(ws[:2]) if len(ws) >= 2 else None
    starts = [i for i in range(len(ws) - k + 1) if ws[i:i + k] == keyword]
    phrases = []
    for i in range(len(ws) - 4):
        # Phrases that merely contain the keyword are the keyword's job, not repetition.
        if not any(i <= s <= i + 5 - k for s in starts):
            phrases.append(tuple(ws[i:i + 5]))
    return opening, tuple(phrases)


def _openings(r: Research, rule: Rule) -> Verdict:
    openings, _ = _counts(r)
    opening_max = max(OPENING_MAX, int(OPENING_SHARE * len(r.doc.sentences)))
    repeated = {o: n for o, n in openings.items() if n > opening_max}
    return Verdict(not repeated, repeated, "sentence openings vary" if not repeated
                   else "; ".join(f"“{o} …” {n}×" for o, n in sorted(repeated.items(), key=lambda x: -x[1])[:5]),
                   target=f"no opening more than {opening_max}×")


declare(Check(ids.REPETITION_OPENINGS, "Varied sentence openings", "the same two-word sentence opening, over and over",
              {"brief": Rule("warning", f"no opening more than {OPENING_MAX}× (or 5 % of the sentences)")},
              judge=_openings))


def _phrases(r: Research, rule: Rule) -> Verdict:
    _, phrases = _counts(r)
    repeated = {" ".join(p): n for p, n in phrases.items() if n > PHRASE_MAX}
    return Verdict(not repeated, repeated, "no phrase repeats" if not repeated
                   else "; ".join(f"“{p}” {n}×" for p, n in sorted(repeated.items(), key=lambda x: -x[1])[:5]))


declare(Check(ids.REPETITION_PHRASES, "No repeated phrases", "the same five-word phrase, over and over",
              {"brief": Rule("warning", f"no 5-word phrase more than {PHRASE_MAX}×")}, judge=_phrases))
