from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED = ROOT.parent / "shared" / "seed" / "000_01d6504d1117eeb1.txt"
MITTELSTAND = ROOT / "briefs" / "mittelstand.yaml"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture
def cli():
    """Run genpost in-process; returns (exit code, stdout, stderr)."""
    from generator.cli import app

    runner = CliRunner()

    def run(*args: str):
        result = runner.invoke(app, [str(a) for a in args], catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run


@pytest.fixture
def small_brief():
    from generator.brief import load_brief

    return load_brief(DATA / "small.yaml")


@pytest.fixture
def good_text() -> str:
    return (DATA / "good_post.md").read_text(encoding="utf-8")
