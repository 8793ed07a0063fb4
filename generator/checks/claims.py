"""Unsourced statistics: percentages or "laut …" claims in a paragraph that links no source."""

from __future__ import annotations

import re
from functools import lru_cache

from ..display import plural
from . import ids
from .registry import Check, Rule, Verdict, declare
from .research import Research

_STAT = re.compile(r"\d+(?:[.,]\d+)?\s?(?:%|Prozent\b)|\blaut\s+\w+|\b(?:Studie|Studien|Umfrage)\b", re.IGNORECASE)


def _unsourced(r: Research, rule: Rule) -> Verdict:
    doc, brief = r.doc, r.brief
    found: list[str] = []
    where: list[str] = []
    for e in doc.paragraphs:
        if e.links and any(not brief.is_internal(l.href) for l in e.links):
            continue  # a paragraph that links an external source backs its claim
        claims = _claims(e.text)
        found.extend(claims)
        if claims and e.section not in where:
            where.append(e.section)
    return Verdict(not found, found, "no unsourced statistics" if not found
                   else f"{plural(len(found), 'claim')} without a source link: " + ", ".join(f"“{f}”" for f in found[:8]),
                   where=tuple(where))


@lru_cache(maxsize=4096)
def _claims(text: str) -> tuple[str, ...]:
    return tuple(m.group(0) for m in _STAT.finditer(text))


declare(Check(ids.CLAIMS_UNSOURCED, "Sourced statistics", "percentages, “laut …”, “Studie” in paragraphs without "
              "an external source link", {"brief": Rule("warning", "every figure linked to a source")}, judge=_unsourced))
