"""A small fake OpenAI-compatible chat-completions server for tests and benchmarks.

Stdlib only.  The server runs an asyncio event loop in a background thread, so a
single instance handles many concurrent (keep-alive) connections; per-request
latency is an ``await asyncio.sleep`` and never blocks other requests.

Endpoints (the ``/v1`` prefix is optional):

* ``POST /v1/chat/completions`` -> ``chat.completion`` JSON (or SSE when ``"stream": true``)
* ``GET  /v1/models`` and ``GET /v1/models/{id}``
* the Files and Batches endpoints of the OpenAI Batch API, answered by the same responder
  (see ``fake_batch_api``; options in ``batch=BatchOptions(...)``)
* ``POST /v1/images/generations`` -> a real PNG of the requested size (one colour from the
  prompt's hash) as ``b64_json``; for ``dall-e-*`` models a ``url`` unless
  ``response_format: b64_json`` was asked, as OpenAI does.  A prompt containing one of
  ``image_refuse_words`` (case-insensitive) gets OpenAI's content-policy 400 (``moderation_blocked``,
  or ``content_policy_violation`` for ``dall-e-*``).  Error faults (``faults_script`` /
  ``fault_rate``) apply as for chat; bodies are recorded in ``image_requests``, not ``requests``.

Example::

    with FakeOpenAI(lambda body: "Hallo Welt.", latency=0.05) as fake:
        client = openai.OpenAI(base_url=fake.url, api_key="test", max_retries=0)
        r = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
        assert r.choices[0].message.content == "Hallo Welt."
        assert fake.requests[0]["_fault"] is None

Fault names (``faults`` / ``faults_script``):

``"429"``  status 429, headers ``Retry-After: 0`` and ``retry-after-ms: 10``
``"500"``, ``"502"``, ``"503"``  server error with OpenAI error JSON
``"hang"``  sleep ``hang_seconds`` before answering normally (client should time out)
``"drop"``  close the connection without sending any response
``"truncated_json"``  status 200, content-type JSON, body cut in half (invalid JSON)
``"empty"``  valid completion with content ``""``
``"fenced"``  content wrapped as ``"Hier ist der Abschnitt:\\n```\\n<content>\\n```"``
``"length"``  finish_reason ``"length"`` and content cut in half
``"english"``  English content
``"refusal"``  German refusal sentence

``requests`` holds a copy of every parsed chat-completion body plus ``"_fault"`` (injected fault
name or None), ``"_status"`` (HTTP status sent; None for "drop" or a hang cancelled by stop) and,
for every answer produced, ``"_completion_tokens"`` (billed even when the client never reads it,
as after "truncated_json" or a "hang" it gave up on).
Requests rejected for a missing/wrong key (401) are not recorded and consume no fault.  The
responder gets the original body, runs on the server's event-loop thread (one call at a time;
it may also be ``async def``) and may raise ``FakeHTTPError`` to send any error status.
It returns the content, or ``{"content": ..., "finish_reason": ...}`` for an answer that ended
otherwise than with "stop" (e.g. cut at the token limit).
A ``json_schema`` request rejected because ``json_schema_supported=False`` is recorded with
``_status`` 400 and consumes no fault.

Error faults (429/5xx) and "drop" are answered immediately, without ``latency``
and without taking a ``max_concurrent`` slot; "hang" and the content faults go
through the normal (semaphore + latency) path.

``max_concurrent`` queues requests above the cap (a server that is just slow); ``in_flight_limit``
is a provider's concurrency limit instead: a chat request that finds that many in flight is
answered 429 at once (``rate_limited`` counts them; ``retry_after`` seconds, if given, go out as
``Retry-After`` and ``retry-after-ms``), and every answer carries ``x-ratelimit-limit-requests``
and ``x-ratelimit-remaining-requests`` (slots left when it was admitted) unless
``ratelimit_headers=False``. ``tokens_per_second`` adds the time to write the answer's completion
tokens to ``latency``; ``server_seconds`` sums that nominal service time of every answered chat
request (``_service_seconds`` in its record), the work a server of that many slots had to do.

``batch=BatchOptions(...)`` configures the Batch API (``fake_batch_api``), whose lines the same
responder answers, but which records them in ``batch_lines``, not ``requests``; ``clock`` gives
its timestamps; ``port`` fixes the port (``stop()`` + ``start()`` reuses the port either way, and
all files and batches stay: they live in this object).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import inspect
import json
import random
import struct
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Sequence
from typing import Any

from .fake_batch_api import BatchAPIMixin, BatchOptions, BatchPlan

__all__ = [
    "FakeOpenAI",
    "FakeHTTPError",
    "BatchOptions",
    "BatchPlan",
    "ALL_FAULTS",
    "DEFAULT_FAULTS",
    "DEFAULT_REPLY",
    "ENGLISH_REPLY",
    "REFUSAL_REPLY",
    "sample_from_schema",
]

DEFAULT_FAULTS: tuple[str, ...] = ("429", "500", "hang", "drop", "truncated_json", "empty", "fenced")
ALL_FAULTS: tuple[str, ...] = (
    "429", "500", "502", "503", "hang", "drop", "truncated_json",
    "empty", "fenced", "length", "english", "refusal",
)
DEFAULT_REPLY = "Dies ist ein kurzer deutscher Beispieltext über das gewünschte Thema."
ENGLISH_REPLY = "Here is the section you asked for. It covers the topic in detail."
REFUSAL_REPLY = "Es tut mir leid, aber dabei kann ich nicht helfen."

_REASONS = {
    200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
    413: "Payload Too Large", 429: "Too Many Requests", 500: "Internal Server Error",
    502: "Bad Gateway", 503: "Service Unavailable",
}
_ERROR_FAULTS = {
    "429": (429, "Rate limit reached for requests. Please try again in 10ms.", "requests", "rate_limit_exceeded"),
    "500": (500, "The server had an error while processing your request. Sorry about that!", "server_error", None),
    "502": (502, "Bad gateway.", "server_error", None),
    "503": (503, "The engine is currently overloaded, please try again later.", "server_error", None),
}
_MAX_BODY = 32 * 1024 * 1024


class FakeHTTPError(Exception):
    """Raise from a responder to make the server answer with an OpenAI-shaped error."""

    def __init__(self, status: int, message: str = "error", *, type: str = "invalid_request_error",
                 code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.code = status, message, type, code
        self.headers = headers or {}


def _error_body(message: str, type_: str, code: str | None = None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


def _solid_png(width: int, height: int, seed_text: str) -> bytes:
    """A real PNG (8-bit RGB, one colour picked by the text's hash), with the stdlib only."""
    r, g, b = hashlib.sha256(seed_text.encode("utf-8")).digest()[:3]
    row = b"\x00" + bytes((r, g, b)) * width  # filter byte 0, then the pixels

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height, 6))
            + chunk(b"IEND", b""))


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


