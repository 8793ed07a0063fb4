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
import math
import tempfile
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator, Literal, Mapping

import jinja2
from pydantic import BaseModel, Field, ValidationError

from . import __version__
from .annotate import Content, Image, annotate, embedded
from .brief import Brief, explain_validation
from .display import check_value, plural
from .errors import InputError
from .folder import INDEX, POST_HTML, PREVIEW, REPORT, find_post_folders, read_report
from .fsutil import atomic_write_lines, atomic_write_text, data_dir
from .plaintext import plain_line, shown_line
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
        # Read once, after the checks (in a batch, in the checker's process): kept out of the
        # cache of block views, which is for the re-checks of the posts in flight.
        doc = Document(Post(markup=markup), cached=False)
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

    @property
    def charted(self) -> int:
        """Rows in the chart: every post (bad rows have none)."""
        return sum(1 for r in self.rows if r.status != "bad row")


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


def _batch_rows(out: Path) -> Iterator[Mapping[str, Any]]:
    """The rows of the batch that wrote OUT, if one did (for rows without a folder: bad rows)."""
    try:
        data = json.loads((out / BATCH_REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return iter(())
    rows = data.get("rows") if isinstance(data, dict) else None
    return iter([r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else [])


def _index_rows(out: Path, batch_rows: Iterable[Mapping[str, Any]] | None) -> Iterator[tuple[tuple, IndexRow]]:
    """Every row of the index with its place (unsorted): after a batch, by CSV line; post folders
    without one after those, by name; a bad row after a post of the same line. Holds one row at a
    time, plus the batch's CSV line per slug."""
    lines: dict[str, int | None] = {}
    bad: list[tuple[int | None, str, str]] = []  # line, keyword, note: what a bad row shows
    for r in _batch_rows(out) if batch_rows is None else batch_rows:
        line = r.get("line") if isinstance(r.get("line"), int) else None
        if r.get("status") == "bad row":
            # A bad row's keyword and note are what the CSV and the check said, shown escaped:
            # stripping them would leave a keyword `<script>x</script>` empty and its note garbled.
            bad.append((line, shown_line(str(r.get("keyword") or "")), shown_line(f"line {line}: {r.get('note')}")))
        else:
            lines[str(r.get("slug"))] = line
    n = 0
    for n, folder in enumerate((f for f in find_post_folders(out) if f != out), start=1):
        row = _row(folder, out)
        row.line = lines.get(row.slug)
        yield (row.line is None, row.line or 0, 0, n), row
    for m, (line, keyword, note) in enumerate(bad):
        row = IndexRow(slug="", keyword=keyword, title="", status="bad row", href=None, line=line, note=note)
        yield (line is None, line or 0, 1, m), row


@dataclass
class _Totals:
    """What the index's head and chart say about all rows, summed up one row at a time."""

    counts: dict[str, int] = field(default_factory=dict)
    costs: list[float] = field(default_factory=list)  # fsum: the same total in any order
    times: list[float] = field(default_factory=list)
    missing_cost: bool = False

    def add(self, r: IndexRow) -> None:
        self.counts[r.status] = self.counts.get(r.status, 0) + 1
        if r.cost_usd is not None:
            self.costs.append(r.cost_usd)
        elif r.status != "bad row":
            self.missing_cost = True
        if r.seconds is not None:
            self.times.append(r.seconds)

    @property
    def max_cost(self) -> float:
        return max(self.costs, default=0.0)

    @property
    def max_time(self) -> float:
        return max(self.times, default=0.0)

    def bars(self, r: IndexRow) -> IndexRow:
        r.cost_bar = (r.cost_usd or 0.0) / self.max_cost if self.max_cost > 0 else 0.0
        r.time_bar = (r.seconds or 0.0) / self.max_time if self.max_time > 0 else 0.0
        return r

    def head(self) -> dict[str, str]:
        order = ["passed", "failed", "error", "bad row"]
        total = sum(self.counts.values())
        summary = f"{plural(total, 'post')}: " + ", ".join(
            plural(n, status) if status == "bad row" else f"{n} {status}"
            for status, n in sorted(self.counts.items(), key=lambda i: (order.index(i[0]) if i[0] in order else 9, i[0])))
        return dict(summary=summary if total else "no posts yet",
                    total_cost="n/a" if self.missing_cost and not self.costs else _cost(math.fsum(self.costs)),
                    total_seconds=_seconds(math.fsum(self.times)), max_cost=_cost(self.max_cost),
                    max_seconds=_seconds(self.max_time))


def build_index(out: Path, batch_rows: Iterable[Mapping[str, Any]] | None = None) -> IndexPage:
    """Every post folder in OUT; after a batch, in the CSV's order and with its bad rows. The
    whole page in memory: write_index writes the same page holding one row at a time."""
    out = Path(out)
    totals = _Totals()
    placed = sorted(_index_rows(out, batch_rows), key=lambda item: item[0])
    rows = [row for _, row in placed]
    for r in rows:
        totals.add(r)
    for r in rows:
        totals.bars(r)
    return IndexPage(rows=rows, **totals.head())


class _SpooledRows:
    """The index's rows in a temporary file beside the page, read back in order as often as the
    template goes through them; memory holds each row's place and offset."""

    def __init__(self, out: Path, rows: Iterable[tuple[tuple, IndexRow]], totals: _Totals):
        self._file = tempfile.TemporaryFile("w+", encoding="utf-8", dir=out)  # on disk, not in a tmpfs
        self._totals = totals
        places: list[tuple[tuple, int]] = []
        for place, row in rows:
            totals.add(row)
            places.append((place, self._file.tell()))
            self._file.write(row.model_dump_json() + "\n")
        places.sort(key=lambda item: item[0])
        self._offsets = array("q", (offset for _, offset in places))

    def __iter__(self) -> Iterator[IndexRow]:
        for offset in self._offsets:
            self._file.seek(offset)
            yield self._totals.bars(IndexRow.model_validate_json(self._file.readline()))

    def close(self) -> None:
        self._file.close()


@dataclass
class _StreamedIndex:
    """What index.html.j2 reads of an IndexPage, with the rows coming from the spool."""

    rows: _SpooledRows
    charted: int
    summary: str
    total_cost: str
    total_seconds: str
    max_cost: str
    max_seconds: str
    version: str = __version__


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


def write_index(out: Path, batch_rows: Iterable[Mapping[str, Any]] | None = None) -> Path:
    """Write OUT/index.html over every post folder in OUT; its path. batch_rows: the rows of the
    batch that wrote OUT, in CSV order (default: read from its batch-report.json). Streamed: the
    rows go through a temporary file, so memory does not grow with the posts; the page is the
    one render_index(build_index(out)) gives."""
    out = Path(out)
    path = out / INDEX
    out.mkdir(parents=True, exist_ok=True)
    totals = _Totals()
    rows = _SpooledRows(out, _index_rows(out, batch_rows), totals)
    try:
        page = _StreamedIndex(rows=rows, charted=sum(n for s, n in totals.counts.items() if s != "bad row"),
                              **totals.head())
        atomic_write_lines(path, _env().get_template("index.html.j2").generate(page=page))
    finally:
        rows.close()
    return path
