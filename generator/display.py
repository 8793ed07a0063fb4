"""Check results in words a person reads: measured values without `[]`, `{}` or "10 items", and
counts with the right singular or plural. Shared by the terminal (cli.py) and the preview page
(preview.py), so both say the same thing; nothing here prints or makes markup."""

from __future__ import annotations

from typing import Any, Iterable

NONE = "none"


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """`1 warning`, `2 warnings`, `0 warnings`; irregular plurals are given (`1 entry`, `2 entries`)."""
    return f"{n} {singular if n == 1 else (plural_form or singular + 's')}"


def number(value: float | int) -> str:
    """A count or measure as people write it: 3.32, 17.5, 0 (not 0.0), 2000."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    return f"{round(value, 2):g}"


def first_of(items: Iterable[str], limit: int = 3, sep: str = ", ") -> str:
    """The first `limit` items, then how many more: "a, b, c and 4 more"."""
    items = list(items)
    if len(items) <= limit:
        return sep.join(items)
    return sep.join(items[:limit]) + f" and {len(items) - limit} more"


def show_value(value: Any, limit: int = 3) -> str:
    """A measured value as one short line of text."""
    if value is None:
        return "not measured"
    if isinstance(value, (bool, int, float)):
        return number(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, set)):
        return first_of((show_value(v, limit) for v in value), limit) if value else NONE
    if isinstance(value, dict):
        if not value:
            return NONE
        if len(value) > limit and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()):
            # Counts per section and the like: the keys are long headings, the figures tell.
            return "per entry: " + " ".join(number(v) for v in value.values())
        return first_of((f"{k}: {_inner(v)}" for k, v in value.items()), limit, sep="; ")
    return str(value)


def _inner(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(show_value(v) for v in value) if value else NONE
    return show_value(value)


# Values whose generic form says less than a sentence would.
def check_value(check_id: str, value: Any) -> str:
    """The measured value of one check, with the few values that read better said in words."""
    if check_id == "keyword.distribution" and isinstance(value, dict) and value:
        used = sum(1 for v in value.values() if v)
        return f"in {used} of {plural(len(value), 'section')}"
    if check_id == "checklist.claims" and isinstance(value, list):
        return plural(len(value), "false claim") if value else NONE
    if check_id == "keyword.subheadings" and isinstance(value, dict) and "subheadings" in value:
        return f"{number(value.get('with_keyphrase', 0))} of {plural(value['subheadings'], 'subheading')}"
    if check_id in ("repetition.phrases", "repetition.openings") and isinstance(value, dict) and value:
        # phrase -> how often: the most frequent first, each with its count
        ranked = sorted(value.items(), key=lambda kv: -kv[1])
        return first_of((f"„{k}“ {number(v)}×" for k, v in ranked), 2)
    return show_value(value)


def where_text(where: list[str], limit: int = 3) -> str:
    """The sections a result applies to: "Einleitung, Fazit and 2 more"."""
    return first_of(where, limit)
