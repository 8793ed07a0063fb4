"""genpost batch --provider-batch against the fake Batch API: one batch per step, every status and
per-line fault, restarts in the middle of a batch, expired batches, the budget, and the offline
loop through files answered by the vllm run-batch stand-in."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from generator.llm.batch_api import BatchAPI
from generator.llm.batch_engine import BatchEngine, EngineOptions
from generator.llm.ledger import Ledger
from generator.retry import RetryPolicy

from .conftest import DATA, MITTELSTAND, ROOT
from .support.fake_openai import BatchOptions, BatchPlan, FakeHTTPError, FakeOpenAI
from .support.fake_vllm_batch import run_batch as vllm_run_batch
from .support.ledger_view import calls as ledger_calls
from .support.llm_responder import mock_responder

GPT = "gpt-4o-mini"  # a model with a price, so live and batch costs can be compared
KEYWORDS = ["Zeiterfassung im Handwerk", "Kühlräume in Großbäckereien", "Digitalisierung im Handwerk"]
SMALL = DATA / "small.yaml"


def keywords_csv(tmp_path: Path, keywords: list[str] = KEYWORDS) -> Path:
    path = tmp_path / "k.csv"
    path.write_text("keyword\n" + "\n".join(keywords) + "\n", encoding="utf-8")
    return path


def args(csv_path: Path, out: Path, fake: FakeOpenAI | None, *extra, brief: Path = MITTELSTAND) -> list:
    endpoint = ["--base-url", fake.url, "--api-key", "sk-test"] if fake is not None else []
    return ["batch", csv_path, "--brief", brief, "--out", out, "--model", GPT, *endpoint, "--check-workers", "0",
            "--poll-interval", "0", *extra]


def report(out: Path) -> dict:
    return json.loads((out / "batch-report.json").read_text(encoding="utf-8"))


def rows(out: Path) -> list[dict]:
    with (out / "batch-report.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def sent_messages(bodies) -> Counter:
    return Counter(json.dumps(b["messages"], sort_keys=True, ensure_ascii=False) for b in bodies)


def batch_bodies(fake: FakeOpenAI) -> list[dict]:
    """The body of every line the fake answered with 200 (what was paid for)."""
    return [r["body"] for r in fake.batch_lines if r["paid"]]


def created(fake: FakeOpenAI) -> int:
    return sum(1 for m, p, s in fake.batch_api_calls if (m, p, s) == ("POST", "/batches", 200))


def total(out: Path, field: str) -> float:
    return round(sum(r[field] or 0.0 for r in report(out)["rows"]), 6)


def test_each_step_is_one_batch_and_costs_half_of_live(cli, tmp_path):
    csv_path = keywords_csv(tmp_path)
    with FakeOpenAI(mock_responder()) as live:
        code, stdout, stderr = cli(*args(csv_path, tmp_path / "live", live))
        live_bodies = [r for r in live.requests if r["_status"] == 200]
    assert code == 0, stdout + stderr

    with FakeOpenAI(mock_responder()) as fake:
        code, stdout, stderr = cli(*args(csv_path, tmp_path / "batch", fake, "--provider-batch"))
        bodies, batches = batch_bodies(fake), [fake.batch(b) for b in fake.batches_created]
        paid = fake.paid_counts()
        assert fake.requests == []  # nothing was asked live
    assert code == 0, stdout + stderr
    assert {r["status"] for r in rows(tmp_path / "batch")} == {"passed"}
    # The same requests as live, each paid once: the batch run is the live run, answered later.
    assert sent_messages(bodies) == sent_messages(live_bodies)
    assert paid and max(paid.values()) == 1
    # One batch per step: all plans (and image prompts), then all sections, then each repair round.
    steps = [b["metadata"]["genpost_steps"] for b in batches]
    counts = dict(zip(steps, (b["request_counts"]["total"] for b in batches)))
    assert steps[0] == "plan" and "section" in steps and len(steps) == len(set(steps)) >= 3
    assert all(re.fullmatch(r"(rewrite|addition|redraft):\d+", s) for s in steps[steps.index("section") + 1:])
    assert counts["plan"] == 3 and counts["section"] == 3 * 9  # mittelstand: 7 sections + intro and conclusion
    assert all(b["status"] == "completed" for b in batches)
    # Half the price for the same tokens.
    live_cost, batch_cost = total(tmp_path / "live", "cost_usd"), total(tmp_path / "batch", "cost_usd")
    assert live_cost > 0 and abs(batch_cost - live_cost / 2) < 1e-5, (live_cost, batch_cost)
    assert total(tmp_path / "batch", "batch_cost_usd") == batch_cost and total(tmp_path / "live", "batch_cost_usd") == 0
    assert sum(r["tokens"] for r in report(tmp_path / "batch")["rows"]) == sum(
        r["tokens"] for r in report(tmp_path / "live")["rows"])
    assert "$0.0000 live" in stdout and "at batch prices" in stdout
    post = json.loads(next((tmp_path / "batch").glob("*/report.json")).read_text(encoding="utf-8"))
    assert post["llm"]["batch_calls"] == post["llm"]["calls"] and post["llm"]["live_cost_usd"] == 0

    code, out, _ = cli("costs", tmp_path / "batch", "--json")
    by_model = json.loads(out)["model"]
    assert code == 0 and [(m["group"], m["live_cost_usd"]) for m in by_model] == [(GPT, 0.0)]
    assert abs(by_model[0]["batch_cost_usd"] - batch_cost) < 1e-5
    code, out, _ = cli("costs", tmp_path / "live", "--json")
    assert abs(json.loads(out)["model"][0]["live_cost_usd"] - live_cost) < 1e-5
    code, out, _ = cli("log", tmp_path / "batch", "--post", "zeiterfassung-handwerk", "--json")
    logged = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and logged[0]["purpose"] == "plan" and {c["post"] for c in logged} == {"zeiterfassung-handwerk"}
    assert all(c["mode"] == "batch" and c["batch"] in fake.batches_created for c in logged)
    code, out, _ = cli("batch", "--status", tmp_path / "batch")
    assert code == 0 and all(b in out.replace("\n", "") or b[:20] in out for b in fake.batches_created)
    assert "posts by step: 3 passed" in out


def test_every_batch_status_and_line_fault_ends_with_every_post_done_and_nothing_paid_twice(cli, tmp_path):
    # The plans meet a batch that fails validation, one that expires and one that is cancelled;
    # the answered lines meet every per-line fault the API has, content faults included.
    script = [BatchPlan(end="failed", error_code="token_limit_exceeded", error_message="Enqueued token limit reached."),
              BatchPlan(end="expired", finished=1), BatchPlan(end="cancelled", finished=1)]
    faults = ["429", "timeout", "status0", "missing", "truncated_line", "429_in_output", "500_in_output", "503",
              "500", "empty", "refusal", "fenced"]
    options = BatchOptions(script=script, line_faults_script=list(faults), polls_per_state=2)
    with FakeOpenAI(mock_responder(), batch=options) as fake:
        code, stdout, stderr = cli(*args(keywords_csv(tmp_path), tmp_path / "o", fake, "--provider-batch", brief=SMALL))
        ends = [fake.batch(b)["status"] for b in fake.batches_created]
        answered = list(fake.batch_lines)
        paid = fake.paid_counts()
        paid_messages = fake.paid_counts("messages")
        assert fake.requests == []
    assert code == 0, stdout + stderr
    assert {r["status"] for r in rows(tmp_path / "o")} == {"passed"}
    assert ends[:3] == ["failed", "expired", "cancelled"] and set(ends[3:]) == {"completed"}
    assert [r["fault"] for r in answered[: len(faults)]] == faults  # every fault was met ...
    # ... and nothing was paid twice, but for the one line the provider wrote cut off: paid for,
    # yet no answer can be read from it, so it is asked again (and the ledger logs why).
    [cut] = [r["custom_id"] for r in answered if r["fault"] == "truncated_line"]
    assert {k for k, n in paid.items() if n > 1} == {cut} and paid[cut] == 2
    assert max(paid_messages.values()) == 2 and sum(n > 1 for n in paid_messages.values()) == 1
    for status in ("validating", "in_progress", "finalizing", "completed", "failed", "expired", "cancelled"):
        assert f": {status} (" in stderr, status  # genpost saw each state while polling
    assert "to ask again" in stderr
    with Ledger(tmp_path / "o" / "genpost.db") as ledger:
        states = dict(ledger.query("SELECT status, COUNT(*) FROM calls GROUP BY status").fetchall())
    assert set(states) == {"answered"}


def read_until(proc: subprocess.Popen, needle: bytes, seconds: float = 120) -> bytes:
    """Read the process's stderr until a line holds `needle`; fail after `seconds` (no sleeping)."""
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    seen, deadline = b"", time.monotonic() + seconds
    try:
        while needle not in seen:
            left = deadline - time.monotonic()
            if left <= 0 or not selector.select(left):
                raise AssertionError(f"no {needle!r} within {seconds} s: {seen[-2000:]!r}")
            chunk = os.read(proc.stderr.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"stderr closed before {needle!r}: {seen[-2000:]!r}")
            seen += chunk
    finally:
        selector.close()
    return seen


