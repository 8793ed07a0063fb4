"""How Yoast SEO (free, German) finds a keyphrase, ported from yoastseo 3.6.0:

* its forms: languageProcessing/researches/getWordForms.js with helpers/morphology/buildTopicStems.js
  (function words dropped, the free plugin's stemmer is the identity: no inflected forms);
* matching a form: helpers/match/matchTextWithWord.js, matchTextWithTransliteration.js,
  helpers/word/addWordboundary.js and the transliterations of config/getTransliterations.js (de)
  and config/transliterationsWPstyle.js;
* a phrase in a string: helpers/match/findKeywordFormsInString.js;
* in a tree sentence: helpers/match/matchWordFormsWithSentence.js (token by token).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .data import yoast_data
from .sentences import add_word_boundary
from .text import (WORD_BOUNDARY_WITH_HYPHEN, get_words, normalize_quotes, normalize_single_quotes,
                   remove_punctuation, strip_non_text_tags, strip_spaces, unify_all_spaces)

_REGEXP_CHARS = re.compile(r"[\\^$.*+?()[\]{}|]")


def escape_regexp(text: str) -> str:
    """lodash escapeRegExp"""
    return _REGEXP_CHARS.sub(lambda m: "\\" + m.group(0), text)


def transliterate(text: str) -> str:
    for letter, alternative in yoast_data().transliterations:
        text = text.replace(letter, alternative)
    return text


def transliterate_wp(text: str) -> str:
    for letter, alternative in reversed(yoast_data().transliterations_wp):
        text = text.replace(letter, alternative)
    return text


@lru_cache(maxsize=4096)
def _regex(keyword: str) -> re.Pattern[str]:
    return re.compile(add_word_boundary(keyword), re.IGNORECASE)


@lru_cache(maxsize=4096)
def _variants(keyword: str) -> tuple[re.Pattern[str], re.Pattern[str] | None, re.Pattern[str] | None]:
    plain = transliterate(keyword)
    wp = transliterate_wp(keyword)
    return _regex(keyword), _regex(plain), (_regex(wp) if wp != plain else None)


def match_with_transliteration(text: str, keyword: str) -> list[str]:
    """matchTextWithTransliteration.js"""
    regex, translit, wp = _variants(keyword)
    matches = [m.group(0) for m in regex.finditer(text)]
    text = regex.sub("", text)
    matches += [m.group(0) for m in translit.finditer(text)]
    if wp is not None:
        matches += [m.group(0) for m in wp.finditer(text)]
    return [strip_spaces(m) for m in matches]


@dataclass(frozen=True)
class Match:
    count: int
    matches: tuple[str, ...]
    position: int  # -1 when not found


def match_text_with_word(text: str, word: str) -> Match:
    """matchTextWithWord.js"""
    text = normalize_quotes(unify_all_spaces(strip_non_text_tags(text)))
    word = normalize_quotes(word)
    found = [strip_spaces(remove_punctuation(m)) for m in match_with_transliteration(text, word)]
    positions = [text.find(m) for m in found]
    return Match(len(found), tuple(found), min(positions) if positions else -1)


def match_text_with_array(text: str, forms: tuple[str, ...]) -> Match:
    """matchTextWithArray.js"""
    count, matches, positions = 0, [], []
    for form in dict.fromkeys(forms):
        m = match_text_with_word(text, form)
        count += m.count
        matches += m.matches
        positions.append(m.position)
    positions = [p for p in positions if p >= 0]
    return Match(count, tuple(matches), min(positions) if positions else -1)


@dataclass(frozen=True)
class WordFormsResult:
    count_word_matches: int
    percent_word_matches: int
    position: int


@lru_cache(maxsize=4096)  # the same headings, anchors and alt texts are asked about on every check of a post
def find_forms_in_string(forms: tuple[tuple[str, ...], ...], text: str) -> WordFormsResult:
    """findKeywordFormsInString.js findWordFormsInString (= findTopicFormsInString without synonyms)"""
    found, positions = 0, []
    for word_forms in forms:
        m = match_text_with_array(text, word_forms)
        found += m.count > 0
        positions.append(m.position)
    percent = _js_round(found / len(forms) * 100) if forms else 0
    positions = [p for p in positions if p >= 0]
    return WordFormsResult(found, percent, min(positions) if positions else -1)


def _js_round(x: float) -> int:
    import math

    return math.floor(x + 0.5)


def keyphrase_forms(keyword: str) -> tuple[tuple[str, ...], ...]:
    """getWordForms.js keyphraseForms for a free German site: one form per content word."""
    keyphrase = keyword.lower().strip()
    if not keyphrase:
        return ()
    if len(keyphrase) > 1 and keyphrase[0] in "\"“”„" and keyphrase[-1] in "\"“”„":  # exact match
        return ((escape_regexp(keyphrase[1:-1]),),)
    words = get_words(keyphrase, WORD_BOUNDARY_WITH_HYPHEN)
    function_words = yoast_data().function_words
    content = [w for w in words if w not in function_words]
    words = content or words
    return tuple((normalize_single_quotes(escape_regexp(w)),) for w in words)


def token_matches(token: str, form: str) -> bool:
    return bool(match_with_transliteration(token, form))


def forms_in_tokens(tokens: list[str], forms: tuple[tuple[str, ...], ...]) -> list[int]:
    """matchWordFormsInSentence.js per keyphrase word: how many tokens match one of its forms."""
    counts = []
    for word_forms in forms:
        n = 0
        for form in word_forms:
            form = normalize_single_quotes(form)
            n += sum(1 for t in tokens if _token_match_cached(t, form))
        counts.append(n)
    return counts


@lru_cache(maxsize=65536)
def _token_match_cached(token: str, form: str) -> bool:
    return token_matches(token, form)


def is_function_word_only(text: str) -> bool:
    """findKeyphraseInSEOTitle.js stripFunctionWordsFromStart: nothing but function words."""
    function_words = yoast_data().function_words
    words = get_words(text.lower(), WORD_BOUNDARY_WITH_HYPHEN)
    return all(w.strip().lower() in function_words for w in words)
