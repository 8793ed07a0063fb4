"""How a model's text holds a link: the grammar that render and repair share.

Asked for is the marker `[Ankertext](URL)`; models also write `<a href="URL">Anker</a>`,
„Anker“ (URL) or a bare URL. Markdown markers and HTML anchors are links in any case (a URL
the plan did not give that section is reduced to its anchor text by the renderer); the two forms
without delimiters, „Anker (URL)“ and a bare URL, are only recognised for a URL the plan gave that
section (`planned`), since any other parenthesis or URL in prose is just text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

# [Anker](URL); the URL may hold one level of parentheses, so "javascript:alert(1)" is one marker.
LINK_MARKER = re.compile(r"\[([^\[\]]+)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?\s*\)")
HTML_ANCHOR = re.compile(r"<a\b[^>]*?\bhref\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>\"']+))[^>]*>(.*?)</a\s*>",
                         re.IGNORECASE | re.DOTALL)
# A URL in prose: absolute http(s), or site-relative after a space, bracket or quote. Trailing
# sentence punctuation is not part of it.
PROSE_URL = re.compile(r"(?:https?://|(?<=[\s(„\"'])/(?=[\w-]))[^\s<>()\[\]„“”\"']*[^\s<>()\[\]„“”\"'.,;:!?]|"
                       r"(?<=[\s(„\"'])/(?=[\s)])")
_TAG = re.compile(r"<[^>]*>")
_OPEN_QUOTES = "„\"'‚«»"
_CLOSE_QUOTES = "“\"'‘«»”"
# A name before "(URL)": capitalised words, joined by a few small words ("Bundesamt für Sicherheit in der …")
_JOINERS = frozenset("für der die das des dem den und im in am an von zu zur zum mit auf bei".split())
_HIDDEN = re.compile(r"LINKMARKE(\d+)X")


@dataclass(frozen=True)
class FoundLink:
    start: int
    end: int  # the span of text the link replaces
    anchor: str
    url: str  # as written
    form: str  # markdown | html | paren | bare
    trailing: str = ""  # closing quotes between the anchor and "(URL)", which stay in the text


def find_links(text: str, planned: Callable[[str], str | None] | None = None) -> list[FoundLink]:
    """Every link in a text, in order. `planned(url)` gives the anchor the plan suggests for a
    URL of this section, or None; without it only Markdown markers and HTML anchors are found."""
    found: list[FoundLink] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    # Each pattern needs a character most paragraphs lack: "](", "<", "/" (a quick test first).
    for m in LINK_MARKER.finditer(text) if "](" in text else ():
        found.append(FoundLink(m.start(), m.end(), m.group(1), m.group(2), "markdown"))
        taken.append((m.start(), m.end()))
    for m in HTML_ANCHOR.finditer(text) if "<" in text else ():
        if free(m.start(), m.end()):
            url = next(g for g in m.groups()[:3] if g is not None)
            found.append(FoundLink(m.start(), m.end(), _TAG.sub("", m.group(4)), url, "html"))
            taken.append((m.start(), m.end()))
    if planned is not None and "/" in text:
        for m in PROSE_URL.finditer(text):
            if not free(m.start(), m.end()):
                continue
            suggested = planned(m.group(0))
            if suggested is None:
                continue
            before, after = text[:m.start()], text[m.end():]
            if before.rstrip().endswith("(") and after.lstrip().startswith(")"):
                open_at = before.rstrip()[:-1].rstrip()
                close = m.end() + after.index(")") + 1
                anchor_start, anchor = _name_before(text, len(open_at), suggested)
                if anchor and free(anchor_start, close):
                    quotes = "".join(c for c in text[anchor_start + len(anchor):len(open_at)] if c in _CLOSE_QUOTES)
                    found.append(FoundLink(anchor_start, close, anchor, m.group(0), "paren", quotes))
                    taken.append((anchor_start, close))
                    continue
            found.append(FoundLink(m.start(), m.end(), suggested, m.group(0), "bare"))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def _name_before(text: str, end: int, suggested: str) -> tuple[int, str]:
    """The anchor before "(URL)": a quoted name („Fallstudien“), else the suggested anchor if the
    text ends with it, else the last few capitalised words (and small joining words) before it.
    Quotes around it stay outside."""
    stop = end
    while stop > 0 and text[stop - 1] in _CLOSE_QUOTES:
        stop -= 1
    head = text[:stop]
    if stop < end:  # a quoted name: back to its opening quote
        opening = max(head.rfind(q) for q in _OPEN_QUOTES)
        if opening >= 0 and 0 < stop - opening - 1 <= 80:
            return opening + 1, head[opening + 1:]
    if suggested and head.lower().endswith(suggested.lower()):
        return stop - len(suggested), text[stop - len(suggested):stop]
    words = list(re.finditer(r"[^\s„“”\"'(),;:.!?]+", head))
    start = None
    taken = 0
    for w in reversed(words):
        if head[w.end():stop].strip(" ") or taken == 4:
            break  # punctuation between, or long enough: the name ended there
        token = w.group(0)
        if token[:1].isupper() or token[:1].isdigit():
            start = w.start()
        elif token.lower() not in _JOINERS:
            break
        taken += 1
        stop = w.start()
    if start is None:
        return end, ""
    return start, text[start:end].rstrip(_CLOSE_QUOTES + " ")


def canonical_links(text: str, planned: Callable[[str], str | None]) -> str:
    """A model's links in any form become markers `[Anker](URL)` when the URL is one the plan gave
    this section; any other Markdown or HTML link becomes its anchor text."""
    out: list[str] = []
    pos = 0
    for link in find_links(text, planned):
        out.append(text[pos:link.start])
        anchor = " ".join(link.anchor.split())
        if planned(link.url) is not None and anchor:
            out.append(f"[{anchor}]({link.url.strip()})")
        else:
            out.append(anchor)
        out.append(link.trailing)
        pos = link.end
    out.append(text[pos:])
    return "".join(out)


def hide_markers(text: str) -> tuple[str, Callable[[str], str]]:
    """Swap every link (marker or HTML anchor) for a placeholder word, so a sentence splitter never
    cuts inside one; the returned function puts them back into any piece of the hidden text."""
    links = find_links(text)
    kept: list[str] = []
    out: list[str] = []
    pos = 0
    for link in links:
        out.append(text[pos:link.start])
        kept.append(text[link.start:link.end])
        out.append(f"LINKMARKE{len(kept) - 1}X")
        pos = link.end
    out.append(text[pos:])
    return "".join(out), lambda piece: _HIDDEN.sub(lambda m: kept[int(m.group(1))], piece)