def genpost_cmd(csv_path: Path, out: Path, fake: FakeOpenAI, *extra) -> list[str]:
    return [sys.executable, "-m", "generator", *map(str, args(csv_path, out, fake, "--provider-batch", *extra,
                                                              brief=SMALL))]


def clean_env() -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI", "GENPOST"))}


@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_a_restart_in_the_middle_of_a_batch_polls_that_batch_instead_of_sending_it_again(cli, tmp_path, stop):
    csv_path, out = keywords_csv(tmp_path), tmp_path / "o"
    with FakeOpenAI(mock_responder(), batch=BatchOptions(auto_advance=False)) as fake:
        cmd = genpost_cmd(csv_path, out, fake, "--poll-interval", "0.02")
        proc = subprocess.Popen(cmd, cwd=ROOT, env=clean_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                start_new_session=True, bufsize=0)
        try:
            read_until(proc, b": validating (")  # the plans' batch is created and polled
            [first] = fake.batches_created
            assert fake.advance_batches(first) == {first: "in_progress"}  # the provider works on while genpost is down
            os.killpg(proc.pid, stop)
            rest = proc.stderr.read()
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        if stop == signal.SIGINT:
            assert proc.returncode == 130 and b"interrupted" in rest
        else:
            assert proc.returncode == -signal.SIGKILL

        code, status, _ = cli("batch", "--status", out)  # the ledger's view: the state last polled
        assert code == 0 and "validating" in status and "posts by step: 3 plan" in status
        assert "requests: 3 submitted" in status

        before = len(fake.batch_api_calls)
        fake.batch_options.auto_advance = True
        done = subprocess.run(cmd, cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=300)
        after = fake.batch_api_calls[before:]
        steps = [fake.batch(b)["metadata"]["genpost_steps"] for b in fake.batches_created]
        paid = fake.paid_counts()
    assert done.returncode == 0, done.stderr
    assert ("GET", f"/batches/{first}", 200) in after  # the running batch was polled ...
    assert steps == ["plan", "section"]  # ... not sent again: one batch per step all told
    assert max(paid.values()) == 1 and sum(paid.values()) == 3 + 3 * 4
    assert {r["status"] for r in rows(out)} == {"passed"}


