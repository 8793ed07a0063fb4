"""Settings of the text and image models, and the clients made from them."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from . import DEFAULT_IMAGE_MODEL, DEFAULT_MODEL, MOCK, SLOPPY, is_offline
from .base import Model
from .client import LLMClient
from .image import ImageModel
from .image_cache import LedgerImageCache
from .image_client import ImageClient
from .ledger import Ledger
from .limiter import Limiter
from ..retry import RetryPolicy


class LLMSettings(BaseModel):
    model: str = DEFAULT_MODEL
    base_url: str | None = None
    api_key: str | None = None
    seed: int = 1
    timeout: float = 120.0
    ledger: Path | None = None  # OUT/genpost.db; None: nothing kept (--no-cache)
    legacy_cache: Path | None = None  # an older genpost's answer folder, migrated into the ledger once
    retry: RetryPolicy = RetryPolicy()

    model_config = {"arbitrary_types_allowed": True}

    def __repr__(self) -> str:  # never show the key
        return f"LLMSettings(model={self.model!r}, base_url={self.base_url!r})"


def make_model(settings: LLMSettings) -> Model:
    """The model a name stands for. Raises ValueError for a sloppy model's unreadable rates."""
    if settings.model == MOCK:
        from .mock import MockModel

        return MockModel(seed=settings.seed)
    if is_offline(settings.model):
        from .sloppy import SloppyModel, SloppyRates

        rates = SloppyRates.parse(settings.model[len(SLOPPY) + 1:])
        return SloppyModel(seed=settings.seed, rates=rates, name=settings.model)
    from .openai import OpenAIModel

    return OpenAIModel(settings.model, api_key=settings.api_key or "", base_url=settings.base_url,
                       timeout=settings.timeout)


def open_ledger(settings: LLMSettings, paid: bool = True) -> Ledger | None:
    """The settings' ledger (None with --no-cache). paid: the model costs money, so every answer
    is on disk before it is used; the mock's calls are only logged."""
    if settings.ledger is None:
        return None
    return Ledger(settings.ledger, durable=paid, legacy_cache=settings.legacy_cache)


def make_client(settings: LLMSettings, limiter: Limiter | None = None, label: str = "") -> LLMClient:
    """A client for one run; without a limiter it gets its own (adaptive concurrency and
    Retry-After hold for a single post's parallel sections too). Its ledger is its own: aclose
    closes it."""
    model = make_model(settings)
    ledger = open_ledger(settings, model.paid)
    return LLMClient(model=model, ledger=ledger, policy=settings.retry,
                     limiter=limiter if limiter is not None else Limiter(), label=label, own_ledger=ledger)


class ImageSettings(BaseModel):
    model: str = DEFAULT_IMAGE_MODEL
    base_url: str | None = None  # None: the text model's (the caller passes it on)
    api_key: str | None = None
    timeout: float = 180.0
    ledger: Path | None = None  # OUT/genpost.db; None: nothing kept
    retry: RetryPolicy = RetryPolicy()

    model_config = {"arbitrary_types_allowed": True}

    def __repr__(self) -> str:  # never show the key
        return f"ImageSettings(model={self.model!r}, base_url={self.base_url!r})"


def make_image_model(settings: ImageSettings) -> ImageModel:
    if settings.model == MOCK:
        from .image_mock import MockImageModel

        return MockImageModel()
    from .image_openai import OpenAIImageModel

    return OpenAIImageModel(settings.model, api_key=settings.api_key or "", base_url=settings.base_url,
                            timeout=settings.timeout)


def make_image_client(settings: ImageSettings, limiter: Limiter | None = None) -> ImageClient:
    model = make_image_model(settings)
    ledger = Ledger(settings.ledger) if settings.ledger and model.paid else None
    return ImageClient(model=model, cache=LedgerImageCache(ledger) if ledger is not None else None,
                       policy=settings.retry, limiter=limiter if limiter is not None else Limiter(),
                       own_ledger=ledger)
