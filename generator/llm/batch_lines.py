"""The lines of a batch file: requests as the OpenAI Batch API, Azure and `vllm run-batch` read
them, and the answer lines they write (see /work/notes/batch-api.md for the sources).

A request line is `{"custom_id", "method": "POST", "url", "body"}`; genpost's custom_id is the
request's ledger key, so an answer finds its request whatever order the lines come back in.

An answer line is `{"id", "custom_id", "response": {"status_code", "request_id", "body"}, "error"}`
(OpenAI's output and error files, vLLM's one output file), or, from vLLM before 0.5,
`{"custom_id", "response": <the chat.completion>}`. Failures come as a status other than 200
with the error in `response.body.error` (OpenAI), in `error` as an object or a string (vLLM), or
as `response: null` with `error.code` batch_expired, batch_cancelled or request_timeout.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .base import Request, Response
from .chat import chat_body

CHAT_URL = "/v1/chat/completions"  # Azure's older api-versions spell it /chat/completions
SCHEMA_NOTE = "json_schema unsupported: JSON parsed from text"


def request_line(key: str, model: str, request: Request, *, no_schema: bool = False, url: str = CHAT_URL) -> str:
    body = chat_body(model, request, use_schema=not no_schema)
    return json.dumps({"custom_id": key, "method": "POST", "url": url, "body": body}, ensure_ascii=False,
                      separators=(",", ":"))


@dataclass
class LineResult:
    key: str
    response: Response | None = None  # the answer, or None for a failed line
    error: str | None = None
    retry: bool = True  # worth asking again (429, 5xx, expired, cancelled, timeout)
    no_schema: bool = False  # structured output refused: ask again with the schema in the prompt
    counts: bool = True  # a try of this request; not when the provider never got to it (expired, cancelled)


def completion_response(body: dict[str, Any], model: str, *, batch: bool) -> Response | None:
    """A chat.completion body as a Response; None when it holds no answer."""
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return None
    message = choices[0].get("message") or {}
    usage = body.get("usage") or {}
    return Response(text=str(message.get("content") or ""), model=str(body.get("model") or model),
                    prompt_tokens=int(usage.get("prompt_tokens") or 0),
                    completion_tokens=int(usage.get("completion_tokens") or 0),
                    finish_reason=str(choices[0].get("finish_reason") or "stop"), batch=batch)


def _error(error: Any, body: Any) -> tuple[str, str]:
    """(message, param) of whatever error shape the line has."""
    for candidate in (body, error):
        if isinstance(candidate, dict):
            inner = candidate.get("error", candidate)
            if isinstance(inner, dict) and (inner.get("message") or inner.get("code")):
                return str(inner.get("message") or inner.get("code")), str(inner.get("param") or "")
            if isinstance(inner, str) and inner:
                return inner, ""
    if isinstance(error, str) and error:
        return error, ""
    return "no answer", ""


def parse_line(text: str, *, model: str, batch: bool = True) -> LineResult | None:
    """One answer line; None for a line that cannot be read (cut off, not JSON, no custom_id):
    its request stays unanswered and is asked again."""
    try:
        line = json.loads(text)
    except ValueError:
        return None
    if not isinstance(line, dict) or not isinstance(line.get("custom_id"), str):
        return None
    key, response, error = line["custom_id"], line.get("response"), line.get("error")
    if isinstance(response, dict) and "choices" in response:  # vLLM before 0.5
        status, body = 200, response
    elif isinstance(response, dict):
        status, body = response.get("status_code"), response.get("body")
    else:
        status, body = None, None
    if status == 200 and not error and isinstance(body, dict):
        answer = completion_response(body, model, batch=batch)
        if answer is not None:
            return LineResult(key=key, response=answer)
        return LineResult(key=key, error="an answer without choices")
    message, param = _error(error, body)
    code = error.get("code") if isinstance(error, dict) else None
    if code in ("batch_expired", "batch_cancelled"):
        return LineResult(key=key, error=message, counts=False)
    if isinstance(status, int) and status:
        message = f"{message} ({status})"
    if not isinstance(status, int) or status in (0, 408, 409, 429) or status >= 500:
        return LineResult(key=key, error=message)  # expired, cancelled, timed out, rate limited, server error
    if status == 400 and "response_format" in f"{param} {message}":
        return LineResult(key=key, error=message, no_schema=True)
    if 400 <= status < 500:
        return LineResult(key=key, error=message, retry=False)  # the request itself is refused
    return LineResult(key=key, error=message)
