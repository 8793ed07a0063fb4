"""Start-up as the user feels it: whole processes, timed from spawn to exit, side by side.

Each round runs every command once, in turn, so load from other jobs falls on all of them alike;
the table shows the median (and min-max) over the rounds, and the ratios the targets ask for:

- `genpost --version` against a bare `python -c pass` of the same interpreter (target: within 4x);
- `genpost check` of the seed against Yoast's analysis of the same post in node, through the
  `yoastseo` runner the tests use (tests/support/js/yoast_analyze.mjs; target: genpost 3x faster).

Every command runs once before timing, as every run after the first finds things: the pyphen
cache (generator/hyphenation.py) and Python's bytecode (the children run without
PYTHONDONTWRITEBYTECODE, so __pycache__ is written as an installed package has it).

    python bench/bench_startup.py [--rounds 20] [--before DIR]

--before DIR also times the genpost commands of another checkout (e.g. `git archive <commit> | tar
-x -C DIR`) as `python -m generator`, with this interpreter and its packages, in the same rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = ROOT / "examples" / "seed-post.txt"
BRIEF = ROOT / "briefs" / "mittelstand.yaml"
JS = ROOT / "tests" / "support" / "js"


def _genpost() -> list[str]:
    """The installed console script beside this interpreter, else the module."""
    script = Path(sys.executable).with_name("genpost")
    return [str(script)] if script.exists() else [sys.executable, "-m", "generator"]


def _yoast_input(folder: Path) -> Path | None:
    """The seed as the tests hand a post to Yoast: its content, keyphrase, SEO title, meta
    description, slug, permalink and title width."""
    if shutil.which("node") is None or not (JS / "node_modules" / "yoastseo").is_dir():
        return None
    from generator.brief import load_brief
    from generator.checks.research import permalink, title_width
    from generator.post import read_post

    post, brief = read_post(SEED), load_brief(BRIEF)
    data = [dict(content=post.markup, keyword=brief.keyword, title=post.seo_title, description=post.meta_description,
                 slug=post.slug, permalink=permalink(brief, post.slug), titleWidth=title_width(post.seo_title))]
    path = folder / "seed.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _timed(argv: list[str], stdin: Path | None, cwd: Path = ROOT) -> float:
    env = ENV if cwd == ROOT else {**ENV, "PYTHONPATH": str(cwd)}
    with open(stdin or os.devnull, "rb") as source:
        start = time.perf_counter()
        proc = subprocess.run(argv, stdin=source, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd,
                              env=env)
        elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # check: 1 = the post fails a check, still a full run
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {proc.stderr.decode(errors='replace')}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--before", type=Path, help="another checkout whose genpost commands are timed alongside")
    args = ap.parse_args()
    genpost = _genpost()
    with tempfile.TemporaryDirectory() as tmp:
        yoast_json = _yoast_input(Path(tmp))
        check = ["check", str(SEED), "--brief", str(BRIEF)]
        commands: dict[str, tuple[list[str], Path | None, Path]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], None, ROOT),
            "python -c 'import typer'": ([sys.executable, "-c", "import typer"], None, ROOT),
            "genpost --version": ([*genpost, "--version"], None, ROOT),
            "genpost --help": ([*genpost, "--help"], None, ROOT),
            "genpost check (seed, yoast)": ([*genpost, *check], None, ROOT),
            "genpost check (seed, none)": ([*genpost, *check, "--profile", "none"], None, ROOT),
        }
        if args.before is not None:
            before = [sys.executable, "-m", "generator"]
            commands.update({
                "before: genpost --version": ([*before, "--version"], None, args.before.resolve()),
                "before: genpost check (seed, yoast)": ([*before, *check], None, args.before.resolve()),
            })
        if yoast_json is not None:
            commands["node: yoastseo analysis (seed)"] = (["node", str(JS / "yoast_analyze.mjs")], yoast_json, ROOT)
        for argv, stdin, cwd in commands.values():  # warm the page cache and genpost's own caches
            _timed(argv, stdin, cwd)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, (argv, stdin, cwd) in commands.items():
                times[name].append(_timed(argv, stdin, cwd))
    median = {name: statistics.median(t) for name, t in times.items()}
    print(f"{args.rounds} rounds, {os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"{'command':38} {'median':>9} {'min-max':>17}")
    for name, t in times.items():
        print(f"{name:38} {median[name] * 1000:7.0f} ms {min(t) * 1000:7.0f}-{max(t) * 1000:.0f} ms")
    base = median["python -c pass"]
    print(f"genpost --version / python -c pass: {median['genpost --version'] / base:.2f}x (target <= 4)")
    typer_only = median["python -c 'import typer'"]
    print(f"python -c 'import typer' / python -c pass: {typer_only / base:.2f}x (the floor of a typer command line)")
    if yoast_json is not None:
        node = median["node: yoastseo analysis (seed)"]
        print(f"node yoastseo / genpost check (yoast): {node / median['genpost check (seed, yoast)']:.2f}x (target >= 3)")
        if args.before is not None:
            print(f"before: node yoastseo / genpost check (yoast): "
                  f"{node / median['before: genpost check (seed, yoast)']:.2f}x")
    if args.before is not None:
        print(f"before: genpost --version / python -c pass: {median['before: genpost --version'] / base:.2f}x")


if __name__ == "__main__":
    main()
