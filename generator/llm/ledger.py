"""The ledger: every LLM request and answer of an output folder in one SQLite file (OUT/genpost.db),
with the state of the provider batches that answer them.

It replaces the answer cache (one JSON file per answer: 100,000 posts x 14 calls would be 1.4
million files) with the same guarantees:

- nothing is paid twice: an answer is committed before the pipeline sees it, and a request that
  is in a provider batch is known by its hash and that batch, so it is polled, never sent again;
- kill -9 safe: SQLite in WAL mode; each answer is one transaction (synchronous=FULL for paid
  models: on disk before it is used; NORMAL for the free mock, whose calls are only logged);
- two processes on one OUT do not corrupt it: SQLite's own locking, with a busy timeout.

The LLM layer owns it: it knows requests, answers, tokens, cost, purposes and posts, the latter
only as opaque labels. A call's state is one of

    answered   the answer is here (its body too, for a model that is paid: reused, not paid again)
    failed     the last attempt failed; asked again (live, or in the next batch)
    queued     waits for the next provider batch (or export)
    submitted  in the provider batch `batch`: polled, not sent again
    rejected   refused for good (a 4xx line, or too many batches); the post ends with an error
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import socket
import sqlite3
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .base import Request, Response

log = logging.getLogger("genpost.llm")

FILE_NAME = "genpost.db"
SCHEMA_VERSION = 1

ANSWERED, FAILED, QUEUED, SUBMITTED, REJECTED = "answered", "failed", "queued", "submitted", "rejected"
OPEN = (QUEUED, SUBMITTED, FAILED)  # states a later pass or batch still has to resolve

# Small columns first, bodies in their own table: the reports scan `calls` (about 200 bytes a
# row), never the compressed request and answer texts.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS calls (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    post TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    step TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    mode TEXT NOT NULL DEFAULT 'live',
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL,
    seconds REAL NOT NULL DEFAULT 0,
    retries INTEGER NOT NULL DEFAULT 0,
    tries INTEGER NOT NULL DEFAULT 0,
    no_schema INTEGER NOT NULL DEFAULT 0,
    batch TEXT,
    error TEXT,
    created REAL NOT NULL,
    updated REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS calls_post ON calls(post, created);
CREATE INDEX IF NOT EXISTS calls_created ON calls(created);
CREATE INDEX IF NOT EXISTS calls_queued ON calls(model, key) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS calls_failed ON calls(model, key) WHERE status = 'failed';
CREATE INDEX IF NOT EXISTS calls_submitted ON calls(model, key) WHERE status = 'submitted';
CREATE INDEX IF NOT EXISTS calls_batch ON calls(batch) WHERE batch IS NOT NULL;
CREATE TABLE IF NOT EXISTS bodies (key TEXT PRIMARY KEY, request BLOB, response BLOB);
CREATE TABLE IF NOT EXISTS batches (
    local_id TEXT PRIMARY KEY,
    provider_id TEXT,
    kind TEXT NOT NULL,
    model TEXT NOT NULL,
    endpoint TEXT NOT NULL DEFAULT '',
    input_file TEXT NOT NULL DEFAULT '',
    output_file TEXT,
    error_file TEXT,
    status TEXT NOT NULL,
    steps TEXT NOT NULL DEFAULT '',
    lines INTEGER NOT NULL DEFAULT 0,
    completed INTEGER NOT NULL DEFAULT 0,
    failed INTEGER NOT NULL DEFAULT 0,
    ingested INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    owner TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS batches_open ON batches(ingested, kind);
CREATE TABLE IF NOT EXISTS posts (post TEXT PRIMARY KEY, state TEXT NOT NULL, updated REAL NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS posts_state ON posts(state);
CREATE TABLE IF NOT EXISTS images (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    post TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT '',
    file TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    meta TEXT NOT NULL,
    cost_usd REAL,
    created REAL NOT NULL
);
"""


