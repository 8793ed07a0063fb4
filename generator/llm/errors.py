"""Errors of the LLM layer, independent of any one client library."""

from __future__ import annotations

from ..retry import TransientError  # noqa: F401  (one transient error for every remote call)


class LLMError(Exception):
    """Base class."""


class FatalError(LLMError):
    """Not worth retrying: 400, 401, 403, 404. The message is the one line the user sees."""


class UnsupportedSchema(LLMError):
    """The endpoint rejected structured output (json_schema); fall back to JSON in plain text."""


class ContentPolicyRefusal(LLMError):
    """The endpoint refused this one prompt (OpenAI: 400 with code "moderation_blocked" for the GPT
    image models, "content_policy_violation" for DALL·E). Not retried as it is, and not a
    FatalError: the next prompt may pass, so a batch must go on (the caller may try a milder
    prompt or do without the image)."""
