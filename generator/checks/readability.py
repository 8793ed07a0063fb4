"""Readability: genpost's own figures (every profile; Flesch after Amstad, sentences by SoMaJo),
and under the Yoast profile Yoast's readability assessments exactly as Yoast computes them."""

from __future__ import annotations

from ..german import flesch_amstad_counts, syllable_total, words
from ..display import plural
from . import ids
from .plugins import rankmath_rule, rankmath_verdict, yoast_rule, yoast_verdict
from .registry import Check, Rule, Verdict, declare
from .research import Research
from .yoast.text import strip_full_tags

FLESCH_MIN = 30.0  # Amstad: below 30 is "sehr schwer"
LONG_SENTENCE_WORDS = 20
LONG_SENTENCE_SHARE = 25.0
PARAGRAPH_MAX_WORDS = 150
SECTION_MAX_WORDS = 300
TRANSITION_MIN_SHARE = 30.0
PASSIVE_MAX_SHARE = 10.0


def _flesch(r: Research, rule: Rule) -> Verdict:
    body = [e for e in r.doc.text_elements if e.kind != "heading"]
    score = round(flesch_amstad_counts(sum(len(e.word_list) for e in body), sum(syllable_total(e.text) for e in body),
                                       len(r.doc.sentences)), 1)
    return Verdict(score >= FLESCH_MIN, score,
                   f"reading ease {score:g} (Amstad: 0–30 very hard, 30–50 hard, 50–60 fairly hard, 60–70 normal)")


declare(Check(ids.READABILITY_FLESCH, "Flesch reading ease (Amstad)", "180 − words per sentence − 58.5 × syllables per word",
              {"brief": Rule("warning", f"≥ {FLESCH_MIN:g}")}, judge=_flesch))


