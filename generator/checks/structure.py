"""Structure: one H1 with text on the page, no skipped heading level, no two equal headings, a spacer
directly before every H2; the SEO plugins' H1 and table-of-contents assessments."""

from __future__ import annotations

from ..display import plural
from . import ids
from .plugins import rankmath_rule, rankmath_verdict, yoast_rule, yoast_verdict
from .registry import Check, Rule, Verdict, declare
from .research import Research


def _spacers(r: Research, rule: Rule) -> Verdict:
    doc = r.doc
    missing: list[str] = []
    for i, e in enumerate(doc.elements):
        if e.kind == "heading" and e.level == 2 and (i == 0 or doc.elements[i - 1].kind != "spacer"):
            missing.append(e.section)
    h2_count = sum(1 for e in doc.headings if e.level == 2)
    return Verdict(not missing, f"{h2_count - len(missing)}/{h2_count}",
                   "every H2 follows a spacer block" if not missing
                   else f"{len(missing)} H2 without a spacer directly before", where=tuple(missing))


declare(Check(ids.STRUCTURE_SPACERS, "Spacer before every H2", "H2 headings without a spacer block before them",
              {"brief": Rule("error", "a spacer before each H2")}, judge=_spacers))


def _h1(r: Research, rule: Rule) -> Verdict:
    doc = r.doc
    n = doc.page_h1_count
    empty = (doc.post.title is not None and not doc.post.title.strip()) + sum(
        1 for t in doc.content_h1s if not t.strip())
    if empty:
        return Verdict(False, n, f"{plural(n, 'H1 heading')}, the H1 is empty", target="1, not empty")
    if n == 0:
        # Content without a title field (a bare .html file): WordPress's post title will be the H1.
        return Verdict(True, 0, "no H1 in the content: the post title the theme prints is the page's one H1",
                       target="1, not empty")
    if doc.post.title is None:  # a file that carries its H1 in the content
        return Verdict(n == 1, n, plural(n, "H1 heading"), target="1, not empty")
    where = "the post title" + (f" and {doc.content_h1_count} in the content" if doc.content_h1_count else "")
    return Verdict(n == 1, n, f"{plural(n, 'H1 heading')} ({where})", target="1, not empty")


declare(Check(ids.STRUCTURE_H1, "Exactly one H1", "H1 headings on the page: the post title plus H1 blocks in the content",
              {"brief": Rule("error", "1, not empty")}, judge=_h1))


def _headings_unique(r: Research, rule: Rule) -> Verdict:
    seen: dict[str, str] = {}
    twice: list[str] = []
    for e in r.doc.headings:
        norm = " ".join(e.text.split()).casefold()
        if norm and norm in seen and e.text not in twice:
            twice.append(e.text)
        seen.setdefault(norm, e.text)
    return Verdict(not twice, twice, "every heading is different" if not twice
                   else "used more than once: " + ", ".join(f"“{t}”" for t in twice))


declare(Check(ids.STRUCTURE_HEADINGS_UNIQUE, "No two equal headings", "headings used more than once",
              {"brief": Rule("error", "each heading once")}, judge=_headings_unique))


def _heading_levels(r: Research, rule: Rule) -> Verdict:
    doc = r.doc
    skipped: list[str] = []
    previous = 1 if doc.post.title is not None else 0  # the theme prints the title as the H1
    for e in doc.headings:
        if e.level and previous and e.level > previous + 1:
            skipped.append(f"H{previous}→H{e.level} at “{e.text}”")
        previous = e.level or previous
    first_level = doc.headings[0].level if doc.headings else None
    if doc.post.title is None and first_level and first_level > 1 and doc.content_h1_count:
        skipped.insert(0, f"starts with H{first_level} before the H1")
    return Verdict(not skipped, skipped, "heading levels descend one at a time" if not skipped else "; ".join(skipped))


declare(Check(ids.STRUCTURE_HEADING_LEVELS, "No skipped heading level", "heading levels that skip one",
              {"brief": Rule("error", "no gaps")}, judge=_heading_levels))


def _single_h1(r: Research, rule: Rule) -> Verdict:
    n = r.yoast.h1_count
    return yoast_verdict(r.yoast.score("singleH1"), n, f"{n} H1 in the content (the post title is not content)")


declare(Check(ids.STRUCTURE_SINGLE_H1, "Single H1 (SEO plugin)", "H1 headings inside the content", {
    "yoast": yoast_rule("singleH1", "≤ 1 H1 in the content", "scoring/assessments/seo/SingleH1Assessment.js, "
                        "languageProcessing/researches/h1s.js"),
}, judge=_single_h1))


def _toc(r: Research, rule: Rule) -> Verdict:
    points = r.rankmath.points("contentHasTOC")
    return rankmath_verdict(points, "contentHasTOC", bool(points), "a Rank Math table of contents block is there"
                            if points else "no table of contents block (wp-block-rank-math-toc-block)")


declare(Check(ids.STRUCTURE_TOC, "Table of contents", "Rank Math's table of contents block in the content", {
    "rankmath": rankmath_rule("contentHasTOC", "a Rank Math TOC block"),
}, judge=_toc))
