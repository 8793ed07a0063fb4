"""Estimated cost per model, in US dollars per million tokens (input, output).

Extend or override with a YAML or JSON file named by GENPOST_PRICES:
    my-model: {input: 0.5, output: 1.5}
"""

from __future__ import annotations

import json
import os
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


@lru_cache(maxsize=1)
def price_table() -> dict[str, tuple[float, float]]:
    """The built-in prices, extended by GENPOST_PRICES. Raises InputError for a file that is not
    a mapping of model -> {input: number, output: number} (checked before the first request)."""
    table = dict(PRICES)
    extra = os.environ.get("GENPOST_PRICES")
    if not extra:
        return table
    source = f"GENPOST_PRICES={extra}"
    text = read_text_file(Path(extra), 1_000_000, "price file")
    try:
        data = json.loads(text) if extra.endswith(".json") else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError):
        raise InputError(source, None, "cannot be parsed", "write it as YAML or JSON: my-model: {input: 0.5, output: 1.5}") from None
    if not isinstance(data, dict):
        raise InputError(source, None, "is not a mapping of models", "write it like my-model: {input: 0.5, output: 1.5}")
    for model, price in data.items():
        try:
            prices = (float(price["input"]), float(price["output"]))
        except (TypeError, KeyError, ValueError):
            prices = None
        if prices is None or not all(0 <= p < 1e6 for p in prices):
            raise InputError(source, str(model)[:60], "needs input and output prices in dollars per million tokens",
                             "write it like my-model: {input: 0.5, output: 1.5}")
        table[str(model)] = prices
    return table


def estimate_cost(model: str, prompt_tokens: int, completion_tokens: int) -> float | None:
    """Dollars, or None for a model without a known price (local models cost nothing we can see)."""
    table = price_table()
    price = table.get(model)
    if price is None:  # "gpt-4o-mini-2024-07-18" is priced like "gpt-4o-mini"
        matches = [m for m in table if model.startswith(m)]
        price = table[max(matches, key=len)] if matches else None
    if price is None:
        return None
    return round((prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000, 6)
