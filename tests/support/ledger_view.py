"""Reading a genpost ledger (OUT/genpost.db) from tests, straight from SQLite, read-only."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from generator.llm.ledger import unpack


def kept_answers(db: Path) -> list[dict]:
    """Every answer kept for reuse: key, purpose, post, mode and the request's messages."""
    if not Path(db).exists():
        return []
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT c.key, c.purpose, c.post, c.mode, b.request FROM calls c JOIN bodies b "
                           "ON b.key = c.key WHERE c.status = 'answered' AND b.response IS NOT NULL").fetchall()
    finally:
        con.close()
    return [{"key": k, "purpose": p, "post": post, "mode": m, "messages": unpack(r)["messages"]}
            for k, p, post, m, r in rows]


def calls(db: Path) -> list[dict]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM calls ORDER BY created")]
    finally:
        con.close()


def ledger_rows(db: Path) -> list[dict]:
    """Every row of every table, bodies unpacked: for tests that look for what must never be kept."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    con.row_factory = sqlite3.Row
    out = []
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            for row in con.execute(f"SELECT * FROM {table}"):
                out.append({k: (unpack(v) if isinstance(v, bytes) else v) for k, v in dict(row).items()})
    finally:
        con.close()
    return out
