"""The seed post measured against its brief: the figures README quotes."""

import json

from .conftest import MITTELSTAND, SEED


def test_seed_figures_and_exit_code(cli):
    code, stdout, _ = cli("check", SEED, "--brief", MITTELSTAND, "--json")
    assert code == 1
    data = json.loads(stdout)
    checks = {c["id"]: c for c in data["checks"]}

    def figure(check_id):
        return checks[check_id]["value"], checks[check_id]["passed"]

    assert figure("keyword.count") == (25, False)  # Yoast: 25 keyphrase uses
    assert figure("words.count") == (752, False)  # Yoast: 752 words
    assert figure("links.internal.count") == (8, False)
    assert figure("links.external.count") == (3, True)
    assert figure("seo_title.length") == (69, False)
    assert figure("meta.length") == (172, False)
    # The default profile (Yoast) adds its assessments: the 69-character title is 604 px wide.
    assert figure("seo_title.width") == (604, False) and checks["seo_title.width"]["severity"] == "error"
    assert data["profile"] == "yoast" and data["scores"]["yoast_seo"] == 38
    for rule in ("title.power_word", "title.number", "title.year", "structure.spacers"):
        assert checks[rule]["passed"], rule
    claims = checks["checklist.claims"]
    assert not claims["passed"]
    assert len(claims["value"]) == 3
    assert any("22 occurrences" in c and "25" in c for c in claims["value"])
    assert any("Internal links: 7" in c and "8" in c for c in claims["value"])
    assert any("~2100" in c and "752" in c for c in claims["value"])


def test_seed_table_output(cli):
    code, stdout, _ = cli("check", SEED, "--brief", MITTELSTAND, "--profile", "none")  # the brief's checks only
    assert code == 1
    assert "keyword.count" in stdout and "fails: 6 errors" in stdout
