"""See a post before it goes live: OUT/<slug>/preview.html, one self-contained page (CSS and
everything inline, nothing loaded) with the post as a reader sees it, its Google snippet, its
checks as traffic lights linked to where they apply, and what it cost; and OUT/index.html, every
post of a batch in one sortable table with a bar chart of cost and time.

Built only from a post folder's files (report.json, post.html), so `genpost preview` can rebuild
the pages of any folder later. Never imports the LLM layer or the pipeline. Markup comes only
from templates/preview.html.j2 and templates/index.html.j2, autoescaped.
"""

from __future__ import annotations

import base64
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import jinja2
from pydantic import BaseModel, Field, ValidationError

from . import __version__
from .annotate import Content, Image, annotate, embedded
from .brief import Brief, explain_validation
from .display import check_value, plural
from .errors import InputError
from .folder import INDEX, POST_HTML, PREVIEW, REPORT, find_post_folders, read_report
from .fsutil import atomic_write_text, data_dir
from .plaintext import plain_line
from .post import Document, Post
from .serp import Snippet, snippet

BATCH_REPORT = "batch-report.json"


# --- the page of one post ------------------------------------------------------------------------

class CheckView(BaseModel):
    id: str
    name: str
    severity: str
    light: Literal["fail", "warn", "pass"]
    value: str
    target: str
    message: str
    anchor: str  # where on the page it applies: #serp, #title, a section, #content
    where: list[tuple[str, str | None]]  # (section, its anchor when the section is on the page)


class RoundView(BaseModel):
    number: int
    failing: list[str]
    actions: list[str]


class UsageView(BaseModel):
    model: str
    calls: int
    cached: int
    retries: int
    prompt_tokens: int
    completion_tokens: int
    tokens: int
    cost: str
    seconds: str
    rounds: list[RoundView]


class PreviewPage(BaseModel):
    slug: str
    title: str
    status: str
    passed: bool
    error: str | None
    keyword: str
    website: str
    snippet: Snippet | None
    featured: Image | None = None  # the plan's featured image, shown above the title as a theme does
    checks: list[CheckView]
    summary: str  # "2 errors, 1 warning, 41 checks passed"
    content: Content | None
    usage: UsageView
    version: str = __version__


def _cost(value: Any) -> str:
    return "n/a" if value is None else f"${float(value):.4f}"


def _seconds(value: Any) -> str:
    return "–" if value is None else f"{float(value):.1f} s"


def _check_anchor(check_id: str, where: list[str], anchors: dict[str, str]) -> str:
    if check_id.startswith(("seo_title.", "meta.", "slug.")):
        return "#serp"
    if check_id.startswith("title.") or check_id in ("keyword.h1", "structure.h1"):
        return "#title"
    first = next((anchors[w] for w in where if w in anchors), None)
    return f"#{first}" if first else "#content"


def _checks(report: dict[str, Any], anchors: dict[str, str]) -> list[CheckView]:
    views = []
    for c in report.get("checks") or []:
        if not isinstance(c, dict) or "id" not in c:
            continue
        passed, severity = bool(c.get("passed")), str(c.get("severity", "error"))
        where = [str(w) for w in c.get("where") or []]
        views.append(CheckView(
            id=str(c["id"]), name=str(c.get("name") or c["id"]), severity=severity,
            light="pass" if passed else ("fail" if severity == "error" else "warn"),
            value=check_value(str(c["id"]), c.get("value")), target=str(c.get("target") or ""),
            message=str(c.get("message") or ""), anchor=_check_anchor(str(c["id"]), where, anchors),
            where=[(w, f"#{anchors[w]}" if w in anchors else None) for w in where]))
    order = {"fail": 0, "warn": 1, "pass": 2}
    return sorted(views, key=lambda v: order[v.light])  # stable: the checker's order within each light


def _usage(report: dict[str, Any]) -> UsageView:
    llm = report.get("llm") or {}
    rounds = [RoundView(number=int(r.get("round", i + 1)), failing=[str(f) for f in r.get("failing") or []],
                        actions=[str(a) for a in r.get("actions") or []])
              for i, r in enumerate(report.get("rounds") or []) if isinstance(r, dict)]
    return UsageView(model=str(report.get("model") or "–"), calls=int(llm.get("calls") or 0),
                     cached=int(llm.get("cached") or 0), retries=int(llm.get("retries") or 0),
                     prompt_tokens=int(llm.get("prompt_tokens") or 0),
                     completion_tokens=int(llm.get("completion_tokens") or 0), tokens=int(llm.get("tokens") or 0),
                     cost=_cost(llm.get("cost_usd")), seconds=_seconds((report.get("timings") or {}).get("total")),
                     rounds=rounds)


