"""Step 2, write: one LLM call per section, all sections at once (asyncio).

The model returns plain German text; a link is asked for with the marker [Ankertext](URL).
"""

from __future__ import annotations

import asyncio
import re

from pydantic import BaseModel, Field

from .answers import ask_text
from .brief import Brief
from .llm.client import LLMClient
from .plan import Plan
from .prompting import build_request


class SectionDraft(BaseModel):
    paragraphs: list[str] = Field(default_factory=list)  # plain text with [Anker](URL) markers

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


class Draft(BaseModel):
    sections: list[SectionDraft]


def to_paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; a text without any is split at its line breaks."""
    blocks = re.split(r"\n\s*\n", text.strip()) if re.search(r"\n\s*\n", text) else text.splitlines()
    return [" ".join(b.split()) for b in blocks if b.strip()]


def section_task(brief: Brief, plan: Plan, index: int) -> dict:
    s = plan.sections[index]
    return {"aufgabe": "abschnitt", "index": index, "ueberschrift": s.heading, "zusammenfassung": s.summary,
            "einleitung": index == 0, "fazit": index == len(plan.sections) - 1,
            "woerter": s.words, "keyword": brief.keyword, "keyword_verwendungen": s.keyword_uses,
            "links": [{"url": l.url, "anker": l.anchor} for l in s.links], "anrede": brief.address,
            "max_saetze": brief.targets.max_sentences_per_paragraph, "thema": brief.topic_or_keyword,
            "zielgruppe": brief.audience or ""}


async def draft_section(client: LLMClient, brief: Brief, plan: Plan, index: int) -> SectionDraft:
    s = plan.sections
    request = build_request(
        brief, "section.j2", purpose=f"section:{index}", plan=plan, section=s[index],
        position=index + 1, total=len(s), is_intro=index == 0,
        previous=s[index - 1].heading if index > 0 else "", next=s[index + 1].heading if index + 1 < len(s) else "",
        task=section_task(brief, plan, index), max_tokens=max(1024, s[index].words * 4))
    text = await ask_text(client, request)
    return SectionDraft(paragraphs=to_paragraphs(text) if text else [])


async def draft_post(client: LLMClient, brief: Brief, plan: Plan) -> Draft:
    """All sections at once. If one fails for good, the others still finish, and the error carries
    the partial draft (`partial_draft`) so that the work so far can be kept."""
    results = await asyncio.gather(*(draft_section(client, brief, plan, i) for i in range(len(plan.sections))),
                                   return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    draft = Draft(sections=[r if isinstance(r, SectionDraft) else SectionDraft() for r in results])
    if errors:
        errors[0].partial_draft = draft
        raise errors[0]
    return draft
