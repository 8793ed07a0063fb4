"""Ctrl-C and SIGTERM: genpost stops with one line and exit 130, keeps every answer that arrived,
writes nothing into a closed ledger, and leaves no process and no SQLite side file behind."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import batch
from generator.llm import LLMSettings
from generator.llm.base import Request, Response
from generator.llm.ledger import Ledger, request_key
from generator.llm.mock import MockModel

from .conftest import DATA, MITTELSTAND, ROOT
from .support.fake_openai import FakeOpenAI
from .support.ledger_view import kept_answers
from .support.llm_responder import mock_responder
from .support.procs import in_group
from .test_provider_batch import read_until

SMALL = DATA / "small.yaml"
KEYWORDS = ["Zeiterfassung im Handwerk", "Kühlräume in Großbäckereien", "Digitalisierung im Handwerk",
            "Cloud-Telefonie im Büro"]


def keywords_csv(tmp_path: Path) -> Path:
    path = tmp_path / "k.csv"
    path.write_text("keyword\n" + "\n".join(KEYWORDS) + "\n", encoding="utf-8")
    return path


class InterruptingModel(MockModel):
    """The mock's answers at a paid model's name (so the ledger keeps them for reuse), instant as
    an answer already on the wire. With answer number `interrupt_at` comes Ctrl-C: the main task
    is cancelled, as asyncio.run's SIGINT handler does, while the answer is on its way back."""

    paid = True

    def __init__(self, interrupt_at: int | None = None):
        super().__init__(name="gpt-4o-mini")
        self.interrupt_at = interrupt_at
        self.main: asyncio.Task | None = None
        self.answered: list[Request] = []

    async def complete(self, request: Request) -> Response:
        response = await super().complete(request)
        self.answered.append(request)
        if len(self.answered) == self.interrupt_at:
            self.main.cancel()
        return response


def run(model: InterruptingModel, csv_path: Path, out: Path, monkeypatch) -> None:
    monkeypatch.setattr(batch, "make_model", lambda _settings: model)
    settings = LLMSettings(model=model.name, ledger=out / "genpost.db")

    async def main() -> None:
        model.main = asyncio.current_task()
        await batch.run_batch(csv_path, SMALL, out, settings, jobs=3, check_workers=0)

    asyncio.run(main())


@pytest.mark.parametrize("interrupt_at", [1, 8, 16, 20])
def test_an_answer_that_arrives_with_ctrl_c_is_kept_and_the_rerun_does_not_ask_it_again(tmp_path, monkeypatch,
                                                                                          caplog, interrupt_at):
    csv_path, out = keywords_csv(tmp_path), tmp_path / "o"
    first = InterruptingModel(interrupt_at)
    with caplog.at_level(logging.WARNING), pytest.raises(asyncio.CancelledError):
        run(first, csv_path, out, monkeypatch)
    assert "could not keep an answer" not in caplog.text  # nothing was written into a closed ledger
    assert len(first.answered) >= interrupt_at
    with Ledger(out / "genpost.db") as ledger:
        lost = [r.purpose for r in first.answered if ledger.get(first.name, r) is None]
    assert lost == []  # every answer that arrived, the one with the interrupt too, is kept

    second = InterruptingModel()
    run(second, csv_path, out, monkeypatch)
    asked_again = {request_key(first.name, r) for r in first.answered} & {request_key(second.name, r)
                                                                            for r in second.answered}
    assert asked_again == set()  # the rerun completes the rest without paying twice
    rows = json.loads((out / "batch-report.json").read_text(encoding="utf-8"))["rows"]
    assert len(rows) == len(KEYWORDS) and {r["earlier"] or r["status"] for r in rows} == {"passed"}


class Holding:
    """mock_responder's answers until `hold` is set; from then on each request waits at the server
    (a request in flight) until the server stops, and none is answered."""

    def __init__(self):
        self.answer = mock_responder()
        self.hold = False
        self.held = 0

    async def __call__(self, body: dict) -> str:
        if self.hold:
            self.held += 1
            await asyncio.Event().wait()  # never set: cancelled when the fake server stops
        return await self.answer(body)


def drain(proc: subprocess.Popen) -> bytes:
    """What the process wrote to stderr within a moment (b"" if nothing): paces a poll."""
    ready, _, _ = select.select([proc.stderr], [], [], 0.05)
    return os.read(proc.stderr.fileno(), 65536) if ready else b""


def messages(bodies) -> set[str]:
    return {json.dumps(b["messages"], sort_keys=True) for b in bodies}


def test_ctrl_c_on_a_batch_ends_in_one_line_keeps_every_answer_sent_and_leaves_no_process(tmp_path):
    csv_path, out = keywords_csv(tmp_path), tmp_path / "o"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "GENPOST"))}
    responder = Holding()
    with FakeOpenAI(responder, latency=0.02) as fake:
        cmd = [sys.executable, "-m", "generator", "batch", str(csv_path), "--brief", str(SMALL), "--out", str(out),
               "--api-key", "sk-test", "--base-url", fake.url, "--jobs", "3", "--check-workers", "1"]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True, bufsize=0)
        try:
            seen = read_until(proc, b"[1/")  # a post is done: its check ran in the checker worker
            assert len(in_group(proc.pid)) >= 2  # genpost and its checker worker (and the resource tracker)
            responder.hold = True
            # Requests in flight, every answer sent so far kept: then Ctrl-C, to the whole group as
            # a terminal sends it. (Reading stderr paces the polling and keeps its pipe drained.)
            deadline = time.monotonic() + 60
            while not (responder.held and messages(r for r in fake.requests if r["_status"] == 200)
                       <= messages(kept_answers(out / "genpost.db"))):
                assert time.monotonic() < deadline, seen[-2000:]
                seen += drain(proc)
            sent = messages(r for r in fake.requests if r["_status"] == 200)
            os.killpg(proc.pid, signal.SIGINT)
            rest = proc.stderr.read().decode()
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        assert proc.returncode == 130
        assert "Traceback" not in rest and "could not keep an answer" not in rest, rest
        assert rest.strip().splitlines()[-1].startswith("genpost: interrupted; ") and "run the same command again" in rest
        assert [p for p in in_group(proc.pid) if p.state not in ("Z", "X")] == []  # workers and tracker stopped
        assert sent <= messages(kept_answers(out / "genpost.db"))  # nothing lost on the way out

        responder.hold = False
        before = len(fake.requests)
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
        again = messages(fake.requests[before:])
    assert done.returncode == 0, done.stderr
    assert again and not again & sent  # the rerun completes the rest, asking for no answer it was sent
    assert not list(out.glob("genpost.db-*"))  # closed cleanly: no -wal or -shm left


def test_a_single_run_closes_its_ledger_and_leaves_no_sqlite_side_files(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "GENPOST"))}
    out = tmp_path / "dry"
    done = subprocess.run([sys.executable, "-m", "generator", "--brief", str(MITTELSTAND), "--dry-run", "--out", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    assert (out / "genpost.db").is_file() and not list(out.glob("genpost.db-*"))

    out = tmp_path / "refused"  # a run that ends in an error closes it too
    with FakeOpenAI(mock_responder(), require_key="sk-right") as fake:
        done = subprocess.run([sys.executable, "-m", "generator", "--brief", str(SMALL), "--out", str(out),
                               "--api-key", "sk-wrong", "--base-url", fake.url],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 3, done.stderr
    assert (out / "genpost.db").is_file() and not list(out.glob("genpost.db-*"))