def _brief(report: dict[str, Any], source: Path) -> Brief:
    try:
        return Brief.model_validate(report.get("brief"))
    except ValidationError as e:
        raise InputError(str(source), *explain_validation(e, prefix="brief")) from None


def build_page(folder: Path) -> PreviewPage:
    """The preview of a post folder genpost wrote (InputError when it is not one)."""
    folder = Path(folder)
    report = read_report(folder)
    if report is None:
        raise InputError(str(folder), None, f"has no readable {REPORT}, so it is not a post folder genpost wrote",
                         "give a folder like out/<slug>/, or a batch's out/")
    brief = _brief(report, folder / REPORT)
    plan = report.get("plan") if isinstance(report.get("plan"), dict) else {}
    # The report is a file anyone could edit: its one-line fields are plain text again.
    title = plain_line(str(plan.get("h1") or brief.keyword))
    slug = str(plan.get("slug") or report.get("slug") or folder.name)
    seo_title = plan.get("seo_title")
    meta = plan.get("meta_description")
    serp = snippet(brief.website, slug, plain_line(str(seo_title or title)),
                   plain_line(str(meta)) if meta else None) if plan else None

    content = None
    anchors: dict[str, str] = {}
    try:
        markup = (folder / POST_HTML).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        markup = None  # the run ended before the post was rendered: the page says so
    if markup is not None:
        doc = Document(Post(markup=markup))
        content = annotate(doc, brief, title, folder)
        anchors = {s.name: s.anchor for s in content.sections}
    checks = _checks(report, anchors)
    errors = sum(1 for c in checks if c.light == "fail")
    warnings = sum(1 for c in checks if c.light == "warn")
    summary = (f"{plural(errors, 'error')}, {plural(warnings, 'warning')}, "
               f"{plural(len(checks) - errors - warnings, 'check')} passed")
    status = str(report.get("status") or "error")
    return PreviewPage(slug=slug, title=title, status=status, passed=bool(report.get("passed")),
                       error=str(report["error"]) if report.get("error") else None, keyword=brief.keyword,
                       website=brief.website, snippet=serp, featured=_featured(plan, folder), checks=checks,
                       summary=summary, content=content, usage=_usage(report))


