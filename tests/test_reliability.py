"""Reliability: faults of the endpoint, bad answers, unsafe answers, the answer journal."""

import json
from pathlib import Path

import pytest

from generator.brief import load_brief
from generator.checks import run_checks
from generator.llm.errors import TransientError
from generator.post import read_post
from generator.retry import RetryPolicy, _WaitRetryAfter

from .conftest import DATA, MITTELSTAND, without_images
from .support.blockparser import parse_with_wordpress, stray_freeform, wordpress_parser_unavailable_reason
from .support.fake_openai import FakeOpenAI
from .support.ledger_view import kept_answers, ledger_rows
from .support.llm_responder import mock_responder

SMALL = DATA / "small.yaml"
FAST = ["--timeout", "1", "--retries", "8", "--retry-time", "60"]


def run_against(cli, fake, out, brief=SMALL, *extra):
    return cli("--brief", brief, "--base-url", fake.url, "--api-key", "sk-test", "--out", out, *extra)


def the_report(out: Path) -> dict:
    [path] = [p for p in out.glob("*/report.json")]
    return json.loads(path.read_text(encoding="utf-8"))


def test_thirty_percent_faults_still_complete_and_pass(cli, tmp_path):
    faults = ("429", "500", "hang", "drop", "truncated_json", "empty", "fenced")
    with FakeOpenAI(mock_responder(), fault_rate=0.3, faults=faults, seed=7, hang_seconds=3) as fake:
        code, stdout, stderr = run_against(cli, fake, tmp_path, MITTELSTAND, *FAST)
        injected = dict(fake.fault_counts)
    assert code == 0, stdout + stderr
    report = the_report(tmp_path)
    assert report["status"] == "passed"
    assert sum(injected.values()) >= 4, injected
    transient = sum(injected.get(k, 0) for k in ("429", "500", "hang", "drop", "truncated_json"))
    assert report["llm"]["retries"] >= transient  # every transport fault was retried
    assert report["llm"]["requests"] > report["llm"]["calls"]


def test_all_faults_stop_after_their_retries_with_exit_3_and_a_rerun_reuses_the_journal(cli, tmp_path):
    # The plan and three sections are answered, then every request fails.
    brief = without_images(MITTELSTAND, tmp_path)
    with FakeOpenAI(mock_responder(), faults_script=[None] * 4, fault_rate=1.0, faults=("500",)) as fake:
        code, _, stderr = run_against(cli, fake, tmp_path, brief, "--timeout", "1", "--retries", "2",
                                      "--retry-time", "5")
        answered = [r for r in fake.requests if r["_status"] == 200]
        tries: dict[str, int] = {}
        for r in fake.requests:
            if r["_status"] != 200:
                key = json.dumps(r["messages"], sort_keys=True)
                tries[key] = tries.get(key, 0) + 1
    assert code == 3
    assert tries and max(tries.values()) <= 3  # --retries 2: each request at most three times
    last = stderr.strip().splitlines()[-1]  # after the progress lines, one line says what happened
    assert "did not answer after retries" in last and "server error (500)" in last and "work so far" in last
    report = the_report(tmp_path)
    assert report["status"] == "error" and report["plan"] is not None
    folder = next(tmp_path.glob("*/report.json")).parent
    draft = json.loads((folder / "draft.json").read_text(encoding="utf-8"))
    assert sum(1 for s in draft["sections"] if s["paragraphs"]) == 3  # the sections that were answered
    journal = kept_answers(tmp_path / "genpost.db")
    assert len(journal) == len(answered) == 4

    with FakeOpenAI(mock_responder()) as healthy:
        code, stdout, stderr = run_against(cli, healthy, tmp_path, brief)
        resent = [r for r in healthy.requests if r["messages"] in [a["messages"] for a in answered]]
    assert code == 0, stdout + stderr
    assert resent == []
    assert the_report(tmp_path)["llm"]["cached"] == 4


@pytest.mark.parametrize("status,message", [(401, "the API key was rejected (401)"), (404, "not found (404)")])
def test_refusals_are_not_retried_and_end_in_one_line_exit_3(cli, tmp_path, status, message):
    if status == 401:
        fake = FakeOpenAI(mock_responder(), require_key="sk-right")
    else:
        from .support.fake_openai import FakeHTTPError

        def missing(body):
            raise FakeHTTPError(404, "The model `gpt-9` does not exist", code="model_not_found")

        fake = FakeOpenAI(missing)
    with fake:
        code, _, stderr = run_against(cli, fake, tmp_path, SMALL)
        requests = len(fake.requests)
    assert code == 3 and message in stderr.strip().splitlines()[-1]
    assert requests <= 1  # no retries
    assert "sk-test" not in stderr


def bad_section_responder(kinds, skip):
    """Mock answers, but section answers after the first `skip` come back broken in the given ways."""
    base = mock_responder()
    remaining = list(kinds)
    seen = [0]

    async def respond(body):
        text = await base(body)
        last = body["messages"][-1]["content"]
        if last.startswith("Schreibe den Abschnitt"):
            seen[0] += 1
        if last.startswith("Schreibe den Abschnitt") and remaining and seen[0] > skip:
            kind = remaining.pop(0)
            return {"markdown": "## Überschrift\n\n**Fett** gesetzt: " + text,
                    "preamble": "Hier ist der Abschnitt:\n" + text}[kind]
        return text

    return respond


