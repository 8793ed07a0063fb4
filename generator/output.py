"""Step 6, write: DIR/<slug>/post.md (the seed's layout with a measured checklist), post.html
(paste-ready blocks), report.json and preview.html (to look at); each file written atomically.
A post that fails its checks is written all the same, and so is the work so far when the LLM
gave out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .checks import Report, ids
from .folder import DRAFT, POST_HTML, POST_MD, post_dir, write_report
from .fsutil import atomic_write_bytes, atomic_write_text
from .preview import write_preview
from .render import render_document

if TYPE_CHECKING:
    from .llm.client import Usage
    from .pipeline import Result


def checklist(report: Report) -> list[dict[str, Any]]:
    """The seed's checklist, every line a measurement from the report."""
    r = {c.id: c for c in report.results}

    def item(check_id: str, text: str) -> dict[str, Any]:
        return {"passed": r[check_id].passed, "text": text}

    items = []
    kw = r[ids.KEYWORD_COUNT]
    items.append(item(ids.KEYWORD_COUNT, f"Focus keyword: {kw.value} occurrences (target {kw.target})"))
    internal = r[ids.LINKS_INTERNAL_COUNT]
    items.append(item(ids.LINKS_INTERNAL_COUNT, f"Internal links: {internal.value} (target {internal.target})"))
    external = r[ids.LINKS_EXTERNAL_COUNT]
    items.append(item(ids.LINKS_EXTERNAL_COUNT, f"External links: {external.value} (target {external.target}) "
                                              "- DoFollow with rel=\"noopener\"" if r[ids.LINKS_EXTERNAL_REL].passed
                      else f"External links: {external.value} (target {external.target})"))
    items.append(item(ids.MARKUP_BLOCKS, f"WordPress block format: {'Yes' if r[ids.MARKUP_BLOCKS].passed else 'No'}"))
    items.append(item(ids.STRUCTURE_SPACERS, f"Spacers before H2: {r[ids.STRUCTURE_SPACERS].value}"))
    sentences = r[ids.PARAGRAPHS_SENTENCES]
    items.append(item(ids.PARAGRAPHS_SENTENCES, f"Max sentences per paragraph: {sentences.value} ({sentences.target})"))
    for rule, label in ((ids.TITLE_POWER_WORD, "Power word in title"), (ids.TITLE_NUMBER, "Number in title"),
                        (ids.TITLE_YEAR, "Year in title")):
        if rule in r:
            value = r[rule].value.get("H1") if isinstance(r[rule].value, dict) else r[rule].value
            shown = ", ".join(value) if isinstance(value, list) else value
            items.append(item(rule, f"{label}: {shown if shown not in (None, True, False) else ('Yes' if value else 'No')}"))
    words = r[ids.WORDS_COUNT]
    items.append(item(ids.WORDS_COUNT, f"Word count: {words.value} words (target {words.target})"))
    if r[ids.SEO_TITLE_LENGTH].value is not None:
        items.append(item(ids.SEO_TITLE_LENGTH, f"SEO title: {r[ids.SEO_TITLE_LENGTH].value} characters "
                                                f"({r[ids.SEO_TITLE_LENGTH].target})"))
    if r[ids.META_LENGTH].value is not None:
        items.append(item(ids.META_LENGTH, f"Meta description: {r[ids.META_LENGTH].value} characters "
                                           f"({r[ids.META_LENGTH].target})"))
    return items


def report_data(result: "Result", model: str, usage: "Usage") -> dict[str, Any]:
    report = result.report
    llm = usage.model_dump(exclude={"llm_seconds"})
    llm["tokens"] = usage.tokens
    return {
        "genpost": __version__,
        "status": result.status,
        "error": result.error,
        "model": model,
        "slug": result.plan.slug if result.plan else None,
        "passed": bool(report and report.passed and result.status != "error"),
        "failing": report.failing_ids() if report else [],
        "warnings": [c.id for c in report.warnings] if report else [],
        "rounds": [r.model_dump() for r in result.rounds],
        # What was not taken and why; what still fails and why the loop stopped.
        "rejected": [r for rnd in result.rounds for r in rnd.rejected],
        "open": [c.model_dump() for c in result.open],
        "kept_round": result.kept_round,
        "llm": llm,
        "images": {k: v for k, v in result.image_usage.items() if k != "image_seconds"} if result.image_usage else None,
        "profile": report.profile if report else None,
        "scores": report.scores if report else {},
        "checks": [c.model_dump() for c in report.results] if report else [],
        "brief": result.brief.model_dump(mode="json"),
        "plan": result.plan.model_dump() if result.plan else None,
        "timings": result.timings,
    }


def write_result(out: Path, result: "Result", model: str, usage: "Usage") -> Path:
    """Write what there is: the full post when rendered, else the draft so far and the report."""
    slug = result.plan.slug if result.plan else result.brief.default_slug()
    folder = post_dir(out, slug)
    folder.mkdir(parents=True, exist_ok=True)
    if result.post is not None and result.report is not None:
        for name, data in result.image_files.items():
            atomic_write_bytes(folder / name, data)
        atomic_write_text(folder / POST_HTML, result.post.markup)
        document = render_document(result.post, result.brief, result.plan.h1, checklist(result.report), __version__,
                                   result.plan.images)
        atomic_write_text(folder / POST_MD, document)
    elif result.draft is not None:
        atomic_write_text(folder / DRAFT, json.dumps(result.draft.model_dump(), ensure_ascii=False, indent=2))
    write_report(folder, report_data(result, model, usage))
    write_preview(folder)
    return folder
