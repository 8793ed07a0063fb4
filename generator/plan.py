"""Step 1, plan: one LLM call for the outline, title and meta candidates and a budget; then the
budget is made to add up to the brief's targets, and the titles are picked by the checker's rules."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator

from .answers import ask_json
from .brief import Brief, Link
from .checks.meta import meta_failures, seo_title_failures
from .checks.title import title_rule_failures
from .german import count_keyword
from .llm.client import LLMClient
from .post import INTRO
from .plaintext import plain_line
from .prompting import build_request



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


def words_total(brief: Brief) -> int:
    t = brief.targets
    if t.words_max is not None:
        return (t.words_min + t.words_max) // 2
    return int(t.words_min * 1.12)  # a margin: the checker counts what is rendered, not the budget


def keyword_total(brief: Brief) -> int:
    t = brief.targets
    return (t.keyword_min + t.keyword_max + 1) // 2


def _anchor(link: Link) -> str:
    if link.title:
        return link.title
    path = urlsplit(link.url).path.strip("/").split("/")[-1] or urlsplit(link.url).netloc
    return path.replace("-", " ").capitalize()


def _spread(total: int, weights: list[float], minimum: list[int]) -> list[int]:
    """Split an integer total by weights (largest remainder), each at least its minimum."""
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
    return out


def _pick(candidates: list[str], failures) -> str | None:
    for c in candidates:
        c = " ".join(c.split())
        if c and not failures(c):
            return c
    return None


def pick_titles(answer: PlanAnswer, brief: Brief) -> tuple[str | None, str | None, str]:
    """The first SEO title and meta description candidates that pass the checker's rules."""
    seo = _pick(answer.seo_titles, lambda t: seo_title_failures(t, brief) + title_rule_failures(t, brief))
    meta = _pick(answer.meta_descriptions, lambda d: meta_failures(d, brief))
    h1 = " ".join(answer.h1.split())
    if title_rule_failures(h1, brief) or not count_keyword(h1, brief.keyword):
        h1 = seo or h1
    return seo, meta, h1


def build_plan(answer: PlanAnswer, brief: Brief) -> Plan:
    sections = list(answer.sections)
    wanted = brief.sections + 2
    if len(sections) > wanted:  # keep the intro, the first main sections and the conclusion
        sections = sections[: wanted - 1] + sections[-1:]
    while len(sections) < wanted:
        sections.insert(-1, SectionAnswer(heading=f"Weitere Schritte ({len(sections)})"))
    seo, meta, h1 = pick_titles(answer, brief)

    # Words: the LLM's proposal as weights, or intro and conclusion at 60 % of a main section.
    default_w = [0.6] + [1.0] * brief.sections + [0.6]
    proposed = [max(s.words, 0) for s in sections]
    weights = proposed if all(proposed) else default_w
    words = _spread(words_total(brief), weights, [40] * wanted)

    # Keyword uses in body text: the target's middle minus the uses in the headings, intro ≥ 1.
    heading_uses = count_keyword(h1, brief.keyword) + sum(count_keyword(s.heading, brief.keyword)
                                                         for s in sections[1:])
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
                    slots[i].append(LinkSlot(url=by_key[key].url, anchor=_anchor(by_key[key]), external=external))
        for c in candidates:
            if placed >= target:
                break
            if brief.url_key(c.url) in used:
                continue
            # the main section with the fewest links so far (intro and conclusion last)
            i = min(range(1, wanted - 1) if wanted > 2 else range(wanted), key=lambda j: (len(slots[j]), j))
            slots[i].append(LinkSlot(url=c.url, anchor=_anchor(c), external=external))
            used.add(brief.url_key(c.url))
            placed += 1

    plan_sections = [
        SectionPlan(heading=INTRO if i == 0 else " ".join(s.heading.split()), summary=s.summary,
                    words=words[i], keyword_uses=kw[i], links=slots[i])
        for i, s in enumerate(sections)
    ]
    return Plan(h1=h1, seo_title=seo or "", meta_description=meta or "",
                slug=brief.default_slug(),
                seo_titles=answer.seo_titles, meta_descriptions=answer.meta_descriptions, sections=plan_sections)


def plan_task(brief: Brief) -> dict:
    """The machine-readable part of the plan prompt."""
    return {"aufgabe": "plan", "keyword": brief.keyword, "thema": brief.topic_or_keyword,
            "jahr": brief.year, "abschnitte": brief.sections, "anrede": brief.address,
            "woerter": words_total(brief), "keyword_verwendungen": keyword_total(brief),
            "seo_titel_max": brief.targets.seo_title_max_chars,
            "meta_min": brief.targets.meta_description_min_chars,
            "meta_max": brief.targets.meta_description_max_chars,
            "titel_zahl": brief.title.number, "titel_jahr": brief.title.year,
            "titel_power_word": brief.title.power_word,
            "interne_links": [l.url for l in brief.internal_links],
            "externe_links": [l.url for l in brief.external_links]}


async def make_plan(client: LLMClient, brief: Brief) -> Plan:
    task = plan_task(brief)
    request = build_request(brief, "plan.j2", purpose="plan", schema=PlanAnswer.model_json_schema(),
                            schema_name="plan", task=task, words_total=task["woerter"],
                            keyword_total=task["keyword_verwendungen"])
    answer = await ask_json(client, request, PlanAnswer)
    seo, meta, _ = pick_titles(answer, brief)
    if seo is None or meta is None:
        # Ask again only when no candidate passes.
        problem = []
        if seo is None:
            problem.append(f"kein SEO-Titel erfüllt die Regeln (höchstens {brief.targets.seo_title_max_chars} "
                           "Zeichen, mit Keyword, Zahl, Jahr und starkem Wort)")
        if meta is None:
            problem.append(f"keine Meta-Beschreibung hat {brief.targets.meta_description_min_chars} bis "
                           f"{brief.targets.meta_description_max_chars} Zeichen mit dem Keyword")
        again = await ask_json(client, request, PlanAnswer, correction="; ".join(problem))
        answer = answer.model_copy(update={"seo_titles": answer.seo_titles + again.seo_titles,
                                           "meta_descriptions": answer.meta_descriptions + again.meta_descriptions})
    return build_plan(answer, brief)
