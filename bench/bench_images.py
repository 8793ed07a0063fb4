"""Bytes and seconds per prepared image (load_image + prepare), and per mock image.

Sources: the mock image model's PNGs (what a dry run places), and photo-like JPEGs made here
(a gradient with film grain, 12 and 24 megapixels, with EXIF and GPS). `--photos DIR` adds your
own JPEG/PNG/WebP files. Each source is prepared at 1200 px (featured) and 1024 px (in-content),
as WebP within 200 KB, and as JPEG for comparison.

    python bench/bench_images.py [--photos DIR] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402

from generator.images import ImageRefused, load_image, prepare  # noqa: E402
from generator.llm.image import ImageRequest  # noqa: E402
from generator.llm.image_mock import MockImageModel  # noqa: E402


def photo_like(width: int, height: int, grain: float, seed: int) -> bytes:
    rng = random.Random(seed)
    noise = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    base = Image.merge("RGB", [Image.linear_gradient("L").resize((width, height)).rotate(a) for a in (0, 90, 180)])
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}
    out = io.BytesIO()
    Image.blend(base, noise, grain).save(out, "JPEG", quality=90, exif=exif)
    return out.getvalue()


def timed(fn, repeat: int):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return result, statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=Path, default=None)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    mock = MockImageModel()
    sources: list[tuple[str, bytes]] = []
    for size in ("1536x1024", "1024x1024"):
        request = ImageRequest(prompt="Ein Team bespricht die ERP-Einführung am Whiteboard", size=size)
        response, seconds = timed(lambda: asyncio.run(mock.generate(request)), args.repeat)
        print(f"mock image {size}: {len(response.data):,} bytes PNG, {seconds * 1000:.0f} ms")
        sources.append((f"mock {size}", response.data))
    sources.append(("photo-like 12 MP (grain 0.15)", photo_like(4000, 3000, 0.15, 1)))
    sources.append(("photo-like 24 MP (grain 0.15)", photo_like(6000, 4000, 0.15, 2)))
    sources.append(("photo-like 12 MP (grain 0.35)", photo_like(4000, 3000, 0.35, 3)))
    if args.photos:
        for path in sorted(p for p in args.photos.iterdir() if p.is_file()):
            sources.append((path.name, path.read_bytes()))

    print()
    print("| source | input | output | bytes | format, quality | ≤ 200 KB | load s | prepare s | JPEG only: bytes (q) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, data in sources:
        try:
            image, load_s = timed(lambda: load_image(data, name), args.repeat)
        except ImageRefused as e:
            print(f"| {name} | refused: {e} |")
            continue
        for width in (1200, 1024):
            webp, prep_s = timed(lambda: prepare(image, width), args.repeat)
            jpeg = prepare(image, width, format="jpeg")
            print(f"| {name} | {image.width}×{image.height}, {len(data) / 1e6:.1f} MB | {webp.width}×{webp.height} | "
                  f"{webp.size_bytes:,} | {webp.format} {webp.quality} | {'yes' if webp.within_limit else 'no'} | {load_s:.2f} | "
                  f"{prep_s:.2f} | {jpeg.size_bytes:,} ({jpeg.quality}) |")


if __name__ == "__main__":
    main()
