"""What a person at a terminal sees: genpost run on a pseudo-terminal of 80 columns (so rich draws
what it draws for people: colours, the live progress bar), read until it ends, with a deadline."""

from __future__ import annotations

import json
import re
import socket
import sys

import pytest

from generator.display import check_value, plural, show_value

from .conftest import DATA, MITTELSTAND, ROOT, SEED
from .support.fake_openai import FakeHTTPError, FakeOpenAI
from .support.llm_responder import mock_responder
from .support.terminal import Terminal

GENPOST = [sys.executable, "-m", "generator"]


def run_on_terminal(*args: str, cols: int = 80, timeout: float = 120.0) -> tuple[int, list[str]]:
    with Terminal(GENPOST + [str(a) for a in args], cols=cols, rows=50, cwd=ROOT) as term:
        code = term.wait(timeout)
    return code, term.screen_lines()


def seed_results() -> list[dict]:
    from typer.testing import CliRunner

    from generator.cli import app

    result = CliRunner().invoke(app, ["check", str(SEED), "--brief", str(MITTELSTAND), "--json"])
    return json.loads(result.stdout)["checks"]


# --- genpost check ---------------------------------------------------------------------------------

def test_check_prints_the_failing_checks_and_one_summary_line_in_80_columns():
    code, lines = run_on_terminal("check", SEED, "--brief", MITTELSTAND)
    assert code == 1
    text = "\n".join(lines)
    assert max(len(line) for line in lines) <= 80, text
    results = seed_results()
    failing = [r for r in results if not r["passed"]]
    passing = [r for r in results if r["passed"]]
    shown = re.findall(r"^(FAIL|warn|pass)\s+(\S+)", text, re.MULTILINE)
    # Failing checks and warnings only, in the checker's order; no passed check.
    assert shown == [("FAIL" if r["severity"] == "error" else "warn", r["id"]) for r in failing]
    assert not any(r["id"] in re.findall(r"\S+", text) for r in passing)
    # One summary line at the end, plurals right.
    errors = sum(1 for r in failing if r["severity"] == "error")
    summary = " ".join(" ".join(lines).split()).rsplit(str(SEED), 1)[1]
    assert summary == f" fails: {errors} errors, {len(failing) - errors} warnings, {len(passing)} checks passed"


def test_check_values_are_words_and_no_word_is_broken():
    code, lines = run_on_terminal("check", SEED, "--brief", MITTELSTAND, "--all")
    assert code == 1
    text = "\n".join(lines)
    assert max(len(line) for line in lines) <= 80, text
    for machine in ("[]", "{}", "items", "True", "False", "None"):
        assert machine not in text, machine
    results = seed_results()
    assert len(re.findall(r"^(?:FAIL|warn|pass)\s", text, re.MULTILINE)) == len(results)
    # Every word of every message arrives whole on one line (a table that folds would split
    # "Digitalisierung" into "Digitalisie" and "rung").
    on_screen = set(text.split())
    for r in results:
        for word in r["message"].split():
            assert word in on_screen, (r["id"], word)
    # A value is shown as a person writes it.
    by_id = {r["id"]: r for r in results}
    assert check_value("keyword.distribution", by_id["keyword.distribution"]["value"]) == "in 10 of 10 sections"
    row = next(line for line in lines if re.match(r"pass\s+links\.external\.rel\s", line))
    assert re.search(r"\bnone\b", row)


def test_show_value_and_plural():
    assert [show_value(v) for v in (None, True, 0.0, 3.32, [], {}, ["a", "b"], {"H1": ["Top"], "SEO title": []})] == [
        "not measured", "yes", "0", "3.32", "none", "none", "a, b", "H1: Top; SEO title: none"]
    assert show_value(list("abcdef")) == "a, b, c and 3 more"
    assert [plural(n, "warning") for n in (0, 1, 2)] == ["0 warnings", "1 warning", "2 warnings"]
    assert plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"


