"""Unsourced statistics: percentages or "laut …" claims in a paragraph that links no source."""

from __future__ import annotations

import re

from ..brief import Brief
from ..display import plural
from ..post import Document
from . import CheckResult, check, result

_STAT = re.compile(r"\d+(?:[.,]\d+)?\s?(?:%|Prozent\b)|\blaut\s+\w+|\b(?:Studie|Studien|Umfrage)\b", re.IGNORECASE)


@check
def claim_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    found: list[str] = []
    where: list[str] = []
    for e in doc.paragraphs:
        if e.links and any(not brief.is_internal(l.href) for l in e.links):
            continue  # a paragraph that links an external source backs its claim
        for m in _STAT.finditer(e.text):
            found.append(m.group(0))
            if e.section not in where:
                where.append(e.section)
    return [result("claims.unsourced", "Sourced statistics", not found, found, "every figure linked to a source",
                   "no unsourced statistics" if not found
                   else f"{plural(len(found), 'claim')} without a source link: " + ", ".join(f"“{f}”" for f in found[:8]),
                   severity="warning", where=where)]
