"""Parse and validate block markup the way the WordPress block editor does when it opens a post.

Setup (once, and in CI):  ``npm ci --prefix tests/support/js``  (Node >= 20.19 for jsdom 29).

    from tests.support.editor import editor_unavailable_reason, invalid_blocks, validate

    reason = editor_unavailable_reason()
    if reason:
        pytest.skip(reason)
    [blocks] = validate([markup])            # one node process for any number of documents
    # -> [{"name": "core/heading", "attributes": {"content": "T", "level": 1}, "isValid": True,
    #      "migrated": False, "issues": [], "originalContent": "<h1 ...>T</h1>",
    #      "serialized": "<!-- wp:heading {\\"level\\":1} -->\\n<h1 ...>T</h1>\\n<!-- /wp:heading -->",
    #      "innerBlocks": []}, ...]
    assert invalid_blocks(markup) == []

Which editor (``tests/support/js/validate_blocks.mjs`` does the work, under jsdom):

* default: ``@wordpress/blocks`` ``parse()`` with ``@wordpress/block-library``'s
  ``registerCoreBlocks()``, npm packages pinned in js/package.json -- @wordpress/blocks 16.0.0 and
  @wordpress/block-library 11.0.0 with every other @wordpress package of the same release (the
  ``overrides`` there).  The newest complete release the npm registry serves here; the next one
  (block-library 11.1.0) depends on packages it does not have.
* ``wordpress=WORDPRESS_ROOT`` (e.g. :data:`DEBIAN_WORDPRESS`): the editor scripts that WordPress
  installation ships (``wp-includes/js/dist/blocks.js``, ``block-library.js`` and their
  dependencies, in the order WordPress loads them) -- the validator the site's own editor runs.
  Debian's package is WordPress 6.1.

Per block: ``isValid`` False is the editor's "This block contains unexpected or invalid content";
``issues`` are the editor's console messages for it ("warning: Block validation: Expected
attributes ...", "error: Block validation: Block validation failed for `core/image` ..." with the
content ``save()`` generates and the content found); ``migrated`` True means valid only through a
deprecated version of the block -- no warning, but the editor rewrites the block into its current
form (and attributes) on the next save; ``serialized`` is the block as the editor saves it
(``reserialize(blocks)`` == the editor's ``serialize()`` of the document).  Whitespace between
blocks is not a block here (unlike blockparser.py).  An unknown block name becomes ``core/missing``
(attribute ``originalName``; the editor says the site does not support that block); so does stray
content outside blocks (no ``originalName``; the editor makes it a Classic block, whose type needs
TinyMCE and is not registered here).  Both count as valid: the editor shows no "invalid content"
warning for them.  :func:`problems` lists all of these, invalid blocks and migrated ones in one
readable list -- what a test of genpost's markup should find empty.

``isValid`` alone proves little for core/paragraph: its oldest deprecation takes the block's whole
HTML as the content, so any paragraph -- ``<div>`` instead of ``<p>``, ``{"dropCap":true}`` on a
plain ``<p>`` -- is valid, migrated, and re-saved with the markup swallowed into the text
(``<p class="has-drop-cap"><p>Text</p></p>``), without a warning.  Check ``migrated`` (or
``serialized``) too.

The editor's own text and format library are not loaded (as in Gutenberg's full-content fixture
tests); unknown inline tags in rich text round-trip unchanged.

core/image markup, measured with this harness (npm editor 16.0.0/11.0.0 vs WordPress 6.1.9's):

* valid and re-saved byte for byte by BOTH editors -- no width/height in the block; WordPress
  adds ``width``/``height`` attributes to the front-end ``<img>`` from the attachment's metadata
  (``wp_img_tag_add_width_and_height_attr``, keyed by the ``wp-image-ID`` class)::

    <!-- wp:image {"id":42,"sizeSlug":"large","linkDestination":"none"} -->
    <figure class="wp-block-image size-large"><img src="URL" alt="ALT" class="wp-image-42"/><figcaption class="wp-element-caption">CAPTION</figcaption></figure>
    <!-- /wp:image -->

  (without a caption the ``<figcaption ...>...</figcaption>`` is left out; alt may be empty).

* with width and height, the current form (WordPress >= 6.3: strings with a unit, ``is-resized``,
  an inline style, no width/height attributes on ``<img>``) -- valid byte for byte in the npm
  editor, INVALID in WordPress 6.1's editor (its width/height are numbers: the strings are
  dropped and its save() emits no style)::

    <!-- wp:image {"id":42,"width":"1024px","height":"768px","sizeSlug":"large","linkDestination":"none"} -->
    <figure class="wp-block-image size-large is-resized"><img src="URL" alt="ALT" class="wp-image-42" style="width:1024px;height:768px"/><figcaption class="wp-element-caption">CAPTION</figcaption></figure>
    <!-- /wp:image -->

* WordPress 6.1's own form (``"width":1024,"height":768`` numbers, ``is-resized``, and
  ``width="1024" height="768"`` attributes on ``<img>``) -- valid byte for byte in 6.1's editor;
  the current editor accepts it only through a deprecation (``migrated``: no warning, rewritten to
  the form above on the next save).
* ``width``/``height`` attributes on ``<img>``, or an inline width/height style, without width and
  height in the block comment; or ``wp-image-43`` with ``"id":42``: invalid in both.
  A ``<figcaption>`` without ``wp-element-caption``, or a ``size-*`` class that disagrees with
  ``sizeSlug``: valid in both only through a deprecation (``migrated``).
* The PHP side (Debian's WordPress 6.1.9, checked by hand through the REST API with an uploaded
  1600x1067 JPEG): all three forms are stored unchanged; the rendered ``<img>`` of the first gets
  ``width="1024" height="683"`` from the attachment (plus srcset/sizes, ``loading="lazy"``,
  ``decoding="async"``), so leaving the size out of the block costs no layout shift once published.
* Attribute values compare decoded: ``alt="a &#34;b&#34;"`` (Jinja2's escaping) is valid, but the
  editor re-saves it as ``&quot;`` (not byte for byte); ``&amp; &lt; &quot;`` round-trip in the
  npm editor; WordPress 6.1's writes ``<`` unescaped in attributes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Iterator

__all__ = [
    "DEBIAN_WORDPRESS",
    "JS_DIR",
    "all_blocks",
    "editor_unavailable_reason",
    "invalid_blocks",
    "problems",
    "reserialize",
    "validate",
    "validate_documents",
]

JS_DIR = Path(__file__).resolve().parent / "js"
SCRIPT = JS_DIR / "validate_blocks.mjs"
NODE_MODULES = JS_DIR / "node_modules"
REQUIRED_PACKAGES = ("@wordpress/blocks", "@wordpress/block-library", "jsdom")
INSTALL_HINT = "run `npm ci --prefix tests/support/js`"
# Debian's `wordpress` package (installed by .ci/install-wordpress.sh).
DEBIAN_WORDPRESS = Path("/usr/share/wordpress")


def _node() -> str | None:
    return os.environ.get("NODE") or shutil.which("node")


def editor_unavailable_reason(wordpress: Path | str | None = None) -> str | None:
    """None if the editor's validation can run here, else a human-readable skip reason.

    With ``wordpress``, for the editor scripts of that WordPress installation (needs ``php`` too,
    to read WordPress's script dependency list).
    """
    if _node() is None:
        return "node is not installed (needed for the block editor's validation)"
    if not SCRIPT.is_file():
        return f"{SCRIPT} is missing"
    for package in REQUIRED_PACKAGES:
        if not (NODE_MODULES / package / "package.json").is_file():
            return f"the npm package {package} is not installed; {INSTALL_HINT}"
    if wordpress is not None:
        root = Path(wordpress)
        for needed in ("wp-includes/js/dist/blocks.js", "wp-includes/js/dist/block-library.js",
                       "wp-includes/assets/script-loader-packages.php", "wp-includes/version.php"):
            if not (root / needed).is_file():
                return f"no WordPress editor scripts at {root} ({needed} is missing)"
        if shutil.which("php") is None:
            return "php is not installed (needed to read WordPress's script dependencies)"
    return None


def validate_documents(markups: list[str], *, wordpress: Path | str | None = None,
                       timeout: float = 300.0) -> list[dict[str, Any]]:
    """Each document as the editor sees it: ``{"editor": str, "blocks": [block, ...],
    "serialized": str}`` (``serialized`` is what the editor saves back unchanged).

    Raises RuntimeError if node, the packages (or the WordPress scripts) are missing, or node fails.
    """
    reason = editor_unavailable_reason(wordpress)
    if reason is not None:
        raise RuntimeError(reason)
    args = [_node() or "node", str(SCRIPT)]
    if wordpress is not None:
        args += ["--wordpress", str(wordpress)]
    proc = subprocess.run(
        args,
        input=json.dumps(list(markups)).encode("utf-8"),
        capture_output=True,
        cwd=JS_DIR,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"block editor validation failed (exit {proc.returncode}): "
                           f"{proc.stderr.decode('utf-8', 'replace')}")
    results = json.loads(proc.stdout.decode("utf-8"))
    if len(results) != len(markups):
        raise RuntimeError(f"block editor validation returned {len(results)} results for {len(markups)} documents")
    return results


def validate(markups: list[str], *, wordpress: Path | str | None = None,
             timeout: float = 300.0) -> list[list[dict[str, Any]]]:
    """The parsed blocks of each document, with ``isValid``/``migrated``/``issues`` (see module doc)."""
    return [doc["blocks"] for doc in validate_documents(markups, wordpress=wordpress, timeout=timeout)]


def all_blocks(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every block, inner blocks included, depth-first in document order."""
    for block in blocks:
        yield block
        yield from all_blocks(block.get("innerBlocks") or [])


def invalid_blocks(markup: str, *, wordpress: Path | str | None = None) -> list[dict[str, Any]]:
    """The blocks (at any depth) the editor would flag as invalid in this document."""
    [blocks] = validate([markup], wordpress=wordpress)
    return [b for b in all_blocks(blocks) if not b["isValid"]]


def reserialize(blocks: list[dict[str, Any]]) -> str:
    """The document as the editor saves it: top-level blocks joined as ``serialize()`` joins them."""
    return "\n\n".join(b["serialized"] for b in blocks)


def problems(blocks: list[dict[str, Any]]) -> list[str]:
    """One line per block the editor would not take as it is: invalid (with its first issue),
    migrated through a deprecation, an unknown block type, content outside any block."""
    out: list[str] = []
    for i, b in enumerate(all_blocks(blocks)):
        where = f"block {i} {b['name']}"
        if not b["isValid"]:
            first = (b["issues"] or ["(no issue logged)"])[0].splitlines()[0]
            out.append(f"{where}: invalid: {first}")
        elif b["migrated"]:
            out.append(f"{where}: valid only through a deprecation; the editor re-saves it as "
                       f"{b['serialized']!r}")
        elif b["name"] == "core/missing":
            original = b["attributes"].get("originalName")
            if original:
                out.append(f"{where}: the editor does not know the block type {original}")
            else:
                text = b["attributes"].get("originalUndelimitedContent", "")
                out.append(f"{where}: content outside any block: {text[:80]!r}")
    return out
