"""Ctrl-C and SIGTERM: genpost stops with one line and exit 130, keeps every answer that arrived,
writes nothing into a closed ledger, and leaves no process and no SQLite side file behind."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
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
