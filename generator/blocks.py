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
from typing import Any

# Same grammar as WordPress's block-serialization-default-parser.
_TOKEN = re.compile(
    r"<!--\s+(?P<closer>/)?wp:(?P<namespace>[a-z][a-z0-9_-]*/)?(?P<name>[a-z][a-z0-9_-]*)\s+"
    r"(?P<attrs>\{(?:(?:[^}]+|\}+(?=\})|(?!\}\s+/?-->).)*+)?\}\s+)?(?P<void>/)?-->",
    re.DOTALL,
)
# Any comment that starts like a block delimiter; used to find delimiters that do not parse.
_LOOKS_LIKE_DELIMITER = re.compile(r"<!--\s*/?wp:", re.DOTALL)


@dataclass
class Block:
    name: str | None  # "core/paragraph"; None for freeform HTML between blocks
    attrs: dict[str, Any] = field(default_factory=dict)
    inner_html: str = ""  # the block's own HTML, inner blocks' markup removed
    raw: str = ""  # everything between the delimiters, inner blocks included
    inner_blocks: list["Block"] = field(default_factory=list)
    line: int = 1
    start: int = 0  # offsets of the whole block in the markup, delimiters included
    end: int = 0


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
            root.append(Block(name=None, inner_html=text, raw=text, line=_line_of(markup, at)))

    for m in _TOKEN.finditer(markup):
        between = markup[pos:m.start()]
        for bad in _LOOKS_LIKE_DELIMITER.finditer(between):
            problems.append(f"line {_line_of(markup, pos + bad.start())}: malformed block delimiter")
        add_freeform(between, pos)
        pos = m.end()
        name = (m["namespace"] or "core/") + m["name"]
        line = _line_of(markup, m.start())
        attrs: dict[str, Any] = {}
        if m["attrs"]:
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
            block.raw = markup[start:m.start()]
            block.inner_html = "".join(own)
            (stack[-1][0].inner_blocks if stack else root).append(block)
            continue
        block = Block(name=name, attrs=attrs, line=line, start=m.start(), end=m.end())
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
        block.raw = markup[start:]
        block.end = len(markup)
        block.inner_html = "".join(own) + tail
        tail = ""
        (stack[-1][0].inner_blocks if stack else root).append(block)
    add_freeform(tail, pos)
    return ParsedBlocks(blocks=root, problems=problems)


def iter_blocks(blocks: list[Block]):
    for b in blocks:
        yield b
        yield from iter_blocks(b.inner_blocks)
