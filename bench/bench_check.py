"""Checks per second on the seed post, on one core.

A "run" is the whole checker (parse the post + every check) on the seed; "checks" counts the
individual check results a run produces. Cold runs clear the sentence and syllable caches
first, as for a post never seen before; warm runs keep them, as in the repair loop, which
re-checks mostly unchanged paragraphs. Each profile is measured: none (the brief's checks),
yoast (plus Yoast's analysis, the default), rankmath (plus Rank Math's tests).

    python bench/bench_check.py [--seconds 3] [--post P --brief B]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.brief import load_brief  # noqa: E402
from generator.checks import run_checks  # noqa: E402
from generator.post import read_post  # noqa: E402

SEED = ROOT / "examples" / "seed-post.txt"


def clear_caches() -> None:
    """Every per-text cache of genpost's modules (block views, sentences, syllables, Yoast's
    stretches …); not the one-time builders (the splitters, word lists: maxsize 1)."""
    for name, module in list(sys.modules.items()):
        if not name.startswith("generator"):
            continue
        for obj in list(vars(module).values()):
            info = getattr(obj, "cache_info", None)
            if info is not None and info().maxsize != 1:
                obj.cache_clear()


def measure(seconds: float, cold: bool, post, brief, profile: str) -> tuple[float, float]:
    runs = checks = 0
    busy = 0.0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        if cold:
            clear_caches()
        t0 = time.perf_counter()
        report = run_checks(post, brief, profile)
        busy += time.perf_counter() - t0
        runs += 1
        checks += len(report.results)
    return runs / busy, checks / busy


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--post", default=str(SEED))
    ap.add_argument("--brief", default=str(ROOT / "briefs" / "mittelstand.yaml"))
    args = ap.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    post, brief = read_post(args.post), load_brief(args.brief)
    for profile in ("none", "yoast", "rankmath"):
        run_checks(post, brief, profile)  # build the splitters and word lists once, as a running process has them
        for label, cold in (("cold", True), ("warm", False)):
            runs, checks = measure(args.seconds, cold, post, brief, profile)
            print(f"{profile:8} {label}: {runs:8.1f} checker runs/s  {checks:9.0f} checks/s  "
                  f"({1000 / runs:.2f} ms per run)")


if __name__ == "__main__":
    main()
