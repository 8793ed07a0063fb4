"""The model interface every LLM implements, the mock included.

The LLM layer knows chat messages, JSON schemas, tokens and errors; it knows no SEO rules.
"""

from __future__ import annotations

import abc
from typing import Any

from pydantic import BaseModel, Field

from .limiter import RateLimits


class Message(BaseModel):
    role: str  # system | user | assistant
    content: str


class Request(BaseModel):
    """Everything that decides an answer; the cache key is made from exactly this."""

    messages: list[Message]
    schema_name: str | None = None  # structured output: the name and JSON schema of the answer
    json_schema: dict[str, Any] | None = None
    temperature: float = 0.7
    max_tokens: int = 4096
    purpose: str = ""  # for logs and the report ("plan", "section:3", "rewrite:2"); not sent
    # The task in machine-readable form, for the offline mock only: never sent to an endpoint and
    # not part of the cache key (the prompt text states the same in words; see llm/reading.py).
    task: dict[str, Any] | None = None

    def cache_fields(self, model: str) -> dict[str, Any]:
        return {"model": model, "messages": [m.model_dump() for m in self.messages],
                "schema_name": self.schema_name, "json_schema": self.json_schema,
                "temperature": self.temperature, "max_tokens": self.max_tokens}


class Response(BaseModel):
    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"
    cached: bool = False
    batch: bool = False  # answered through a provider's batch endpoint (priced as such)
    seconds: float = 0.0
    retries: int = 0
    notes: list[str] = Field(default_factory=list)  # e.g. "json_schema unsupported: parsed from text"
    # The endpoint's x-ratelimit-* headers, for the limiter; about the moment, so never kept.
    rate_limits: RateLimits | None = Field(default=None, exclude=True)


class Model(abc.ABC):
    """An LLM that answers one request. Implementations raise llm.errors exceptions."""

    name: str  # model id as sent to the endpoint
    paid: bool = True  # paid answers are kept on disk so a rerun does not pay twice

    @abc.abstractmethod
    async def complete(self, request: Request) -> Response: ...

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        return None
