"""Yoast's German passive-voice detector (a werden/bekommen/erhalten/gehören auxiliary and a
participle in the same clause), ported from yoastseo 3.6.0:
languages/de/helpers/getClauses.js, helpers/passiveVoice/periphrastic/freeAuxiliaryParticipleOrder/
getClausesSplitOnStopWords.js, languages/de/values/Clause.js, languages/de/helpers/internal/
getParticiples.js, languages/de/config/internal/passiveVoiceRegex.js and the word lists in
languages/de/config/ (paths under languageProcessing/). A heuristic, reproduced as it is.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .data import yoast_data
from .keyphrase import escape_regexp
from .sentences import add_word_boundary, word_list_regex
from .text import get_words, sanitize_string, strip_spaces

_END = r"($|[ \n\r\t.,'()\"+\-;!?:/»«‹›<>])"
_PARTICIPLE_RES = (
    re.compile(r"^((ge)\S+t" + _END + ")", re.I),
    re.compile(r"^(((be|ent|er|her|ver|zer|über|ueber)\S+([^s]t|sst))" + _END + ")", re.I),
    re.compile(r"(ab|an|auf|aus|vor|wieder|zurück)(ge)\S+t" + _END, re.I),
    re.compile(r"((ab|an|auf|aus|vor|wieder|zurück)(be|ent|er|her|ver|zer|über|ueber)\S+([^s]t|sst))" + _END, re.I),
    re.compile(r"\S+iert" + _END, re.I),
)
# languages/de/values/Clause.js; "+-;" is a character range there too (digits included).
_NOUN_SUFFIX = re.compile(r"\S+(apparat|arbeit|dienst|haft|halt|keit|kraft|not|pflicht|schaft|schrift|tät|wert|zeit)"
                          r"($|[ \n\r\t.,'()\"+-;!?:/»«‹›<>])", re.I)
# config/wordBoundaries.js as a set of strings (helpers/word/matchWordInSentence.js): "\\n" there
# is two characters, so a line break is no boundary here.
_WORD_BOUNDARIES = frozenset([" ", "\\n", "\\r", "\\t", "\u00a0", "\u06d4", "\u061f", "\u060c", "\u061b", ".", ",",
                              "'", "(", ")", '"', "+", "-", ";", "!", "?", ":", "/", "»", "«", "‹", "›", "<", ">",
                              "”", "“", "〝", "〞", "〟", "‟", "„"])


@lru_cache(maxsize=1)
def _regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """createRegexFromArray.js of the auxiliaries and of the stop words."""
    data = yoast_data()
    return (word_list_regex([sanitize_string(w) for w in data.passive_auxiliaries]),
            word_list_regex([sanitize_string(w) for w in data.stop_words]))


def _split_on_stop_words(sentence: str, stop_words: list[str]) -> list[str]:
    clauses = []
    for stop_word in stop_words:
        first = sentence.split(stop_word)[0]
        if first:
            clauses.append(first)
        sentence = strip_spaces(sentence[sentence.find(stop_word):])
    clauses.append(sentence)
    return clauses


def _participles(clause: str) -> list[str]:
    irregulars = yoast_data().passive_irregulars
    return [w for w in get_words(clause) if any(r.search(w) for r in _PARTICIPLE_RES) or w in irregulars]


def _in_boundary(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i] in _WORD_BOUNDARIES


def _indices_of(word: str, text: str) -> list[int]:
    """helpers/word/indices.js getIndicesByWord"""
    out, start = [], 0
    while True:
        i = text.find(word, start)
        if i == -1:
            return out
        if (_in_boundary(text, i - 1) or i == 0) and (_in_boundary(text, i + len(word)) or len(text) == i + len(word)):
            out.append(i)
        start = i + len(word)


def _word_in_sentence(word: str, sentence: str) -> bool:
    """helpers/word/matchWordInSentence.js isWordInSentence"""
    word, sentence = word.lower(), sentence.lower()
    m = _word_regex(word).search(sentence)
    if m is None:
        return False
    start = m.start() + 1 if m.start() > 0 else m.start()
    end = start + len(word)
    return (_in_boundary(sentence, start - 1) or start == 0) and (_in_boundary(sentence, end) or end == len(sentence))


@lru_cache(maxsize=64)
def _word_regex(word: str) -> re.Pattern[str]:
    return re.compile(add_word_boundary(escape_regexp(word)), re.I)


def _haben_sein_follows(participle: str, clause: str) -> bool:
    positions = _indices_of(participle, clause)
    helpers = [i for w in ("haben", "sein") if _word_in_sentence(w, clause) for i in _indices_of(w, clause)]
    if not positions or not helpers:
        return False
    return positions[0] + len(participle) + 1 in helpers


def _clause_is_passive(clause: str) -> bool:
    data = yoast_data()
    for participle in _participles(clause):
        if _NOUN_SUFFIX.search(participle) or participle in data.active_participle_exceptions:
            continue
        if _haben_sein_follows(participle, clause) or participle in data.participle_like:
            continue
        return True
    return False


@lru_cache(maxsize=8192)
def is_passive(sentence: str) -> bool:
    """A lower-cased sentence without tags is passive when one of its clauses is."""
    auxiliaries, stop_words = _regexes()
    if not auxiliaries.search(sentence):
        return False
    clauses = _split_on_stop_words(sentence, [m.group(0) for m in stop_words.finditer(sentence)])
    return any(auxiliaries.search(c) and _clause_is_passive(c) for c in clauses)
