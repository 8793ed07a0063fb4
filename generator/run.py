"""One post from a brief to files: the pipeline with its LLM client, then output."""

from __future__ import annotations

from pathlib import Path

from .brief import Brief
from .llm import LLMClient
from .output import write_result
from .pipeline import GenerationFailed, Result, generate


async def produce(brief: Brief, client: LLMClient, out: Path, max_rounds: int = 4,
                  progress=None, checker=None) -> tuple[Path, Result]:
    """Generate and write. On an LLM failure the work so far is written, then the error re-raised."""
    try:
        result = await generate(brief, client, max_rounds=max_rounds, progress=progress, checker=checker)
    except GenerationFailed as failed:
        failed.folder = write_result(out, failed.result, client.model.name, client.usage)
        raise
    folder = write_result(out, result, client.model.name, client.usage)
    return folder, result
