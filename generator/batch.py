"""Many posts from a CSV of keywords: read as a stream, generated concurrently under one shared
request limiter (or through provider batches, step by step), resumable (finished posts are
skipped, paid answers come from the ledger), and summed up in batch-report.csv and .json."""

from __future__ import annotations

import asyncio
import codecs
import csv
import gc
import io
import json
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterator

from pydantic import BaseModel, Field

from .brief import Brief, BriefImages, Targets, TitleRules, WordPressSettings, brief_from_data, load_brief_data
from .errors import InputError, OutputError
from .fsutil import atomic_write_lines
from .batch_provider import ProviderRun, make_engine, provider_passes
from .llm import (ImageClient, ImageSettings, LedgerImageCache, LLMClient, LLMSettings, Limiter, make_image_model,
                  make_model, open_ledger)
from .llm.budget import Budget
from .llm.errors import BudgetExceeded, Deferred
from .llm.ledger import Ledger
from .folder import read_report
from .pipeline import Checker, GenerationFailed, ProcessChecker
from .preview import write_index
from .run import produce
from .tasks import settle_others, stop_others

DONE = ("passed", "failed")  # a report with one of these is a finished post; "error" is not
_NESTED = {"targets": Targets, "title": TitleRules, "wordpress": WordPressSettings, "images": BriefImages}
_TOP_LEVEL = {name for name in Brief.model_fields if name not in {*_NESTED, "internal_links", "external_links",
                                                                   "facts"}}


# --- reading the CSV as a stream ---------------------------------------------------------------

MAX_CELL = 10_000  # characters in one CSV cell; far above any keyword or override
# Columns a row may not set: the application password belongs to the one site and user named by
# --wp-url/--wp-user, the environment or the base brief, never to a host a CSV row names.
_CREDENTIAL_COLUMNS = {"wordpress.url": "the site", "wordpress.user": "the user"}


