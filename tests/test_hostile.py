"""Hostile and careless input (issue #10): nothing reaches a live site as markup, no secret leaves,
no person's post is lost, nothing absurd eats memory, and every refusal is one line.

The tests are numbered like the issue's items."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import httpx
import pytest
import yaml
from selectolax.lexbor import LexborHTMLParser

from generator.brief import load_brief
from generator.checks import run_checks
from generator.errors import InputError, PublishError
from generator.post import Post, read_post
from generator.publish import publish_folder, resolve_target
from generator.brief import WordPressSettings

from .conftest import DATA, ROOT
from .support.fake_openai import FakeOpenAI
from .support.ledger_view import kept_answers, ledger_rows
from .support.llm_responder import mock_responder

SMALL = DATA / "small.yaml"
KEY = "sk-test-GEHEIM.0123456789.abcdefghijklmnop"  # fake; dots keep it from looking like a real key
SMALL_DATA = yaml.safe_load(SMALL.read_text(encoding="utf-8"))


def brief_file(tmp: Path, name: str = "brief.yaml", **changes) -> Path:
    """small.yaml with top-level or dotted (targets.words_min) changes."""
    data = json.loads(json.dumps(SMALL_DATA))
    for dotted, value in changes.items():
        node = data
        *parents, last = dotted.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[last] = value
    path = tmp / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run_main(monkeypatch, capsys, *args) -> tuple[int, str, str]:
    """The real entry point (signals, usage errors and all), in-process."""
    from generator.cli import main

    monkeypatch.setattr(sys, "argv", ["genpost", *[str(a) for a in args]])
    with pytest.raises(SystemExit) as exit_info:
        main()
    captured = capsys.readouterr()
    return exit_info.value.code, captured.out, captured.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def all_output(folder: Path) -> str:
    """Every file under folder as text; the ledger's tables with their compressed bodies unpacked."""
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in folder.rglob("*") if p.is_file()]
    texts += [json.dumps(ledger_rows(db), ensure_ascii=False) for db in folder.rglob("genpost.db")]
    return "\n".join(texts)


def hostile_plan(payload: str):
    """The mock's answers, with the plan's H1, titles and meta descriptions led by `payload`."""
    inner = mock_responder()

    async def respond(body: dict) -> str:
        text = await inner(body)
        if body["messages"][1]["content"].startswith("Plane einen Blogartikel"):  # the plan, not other JSON
            plan = json.loads(text)
            plan["h1"] = f"{payload} {plan['h1']}"
            plan["seo_titles"] = [f"{payload} {t}" for t in plan["seo_titles"]]
            plan["meta_descriptions"] = [f"{payload} {t}" for t in plan["meta_descriptions"]]
            plan["sections"][1]["heading"] = f"{payload} {plan['sections'][1]['heading']}"
            return json.dumps(plan, ensure_ascii=False)
        return text

    return respond


# --- 1. no stored XSS through titles ----------------------------------------------------------

@pytest.mark.parametrize("payload", ["<img src=x onerror=alert(document.domain)>",
                                     "&lt;img src=x onerror=alert(1)&gt;", "<script>alert(1)</script>"])
