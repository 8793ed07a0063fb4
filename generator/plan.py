"""Step 1, plan: one LLM call for the outline, title and meta candidates and a budget; then the
budget is made to add up to the brief's targets, and the titles are picked by the checker's rules.

Fewer sections than asked: the model is asked once more for the missing ones, given the headings
already there; a placeholder heading never reaches a post (a post with fewer sections is better
than one with "Weitere Schritte (5)"). No title or meta candidate passes: asked once for new ones,
then built from the brief's rules (titles.py). Either way the plan's `notes` say so."""

from __future__ import annotations

import asyncio
import re
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

from .answers import BadAnswer, ask_json
from .brief import Brief, Link
from .checks.aims import aims, competes
from .checks.meta import meta_failures, meta_length_bounds
from .checks.title import title_number
from .german import count_keyword
from .headings import aim_keyword_in_headings
from .imageplan import PlannedImage
from .llm.client import LLMClient
from .plaintext import plain_line
from .post import INTRO
from .prompting import build_request
from .titles import describe, fallback_meta, fallback_title, h1_problems, pick, seo_title_problems


# --- what the LLM answers ----------------------------------------------------------------------

# Titles, descriptions and headings are one-line plain text from here on: markup the model wrote
# is reduced to its text, so nothing it wrote can become markup on the site (see plaintext.py).

class SectionAnswer(BaseModel):
    heading: str
    summary: str = ""
    words: int = 0
    keyword_uses: int = 0
    internal_links: list[str] = Field(default_factory=list)
    external_links: list[str] = Field(default_factory=list)

    _plain = field_validator("heading", "summary")(lambda v: plain_line(v))


class PlanAnswer(BaseModel):
    h1: str
    seo_titles: list[str] = Field(min_length=1)
    meta_descriptions: list[str] = Field(min_length=1)
    sections: list[SectionAnswer] = Field(min_length=2)

    _plain = field_validator("h1")(lambda v: plain_line(v))
    _plain_lists = field_validator("seo_titles", "meta_descriptions")(lambda v: [plain_line(t) for t in v])


class TitlesAnswer(BaseModel):
    seo_titles: list[str] = Field(min_length=1)
    meta_descriptions: list[str] = Field(min_length=1)

    _plain_lists = field_validator("seo_titles", "meta_descriptions")(lambda v: [plain_line(t) for t in v])


class OutlineAnswer(BaseModel):
    sections: list[SectionAnswer] = Field(min_length=1)


# --- the plan the pipeline follows -----------------------------------------------------------

class LinkSlot(BaseModel):
    url: str
    anchor: str
    external: bool


class SectionPlan(BaseModel):
    heading: str  # the intro's heading is not rendered
    summary: str = ""
    words: int
    keyword_uses: int
    links: list[LinkSlot] = Field(default_factory=list)


class Plan(BaseModel):
    h1: str
    seo_title: str
    meta_description: str
    slug: str
    seo_titles: list[str]
    meta_descriptions: list[str]
    sections: list[SectionPlan]
    notes: list[str] = Field(default_factory=list)  # what the plan had to fix in the model's answer
    images: list[PlannedImage] = Field(default_factory=list)  # made by illustrate.py; file "" = not made

    @property
    def main_sections(self) -> int:
        return max(len(self.sections) - 2, 0)


# A section's budget stays this far under the SEO plugin's words per section (Yoast: 300), so that a
# model writing somewhat more than asked, or a repair adding a sentence, keeps it under the limit.
SECTION_HEADROOM = 0.85


def section_cap(brief: Brief) -> int | None:
    """The most words a section is planned with under the profile (None: no limit)."""
    limit = aims(brief).section_words
    return int(limit * SECTION_HEADROOM) if limit else None


def words_total(brief: Brief) -> int:
    t = brief.targets
    if t.words_max is not None:
        return (t.words_min + t.words_max) // 2
    return int(t.words_min * 1.12)  # a margin: the checker counts what is rendered, not the budget


def keyword_total(brief: Brief) -> int:
    t = brief.targets
    return (t.keyword_min + t.keyword_max + 1) // 2


