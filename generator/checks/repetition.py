"""Repetition: the same sentence opening or the same 5-word phrase used over and over."""

from __future__ import annotations

from collections import Counter

from ..brief import Brief
from ..german import words
from ..post import Document
from . import CheckResult, check, result

OPENING_MAX = 3  # the same two-word opening in more sentences than this, or than 5 % of them
OPENING_SHARE = 0.05
PHRASE_MAX = 2  # the same five-word phrase more often than this


def _norm(word: str) -> str:
    return word.lower().strip(".,;:!?„“”\"'()–-")


@check
def repetition_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    keyword = [w.lower() for w in brief.keyword.split()]
    openings: Counter[str] = Counter()
    phrases: Counter[tuple[str, ...]] = Counter()
    k = len(keyword)
    for sentence in doc.sentences:
        ws = [_norm(w) for w in words(sentence)]
        if len(ws) >= 2:
            openings[" ".join(ws[:2])] += 1
        starts = [i for i in range(len(ws) - k + 1) if ws[i:i + k] == keyword]
        for i in range(len(ws) - 4):
            # Phrases that merely contain the keyword are the keyword's job, not repetition.
            if not any(i <= s <= i + 5 - k for s in starts):
                phrases[tuple(ws[i:i + 5])] += 1
    opening_max = max(OPENING_MAX, int(OPENING_SHARE * len(doc.sentences)))
    repeated_openings = {o: n for o, n in openings.items() if n > opening_max}
    repeated_phrases = {" ".join(p): n for p, n in phrases.items() if n > PHRASE_MAX}
    return [
        result("repetition.openings", "Varied sentence openings", not repeated_openings, repeated_openings,
               f"no opening more than {opening_max}×",
               "sentence openings vary" if not repeated_openings
               else "; ".join(f"“{o} …” {n}×" for o, n in sorted(repeated_openings.items(), key=lambda x: -x[1])[:5]),
               severity="warning"),
        result("repetition.phrases", "No repeated phrases", not repeated_phrases, repeated_phrases,
               f"no 5-word phrase more than {PHRASE_MAX}×",
               "no phrase repeats" if not repeated_phrases
               else "; ".join(f"“{p}” {n}×" for p, n in sorted(repeated_phrases.items(), key=lambda x: -x[1])[:5]),
               severity="warning"),
    ]
