"""The fake Batch API (files, batches, output and error files) driven by the official openai client,
and the stand-in for ``vllm run-batch``."""

from __future__ import annotations

import json
import subprocess
import sys

import openai
import pytest
from openai.types.chat import ChatCompletion

from tests.conftest import ROOT
from tests.support.fake_openai import BatchOptions, BatchPlan, FakeHTTPError, FakeOpenAI
from tests.support.fake_vllm_batch import run_batch

TERMINAL = {"completed", "failed", "expired", "cancelled"}


def echo(body: dict) -> str:
    return "Antwort auf: " + body["messages"][-1]["content"]


def request_lines(n: int, *, url: str = "/v1/chat/completions", model: str = "fake-model") -> list[dict]:
    return [{"custom_id": f"post-{i}", "method": "POST", "url": url,
             "body": {"model": model, "messages": [{"role": "user", "content": f"Abschnitt {i}"}]}}
            for i in range(n)]


def jsonl(lines: list) -> bytes:
    return "".join((x if isinstance(x, str) else json.dumps(x, ensure_ascii=False)) + "\n" for x in lines).encode()


def parse(data: bytes) -> list[dict]:
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def client(fake: FakeOpenAI, **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url=fake.url, api_key=kw.pop("api_key", "sk-test"), max_retries=0, **kw)


def submit(c: openai.OpenAI, lines: list, endpoint: str = "/v1/chat/completions", **kw):
    f = c.files.create(file=("requests.jsonl", jsonl(lines)), purpose="batch")
    return c.batches.create(input_file_id=f.id, endpoint=endpoint, completion_window="24h", **kw)


def poll(c: openai.OpenAI, batch_id: str, limit: int = 20) -> list:
    seen = []
    for _ in range(limit):
        b = c.batches.retrieve(batch_id)
        seen.append(b)
        if b.status in TERMINAL:
            return seen
    raise AssertionError(f"batch {batch_id} did not end: {[b.status for b in seen]}")


def test_batch_runs_to_completion_through_the_official_client():
    lines = request_lines(12)
    with FakeOpenAI(echo) as fake:
        c = client(fake)
        created = submit(c, lines, metadata={"genpost_step": "plan"})
        assert created.status == "validating" and created.request_counts.total == 0
        assert created.output_file_id is None and created.expires_at == created.created_at + 24 * 3600
        seen = poll(c, created.id)
        b = seen[-1]
        out = c.files.content(b.output_file_id).content
        listed = [x.id for x in c.batches.list()]
        out_meta = c.files.retrieve(b.output_file_id)
        live = c.chat.completions.create(**lines[3]["body"])

    assert [s.status for s in seen] == ["in_progress", "finalizing", "completed"]
    assert seen[1].output_file_id is None  # the files show once the batch is completed
    assert b.request_counts.model_dump() == {"total": 12, "completed": 12, "failed": 0}
    assert b.error_file_id is None and b.metadata == {"genpost_step": "plan"} and b.model == "fake-model"
    assert b.in_progress_at and b.finalizing_at and b.completed_at and b.usage.total_tokens > 0
    assert listed == [created.id] and out_meta.purpose == "batch_output" and out_meta.bytes == len(out)

    results = parse(out)
    assert sorted(r["custom_id"] for r in results) == sorted(x["custom_id"] for x in lines)
    assert [r["custom_id"] for r in results] != [x["custom_id"] for x in lines]  # order is not kept
    for r in results:
        assert set(r) == {"id", "custom_id", "response", "error"} and r["error"] is None
        assert r["id"].startswith("batch_req_") and r["response"]["request_id"].startswith("req_")
        assert r["response"]["status_code"] == 200
        completion = ChatCompletion.model_validate(r["response"]["body"])
        n = r["custom_id"].removeprefix("post-")
        assert completion.choices[0].message.content == f"Antwort auf: Abschnitt {n}"  # the live responder
    assert live.choices[0].message.content == "Antwort auf: Abschnitt 3"
    assert len(fake.requests) == 1  # batch lines are not live requests ...
    assert fake.paid_counts() == {x["custom_id"]: 1 for x in lines}  # ... but each was paid once
    assert fake.batches_created == [created.id] and len(fake.batch_lines) == 12


