"""The Files and Batches endpoints of the fake OpenAI server: the OpenAI Batch API, stdlib only.

Shapes follow OpenAI's OpenAPI spec (``BatchRequestInput`` / ``BatchRequestOutput`` / ``Batch``),
the Batch guide, Azure's batch docs and behaviour reported in public issues.  This
module is a mixin of ``FakeOpenAI``: the state lives in the server object, so a client process that
is killed and restarted talks to the same files and batches as long as the fake keeps running
(``stop()`` + ``start()`` keeps it, and the port: the URL stays the same).

Endpoints (``/v1`` prefix optional): ``POST /files`` (multipart), ``GET /files``, ``GET /files/{id}``,
``GET /files/{id}/content``, ``DELETE /files/{id}``, ``POST /batches``, ``GET /batches``,
``GET /batches/{id}``, ``POST /batches/{id}/cancel``.

Life of a batch, no clock involved: ``POST /batches`` answers ``validating``; with
``auto_advance`` every ``polls_per_state``-th ``GET /batches/{id}`` moves it one state before
answering (validating -> in_progress -> finalizing -> completed), or the test drives it with
``advance_batches()`` / ``finish_batches()``.  The lines are answered (the chat responder runs, the
line is counted) when the batch leaves ``in_progress``.  A ``BatchPlan`` (from ``batch_script`` in
creation order, or ``plan_batch(id, ...)``) makes a batch end ``failed`` (at validation),
``expired`` or ``cancelled`` (some lines finished, the rest in the error file with
``batch_expired`` / ``batch_cancelled``, or absent), and can fault single lines.

Per-line faults (``BATCH_LINE_FAULTS``), by plan, by ``line_faults_script`` (one entry per line
answered, all batches) or by ``line_fault_rate`` drawn with a seeded RNG:

``"429"``, ``"500"``, ``"503"``  error-file line ``response: {status_code, request_id, body: {error}}``
``"429_in_output"``, ``"500_in_output"``  the same line, but in the output file
``"timeout"``  error-file line ``response: null, error: {code: "request_timeout"}``
``"status0"``  error-file line ``{status_code: 0, request_id: "", body: {}}``, counted completed
``"missing"``  the line is in neither file (counted completed)
``"truncated_line"``  a 200 line cut in half in the output file (invalid JSON)
``"empty"``, ``"fenced"``, ``"length"``, ``"english"``, ``"refusal"``  content faults, as live

Counters: ``batch_lines`` (one record per line answered), ``paid_counts()``, ``batches_created``,
``batch_api_calls``.  A line is *paid* when it is answered with status 200 (OpenAI bills finished
lines, also those of expired and cancelled batches).
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qs

__all__ = ["BatchOptions", "BatchPlan", "BATCH_LINE_FAULTS", "DEFAULT_BATCH_LINE_FAULTS", "BATCH_ENDS"]

BATCH_LINE_FAULTS: tuple[str, ...] = (
    "429", "500", "503", "429_in_output", "500_in_output", "timeout", "status0", "missing",
    "truncated_line", "empty", "fenced", "length", "english", "refusal",
)
DEFAULT_BATCH_LINE_FAULTS: tuple[str, ...] = ("429", "500")
BATCH_ENDS: tuple[str, ...] = ("completed", "failed", "expired", "cancelled")
API_FAULTS: tuple[str, ...] = ("429", "500", "502", "503", "drop")

# the live fault that answers a line with this batch fault (the rest change the line, not the answer)
_LIVE_FAULT = {"429": "429", "500": "500", "503": "503", "429_in_output": "429", "500_in_output": "500",
               "empty": "empty", "fenced": "fenced", "length": "length", "english": "english", "refusal": "refusal"}
_TERMINAL = {"completed", "failed", "expired", "cancelled"}
_ENDPOINTS = {"/v1/chat/completions", "/chat/completions"}  # the second is Azure's spelling
_BATCH_FILE_TTL = 30 * 24 * 3600  # OpenAI: batch files expire after 30 days by default
_EXPIRED = ("batch_expired", "This request could not be executed before the completion window expired.")
_CANCELLED = ("batch_cancelled", "This request was not executed because the batch was cancelled.")


@dataclass
class BatchPlan:
    """How one batch ends.

    ``end``: one of ``BATCH_ENDS``.  ``finished``: lines answered before an early end (expired or
    cancelled): an int count or a float fraction of the lines; None uses
    ``BatchOptions.partial_fraction``.  ``line_faults``: a fault (or None) per input line, in input
    order; overrides the global line faults for this batch.  ``error_code`` / ``error_message``:
    the ``errors.data`` entry of a failed batch.  ``polls_per_state`` overrides the option.
    """

    end: str = "completed"
    finished: int | float | None = None
    line_faults: Sequence[str | None] | None = None
    error_code: str = "invalid_request"
    error_message: str = "The batch failed validation."
    polls_per_state: int | None = None

    def __post_init__(self) -> None:
        if self.end not in BATCH_ENDS:
            raise ValueError(f"unknown batch end {self.end!r}; known: {BATCH_ENDS}")
        _check_line_faults(self.line_faults or [])


@dataclass
class BatchOptions:
    """Options of the fake Batch API (``FakeOpenAI(batch=BatchOptions(...))``); may be changed live."""

    auto_advance: bool = True            # a retrieve moves the batch (see polls_per_state)
    polls_per_state: int = 1             # retrieves per state change
    script: list[BatchPlan | str | None] = field(default_factory=list)  # one plan per created batch
    # a plan chosen by the create request (its metadata, endpoint); None falls back to the script
    plan_for: Callable[[dict], BatchPlan | str | None] | None = None
    partial_fraction: float = 0.5        # lines finished before an early end, when the plan says None
    line_fault_rate: float = 0.0
    line_faults: Sequence[str] = DEFAULT_BATCH_LINE_FAULTS
    line_faults_script: list[str | None] = field(default_factory=list)
    shuffle_output: bool = True          # OpenAI and Azure do not keep input order
    unfinished_to_error_file: bool = True  # expired/cancelled leftovers: error file (True) or absent
    empty_error_file: bool = False       # Azure: a clean batch still has a zero-byte error file
    missing_file_id: str | None = None   # what output/error_file_id is when there is no file ("" seen too)
    max_requests: int = 50_000
    max_file_bytes: int = 200 * 1024 * 1024
    api_faults_script: list[str | None] = field(default_factory=list)  # per Files/Batches call

    def __post_init__(self) -> None:
        _check_line_faults(list(self.line_faults) + list(self.line_faults_script))
        for f in self.api_faults_script:
            if f is not None and f not in API_FAULTS:
                raise ValueError(f"unknown API fault {f!r}; known: {API_FAULTS}")
        self.script = [_plan(p) for p in self.script]


def _check_line_faults(faults: Sequence[str | None]) -> None:
    for f in faults:
        if f is not None and f not in BATCH_LINE_FAULTS:
            raise ValueError(f"unknown batch line fault {f!r}; known: {BATCH_LINE_FAULTS}")


def _plan(p: BatchPlan | str | None) -> BatchPlan | None:
    return BatchPlan(end=p) if isinstance(p, str) else p


def _hex(n: int = 24) -> str:
    return uuid.uuid4().hex[:n]


def _err(message: str, type_: str = "invalid_request_error", param: str | None = None,
         code: str | None = None) -> dict:
    return {"error": {"message": message, "type": type_, "param": param, "code": code}}


class _ApiError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.param, self.code = status, message, param, code


@dataclass
class _Batch:
    obj: dict
    plan: BatchPlan
    lines: list[dict] = field(default_factory=list)
    polls: int = 0
    cancelled_from: str | None = None  # the state the batch was in when cancel was asked
    file_ids: dict = field(default_factory=dict)  # output/error file ids, shown once the batch ends


class BatchAPIMixin:
    """Files + Batches for ``FakeOpenAI``.  The host provides ``_send``, ``_lock``, ``_loop``, and
    ``_answer_batch_body(body, fault) -> (status, body)`` (answers one line like a live call)."""

    batch_options: BatchOptions
    _lock: Any  # the host's threading.Lock

    def _init_batch_api(self, options: BatchOptions | None, seed: int, clock: Callable[[], int] | None) -> None:
        self.batch_options = options or BatchOptions()
        self.clock: Callable[[], int] = clock or (lambda: int(time.time()))
        self._batch_rng = random.Random(f"batch-{seed}")  # apart from the live faults' RNG
        self.files: dict[str, dict] = {}
        self._file_data: dict[str, bytes] = {}
        self.batches: dict[str, _Batch] = {}
        self.batch_lines: list[dict] = []
        self.batch_api_calls: list[tuple[str, str, int | None]] = []
        self._batch_lock: asyncio.Lock | None = None

    # ------------------------------------------------------------------ public control (any thread)
    @property
    def batch_script(self) -> list[BatchPlan | str | None]:
        """Plans for the next created batches, consumed in creation order (append to it live)."""
        return self.batch_options.script

    @property
    def batches_created(self) -> list[str]:
        return list(self.batches)

    def batch(self, batch_id: str) -> dict:
        """A copy of the batch object as the API would show it now (without advancing it)."""
        return json.loads(json.dumps(self.batches[batch_id].obj))

    def file_content(self, file_id: str) -> bytes:
        return self._file_data[file_id]

    def paid_counts(self, key: str | Callable[[dict], Any] = "custom_id") -> Counter:
        """How often each line was paid (answered 200), by ``custom_id``, ``"messages"`` (the
        request's messages) or a function of the line record.  Any count > 1 was paid twice."""
        if key == "messages":
            def fn(r: dict) -> Any:
                return json.dumps(r["body"].get("messages"), sort_keys=True, ensure_ascii=False)
        elif isinstance(key, str):
            def fn(r: dict) -> Any:
                return r[key]
        else:
            fn = key
        with self._lock:
            records = list(self.batch_lines)
        return Counter(fn(r) for r in records if r["paid"])

    def plan_batch(self, batch_id: str, plan: BatchPlan | str) -> None:
        """Replace the plan of an existing batch (before it leaves in_progress)."""
        self.batches[batch_id].plan = _plan(plan) or BatchPlan()

    def advance_batches(self, batch_id: str | None = None, steps: int = 1) -> dict[str, str]:
        """Move the given batch (default: every unfinished one) ``steps`` states on; returns status by id."""
        return self._run_on_loop(self._advance(batch_id, steps))

    def finish_batches(self, batch_id: str | None = None) -> dict[str, str]:
        """Advance until terminal (completed, failed, expired or cancelled)."""
        return self._run_on_loop(self._advance(batch_id, None))

    def expire_batch(self, batch_id: str, finished: int | float | None = None) -> dict:
        """The 24 h window closes now: ``finished`` lines get answered, the rest do not."""
        async def go() -> dict:
            async with self._batch_guard():
                b = self.batches[batch_id]
                b.plan.end, b.plan.finished = "expired", finished
                while b.obj["status"] not in _TERMINAL:
                    await self._step(b)
                return self.batch(batch_id)
        return self._run_on_loop(go())

    def fail_batch(self, batch_id: str, code: str = "invalid_request",
                   message: str = "The batch failed validation.") -> dict:
        async def go() -> dict:
            async with self._batch_guard():
                self._fail(self.batches[batch_id], [{"code": code, "message": message, "param": None, "line": None}])
                return self.batch(batch_id)
        return self._run_on_loop(go())

    def cancel_batch(self, batch_id: str) -> dict:
        """What ``POST /batches/{id}/cancel`` does, from the test."""
        async def go() -> dict:
            async with self._batch_guard():
                self._cancel(self.batches[batch_id])
                return self.batch(batch_id)
        return self._run_on_loop(go())

    def _run_on_loop(self, coro):
        loop = getattr(self, "_loop", None)
        if loop is None or not loop.is_running():
            return asyncio.run(coro)  # server stopped: the state is still here
        return asyncio.run_coroutine_threadsafe(coro, loop).result(60)

    def _batch_guard(self) -> asyncio.Lock:
        # one lock per event loop: the server may be stopped and started again
        loop = asyncio.get_running_loop()
        if self._batch_lock is None or getattr(self._batch_lock, "_fake_loop", None) is not loop:
            self._batch_lock = asyncio.Lock()
            self._batch_lock._fake_loop = loop  # type: ignore[attr-defined]
        return self._batch_lock

    # ------------------------------------------------------------------ HTTP
    async def _dispatch_batch_api(self, method: str, p: str, query: str, headers: dict[str, str], raw: bytes,
                                  writer: asyncio.StreamWriter) -> bool:
        """Answer a Files/Batches request; False if ``p`` is not one of their paths."""
        parts = p.strip("/").split("/")
        if parts[0] not in ("files", "batches"):
            return False
        opts = self.batch_options
        fault = opts.api_faults_script.pop(0) if opts.api_faults_script else None
        if fault == "drop":
            self.batch_api_calls.append((method, p, None))
            writer.transport.abort()
            return True
        if fault is not None:
            status = int(fault)
            self.batch_api_calls.append((method, p, status))
            msg = "Rate limit reached." if status == 429 else "The server had an error processing your request."
            await self._send(writer, status, _err(msg, "requests" if status == 429 else "server_error"),
                             {"Retry-After": "0", "retry-after-ms": "10"} if status == 429 else None)
            return True
        q = {k: v[-1] for k, v in parse_qs(query).items()}
        try:
            status, payload, ctype = await self._route(method, parts, q, headers, raw)
        except _ApiError as e:
            status, payload, ctype = e.status, _err(e.message, param=e.param, code=e.code), "application/json"
        self.batch_api_calls.append((method, p, status))
        await self._send(writer, status, payload, content_type=ctype)
        return True

    async def _route(self, method: str, parts: list[str], q: dict[str, str], headers: dict[str, str],
                     raw: bytes) -> tuple[int, Any, str]:
        js = "application/json"
        if parts[0] == "files":
            if len(parts) == 1 and method == "POST":
                return 200, self._upload(headers.get("content-type", ""), raw), js
            if len(parts) == 1 and method == "GET":
                files = [f for f in self.files.values() if not q.get("purpose") or f["purpose"] == q["purpose"]]
                if q.get("order", "desc") == "desc":  # dicts keep creation order, finer than created_at
                    files.reverse()
                return 200, _page(files, q, 10_000), js
            fid = parts[1]
            if fid not in self.files:
                raise _ApiError(404, f"No such File object: {fid}", "id")
            if len(parts) == 2 and method == "GET":
                return 200, self.files[fid], js
            if len(parts) == 2 and method == "DELETE":
                del self.files[fid]
                self._file_data.pop(fid, None)
                return 200, {"id": fid, "object": "file", "deleted": True}, js
            if len(parts) == 3 and parts[2] == "content" and method == "GET":
                return 200, self._file_data[fid], "application/octet-stream"
            raise _ApiError(405 if len(parts) <= 3 else 404, f"Invalid URL ({method} /v1/{'/'.join(parts)})")
        # batches
        if len(parts) == 1 and method == "POST":
            return 200, await self._create_batch(raw), js
        if len(parts) == 1 and method == "GET":
            batches = [b.obj for b in reversed(self.batches.values())]  # newest first
            return 200, _page(batches, q, 20), js
        bid = parts[1]
        if bid not in self.batches:
            raise _ApiError(404, f"No batch found with id '{bid}'.", "batch_id")
        b = self.batches[bid]
        async with self._batch_guard():
            if len(parts) == 2 and method == "GET":
                poll_limit = b.plan.polls_per_state or self.batch_options.polls_per_state
                if self.batch_options.auto_advance and b.obj["status"] not in _TERMINAL:
                    b.polls += 1
                    if b.polls >= poll_limit:
                        b.polls = 0
                        await self._step(b)
                return 200, self.batch(bid), js
            if len(parts) == 3 and parts[2] == "cancel" and method == "POST":
                self._cancel(b)
                return 200, self.batch(bid), js
        raise _ApiError(405 if len(parts) <= 3 else 404, f"Invalid URL ({method} /v1/{'/'.join(parts)})")

    # ------------------------------------------------------------------ files
    def _upload(self, content_type: str, raw: bytes) -> dict:
        if not content_type.lower().startswith("multipart/form-data"):
            raise _ApiError(400, "Expected a multipart/form-data body.")
        msg = BytesParser(policy=policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
        fields: dict[str, str] = {}
        filename, data = None, None
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if name == "file":
                filename, data = part.get_filename() or "upload", part.get_payload(decode=True) or b""
            elif name:
                fields[name] = (part.get_payload(decode=True) or b"").decode("utf-8")
        if data is None:
            raise _ApiError(400, "Missing required parameter: 'file'.", "file", "missing_required_parameter")
        purpose = fields.get("purpose")
        if not purpose:
            raise _ApiError(400, "Missing required parameter: 'purpose'.", "purpose", "missing_required_parameter")
        if purpose == "batch":
            if not filename.endswith(".jsonl"):
                raise _ApiError(400, "Invalid file format for Batch API. Must be .jsonl", "file")
            if len(data) > self.batch_options.max_file_bytes:
                raise _ApiError(400, f"File is too large for the Batch API: {len(data)} bytes, "
                                f"the limit is {self.batch_options.max_file_bytes}.", "file")
        now = self.clock()
        ttl = int(fields["expires_after[seconds]"]) if "expires_after[seconds]" in fields else (
            _BATCH_FILE_TTL if purpose == "batch" else None)
        return self._store_file(filename, purpose, data, now, ttl)

    def _store_file(self, filename: str, purpose: str, data: bytes, now: int, ttl: int | None) -> dict:
        fid = f"file-{_hex()}"
        self.files[fid] = {"id": fid, "object": "file", "bytes": len(data), "created_at": now,
                           "expires_at": now + ttl if ttl else None, "filename": filename, "purpose": purpose,
                           "status": "processed", "status_details": None}
        self._file_data[fid] = data
        return self.files[fid]

    # ------------------------------------------------------------------ batches: create and step
    async def _create_batch(self, raw: bytes) -> dict:
        try:
            req = json.loads(raw.decode("utf-8"))
            assert isinstance(req, dict)
        except Exception:
            raise _ApiError(400, "We could not parse the JSON body of your request.") from None
        for name in ("input_file_id", "endpoint", "completion_window"):
            if not req.get(name):
                raise _ApiError(400, f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
        if req["completion_window"] != "24h":
            raise _ApiError(400, f"Invalid value for 'completion_window': '{req['completion_window']}'. "
                            "Supported values are: '24h'.", "completion_window", "invalid_value")
        if req["endpoint"] not in _ENDPOINTS:
            raise _ApiError(400, f"Invalid value for 'endpoint': '{req['endpoint']}'. This fake serves "
                            "'/v1/chat/completions'.", "endpoint", "invalid_value")
        fid = req["input_file_id"]
        if fid not in self.files:
            raise _ApiError(400, f"Invalid 'input_file_id': '{fid}'. File does not exist.", "input_file_id")
        if self.files[fid]["purpose"] != "batch":
            raise _ApiError(400, f"Invalid 'input_file_id': '{fid}'. The file must be uploaded with purpose "
                            "'batch'.", "input_file_id")
        meta = req.get("metadata")
        if meta is not None and (not isinstance(meta, dict) or len(meta) > 16 or any(
                len(str(k)) > 64 or not isinstance(v, str) or len(v) > 512 for k, v in meta.items())):
            raise _ApiError(400, "Invalid 'metadata': at most 16 pairs, keys up to 64 and string values up to "
                            "512 characters.", "metadata")
        opts = self.batch_options
        plan = _plan(opts.plan_for(req)) if opts.plan_for is not None else None
        if plan is None:
            plan = (_plan(opts.script.pop(0)) if opts.script else None) or BatchPlan()
        now = self.clock()
        bid = f"batch_{_hex(32)}"
        obj = {"id": bid, "object": "batch", "endpoint": req["endpoint"], "errors": None, "input_file_id": fid,
               "completion_window": "24h", "status": "validating", "output_file_id": None, "error_file_id": None,
               "created_at": now, "in_progress_at": None, "expires_at": now + 24 * 3600, "finalizing_at": None,
               "completed_at": None, "failed_at": None, "expired_at": None, "cancelling_at": None,
               "cancelled_at": None, "request_counts": {"total": 0, "completed": 0, "failed": 0},
               "metadata": meta, "model": None, "usage": None}
        self.batches[bid] = _Batch(obj=obj, plan=plan)
        return json.loads(json.dumps(obj))

    async def _advance(self, batch_id: str | None, steps: int | None) -> dict[str, str]:
        async with self._batch_guard():
            targets = [self.batches[batch_id]] if batch_id else list(self.batches.values())
            for b in targets:
                n = 0
                while b.obj["status"] not in _TERMINAL and (steps is None or n < steps):
                    await self._step(b)
                    n += 1
            return {b.obj["id"]: b.obj["status"] for b in targets}

    async def _step(self, b: _Batch) -> None:
        o, now = b.obj, self.clock()
        status = o["status"]
        if status == "validating":
            errors = self._validate(b)
            if errors or b.plan.end == "failed":
                self._fail(b, errors or [{"code": b.plan.error_code, "message": b.plan.error_message,
                                          "param": None, "line": None}])
                return
            o.update(status="in_progress", in_progress_at=now,
                     request_counts={"total": len(b.lines), "completed": 0, "failed": 0},
                     model=b.lines[0]["body"].get("model"))
            if b.plan.end == "cancelled":  # cancelled by someone else (e.g. in the dashboard)
                self._cancel(b)
        elif status == "in_progress":
            if b.plan.end == "expired":
                await self._finish(b, self._finished_indices(b), _EXPIRED)
                o.update(status="expired", expired_at=now, **b.file_ids)
            else:
                await self._finish(b, list(range(len(b.lines))), None)
                o.update(status="finalizing", finalizing_at=now)
        elif status == "finalizing":
            o.update(status="completed", completed_at=now, **b.file_ids)
        elif status == "cancelling":
            done = self._finished_indices(b) if b.cancelled_from == "in_progress" else []
            await self._finish(b, done, _CANCELLED)
            o.update(status="cancelled", cancelled_at=now, **b.file_ids)

    def _finished_indices(self, b: _Batch) -> list[int]:
        n = len(b.lines)
        f = b.plan.finished if b.plan.finished is not None else self.batch_options.partial_fraction
        k = min(n, f if isinstance(f, int) else math.floor(n * f))
        return sorted(self._batch_rng.sample(range(n), k))

    def _cancel(self, b: _Batch) -> None:
        o = b.obj
        if o["status"] == "cancelling":
            return
        if o["status"] not in ("validating", "in_progress"):
            raise _ApiError(400, f"Cannot cancel a batch with status '{o['status']}'.")
        if o["status"] == "validating":  # nothing ran yet; the lines are still reported
            self._validate(b)
            o["request_counts"] = {"total": len(b.lines), "completed": 0, "failed": 0}
        b.cancelled_from = o["status"]
        o.update(status="cancelling", cancelling_at=self.clock())

    def _fail(self, b: _Batch, errors: list[dict]) -> None:
        b.obj.update(status="failed", failed_at=self.clock(), errors={"object": "list", "data": errors})

    def _validate(self, b: _Batch) -> list[dict]:
        """Parse the input file into ``b.lines``; the errors that fail the batch (OpenAI reports them
        in ``errors.data`` of a ``failed`` batch, not as an HTTP error at create time)."""
        raw = self._file_data.get(b.obj["input_file_id"], b"")
        errors: list[dict] = []
        lines: list[dict] = []
        seen: set[str] = set()
        endpoint = b.obj["endpoint"].removeprefix("/v1")

        def bad(code: str, message: str, line: int | None, param: str | None = None) -> None:
            errors.append({"code": code, "message": message, "param": param, "line": line})

        for no, text in enumerate(raw.decode("utf-8", errors="replace").splitlines(), start=1):
            if not text.strip():
                continue
            try:
                line = json.loads(text)
                assert isinstance(line, dict)
            except Exception:
                bad("invalid_json_line", "This line is not parseable as valid JSON.", no)
                continue
            for name in ("custom_id", "method", "url", "body"):
                if name not in line:
                    bad("invalid_request", f"Missing required parameter: '{name}'.", no, name)
                    break
            else:
                if not isinstance(line["body"], dict):
                    bad("invalid_request", "'body' must be an object.", no, "body")
                elif line["method"] != "POST":
                    bad("invalid_request", "Only 'POST' is supported for 'method'.", no, "method")
                elif str(line["url"]).removeprefix("/v1") != endpoint:
                    bad("url_mismatch", f"The URL '{line['url']}' does not match the batch endpoint "
                        f"'{b.obj['endpoint']}'.", no, "url")
                elif line["custom_id"] in seen:
                    bad("duplicate_custom_id", f"The custom_id '{line['custom_id']}' appears more than once.",
                        no, "custom_id")
                elif lines and line["body"].get("model") != lines[0]["body"].get("model"):
                    bad("model_mismatch", "All requests in a batch must use the same model.", no, "body.model")
                else:
                    seen.add(line["custom_id"])
                    lines.append({"custom_id": line["custom_id"], "body": line["body"], "line": no})
        if not lines and not errors:
            bad("empty_file", "The input file is empty. Please ensure that the batch contains at least one "
                "request.", None)
        if len(lines) > self.batch_options.max_requests:
            bad("too_many_tasks", f"The batch has {len(lines)} requests; the limit is "
                f"{self.batch_options.max_requests}.", None)
        b.lines = lines
        return errors

    # ------------------------------------------------------------------ answering lines
    def _line_fault(self, b: _Batch, index: int) -> str | None:
        opts = self.batch_options
        if b.plan.line_faults is not None:
            return b.plan.line_faults[index] if index < len(b.plan.line_faults) else None
        if opts.line_faults_script:
            return opts.line_faults_script.pop(0)
        if opts.line_fault_rate > 0 and opts.line_faults and self._batch_rng.random() < opts.line_fault_rate:
            return self._batch_rng.choice(list(opts.line_faults))
        return None

    async def _finish(self, b: _Batch, indices: list[int], leftover: tuple[str, str] | None) -> None:
        """Answer the lines at ``indices``, write the output and error files and the counts."""
        out: list[str] = []
        err: list[str] = []
        completed = failed = 0
        usage = {"input_tokens": 0, "output_tokens": 0}
        answered = set(indices)
        for i in indices:
            line = b.lines[i]
            fault = self._line_fault(b, i)
            rid = f"req_{_hex(32)}"
            record = {"batch_id": b.obj["id"], "custom_id": line["custom_id"], "index": i, "fault": fault,
                      "body": line["body"]}
            if fault in ("timeout", "status0", "missing"):
                status, body = 0, {}
            else:
                status, body = await self._answer_batch_body(line["body"], _LIVE_FAULT.get(fault or ""))
            entry: dict[str, Any] = {"id": f"batch_req_{_hex(32)}", "custom_id": line["custom_id"],
                                     "response": {"status_code": status, "request_id": rid, "body": body},
                                     "error": None}
            where = "output" if status == 200 or fault in ("429_in_output", "500_in_output") else "error"
            if fault == "timeout":
                entry["response"] = None
                entry["error"] = {"code": "request_timeout", "message": "The request to the model timed out."}
            elif fault == "status0":
                entry["response"] = {"status_code": 0, "request_id": "", "body": {}}
            elif fault == "missing":
                where = None
            text = json.dumps(entry, ensure_ascii=False)
            if fault == "truncated_line":
                text = text[: len(text) // 2]
            if where == "output":
                out.append(text)
            elif where == "error":
                err.append(text)
            paid = status == 200
            if paid:
                u = body.get("usage") or {}
                usage["input_tokens"] += int(u.get("prompt_tokens", 0))
                usage["output_tokens"] += int(u.get("completion_tokens", 0))
            if status == 200 or fault in ("status0", "missing"):
                completed += 1  # observed: such lines are reported as completed
            else:
                failed += 1
            record.update(status_code=status, file=where, paid=paid, request_id=rid)
            with self._lock:
                self.batch_lines.append(record)
        if leftover is not None and self.batch_options.unfinished_to_error_file:
            code, message = leftover
            for i, line in enumerate(b.lines):
                if i not in answered:
                    err.append(json.dumps({"id": f"batch_req_{_hex(32)}", "custom_id": line["custom_id"],
                                           "response": None, "error": {"code": code, "message": message}},
                                          ensure_ascii=False))
        if self.batch_options.shuffle_output:
            self._batch_rng.shuffle(out)
            self._batch_rng.shuffle(err)
        o, now, missing = b.obj, self.clock(), self.batch_options.missing_file_id
        bid = o["id"]
        b.file_ids = {  # shown when the batch reaches its end state, not while finalizing
            "output_file_id": (self._store_file(f"{bid}_output.jsonl", "batch_output", _jsonl(out), now, None)["id"]
                               if out else missing),
            "error_file_id": (self._store_file(f"{bid}_error.jsonl", "batch_output", _jsonl(err), now, None)["id"]
                              if err or self.batch_options.empty_error_file else missing)}
        o["request_counts"] = {"total": len(b.lines), "completed": completed, "failed": failed}
        o["usage"] = {"input_tokens": usage["input_tokens"], "input_tokens_details": {"cached_tokens": 0},
                      "output_tokens": usage["output_tokens"], "output_tokens_details": {"reasoning_tokens": 0},
                      "total_tokens": usage["input_tokens"] + usage["output_tokens"]}


def _jsonl(lines: list[str]) -> bytes:
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _page(items: list[dict], q: dict[str, str], default_limit: int) -> dict:
    """OpenAI's cursor page: ``after`` is the id of the last item seen."""
    if q.get("after"):
        ids = [i["id"] for i in items]
        items = items[ids.index(q["after"]) + 1:] if q["after"] in ids else []
    limit = int(q.get("limit") or default_limit)
    page = items[:limit]
    return {"object": "list", "data": page, "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None, "has_more": len(items) > limit}
