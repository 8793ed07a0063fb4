"""Structure: one H1 with text, no skipped heading level, no two equal headings, a spacer directly
before every H2."""

from __future__ import annotations

from ..brief import Brief
from ..display import plural
from ..post import Document
from . import CheckResult, check, result


@check
def structure_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    missing_spacer: list[str] = []
    for i, e in enumerate(doc.elements):
        if e.kind == "heading" and e.level == 2:
            if i == 0 or doc.elements[i - 1].kind != "spacer":
                missing_spacer.append(e.section)
    h1s = [e for e in doc.headings if e.level == 1]
    h1_count = len(h1s)
    h1_empty = sum(1 for e in h1s if not e.text.strip())
    seen: dict[str, str] = {}
    twice: list[str] = []
    for e in doc.headings:
        norm = " ".join(e.text.split()).casefold()
        if norm and norm in seen and e.text not in twice:
            twice.append(e.text)
        seen.setdefault(norm, e.text)
    skipped: list[str] = []
    previous = 0
    for e in doc.headings:
        if e.level and previous and e.level > previous + 1:
            skipped.append(f"H{previous}→H{e.level} at “{e.text}”")
        previous = e.level or previous
    first_level = doc.headings[0].level if doc.headings else None
    if first_level and first_level > 1 and h1_count:
        skipped.insert(0, f"starts with H{first_level} before the H1")
    h2_count = sum(1 for e in doc.headings if e.level == 2)
    return [
        result("structure.spacers", "Spacer before every H2", not missing_spacer,
               f"{h2_count - len(missing_spacer)}/{h2_count}", "a spacer before each H2",
               "every H2 follows a spacer block" if not missing_spacer
               else f"{len(missing_spacer)} H2 without a spacer directly before", where=missing_spacer),
        result("structure.h1", "Exactly one H1", h1_count == 1 and not h1_empty, h1_count, "1, not empty",
               plural(h1_count, "H1 heading") + (", the H1 is empty" if h1_empty else "")),
        result("structure.headings_unique", "No two equal headings", not twice, twice, "each heading once",
               "every heading is different" if not twice
               else "used more than once: " + ", ".join(f"“{t}”" for t in twice)),
        result("structure.heading_levels", "No skipped heading level", not skipped, skipped, "no gaps",
               "heading levels descend one at a time" if not skipped else "; ".join(skipped)),
    ]