def test_1_markup_in_the_models_titles_is_text_in_every_file_and_on_wordpress(wp, tmp_path, cli, payload):
    brief = brief_file(tmp_path, **{"wordpress": {"url": wp.url, "user": wp.user}})
    with FakeOpenAI(hostile_plan(payload)) as fake:
        code, stdout, stderr = cli("--brief", brief, "--model", "gpt-4o-mini", "--base-url", fake.url,
                                   "--api-key", KEY, "--out", tmp_path / "out", "--publish-failed",
                                   "--wp-app-password", wp.app_password)
    assert code in (0, 1), stdout + stderr
    folder = next((tmp_path / "out").glob("*/report.json")).parent
    plan = json.loads((folder / "report.json").read_text(encoding="utf-8"))["plan"]
    for field in (plan["h1"], plan["seo_title"], plan["meta_description"], plan["sections"][1]["heading"]):
        assert "<" not in field and ">" not in field
    for name in ("post.md", "post.html"):  # escaped text ("&lt;img …") is text; a tag would be live
        text = (folder / name).read_text(encoding="utf-8")
        assert "<img" not in text and "<script" not in text
        tree = LexborHTMLParser(text)
        assert not tree.css("img, script") and not any(
            attr.lower().startswith("on") for node in tree.css("*") for attr in node.attributes)
    stored = httpx.get(wp.rest_url + "wp/v2/posts", params={"slug": plan["slug"], "status": "any",
                                                             "context": "edit"}, auth=wp.auth).json()
    assert stored, stderr
    for post in stored:
        assert "<" not in post["title"]["raw"] and "<" not in post["meta"]["_yoast_wpseo_title"]
        assert "<img" not in post["content"]["raw"] and "<script" not in post["content"]["raw"]


def test_1_markup_in_a_csv_keyword_is_a_bad_row_and_in_a_brief_exit_2(cli, tmp_path):
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword\n<script>alert(1)</script> Handwerk\nZeiterfassung im Handwerk\n", encoding="utf-8")
    code, stdout, stderr = cli("batch", csv_path, "--brief", SMALL, "--dry-run", "--out", tmp_path / "o")
    assert code == 1, stdout + stderr
    report = (tmp_path / "o" / "batch-report.csv").read_text(encoding="utf-8")
    assert "bad row" in report and "plain text" in report
    assert not list((tmp_path / "o").glob("*script*"))
    for field, value in (("keyword", "<b>Handwerk</b>"), ("topic", "Thema <img src=x>"),
                         ("wordpress.categories", ["<script>x</script>"]), ("audience", "a > b")):
        code, _, stderr = cli("check", DATA / "good_post.md", "--brief", brief_file(tmp_path, **{field: value}))
        assert code == 2 and "plain text" in one_line(stderr), (field, stderr)


# --- 2. the application password goes only to its site --------------------------------------------

