"""Step 5, repair: each failing error-level check gets its cheapest fix, and no step may make the
post worse.

A round has two halves. First the deterministic fixes (`fix_without_model`): re-pick or build a
title or meta description, split a paragraph over the sentence limit, make a link of a phrase
that fits its anchor, drop surplus keyword or filler sentences, remove leftovers. Then, if checks
still fail, the model (`fix_with_model`), one call per section at most, all at once: new sentences
or a paragraph appended to a section (links, keyword uses, words: only the new text is paid for),
a whole-section rewrite with absolute targets for a section far too short, or the section written
anew when its draft was unusable.

Every answer is judged before it is taken: a rewrite that loses more than a quarter of the
section's words is rejected and asked for once more; any candidate is kept only if it brings the
section closer to what it was asked for (its words, keyword uses and links). Rejections are
reported with their reason.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from . import reword
from .answers import ask_text
from .brief import Brief
from .checks import Report, ids
from .checks.aims import aims, competes
from .draft import Draft, SectionDraft, draft_section, section_task
from .edits import (clean_answer, drop_filler, drop_keyword_sentences, remove_leftovers, sentences,
                    split_long_paragraphs, split_paragraphs, widen_anchors, wrap_anchor)
from .german import count_keyword, words
from .headings import aim_keyword_in_headings
from .llm.client import LLMClient
from .plan import LinkSlot, Plan, SectionPlan
from .prompting import build_request, with_correction
from .render import section_view
from .checks.meta import meta_failures
from .titles import fallback_meta, fallback_title, h1_problems, pick, seo_title_problems

TITLE_IDS = {ids.SEO_TITLE_LENGTH, ids.SEO_TITLE_KEYWORD, ids.SEO_TITLE_KEYWORD_START, ids.SEO_TITLE_WIDTH,
             ids.SEO_TITLE_KEYPHRASE, ids.TITLE_POWER_WORD, ids.TITLE_NUMBER, ids.TITLE_YEAR}
H1_IDS = {ids.KEYWORD_H1, ids.TITLE_POWER_WORD, ids.TITLE_NUMBER, ids.TITLE_YEAR, ids.STRUCTURE_H1}
META_IDS = {ids.META_LENGTH, ids.META_KEYWORD, ids.META_KEYPHRASE}
SLUG_IDS = {ids.SLUG_FORMAT, ids.SLUG_KEYWORD, ids.SLUG_KEYPHRASE}
SECTION_MARGIN = 20  # a section cut to the plugin's words per section stays this far under it (captions count)
SHORT_REWRITE = 0.5  # a section under half its budget is rewritten whole, not added to
MAX_LOSS = 0.25  # a rewrite that was not asked to shorten may lose at most this share of the words


@dataclass
class RepairState:
    """What the repair step remembers between rounds."""

    rewrite_refused: set[int] = field(default_factory=set)  # sections whose rewrite was rejected twice
    # What the last rejected answer for a section lacked, in German for its next prompt (the next
    # request then differs, too: a model at temperature 0, or the answer cache, would repeat itself).
    notes: dict[int, str] = field(default_factory=dict)
    attempts: dict[int, int] = field(default_factory=dict)  # rejected answers per section so far

    def refuse(self, index: int, note: str) -> None:
        self.attempts[index] = self.attempts.get(index, 0) + 1
        self.notes[index] = f"{note} ({self.attempts[index]}. Versuch)"


@dataclass
class Stats:
    words: int
    uses: int
    linked: set[str]
    first_has_keyword: bool


def measure(sd: SectionDraft, sp: SectionPlan, brief: Brief) -> Stats:
    """A section as the checker will count it: visible words, keyword uses, the links it renders."""
    texts, linked = section_view(sd, sp, brief)
    text = "\n".join(texts)
    return Stats(words=len(words(text)), uses=count_keyword(text, brief.keyword), linked=linked,
                 first_has_keyword=bool(texts) and count_keyword(texts[0], brief.keyword) > 0)


def heading_of(plan: Plan, index: int) -> str:
    return plan.sections[index].heading


# --- the deterministic half ---------------------------------------------------------------------

def _fix_titles(plan: Plan, brief: Brief, failing: set[str], actions: list[str]) -> None:
    if failing & TITLE_IDS and seo_title_problems(plan.seo_title, brief):
        seo = pick(plan.seo_titles, lambda c: seo_title_problems(c, brief)) or fallback_title(brief, plan.main_sections)
        if seo != plan.seo_title:
            plan.seo_title = seo
            actions.append(f"SEO title: “{seo}”")
    if failing & H1_IDS and h1_problems(plan.h1, brief):
        h1 = plan.seo_title if not h1_problems(plan.seo_title, brief) else fallback_title(brief, plan.main_sections)
        if h1 != plan.h1:
            plan.h1 = h1
            actions.append(f"H1: “{h1}”")
    if failing & META_IDS and meta_failures(plan.meta_description, brief):
        meta = pick(plan.meta_descriptions, lambda d: meta_failures(d, brief)) or fallback_meta(brief, plan.main_sections)
        if meta != plan.meta_description:
            plan.meta_description = meta
            actions.append("meta description: " + ("the next passing candidate" if meta in plan.meta_descriptions
                                                   else "built from the brief's rules"))
    if failing & SLUG_IDS and plan.slug != brief.default_slug():
        plan.slug = brief.default_slug()
        actions.append(f"slug: rebuilt as {plan.slug}")
    if ids.KEYWORD_SUBHEADINGS in failing:
        h2s, note = aim_keyword_in_headings([s.heading for s in plan.sections[1:]], brief)
        if note:
            for sp, h in zip(plan.sections[1:], h2s):
                sp.heading = h
            actions.append(note)


def _keyword_goal(brief: Brief) -> int:
    """Where surplus keyword uses are dropped to: one inside the maximum (a margin, fewer words lost)."""
    t = brief.targets
    return t.keyword_max - 1 if t.keyword_max - 1 >= t.keyword_min else t.keyword_max


def fix_without_model(report: Report, draft: Draft, plan: Plan, brief: Brief) -> list[str]:
    """This round's deterministic fixes, applied to draft and plan in place; what was done."""
    failing = set(report.failing_ids())
    actions: list[str] = []
    _fix_titles(plan, brief, failing, actions)
    t, kw = brief.targets, brief.keyword
    sections = list(zip(plan.sections, draft.sections))

    if "text.leftovers" in failing:
        removed = sum(remove_leftovers(sd.paragraphs) for _, sd in sections)
        if removed:
            actions.append(f"removed {removed} Markdown or placeholder leftovers")

    if failing & {"links.internal.count", "links.external.count"}:
        for i, (sp, sd) in enumerate(sections):
            linked = measure(sd, sp, brief).linked
            for link in sp.links:
                if brief.url_key(link.url) not in linked:
                    phrase = wrap_anchor(sd.paragraphs, link)
                    if phrase:
                        actions.append(f"link {link.url}: made of “{phrase}” in “{heading_of(plan, i)}”")

    if "keyword.first_paragraph" in failing and draft.sections and draft.sections[0].paragraphs:
        intro = draft.sections[0].paragraphs
        for pi in range(1, len(intro)):
            found = next((s for s in sentences(intro[pi]) if count_keyword(s, kw) and "](" not in s), None)
            if found:
                intro[pi] = " ".join(intro[pi].replace(found, "", 1).split())
                intro[0] = f"{found} {intro[0]}"
                intro[:] = split_paragraphs([p for p in intro if p], t.max_sentences_per_paragraph)[0]
                actions.append("keyword in the first paragraph: moved a sentence with it to the front")
                break

    count = report.get("keyword.count").value
    if "keyword.count" in failing and count > t.keyword_max:
        excess = count - _keyword_goal(brief)
        stats = [measure(sd, sp, brief) for sp, sd in sections]
        order = sorted(range(len(sections)), key=lambda i: -(stats[i].uses - sections[i][0].keyword_uses))
        for i in order:
            if excess <= 0:
                break
            sd = sections[i][1]
            sd.paragraphs, dropped = drop_keyword_sentences(sd.paragraphs, kw, excess, intro=i == 0)
            if dropped:
                excess -= dropped
                actions.append(f"dropped {dropped} sentences with the keyword in “{heading_of(plan, i)}”")

    count = report.get("words.count").value
    if "words.count" in failing and t.words_max is not None and count > t.words_max:
        excess = count - t.words_max + max(10, t.words_max // 50)
        stats = [measure(sd, sp, brief) for sp, sd in sections]
        order = sorted(range(len(sections)), key=lambda i: -(stats[i].words - sections[i][0].words))
        for i in order:
            if excess <= 0:
                break
            sd = sections[i][1]
            sd.paragraphs, dropped = drop_filler(sd.paragraphs, kw, excess)
            if dropped:
                excess -= dropped
                actions.append(f"dropped {dropped} words of filler in “{heading_of(plan, i)}”")

    if "paragraphs.sentences" in failing:
        split = 0
        for _, sd in sections:
            sd.paragraphs, n = split_paragraphs(sd.paragraphs, t.max_sentences_per_paragraph)
            split += n
        if split:
            actions.append(f"split {split} paragraphs over {t.max_sentences_per_paragraph} sentences")
    _fix_for_plugin(failing, sections, plan, brief, actions)
    return actions


def _fix_for_plugin(failing: set[str], sections: list[tuple[SectionPlan, SectionDraft]], plan: Plan, brief: Brief,
                    actions: list[str]) -> None:
    """The SEO plugin's checks a deterministic edit can fix: sections over its words per section
    lose filler sentences (the words go to other sections by the model, if the post is then short),
    paragraphs over its words per paragraph are split, a link text that is just the keyphrase takes
    in a word of its sentence."""
    a = aims(brief)
    if ids.READABILITY_SECTION_LENGTH in failing and a.section_words:
        goal = a.section_words - SECTION_MARGIN
        for i, (sp, sd) in enumerate(sections):
            n = measure(sd, sp, brief).words
            if n > goal:  # sentences that join the text with a transition word go last
                sd.paragraphs, dropped = drop_filler(sd.paragraphs, brief.keyword, n - goal, spare=reword.joins)
                if dropped < n - goal:
                    sd.paragraphs, more = drop_filler(sd.paragraphs, brief.keyword, n - goal - dropped)
                    dropped += more
                if dropped:
                    actions.append(f"dropped {dropped} words of filler in “{heading_of(plan, i)}” "
                                   f"(over {a.section_words} words under one heading)")
    if ids.READABILITY_PARAGRAPH_LENGTH in failing and a.paragraph_words:
        split = 0
        for _, sd in sections:
            sd.paragraphs, n = split_long_paragraphs(sd.paragraphs, a.paragraph_words)
            split += n
        if split:
            actions.append(f"split {split} paragraphs over {a.paragraph_words} words")
    if ids.LINKS_COMPETING in failing:
        widened = sum(widen_anchors(sd.paragraphs, lambda anchor: competes(anchor, brief)) for _, sd in sections)
        if widened:
            actions.append(f"{widened} link texts that were just the keyphrase now take in the next word")


# --- the model's half ----------------------------------------------------------------------------

@dataclass
class Job:
    """What one section is asked for in a round."""

    index: int
    kind: str  # redraft | rewrite | addition | opening | reword
    words: int = 0  # rewrite: the section's length afterwards; addition: the new words
    uses: int = 0  # rewrite: the section's uses afterwards; addition: the new uses
    links: list[LinkSlot] = field(default_factory=list)
    asks: list[reword.Ask] = field(default_factory=list)  # reword: the sentences to write again

    @property
    def sentences(self) -> int:
        """An addition without words of its own: one sentence per link and keyword use."""
        return 0 if self.words else max(1, self.uses + len(self.links))


@dataclass
class Target:
    words: int
    uses: int
    links: set[str]
    opening: bool = False


def cost(stats: Stats, target: Target) -> float:
    """How far a section is from what it was asked for: each missing link 3, each keyword use off
    1, each 25 words beyond 15 % off the length 1, a missing keyword in the intro's opening 3.
    A candidate is taken only if it costs less and keeps every link the section had."""
    missing = len(target.links - stats.linked)
    words_off = max(0.0, abs(stats.words - target.words) - 0.15 * target.words) / 25
    return 3 * missing + abs(stats.uses - target.uses) + words_off + (3 if target.opening and
                                                                        not stats.first_has_keyword else 0)


def plan_jobs(report: Report, draft: Draft, plan: Plan, brief: Brief, state: RepairState) -> list[Job]:
    """What to ask the model for this round, at most one job per section: a section without text
    is written anew; one under half its budget, while the post is short of words, rewritten whole
    (unless its last rewrite was rejected); every other section gets at most one addition carrying
    its missing links and its share of the missing keyword uses and words. Sections whose answers
    were rejected before come last in line for shares."""
    t, n = brief.targets, len(plan.sections)
    failing = set(report.failing_ids())
    stats = [measure(sd, sp, brief) for sp, sd in zip(plan.sections, draft.sections)]
    jobs: dict[int, Job] = {}
    short_words = "words.count" in failing and report.get("words.count").value < t.words_min
    for i, (sp, sd) in enumerate(zip(plan.sections, draft.sections)):
        if not sd.paragraphs:
            jobs[i] = Job(i, "redraft", sp.words, sp.keyword_uses, list(sp.links))
        elif short_words and stats[i].words < SHORT_REWRITE * sp.words and i not in state.rewrite_refused:
            jobs[i] = Job(i, "rewrite", sp.words, max(sp.keyword_uses, stats[i].uses), list(sp.links))
    whole = set(jobs)  # sections written whole: they get everything from their budget
    if "keyword.first_paragraph" in failing and 0 not in whole and not stats[0].first_has_keyword:
        jobs[0] = Job(0, "opening", uses=1)  # the intro's opening sentence; nothing else for it this round
        whole.add(0)

    def addition(i: int) -> Job:
        return jobs.setdefault(i, Job(i, "addition"))

    # Links still missing after the deterministic fixes.
    if failing & {"links.internal.count", "links.external.count"}:
        for i, sp in enumerate(plan.sections):
            if i in whole:
                continue
            for link in sp.links:
                if brief.url_key(link.url) not in stats[i].linked:
                    addition(i).links.append(link)

    # Keyword uses short: up to two more per section, sections with a job and most below budget first.
    count = report.get("keyword.count").value
    if "keyword.count" in failing and count < t.keyword_min:
        need = (t.keyword_min + t.keyword_max + 1) // 2 - count
        need -= sum(jobs[i].uses - (0 if jobs[i].kind == "opening" else stats[i].uses) for i in whole)
        limit = aims(brief).section_words
        full = {i for i in range(n) if limit and stats[i].words + 40 > limit - SECTION_MARGIN}
        order = sorted((i for i in range(n) if i not in whole),
                       key=lambda i: (i in full, i not in jobs, state.attempts.get(i, 0),
                                      -(plan.sections[i].keyword_uses - stats[i].uses), stats[i].words))
        per = 2 if need <= 2 * len(order) else -(-need // max(len(order), 1))
        for i in order:
            if need <= 0:
                break
            more = min(per, need)
            addition(i).uses += more
            need -= more

    # Words short: enough that an answer 30 % short still reaches the minimum, in pieces of ≤ 250,
    # each within what its section may still take under the plugin's words per section.
    if short_words:
        gap = t.words_min - report.get("words.count").value
        need = round(gap * 1.45) + 30 - sum(max(jobs[i].words - stats[i].words, 0) for i in whole
                                            if jobs[i].kind != "opening")
        if t.words_max is not None:
            need = min(need, t.words_max - report.get("words.count").value - 10)
        order = sorted((i for i in range(n) if i not in whole),
                       key=lambda i: (i not in jobs, state.attempts.get(i, 0),
                                      -(plan.sections[i].words - stats[i].words)))
        pieces = max(1, -(-need // 250)) if need > 0 else 0
        limit = aims(brief).section_words
        if limit is None:
            for i in order[:pieces]:
                addition(i).words += -(-need // pieces)
        else:
            def room(i: int) -> int:  # what an answer up to 30 % long still fits
                planned = jobs[i].words + 14 * (jobs[i].uses + len(jobs[i].links)) if i in jobs else 0
                return max(0, int((limit - SECTION_MARGIN - stats[i].words - planned) / 1.3))

            piece = -(-need // pieces) if pieces else 0
            for i in sorted(order, key=lambda i: (room(i) < piece, -room(i) if room(i) < piece else 0)):
                if need <= 0:
                    break
                give = min(piece, need, room(i))
                if give >= 30:
                    addition(i).words += give
                    need -= give

    # The plugin's readability (transition words, passive, beginnings, long sentences): sentences
    # named for sections that have no other job this round.
    free = {i for i in range(n) if i not in jobs and draft.sections[i].paragraphs and state.attempts.get(i, 0) < 3}
    for i, asks in reword.choose(report, draft, plan, brief, free).items():
        jobs[i] = Job(i, "reword", asks=asks)
    return [jobs[i] for i in sorted(jobs)]


def _target(job: Job, stats: Stats, sp: SectionPlan, brief: Brief) -> Target:
    if job.kind in ("redraft", "rewrite"):
        return Target(job.words, job.uses, {brief.url_key(l.url) for l in sp.links})
    added_words = job.words or 14 * job.sentences
    return Target(stats.words + added_words, stats.uses + job.uses,
                  stats.linked | {brief.url_key(l.url) for l in job.links}, opening=job.kind == "opening")


def _request(job: Job, draft: Draft, plan: Plan, brief: Brief, stats: Stats, round_no: int, note: str | None):
    i, sp = job.index, plan.sections[job.index]
    text = draft.sections[i].text
    common = dict(plan=plan, section=sp, position=i + 1, total=len(plan.sections), is_intro=i == 0, text=text,
                  note=note)
    links = [{"url": l.url, "anker": l.anchor} for l in job.links]
    if job.kind == "rewrite":
        task = {**section_task(brief, plan, i, "ueberarbeitung"), "woerter": job.words,
                "keyword_verwendungen": job.uses, "text": text}
        return build_request(brief, "rewrite.j2", purpose=f"rewrite:{round_no}:{i}", task=task, words=job.words,
                             words_now=stats.words, uses=job.uses, uses_now=stats.uses, links=job.links,
                             max_tokens=max(1024, job.words * 4), temperature=0.4, **common)
    task = {**section_task(brief, plan, i, "ergaenzung"), "keyword_verwendungen": job.uses, "links": links,
            "text": text}
    del task["woerter"]
    if job.sentences:
        task["saetze"] = job.sentences
    else:
        task["woerter"] = job.words
    return build_request(brief, "addition.j2", purpose=f"{job.kind}:{round_no}:{i}", task=task, words=job.words,
                         sentences=job.sentences, uses=job.uses, links=job.links, opening=job.kind == "opening",
                         max_tokens=max(512, (job.words or 30 * job.sentences) * 5), temperature=0.5, **common)


def _apply(job: Job, current: list[str], new: list[str], limit: int) -> list[str]:
    """Where an addition's text goes: an opening before the first paragraph's text, a sentence or
    two at the end of the last paragraph if it has room, anything longer as paragraphs of its own."""
    if job.kind != "addition" and job.kind != "opening":
        return new
    if not current:
        return new
    if job.kind == "opening":
        return [" ".join(new) + " " + current[0]] + current[1:]
    if len(new) == 1 and len(sentences(current[-1])) + len(sentences(new[0])) <= limit:
        return current[:-1] + [current[-1] + " " + new[0]]
    return current + new


async def _run_job(job: Job, client: LLMClient, draft: Draft, plan: Plan, brief: Brief, round_no: int,
                   state: RepairState) -> tuple[list[str] | None, list[str], list[dict]]:
    """The job's answer, judged: the section's new paragraphs (None: keep the old), what was
    done, what was rejected."""
    i, sp, sd = job.index, plan.sections[job.index], draft.sections[job.index]
    heading = heading_of(plan, i)
    limit = brief.targets.max_sentences_per_paragraph
    before = measure(sd, sp, brief)
    target = _target(job, before, sp, brief)
    rejected: list[dict] = []

    def reject(reason: str) -> None:
        rejected.append({"round": round_no, "section": heading, "step": job.kind, "reason": reason})

    if job.kind == "reword":
        return await _run_reword(job, client, draft, plan, brief, round_no, state)
    if job.kind == "redraft":
        note = state.notes.get(i, "der bisherige Text war nicht verwendbar (1. Versuch)")
        new = (await draft_section(client, brief, plan, i, purpose=f"redraft:{round_no}:{i}", note=note)).paragraphs
        attempts = [new] if new else []
        if not new:
            reject("the answer was unusable twice")
            state.refuse(i, "der bisherige Text war nicht verwendbar")
    else:
        request = _request(job, draft, plan, brief, before, round_no, state.notes.get(i))
        attempts = []
        for attempt in range(2 if job.kind == "rewrite" else 1):
            text = await ask_text(client, request)
            if text is None:
                reject("the answer was unusable twice")
                state.refuse(i, "die Antwort war nicht verwendbar")
                break
            new = clean_answer(text, sp, brief, avoid=[] if job.kind == "rewrite" else sd.paragraphs)
            got = len(words("\n".join(section_view(SectionDraft(paragraphs=new), sp, brief)[0])))
            if job.kind == "rewrite" and got < (1 - MAX_LOSS) * before.words:
                reject(f"the rewrite has {got} words where the section had {before.words} (lost more than a quarter)")
                state.refuse(i, f"deine Antwort hatte nur {got} Wörter; gib immer den ganzen Abschnitt zurück, "
                                "nicht nur die geänderten Sätze")
                request = with_correction(request, text, f"deine Antwort hatte nur {got} Wörter; gib den ganzen "
                                          f"Abschnitt zurück, mit etwa {job.words} Wörtern")
                continue
            attempts.append(new)
            break
    for new in attempts:
        if job.kind in ("addition", "opening"):
            added = count_keyword("\n".join(new), brief.keyword)
            if added > job.uses:  # more keyword uses than asked: the extra sentences go
                new, _ = drop_keyword_sentences(new, brief.keyword, added - job.uses, intro=False)
        candidate = SectionDraft(paragraphs=_apply(job, sd.paragraphs, new, limit))
        candidate.paragraphs, _ = split_paragraphs(candidate.paragraphs, limit)
        for link in sp.links:
            if brief.url_key(link.url) in target.links and brief.url_key(link.url) not in \
                    measure(candidate, sp, brief).linked:
                wrap_anchor(candidate.paragraphs, link)
        after = measure(candidate, sp, brief)
        lost = before.linked - after.linked
        if not lost and cost(after, target) < cost(before, target):
            state.notes.pop(i, None)
            return candidate.paragraphs, [_describe(job, heading, before, after)], rejected
        if lost:
            reject(f"it loses the link to {', '.join(sorted(lost))} that the section had")
        else:
            reject(f"not closer to its targets ({_figures(after)} against {_figures(before)} before; "
                   f"asked for {_figures_target(target)})")
        state.refuse(i, _note(job, sp, brief, before, after, target))
    if job.kind == "rewrite":
        state.rewrite_refused.add(i)  # next time this section is added to instead
    return None, [], rejected


async def _run_reword(job: Job, client: LLMClient, draft: Draft, plan: Plan, brief: Brief, round_no: int,
                      state: RepairState) -> tuple[list[str] | None, list[str], list[dict]]:
    """Named sentences written again; each new one judged, the section taken only if it keeps its
    links and keyword uses and at least one sentence got better (reword.py)."""
    i, sp, sd = job.index, plan.sections[job.index], draft.sections[job.index]
    heading = heading_of(plan, i)
    request = build_request(brief, "reword.j2", purpose=f"reword:{round_no}:{i}",
                            task=reword.task(job.asks, i, plan, brief, sd.text), plan=plan, section=sp,
                            position=i + 1, total=len(plan.sections), is_intro=i == 0, items=job.asks, text=sd.text,
                            note=state.notes.get(i), max_tokens=max(512, 80 * len(job.asks)), temperature=0.4)
    rejected: list[dict] = []

    def reject(reason: str) -> None:
        rejected.append({"round": round_no, "section": heading, "step": "reword", "reason": reason})

    text = await ask_text(client, request, numbered=True)
    if text is None:
        reject("the answer was unusable twice")
        state.refuse(i, "die Antwort war nicht verwendbar")
        return None, [], rejected
    paragraphs, taken, why = reword.apply(job.asks, text, sd, sp, brief)
    limit = aims(brief).section_words
    if limit and measure(SectionDraft(paragraphs=paragraphs), sp, brief).words > limit - SECTION_MARGIN:
        # Longer sentences must not push the section over the plugin's words per section: filler
        # without a transition word goes, as the deterministic half would do next round.
        over = measure(SectionDraft(paragraphs=paragraphs), sp, brief).words - (limit - SECTION_MARGIN)
        paragraphs, _ = drop_filler(paragraphs, brief.keyword, over, spare=reword.joins)
    before, after = measure(sd, sp, brief), measure(SectionDraft(paragraphs=paragraphs), sp, brief)
    if taken and not before.linked - after.linked and after.uses == before.uses:
        state.notes.pop(i, None)
        if why:
            reject("; ".join(why))
        return paragraphs, [f"“{heading}”: {taken} of {len(job.asks)} sentences written again by the model "
                            f"({reword.describe(job.asks)})"], rejected
    reject("; ".join(why) or "it changed the section's links or keyword uses")
    state.refuse(i, "kein Satz erfüllte, worum er gebeten war: " + reword.describe_german(job.asks))
    return None, [], rejected


def _note(job: Job, sp: SectionPlan, brief: Brief, before: Stats, after: Stats, target: Target) -> str:
    """What an answer lacked, for the section's next prompt (no link markers, no "genau N-mal",
    no "etwa N Wörter": it must not read as a second task)."""
    lacks = [f"der Link zu {l.url} fehlte" for l in sp.links
             if brief.url_key(l.url) in target.links - after.linked]
    if after.uses != target.uses:
        lacks.append(f"das Keyword stand danach {after.uses}-mal statt {target.uses}-mal im Abschnitt")
    if abs(after.words - target.words) > 0.15 * target.words:
        lacks.append(f"der Abschnitt hatte danach {after.words} statt rund {target.words} Wörter")
    return "; ".join(lacks) or "er brachte den Abschnitt seinen Vorgaben nicht näher"


def _figures(s: Stats) -> str:
    return f"{s.words} words, {s.uses} keyword uses, {len(s.linked)} links"


def _figures_target(t: Target) -> str:
    return f"{t.words} words, {t.uses} keyword uses, {len(t.links)} links"


def _describe(job: Job, heading: str, before: Stats, after: Stats) -> str:
    what = {"redraft": "written anew", "rewrite": "rewritten", "addition": "added to",
            "opening": "given an opening sentence with the keyword"}[job.kind]
    return f"“{heading}” {what} by the model: {_figures(before)} → {_figures(after)}"


async def fix_with_model(report: Report, draft: Draft, plan: Plan, brief: Brief, client: LLMClient, round_no: int,
                         state: RepairState) -> tuple[list[str], list[dict]]:
    """This round's model fixes, all sections at once, applied to the draft in place when they
    bring a section closer to its targets; returns what was done and what was rejected."""
    jobs = plan_jobs(report, draft, plan, brief, state)
    results = await asyncio.gather(*(_run_job(j, client, draft, plan, brief, round_no, state) for j in jobs))
    actions: list[str] = []
    rejected: list[dict] = []
    for job, (paragraphs, done, refused) in zip(jobs, results):
        if paragraphs is not None:
            draft.sections[job.index].paragraphs = paragraphs
        actions += done
        rejected += refused
    return actions, rejected
