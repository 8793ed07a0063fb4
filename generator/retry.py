"""The one retry policy (tenacity): transient faults are retried with exponential backoff and
jitter, bounded in attempts and in total time; Retry-After is honoured; each retry is logged.

Behind a shared gate (the LLM layer's limiter) a 429 is not a fault but a busy endpoint: while
some request through the gate got an answer recently, a 429 uses neither an attempt nor retry
time (up to `rate_limit_seconds` of them per request), and neither does the wait for the gate."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import socket
import ssl
import time
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Mapping, Protocol, TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type
from tenacity.wait import wait_base, wait_exponential_jitter


log = logging.getLogger("genpost.retry")
T = TypeVar("T")


class TransientError(Exception):
    """Worth retrying: 429, 5xx, timeouts, dropped connections, garbled bodies."""

    def __init__(self, reason: str, retry_after: float | None = None, *, rate_limited: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.rate_limited = rate_limited  # a 429: the endpoint is busy, not broken


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms` (OpenAI), `Retry-After` in seconds or as an HTTP
    date (RFC 9110); None when the server says nothing usable."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(float(ms) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


# What went wrong below HTTP, in words: the first cause in the chain that says it.
_CAUSES: tuple[tuple[type[BaseException], str], ...] = (
    (ConnectionRefusedError, "connection refused"),
    (socket.gaierror, "host not found"),
    (ConnectionResetError, "connection reset"),
    (ssl.SSLError, "TLS handshake failed"),
    (TimeoutError, "connection timed out"),
    (ConnectionError, "connection failed"),
)


def connection_problem(error: BaseException) -> str:
    """Why a connection failed, in two or three words ("connection refused", "host not found"),
    from the exception's chain of causes (openai, httpx and httpcore each wrap the OS error)."""
    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        for kind, words in _CAUSES:
            if isinstance(cause, kind):
                return words
        cause = cause.__cause__ or cause.__context__
    return "no connection"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 6
    total_seconds: float = 120.0
    initial: float = 0.5
    maximum: float = 20.0
    # Behind a gate: how long one request may wait out 429s in all (a request that can never pass,
    # such as one larger than a tokens-per-minute limit, must end some time).
    rate_limit_seconds: float = 900.0


class GateSlot(Protocol):
    def answered(self, value: Any) -> None: ...


class Gate(Protocol):
    """What with_retries needs of a shared limiter: a slot per attempt (its context sees how the
    attempt ended) and whether the endpoint answered anyone lately."""

    def slot(self) -> AbstractAsyncContextManager[GateSlot]: ...

    def answering(self, within: float) -> bool: ...


class _WaitRetryAfter(wait_base):
    """The server's Retry-After when it gives one (capped), else exponential backoff with jitter."""

    def __init__(self, policy: RetryPolicy):
        self.policy = policy
        self.backoff = wait_exponential_jitter(multiplier=policy.initial, max=policy.maximum, jitter=policy.initial)

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        if isinstance(error, TransientError) and error.retry_after is not None:
            return min(max(error.retry_after, 0.0), self.policy.maximum)
        return self.backoff(state)


async def with_retries(call: Callable[[], Awaitable[T]], policy: RetryPolicy, what: str,
                       on_retry: Callable[[str], None] | None = None, gate: Gate | None = None) -> T:
    """Call until it succeeds, a non-transient error, or the policy's attempts or total time run
    out. The total time bounds each attempt too: a request whose own timeout is longer than the
    time left is cut off when the time is up. With a gate, each attempt holds one of its slots;
    the wait for a slot and 429s while the endpoint answers others are not counted."""
    if policy.attempts <= 1 and policy.total_seconds <= 0:
        # one attempt, unbounded: no retry machinery (and none of its reference cycles)
        if gate is None:
            return await call()
        async with gate.slot() as slot:
            value = await call()
            slot.answered(value)
            return value
    started = time.monotonic()
    excused = 0.0  # seconds not counted against the retry time
    faults = 0  # attempts that count against policy.attempts
    throttled = 0.0  # seconds this request spent on 429s that were not counted
    throttled_at: float | None = None  # when the last uncounted 429 attempt began

    async def attempt() -> T:
        nonlocal excused, faults, throttled, throttled_at
        begun = time.monotonic()
        if throttled_at is not None:  # the 429 and the back-off after it
            excused += begun - throttled_at
            throttled += begun - throttled_at
            throttled_at = None
        try:
            if gate is None:
                return await bounded(begun)
            async with gate.slot() as slot:
                now = time.monotonic()
                excused += now - begun  # queued behind other requests: not this request's fault
                value = await bounded(now)
                slot.answered(value)
                return value
        except TransientError as e:
            if (gate is not None and e.rate_limited and throttled < policy.rate_limit_seconds
                    and gate.answering(within=max(policy.total_seconds, 60.0))):
                throttled_at = begun
            else:
                faults += 1
            raise

    async def bounded(now: float) -> T:
        if policy.total_seconds <= 0:  # no retrying: one attempt, bounded by its own timeout
            return await call()
        left = started + excused + policy.total_seconds - now
        if left <= 0:
            raise TransientError("the retry time is used up")
        try:
            return await asyncio.wait_for(call(), timeout=left)
        except asyncio.TimeoutError:
            raise TransientError(f"no answer within the retry time ({policy.total_seconds:g} s)") from None

    def stop(state: RetryCallState) -> bool:
        if throttled_at is not None:
            return False  # a 429 while others get answers: wait and try again
        counted = time.monotonic() - started - excused
        return faults >= policy.attempts or policy.total_seconds <= 0 or counted >= policy.total_seconds

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        reason = getattr(error, "reason", str(error))
        log.info("retry %d for %s: %s%s (waiting %.2fs)", state.attempt_number, what, reason,
                 "; not counted: the endpoint answers others" if throttled_at is not None else "",
                 state.next_action.sleep if state.next_action else 0.0)
        if on_retry:
            on_retry(reason)

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(TransientError),
        stop=stop,
        wait=_WaitRetryAfter(policy),
        before_sleep=before_sleep,
        reraise=True,
    )
    return await retrying(attempt)


def stop_if_cancelled() -> None:
    """Raise the cancel this task was given and has not acted on. asyncio.wait_for (3.11, in
    with_retries) returns an answer that arrived together with a cancel instead of raising it:
    the client keeps that answer (paid for), then stops here instead of going on with the post
    (and sending new requests) after Ctrl-C. Also before a request: a task asked to stop sends none."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class Tally(Protocol):
    """Where a client counts its requests: each sent (retries included), each retry, and the
    retries by the kind of their reason ("server error", "rate limited", …)."""

    requests: int
    retries: int
    retry_reasons: dict[str, int]


async def with_counted_retries(call: Callable[[], Awaitable[T]], policy: RetryPolicy, what: str, tally: Tally,
                               gate: Gate | None = None) -> tuple[T, int]:
    """with_retries, with every request and retry added to `tally`; returns the answer and how many
    retries it took (the text and the image client count alike)."""
    retries = 0

    def on_retry(reason: str) -> None:
        nonlocal retries
        retries += 1
        tally.retries += 1
        kind = reason.split(" (")[0]
        tally.retry_reasons[kind] = tally.retry_reasons.get(kind, 0) + 1

    async def once() -> T:
        tally.requests += 1
        return await call()

    return await with_retries(once, policy, what, on_retry, gate=gate), retries
