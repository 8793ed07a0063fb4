"""Sentence-level repairs for the SEO plugin's readability (Yoast): transition words, passive voice,
sentences that start alike, long sentences.

When one of these checks fails, the repair step names the sentences to change (`choose`): enough
sentences without a transition word to bring the post above the plugin's share with a margin, the
passive sentences above its limit, every third sentence of a run that starts with the same word,
the longest sentences above the share. A section asked for nothing else this round gets one
model job: its named sentences, numbered, each with what it should become, answered one line
each (`reword.j2`). Each new sentence is judged before it replaces the old one (`judge`): it
must do what was asked, keep the sentence's links and keyword uses, and bring none of the other
problems; and the section, read as the plugin reads it, must not get worse in any of the four.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from .brief import Brief
from .checks import Report, ids
from .checks.aims import Aims, SentenceReading, aims, read_sentence
from .draft import Draft, SectionDraft
from .edits import planned, sentences, split_paragraphs, to_paragraphs
from .german import count_keyword
from .markers import canonical_links, find_links
from .plan import Plan, SectionPlan

REASONS = ("passive", "long", "beginning", "transition")
CHECKS = {ids.READABILITY_PASSIVE_VOICE: "passive", ids.READABILITY_LONG_SENTENCES: "long",
          ids.READABILITY_SENTENCE_BEGINNINGS: "beginning", ids.READABILITY_TRANSITION_WORDS: "transition"}
# A repair aims this far beyond the plugin's threshold (percentage points), so that one round
# suffices although some rewritten sentences are rejected.
TRANSITION_MARGIN = 6.0
PASSIVE_MARGIN = 2.0
LONG_MARGIN = 3.0
MAX_PER_SECTION = 12  # sentences named in one prompt


@dataclass
class Ask:
    """One sentence to rewrite and why."""

    paragraph: int
    sentence: str  # as in the draft, link markers included
    reasons: list[str] = field(default_factory=list)
    beginning: str = ""  # the first word it shares with the sentences before it
    words: int = 0

    def add(self, reason: str) -> None:
        if reason not in self.reasons:
            self.reasons.append(reason)
            self.reasons.sort(key=REASONS.index)


@dataclass(frozen=True)
class Line:
    paragraph: int
    text: str
    reading: SentenceReading


def visible(sentence: str) -> str:
    """A draft sentence as the reader sees it: its links as their anchor text."""
    out, pos = [], 0
    for link in find_links(sentence):
        out += [sentence[pos:link.start], link.anchor]
        pos = link.end
    return "".join(out) + sentence[pos:]


def joins(sentence: str) -> bool:
    """Whether a draft sentence holds a transition word of the plugin's list."""
    return bool(read_sentence(visible(sentence)).transitions)


def lines_of(paragraphs: list[str]) -> list[Line]:
    return [Line(pi, s, read_sentence(visible(s))) for pi, p in enumerate(paragraphs) for s in sentences(p)]


def _runs(lines: list[Line], limit: int) -> list[int]:
    """Indices of every third sentence in a run of equal beginnings longer than `limit`."""
    out, start = [], 0
    for i in range(1, len(lines) + 1):
        if i == len(lines) or not lines[i].reading.beginning or lines[i].reading.beginning != lines[start].reading.beginning:
            if i - start > limit:
                out += list(range(start + limit, i, limit + 1))
            start = i
    return out


@dataclass
class Tally:
    """A section's (or post's) readability figures as the plugin counts them."""

    sentences: int = 0
    transitions: int = 0
    passive: int = 0
    long: int = 0
    beginnings: int = 0  # sentences in runs of equal beginnings over the limit

    @classmethod
    def of(cls, lines: list[Line], a: Aims) -> "Tally":
        words = a.long_sentence_words or 20
        return cls(len(lines), sum(bool(l.reading.transitions) for l in lines),
                   sum(l.reading.passive for l in lines), sum(l.reading.words > words for l in lines),
                   len(_runs(lines, a.same_beginnings or 2)))

    def worse_than(self, other: "Tally") -> bool:
        return (self.transitions < other.transitions or self.passive > other.passive or self.long > other.long
                or self.beginnings > other.beginnings)


