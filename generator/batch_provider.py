"""`genpost batch` through provider batches (llm/batch_engine.py) instead of live calls: the
flags as a ProviderRun, and the loop that runs the posts in passes, sends what they wait for as
one batch per step, waits for the answers and runs them again."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from .errors import InputError, LLMUnavailable
from .llm import LLMSettings, Limiter, Model
from .llm.batch_engine import BatchEngine, EngineOptions
from .llm.budget import Budget
from .llm.errors import FatalError, TransientError
from .llm.ledger import Ledger
from .retry import RetryPolicy

if TYPE_CHECKING:
    from .batch import BatchRun


@dataclass
class ProviderRun:
    """A run through provider batches instead of live calls (see llm/batch_engine.py): through the
    provider's Batch API, or offline, a step at a time, through files (`vllm run-batch`)."""

    api: bool = True  # submit to the Batch API and wait for it
    export_requests: Path | None = None  # write the next step's requests here and stop
    import_responses: Path | None = None  # read answers from here first
    options: EngineOptions = field(default_factory=EngineOptions)


def provider_run(*, rows: int, always: bool, above: int | None, export_requests: Path | None,
                 import_responses: Path | None, finish_live: bool, poll_seconds: float, endpoint: str, retries: int,
                 settings: LLMSettings, max_cost: float | None) -> ProviderRun | None:
    """The flags of `genpost batch` as a ProviderRun (None: live); InputError for what cannot work,
    before anything is asked or sent."""
    from .llm import MOCK
    from .llm.pricing import token_price

    offline = export_requests is not None or import_responses is not None
    if offline and (always or above is not None):
        raise InputError("--export-requests/--import-responses", None, "answer offline, --provider-batch through "
                         "the provider's API", "choose one")
    if max_cost is not None and settings.model != MOCK and token_price(settings.model, batch=not offline) is None:
        raise InputError("--max-cost", None, f"the model {settings.model} has no price, so no budget can be kept",
                         "add its prices to a file named by GENPOST_PRICES")
    if not (offline or always or (above is not None and rows > above)):
        return None
    flag = "--export-requests" if offline else "--provider-batch"
    if settings.model == MOCK:
        raise InputError(flag, None, "the mock model (--dry-run) answers at once, not in batches",
                         "name the model that answers the batches with --model")
    if settings.ledger is None:
        raise InputError(flag, None, "a batch keeps its requests and answers in the ledger, which --no-cache "
                         "turns off", "leave out --no-cache")
    if import_responses is not None and not import_responses.is_file():
        raise InputError(str(import_responses), None, "file not found", "give the output file of vllm run-batch")
    options = EngineOptions(finish_live=finish_live, poll_seconds=poll_seconds, endpoint=endpoint,
                            max_tries=retries + 1)
    return ProviderRun(api=not offline, export_requests=export_requests, import_responses=import_responses,
                       options=options)


MAX_PASSES = 200  # a run that has not finished after this many batches is stuck, not slow


def make_engine(provider: ProviderRun, settings: LLMSettings, model: Model, ledger: Ledger | None, limiter: Limiter,
            budget: Budget | None, say: Callable[[str], None]) -> BatchEngine:
    if ledger is None:
        raise InputError("--no-cache", None, "a provider batch keeps its requests and answers in the ledger",
                         "leave out --no-cache")
    api = None
    if provider.api:
        from .llm.batch_api import BatchAPI

        # Uploads and downloads of up to 200 MB: more time than one chat request gets.
        policy = RetryPolicy(attempts=settings.retry.attempts, total_seconds=max(settings.retry.total_seconds, 900.0))
        api = BatchAPI(api_key=settings.api_key or "", base_url=settings.base_url, policy=policy,
                       timeout=max(settings.timeout, 600.0), endpoint=provider.options.endpoint)
    return BatchEngine(ledger, settings.model, api=api, live=model if provider.options.finish_live else None,
                       live_policy=settings.retry, limiter=limiter, budget=budget, options=provider.options,
                       on_event=say)


async def provider_passes(run: "BatchRun", engine: BatchEngine, provider: ProviderRun, say: Callable[[str], None]) -> None:
    """Run the posts; send what they wait for; wait for the answers; run them again, until every
    post is done (or, offline, until the next step's requests are written to a file)."""
    if provider.import_responses is not None:
        stats = engine.import_file(provider.import_responses)
        say(f"imported {stats.answered} answers from {provider.import_responses}"
            + (f", {stats.failed} failed lines (asked again)" if stats.failed else "")
            + (f", {stats.unknown} lines for requests this run does not wait for" if stats.unknown else "")
            + (f", {stats.unreadable} unreadable lines" if stats.unreadable else ""))
    offline = not provider.api
    budget_stop: str | None = None
    for _ in range(MAX_PASSES):
        final = offline or budget_stop is not None
        engine.stopped = budget_stop  # a post that would need one more request now ends there
        waiting = await run.one_pass(engine.client_for, final=final)
        if not waiting or final:
            break
        try:
            await engine.submit()
            running = engine.open_batches()  # this pass's, and any a stopped run left running
            if running:
                await engine.wait()  # the real costs may leave room for more: try again after it
        except (TransientError, FatalError) as e:
            # Everything sent so far is in the ledger: the same command goes on where this stopped.
            raise LLMUnavailable(f"the batch endpoint: {getattr(e, 'reason', None) or e}; the requests and "
                                 "batches so far are kept in the ledger, and the same command goes on") from None
        if not running:
            if engine.stopped is None:
                raise LLMUnavailable("posts wait for answers, but none of their requests is queued or in a batch")
            budget_stop = engine.stopped  # nothing running, nothing more fits
    else:
        raise LLMUnavailable(f"the batch did not finish after {MAX_PASSES} provider batches")
    if offline and provider.export_requests is not None:
        n = engine.export(provider.export_requests)
        say(f"{n} requests of {waiting} waiting posts written to {provider.export_requests}" if n else
            f"no requests are waiting; {provider.export_requests} is empty")
    run.stopped = budget_stop
