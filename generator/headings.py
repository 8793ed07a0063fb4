"""The keyphrase in the right share of the H2 headings (Yoast: 30–75 % of the H2/H3; Rank Math: at
least one), fixed deterministically when the model's outline does not comply.

A heading gains the keyword as its subject, before what the section is about
(„Digitalisierung im Mittelstand: Daten als Entscheidungsgrundlage nutzen“, numbered „Tipp 3:
Digitalisierung im Mittelstand – Daten …“): an apposition reads naturally with any keyword,
where an inserted preposition would need the keyword's case and article. A heading loses it only
where the keyword is a part of its own between a colon or a dash („Fazit: Zeiterfassung im
Handwerk – die nächsten Schritte“ → „Fazit: Die nächsten Schritte“); a heading that uses the
keyword inside its sentence keeps it.
"""

from __future__ import annotations

import re

from .brief import Brief
from .checks.aims import aims, heading_has_keyphrase

_NUMBERED = re.compile(r"^([^\W\d_]+\s+\d{1,2})\s*[:.)–-]\s*(.+)$")
_PARTS = re.compile(r"\s*:\s+|\s+[–—-]\s+")


def with_keyword(heading: str, keyword: str) -> str:
    """The heading with the keyword as its subject, before the section's own topic."""
    m = _NUMBERED.match(heading)
    if m:
        return f"{m.group(1)}: {keyword} – {m.group(2)}"
    return f"{keyword}: {heading}"


def without_keyword(heading: str, brief: Brief, profile: str | None = None) -> str | None:
    """The heading without a part that is only the keyword, or None if it has none."""
    parts = [p for p in _PARTS.split(heading.strip()) if p]
    kept = [p for p in parts if not heading_has_keyphrase(p, brief, profile)]
    if len(kept) == len(parts) or not kept or any(heading_has_keyphrase(p, brief, profile) for p in kept):
        return None
    m = _NUMBERED.match(heading)
    if m and len(kept) == 1 and kept[0] == m.group(1):
        return None  # only the label „Tipp 3“ would remain
    first, rest = kept[0], kept[1:]
    if not rest:
        return first[0].upper() + first[1:]
    second = rest[0][0].upper() + rest[0][1:]
    return " – ".join([f"{first}: {second}", *rest[1:]])


def _spread(candidates: list[int], k: int) -> list[int]:
    """k of the candidates, evenly spaced (the first one included)."""
    if k >= len(candidates):
        return list(candidates)
    return [candidates[round(i * len(candidates) / k)] for i in range(k)]


def aim_keyword_in_headings(headings: list[str], brief: Brief, profile: str | None = None
                            ) -> tuple[list[str], str | None]:
    """The H2 headings (main sections and conclusion, in order) with the keyphrase in as many as the
    profile's plugin wants; and a note of what was changed, or None."""
    a = aims(brief, profile)
    n = len(headings)
    low, high = a.subheading_range(n)
    has = [heading_has_keyphrase(h, brief, profile) for h in headings]
    count = sum(has)
    if low <= count <= high:
        return headings, None
    goal = a.subheading_goal(n)
    out = list(headings)
    if count < low:
        for i in _spread([i for i in range(n) if not has[i]], goal - count):
            out[i] = with_keyword(out[i], brief.keyword)
        changed = sum(a != b for a, b in zip(out, headings))
        return out, f"headings: the keyword was in {count} of {n} H2; added to {changed}"
    removable = [(i, h) for i in range(n) if has[i] and (h := without_keyword(out[i], brief, profile))]
    for i, h in removable[::-1][:count - goal]:  # the last ones first: the earlier keep it
        out[i] = h
    changed = sum(a != b for a, b in zip(out, headings))
    return out, f"headings: the keyword was in {count} of {n} H2; taken out of {changed}"