class CrashAfterCreate(BatchAPI):
    """Creates the batch at the provider, then dies before genpost can note its id."""

    async def create(self, input_file_id, metadata):
        await super().create(input_file_id, metadata)
        raise SystemExit("killed")


def test_a_batch_created_just_before_a_crash_is_found_by_its_input_file(tmp_path):
    from generator.llm.base import Message, Request

    requests = [Request(messages=[Message(role="user", content=f"Abschnitt {i}")], purpose=f"section:{i}")
                for i in range(4)]
    fast = RetryPolicy(attempts=2, total_seconds=5, initial=0.01, maximum=0.02)

    async def first_run(url: str) -> None:
        api = CrashAfterCreate(api_key="sk-test", base_url=url, policy=fast)
        with Ledger(tmp_path / "genpost.db") as ledger:
            engine = BatchEngine(ledger, GPT, api=api, options=EngineOptions(poll_seconds=0))
            for r in requests:
                ledger.defer(GPT, r, post="p", max_tries=3)
            with pytest.raises(SystemExit):
                await engine.submit()
            await api.aclose()

    async def second_run(url: str) -> None:
        api = BatchAPI(api_key="sk-test", base_url=url, policy=fast)
        with Ledger(tmp_path / "genpost.db") as ledger:
            engine = BatchEngine(ledger, GPT, api=api, options=EngineOptions(poll_seconds=0))
            assert await engine.submit() == 0  # nothing queued: the lines are in the batch found again
            await engine.wait()
            assert all(ledger.get(GPT, r) is not None for r in requests)
            await api.aclose()

    with FakeOpenAI(lambda body: "Antwort.") as fake:
        asyncio.run(first_run(fake.url))
        assert len(fake.batches_created) == 1
        asyncio.run(second_run(fake.url))
        assert len(fake.batches_created) == 1 and max(fake.paid_counts().values()) == 1
        assert ("GET", "/batches", 200) in fake.batch_api_calls  # found through the list


