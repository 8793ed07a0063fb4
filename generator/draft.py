"""Step 2, draft: one LLM call per section, all sections at once (asyncio).

The model returns plain German text and is asked for links as [Ankertext](URL); links it writes in
another common form are taken as markers too (edits.clean_answer). A section whose answer stays
unusable after the corrective retry is left empty: the repair step writes it again.
"""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field

from .answers import ask_text
from .brief import Brief
from .checks.aims import aims
from .edits import clean_answer, to_paragraphs  # noqa: F401  (to_paragraphs: part of this step's interface)
from .llm.client import LLMClient
from .plan import Plan
from .prompting import build_request, transition_tenths


class SectionDraft(BaseModel):
    paragraphs: list[str] = Field(default_factory=list)  # plain text with [Anker](URL) markers

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


class Draft(BaseModel):
    sections: list[SectionDraft]


def section_task(brief: Brief, plan: Plan, index: int, kind: str = "abschnitt") -> dict:
    """A section prompt's task in machine-readable form (for the offline mock; the prompt says it in words)."""
    s = plan.sections[index]
    task = {"aufgabe": kind, "keyword": brief.keyword, "anrede": brief.address,
            "max_saetze": brief.targets.max_sentences_per_paragraph, "index": index,
            "einleitung": index == 0, "fazit": index == len(plan.sections) - 1,
            "ueberschrift": "" if index == 0 else s.heading, "woerter": s.words, "keyword_verwendungen": s.keyword_uses,
            "links": [{"url": l.url, "anker": l.anchor} for l in s.links]}
    return {**task, **style_task(brief)}


def style_task(brief: Brief) -> dict:
    """What every section prompt asks of the prose under the SEO plugin (prompts/style.j2)."""
    a = aims(brief)
    out: dict = {}
    if a.transition_share:
        out["ueberleitungen"] = transition_tenths(a.transition_share) / 10
    if a.passive_share:
        out["aktiv"] = True
    return out


async def draft_section(client: LLMClient, brief: Brief, plan: Plan, index: int, purpose: str | None = None,
                        note: str | None = None) -> SectionDraft:
    """One section; `note` says why it is written again (the request then differs from the first)."""
    s = plan.sections
    request = build_request(
        brief, "section.j2", purpose=purpose or f"section:{index}", plan=plan, section=s[index], note=note,
        position=index + 1, total=len(s), is_intro=index == 0,
        previous=s[index - 1].heading if index > 0 else "", next=s[index + 1].heading if index + 1 < len(s) else "",
        task=section_task(brief, plan, index), max_tokens=max(1024, s[index].words * 4))
    text = await ask_text(client, request)
    return SectionDraft(paragraphs=clean_answer(text, s[index], brief) if text else [])


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
