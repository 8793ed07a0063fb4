"""Ending a run's other asyncio tasks before what they write to (the ledger) is closed.

On Ctrl-C (or SIGTERM, which genpost turns into Ctrl-C) asyncio.run cancels only the main task.
The posts' tasks, and requests an asyncio.gather left running after a sibling failed, would go
on until asyncio.run cancels them after the main task has closed the ledger: an answer arriving
then (and paid for) could not be kept. So the main task stops them first and waits for them."""

from __future__ import annotations

import asyncio

AGAIN_AFTER = 1.0  # seconds; a task still running after a cancel is cancelled again


def _others() -> set[asyncio.Task]:
    me = asyncio.current_task()
    return {t for t in asyncio.all_tasks() if t is not me and not t.done()}


async def settle_others(timeout: float = 60.0) -> None:
    """Wait (up to `timeout` seconds) for the other tasks to end by themselves: requests still on
    their way get their answers kept."""
    if others := _others():
        await asyncio.wait(others, timeout=timeout)


async def stop_others(again_after: float = AGAIN_AFTER) -> None:
    """Cancel every other task of this event loop and wait until each has ended. A task can
    outlive a cancel: asyncio.wait_for (3.11) returns an answer that arrived together with the
    cancel instead of raising it; the clients keep that answer and then stop (retry.stop_if_cancelled),
    and anything else still running after `again_after` seconds is cancelled again."""
    while others := _others():
        for task in others:
            task.cancel()
        await asyncio.wait(others, timeout=again_after)