def test_a_runs_summary_counts_in_the_right_number(cli, tmp_path):
    seen = set()
    for n, extra in enumerate((["--max-rounds", "0"], [], ["--seed", "2"])):
        code, stdout, _ = cli("--brief", MITTELSTAND, "--dry-run", "--out", tmp_path / str(n), *extra)
        assert code in (0, 1)
        for noun in ("repair round", "LLM call", "token", "warning"):
            [(count, s)] = re.findall(rf"\b(\d+) {noun}(s?)\b", stdout)
            assert (count == "1") == (s == ""), (noun, stdout)
            seen.add((noun, count == "1"))
    assert ("repair round", True) in seen  # the singular was seen at least once


# --- genpost batch ---------------------------------------------------------------------------------

def _responder():
    """The mock model over HTTP, except that a post about "Störfall" finds the server down."""
    mock = mock_responder()

    async def respond(body: dict) -> str:
        if "Störfall" in json.dumps(body["messages"], ensure_ascii=False):
            raise FakeHTTPError(503, "the server is down")
        return await mock(body)

    return respond


def test_batch_shows_each_bad_failed_or_errored_row_above_the_bar_with_the_summarys_counts(tmp_path):
    out = tmp_path / "out"
    first = tmp_path / "first.csv"
    first.write_text("keyword\nZeiterfassung im Handwerk\n", encoding="utf-8")
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword;seo_title_max_chars\n"
                        "Zeiterfassung im Handwerk;\n"  # line 2: done by the first run: skipped
                        "Störfall im Rechenzentrum;\n"  # line 3: the endpoint fails: error
                        "Cloud-Telefonie im Büro;12\n"  # line 4: no SEO title fits 12 characters: failed
                        ";40\n"                         # line 5: bad row
                        "KI im Vertrieb;kurz\n",        # line 6: bad row
                        encoding="utf-8")
    with FakeOpenAI(_responder()) as fake:
        common = ["--brief", DATA / "small.yaml", "--out", out, "--base-url", fake.url, "--api-key", "sk-test",
                  "--retries", "0", "--max-rounds", "1", "--jobs", "1"]
        code, _ = run_on_terminal("batch", first, *common)
        assert code == 0
        code, lines = run_on_terminal("batch", csv_path, *common)
    assert code == 1
    text = "\n".join(lines)
    rows = {r["line"]: r for r in json.loads((out / "batch-report.json").read_text(encoding="utf-8"))["rows"]}
    assert {n: r["status"] for n, r in rows.items()} == {2: "skipped", 3: "error", 4: "failed", 5: "bad row",
                                                         6: "bad row"}

    # One line per row that did not pass, each with its line, keyword and reason.
    row_lines = [line for line in lines if re.match(r"line \d+: ", line)]
    assert sorted(row_lines) == [
        "line 3: error: Störfall im Rechenzentrum: " + rows[3]["note"],
        "line 4: failed: Cloud-Telefonie im Büro: fails " + ", ".join(rows[4]["failing"]),
        "line 5: bad row: (no keyword): empty keyword",
        "line 6: bad row: KI im Vertrieb: targets.seo_title_max_chars must be a whole number",
    ]
    assert "503" in rows[3]["note"] and any(f.startswith("seo_title.") for f in rows[4]["failing"])
    # ... above the bar, which was redrawn in place and stays once, below them.
    bars = [i for i, line in enumerate(lines) if line.startswith("posts ")]
    assert len(bars) == 1 and bars[0] > max(lines.index(line) for line in row_lines)
    bar = lines[bars[0]]
    assert "5/5" in bar and "1 failed, 1 error, 2 bad rows, 1 skipped" in bar

    # The bar's counts are the summary table's.
    table = {m[0]: int(m[1]) for m in re.findall(r"│ (passed|failed|error|bad row|skipped)\s*│\s*(\d+) │", text)}
    assert table == {"failed": 1, "error": 1, "bad row": 2, "skipped": 1}
    assert "0 of 5 posts passed (1 of them skipped" not in text and "1 of 5 posts passed (1 of them skipped" in text
    # The skipped row's tokens were spent by the first run, not this one.
    assert rows[2]["tokens"] == 0 and rows[2]["calls"] == 0 and rows[2]["earlier"] == "passed"
    this_run = sum(r["tokens"] for r in rows.values())
    assert this_run > 0 and f"{this_run} tokens" in bar


# --- messages ---------------------------------------------------------------------------------------

