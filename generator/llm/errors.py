"""Errors of the LLM layer, independent of any one client library."""

from __future__ import annotations

from ..retry import TransientError  # noqa: F401  (one transient error for every remote call)


class LLMError(Exception):
    """Base class."""


class FatalError(LLMError):
    """Not worth retrying: 400, 401, 403, 404. The message is the one line the user sees."""


class UnsupportedSchema(LLMError):
    """The endpoint rejected structured output (json_schema); fall back to JSON in plain text."""
