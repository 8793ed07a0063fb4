"""Paid images kept on disk, keyed by the request (model, prompt, size, quality), so a rerun pays
for no image twice.

Behind a two-method interface (ImageCache) so the store can move (e.g. into one SQLite ledger
with the text answers) without touching the client. The file store keeps, per request, the
image as received (`<key>.png`) and a small JSON record written after it (`<key>.json`: the
request, the answer's details and the image's sha256). The record is the commit mark: an image
without one, or one whose hash does not match, counts as missing.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Protocol

from ..fsutil import atomic_write_bytes, atomic_write_text
from .image import ImageRequest, ImageResponse


def image_key(model: str, request: ImageRequest) -> str:
    blob = json.dumps(request.cache_fields(model), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class ImageCache(Protocol):
    def get(self, model: str, request: ImageRequest) -> ImageResponse | None: ...

    def put(self, model: str, request: ImageRequest, response: ImageResponse) -> None: ...


class FileImageCache:
    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.hits = 0
        self.stores = 0

    def _record(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, model: str, request: ImageRequest) -> ImageResponse | None:
        key = image_key(model, request)
        record_path = self._record(key)
        try:
            record = json.loads(record_path.read_text(encoding="utf-8"))
            data = (record_path.parent / record["file"]).read_bytes()
            if hashlib.sha256(data).hexdigest() != record["sha256"]:
                return None
            response = ImageResponse.model_validate({**record["response"], "data": data})
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, or half-written by an older crash: ask again
        self.hits += 1
        return response.model_copy(update={"cached": True, "seconds": 0.0, "retries": 0})

    def put(self, model: str, request: ImageRequest, response: ImageResponse) -> None:
        key = image_key(model, request)
        record_path = self._record(key)
        name = f"{key}.{response.format}"
        atomic_write_bytes(record_path.parent / name, response.data)
        record = {"request": request.cache_fields(model), "purpose": request.purpose, "file": name,
                  "sha256": hashlib.sha256(response.data).hexdigest(), "response": response.meta()}
        atomic_write_text(record_path, json.dumps(record, ensure_ascii=False, indent=1))
        self.stores += 1
