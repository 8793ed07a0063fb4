"""What the pipeline talks to for images: an image model behind the image cache, a limiter and
the one retry policy, with every image counted (images, requests, retries, refusals, cost,
latency) and logged. The image twin of client.LLMClient."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel

from ..retry import RetryPolicy, stop_if_cancelled, with_counted_retries
from .limiter import Limiter
from .errors import ContentPolicyRefusal
from .image import ImageModel, ImageRequest, ImageResponse
from .image_cache import ImageCache
from .pricing import estimate_image_cost

if TYPE_CHECKING:
    from .ledger import Ledger

log = logging.getLogger("genpost.llm")


class ImageUsage(BaseModel):
    images: int = 0  # images used, cached ones included
    requests: int = 0  # requests sent to the endpoint, retries included
    cached: int = 0
    retries: int = 0
    retry_reasons: dict[str, int] = {}
    refusals: int = 0  # prompts refused by the endpoint's content policy
    cost_usd: float | None = 0.0  # None once an image of unknown price was paid for
    image_seconds: float = 0.0


@dataclass
class ImageClient:
    model: ImageModel
    cache: ImageCache | None = None
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    limiter: Limiter | None = None
    usage: ImageUsage = field(default_factory=ImageUsage)
    own_ledger: Ledger | None = None  # the cache's, opened for this client alone (make_image_client)

    async def generate(self, request: ImageRequest) -> ImageResponse:
        """One image. Raises TransientError after the retries, FatalError, or
        ContentPolicyRefusal (not retried: the same prompt would be refused again)."""
        if self.cache is not None:
            hit = self.cache.get(self.model.name, request)
            if hit is not None:
                self._count(hit, request)
                return hit
        stop_if_cancelled()
        try:
            response, retries = await with_counted_retries(lambda: self.model.generate(request), self.policy,
                                                           request.purpose or "image", self.usage, gate=self.limiter)
        except ContentPolicyRefusal:
            self.usage.refusals += 1
            log.info("image %s refused by the content policy", request.purpose or "request")
            raise
        response.retries = retries
        if self.cache is not None and self.model.paid:
            self.cache.put(self.model.name, request, response)
        stop_if_cancelled()  # the image is kept; an interrupted run stops here
        self._count(response, request)
        return response

    def cost(self, response: ImageResponse) -> float | None:
        """What this image cost (0 when it came from the cache)."""
        if response.cached:
            return 0.0
        return estimate_image_cost(self.model.name, response.quality, response.size)

    def _count(self, response: ImageResponse, request: ImageRequest) -> None:
        u = self.usage
        u.images += 1
        u.cached += int(response.cached)
        u.image_seconds += response.seconds
        cost = self.cost(response)
        u.cost_usd = None if cost is None or u.cost_usd is None else round(u.cost_usd + cost, 6)
        log.info("image %s model=%s size=%s quality=%s bytes=%d latency=%.2fs%s%s", request.purpose or "call",
                 response.model, response.size, response.quality, len(response.data), response.seconds,
                 " cached" if response.cached else "", f" retries={response.retries}" if response.retries else "")

    async def aclose(self) -> None:
        await self.model.aclose()
        if self.own_ledger is not None:
            self.own_ledger.close()


__all__ = ["ImageClient", "ImageUsage"]
