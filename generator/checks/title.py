"""Title rules: a power word, a number, the brief's year; the number matches the list."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from ..brief import Brief
from ..post import Document
from . import CheckResult, check, result

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


def _has_power_word(title: str, brief: Brief) -> bool:
    return bool(power_words_in(title, brief))


def _has_number(title: str, brief: Brief) -> bool:
    return title_number(title, brief.year) is not None


def _has_year(title: str, brief: Brief) -> bool:
    return str(brief.year) in re.findall(r"\d{4}", title)


def enabled_rules(brief: Brief) -> dict[str, object]:
    """The title rules the brief asks for: check id -> predicate(title, brief)."""
    rules = {"title.power_word": (brief.title.power_word, _has_power_word),
             "title.number": (brief.title.number, _has_number),
             "title.year": (brief.title.year, _has_year)}
    return {rule_id: fn for rule_id, (on, fn) in rules.items() if on}


def title_rule_failures(title: str, brief: Brief) -> list[str]:
    """Ids of the title rules a candidate title breaks (used to pick titles before rendering)."""
    return [rule_id for rule_id, fn in enabled_rules(brief).items() if not fn(title, brief)]


@check
def title_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    rules = brief.title
    titles = {"H1": doc.h1 or ""}
    if doc.post.seo_title is not None:
        titles["SEO title"] = doc.post.seo_title
    out: list[CheckResult] = []

    def per_title(test) -> tuple[bool, dict[str, object]]:
        values = {name: test(t) for name, t in titles.items()}
        return all(bool(v) for v in values.values()), values

    if rules.power_word:
        ok, values = per_title(lambda t: power_words_in(t, brief))
        out.append(result("title.power_word", "Power word in title", ok, values, "a power word",
                          "; ".join(f"{k}: {', '.join(v) if v else 'none'}" for k, v in values.items())))
    if rules.number:
        ok, values = per_title(lambda t: title_number(t, brief.year))
        out.append(result("title.number", "Number in title", ok, values, "a number",
                          "; ".join(f"{k}: {v if v is not None else 'none'}" for k, v in values.items())))
    if rules.year:
        ok, values = per_title(lambda t: str(brief.year) in re.findall(r"\d{4}", t))
        out.append(result("title.year", "Year in title", ok, values, str(brief.year),
                          "; ".join(f"{k}: {'has' if v else 'lacks'} {brief.year}" for k, v in values.items())))
    number = title_number(doc.h1 or "", brief.year)
    if number is not None:
        numbered = numbered_sections(doc)
        ok = len(numbered) == number
        out.append(result("title.number_matches", "Title number matches the sections", ok, len(numbered),
                          str(number), f"the title promises {number}; the post has {len(numbered)} numbered H2 sections",
                          severity="warning"))
    return out