def _anchor(link: Link, brief: Brief) -> str:
    if link.title:
        anchor = link.title
    else:
        path = urlsplit(link.url).path.strip("/").split("/")[-1] or urlsplit(link.url).netloc
        anchor = path.replace("-", " ").capitalize()
    if aims(brief).no_competing_anchors and competes(anchor, brief):
        anchor += " im Überblick"  # a link text that is just the keyphrase competes with this post (Yoast)
    return anchor


def _spread(total: int, weights: list[float], minimum: list[int], cap: int | None = None) -> list[int]:
    """Split an integer total by weights (largest remainder), each at least its minimum and, when
    the total allows, at most `cap`: what a capped share cannot take goes to the others."""
    base = list(minimum)
    rest = total - sum(base)
    if rest <= 0:
        return base
    wsum = sum(weights) or len(weights)
    shares = [rest * (w / wsum if sum(weights) else 1 / len(weights)) for w in weights]
    out = [b + int(s) for b, s in zip(base, shares)]
    order = sorted(range(len(weights)), key=lambda i: -(shares[i] - int(shares[i])))
    for i in order[: total - sum(out)]:
        out[i] += 1
    if cap is not None and cap * len(out) >= total:
        while any(n > cap for n in out):
            over = sum(n - cap for n in out if n > cap)
            free = [i for i, n in enumerate(out) if n < cap]
            out = [min(n, cap) for n in out]
            extra = _spread(over, [weights[i] for i in free], [0] * len(free))
            for i, n in zip(free, extra):
                out[i] += n
    return out


# --- the outline ----------------------------------------------------------------------------

_NUMBERED = re.compile(r"^([^\W\d_]+)\s+(\d{1,2})\s*[:.)–-]\s*(.+)$")


def _key(heading: str) -> str:
    return " ".join(heading.split()).casefold()


def main_sections(answer: PlanAnswer) -> list[SectionAnswer]:
    """The main sections of the model's outline: between intro and conclusion, without empty
    headings and without a heading that is already there (two equal headings fail the checker)."""
    seen = {_key(INTRO), _key(answer.sections[-1].heading)}
    out: list[SectionAnswer] = []
    for s in answer.sections[1:-1]:
        if s.heading.strip() and _key(s.heading) not in seen:
            seen.add(_key(s.heading))
            out.append(s)
    return out


def renumber(headings: list[str]) -> list[str]:
    """Numbered main headings ("Tipp 1: …") count 1, 2, 3 … again after sections were added or
    dropped; a heading without a number gets the others' label."""
    numbered = [m for m in map(_NUMBERED.match, headings) if m]
    if not numbered:
        return headings
    label = numbered[0].group(1)
    out = []
    for i, h in enumerate(headings, 1):
        m = _NUMBERED.match(h)
        out.append(f"{m.group(1) if m else label} {i}: {m.group(3) if m else h}")
    return out


# --- titles -------------------------------------------------------------------------------------

def pick_titles(answer: PlanAnswer | TitlesAnswer, brief: Brief, sections: int, h1: str = ""
                ) -> tuple[str | None, str | None, str]:
    """The first SEO title and meta description candidates that pass the checker's rules (a title
    whose number matches the sections first); the H1 if it passes, else the SEO title."""
    def problems(c: str) -> list[str]:
        return seo_title_problems(c, brief)

    def right_number(c: str) -> bool:
        return not brief.title.number or title_number(c, brief.year) == sections

    seo = pick([c for c in answer.seo_titles if right_number(c)], problems) or pick(answer.seo_titles, problems)
    meta = pick(answer.meta_descriptions, lambda d: meta_failures(d, brief))
    h1 = " ".join(h1.split())
    if h1_problems(h1, brief) or not right_number(h1):
        h1 = seo or h1
    return seo, meta, h1


