"""Yoast's text helpers, ported line by line from yoastseo 3.6.0 (paths under node_modules/yoastseo/build/).

Two ways of reading a text exist in Yoast and both are here: tokens of tree sentences
(languageProcessing/helpers/word/splitIntoTokens.js, getAllWordsFromTree.js) and words of an HTML
string (languageProcessing/helpers/word/getWords.js after helpers/html/htmlParser.js). Which
assessment uses which decides the counts, so each is kept exactly, quirks included.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache
from html.parser import HTMLParser

# languageProcessing/helpers/sanitize/removePunctuation.js, punctuationRegexString
PUNCTUATION = (
    "\u2013-()_[]\u2019\u2018\u201c\u201d\u301d\u301e\u301f\u201f\u201e\"'.?!:;,\u00bf\u00a1\u00ab\u00bb\u2039\u203a"
    "\u2014\u00d7+&\u06d4\u061f\u060c\u061b\u3002\uff61\uff01\u203c\uff1f\u2047\u2049\u2048\u2025\u2026\u30fb\u30fc"
    "\u3001\u3003\u3004\u3006\u3007\u3008\u3009\u300a\u300b\u300c\u300d\u300e\u300f\u3010\u3011\u3012\u3013\u3014"
    "\u3015\u3016\u3017\u3018\u3019\u301a\u301b\u301c\u3020\u3036\u303c\u303d\uff5b\uff5d\uff5c\uff5e\uff5f\uff60"
    "\uff62\uff63\uff64\uff3b\uff3d\uff65\uffe5\uff04\uff05\uff20\uff06\uff07\uff08\uff09\uff0a\uff0f\uff1a\uff1b"
    "\uff1c\uff1e\uff3c<>"
)
_PUNCT_CLASS = "[" + re.escape(PUNCTUATION) + "]"
_PUNCT_START = re.compile("^" + _PUNCT_CLASS + "+")
_PUNCT_END = re.compile(_PUNCT_CLASS + "+$")

# helpers/htmlEntities.js: these entities are "hashed" (&amp; -> #amp;) before the tree is built.
HTML_ENTITIES = {"amp;": "&", "lt;": "<", "gt;": ">", "quot;": '"', "apos;": "'", "ndash;": "–", "mdash;": "—",
                 "copy;": "©", "reg;": "®", "trade;": "™", "pound;": "£", "yen;": "¥", "euro;": "€",
                 "dollar;": "$", "deg;": "°", "asymp;": "≈", "ne;": "≠", "nbsp;": " "}
HTML_ENTITIES_RE = re.compile("&(" + "|".join(re.escape(k) for k in HTML_ENTITIES) + ")", re.IGNORECASE)
HASHED_ENTITIES = {"#" + k: v for k, v in HTML_ENTITIES.items()}
_HASHED_START = re.compile("^(" + "|".join(re.escape(k) for k in HASHED_ENTITIES) + ")")
_HASHED_END = re.compile("(" + "|".join(re.escape(k) for k in HASHED_ENTITIES) + ")$")


def js_round(x: float) -> int:
    """JavaScript's Math.round (halves round up, not to even)."""
    import math

    return math.floor(x + 0.5)


def format_number(x: float) -> float:
    """helpers/formatNumber.js: whole numbers stay whole, others get one decimal."""
    if js_round(x) == x:
        return js_round(x)
    return js_round(x * 10) / 10


def restore_hashed_entities(text: str) -> str:
    if "#" not in text:
        return text
    for hashed, char in HASHED_ENTITIES.items():
        text = text.replace(hashed, char)
    return text


# --- sanitizing (languageProcessing/helpers/sanitize/) ----------------------------------------

_SPACES = re.compile(r"\s{2,}")
_SPACE_PERIOD_END = re.compile(r"\s\.$")
_OUTER_SPACES = re.compile(r"^\s+|\s+$")
# Anything the substitutions below would change (one search instead of three substitutions).
_STRIPPABLE = re.compile(r"\s\s|\s\.$|^\s|\s$|。")