def first_of(step: str, plan: BatchPlan):
    """A plan_for the fake: `plan` for the first batch of `step` (by genpost's metadata), else none."""
    used: list[str] = []

    def plan_for(request: dict) -> BatchPlan | None:
        if (request.get("metadata") or {}).get("genpost_steps") == step and not used:
            used.append(step)
            return plan
        return None

    return plan_for


def test_an_expired_batch_keeps_its_finished_lines_and_sends_only_the_rest(cli, tmp_path):
    # the sections' batch expires with 10 of its 27 lines done
    options = BatchOptions(plan_for=first_of("section", BatchPlan(end="expired", finished=10)))
    with FakeOpenAI(mock_responder(), batch=options) as fake:
        code, stdout, stderr = cli(*args(keywords_csv(tmp_path), tmp_path / "o", fake, "--provider-batch"))
        sections = [fake.batch(b) for b in fake.batches_created if fake.batch(b)["metadata"]["genpost_steps"] == "section"]
        expired, again = sections
        finished = {json.loads(x)["custom_id"] for x in fake.file_content(expired["output_file_id"]).splitlines()}
        leftover = {json.loads(x)["custom_id"] for x in fake.file_content(expired["error_file_id"]).splitlines()}
        resent = {json.loads(x)["custom_id"] for x in fake.file_content(again["input_file_id"]).splitlines()}
        paid = fake.paid_counts()
    assert code == 0, stdout + stderr
    assert expired["status"] == "expired" and expired["request_counts"]["completed"] == 10
    assert len(finished) == 10 and len(leftover) == 17 and resent == leftover  # only the unfinished lines again
    assert again["metadata"]["genpost_steps"] == "section" and max(paid.values()) == 1
    assert {r["status"] for r in rows(tmp_path / "o")} == {"passed"}


def test_finish_live_asks_the_unanswered_lines_live_at_the_live_price(cli, tmp_path):
    options = BatchOptions(plan_for=first_of("section", BatchPlan(end="expired", finished=20)))
    with FakeOpenAI(mock_responder(), batch=options) as fake:
        code, stdout, stderr = cli(*args(keywords_csv(tmp_path), tmp_path / "o", fake, "--provider-batch",
                                         "--finish-live"))
        live = [r for r in fake.requests if r["_status"] == 200]
        steps = [fake.batch(b)["metadata"]["genpost_steps"] for b in fake.batches_created]
        paid = fake.paid_counts("messages")
    assert code == 0, stdout + stderr
    assert len(live) == 7 and steps.count("section") == 1  # the 7 unfinished lines went live, not in a batch
    assert not set(sent_messages(live)) & set(paid)  # asked live instead of in a batch, never both
    modes = Counter((c["step"], c["mode"]) for c in ledger_calls(tmp_path / "o" / "genpost.db"))
    assert modes[("section", "live")] == 7 and modes[("section", "batch")] == 20
    assert "asked 7 requests live" in stderr
    code, out, _ = cli("costs", tmp_path / "o", "--json")
    [by_model] = json.loads(out)["model"]
    assert by_model["live_cost_usd"] > 0 and by_model["batch_cost_usd"] > 0


def test_large_steps_are_split_below_the_limits(tmp_path):
    from generator.batch import run_batch
    from generator.batch_provider import ProviderRun
    from generator.llm import LLMSettings

    limit = 12_000
    settings = LLMSettings(model=GPT, api_key="sk-test", ledger=tmp_path / "o" / "genpost.db",
                           retry=RetryPolicy(attempts=2, total_seconds=10, initial=0.01, maximum=0.02))
    provider = ProviderRun(options=EngineOptions(poll_seconds=0, max_lines=5, max_bytes=limit))
    with FakeOpenAI(mock_responder(), batch=BatchOptions(max_requests=5, max_file_bytes=limit)) as fake:
        settings = settings.model_copy(update={"base_url": fake.url})
        result = asyncio.run(run_batch(keywords_csv(tmp_path), SMALL, tmp_path / "o", settings, provider=provider))
        inputs = [fake.files[fake.batch(b)["input_file_id"]] for b in fake.batches_created]
        sizes = [len(fake.file_content(f["id"]).splitlines()) for f in inputs]
        statuses = {fake.batch(b)["status"] for b in fake.batches_created}
    assert result.count("passed") == 3 and statuses == {"completed"}
    assert all(f["bytes"] <= limit for f in inputs) and max(sizes) <= 5 and sum(sizes) == 3 + 12
    assert len(inputs) > 1 + 12 // 5  # split by lines and by bytes


