"""Step 5, repair: each failing error-level check gets its cheapest fix.

Deterministic where possible (split a paragraph over the sentence limit, re-pick a title or meta
candidate, rebuild the slug, use the SEO title as H1); otherwise an LLM rewrite of only the
sections that fall short, with precise German instructions.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field

from .answers import ask_text
from .brief import Brief
from .checks import Report
from .checks.meta import meta_failures, seo_title_failures
from .checks.title import title_rule_failures
from .german import count_keyword, split_sentences, words
from .llm.client import LLMClient
from .markers import hide_markers
from .plan import Plan
from .post import Document, INTRO
from .prompting import build_request
from .draft import Draft, SectionDraft, section_task, to_paragraphs


@dataclass
class Repairs:
    actions: list[str] = field(default_factory=list)
    rewrites: dict[int, list[str]] = field(default_factory=dict)  # section index -> instructions
    targets: dict[int, dict[str, int]] = field(default_factory=dict)  # section index -> new budget

    def ask(self, index: int, instruction: str, **targets: int) -> None:
        self.rewrites.setdefault(index, []).append(instruction)
        self.targets.setdefault(index, {}).update(targets)


# --- deterministic fixes -------------------------------------------------------------------

def split_paragraph(paragraph: str, limit: int) -> list[str]:
    """Split at sentence boundaries into paragraphs of at most `limit` sentences.
    Link markers are swapped for placeholder words first so the splitter never cuts inside one."""
    marks = len(re.findall(r"[.!?…]", paragraph))
    if marks + (not paragraph.rstrip().endswith((".", "!", "?", "…"))) <= limit:
        return [paragraph]  # not enough sentence marks to be over the limit: no need to split
    hidden, restore = hide_markers(paragraph)
    sentences = split_sentences(hidden)
    if len(sentences) <= limit:
        return [paragraph]
    # As even as possible: 4 sentences with a limit of 3 become 2 + 2, not 3 + 1.
    count = -(-len(sentences) // limit)
    size, extra = divmod(len(sentences), count)
    chunks, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        chunks.append(" ".join(sentences[start:end]))
        start = end
    return [restore(c) for c in chunks]


def fix_paragraphs(draft: Draft, limit: int) -> int:
    split = 0
    for section in draft.sections:
        new: list[str] = []
        for p in section.paragraphs:
            parts = split_paragraph(p, limit)
            split += len(parts) > 1
            new.extend(parts)
        section.paragraphs = new
    return split


def fix_titles(plan: Plan, brief: Brief, failing: set[str], repairs: Repairs) -> None:
    if failing & {"seo_title.length", "seo_title.keyword", "title.power_word", "title.number", "title.year"}:
        for candidate in plan.seo_titles:
            c = " ".join(candidate.split())
            if c != plan.seo_title and not seo_title_failures(c, brief) + title_rule_failures(c, brief):
                plan.seo_title = c
                repairs.actions.append(f"SEO title: picked candidate “{c}”")
                break
    if failing & {"keyword.h1", "title.power_word", "title.number", "title.year"} and plan.seo_title:
        if plan.h1 != plan.seo_title and not title_rule_failures(plan.seo_title, brief):
            plan.h1 = plan.seo_title
            repairs.actions.append("H1: uses the SEO title")
    if failing & {"meta.length", "meta.keyword"}:
        for candidate in plan.meta_descriptions:
            c = " ".join(candidate.split())
            if c != plan.meta_description and not meta_failures(c, brief):
                plan.meta_description = c
                repairs.actions.append("meta description: picked the next passing candidate")
                break
    if failing & {"slug.format", "slug.keyword"}:
        plan.slug = brief.default_slug()
        repairs.actions.append(f"slug: rebuilt as {plan.slug}")


# --- what the LLM must rewrite ---------------------------------------------------------------

def _section_of(plan: Plan, index: int) -> str:
    return INTRO if index == 0 else plan.sections[index].heading


def _largest(gaps: dict[int, int], total: int) -> dict[int, int]:
    """Share `total` among sections by their gaps, largest gap first."""
    out: dict[int, int] = {}
    remaining = total
    for i, gap in sorted(gaps.items(), key=lambda kv: (-kv[1], kv[0])):
        if remaining <= 0:
            break
        take = min(gap, remaining)
        if take > 0:
            out[i] = take
            remaining -= take
    if remaining > 0 and gaps:  # spread the rest over the largest sections
        for i in sorted(gaps, key=lambda j: -gaps[j])[:remaining]:
            out[i] = out.get(i, 0) + 1
    return out


def plan_rewrites(report: Report, doc: Document, draft: Draft, plan: Plan, brief: Brief, repairs: Repairs) -> None:
    kw, t = brief.keyword, brief.targets
    n = len(plan.sections)
    section_text = {i: "\n".join(e.text for e in doc.text_elements
                                 if e.section == _section_of(plan, i) and e.kind != "heading") for i in range(n)}
    kw_now = {i: count_keyword(section_text[i], kw) for i in range(n)}
    words_now = {i: len(words(section_text[i])) for i in range(n)}
    failing = set(report.failing_ids())

    if "keyword.count" in failing:
        count = report.get("keyword.count").value
        middle = (t.keyword_min + t.keyword_max + 1) // 2
        if count < t.keyword_min:
            gaps = {i: plan.sections[i].keyword_uses - kw_now[i] for i in range(n)}
            for i, more in _largest({i: g for i, g in gaps.items() if g > 0} or {i: 1 for i in range(n)},
                                    middle - count).items():
                repairs.ask(i, f"Verwende das Keyword „{kw}“ {more}-mal mehr als bisher, insgesamt also "
                               f"{kw_now[i] + more}-mal in genau dieser Form, natürlich in den Satz eingebaut.",
                            keyword_verwendungen=kw_now[i] + more)
        else:
            gaps = {i: kw_now[i] - plan.sections[i].keyword_uses for i in range(n)}
            for i, fewer in _largest({i: g for i, g in gaps.items() if g > 0} or
                                     {i: kw_now[i] for i in range(1, n) if kw_now[i]}, count - middle).items():
                repairs.ask(i, f"Verwende das Keyword „{kw}“ {fewer}-mal weniger, insgesamt also "
                               f"{max(kw_now[i] - fewer, 0)}-mal; ersetze die übrigen Stellen durch Umschreibungen.",
                            keyword_verwendungen=max(kw_now[i] - fewer, 0))
    if "keyword.first_paragraph" in failing:
        repairs.ask(0, f"Der erste Absatz muss das Keyword „{kw}“ in genau dieser Form enthalten.")

    if "words.count" in failing:
        count = report.get("words.count").value
        if count < t.words_min:
            target_total = max(t.words_min + t.words_min // 20, count + 20)
            gaps = {i: plan.sections[i].words - words_now[i] for i in range(n)}
            for i, more in _largest({i: g for i, g in gaps.items() if g > 0} or {i: 1 for i in range(n)},
                                    target_total - count).items():
                more = max(more, 30)
                repairs.ask(i, f"Erweitere den Abschnitt um etwa {more} Wörter auf etwa {words_now[i] + more} "
                               "Wörter, mit einem konkreten Beispiel aus der Praxis.", woerter=words_now[i] + more)
        elif t.words_max is not None:
            excess = count - t.words_max + 20
            gaps = {i: words_now[i] - plan.sections[i].words for i in range(n)}
            for i, fewer in _largest({i: g for i, g in gaps.items() if g > 0} or {i: words_now[i] for i in range(n)},
                                     excess).items():
                repairs.ask(i, f"Kürze den Abschnitt um etwa {fewer} Wörter auf etwa {words_now[i] - fewer} Wörter.",
                            woerter=words_now[i] - fewer)

    if failing & {"links.internal.count", "links.external.count"}:
        present = {brief.url_key(l.href) for l in doc.links}
        for i, s in enumerate(plan.sections):
            for link in s.links:
                if brief.url_key(link.url) not in present:
                    repairs.ask(i, f"Baue den Link [{link.anchor}]({link.url}) genau einmal in einen passenden "
                                   "Satz ein; der Ankertext darf leicht angepasst werden, die URL nicht.")

    if "text.leftovers" in failing:
        for i in range(n):
            repairs.ask(i, "Entferne jede Formatierung (Markdown, Platzhalter wie „TODO“ oder „[Link]“); nur reiner Text.")


async def redraft_section(client: LLMClient, brief: Brief, plan: Plan, draft: Draft, index: int,
                          instructions: list[str], targets: dict[str, int], round_no: int) -> SectionDraft:
    section = plan.sections[index]
    text = draft.sections[index].text
    task = section_task(brief, plan, index)
    task.update({"aufgabe": "ueberarbeitung", "anweisungen": instructions, **targets})
    if "keyword_verwendungen" not in targets:  # keep what the section has, unless told otherwise
        task["keyword_verwendungen"] = count_keyword(text, brief.keyword)
    request = build_request(brief, "rewrite.j2", purpose=f"rewrite:{round_no}:{index}", plan=plan, section=section,
                            is_intro=index == 0, instructions=instructions, text=text, task=task,
                            max_tokens=max(1024, task["woerter"] * 4), temperature=0.4)
    new_text = await ask_text(client, request)
    if not new_text:
        return draft.sections[index]  # keep the old text rather than lose the section
    return SectionDraft(paragraphs=to_paragraphs(new_text))


async def repair(report: Report, doc: Document, draft: Draft, plan: Plan, brief: Brief, client: LLMClient,
                 round_no: int) -> list[str]:
    """Apply this round's fixes to draft and plan in place; return what was done."""
    repairs = Repairs()
    failing = set(report.failing_ids())
    fix_titles(plan, brief, failing, repairs)
    if "paragraphs.sentences" in failing:
        n = fix_paragraphs(draft, brief.targets.max_sentences_per_paragraph)
        repairs.actions.append(f"split {n} paragraphs over {brief.targets.max_sentences_per_paragraph} sentences")
    plan_rewrites(report, doc, draft, plan, brief, repairs)
    indices = sorted(repairs.rewrites)
    results = await asyncio.gather(*(
        redraft_section(client, brief, plan, draft, i, repairs.rewrites[i], repairs.targets.get(i, {}), round_no)
        for i in indices))
    for index, section in zip(indices, results):
        draft.sections[index] = section
        heading = _section_of(plan, index)
        repairs.actions.append(f"LLM rewrite of “{heading}”: " + " ".join(repairs.rewrites[index]))
    return repairs.actions
