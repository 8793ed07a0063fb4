"""The mock image model: offline, free and reproducible, registered like any other image model
(`--dry-run`, or `--image-model mock`). It draws a real PNG of the requested size: a gradient
and a few shapes whose colours and places follow a hash of the request, and the prompt's first
words as a caption, so each image is recognisably "the one for that prompt". The same request
gives the same bytes, on every run.
"""

from __future__ import annotations

import hashlib
import io
import random
import time

from PIL import Image, ImageDraw, ImageFont

from .image import ImageModel, ImageRequest, ImageResponse

MOCK = "mock"
_CAPTION_WORDS = 6
_ASCII = [("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue"), ("ß", "ss"),
          ("…", "..."), ("„", '"'), ("“", '"'), ("”", '"'), ("‚", "'"), ("‘", "'"), ("’", "'"),
          ("–", "-"), ("—", "-")]


def _caption(prompt: str) -> str:
    words = prompt.split()
    text = " ".join(words[:_CAPTION_WORDS]) + (" …" if len(words) > _CAPTION_WORDS else "")
    # Pillow's built-in font covers ASCII only; anything else would draw boxes.
    for a, b in _ASCII:
        text = text.replace(a, b)
    return text.encode("ascii", "replace").decode("ascii")


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)  # Pillow's own scalable font (needs FreeType)
    except (ImportError, OSError, TypeError):
        return ImageFont.load_default()


def draw(request: ImageRequest) -> bytes:
    width, height = request.dimensions()
    seed = hashlib.sha256(repr(sorted(request.cache_fields(MOCK).items())).encode("utf-8")).digest()
    rng = random.Random(seed)

    def colour() -> tuple[int, int, int]:
        return (rng.randrange(40, 230), rng.randrange(40, 230), rng.randrange(40, 230))

    top, bottom = colour(), colour()
    mask = Image.linear_gradient("L").resize((width, height), Image.Resampling.BILINEAR)
    # The gradient painted onto the image itself (Image.composite of two full images gives the
    # same pixels): a batch draws many of these at once.
    image = Image.new("RGB", (width, height), top)
    image.paste(bottom, (0, 0, width, height), mask)
    pen = ImageDraw.Draw(image)
    short = min(width, height)
    for _ in range(rng.randint(3, 6)):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randint(short // 12, short // 4)
        box = (x - r, y - r, x + r, y + r)
        if rng.random() < 0.5:
            pen.ellipse(box, fill=colour())
        else:
            pen.rectangle(box, fill=colour())
    text = _caption(request.prompt)
    font = _font(max(12, short // 24))
    margin = max(8, short // 32)
    left, top_, right, bottom_ = pen.textbbox((margin, margin), text, font=font)
    pen.rectangle((left - margin // 2, top_ - margin // 2, right + margin // 2, bottom_ + margin // 2), fill=(255, 255, 255))
    pen.text((margin, margin), text, fill=(20, 20, 20), font=font)
    out = io.BytesIO()
    # compress_level 1: fast, and PNG written by Pillow carries no timestamp, so bytes are stable.
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


class MockImageModel(ImageModel):
    name = MOCK
    paid = False

    async def generate(self, request: ImageRequest) -> ImageResponse:
        started = time.monotonic()
        data = draw(request)
        width, height = request.dimensions()
        return ImageResponse(data=data, format="png", model=self.name, size=f"{width}x{height}",
                             quality=request.quality, seconds=time.monotonic() - started)
