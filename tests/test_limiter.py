"""The shared limiter's adaptive concurrency (AIMD), Retry-After pauses and the retry policy's
treatment of 429s, driven directly: time is an injected clock, waits are events."""

import asyncio
from collections import deque

import pytest

from generator.llm.limiter import BACK_OFF, EASE_OFF, RECOVER, Limiter, RateLimits, parse_rate_limits
from generator.retry import RetryPolicy, TransientError, with_retries


def run(coro):
    return asyncio.run(coro)


async def fill(limiter: Limiter, slots: deque) -> None:
    """Requests until every place in the window is taken (acquire does not wait for these)."""
    while limiter.in_flight < limiter.size:
        slots.append(await limiter.acquire())


async def busy_answers(limiter: Limiter, slots: deque, n: int) -> int:
    """n answers from a saturated endpoint: each answered request is replaced at once by a new
    one, as when more requests wait than the window holds. Returns the most ever in flight."""
    peak = limiter.in_flight
    for _ in range(n):
        limiter.succeeded(slots.popleft())
        await fill(limiter, slots)
        peak = max(peak, limiter.in_flight)
    return peak


def test_the_window_starts_small_and_grows_by_one_per_answer_until_the_first_congestion():
    async def go():
        limiter, slots = Limiter(start=8), deque()
        await fill(limiter, slots)
        assert limiter.size == 8 and limiter.in_flight == 8
        await busy_answers(limiter, slots, 8)
        assert limiter.size == 16  # slow start: one more per answer, doubling per window of answers
    run(go())


def test_the_window_never_passes_the_users_cap():
    async def go():
        limiter, slots = Limiter(max_concurrent=10, start=8), deque()
        await fill(limiter, slots)
        peak = await busy_answers(limiter, slots, 200)
        assert limiter.size == 10 and peak == 10

        small = Limiter(max_concurrent=3)  # a cap below the start: the cap wins
        assert small.size == 3
    run(go())


def test_the_default_cap_bounds_the_window_too():
    async def go():
        limiter, slots = Limiter(), deque()
        await fill(limiter, slots)
        peak = await busy_answers(limiter, slots, 2000)
        assert limiter.size == limiter.cap == 64 and peak == 64
    run(go())


def test_an_idle_window_does_not_grow():
    async def go():
        limiter = Limiter(start=8)
        for _ in range(50):  # one request at a time: nothing says more would pass
            limiter.succeeded(await limiter.acquire())
        assert limiter.size == 8
    run(go())


def test_a_429_halves_the_window_once_per_congestion_epoch():
    async def go():
        limiter, slots = Limiter(start=16), deque()
        await fill(limiter, slots)
        for _ in range(5):  # a burst of 429s for requests that were all in flight together
            limiter.throttled(slots.popleft())
        assert limiter.size == 16 * BACK_OFF == 8 and limiter.back_offs == 1 and limiter.rate_limited == 5
        for _ in range(3):  # the rest of the old epoch answers; the window is full again
            limiter.succeeded(slots.popleft())
        assert limiter.in_flight == 8
        late = limiter.in_flight
        await fill(limiter, slots)
        assert limiter.in_flight == late  # no place until the old epoch drains below the new window
        for _ in range(8):
            limiter.failed(slots.popleft())  # errors other than 429 say nothing about the limit
        assert limiter.size == 8
        await fill(limiter, slots)
        limiter.throttled(slots.popleft())  # sent after the back-off: a new epoch
        assert limiter.size == 4 and limiter.back_offs == 2
    run(go())


def test_after_a_429_the_window_doubles_back_near_the_limit_then_grows_by_one_per_window():
    async def go():
        limiter, slots = Limiter(start=16), deque()
        await fill(limiter, slots)
        limiter.throttled(slots.popleft())
        for s in list(slots):
            limiter.failed(s)
        slots.clear()
        await fill(limiter, slots)
        assert limiter.size == 8
        await busy_answers(limiter, slots, 6)
        assert limiter.window == pytest.approx(16 * RECOVER)  # one more per answer, up to 85 % of 16
        await busy_answers(limiter, slots, 13)
        assert 16 * RECOVER + 0.9 < limiter.window < 16 * RECOVER + 1  # then about one per window of 13
    run(go())


