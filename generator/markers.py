"""How a model's text asks for a link: `[Ankertext](URL)`. The renderer turns a marker into a
link (when the plan gave that URL to the section), the repair step keeps markers whole when it
splits paragraphs. One grammar for both."""

from __future__ import annotations

import re
from typing import Callable

# [Anker](URL); the URL may hold one level of parentheses, so "javascript:alert(1)" is one marker.
LINK_MARKER = re.compile(r"\[([^\[\]]+)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?\s*\)")
_HIDDEN = re.compile(r"LINKMARKE(\d+)X")


def hide_markers(text: str) -> tuple[str, Callable[[str], str]]:
    """Swap every marker for a placeholder word (so a sentence splitter never cuts inside one);
    the returned function puts them back into any piece of the hidden text."""
    markers: list[str] = []

    def hide(m: re.Match[str]) -> str:
        markers.append(m.group(0))
        return f"LINKMARKE{len(markers) - 1}X"

    hidden = LINK_MARKER.sub(hide, text)
    return hidden, lambda piece: _HIDDEN.sub(lambda m: markers[int(m.group(1))], piece)
