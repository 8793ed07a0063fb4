"""Readability as German readers and Yoast's analysis see it (all warnings)."""

from __future__ import annotations

from ..brief import Brief
from ..display import plural
from ..german import flesch_amstad, words
from ..post import Document
from . import CheckResult, check, result

FLESCH_MIN = 30.0  # Amstad: below 30 is "sehr schwer"
LONG_SENTENCE_WORDS = 20
LONG_SENTENCE_SHARE = 25.0
PARAGRAPH_MAX_WORDS = 150
SECTION_MAX_WORDS = 300


@check
def readability_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    sentences = doc.sentences
    body_words = [w for e in doc.text_elements if e.kind != "heading" for w in e.word_list]
    score = round(flesch_amstad(body_words, len(sentences)), 1)
    long = [s for s in sentences if len(words(s)) > LONG_SENTENCE_WORDS]
    share = round(100.0 * len(long) / len(sentences), 1) if sentences else 0.0
    long_paragraphs = [p for p in doc.paragraphs if len(p.word_list) > PARAGRAPH_MAX_WORDS]
    section_words = {s: sum(len(e.word_list) for e in doc.text_elements if e.section == s and e.kind != "heading")
                     for s in doc.sections}
    long_sections = [s for s, n in section_words.items() if n > SECTION_MAX_WORDS]
    return [
        result("readability.flesch", "Flesch reading ease (Amstad)", score >= FLESCH_MIN, score, f"≥ {FLESCH_MIN:g}",
               f"reading ease {score:g} (Amstad: 0–30 very hard, 30–50 hard, 50–60 fairly hard, 60–70 normal)",
               severity="warning"),
        result("readability.long_sentences", "Long sentences", share <= LONG_SENTENCE_SHARE, share,
               f"≤ {LONG_SENTENCE_SHARE:g} % over {LONG_SENTENCE_WORDS} words",
               f"{len(long)} of {len(sentences)} sentences ({share:g} %) have more than {LONG_SENTENCE_WORDS} words",
               severity="warning"),
        result("readability.paragraph_length", "Paragraph length", not long_paragraphs,
               max((len(p.word_list) for p in doc.paragraphs), default=0), f"≤ {PARAGRAPH_MAX_WORDS} words",
               f"{plural(len(long_paragraphs), 'paragraph')} over {PARAGRAPH_MAX_WORDS} words", severity="warning",
               where=list(dict.fromkeys(p.section for p in long_paragraphs))),
        result("readability.section_length", "Text under one heading", not long_sections,
               max(section_words.values(), default=0), f"≤ {SECTION_MAX_WORDS} words",
               f"{plural(len(long_sections), 'section')} over {SECTION_MAX_WORDS} words", severity="warning",
               where=long_sections),
    ]
