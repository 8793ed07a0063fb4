"""Convergence with an imperfect model: the sloppy offline model (generator/llm/sloppy.py, default
rates) over many seeds, without faults and with 30 % faults of the fake OpenAI server (transport
faults and bad answers, served in-process over real HTTP). Per brief and fault rate: pass rate,
repair rounds (median, max), LLM calls (answers used; median, and minus the post's sections),
requests sent (retries included), and billed completion tokens ÷ the finished post's tokens
(billed: every answer the endpoint produced, read or not).

    python bench/bench_converge.py [--seeds 50] [--faults 0,0.3] [--jobs 2] [--briefs a.yaml,b.yaml]

Tokens are counted the same way on both sides (characters ÷ 4, as the offline models and the fake
server count them); the post's tokens are those of its visible text.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import multiprocessing
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ALL_FAULTS = ("429", "500", "502", "503", "hang", "drop", "truncated_json", "empty", "fenced", "length",
              "english", "refusal")


def run_one(job: tuple[str, float, int, int]) -> dict:
    """One post; any exception becomes a failed row (an exception that does not unpickle in the
    parent would hang the pool)."""
    try:
        return _run_one(job)
    except Exception as e:  # noqa: BLE001 - reported, never hidden
        brief_path, fault, seed, _ = job
        return {"brief": Path(brief_path).stem, "fault": fault, "seed": seed, "passed": False, "status": "crash",
                "error": f"{type(e).__name__}: {e}", "rounds": 0, "calls": 0, "requests": 0, "completion_tokens": 0,
                "post_tokens": 0, "sections": 0, "failing": [f"(crash: {type(e).__name__})"]}


def _run_one(job: tuple[str, float, int, int]) -> dict:
    brief_path, fault, seed, max_rounds = job
    from generator.brief import load_brief
    from generator.llm import LLMSettings, make_client
    from generator.pipeline import GenerationFailed, generate
    from generator.post import Document
    from generator.retry import RetryPolicy

    brief = load_brief(brief_path)
    # Fast retries: this measures convergence, not waiting.
    retry = RetryPolicy(attempts=8, total_seconds=60, initial=0.01, maximum=0.05)
    fake = None
    if fault > 0:
        from tests.support.fake_openai import FakeOpenAI
        from tests.support.llm_responder import sloppy_responder

        fake = FakeOpenAI(sloppy_responder(seed), fault_rate=fault, faults=ALL_FAULTS, seed=seed,
                          hang_seconds=1.5).start()
        settings = LLMSettings(model="sloppy", base_url=fake.url, api_key="bench", seed=seed, timeout=1.0,
                               retry=retry)
    else:
        settings = LLMSettings(model="mock:sloppy", seed=seed, retry=retry)
    client = make_client(settings)

    async def go():
        try:
            return await generate(brief, client, max_rounds=max_rounds)
        finally:
            await client.aclose()

    row = {"brief": Path(brief_path).stem, "fault": fault, "seed": seed}
    try:
        result = asyncio.run(go())
        error = None
    except GenerationFailed as e:
        result, error = e.result, str(e)
    finally:
        if fake is not None:
            fake.stop()
    u = client.usage
    # Billed is what the endpoint produced: over the fake server that includes answers the client
    # never read (a body cut in transit, an answer after the client's timeout).
    billed = sum(r.get("_completion_tokens", 0) for r in fake.requests) if fake is not None else u.completion_tokens
    post_tokens = max(1, len(Document(result.post).text) // 4) if result.post is not None else 0
    row.update(passed=result.status == "passed", status=result.status, error=error, rounds=len(result.rounds),
               calls=u.calls, requests=u.requests, completion_tokens=billed, post_tokens=post_tokens,
               sections=len(result.plan.sections) if result.plan else brief.sections + 2,
               failing=result.report.failing_ids() if result.report else ["(no post)"])
    return row


def summarise(rows: list[dict]) -> dict:
    ratio = [r["completion_tokens"] / r["post_tokens"] for r in rows if r["post_tokens"]]
    failing = collections.Counter(f for r in rows for f in r["failing"])
    return {
        "posts": len(rows),
        "pass": sum(r["passed"] for r in rows) / len(rows),
        "rounds_median": statistics.median(r["rounds"] for r in rows),
        "rounds_max": max(r["rounds"] for r in rows),
        "calls_median": statistics.median(r["calls"] for r in rows),
        "over_sections_median": statistics.median(r["calls"] - r["sections"] for r in rows),
        "requests_median": statistics.median(r["requests"] for r in rows),
        "ratio_median": statistics.median(ratio) if ratio else float("nan"),
        "ratio_max": max(ratio) if ratio else float("nan"),
        "failing": failing.most_common(4),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=50)
    ap.add_argument("--faults", default="0,0.3")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-rounds", type=int, default=4)
    ap.add_argument("--briefs", default=",".join(str(p) for p in sorted((ROOT / "briefs").glob("*.yaml"))))
    ap.add_argument("--json", type=Path, help="also write every run's figures here")
    args = ap.parse_args()
    briefs = args.briefs.split(",")
    faults = [float(f) for f in args.faults.split(",")]
    jobs = [(b, f, s, args.max_rounds) for f in faults for b in briefs for s in range(1, args.seeds + 1)]
    started = time.perf_counter()
    with multiprocessing.get_context("forkserver").Pool(args.jobs) as pool:
        rows = []
        for i, row in enumerate(pool.imap_unordered(run_one, jobs, chunksize=2), 1):
            rows.append(row)
            if i % 50 == 0:
                print(f"  {i}/{len(jobs)} runs, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    wall = time.perf_counter() - started
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print("| brief | faults | posts | pass | repair rounds median (max) | LLM calls median (− sections) "
          "| requests median | completion tokens ÷ post tokens median (max) | most often still failing |")
    print("|---|---|---|---|---|---|---|---|---|")
    groups: dict[tuple[str, float], list[dict]] = collections.defaultdict(list)
    for r in rows:
        groups[(r["brief"], r["fault"])].append(r)
        groups[("all", r["fault"])].append(r)
    for (brief, fault), group in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0] == "all", kv[0][0])):
        s = summarise(group)
        failing = ", ".join(f"{k} {v}" for k, v in s["failing"]) or "–"
        print(f"| {'**all**' if brief == 'all' else brief} | {fault:.0%} | {s['posts']} | {s['pass']:.1%} "
              f"| {s['rounds_median']:g} ({s['rounds_max']}) | {s['calls_median']:g} (+{s['over_sections_median']:g}) "
              f"| {s['requests_median']:g} | {s['ratio_median']:.2f} ({s['ratio_max']:.2f}) | {failing} |")
    print(f"\n{len(rows)} runs in {wall:.0f} s wall time with {args.jobs} processes")


if __name__ == "__main__":
    main()