def choose(report: Report, draft: Draft, plan: Plan, brief: Brief, free: set[int]) -> dict[int, list[Ask]]:
    """The sentences to rewrite this round, by section (only sections in `free`)."""
    a = aims(brief)
    failing = {CHECKS[c] for c in report.failing_ids() if c in CHECKS}
    if not failing:
        return {}
    lines = {i: lines_of(sd.paragraphs) for i, sd in enumerate(draft.sections)}
    headings = [read_sentence(s.heading) for s in plan.sections[1:]]
    total = sum(len(ls) for ls in lines.values()) + len(headings)
    asks: dict[int, dict[str, Ask]] = {i: {} for i in free}

    def ask(i: int, line: Line, reason: str, **extra) -> None:
        item = asks[i].get(line.text)
        if item is None:
            if len(asks[i]) >= MAX_PER_SECTION:
                return
            item = asks[i][line.text] = Ask(line.paragraph, line.text, words=line.reading.words)
        item.add(reason)
        for k, v in extra.items():
            setattr(item, k, v)

    ordered = sorted(free)
    if "passive" in failing and a.passive_share is not None:
        found = [(i, l) for i in ordered for l in lines[i] if l.reading.passive]
        allowed = math.floor((a.passive_share - PASSIVE_MARGIN) / 100 * total)
        everywhere = sum(l.reading.passive for ls in lines.values() for l in ls)
        for i, l in found[:max(everywhere - allowed, 1)]:
            ask(i, l, "passive")
    if "long" in failing and a.long_sentence_words is not None:
        found = sorted(((i, l) for i in ordered for l in lines[i] if l.reading.words > a.long_sentence_words),
                       key=lambda il: -il[1].reading.words)
        allowed = math.floor(((a.long_sentence_share or 25) - LONG_MARGIN) / 100 * total)
        everywhere = sum(l.reading.words > a.long_sentence_words for ls in lines.values() for l in ls)
        for i, l in found[:max(everywhere - allowed, 1)]:
            ask(i, l, "long")
    if "beginning" in failing:
        for i in ordered:
            for k in _runs(lines[i], a.same_beginnings or 2):
                ask(i, lines[i][k], "beginning", beginning=lines[i][k].reading.beginning)
    if "transition" in failing and a.transition_share is not None:
        found = sum(bool(l.reading.transitions) for ls in lines.values() for l in ls) + \
            sum(bool(h.transitions) for h in headings)
        need = math.ceil((a.transition_share + TRANSITION_MARGIN) / 100 * total) - found
        need -= sum(1 for i in ordered for item in asks[i].values() if item.reasons != ["transition"])  # rewritten anyway
        pools = {i: [l for k, l in enumerate(lines[i]) if not l.reading.transitions and not (i == 0 and k == 0)]
                 for i in ordered}
        share = {i: sum(bool(l.reading.transitions) for l in lines[i]) / max(len(lines[i]), 1) for i in ordered}
        queue = sorted(ordered, key=lambda i: share[i])
        while need > 0 and any(pools[i] for i in queue):
            for i in queue:
                if need <= 0:
                    break
                while pools[i] and pools[i][0].text in asks[i]:
                    pools[i].pop(0)
                if pools[i] and len(asks[i]) < MAX_PER_SECTION:
                    ask(i, pools[i].pop(0), "transition")
                    need -= 1
                elif pools[i]:
                    pools[i] = []
        for i in ordered:  # a sentence rewritten for another reason gets a transition word too
            for item in asks[i].values():
                opening = i == 0 and bool(lines[0]) and item.sentence == lines[0][0].text
                if not read_sentence(visible(item.sentence)).transitions and not opening:
                    item.add("transition")
    return {i: list(v.values()) for i, v in asks.items() if v}


# --- the model's answer ------------------------------------------------------------------------------

_NUMBERED = re.compile(r"^\s*(\d+)[.)]\s+(.+?)\s*$", re.MULTILINE)


def _unquote(text: str) -> str:
    """A sentence the model echoed in the prompt's quotes: „…“ around it (not a quote inside it)."""
    for left, right in (("„", "“"), ('"', '"'), ("“", "”")):
        if text.startswith(left) and text.endswith(right) and len(text) > 2:
            inner = text[1:-1]
            if inner.count("„") == inner.count("“"):
                return inner
    return text


def parse(answer: str, count: int) -> dict[int, str]:
    """The answer's new sentences by number; an answer without numbers counts if it has exactly as
    many sentences as were asked for."""
    numbered = {int(m.group(1)): _unquote(m.group(2)) for m in _NUMBERED.finditer(answer)}
    numbered = {k: v for k, v in numbered.items() if 1 <= k <= count}
    if numbered:
        return numbered
    parts = [s for p in to_paragraphs(answer) for s in sentences(p)]
    return {k + 1: _unquote(s) for k, s in enumerate(parts)} if len(parts) == count else {}


