"""Errors of the LLM layer, independent of any one client library."""

from __future__ import annotations

from ..retry import TransientError  # noqa: F401  (one transient error for every remote call)


class LLMError(Exception):
    """Base class."""


class FatalError(LLMError):
    """Not worth retrying: 400, 401, 403, 404. The message is the one line the user sees."""


class BudgetExceeded(FatalError):
    """The next request could take the spending past --max-cost: the run stops before it, and
    keeps what is done (a FatalError: every further request would be refused alike)."""


class Deferred(LLMError):
    """The answer will come from a provider batch (or an imported file), not now: the request is
    queued in the ledger and the post waits. Not a failure; the batch runner picks the post up
    again once the answer is there."""


class UnsupportedSchema(LLMError):
    """The endpoint rejected structured output (json_schema); fall back to JSON in plain text."""


class ContentPolicyRefusal(LLMError):
    """The endpoint refused this one prompt (OpenAI: 400 with code "moderation_blocked" for the GPT
    image models, "content_policy_violation" for DALL·E). Not retried as it is, and not a
    FatalError: the next prompt may pass, so a batch must go on (the caller may try a milder
    prompt or do without the image)."""
