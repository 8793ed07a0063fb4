"""Provider batches: requests answered through a Batch API (or a file that `vllm run-batch`
answers) instead of live, at half the price and outside the live rate limit.

How it fits the pipeline, which stays as it is: each post gets a model (DeferringModel) that
answers from the ledger or, for a request the ledger has no answer to, queues it there and raises
Deferred: the post stops and waits. The batch runner (generator/batch.py) runs every post that
way, in passes; after a pass, `submit()` sends every queued request as one provider batch (split
below the provider's limits), `wait()` polls the open batches with backoff and writes their
answers into the ledger, and the next pass runs the posts again: what is answered comes from the
ledger, and each post gets as far as its next unanswered request. So the steps emerge by
themselves: all plans, then all sections, then each repair round.

Nothing is sent twice: a request's state is in the ledger. A request in a batch that is still
running is `submitted` there, with the batch; a rerun after a crash or Ctrl-C finds it by its
hash and polls that batch. A batch is recorded (with its input file) before it is created at
the provider, so one created just before a crash is found again by its input file. Lines that
came back without an answer (error file, 429 or 5xx lines, an expired or cancelled batch's
unfinished lines, lines missing from both files) are asked again in the next batch, or live with
`finish_live`; a request that fails `max_tries` batches, or that the provider refuses (400), ends
its post with an error.

`export()` and `import_file()` are the same with a file instead of the API: the offline loop on
one's own vLLM cluster.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator

from ..fsutil import atomic_write_lines
from ..retry import RetryPolicy
from .base import Model, Request, Response
from .batch_lines import CHAT_URL, parse_line, request_line
from .budget import Budget, max_cost
from .client import LLMClient
from .limiter import Limiter
from .errors import BudgetExceeded, Deferred, FatalError, TransientError
from .ledger import FAILED, REJECTED, SUBMITTED, Ledger, owner, owner_alive, step_of
from .pricing import estimate_cost

if TYPE_CHECKING:  # the API client (and the openai library) is loaded only when a batch goes to a provider
    from .batch_api import BatchAPI, BatchInfo

log = logging.getLogger("genpost.llm")

# OpenAI: 50,000 requests and 200 MB per input file (Azure: 100,000). Bytes stay below 200 MB
# however a megabyte is counted.
MAX_LINES = 50_000
MAX_BYTES = 200_000_000
NO_RETRY = RetryPolicy(attempts=1, total_seconds=0)  # a deferred request is not a failure to retry


@dataclass
class EngineOptions:
    finish_live: bool = False  # failed lines are asked live instead of in the next batch
    poll_seconds: float = 10.0  # the first wait between polls; it grows by half up to 30 times this
    endpoint: str = CHAT_URL  # Azure's older api-versions: /chat/completions
    max_lines: int = MAX_LINES
    max_bytes: int = MAX_BYTES
    max_tries: int = 6  # batches a request may be in before its post gives up


def poll_waits(first: float) -> Iterator[float]:
    """Seconds between polls: first, then half as long again each time, up to 30 x first."""
    wait, most = first, first * 30
    while True:
        yield wait
        wait = min(wait * 1.5, most)


class DeferringModel(Model):
    """The model a post talks to in a provider-batch run: every request it gets is one the ledger
    had no answer to (LLMClient asks the ledger first), so it is queued, and the post waits."""

    paid = True

    def __init__(self, engine: "BatchEngine", post: str):
        self.engine = engine
        self.name = engine.model
        self.post = post

    async def complete(self, request: Request) -> Response:
        self.engine.defer(request, self.post)
        raise AssertionError("unreachable")  # defer always raises


@dataclass
class _Chunk:
    """One batch input file being written, and the ledger's record of its batch."""

    path: Path
    local: str
    keys: list[str] = field(default_factory=list)
    steps: set[str] = field(default_factory=set)
    size: int = 0

    def __post_init__(self) -> None:
        self.handle = self.path.open("w", encoding="utf-8", newline="\n")

    def add(self, key: str, line: str, step: str, size: int) -> None:
        self.handle.write(line + "\n")
        self.keys.append(key)
        self.steps.add(step)
        self.size += size

    def close(self) -> None:
        self.handle.close()


