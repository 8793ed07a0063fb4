"""What the ledger tells: every call (`genpost log`), tokens and cost by model, step and day
(`genpost costs`), and the state of a batch run (`genpost batch --status`). Queries only; the CLI
prints them. Each query is a scan of the small `calls` rows or an index lookup (see ledger.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from pydantic import BaseModel

from ..errors import InputError
from .ledger import FILE_NAME, Ledger

BATCH_MODES = ("batch", "import")  # answers priced at the batch price


def open_ledger_at(folder: Path) -> Ledger:
    """The ledger of an output folder (OUT, or OUT/genpost.db itself), which must exist."""
    path = Path(folder)
    if path.is_dir():
        path = path / FILE_NAME
    if not path.is_file():
        raise InputError(str(folder), None, f"has no ledger ({FILE_NAME})",
                         "give the --out folder of a genpost run (or its --cache-dir)")
    return Ledger(path, durable=False)


class CallRow(BaseModel):
    time: float
    post: str
    purpose: str
    step: str
    model: str
    status: str
    mode: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    seconds: float
    retries: int
    tries: int
    batch: str | None  # the provider's batch id
    error: str | None


def calls(ledger: Ledger, post: str | None = None) -> Iterator[CallRow]:
    """Every call in the order it was first asked; one post's with `post` (index calls_post)."""
    sql = ("SELECT c.updated, c.post, c.purpose, c.step, c.model, c.status, c.mode, c.prompt_tokens, "
           "c.completion_tokens, c.cost_usd, c.seconds, c.retries, c.tries, b.provider_id, c.error "
           "FROM calls c LEFT JOIN batches b ON b.local_id = c.batch ")
    args: tuple = ()
    if post is not None:
        sql += "WHERE c.post = ? "
        args = (post,)
    sql += "ORDER BY c.created"
    names = list(CallRow.model_fields)
    for row in ledger.query(sql, args):
        yield CallRow(**dict(zip(names, row)))


class CostLine(BaseModel):
    group: str
    calls: int
    prompt_tokens: int
    completion_tokens: int
    live_cost_usd: float
    batch_cost_usd: float
    unpriced: int  # answers of a model without a price (not in the sums)

    @property
    def cost_usd(self) -> float:
        return round(self.live_cost_usd + self.batch_cost_usd, 6)


_GROUPS = {"model": "model", "step": "step", "day": "date(updated, 'unixepoch', 'localtime')"}


def costs(ledger: Ledger) -> dict[str, list[CostLine]]:
    """Answered calls summed by model, by step and by day (the day it was answered)."""
    batch = ", ".join(f"'{m}'" for m in BATCH_MODES)
    out: dict[str, list[CostLine]] = {}
    for name, expression in _GROUPS.items():
        rows = ledger.query(
            f"SELECT {expression} AS g, COUNT(*), SUM(prompt_tokens), SUM(completion_tokens), "
            f"COALESCE(SUM(CASE WHEN mode IN ({batch}) THEN 0 ELSE cost_usd END), 0), "
            f"COALESCE(SUM(CASE WHEN mode IN ({batch}) THEN cost_usd ELSE 0 END), 0), "
            f"SUM(cost_usd IS NULL) FROM calls WHERE status = 'answered' GROUP BY g ORDER BY g").fetchall()
        out[name] = [CostLine(group=g or "-", calls=n, prompt_tokens=p or 0, completion_tokens=c or 0,
                              live_cost_usd=round(live, 6), batch_cost_usd=round(b, 6), unpriced=u or 0)
                     for g, n, p, c, live, b, u in rows]
    return out


class BatchLine(BaseModel):
    id: str  # the provider's id, a file's path, or the local id of one not yet confirmed
    kind: str  # api | file
    status: str
    steps: str
    lines: int
    completed: int
    failed: int
    waiting: int  # lines of this batch the ledger still waits for
    created: float
    updated: float
    error: str | None


class RunStatus(BaseModel):
    batches: list[BatchLine]
    posts: dict[str, int]  # state (a step it waits in, or passed / failed / error) -> posts
    calls: dict[str, int]  # call status -> calls


def status(ledger: Ledger) -> RunStatus:
    waiting = dict(ledger.query("SELECT batch, COUNT(*) FROM calls WHERE status = 'submitted' GROUP BY batch"))
    batches = [BatchLine(id=b["provider_id"] or (b["input_file"] if b["kind"] == "file" else b["local_id"]),
                         kind=b["kind"], status=b["status"], steps=b["steps"], lines=b["lines"],
                         completed=b["completed"], failed=b["failed"], waiting=waiting.get(b["local_id"], 0),
                         created=b["created"], updated=b["updated"], error=b["error"])
               for b in ledger.batches()]
    posts = dict(ledger.query("SELECT state, COUNT(*) FROM posts GROUP BY state ORDER BY state").fetchall())
    call_states = dict(ledger.query("SELECT status, COUNT(*) FROM calls GROUP BY status ORDER BY status").fetchall())
    return RunStatus(batches=batches, posts=posts, calls=call_states)