def _size(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _featured(plan: dict[str, Any], folder: Path) -> Image | None:
    images = plan.get("images") if isinstance(plan.get("images"), list) else []
    for image in images:
        if isinstance(image, dict) and image.get("role") == "featured" and image.get("file"):
            file = str(image["file"])
            return Image(src=embedded(file, folder), written_src=file, alt=plain_line(str(image.get("alt") or "")),
                         width=_size(image.get("width")), height=_size(image.get("height")))
    return None


# --- the batch overview --------------------------------------------------------------------------

class IndexRow(BaseModel):
    slug: str
    keyword: str
    title: str
    status: str
    href: str | None  # the post's preview, relative to the index
    failing: list[str] = Field(default_factory=list)
    warnings: int = 0
    words: int | None = None
    keyword_uses: int | None = None
    cost_usd: float | None = None
    seconds: float | None = None
    note: str = ""
    line: int | None = None  # the batch's CSV line
    cost_bar: float = 0.0  # share of the largest, 0..1
    time_bar: float = 0.0


class IndexPage(BaseModel):
    rows: list[IndexRow]
    summary: str
    total_cost: str
    total_seconds: str
    max_cost: str
    max_seconds: str
    version: str = __version__


def _measured(report: dict[str, Any], check_id: str) -> int | None:
    for c in report.get("checks") or []:
        if isinstance(c, dict) and c.get("id") == check_id and isinstance(c.get("value"), int):
            return c["value"]
    return None


def _row(folder: Path, out: Path) -> IndexRow:
    report = read_report(folder) or {}
    plan = report.get("plan") if isinstance(report.get("plan"), dict) else {}
    brief = report.get("brief") if isinstance(report.get("brief"), dict) else {}
    llm = report.get("llm") or {}
    cost = llm.get("cost_usd")
    seconds = (report.get("timings") or {}).get("total")
    preview = folder / PREVIEW
    return IndexRow(
        slug=folder.name, keyword=plain_line(str(brief.get("keyword") or "")),
        title=plain_line(str(plan.get("h1") or "")), status=str(report.get("status") or "error"),
        href=preview.relative_to(out).as_posix() if preview.is_file() else None,
        failing=[str(f) for f in report.get("failing") or []], warnings=len(report.get("warnings") or []),
        words=_measured(report, "words.count"), keyword_uses=_measured(report, "keyword.count"),
        cost_usd=float(cost) if isinstance(cost, (int, float)) else None,
        seconds=float(seconds) if isinstance(seconds, (int, float)) else None,
        note=plain_line(str(report.get("error") or "")))


def _batch_rows(out: Path) -> list[dict[str, Any]]:
    """The rows of the batch that wrote OUT, if one did (for rows without a folder: bad rows)."""
    try:
        data = json.loads((out / BATCH_REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    rows = data.get("rows") if isinstance(data, dict) else None
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def build_index(out: Path) -> IndexPage:
    """Every post folder in OUT; after a batch, in the CSV's order and with its bad rows."""
    out = Path(out)
    rows = [_row(folder, out) for folder in find_post_folders(out) if folder != out]
    by_slug = {r.slug: r for r in rows}
    for r in _batch_rows(out):
        line = r.get("line") if isinstance(r.get("line"), int) else None
        if r.get("status") == "bad row":
            rows.append(IndexRow(slug="", keyword=plain_line(str(r.get("keyword") or "")), title="",
                                 status="bad row", href=None, line=line,
                                 note=plain_line(f"line {line}: {r.get('note')}")))
        elif str(r.get("slug")) in by_slug:
            by_slug[str(r.get("slug"))].line = line
    rows.sort(key=lambda r: (r.line is None, r.line or 0))  # stable: folders without a line stay by name
    costs = [r.cost_usd for r in rows if r.cost_usd is not None]
    times = [r.seconds for r in rows if r.seconds is not None]
    max_cost, max_time = max(costs, default=0.0), max(times, default=0.0)
    for r in rows:
        r.cost_bar = (r.cost_usd or 0.0) / max_cost if max_cost > 0 else 0.0
        r.time_bar = (r.seconds or 0.0) / max_time if max_time > 0 else 0.0
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    order = ["passed", "failed", "error", "bad row"]
    summary = f"{plural(len(rows), 'post')}: " + ", ".join(
        plural(n, status) if status == "bad row" else f"{n} {status}"
        for status, n in sorted(counts.items(), key=lambda i: (order.index(i[0]) if i[0] in order else 9, i[0])))
    missing_cost = any(r.cost_usd is None for r in rows if r.status != "bad row")
    return IndexPage(rows=rows, summary=summary if rows else "no posts yet",
                     total_cost="n/a" if missing_cost and not costs else _cost(sum(costs)),
                     total_seconds=_seconds(sum(times)), max_cost=_cost(max_cost), max_seconds=_seconds(max_time))


# --- writing -------------------------------------------------------------------------------------

def _csp_hash(text: object) -> str:
    """The Content-Security-Policy source of one inline script: only that script may run."""
    return "sha256-" + base64.b64encode(hashlib.sha256(str(text).encode("utf-8")).digest()).decode("ascii")


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(data_dir("templates")), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["csp_hash"] = _csp_hash
    return env


def render_page(page: PreviewPage) -> str:
    return _env().get_template("preview.html.j2").render(page=page)


def render_index(page: IndexPage) -> str:
    return _env().get_template("index.html.j2").render(page=page)


def write_preview(folder: Path) -> Path:
    """Write FOLDER/preview.html from the folder's files; its path."""
    path = Path(folder) / PREVIEW
    atomic_write_text(path, render_page(build_page(folder)))
    return path


def write_index(out: Path) -> Path:
    """Write OUT/index.html over every post folder in OUT; its path."""
    path = Path(out) / INDEX
    atomic_write_text(path, render_index(build_index(out)))
    return path
