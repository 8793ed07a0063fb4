"""genpost batch: a CSV of keywords becomes posts; bad rows are skipped; a killed batch resumes."""

import csv
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from generator.brief import load_brief

from .conftest import DATA, MITTELSTAND, ROOT
from .support.fake_openai import FakeOpenAI
from .support.ledger_view import kept_answers
from .support.llm_responder import mock_responder

EXAMPLE = ROOT / "briefs" / "keywords-example.csv"


def batch_rows(out: Path) -> list[dict]:
    with (out / "batch-report.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_the_example_csv_is_excel_style_and_reads_as_ten_rows():
    from generator.batch import Row, open_csv

    raw = EXAMPLE.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b";" in raw.splitlines()[0] and b"\r\n" in raw
    info, rows = open_csv(EXAMPLE)
    rows = list(rows)
    assert info.delimiter == ";" and info.columns[0] == "keyword"  # the BOM is not part of the name
    assert all(isinstance(r, Row) for r in rows) and [r.line for r in rows] == list(range(2, 12))
    assert rows[0].keyword == "Digitalisierung im Mittelstand" and not rows[0].keyword.endswith("\r")


def test_a_small_batch_writes_its_posts_and_reports(cli, tmp_path):
    path = tmp_path / "k.csv"
    path.write_bytes("\ufeffkeyword;topic\r\nZeiterfassung im Handwerk;\r\nKühlräume im Handwerk;Kühlräume\r\n"
                     .encode("utf-8"))
    code, stdout, stderr = cli("batch", path, "--brief", DATA / "small.yaml", "--dry-run", "--out", tmp_path / "o")
    assert code == 0, stdout + stderr
    rows = batch_rows(tmp_path / "o")
    assert [(r["line"], r["status"]) for r in rows] == [("2", "passed"), ("3", "passed")]
    for r in rows:
        assert (tmp_path / "o" / r["slug"] / "post.md").is_file()
    summary = json.loads((tmp_path / "o" / "batch-report.json").read_text(encoding="utf-8"))
    assert summary["rows"][1]["keyword"] == "Kühlräume im Handwerk"
    assert "[2/2]" in stderr and "2 of 2 posts passed" in stdout


def test_cp1252_comma_csv_with_bad_rows_and_duplicate_slugs(cli, tmp_path):
    path = tmp_path / "k.csv"
    path.write_bytes("keyword,sections,notizen\n"
                     "Kühlräume in Großbäckereien,2,x\n"
                     ",2,leer\n"
                     "Kühlräume in Großbäckereien,zwei,kaputt\n"
                     "Kühlräume in Großbäckereien,2,doppelt\n".encode("cp1252"))
    out = tmp_path / "out"
    code, stdout, stderr = cli("batch", path, "--brief", DATA / "small.yaml", "--dry-run", "--out", out)
    assert code == 1  # not every row passed
    assert "ignoring columns that are not brief fields: notizen" in stderr
    rows = {int(r["line"]): r for r in batch_rows(out)}
    assert rows[2]["status"] == "passed" and rows[2]["slug"] == "kuehlraeume-grossbaeckereien"
    assert rows[3]["status"] == "bad row" and rows[3]["note"] == "empty keyword"
    assert rows[4]["status"] == "bad row" and "sections" in rows[4]["note"]
    assert rows[5]["status"] == "passed" and rows[5]["slug"] == "kuehlraeume-grossbaeckereien-2"
    assert "taken by line 2" in rows[5]["note"]
    assert (out / "kuehlraeume-grossbaeckereien-2" / "post.md").is_file()


def test_csv_without_keyword_column_is_one_line_exit_2(cli, tmp_path):
    path = tmp_path / "k.csv"
    path.write_text("thema;jahr\nA;2025\n", encoding="utf-8")
    code, _, stderr = cli("batch", path, "--brief", MITTELSTAND, "--dry-run", "--out", tmp_path / "o")
    assert code == 2 and "no 'keyword' column" in stderr and len(stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("headers", [True, False], ids=["ratelimit-headers", "429-only"])
def test_a_batch_learns_the_providers_concurrency_limit_and_loses_no_post(cli, tmp_path, headers):
    # The provider allows 3 requests in flight and answers 429 above that; genpost is not told.
    path = tmp_path / "k.csv"
    keywords = ["Zeiterfassung im Handwerk", "Kühlräume im Handwerk", "Digitalisierung im Handwerk",
                "Cloud-Telefonie im Handwerk", "E-Rechnung im Handwerk", "Datenschutz im Handwerk"]
    path.write_text("keyword\n" + "\n".join(keywords) + "\n", encoding="utf-8")
    with FakeOpenAI(mock_responder(), latency=0.05, in_flight_limit=3, ratelimit_headers=headers) as fake:
        code, stdout, stderr = cli("batch", path, "--brief", DATA / "small.yaml", "--out", tmp_path / "o",
                                   "--base-url", fake.url, "--api-key", "sk-test", "--jobs", "6")
        statuses = [r["_status"] for r in fake.requests]
        peak = fake.peak_concurrency
    assert code == 0, stdout + stderr
    assert [r["status"] for r in batch_rows(tmp_path / "o")] == ["passed"] * 6
    answered, throttled = statuses.count(200), statuses.count(429)
    assert set(statuses) <= {200, 429} and peak == 3
    # The six plans go out at once (8 may be in flight at first): 3 are refused, and that burst
    # counts once; after it only the window's probing above the limit (by one) meets a 429, at most
    # once per window of 3 answers (how often depends on the answers' order: 4-6 in all here). A
    # fixed window of 8 meets a 429 on every request over 3 in flight: 30 and more.
    assert 3 <= throttled <= 3 + answered // 3, (throttled, answered)
    assert answered == 30  # each of the posts' requests answered once: a 429 is asked again, never given up


def test_killed_batch_resumes_without_regenerating_or_paying_twice(tmp_path):
    csv_path = tmp_path / "k.csv"
    keywords = ["Zeiterfassung im Handwerk", "Kühlräume in Großbäckereien", "Digitalisierung im Handwerk",
                "Cloud-Telefonie im Büro"]
    csv_path.write_text("keyword\n" + "\n".join(keywords) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    args = [sys.executable, "-m", "generator", "batch", str(csv_path), "--brief", str(DATA / "small.yaml"),
            "--out", str(out), "--api-key", "sk-test", "--jobs", "1", "--check-workers", "0"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI")}
    with FakeOpenAI(mock_responder()) as fake:
        proc = subprocess.Popen(args + ["--base-url", fake.url], stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                text=True, env=env, cwd=ROOT)
        for line in proc.stderr:  # wait for two finished posts, then kill -9 mid-run
            if line.startswith("[2/4]"):
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait()
        first_requests = list(fake.requests)
    assert proc.returncode == -signal.SIGKILL
    finished = [p.parent for p in out.glob("*/report.json")
                if json.loads(p.read_text(encoding="utf-8"))["status"] == "passed"]
    assert len(finished) >= 2
    before = {f: (f / "post.md").read_bytes() for f in finished}
    mtimes = {f: (f / "report.json").stat().st_mtime_ns for f in finished}
    cached = {json.dumps(a["messages"], sort_keys=True) for a in kept_answers(out / "genpost.db")}
    sent_first = {json.dumps(r["messages"], sort_keys=True) for r in first_requests}
    assert cached and cached <= sent_first  # the comparison below can see a resent request

    with FakeOpenAI(mock_responder()) as fake:
        done = subprocess.run(args + ["--base-url", fake.url], capture_output=True, text=True, env=env, cwd=ROOT)
        second_requests = list(fake.requests)
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("done in an earlier run") == len(finished)
    for f in finished:  # finished posts untouched
        assert (f / "post.md").read_bytes() == before[f]
        assert (f / "report.json").stat().st_mtime_ns == mtimes[f]
    resent = [r for r in second_requests if json.dumps(r["messages"], sort_keys=True) in cached]
    assert resent == []  # no answer that was already paid for was asked for again
    rows = batch_rows(out)
    # The posts the first run finished are skipped, not passed again, and add nothing to this run's cost.
    skipped = [r for r in rows if r["status"] == "skipped"]
    assert {r["slug"] for r in skipped} == {f.name for f in finished}
    assert all(r["tokens"] == "0" and r["calls"] == "0" and r["note"].startswith("done in an earlier run (passed)")
               for r in skipped)
    assert len(rows) == 4 and {r["status"] for r in rows if r not in skipped} == {"passed"}


def test_status_counts_a_post_an_earlier_run_finished(cli, tmp_path):
    # A single run writes one post; the batch finds it done (skipped) and makes the other.
    out = tmp_path / "o"
    code, stdout, stderr = cli("--brief", DATA / "small.yaml", "--dry-run", "--out", out)
    assert code == 0, stdout + stderr
    path = tmp_path / "k.csv"
    keyword = load_brief(DATA / "small.yaml").keyword
    path.write_text(f"keyword\n{keyword}\nKühlräume im Handwerk\n", encoding="utf-8")
    code, stdout, stderr = cli("batch", path, "--brief", DATA / "small.yaml", "--dry-run", "--out", out)
    assert code == 0, stdout + stderr
    assert [r["status"] for r in batch_rows(out)] == ["skipped", "passed"]
    code, stdout, _ = cli("batch", "--status", out)
    assert code == 0 and "posts by step: 2 passed" in stdout
