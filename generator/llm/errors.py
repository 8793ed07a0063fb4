"""Errors of the LLM layer, independent of any one client library."""

from __future__ import annotations


class LLMError(Exception):
    """Base class."""


class TransientError(LLMError):
    """Worth retrying: 429, 5xx, timeouts, dropped connections, garbled bodies."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class FatalError(LLMError):
    """Not worth retrying: 400, 401, 403, 404. The message is the one line the user sees."""


class UnsupportedSchema(LLMError):
    """The endpoint rejected structured output (json_schema); fall back to JSON in plain text."""
