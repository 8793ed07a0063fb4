"""The LLM layer: one Model interface; the OpenAI-compatible model and the mock are made the same way.

The names below are loaded on first use (PEP 562): `genpost --help` and `genpost check` need the
model names, not the clients, pydantic or the ledger behind them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

MOCK = "mock"
SLOPPY = "mock:sloppy"  # the sloppy offline model; "mock:sloppy:clean,refusal=0.5" sets its rates
DEFAULT_MODEL = "gpt-4o-mini"
DEFAULT_IMAGE_MODEL = "gpt-image-1"


def is_offline(model: str) -> bool:
    """The offline models (mock, mock:sloppy…) need no endpoint and no key."""
    return model == MOCK or model == SLOPPY or model.startswith(SLOPPY + ":")


_LAZY = {
    "Message": ".base", "Model": ".base", "Request": ".base", "Response": ".base",
    "LLMClient": ".client", "Usage": ".client", "Limiter": ".limiter", "RateLimits": ".limiter",
    "ContentPolicyRefusal": ".errors",
    "ImageModel": ".image", "ImageRequest": ".image", "ImageResponse": ".image",
    "ImageCache": ".image_cache", "LedgerImageCache": ".image_cache",
    "ImageClient": ".image_client", "ImageUsage": ".image_client",
    "Ledger": ".ledger",
    "RetryPolicy": "..retry",
    "LLMSettings": ".factory", "ImageSettings": ".factory", "make_model": ".factory", "open_ledger": ".factory",
    "make_client": ".factory", "make_image_model": ".factory", "make_image_client": ".factory",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(list(globals()) + list(_LAZY))


if TYPE_CHECKING:
    from ..retry import RetryPolicy
    from .base import Message, Model, Request, Response
    from .client import LLMClient, Usage
    from .errors import ContentPolicyRefusal
    from .factory import (ImageSettings, LLMSettings, make_client, make_image_client, make_image_model, make_model,
                          open_ledger)
    from .image import ImageModel, ImageRequest, ImageResponse
    from .image_cache import ImageCache, LedgerImageCache
    from .image_client import ImageClient, ImageUsage
    from .ledger import Ledger
    from .limiter import Limiter, RateLimits

__all__ = ["LLMSettings", "LLMClient", "Limiter", "RateLimits", "Usage", "Model", "Request", "Response", "Message",
           "make_model", "make_client", "is_offline", "MOCK", "SLOPPY", "DEFAULT_MODEL",
           "ImageSettings", "ImageClient", "ImageUsage", "ImageModel", "ImageRequest", "ImageResponse",
           "ImageCache", "LedgerImageCache", "Ledger", "open_ledger", "ContentPolicyRefusal", "make_image_model", "make_image_client",
           "DEFAULT_IMAGE_MODEL"]