def test_structured_output_refused_in_a_batch_is_asked_again_with_the_schema_in_the_prompt(cli, tmp_path):
    with FakeOpenAI(mock_responder(), json_schema_supported=False) as fake:
        code, stdout, stderr = cli(*args(keywords_csv(tmp_path), tmp_path / "o", fake, "--provider-batch",
                                         "--batch-endpoint", "/chat/completions", brief=SMALL))
        lines = list(fake.batch_lines)
        endpoints = {fake.batch(b)["endpoint"] for b in fake.batches_created}
    assert code == 0, stdout + stderr
    refused = {r["custom_id"] for r in lines if r["status_code"] == 400}
    assert len(refused) == 3 and all("response_format" in r["body"] for r in lines if r["custom_id"] in refused
                                     and r["status_code"] == 400)  # the plans, with structured output
    again = [r for r in lines if r["custom_id"] in refused and r["paid"]]
    assert len(again) == 3 and all("response_format" not in r["body"]
                                   and "JSON-Schema" in r["body"]["messages"][-1]["content"] for r in again)
    assert endpoints == {"/chat/completions"}  # Azure's spelling passed through
    assert {r["status"] for r in rows(tmp_path / "o")} == {"passed"}


def test_a_request_the_batch_refuses_ends_its_post_and_the_others_go_on(cli, tmp_path):
    responder = mock_responder()

    async def respond(body: dict):
        if "Kühlräume" in json.dumps(body, ensure_ascii=False):
            raise FakeHTTPError(400, "Invalid prompt", code="invalid_prompt")
        return await responder(body)

    with FakeOpenAI(respond) as fake:
        code, stdout, stderr = cli(*args(keywords_csv(tmp_path), tmp_path / "o", fake, "--provider-batch", brief=SMALL))
        refused = [r for r in fake.batch_lines if r["status_code"] == 400]
    by_slug = {r["slug"]: r for r in rows(tmp_path / "o")}
    assert code == 1 and len(refused) == 1  # refused for good: not sent again
    assert by_slug["kuehlraeume-grossbaeckereien"]["status"] == "error"
    assert "Invalid prompt" in by_slug["kuehlraeume-grossbaeckereien"]["note"]
    assert by_slug["zeiterfassung-handwerk"]["status"] == by_slug["digitalisierung-handwerk"]["status"] == "passed"


def test_offline_steps_go_through_files_that_vllm_run_batch_answers(cli, tmp_path):
    csv_path, out = keywords_csv(tmp_path), tmp_path / "o"
    step, answers = tmp_path / "step.jsonl", tmp_path / "answers.jsonl"
    offline = ["batch", csv_path, "--brief", SMALL, "--out", out, "--model", "served", "--check-workers", "0"]
    code, stdout, stderr = cli(*offline, "--export-requests", step)  # no key, no endpoint: nothing is sent
    assert code == 0, stdout + stderr
    assert {r["status"] for r in rows(out)} == {"waiting"} and "3 posts wait for answers" in stderr
    first = [json.loads(line) for line in step.read_text(encoding="utf-8").splitlines()]
    assert len(first) == 3 and {x["url"] for x in first} == {"/v1/chat/completions"}
    assert {x["body"]["model"] for x in first} == {"served"} and all(x["body"]["response_format"] for x in first)
    loops = 0
    while step.stat().st_size:  # the loop README shows
        stats = vllm_run_batch(step, answers, model="served")
        assert stats.errors == 0
        code, stdout, stderr = cli(*offline, "--import-responses", answers, "--export-requests", step)
        assert code == 0, stdout + stderr
        loops += 1
        assert loops < 6
    assert loops == 2  # the plans, then the sections
    assert {r["status"] for r in rows(out)} == {"passed"}
    modes = Counter(c["mode"] for c in ledger_calls(out / "genpost.db"))
    assert modes == {"import": 3 + 3 * 4}
    # An answer file for requests nobody waits for is named, not taken.
    code, _, stderr = cli(*offline, "--import-responses", answers, "--export-requests", step)
    assert code == 0 and "lines for requests this run does not wait for" in stderr