def test_expired_batch_delivers_its_finished_lines_and_names_the_rest():
    lines = request_lines(10)
    with FakeOpenAI(echo, batch=BatchOptions(script=[BatchPlan(end="expired", finished=3)])) as fake:
        c = client(fake)
        b = poll(c, submit(c, lines).id)[-1]
        out, err = parse(c.files.content(b.output_file_id).content), parse(c.files.content(b.error_file_id).content)

    assert b.status == "expired" and b.expired_at and b.completed_at is None
    assert b.request_counts.model_dump() == {"total": 10, "completed": 3, "failed": 0}  # as observed on OpenAI
    assert len(out) == 3 and all(r["response"]["status_code"] == 200 for r in out)
    assert len(err) == 7 and {r["custom_id"] for r in out} | {r["custom_id"] for r in err} == {
        x["custom_id"] for x in lines}
    assert all(r["response"] is None and r["error"]["code"] == "batch_expired" for r in err)
    assert sum(fake.paid_counts().values()) == 3  # only the finished lines were paid


def test_expired_leftovers_can_be_absent_and_a_test_can_expire_a_running_batch():
    lines = request_lines(8)
    with FakeOpenAI(echo, batch=BatchOptions(unfinished_to_error_file=False)) as fake:
        c = client(fake)
        bid = submit(c, lines).id
        assert c.batches.retrieve(bid).status == "in_progress"
        fake.expire_batch(bid, finished=0.25)
        b = c.batches.retrieve(bid)  # an ended batch does not move any more
        out = parse(c.files.content(b.output_file_id).content)

    assert b.status == "expired" and b.error_file_id is None and len(out) == 2


def test_line_faults_land_where_the_api_puts_them():
    script = ["429", None, "500", "429_in_output", "timeout", "missing", "status0", "refusal", "truncated_line"]
    lines = request_lines(len(script))
    with FakeOpenAI(echo, batch=BatchOptions(line_faults_script=list(script), shuffle_output=False)) as fake:
        c = client(fake)
        b = poll(c, submit(c, lines).id)[-1]
        out_text = c.files.content(b.output_file_id).text
        err = {r["custom_id"]: r for r in parse(c.files.content(b.error_file_id).content)}

    out_lines = out_text.splitlines()
    with pytest.raises(json.JSONDecodeError):
        json.loads(out_lines[-1])  # the truncated line
    out = {r["custom_id"]: r for r in map(json.loads, out_lines[:-1])}
    assert set(out) == {"post-1", "post-3", "post-7"} and set(err) == {"post-0", "post-2", "post-4", "post-6"}
    assert err["post-0"]["response"]["status_code"] == 429 and err["post-0"]["error"] is None
    assert err["post-0"]["response"]["body"]["error"]["code"] == "rate_limit_exceeded"
    assert err["post-2"]["response"]["status_code"] == 500 and err["post-2"]["response"]["body"]["error"]["message"]
    assert out["post-3"]["response"]["status_code"] == 429  # an error line in the output file
    assert err["post-4"]["response"] is None and err["post-4"]["error"]["code"] == "request_timeout"
    assert err["post-6"]["response"] == {"status_code": 0, "request_id": "", "body": {}}
    assert out["post-7"]["response"]["body"]["choices"][0]["message"]["content"] == "Es tut mir leid, aber dabei kann ich nicht helfen."
    # completed: 200s (1, 7, 8) plus the lines the provider thinks went fine (missing 5, status0 6)
    assert b.request_counts.model_dump() == {"total": 9, "completed": 5, "failed": 4}
    assert fake.paid_counts() == {"post-1": 1, "post-7": 1, "post-8": 1}
    assert [r["fault"] for r in fake.batch_lines] == script