def strip_spaces(text: str) -> str:
    """sanitize/stripSpaces.js"""
    if not _STRIPPABLE.search(text):
        return text
    text = _SPACES.sub(" ", text)
    text = _SPACE_PERIOD_END.sub(".", text)
    text = _OUTER_SPACES.sub("", text)
    if "。" in text:
        text = re.sub(r"\s。", "。", text)
        text = re.sub(r"。\s", "。", text)
    return text


def unify_all_spaces(text: str) -> str:
    """sanitize/unifyWhitespace.js unifyAllSpaces: &nbsp;, em dash and every whitespace become a space."""
    text = text.replace("&nbsp;", " ").replace("\u2014", " ")
    return _WHITESPACE.sub(" ", text)


_WHITESPACE = re.compile(r"\s")
_TAG = re.compile(r"(<([^>]+)>)")


def strip_full_tags(text: str) -> str:
    """sanitize/stripHTMLTags.js stripFullTags"""
    return strip_spaces(_TAG.sub(" ", text) if "<" in text else text)


def sanitize_string(text: str) -> str:
    """sanitize/sanitizeString.js"""
    return strip_full_tags(unify_all_spaces(text))


_PUNCT_SET = frozenset(PUNCTUATION)


def remove_punctuation(text: str) -> str:
    """sanitize/removePunctuation.js (note: only the first "&amp" is removed, as in Yoast)."""
    if text and text[0] not in _PUNCT_SET and text[-1] not in _PUNCT_SET and "&" not in text and "\\" not in text:
        return text  # nothing to remove (the common case, decided without a regex)
    text = text.replace("&nbsp;", " ").replace("&amp", "", 1).replace("\\", "")
    text = _PUNCT_START.sub("", text, count=1)
    return _PUNCT_END.sub("", text, count=1)


_SINGLE_QUOTES = re.compile("['‘’‛`‹›]")
_DOUBLE_QUOTES = re.compile("[“”〝〞〟‟„『』«»]")


def normalize_single_quotes(text: str) -> str:
    return _SINGLE_QUOTES.sub("'", text)


def normalize_quotes(text: str) -> str:
    """sanitize/quotes.js normalize"""
    return _DOUBLE_QUOTES.sub('"', normalize_single_quotes(text))


# --- words of a string (helpers/word/getWords.js) ------------------------------------------

def get_words(text: str, boundary: str = r"\s") -> list[str]:
    text = sanitize_string(text)
    if text == "":
        return []
    words = [remove_punctuation(w) for w in re.split(boundary, text)]
    return [w for w in words if w.strip() != ""]


WORD_BOUNDARY_WITH_HYPHEN = "[\\s\u2013-]"  # config/wordBoundariesWithoutPunctuation.js


# --- tokens of a sentence (helpers/word/splitIntoTokens.js, createPunctuationTokens.js) ------

_WORD_SEPARATORS = re.compile("([\\s\t\u00a0\u2013\u2014\\-\\[\\]]|#nbsp;)")


def split_into_tokens(text: str, abbreviations: frozenset[str]) -> list[str]:
    if not text:
        return []
    raw = [t for t in _WORD_SEPARATORS.split(text) if t != "" and t is not None]
    out: list[str] = []
    for token in raw:
        if token[0] not in _PUNCT_SET and token[-1] not in _PUNCT_SET:
            out.append(token)  # no punctuation to split off (whitespace is a token of its own)
            continue
        pre: list[str] = []
        post: list[str] = []
        while _PUNCT_START.search(token) and not _HASHED_START.search(token):
            pre.append(token[0])
            token = token[1:]
        while _PUNCT_END.search(token) and not _HASHED_END.search(token) and token.lower() not in abbreviations:
            post.insert(0, token[-1])
            token = token[:-1]
        out.extend(t for t in (*pre, token, *post) if t != "")
    return out


def words_from_tokens(tokens, split_on_hyphens: bool = True) -> list[str]:
    """helpers/word/getAllWordsFromTree.js getWordsFromTokens"""
    return list(_words_from_tokens(tuple(tokens), split_on_hyphens))