def build_plan(answer: PlanAnswer, brief: Brief, notes: list[str] | None = None) -> Plan:
    """The plan from the model's answer: its outline (never padded), titles picked by the checker's
    rules or built from the brief's, and a budget that adds up to the brief's targets."""
    notes = list(notes or [])
    main = main_sections(answer)
    if len(main) > brief.sections:
        main = main[: brief.sections]
    headings = renumber([s.heading for s in main]) if brief.title.number else [s.heading for s in main]
    # The keyphrase in the share of H2 headings the SEO plugin wants (the conclusion's heading counts).
    h2s, note = aim_keyword_in_headings(headings + [answer.sections[-1].heading], brief)
    if note:
        notes.append(note)
    sections = [answer.sections[0]] + [s.model_copy(update={"heading": h}) for s, h in zip(main, h2s)] + \
        [answer.sections[-1].model_copy(update={"heading": h2s[-1]})]
    if len(main) < brief.sections:
        notes.append(f"outline: {len(main)} of {brief.sections} main sections; written with {len(main)}")
    wanted = len(sections)
    seo, meta, h1 = pick_titles(answer, brief, len(main), answer.h1)
    if seo is None:
        seo = fallback_title(brief, len(main))
        notes.append(f"SEO title: no candidate passed; built from the brief's rules: “{seo}”")
    if meta is None:
        meta = fallback_meta(brief, len(main))
        notes.append("meta description: no candidate passed; built from the brief's rules")
    if h1_problems(h1, brief):
        h1 = seo if not h1_problems(seo, brief) else fallback_title(brief, len(main))
        notes.append(f"H1: the model's did not pass; uses “{h1}”")

    # Words: the LLM's proposal as weights, or intro and conclusion at 60 % of a main section.
    default_w = [0.6] + [1.0] * len(main) + [0.6]
    proposed = [max(s.words, 0) for s in sections]
    weights = proposed if all(proposed) else default_w
    words = _spread(words_total(brief), weights, [40] * wanted, section_cap(brief))

    # Keyword uses in body text: the target's middle minus the uses in the H2 headings, intro ≥ 1.
    # The H1 is the post title, not content: the SEO plugin counts the content only.
    heading_uses = sum(count_keyword(s.heading, brief.keyword) for s in sections[1:])
    body_uses = max(keyword_total(brief) - heading_uses, 1)
    kw = _spread(body_uses, [float(w) for w in words], [1] + [0] * (wanted - 1))

    # Links: the LLM's assignment where valid, each URL once, then the rest spread evenly.
    slots: list[list[LinkSlot]] = [[] for _ in sections]
    for external, candidates, target, attr in (
        (False, brief.internal_links, brief.targets.internal_links, "internal_links"),
        (True, brief.external_links, brief.targets.external_links, "external_links"),
    ):
        by_key = {brief.url_key(c.url): c for c in candidates}
        used: set[str] = set()
        placed = 0
        for i, s in enumerate(sections):
            for url in getattr(s, attr):
                key = brief.url_key(url)
                if key in by_key and key not in used and placed < target:
                    used.add(key)
                    placed += 1
                    slots[i].append(LinkSlot(url=by_key[key].url, anchor=_anchor(by_key[key], brief),
                                             external=external))
        for c in candidates:
            if placed >= target:
                break
            if brief.url_key(c.url) in used:
                continue
            # the main section with the fewest links so far (intro and conclusion last)
            i = min(range(1, wanted - 1) if wanted > 2 else range(wanted), key=lambda j: (len(slots[j]), j))
            slots[i].append(LinkSlot(url=c.url, anchor=_anchor(c, brief), external=external))
            used.add(brief.url_key(c.url))
            placed += 1

    plan_sections = [
        SectionPlan(heading=INTRO if i == 0 else " ".join(s.heading.split()), summary=s.summary,
                    words=words[i], keyword_uses=kw[i], links=slots[i])
        for i, s in enumerate(sections)
    ]
    return Plan(h1=h1, seo_title=seo, meta_description=meta, slug=brief.default_slug(),
                seo_titles=answer.seo_titles, meta_descriptions=answer.meta_descriptions, sections=plan_sections,
                notes=notes)


# --- the calls ----------------------------------------------------------------------------------

def _base(brief: Brief, kind: str) -> dict:
    return {"aufgabe": kind, "keyword": brief.keyword, "anrede": brief.address,
            "max_saetze": brief.targets.max_sentences_per_paragraph}


def _title_rules(brief: Brief) -> dict:
    r, t = brief.title, brief.targets
    lo, hi = meta_length_bounds(brief)  # the brief's bounds, narrowed by the SEO plugin's
    out = {"jahr": brief.year if r.year else None, "titel_jahr": r.year, "titel_zahl": r.number,
           "titel_power_word": r.power_word, "seo_titel_max": t.seo_title_max_chars,
           "titel_keyword_vorn": aims(brief).title_keyword_start, "meta_min": lo, "meta_max": hi}
    if r.number:
        out["zahl"] = brief.sections
    return out


