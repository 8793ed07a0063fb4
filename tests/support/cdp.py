"""A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe``.

Chromium reads JSON commands from one pipe and writes answers and events to the other, each
message ended by a NUL byte. There is no port, so nothing else on the machine can connect and
no port can clash. Single-threaded on purpose: messages are read only while the caller waits
(for an answer or for a condition), so event handlers run in the caller's thread and there is
nothing to lock.
"""

from __future__ import annotations

import json
import os
import select
import time
from collections.abc import Callable
from typing import Any

EventHandler = Callable[[str, dict[str, Any]], None]


class CdpError(RuntimeError):
    """Chromium answered a command with an error, went away, or did not answer in time."""


class CdpPipe:
    """Commands out on ``write_fd``, answers and events in on ``read_fd``.

    Events go to the handler registered for their ``sessionId`` (``None``: browser-level).
    """

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._buffer = bytearray()
        self._next_id = 0
        self._answers: dict[int, dict[str, Any]] = {}
        self._handlers: dict[str | None, EventHandler] = {}
        self.closed = False

    def on_events(self, session_id: str | None, handler: EventHandler | None) -> None:
        if handler is None:
            self._handlers.pop(session_id, None)
        else:
            self._handlers[session_id] = handler

    def send(self, method: str, params: dict[str, Any] | None = None, *, session_id: str | None = None) -> int:
        """Send a command without waiting; returns its id."""
        if self.closed:
            raise CdpError(f"{method}: the DevTools pipe is closed (Chromium has exited)")
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session_id is not None:
            message["sessionId"] = session_id
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._write_fd, data) :]
        except BrokenPipeError:
            self.closed = True
            raise CdpError(f"{method}: the DevTools pipe is closed (Chromium has exited)") from None
        return self._next_id

    def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session_id: str | None = None,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        """Send a command and return its result; events that arrive meanwhile are dispatched."""
        command_id = self.send(method, params, session_id=session_id)
        deadline = time.monotonic() + timeout
        if not self.wait_for(lambda: command_id in self._answers, deadline):
            raise CdpError(f"{method}: no answer from Chromium within {timeout:.0f} s")
        answer = self._answers.pop(command_id)
        if "error" in answer:
            error = answer["error"]
            detail = f" ({error['data']})" if error.get("data") else ""
            raise CdpError(f"{method}: {error.get('message', error)}{detail}")
        return answer.get("result", {})

    def wait_for(self, condition: Callable[[], bool], deadline: float, *, tick: float = 0.05) -> bool:
        """Read and dispatch messages until ``condition()`` holds or ``deadline`` (monotonic)
        passes; returns whether it holds. ``condition`` is checked after every message and at
        least every ``tick`` seconds, so it may depend on the clock (a quiet period)."""
        while not condition():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            message = self._read_message(min(remaining, tick))
            if message is not None:
                self._dispatch(message)
        return True

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message:
            self._answers[message["id"]] = message
            return
        handler = self._handlers.get(message.get("sessionId"))
        if handler is not None:
            handler(message["method"], message.get("params", {}))

    def _read_message(self, timeout: float) -> dict[str, Any] | None:
        """One message, or None if none is complete within ``timeout``."""
        end = time.monotonic() + timeout
        # Screenshots arrive as multi-megabyte messages in 64 KiB pieces: search only the new
        # bytes for the terminator.
        scanned = 0
        while (nul := self._buffer.find(b"\0", scanned)) < 0:
            scanned = len(self._buffer)
            if self.closed:
                raise CdpError("the DevTools pipe is closed (Chromium has exited)")
            remaining = end - time.monotonic()
            if remaining <= 0:
                return None
            readable, _, _ = select.select([self._read_fd], [], [], remaining)
            if not readable:
                return None
            chunk = os.read(self._read_fd, 1 << 20)
            if not chunk:
                self.closed = True
                raise CdpError("the DevTools pipe is closed (Chromium has exited)")
            self._buffer += chunk
        raw = bytes(self._buffer[:nul])
        del self._buffer[: nul + 1]
        return json.loads(raw)