def test_the_window_never_falls_below_one():
    async def go():
        limiter = Limiter(start=2)
        for _ in range(10):
            limiter.throttled(await limiter.acquire())
        assert limiter.size == 1 and limiter.back_offs == 10
    run(go())


def test_headers_running_low_ease_off_once_per_epoch():
    low = RateLimits(limit_requests=100, remaining_requests=3)
    plenty = RateLimits(limit_requests=100, remaining_requests=60, limit_tokens=10_000, remaining_tokens=5_000)
    assert low.running_low() and not plenty.running_low()
    assert RateLimits(limit_tokens=10_000, remaining_tokens=200).running_low()
    assert RateLimits(remaining_requests=0).running_low() and not RateLimits(remaining_requests=1).running_low()
    assert RateLimits(3, 0).running_low() and not RateLimits(3, 1).running_low()  # a small limit: when none is left

    async def go():
        limiter, slots = Limiter(start=20), deque()
        await fill(limiter, slots)
        limiter.succeeded(slots.popleft(), low)
        limiter.succeeded(slots.popleft(), low)  # same epoch: counted once
        assert limiter.window == pytest.approx(20 * EASE_OFF) and limiter.back_offs == 1
        limiter.succeeded(slots.popleft(), plenty)  # sent before the ease-off: it does not grow
        assert limiter.window == pytest.approx(20 * EASE_OFF)
        slots.append(await limiter.acquire())
        while len(slots) > 1:
            limiter.failed(slots.popleft())
        await fill(limiter, slots)
        limiter.succeeded(slots.popleft(), plenty)  # plenty left: it grows again, by one per window
        assert limiter.window == pytest.approx(18 + 1 / 18)
    run(go())


def test_rate_limit_headers_are_read_case_insensitively():
    import httpx

    headers = httpx.Headers({"X-RateLimit-Limit-Requests": "500", "x-ratelimit-remaining-requests": "499",
                             "x-ratelimit-limit-tokens": "200000", "x-ratelimit-remaining-tokens": "199000.5"})
    assert parse_rate_limits(headers) == RateLimits(500, 499, 200000, 199000)
    assert parse_rate_limits(httpx.Headers({"x-ratelimit-remaining-requests": "many"})) is None
    assert parse_rate_limits(httpx.Headers({})) is None


