"""How wide a text renders in pixels, in Arial's metrics, and Google-style truncation by width.

Search engines and SEO plugins judge titles by pixels, not characters: Google cuts a result
title that is wider than its box, and Yoast SEO rates the SEO title by its width in 20px Arial.
The widths here come from Liberation Sans 2, which is metric-compatible with Arial (same advance
widths) and is what a Linux browser uses for "Arial": its advance widths and kerning pairs, read
from a small table shipped with the package (fontmetrics/liberation-sans.json, built by
tools/build_font_metrics.py from the font files).

A text is measured as a browser lays it out in a block of normal white-space (what Yoast's
measuring element and Google's result page are): runs of HTML whitespace collapse to one space,
leading and trailing whitespace drop, and kerning applies between every pair of adjacent
characters, spaces included. Checked against headless Chromium with tools/compare_with_chromium.py.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

# --- The result page (SERP) ----------------------------------------------------------------------

# The desktop result title: 20px `arial, sans-serif`. Google does not publish its result page's
# CSS; 20px Arial is what SERP preview tools assume, and what Yoast measures the SEO title in: a
# hidden div styled `font-family: arial, sans-serif; font-size: 20px; font-weight: 400`, read by
# its offsetWidth (Yoast/wordpress-seo, packages/js/src/helpers/measureTextWidth.js).
SERP_TITLE_SIZE_PX = 20.0

# The snippet (meta description) text: 14px arial. Convention of SERP preview tools, like the
# above; Google does not publish it.
SERP_DESCRIPTION_SIZE_PX = 14.0

# Yoast SEO's "SEO title width" assessment: good from 400 px up to 600 px inclusive, "too short"
# below 400 px, "wider than the viewable limit" above 600 px (yoastseo,
# packages/yoastseo/src/scoring/assessments/seo/PageTitleWidthAssessment.js: `maximumLength =
# 600`, `minLength: 400`). Google's desktop title box is about that wide; the exact cut varies.
TITLE_MAX_PX = 600.0
TITLE_MIN_PX = 400.0

# Where Google cuts the description. These are conventions of SERP preview tools, not numbers
# Google publishes: Google cuts a snippet by lines (about two on desktop, more on mobile) and
# changes it from time to time; ≈ 920 px desktop and ≈ 680 px mobile at 14px are the usual
# single-width approximations of that.
DESCRIPTION_MAX_PX_DESKTOP = 920.0
DESCRIPTION_MAX_PX_MOBILE = 680.0

# Google ends a cut title or snippet with an ellipsis after the last whole word.
ELLIPSIS = " …"

# --- Measuring -----------------------------------------------------------------------------------

_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")  # what HTML collapses; NBSP and thin spaces stay
# Invisible in a rendered line: soft hyphen (unless the line breaks there), zero-width space,
# joiners, word joiner, BOM.
_ZERO_WIDTH = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


@dataclass(frozen=True)
class _Face:
    advances: dict[str, int]  # font units per character
    kerning: dict[str, int]  # font units per two-character string
    fallback: float  # font units for a character the table lacks


@dataclass(frozen=True)
class _Metrics:
    units_per_em: int
    regular: _Face
    bold: _Face
    font: dict[str, str]


def _face(raw: dict) -> _Face:
    advances = {ch: int(w) for ch, w in raw["advances"].items()}
    # A character the table lacks (Cyrillic, CJK, emoji, …) would come from some other font in a
    # browser; its width is unknown here, so it counts as an average lowercase letter.
    lowercase = [advances[c] for c in "abcdefghijklmnopqrstuvwxyz"]
    return _Face(advances, {k: int(v) for k, v in raw["kerning"].items()},
                 sum(lowercase) / len(lowercase))


@lru_cache(maxsize=1)
def _metrics() -> _Metrics:
    # Package data, built by tools/build_font_metrics.py.
    path = files("generator") / "fontmetrics" / "liberation-sans.json"
    raw = json.loads(path.read_text(encoding="utf-8"))
    return _Metrics(int(raw["units_per_em"]), _face(raw["faces"]["regular"]),
                    _face(raw["faces"]["bold"]), dict(raw["font"]))


def font_info() -> dict[str, str]:
    """The font the widths come from: family, version, source package, copyright, licence."""
    return dict(_metrics().font)


def _layout_text(text: str) -> str:
    """The characters a browser puts on the line: NFC (a decomposed ü is one glyph), HTML
    whitespace collapsed, invisible characters and combining marks left out."""
    text = _HTML_SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip(" ")
    return "".join(ch for ch in text
                   if ch not in _ZERO_WIDTH and not unicodedata.category(ch).startswith("M"))


def _units(chars: str, face: _Face, kerning: bool) -> float:
    adv, fallback = face.advances, face.fallback
    total = sum(adv.get(ch, fallback) for ch in chars)
    if kerning:
        kern = face.kerning
        total += sum(kern.get(chars[i:i + 2], 0) for i in range(len(chars) - 1))
    return total


def text_width(text: str, size_px: float = SERP_TITLE_SIZE_PX, bold: bool = False, *,
               kerning: bool = True) -> float:
    """Width in CSS pixels of `text` set on one line in Arial (Liberation Sans) at `size_px`.

    `kerning=False` gives the width without the font's kerning pairs (CSS `font-kerning: none`).
    """
    m = _metrics()
    face = m.bold if bold else m.regular
    return _units(_layout_text(text), face, kerning) * size_px / m.units_per_em


def truncate(text: str, max_px: float, size_px: float, *, bold: bool = False) -> tuple[str, bool]:
    """`text` as a result page shows it in a box `max_px` wide: whole if it fits, else cut after
    the last whole word that leaves room for " …", and the ellipsis added. Returns (shown, cut).

    A first word wider than the box on its own is cut between characters instead. A separator
    or comma left dangling at the cut ("Preise –", "Kosten,") is dropped before the ellipsis.
    """
    shown = _layout_text(text)
    if text_width(shown, size_px, bold) <= max_px:
        return shown, False

    def fits(prefix: str) -> bool:
        return text_width(prefix + ELLIPSIS, size_px, bold) <= max_px

    # Cut where a space is, keeping the longest run of whole words that still fits.
    prefix = ""
    for space in re.finditer(" ", shown):
        candidate = _tidy(shown[:space.start()])
        if not fits(candidate):
            break  # widths only grow with more words
        prefix = candidate
    if not prefix:
        # No whole word fits: cut inside the first word, character by character.
        n = 0
        while n < len(shown) and fits(shown[:n + 1]):
            n += 1
        prefix = shown[:n].rstrip()
    return (prefix + ELLIPSIS).lstrip(), True


_STANDALONE = re.compile(r"(?:\s+[–—\-|/·•:]+)+$")  # "Preise –", "Tipps |": a separator word
_TRAILING = " ,;:"


def _tidy(prefix: str) -> str:
    """A cut prefix without what a cut leaves dangling: a separator word ("Preise –" → "Preise")
    or a comma or colon ("Kosten," → "Kosten"). A hyphen on a word stays ("Vor- …")."""
    return _STANDALONE.sub("", prefix.rstrip()).rstrip(_TRAILING)