def test_line_fault_rate_is_seeded():
    def faulted(seed: int) -> dict:
        with FakeOpenAI(echo, seed=seed, batch=BatchOptions(line_fault_rate=0.3)) as fake:
            c = client(fake)
            poll(c, submit(c, request_lines(40)).id)
            return {r["custom_id"]: r["fault"] for r in fake.batch_lines}

    first, again, other = faulted(5), faulted(5), faulted(6)
    assert first == again and first != other
    assert set(first.values()) == {None, "429", "500"} and 4 < sum(v is not None for v in first.values()) < 24


def test_cancel_keeps_finished_lines_and_cancelling_an_ended_batch_is_refused():
    lines = request_lines(6)
    with FakeOpenAI(echo, batch=BatchOptions(partial_fraction=0.5)) as fake:
        c = client(fake)
        bid = submit(c, lines).id
        assert c.batches.retrieve(bid).status == "in_progress"
        cancelling = c.batches.cancel(bid)
        again = c.batches.cancel(bid)
        b = c.batches.retrieve(bid)
        out, err = parse(c.files.content(b.output_file_id).content), parse(c.files.content(b.error_file_id).content)
        early = submit(c, lines).id  # cancelled while validating: nothing ran
        c.batches.cancel(early)
        e = poll(c, early)[-1]
        with pytest.raises(openai.BadRequestError):
            c.batches.cancel(bid)

    assert cancelling.status == again.status == "cancelling" and cancelling.cancelling_at
    assert b.status == "cancelled" and b.cancelled_at and len(out) == 3 and len(err) == 3
    assert all(r["error"]["code"] == "batch_cancelled" for r in err)
    assert e.status == "cancelled" and e.output_file_id is None and e.request_counts.total == 6
    assert len(parse(fake.file_content(e.error_file_id))) == 6 and sum(fake.paid_counts().values()) == 3


def test_invalid_input_fails_the_batch_with_line_errors():
    good = request_lines(3)
    bad = [good[0], "{not json", good[0], dict(good[1], url="/v1/embeddings"),
           dict(good[2], body=dict(good[2]["body"], model="other-model"))]
    quota = BatchPlan(end="failed", error_code="token_limit_exceeded",  # openai/openai-python#2084
                      error_message="Enqueued token limit reached for fake-model in organization org-x.")
    with FakeOpenAI(echo, batch=BatchOptions(script=[None, None, quota])) as fake:
        c = client(fake)
        b = poll(c, submit(c, bad).id)[-1]
        empty = poll(c, submit(c, []).id)[-1]
        scripted = poll(c, submit(c, good).id)[-1]
        with pytest.raises(openai.BadRequestError):
            c.batches.create(input_file_id="file-nope", endpoint="/v1/chat/completions", completion_window="24h")
        with pytest.raises(openai.BadRequestError):
            submit(c, good, metadata={f"k{i}": "v" for i in range(17)})

    assert b.status == "failed" and b.failed_at and b.output_file_id is None and b.error_file_id is None
    assert [(e.code, e.line) for e in b.errors.data] == [
        ("invalid_json_line", 2), ("duplicate_custom_id", 3), ("url_mismatch", 4), ("model_mismatch", 5)]
    assert [e.code for e in empty.errors.data] == ["empty_file"]
    assert scripted.status == "failed" and scripted.errors.data[0].code == "token_limit_exceeded"
    assert fake.batch_lines == []  # nothing of a failed batch was answered


def test_limits_on_requests_and_file_size():
    with FakeOpenAI(echo, batch=BatchOptions(max_requests=3, max_file_bytes=2000)) as fake:
        c = client(fake)
        b = poll(c, submit(c, request_lines(4)).id)[-1]
        with pytest.raises(openai.BadRequestError, match="too large"):
            c.files.create(file=("big.jsonl", jsonl(request_lines(30))), purpose="batch")
        with pytest.raises(openai.BadRequestError, match="jsonl"):
            c.files.create(file=("requests.csv", b"a;b\n"), purpose="batch")
    assert b.status == "failed" and [e.code for e in b.errors.data] == ["too_many_tasks"]


