"""Run the fake OpenAI server in its own process (for benchmarks, so it does not share a core
with genpost, and for subprocess tests): prints its URL, serves until stdin closes, then prints
request counts as JSON.

    python -m tests.support.serve_fake_openai --latency 0.2 --max-concurrent 32
    python -m tests.support.serve_fake_openai --latency 0.4 --tokens-per-second 80 --in-flight-limit 32

It serves the Batch API too (files, batches).  Each stdin line before EOF may be a command,
answered by one JSON line on stdout:

    stats                      the counts below, now
    advance [BATCH_ID] [N]     move batches N states on (default: all unfinished, 1)
    finish [BATCH_ID]          move batches to their end
    expire BATCH_ID [K]        expire it now with K lines finished (default: half)
    fail BATCH_ID              fail it
    cancel BATCH_ID            cancel it as the API would
"""

from __future__ import annotations

import argparse
import json
import sys

from .fake_openai import BatchOptions, FakeOpenAI
from .llm_responder import mock_responder


def _stats(fake: FakeOpenAI) -> dict:
    paid = fake.paid_counts()
    return {"requests": len(fake.requests), "peak_concurrency": fake.peak_concurrency,
            "rate_limited": fake.rate_limited, "server_seconds": round(fake.server_seconds, 3),
            "faults": dict(fake.fault_counts), "batches": len(fake.batches_created),
            "batch_lines": len(fake.batch_lines), "paid_lines": sum(paid.values()),
            "paid_twice": sorted(k for k, n in paid.items() if n > 1),
            "batch_status": {bid: fake.batch(bid)["status"] for bid in fake.batches_created}}


def _command(fake: FakeOpenAI, words: list[str]) -> object:
    cmd, args = words[0], words[1:]
    if cmd == "stats":
        return _stats(fake)
    if cmd == "advance":
        return fake.advance_batches(args[0] if args else None, int(args[1]) if len(args) > 1 else 1)
    if cmd == "finish":
        return fake.finish_batches(args[0] if args else None)
    if cmd == "expire":
        return fake.expire_batch(args[0], int(args[1]) if len(args) > 1 else None)
    if cmd == "fail":
        return fake.fail_batch(args[0])
    if cmd == "cancel":
        return fake.cancel_batch(args[0])
    return {"error": f"unknown command {cmd!r}"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--max-concurrent", type=int, default=None)
    ap.add_argument("--in-flight-limit", type=int, default=None,
                    help="answer 429 at once to a request that finds this many in flight (a provider's limit)")
    ap.add_argument("--retry-after", type=float, default=None, help="seconds sent in Retry-After with those 429s")
    ap.add_argument("--no-ratelimit-headers", action="store_true", help="send no x-ratelimit-* headers")
    ap.add_argument("--tokens-per-second", type=float, default=None,
                    help="an answer takes latency + its completion tokens / this")
    ap.add_argument("--fault-rate", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--require-key", default=None)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--batch-polls-per-state", type=int, default=1)
    ap.add_argument("--batch-manual", action="store_true", help="batches move only on advance/finish commands")
    ap.add_argument("--batch-script", default="",
                    help="comma-separated ends of the next batches, e.g. 'expired,,failed' (empty: completed)")
    ap.add_argument("--batch-line-fault-rate", type=float, default=0.0)
    ap.add_argument("--batch-line-faults", default="429,500")
    ap.add_argument("--batch-max-requests", type=int, default=50_000)
    ap.add_argument("--batch-max-file-bytes", type=int, default=200 * 1024 * 1024)
    args = ap.parse_args()
    batch = BatchOptions(auto_advance=not args.batch_manual, polls_per_state=args.batch_polls_per_state,
                         script=[e or None for e in args.batch_script.split(",")] if args.batch_script else [],
                         line_fault_rate=args.batch_line_fault_rate,
                         line_faults=tuple(f for f in args.batch_line_faults.split(",") if f),
                         max_requests=args.batch_max_requests, max_file_bytes=args.batch_max_file_bytes)
    with FakeOpenAI(mock_responder(), latency=args.latency, max_concurrent=args.max_concurrent,
                    fault_rate=args.fault_rate, seed=args.seed, require_key=args.require_key, port=args.port,
                    batch=batch, in_flight_limit=args.in_flight_limit, retry_after=args.retry_after,
                    ratelimit_headers=not args.no_ratelimit_headers, tokens_per_second=args.tokens_per_second) as fake:
        print(fake.url, flush=True)
        for line in sys.stdin:  # until the parent closes our stdin
            if words := line.split():
                try:
                    answer = _command(fake, words)
                except Exception as e:  # a bad command must not take the server down
                    answer = {"error": f"{type(e).__name__}: {e}"}
                print(json.dumps(answer), flush=True)
        stats = _stats(fake)
    print(json.dumps(stats), flush=True)


if __name__ == "__main__":
    main()
