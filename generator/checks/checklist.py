"""A post's own "Verification Checklist": every claim compared with what was measured."""

from __future__ import annotations

import re

from ..brief import Brief
from ..post import Document
from . import CheckResult, ids, result

_NUMBER = re.compile(r"(~|ca\.\s*|about\s+)?(\d[\d.,]*)")
_YES = re.compile(r":\s*(yes|ja|true|✓)\b", re.IGNORECASE)

# (words in the claim's label, the check it claims, kind of claim)
_CLAIMS: list[tuple[tuple[str, ...], str, str]] = [
    (("keyword",), ids.KEYWORD_COUNT, "number"),
    (("internal link",), ids.LINKS_INTERNAL_COUNT, "number"),
    (("external link",), ids.LINKS_EXTERNAL_COUNT, "number"),
    (("word count",), ids.WORDS_COUNT, "number"),
    (("words",), ids.WORDS_COUNT, "number"),
    (("seo title",), ids.SEO_TITLE_LENGTH, "number"),
    (("meta description",), ids.META_LENGTH, "number"),
    (("block format",), ids.MARKUP_BLOCKS, "pass"),
    (("spacer",), ids.STRUCTURE_SPACERS, "pass"),
    (("sentences per paragraph",), ids.PARAGRAPHS_SENTENCES, "pass"),
    (("power word",), ids.TITLE_POWER_WORD, "pass"),
    (("number in title",), ids.TITLE_NUMBER, "pass"),
    (("year in title",), ids.TITLE_YEAR, "pass"),
]


def _claimed_number(claim: str) -> tuple[float, bool] | None:
    value_part = claim.split(":", 1)[1] if ":" in claim else claim
    m = _NUMBER.search(value_part)
    if not m:
        return None
    return float(m.group(2).replace(".", "").replace(",", ".")), bool(m.group(1))


def compare_claims(doc: Document, brief: Brief, results: list[CheckResult]) -> list[CheckResult]:
    claims = doc.post.checklist
    if not claims:
        return []
    by_id = {r.id: r for r in results}
    false: list[str] = []
    unverifiable: list[str] = []
    for claim in claims:
        shown = claim.split(" (", 1)[0]  # the claim without its parenthesised list
        label = claim.split(":", 1)[0].lower()
        rule = next((r for r in _CLAIMS if all(w in label for w in r[0])), None)
        if rule is None or rule[1] not in by_id:
            unverifiable.append(claim)
            continue
        measured = by_id[rule[1]]
        if rule[2] == "pass":
            claimed_yes = bool(_YES.search(claim)) or '"' in claim or "“" in claim
            if claimed_yes and not measured.passed:
                false.append(f"“{shown}” but measured: {measured.message}")
            continue
        parsed = _claimed_number(claim)
        if parsed is None or not isinstance(measured.value, (int, float)):
            unverifiable.append(claim)
            continue
        number, approximate = parsed
        tolerance = 0.1 * measured.value if approximate else 0
        if abs(number - measured.value) > tolerance:
            false.append(f"“{shown}”, measured {measured.value}")
    msg = (f"all {len(claims)} claims agree with the measurement" if not false
           else f"{len(false)} of {len(claims)} claims are false: " + "; ".join(false))
    if unverifiable:
        msg += f" ({len(unverifiable)} claims not verifiable)"
    return [result(ids.CHECKLIST_CLAIMS, "Checklist claims are true", not false, false, "every claim measured true",
                   msg)]
