"""Text hygiene: no Markdown or placeholders left, German text, the brief's form of address."""

from __future__ import annotations

import re

from functools import lru_cache

from ..german import address_violations_in, looks_german
from ..display import plural
from . import ids
from .registry import Check, Rule, Verdict, declare
from .research import Research

_LEFTOVERS = [
    (re.compile(r"\*\*|__"), "Markdown bold"),
    (re.compile(r"^\s*#{1,6}\s|(?<!\S)#{2,6}\s", re.MULTILINE), "Markdown heading"),
    (re.compile(r"```|~~~"), "code fence"),
    (re.compile(r"\[[^\]]*\]\([^)]*\)"), "Markdown link"),
    (re.compile(r"\[(?:Link|Quelle|URL|Ankertext|Anchor)[^\]]*\]", re.IGNORECASE), "placeholder link"),
    (re.compile(r"(?-i:\bTODO\b|\bTBD\b|\bFIXME\b|\bXXX\b)|\bLorem\b|\bipsum\b"), "placeholder"),
    (re.compile(r"\{\{|\}\}|\{%|%\}"), "template code"),
]

_TRIGGERS = ("*", "_", "#", "`", "~", "[", "{", "}")
_PLACEHOLDER_WORDS = ("todo", "tbd", "fixme", "xxx", "lorem", "ipsum")
# One pass over each text instead of one per pattern; the group name says which pattern hit.
_ANY_LEFTOVER = re.compile("|".join(f"(?P<p{i}>{p.pattern})" for i, (p, _) in enumerate(_LEFTOVERS)),
                           re.IGNORECASE | re.MULTILINE)


def leftovers_in(text: str) -> list[str]:
    """The Markdown and placeholder leftovers in a text, as found by text.leftovers (the repair
    step removes exactly these)."""
    lowered = text.lower()
    if not any(c in text for c in _TRIGGERS) and not any(w in lowered for w in _PLACEHOLDER_WORDS):
        return []
    return [m.group(0) for m in _ANY_LEFTOVER.finditer(text)]


def _leftovers(r: Research, rule: Rule) -> Verdict:
    leftovers: list[str] = []
    where: list[str] = []
    for e in r.doc.text_elements:
        found = _first_leftover(e.text)
        if found is None:
            continue
        leftovers.append(found)
        if e.section not in where:
            where.append(e.section)
    return Verdict(not leftovers, leftovers, "no Markdown or placeholders in the text" if not leftovers
                   else "; ".join(leftovers[:6]), where=tuple(where))


@lru_cache(maxsize=4096)
def _first_leftover(text: str) -> str | None:
    lowered = text.lower()
    if not any(c in text for c in _TRIGGERS) and not any(w in lowered for w in _PLACEHOLDER_WORDS):
        return None  # cheap pre-test: most texts hold none of the characters the patterns need
    m = _ANY_LEFTOVER.search(text)
    if m is None:
        return None
    return f"{_LEFTOVERS[int(m.lastgroup[1:])][1]} “{m.group(0).strip()}”"


declare(Check(ids.TEXT_LEFTOVERS, "No Markdown or placeholders", "Markdown, placeholders and template code in the text",
              {"brief": Rule("error", "none")}, judge=_leftovers))


def _german(r: Research, rule: Rule) -> Verdict:
    doc = r.doc
    not_german = [e for e in doc.paragraphs if looks_german(e.text) is False]
    return Verdict(not not_german, len(not_german), "every paragraph reads as German" if not not_german
                   else (f"{len(not_german)} paragraph does not" if len(not_german) == 1
                         else f"{len(not_german)} paragraphs do not") + " read as German: "
                   + "; ".join(f"“{e.text[:40]}…”" for e in not_german[:3]),
                   where=tuple(sorted({e.section for e in not_german}, key=doc.sections.index)))


declare(Check(ids.LANGUAGE_GERMAN, "German text", "paragraphs that do not read as German",
              {"brief": Rule("warning", "every paragraph German")}, judge=_german))


def _address(r: Research, rule: Rule) -> Verdict:
    address = r.brief.address
    wrong = [(e, address_violations_in(e.text, address)) for e in r.doc.paragraphs]
    wrong = [(e, words) for e, words in wrong if words]
    other = "du" if address == "Sie" else "Sie"
    forms = sorted({w for _, ws in wrong for w in ws})
    return Verdict(not wrong, forms, f"the reader is addressed as “{address}” throughout" if not wrong
                   else f"{plural(len(wrong), 'paragraph')} {'uses' if len(wrong) == 1 else 'use'} “{other}” forms: "
                   + ", ".join(forms),
                   where=tuple(dict.fromkeys(e.section for e, _ in wrong)), target=f"no “{other}” forms")


declare(Check(ids.LANGUAGE_ADDRESS, "Address as the brief says", "forms of address against the brief's “Sie” or “du”",
              {"brief": Rule("warning", "no forms of the other address")}, judge=_address))
