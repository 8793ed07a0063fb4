"""Paragraphs: no more sentences than the brief allows."""

from __future__ import annotations

from ..brief import Brief
from ..display import plural
from ..post import Document
from . import CheckResult, check, result


@check
def paragraph_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    limit = brief.targets.max_sentences_per_paragraph
    long = [(i, p) for i, p in enumerate(doc.paragraphs) if len(p.sentences) > limit]
    worst = max((len(p.sentences) for p in doc.paragraphs), default=0)
    where: list[str] = []
    for _, p in long:
        if p.section not in where:
            where.append(p.section)
    return [result(
        "paragraphs.sentences", "Sentences per paragraph", not long, worst, f"≤ {limit} per paragraph",
        f"every paragraph has at most {plural(limit, 'sentence')}" if not long
        else f"{plural(len(long), 'paragraph')} over {plural(limit, 'sentence')}: "
        + "; ".join(f"paragraph {i + 1} has {len(p.sentences)}" for i, p in long),
        where=where)]
