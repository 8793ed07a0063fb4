"""Yoast's German sentence splitter, ported from yoastseo 3.6.0:
languageProcessing/helpers/sentence/SentenceTokenizer.js with the German subclass
languageProcessing/languages/de/helpers/internal/SentenceTokenizer.js (ordinal dots), and the
string pipeline's languageProcessing/helpers/sentence/getSentences.js with helpers/html/html.js
(getBlocks).

Yoast tokenizes with the npm package tokenizer2 ("longest prefix that some rule matches, the
first matching rule names it"); the rules here are its regexes, written out as the lengths each
one matches so a sentence does not cost a regex per character.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .data import yoast_data
from .text import normalize_quotes

FULL_STOP = "."
DELIMITERS = "”〞〟„』›»’‛`\"?!\u2026\u06d4\u061f"
_NOT_SENTENCE = set(FULL_STOP + DELIMITERS + "<()[]")
_WS = re.compile(r"\s")

# config/wordBoundaries.js, each prefixed with a backslash (SentenceTokenizer.js): "\\n" there is
# a backslash and an "n", so the class holds "\", "n", "r" and "t" rather than line breaks.
_BOUNDARY_CHARS = (" \\nrt\u00a0\u06d4\u061f\u060c\u061b.,'()\"+-;!?:/»«‹›<>”“〝〞〟‟„")
_BOUNDARY_CLASS = "[" + "".join(re.escape(c) for c in _BOUNDARY_CHARS) + "]"
_INITIAL = re.compile("(^|$|" + _BOUNDARY_CLASS + ")[A-Za-z]$")
_ORDINAL_DOT = re.compile("(^|" + _BOUNDARY_CLASS + r")\d{1,3}\.$")  # German only
_TAG_TYPE = re.compile(r"</?([^\s]+?)(\s|>)")
_SEMANTIC_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "span", "li", "main"})
_RTL = (re.compile("^[\u0590-\u05fe]+$", re.I), re.compile("^[\u0600-\u06FF]+$", re.I),
        re.compile("^[\uFB8A\u067E\u0686\u06AF]+$", re.I))
_HTML_START = re.compile(r"^<([^>\s/]+)[^>]*>$", re.I)
_HTML_END = re.compile(r"^</([^>\s]+)[^>]*>$", re.I)

# languageProcessing/helpers/word/addWordboundary.js
WORD_BOUNDARY = "[ \\u00a0\\u2014\\u06d4\\u061f\\u060C\\u061B\\n\\r\\t.,()”“〝〞〟‟„\"+\\-;!¡?¿:/»«‹›"


def add_word_boundary(match: str, positive_lookahead: bool = False, extra: str = "") -> str:
    boundary = WORD_BOUNDARY + extra + "<>"
    start = "(^|" + boundary + "'‘’‛`])"
    if positive_lookahead:
        end = "($|((?=" + boundary + "]))|((['‘’‛`])(" + boundary + "])))"
    else:
        end = "($|(" + boundary + "])|((['‘’‛`])(" + boundary + "])))"
    return start + match + end


def word_list_regex(words, positive_lookahead: bool = True) -> re.Pattern[str]:
    """helpers/regex/createRegexFromArray.js: every word between word boundaries, case-insensitive.
    Written as one group of alternatives between one pair of boundaries: the same matches (the
    boundaries are alike for every word, and a word never starts with a boundary character), in a
    fraction of the time."""
    parts = "|".join(f"(?:{w})" for w in words)
    return re.compile(add_word_boundary("(?:" + parts + ")", positive_lookahead), re.IGNORECASE)


@lru_cache(maxsize=1)
def _abbreviations_re() -> re.Pattern[str]:
    # JS `abbreviation.replace(".", "\\.")` escapes the first full stop only.
    return word_list_regex([a.replace(".", "\\.", 1) for a in yoast_data().abbreviations])


@lru_cache(maxsize=1)
def _abbreviation_endings() -> tuple[str, ...]:
    # The last letter before each abbreviation's final full stop: a sentence that ends otherwise
    # cannot end with an abbreviation, so the regex is not needed for it.
    return tuple(sorted({a[-2].lower() for a in yoast_data().abbreviations}))


def _run(s: str, start: int, test) -> int:
    i = start
    while i < len(s) and test(s[i]):
        i += 1
    return i - start


_SENTENCE_RUN = re.compile("[^" + re.escape(FULL_STOP + DELIMITERS) + r"<()\[\]]*")
_WS_RUN = re.compile(r"\s*")
_TAGLESS_RUN = re.compile(r"[^<>]*")


def _span(regex: re.Pattern[str], s: str, p: int) -> int:
    return regex.match(s, p).end() - p


def _next_token(s: str, p: int) -> tuple[int, str]:
    """Length and type of the token at p: tokenizer2's longest match over the rules of
    SentenceTokenizer.createTokenizer, in their order. Each rule matches a run of lengths; the
    token is as long as the lengths are covered without a gap, and the first rule that matches
    that length names it."""
    c = s[p]
    spans: list[tuple[str, int, int]] = []  # (type, shortest, longest) in rule order
    if c == FULL_STOP:
        spans.append(("full-stop", 1, 1))
    if c == "<":
        run = _span(_TAGLESS_RUN, s, p + 1)
        spans.append(("smaller-than-sign-content", 1, 1 + run))
        close = p + 1 + run
        if close < len(s) and s[close] == ">":
            tag = s[p:close + 1]
            if _HTML_START.match(tag):
                spans.append(("html-start", len(tag), len(tag)))
            elif _HTML_END.match(tag):
                spans.append(("html-end", len(tag), len(tag)))
    ws = _span(_WS_RUN, s, p)
    if p + ws < len(s) and s[p + ws] in "[({])}":
        kind = "block-start" if s[p + ws] in "[({" else "block-end"
        spans.append((kind, ws + 1, ws + 1 + _span(_WS_RUN, s, p + ws + 1)))
    if c in DELIMITERS:
        spans.append(("sentence-delimiter", 1, 1))
    run = _span(_SENTENCE_RUN, s, p)
    if run:
        spans.append(("sentence", 1, run))
    reach = 0
    for _, lo, hi in sorted(spans, key=lambda x: x[1]):
        if lo > reach + 1:
            break
        reach = max(reach, hi)
    if reach == 0:
        return 0, ""
    return reach, next(kind for kind, lo, hi in spans if lo <= reach <= hi)


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    p = 0
    while p < len(text):
        length, kind = _next_token(text, p)
        if length == 0:
            break  # tokenizer2 gives up ("unable to tokenize"); Yoast keeps the tokens so far
        tokens.append((kind, text[p:p + length]))
        p += length
    return tokens


# --- SentenceTokenizer.getSentencesFromTokens ------------------------------------------------

_NUMBER = re.compile(r"^\s*[+-]?\d")
_FIRST_SPACES = re.compile(r"\s+")
_ENDS_SENTENCE = re.compile("[" + re.escape(FULL_STOP + DELIMITERS) + "]$")
_BR = re.compile(r"</?br")


def _is_number(text: str) -> bool:
    return bool(_NUMBER.match(text))  # JS parseInt(text, 10) is a number


def _is_capital(text: str) -> bool:
    return text != text.lower()


def _is_quotation(text: str) -> bool:
    return normalize_quotes(text) in ("'", '"')


def _valid_beginning(text: str) -> bool:
    return (_is_capital(text) or any(r.match(text) for r in _RTL) or _is_number(text) or _is_quotation(text)
            or text in ("¿", "¡") or text == "<")


def _is_space(text: str) -> bool:
    return bool(text) and bool(_WS.match(text[0]))


def _is_sentence_start(token) -> bool:
    return token is not None and token[0] in ("html-start", "html-end", "block-start")


def _is_sentence_ending(token) -> bool:
    return token is not None and token[0] in ("full-stop", "sentence-delimiter")


def _next_two(next_token, second) -> str:
    text = (next_token[1] if next_token else "") + (second[1] if second else "")
    return _FIRST_SPACES.sub(" ", text, count=1)


def _ends_with_abbreviation(sentence: str) -> bool:
    if len(sentence) < 2 or sentence[-2].lower() not in _abbreviation_endings():
        return False
    matches = [m.group(0) for m in _abbreviations_re().finditer(sentence)]
    return bool(matches) and sentence.endswith(matches[-1])


def _valid_tag_pair(first, last) -> bool:
    a, b = _TAG_TYPE.search(first[1]), _TAG_TYPE.search(last[1])
    return bool(a and b) and a.group(1) == b.group(1) and a.group(1) in _SEMANTIC_TAGS


def _initial(token, previous, next_token, second) -> bool:
    return (previous is not None and next_token is not None and second is not None and token[0] == "full-stop"
            and previous[0] == "sentence" and bool(_INITIAL.search(previous[1]))
            and next_token[0] == "sentence" and len(next_token[1].strip()) == 1 and second[0] == "full-stop")


def _smaller_than_content(token, sentences: list[str], current: str) -> str:
    local = sentences_from_tokens(tokenize(token[1][1:]), trim=False)
    local = local or [""]
    local[0] = "<" + local[0]
    if _valid_beginning(local[0]):
        sentences.append(current)
        current = ""
    current += local[0]
    if len(local) > 1:
        sentences.append(current)
        current = ""
        rest = local[1:]
        last = rest.pop()
        sentences.extend(rest)
        if _ENDS_SENTENCE.search(last):
            sentences.append(last)
        else:
            current = last
    return current


def sentences_from_tokens(tokens: list[tuple[str, str]], trim: bool = True) -> list[str]:
    while True:
        sliced = False
        if (tokens and tokens[0][0] == "html-start" and tokens[-1][0] == "html-end"
                and _valid_tag_pair(tokens[0], tokens[-1])):
            tokens = tokens[1:-1]
            sliced = True
        if not (sliced and len(tokens) > 1):
            break
    sentences: list[str] = []
    current = ""

    def valid_sentence(has_next: bool, next_start: str, next_chars: str, next_token) -> None:
        nonlocal current
        if (has_next and _valid_beginning(next_start) and _is_space(next_chars)) or _is_sentence_start(next_token):
            sentences.append(current)
            current = ""

    for i, token in enumerate(tokens):
        kind, src = token
        next_token = tokens[i + 1] if i + 1 < len(tokens) else None
        previous = tokens[i - 1] if i > 0 else None
        second = tokens[i + 2] if i + 2 < len(tokens) else None
        next_chars = _next_two(next_token, second)
        has_next = len(next_chars) >= 2
        next_start = next_chars[1] if has_next else ""
        if kind in ("html-start", "html-end"):
            if _BR.search(src):
                sentences.append(current)
                current = ""
            else:
                current += src
        elif kind == "smaller-than-sign-content":
            current = _smaller_than_content(token, sentences, current)
        elif kind in ("sentence", "block-start"):
            current += src
        elif kind == "sentence-delimiter":
            current += src
            if (next_token is not None and next_token[0] not in ("block-end", "sentence-delimiter")
                    and _is_space(next_token[1])):
                if _is_quotation(src) and previous is not None and previous[1] != ".":
                    continue
                if _is_quotation(src) or src == "…":
                    valid_sentence(has_next, next_start, next_chars, next_token)
                else:
                    sentences.append(current)
                    current = ""
        elif kind == "full-stop":
            current += src
            if _ends_with_abbreviation(current):
                continue
            if has_next and _is_number(next_chars[0]):
                continue
            if _initial(token, previous, next_token, second):
                continue
            if _ORDINAL_DOT.search(current.strip()):
                continue
            valid_sentence(has_next, next_start, next_chars, next_token)
        elif kind == "block-end":
            current += src
            next_start = next_chars[0] if has_next else ""
            if (has_next and _is_number(next_chars[0])) or (
                    _is_sentence_ending(previous) and not (_valid_beginning(next_start) or _is_sentence_start(next_token))):
                continue
            if _is_sentence_ending(previous) and (_is_sentence_start(next_token) or _valid_beginning(next_start)):
                sentences.append(current)
                current = ""
    if current != "":
        sentences.append(current)
    if trim:
        sentences = [s.strip() for s in sentences]
    return sentences


@lru_cache(maxsize=8192)  # the repair loop re-checks mostly unchanged paragraphs
def split_sentences(text: str, trim: bool = True) -> tuple[str, ...]:
    """languages/de/helpers/memoizedSentenceTokenizer.js"""
    tokens = tokenize(text)
    return tuple(sentences_from_tokens(tokens, trim)) if tokens else ()


# --- the string pipeline: helpers/sentence/getSentences.js ----------------------------------

_BLOCK_ELEMENTS = ("address", "article", "aside", "blockquote", "canvas", "dd", "div", "dl", "fieldset",
                   "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup",
                   "hr", "li", "main", "nav", "noscript", "ol", "output", "p", "pre", "section", "table", "tfoot",
                   "ul", "video")
_INLINE_ELEMENTS = ("b", "big", "i", "small", "tt", "abbr", "acronym", "cite", "code", "dfn", "em", "kbd", "strong",
                    "samp", "time", "var", "a", "bdo", "br", "img", "map", "object", "q", "script", "span", "sub",
                    "sup", "button", "input", "label", "select", "textarea")
_B = "|".join(_BLOCK_ELEMENTS)
_I = "|".join(_INLINE_ELEMENTS)
_TAG_RULES = (("block-start", re.compile(f"^<({_B})[^>]*?>$", re.I)),
              ("block-end", re.compile(f"^</({_B})[^>]*?>$", re.I)),
              ("inline-start", re.compile(f"^<({_I})[^>]*>$", re.I)),
              ("inline-end", re.compile(f"^</({_I})[^>]*>$", re.I)),
              ("other-element-start", re.compile(r"^<([^>\s/]+)[^>]*>$")),
              ("other-element-end", re.compile(r"^</([^>\s]+)[^>]*>$")))
_BLOCK_START_AT_START = re.compile(f"^<({_B})[^>]*?>", re.I)
_BLOCK_END_AT_END = re.compile(f"</({_B})[^>]*?>$", re.I)
_IMAGE = re.compile(r"<img(?:[^>]+)?>(</img>)*", re.I)
_COMMENT = re.compile(r"<!--(.|[\r\n])*?-->")


def _html_tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    p = 0
    while p < len(text):
        if text[p] != "<":
            end = text.find("<", p)
            end = len(text) if end == -1 else end
            tokens.append(("content", text[p:end]))
            p = end
            continue
        run = _run(text, p + 1, lambda ch: ch not in "<>")
        close = p + 1 + run
        if close < len(text) and text[close] == ">":
            tag = text[p:close + 1]
            kind = next((k for k, r in _TAG_RULES if r.match(tag)), None)
            if kind is not None:
                tokens.append((kind, tag))
                p = close + 1
                continue
        tokens.append(("greater-than-sign-content", text[p:close]))
        p = close
    return tokens


def get_blocks(text: str) -> list[str]:
    """helpers/html/html.js getBlocks"""
    blocks: list[str] = []
    depth = 0
    start_tag = current = end_tag = ""
    text = _COMMENT.sub("", text)
    tokens = _html_tokens(text)
    for i, (kind, src) in enumerate(tokens):
        next_token = tokens[i + 1] if i + 1 < len(tokens) else None
        if kind == "block-start":
            if depth != 0:
                if current.strip() != "":
                    blocks.append(current)
                current = end_tag = ""
            depth += 1
            start_tag = src
        elif kind == "block-end":
            depth -= 1
            end_tag = src
            if start_tag != "" and end_tag != "":
                blocks.append(start_tag + current + end_tag)
            elif current.strip() != "":
                blocks.append(current)
            start_tag = current = end_tag = ""
        else:
            if next_token is None or (depth == 0 and next_token[0] in ("block-start", "block-end")):
                current += src
                blocks.append(current)
                start_tag = current = end_tag = ""
            else:
                current += src
        if depth < 0:
            depth = 0
    return blocks


_LINE_BREAK = re.compile(r"\n\r|\n|\r")
_P_TAG_ONLY = re.compile(r"^(<p>|</p>)$")


def string_sentences(text: str) -> list[str]:
    """helpers/sentence/getSentences.js: the sentences of an HTML string (after htmlParser)."""
    text = text.replace("&nbsp;", " ")
    text = _IMAGE.sub("", text)
    blocks = [part for block in get_blocks(text) for part in _LINE_BREAK.split(block)]
    blocks = [b for b in blocks if not _P_TAG_ONLY.match(b)]
    sentences = [s for b in blocks for s in split_sentences(b)]
    sentences = [_BLOCK_END_AT_END.sub("", _BLOCK_START_AT_START.sub("", s, count=1), count=1).strip()
                 for s in sentences]
    return [s for s in sentences if s]
