"""The shared request limiter: adaptive concurrency (AIMD), requests per minute and the endpoint's
Retry-After, for every request of a run (all posts of a batch, or the one post).

A user cannot know a provider's limit in advance, so the number of requests in flight (the
window) is learned the way TCP learns a link's capacity: it starts at START, doubles per round
of answers (slow start) until the first sign of congestion, then grows by one per window of
answers. A 429 halves it, and it doubles per round again up to RECOVER of where the 429 came
(a provider's limit does not move the way a network queue does: growing back from half by one
per round would leave half the slots idle for dozens of rounds), then grows by one per window.
An answer whose x-ratelimit-remaining-* headers run low shrinks it a little (an early warning,
before any 429), and from there it grows by one per window. Either signal counts once per
congestion epoch: the 429s of requests that were already in flight when the window shrank say
nothing new. The window never passes `max_concurrent` (the user's upper bound, default CAP) and
grows only while it is used up. A Retry-After pauses every new request, not just the one that
got it.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

log = logging.getLogger("genpost.llm")

START = 8  # requests in flight before anything is known: what any paid tier allows
CAP = 64  # the upper bound without --max-concurrent-requests
BACK_OFF = 0.5  # the window after a 429, as a share of what it was
RECOVER = 0.85  # after a 429 the window doubles per round again up to this share of where it was
EASE_OFF = 0.9  # the window after an answer that says the remaining requests or tokens run low
LOW_SHARE = 0.05  # "running low": at most this share of the limit remains
MAX_PAUSE = 60.0  # longest Retry-After honoured for everyone (the request's own retry caps it too)


@dataclass(frozen=True)
class RateLimits:
    """What an endpoint's x-ratelimit-* headers say (OpenAI, Azure, many compatible servers)."""

    limit_requests: int | None = None
    remaining_requests: int | None = None
    limit_tokens: int | None = None
    remaining_tokens: int | None = None

    def running_low(self, share: float = LOW_SHARE) -> bool:
        """True when the requests or tokens left are down to `share` of the limit, or none is left."""
        def low(remaining: int | None, limit: int | None) -> bool:
            return remaining is not None and remaining <= (limit * share if limit else 0)

        return low(self.remaining_requests, self.limit_requests) or low(self.remaining_tokens, self.limit_tokens)


def parse_rate_limits(headers: Mapping[str, str]) -> RateLimits | None:
    """The x-ratelimit-* headers of a response (case-insensitive mapping, as httpx gives), or
    None when it has none that parse."""
    def number(name: str) -> int | None:
        value = headers.get(name)
        try:
            return int(float(value)) if value is not None else None
        except ValueError:
            return None

    limits = RateLimits(limit_requests=number("x-ratelimit-limit-requests"),
                        remaining_requests=number("x-ratelimit-remaining-requests"),
                        limit_tokens=number("x-ratelimit-limit-tokens"),
                        remaining_tokens=number("x-ratelimit-remaining-tokens"))
    return None if limits == RateLimits() else limits


@dataclass
class Slot:
    """One request's place in the window; `seq` orders it among all requests of the run."""

    seq: int
    limiter: "Limiter"
    limits: RateLimits | None = None  # from the answer, if it had headers
    done: bool = False

    def answered(self, value: Any) -> None:
        """Note the answer (its `rate_limits`, if it has any) before the slot is given back."""
        self.limits = getattr(value, "rate_limits", None)

    def close(self, error: BaseException | None) -> None:
        """Give the slot back, telling the limiter how the request ended (no error: answered)."""
        if self.done:
            return
        if error is None:
            self.limiter.succeeded(self, self.limits)
        elif getattr(error, "rate_limited", False):
            self.limiter.throttled(self, getattr(error, "retry_after", None))
        else:
            self.limiter.failed(self)


