"""What one headless-Chromium page check costs (tests/support/browser.py).

Each round: start Chromium, load a self-contained page (load event + 0.5 s network quiet), take
a full-page screenshot, close (every process reaped, temp dir removed). Then, in one browser,
the cost of a further load (what a second page in the same test module costs).

    python bench/bench_browser.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import Browser, chromium_unavailable_reason  # noqa: E402

PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Bench</title>
<style>body { font: 16px Arial, sans-serif; max-width: 40em; margin: 2em auto; }</style></head>
<body><h1>Zeiterfassung im Mittelstand</h1>{paragraphs}</body></html>"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    reason = chromium_unavailable_reason()
    if reason:
        sys.exit(reason)

    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(PAGE.replace("{paragraphs}", "<p>Ein Absatz mit etwas Text.</p>" * 60), encoding="utf-8")
        phases: dict[str, list[float]] = {"start": [], "load": [], "screenshot": [], "close": [], "total": []}
        for _ in range(args.rounds):
            t0 = time.perf_counter()
            browser = Browser().start()
            t1 = time.perf_counter()
            result = browser.load(page)
            t2 = time.perf_counter()
            result.screenshot(Path(tmp) / "page.png")
            t3 = time.perf_counter()
            browser.close()
            t4 = time.perf_counter()
            for name, value in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t4 - t0)):
                phases[name].append(value)

        with Browser() as browser:
            browser.load(page)
            further = []
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                browser.load(page).close()
                further.append(time.perf_counter() - t0)

    print(f"{browser.version}, {args.rounds} rounds, median (min-max) in s:")
    for name, values in phases.items():
        print(f"  {name:<11} {statistics.median(values):.3f} ({min(values):.3f}-{max(values):.3f})")
    print(f"  further load in the same browser: {statistics.median(further):.3f} ({min(further):.3f}-{max(further):.3f})")


if __name__ == "__main__":
    main()
