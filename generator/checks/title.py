"""Title rules: a power word, a number, the brief's year -- in the H1 (the post title) and the SEO
title; the number matches the numbered sections."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..brief import Brief
from ..post import Document
from . import ids
from .registry import Check, Rule, Verdict, declare, failures
from .research import Research

_NUMBERED_HEADING = re.compile(r"^(?:[^\W\d_]+\s+)?(\d{1,2})\s*[:.)–-]")
_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?![\d.,]?\d)")
_NUMBER_WORDS = {"drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9, "zehn": 10,
                 "elf": 11, "zwölf": 12}


@lru_cache(maxsize=1)
def builtin_power_words() -> tuple[str, ...]:
    text = (Path(__file__).with_name("power_words.txt")).read_text(encoding="utf-8")
    return tuple(w.strip().lower() for w in text.splitlines() if w.strip() and not w.startswith("#"))


def power_words_in(title: str, brief: Brief) -> list[str]:
    stems = builtin_power_words() + tuple(w.lower() for w in brief.title.power_words)
    found = []
    for word in re.findall(r"[^\W\d_]+", title):
        lw = word.lower()
        # A stem matches a word that is the stem plus an inflection ending (at most 3 letters).
        if any(lw.startswith(s) and len(lw) - len(s) <= 3 for s in stems):
            found.append(word)
    return found


def title_number(title: str, year: int) -> int | None:
    for m in _NUMBER.finditer(title):
        if int(m.group(0)) != year:
            return int(m.group(0))
    for word in re.findall(r"[^\W\d_]+", title.lower()):
        if word in _NUMBER_WORDS:
            return _NUMBER_WORDS[word]
    return None


def numbered_sections(doc: Document) -> list[int]:
    out = []
    for e in doc.headings:
        if e.level == 2:
            m = _NUMBERED_HEADING.match(e.text)
            if m:
                out.append(int(m.group(1)))
    return out


def _power_word(title: str, brief: Brief, rule: Rule) -> Verdict:
    found = power_words_in(title, brief)
    return Verdict(bool(found), found, ", ".join(found) if found else "none")


def _number(title: str, brief: Brief, rule: Rule) -> Verdict:
    n = title_number(title, brief.year)
    return Verdict(n is not None, n, str(n) if n is not None else "none")


def _year(title: str, brief: Brief, rule: Rule) -> Verdict:
    has = str(brief.year) in re.findall(r"\d{4}", title)
    return Verdict(has, has, f"{'has' if has else 'lacks'} {brief.year}")


_TITLES = ("title", "seo_title")  # the H1 (post title) and the SEO title
declare(Check(ids.TITLE_POWER_WORD, "Power word in title", "a power word (generator/checks/power_words.txt plus the "
              "brief's title.power_words) in the H1 and the SEO title", {"brief": Rule("error", "a power word")},
              fields=_TITLES, field_judge=_power_word, applies=lambda b: b.title.power_word))
declare(Check(ids.TITLE_NUMBER, "Number in title", "a number (not the year) in the H1 and the SEO title",
              {"brief": Rule("error", "a number")}, fields=_TITLES, field_judge=_number,
              applies=lambda b: b.title.number))
declare(Check(ids.TITLE_YEAR, "Year in title", "the brief's year in the H1 and the SEO title",
              {"brief": Rule("error", "the brief's year")}, fields=_TITLES, field_judge=_year,
              applies=lambda b: b.title.year))


def _number_matches(r: Research, rule: Rule) -> Verdict:
    number = title_number(r.doc.h1 or "", r.brief.year)
    if number is None:
        return Verdict(True, None, "the title promises no number of sections", target="")
    numbered = numbered_sections(r.doc)
    return Verdict(len(numbered) == number, len(numbered),
                   f"the title promises {number}; the post has {len(numbered)} numbered H2 sections", target=str(number))


declare(Check(ids.TITLE_NUMBER_MATCHES, "Title number matches the sections", "numbered H2 sections against the "
              "number in the title", {"brief": Rule("warning", "the title's number")}, judge=_number_matches))


def enabled_rules(brief: Brief) -> list[str]:
    """The title rules the brief asks for."""
    return [i for i, on in ((ids.TITLE_POWER_WORD, brief.title.power_word), (ids.TITLE_NUMBER, brief.title.number),
                            (ids.TITLE_YEAR, brief.title.year)) if on]


def title_rule_failures(title: str, brief: Brief) -> list[str]:
    """Ids of the title rules a candidate title breaks (used to pick titles before rendering)."""
    return failures("title", title, brief, prefix="title.")
