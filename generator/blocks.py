"""The WordPress block grammar: `<!-- wp:name {json} -->` … `<!-- /wp:name -->`.

The delimiter tokenizer follows WordPress's own default parser (the same token pattern as
`WP_Block_Parser`); the HTML between delimiters is left to a real HTML parser (see post.py).
Unlike WordPress we also record problems (unclosed blocks, bad JSON, stray closers) instead of
silently repairing them, because the checker has to report them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Iterator

# Same grammar as WordPress's block-serialization-default-parser.
_TOKEN = re.compile(
    r"<!--\s+(?P<closer>/)?wp:(?P<namespace>[a-z][a-z0-9_-]*/)?(?P<name>[a-z][a-z0-9_-]*)\s+"
    r"(?P<attrs>\{(?:(?:[^}]+|\}+(?=\})|(?!\}\s+/?-->).)*+)?\}\s+)?(?P<void>/)?-->",
    re.DOTALL,
)
# Any comment that starts like a block delimiter; used to find delimiters that do not parse.
_LOOKS_LIKE_DELIMITER = re.compile(r"<!--\s*/?wp:", re.DOTALL)
# Deeper nesting is reported, not followed into recursion: no real post nests blocks (or their
# JSON attributes) anywhere near this deep.
MAX_DEPTH = 64


def _json_depth(text: str) -> int:
    """How deep brackets nest in a JSON text (strings ignored), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif c in "]}":
            depth -= 1
    return deepest


@dataclass
class Block:
    name: str | None  # "core/paragraph"; None for freeform HTML between blocks
    attrs: dict[str, Any] = field(default_factory=dict)
    inner_html: str = ""  # the block's own HTML, inner blocks' markup removed
    inner_blocks: list["Block"] = field(default_factory=list)
    line: int = 1
    start: int = 0  # offsets of the whole block in the markup, delimiters included
    end: int = 0
    source: str = ""  # the whole markup (shared, not copied)
    raw_start: int = 0  # offsets of what is between the delimiters
    raw_end: int = 0

    @property
    def raw(self) -> str:
        """Everything between the delimiters, inner blocks included (cut on demand: nested
        blocks would otherwise each hold a copy of all their inner markup)."""
        return self.source[self.raw_start:self.raw_end]


@dataclass
class ParsedBlocks:
    blocks: list[Block]
    problems: list[str]


class _Lines:
    """Line numbers for increasing offsets without rescanning the text from the start."""

    def __init__(self, text: str):
        self.text, self.pos, self.line = text, 0, 1

    def __call__(self, _text: str, pos: int) -> int:
        if pos < self.pos:
            return self.text.count("\n", 0, pos) + 1
        self.line += self.text.count("\n", self.pos, pos)
        self.pos = pos
        return self.line


def parse_blocks(markup: str) -> ParsedBlocks:
    problems: list[str] = []
    root: list[Block] = []
    # stack of (block, start offset of its inner content, own-html pieces)
    stack: list[tuple[Block, int, list[str]]] = []
    pos = 0
    _line_of = _Lines(markup)

    def add_freeform(text: str, at: int) -> None:
        if stack:
            stack[-1][2].append(text)
        elif text:
            root.append(Block(name=None, inner_html=text, line=_line_of(markup, at), start=at, end=at + len(text),
                              source=markup, raw_start=at, raw_end=at + len(text)))

    for m in _TOKEN.finditer(markup):
        between = markup[pos:m.start()]
        for bad in _LOOKS_LIKE_DELIMITER.finditer(between):
            problems.append(f"line {_line_of(markup, pos + bad.start())}: malformed block delimiter")
        add_freeform(between, pos)
        pos = m.end()
        name = (m["namespace"] or "core/") + m["name"]
        line = _line_of(markup, m.start())
        attrs: dict[str, Any] = {}
        if m["attrs"] and _json_depth(m["attrs"]) > MAX_DEPTH:
            problems.append(f"line {line}: attributes of {name} are nested deeper than {MAX_DEPTH} levels")
        elif m["attrs"]:
            try:
                parsed = json.loads(m["attrs"])
                if isinstance(parsed, dict):
                    attrs = parsed
                else:
                    problems.append(f"line {line}: attributes of {name} are not a JSON object")
            except json.JSONDecodeError as e:
                problems.append(f"line {line}: attributes of {name} are not valid JSON ({e.msg})")
        if m["closer"]:
            if not stack:
                problems.append(f"line {line}: closing {name} without an opening block")
                continue
            block, start, own = stack.pop()
            block.end = m.end()
            if block.name != name:
                problems.append(f"line {line}: {name} closes {block.name} opened on line {block.line}")
            block.raw_start, block.raw_end = start, m.start()
            block.inner_html = "".join(own)
            (stack[-1][0].inner_blocks if stack else root).append(block)
            continue
        block = Block(name=name, attrs=attrs, line=line, start=m.start(), end=m.end(), source=markup)
        if not m["void"] and len(stack) == MAX_DEPTH:
            problems.append(f"line {line}: blocks are nested deeper than {MAX_DEPTH} levels")
        if m["void"]:
            (stack[-1][0].inner_blocks if stack else root).append(block)
        else:
            stack.append((block, m.end(), []))
    tail = markup[pos:]
    for bad in _LOOKS_LIKE_DELIMITER.finditer(tail):
        problems.append(f"line {_line_of(markup, pos + bad.start())}: malformed block delimiter")
    while stack:
        block, start, own = stack.pop()
        problems.append(f"line {block.line}: {block.name} is never closed")
        block.raw_start, block.raw_end = start, len(markup)
        block.end = len(markup)
        block.inner_html = "".join(own) + tail
        tail = ""
        (stack[-1][0].inner_blocks if stack else root).append(block)
    add_freeform(tail, pos)
    return ParsedBlocks(blocks=root, problems=problems)


def iter_blocks(blocks: list[Block]) -> Iterator[Block]:
    """Every block in document order, inner blocks after their parent (no recursion: depth is
    whatever the markup says)."""
    stack = list(reversed(blocks))
    while stack:
        b = stack.pop()
        yield b
        stack.extend(reversed(b.inner_blocks))
