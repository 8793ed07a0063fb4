"""What the pipeline talks to: a model behind the ledger (answers kept and reused), the shared
limiter, the retry policy and the budget, with every call counted (calls, tokens, cost, retries,
latency), logged, and recorded in the ledger."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pydantic import BaseModel

from .base import Model, Request, Response
from .budget import Budget
from .errors import BudgetExceeded, Deferred, FatalError, TransientError
from .ledger import Ledger
from .limiter import Limiter
from .pricing import estimate_cost
from ..retry import RetryPolicy, stop_if_cancelled, with_counted_retries

log = logging.getLogger("genpost.llm")


class Usage(BaseModel):
    calls: int = 0  # answers used, cached ones included
    requests: int = 0  # requests sent to the endpoint, retries included
    cached: int = 0
    retries: int = 0
    retry_reasons: dict[str, int] = {}
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float | None = 0.0
    batch_calls: int = 0  # answers that came through a provider batch, at batch prices
    live_cost_usd: float | None = 0.0  # cost_usd = live_cost_usd + batch_cost_usd
    batch_cost_usd: float | None = 0.0
    llm_seconds: float = 0.0
    bad_answers: dict[str, int] = {}  # kind -> count (empty, truncated, english, …)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


def _add(total: float | None, cost: float | None) -> float | None:
    return None if cost is None or total is None else round(total + cost, 6)


@dataclass
class LLMClient:
    model: Model
    ledger: Ledger | None = None  # None: nothing kept (--no-cache)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    limiter: Limiter | None = None
    usage: Usage = field(default_factory=Usage)
    label: str = ""  # the post this client works for, as the ledger shows it
    budget: Budget | None = None  # --max-cost, shared by all posts of a batch
    own_ledger: Ledger | None = None  # opened for this client alone (make_client): aclose closes it

    async def ask(self, request: Request) -> Response:
        ledger, name = self.ledger, self.model.name
        if ledger is not None and self.model.paid:
            hit = ledger.get(name, request)
            if hit is not None:
                self._count(hit, request)
                return hit
        stop_if_cancelled()
        reserved = self.budget.reserve(name, request) if self.budget is not None and self.model.paid else 0.0
        try:
            response, retries = await with_counted_retries(lambda: self.model.complete(request), self.policy,
                                                           request.purpose or "request", self.usage, gate=self.limiter)
        except BaseException as e:
            if self.budget is not None:
                self.budget.release(reserved)
            if ledger is not None and isinstance(e, (TransientError, FatalError)) and not isinstance(e, BudgetExceeded):
                ledger.record_failure(name, request, getattr(e, "reason", str(e)), post=self.label)
            raise
        response.retries = retries
        cost = estimate_cost(name, response.prompt_tokens, response.completion_tokens, batch=response.batch)
        if self.budget is not None:
            self.budget.settle(reserved, cost)
        if ledger is not None:
            # A paid, usable answer is kept for reuse; any other call is only logged.
            keep = self.model.paid and bool(response.text) and response.finish_reason != "length"
            ledger.put(name, request, response, post=self.label, mode="batch" if response.batch else "live",
                       cost=cost, keep=keep)
        stop_if_cancelled()  # the answer is kept; an interrupted run stops here
        self._count(response, request)
        return response

    def _count(self, response: Response, request: Request) -> None:
        u = self.usage
        u.calls += 1
        u.cached += int(response.cached)
        u.prompt_tokens += response.prompt_tokens
        u.completion_tokens += response.completion_tokens
        u.llm_seconds += response.seconds
        cost = estimate_cost(self.model.name, response.prompt_tokens, response.completion_tokens,
                             batch=response.batch)
        u.cost_usd = _add(u.cost_usd, cost)
        if response.batch:
            u.batch_calls += 1
            u.batch_cost_usd = _add(u.batch_cost_usd, cost)
        else:
            u.live_cost_usd = _add(u.live_cost_usd, cost)
        log.info("llm %s model=%s tokens=%d+%d latency=%.2fs%s%s%s", request.purpose or "call", response.model,
                 response.prompt_tokens, response.completion_tokens, response.seconds,
                 " cached" if response.cached else "", " batch" if response.batch else "",
                 f" retries={response.retries}" if response.retries else "")

    def bad_answer(self, kind: str) -> None:
        self.usage.bad_answers[kind] = self.usage.bad_answers.get(kind, 0) + 1
        log.info("bad answer: %s", kind)

    async def aclose(self) -> None:
        await self.model.aclose()
        if self.own_ledger is not None:
            self.own_ledger.close()  # checkpoints the WAL: no -wal or -shm file is left beside it


__all__ = ["LLMClient", "Limiter", "Usage", "FatalError", "TransientError", "Deferred", "BudgetExceeded"]
