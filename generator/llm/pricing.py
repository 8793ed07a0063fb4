"""Estimated cost per model: text models in US dollars per million tokens (input, output), live
and through a provider's batch endpoint; image models in US dollars per image, by quality and size.

Extend or override with a YAML or JSON file named by GENPOST_PRICES:
    my-model: {input: 0.5, output: 1.5}                                # batch priced as live
    my-batch-model: {input: 0.5, output: 1.5, batch_input: 0.25, batch_output: 0.75}
    my-image-model: {per_image: 0.04}                                  # any quality and size
    other-image-model: {per_image: {medium: {1024x1024: 0.04, 1536x1024: 0.06}}}
"""

from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

import yaml

from ..errors import InputError
from ..fsutil import read_text_file

PRICES: dict[str, tuple[float, float]] = {
    "mock": (0.0, 0.0),
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "mistral-large-latest": (2.00, 6.00),
    "mistral-small-latest": (0.20, 0.60),
}

# Answers through a batch endpoint: OpenAI bills input and output tokens at 50 % of the live price
# (https://help.openai.com/en/articles/9197833-batch-api-faq); Mistral's batch inference is half
# price as well. A model of GENPOST_PRICES without batch prices is priced as live: an estimate
# never understates.
BATCH_DISCOUNT = 0.5
BATCH_PRICES: dict[str, tuple[float, float]] = {
    model: (i * BATCH_DISCOUNT, o * BATCH_DISCOUNT) for model, (i, o) in PRICES.items()}


# Per image, from OpenAI's price list (https://platform.openai.com/docs/pricing, "Image
# generation", and the model pages https://platform.openai.com/docs/models/gpt-image-1,
# …/gpt-image-1-mini, …/dall-e-3), as of 2025. The GPT image models also bill the prompt's text
# tokens (a few hundredths of a cent for our prompts), which these figures leave out.
# quality -> size -> dollars; "*" stands for any quality or size.
IMAGE_PRICES: dict[str, dict[str, dict[str, float]]] = {
    "mock": {"*": {"*": 0.0}},
    "gpt-image-1": {
        "low": {"1024x1024": 0.011, "1024x1536": 0.016, "1536x1024": 0.016},
        "medium": {"1024x1024": 0.042, "1024x1536": 0.063, "1536x1024": 0.063},
        "high": {"1024x1024": 0.167, "1024x1536": 0.25, "1536x1024": 0.25},
    },
    "gpt-image-1-mini": {
        "low": {"1024x1024": 0.005, "1024x1536": 0.006, "1536x1024": 0.006},
        "medium": {"1024x1024": 0.011, "1024x1536": 0.015, "1536x1024": 0.015},
        "high": {"1024x1024": 0.036, "1024x1536": 0.052, "1536x1024": 0.052},
    },
    "dall-e-3": {
        "standard": {"1024x1024": 0.040, "1024x1792": 0.080, "1792x1024": 0.080},
        "hd": {"1024x1024": 0.080, "1024x1792": 0.120, "1792x1024": 0.120},
    },
    "dall-e-2": {"*": {"256x256": 0.016, "512x512": 0.018, "1024x1024": 0.020}},
}


_EXAMPLE = ("write it like my-model: {input: 0.5, output: 1.5} (optionally batch_input, batch_output; "
            "or per_image: 0.04)")


@lru_cache(maxsize=1)
def _extra_prices() -> dict[str, dict]:
    """GENPOST_PRICES, read once and checked: a mapping of model -> {input, output} in dollars per
    million tokens, or {per_image: dollars} (or per quality and size). InputError otherwise, which
    settings.prepare raises before the first request."""
    extra = os.environ.get("GENPOST_PRICES")
    if not extra:
        return {}
    source = f"GENPOST_PRICES={extra}"
    text = read_text_file(Path(extra), 1_000_000, "price file GENPOST_PRICES names")
    try:
        data = json.loads(text) if extra.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        raise InputError(source, None, "cannot be parsed", _EXAMPLE) from None
    if not isinstance(data, dict):
        raise InputError(source, None, "is not a mapping of models", _EXAMPLE)
    for model, price in data.items():
        if not isinstance(price, dict) or not (_valid_tokens(price) or _valid_per_image(price.get("per_image"))):
            raise InputError(source, str(model)[:60], "needs input and output prices in dollars per million "
                             "tokens, or per_image", _EXAMPLE)
    return {str(model): price for model, price in data.items()}


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 1e6