@dataclass
class ImportStats:
    answered: int = 0
    failed: int = 0
    unknown: int = 0  # lines whose request this ledger does not wait for (or already has)
    unreadable: int = 0


class BatchEngine:
    def __init__(self, ledger: Ledger, model: str, *, api: BatchAPI | None = None, live: Model | None = None,
                 live_policy: RetryPolicy | None = None, limiter: Limiter | None = None, budget: Budget | None = None,
                 options: EngineOptions | None = None, on_event: Callable[[str], None] | None = None):
        self.ledger = ledger
        self.model = model
        self.api = api
        self.live = live  # for finish_live
        self.live_policy = live_policy or RetryPolicy()
        self.limiter = limiter
        self.budget = budget
        self.options = options or EngineOptions()
        self.say = on_event or (lambda _m: None)
        self.stopped: str | None = None  # why no more requests are sent (the budget)
        self.submitted = 0
        if budget is not None:
            budget.spent = ledger.total_cost()
            budget.reserved = self._reserved_in_flight()

    # --- the posts' side ----------------------------------------------------------------------
    def model_for(self, post: str) -> DeferringModel:
        return DeferringModel(self, post)

    def client_for(self, post: str) -> LLMClient:
        """The client a post uses: answers from the ledger, the rest deferred."""
        return LLMClient(model=self.model_for(post), ledger=self.ledger, policy=NO_RETRY, label=post)

    def defer(self, request: Request, post: str) -> None:
        if self.stopped:
            raise BudgetExceeded(self.stopped)
        state, error = self.ledger.defer(self.model, request, post=post, max_tries=self.options.max_tries)
        if state == REJECTED:
            raise TransientError(f"the batch endpoint gave no answer: {error}")
        raise Deferred(request.purpose or "request")

    # --- submitting -----------------------------------------------------------------------------
    def _reserved_in_flight(self) -> float:
        """Upper bounds of the requests already in running batches (a rerun's budget counts them)."""
        total, after = 0.0, ""
        while page := self.ledger.queued(self.model, after=after, state=SUBMITTED):
            after = page[-1].key
            total += sum(max_cost(self.model, q.request, batch=True) or 0.0 for q in page)
        return total

    def _pages(self) -> Iterator[list[tuple[str, str, str, float]]]:
        """Pages of (key, line, step, reservation) of the queued requests; they end where the
        budget would be exceeded."""
        after = ""
        while page := self.ledger.queued(self.model, after=after):
            after = page[-1].key
            lines = []
            for q in page:
                reserved = 0.0
                if self.budget is not None:
                    try:
                        reserved = self.budget.reserve(self.model, q.request, batch=True)
                    except BudgetExceeded as e:
                        self.stopped = str(e)
                        break
                lines.append((q.key, request_line(q.key, self.model, q.request, no_schema=q.no_schema,
                                                  url=self.options.endpoint), step_of(q.request.purpose), reserved))
            if lines:
                yield lines
            if self.stopped:
                return

    async def submit(self) -> int:
        """Every queued request into provider batches, each below the limits; returns the lines sent."""
        assert self.api is not None
        await self.recover()
        sent, chunks = 0, 0
        with tempfile.TemporaryDirectory(prefix="genpost-batch-") as tmp:
            chunk: _Chunk | None = None
            for page in self._pages():
                while page:
                    if chunk is None:
                        chunks += 1
                        chunk = _Chunk(Path(tmp) / f"genpost-{chunks}.jsonl", self.ledger.add_batch(
                            kind="api", model=self.model, endpoint=self.options.endpoint))
                    # As many lines of the page as fit this file, claimed before they are written.
                    room, fits = chunk.size, 0
                    for _, line, _, _ in page:
                        size = len(line.encode("utf-8")) + 1
                        if len(chunk.keys) + fits >= self.options.max_lines or (
                                room + size > self.options.max_bytes and (chunk.keys or fits)):
                            break
                        room += size
                        fits += 1
                    part, page = page[:fits], page[fits:]
                    got = set(self.ledger.claim(chunk.local, [key for key, _, _, _ in part]))
                    for key, line, step, reserved in part:
                        if key in got:
                            chunk.add(key, line, step, len(line.encode("utf-8")) + 1)
                        elif self.budget is not None:
                            self.budget.release(reserved)  # another process sends it
                    if page:  # the file is full
                        sent += await self._send(chunk)
                        chunk = None
            if chunk is not None:
                sent += await self._send(chunk)
        if self.stopped:
            self.say(f"not sending more requests: {self.stopped}")
        self.submitted += sent
        return sent

    async def _send(self, chunk: _Chunk) -> int:
        chunk.close()
        if not chunk.keys:
            self.ledger.abandon(chunk.local, "no lines")
            return 0
        steps = ",".join(sorted(chunk.steps))
        try:
            file_id = await self.api.upload(chunk.path)
        except BaseException as e:  # Ctrl-C or a refusal: the lines are queued again, untried
            self.ledger.abandon(chunk.local, f"upload failed: {e}")
            raise
        self.ledger.update_batch(chunk.local, input_file=file_id, steps=steps, status="creating")
        try:
            info = await self.api.create(file_id, {"genpost_batch": chunk.local, "genpost_steps": steps[:500]})
        except FatalError as e:  # refused outright: the lines go back to be asked again (or not)
            self.ledger.update_batch(chunk.local, status="failed", ingested=1, error=str(e)[:500])
            self.ledger.release(chunk.local, str(e))
            raise
        self.ledger.update_batch(chunk.local, provider_id=info.id, status=info.status)
        self.say(f"batch {info.id}: {len(chunk.keys)} requests ({steps}) submitted")
        return len(chunk.keys)

    async def recover(self) -> None:
        """Batches a crash left unconfirmed. Not uploaded yet: their requests are queued again.
        Uploaded: found at the provider by their input file, or created now. A batch whose owner
        process still runs is that process's business."""
        for b in self.ledger.batches(open_only=True, kind="api"):
            if b["provider_id"] or owner_alive(b["owner"]):
                continue
            if not b["input_file"]:
                self.ledger.abandon(b["local_id"], "the run stopped before the batch was uploaded")
                continue
            info = await self.api.find(b["input_file"])
            if info is None:
                info = await self.api.create(b["input_file"], {"genpost_batch": b["local_id"],
                                                               "genpost_steps": b["steps"][:500]})
            self.ledger.update_batch(b["local_id"], provider_id=info.id, status=info.status, owner=owner())
            self.say(f"batch {info.id}: found again after a restart ({info.status})")

    # --- waiting and reading the answers ------------------------------------------------------
    def open_batches(self) -> int:
        """Batches at the provider whose answers are not read yet."""
        return sum(1 for b in self.ledger.batches(open_only=True, kind="api") if b["provider_id"])

    async def wait(self) -> None:
        """Poll every open batch until it ends, then read its answers into the ledger; then ask
        the failed lines live (finish_live)."""
        assert self.api is not None
        await self.recover()
        batches = [b for b in self.ledger.batches(open_only=True, kind="api") if b["provider_id"]]
        await asyncio.gather(*(self._follow(b["local_id"], b["provider_id"]) for b in batches))
        if self.options.finish_live and self.live is not None:
            await self._finish_live()
        if self.budget is not None:  # reservations become what the answers cost
            self.budget.spent = self.ledger.total_cost()
            self.budget.reserved = self._reserved_in_flight()

    async def _follow(self, local: str, provider_id: str) -> None:
        waits = poll_waits(self.options.poll_seconds)
        seen = None
        while True:
            info = await self.api.retrieve(provider_id)
            state = (info.status, info.completed, info.failed)
            if state != seen:
                self.ledger.update_batch(local, status=info.status, completed=info.completed, failed=info.failed)
                if seen is None or state[0] != seen[0]:
                    self.say(f"batch {provider_id}: {info.status} ({info.completed + info.failed}/{info.total})")
                seen = state
            if info.ended:
                break
            await asyncio.sleep(next(waits))
        await self._ingest(local, info)

    async def _ingest(self, local: str, info: BatchInfo) -> None:
        stats = ImportStats()
        with tempfile.TemporaryDirectory(prefix="genpost-batch-") as tmp:
            for file_id in (info.output_file_id, info.error_file_id):
                if not file_id:
                    continue
                target = Path(tmp) / f"{file_id}.jsonl"
                await self.api.download(file_id, target)
                self._read(target, mode="batch", batch=local, stats=stats)
        why = f"batch {info.status}" + (f": {'; '.join(info.errors)[:300]}" if info.errors else "")
        # Lines of an expired or cancelled batch the provider never got to are not the request's
        # fault; a line missing from a completed batch, or a batch that failed, is one more try.
        left = self.ledger.release(local, why, count_try=info.status not in ("expired", "cancelled"))
        self.ledger.update_batch(local, status=info.status, ingested=1, output_file=info.output_file_id,
                                 error_file=info.error_file_id, completed=info.completed, failed=info.failed,
                                 error="; ".join(info.errors)[:500] or None)
        again = stats.failed + left
        self.say(f"batch {info.id}: {info.status}, {stats.answered} answers"
                 + (f", {again} to ask again" if again else ""))

    def _read(self, path: Path, *, mode: str, batch: str | None, stats: ImportStats) -> None:
        """Answer lines into the ledger, 500 to a transaction."""
        with path.open(encoding="utf-8", errors="replace") as lines:
            pending = True
            while pending:
                pending = False
                with self.ledger.transaction():
                    for n, text in enumerate(lines):
                        pending = True
                        if text.strip():
                            self._one(text, mode=mode, batch=batch, stats=stats)
                        if n >= 499:
                            break

    def _one(self, text: str, *, mode: str, batch: str | None, stats: ImportStats) -> None:
        result = parse_line(text, model=self.model)
        if result is None:
            stats.unreadable += 1
            return
        if result.response is not None:
            r = result.response
            cost = estimate_cost(self.model, r.prompt_tokens, r.completion_tokens, batch=True)
            if self.ledger.answer(result.key, r, mode=mode, cost=cost, batch=batch):
                stats.answered += 1
            else:
                stats.unknown += 1
        elif self.ledger.fail(result.key, result.error or "no answer", retry=result.retry,
                              no_schema=result.no_schema, count_try=result.counts):
            stats.failed += 1
        else:
            stats.unknown += 1

    async def _finish_live(self) -> None:
        """The lines no batch answered, asked live (through the ledger, the limiter and the budget)."""
        after, asked = "", 0
        while page := self.ledger.queued(self.model, after=after, state=FAILED, limit=200):
            after = page[-1].key
            clients = [LLMClient(model=self.live, ledger=self.ledger, policy=self.live_policy, limiter=self.limiter,
                                 label=q.post, budget=self.budget) for q in page]
            results = await asyncio.gather(*(c.ask(q.request) for c, q in zip(clients, page)), return_exceptions=True)
            asked += len(page)
            for r in results:
                if isinstance(r, FatalError):
                    raise r
        if asked:
            self.say(f"asked {asked} requests live that no batch answered (--finish-live)")

    # --- the offline loop: a file instead of the API --------------------------------------------
    def export(self, path: Path) -> int:
        """Write every queued request to `path` in the batch format (for `vllm run-batch`). The
        requests stay queued: the answers come back through import_file."""
        count = 0
        steps: set[str] = set()

        def lines() -> Iterator[str]:
            nonlocal count
            for page in self._pages():
                for _, line, step, _ in page:
                    count += 1
                    steps.add(step)
                    yield line + "\n"

        atomic_write_lines(path, lines())
        local = self.ledger.add_batch(kind="file", model=self.model, endpoint=self.options.endpoint,
                                      input_file=str(path), status="exported")
        self.ledger.update_batch(local, lines=count, steps=",".join(sorted(steps)), ingested=1)
        return count

    def import_file(self, path: Path) -> ImportStats:
        """Answers to exported requests (vLLM run-batch's output, or a provider's output file)."""
        stats = ImportStats()
        self._read(path, mode="import", batch=None, stats=stats)
        local = self.ledger.add_batch(kind="file", model=self.model, endpoint="", input_file=str(path),
                                      status="imported")
        self.ledger.update_batch(local, lines=stats.answered + stats.failed + stats.unknown + stats.unreadable,
                                 completed=stats.answered, failed=stats.failed, ingested=1)
        return stats

    async def aclose(self) -> None:
        if self.api is not None:
            await self.api.aclose()
        if self.live is not None:
            await self.live.aclose()


__all__ = ["BatchEngine", "EngineOptions", "DeferringModel", "ImportStats", "poll_waits"]
