"""The ledger at scale.

1. Dry-run batches (mock LLM, every call logged in OUT/genpost.db) of growing size: peak RSS,
   wall time, ledger size; memory must stay flat.
2. On the largest one: the queries `genpost log --post`, `genpost costs`, `genpost batch --status`
   and an answer lookup, timed in-process (median of repeats) and as whole commands, with the
   query plan SQLite chose (each must use an index or scan only the small `calls` rows).
3. A paid-size ledger: N synthetic answers with bodies as large as real ones (prompt and answer of
   a section), written one transaction each with synchronous=FULL as a live run writes them; the
   same queries on it.
4. A provider-batch run against the fake Batch API (in its own process): peak RSS and wall time
   for growing row counts, passes re-running every post from the ledger; and (--live-rows) the
   same rows live, for comparison.

    python bench/bench_ledger.py [--rows 1000,3000,10000] [--synthetic 140000] [--provider-rows 100,300,1000]
                                 [--live-rows 100,300,1000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_batch import write_csv  # noqa: E402
from generator.llm.base import Message, Request, Response  # noqa: E402
from generator.llm.ledger import Ledger  # noqa: E402
from generator.llm.ledger_report import calls, costs, status  # noqa: E402


def genpost(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator", *args]


# genpost's own peak RSS (and its checker worker's, whichever is larger), not the fake server's.
_PEAK = ("import resource, sys\n"
         "sys.argv = ['genpost'] + sys.argv[1:]\n"
         "try:\n"
         "    from generator.cli import main\n"
         "    main()\n"
         "finally:\n"
         "    peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,\n"
         "               resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
         "    sys.stderr.write(f'PEAK_RSS_KB {peak}\\n')\n")


def measured(*args: str) -> tuple[subprocess.CompletedProcess, float, float]:
    """Run genpost; (the run, seconds, peak RSS in MB)."""
    t0 = time.perf_counter()
    run = subprocess.run([sys.executable, "-c", _PEAK, *args], cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    peak = [line for line in run.stderr.splitlines() if line.startswith("PEAK_RSS_KB ")]
    return run, wall, int(peak[-1].split()[1]) / 1024 if peak else float("nan")


def timed(fn, repeat: int = 5) -> float:
    """Median milliseconds of fn()."""
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(runs)


def plan(ledger: Ledger, sql: str, args: tuple = ()) -> str:
    return "; ".join(row[-1] for row in ledger.query("EXPLAIN QUERY PLAN " + sql, args))


def queries(db: Path, label: str) -> None:
    with Ledger(db, durable=False) as ledger:
        n = ledger.query("SELECT COUNT(*) FROM calls").fetchone()[0]
        posts = ledger.query("SELECT COUNT(DISTINCT post) FROM calls").fetchone()[0]
        post = ledger.query("SELECT post FROM calls ORDER BY created DESC LIMIT 1").fetchone()[0]
        key = ledger.query("SELECT key FROM calls ORDER BY created DESC LIMIT 1").fetchone()[0]
        size = db.stat().st_size / 1e6
        print(f"{label}: {n:,} calls of {posts:,} posts, {size:.1f} MB")
        print(f"  log --post (one post's calls): {timed(lambda: list(calls(ledger, post))):.2f} ms   "
              f"[{plan(ledger, 'SELECT * FROM calls WHERE post = ? ORDER BY created', (post,))}]")
        print(f"  costs (by model, step, day):   {timed(lambda: costs(ledger), 3):.1f} ms   "
              f"[{plan(ledger, 'SELECT model, SUM(cost_usd) FROM calls WHERE status = ? GROUP BY model', ('answered',))}]")
        print(f"  batch --status:                {timed(lambda: status(ledger), 3):.1f} ms   "
              f"[{plan(ledger, 'SELECT state, COUNT(*) FROM posts GROUP BY state')}]")
        print(f"  answer lookup (by key):        {timed(lambda: ledger.query('SELECT b.response FROM calls c JOIN bodies b ON b.key = c.key WHERE c.key = ?', (key,)).fetchone(), 200) * 1000:.0f} µs   "
              f"[{plan(ledger, 'SELECT status FROM calls WHERE key = ?', (key,))}]")
        queued_sql = "SELECT key FROM calls WHERE status = 'queued' AND model = ? AND key > ? ORDER BY key LIMIT 1000"
        print(f"  queued page (batch submit):    {timed(lambda: ledger.queued('gpt-4o-mini', limit=1000)):.2f} ms   "
              f"[{plan(ledger, queued_sql, ('m', ''))}]")
        print(f"  total cost (budget):           {timed(ledger.total_cost, 3):.1f} ms")
    for name, args in (("log --post", ["log", str(db.parent), "--post", post]), ("costs", ["costs", str(db.parent)]),
                       ("batch --status", ["batch", "--status", str(db.parent)]),
                       ("log (all, to /dev/null)", ["log", str(db.parent)])):
        t0 = time.perf_counter()
        subprocess.run(genpost(*args), cwd=ROOT, stdout=subprocess.DEVNULL, check=True)
        print(f"  genpost {name}: {time.perf_counter() - t0:.2f} s wall (Python start-up included)")


def dry_runs(sizes: list[int]) -> Path | None:
    keep = Path(tempfile.mkdtemp(prefix="genpost-bench-ledger-"))
    last = None
    for rows in sizes:
        out = keep / f"out-{rows}"
        write_csv(keep / f"k-{rows}.csv", rows)
        run, wall, peak = measured("batch", str(keep / f"k-{rows}.csv"), "--brief",
                                   str(ROOT / "tests/data/small.yaml"), "--out", str(out), "--dry-run", "--jobs", "4")
        db = out / "genpost.db"
        with Ledger(db, durable=False) as ledger:
            n = ledger.query("SELECT COUNT(*) FROM calls").fetchone()[0]
        print(f"dry run {rows:6,d} rows: exit {run.returncode}, peak RSS {peak:6.1f} MB, {wall:6.1f} s, "
              f"ledger {n:,} calls, {db.stat().st_size / 1e6:.1f} MB")
        last = db
    return last


def synthetic(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "genpost.db"
        prompt = ("Schreibe den Abschnitt „Digitalisierung im Mittelstand: erste Schritte“ für Geschäftsführer. "
                  * 40)  # about 4 KB, like a section prompt
        text = "Die Digitalisierung im Mittelstand beginnt mit einer ehrlichen Bestandsaufnahme. " * 25  # ~2 KB
        with Ledger(db, durable=True) as ledger:
            t0 = time.perf_counter()
            for i in range(n):
                post, purpose = f"post-{i // 14}", ("plan" if i % 14 == 0 else f"section:{i % 14}")
                request = Request(messages=[Message(role="system", content="Du bist Redakteur."),
                                            Message(role="user", content=f"{i} {prompt}")], purpose=purpose)
                ledger.put("gpt-4o-mini", request, Response(text=f"{i} {text}", model="gpt-4o-mini", prompt_tokens=1000,
                                                            completion_tokens=500), post=post, cost=0.00045)
            wall = time.perf_counter() - t0
        print(f"synthetic paid ledger: {n:,} answers written one transaction each (synchronous=FULL) in {wall:.1f} s, "
              f"{wall / n * 1e6:.0f} µs per answer")
        queries(db, "synthetic paid ledger")


def provider(sizes: list[int], live: bool = False) -> None:
    """The same run through provider batches, or (live) through live calls for comparison."""
    for rows in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            write_csv(tmp_path / "k.csv", rows)
            server = subprocess.Popen([sys.executable, "-m", "tests.support.serve_fake_openai"], cwd=ROOT,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            url = server.stdout.readline().strip()
            run, wall, peak = measured("batch", str(tmp_path / "k.csv"), "--brief",
                                       str(ROOT / "briefs/mittelstand.yaml"), "--out", str(tmp_path / "out"),
                                       "--base-url", url, "--api-key", "bench", "--model", "gpt-4o-mini",
                                       *([] if live else ["--provider-batch", "--poll-interval", "0.05"]),
                                       "--jobs", "4")
            server.stdin.close()
            stats = json.loads(server.stdout.readlines()[-1])
            server.wait()
            report = json.loads((tmp_path / "out" / "batch-report.json").read_text(encoding="utf-8"))
            passed = sum(r["status"] == "passed" for r in report["rows"])
            what = (f"{stats['requests']:,} live requests" if live else
                    f"{stats['batches']} batches, {stats['batch_lines']:,} lines, paid twice {len(stats['paid_twice'])}")
            print(f"{'live' if live else 'provider batch'} {rows:5,d} rows: exit {run.returncode}, {passed} passed, "
                  f"{what}, peak RSS {peak:6.1f} MB, {wall:6.1f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="1000,3000,10000")
    ap.add_argument("--synthetic", type=int, default=0)
    ap.add_argument("--provider-rows", default="")
    ap.add_argument("--live-rows", default="", help="the same mittelstand rows live, for comparison")
    args = ap.parse_args()
    if args.rows:
        db = dry_runs([int(r) for r in args.rows.split(",")])
        if db is not None:
            queries(db, f"dry-run ledger ({db.parent.name})")
    if args.synthetic:
        synthetic(args.synthetic)
    if args.provider_rows:
        provider([int(r) for r in args.provider_rows.split(",")])
    if args.live_rows:
        provider([int(r) for r in args.live_rows.split(",")], live=True)


if __name__ == "__main__":
    main()
