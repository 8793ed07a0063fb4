"""Paid answers kept on disk, keyed by the request (model, messages, parameters).

A rerun after a crash, Ctrl-C or a failed batch reuses them instead of paying again.
Nothing here ever holds the API key: it is not part of the request.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from ..fsutil import atomic_write_text
from .base import Request, Response

log = logging.getLogger("genpost.llm")


class AnswerCache:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.hits = 0
        self.stores = 0
        self.lost = 0  # answers that could not be written (full disk): the run goes on without them

    def key(self, model: str, request: Request) -> str:
        blob = json.dumps(request.cache_fields(model), ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, model: str, request: Request) -> Response | None:
        path = self._path(self.key(model, request))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            response = Response.model_validate(data["response"])
        except (OSError, ValueError, KeyError):
            return None  # missing or half-written by an older crash: ask again
        self.hits += 1
        return response.model_copy(update={"cached": True, "seconds": 0.0, "retries": 0})

    def put(self, model: str, request: Request, response: Response) -> None:
        key = self.key(model, request)
        record = {"request": request.cache_fields(model), "purpose": request.purpose,
                  "response": response.model_dump()}
        try:
            atomic_write_text(self._path(key), json.dumps(record, ensure_ascii=False, indent=1))
        except OSError as e:
            # The answer is paid and in hand: losing the journal entry must not lose the post too.
            self.lost += 1
            log.warning("could not keep an answer in %s: %s", self.directory, e.strerror or type(e).__name__)
            return
        self.stores += 1
