"""A stand-in for ``vllm run-batch`` / ``python -m vllm.entrypoints.openai.run_batch``: reads OpenAI
batch input JSONL, answers each line with a responder, and writes output JSONL the way vLLM's
``vllm/entrypoints/openai/run_batch.py`` does:

* one output file holding every line, successes and errors, in input order, compact JSON
  (pydantic ``model_dump_json``);
* a line is ``{"id": "vllm-<32 hex>", "custom_id", "response": {"status_code", "request_id":
  "vllm-batch-<32 hex>", "body"}, "error"}``;
* success: status 200, ``body`` a ``chat.completion``, ``error`` null;
* an error response of the engine (unknown model, a responder's ``FakeHTTPError``): ``status_code``
  its code, ``body`` null, ``error`` ``{"error": {"message", "type", "param", "code"}}``;
* any other failure (a URL other than ``/v1/chat/completions``, ``"stream": true``, an exception):
  status 400, ``body`` null, ``error`` a plain string;
* an input line that is not valid JSON or lacks a field stops the whole run (vLLM validates each
  line with pydantic and does not catch the error): ``ValueError`` here, exit status 1 on the CLI.

``legacy=True`` writes the pre-0.5 shape some old docs still show: ``response`` is the
``chat.completion`` itself (no status_code / request_id / body).

    python -m tests.support.fake_vllm_batch -i in.jsonl -o out.jsonl [--model NAME] [--legacy]

Unknown vLLM engine flags (``--max-model-len`` ...) are accepted and ignored.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fake_openai import FakeHTTPError

__all__ = ["run_batch", "run_batch_async", "RunStats", "main"]

SUPPORTED_URLS_MESSAGE = "Supported endpoints: /v1/chat/completions, /v1/embeddings, /score, /rerank."


@dataclass
class RunStats:
    lines: int = 0
    ok: int = 0
    errors: int = 0
    bodies: list[dict] = field(default_factory=list)  # the request body of every line answered


def _uuid() -> str:
    return uuid.uuid4().hex  # vLLM's random_uuid()


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _completion(body: dict, content: str, model: str) -> dict:
    prompt = "\n".join(str(m.get("content") or "") for m in body.get("messages") or [] if isinstance(m, dict))
    p, c = _tokens(prompt), _tokens(content)
    return {"id": f"chatcmpl-{_uuid()}", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None,
                                                 "annotations": None, "audio": None, "function_call": None,
                                                 "tool_calls": [], "reasoning_content": None},
                         "logprobs": None, "finish_reason": "stop", "stop_reason": None}],
            "usage": {"prompt_tokens": p, "total_tokens": p + c, "completion_tokens": c,
                      "prompt_tokens_details": None},
            "prompt_logprobs": None, "kv_transfer_params": None}


def _error_line(custom_id: str, status: int, error: Any) -> dict:
    return {"id": f"vllm-{_uuid()}", "custom_id": custom_id,
            "response": {"status_code": status, "request_id": f"vllm-batch-{_uuid()}", "body": None},
            "error": error}


async def _answer(line: dict, responder: Callable[[dict], Any], served: Sequence[str] | None,
                  legacy: bool) -> dict:
    custom_id, body = line["custom_id"], line["body"]
    if line["url"] != "/v1/chat/completions":  # vLLM compares the exact string: Azure's "/chat/completions" fails
        return _error_line(custom_id, 400, f"URL {line['url']} was used. {SUPPORTED_URLS_MESSAGE}")
    model = body.get("model") or (served[0] if served else "fake-model")
    if served and model not in served:
        return _error_line(custom_id, 404, {"error": {"message": f"The model `{model}` does not exist.",
                                                      "type": "NotFoundError", "param": "model", "code": 404}})
    if body.get("stream"):
        return _error_line(custom_id, 400, "Request must not be sent in stream mode")
    try:
        content = responder(body)
        if inspect.isawaitable(content):
            content = await content
    except FakeHTTPError as e:
        return _error_line(custom_id, e.status, {"error": {"message": e.message, "type": e.type,
                                                           "param": None, "code": e.status}})
    except Exception as e:
        return _error_line(custom_id, 400, str(e))
    completion = _completion(body, "" if content is None else str(content), model)
    if legacy:
        return {"id": f"vllm-{_uuid()}", "custom_id": custom_id, "response": completion, "error": None}
    return {"id": f"vllm-{_uuid()}", "custom_id": custom_id,
            "response": {"status_code": 200, "request_id": f"vllm-batch-{_uuid()}", "body": completion},
            "error": None}


def _parse(text: str, no: int) -> dict:
    try:
        line = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"line {no}: invalid JSON: {e}") from None
    missing = [k for k in ("custom_id", "method", "url", "body") if not isinstance(line, dict) or k not in line]
    if missing or not isinstance(line["body"], dict) or not isinstance(line["body"].get("messages"), list):
        raise ValueError(f"line {no}: not a batch request line (missing {missing or ['body.messages']})")
    return line


async def run_batch_async(input_path: str | Path, output_path: str | Path,
                          responder: Callable[[dict], Any] | None = None, *, model: str | Sequence[str] | None = None,
                          legacy: bool = False) -> RunStats:
    """Answer every line of ``input_path`` into ``output_path``; ``model``: the served model name(s)."""
    if responder is None:
        from .llm_responder import mock_responder
        responder = mock_responder()
    served = [model] if isinstance(model, str) else (list(model) if model else None)
    stats = RunStats()
    # like vLLM: the output is opened (truncated) first and written line by line, so a bad input
    # line leaves the answers before it in a partial output file
    with open(input_path, encoding="utf-8") as src, open(output_path, "w", encoding="utf-8") as out:
        for no, text in enumerate(src, 1):
            if not text.strip():
                continue
            line = _parse(text, no)
            result = await _answer(line, responder, served, legacy)
            out.write(_dump(result) + "\n")
            stats.lines += 1
            stats.bodies.append(line["body"])
            if result["error"] is None:
                stats.ok += 1
            else:
                stats.errors += 1
    return stats


def run_batch(input_path: str | Path, output_path: str | Path, responder: Callable[[dict], Any] | None = None,
              *, model: str | Sequence[str] | None = None, legacy: bool = False) -> RunStats:
    return asyncio.run(run_batch_async(input_path, output_path, responder, model=model, legacy=legacy))


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Stand-in for vllm run-batch (tests only).")
    ap.add_argument("-i", "--input-file", required=True)
    ap.add_argument("-o", "--output-file", required=True)
    ap.add_argument("--model", default=None)
    ap.add_argument("--served-model-name", nargs="*", default=None)
    ap.add_argument("--legacy", action="store_true", help="write the pre-0.5 line shape")
    args, _ignored = ap.parse_known_args(argv)
    served = args.served_model_name or ([args.model] if args.model else None)
    try:
        stats = run_batch(args.input_file, args.output_file, model=served, legacy=args.legacy)
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"Batch complete. Written: {stats.lines}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
