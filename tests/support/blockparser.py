"""Run WordPress's reference block parser (@wordpress/block-serialization-default-parser) from tests.

Setup (once, and in CI):  ``npm ci --prefix tests/support/js``  (needs Node >= 18.12).

    from tests.support.blockparser import parse_with_wordpress, wordpress_parser_unavailable_reason

    reason = wordpress_parser_unavailable_reason()
    if reason:
        pytest.skip(reason)
    blocks = parse_with_wordpress(markup)
    # -> [{"blockName": "core/heading", "attrs": {"level": 1}, "innerHTML": "\\n<h1 ...>T</h1>\\n",
    #      "innerContent": [...], "innerBlocks": []},
    #     {"blockName": None, "attrs": {}, "innerHTML": "\\n\\n", "innerContent": ["\\n\\n"], "innerBlocks": []},
    #     ...]

Representation notes (parser version pinned in js/package.json):

* Anything outside a block comment at the top level -- including the whitespace between blocks --
  becomes a "freeform" block: ``blockName`` None, ``attrs`` {}, the raw text as ``innerHTML``, no
  inner blocks.  ``"\\n\\n"`` between two blocks gives one freeform block with innerHTML ``"\\n\\n"``;
  blocks written back-to-back with nothing between them produce no freeform block.  Use
  ``is_whitespace_freeform`` / ``stray_freeform`` to tell whitespace from stray content.
* ``attrs`` is {} when a block has no attributes and None when its attribute JSON does not parse.
* The parser is lenient: a closer with the wrong name (``<!-- /wp:paragraph -->`` closing a heading)
  still closes the open block, and an unclosed block runs to the end of the document.  It does not
  validate balance/nesting -- check that separately if it matters.
* Inside a block, text between nested blocks is NOT a freeform block: it is part of the parent's
  ``innerHTML``/``innerContent`` (``innerContent`` has ``None`` where each inner block goes).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

__all__ = [
    "JS_DIR",
    "parse_with_wordpress",
    "parse_many_with_wordpress",
    "wordpress_parser_unavailable_reason",
    "is_whitespace_freeform",
    "stray_freeform",
    "block_names",
]

JS_DIR = Path(__file__).resolve().parent / "js"
SCRIPT = JS_DIR / "parse_blocks.mjs"
PACKAGE_DIR = JS_DIR / "node_modules" / "@wordpress" / "block-serialization-default-parser"
INSTALL_HINT = "run `npm ci --prefix tests/support/js`"


def _node() -> str | None:
    return os.environ.get("NODE") or shutil.which("node")


def wordpress_parser_unavailable_reason() -> str | None:
    """Return None if the parser can run, else a human-readable skip reason."""
    node = _node()
    if node is None:
        return "node is not installed (needed for the WordPress block parser check)"
    if not SCRIPT.is_file():
        return f"{SCRIPT} is missing"
    if not (PACKAGE_DIR / "package.json").is_file():
        return f"@wordpress/block-serialization-default-parser is not installed; {INSTALL_HINT}"
    return None


def _run(markup_or_json: str, *args: str, timeout: float) -> Any:
    reason = wordpress_parser_unavailable_reason()
    if reason is not None:
        raise RuntimeError(reason)
    env = dict(os.environ)
    # ESM resolution walks up from the script's own directory, so cwd is enough; NODE_PATH is
    # set as well in case someone swaps in a CommonJS script.
    env["NODE_PATH"] = str(JS_DIR / "node_modules")
    proc = subprocess.run(
        [_node() or "node", str(SCRIPT), *args],
        input=markup_or_json.encode("utf-8"),
        capture_output=True,
        cwd=JS_DIR,
        env=env,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"WordPress block parser failed (exit {proc.returncode}): {proc.stderr.decode('utf-8', 'replace')}"
        )
    return json.loads(proc.stdout.decode("utf-8"))


def parse_with_wordpress(markup: str, *, timeout: float = 60.0) -> list[dict]:
    """Parse block markup with WordPress's parser; returns the list of top-level blocks.

    Each block is ``{"blockName": str | None, "attrs": dict | None, "innerHTML": str,
    "innerContent": list[str | None], "innerBlocks": list[block]}``.
    Raises RuntimeError if node / node_modules are missing or node fails.
    """
    return _run(markup, timeout=timeout)


def parse_many_with_wordpress(documents: list[str], *, timeout: float = 120.0) -> list[list[dict]]:
    """Like parse_with_wordpress for many documents with a single node start-up."""
    return _run(json.dumps(documents), "--batch", timeout=timeout)


def is_whitespace_freeform(block: dict) -> bool:
    """True for a freeform (blockName None) block whose innerHTML is only whitespace."""
    return block.get("blockName") is None and not (block.get("innerHTML") or "").strip()


def stray_freeform(blocks: list[dict]) -> list[dict]:
    """Top-level freeform blocks that contain more than whitespace (i.e. content outside any block)."""
    return [b for b in blocks if b.get("blockName") is None and not is_whitespace_freeform(b)]


def block_names(blocks: list[dict], *, recursive: bool = True, include_freeform: bool = False) -> list[str | None]:
    """Block names in document order (depth-first if recursive)."""
    out: list[str | None] = []
    for b in blocks:
        if b.get("blockName") is not None or include_freeform:
            out.append(b.get("blockName"))
        if recursive:
            out.extend(block_names(b.get("innerBlocks") or [], recursive=True, include_freeform=include_freeform))
    return out
