"""Run the fake OpenAI server in its own process (for benchmarks, so it does not share a core
with genpost): prints its URL, serves until stdin closes, then prints request counts as JSON.

    python -m tests.support.serve_fake_openai --latency 0.2 --max-concurrent 32
"""

from __future__ import annotations

import argparse
import json
import sys

from .fake_openai import FakeOpenAI
from .llm_responder import mock_responder


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--max-concurrent", type=int, default=None)
    ap.add_argument("--fault-rate", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    with FakeOpenAI(mock_responder(), latency=args.latency, max_concurrent=args.max_concurrent,
                    fault_rate=args.fault_rate, seed=args.seed) as fake:
        print(fake.url, flush=True)
        sys.stdin.read()  # until the parent closes our stdin
        stats = {"requests": len(fake.requests), "peak_concurrency": fake.peak_concurrency,
                 "faults": dict(fake.fault_counts)}
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    main()