class Clock:
    """Time that moves only when the test says so; sleepers wait for the test to open them."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []
        self.asleep = asyncio.Event()
        self.wake = asyncio.Event()
        self.expect = 1

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        if len(self.sleeps) >= self.expect:
            self.asleep.set()
        await self.wake.wait()


def test_retry_after_pauses_every_new_request_not_just_the_throttled_one():
    async def go():
        clock = Clock()
        limiter = Limiter(clock=clock, sleep=clock.sleep)
        first = await limiter.acquire()
        limiter.throttled(first, retry_after=2.5)
        clock.expect = 2
        waiting = [asyncio.create_task(limiter.acquire()) for _ in range(2)]
        await clock.asleep.wait()  # both sleep until the pause is over; neither got through
        assert clock.sleeps == [2.5, 2.5] and not any(t.done() for t in waiting)
        clock.now += 2.5
        clock.wake.set()
        slots = await asyncio.gather(*waiting)
        assert [s.seq for s in slots] == [2, 3] and limiter.in_flight == 2
    run(go())


def test_requests_per_minute_still_hold():
    async def go():
        clock = Clock()
        limiter = Limiter(rpm=2, clock=clock, sleep=clock.sleep)
        for _ in range(2):
            limiter.succeeded(await limiter.acquire())
        clock.now += 10
        third = asyncio.create_task(limiter.acquire())
        await clock.asleep.wait()
        assert clock.sleeps == [50.0] and not third.done()
        clock.now += 50
        clock.wake.set()
        await third
    run(go())


def test_waiters_are_served_in_order_and_a_cancelled_one_keeps_no_place():
    async def go():
        limiter = Limiter(max_concurrent=1)
        held = await limiter.acquire()
        order: list[int] = []

        async def ask(i: int):
            slot = await limiter.acquire()
            order.append(i)
            limiter.succeeded(slot)

        tasks = [asyncio.create_task(ask(i)) for i in range(4)]
        for _ in range(10):  # let them all queue up (each runs until it waits)
            if len(limiter._queue) == 4:
                break
            await asyncio.sleep(0)
        assert len(limiter._queue) == 4
        tasks[1].cancel()
        limiter.succeeded(held)
        await asyncio.gather(*tasks, return_exceptions=True)
        assert order == [0, 2, 3] and limiter.in_flight == 0
    run(go())


def rate_limited(retry_after=None):
    return TransientError("rate limited (429)", retry_after, rate_limited=True)


NO_WAIT = RetryPolicy(attempts=2, total_seconds=60, initial=0.0, maximum=0.0)


def test_429s_use_no_attempts_while_the_endpoint_answers_others():
    async def go():
        limiter = Limiter()
        limiter.succeeded(await limiter.acquire())  # someone got an answer just now
        calls = []

        async def call():
            calls.append(1)
            if len(calls) <= 7:
                raise rate_limited()
            return "ok"

        assert await with_retries(call, NO_WAIT, "test", gate=limiter) == "ok"
        assert len(calls) == 8 and limiter.rate_limited == 7 and limiter.in_flight == 0
    run(go())


def test_429s_count_as_faults_when_nobody_is_answered():
    async def go():
        clock = Clock()
        limiter = Limiter(clock=clock)
        limiter.succeeded(await limiter.acquire())
        clock.now += 3600  # the last answer anyone got is an hour old
        calls = []

        async def call():
            calls.append(1)
            raise rate_limited()

        with pytest.raises(TransientError):
            await with_retries(call, NO_WAIT, "test", gate=limiter)
        assert len(calls) == NO_WAIT.attempts
    run(go())


def test_other_faults_still_use_their_attempts_and_429s_have_a_final_deadline():
    async def go():
        limiter = Limiter()
        limiter.succeeded(await limiter.acquire())
        calls = []

        async def broken():
            calls.append(1)
            raise TransientError("server error (500)")

        with pytest.raises(TransientError):
            await with_retries(broken, NO_WAIT, "test", gate=limiter)
        assert len(calls) == 2

        never = RetryPolicy(attempts=2, total_seconds=60, initial=0.0, maximum=0.0, rate_limit_seconds=0.0)
        calls.clear()

        async def throttled():
            calls.append(1)
            raise rate_limited()

        with pytest.raises(TransientError):  # no time at all for 429s: they count like any fault
            await with_retries(throttled, never, "test", gate=limiter)
        assert len(calls) == 2
    run(go())


def test_the_openai_model_passes_on_the_rate_limit_headers_and_marks_429s():
    from generator.llm.base import Message, Request
    from generator.llm.openai import OpenAIModel

    from .support.fake_openai import FakeOpenAI

    request = Request(messages=[Message(role="user", content="Hallo")])

    async def ask(url: str):
        model = OpenAIModel("m", api_key="k", base_url=url)
        try:
            return await model.complete(request)
        finally:
            await model.aclose()

    with FakeOpenAI(in_flight_limit=1) as fake:
        answer = run(ask(fake.url))
    assert answer.rate_limits == RateLimits(limit_requests=1, remaining_requests=0)
    assert "rate_limits" not in answer.model_dump()  # about the moment: never kept in the ledger

    with FakeOpenAI(in_flight_limit=0, retry_after=1.5) as full:  # nothing may be in flight: all 429
        with pytest.raises(TransientError) as caught:
            run(ask(full.url))
        assert full.rate_limited == 1
    assert caught.value.rate_limited and caught.value.retry_after == 1.5