def _valid_tokens(price: dict) -> bool:
    batch = [price[k] for k in ("batch_input", "batch_output") if k in price]
    return (_number(price.get("input")) and _number(price.get("output"))
            and len(batch) in (0, 2) and all(_number(b) for b in batch))


def _valid_per_image(per_image: object) -> bool:
    if _number(per_image):
        return True
    return isinstance(per_image, dict) and all(
        isinstance(sizes, dict) and all(_number(v) for v in sizes.values()) for sizes in per_image.values())


@lru_cache(maxsize=1)
def price_table() -> dict[str, tuple[float, float]]:
    """The built-in text prices, extended by GENPOST_PRICES."""
    table = dict(PRICES)
    for model, price in _extra_prices().items():
        if _valid_tokens(price):
            table[model] = (float(price["input"]), float(price["output"]))
    return table


@lru_cache(maxsize=1)
def batch_price_table() -> dict[str, tuple[float, float]]:
    """Prices through a batch endpoint: the built-in ones, extended by GENPOST_PRICES (its
    batch_input/batch_output, else its live prices)."""
    table = dict(BATCH_PRICES)
    for model, price in _extra_prices().items():
        if _valid_tokens(price):
            table[model] = (float(price.get("batch_input", price["input"])),
                            float(price.get("batch_output", price["output"])))
    return table


@lru_cache(maxsize=1)
def image_price_table() -> dict[str, dict[str, dict[str, float]]]:
    table = dict(IMAGE_PRICES)
    for model, price in _extra_prices().items():
        per_image = price.get("per_image") if isinstance(price, dict) else None
        if isinstance(per_image, (int, float)):
            table[str(model)] = {"*": {"*": float(per_image)}}
        elif isinstance(per_image, dict):
            table[str(model)] = {str(q): {str(s): float(v) for s, v in sizes.items()} for q, sizes in per_image.items()}
    return table


def _lookup(table: dict, model: str):
    price = table.get(model)
    if price is None:  # "gpt-4o-mini-2024-07-18" is priced like "gpt-4o-mini"
        matches = [m for m in table if model.startswith(m)]
        price = table[max(matches, key=len)] if matches else None
    return price


def token_price(model: str, batch: bool = False) -> tuple[float, float] | None:
    """Dollars per million (input, output) tokens, live or through a batch endpoint; None when unknown."""
    return _lookup(batch_price_table() if batch else price_table(), model)


def estimate_cost(model: str, prompt_tokens: int, completion_tokens: int, batch: bool = False) -> float | None:
    """Dollars, or None for a model without a known price (local models cost nothing we can see).
    batch: the answer came through a provider's batch endpoint, at its (lower) batch price."""
    price = token_price(model, batch)
    if price is None:
        return None
    return round((prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000, 6)


_SNAPSHOT = re.compile(r"-\d{4}-\d{2}-\d{2}$")


def estimate_image_cost(model: str, quality: str | None, size: str | None) -> float | None:
    """Dollars for one image, or None when the model or size has no known price. An unknown or
    "auto" quality is priced as the dearest one for that size: an estimate never understates."""
    table = image_price_table()
    by_quality = table.get(model)
    if by_quality is None:  # only a dated snapshot inherits a price: gpt-image-1.5 is not gpt-image-1
        base = _SNAPSHOT.sub("", model)
        by_quality = table.get(base)
    if by_quality is None:
        return None
    if quality in by_quality:
        candidates = [by_quality[quality]]
    elif "*" in by_quality:
        candidates = [by_quality["*"]]
    else:
        candidates = list(by_quality.values())
    prices = [sizes.get(size or "", sizes.get("*")) for sizes in candidates]
    known = [p for p in prices if p is not None]
    return max(known) if known else None


def reset_prices() -> None:
    """Forget the tables read from GENPOST_PRICES (for a process that changes it)."""
    for cached in (_extra_prices, price_table, batch_price_table, image_price_table):
        cached.cache_clear()
