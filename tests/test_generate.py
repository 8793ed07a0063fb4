"""The main job: genpost --brief BRIEF writes a post that passes every error-level check."""

import json
from pathlib import Path

import pytest

from generator.brief import load_brief
from generator.checks import run_checks
from generator.post import read_post

from .conftest import MITTELSTAND, ROOT
from .support.blockparser import parse_with_wordpress, stray_freeform, wordpress_parser_unavailable_reason
from .support.fake_openai import FakeOpenAI
from .support.llm_responder import mock_responder


def generated(out: Path) -> Path:
    folders = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(folders) == 1, folders
    return folders[0]


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory):
    from typer.testing import CliRunner

    from generator.cli import app

    out = tmp_path_factory.mktemp("dry")
    result = CliRunner().invoke(app, ["--brief", str(MITTELSTAND), "--dry-run", "--out", str(out)])
    return result, generated(out)


def test_dry_run_passes_every_error_check_after_a_repair_round(dry_run):
    result, folder = dry_run
    assert result.exit_code == 0, result.stdout + result.stderr
    assert folder.name == "digitalisierung-mittelstand"
    assert {p.name for p in folder.iterdir()} >= {"post.md", "post.html", "report.json"}
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["status"] == "passed" and report["failing"] == []
    assert len(report["rounds"]) >= 1 and report["rounds"][0]["failing"]
    assert report["llm"]["calls"] > 9 and report["llm"]["tokens"] > 0 and report["model"] == "mock"
    assert {"plan", "write", "check", "total"} <= set(report["timings"])


def test_checker_agrees_on_the_written_files(dry_run):
    _, folder = dry_run
    brief = load_brief(MITTELSTAND)
    md = run_checks(read_post(folder / "post.md"), brief)
    assert md.passed, md.failing_ids()
    assert md.get("checklist.claims").passed  # every line of our checklist is a true measurement
    html = run_checks(read_post(folder / "post.html"), brief)
    assert html.passed
    assert md.get("words.count").value >= 2000 and 18 <= md.get("keyword.count").value <= 22


def test_two_runs_are_identical_but_for_timings(dry_run, tmp_path, cli):
    _, first = dry_run
    code, _, _ = cli("--brief", MITTELSTAND, "--dry-run", "--out", tmp_path)
    assert code == 0
    second = generated(tmp_path)
    for name in ("post.md", "post.html"):
        assert (first / name).read_bytes() == (second / name).read_bytes()
    a, b = (json.loads((f / "report.json").read_text(encoding="utf-8")) for f in (first, second))
    a.pop("timings"), b.pop("timings")
    assert a == b


def test_output_is_valid_for_wordpress_own_block_parser(dry_run):
    reason = wordpress_parser_unavailable_reason()
    if reason:
        pytest.skip(reason)
    _, folder = dry_run
    blocks = parse_with_wordpress((folder / "post.html").read_text(encoding="utf-8"))
    named = [b for b in blocks if b["blockName"]]
    assert stray_freeform(blocks) == []
    assert {b["blockName"] for b in named} == {"core/heading", "core/paragraph", "core/spacer", "core/image"}
    spacers = [b for b in named if b["blockName"] == "core/spacer"]
    h2 = [b for b in named if b["blockName"] == "core/heading" and "<h2" in b["innerHTML"]]
    assert len(spacers) == len(h2) == 8 and all(b["attrs"] == {"height": "40px"} for b in spacers)


@pytest.mark.parametrize("brief_name", ["grossbaeckerei.yaml", "zeiterfassung.yaml", "projektmanagement-du.yaml"])
def test_other_briefs_pass_in_dry_run(brief_name, tmp_path, cli):
    code, stdout, stderr = cli("--brief", ROOT / "briefs" / brief_name, "--dry-run", "--out", tmp_path)
    assert code == 0, stdout + stderr
    folder = generated(tmp_path)
    brief = load_brief(ROOT / "briefs" / brief_name)
    report = run_checks(read_post(folder / "post.md"), brief)
    assert report.passed
    assert report.get("language.address").passed  # du stays du, Sie stays Sie
    if brief_name == "grossbaeckerei.yaml":
        assert folder.name == "kuehlraeume-grossbaeckereien"


def test_no_key_and_no_dry_run_is_one_line_exit_2(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    code, _, stderr = cli("--brief", MITTELSTAND, "--out", tmp_path)
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1
    assert "OPENAI_API_KEY" in stderr and "--dry-run" in stderr


@pytest.mark.parametrize("schema_supported", [True, False])
def test_openai_model_through_the_real_client_and_a_fake_server(cli, tmp_path, monkeypatch, schema_supported):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with FakeOpenAI(mock_responder(), require_key="sk-test", json_schema_supported=schema_supported) as fake:
        code, stdout, stderr = cli("--brief", MITTELSTAND, "--model", "gpt-4o-mini", "--base-url", fake.url,
                                   "--api-key", "sk-test", "--out", tmp_path)
        requests = list(fake.requests)
    assert code == 0, stdout + stderr
    plan_requests = [r for r in requests if r["messages"][1]["content"].startswith("Plane einen Blogartikel")]
    assert plan_requests
    # The task reaches the model in words only: no machine-readable copy is sent.
    assert all("task" not in r and "AUFTRAG" not in json.dumps(r, ensure_ascii=False) for r in requests)
    if schema_supported:
        assert plan_requests[0]["response_format"]["type"] == "json_schema"
        assert plan_requests[0]["response_format"]["json_schema"]["schema"]["title"] == "PlanAnswer"
    else:
        assert plan_requests[0]["_status"] == 400  # rejected: the endpoint has no json_schema
        assert "response_format" not in plan_requests[1] and plan_requests[1]["_status"] == 200
    folder = generated(tmp_path)
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert report["status"] == "passed" and report["model"] == "gpt-4o-mini"
    assert report["llm"]["cost_usd"] > 0  # priced from the table
    for f in folder.parent.rglob("*"):
        if f.is_file():
            assert "sk-test" not in f.read_text(encoding="utf-8", errors="replace")