def test_max_cost_stops_a_live_batch_before_the_budget_and_keeps_the_posts_done(cli, tmp_path):
    keywords = KEYWORDS + ["Cloud-Telefonie im Büro", "Fördermittel für Handwerker"]
    csv_path, out = keywords_csv(tmp_path, keywords), tmp_path / "o"
    budget = 0.005
    with FakeOpenAI(mock_responder()) as fake:
        code, stdout, stderr = cli(*args(csv_path, out, fake, "--jobs", "1", "--max-cost", str(budget), brief=SMALL))
        first = [r for r in fake.requests if r["_status"] == 200]
    statuses = Counter(r["status"] for r in rows(out))
    assert code == 1 and "stopped: the budget of $0.01 (--max-cost) would be exceeded" in stderr.replace("\n", " ")
    assert 0 < statuses["passed"] < len(keywords) and statuses["passed"] + statuses["error"] == len(keywords)
    with Ledger(out / "genpost.db") as ledger:
        assert 0 < ledger.total_cost() <= budget
    with FakeOpenAI(mock_responder()) as fake:  # a higher budget goes on, and pays for nothing twice
        code, stdout, stderr = cli(*args(csv_path, out, fake, "--jobs", "1", "--max-cost", "1", brief=SMALL))
        again = [r for r in fake.requests if r["_status"] == 200]
    assert code == 0, stdout + stderr
    assert not set(sent_messages(again)) & set(sent_messages(first))


def test_max_cost_stops_provider_batches_before_the_budget(cli, tmp_path):
    budget = 0.002
    with FakeOpenAI(mock_responder()) as fake:
        code, stdout, stderr = cli(*args(keywords_csv(tmp_path), tmp_path / "o", fake, "--provider-batch",
                                         "--max-cost", str(budget), brief=SMALL))
        paid = fake.paid_counts()
    statuses = Counter(r["status"] for r in rows(tmp_path / "o"))
    assert code == 1 and "(--max-cost) would be exceeded" in stderr
    assert paid and max(paid.values()) == 1 and statuses["passed"] < 3
    with Ledger(tmp_path / "o" / "genpost.db") as ledger:
        assert 0 < ledger.total_cost() <= budget


def test_what_cannot_work_is_refused_before_anything_is_sent(cli, tmp_path):
    csv_path = keywords_csv(tmp_path)
    code, _, stderr = cli("batch", csv_path, "--brief", SMALL, "--dry-run", "--provider-batch", "--out", tmp_path / "a")
    assert code == 2 and "mock model" in stderr
    code, _, stderr = cli("batch", csv_path, "--brief", SMALL, "--model", "served", "--export-requests",
                          tmp_path / "x.jsonl", "--provider-batch", "--out", tmp_path / "b")
    assert code == 2 and "choose one" in stderr
    code, _, stderr = cli("batch", csv_path, "--brief", SMALL, "--model", "my-own", "--base-url",
                          "http://127.0.0.1:9/v1", "--max-cost", "1", "--out", tmp_path / "c")
    assert code == 2 and "has no price" in stderr
    code, _, stderr = cli("batch", csv_path, "--brief", SMALL, "--model", "served", "--import-responses",
                          tmp_path / "none.jsonl", "--out", tmp_path / "d")
    assert code == 2 and "file not found" in stderr
    code, _, stderr = cli("batch", "--status", tmp_path / "nothing")
    assert code == 2 and "has no ledger" in stderr
    code, _, stderr = cli("batch", "--brief", SMALL)
    assert code == 2 and "CSV" in stderr
    assert not list(tmp_path.glob("*/genpost.db"))


def test_a_refused_batch_endpoint_ends_in_one_line_and_the_rerun_goes_on(cli, tmp_path):
    csv_path, out = keywords_csv(tmp_path), tmp_path / "o"
    with FakeOpenAI(mock_responder(), require_key="sk-right") as fake:
        wrong = args(csv_path, out, fake, "--provider-batch", brief=SMALL)
        code, _, stderr = cli(*wrong)  # the key (sk-test) is refused at the first upload
        assert code == 3 and fake.batches_created == []
        assert "the batch endpoint: the API key was rejected (401)" in stderr and "Traceback" not in stderr
        with Ledger(out / "genpost.db") as ledger:  # the plans wait, queued, untried
            assert ledger.query("SELECT status, tries, COUNT(*) FROM calls GROUP BY status, tries").fetchall() == [
                ("queued", 0, 3)]
        right = [a if a != "sk-test" else "sk-right" for a in wrong]
        code, stdout, stderr = cli(*right)
        paid = fake.paid_counts()
    assert code == 0, stdout + stderr
    assert {r["status"] for r in rows(out)} == {"passed"} and max(paid.values()) == 1