def test_bad_answers_are_cleaned_or_asked_again_and_counted(cli, tmp_path):
    script = [None, "english", "refusal", "empty", "fenced", "length"]
    # The script's faults hit the plan's successor requests; markdown and preamble come after them.
    with FakeOpenAI(bad_section_responder(["markdown", "preamble"], skip=len(script)), faults_script=script) as fake:
        code, stdout, stderr = run_against(cli, fake, tmp_path, without_images(MITTELSTAND, tmp_path))
    assert code == 0, stdout + stderr
    bad = the_report(tmp_path)["llm"]["bad_answers"]
    for kind in ("english", "refusal", "empty", "fenced", "truncated", "markdown", "preamble"):
        assert bad.get(kind, 0) >= 1, (kind, bad)
    text = (next(tmp_path.glob("*/post.html"))).read_text(encoding="utf-8")
    assert "Here is" not in text and "tut mir leid" not in text and "**" not in text and "```" not in text


def test_plan_json_that_does_not_fit_the_schema_is_asked_again(cli, tmp_path):
    base = mock_responder()
    calls = {"plan": 0}

    async def respond(body):
        if body["messages"][1]["content"].startswith("Plane einen Blogartikel") and calls["plan"] == 0:
            calls["plan"] += 1
            return '{"h1": 5, "sections": "keine"}'
        return await base(body)

    with FakeOpenAI(respond) as fake:
        code, stdout, stderr = run_against(cli, fake, tmp_path, SMALL)
    assert code == 0, stdout + stderr
    assert the_report(tmp_path)["llm"]["bad_answers"].get("schema") == 1


UNSAFE = (' <script>alert("x")</script> Mehr unter [Klick](javascript:alert(1)) und [Bild](data:text/html;base64,PHA+)'
          ' sowie [fremd](https://evil.example/) und [intern](/nicht-im-brief/). Ende --> <!-- wp:html --><b>fett</b>'
          '<!-- /wp:html --> <img src=x onerror=alert(1)>.')


@pytest.fixture(scope="module")
def unsafe_post(tmp_path_factory):
    """A post written by a model that adds scripts, foreign links and block comments to every answer."""
    from typer.testing import CliRunner

    from generator.cli import app

    base = mock_responder()

    async def respond(body):
        text = await base(body)
        if body["messages"][-1]["content"].startswith(("Schreibe den Abschnitt", "Überarbeite", "Ergänze")):
            return text + UNSAFE
        return text

    tmp_path = tmp_path_factory.mktemp("unsafe")
    with FakeOpenAI(respond) as fake:
        CliRunner().invoke(app, ["--brief", str(SMALL), "--model", "gpt-4o-mini", "--base-url", fake.url,
                                 "--api-key", "sk-test", "--out", str(tmp_path)])
    return next(tmp_path.glob("*/report.json")).parent / "post.html"


def test_nothing_unsafe_reaches_the_post_whatever_the_llm_says(unsafe_post):
    html = unsafe_post.read_text(encoding="utf-8")
    for bad in ("<script", "javascript:", "data:", "evil.example", "/nicht-im-brief/", "onerror", "<img", "<b>",
                "wp:html"):
        assert bad not in html, bad
    assert all(line.startswith("<!--") for line in html.splitlines() if "-->" in line)
    brief = load_brief(SMALL)
    report = run_checks(read_post(unsafe_post), brief)
    assert report.get("markup.blocks").passed
    assert report.get("links.internal.known").passed and report.get("links.external.known").passed


def test_wordpress_own_parser_finds_no_stray_content_in_that_post(unsafe_post):
    reason = wordpress_parser_unavailable_reason()
    if reason:
        pytest.skip(reason)
    assert stray_freeform(parse_with_wordpress(unsafe_post.read_text(encoding="utf-8"))) == []


def test_answers_are_kept_and_reused_and_no_cache_turns_it_off(cli, tmp_path):
    with FakeOpenAI(mock_responder()) as fake:
        assert run_against(cli, fake, tmp_path / "a", SMALL)[0] == 0
        first = len(fake.requests)
        assert run_against(cli, fake, tmp_path / "a", SMALL)[0] == 0
        assert len(fake.requests) == first  # the rerun asked nothing: every answer came from the journal
        assert run_against(cli, fake, tmp_path / "b", SMALL, "--no-cache")[0] == 0
        assert len(fake.requests) == 2 * first
    assert not (tmp_path / "b" / "genpost.db").exists()
    assert kept_answers(tmp_path / "a" / "genpost.db")
    for f in (tmp_path / "a").rglob("*"):
        if f.is_file():
            assert b"sk-test" not in f.read_bytes()
    for row in ledger_rows(tmp_path / "a" / "genpost.db"):  # the ledger's bodies are compressed: unpacked
        assert "sk-test" not in json.dumps(row, ensure_ascii=False)


def test_retry_after_is_honoured_and_backoff_is_bounded():
    wait = _WaitRetryAfter(RetryPolicy(initial=0.5, maximum=20))

    class State:
        def __init__(self, error, attempt):
            self.attempt_number = attempt

            class Outcome:
                def exception(self_inner):
                    return error
            self.outcome = Outcome()

    assert wait(State(TransientError("rate limited (429)", retry_after=0.01), 1)) == 0.01
    assert wait(State(TransientError("rate limited (429)", retry_after=999), 1)) == 20  # capped
    waits = [wait(State(TransientError("server error (500)"), n)) for n in range(1, 8)]
    assert all(0 <= w <= 20.5 for w in waits) and waits[3] > waits[0]


def test_retry_after_headers_are_read():
    import httpx
    import openai

    from generator.llm.openai import _retry_after

    def error(headers):
        response = httpx.Response(429, headers=headers, request=httpx.Request("POST", "http://x"))
        return openai.RateLimitError("slow down", response=response, body=None)

    assert _retry_after(error({"retry-after-ms": "250"})) == 0.25
    assert _retry_after(error({"Retry-After": "3"})) == 3.0
    assert _retry_after(error({})) is None
