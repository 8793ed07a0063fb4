"""Keyword: how often the exact phrase is used, and where."""

from __future__ import annotations

from ..brief import Brief
from ..display import plural
from ..german import count_keyword
from ..post import Document
from . import CheckResult, check, result


@check
def keyword_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    kw, t = brief.keyword, brief.targets
    count = count_keyword(doc.text, kw)  # over the whole text: a phrase may not span elements
    words = len(doc.word_list)
    # Yoast's keyphrase density: occurrences per 100 words.
    density = 100.0 * count / words if words else 0.0
    per_section = dict.fromkeys(doc.sections, 0)
    for e in doc.text_elements:
        per_section[e.section] += count_keyword(e.text, kw)
    missing = [s for s, n in per_section.items() if n == 0]
    first_para = doc.paragraphs[0].text if doc.paragraphs else ""
    h2s = [e for e in doc.headings if e.level == 2]
    in_h2 = [e.section for e in h2s if count_keyword(e.text, kw)]
    out = [
        result("keyword.count", "Keyword count", t.keyword_min <= count <= t.keyword_max, count,
               f"{t.keyword_min}–{t.keyword_max}",
               f"“{kw}” occurs {plural(count, 'time')}"
               + ("" if t.keyword_min <= count <= t.keyword_max else
                  f"; {t.keyword_min - count} more needed" if count < t.keyword_min else
                  f"; {count - t.keyword_max} too many")),
        result("keyword.density", "Keyword density", density <= 3.0, round(density, 2), "≤ 3 %",
               f"{density:.1f} uses per 100 words"
               + (" (keyword stuffing)" if density > 3.0 else ""), severity="warning"),
        result("keyword.h1", "Keyword in H1", bool(doc.h1 and count_keyword(doc.h1, kw)), doc.h1, "contains keyword",
               "the H1 contains the keyword" if doc.h1 and count_keyword(doc.h1, kw) else "the H1 lacks the keyword"),
        result("keyword.first_paragraph", "Keyword in first paragraph", bool(count_keyword(first_para, kw)),
               count_keyword(first_para, kw), "≥ 1",
               "the first paragraph contains the keyword" if count_keyword(first_para, kw)
               else "the first paragraph lacks the keyword", where=[doc.paragraphs[0].section] if doc.paragraphs else []),
        result("keyword.h2", "Keyword in a subheading", bool(in_h2), len(in_h2), "≥ 1 H2",
               f"{len(in_h2)} of {len(h2s)} H2 headings contain the keyword", severity="warning", where=in_h2),
        result("keyword.distribution", "Keyword distribution", len(missing) <= len(per_section) // 2,
               per_section, "in at least half of the sections",
               f"used in {len(per_section) - len(missing)} of {len(per_section)} sections"
               + (f"; none in {len(missing)}" if missing else ""), severity="warning", where=missing),
    ]
    return out
