"""A process that writes to a genpost ledger, for the tests that kill it or run two at once.

    python -m tests.support.ledger_writer DB PREFIX COUNT answers   # put COUNT answers, print each key once committed
    python -m tests.support.ledger_writer DB PREFIX COUNT claim     # queue COUNT requests, claim them into a batch,
                                                                    # print the keys this process got

Requests are "PREFIX i" for i < COUNT, so two writers with one prefix write the same requests.
Prints "ready" first, then waits for a line on stdin, so two writers can start at once.
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.llm.base import Message, Request, Response
from generator.llm.ledger import Ledger, request_key

MODEL = "gpt-4o-mini"


def request(prefix: str, i: int) -> Request:
    return Request(messages=[Message(role="user", content=f"{prefix} {i} " + "Text " * 200)], purpose=f"section:{i}")


def main() -> None:
    db, prefix, count, mode = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
    ledger = Ledger(db)
    print("ready", flush=True)
    sys.stdin.readline()
    if mode == "answers":
        for i in range(count):
            r = request(prefix, i)
            ledger.put(MODEL, r, Response(text=f"Antwort {i} " + "Wort " * 300, model=MODEL, prompt_tokens=300,
                                          completion_tokens=400), post=prefix, cost=0.001)
            print(request_key(MODEL, r), flush=True)
    elif mode == "claim":
        keys = []
        for i in range(count):
            r = request(prefix, i)
            ledger.defer(MODEL, r, post=prefix, max_tries=3)
            keys.append(request_key(MODEL, r))
        local = ledger.add_batch(kind="api", model=MODEL, endpoint="/v1/chat/completions")
        for start in range(0, count, 10):
            for key in ledger.claim(local, keys[start:start + 10]):
                print(key, flush=True)
    ledger.close()


if __name__ == "__main__":
    main()