def _long_sentences(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id:
        y = r.yoast
        long = [s for s, n in y.sentence_lengths if n > LONG_SENTENCE_WORDS]
        share = y.long_sentence_share()
        return yoast_verdict(y.score("textSentenceLength"), share,
                             f"{len(long)} of {len(y.sentence_lengths)} sentences ({share:g} %) have more than "
                             f"{LONG_SENTENCE_WORDS} words (headings count as sentences)", where=tuple(long[:20]))
    sentences = r.doc.sentences
    long = [s for s in sentences if len(words(s)) > LONG_SENTENCE_WORDS]
    share = round(100.0 * len(long) / len(sentences), 1) if sentences else 0.0
    return Verdict(share <= LONG_SENTENCE_SHARE, share,
                   f"{len(long)} of {len(sentences)} sentences ({share:g} %) have more than {LONG_SENTENCE_WORDS} words")


declare(Check(ids.READABILITY_LONG_SENTENCES, "Long sentences", "share of sentences over 20 words", {
    "brief": Rule("warning", f"≤ {LONG_SENTENCE_SHARE:g} % over {LONG_SENTENCE_WORDS} words"),
    # Yoast: sentences of paragraphs, list items and headings, words with hyphen parts joined.
    "yoast": yoast_rule("textSentenceLength", f"≤ {LONG_SENTENCE_SHARE:g} % over {LONG_SENTENCE_WORDS} words",
                        "scoring/assessments/readability/SentenceLengthInTextAssessment.js, "
                        "languageProcessing/researches/countSentencesFromText.js",
                        words=LONG_SENTENCE_WORDS, share=LONG_SENTENCE_SHARE),
}, judge=_long_sentences))


def _paragraph_length(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id == "contentHasShortParagraphs":
        longest = max(r.rankmath.paragraphs, default=0)
        return rankmath_verdict(r.rankmath.points("contentHasShortParagraphs"), "contentHasShortParagraphs", longest,
                                f"the longest paragraph has {longest} words")
    if rule.plugin_id:
        lengths = r.yoast.paragraph_lengths
        longest = max(lengths, default=0)
        return yoast_verdict(r.yoast.score("textParagraphTooLong"), longest,
                             f"{plural(sum(1 for n in lengths if n > PARAGRAPH_MAX_WORDS), 'paragraph')} over "
                             f"{PARAGRAPH_MAX_WORDS} words (each list entry counts as one); the longest has {longest}")
    paragraphs = r.doc.paragraphs
    long = [p for p in paragraphs if len(p.word_list) > PARAGRAPH_MAX_WORDS]
    return Verdict(not long, max((len(p.word_list) for p in paragraphs), default=0),
                   f"{plural(len(long), 'paragraph')} over {PARAGRAPH_MAX_WORDS} words",
                   where=tuple(dict.fromkeys(p.section for p in long)))


declare(Check(ids.READABILITY_PARAGRAPH_LENGTH, "Paragraph length", "words in the longest paragraph", {
    "brief": Rule("warning", f"≤ {PARAGRAPH_MAX_WORDS} words"),
    "yoast": yoast_rule("textParagraphTooLong", f"≤ {PARAGRAPH_MAX_WORDS} words",
                        "scoring/assessments/readability/ParagraphTooLongAssessment.js, "
                        "languageProcessing/researches/getParagraphLength.js", maximum=PARAGRAPH_MAX_WORDS),
    "rankmath": rankmath_rule("contentHasShortParagraphs", "≤ 120 words per paragraph", severity="error", maximum=120),
}, judge=_paragraph_length))


def _section_length(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id:
        y = r.yoast
        lengths = [(strip_full_tags(h) or "(before the first heading)", n) for h, n in y.section_lengths]
        long = tuple(h for h, n in lengths if n > SECTION_MAX_WORDS)
        return yoast_verdict(y.score("subheadingsTooLong"), max((n for _, n in lengths), default=0),
                             f"{len(long)} sections over {SECTION_MAX_WORDS} words", where=long)
    section_words = r.section_words
    long = [s for s, n in section_words.items() if n > SECTION_MAX_WORDS]
    return Verdict(not long, max(section_words.values(), default=0),
                   f"{plural(len(long), 'section')} over {SECTION_MAX_WORDS} words",
                   where=tuple(long))


declare(Check(ids.READABILITY_SECTION_LENGTH, "Text under one heading", "words under the longest heading", {
    "brief": Rule("warning", f"≤ {SECTION_MAX_WORDS} words"),
    # Yoast: any heading H1–H6 starts a section; the text before the first heading is one too.
    "yoast": yoast_rule("subheadingsTooLong", f"≤ {SECTION_MAX_WORDS} words",
                        "scoring/assessments/readability/SubheadingDistributionTooLongAssessment.js, "
                        "languageProcessing/researches/getSubheadingTextLengths.js", maximum=SECTION_MAX_WORDS),
}, judge=_section_length))


def _transition_words(r: Research, rule: Rule) -> Verdict:
    y = r.yoast
    share, total = y.transition_share(), len(y.sentences)
    return yoast_verdict(y.score("textTransitionWords"), share,
                         f"{len(y.transition_sentences)} of {total} sentences ({share:g} %) have a transition word "
                         "from Yoast's German list (headings count as sentences)")


declare(Check(ids.READABILITY_TRANSITION_WORDS, "Transition words", "share of sentences with a transition word", {
    # Yoast's German list (languages/de/config/transitionWords.js, twoPartTransitionWords.js), whole
    # tokens; below 200 words always good.
    "yoast": yoast_rule("textTransitionWords", f"≥ {TRANSITION_MIN_SHARE:g} % of the sentences",
                        "scoring/assessments/readability/TransitionWordsAssessment.js, "
                        "languageProcessing/researches/findTransitionWords.js", minimum=TRANSITION_MIN_SHARE),
}, judge=_transition_words))


def _passive(r: Research, rule: Rule) -> Verdict:
    y = r.yoast
    total, passives = y.passive
    share = y.passive_share()
    return yoast_verdict(y.score("passiveVoice"), share, f"{len(passives)} of {total} sentences ({share:g} %) are "
                         "passive as Yoast detects it (a werden/bekommen/erhalten auxiliary and a participle)",
                         where=tuple(strip_full_tags(s) for s in passives[:20]))


declare(Check(ids.READABILITY_PASSIVE_VOICE, "Passive voice", "share of passive sentences", {
    "yoast": yoast_rule("passiveVoice", f"≤ {PASSIVE_MAX_SHARE:g} % of the sentences",
                        "scoring/assessments/readability/PassiveVoiceAssessment.js, "
                        "languageProcessing/researches/getPassiveVoiceResult.js, languages/de/values/Clause.js",
                        maximum=PASSIVE_MAX_SHARE),
}, judge=_passive))


def _beginnings(r: Research, rule: Rule) -> Verdict:
    y = r.yoast
    runs = [(b, n, s) for b, n, s in y.sentence_beginnings if n > 2]
    longest = max((n for _, n, _ in y.sentence_beginnings), default=0)
    return yoast_verdict(y.score("sentenceBeginnings"), longest,
                         "no three sentences in a row start with the same word" if not runs else
                         "; ".join(f"{n} sentences in a row start with “{b}”" for b, n, _ in runs[:5]),
                         where=tuple(s[0] for _, _, s in runs[:5]))


declare(Check(ids.READABILITY_SENTENCE_BEGINNINGS, "Consecutive sentence beginnings", "sentences in a row that start "
              "with the same word (lists and tables left out, as Yoast does)", {
    "yoast": yoast_rule("sentenceBeginnings", "at most 2 in a row", "scoring/assessments/readability/"
                        "SentenceBeginningsAssessment.js, languageProcessing/researches/getSentenceBeginnings.js",
                        maximum=2),
}, judge=_beginnings))