def _message_text(messages: Any) -> str:
    parts: list[str] = []
    if isinstance(messages, list):
        for m in messages:
            content = m.get("content") if isinstance(m, dict) else None
            if isinstance(content, str):
                parts.append(content)
            elif isinstance(content, list):
                parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "\n".join(parts)


def sample_from_schema(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """Produce a small instance of a JSON schema (used by the default responder)."""
    root = schema if root is None else root
    if not isinstance(schema, dict) or depth > 12:
        return DEFAULT_REPLY
    if "$ref" in schema:
        ref = schema["$ref"]
        node: Any = root
        if isinstance(ref, str) and ref.startswith("#/"):
            for part in ref[2:].split("/"):
                node = node.get(part, {}) if isinstance(node, dict) else {}
        return sample_from_schema(node, root, depth + 1)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if schema.get(key):
            options = [s for s in schema[key] if not (isinstance(s, dict) and s.get("type") == "null")]
            return sample_from_schema((options or schema[key])[0], root, depth + 1)
    typ = schema.get("type")
    if isinstance(typ, list):
        typ = next((t for t in typ if t != "null"), "null")
    if typ == "object" or (typ is None and "properties" in schema):
        return {k: sample_from_schema(v, root, depth + 1) for k, v in (schema.get("properties") or {}).items()}
    if typ == "array":
        n = max(int(schema.get("minItems", 0) or 0), 2)
        if schema.get("maxItems") is not None:
            n = min(n, int(schema["maxItems"]))
        return [sample_from_schema(schema.get("items", {}), root, depth + 1) for _ in range(n)]
    if typ == "integer":
        return int(schema.get("minimum", 1))
    if typ == "number":
        return float(schema.get("minimum", 1.0))
    if typ == "boolean":
        return True
    if typ == "null":
        return None
    return DEFAULT_REPLY


def default_responder(body: dict) -> str:
    rf = body.get("response_format")
    if isinstance(rf, dict):
        if rf.get("type") == "json_schema":
            schema = (rf.get("json_schema") or {}).get("schema") or {}
            return json.dumps(sample_from_schema(schema), ensure_ascii=False)
        if rf.get("type") == "json_object":
            return json.dumps({"text": DEFAULT_REPLY}, ensure_ascii=False)
    return DEFAULT_REPLY


def _completion(body: dict, content: Any, fault: str | None) -> dict:
    """The ``chat.completion`` answering ``body`` with the responder's ``content``, after a content fault.
    A responder may say how its answer ended: ``{"content": ..., "finish_reason": ...}``."""
    finish = "stop"
    if isinstance(content, dict):
        finish = content.get("finish_reason") or "stop"
        content = content.get("content")
    content = "" if content is None else str(content)
    if fault == "empty":
        content = ""
    elif fault == "fenced":
        content = f"Hier ist der Abschnitt:\n```\n{content}\n```"
    elif fault == "length":
        content = content[: len(content) // 2]
        finish = "length"
    elif fault == "english":
        content = ENGLISH_REPLY
    elif fault == "refusal":
        content = REFUSAL_REPLY
    prompt_tokens = _tokens(_message_text(body.get("messages")))
    completion_tokens = _tokens(content)
    return {
        "id": f"chatcmpl-{uuid.uuid4().hex[:24]}", "object": "chat.completion", "created": int(time.time()),
        "model": body.get("model") or "fake-model",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": None},
                     "logprobs": None, "finish_reason": finish}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
        "system_fingerprint": "fp_fake",
    }


class _Drop(Exception):
    pass


class FakeOpenAI(BatchAPIMixin):
    """Fake OpenAI-compatible server; see module docstring."""

    def __init__(
        self,
        responder: Callable[[dict], str] | None = None,
        *,
        latency: float = 0.0,
        max_concurrent: int | None = None,
        fault_rate: float = 0.0,
        faults: Sequence[str] = DEFAULT_FAULTS,
        seed: int = 0,
        hang_seconds: float = 30.0,
        require_key: str | None = None,
        json_schema_supported: bool = True,
        faults_script: Sequence[str | None] | None = None,
        model_ids: Sequence[str] = ("fake-model",),
        batch: BatchOptions | None = None,
        clock: Callable[[], int] | None = None,
        port: int = 0,
        image_refuse_words: Sequence[str] = (),
        in_flight_limit: int | None = None,
        retry_after: float | None = None,
        ratelimit_headers: bool = True,
        tokens_per_second: float | None = None,
    ) -> None:
        for f in list(faults) + [f for f in (faults_script or []) if f is not None]:
            if f not in ALL_FAULTS:
                raise ValueError(f"unknown fault {f!r}; known: {ALL_FAULTS}")
        self.responder = responder or default_responder
        self.latency = latency
        self.max_concurrent = max_concurrent
        self.fault_rate = fault_rate
        self.faults = tuple(faults)
        self.hang_seconds = hang_seconds
        self.require_key = require_key
        self.json_schema_supported = json_schema_supported
        self.faults_script: list[str | None] = list(faults_script or [])
        self.model_ids = tuple(model_ids)
        self.image_refuse_words = tuple(w.lower() for w in image_refuse_words)
        self.in_flight_limit = in_flight_limit
        self.retry_after = retry_after
        self.ratelimit_headers = ratelimit_headers
        self.tokens_per_second = tokens_per_second
        self.rate_limited = 0
        self.server_seconds = 0.0
        self.image_requests: list[dict] = []
        self._rng = random.Random(seed)

        self.requests: list[dict] = []
        self.peak_concurrency = 0
        self.in_flight = 0
        self.fault_counts: dict[str, int] = {}
        self.url = ""
        self.host = "127.0.0.1"
        self.port = port
        self._init_batch_api(batch, seed, clock)

        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.AbstractServer | None = None
        self._sem: asyncio.Semaphore | None = None
        self._tasks: set[asyncio.Task] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._ready = threading.Event()
        self._startup_error: BaseException | None = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "FakeOpenAI":
        if self._thread is not None:
            raise RuntimeError("already started")
        self._ready.clear()
        self._thread = threading.Thread(target=self._run, name="FakeOpenAI", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("FakeOpenAI did not start")
        if self._startup_error is not None:
            self._thread.join(5)
            self._thread = None
            raise RuntimeError("FakeOpenAI failed to start") from self._startup_error
        return self

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            fut = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            fut.result(10)
        except Exception:
            pass
        try:
            loop.call_soon_threadsafe(loop.stop)
        except RuntimeError:
            pass
        thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def reset(self) -> None:
        """Forget recorded requests and counters (not the RNG state or script)."""
        with self._lock:
            self.requests.clear()
            self.peak_concurrency = 0
            self.fault_counts.clear()
            self.rate_limited = 0
            self.server_seconds = 0.0

    @property
    def completions(self) -> list[dict]:
        """Recorded requests that got a healthy (non-fault, 200) answer."""
        with self._lock:
            return [r for r in self.requests if r.get("_fault") is None and r.get("_status") == 200]

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._startup())
        except BaseException as e:  # pragma: no cover - port binding problems
            self._startup_error = e
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            try:
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for t in pending:
                    t.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    async def _startup(self) -> None:
        if self.max_concurrent is not None:
            self._sem = asyncio.Semaphore(self.max_concurrent)
        self._server = await asyncio.start_server(self._on_connection, self.host, self.port, backlog=2048)
        self.port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://{self.host}:{self.port}/v1"

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for w in list(self._writers):
            try:
                w.transport.abort()
            except Exception:
                pass
        tasks = [t for t in self._tasks if not t.done()]
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5)
        if self._server is not None:
            try:
                await asyncio.wait_for(self._server.wait_closed(), 2)
            except Exception:
                pass

    # ------------------------------------------------------------------ HTTP plumbing
    async def _on_connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.add(writer)
        try:
            while True:
                req = await self._read_request(reader)
                if req is None:
                    break
                method, path, query, headers, body = req
                try:
                    keep = await self._dispatch(method, path, query, headers, body, writer)
                except _Drop:
                    writer.transport.abort()
                    break
                if not keep or headers.get("connection", "").lower() == "close":
                    break
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except Exception:  # never let a handler bug kill the loop
            pass
        finally:
            self._tasks.discard(task)
            self._writers.discard(writer)
            try:
                writer.close()
            except Exception:
                pass

    async def _read_request(self, reader: asyncio.StreamReader):
        line = await reader.readline()
        while line in (b"\r\n", b"\n"):
            line = await reader.readline()
        if not line:
            return None
        try:
            method, target, _version = line.decode("latin-1").split(None, 2)
        except ValueError:
            return None
        headers: dict[str, str] = {}
        while True:
            h = await reader.readline()
            if not h or h in (b"\r\n", b"\n"):
                break
            k, _, v = h.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        body = b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size_line = await reader.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(await reader.readexactly(size))
                await reader.readline()
            body = b"".join(chunks)
        elif headers.get("content-length"):
            n = int(headers["content-length"])
            if n > max(_MAX_BODY, self.batch_options.max_file_bytes + 1024 * 1024):
                return None
            body = await reader.readexactly(n)
        path, _, query = target.partition("?")
        return method.upper(), path, query, headers, body

    async def _send(self, writer: asyncio.StreamWriter, status: int, payload: bytes | dict,
                    headers: dict[str, str] | None = None, content_type: str = "application/json") -> None:
        data = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        head = [f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}",
                f"Content-Type: {content_type}",
                f"Content-Length: {len(data)}",
                f"x-request-id: req_{uuid.uuid4().hex[:16]}"]
        for k, v in (headers or {}).items():
            head.append(f"{k}: {v}")
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + data)
        await writer.drain()

    # ------------------------------------------------------------------ request handling
    def _norm_path(self, path: str) -> str:
        path = path.rstrip("/") or "/"
        return path[3:] if path.startswith("/v1/") else path

    async def _dispatch(self, method: str, path: str, query: str, headers: dict[str, str], raw: bytes,
                        writer: asyncio.StreamWriter) -> bool:
        p = self._norm_path(path)
        if self.require_key is not None and headers.get("authorization", "") != f"Bearer {self.require_key}":
            await self._send(writer, 401, _error_body(
                "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
                "invalid_request_error", "invalid_api_key"))
            return True
        if p == "/models" or p.startswith("/models/"):
            if method != "GET":
                await self._send(writer, 405, _error_body("Method not allowed", "invalid_request_error"))
                return True
            now = int(time.time())
            models = [{"id": m, "object": "model", "created": now, "owned_by": "genpost-fake"} for m in self.model_ids]
            if p == "/models":
                await self._send(writer, 200, {"object": "list", "data": models})
            else:
                mid = p[len("/models/"):]
                await self._send(writer, 200, {"id": mid, "object": "model", "created": now, "owned_by": "genpost-fake"})
            return True
        if await self._dispatch_batch_api(method, p, query, headers, raw, writer):
            return True
        if p == "/images/generations":
            return await self._images(method, raw, writer)
        if p != "/chat/completions":
            await self._send(writer, 404, _error_body(f"Invalid URL ({method} {path})", "invalid_request_error"))
            return True
        if method != "POST":
            await self._send(writer, 405, _error_body("Method not allowed", "invalid_request_error"))
            return True
        try:
            body = json.loads(raw.decode("utf-8"))
            if not isinstance(body, dict):
                raise ValueError("body is not an object")
        except Exception as e:
            await self._send(writer, 400, _error_body(f"We could not parse the JSON body of your request. ({e})",
                                                      "invalid_request_error"))
            return True
        record = dict(body)
        record["_fault"] = None
        record["_status"] = None
        with self._lock:
            self.requests.append(record)

        rf = body.get("response_format")
        if (not self.json_schema_supported and isinstance(rf, dict) and rf.get("type") == "json_schema"):
            record["_status"] = 400
            await self._send(writer, 400, _error_body(
                "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
                "invalid_request_error", None, "response_format"))
            return True
        if not isinstance(body.get("messages"), list):
            record["_status"] = 400
            await self._send(writer, 400, _error_body("Missing required parameter: 'messages'.",
                                                      "invalid_request_error", "missing_required_parameter",
                                                      "messages"))
            return True

        fault = self._next_fault()
        record["_fault"] = fault
        if fault is not None:
            with self._lock:
                self.fault_counts[fault] = self.fault_counts.get(fault, 0) + 1

        if fault in _ERROR_FAULTS:
            status, msg, typ, code = _ERROR_FAULTS[fault]
            extra = {"Retry-After": "0", "retry-after-ms": "10"} if fault == "429" else {}
            record["_status"] = status
            await self._send(writer, status, _error_body(msg, typ, code), extra)
            return True
        if fault == "drop":
            raise _Drop()

        if self._sem is not None:
            async with self._sem:
                return await self._complete(body, record, fault, writer)
        return await self._complete(body, record, fault, writer)

    async def _images(self, method: str, raw: bytes, writer: asyncio.StreamWriter) -> bool:
        if method != "POST":
            await self._send(writer, 405, _error_body("Method not allowed", "invalid_request_error"))
            return True
        try:
            body = json.loads(raw.decode("utf-8"))
            prompt = body["prompt"]
            width, height = (int(v) for v in str(body.get("size") or "1024x1024").replace("auto", "1024x1024").split("x"))
            if not isinstance(prompt, str) or not (0 < width <= 4096 and 0 < height <= 4096):
                raise ValueError("bad prompt or size")
        except Exception as e:
            await self._send(writer, 400, _error_body(f"Invalid image request ({e})", "invalid_request_error"))
            return True
        record = dict(body, _fault=None, _status=None)
        with self._lock:
            self.image_requests.append(record)
        model = str(body.get("model") or "gpt-image-1")
        dalle = model.startswith("dall-e")
        if any(w in prompt.lower() for w in self.image_refuse_words):
            record["_status"] = 400
            if dalle:
                error = _error_body("Your request was rejected as a result of our safety system. Your prompt may "
                                    "contain text that is not allowed by our safety system.",
                                    "invalid_request_error", "content_policy_violation")
            else:
                error = _error_body("Your request was rejected by the safety system. If you believe this is an error, "
                                    "contact us and include the request ID req_fake.",
                                    "image_generation_user_error", "moderation_blocked")
            await self._send(writer, 400, error)
            return True
        fault = self._next_fault()
        record["_fault"] = fault
        if fault in _ERROR_FAULTS:
            status, msg, typ, code = _ERROR_FAULTS[fault]
            record["_status"] = status
            await self._send(writer, status, _error_body(msg, typ, code),
                             {"Retry-After": "0", "retry-after-ms": "10"} if fault == "429" else {})
            return True
        if fault == "drop":
            raise _Drop()
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        png = _solid_png(width, height, prompt)
        item: dict[str, Any] = {"revised_prompt": prompt if dalle else None}
        if dalle and body.get("response_format") != "b64_json":
            item["url"] = f"https://images.invalid/{uuid.uuid4().hex}.png"
        else:
            item["b64_json"] = base64.b64encode(png).decode("ascii")
        payload: dict[str, Any] = {"created": int(time.time()), "data": [item]}
        if not dalle:
            payload.update({"background": "opaque", "output_format": "png", "size": f"{width}x{height}",
                            "quality": body.get("quality") if body.get("quality") in ("low", "medium", "high") else "high",
                            "usage": {"input_tokens": _tokens(prompt), "output_tokens": 1056,
                                      "total_tokens": _tokens(prompt) + 1056,
                                      "input_tokens_details": {"text_tokens": _tokens(prompt), "image_tokens": 0}}})
        record["_status"] = 200
        await self._send(writer, 200, payload)
        return True

    def _next_fault(self) -> str | None:
        with self._lock:
            if self.faults_script:
                return self.faults_script.pop(0)
            if self.fault_rate > 0 and self.faults and self._rng.random() < self.fault_rate:
                return self._rng.choice(self.faults)
        return None

    def _over_limit_headers(self) -> dict[str, str]:
        headers: dict[str, str] = {}
        if self.retry_after is not None:
            headers = {"Retry-After": f"{self.retry_after:g}", "retry-after-ms": f"{self.retry_after * 1000:.0f}"}
        if self.ratelimit_headers:
            headers.update({"x-ratelimit-limit-requests": str(self.in_flight_limit),
                            "x-ratelimit-remaining-requests": "0"})
        return headers

    async def _complete(self, body: dict, record: dict, fault: str | None, writer: asyncio.StreamWriter) -> bool:
        limit = self.in_flight_limit
        with self._lock:  # admission and the count in one step: nothing runs in between
            over = limit is not None and self.in_flight >= limit
            if over:
                self.rate_limited += 1
            else:
                self.in_flight += 1
                self.peak_concurrency = max(self.peak_concurrency, self.in_flight)
            remaining = None if limit is None else max(limit - self.in_flight, 0)
        if over:
            record["_status"] = 429
            record["_rate_limited"] = True
            await self._send(writer, 429, _error_body("Rate limit reached for requests: too many requests in "
                                                      "flight.", "requests", "rate_limit_exceeded"),
                             self._over_limit_headers())
            return True
        headers = ({"x-ratelimit-limit-requests": str(limit), "x-ratelimit-remaining-requests": str(remaining)}
                   if limit is not None and self.ratelimit_headers else {})
        try:
            if self.latency > 0:
                await asyncio.sleep(self.latency)
            if fault == "hang":
                await asyncio.sleep(self.hang_seconds)
            try:
                content = self.responder(body)
                if inspect.isawaitable(content):
                    content = await content
            except FakeHTTPError as e:
                record["_status"] = e.status
                await self._send(writer, e.status, _error_body(e.message, e.type, e.code), e.headers)
                return True
            except Exception as e:
                record["_status"] = 500
                await self._send(writer, 500, _error_body(f"responder failed: {type(e).__name__}: {e}",
                                                          "server_error"))
                return True
            payload = _completion(body, content, fault)
            writing = payload["usage"]["completion_tokens"] / self.tokens_per_second if self.tokens_per_second else 0.0
            if writing > 0:
                await asyncio.sleep(writing)
            record["_status"] = 200
            record["_completion_tokens"] = payload["usage"]["completion_tokens"]  # billed, delivered or not
            record["_service_seconds"] = self.latency + writing
            with self._lock:
                self.server_seconds += self.latency + writing
            if body.get("stream"):
                choice = payload["choices"][0]
                await self._send_stream(writer, payload["id"], payload["created"], payload["model"],
                                        choice["message"]["content"], choice["finish_reason"], payload["usage"],
                                        body, fault)
                return False
            if fault == "truncated_json":
                data = json.dumps(payload, ensure_ascii=False).encode()
                await self._send(writer, 200, data[: len(data) // 2])
                return True
            await self._send(writer, 200, payload, headers)
            return True
        finally:
            with self._lock:
                self.in_flight -= 1

    async def _answer_batch_body(self, body: dict, fault: str | None) -> tuple[int, dict]:
        """One batch line answered as a live call would be: (HTTP status, JSON body).  No latency,
        no concurrency slot, not recorded in ``requests``: the batch API keeps its own records."""
        rf = body.get("response_format")
        if not self.json_schema_supported and isinstance(rf, dict) and rf.get("type") == "json_schema":
            return 400, _error_body("Invalid parameter: 'response_format' of type 'json_schema' is not supported "
                                    "with this model.", "invalid_request_error", None, "response_format")
        if not isinstance(body.get("messages"), list):
            return 400, _error_body("Missing required parameter: 'messages'.", "invalid_request_error",
                                    "missing_required_parameter", "messages")
        if fault in _ERROR_FAULTS:
            status, msg, typ, code = _ERROR_FAULTS[fault]
            return status, _error_body(msg, typ, code)
        try:
            content = self.responder(body)
            if inspect.isawaitable(content):
                content = await content
        except FakeHTTPError as e:
            return e.status, _error_body(e.message, e.type, e.code)
        except Exception as e:
            return 500, _error_body(f"responder failed: {type(e).__name__}: {e}", "server_error")
        return 200, _completion(body, content, fault)

    async def _send_stream(self, writer, cid, created, model, content, finish, usage, body, fault) -> None:
        head = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
                "Connection: close\r\n\r\n")
        writer.write(head.encode())

        def chunk(delta: dict, fr: str | None, with_usage: bool = False) -> bytes:
            obj: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": model,
                                   "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": fr}]}
            if with_usage:
                obj["choices"] = []
                obj["usage"] = usage
            return f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode()

        writer.write(chunk({"role": "assistant", "content": ""}, None))
        step = max(1, len(content) // 4)
        for i in range(0, len(content), step):
            writer.write(chunk({"content": content[i:i + step]}, None))
            await writer.drain()
            if fault == "truncated_json" and i >= len(content) // 2:
                writer.write(b"data: {\"id\": \"" + cid.encode())
                await writer.drain()
                return
        writer.write(chunk({}, finish))
        if (body.get("stream_options") or {}).get("include_usage"):
            writer.write(chunk({}, None, with_usage=True))
        writer.write(b"data: [DONE]\n\n")
        await writer.drain()
