"""Dry-run generation: LLM calls and tokens per accepted post, and the pipeline's own time per
post with the LLM's time excluded (target: under 100 ms).

Each post uses another mock seed, so texts differ and caches do not carry a post. The sentence
splitters and the hyphenation patterns are loaded and the heap settled (generator/heap.py) before
timing, as `genpost` and `genpost batch` do before their first post. Besides wall time, the
process's CPU time per post is shown (LLM excluded): other jobs on the machine stretch the
first, hardly the second.

    python bench/bench_generate.py [--posts 20] [--brief briefs/mittelstand.yaml]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator import german  # noqa: E402
from generator.brief import load_brief  # noqa: E402
from generator.heap import settle  # noqa: E402
from generator.llm import LLMSettings, make_client  # noqa: E402
from generator.pipeline import generate  # noqa: E402


async def one(brief, seed: int):
    client = make_client(LLMSettings(model="mock", seed=seed))
    t0, c0 = time.perf_counter(), time.process_time()
    result = await generate(brief, client)
    total, cpu = time.perf_counter() - t0, time.process_time() - c0
    return result, client.usage, total, cpu


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--brief", default=str(ROOT / "briefs" / "mittelstand.yaml"))
    args = ap.parse_args()
    brief = load_brief(args.brief)
    german.split_sentences("Warm. Up.")  # load the splitters once
    german.split_sentences("Am 3. Oktober. Los.")
    german.syllables("Silbe")
    settle()
    rows = []
    for seed in range(1, args.posts + 1):
        result, usage, total, cpu = asyncio.run(one(brief, seed))
        rows.append((result.status, usage.calls, usage.tokens, total, usage.llm_seconds, len(result.rounds), cpu))
    accepted = [r for r in rows if r[0] == "passed"]
    own = [r[3] - r[4] for r in rows]
    own_cpu = [r[6] - r[4] for r in rows]  # the mock model's time is CPU time of this process too
    print(f"brief: {args.brief}; posts: {len(rows)}; accepted: {len(accepted)}")
    print(f"LLM calls per accepted post: {sum(r[1] for r in rows) / max(len(accepted), 1):.1f}")
    print(f"tokens per accepted post:    {sum(r[2] for r in rows) / max(len(accepted), 1):.0f}")
    print(f"repair rounds per post:      {statistics.mean(r[5] for r in rows):.2f}")
    print(f"pipeline time per post, LLM excluded: median {1000 * statistics.median(own):.0f} ms, "
          f"max {1000 * max(own):.0f} ms")
    print(f"pipeline CPU time per post, LLM excluded: median {1000 * statistics.median(own_cpu):.0f} ms")
    print(f"mock LLM time per post:      median {1000 * statistics.median(r[4] for r in rows):.1f} ms")


if __name__ == "__main__":
    main()
