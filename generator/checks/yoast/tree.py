"""Yoast's tree of a post's content: paragraphs (real and implicit) and headings, each split into
sentences and tokens. Ported from yoastseo 3.6.0 parse/build/build.js and parse/build/private/
(adapt.js, combineIntoImplicitParagraphs.js, isPhrasingContent.js, filterBeforeTokenizing.js,
tokenize.js, alwaysFilterElements.js, filterTree.js); parse5 is replaced by lexbor (selectolax),
another HTML5-spec parser. Every tree-based Yoast research reads this: keyphrase count and
density, introduction, sentence and paragraph length, transition words, sentence beginnings,
competing links, images.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser

from .data import yoast_data
from .sentences import split_sentences
from .text import HTML_ENTITIES_RE, restore_hashed_entities, split_into_tokens

PHRASING = frozenset({"b", "big", "i", "small", "tt", "abbr", "acronym", "cite", "code", "dfn", "em", "kbd",
                      "strong", "samp", "time", "var", "a", "bdo", "br", "img", "map", "object", "q", "script",
                      "span", "sub", "sup", "button", "input", "label", "select", "textarea", "#text"})
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# alwaysFilterElements.js
CHILD_OF_PARAGRAPH_FILTERED = frozenset({"code", "kbd", "math", "q", "samp", "script", "var", "#comment", "cite",
                                         "form", "map", "noscript", "output"})
FILTERED_NAMES = frozenset({"base", "blockquote", "canvas", "code", "head", "iframe", "input", "kbd", "link", "math",
                            "meta", "meter", "noscript", "object", "portal", "pre", "progress", "q", "samp", "script",
                            "slot", "style", "svg", "template", "textarea", "title", "var", "#comment", "cite", "form",
                            "map", "output"})
FILTERED_CLASSES = frozenset({"yoast-table-of-contents", "yoast-reading-time__wrapper", "yoast-ai-summarize",
                              "elementor-button-wrapper", "elementor-divider", "elementor-spacer",
                              "elementor-custom-embed", "elementor-icon-wrapper", "elementor-icon-box-wrapper",
                              "elementor-counter", "elementor-progress-wrapper", "elementor-title", "elementor-alert",
                              "elementor-soundcloud-wrapper", "elementor-shortcode", "elementor-menu-anchor",
                              "e-rating"})
_WHITESPACE_ONLY = re.compile(r"^[\n\s]+$")
_BLANK = re.compile(r"^\s+$")


@dataclass(frozen=True)
class Sentence:
    text: str
    tokens: tuple[str, ...]


@dataclass
class Node:
    name: str  # tag name, "#text", "#comment", "p" (also implicit), "p-overarching", "h1".."h6"
    attributes: dict[str, str] = field(default_factory=dict)
    children: list["Node"] = field(default_factory=list)
    value: str = ""  # text of a #text node
    implicit: bool = False
    sentences: list[Sentence] | None = None  # paragraphs and headings

    @property
    def classes(self) -> set[str]:
        return set((self.attributes.get("class") or "").split())

    def inner_text(self) -> str:
        """parse/traverse/innerText.js"""
        out: list[str] = []
        for child in self.children:
            if child.name == "#text":
                out.append(child.value)
            elif child.name == "br":
                out.append("\n")
            else:
                out.append(child.inner_text())
        return "".join(out)

    def find_all(self, test) -> list["Node"]:
        """parse/traverse/findAllInTree.js: a found node's children are not searched."""
        found: list[Node] = []
        for child in self.children:
            if test(child):
                found.append(child)
            else:
                found.extend(child.find_all(test))
        return found

    def text_nodes(self) -> list[str]:
        return [n.value for n in self.find_all(lambda n: n.name == "#text")]


