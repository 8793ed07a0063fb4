"""Any OpenAI-compatible `/v1/images/generations` endpoint through the official client.

The image comes back in the answer as base64 (`b64_json`), never as a URL to fetch: the GPT image
models always answer so; DALL·E answers with a URL unless asked, so for `dall-e-*` we send
`response_format: b64_json` (the GPT image models reject that parameter, so it is sent to no
one else). An endpoint that answers with a URL anyway is refused with a FatalError: genpost
downloads nothing from addresses an answer names, and every further request would do the same.

Errors map like the text model's: 429, 5xx, timeouts and garbled bodies are TransientError;
400/401/403/404 FatalError; a prompt refused by the safety system ContentPolicyRefusal.
"""

from __future__ import annotations

import base64
import binascii
import time

import openai

from .errors import ContentPolicyRefusal, FatalError, TransientError
from .image import ImageModel, ImageRequest, ImageResponse, sniff_format
from ..urls import endpoint_name
from .openai import CLIENT_ERRORS, _short, endpoint_error

DEFAULT_TIMEOUT = 180.0  # a high-quality GPT image takes up to a minute or two

# OpenAI's codes for a refused prompt: GPT image models answer 400 with type
# "image_generation_user_error" and code "moderation_blocked"; DALL·E 3 with type
# "invalid_request_error" and code "content_policy_violation". Some proxies drop the code and
# keep only the message ("… rejected as a result of our safety system …").
REFUSAL_CODES = frozenset({"moderation_blocked", "content_policy_violation"})
_REFUSAL_WORDS = ("safety system", "content policy", "content_policy")

_FATAL = {
    400: "the image endpoint rejected the request (400): {msg}",
    401: "the API key was rejected by the image endpoint (401); check --api-key or OPENAI_API_KEY",
    403: "the API key may not use this image model or endpoint (403): {msg}",
    404: "image model or endpoint not found (404); check --image-model and --image-base-url: {msg}",
}


def _text(error: openai.APIStatusError) -> str:
    """The endpoint's own message, without the client's "Error code: 400 - " prefix."""
    body = error.body
    if isinstance(body, dict) and isinstance(body.get("message"), str) and body["message"].strip():
        return _short(body["message"])
    return _short(error.message)


def is_refusal(error: openai.APIStatusError) -> bool:
    if error.status_code != 400:
        return False
    if getattr(error, "code", None) in REFUSAL_CODES:
        return True
    message = _text(error).lower()
    return any(w in message for w in _REFUSAL_WORDS)


class OpenAIImageModel(ImageModel):
    paid = True

    def __init__(self, name: str, *, api_key: str, base_url: str | None = None, timeout: float = DEFAULT_TIMEOUT):
        self.name = name
        self.base_url = base_url
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout)

    def _kwargs(self, request: ImageRequest) -> dict:
        kwargs: dict = {"model": self.name, "prompt": request.prompt, "size": request.size, "n": 1}
        if request.quality:
            kwargs["quality"] = request.quality
        if self.name.startswith("dall-e"):
            kwargs["response_format"] = "b64_json"
        return kwargs

    async def generate(self, request: ImageRequest) -> ImageResponse:
        started = time.monotonic()
        try:
            answer = await self._client.images.generate(**self._kwargs(request))
        except CLIENT_ERRORS as e:
            if isinstance(e, openai.APIStatusError) and is_refusal(e):
                raise ContentPolicyRefusal(f"the image endpoint refused the prompt (content policy): {_text(e)}") from None
            raise endpoint_error(e, endpoint_name(str(self._client.base_url)), _FATAL, "the image endpoint",
                                 _text) from None
        seconds = time.monotonic() - started
        if not answer.data:
            raise TransientError("answer without an image")
        item = answer.data[0]
        if not item.b64_json:
            if item.url:
                raise FatalError("the image endpoint answered with a URL instead of the image itself (b64_json); "
                                 "genpost downloads nothing an answer points to: use a model that returns b64_json")
            raise TransientError("answer without an image")
        try:
            data = base64.b64decode(item.b64_json, validate=True)
        except (binascii.Error, ValueError):
            raise TransientError("unreadable image data (bad base64)") from None
        fmt = sniff_format(data)
        if fmt is None:
            raise FatalError("the image endpoint answered with a file that is not PNG, JPEG or WebP")
        usage = answer.usage
        return ImageResponse(
            data=data, format=fmt, model=self.name,
            size=answer.size or request.size, quality=answer.quality or request.quality,
            revised_prompt=item.revised_prompt or None,
            input_tokens=usage.input_tokens if usage else 0,
            output_tokens=usage.output_tokens if usage else 0,
            seconds=seconds,
        )

    async def aclose(self) -> None:
        await self._client.close()
