"""Paid images kept, keyed by the request (model, prompt, size, quality), so a rerun pays for no
image twice.

Behind a two-method interface (ImageCache) so the client does not care where they are. The
store is the ledger (llm/ledger.py): the image itself as received goes to a file beside it
(`.genpost-images/<key>.<format>`: images are large, and files are what they end up as), then
its row in the ledger's `images` table (the request, the answer's details, the image's sha256).
The row is the commit mark: an image without one, or whose hash does not match, counts as missing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from ..fsutil import atomic_write_bytes
from .image import ImageRequest, ImageResponse

if TYPE_CHECKING:
    from .ledger import Ledger

IMAGES_DIR = ".genpost-images"


def image_key(model: str, request: ImageRequest) -> str:
    blob = json.dumps(request.cache_fields(model), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ImageCache(Protocol):
    def get(self, model: str, request: ImageRequest) -> ImageResponse | None: ...

    def put(self, model: str, request: ImageRequest, response: ImageResponse) -> None: ...


class LedgerImageCache:
    def __init__(self, ledger: "Ledger", *, post: str = ""):
        self.ledger = ledger
        self.directory = ledger.directory / IMAGES_DIR
        self.post = post  # a label for the log
        self.hits = 0
        self.stores = 0

    def file_for(self, key: str, fmt: str) -> Path:
        return self.directory / key[:2] / f"{key}.{fmt}"

    def get(self, model: str, request: ImageRequest) -> ImageResponse | None:
        row = self.ledger.query("SELECT file, sha256, meta FROM images WHERE key = ?",
                                (image_key(model, request),)).fetchone()
        if row is None:
            return None
        name, sha256, meta = row
        try:
            data = (self.directory / name[:2] / name).read_bytes()
            if hashlib.sha256(data).hexdigest() != sha256:
                return None
            response = ImageResponse.model_validate({**json.loads(meta), "data": data})
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing or damaged: ask again
        self.hits += 1
        return response.model_copy(update={"cached": True, "seconds": 0.0, "retries": 0})

    def put(self, model: str, request: ImageRequest, response: ImageResponse, cost: float | None = None) -> None:
        from .pricing import estimate_image_cost

        key = image_key(model, request)
        path = self.file_for(key, response.format)
        atomic_write_bytes(path, response.data)
        if cost is None:
            cost = estimate_image_cost(model, response.quality, response.size)
        try:
            with self.ledger.transaction() as db:
                db.execute("INSERT OR REPLACE INTO images (key, model, post, purpose, file, sha256, meta, cost_usd, "
                           "created) VALUES (?,?,?,?,?,?,?,?,?)",
                           (key, model, self.post, request.purpose, path.name,
                            hashlib.sha256(response.data).hexdigest(),
                            json.dumps(response.meta(), ensure_ascii=False), cost, time.time()))
        except sqlite3.Error:
            return  # the image is in hand; only its reuse is lost
        self.stores += 1
