"""Block markup: closed blocks, valid attributes, known core blocks, consistent headings and spacers."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from ..blocks import iter_blocks
from . import ids
from .registry import Check, Rule, Verdict, declare
from .research import Research

CORE_BLOCKS = frozenset(
    "core/" + n for n in (
        "paragraph heading list list-item quote pullquote image gallery spacer separator table buttons button "
        "columns column group html code preformatted media-text embed cover details video audio file more "
        "nextpage shortcode freeform verse footnotes"
    ).split()
)


def _style_height(style: str) -> str | None:
    for decl in style.split(";"):
        if ":" in decl:
            prop, value = decl.split(":", 1)
            if prop.strip().lower() == "height":
                return value.strip()
    return None


def _blocks(r: Research, rule: Rule) -> Verdict:
    doc = r.doc
    problems = list(doc.problems)
    stray = [b.line for b in doc.blocks if b.name is None and b.raw.strip()]
    problems += [f"line {line}: content outside any block" for line in stray]
    roots = {id(e.block): e.root for e in doc.elements}  # top-level blocks were parsed already
    for block in iter_blocks(doc.blocks):
        if block.name is None:
            continue
        if block.name.startswith("core/") and block.name not in CORE_BLOCKS:
            problems.append(f"line {block.line}: unknown core block {block.name}")
        if block.name == "core/heading":
            level = block.attrs.get("level", 2)
            root = roots.get(id(block)) or LexborHTMLParser(block.raw).body
            tag = root.css_first("h1, h2, h3, h4, h5, h6")
            if tag is None:
                problems.append(f"line {block.line}: heading block without a heading tag")
            elif tag.tag != f"h{level}":
                problems.append(f"line {block.line}: heading level {level} but <{tag.tag}>")
        elif block.name == "core/spacer":
            height = block.attrs.get("height", "100px")
            if isinstance(height, (int, float)):
                height = f"{height}px"
            div = (roots.get(id(block)) or LexborHTMLParser(block.raw).body).css_first("div")
            style = _style_height(div.attributes.get("style") or "") if div is not None else None
            if style != height:
                problems.append(f"line {block.line}: spacer height {height} but style height {style}")
    return Verdict(not problems, len(problems), "every block is closed, named and consistent" if not problems
                   else "; ".join(problems[:8]) + (f"; and {len(problems) - 8} more" if len(problems) > 8 else ""))


declare(Check(ids.MARKUP_BLOCKS, "Valid block markup", "problems in the block markup",
              {"brief": Rule("error", "no problems")}, judge=_blocks))