def heading_goal(brief: Brief) -> int:
    """How many of the H2 headings (main sections and conclusion) the plan asks to hold the keyword."""
    return aims(brief).subheading_goal(brief.sections + 1)


def plan_task(brief: Brief) -> dict:
    """The plan prompt's task in machine-readable form (for the offline mock; the prompt says it in words)."""
    return {**_base(brief, "plan"), **_title_rules(brief), "thema": brief.topic_or_keyword,
            "abschnitte": brief.sections, "woerter": words_total(brief), "keyword_verwendungen": keyword_total(brief),
            "keyword_ueberschriften": heading_goal(brief), "einleitung_ueberschrift": INTRO,
            "interne_links": [l.url for l in brief.internal_links],
            "externe_links": [l.url for l in brief.external_links]}


async def _more_sections(client: LLMClient, brief: Brief, answer: PlanAnswer, have: list[SectionAnswer]
                         ) -> list[SectionAnswer]:
    missing = brief.sections - len(have)
    existing = [s.heading for s in have]
    task = {**_base(brief, "gliederung"), "anzahl": missing, "vorhanden": existing, "nummeriert": brief.title.number}
    request = build_request(brief, "outline.j2", purpose="plan:outline", schema=OutlineAnswer.model_json_schema(),
                            schema_name="outline", task=task, h1=answer.h1, have=existing, missing=missing,
                            max_tokens=1024)
    try:
        more = await ask_json(client, request, OutlineAnswer)
    except BadAnswer:
        return []
    return more.sections


async def _new_titles(client: LLMClient, brief: Brief, answer: PlanAnswer, sections: int) -> TitlesAnswer | None:
    failing = [(c, describe(seo_title_problems(c, brief), brief)) for c in answer.seo_titles] + \
        [(c, describe(meta_failures(c, brief), brief)) for c in answer.meta_descriptions]
    task = {**_base(brief, "titel"), **_title_rules(brief)}
    if brief.title.number:
        task["zahl"] = sections
    request = build_request(brief, "titles.j2", purpose="plan:titles", schema=TitlesAnswer.model_json_schema(),
                            schema_name="titles", task=task, h1=answer.h1, failing=[f for f in failing if f[1]],
                            sections=sections, meta_min=task["meta_min"], meta_max=task["meta_max"], max_tokens=1024)
    try:
        return await ask_json(client, request, TitlesAnswer)
    except BadAnswer:
        return None


async def make_plan(client: LLMClient, brief: Brief) -> Plan:
    task = plan_task(brief)
    request = build_request(brief, "plan.j2", purpose="plan", schema=PlanAnswer.model_json_schema(),
                            schema_name="plan", task=task, words_total=task["woerter"],
                            keyword_total=task["keyword_verwendungen"], heading_goal=task["keyword_ueberschriften"],
                            meta_min=task["meta_min"], meta_max=task["meta_max"], intro=INTRO)
    # Everything hangs on the plan: one corrective retry more than for any other answer.
    answer = await ask_json(client, request, PlanAnswer, attempts=3)
    notes: list[str] = []
    main = main_sections(answer)
    short = len(main) < brief.sections
    seo, meta, _ = pick_titles(answer, brief, min(len(main), brief.sections))
    # Ask again only for what is missing, both at once.
    more, titles = await asyncio.gather(
        _more_sections(client, brief, answer, main) if short else asyncio.sleep(0, []),
        _new_titles(client, brief, answer, brief.sections if short else min(len(main), brief.sections))
        if seo is None or meta is None else asyncio.sleep(0, None))
    if short:
        notes.append(f"outline: {len(main)} of {brief.sections} main sections; asked for the missing "
                     f"{brief.sections - len(main)}, got {len(more)}")
        answer = answer.model_copy(update={"sections": answer.sections[:-1] + more + answer.sections[-1:]})
    if titles is not None:
        answer = answer.model_copy(update={"seo_titles": answer.seo_titles + titles.seo_titles,
                                           "meta_descriptions": answer.meta_descriptions + titles.meta_descriptions})
    return build_plan(answer, brief, notes)
