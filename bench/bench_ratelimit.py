"""Rate limits: a batch against a provider that allows N requests in flight and answers 429 to any
request above that (the fake server in its own process, with x-ratelimit-* headers, 400 ms latency
and 80 tokens/s by default), with genpost's default settings: no --max-concurrent-requests.

Reports per run: posts lost (status error), the share of requests answered 429, the peak in
flight, and wall time / ideal, where ideal = the server's total service time of the answered
requests / N (what N slots kept busy all the time would take). Targets at --jobs 16, 40 posts:
0 posts lost, < 5 % 429s, wall <= 1.2 x ideal.

    python bench/bench_ratelimit.py [--posts 40] [--jobs 16,8] [--limit 32] [--latency 0.4]
        [--tokens-per-second 80] [--retry-after S] [--no-headers] [--root LABEL=PATH ...]

--root runs the genpost found in PATH (e.g. an export of main: git archive main | tar -x -C
/tmp/main) beside this one, alternating, so that both see the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench_batch import ROOT, genpost, start_fake_server, stop_fake_server, write_csv


def run_once(root: Path, posts: int, jobs: int, server_options: list[str], limit: int, extra: list[str],
             log: Path | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        write_csv(tmp_path / "k.csv", posts)
        server, url = start_fake_server(*server_options)
        t0 = time.perf_counter()
        run = subprocess.run(genpost("batch", str(tmp_path / "k.csv"), "--brief", str(ROOT / "briefs/mittelstand.yaml"),
                                     "--out", str(tmp_path / "out"), "--base-url", url, "--api-key", "bench",
                                     "--jobs", str(jobs), *extra, *(["-v"] if log else [])),
                             cwd=root, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        stats = stop_fake_server(server)
        if log is not None:
            log.write_text(run.stderr, encoding="utf-8")
        report = json.loads((tmp_path / "out" / "batch-report.json").read_text(encoding="utf-8"))
    statuses = [r["status"] for r in report["rows"]]
    ideal = stats["server_seconds"] / limit
    return {"exit": run.returncode, "posts": len(statuses), "lost": statuses.count("error"),
            "passed": statuses.count("passed"), "requests": stats["requests"], "rate_limited": stats["rate_limited"],
            "peak": stats["peak_concurrency"], "wall": wall, "ideal": ideal, "ratio": wall / ideal if ideal else 0.0}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=40)
    ap.add_argument("--jobs", default="16,8")
    ap.add_argument("--limit", type=int, default=32)
    ap.add_argument("--latency", type=float, default=0.4)
    ap.add_argument("--tokens-per-second", type=float, default=80.0)
    ap.add_argument("--retry-after", type=float, default=None)
    ap.add_argument("--no-headers", action="store_true")
    ap.add_argument("--genpost-args", default="", help="more genpost batch options, e.g. "
                    "'--max-concurrent-requests 32' for a run told the limit")
    ap.add_argument("--log", type=Path, default=None, help="keep each run's -v log in this folder")
    ap.add_argument("--root", action="append", default=[], metavar="LABEL=PATH",
                    help="another genpost checkout to run beside this one")
    args = ap.parse_args()
    server_options = ["--latency", str(args.latency), "--tokens-per-second", str(args.tokens_per_second),
                      "--in-flight-limit", str(args.limit)]
    if args.retry_after is not None:
        server_options += ["--retry-after", str(args.retry_after)]
    if args.no_headers:
        server_options.append("--no-ratelimit-headers")
    roots = [(label, Path(path)) for label, _, path in (r.partition("=") for r in args.root)] + [("this", ROOT)]
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}; server: {' '.join(server_options)}"
          f"; {args.posts} posts of briefs/mittelstand.yaml {args.genpost_args}")
    for jobs in (int(j) for j in args.jobs.split(",")):
        for label, root in roots:
            log = args.log / f"{label}-jobs{jobs}.log" if args.log else None
            if log:
                log.parent.mkdir(parents=True, exist_ok=True)
            r = run_once(root, args.posts, jobs, server_options, args.limit, args.genpost_args.split(), log)
            print(f"{label:>6} --jobs {jobs:2d}: lost {r['lost']}/{r['posts']} ({r['passed']} passed, exit {r['exit']}), "
                  f"{r['requests']} requests, 429 {r['rate_limited']} ({100 * r['rate_limited'] / max(r['requests'], 1):.1f} %), "
                  f"peak {r['peak']} in flight, wall {r['wall']:.1f} s, ideal {r['ideal']:.1f} s, "
                  f"ratio {r['ratio']:.2f}  (load {os.getloadavg()[0]:.2f})", flush=True)


if __name__ == "__main__":
    main()