def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_endpoint_is_named_with_what_went_wrong(cli, tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/v1"
    code, _, stderr = cli("--brief", DATA / "small.yaml", "--base-url", url, "--retries", "0", "--out", tmp_path)
    assert code == 3
    assert f"{url}: connection refused" in stderr
    code, _, stderr = cli("--brief", DATA / "small.yaml", "--base-url", "http://nowhere.invalid/v1", "--api-key", "k",
                          "--retries", "0", "--out", tmp_path)
    assert code == 3 and "http://nowhere.invalid/v1: host not found" in stderr


def test_the_endpoint_in_a_message_never_shows_a_password_or_query():
    from generator.urls import endpoint_name

    assert endpoint_name("https://user:secret@llm.example/v1/?key=abc") == "https://llm.example/v1"
    assert endpoint_name("http://[::1]:8000/v1/") == "http://[::1]:8000/v1"


def test_bare_genpost_says_the_brief_is_missing_and_shows_the_help(cli):
    code, stdout, stderr = cli()
    help_code, help_text, _ = cli("--help")
    assert code == 2 and help_code == 0
    assert stdout == help_text
    assert stderr.strip() == ("genpost: --brief is missing (give the brief to generate from, e.g. "
                              "--brief briefs/mittelstand.yaml)")
    assert "-b, --brief" in help_text and "The brief (YAML) of the post to generate." in help_text


@pytest.mark.parametrize("line, replacement, expected", [
    ("  words_min: 150", "  words_min: -5", "targets.words_min must be at least 0"),
    ("  words_min: 150", "  words_min: viele", "targets.words_min must be a whole number"),
    ("  seo_title_max_chars: 60", "  seo_title_max_chars: 5000", "targets.seo_title_max_chars must be at most 200"),
    ("address: Sie", "address: Ihr", "address must be one of 'Sie' or 'du'"),
])
def test_brief_errors_are_said_plainly(cli, tmp_path, line, replacement, expected):
    text = (DATA / "small.yaml").read_text(encoding="utf-8")
    assert line in text
    brief = tmp_path / "brief.yaml"
    brief.write_text(text.replace(line, replacement), encoding="utf-8")
    code, _, stderr = cli("--brief", brief, "--dry-run", "--out", tmp_path)
    assert code == 2
    assert stderr.strip() == f"genpost: {brief}: {expected}"
    assert "Input should" not in stderr and "Value error" not in stderr


def test_a_report_whose_brief_was_edited_is_explained_plainly(cli, tmp_path, generated):
    import shutil

    folder = tmp_path / "post"
    shutil.copytree(generated["zeiterfassung"], folder)
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    report["brief"]["targets"]["words_min"] = -1
    (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")
    for command in (["preview", folder], ["publish", folder, "--wp-url", "https://example.com", "--wp-user", "u",
                                          "--wp-app-password", "p"]):
        code, _, stderr = cli(*command)
        assert code == 2
        assert stderr.strip() == f"genpost: {folder / 'report.json'}: brief.targets.words_min must be at least 0"


def test_check_messages_say_one_in_the_singular(small_brief):
    from generator.checks import run_checks
    from generator.post import Post

    paragraph = "<!-- wp:paragraph -->\n<p>{}</p>\n<!-- /wp:paragraph -->\n"
    markup = ("<!-- wp:heading {\"level\":1} -->\n<h1 class=\"wp-block-heading\">Digitalisierung im Handwerk</h1>\n"
              "<!-- /wp:heading -->\n" + paragraph.format("Eins. Zwei. Drei. Vier.")
              + paragraph.format('Mehr bei <a href="/kontakt/">Kontakt</a>.'))
    report = run_checks(Post(markup=markup, seo_title="A", meta_description="B", slug="c"), small_brief)
    messages = {r.id: r.message for r in report.results}
    assert messages["structure.h1"] == "1 H1 heading"
    assert messages["keyword.count"].startswith("“Digitalisierung im Handwerk” occurs 1 time;")
    assert messages["links.internal.count"].startswith("1 internal link;")
    assert messages["paragraphs.sentences"].startswith("1 paragraph over 3 sentences:")
    assert messages["seo_title.length"] == "1 character" and messages["slug.format"] == "1 character"
