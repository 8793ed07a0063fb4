"""Bad input of every kind ends in one line naming the problem and exit 2, never a traceback."""

import sys

import pytest

from .conftest import DATA, MITTELSTAND

GOOD_BRIEF = (DATA / "small.yaml").read_text(encoding="utf-8")
GOOD_POST = DATA / "good_post.md"


def brief_with(tmp, text: str | bytes, name: str = "brief.yaml"):
    path = tmp / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def replace(old: str, new: str):
    assert old in GOOD_BRIEF
    return lambda tmp: brief_with(tmp, GOOD_BRIEF.replace(old, new))


# (case id, argv builder(tmp) -> args, words the one line must contain)
CASES = [
    # briefs
    ("empty brief", lambda t: ["--brief", brief_with(t, ""), "--dry-run"], ["brief is empty"]),
    ("yaml list", lambda t: ["--brief", brief_with(t, "- keyword: A\n- website: x.de\n"), "--dry-run"], ["mapping"]),
    ("wrong type", lambda t: ["--brief", replace("keyword_min: 3", "keyword_min: viele")(t), "--dry-run"],
     ["targets.keyword_min", "whole number"]),
    ("negative target", lambda t: ["--brief", replace("words_min: 150", "words_min: -150")(t), "--dry-run"],
     ["targets.words_min"]),
    ("min above max", lambda t: ["--brief", replace("keyword_max: 5", "keyword_max: 2")(t), "--dry-run"],
     ["keyword_min (3) is above keyword_max (2)"]),
    ("unknown field", lambda t: ["--brief", replace("keyword:", "keywrod:")(t), "--dry-run"], ["keywrod", "keyword"]),
    ("javascript url", lambda t: ["--brief", replace("/kontakt/", "javascript:alert(1)")(t), "--dry-run"],
     ["internal_links", "http(s) URL"]),
    ("missing links file", lambda t: ["--brief", brief_with(t, GOOD_BRIEF + "internal_links_file: FEHLT.md\n"),
                                      "--dry-run"], ["FEHLT.md", "not found"]),
    ("binary brief", lambda t: ["--brief", brief_with(t, b"\x89PNG\r\n\x1a\n\x00\x00"), "--dry-run"], ["binary"]),
    ("latin-1 brief", lambda t: ["--brief", brief_with(t, "keyword: Größe\n".encode("latin-1")), "--dry-run"],
     ["not UTF-8"]),
    ("invalid yaml", lambda t: ["--brief", brief_with(t, "website: x.de\nkeyword: [A\n"), "--dry-run"],
     ["invalid YAML", "line"]),
    ("missing keyword", lambda t: ["--brief", replace("keyword: Digitalisierung im Handwerk\n", "")(t), "--dry-run"],
     ["keyword", "required"]),
    ("brief is a folder", lambda t: ["--brief", t, "--dry-run"], ["directory"]),
    ("brief missing", lambda t: ["--brief", t / "nope.yaml", "--dry-run"], ["nope.yaml", "not found"]),
    ("duplicate url", lambda t: ["--brief", replace("/preise/", "/kontakt/")(t), "--dry-run"], ["duplicate"]),
    ("too few candidates", lambda t: ["--brief", replace("internal_links: 2", "internal_links: 9")(t), "--dry-run"],
     ["candidate links for a target of 9"]),
    ("bad address", lambda t: ["--brief", replace("address: Sie", "address: Ihr")(t), "--dry-run"], ["address"]),
    # CSVs
    ("csv without keyword", lambda t: ["batch", brief_with(t, "thema;jahr\nA;2025\n", "k.csv"), "--brief", MITTELSTAND,
                                       "--dry-run"], ["no 'keyword' column"]),
    ("empty csv", lambda t: ["batch", brief_with(t, "", "k.csv"), "--brief", MITTELSTAND, "--dry-run"], ["empty"]),
    ("csv with only its header", lambda t: ["batch", brief_with(t, "keyword;topic\n\n", "k.csv"), "--brief",
                                            MITTELSTAND, "--dry-run"], ["k.csv", "no rows"]),
    ("binary csv", lambda t: ["batch", brief_with(t, b"PK\x03\x04\x00\x00", "k.xlsx"), "--brief", MITTELSTAND,
                              "--dry-run"], ["binary"]),
    ("csv missing", lambda t: ["batch", t / "nope.csv", "--brief", MITTELSTAND, "--dry-run"], ["not found"]),
    ("csv is a folder", lambda t: ["batch", t, "--brief", MITTELSTAND, "--dry-run"], ["not a file"]),
    ("batch without brief", lambda t: ["batch", brief_with(t, "keyword\nA\n", "k.csv"), "--dry-run"], ["--brief"]),
    # flags
    ("out parent missing", lambda t: ["--brief", MITTELSTAND, "--dry-run", "--out", t / "no" / "such" / "out"],
     ["parent folder", "does not exist"]),
    ("out is a file", lambda t: ["--brief", MITTELSTAND, "--dry-run", "--out", brief_with(t, "x", "file.txt")],
     ["is a file"]),
    ("negative rounds", lambda t: ["--brief", MITTELSTAND, "--dry-run", "--max-rounds", "-1"], ["--max-rounds"]),
    ("zero jobs", lambda t: ["batch", brief_with(t, "keyword\nA\n", "k.csv"), "--brief", MITTELSTAND, "--jobs", "0"],
     ["--jobs"]),
    ("zero timeout", lambda t: ["--brief", MITTELSTAND, "--dry-run", "--timeout", "0"], ["--timeout"]),
    ("unknown flag", lambda t: ["--brief", MITTELSTAND, "--dryrun"], ["No such option: --dryrun"]),
    ("seed not a number", lambda t: ["--brief", MITTELSTAND, "--dry-run", "--seed", "abc"], ["--seed"]),
    ("no key", lambda t: ["--brief", MITTELSTAND], ["no API key", "--dry-run"]),
    ("check: post missing", lambda t: ["check", t / "nope.html", "--brief", MITTELSTAND], ["not found"]),
    ("check: no blocks", lambda t: ["check", brief_with(t, "<p>Text</p>", "p.html"), "--brief", MITTELSTAND],
     ["no WordPress blocks"]),
    ("check: binary post", lambda t: ["check", brief_with(t, b"\x00\x01", "p.html"), "--brief", MITTELSTAND],
     ["binary"]),
    ("publish: no post folder", lambda t: ["publish", t, "--wp-url", "https://example.com", "--wp-user", "r",
                                           "--wp-app-password", "x"], ["report.json"]),
    ("publish: plain http", lambda t: ["--brief", MITTELSTAND, "--dry-run", "--publish", "--wp-url",
                                       "http://example.com", "--wp-user", "r", "--wp-app-password", "x"],
     ["plain http"]),
]


@pytest.mark.parametrize("case,build,needles", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_one_line_and_exit_2(case, build, needles, tmp_path, monkeypatch, capsys):
    from generator.cli import main

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)  # a default out/ lands here
    args = [str(a) for a in build(tmp_path)]
    monkeypatch.setattr(sys, "argv", ["genpost", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    captured = capsys.readouterr()
    assert exit_info.value.code == 2, (captured.out, captured.err)
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("genpost: ")
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert "Traceback" not in captured.out + captured.err
