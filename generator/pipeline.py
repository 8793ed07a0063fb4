"""brief → plan → draft → render → check → repair (→ check …) → result; the best version seen is the
result. Writing files is output.py's job."""

from __future__ import annotations

import asyncio
import os
import time
from typing import TYPE_CHECKING, Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from .answers import BadAnswer
from .brief import Brief
from .checks import Report, run_checks
from .errors import LLMUnavailable
from .illustrate import make_images, plan_images
from .llm.client import LLMClient
from .llm.errors import FatalError, TransientError
from .plan import Plan, make_plan
from .post import Document, Post
from .render import render_post
from .repair import RepairState, fix_with_model, fix_without_model
from .draft import Draft, draft_post

if TYPE_CHECKING:
    from .llm.image_client import ImageClient

Status = Literal["passed", "failed", "error"]


class Checker:
    """Runs the checker in this process (one post at a time, the default). Returns the parsed
    Document too; other checkers may return None for it (the repair step measures the draft)."""

    async def __call__(self, post: Post, brief: Brief) -> tuple[Report, Document | None]:
        doc = Document(post)
        return run_checks(doc, brief), doc

    def close(self) -> None:
        return None


def _watch_parent(parent: int) -> None:
    """Runs in each checker worker: the worker ends when genpost does, however genpost ended
    (kill -9 included), instead of waiting forever for work that will never come. The checker is
    imported by now (this module imports it), so the worker's heap is settled (heap.settle)."""
    import signal
    import threading

    # A terminal's Ctrl-C reaches the workers too (one process group). genpost decides what an
    # interrupt means and shuts the pool down (ProcessChecker.close); a worker that ended by
    # itself would print a KeyboardInterrupt traceback and break the pool instead. SIGTERM stays:
    # the pool stops a broken pool's workers with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="genpost-parent-watch", daemon=True).start()
    from .heap import settle

    settle()


class ProcessChecker(Checker):
    """Runs the checker in worker processes, so a batch uses more than one core: the checker is
    most of genpost's own CPU time, and the event loop meanwhile keeps the LLM requests going.
    Each worker keeps its own sentence cache, which the repair rounds of a post mostly hit."""

    def __init__(self, workers: int = 1):
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # spawn: fresh, small children of this process (not a fork of a busy event loop with
        # threads), which notice when this process is gone (see _watch_parent).
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_watch_parent, initargs=(os.getpid(),))

    async def __call__(self, post: Post, brief: Brief) -> tuple[Report, Document | None]:
        import asyncio

        report = await asyncio.get_running_loop().run_in_executor(self._pool, run_checks, post, brief)
        return report, None  # parsed here only if a repair needs it

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        # The pool's queues started multiprocessing's resource tracker, a process of its own; stop
        # it too (it starts again when needed), so genpost leaves no process behind when it ends.
        from multiprocessing import resource_tracker

        stop = getattr(resource_tracker._resource_tracker, "_stop", None)
        if stop is not None:
            stop()


class Round(BaseModel):
    round: int
    failing: list[str]  # error-level check ids that failed before this round's repairs
    actions: list[str]
    rejected: list[dict] = Field(default_factory=list)  # answers not taken: round, section, step, reason


class OpenCheck(BaseModel):
    """An error-level check still failing when the loop stopped, and why it stopped."""

    id: str
    message: str
    why: str