def request_key(model: str, request: Request) -> str:
    """The request's identity: sha256 of what decides its answer (model, messages, parameters),
    the same key the file cache used, so its answers migrate under their old names."""
    blob = json.dumps(request.cache_fields(model), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def step_of(purpose: str) -> str:
    """A purpose without its index: "section:3" -> "section", "rewrite:2:5" -> "rewrite:2",
    "section:3:retry" -> "section:retry". Only a label: the ledger knows no pipeline."""
    parts = purpose.split(":")
    numeric = [i for i, p in enumerate(parts) if p.isdigit()]
    if numeric:
        del parts[numeric[-1]]
    return ":".join(parts)


def pack(data: Any) -> bytes:
    return zlib.compress(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(blob).decode("utf-8"))


@dataclass
class Queued:
    """A request waiting for a batch: its key, the request itself, and how to send it."""

    key: str
    request: Request
    post: str
    no_schema: bool
    tries: int


class Ledger:
    """One SQLite connection to OUT/genpost.db. Not thread-safe: one per thread (genpost's event
    loop is one thread). Every write is its own short transaction unless grouped in `transaction()`."""

    def __init__(self, path: Path, *, durable: bool = True, legacy_cache: Path | None = None,
                 timeout: float = 60.0):
        self.path = Path(path)
        self.directory = self.path.parent  # where the answers are, for messages
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.hits = 0
        self.stores = 0
        self.lost = 0  # answers that could not be written (full disk): the run goes on without them
        self._depth = 0
        self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        self._wal()
        # FULL: a paid answer is on disk before the pipeline uses it (a power cut loses nothing
        # paid). NORMAL is as safe against a killed process, and enough for the mock's log.
        self._db.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")
        with self.transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
        if legacy_cache is not None:
            from .ledger_migrate import migrate_once

            migrate_once(self, Path(legacy_cache))

    def _wal(self) -> None:
        # Switching to WAL needs a moment alone with the file; a second process that opens a new
        # ledger at the same instant waits for it (the busy timeout does not cover this pragma).
        deadline = time.monotonic() + 60
        while True:
            try:
                self._db.execute("PRAGMA journal_mode = WAL")
                return
            except sqlite3.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (nested calls join the outer one). BEGIN IMMEDIATE takes the write
        lock at once, so two processes queue up instead of failing halfway."""
        if self._depth:
            self._depth += 1
            try:
                yield self._db
            finally:
                self._depth -= 1
            return
        self._db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield self._db
        except BaseException:
            self._depth = 0
            self._db.execute("ROLLBACK")
            raise
        self._depth = 0
        self._db.execute("COMMIT")

    def query(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        return self._db.execute(sql, args)

    # --- meta ---------------------------------------------------------------------------------
    def meta(self, name: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return row[0] if row else None

    def set_meta(self, name: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    # --- answers (what the answer cache did) --------------------------------------------------
    key = staticmethod(request_key)

    def get(self, model: str, request: Request) -> Response | None:
        """The kept answer to this request, or None. Only answers with their body are reused."""
        row = self._db.execute(
            "SELECT b.response FROM calls c JOIN bodies b ON b.key = c.key WHERE c.key = ? AND c.status = ?",
            (request_key(model, request), ANSWERED)).fetchone()
        if row is None or row[0] is None:
            return None
        try:
            response = Response.model_validate(unpack(row[0]))
        except (ValueError, zlib.error):
            return None  # unreadable: ask again
        self.hits += 1
        return response.model_copy(update={"cached": True, "seconds": 0.0, "retries": 0})

    def put(self, model: str, request: Request, response: Response, *, post: str = "", mode: str = "live",
            cost: float | None = None, keep: bool = True) -> None:
        """Record an answer. keep: store its body for reuse (a paid, usable answer); without it
        the call is only logged (the mock; an empty or cut-off answer that must be asked again)."""
        key = request_key(model, request)
        now = time.time()
        try:
            with self.transaction() as db:
                db.execute(
                    "INSERT INTO calls (key, model, post, purpose, step, status, mode, prompt_tokens, "
                    "completion_tokens, cost_usd, seconds, retries, created, updated) "
                    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET status=excluded.status, "
                    "mode=excluded.mode, prompt_tokens=excluded.prompt_tokens, "
                    "completion_tokens=excluded.completion_tokens, cost_usd=excluded.cost_usd, "
                    "seconds=excluded.seconds, retries=excluded.retries, error=NULL, batch=NULL, updated=excluded.updated",
                    (key, model, post, request.purpose, step_of(request.purpose), ANSWERED, mode,
                     response.prompt_tokens, response.completion_tokens, cost, round(response.seconds, 4),
                     response.retries, now, now))
                if keep:
                    db.execute("INSERT INTO bodies (key, request, response) VALUES (?,?,?) ON CONFLICT(key) "
                               "DO UPDATE SET response=excluded.response, request=excluded.request",
                               (key, pack(request.model_dump(mode="json")),
                                pack(response.model_dump(mode="json", exclude={"cached"}))))
                else:
                    db.execute("UPDATE bodies SET response = NULL WHERE key = ?", (key,))
        except (sqlite3.Error, OSError) as e:
            # The answer is paid and in hand: losing the record must not lose the post too.
            self.lost += 1
            log.warning("could not keep an answer in %s: %s", self.path, e)
            return
        self.stores += keep

    def record_failure(self, model: str, request: Request, error: str, *, post: str = "") -> None:
        """A live request that failed after its retries (for the log; a rerun asks it again).
        A call that is answered, or waits in a batch, keeps its state."""
        key = request_key(model, request)
        now = time.time()
        with contextlib.suppress(sqlite3.Error), self.transaction() as db:
            db.execute(
                "INSERT INTO calls (key, model, post, purpose, step, status, error, created, updated) "
                "VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET error=excluded.error, "
                "updated=excluded.updated WHERE status = ?",
                (key, model, post, request.purpose, step_of(request.purpose), FAILED, error[:500], now, now,
                 FAILED))

    def total_cost(self) -> float:
        """Dollars paid for every answer in this ledger (estimated; unknown prices count 0)."""
        return float(self._db.execute("SELECT COALESCE(SUM(cost_usd), 0) FROM calls WHERE status = ?",
                                      (ANSWERED,)).fetchone()[0])

    # --- the batch side: queue, submit, answer --------------------------------------------------
    def defer(self, model: str, request: Request, *, post: str, max_tries: int) -> tuple[str, str | None]:
        """A request the pipeline waits for: queued for the next batch unless it is already
        queued or in one. Returns its state (queued, submitted, rejected or answered) and error."""
        key = request_key(model, request)
        now = time.time()
        with self.transaction() as db:
            row = db.execute("SELECT status, error, tries FROM calls WHERE key = ?", (key,)).fetchone()
            if row is None:
                db.execute("INSERT INTO calls (key, model, post, purpose, step, status, created, updated) "
                           "VALUES (?,?,?,?,?,?,?,?)",
                           (key, model, post, request.purpose, step_of(request.purpose), QUEUED, now, now))
                db.execute("INSERT INTO bodies (key, request) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET "
                           "request=excluded.request", (key, pack(request.model_dump(mode="json"))))
                state, error = QUEUED, None
            else:
                state, error, tries = row
                if state == FAILED or (state == ANSWERED and not self._has_body(key)):
                    if tries >= max_tries:
                        state = REJECTED
                        error = f"no answer after {tries} batches: {error or 'unknown error'}"
                        db.execute("UPDATE calls SET status=?, error=?, updated=? WHERE key=?",
                                   (state, error, now, key))
                    else:
                        state = QUEUED
                        db.execute("UPDATE calls SET status=?, post=?, updated=? WHERE key=?",
                                   (state, post, now, key))
                        db.execute("INSERT INTO bodies (key, request) VALUES (?, ?) ON CONFLICT(key) DO UPDATE "
                                   "SET request=excluded.request", (key, pack(request.model_dump(mode="json"))))
            db.execute("INSERT INTO posts VALUES (?,?,?) ON CONFLICT(post) DO UPDATE SET state=excluded.state, "
                       "updated=excluded.updated", (post, step_of(request.purpose), now))
        return state, error

    def _has_body(self, key: str) -> bool:
        row = self._db.execute("SELECT response IS NOT NULL FROM bodies WHERE key = ?", (key,)).fetchone()
        return bool(row and row[0])

    def queued(self, model: str, *, after: str = "", limit: int = 1000, state: str = QUEUED) -> list[Queued]:
        """The next page of queued (or failed, or submitted) requests of a model, in key order."""
        if state not in OPEN:
            raise ValueError(state)
        # The state is written into the statement, not bound: only then can SQLite use its
        # partial index (calls_queued ...), which holds just the calls in that state.
        rows = self._db.execute(
            "SELECT c.key, b.request, c.post, c.no_schema, c.tries FROM calls c JOIN bodies b ON b.key = c.key "
            f"WHERE c.status = '{state}' AND c.model = ? AND c.key > ? ORDER BY c.key LIMIT ?",
            (model, after, limit)).fetchall()
        return [Queued(key=k, request=Request.model_validate(unpack(r)), post=p, no_schema=bool(n), tries=t)
                for k, r, p, n, t in rows]

    def add_batch(self, *, kind: str, model: str, endpoint: str, input_file: str = "", steps: str = "",
                  status: str = "preparing") -> str:
        """Record a batch before the provider has it (its lines are claimed next, its file
        uploaded, then it is created): a crash at any point leaves a record to recover from, and
        a batch created just before a crash is found again by its input file."""
        local = uuid.uuid4().hex
        now = time.time()
        with self.transaction() as db:
            db.execute("INSERT INTO batches (local_id, kind, model, endpoint, input_file, status, steps, owner, "
                       "created, updated) VALUES (?,?,?,?,?,?,?,?,?,?)",
                       (local, kind, model, endpoint, input_file, status, steps, owner(), now, now))
        return local

    def claim(self, local: str, keys: list[str]) -> list[str]:
        """Move queued requests into the batch `local`; returns those it got. A request another
        process has just claimed stays with that one: no request is in two batches."""
        now = time.time()
        got = []
        with self.transaction() as db:
            for key in keys:
                cursor = db.execute("UPDATE calls SET status=?, batch=?, tries=tries+1, updated=? "
                                    "WHERE key=? AND status=?", (SUBMITTED, local, now, key, QUEUED))
                if cursor.rowcount:
                    got.append(key)
            db.execute("UPDATE batches SET lines = lines + ?, updated = ? WHERE local_id = ?", (len(got), now, local))
        return got

    def abandon(self, local: str, why: str) -> int:
        """A batch that never reached the provider: its requests are queued again, as untried."""
        now = time.time()
        with self.transaction() as db:
            cursor = db.execute("UPDATE calls SET status=?, batch=NULL, tries=MAX(tries-1, 0), updated=? "
                                "WHERE batch=? AND status=?", (QUEUED, now, local, SUBMITTED))
            db.execute("UPDATE batches SET status='abandoned', ingested=1, error=?, updated=? WHERE local_id=?",
                       (why[:500], now, local))
            return cursor.rowcount

    def update_batch(self, local: str, **fields: Any) -> None:
        if not fields:
            return
        fields["updated"] = time.time()
        names = ", ".join(f"{name} = ?" for name in fields)
        with self.transaction() as db:
            db.execute(f"UPDATE batches SET {names} WHERE local_id = ?", (*fields.values(), local))

    def batches(self, *, open_only: bool = False, kind: str | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM batches"
        where, args = [], []
        if open_only:
            where.append("ingested = 0")
        if kind:
            where.append("kind = ?")
            args.append(kind)
        if where:
            sql += " WHERE " + " AND ".join(where)
        cursor = self._db.execute(sql + " ORDER BY created", args)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]

    def answer(self, key: str, response: Response, *, mode: str, cost: float | None, batch: str | None = None) -> bool:
        """A batch's (or an imported file's) answer to a waiting request; False for a key that is
        unknown or already answered (a line seen twice is paid once and kept once)."""
        now = time.time()
        with self.transaction() as db:
            row = db.execute("SELECT status FROM calls WHERE key = ?", (key,)).fetchone()
            if row is None or row[0] == ANSWERED:
                return False
            db.execute("UPDATE calls SET status=?, mode=?, prompt_tokens=?, completion_tokens=?, cost_usd=?, "
                       "error=NULL, updated=?, batch=COALESCE(?, batch) WHERE key=?",
                       (ANSWERED, mode, response.prompt_tokens, response.completion_tokens, cost, now, batch, key))
            db.execute("UPDATE bodies SET response=? WHERE key=?",
                       (pack(response.model_dump(mode="json", exclude={"cached"})), key))
        self.stores += 1
        return True

    def fail(self, key: str, error: str, *, retry: bool, no_schema: bool = False, count_try: bool = True) -> bool:
        """A line that came back without an answer: failed (asked again) or rejected for good.
        count_try False: the provider never got to it, which does not count against its tries."""
        with self.transaction() as db:
            cursor = db.execute(
                "UPDATE calls SET status=?, error=?, no_schema=MAX(no_schema, ?), tries=tries-?, updated=? "
                "WHERE key=? AND status IN (?, ?, ?)",
                (FAILED if retry else REJECTED, error[:500], int(no_schema), 0 if count_try else 1, time.time(), key,
                 SUBMITTED, QUEUED, FAILED))
            return cursor.rowcount > 0

    def release(self, local: str, error: str, *, count_try: bool = True) -> int:
        """The batch ended; its lines that got no answer either way are failed (asked again).
        count_try False: the provider never got to them (expired, cancelled), so the batch does not
        count against the request's tries."""
        with self.transaction() as db:
            cursor = db.execute("UPDATE calls SET status=?, error=?, tries=tries-?, updated=? WHERE batch=? AND status=?",
                                (FAILED, error[:500], 0 if count_try else 1, time.time(), local, SUBMITTED))
            return cursor.rowcount

    def batch_keys(self, local: str) -> int:
        return self._db.execute("SELECT COUNT(*) FROM calls WHERE batch = ? AND status = ?",
                                (local, SUBMITTED)).fetchone()[0]

    def set_post(self, post: str, state: str) -> None:
        with contextlib.suppress(sqlite3.Error), self.transaction() as db:
            db.execute("INSERT INTO posts VALUES (?,?,?) ON CONFLICT(post) DO UPDATE SET state=excluded.state, "
                       "updated=excluded.updated", (post, state, time.time()))


def ledger_path(folder: Path) -> Path:
    return Path(folder) / FILE_NAME


def owner() -> str:
    """This process, as a batch's owner: host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(name: str) -> bool:
    """Whether the process that owns a batch still runs (on this host; another host's counts as alive)."""
    host, _, pid = name.rpartition(":")
    if host != socket.gethostname():
        return bool(name)
    if not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False  # this process: whatever it left half-done is from before (an exception)
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
