"""Batch throughput and memory.

1. Throughput: 100 posts of briefs/mittelstand.yaml against the fake OpenAI server (its own
   process) with 200 ms latency per request and a cap of 32 concurrent requests. Target: wall
   time within 1.25 x the ideal, total requests x 0.2 s / 32.
2. Memory: dry-run batches of 100, 1,000 and 10,000 rows at `--jobs 16`, each its own run; the
   peak of the whole process tree (genpost, its checker worker, anything else it starts; see
   treemem.py). Target: at most 300 MB, flat in the rows. And one dry run
   (`genpost --brief briefs/mittelstand.yaml --dry-run`), target at most 100 MB.

    pip install -e '.[bench]'   # psutil
    python bench/bench_batch.py [--posts 100] [--rows 100,1000,10000] [--jobs 16] [--brief FILE]
                                [--skip-memory] [--skip-throughput] [--skip-single]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from treemem import run_tree

ROOT = Path(__file__).resolve().parent.parent
TOPICS = ["Digitalisierung", "Automatisierung", "Cloud-Lösungen", "IT-Sicherheit", "Datenschutz", "Zeiterfassung",
          "Projektmanagement", "E-Rechnung", "Kundenservice", "Personalplanung"]
PLACES = ["im Mittelstand", "im Handwerk", "in Kanzleien", "im Einzelhandel", "in der Logistik", "in Arztpraxen",
          "im Maschinenbau", "in Agenturen", "in Hotels", "in Bäckereien"]


def write_csv(path: Path, rows: int) -> None:
    lines = ["keyword"]
    for i in range(rows):
        keyword = f"{TOPICS[i % 10]} {PLACES[(i // 10) % 10]}"
        lines.append(keyword if i < 100 else f"{keyword} {i // 100}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def genpost(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


def start_fake_server(*options: str) -> tuple[subprocess.Popen, str]:
    """The fake OpenAI server in its own process (so it does not share a core with genpost) and
    its URL; options as tests/support/serve_fake_openai.py takes them."""
    server = subprocess.Popen([sys.executable, "-m", "tests.support.serve_fake_openai", *options], cwd=ROOT,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    return server, server.stdout.readline().strip()


def stop_fake_server(server: subprocess.Popen) -> dict:
    """Stop the server (closing its stdin) and return its request counts."""
    server.stdin.close()
    stats = json.loads(server.stdout.readline())
    server.wait()
    return stats


def throughput(posts: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        write_csv(tmp_path / "k.csv", posts)
        server, url = start_fake_server("--latency", "0.2", "--max-concurrent", "32")
        t0 = time.perf_counter()
        run = subprocess.run(genpost("batch", str(tmp_path / "k.csv"), "--brief", str(ROOT / "briefs/mittelstand.yaml"),
                                     "--out", str(tmp_path / "out"), "--base-url", url, "--api-key", "bench",
                                     "--jobs", "32", "--max-concurrent-requests", "32", "--no-cache"),
                             cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
        stats = stop_fake_server(server)
        report = json.loads((tmp_path / "out" / "batch-report.json").read_text(encoding="utf-8"))
        passed = sum(r["status"] == "passed" for r in report["rows"])
        ideal = stats["requests"] * 0.2 / 32
        print(f"throughput: {posts} posts ({passed} passed, exit {run.returncode}), {stats['requests']} requests, "
              f"peak {stats['peak_concurrency']} in flight")
        print(f"  wall {wall:.2f} s, ideal {ideal:.2f} s, ratio {wall / ideal:.3f} (target <= 1.25)")


def batch_memory(rows: int, jobs: int, brief: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        write_csv(tmp_path / "k.csv", rows)
        run = run_tree(genpost("batch", str(tmp_path / "k.csv"), "--brief", str(brief), "--out",
                               str(tmp_path / "out"), "--dry-run", "--jobs", str(jobs)), ROOT)
        report = json.loads((tmp_path / "out" / "batch-report.json").read_text(encoding="utf-8"))
        index_kb = (tmp_path / "out" / "index.html").stat().st_size / 1e3
    passed = sum(r["status"] == "passed" for r in report["rows"])
    print(f"memory: {rows:6d} dry-run rows, --jobs {jobs}: peak {run.peak_mb:6.1f} MB over "
          f"{run.peak_processes} processes ({run.seconds:.1f} s, {passed} passed, exit {run.returncode}, "
          f"index.html {index_kb:,.0f} kB)", flush=True)


def single_memory(brief: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        run = run_tree(genpost("--brief", str(brief), "--dry-run", "--out", tmp), ROOT)
    print(f"single dry run of {brief.name}: peak {run.peak_mb:6.1f} MB over {run.peak_processes} processes "
          f"({run.seconds:.1f} s, exit {run.returncode})", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=100)
    ap.add_argument("--rows", default="100,1000,10000")
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--brief", type=Path, default=ROOT / "briefs/mittelstand.yaml")
    ap.add_argument("--skip-memory", action="store_true")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--skip-single", action="store_true")
    args = ap.parse_args()
    if not args.skip_throughput:
        throughput(args.posts)
    if not args.skip_single:
        single_memory(args.brief)
    if not args.skip_memory:
        for rows in (int(r) for r in args.rows.split(",")):
            batch_memory(rows, args.jobs, args.brief)


if __name__ == "__main__":
    main()
