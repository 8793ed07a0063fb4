"""A post as the user pastes it, and the measured view of it that every check reads.

A post file is either plain block markup (.html) or a document in the seed's layout:
`**SEO Title**: …`, `**Meta Description**: …`, `**URL Slug**: …`, then the WordPress content,
optionally followed by a `## Verification Checklist`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import BaseModel
from selectolax.lexbor import LexborHTMLParser

from . import german
from .blocks import Block, parse_blocks
from .errors import InputError
from .fsutil import read_text_file


class Post(BaseModel):
    """The parts of a post a user copies into WordPress: the title (WordPress's post title, which
    the theme prints as the page's H1), the content (block markup, as WordPress stores it) and the
    SEO plugin's fields. A post file that still carries its H1 as a block has no title field; the
    block then is the H1, and it is measured as part of the content, as pasted."""

    markup: str
    title: str | None = None
    seo_title: str | None = None
    meta_description: str | None = None
    slug: str | None = None
    checklist: list[str] = []  # claim lines of a "Verification Checklist", as written
    folder: Path | None = None  # where the post's file is: its images are read beside it


# --- reading a post file ---------------------------------------------------------------------

MAX_POST_BYTES = 2_000_000  # a 2,000-word post is about 30 kB

_FIELD = re.compile(r"^\s*\*\*(?P<label>[^*]+)\*\*\s*:\s*(?P<value>.*?)\s*$")
_LABELS = {"seo title": "seo_title", "meta description": "meta_description", "url slug": "slug", "slug": "slug",
           "title": "title", "post title": "title", "titel": "title"}
_CHECK_LINE = re.compile(r"^\s*[-*]\s*\[[ xX]\]\s*(?P<claim>.+?)\s*$")
_SECTION = re.compile(r"^#{1,3}\s+(?P<name>.+?)\s*#*\s*$")
_CHECKLIST_HEADINGS = {"verification checklist", "checklist", "checkliste", "prüfliste"}
_CONTENT_HEADINGS = {"content", "inhalt", "wordpress content", "wordpress-inhalt"}


def parse_document(text: str) -> Post:
    lines = text.splitlines()
    fields: dict[str, str] = {}
    content: list[str] = []
    checklist: list[str] = []
    mode = "head"
    for line in lines:
        m = _SECTION.match(line)
        if m:
            # Section headings are matched whole: a post titled "… Checkliste …" is not its checklist.
            name = " ".join(m["name"].lower().split())
            if name in _CHECKLIST_HEADINGS:
                mode = "checklist"
                continue
            if name in _CONTENT_HEADINGS or name.startswith("wordpress content"):
                mode = "content"
                continue
            if mode == "content":
                mode = "tail"
        if mode == "head":
            m = _FIELD.match(line)
            if m and m["label"].strip().lower() in _LABELS:
                fields[_LABELS[m["label"].strip().lower()]] = m["value"]
        elif mode == "content":
            if line.strip() == "---":
                mode = "tail"
                continue
            content.append(line)
        elif mode == "checklist":
            m = _CHECK_LINE.match(line)
            if m:
                checklist.append(m["claim"])
    return Post(markup="\n".join(content).strip("\n") + "\n", checklist=checklist, **fields)


def read_post(path: str | Path) -> Post:
    path = Path(path)
    text = read_text_file(path, MAX_POST_BYTES, "post (.html or .md/.txt)")
    if "<!-- wp:" not in text:
        raise InputError(str(path), None, "holds no WordPress blocks",
                         "a post is block markup or a document with a WordPress content section")
    if re.search(r"^\s*##\s.*content", text, re.IGNORECASE | re.MULTILINE) or _FIELD.search(text):
        return parse_document(text).model_copy(update={"folder": path.resolve().parent})
    return Post(markup=text, folder=path.resolve().parent)


# --- the measured view -----------------------------------------------------------------------

@dataclass
class Link:
    href: str
    text: str
    rel: frozenset[str]
    target: str | None
    section: str
    element: int  # index into Document.elements


@dataclass(frozen=True)
class BlockView:
    """What the checker reads from one block's HTML, parsed once and kept (no parser is kept): the
    same block in another check of the post, or in another post of the batch, is not parsed
    again. The repair loop re-checks mostly unchanged blocks."""

    kind: str  # heading | paragraph | list | spacer | other
    text: str
    level: int | None  # a heading's level from its tag (None: no heading tag)
    heading: str | None  # an H2's text, which names the section it starts
    heading_tag: str | None  # "h1".."h6": the block's first heading tag
    links: tuple[tuple[str, str, frozenset[str], str | None], ...]  # href, text, rel, target
    images: tuple[tuple[str, str | None], ...]  # src, alt (None: no alt attribute)
    div_style: str | None  # the style of the block's first <div> (a spacer's height), None: no div

    @cached_property
    def sentences(self) -> tuple[str, ...]:
        return tuple(german.split_sentences(self.text))

    @cached_property
    def word_list(self) -> tuple[str, ...]:
        return tuple(german.words(self.text))


@dataclass(eq=False)
class Element:
    kind: str  # heading | paragraph | list | spacer | other
    block: Block
    text: str
    section: str
    level: int | None = None
    links: list[Link] = field(default_factory=list)
    view: BlockView | None = None

    @cached_property
    def sentences(self) -> list[str]:
        return list(self.view.sentences) if self.view is not None else german.split_sentences(self.text)

    @cached_property
    def word_list(self) -> list[str]:
        return list(self.view.word_list) if self.view is not None else german.words(self.text)

    @cached_property
    def root(self):
        """The block's parsed HTML (selectolax node), for what needs its tags (the preview):
        parsed when first asked for, held until forget_root or as long as this element."""
        return _html_root(self.block.raw)

    def forget_root(self) -> None:
        """Drop the parsed HTML: a lexbor document costs about 1 MB however small the block, so
        whoever reads the blocks' tags one by one (the preview) keeps one at a time, not 130."""
        self.__dict__.pop("root", None)


INTRO = "Einleitung"  # the name of the section before the first H2 (the plan calls the intro so too)
_TEXT_BLOCKS = {"core/paragraph": "paragraph", "core/heading": "heading", "core/list": "list",
                "core/quote": "paragraph", "core/spacer": "spacer"}


def _html_root(html: str):
    return LexborHTMLParser(html).body


def _own_text(node) -> str:
    """The text of a node without the text of lists nested in it: a list item's sub-list is a list
    item of its own, so its words are counted once, not again with its parent."""
    parts: list[str] = []
    for child in node.iter(include_text=True):
        if child.tag in ("ul", "ol"):
            continue
        parts.append((child.text_content or "") if child.tag == "-text" else _own_text(child))
    return "".join(parts)


def _visible_text(node) -> str:
    items = node.css("li")
    if items:
        return "\n".join(" ".join((_own_text(li) if li.css_first("ul, ol") is not None else li.text(deep=True)).split())
                         for li in items)
    return " ".join(node.text(deep=True).split())


def block_view(block: Block, cached: bool = True) -> BlockView:
    """The measured view of a block, from a bounded cache keyed by the block's whole markup
    (delimiters and attributes included, so the same text in another block type is another
    view). cached=False: parsed and not kept, for a post read once."""
    read = _block_view if cached else _block_view.__wrapped__
    return read(block.source[block.start:block.end], block.name or "", block.raw_start - block.start,
                block.raw_end - block.start)


# About 35 posts of 110 blocks: what a batch's posts in flight re-check (a changed block is a new
# view), not every post it ever checked. A view with its words and sentences is about 3 kB.
@lru_cache(maxsize=4096)
def _block_view(markup: str, name: str, raw_start: int, raw_end: int) -> BlockView:
    kind = _TEXT_BLOCKS.get(name, "other")
    root = _html_root(markup[raw_start:raw_end])
    level = heading = heading_tag = None
    if root is not None:
        tag = root.css_first("h1, h2, h3, h4, h5, h6")
        heading_tag = tag.tag if tag is not None else None
        if kind == "heading" and tag is not None:
            level = int(tag.tag[1])  # without a tag, the block's own "level" attribute says (see Document)
            if level == 2:
                heading = " ".join(tag.text().split())
    text = _visible_text(root) if kind != "spacer" else ""
    links: list[tuple[str, str, frozenset[str], str | None]] = []
    if kind != "spacer":
        for a in root.css("a"):
            links.append(((a.attributes.get("href") or "").strip(), " ".join(a.text().split()),
                          frozenset((a.attributes.get("rel") or "").lower().split()), a.attributes.get("target")))
    images = tuple(((img.attributes.get("src") or "").strip(), img.attributes.get("alt"))
                   for img in root.css("img")) if root is not None else ()
    div = root.css_first("div") if root is not None else None
    return BlockView(kind=kind, text=text, level=level, heading=heading, heading_tag=heading_tag, links=tuple(links),
                     images=images, div_style=(div.attributes.get("style") or "") if div is not None else None)


class Document:
    """A post parsed once: blocks, elements in reading order, sections, links, text. The blocks'
    HTML is read through block_view (one parse per distinct block, none held). cached=False for a
    post read once (the preview): its views are not kept for later checks."""

    def __init__(self, post: Post, cached: bool = True):
        self.post = post
        parsed = parse_blocks(post.markup)
        self.blocks = parsed.blocks
        self.problems = parsed.problems
        self.elements: list[Element] = []
        self.links: list[Link] = []
        section = INTRO
        for block in self.blocks:
            if block.name is None:
                continue
            view = block_view(block, cached)
            level = view.level
            if view.kind == "heading" and level is None:
                level = int(block.attrs.get("level", 2))
            if view.heading is not None:
                section = view.heading
            el = Element(kind=view.kind, block=block, text=view.text, section=section, level=level, view=view)
            for href, text, rel, target in view.links:
                link = Link(href=href, text=text, rel=rel, target=target, section=section, element=len(self.elements))
                el.links.append(link)
                self.links.append(link)
            self.elements.append(el)

    # Visible text is what a reader sees in the content: headings, paragraphs, lists (an H1 block
    # included, when the file still has one; the post title is not content).
    @cached_property
    def text_elements(self) -> list[Element]:
        return [e for e in self.elements if e.kind in ("heading", "paragraph", "list", "other") and e.text]

    @cached_property
    def text(self) -> str:
        return "\n".join(e.text for e in self.text_elements)

    @cached_property
    def word_list(self) -> list[str]:
        return [w for e in self.text_elements for w in e.word_list]

    @cached_property
    def paragraphs(self) -> list[Element]:
        return [e for e in self.elements if e.kind == "paragraph"]

    @cached_property
    def headings(self) -> list[Element]:
        return [e for e in self.elements if e.kind == "heading"]

    @cached_property
    def content_h1s(self) -> list[str]:
        return [e.text for e in self.headings if e.level == 1]

    @cached_property
    def h1(self) -> str | None:
        """The page's H1: the post title, else (a file that still carries it) the first H1 block."""
        if self.post.title is not None:
            return self.post.title
        return self.content_h1s[0] if self.content_h1s else None

    @property
    def content_h1_count(self) -> int:
        return len(self.content_h1s)

    @property
    def page_h1_count(self) -> int:
        """H1 headings on the published page: the title the theme prints plus H1 blocks."""
        return (self.post.title is not None) + self.content_h1_count

    @cached_property
    def sections(self) -> list[str]:
        seen: list[str] = []
        for e in self.elements:
            if e.section not in seen:
                seen.append(e.section)
        return seen

    @cached_property
    def sentences(self) -> list[str]:
        return [s for e in self.text_elements if e.kind != "heading" for s in e.sentences]