def _combine(children: list[Node]) -> list[Node]:
    """combineIntoImplicitParagraphs.js: runs of phrasing content become implicit paragraphs."""
    out: list[Node] = []
    current = Node("p", implicit=True)
    for i, node in enumerate(children):
        prev = children[i - 1] if i > 0 else None
        nxt = children[i + 1] if i + 1 < len(children) else None
        double_break = node.name == "br" and ((prev is not None and prev.name == "br")
                                              or (nxt is not None and nxt.name == "br"))
        whitespace = node.name == "#text" and bool(node.value) and bool(_WHITESPACE_ONLY.match(node.value))
        if node.name in PHRASING and not whitespace and not double_break:
            current.children.append(node)
        else:
            if current.children:
                out.append(current)
                current = Node("p", implicit=True)
            out.append(node)
    if current.children:
        out.append(current)
    return out


def _adapt(node) -> Node:
    tag = node.tag
    if tag == "-text":
        return Node("#text", value=node.text_content or "")
    if tag == "-comment":
        return Node("#comment")
    children: list[Node] = []
    child = node.child
    while child is not None:
        children.append(_adapt(child))
        child = child.next
    name = "#document-fragment" if tag == "body" else tag
    block = name not in PHRASING and name != "p" and name not in HEADINGS
    if children and block:
        children = _combine(children)
    overarching = False
    if children and name == "p" and any(c.name == "br" and i + 1 < len(children) and children[i + 1].name == "br"
                                        for i, c in enumerate(children)):
        overarching = True
        children = _combine(children)
    attributes = {k: (v or "") for k, v in (node.attributes or {}).items()} if name != "#document-fragment" else {}
    return Node("p-overarching" if overarching else name, attributes, children)


def _empty_filtered(node: Node) -> None:
    """filterBeforeTokenizing.js"""
    if node.name in CHILD_OF_PARAGRAPH_FILTERED:
        node.children = []
    for child in node.children:
        _empty_filtered(child)


def _sentences(node: Node) -> list[Sentence]:
    return list(_sentences_of(node.inner_text()))


@lru_cache(maxsize=4096)  # ~35 posts: the repair loop re-checks mostly unchanged paragraphs
def _sentences_of(inner_text: str) -> tuple[Sentence, ...]:
    abbreviations = _abbreviations()
    texts = list(split_sentences(inner_text, False))
    if texts and _BLANK.match(texts[-1]):
        texts.pop()
    out = []
    for text in texts:
        tokens = split_into_tokens(text, abbreviations)
        if "#" in text:  # a hashed entity can only be in a token of a text that has one
            tokens = [restore_hashed_entities(t) for t in tokens]
            text = restore_hashed_entities(text)
        out.append(Sentence(text, tuple(tokens)))
    return tuple(out)


def _tokenize(node: Node) -> None:
    if node.name == "p" or node.name in HEADINGS:
        node.sentences = _sentences(node)
    for child in node.children:
        _tokenize(child)


def _removed(node: Node) -> bool:
    if node.name == "#text":
        return False
    return (node.name in FILTERED_NAMES or bool(node.classes & FILTERED_CLASSES)
            or node.attributes.get("id") == "breadcrumbs")


def filter_tree(node: Node, removed=_removed) -> Node | None:
    """filterTree.js"""
    if removed(node):
        return None
    if node.children:
        node.children = [c for c in node.children if filter_tree(c, removed) is not None]
        if not node.children and node.name == "p" and node.implicit:
            return None
    return node


_ABBREVIATIONS: frozenset[str] | None = None


def _abbreviations() -> frozenset[str]:
    global _ABBREVIATIONS
    if _ABBREVIATIONS is None:
        _ABBREVIATIONS = frozenset(a.lower() for a in yoast_data().abbreviations)
    return _ABBREVIATIONS


def build_tree(content: str) -> Node:
    """parse/build/build.js: the content as stored (block markup) to the analysed tree."""
    hashed = HTML_ENTITIES_RE.sub(lambda m: "#" + m.group(1), content)
    # "<body>" first: a leading comment then stays in the fragment, as in parse5.parseFragment.
    root = _adapt(LexborHTMLParser("<body>" + hashed).body)
    _empty_filtered(root)
    _tokenize(root)
    return filter_tree(root) or Node("#document-fragment")


def tree_sentences(tree: Node) -> list[Sentence]:
    """helpers/sentence/getSentencesFromTree.js"""
    return [s for node in tree.find_all(lambda n: n.sentences is not None) for s in node.sentences]
