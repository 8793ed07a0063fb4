"""Paragraphs: no more sentences than the brief allows."""

from __future__ import annotations

from ..display import plural
from . import ids
from .registry import Check, Rule, Verdict, declare
from .research import Research


def _sentences(r: Research, rule: Rule) -> Verdict:
    limit = r.brief.targets.max_sentences_per_paragraph
    paragraphs = r.doc.paragraphs
    long = [(i, p) for i, p in enumerate(paragraphs) if len(p.sentences) > limit]
    worst = max((len(p.sentences) for p in paragraphs), default=0)
    return Verdict(not long, worst, f"every paragraph has at most {plural(limit, 'sentence')}" if not long
                   else f"{plural(len(long), 'paragraph')} over {plural(limit, 'sentence')}: "
                   + "; ".join(f"paragraph {i + 1} has {len(p.sentences)}" for i, p in long),
                   where=tuple(dict.fromkeys(p.section for _, p in long)), target=f"≤ {limit} per paragraph")


declare(Check(ids.PARAGRAPHS_SENTENCES, "Sentences per paragraph", "sentences in the longest paragraph",
              {"brief": Rule("error", "≤ max_sentences_per_paragraph per paragraph")}, judge=_sentences))