class Result(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    status: Status
    brief: Brief
    plan: Plan | None = None
    draft: Draft | None = None
    post: Post | None = None
    report: Report | None = None
    rounds: list[Round] = Field(default_factory=list)
    open: list[OpenCheck] = Field(default_factory=list)
    kept_round: int | None = None  # the round whose version was written, when a later one was worse
    image_files: dict[str, bytes] = Field(default_factory=dict, repr=False)  # "images/<name>" -> the file
    image_usage: dict | None = None  # images made, requests, refusals, cost (ImageUsage)
    error: str | None = None
    timings: dict[str, float] = Field(default_factory=dict)


class GenerationFailed(LLMUnavailable):
    """The LLM could not be reached (or refused) after retries; `result` holds the work so far."""

    def __init__(self, message: str, result: Result, fatal: bool = False):
        super().__init__(message)
        self.result = result
        self.fatal = fatal  # the endpoint refused (401, 404 …): every other request would fail too


def badness(report: Report, brief: Brief) -> tuple[int, float]:
    """How far a post is from passing: failing error-level checks, then how far off they are (the
    counts by their distance from the target, every other check as 1)."""
    t = brief.targets
    gap = 0.0
    for c in report.errors:
        if c.id == "keyword.count" and isinstance(c.value, int):
            gap += max(t.keyword_min - c.value, c.value - t.keyword_max, 1)
        elif c.id == "words.count" and isinstance(c.value, int):
            gap += max(t.words_min - c.value, c.value - (t.words_max or c.value), 1) / 50
        elif c.id in ("links.internal.count", "links.external.count") and isinstance(c.value, int):
            target = t.internal_links if c.id.startswith("links.internal") else t.external_links
            gap += max(abs(c.value - target), 1)
        else:
            gap += 1
    return len(report.errors), gap


async def generate(brief: Brief, client: LLMClient, max_rounds: int = 4,
                   progress: Callable[[str], None] | None = None, checker: Checker | None = None,
                   images: ImageClient | None = None) -> Result:
    """Plan, draft, then check and repair until every error-level check passes or `max_rounds`
    rounds are spent. The best version seen is the one returned: a round never makes it worse."""
    say = progress or (lambda _msg: None)
    check = checker or Checker()
    result = Result(status="error", brief=brief)
    timings = result.timings
    started = time.perf_counter()
    best: tuple[tuple[int, float], int, Plan, Draft] | None = None

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(timings.get(name, 0.0) + now - since, 4)
        return now

    async def check_now(round_no: int) -> Report:
        nonlocal best
        t0 = time.perf_counter()
        result.post = render_post(result.draft, result.plan, brief)
        t1 = lap("render", t0)
        result.report, _ = await check(result.post, brief)
        lap("check", t1)
        score = badness(result.report, brief)
        if best is None or score < best[0]:
            best = (score, round_no, result.plan.model_copy(deep=True), result.draft.model_copy(deep=True))
        return result.report

    try:
        t = time.perf_counter()
        say("planning")
        result.plan = await make_plan(client, brief)
        t = lap("plan", t)
        result.plan.images = await plan_images(client, brief, result.plan)
        say(f"writing {len(result.plan.sections)} sections"
            + (f", making {len(result.plan.images)} images" if result.plan.images else ""))
        # The images are made while the sections are drafted: neither waits for the other.
        result.draft, result.image_files = await asyncio.gather(
            draft_post(client, brief, result.plan), make_images(result.plan.images, brief, images))
        if images is not None and result.plan.images:
            result.image_usage = images.usage.model_dump()
        lap("write", t)
        report = await check_now(0)
        state = RepairState()
        round_no = 0
        stalled = False
        while not report.passed and round_no < max_rounds:
            round_no += 1
            failing = report.failing_ids()
            say(f"repair round {round_no}: {', '.join(failing)}")
            t = time.perf_counter()
            actions = fix_without_model(report, result.draft, result.plan, brief)
            lap("repair", t)
            if actions:
                report = await check_now(round_no)
            rejected: list[dict] = []
            if not report.passed:
                t = time.perf_counter()
                more, rejected = await fix_with_model(report, result.draft, result.plan, brief, client, round_no,
                                                      state)
                lap("repair", t)
                actions += more
                if more:
                    report = await check_now(round_no)
            result.rounds.append(Round(round=round_no, failing=failing, actions=actions, rejected=rejected))
            if not actions and not rejected:
                stalled = True
                break  # nothing left that a repair can change
        if not report.passed and best is not None and best[0] < badness(report, brief):
            _, result.kept_round, result.plan, result.draft = best
            report = await check_now(result.kept_round)
        if not report.passed:
            why = ("no repair left that changes it" if stalled else
                   f"still failing after {round_no} repair rounds (--max-rounds {max_rounds})")
            last = result.rounds[-1].rejected if result.rounds else []
            result.open = [OpenCheck(id=c.id, message=c.message, why=why + "".join(
                f"; rejected in “{r['section']}”: {r['reason']}" for r in last if r["section"] in c.where))
                for c in report.errors]
        result.status = "passed" if report.passed else "failed"
    except (TransientError, FatalError, BadAnswer) as e:
        if result.draft is None:
            result.draft = getattr(e, "partial_draft", None)
        reason = e.reason if isinstance(e, TransientError) else str(e)
        if isinstance(e, TransientError):
            reason = f"the LLM endpoint did not answer after retries: {reason}"
        result.error = reason
        timings["total"] = round(time.perf_counter() - started, 4)
        timings["llm"] = round(client.usage.llm_seconds, 4)
        raise GenerationFailed(reason, result, fatal=isinstance(e, FatalError)) from None
    timings["total"] = round(time.perf_counter() - started, 4)
    timings["llm"] = round(client.usage.llm_seconds, 4)
    timings["pipeline"] = round(max(timings["total"] - timings["llm"], 0.0), 4)
    return result
