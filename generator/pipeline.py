"""brief → plan → draft → render → check → repair (→ check …) → result. Writing files is output.py's job."""

from __future__ import annotations

import os
import time
from typing import Callable, Literal

from pydantic import BaseModel, ConfigDict, Field

from .answers import BadAnswer
from .brief import Brief
from .checks import Report, run_checks
from .errors import LLMUnavailable
from .llm.client import LLMClient
from .llm.errors import FatalError, TransientError
from .plan import Plan, make_plan
from .post import Document, Post
from .render import render_post
from .repair import repair
from .draft import Draft, draft_post

Status = Literal["passed", "failed", "error"]


class Checker:
    """Runs the checker in this process (one post at a time, the default). Returns the parsed
    Document too, which the repair step reads; other checkers may return None for it."""

    async def __call__(self, post: Post, brief: Brief) -> tuple[Report, Document | None]:
        doc = Document(post)
        return run_checks(doc, brief), doc

    def close(self) -> None:
        return None


def _watch_parent(parent: int) -> None:
    """Runs in each checker worker: the worker ends when genpost does, however genpost ended
    (kill -9 included), instead of waiting forever for work that will never come."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="genpost-parent-watch", daemon=True).start()


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


class Result(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    status: Status
    brief: Brief
    plan: Plan | None = None
    draft: Draft | None = None
    post: Post | None = None
    report: Report | None = None
    rounds: list[Round] = Field(default_factory=list)
    error: str | None = None
    timings: dict[str, float] = Field(default_factory=dict)


class GenerationFailed(LLMUnavailable):
    """The LLM could not be reached (or refused) after retries; `result` holds the work so far."""

    def __init__(self, message: str, result: Result, fatal: bool = False):
        super().__init__(message)
        self.result = result
        self.fatal = fatal  # the endpoint refused (401, 404 …): every other request would fail too


async def generate(brief: Brief, client: LLMClient, max_rounds: int = 4,
                   progress: Callable[[str], None] | None = None, checker: Checker | None = None) -> Result:
    say = progress or (lambda _msg: None)
    check = checker or Checker()
    result = Result(status="error", brief=brief)
    timings = result.timings
    started = time.perf_counter()

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(timings.get(name, 0.0) + now - since, 4)
        return now

    try:
        t = time.perf_counter()
        say("planning")
        result.plan = await make_plan(client, brief)
        t = lap("plan", t)
        say(f"writing {len(result.plan.sections)} sections")
        result.draft = await draft_post(client, brief, result.plan)
        t = lap("write", t)
        round_no = 0
        while True:
            result.post = render_post(result.draft, result.plan, brief)
            t = lap("render", t)
            result.report, doc = await check(result.post, brief)
            t = lap("check", t)
            failing = result.report.failing_ids()
            if not failing or round_no >= max_rounds:
                break
            round_no += 1
            say(f"repair round {round_no}: {', '.join(failing)}")
            actions = await repair(result.report, doc or Document(result.post), result.draft, result.plan, brief, client, round_no)
            result.rounds.append(Round(round=round_no, failing=failing, actions=actions))
            t = lap("repair", t)
            if not actions:
                break  # nothing left that a repair can change
        result.status = "passed" if result.report.passed else "failed"
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