class Limiter:
    """Requests in flight (adaptive, at most `max_concurrent`), requests per minute and pauses
    for Retry-After, shared by every post of a run. Waiting requests are served first come,
    first served. `clock` and `sleep` are injectable so its logic can be driven without waiting."""

    def __init__(self, rpm: int | None = None, max_concurrent: int | None = None, *, start: int = START,
                 clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep):
        self.rpm = rpm
        self.cap = max_concurrent or CAP
        self.window = float(min(start, self.cap))
        self.threshold = float(self.cap)  # below it the window grows by one per answer (slow start)
        self.in_flight = 0
        self.paused_until = 0.0
        self.last_success: float | None = None
        self.rate_limited = 0  # 429s seen
        self.back_offs = 0  # times the window shrank
        self._clock = clock
        self._sleep = sleep
        self._seq = 0  # requests admitted so far
        self._epoch = 0  # a congestion signal from a request admitted up to this one is already counted
        self._starts: deque[float] = deque()
        self._queue: deque[asyncio.Future[None]] = deque()

    @property
    def size(self) -> int:
        """Requests allowed in flight now."""
        return max(1, math.floor(self.window))

    # --- admission ---------------------------------------------------------------------------
    def slot(self) -> "_Acquire":
        """`async with limiter.slot() as slot:` one request; the outcome (an answer, a 429, any
        other error) is read when the block ends."""
        return _Acquire(self)

    async def acquire(self) -> Slot:
        """A place in the window (wait for one, first come first served), then any pause and the
        requests-per-minute budget. Give it back with succeeded, throttled or failed."""
        if self.in_flight < self.size and not self._queue:
            self.in_flight += 1
        else:
            granted = asyncio.get_running_loop().create_future()
            self._queue.append(granted)
            try:
                await granted  # _grant counted this request in before waking it
            except BaseException:
                if granted.done() and not granted.cancelled():
                    self.in_flight -= 1
                    self._grant()
                else:
                    self._queue.remove(granted)
                raise
        self._seq += 1
        slot = Slot(seq=self._seq, limiter=self)
        try:
            while (wait := self.paused_until - self._clock()) > 0:
                await self._sleep(wait)
            if self.rpm:
                await self._per_minute()
        except BaseException:
            self.failed(slot)
            raise
        return slot

    async def _per_minute(self) -> None:
        while True:
            now = self._clock()
            while self._starts and now - self._starts[0] >= 60.0:
                self._starts.popleft()
            if len(self._starts) < (self.rpm or 0):
                self._starts.append(now)
                return
            await self._sleep(60.0 - (now - self._starts[0]))

    def _grant(self) -> None:
        while self._queue and self.in_flight < self.size:
            waiter = self._queue.popleft()
            if not waiter.done():
                self.in_flight += 1
                waiter.set_result(None)

    # --- outcomes ----------------------------------------------------------------------------
    def succeeded(self, slot: Slot, limits: RateLimits | None = None) -> None:
        # Grow only a window that is used up, and not on answers to requests sent before the last
        # back-off (they were part of the congestion).
        busy = (self.in_flight >= self.size or bool(self._queue)) and slot.seq > self._epoch
        self._release(slot)
        self.last_success = self._clock()
        if limits is not None and limits.running_low():
            self._shrink(slot, EASE_OFF, "the endpoint's remaining requests or tokens run low")
        elif busy:
            if self.window < self.threshold:
                self.window = min(self.window + 1.0, self.threshold)
            else:
                self.window += 1.0 / self.window
            self.window = min(self.window, float(self.cap))
        self._grant()

    def throttled(self, slot: Slot, retry_after: float | None = None) -> None:
        """A 429: shrink (once per epoch) and, with a Retry-After, pause every new request."""
        self._release(slot)
        self.rate_limited += 1
        if retry_after is not None and retry_after > 0:
            self.paused_until = max(self.paused_until, self._clock() + min(retry_after, MAX_PAUSE))
        self._shrink(slot, BACK_OFF, "rate limited (429)", RECOVER)
        self._grant()

    def failed(self, slot: Slot) -> None:
        """Any other outcome (a server error, a timeout, a refusal): says nothing about the limit."""
        self._release(slot)
        self._grant()

    def answering(self, within: float) -> bool:
        """The endpoint serves others: a request is in flight, or one got an answer in the last
        `within` seconds. A 429 then means only that it is busy."""
        return self.in_flight > 0 or (self.last_success is not None and self._clock() - self.last_success <= within)

    def _release(self, slot: Slot) -> None:
        if not slot.done:
            slot.done = True
            self.in_flight -= 1

    def _shrink(self, slot: Slot, factor: float, why: str, recover: float | None = None) -> None:
        if slot.seq <= self._epoch:
            return  # sent before the last back-off: that one already answered for it
        before = self.size
        # Slow start again up to `recover` of the window that failed (a 429 rejects at once, the
        # limit it marks has not moved), then one more per window of answers, as near the limit.
        self.threshold = max(1.0, self.window * (recover or factor))
        self.window = max(1.0, self.window * factor)
        self._epoch = self._seq
        self.back_offs += 1
        log.info("requests in flight %d -> %d: %s", before, self.size, why)


class _Acquire:
    def __init__(self, limiter: Limiter):
        self.limiter = limiter
        self.slot: Slot | None = None

    async def __aenter__(self) -> Slot:
        self.slot = await self.limiter.acquire()
        return self.slot

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self.slot is not None:
            self.slot.close(error)


__all__ = ["Limiter", "Slot", "RateLimits", "parse_rate_limits", "START", "CAP", "BACK_OFF", "RECOVER", "EASE_OFF"]