def judge(ask: Ask, new: str, sp: SectionPlan, brief: Brief, a: Aims) -> str | None:
    """Why a rewritten sentence is not taken, or None: it must do what it was asked, keep the
    sentence's links and keyword uses, and bring no new problem."""
    old_seen, new_seen = visible(ask.sentence), visible(new)
    if not new_seen.strip():
        return "empty"
    if new.strip() == ask.sentence.strip():
        return "unchanged"
    anchors = planned(sp, brief)
    old_links = {brief.url_key(l.url) for l in find_links(ask.sentence, anchors)}
    new_links = {brief.url_key(l.url) for l in find_links(new, anchors)}
    if old_links - new_links:
        return "it lost a link"
    if count_keyword(new_seen, brief.keyword) != count_keyword(old_seen, brief.keyword):
        return "it changed the keyword uses"
    old, parts = read_sentence(old_seen), [read_sentence(visible(s)) for s in sentences(new)]
    longest = a.long_sentence_words or 20
    if "passive" in ask.reasons and any(p.passive for p in parts):
        return "still passive"
    if "long" in ask.reasons and any(p.words > longest for p in parts):
        return f"still over {longest} words"
    if "beginning" in ask.reasons and parts[0].beginning == ask.beginning:
        return f"still starts with „{ask.beginning}“"
    if "transition" in ask.reasons and not parts[0].transitions:
        return "still no transition word"
    if not old.passive and any(p.passive for p in parts):
        return "now passive"
    if old.words <= longest and any(p.words > longest for p in parts):
        return f"now over {longest} words"
    if old.transitions and not all(p.transitions for p in parts[:1]):
        return "lost its transition word"
    return None


def apply(asks: list[Ask], answer: str, sd: SectionDraft, sp: SectionPlan, brief: Brief
          ) -> tuple[list[str], int, list[str]]:
    """The section with every new sentence taken that passes `judge` and makes the section read no
    worse; returns its paragraphs, how many were taken, and why the others were not."""
    a = aims(brief)
    new_by_number = parse(answer, len(asks))
    paragraphs = list(sd.paragraphs)
    tally = Tally.of(lines_of(paragraphs), a)
    taken, why = 0, []
    for n, item in enumerate(asks, 1):
        new = new_by_number.get(n)
        if new is None:
            why.append(f"sentence {n}: no answer")
            continue
        new = " ".join(canonical_links(new, planned(sp, brief)).split())
        reason = judge(item, new, sp, brief, a)
        if reason is None and item.sentence in paragraphs[item.paragraph]:
            trial = list(paragraphs)
            trial[item.paragraph] = trial[item.paragraph].replace(item.sentence, new, 1)
            after = Tally.of(lines_of(trial), a)
            if after.worse_than(tally):
                reason = "the section would read worse"
            else:
                paragraphs, tally = trial, after
                taken += 1
        elif reason is None:
            reason = "the sentence is no longer there"
        if reason:
            why.append(f"sentence {n}: {reason}")
    paragraphs, _ = split_paragraphs(paragraphs, brief.targets.max_sentences_per_paragraph)
    return paragraphs, taken, why


def task(asks: list[Ask], index: int, plan: Plan, brief: Brief, text: str) -> dict:
    """The reword prompt's task in machine-readable form (for the offline mock; the prompt says it in words)."""
    return {"aufgabe": "umformulierung", "keyword": brief.keyword, "anrede": brief.address,
            "max_saetze": brief.targets.max_sentences_per_paragraph, "index": index, "einleitung": index == 0,
            "fazit": index == len(plan.sections) - 1,
            "ueberschrift": "" if index == 0 else plan.sections[index].heading,
            "saetze_neu": [{"satz": x.sentence, "aktiv": "passive" in x.reasons, "teilen": "long" in x.reasons,
                            "anfang": x.beginning if "beginning" in x.reasons else "",
                            "ueberleitung": "transition" in x.reasons} for x in asks],
            "text": text}


def describe(asks: list[Ask]) -> str:
    counts = {r: sum(r in x.reasons for x in asks) for r in REASONS}
    words = {"passive": "passive", "long": "too long", "beginning": "starting alike",
             "transition": "without a transition word"}
    return ", ".join(f"{n} {words[r]}" for r, n in counts.items() if n)


def describe_german(asks: list[Ask]) -> str:
    """What was asked, for the section's next prompt."""
    words = {"passive": "ins Aktiv", "long": "in kürzere Sätze", "beginning": "mit anderem Satzanfang",
             "transition": "mit Überleitungswort"}
    counts = {r: sum(r in x.reasons for x in asks) for r in REASONS}
    return ", ".join(f"{n} {'Satz' if n == 1 else 'Sätze'} {words[r]}" for r, n in counts.items() if n)
