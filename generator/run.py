"""One post from a brief to files: the pipeline with its LLM client, then output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .brief import Brief
from .errors import OutputError
from .llm import LLMClient
from .output import write_result
from .pipeline import GenerationFailed, Result, generate

if TYPE_CHECKING:
    from .llm.image_client import ImageClient


async def produce(brief: Brief, client: LLMClient, out: Path, max_rounds: int = 4,
                  progress=None, checker=None, images: ImageClient | None = None) -> tuple[Path, Result]:
    """Generate and write. On an LLM failure the work so far is written, then the error re-raised;
    a disk that fails while writing is an OutputError that says where the paid answers are."""
    try:
        result = await generate(brief, client, max_rounds=max_rounds, progress=progress, checker=checker,
                                images=images)
    except GenerationFailed as failed:
        failed.folder = _write(out, failed.result, client)
        raise
    return _write(out, result, client), result


def _write(out: Path, result: Result, client: LLMClient) -> Path:
    try:
        return write_result(out, result, client.model.name, client.usage)
    except OSError as e:
        raise OutputError(f"could not write the post into {out} ({e.strerror or type(e).__name__}); "
                          + kept_answers(client)) from None


def kept_answers(client: LLMClient) -> str:
    """Where this run's paid answers are, for a message after a failure."""
    ledger = client.ledger
    if not client.model.paid:
        return "the mock model's answers cost nothing"
    if ledger is None:
        return "no answers were kept (--no-cache)"
    kept = ledger.stores + ledger.hits
    lost = f", {ledger.lost} could not be written" if ledger.lost else ""
    return f"{kept} paid LLM answers are kept in {ledger.path}{lost}; run the same command again to reuse them"