def test_state_survives_a_client_restart_and_a_server_restart_on_the_same_port():
    lines = request_lines(5)
    fake = FakeOpenAI(echo).start()
    try:
        first = client(fake)
        bid = submit(first, lines).id
        assert first.batches.retrieve(bid).status == "in_progress"
        first.close()  # genpost killed mid-batch
        url = fake.url
        fake.stop()
        fake.start()  # the same object, the same port: the same batches
        second = client(fake)
        b = poll(second, bid)[-1]
        out = parse(second.files.content(b.output_file_id).content)
    finally:
        fake.stop()
    assert fake.url == url and b.status == "completed" and len(out) == 5
    assert fake.paid_counts() == {x["custom_id"]: 1 for x in lines}
    assert sum(1 for m, p, _ in fake.batch_api_calls if (m, p) == ("POST", "/batches")) == 1


def test_a_test_can_drive_batches_by_hand():
    with FakeOpenAI(echo, batch=BatchOptions(auto_advance=False)) as fake:
        c = client(fake)
        one, two = submit(c, request_lines(2)).id, submit(c, request_lines(3)).id
        assert c.batches.retrieve(one).status == "validating"  # polling alone does not move it
        assert fake.advance_batches() == {one: "in_progress", two: "in_progress"}
        assert fake.advance_batches(one, steps=2) == {one: "completed"}
        fake.plan_batch(two, BatchPlan(end="expired", finished=1))
        assert fake.finish_batches() == {one: "completed", two: "expired"}
        page = c.batches.list(limit=1)
        assert page.has_more and page.data[0].id == two  # newest first
        assert [b.id for b in c.batches.list(limit=1)] == [two, one]  # the client follows the cursor


def test_slow_batches_need_more_polls():
    with FakeOpenAI(echo, batch=BatchOptions(polls_per_state=3)) as fake:
        c = client(fake)
        seen = poll(c, submit(c, request_lines(2)).id)
    assert [s.status for s in seen] == ["validating", "validating", "in_progress"] + [
        "in_progress", "in_progress", "finalizing", "finalizing", "finalizing", "completed"]


def test_faults_on_the_batch_api_itself_and_the_api_key():
    with FakeOpenAI(echo, require_key="sk-right", batch=BatchOptions(api_faults_script=[None, None, "500", "drop"])) as fake:
        with pytest.raises(openai.AuthenticationError):
            client(fake, api_key="sk-wrong").files.list()
        c = client(fake, api_key="sk-right")
        bid = submit(c, request_lines(2)).id
        with pytest.raises(openai.InternalServerError):
            c.batches.retrieve(bid)
        with pytest.raises(openai.APIConnectionError):
            c.batches.retrieve(bid)
        assert c.batches.retrieve(bid).status == "in_progress"  # the faulted polls did not move it


def test_azure_spelling_and_an_empty_error_file():
    with FakeOpenAI(echo, batch=BatchOptions(empty_error_file=True)) as fake:
        c = client(fake)
        b = poll(c, submit(c, request_lines(2, url="/chat/completions", model="my-deployment"),
                           endpoint="/chat/completions").id)[-1]
        err = c.files.content(b.error_file_id).content
    assert b.status == "completed" and b.model == "my-deployment" and err == b""


def test_responder_errors_and_unsupported_schemas_become_error_lines():
    def picky(body: dict) -> str:
        if "2" in body["messages"][-1]["content"]:
            raise FakeHTTPError(400, "Nope", code="invalid_prompt")
        return "ok"

    lines = request_lines(3)
    lines[0]["body"]["response_format"] = {"type": "json_schema", "json_schema": {"name": "x", "schema": {}}}
    with FakeOpenAI(picky, json_schema_supported=False) as fake:
        c = client(fake)
        b = poll(c, submit(c, lines).id)[-1]
        err = {r["custom_id"]: r["response"] for r in parse(c.files.content(b.error_file_id).content)}
    assert err["post-0"]["status_code"] == 400 and err["post-0"]["body"]["error"]["param"] == "response_format"
    assert err["post-2"]["body"]["error"]["code"] == "invalid_prompt"
    assert b.request_counts.completed == 1 and b.request_counts.failed == 2


