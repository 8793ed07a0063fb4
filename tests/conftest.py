from __future__ import annotations

import os
import time
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
# The seed post README's figures are measured on, shipped in the repository (examples/README.md).
SEED = ROOT / "examples" / "seed-post.txt"
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


@pytest.fixture(scope="session")
def wp():
    """One real WordPress (Debian's packages, MariaDB, php -S on 127.0.0.1) for the whole suite,
    stopped by pid at the end."""
    from .support.wordpress import WordPressServer, wordpress_unavailable_reason

    reason = wordpress_unavailable_reason()
    if reason:
        pytest.skip(reason)
    with WordPressServer() as server:
        yield server


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> dict[str, Path]:
    """Dry runs (mock LLM, in-process) of the shipped briefs: brief name -> post folder."""
    import asyncio

    from generator.brief import load_brief
    from generator.llm import LLMSettings, make_client
    from generator.run import produce

    out = tmp_path_factory.mktemp("dry-runs")
    folders = {}
    for name in ("mittelstand", "grossbaeckerei", "zeiterfassung", "projektmanagement-du"):
        brief = load_brief(ROOT / "briefs" / f"{name}.yaml")
        folder, result = asyncio.run(produce(brief, make_client(LLMSettings(model="mock")), out))
        assert result.report.passed, (name, result.report.failing_ids())
        folders[name] = folder
    return folders


def without_images(brief: Path, folder: Path) -> Path:
    """A copy of a shipped brief without its images (for tests that count the text requests)."""
    import yaml

    data = yaml.safe_load(brief.read_text(encoding="utf-8"))
    if data.get("internal_links_file"):
        data["internal_links_file"] = str((brief.parent / data["internal_links_file"]).resolve())
    data["images"] = {"source": "none"}
    path = folder / f"{brief.stem}-text.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def small_brief():
    from generator.brief import load_brief

    return load_brief(DATA / "small.yaml")


@pytest.fixture
def good_text() -> str:
    return (DATA / "good_post.md").read_text(encoding="utf-8")


# --- nothing the suite starts is left running -------------------------------------------------

# Every process the suite starts inherits this variable (the tests' environments are copies of
# os.environ, at most without OPENAI_* and GENPOST_*), so what the suite left behind is found by
# it, and a genpost or a browser a person runs from the same checkout meanwhile is not.
SESSION_MARK = "PYTEST_GENPOST_SESSION"


def _ours(mark: str) -> list[str]:
    """Live processes that carry this session's mark (workers, servers, forkservers, a genpost run
    in a subprocess, a browser), other than pytest itself."""
    from .support.procs import all_procs

    needle = f"{SESSION_MARK}={mark}".encode() + b"\0"
    found = []
    for proc in all_procs():
        if proc.pid == os.getpid() or proc.state in ("Z", "X"):
            continue
        try:
            if needle not in Path(f"/proc/{proc.pid}/environ").read_bytes() + b"\0":
                continue
            cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        found.append(f"{proc.pid} {cmdline[:120]}")
    return found


def pytest_sessionstart(session):
    session.config._genpost_mark = os.environ[SESSION_MARK] = f"{os.getpid()}-{time.time_ns()}"


def pytest_sessionfinish(session, exitstatus):
    mark = getattr(session.config, "_genpost_mark", None)
    left = _ours(mark) if mark else []
    if left:
        session.config.get_terminal_writer().line(
            "processes the tests started are still running:\n  " + "\n  ".join(left), red=True)
        session.exitstatus = 1
