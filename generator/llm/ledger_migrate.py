"""An answer cache of an older genpost (OUT/.cache: one JSON file per answer, and per image a JSON
record beside the image) is read once into the ledger, so an upgrade pays for nothing again.

The files stay where they are (they are the user's); the ledger notes that the folder was
migrated and never reads it again. A file that cannot be read (half-written by an old crash) is
skipped, as the old cache skipped it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .base import Request, Response
from .ledger import ANSWERED, pack, request_key, step_of
from .pricing import estimate_cost

if TYPE_CHECKING:
    from .ledger import Ledger

log = logging.getLogger("genpost.llm")
_CHUNK = 500  # records per transaction


def migrate_once(ledger: "Ledger", folder: Path) -> int:
    """Migrate `folder` unless the ledger has done so before; returns the answers migrated."""
    if not folder.is_dir():
        return 0
    marker = f"migrated:{folder.resolve()}"
    if ledger.meta(marker) is not None:
        return 0
    texts = images = 0
    pending: list[tuple] = []
    # Answers were kept in FOLDER/ab/<key>.json, images in the same layout, later under FOLDER/images/.
    for path in sorted(folder.glob("??/*.json")) + sorted(folder.glob("images/??/*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            if "file" in record:
                images += _image(ledger, path, record)
                continue
            pending.append(_text(record))
        except (OSError, ValueError, KeyError, TypeError):
            continue  # missing or half-written: the old cache would have asked again too
        if len(pending) >= _CHUNK:
            texts += _insert(ledger, pending)
            pending = []
    texts += _insert(ledger, pending)
    ledger.set_meta(marker, json.dumps({"answers": texts, "images": images, "at": time.time()}))
    if texts or images:
        log.info("migrated %d answers and %d images from %s into %s", texts, images, folder, ledger.path)
    return texts


def _text(record: dict) -> tuple:
    fields = dict(record["request"])
    model = fields.pop("model")
    request = Request.model_validate({**fields, "purpose": record.get("purpose", "")})
    response = Response.model_validate(record["response"])
    return model, request, response


def _insert(ledger: "Ledger", records: list[tuple]) -> int:
    now = time.time()
    added = 0
    with ledger.transaction() as db:
        for model, request, response in records:
            key = request_key(model, request)
            cost = estimate_cost(model, response.prompt_tokens, response.completion_tokens)
            cursor = db.execute(
                "INSERT OR IGNORE INTO calls (key, model, post, purpose, step, status, mode, prompt_tokens, "
                "completion_tokens, cost_usd, seconds, created, updated) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (key, model, "", request.purpose, step_of(request.purpose), ANSWERED, "migrated",
                 response.prompt_tokens, response.completion_tokens, cost, round(response.seconds, 4), now, now))
            if cursor.rowcount:
                db.execute("INSERT OR REPLACE INTO bodies (key, request, response) VALUES (?,?,?)",
                           (key, pack(request.model_dump(mode="json")),
                            pack(response.model_dump(mode="json", exclude={"cached"}))))
                added += 1
    return added


def _image(ledger: "Ledger", path: Path, record: dict) -> int:
    from .image_cache import LedgerImageCache

    data = (path.parent / record["file"]).read_bytes()
    if hashlib.sha256(data).hexdigest() != record["sha256"]:
        return 0
    store = LedgerImageCache(ledger)
    key = path.stem
    target = store.file_for(key, Path(record["file"]).suffix.lstrip("."))
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path.parent / record["file"], target)
    fields = dict(record["request"])
    model = fields.pop("model", "")
    with ledger.transaction() as db:
        db.execute("INSERT OR IGNORE INTO images (key, model, post, purpose, file, sha256, meta, cost_usd, created) "
                   "VALUES (?,?,?,?,?,?,?,?,?)",
                   (key, model, "", record.get("purpose", ""), target.name, record["sha256"],
                    json.dumps(record["response"], ensure_ascii=False), None, time.time()))
    return 1