# ---------------------------------------------------------------------- vllm run-batch stand-in
def test_vllm_stand_in_writes_run_batch_lines_in_input_order(tmp_path):
    lines = request_lines(4, model="served")
    lines[1]["url"] = "/chat/completions"  # vLLM compares the exact URL
    lines[2]["body"]["model"] = "unknown"
    (tmp_path / "in.jsonl").write_bytes(jsonl(lines))
    stats = run_batch(tmp_path / "in.jsonl", tmp_path / "out.jsonl", echo, model="served")
    text = (tmp_path / "out.jsonl").read_text(encoding="utf-8")
    out = [json.loads(line) for line in text.splitlines()]

    assert stats.lines == 4 and stats.ok == 2 and stats.errors == 2
    assert [r["custom_id"] for r in out] == [x["custom_id"] for x in lines]
    assert text.startswith('{"id":"vllm-') and '", "' not in text.splitlines()[0]  # compact like model_dump_json
    ok = out[0]
    assert ok["id"].startswith("vllm-") and ok["error"] is None
    assert ok["response"]["status_code"] == 200 and ok["response"]["request_id"].startswith("vllm-batch-")
    assert ChatCompletion.model_validate(ok["response"]["body"]).choices[0].message.content == "Antwort auf: Abschnitt 0"
    assert out[1]["response"] == {"status_code": 400, "request_id": out[1]["response"]["request_id"], "body": None}
    assert out[1]["error"].startswith("URL /chat/completions was used.")
    assert out[2]["response"]["status_code"] == 404 and out[2]["response"]["body"] is None
    assert out[2]["error"]["error"]["code"] == 404 and out[2]["error"]["error"]["type"] == "NotFoundError"


def test_vllm_stand_in_cli_uses_the_mock_model_and_stops_at_a_bad_line(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(jsonl(request_lines(2)))
    run = subprocess.run([sys.executable, "-m", "tests.support.fake_vllm_batch", "-i", str(tmp_path / "in.jsonl"),
                          "-o", str(tmp_path / "out.jsonl"), "--model", "fake-model", "--max-model-len", "4096"],
                         cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    out = parse((tmp_path / "out.jsonl").read_bytes())
    assert [r["response"]["status_code"] for r in out] == [200, 200]
    assert all(r["response"]["body"]["choices"][0]["message"]["content"] for r in out)

    (tmp_path / "bad.jsonl").write_bytes(jsonl([request_lines(1)[0], "{oops"]))
    run = subprocess.run([sys.executable, "-m", "tests.support.fake_vllm_batch", "-i", str(tmp_path / "bad.jsonl"),
                          "-o", str(tmp_path / "bad_out.jsonl")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1 and "line 2" in run.stderr
    assert len(parse((tmp_path / "bad_out.jsonl").read_bytes())) == 1  # the partial output vLLM leaves


def test_vllm_stand_in_legacy_shape(tmp_path):
    (tmp_path / "in.jsonl").write_bytes(jsonl(request_lines(1)))
    run_batch(tmp_path / "in.jsonl", tmp_path / "out.jsonl", echo, legacy=True)
    (line,) = parse((tmp_path / "out.jsonl").read_bytes())
    assert line["response"]["object"] == "chat.completion" and "status_code" not in line["response"]


# ---------------------------------------------------------------------- the server as a process
def test_served_fake_answers_batches_and_commands(tmp_path):
    server = subprocess.Popen([sys.executable, "-m", "tests.support.serve_fake_openai", "--batch-manual"],
                              cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        c = openai.OpenAI(base_url=url, api_key="sk-test", max_retries=0)
        bid = submit(c, request_lines(4)).id

        def command(line: str):
            server.stdin.write(line + "\n")
            server.stdin.flush()
            return json.loads(server.stdout.readline())

        assert command(f"advance {bid}") == {bid: "in_progress"}
        assert command(f"expire {bid} 1")["status"] == "expired"
        b = c.batches.retrieve(bid)
        assert len(parse(c.files.content(b.output_file_id).content)) == 1
        assert command("stats")["paid_lines"] == 1
        c.close()
        server.stdin.close()
        final = json.loads(server.stdout.readline())
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
    assert final["batches"] == 1 and final["paid_twice"] == [] and final["batch_status"] == {bid: "expired"}
    assert final["requests"] == 0
