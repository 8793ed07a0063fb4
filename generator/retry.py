"""The one retry policy (tenacity): transient faults are retried with exponential backoff and
jitter, bounded in attempts and in total time; Retry-After is honoured; each retry is logged."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Mapping, TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt, stop_after_delay
from tenacity.wait import wait_base, wait_exponential_jitter


log = logging.getLogger("genpost.retry")
T = TypeVar("T")


class TransientError(Exception):
    """Worth retrying: 429, 5xx, timeouts, dropped connections, garbled bodies."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


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
                       on_retry: Callable[[str], None] | None = None) -> T:
    """Call until it succeeds, a non-transient error, or the policy's attempts or total time run
    out. The total time bounds each attempt too: a request whose own timeout is longer than the
    time left is cut off when the time is up."""
    if policy.attempts <= 1 and policy.total_seconds <= 0:
        return await call()  # one attempt, unbounded: no retry machinery (and none of its reference cycles)
    deadline = time.monotonic() + policy.total_seconds

    async def bounded() -> T:
        if policy.total_seconds <= 0:  # no retrying: one attempt, bounded by its own timeout
            return await call()
        left = deadline - time.monotonic()
        if left <= 0:
            raise TransientError("the retry time is used up")
        try:
            return await asyncio.wait_for(call(), timeout=left)
        except asyncio.TimeoutError:
            raise TransientError(f"no answer within the retry time ({policy.total_seconds:g} s)") from None

    def before_sleep(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        reason = getattr(error, "reason", str(error))
        log.info("retry %d for %s: %s (waiting %.2fs)", state.attempt_number, what, reason,
                 state.next_action.sleep if state.next_action else 0.0)
        if on_retry:
            on_retry(reason)

    retrying = AsyncRetrying(
        retry=retry_if_exception_type(TransientError),
        stop=stop_after_attempt(policy.attempts) | stop_after_delay(policy.total_seconds),
        wait=_WaitRetryAfter(policy),
        before_sleep=before_sleep,
        reraise=True,
    )
    return await retrying(bounded)
