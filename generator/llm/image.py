"""The image-model interface every image generator implements, the mock included.

Like the text models: a request that decides the answer (and makes the cache key), an answer
with what the price table and the report need, and llm.errors exceptions. No SEO rules here.
"""

from __future__ import annotations

import abc
import base64
import re
from typing import Any

from pydantic import BaseModel, Field, field_validator

_SIZE = re.compile(r"^(auto|[1-9]\d{1,4}x[1-9]\d{1,4})$")


class ImageRequest(BaseModel):
    """Everything that decides an image; the cache key is made from exactly this."""

    prompt: str
    size: str = "1024x1024"  # "WIDTHxHEIGHT" as the endpoint takes it, or "auto"
    quality: str | None = None  # "low" | "medium" | "high" (GPT image), "standard" | "hd" (DALL·E); None: not sent
    purpose: str = ""  # for logs and the report ("featured", "image:2"); not sent

    @field_validator("size")
    @classmethod
    def _size(cls, value: str) -> str:
        if not _SIZE.match(value):
            raise ValueError(f"size must look like 1536x1024 or be auto, not {value!r}")
        return value

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the prompt is empty")
        return value

    def dimensions(self, default: tuple[int, int] = (1024, 1024)) -> tuple[int, int]:
        if self.size == "auto":
            return default
        w, h = self.size.split("x")
        return int(w), int(h)

    def cache_fields(self, model: str) -> dict[str, Any]:
        return {"kind": "image", "model": model, "prompt": self.prompt, "size": self.size,
                "quality": self.quality}


def sniff_format(data: bytes) -> str | None:
    """"png", "jpeg" or "webp" from the first bytes, else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return None


class ImageResponse(BaseModel):
    data: bytes = Field(repr=False)  # the encoded image as received (PNG, JPEG or WebP)
    format: str  # "png" | "jpeg" | "webp"
    model: str
    size: str | None = None  # as the endpoint reports it (or as asked), for the price table
    quality: str | None = None  # as the endpoint reports it (or as asked), for the price table
    revised_prompt: str | None = None  # DALL·E 3 rewrites prompts and says how
    input_tokens: int = 0  # GPT image models report tokens too
    output_tokens: int = 0
    cached: bool = False
    seconds: float = 0.0
    retries: int = 0
    notes: list[str] = Field(default_factory=list)

    @property
    def b64(self) -> str:
        return base64.b64encode(self.data).decode("ascii")

    def meta(self) -> dict[str, Any]:
        """Everything but the image bytes, JSON-ready (for the cache record and logs)."""
        return self.model_dump(exclude={"data"})


class ImageModel(abc.ABC):
    """An image generator that answers one request. Implementations raise llm.errors exceptions:
    TransientError (worth retrying), FatalError (every request would fail alike) or
    ContentPolicyRefusal (this prompt was refused)."""

    name: str  # model id as sent to the endpoint
    paid: bool = True  # paid images are kept on disk so a rerun does not pay twice

    @abc.abstractmethod
    async def generate(self, request: ImageRequest) -> ImageResponse: ...

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        return None
