"""Any OpenAI-compatible endpoint (OpenAI, Azure, Mistral, Ollama, vLLM) through the official client.

The client's own retries are off: retry.py is the one retry policy. Structured output goes as
`response_format: json_schema`; an endpoint that rejects it (older Ollama, some proxies) is
asked again with the schema in the prompt, and the JSON is parsed from the text.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

import openai

from .base import Model, Request, Response
from .chat import chat_body
from ..retry import connection_problem, parse_retry_after
from ..urls import endpoint_name
from .errors import FatalError, TransientError, UnsupportedSchema
from .limiter import parse_rate_limits

DEFAULT_TIMEOUT = 120.0


def _retry_after(error: openai.APIStatusError) -> float | None:
    return parse_retry_after(error.response.headers) if error.response is not None else None


def rate_limited(error: openai.RateLimitError) -> TransientError:
    """A 429 as the retry policy and the limiter read it: busy, and for how long."""
    return TransientError("rate limited (429)", _retry_after(error), rate_limited=True)


_FATAL = {
    400: "the endpoint rejected the request (400): {msg}",
    401: "the API key was rejected (401); check --api-key or OPENAI_API_KEY",
    403: "the API key may not use this model or endpoint (403): {msg}",
    404: "model or endpoint not found (404); check --model and --base-url: {msg}",
}


# What a call through the official client may raise besides a bug: its timeouts, connection and
# status errors, an answer that does not fit its types, and a body that is not JSON at all (cut off
# in transit), which surfaces as a bare ValueError.
CLIENT_ERRORS = (openai.APIConnectionError, openai.APIStatusError, openai.APIResponseValidationError, ValueError)


def endpoint_error(error: Exception, endpoint: str, fatal: Mapping[int, str], who: str = "the endpoint",
                   message: Callable[[openai.APIStatusError], str] | None = None) -> Exception:
    """One of CLIENT_ERRORS as the retry policy reads it, for the text and the image endpoint alike:
    timeouts, connection problems, 429, 5xx, 408, 409 and garbled bodies are worth another try
    (TransientError, with the endpoint's Retry-After); the statuses in `fatal` and any other are not."""
    if isinstance(error, openai.APITimeoutError):
        return TransientError(f"{endpoint}: timeout")
    if isinstance(error, openai.APIConnectionError):
        return TransientError(f"{endpoint}: {connection_problem(error)}")
    if isinstance(error, openai.RateLimitError):
        return rate_limited(error)
    if isinstance(error, openai.APIStatusError):
        status, text = error.status_code, (message or (lambda e: _short(e.message)))(error)
        if status in fatal:
            return FatalError(fatal[status].format(msg=text))
        if status >= 500 or status in (408, 409):
            return TransientError(f"server error ({status})", _retry_after(error))
        return FatalError(f"{who} answered {status}: {text}")
    return TransientError(f"unreadable response ({type(error).__name__})")


class OpenAIModel(Model):
    paid = True

    def __init__(self, name: str, *, api_key: str, base_url: str | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.name = name
        self.base_url = base_url
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout)
        self._schema_supported = True  # learned once per run: endpoints do not change their mind

    async def complete(self, request: Request) -> Response:
        use_schema = request.json_schema is not None and self._schema_supported
        try:
            return await self._call(request, use_schema)
        except UnsupportedSchema:
            self._schema_supported = False
            response = await self._call(request, False)
            response.notes.append("json_schema unsupported: JSON parsed from text")
            return response

    async def _call(self, request: Request, use_schema: bool) -> Response:
        kwargs = chat_body(self.name, request, use_schema)
        started = time.monotonic()
        try:
            # The raw response for its x-ratelimit-* headers (the limiter eases off before a 429).
            raw = await self._client.chat.completions.with_raw_response.create(**kwargs)
            completion = raw.parse()
        except CLIENT_ERRORS as e:
            if (isinstance(e, openai.APIStatusError) and e.status_code == 400 and use_schema
                    and "response_format" in f"{getattr(e, 'param', '')} {e.message}"):
                raise UnsupportedSchema(e.message) from None
            raise endpoint_error(e, self.endpoint, _FATAL) from None
        seconds = time.monotonic() - started
        if not completion.choices:
            raise TransientError("response without choices")
        choice = completion.choices[0]
        usage = completion.usage
        return Response(
            text=choice.message.content or "",
            model=completion.model or self.name,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            finish_reason=choice.finish_reason or "stop",
            seconds=seconds,
            rate_limits=parse_rate_limits(raw.headers),
        )

    @property
    def endpoint(self) -> str:
        """The endpoint as messages name it: scheme, host, port and path, nothing that could be a
        credential (user info, query)."""
        return endpoint_name(str(self._client.base_url))

    async def aclose(self) -> None:
        await self._client.close()


def _short(message: str, limit: int = 160) -> str:
    message = " ".join(str(message).split())
    return message if len(message) <= limit else message[: limit - 1] + "…"
