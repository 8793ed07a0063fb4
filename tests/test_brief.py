"""The brief: field names, defaults, and one clear line with exit 2 for each bad brief."""

import pytest
import yaml

from generator.brief import load_brief
from generator.errors import InputError

from .conftest import DATA, MITTELSTAND


def test_mittelstand_brief_is_the_seed_brief():
    b = load_brief(MITTELSTAND)
    assert b.keyword == "Digitalisierung im Mittelstand"
    assert (b.targets.keyword_min, b.targets.keyword_max, b.targets.words_min) == (18, 22, 2000)
    assert b.targets.internal_links == 7 and len(b.internal_links) == 8  # from URLS.md
    assert [l.url for l in b.external_links] == ["https://www.bmwk.de", "https://www.bsi.bund.de",
                                                 "https://www.bitkom.org"]
    assert b.address == "Sie" and b.year == 2025 and b.sections == 7
    assert b.title.power_word and b.title.number and b.title.year


def test_links_file_accepts_markdown_lines_and_bare_urls(tmp_path):
    (tmp_path / "URLS.md").write_text("- [Fallstudien](/fallstudien/)\n\n# comment\n/kontakt/\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("website: x.de\nkeyword: Test\ninternal_links_file: URLS.md\n"
                                     "targets: {internal_links: 2, external_links: 0}\n", encoding="utf-8")
    b = load_brief(tmp_path / "b.yaml")
    assert [(l.url, l.title) for l in b.internal_links] == [("/fallstudien/", "Fallstudien"), ("/kontakt/", "")]


def _base() -> dict:
    return yaml.safe_load((DATA / "small.yaml").read_text(encoding="utf-8"))


def _with(path, **changes):
    data = _base()
    for dotted, value in changes.items():
        node = data
        keys = dotted.split("__")
        for k in keys[:-1]:
            node = node[k]
        if value is _DELETE:
            del node[keys[-1]]
        else:
            node[keys[-1]] = value
    return data


_DELETE = object()

# Cases that tests/test_bad_input.py does not already run through the CLI.
BAD_BRIEFS = [
    # (case, changes or raw text, words the one line must contain)
    ("empty keyword", {"keyword": ""}, ["keyword"]),
    ("too few external candidates", {"targets__external_links": 2}, ["external_links", "1 candidate"]),
    ("unknown nested field", {"targets__word_min": 3}, ["targets.word_min", "words_min"]),
    ("http external", {"external_links": [{"url": "http://www.zdh.de"}]}, ["external_links[0].url", "https"]),
    ("external on own site", {"external_links": [{"url": "https://handwerk-digital.de/x/"}]},
     ["external_links[0].url", "internal"]),
]


@pytest.mark.parametrize("case,changes,needles", BAD_BRIEFS, ids=[c[0] for c in BAD_BRIEFS])
def test_bad_brief_gives_one_line_and_exit_2(tmp_path, cli, case, changes, needles):
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(_with(path, **changes), allow_unicode=True), encoding="utf-8")
    code, stdout, stderr = cli("check", DATA / "good_post.md", "--brief", path)
    assert code == 2
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert str(path) in lines[0]
    for needle in needles:
        assert needle in lines[0], lines[0]
    assert "Traceback" not in stderr + stdout


def test_invalid_yaml_names_its_line(tmp_path, cli):
    path = tmp_path / "brief.yaml"
    path.write_text("website: x.de\nkeyword: A\ntargets:\n  keyword_min: 3\n keyword_max: [\n", encoding="utf-8")
    code, _, stderr = cli("check", DATA / "good_post.md", "--brief", path)
    assert code == 2
    assert "line 5" in stderr and "invalid YAML" in stderr and len(stderr.strip().splitlines()) == 1


def test_unknown_field_error_suggests_the_right_name(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text("website: x.de\nkeywrod: A\n", encoding="utf-8")
    with pytest.raises(InputError) as e:
        load_brief(path)
    assert "did you mean 'keyword'" in str(e.value)