@lru_cache(maxsize=16384)
def _words_from_tokens(tokens: tuple[str, ...], split_on_hyphens: bool) -> tuple[str, ...]:
    words = list(tokens)
    if not split_on_hyphens:
        # mergeBy(words, "-"): a hyphen token joins the tokens around it ("KI-Tools" is one word).
        while "-" in words:
            i = words.index("-")
            if i == 0 or i == len(words) - 1:
                del words[i]
                continue
            words[i - 1:i + 2] = [words[i - 1] + "-" + words[i + 1]]
    words = [w if w and w[0] not in _PUNCT_SET and w[-1] not in _PUNCT_SET and "&" not in w and "\\" not in w
             else remove_punctuation(w) for w in words]  # (remove_punctuation's own quick test, inlined)
    return tuple(w for w in words if w.strip() != "")


# --- the HTML string pipeline (helpers/html/htmlParser.js, htmlparser2 underneath) ---------

IGNORED_TAGS = frozenset({"script", "style", "code", "pre", "blockquote", "textarea"})
IGNORED_CLASSES = ("yoast-ai-summarize", "yoast-table-of-contents", "yoast-reading-time__wrapper",
                   "elementor-button-wrapper", "elementor-divider", "elementor-spacer", "elementor-custom-embed",
                   "elementor-icon-wrapper", "elementor-icon-box-wrapper", "elementor-counter",
                   "elementor-progress-wrapper", "elementor-alert", "elementor-soundcloud-wrapper",
                   "elementor-shortcode", "elementor-menu-anchor", "elementor-title")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})


class _Rebuild(HTMLParser):
    """What htmlParser.js writes: tags rebuilt as <tag a='v'>, text decoded, comments and ignored
    elements (with their content) dropped, void elements closed at once (htmlparser2 does)."""

    def __init__(self, ignored_classes: tuple[str, ...]):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.ignore_stack: list[str] = []
        self.ignored_classes = ignored_classes
        self.angles_in_text = False  # a "<" or ">" written that is not a tag's own (from "&lt;", an attribute)

    def _open(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.ignore_stack:
            self.ignore_stack.append(tag)
            return
        values = {k: (v if v is not None else "") for k, v in attrs}
        classes = values["class"].split(" ") if values.get("class") else []
        if tag in IGNORED_TAGS or any(c in self.ignored_classes for c in classes):
            self.ignore_stack.append(tag)
            return
        if any("<" in v or ">" in v for v in values.values()):
            self.angles_in_text = True
        self.out.append("<" + tag + "".join(f" {k}='{v}'" for k, v in values.items()) + ">")

    def _close(self, tag: str) -> None:
        if len(self.ignore_stack) == 1 and self.ignore_stack[0] == tag:
            self.ignore_stack = []
            return
        if self.ignore_stack:
            self.ignore_stack.pop()
            return
        self.out.append("</" + tag + ">")

    def handle_starttag(self, tag, attrs):
        self._open(tag, attrs)
        if tag in _VOID:
            self._close(tag)

    def handle_startendtag(self, tag, attrs):
        self._open(tag, attrs)
        self._close(tag)

    def handle_endtag(self, tag):
        if tag in _VOID:
            return  # already closed when it opened
        self._close(tag)

    def handle_data(self, data):
        if not self.ignore_stack:
            if "<" in data or ">" in data:
                self.angles_in_text = True
            self.out.append(data)


def html_parser(text: str, ignored_classes: tuple[str, ...] = IGNORED_CLASSES) -> str:
    return html_parser_checked(text, ignored_classes)[0]


def html_parser_checked(text: str, ignored_classes: tuple[str, ...] = IGNORED_CLASSES) -> tuple[str, bool]:
    """html_parser, and whether every "<" and ">" of the result belongs to a tag it wrote (no
    angle bracket came from the text or an attribute value)."""
    parser = _Rebuild(ignored_classes)
    parser.feed(text)
    parser.close()
    return "".join(parser.out), not parser.angles_in_text


_NON_TEXT_TAG = re.compile(r"<(?!li|/li|p|/p|h1|/h1|h2|/h2|h3|/h3|h4|/h4|h5|/h5|h6|/h6|dd).*?>")


def strip_non_text_tags(text: str) -> str:
    """sanitize/stripNonTextTags.js"""
    return strip_spaces(_NON_TEXT_TAG.sub("", text))


def decode_entities(text: str) -> str:
    return html.unescape(text)