def _decode(raw: bytes) -> str | None:
    """One physical line: UTF-8 (Excel's "CSV UTF-8"), else cp1252 (Excel in Germany), each
    strict; None when it is neither. Per line, so one odd row cannot garble or drop the others."""
    for encoding in ("utf-8", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


class _Lines:
    """The file's physical lines, decoded one by one for the csv reader; remembers which lines
    could not be decoded or hold a NUL byte."""

    def __init__(self, handle: BinaryIO):
        self.handle = handle
        self.number = 0
        self.bad: set[int] = set()

    def __iter__(self) -> "_Lines":
        return self

    def __next__(self) -> str:
        raw = self.handle.readline()
        if not raw:
            raise StopIteration
        self.number += 1
        if self.number == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        text = _decode(raw) if b"\x00" not in raw else None
        if text is None:
            self.bad.add(self.number)
            return "\n"  # an empty line: the row is reported as bad, its bytes never become text
        return text


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def column_target(column: str) -> tuple[str, ...] | None:
    """Where a CSV column goes in the brief: `topic` -> (topic,), `words_min` -> (targets, words_min),
    `title.year` -> (title, year); None for a column that is not a brief field."""
    name = column.strip().lower()
    if "." in name:
        head, _, field = name.partition(".")
        return (head, field) if head in _NESTED and field in _NESTED[head].model_fields else None
    if name in _TOP_LEVEL:
        return (name,)
    if name in Targets.model_fields:
        return ("targets", name)
    return None


@dataclass
class Row:
    line: int
    keyword: str
    overrides: dict[tuple[str, ...], str]


@dataclass
class BadRow:
    line: int
    keyword: str
    problem: str


class CsvInfo(BaseModel):
    columns: list[str]
    ignored: list[str]
    delimiter: str


def open_csv(path: Path) -> tuple[CsvInfo, Iterator[Row | BadRow]]:
    """Check the header at once (InputError for a bad CSV); rows come lazily, each with the
    number of the physical line it starts on."""
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise InputError(source, None, "file not found" if not path.exists() else "is not a file")
    handle = path.open("rb")
    lines = _Lines(handle)
    try:
        header_line = next(lines, "")
        if 1 in lines.bad:
            raise InputError(source, "line 1", "is a binary file, not a CSV" if lines.number else "cannot be decoded",
                             "save the sheet as CSV (UTF-8)")
        if not header_line.strip():
            raise InputError(source, None, "is empty", "the first row names the columns, e.g. keyword;topic")
        if len(header_line) > MAX_CELL:
            raise InputError(source, "line 1", f"the header is longer than {MAX_CELL} characters")
        delimiter = _delimiter(header_line)
        columns = [c.strip() for c in next(csv.reader([header_line], delimiter=delimiter))]
        lowered = [c.lower() for c in columns]
        if "keyword" not in lowered:
            raise InputError(source, "line 1", "no 'keyword' column among " + ", ".join(c[:40] for c in columns[:20]),
                             "name one column 'keyword'")
        for name in lowered:
            if lowered.count(name) > 1:
                raise InputError(source, "line 1", f"the column '{name[:40]}' appears twice", "keep one of them")
            if name in _CREDENTIAL_COLUMNS:
                raise InputError(source, "line 1", f"the column '{name}' would send the application password to "
                                 f"{_CREDENTIAL_COLUMNS[name]} a row names",
                                 "remove it; a batch publishes to one site, given by --wp-url or the base brief")
    except BaseException:
        handle.close()
        raise
    targets = {c: column_target(c) for c in columns if c.lower() != "keyword"}
    info = CsvInfo(columns=columns, ignored=[c for c, t in targets.items() if t is None], delimiter=delimiter)
    key_index = lowered.index("keyword")

    def rows() -> Iterator[Row | BadRow]:
        # The limit is the csv module's, for the whole process: a bigger cell is a bad row.
        csv.field_size_limit(MAX_CELL)
        reader = csv.reader(lines, delimiter=delimiter)
        end = 1  # the physical line the previous record ended on
        try:
            while True:
                start = end + 1
                try:
                    record = next(reader)
                except StopIteration:
                    return
                except csv.Error:
                    end = lines.number
                    yield BadRow(start, "", f"a cell is longer than {MAX_CELL} characters or unreadable")
                    continue
                end = lines.number
                if any(n in lines.bad for n in range(start, end + 1)):
                    yield BadRow(start, "", "cannot be decoded (neither UTF-8 nor cp1252) or holds a NUL byte")
                    continue
                if not any(cell.strip() for cell in record):
                    continue  # blank lines between rows
                keyword = record[key_index].strip() if key_index < len(record) else ""
                if not keyword:
                    yield BadRow(start, "", "empty keyword")
                    continue
                overrides = {targets[c]: record[i].strip() for i, c in enumerate(columns)
                             if i < len(record) and i != key_index and targets.get(c) and record[i].strip()}
                yield Row(start, keyword, overrides)
        finally:
            handle.close()

    return info, rows()


def count_rows(path: Path) -> int:
    """Rows a batch will report (bad ones included), for the progress bar. A sheet with its header
    and nothing under it is refused like an empty one: a batch of no posts is a mistake, not a success."""
    _, rows = open_csv(path)
    total = sum(1 for _ in rows)
    if total == 0:
        raise InputError(str(path), None, "has a header but no rows", "add one keyword per line under the header")
    return total


def row_brief(base: dict[str, Any], row: Row, source: str, base_dir: Path) -> Brief:
    data = json.loads(json.dumps(base))  # a deep copy of plain YAML data
    data["keyword"] = row.keyword
    for target, value in row.overrides.items():
        node = data
        for key in target[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[target[-1]] = None if value.lower() in ("null", "none", "-") else value
    return brief_from_data(data, source=source, base_dir=base_dir)


# --- running ----------------------------------------------------------------------------------

class RowResult(BaseModel):
    line: int
    keyword: str
    slug: str = ""
    status: str  # passed | failed | error | bad row | skipped
    rounds: int = 0
    calls: int = 0
    tokens: int = 0
    cost_usd: float | None = 0.0
    batch_cost_usd: float | None = 0.0  # the part of cost_usd answered through provider batches
    seconds: float = 0.0
    failing: list[str] = Field(default_factory=list)
    note: str = ""
    earlier: str | None = None  # a skipped row: the status the earlier run gave its post

    @property
    def outcome(self) -> str:
        """The post's status, whether this run made it or an earlier one (skipped rows)."""
        return self.earlier if self.status == "skipped" and self.earlier else self.status


class StatusTotals(BaseModel):
    posts: int = 0
    calls: int = 0
    tokens: int = 0
    cost_usd: float | None = 0.0
    batch_cost_usd: float | None = 0.0


class BatchResult(BaseModel):
    """Totals only: the rows themselves stay on disk, so memory does not grow with the CSV."""

    totals: dict[str, StatusTotals]
    rows_file: Path
    ignored_columns: list[str]
    seconds: float
    aborted: str | None = None  # the endpoint refused (e.g. the key): the rows not started are errors
    stopped: str | None = None  # the budget (--max-cost) stopped the run; what is done is kept

    @property
    def rows_total(self) -> int:
        return sum(t.posts for t in self.totals.values())

    def count(self, *statuses: str) -> int:
        return sum(t.posts for s, t in self.totals.items() if s in statuses)

    def rows(self) -> Iterator[RowResult]:
        """Every row in CSV order, read back from batch-report.json's row journal."""
        with self.rows_file.open(encoding="utf-8") as f:
            for line in f:
                yield RowResult.model_validate_json(line)


class RowJournal:
    """Finished rows go to a JSON-lines file as they come (in completion order); memory keeps
    only each row's line number and file offset, to write the reports in CSV order at the end."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._file = path.open("w+", encoding="utf-8")
        self._index: list[tuple[int, int]] = []
        self.totals: dict[str, StatusTotals] = {}

    def add(self, row: RowResult) -> None:
        self._index.append((row.line, self._file.tell()))
        self._file.write(row.model_dump_json() + "\n")
        self._file.flush()
        t = self.totals.setdefault(row.status, StatusTotals())
        t.posts += 1
        t.calls += row.calls
        t.tokens += row.tokens
        t.cost_usd = None if t.cost_usd is None or row.cost_usd is None else round(t.cost_usd + row.cost_usd, 6)
        t.batch_cost_usd = (None if t.batch_cost_usd is None or row.batch_cost_usd is None
                            else round(t.batch_cost_usd + row.batch_cost_usd, 6))

    def in_order(self) -> Iterator[str]:
        for _, offset in sorted(self._index):
            self._file.seek(offset)
            yield self._file.readline()

    def close(self) -> None:
        self._file.close()


def _from_report(row: Row | BadRow, slug: str, report: dict[str, Any], note: str) -> RowResult:
    llm = report.get("llm", {})
    return RowResult(line=row.line, keyword=row.keyword, slug=slug, status=report.get("status", "error"),
                     rounds=len(report.get("rounds", [])), calls=llm.get("calls", 0), tokens=llm.get("tokens", 0),
                     cost_usd=llm.get("cost_usd"), batch_cost_usd=llm.get("batch_cost_usd", 0.0),
                     seconds=report.get("timings", {}).get("total", 0.0),
                     failing=report.get("failing", []), note=note)


def _skipped(row: Row, slug: str, report: dict[str, Any], note: str) -> RowResult:
    """A row an earlier run finished: counted as skipped, with what that run found, but none of
    its calls, tokens, cost or time, which were spent then and not by this run."""
    earlier = report.get("status", "error")
    return RowResult(line=row.line, keyword=row.keyword, slug=slug, status="skipped", earlier=earlier,
                     rounds=len(report.get("rounds", [])), failing=report.get("failing", []),
                     note=f"done in an earlier run ({earlier}); not generated again" + (f"; {note}" if note else ""))


async def run_batch(csv_path: Path, brief_path: Path, out: Path, settings: LLMSettings, *, jobs: int = 4,
                    rpm: int | None = None, max_concurrent: int | None = None, force: bool = False,
                    max_rounds: int = 4, on_row: Callable[[RowResult], None] | None = None,
                    check_workers: int = 0, images: ImageSettings | None = None, provider: ProviderRun | None = None,
                    max_cost: float | None = None, on_event: Callable[[str], None] | None = None) -> BatchResult:
    """check_workers: processes that run the checker (0: in this process); images: the image
    model for rows whose brief has images: source: generate. provider: answer the requests
    through provider batches, step by step (None: live). max_cost: stop before the estimated
    cost of every answer in OUT's ledger would pass this many dollars."""
    base = load_brief_data(brief_path)
    brief_from_data(base, source=str(brief_path), base_dir=Path(brief_path).parent)  # a bad base brief stops here
    info, rows = open_csv(csv_path)
    rows.close()
    started = time.perf_counter()
    say = on_event or (lambda _m: None)
    model = make_model(settings)  # one client (and connection pool) for all posts
    ledger = open_ledger(settings, model.paid)
    budget = None
    if max_cost is not None:
        budget = Budget(max_cost, ledger.total_cost() if ledger is not None else 0.0)
    limiter = Limiter(rpm=rpm, max_concurrent=max_concurrent)
    image_model = make_image_model(images) if images is not None else None
    # Images are kept in the same ledger as the text answers (their files beside it).
    image_cache = LedgerImageCache(ledger) if ledger is not None and image_model is not None and image_model.paid else None

    def image_client(brief: Brief) -> ImageClient | None:
        if image_model is None or brief.images.source != "generate":
            return None
        return ImageClient(model=image_model, cache=image_cache, policy=images.retry, limiter=limiter)

    checker = ProcessChecker(check_workers) if check_workers > 0 else Checker()
    journal = RowJournal(Path(out) / ".batch" / "rows.jsonl")
    engine = None
    if provider is not None:
        engine = make_engine(provider, settings, model, ledger, limiter, budget, say)
    run = BatchRun(csv_path=csv_path, brief_path=Path(brief_path), base=base, out=Path(out), jobs=max(jobs, 1),
               force=force, max_rounds=max_rounds, checker=checker, journal=journal, on_row=on_row, ledger=ledger,
               image_client=image_client, abort_on_budget=engine is None)
    try:
        if engine is None:
            await run.one_pass(lambda slug: LLMClient(model=model, ledger=ledger, policy=settings.retry,
                                                      limiter=limiter, label=slug, budget=budget), final=True)
        else:
            await provider_passes(run, engine, provider, say)
    finally:
        # Interrupted (or a request outlived _settle): the posts' tasks end before the ledger is
        # closed, so an answer that arrived is kept and nothing writes into a closed ledger.
        await stop_others()
        if engine is not None:
            await engine.aclose()
        await model.aclose()
        if image_model is not None:
            await image_model.aclose()
        checker.close()
        if ledger is not None:
            ledger.close()
    seconds = round(time.perf_counter() - started, 3)
    sorted_rows = Path(out) / ".batch" / "rows-sorted.jsonl"
    atomic_write_lines(sorted_rows, journal.in_order())
    journal.close()
    batch = BatchResult(totals=journal.totals, rows_file=sorted_rows, ignored_columns=info.ignored,
                        seconds=seconds, aborted=run.aborted[0] if run.aborted else None,
                        stopped=run.stopped)
    write_batch_report(out, batch)
    write_index(out, (r.model_dump() for r in batch.rows()))  # the journal, one row at a time
    return batch


@dataclass
class BatchRun:
    """The rows of one batch run, and what is done across its passes."""

    csv_path: Path
    brief_path: Path
    base: dict[str, Any]
    out: Path
    jobs: int
    force: bool
    max_rounds: int
    checker: Checker
    journal: RowJournal
    on_row: Callable[[RowResult], None] | None
    ledger: Ledger | None
    image_client: Callable[[Brief], ImageClient | None] = lambda _brief: None
    abort_on_budget: bool = True  # live: the budget stops every post; batches: each where it must
    finished: set[int] = field(default_factory=set)  # CSV lines with their result recorded
    aborted: list[str] = field(default_factory=list)
    stopped: str | None = None

    def done(self, result: RowResult) -> None:
        self.journal.add(result)
        self.finished.add(result.line)
        # A post an earlier run finished (a single run, or the batch before a restart) counts by
        # that run's outcome, so --status counts every post the folder holds.
        if self.ledger is not None and result.slug and result.outcome in ("passed", "failed", "error"):
            self.ledger.set_post(result.slug, result.outcome)
        if self.on_row:
            self.on_row(result)

    async def one_pass(self, client_for: Callable[[str], LLMClient], final: bool) -> int:
        """Every row not done yet, up to `jobs` at once; returns how many posts wait for answers
        (Deferred). final: a waiting post is recorded as such (nothing more comes in this run)."""
        _, rows = open_csv(self.csv_path)
        taken: dict[str, int] = {}  # slug -> line that has it
        queue: asyncio.Queue = asyncio.Queue(maxsize=self.jobs)
        waiting = 0

        async def work() -> None:
            nonlocal waiting
            while True:
                item = await queue.get()
                if item is None:
                    queue.task_done()
                    return
                row, brief, slug, note = item
                try:
                    if self.aborted:
                        self.done(RowResult(line=row.line, keyword=row.keyword, slug=slug, status="error",
                                            note="not started: " + self.aborted[0]))
                        continue
                    client = client_for(slug)
                    t0 = time.perf_counter()
                    try:
                        # Only the folder: the post (plan, draft, report, images) is on disk now,
                        # and a name kept for it would hold it while this worker makes the next one.
                        folder = (await produce(brief, client, self.out, max_rounds=self.max_rounds,
                                                checker=self.checker, images=self.image_client(brief)))[0]
                        report = read_report(folder) or {}
                        self.done(_from_report(row, slug, report, note))
                    except Deferred as deferred:
                        # The post's work so far is in the frames of this exception's traceback,
                        # in reference cycles that only the cyclic GC would free (and the parsed
                        # HTML behind them is C memory the GC does not count): free it now.
                        traceback.clear_frames(deferred.__traceback__)
                        waiting += 1
                        if final:
                            self.done(RowResult(line=row.line, keyword=row.keyword, slug=slug, status="waiting",
                                                note="waits for answers to its next step"))
                    except Exception as e:  # one post's failure must not stop the others (or the queue)
                        budget = isinstance(e.__context__, BudgetExceeded) or isinstance(e, BudgetExceeded)
                        if budget:
                            self.stopped = str(e)
                        if isinstance(e, GenerationFailed) and e.fatal and (self.abort_on_budget or not budget):
                            self.aborted.append(str(e))  # a rejected key (or the budget) fails every post alike
                        note = (str(e) if isinstance(e, (GenerationFailed, OutputError))
                                else f"internal error: {type(e).__name__}")
                        self.done(RowResult(line=row.line, keyword=row.keyword, slug=slug, status="error",
                                            calls=client.usage.calls, tokens=client.usage.tokens,
                                            cost_usd=client.usage.cost_usd,
                                            batch_cost_usd=client.usage.batch_cost_usd,
                                            seconds=round(time.perf_counter() - t0, 3), note=note))
                finally:
                    queue.task_done()

        workers = [asyncio.create_task(work()) for _ in range(self.jobs)]
        try:
            for row in rows:
                if isinstance(row, BadRow):
                    if row.line not in self.finished:
                        self.done(RowResult(line=row.line, keyword=row.keyword, status="bad row", note=row.problem))
                    continue
                try:
                    brief = row_brief(self.base, row, f"{self.csv_path}: line {row.line}", self.brief_path.parent)
                except InputError as e:
                    if row.line not in self.finished:
                        self.done(RowResult(line=row.line, keyword=row.keyword, status="bad row",
                                            note=str(e).split(": ", 2)[-1]))
                    continue
                slug, note = brief.default_slug(), ""
                if slug in taken:
                    n = 2
                    while f"{slug}-{n}" in taken:
                        n += 1
                    note = f"slug {slug} is taken by line {taken[slug]}; this post's slug is {slug}-{n}"
                    slug = f"{slug}-{n}"
                    # The folder's slug is the post's slug, on WordPress too: never two posts with one slug.
                    brief = brief.model_copy(update={"slug": slug})
                taken[slug] = row.line
                if row.line in self.finished:
                    continue  # done in an earlier pass of this run
                previous = None if self.force else read_report(self.out / slug)
                if previous and previous.get("status") in DONE and previous.get("brief", {}).get("keyword") == brief.keyword:
                    self.done(_skipped(row, slug, previous, note))
                    continue
                await queue.put((row, brief, slug, note))
            for _ in workers:
                await queue.put(None)
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()
            rows.close()
        # When one of a post's parallel requests is deferred, its siblings in an asyncio.gather are
        # queued a moment later: let them arrive in the ledger before the pass ends.
        await settle_others()
        if waiting:
            # Posts that stopped to wait leave reference cycles behind (exceptions, their frames,
            # the tasks of parallel requests); free them before the batch wait and the next pass.
            gc.collect()
        return waiting


REPORT_COLUMNS = ["line", "keyword", "slug", "status", "rounds", "calls", "tokens", "cost_usd", "batch_cost_usd", "seconds",
                  "failing", "note"]


def spreadsheet_safe(value: object) -> object:
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
    apostrophe, as OWASP recommends against CSV injection; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def write_batch_report(out: Path, batch: BatchResult) -> None:
    """batch-report.csv and .json, written row by row from the journal."""

    def csv_lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        for r in batch.rows():
            data = r.model_dump()
            data["failing"] = " ".join(r.failing)
            writer.writerow([spreadsheet_safe(data[c]) if data[c] is not None else "" for c in REPORT_COLUMNS])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    def json_lines() -> Iterator[str]:
        head = batch.model_dump(mode="json", exclude={"rows_file"})
        yield json.dumps(head, ensure_ascii=False, indent=2)[:-2] + ',\n  "rows": [\n'
        first = True
        for r in batch.rows():
            yield ("" if first else ",\n") + "    " + r.model_dump_json()
            first = False
        yield "\n  ]\n}\n"

    atomic_write_lines(out / "batch-report.csv", csv_lines())
    atomic_write_lines(out / "batch-report.json", json_lines())
