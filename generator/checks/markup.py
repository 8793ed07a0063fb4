"""Block markup: closed blocks, valid attributes, known core blocks, consistent headings and spacers."""

from __future__ import annotations

from ..blocks import iter_blocks
from ..post import block_view
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
    for block in iter_blocks(doc.blocks):
        if block.name is None:
            continue
        if block.name.startswith("core/") and block.name not in CORE_BLOCKS:
            problems.append(f"line {block.line}: unknown core block {block.name}")
        if block.name == "core/heading":
            level = block.attrs.get("level", 2)
            tag = block_view(block).heading_tag  # top-level blocks were read already (a cached view)
            if tag is None:
                problems.append(f"line {block.line}: heading block without a heading tag")
            elif tag != f"h{level}":
                problems.append(f"line {block.line}: heading level {level} but <{tag}>")
        elif block.name == "core/spacer":
            height = block.attrs.get("height", "100px")
            if isinstance(height, (int, float)):
                height = f"{height}px"
            div_style = block_view(block).div_style
            style = _style_height(div_style) if div_style is not None else None
            if style != height:
                problems.append(f"line {block.line}: spacer height {height} but style height {style}")
    return Verdict(not problems, len(problems), "every block is closed, named and consistent" if not problems
                   else "; ".join(problems[:8]) + (f"; and {len(problems) - 8} more" if len(problems) > 8 else ""))


declare(Check(ids.MARKUP_BLOCKS, "Valid block markup", "problems in the block markup",
              {"brief": Rule("error", "no problems")}, judge=_blocks))
