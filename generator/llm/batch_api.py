"""A provider's Batch API (OpenAI's Files and Batches endpoints, and those that copy them, such as
Azure OpenAI) through the official client: upload a JSONL file, create a batch with
`completion_window: 24h`, read its state, find it again by its input file, download its output
and error files. Every call goes through the one retry policy; the client's own retries are off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Awaitable, Callable, TypeVar

import openai
from pydantic import BaseModel, Field

from ..retry import RetryPolicy, with_retries
from .batch_lines import CHAT_URL
from .errors import FatalError, TransientError
from .openai import _FATAL, _retry_after, _short

T = TypeVar("T")
ENDED = ("completed", "failed", "expired", "cancelled")


class BatchInfo(BaseModel):
    """What genpost needs of a provider's batch object."""

    id: str
    status: str
    input_file_id: str | None = None
    output_file_id: str | None = None
    error_file_id: str | None = None
    total: int = 0
    completed: int = 0
    failed: int = 0
    errors: list[str] = Field(default_factory=list)

    @property
    def ended(self) -> bool:
        return self.status in ENDED

    @classmethod
    def of(cls, batch: Any) -> "BatchInfo":
        counts = batch.request_counts
        errors = [f"{e.code}: {e.message}" + (f" (line {e.line})" if e.line else "")
                  for e in ((batch.errors.data or []) if batch.errors else [])]
        # An empty string has been seen where no file exists (see notes/batch-api.md): absent.
        return cls(id=batch.id, status=batch.status, input_file_id=batch.input_file_id,
                   output_file_id=batch.output_file_id or None, error_file_id=batch.error_file_id or None,
                   total=counts.total if counts else 0, completed=counts.completed if counts else 0,
                   failed=counts.failed if counts else 0, errors=errors)


def _mapped(error: Exception) -> Exception:
    if isinstance(error, openai.APITimeoutError):
        return TransientError("timeout")
    if isinstance(error, openai.APIConnectionError):
        return TransientError("connection error")
    if isinstance(error, openai.RateLimitError):
        return TransientError("rate limited (429)", _retry_after(error))
    if isinstance(error, openai.APIStatusError):
        status = error.status_code
        if status in _FATAL:
            return FatalError(_FATAL[status].format(msg=_short(error.message)))
        if status >= 500 or status in (408, 409):
            return TransientError(f"server error ({status})", _retry_after(error))
        return FatalError(f"the batch endpoint answered {status}: {_short(error.message)}")
    if isinstance(error, (ValueError, openai.APIResponseValidationError)):
        return TransientError(f"unreadable response ({type(error).__name__})")
    return error


class BatchAPI:
    def __init__(self, *, api_key: str, base_url: str | None, policy: RetryPolicy, timeout: float = 120.0,
                 endpoint: str = CHAT_URL):
        self._client = openai.AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=timeout)
        self.policy = policy
        self.endpoint = endpoint

    async def _call(self, what: str, call: Callable[[], Awaitable[T]]) -> T:
        async def once() -> T:
            try:
                return await call()
            except openai.OpenAIError as e:
                raise _mapped(e) from None
            except ValueError as e:
                raise _mapped(e) from None

        return await with_retries(once, self.policy, what)

    async def upload(self, path: Path) -> str:
        """Upload a JSONL file (streamed from disk, not read into memory); its file id."""
        async def go() -> str:
            with path.open("rb") as handle:  # a fresh handle per attempt: a retry starts at byte 0
                return (await self._client.files.create(file=(path.name, handle), purpose="batch")).id

        return await self._call("batch file upload", go)

    async def create(self, input_file_id: str, metadata: dict[str, str]) -> BatchInfo:
        async def go() -> BatchInfo:
            batch = await self._client.batches.create(input_file_id=input_file_id, endpoint=self.endpoint,
                                                      completion_window="24h", metadata=metadata)
            return BatchInfo.of(batch)

        return await self._call("batch create", go)

    async def retrieve(self, batch_id: str) -> BatchInfo:
        async def go() -> BatchInfo:
            return BatchInfo.of(await self._client.batches.retrieve(batch_id))

        return await self._call("batch poll", go)

    async def find(self, input_file_id: str) -> BatchInfo | None:
        """The batch made from this input file, if the provider has one: after a crash between
        creating a batch and noting its id, it is adopted instead of created again."""
        async def go() -> BatchInfo | None:
            async for batch in self._client.batches.list(limit=100):
                if batch.input_file_id == input_file_id:
                    return BatchInfo.of(batch)
            return None

        return await self._call("batch list", go)

    async def download(self, file_id: str, target: Path) -> None:
        """Stream a file's content to `target` (an output file may hold 200 MB)."""
        async def go() -> None:
            async with self._client.files.with_streaming_response.content(file_id) as response:
                with target.open("wb") as out:
                    async for chunk in response.iter_bytes():
                        out.write(chunk)

        await self._call("batch file download", go)

    async def aclose(self) -> None:
        await self._client.close()
