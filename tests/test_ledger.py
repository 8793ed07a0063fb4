"""The ledger (OUT/genpost.db): its states, kill -9 in the middle of writes, two processes on one
file, and the one-time migration of an older genpost's answer folder (.cache)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from generator.llm.base import Message, Request, Response
from generator.llm.image import ImageRequest
from generator.llm.image_cache import LedgerImageCache, image_key
from generator.llm.ledger import Ledger, request_key, step_of, unpack

from .conftest import DATA, ROOT
from .support.fake_openai import FakeOpenAI
from .support.ledger_view import calls as ledger_calls
from .support.llm_responder import mock_responder

MODEL = "gpt-4o-mini"
SMALL = DATA / "small.yaml"


def req(text: str, purpose: str = "section:1") -> Request:
    return Request(messages=[Message(role="user", content=text)], purpose=purpose)


def answer(text: str = "Antwort.") -> Response:
    return Response(text=text, model=MODEL, prompt_tokens=10, completion_tokens=20)


def integrity(db: Path) -> str:
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def test_answers_are_reused_and_what_is_not_kept_is_asked_again(tmp_path):
    with Ledger(tmp_path / "genpost.db") as ledger:
        ledger.put(MODEL, req("eins"), answer("Eins."), post="p", cost=0.5)
        ledger.put(MODEL, req("zwei"), answer(""), post="p", cost=0.25, keep=False)  # logged, not reused
        ledger.record_failure(MODEL, req("drei"), "server error (500)", post="p")
        hit = ledger.get(MODEL, req("eins", purpose="other"))  # the purpose is not part of the key
        assert hit is not None and hit.text == "Eins." and hit.cached and hit.seconds == 0
        assert ledger.get(MODEL, req("zwei")) is None and ledger.get(MODEL, req("drei")) is None
        assert ledger.get("gpt-4o", req("eins")) is None  # another model, another request
        assert ledger.total_cost() == 0.75  # both answers were paid
    statuses = [c["status"] for c in ledger_calls(tmp_path / "genpost.db")]
    assert statuses == ["answered", "answered", "failed"]
    assert step_of("section:3") == "section" and step_of("rewrite:2:5") == "rewrite:2"
    assert step_of("section:3:retry") == "section:retry" and step_of("plan") == "plan"


def test_a_request_goes_through_queued_submitted_and_answered_once(tmp_path):
    r, key = req("eins"), request_key(MODEL, req("eins"))
    with Ledger(tmp_path / "genpost.db") as ledger:
        assert ledger.defer(MODEL, r, post="p", max_tries=2) == ("queued", None)
        assert ledger.defer(MODEL, r, post="p", max_tries=2) == ("queued", None)  # asked again: still one
        local = ledger.add_batch(kind="api", model=MODEL, endpoint="/v1/chat/completions")
        assert ledger.claim(local, [key, key]) == [key]
        other = ledger.add_batch(kind="api", model=MODEL, endpoint="/v1/chat/completions")
        assert ledger.claim(other, [key]) == []  # never in two batches
        assert ledger.defer(MODEL, r, post="p", max_tries=2)[0] == "submitted"  # polled, not sent again
        assert ledger.fail(key, "batch_expired", retry=True, count_try=False)  # not the request's fault
        assert ledger.defer(MODEL, r, post="p", max_tries=2)[0] == "queued"
        assert ledger.claim(local, [key]) == [key]
        assert ledger.fail(key, "server error (500)", retry=True)
        assert ledger.defer(MODEL, r, post="p", max_tries=2)[0] == "queued"
        assert ledger.claim(local, [key]) == [key]
        assert ledger.release(local, "missing from the output") == 1
        state, error = ledger.defer(MODEL, r, post="p", max_tries=2)  # two real tries: given up
        assert state == "rejected" and "no answer after 2 batches" in error
        s, k = req("zwei"), request_key(MODEL, req("zwei"))
        ledger.defer(MODEL, s, post="q", max_tries=2)
        assert ledger.claim(local, [k]) == [k]
        assert ledger.answer(k, answer("Zwei."), mode="batch", cost=0.1, batch=local)
        assert not ledger.answer(k, answer("Noch einmal."), mode="batch", cost=0.1)  # a line seen twice counts once
        assert ledger.get(MODEL, s).text == "Zwei." and ledger.total_cost() == 0.1
        third = ledger.add_batch(kind="api", model=MODEL, endpoint="/v1/chat/completions")
        t, tk = req("drei"), request_key(MODEL, req("drei"))
        ledger.defer(MODEL, t, post="q", max_tries=2)
        ledger.claim(third, [tk])
        assert ledger.abandon(third, "never uploaded") == 1  # queued again, untried
        assert ledger.query("SELECT status, tries FROM calls WHERE key = ?", (tk,)).fetchone() == ("queued", 0)


def writer(db: Path, prefix: str, count: int, mode: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "tests.support.ledger_writer", str(db), prefix, str(count), mode],
                            cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                            start_new_session=True)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def test_kill_9_in_the_middle_of_writes_loses_no_committed_answer_and_corrupts_nothing(tmp_path):
    db = tmp_path / "genpost.db"
    proc = writer(db, "a", 100_000, "answers")
    try:
        proc.stdin.write("go\n")
        proc.stdin.flush()
        committed = [proc.stdout.readline().strip() for _ in range(300)]
        os.killpg(proc.pid, signal.SIGKILL)  # while it writes the next answers
        proc.wait(timeout=60)
    finally:
        stop(proc)
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    with Ledger(db) as ledger:  # opens (and recovers the WAL) like the next run would
        rows = ledger.query("SELECT c.key, b.response FROM calls c JOIN bodies b ON b.key = c.key").fetchall()
        assert all(r is not None for _, r in rows)  # no answer without its body: each commit is whole
        kept = {k for k, _ in rows}
        assert set(committed) <= kept  # every answer it reported as kept is there
        assert all(unpack(r)["text"].startswith("Antwort") for _, r in rows)
        ledger.put(MODEL, req("danach"), answer())  # and the ledger goes on
        assert ledger.get(MODEL, req("danach")) is not None


def test_two_processes_on_one_ledger_corrupt_nothing_and_never_claim_a_request_twice(tmp_path):
    db = tmp_path / "genpost.db"
    Ledger(db).close()
    procs = [writer(db, "same", 300, "answers"), writer(db, "own-1", 300, "answers"),
             writer(db, "both", 200, "claim"), writer(db, "both", 200, "claim")]
    try:
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        outputs = [p.communicate(timeout=300)[0].split() for p in procs]
    finally:
        for p in procs:
            stop(p)
    assert [p.returncode for p in procs] == [0, 0, 0, 0]
    assert integrity(db) == "ok"
    first, second = set(outputs[2]), set(outputs[3])
    assert not first & second and len(first | second) == 200  # each request in exactly one batch
    with Ledger(db) as ledger:
        assert ledger.query("SELECT COUNT(*) FROM calls WHERE status = 'answered'").fetchone()[0] == 600
        assert ledger.query("SELECT COUNT(*) FROM calls WHERE status = 'submitted'").fetchone()[0] == 200
        assert ledger.query("SELECT SUM(lines) FROM batches").fetchone()[0] == 200


def test_two_genpost_batches_on_one_out_both_finish(tmp_path):
    out = tmp_path / "o"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "GENPOST"))}
    with FakeOpenAI(mock_responder(), latency=0.01) as fake:
        procs = []
        for name, keyword in (("a", "Zeiterfassung im Handwerk"), ("b", "Kühlräume in Großbäckereien")):
            (tmp_path / f"{name}.csv").write_text(f"keyword\n{keyword}\n", encoding="utf-8")
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "generator", "batch", str(tmp_path / f"{name}.csv"), "--brief", str(SMALL),
                 "--out", str(out), "--model", MODEL, "--base-url", fake.url, "--api-key", "sk-test",
                 "--check-workers", "0"], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                text=True, start_new_session=True))
        try:
            results = [p.communicate(timeout=300) for p in procs]
        finally:
            for p in procs:
                stop(p)
        asked = len([r for r in fake.requests if r["_status"] == 200])
    assert [p.returncode for p in procs] == [0, 0], results
    assert integrity(out / "genpost.db") == "ok"
    answered = [c for c in ledger_calls(out / "genpost.db") if c["status"] == "answered"]
    assert {c["post"] for c in answered} == {"zeiterfassung-handwerk", "kuehlraeume-grossbaeckereien"}
    assert len(answered) == asked


def old_cache(db: Path, folder: Path) -> int:
    """Write a ledger's kept answers the way genpost's file cache kept them: one JSON file each."""
    con = sqlite3.connect(db)
    n = 0
    for key, model, request, response in con.execute(
            "SELECT c.key, c.model, b.request, b.response FROM calls c JOIN bodies b ON b.key = c.key "
            "WHERE b.response IS NOT NULL"):
        r = Request.model_validate(unpack(request))
        assert request_key(model, r) == key
        path = folder / key[:2] / f"{key}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"request": r.cache_fields(model), "purpose": r.purpose,
                                    "response": unpack(response)}, ensure_ascii=False, indent=1), encoding="utf-8")
        n += 1
    con.close()
    return n


def test_an_old_cache_is_migrated_once_and_pays_for_nothing_again(cli, tmp_path):
    first = tmp_path / "first"
    with FakeOpenAI(mock_responder()) as fake:
        args = ["--brief", SMALL, "--model", MODEL, "--base-url", fake.url, "--api-key", "sk-test"]
        assert cli(*args, "--out", first)[0] == 0
        paid = len(fake.requests)
        out = tmp_path / "upgraded"
        assert old_cache(first / "genpost.db", out / ".cache") == paid >= 5
        (out / ".cache" / "ff").mkdir(exist_ok=True)
        (out / ".cache" / "ff" / "half.json").write_text('{"request": {"mod', encoding="utf-8")  # an old crash
        image = ImageRequest(prompt="Ein Lager", purpose="featured")
        png = b"\x89PNG\r\n\x1a\n" + b"x" * 100
        ikey = image_key("gpt-image-1", image)
        (out / ".cache" / ikey[:2]).mkdir(exist_ok=True)
        (out / ".cache" / ikey[:2] / f"{ikey}.png").write_bytes(png)
        (out / ".cache" / ikey[:2] / f"{ikey}.json").write_text(json.dumps({
            "request": image.cache_fields("gpt-image-1"), "purpose": "featured", "file": f"{ikey}.png",
            "sha256": __import__("hashlib").sha256(png).hexdigest(),
            "response": {"format": "png", "model": "gpt-image-1", "size": "1024x1024", "quality": "medium"}}),
            encoding="utf-8")

        code, stdout, stderr = cli(*args, "--out", out)
        assert code == 0, stdout + stderr
        assert len(fake.requests) == paid  # not one request: every answer came from the old cache
    modes = {c["mode"] for c in ledger_calls(out / "genpost.db")}
    assert modes == {"migrated"}
    with Ledger(out / "genpost.db") as ledger:
        [(marker, value)] = ledger.query("SELECT name, value FROM meta WHERE name LIKE 'migrated:%'").fetchall()
        assert json.loads(value)["answers"] == paid and json.loads(value)["images"] == 1
        store = LedgerImageCache(ledger)
        got = store.get("gpt-image-1", image)
        assert got is not None and got.data == png and got.cached
    # Read once: an answer file that turns up in the folder later is not read.
    late = req("später")
    key = request_key(MODEL, late)
    (out / ".cache" / key[:2]).mkdir(exist_ok=True)
    (out / ".cache" / key[:2] / f"{key}.json").write_text(json.dumps({
        "request": late.cache_fields(MODEL), "purpose": "x", "response": answer().model_dump()}), encoding="utf-8")
    with Ledger(out / "genpost.db", legacy_cache=out / ".cache") as ledger:
        assert ledger.get(MODEL, late) is None
        assert ledger.query("SELECT COUNT(*) FROM calls").fetchone()[0] == paid
    with Ledger(tmp_path / "fresh" / "genpost.db", legacy_cache=out / ".cache") as ledger:
        assert ledger.get(MODEL, late) is not None  # (a ledger that had not seen the folder would)


@pytest.mark.parametrize("durable", [True, False])
def test_the_ledger_is_in_wal_mode_with_the_sync_level_it_needs(tmp_path, durable):
    with Ledger(tmp_path / "genpost.db", durable=durable) as ledger:
        assert ledger.query("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert ledger.query("PRAGMA synchronous").fetchone()[0] == (2 if durable else 1)  # FULL / NORMAL
