"""Yoast's analysis of a post read block by block, with the results of reading it whole.

Yoast reads the whole content: one HTML tree, one HTML string. What it measures is a sum or a list
over the content's parts, so a post can be measured one top-level block at a time, each block's
figures kept in a bounded cache keyed by its markup: the repair loop changes a few blocks and
checks again, and only those are read again (as do posts of a batch that share blocks).

Reading a block alone gives what reading it within the post gives when (checked for every block;
if one fails, analysis.py reads the post whole):

* its HTML is plain and well-formed: only the elements of WordPress's text blocks, every element
  closed and properly nested, nothing an HTML5 parser closes on its own (a block element inside a
  paragraph, heading or inline element, a list item outside a list, a link inside a link). The
  parser then ends the block as it began it (body open, nothing pending), so the next block's
  tree does not depend on this one, and a block starts with its delimiter comment, which keeps its
  text apart from the previous block's;
* every "<" and ">" of Yoast's HTML string is a tag's own (none from "&lt;" or an attribute value),
  and a line ends after the block's last tag (in the markup and in the HTML string): no pattern
  Yoast runs over the content reaches from one block into the next, and words never join across
  blocks;
* no text outside an HTML block element at the block's edges (getBlocks would join it with the
  neighbour's), no "。" (stripSpaces joins the words around it), no "yoast-ai-summarize" class
  (the word count keeps that element).

The researches that depend on the keyphrase or the permalink are computed from each block's parts
(its sentences, anchors, alt texts) when asked. tests/test_yoast_segments.py compares both ways
on every example post and on blocks that break each condition.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from .analysis import (YoastAnalysis, YoastPaper, alt_properties, beginning_runs, competing_anchors, heading_sections,
                       introduction, keyphrase_count, link_statistics, sentence_beginnings, string_links)
from .sentences import _COMMENT, _IMAGE, _html_tokens
from .text import get_words, html_parser_checked
from .tree import Sentence

# --- is the block's HTML plain and well-formed? ----------------------------------------------

_PHRASING = frozenset({"a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "img",
                       "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u",
                       "var", "wbr"})
_FLOW = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "div", "figure", "figcaption",
                   "blockquote", "hr", "section", "article", "aside", "header", "footer", "nav", "main", "address",
                   "dl", "dt", "dd", "pre"})
_VOID = frozenset({"br", "img", "hr", "wbr"})
# Inside these only phrasing content: anything else would make the parser close them on its own.
_PHRASING_ONLY = _PHRASING | {"p", "h1", "h2", "h3", "h4", "h5", "h6", "dt"}
_TOKEN = re.compile(r"""
    (?P<comment><!--(?!-?>)(?:[^-]|-(?!-))*-->)
  | (?P<end></(?P<end_name>[A-Za-z][A-Za-z0-9]*)\s*>)
  | (?P<start><(?P<name>[A-Za-z][A-Za-z0-9]*)
        (?:\s+[^\s"'>/=<]+(?:\s*=\s*(?:"[^"<>]*"|'[^'<>]*'|[A-Za-z0-9_.:-]+))?)*
        \s*(?P<slash>/?)>)
  | (?P<text>[^<]+)
""", re.VERBOSE)


def well_formed(markup: str) -> bool:
    """Only the elements above, each closed in order (void ones not at all), comments without
    "--" inside, attribute values quoted or plain words, no "<" that is not a tag's."""
    stack: list[str] = []
    phrasing_only = 0  # open elements that allow phrasing content only
    pos = 0
    for m in _TOKEN.finditer(markup):
        if m.start() != pos:
            return False
        pos = m.end()
        if m.group("start") is not None:
            name = m.group("name").lower()
            if name in _VOID:
                if name not in _PHRASING and phrasing_only:
                    return False  # <hr> closes an open paragraph
                continue
            if m.group("slash") or (name not in _PHRASING and name not in _FLOW):
                return False
            if phrasing_only and name not in _PHRASING:
                return False
            if name == "a" and "a" in stack:
                return False
            if name == "li" and (not stack or stack[-1] not in ("ul", "ol")):
                return False
            if name in ("dt", "dd") and (not stack or stack[-1] != "dl"):
                return False
            stack.append(name)
            phrasing_only += name in _PHRASING_ONLY
        elif m.group("end") is not None:
            name = m.group("end_name").lower()
            if not stack or stack[-1] != name:
                return False
            stack.pop()
            phrasing_only -= name in _PHRASING_ONLY
    return pos == len(markup) and not stack


def _ends_line(text: str) -> bool:
    """No tag on the last line: a line ends after the last ">" (or there is no tag at all)."""
    last = text.rfind(">")
    return "<" not in text if last < 0 else "\n" in text[last + 1:] and text.rfind("<") < last


def _blank_edges(parsed: str) -> bool:
    """getBlocks (html.js) joins text outside block elements with the neighbour's: the text before
    the first and after the last block tag must be blank (and with no block tag, all of it)."""
    tokens = _html_tokens(_COMMENT.sub("", _IMAGE.sub("", parsed.replace("&nbsp;", " "))))
    blocks = [i for i, (kind, _) in enumerate(tokens) if kind in ("block-start", "block-end")]
    if not blocks:
        return all(not src.strip() for _, src in tokens)
    return (all(not src.strip() for _, src in tokens[:blocks[0]])
            and all(not src.strip() for _, src in tokens[blocks[-1] + 1:]))


# --- one block's figures ---------------------------------------------------------------------

@dataclass(eq=False)
class Segment:
    """A stretch of the content (a top-level block with the blank text after it) as Yoast reads it."""

    safe: bool  # read alone, it reads as within any post (see the module's conditions)
    ends_line: bool  # nothing reaches from it into the next stretch
    sentences: tuple[Sentence, ...] = ()
    tree_word_count: int = 0
    sentence_lengths: tuple[tuple[str, int], ...] = ()
    transition_sentences: tuple[tuple[str, tuple[str, ...]], ...] = ()
    paragraph_lengths: tuple[int, ...] = ()
    h1_count: int = 0
    first_paragraph: tuple[str, tuple[Sentence, ...]] | None = None
    anchors: tuple[tuple[str, str], ...] = ()  # href attribute, inner text
    alts: tuple[str, ...] = ()  # each image's alt attribute ("" when none)
    beginnings: tuple[tuple[str, str], ...] = ()
    parsed_word_count: int = 0
    content_has_subheading: bool = False
    has_heading: bool = False
    words_before_heading: int = 0
    headings: tuple[tuple[str, int], ...] = ()  # each H1–H6 and the words after it within the stretch
    subheadings: tuple[str, ...] = ()
    links: tuple[tuple[str, bool], ...] = ()  # href, nofollow
    sentence_count: int = 0  # of the HTML string (the passive research)
    passives: tuple[str, ...] = ()
    markup: str = ""  # the stretch itself (the cache's key: no copy)
    _keyphrase: dict = field(default_factory=dict)  # forms -> keyphrase count

    @cached_property
    def stripped_word_count(self) -> int:
        """Words after stripNonTextTags: asked only of a post without an H2 or H3."""
        return YoastAnalysis(YoastPaper(content=self.markup, keyword="")).stripped_word_count

    def keyphrase_count(self, forms: tuple[tuple[str, ...], ...]) -> int:
        if forms not in self._keyphrase:
            if len(self._keyphrase) > 4:
                self._keyphrase.clear()  # another post's keyword; keep this small
            self._keyphrase[forms] = keyphrase_count(self.sentences, forms)
        return self._keyphrase[forms]


@lru_cache(maxsize=3072)  # ~25 posts of 110 blocks; a stretch keeps its sentences, ~5 kB
def segment(markup: str) -> Segment:
    if "yoast-ai-summarize" in markup or "。" in markup or not well_formed(markup):
        return Segment(safe=False, ends_line=False)
    parsed, angles_are_tags = html_parser_checked(markup)
    if not angles_are_tags or not _blank_edges(parsed):
        return Segment(safe=False, ends_line=False)
    y = YoastAnalysis(YoastPaper(content=markup, keyword=""))
    y.parsed = parsed  # the same as html_parser(markup): no second parse
    before, headings = heading_sections(parsed)
    first = y.paragraphs[0] if y.paragraphs else None
    passive_total, passives = y.passive
    # The string's words: those before the first heading, in each heading and after it (every cut is
    # next to a tag, which getWords reads as a space, so the counts add up).
    parsed_word_count = before + sum(len(get_words(h)) + n for h, n in headings)
    return Segment(
        safe=True, ends_line=_ends_line(markup) and _ends_line(parsed), markup=markup,
        sentences=tuple(y.sentences), tree_word_count=y.tree_word_count,
        sentence_lengths=tuple(y.sentence_lengths),
        transition_sentences=tuple((text, tuple(words)) for text, words in y.transition_sentences),
        paragraph_lengths=tuple(y.paragraph_lengths), h1_count=y.h1_count,
        first_paragraph=(first.inner_text(), tuple(first.sentences)) if first is not None else None,
        anchors=tuple((a.attributes.get("href") or "", a.inner_text()) for a in y.anchors),
        alts=tuple(image.attributes.get("alt") or "" for image in y.images),
        beginnings=tuple(sentence_beginnings(y.tree)),
        parsed_word_count=parsed_word_count,
        content_has_subheading=y.content_has_subheading, has_heading=y.has_heading,
        words_before_heading=before, headings=tuple(headings), subheadings=tuple(y.subheadings),
        links=tuple(string_links(parsed)), sentence_count=passive_total, passives=tuple(passives))


def segments(markup: str, starts: list[int]) -> list[Segment] | None:
    """The content cut before each top-level block (`starts`, offsets into markup), each stretch
    read alone; stretches whose end a pattern could reach across are read together with the next.
    None when a stretch cannot be read alone: then the content is read whole."""
    cuts = sorted({0, *[s for s in starts if 0 < s < len(markup)], len(markup)})
    out: list[Segment] = []
    i = 0
    while i + 1 < len(cuts):
        j = i + 1
        seg = segment(markup[cuts[i]:cuts[j]])
        while seg.safe and not seg.ends_line and j + 1 < len(cuts):
            j += 1  # read it together with the next stretch
            seg = segment(markup[cuts[i]:cuts[j]])
        if not seg.safe:
            return None
        out.append(seg)
        i = j
    return out


class SegmentedYoastAnalysis(YoastAnalysis):
    """YoastAnalysis of a post whose content is read in stretches (see `segments`). The researches
    below are put together from the stretches; anything else (the fields' researches, and any
    research not listed here) is YoastAnalysis's own."""

    def __init__(self, paper: YoastPaper, parts: list[Segment]):
        super().__init__(paper)
        self.parts = parts

    @cached_property
    def sentences(self) -> list[Sentence]:
        return [s for p in self.parts for s in p.sentences]

    @cached_property
    def tree_word_count(self) -> int:
        return sum(p.tree_word_count for p in self.parts)

    @cached_property
    def parsed_word_count(self) -> int:
        return sum(p.parsed_word_count for p in self.parts)

    @cached_property
    def text_word_count(self) -> int:
        return self.parsed_word_count  # no stretch has a yoast-ai-summarize element

    @cached_property
    def stripped_word_count(self) -> int:
        return sum(p.stripped_word_count for p in self.parts)

    @cached_property
    def content_has_subheading(self) -> bool:
        return any(p.content_has_subheading for p in self.parts)

    @cached_property
    def has_heading(self) -> bool:
        return any(p.has_heading for p in self.parts)

    @cached_property
    def introduction(self) -> dict:
        first = next((p.first_paragraph for p in self.parts if p.first_paragraph is not None), None)
        return introduction(first, self.forms)

    @cached_property
    def keyphrase_count(self) -> int:
        return sum(p.keyphrase_count(self.forms) for p in self.parts)

    @cached_property
    def subheadings(self) -> list[str]:
        return [h for p in self.parts for h in p.subheadings]

    @cached_property
    def competing_anchors(self) -> list[str]:
        if not self.has_text or not self.has_keyword:
            return []
        return competing_anchors([a for p in self.parts for a in p.anchors], self.forms, self.paper.permalink)

    @cached_property
    def image_count(self) -> int:
        return sum(len(p.alts) for p in self.parts)

    @cached_property
    def alt_properties(self) -> dict[str, int]:
        return alt_properties([alt for p in self.parts for alt in p.alts], self.forms)

    @cached_property
    def link_statistics(self) -> dict[str, int]:
        return link_statistics([link for p in self.parts for link in p.links], self.paper.permalink)

    @cached_property
    def h1_count(self) -> int:
        return sum(p.h1_count for p in self.parts)

    @cached_property
    def section_lengths(self) -> list[tuple[str, int]]:
        before = 0
        out: list[tuple[str, int]] = []
        for p in self.parts:
            if out:
                heading, words = out[-1]
                out[-1] = (heading, words + p.words_before_heading)
            else:
                before += p.words_before_heading
            out.extend(p.headings)
        if out and before > 0:
            out.insert(0, ("", before))
        return out

    @cached_property
    def paragraph_lengths(self) -> list[int]:
        return [n for p in self.parts for n in p.paragraph_lengths]

    @cached_property
    def sentence_lengths(self) -> list[tuple[str, int]]:
        return [x for p in self.parts for x in p.sentence_lengths]

    @cached_property
    def transition_sentences(self) -> list[tuple[str, list[str]]]:
        return [(text, list(words)) for p in self.parts for text, words in p.transition_sentences]

    @cached_property
    def passive(self) -> tuple[int, list[str]]:
        return sum(p.sentence_count for p in self.parts), [s for p in self.parts for s in p.passives]

    @cached_property
    def sentence_beginnings(self) -> list[tuple[str, int, list[str]]]:
        return beginning_runs([b for p in self.parts for b in p.beginnings])


def analysis(paper: YoastPaper, block_starts: list[int]) -> YoastAnalysis:
    """Yoast's analysis of the paper: read in stretches when it can be, else whole."""
    parts = segments(paper.content, block_starts) if paper.content else None
    return SegmentedYoastAnalysis(paper, parts) if parts is not None else YoastAnalysis(paper)
