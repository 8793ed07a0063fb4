"""Text is text: whatever a model writes is reduced to plain text before it goes anywhere.

Paragraphs keep their text (templates escape it); one-line fields (H1, SEO title, meta
description, headings, alt texts) also lose every angle bracket, so not even an escaped tag
("&lt;img …&gt;", decoded by the parser) can come back to life in a place that does not escape:
a WordPress title, an SEO plugin's meta, post.md.
"""

from __future__ import annotations

import re

from selectolax.lexbor import LexborHTMLParser

_COMMENT_MARKS = re.compile(r"<!--|--!?>")
_TAGLIKE = re.compile(r"<[!/?a-zA-Z]")
_DROPPED = ["script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math"]


def plain_text(text: str) -> str:
    """Markup reduced to its text (scripts, styles and the like dropped with their content)."""
    if _TAGLIKE.search(text):
        tree = LexborHTMLParser(f"<body>{text}</body>")
        tree.strip_tags(_DROPPED)
        inner = tree.body.text(deep=True) if tree.body else ""
        # keep the spaces at the ends: they separate this text from the links beside it
        text = (" " if text[:1].isspace() else "") + " ".join(inner.split()) + (" " if text[-1:].isspace() else "")
    # Comment marks mean nothing in prose and could pass for block delimiters.
    return _COMMENT_MARKS.sub("", text)


def plain_line(text: str) -> str:
    """A one-line field: plain text on one line, without angle brackets."""
    return " ".join(plain_text(text).replace("<", " ").replace(">", " ").split())


def has_markup(text: str) -> bool:
    """Whether a text from a brief or CSV holds anything a browser could read as markup."""
    return "<" in text or ">" in text


def shown_line(text: str, limit: int = 300) -> str:
    """A line shown as it was written where it is escaped (an autoescaping template): whitespace
    folded, control characters gone, cut at `limit`, but nothing taken out, so a refused keyword
    `<script>…` and the note „without < or >“ read as they are. Never for a place that does not escape."""
    line = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"