class _Recorder(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        self.seen.append(self.headers.get("Authorization", ""))
        self.send_response(500)
        self.end_headers()

    do_POST = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def other_site():
    """A second 'site' on 127.0.0.1 that records whatever credentials reach it."""
    _Recorder.seen = []
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", _Recorder.seen
    server.shutdown()
    server.server_close()
    thread.join()


def test_2_a_csv_row_cannot_redirect_the_password(cli, tmp_path, other_site):
    url, seen = other_site
    csv_path = tmp_path / "k.csv"
    csv_path.write_text(f"keyword;wordpress.url\nZeiterfassung im Handwerk;{url}\n", encoding="utf-8")
    code, _, stderr = cli("batch", csv_path, "--brief", SMALL, "--dry-run", "--out", tmp_path / "o", "--publish",
                          "--wp-url", "https://www.example.de", "--wp-user", "r", "--wp-app-password", "geheim")
    assert code == 2 and "wordpress.url" in one_line(stderr) and "one site" in stderr
    assert seen == [] and not (tmp_path / "o").exists()


def test_2_publish_all_refuses_folders_that_name_another_site(cli, tmp_path, generated, other_site, monkeypatch):
    url, seen = other_site
    monkeypatch.delenv("GENPOST_WP_URL", raising=False)
    out = tmp_path / "out"
    for name, site in (("a", "http://127.0.0.1:9"), ("b", url)):
        folder = out / name
        shutil.copytree(generated["zeiterfassung"], folder)
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        report["brief"]["wordpress"]["url"] = site
        report["plan"]["slug"] = name
        (folder / "report.json").write_text(json.dumps(report), encoding="utf-8")
    code, _, stderr = cli("publish", out, "--all", "--wp-user", "r", "--wp-app-password", "geheim")
    line = one_line(stderr)
    assert code == 2 and str(out / "b") in line and url in line and "one site" in line
    assert seen == []


# --- 3. no secret from the environment in any output -------------------------------------------------

def test_3_a_links_file_in_proc_is_refused_and_the_key_is_never_written(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword;internal_links_file\nZeiterfassung im Handwerk;/proc/self/environ\n"
                        "Kühlräume in Großbäckereien;\n", encoding="utf-8")
    out = tmp_path / "o"
    code, stdout, stderr = cli("batch", csv_path, "--brief", SMALL, "--dry-run", "--out", out)
    assert code == 1
    rows = (out / "batch-report.csv").read_text(encoding="utf-8")
    assert "/proc/self/environ" in rows and "not a regular file" in rows
    assert KEY not in all_output(out) + stdout + stderr and "OPENAI_API_KEY" not in all_output(out)

    code, stdout, stderr = cli("check", DATA / "good_post.md", "--brief",
                               brief_file(tmp_path, internal_links_file="/proc/self/environ"))
    assert code == 2 and KEY not in stdout + stderr and "not a regular file" in one_line(stderr)
    links = tmp_path / "links.md"
    links.write_text(f"- [ok](/ok/)\n{KEY} und mehr\n", encoding="utf-8")
    code, _, stderr = cli("check", DATA / "good_post.md", "--brief", brief_file(tmp_path, internal_links_file=str(links)))
    assert code == 2 and "line 2" in stderr and KEY not in stderr  # the line is named, never quoted


@pytest.mark.parametrize("verbose", [[], ["-v"]])
def test_3_key_and_password_appear_in_no_file_report_or_log(wp, tmp_path, verbose, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    brief = brief_file(tmp_path, **{"wordpress": {"url": wp.url, "user": wp.user}, "slug": f"geheim-{len(verbose)}"})
    with FakeOpenAI(mock_responder(), require_key=KEY) as fake:
        code, stdout, stderr = run_main(monkeypatch, capsys, "--brief", brief, "--model", "gpt-4o-mini",
                                        "--base-url", fake.url, "--api-key", KEY, "--out", tmp_path / "out",
                                        "--publish-failed", "--wp-app-password", wp.app_password, *verbose)
    assert code in (0, 1), stderr
    assert "created" in stdout
    everything = all_output(tmp_path / "out") + stdout + stderr
    for secret in (KEY, wp.app_password, wp.app_password.replace(" ", "")):
        assert secret not in everything


# --- 4. a person's post is never overwritten ------------------------------------------------------

def _copy(src: Path, dest: Path, slug: str) -> Path:
    shutil.copytree(src, dest)
    report = json.loads((dest / "report.json").read_text(encoding="utf-8"))
    report["slug"] = report["plan"]["slug"] = slug
    (dest / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    return dest


@pytest.mark.parametrize("status", ["draft", "publish"])
def test_4_a_persons_post_with_the_same_slug_is_left_alone(wp, generated, tmp_path, status):
    slug = f"inventur-handwerk-{status}"
    person = httpx.post(wp.rest_url + "wp/v2/posts", auth=wp.auth, timeout=30,
                        json={"title": "Meine Inventur", "content": "<p>Mein Text.</p>", "slug": slug,
                              "status": status}).json()
    folder = _copy(generated["zeiterfassung"], tmp_path / slug, slug)
    target = resolve_target(WordPressSettings(status=status), wp.url, wp.user, wp.app_password)
    with pytest.raises(PublishError, match=f"post {person['id']} .* was not created by genpost"):
        publish_folder(folder, target, allow_failed=True)
    after = httpx.get(wp.rest_url + f"wp/v2/posts/{person['id']}", params={"context": "edit"}, auth=wp.auth).json()
    assert after["content"]["raw"] == "<p>Mein Text.</p>" and after["title"]["raw"] == "Meine Inventur"


def test_4_two_rows_with_one_slug_are_two_posts_with_their_folders_slugs(wp, cli, tmp_path):
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword\nInventur im Handwerk\nInventur Handwerk\n", encoding="utf-8")
    out = tmp_path / "o"
    brief = brief_file(tmp_path, **{"wordpress": {"url": wp.url, "user": wp.user},
                                    "targets.keyword_min": 0, "title.number": False})
    code, stdout, stderr = cli("batch", csv_path, "--brief", brief, "--dry-run", "--out", out, "--publish-failed",
                               "--wp-app-password", wp.app_password)
    assert code in (0, 1), stdout + stderr
    folders = sorted(p.parent.name for p in out.glob("*/report.json"))
    assert folders == ["inventur-handwerk", "inventur-handwerk-2"]
    for name in folders:
        report = json.loads((out / name / "report.json").read_text(encoding="utf-8"))
        stored = httpx.get(wp.rest_url + f"wp/v2/posts/{report['wordpress']['id']}", params={"context": "edit"},
                           auth=wp.auth).json()
        assert report["plan"]["slug"] == stored["slug"] == name


# --- 5. absurd targets and inputs end at once ----------------------------------------------------------

ABSURD = [
    ("words_min", {"targets.words_min": 10_000_000}, "at most 20000"),
    ("keyword uses", {"targets.keyword_min": 100_000_000, "targets.keyword_max": 100_000_000}, "at most 500"),
    ("topic", {"topic": "Wort " * 1000}, "at most 2000 characters"),
    ("keyword", {"keyword": "Handwerk " * 30}, "at most 100 characters"),
    ("sections", {"sections": 10_000}, "at most 20"),
    ("links", {"targets.internal_links": 10**6}, "at most 100"),
]


@pytest.mark.parametrize("case,changes,words", ABSURD, ids=[a[0] for a in ABSURD])
def test_5_absurd_numbers_and_strings_are_refused_in_one_line(cli, tmp_path, case, changes, words):
    code, _, stderr = cli("--brief", brief_file(tmp_path, **changes), "--dry-run", "--out", tmp_path / "o")
    assert code == 2 and words in one_line(stderr)
    assert len(stderr) < 400  # the value itself is never repeated


def test_5_yaml_alias_bomb_and_huge_files_are_refused(cli, tmp_path):
    bomb = "website: x.de\nkeyword: K\na0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n"
    bomb += "targets: {keyword_min: *a8}\n"
    path = tmp_path / "bomb.yaml"
    path.write_text(bomb, encoding="utf-8")
    code, _, stderr = cli("check", DATA / "good_post.md", "--brief", path)
    assert code == 2 and "aliases" in one_line(stderr) and len(stderr) < 300

    big = tmp_path / "big.yaml"
    big.write_text(SMALL.read_text(encoding="utf-8") + "topic: " + "x" * 2_000_000 + "\n", encoding="utf-8")
    code, _, stderr = cli("check", DATA / "good_post.md", "--brief", big)
    assert code == 2 and "larger than 1 MB" in one_line(stderr)


def test_5_absurd_csv_overrides_are_bad_rows(cli, tmp_path):
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword;words_min;topic\nA im Handwerk;10000000;\nB im Handwerk;;" + "y" * 3000 + "\n"
                        "Zeiterfassung im Handwerk;;\n", encoding="utf-8")
    code, _, _ = cli("batch", csv_path, "--brief", SMALL, "--dry-run", "--out", tmp_path / "o")
    rows = {r["line"]: r for r in _rows(tmp_path / "o")}
    assert code == 1 and rows["2"]["status"] == "bad row" and "at most 20000" in rows["2"]["note"]
    assert rows["3"]["status"] == "bad row" and "at most 2000 characters" in rows["3"]["note"]
    assert rows["4"]["status"] == "passed"


def _rows(out: Path) -> list[dict]:
    import csv

    with (out / "batch-report.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# --- 6. no tracebacks ---------------------------------------------------------------------------------

def test_6_a_giant_csv_cell_and_a_giant_integer_are_bad_rows_and_the_rest_goes_on(cli, tmp_path):
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword;words_min\n" + "z" * 140_000 + ";\nA im Handwerk;" + "9" * 5000 + "\n"
                        "Zeiterfassung im Handwerk;\n", encoding="utf-8")
    code, stdout, stderr = cli("batch", csv_path, "--brief", SMALL, "--dry-run", "--out", tmp_path / "o")
    assert "Traceback" not in stdout + stderr
    rows = {r["line"]: r for r in _rows(tmp_path / "o")}
    assert rows["2"]["status"] == "bad row" and "longer than 10000 characters" in rows["2"]["note"]
    assert rows["3"]["status"] == "bad row" and rows["4"]["status"] == "passed"


def test_6_yaml_oddities_are_text_or_one_line(cli, tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text(SMALL.read_text(encoding="utf-8") + "topic: 2025-13-45\n", encoding="utf-8")
    assert load_brief(path).topic == "2025-13-45"  # a date-like value in a text field is text
    path.write_text(SMALL.read_text(encoding="utf-8").replace("sections: 2", "sections: " + "1" * 5000),
                    encoding="utf-8")
    code, _, stderr = cli("check", DATA / "good_post.md", "--brief", path)
    assert code == 2 and "number is too long" in one_line(stderr)
    links = tmp_path / "links.md"
    links.write_bytes("- [Größe](/groesse/)\n".encode("latin-1"))
    code, _, stderr = cli("check", DATA / "good_post.md", "--brief", brief_file(tmp_path, internal_links_file=str(links)))
    assert code == 2 and "not UTF-8" in one_line(stderr)


def test_6_an_unwritable_out_is_found_before_the_first_request(cli, tmp_path):
    with FakeOpenAI(mock_responder()) as fake:
        code, _, stderr = cli("--brief", SMALL, "--model", "m", "--base-url", fake.url, "--out", "/proc/genpost-out")
        assert code == 2 and "cannot be written" in one_line(stderr)
        cache_file = tmp_path / "cache"
        cache_file.write_text("x", encoding="utf-8")
        code, _, stderr = cli("--brief", SMALL, "--model", "m", "--base-url", fake.url, "--out", tmp_path / "o",
                              "--cache-dir", cache_file)
        assert code == 2 and "--cache-dir" in one_line(stderr) and "is a file" in stderr
        assert fake.requests == []


def test_6_a_bad_price_file_is_found_before_the_first_request(cli, tmp_path, monkeypatch):
    from generator.llm.pricing import reset_prices

    prices = tmp_path / "prices.yaml"
    prices.write_text("my-model: {input: viel}\n", encoding="utf-8")
    monkeypatch.setenv("GENPOST_PRICES", str(prices))
    reset_prices()
    try:
        with FakeOpenAI(mock_responder()) as fake:
            code, _, stderr = cli("--brief", SMALL, "--model", "m", "--base-url", fake.url, "--out", tmp_path / "o")
            assert code == 2 and "GENPOST_PRICES" in one_line(stderr) and "my-model" in stderr
            assert fake.requests == []
    finally:
        reset_prices()


def test_6_a_disk_that_fills_after_paying_keeps_the_answers_and_says_so(cli, tmp_path, monkeypatch):
    import errno

    import generator.output as output

    def full(path, text):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output, "atomic_write_text", full)
    with FakeOpenAI(mock_responder()) as fake:
        code, _, stderr = cli("--brief", SMALL, "--model", "m", "--base-url", fake.url, "--out", tmp_path / "o")
        paid = len(fake.requests)
    line = one_line(stderr.strip().splitlines()[-1])
    assert code == 2 and "No space left on device" in line and f"{paid} paid LLM answers are kept" in line
    assert len(kept_answers(tmp_path / "o" / "genpost.db")) == paid
    monkeypatch.undo()
    with FakeOpenAI(mock_responder()) as fake:  # the rerun pays for nothing again
        code, _, _ = cli("--brief", SMALL, "--model", "m", "--base-url", fake.url, "--out", tmp_path / "o")
        assert code == 0 and fake.requests == []


def test_6_deeply_nested_blocks_and_attributes_are_a_failed_check_not_a_crash(cli, tmp_path):
    nested = tmp_path / "nested.html"
    nested.write_text("<!-- wp:group -->" * 1000 + "<p>x</p>" + "<!-- /wp:group -->" * 1000, encoding="utf-8")
    deep = tmp_path / "deep.html"
    deep.write_text('<!-- wp:paragraph {"a":' + "[" * 5000 + "]" * 5000 + "} -->\n<p>x</p>\n<!-- /wp:paragraph -->\n",
                    encoding="utf-8")
    for path, words in ((nested, "nested deeper than 64 levels"), (deep, "nested deeper than 64 levels")):
        code, stdout, stderr = cli("check", path, "--brief", SMALL, "--json")
        assert code == 1 and "Traceback" not in stderr
        checks = {c["id"]: c for c in json.loads(stdout)["checks"]}
        assert not checks["markup.blocks"]["passed"] and words in checks["markup.blocks"]["message"]


# --- 7. a slug that is nothing ---------------------------------------------------------------------------

def test_7_a_slug_or_keyword_without_letters_is_refused(cli, tmp_path):
    for changes in ({"slug": "---"}, {"keyword": "_"}, {"keyword": "„“ – …"}):
        code, _, stderr = cli("--brief", brief_file(tmp_path, **changes), "--dry-run", "--out", tmp_path / "o")
        assert code == 2 and ("slug" in one_line(stderr) or "letters" in stderr), changes
    assert not (tmp_path / "o" / "post.md").exists()


# --- 8. CSV encodings, row by row ---------------------------------------------------------------------------

def test_8_one_cp1252_row_deep_in_a_utf8_file_loses_no_row(cli, tmp_path):
    lines = [f"Thema {i:04d} Größe im Handwerk".encode("utf-8") for i in range(2000)]  # > 64 KB
    lines.insert(1500, "Kühlräume in Großbäckereien".encode("cp1252"))
    lines.insert(1700, b"Kaputt \x81\x8d im Handwerk")  # neither UTF-8 nor cp1252
    csv_path = tmp_path / "k.csv"
    csv_path.write_bytes(b"keyword\n" + b"\n".join(lines) + b"\n")
    from generator.batch import BadRow, open_csv

    _, rows = open_csv(csv_path)
    rows = list(rows)
    good = [r for r in rows if not isinstance(r, BadRow)]
    bad = [r for r in rows if isinstance(r, BadRow)]
    assert len(good) == 2001 and [b.line for b in bad] == [1702]
    assert good[1500].keyword == "Kühlräume in Großbäckereien" and good[1500].line == 1502
    assert good[0].keyword == "Thema 0000 Größe im Handwerk"


def test_8_a_small_mixed_file_is_decoded_row_by_row_and_a_nul_is_a_bad_row(tmp_path):
    from generator.batch import BadRow, open_csv

    csv_path = tmp_path / "k.csv"
    csv_path.write_bytes(b"keyword\n" + "Größe im Handwerk".encode("utf-8") + b"\n"
                         + "Größe im Büro".encode("cp1252") + b"\nNul\x00l im Handwerk\n")
    rows = list(open_csv(csv_path)[1])
    assert [r.keyword for r in rows[:2]] == ["Größe im Handwerk", "Größe im Büro"]
    assert isinstance(rows[2], BadRow) and rows[2].line == 4


# --- 9. CSV formula injection --------------------------------------------------------------------------

def test_9_cells_a_spreadsheet_would_run_are_neutralised(cli, tmp_path):
    csv_path = tmp_path / "k.csv"
    csv_path.write_text('keyword\n"=HYPERLINK(""http://evil.example"",""x"")"\n+1 Handwerk\n-2 Handwerk\n'
                        "@SUM Handwerk\n", encoding="utf-8")
    cli("batch", csv_path, "--brief", SMALL, "--dry-run", "--out", tmp_path / "o")
    keywords = [r["keyword"] for r in _rows(tmp_path / "o")]
    assert keywords == ["'=HYPERLINK(\"http://evil.example\",\"x\")", "'+1 Handwerk", "'-2 Handwerk",
                        "'@SUM Handwerk"]


# --- 10. SIGTERM stops every child -------------------------------------------------------------------------

def _processes_in_group(pgid: int) -> list[int]:
    """Live processes of a process group (a zombie has ended; only its exit status is left)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            found.append(int(stat.parent.name))
    return found


def test_10_sigterm_mid_batch_stops_the_checker_workers(tmp_path):
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword\n" + "\n".join(f"Thema {i} im Handwerk" for i in range(40)) + "\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "generator", "batch", str(csv_path), "--brief", str(SMALL),
                             "--dry-run", "--out", str(tmp_path / "o"), "--check-workers", "1"],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT,
                            start_new_session=True)
    try:
        for line in proc.stderr:
            if line.startswith("[2/"):
                assert len(_processes_in_group(proc.pid)) >= 2  # genpost and its checker worker
                proc.send_signal(signal.SIGTERM)
                break
        rest = proc.stderr.read()
        proc.wait()
        assert proc.returncode == 130 and "interrupted" in rest
        assert _processes_in_group(proc.pid) == []
    finally:
        for pid in _processes_in_group(proc.pid):
            os.kill(pid, signal.SIGKILL)


# --- 11. checker false passes ---------------------------------------------------------------------------------

def test_11_backslash_and_protocol_relative_urls_are_refused_and_never_internal(cli, tmp_path, small_brief):
    for url in ("/\\evil.example/phish", "//evil.example/phish", "/\t/evil.example/x"):
        brief = brief_file(tmp_path, internal_links=[{"url": url}, {"url": "/a/"}, {"url": "/b/"}])
        code, _, stderr = cli("check", DATA / "good_post.md", "--brief", brief)
        assert code == 2 and "internal_links[0].url" in one_line(stderr), url
    markup = ('<!-- wp:paragraph -->\n<p><a href="/\\evil.example/phish">x</a></p>\n<!-- /wp:paragraph -->\n')
    report = run_checks(Post(markup=markup), small_brief)
    assert report.get("links.internal.count").value == 0 and report.get("links.external.count").value == 1
    assert not report.get("links.external.known").passed


def test_11_a_title_with_checkliste_does_not_hide_the_seo_fields(tmp_path, small_brief, good_text):
    text = good_text.replace("# ", "# Die ultimative Checkliste: ", 1).replace(
        "**SEO Title**:", "**SEO Title**: " + "Sehr langer Titel " * 5 + "–", 1)
    path = tmp_path / "post.md"
    path.write_text(text, encoding="utf-8")
    post = read_post(path)
    assert post.seo_title and len(post.seo_title) > 90
    assert not run_checks(post, small_brief).get("seo_title.length").passed


def test_11_an_empty_power_word_is_refused(cli, tmp_path):
    for words in ([""], ["a"], ["zwei Worte"]):
        code, _, stderr = cli("check", DATA / "good_post.md", "--brief", brief_file(tmp_path, **{"title.power_words": words}))
        assert code == 2 and "title.power_words" in one_line(stderr)


# --- 12. smaller -----------------------------------------------------------------------------------------------

def test_12_the_mu_plugin_strips_markup_and_hides_meta_from_anonymous_readers(wp):
    post = httpx.post(wp.rest_url + "wp/v2/posts", auth=wp.auth, timeout=30,
                      json={"title": "Öffentlich", "status": "publish", "slug": "meta-oeffentlich",
                            "meta": {"_yoast_wpseo_focuskw": "<script>x</script>Geheimes Keyword",
                                     "rank_math_focus_keyword": "Geheim"}}).json()
    stored = httpx.get(wp.rest_url + f"wp/v2/posts/{post['id']}", params={"context": "edit"}, auth=wp.auth).json()
    assert stored["meta"]["_yoast_wpseo_focuskw"] == "Geheimes Keyword"
    anonymous = httpx.get(wp.rest_url + f"wp/v2/posts/{post['id']}").json()
    assert "Geheim" not in json.dumps(anonymous)


def test_12_retry_time_bounds_a_request_with_a_longer_timeout(cli, tmp_path):
    with FakeOpenAI(mock_responder(), faults_script=["hang"], hang_seconds=60) as fake:
        code, _, stderr = cli("--brief", SMALL, "--model", "m", "--base-url", fake.url, "--out", tmp_path,
                              "--timeout", "60", "--retry-time", "1")
    assert code == 3 and "no answer within the retry time (1 s)" in stderr


def test_12_terms_created_before_a_failed_create_are_removed(wp, generated, tmp_path):
    folder = _copy(generated["zeiterfassung"], tmp_path / "terms", "terms-ohne-beitrag")
    target = resolve_target(WordPressSettings(categories=["Nur für diesen Versuch"], tags=["Versuchstag"]),
                            wp.url, wp.user, wp.app_password)
    from generator.retry import RetryPolicy

    def refuse_create(request: httpx.Request):
        if request.method == "POST" and request.url.path.endswith("/wp/v2/posts"):
            return httpx.Response(400, json={"code": "rest_invalid", "message": "nein"})
        return None

    with httpx.HTTPTransport() as real:
        def handler(request):
            answer = refuse_create(request)
            if answer is not None:
                return answer
            response = real.handle_request(request)
            response.read()
            return response

        with httpx.Client(transport=httpx.MockTransport(handler), timeout=30) as client:
            with pytest.raises(PublishError):
                publish_folder(folder, target, client=client, policy=RetryPolicy(attempts=1), allow_failed=True)
    for taxonomy, name in (("categories", "Nur für diesen Versuch"), ("tags", "Versuchstag")):
        found = httpx.get(wp.rest_url + f"wp/v2/{taxonomy}", params={"search": name}, auth=wp.auth).json()
        assert found == [], taxonomy


def test_12_a_punycode_website_and_its_idn_links_are_one_site(tmp_path, cli):
    brief = brief_file(tmp_path, website="xn--bckerei-mller-bfb28a.de",
                       internal_links=[{"url": "https://bäckerei-müller.de/a/"}, {"url": "/b/"},
                                       {"url": "https://www.BÄCKEREI-MÜLLER.de/c"}])
    b = load_brief(brief)
    assert all(b.is_internal(link.url) for link in b.internal_links)
    assert b.url_key("https://bäckerei-müller.de/a/") == b.url_key("/a")


def test_12_duplicate_columns_and_duplicate_brief_keys_are_one_line(cli, tmp_path):
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword;topic;Topic\nA;b;c\n", encoding="utf-8")
    code, _, stderr = cli("batch", csv_path, "--brief", SMALL, "--dry-run", "--out", tmp_path / "o")
    assert code == 2 and "'topic' appears twice" in one_line(stderr)
    path = tmp_path / "b.yaml"
    path.write_text(SMALL.read_text(encoding="utf-8") + "keyword: Noch einmal\n", encoding="utf-8")
    code, _, stderr = cli("check", DATA / "good_post.md", "--brief", path)
    assert code == 2 and "'keyword' appears twice (first on line 2)" in one_line(stderr)
    with pytest.raises(InputError):
        load_brief(path)
