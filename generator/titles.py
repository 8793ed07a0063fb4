"""SEO title, meta description and H1: chosen by the checker's own rules (checks/meta.py,
checks/title.py: one judge per rule), never left empty. When no candidate of the model passes,
the plan asks once for new ones (naming the rules each broke); when none of those passes either,
one is built deterministically from the brief's rules: the number of sections, a power word, the
year."""

from __future__ import annotations

from .brief import Brief
from .checks import ids
from .checks.aims import aims
from .checks.meta import meta_length_bounds, seo_title_failures
from .checks.title import power_words_in, title_rule_failures
from .german import count_keyword

_POWER_WORDS = ("bewährte", "praxisnahe", "effektive", "einfache", "entscheidende")
_META_TAILS = {
    "Sie": ("Erfahren Sie, worauf es in der Praxis ankommt.", "Mit konkreten Beispielen und klaren nächsten Schritten.",
            "So gelingt der Einstieg ohne teure Umwege.", "Verständlich erklärt und sofort umsetzbar.",
            "Für Ihren Alltag im Betrieb."),
    "du": ("Erfahre, worauf es in der Praxis ankommt.", "Mit konkreten Beispielen und klaren nächsten Schritten.",
           "So gelingt dir der Einstieg ohne teure Umwege.", "Verständlich erklärt und sofort umsetzbar.",
           "Für deinen Alltag im Betrieb."),
}


def seo_title_problems(title: str, brief: Brief) -> list[str]:
    return seo_title_failures(title, brief) + title_rule_failures(title, brief)


def h1_problems(h1: str, brief: Brief) -> list[str]:
    return title_rule_failures(h1, brief) + ([] if count_keyword(h1, brief.keyword) else ["keyword.h1"])


def pick(candidates: list[str], problems) -> str | None:
    """The first candidate that breaks no rule."""
    for c in candidates:
        c = " ".join(c.split())
        if c and not problems(c):
            return c
    return None


def describe(problems: list[str], brief: Brief) -> str:
    """The rules a candidate breaks, in the words of the prompts."""
    t = brief.targets
    lo, hi = meta_length_bounds(brief)
    words = {ids.SEO_TITLE_LENGTH: f"leer oder länger als {t.seo_title_max_chars} Zeichen",
             ids.SEO_TITLE_KEYWORD: "ohne das Keyword", ids.META_KEYWORD: "ohne das Keyword",
             ids.SEO_TITLE_KEYPHRASE: "ohne das Keyword",
             ids.SEO_TITLE_KEYWORD_START: ("das Keyword steht nicht ganz am Anfang"
                                           if aims(brief).title_keyword_start == "start"
                                           else "das Keyword steht nicht in der ersten Hälfte"),
             ids.SEO_TITLE_WIDTH: "in den Suchergebnissen zu breit (über 600 Pixel)",
             ids.META_KEYPHRASE: "das Keyword fehlt oder steht mehr als zweimal darin",
             ids.TITLE_POWER_WORD: "ohne starkes Wort", ids.TITLE_NUMBER: "ohne Zahl",
             ids.TITLE_YEAR: f"ohne die Jahreszahl {brief.year}",
             ids.META_LENGTH: f"nicht {lo} bis {hi} Zeichen lang"}
    return ", ".join(words.get(p, p) for p in problems)


def _power_word(brief: Brief) -> str:
    for word in _POWER_WORDS + tuple(brief.title.power_words):
        if power_words_in(word, brief):
            return word
    return _POWER_WORDS[0]


def _parts(brief: Brief, sections: int) -> tuple[str, str, str]:
    rules = brief.title
    number = f"{sections} " if rules.number else ""
    power = f"{_power_word(brief)} " if rules.power_word else ""
    year = str(brief.year) if rules.year else ""
    return number, power, year


def fallback_title(brief: Brief, sections: int) -> str:
    """A title built from the brief's rules; the first pattern that passes the SEO-title checks,
    else the shortest (a keyword longer than the limit cannot pass at all)."""
    kw = brief.keyword
    number, power, year = _parts(brief, sections)
    things = f"{number}{power}Tipps"
    with_year = f" {year}" if year else ""
    candidates = [f"{kw}: {things} für {year}" if year else f"{kw}: {things}", f"{kw}{with_year}: {things}",
                  f"{things}: {kw}{with_year}", f"{kw}: {things}{with_year}",
                  f"{kw}{with_year}: {number}{power}".strip().rstrip(":")]
    return pick(candidates, lambda c: seo_title_problems(c, brief)) or min(candidates, key=len)


def fallback_meta(brief: Brief, sections: int) -> str:
    """A description from the keyword, the brief's title rules and plain sentences, filled up to
    its bounds."""
    lo, hi = meta_length_bounds(brief)  # the brief's bounds, narrowed by the SEO plugin's
    number, power, year = _parts(brief, sections)
    text = f"{brief.keyword}: {number}{power}Tipps" + (f" für {year}" if year else "") + "."
    for tail in _META_TAILS[brief.address]:
        if len(text) >= lo:
            break
        if len(text) + 1 + len(tail) <= hi:
            text += " " + tail
    if len(text) > hi:
        text = text[:hi].rsplit(" ", 1)[0]
    return text
