"""A post's blocks as the preview shows them: each block's text split into runs that carry what
the checker sees in them (keyword uses, internal and external links, sentences over the length
limit), and each paragraph and section with its measured size.

The text is taken from the block's HTML with the parser the checker uses (selectolax), and its
whitespace collapsed as the checker collapses it, so a keyword the checker counts is the keyword
marked here. Nothing here makes markup: templates/preview.html.j2 renders the runs, escaped.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from . import german
from .brief import Brief
from .checks.readability import LONG_SENTENCE_WORDS, PARAGRAPH_MAX_WORDS, SECTION_MAX_WORDS
from .display import plural
from .post import Document, Element
from .urls import as_browser_reads, is_site_relative

MAX_IMAGE_BYTES = 5_000_000  # an image beside the post larger than this is shown as a placeholder
_IMAGE_TYPES = {"image/png", "image/jpeg", "image/webp", "image/gif", "image/avif"}


class Run(BaseModel):
    """A stretch of text with one set of marks."""

    text: str
    keyword: bool = False
    strong: bool = False
    em: bool = False
    br: bool = False  # a line break (<br>) in place of the text


class Piece(BaseModel):
    """Runs outside any link, or the runs of one link."""

    runs: list[Run] = Field(default_factory=list)
    link: Literal["internal", "external"] | None = None
    href: str | None = None  # where the link goes, as a reader's browser would follow it
    written_href: str | None = None  # as the post has it


class Segment(BaseModel):
    """A sentence over the length limit (`long`), or the text between such sentences."""

    long: bool = False
    pieces: list[Piece] = Field(default_factory=list)


class Image(BaseModel):
    src: str | None  # a data: URI of an image file beside the post, else None (shown as a placeholder)
    written_src: str
    alt: str
    caption: list[Segment] = Field(default_factory=list)
    width: int | None = None
    height: int | None = None


class SectionView(BaseModel):
    name: str
    anchor: str
    words: int
    keyword_uses: int
    too_long: bool
    max_words: int = SECTION_MAX_WORDS


class BlockView(BaseModel):
    kind: Literal["heading", "paragraph", "list", "quote", "spacer", "image", "other"]
    name: str  # the block's name, core/paragraph
    section: str
    level: int | None = None
    anchor: str | None = None
    segments: list[Segment] = Field(default_factory=list)
    items: list[list[Segment]] = Field(default_factory=list)  # a list's items
    ordered: bool = False
    height: str | None = None  # a spacer's
    image: Image | None = None
    words: int = 0
    sentences: int = 0
    notes: list[str] = Field(default_factory=list)  # what is over a limit, in words
    stats: SectionView | None = None  # an H2's section


class Content(BaseModel):
    title: list[Segment]
    intro: SectionView | None  # the text before the first H2
    blocks: list[BlockView]
    sections: list[SectionView]
    keyword_uses: int
    links_internal: int
    links_external: int
    long_sentences: int
    marked_paragraphs: int
    long_sentence_words: int = LONG_SENTENCE_WORDS


# --- text runs -----------------------------------------------------------------------------------

class _Style(BaseModel, frozen=True):
    link: int | None = None  # index into the block's links
    strong: bool = False
    em: bool = False
    br: bool = False


def _walk(node, style: _Style, out: list[tuple[str, _Style]], links: list[tuple[str, str]]) -> None:
    for child in node.iter(include_text=True):
        tag = child.tag
        if tag == "-text":
            text = child.text_content or ""
            out.extend((ch, style) for ch in text)
        elif tag == "br":
            out.append((" ", style.model_copy(update={"br": True})))
        elif tag in ("script", "style", "template"):
            continue
        elif tag == "a":
            href = (child.attributes.get("href") or "").strip()
            links.append((href, ""))
            _walk(child, style.model_copy(update={"link": len(links) - 1}), out, links)
        elif tag in ("strong", "b"):
            _walk(child, style.model_copy(update={"strong": True}), out, links)
        elif tag in ("em", "i"):
            _walk(child, style.model_copy(update={"em": True}), out, links)
        elif tag in ("p", "div", "li", "figcaption", "cite", "h1", "h2", "h3", "h4", "h5", "h6"):
            # Block boundaries inside a block (a quote's paragraphs) separate words.
            out.append((" ", style))
            _walk(child, style, out, links)
            out.append((" ", style))
        else:
            _walk(child, style, out, links)


def _collapse(chars: list[tuple[str, _Style]]) -> tuple[str, list[_Style]]:
    """Whitespace collapsed as the checker's `" ".join(text.split())` collapses it; a line break
    keeps its place as the one space it becomes."""
    text: list[str] = []
    styles: list[_Style] = []
    for ch, style in chars:
        if ch.isspace():
            if not text:
                continue
            if text[-1] == " ":
                if style.br:
                    styles[-1] = style
                continue
            text.append(" ")
            styles.append(style)
        else:
            text.append(ch)
            styles.append(style)
    while text and text[-1] == " ":
        text.pop()
        styles.pop()
    return "".join(text), styles


class _Marker:
    """What the checker would mark in a text: keyword uses and over-long sentences."""

    def __init__(self, brief: Brief):
        self.brief = brief
        self.pattern = german.keyword_pattern(brief.keyword)
        self.keyword_uses = 0  # marked so far
        self.long_sentences = 0

    def plain(self, text: str) -> list[Segment]:
        """A plain text (the title) as segments."""
        return self._runs([(ch, _Style()) for ch in text], [], sentences=False)[0]

    def runs(self, node, *, sentences: bool) -> tuple[list[Segment], str, list[str]]:
        """The node's text as segments of pieces of runs, the text itself and its sentences (when
        asked for)."""
        raw: list[tuple[str, _Style]] = []
        links: list[tuple[str, str]] = []
        _walk(node, _Style(), raw, links)
        return self._runs(raw, links, sentences=sentences)

    def _runs(self, raw: list[tuple[str, _Style]], links: list[tuple[str, str]], *,
              sentences: bool) -> tuple[list[Segment], str, list[str]]:
        text, styles = _collapse(raw)
        keyword = [False] * len(text)
        for m in self.pattern.finditer(text):
            keyword[m.start():m.end()] = [True] * (m.end() - m.start())
            self.keyword_uses += 1
        long: list[int | None] = [None] * len(text)  # the over-long sentence a character is in
        found: list[str] = []
        if sentences:
            found = german.split_sentences(text)
            cursor = 0
            for n, sentence in enumerate(found):
                start = text.find(sentence, cursor)
                if start < 0:
                    continue  # the splitter changed the text; the sentence stays unmarked
                cursor = start + len(sentence)
                if len(german.words(sentence)) > LONG_SENTENCE_WORDS:
                    long[start:cursor] = [n] * len(sentence)
                    self.long_sentences += 1
        # Sentences hold links, links hold runs: a new segment at every change of sentence mark,
        # a new piece at every change of link, a new run at every change of marks.
        segments: list[Segment] = []
        segment_key: object = object()
        piece_link: object = object()
        last: tuple | None = None
        for i, ch in enumerate(text):
            style = styles[i]
            if long[i] != segment_key:
                segments.append(Segment(long=long[i] is not None))
                segment_key, piece_link = long[i], object()
            pieces = segments[-1].pieces
            if style.link != piece_link:
                href = links[style.link][0] if style.link is not None else None
                pieces.append(Piece(written_href=href, **self._link(href)))
                piece_link, last = style.link, None
            runs = pieces[-1].runs
            key = (keyword[i], style.strong, style.em, style.br)
            if style.br or key != last or runs[-1].br:
                runs.append(Run(text="" if style.br else ch, keyword=key[0], strong=key[1], em=key[2], br=key[3]))
                last = key
            else:
                runs[-1].text += ch
        return segments, text, found

    def _link(self, href: str | None) -> dict:
        """A link's kind as the checker counts it, and where a click goes: site-relative paths on
        the brief's website. Only http(s) is followed; anything else (javascript:, data:) stays
        text."""
        if href is None:
            return {}
        kind = "internal" if self.brief.is_internal(href) else "external"
        follow = as_browser_reads(href)
        if is_site_relative(follow):
            follow = f"https://{self.brief.website}{follow}"
        parts = urlsplit(follow)
        safe = parts.scheme in ("http", "https") and bool(parts.hostname)
        return {"link": kind, "href": follow if safe else None}


# --- blocks --------------------------------------------------------------------------------------

def _image(el: Element, folder: Path | None, marker: _Marker) -> Image:
    img = el.root.css_first("img") if el.root is not None else None
    attrs = img.attributes if img is not None else {}
    written = (attrs.get("src") or "").strip()
    caption_node = el.root.css_first("figcaption") if el.root is not None else None
    caption = marker.runs(caption_node, sentences=False)[0] if caption_node is not None else []

    def size(name: str) -> int | None:
        value = attrs.get(name) or ""
        return int(value) if value.isdigit() else None

    return Image(src=embedded(written, folder), written_src=written, alt=attrs.get("alt") or "", caption=caption,
                 width=size("width"), height=size("height"))


def embedded(src: str, folder: Path | None) -> str | None:
    """An image file beside the post, as a data: URI, so the page stays one file that loads
    nothing; anything else (a remote URL, a file outside the folder) is None."""
    if folder is None or not src or re.match(r"^[a-z][a-z0-9+.-]*:|^/|^\\", src, re.IGNORECASE):
        return None
    root = folder.resolve()
    path = (root / src.split("?", 1)[0].split("#", 1)[0]).resolve()
    kind = mimetypes.guess_type(path.name)[0]
    if kind not in _IMAGE_TYPES or not path.is_relative_to(root) or not path.is_file():
        return None
    if path.stat().st_size > MAX_IMAGE_BYTES:
        return None
    return f"data:{kind};base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _spacer_height(el: Element) -> str:
    height = str(el.block.attrs.get("height") or "")
    return height if re.fullmatch(r"\d{1,4}(?:\.\d+)?(?:px|em|rem|vh)", height) else "40px"


def annotate(doc: Document, brief: Brief, title: str, folder: Path | None = None) -> Content:
    """The title and the blocks of `doc` as the preview shows them. A leading H1 block is left
    out: the page prints the title (the plan's H1) itself, as a theme does, and keyword uses are
    counted over the title and the blocks shown, as the checker counts them over the H1 and the
    content."""
    marker = _Marker(brief)
    anchors = {name: f"s-{i}" for i, name in enumerate(doc.sections)}
    elements = list(doc.elements)
    leading = [e for e in elements if e.kind != "spacer"][:1]
    if leading and leading[0].kind == "heading" and leading[0].level == 1:
        elements.remove(leading[0])
    limit = brief.targets.max_sentences_per_paragraph
    blocks: list[BlockView] = []
    headed: set[str] = set()
    marked = 0
    for el in elements:
        name = el.block.name or ""
        view = BlockView(kind="other", name=name, section=el.section)
        if el.kind == "spacer":
            view.kind, view.height = "spacer", _spacer_height(el)
        elif name == "core/image":
            view.kind, view.image = "image", _image(el, folder, marker)
        elif el.kind == "heading":
            tag = el.root.css_first("h1, h2, h3, h4, h5, h6")
            view.kind, view.level = "heading", el.level
            view.segments = marker.runs(tag or el.root, sentences=False)[0]
            if el.level == 2 and el.section not in headed:
                headed.add(el.section)  # two H2s with one text: the first has the anchor
                view.anchor = anchors.get(el.section)
        elif el.kind == "list":
            view.kind = "list"
            view.ordered = el.root.css_first("ol") is not None
            for li in el.root.css("li"):
                segments, _, sentences = marker.runs(li, sentences=True)
                view.items.append(segments)
                view.sentences += len(sentences)
            view.words = len(el.word_list)
        elif el.kind == "paragraph":
            quote = el.root.css_first("blockquote")
            node = quote or el.root.css_first("p") or el.root
            view.kind = "quote" if quote is not None else "paragraph"
            view.segments, _, sentences = marker.runs(node, sentences=True)
            view.sentences, view.words = len(sentences), len(el.word_list)
            if view.kind == "paragraph":
                if view.sentences > limit:
                    view.notes.append(f"{plural(view.sentences, 'sentence')}; at most {limit}")
                if view.words > PARAGRAPH_MAX_WORDS:
                    view.notes.append(f"{plural(view.words, 'word')}; at most {PARAGRAPH_MAX_WORDS}")
        else:
            view.segments = marker.runs(el.root, sentences=False)[0] if el.root is not None else []
            view.words = len(el.word_list)
        el.forget_root()  # the page needs its segments, not its parse (about 1 MB a block)
        marked += bool(view.notes)
        blocks.append(view)

    shown = [e for e in doc.text_elements if e in elements]  # the title block left out
    sections = []
    for name in doc.sections:
        inside = [e for e in doc.text_elements if e.section == name and e.kind != "heading"]
        words = sum(len(e.word_list) for e in inside)
        uses = sum(german.count_keyword(e.text, brief.keyword) for e in shown if e.section == name)
        sections.append(SectionView(name=name, anchor=anchors[name], words=words, keyword_uses=uses,
                                    too_long=words > SECTION_MAX_WORDS))
    by_anchor = {s.anchor: s for s in sections}
    for view in blocks:
        if view.anchor:
            view.stats = by_anchor[view.anchor]
    intro = next((s for s in sections if s.name not in headed), None)
    links = [link for el in elements for link in el.links]
    internal = sum(1 for link in links if brief.is_internal(link.href))
    return Content(title=marker.plain(title), intro=intro, blocks=blocks, sections=sections, keyword_uses=marker.keyword_uses,
                   links_internal=internal, links_external=len(links) - internal,
                   long_sentences=marker.long_sentences, marked_paragraphs=marked)
