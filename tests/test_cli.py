"""The command's shape: help, version, the main job and the check subcommand."""

import json

from generator import __version__

from .conftest import DATA


def test_version(cli):
    code, stdout, _ = cli("--version")
    assert code == 0 and stdout.strip() == f"genpost {__version__}"


def test_help_lists_the_main_job_and_subcommands(cli):
    code, stdout, _ = cli("--help")
    assert code == 0
    for option in ("--brief", "--dry-run", "--version"):
        assert f" {option}" in stdout
    commands = stdout.split("Commands:", 1)[1].splitlines()
    names = {line.split()[0] for line in commands if line.startswith("  ") and line.strip()}
    assert {"check", "batch", "publish", "preview"} <= names


def test_check_help_explains_every_option(cli):
    code, stdout, _ = cli("check", "--help")
    assert code == 0
    for word in ("--brief", "--json", "block markup"):
        assert word in stdout


def test_check_good_post_exits_0(cli):
    code, stdout, _ = cli("check", DATA / "good_post.md", "--brief", DATA / "small.yaml")
    assert code == 0 and "passes" in stdout


def test_missing_post_file_is_one_line_exit_2(cli, tmp_path):
    code, _, stderr = cli("check", tmp_path / "nope.html", "--brief", DATA / "small.yaml")
    assert code == 2 and "nope.html: file not found" in stderr and len(stderr.strip().splitlines()) == 1


def test_post_without_blocks_is_rejected(cli, tmp_path):
    path = tmp_path / "post.html"
    path.write_text("<p>Nur Text</p>", encoding="utf-8")
    code, _, stderr = cli("check", path, "--brief", DATA / "small.yaml")
    assert code == 2 and "no WordPress blocks" in stderr


def test_check_profiles(cli):
    good, brief = DATA / "good_post.md", DATA / "small.yaml"
    code, stdout, _ = cli("check", good, "--brief", brief, "--profile", "rankmath")
    assert "Rank Math: 67/100" in stdout
    code, stdout, _ = cli("check", good, "--brief", brief, "--json")
    data = json.loads(stdout)
    assert data["profile"] == "yoast" and set(data["scores"]) == {"yoast_seo", "yoast_readability"}
    assert any(c["rule"] == "yoast" and c["plugin"] == "textTransitionWords" for c in data["checks"])
    code, stdout, _ = cli("check", good, "--brief", brief, "--profile", "none", "--json")
    assert code == 0 and json.loads(stdout)["scores"] == {}
    assert not any(c["rule"] != "brief" for c in json.loads(stdout)["checks"])
    code, _, stderr = cli("check", good, "--brief", brief, "--profile", "wordpress")
    assert code == 2 and "--profile" in stderr
