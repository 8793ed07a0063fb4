"""Keyword: how often it is used and where -- the brief's exact phrase, and the keyphrase as the
SEO plugins match it (Yoast: its content words, function words dropped; Rank Math: the phrase in
the text's words)."""

from __future__ import annotations

from ..german import count_keyword
from ..display import plural
from . import ids
from .plugins import rankmath_rule, rankmath_verdict, yoast_rule, yoast_verdict
from .registry import Check, Rule, Verdict, declare
from .research import Research
from .yoast.text import strip_full_tags

DENSITY_MAX = 3.0  # uses per 100 words above which the brief's check warns (Yoast's upper bound)


def _content_words(r: Research) -> str:
    return ", ".join(f[0] for f in r.yoast.forms) or "none"


# --- the brief's targets ----------------------------------------------------------------------

def _count(r: Research, rule: Rule) -> Verdict:
    t, kw, count = r.brief.targets, r.brief.keyword, r.keyword_count
    ok = t.keyword_min <= count <= t.keyword_max
    gap = ("" if ok else f"; {t.keyword_min - count} more needed" if count < t.keyword_min
           else f"; {count - t.keyword_max} too many")
    return Verdict(ok, count, f"“{kw}” occurs {plural(count, 'time')}{gap}", target=f"{t.keyword_min}–{t.keyword_max}")


declare(Check(ids.KEYWORD_COUNT, "Keyword count", "uses of the exact keyword phrase in the content",
              {"brief": Rule("error", "keyword_min–keyword_max")}, judge=_count))


def _density(r: Research, rule: Rule) -> Verdict:
    density = 100.0 * r.keyword_count / r.words if r.words else 0.0  # Yoast's formula: per 100 words
    return Verdict(density <= DENSITY_MAX, round(density, 2),
                   f"{density:.1f} uses per 100 words" + (" (keyword stuffing)" if density > DENSITY_MAX else ""))


def _yoast_density(r: Research, rule: Rule) -> Verdict:
    y = r.yoast
    low, high = y.density_bounds()
    words = y.tree_word_count
    return yoast_verdict(y.score("keyphraseDensity"), round(y.density, 2),
                         f"{y.keyphrase_count} uses of the keyphrase ({_content_words(r)} in one sentence) in {words} "
                         f"words (Yoast counts each part of a hyphenated word here), {y.density:.2f} %", target=f"{low}–{high} uses for {words} words")


def _rankmath_density(r: Research, rule: Rule) -> Verdict:
    density, uses = r.rankmath.density
    return rankmath_verdict(r.rankmath.points("keywordDensity"), "keywordDensity", density,
                            f"{uses} uses in {r.rankmath.words} words, {density:.2f} %")


def _density_any(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id == "keyphraseDensity":
        return _yoast_density(r, rule)
    if rule.plugin_id == "keywordDensity":
        return _rankmath_density(r, rule)
    return _density(r, rule)


declare(Check(ids.KEYWORD_DENSITY, "Keyword density", "keyword uses per 100 words", {
    "brief": Rule("warning", f"≤ {DENSITY_MAX:g} %"),
    # Yoast: the keyphrase's content words in one sentence count once; good between 0.5 % and 3 %
    # after a factor for the keyphrase length (0.37–2.2 % for two content words), at least 2 uses.
    # A warning: the brief's keyword_min/keyword_max decide how often the keyword is used.
    "yoast": yoast_rule("keyphraseDensity", "Yoast's range for the text length",
                        "scoring/assessments/seo/KeywordDensityAssessment.js, "
                        "languageProcessing/researches/keywordCount.js, scoring/helpers/assessments/"
                        "recommendedKeywordCount.js", severity="warning", minimum=0.5, maximum=3.0),
    # Rank Math: 1.0–2.5 % full points, 0.76–1.0 % 3, 0.5–0.75 % 2, else 0.
    "rankmath": rankmath_rule("keywordDensity", "1.0–2.5 %", minimum=1.0, maximum=2.5),
}, judge=_density_any))


def _h1(value: str, brief, rule: Rule) -> Verdict:
    found = bool(value and count_keyword(value, brief.keyword))
    return Verdict(found, value, "the H1 contains the keyword" if found else "the H1 lacks the keyword")


declare(Check(ids.KEYWORD_H1, "Keyword in H1", "the exact keyword in the post title (the page's H1)",
              {"brief": Rule("error", "contains keyword")}, fields=("title",), field_judge=_h1))


def _first_paragraph(r: Research, rule: Rule) -> Verdict:
    doc = r.doc
    first = doc.paragraphs[0].text if doc.paragraphs else ""
    n = count_keyword(first, r.brief.keyword)
    return Verdict(bool(n), n, "the first paragraph contains the keyword" if n else "the first paragraph lacks the keyword",
                   where=(doc.paragraphs[0].section,) if doc.paragraphs else ())


declare(Check(ids.KEYWORD_FIRST_PARAGRAPH, "Keyword in first paragraph", "the exact keyword in the first paragraph",
              {"brief": Rule("error", "≥ 1")}, judge=_first_paragraph))


def _h2(r: Research, rule: Rule) -> Verdict:
    h2s = [e for e in r.doc.headings if e.level == 2]
    found = [e.section for e in h2s if count_keyword(e.text, r.brief.keyword)]
    return Verdict(bool(found), len(found), f"{len(found)} of {len(h2s)} H2 headings contain the keyword",
                   where=tuple(found))


declare(Check(ids.KEYWORD_H2, "Keyword in a subheading", "H2 headings with the exact keyword",
              {"brief": Rule("warning", "≥ 1 H2")}, judge=_h2))


def _distribution(r: Research, rule: Rule) -> Verdict:
    per = r.keyword_per_section
    missing = [s for s, n in per.items() if n == 0]
    return Verdict(len(missing) <= len(per) // 2, per,
                   f"used in {len(per) - len(missing)} of {len(per)} sections" + (f"; none in {len(missing)}" if missing else ""),
                   where=tuple(missing))


declare(Check(ids.KEYWORD_DISTRIBUTION, "Keyword distribution", "sections that use the keyword",
              {"brief": Rule("warning", "in at least half of the sections")}, judge=_distribution))


# --- the plugins' keyphrase assessments -------------------------------------------------------

def _introduction(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id == "keywordIn10Percent":
        points = r.rankmath.points("keywordIn10Percent")
        return rankmath_verdict(points, "keywordIn10Percent", bool(points),
                                "the keyword is in the first 10 % of the words" if points
                                else "the keyword is not in the first 10 % of the words")
    y = r.yoast
    intro = y.introduction
    where = "in one sentence" if intro["found_in_one_sentence"] else "spread over the paragraph" if intro[
        "found_in_paragraph"] else "missing"
    text = " ".join(intro["text"].split())
    return yoast_verdict(y.score("introductionKeyword"), where,
                         f"the keyphrase's content words ({_content_words(r)}) are {where} in the first paragraph "
                         f"“{text[:60]}{'…' if len(text) > 60 else ''}”")


declare(Check(ids.KEYWORD_INTRODUCTION, "Keyphrase in introduction", "the keyphrase at the start of the content", {
    # Yoast: all content words of the keyphrase in one sentence of the first paragraph (list items
    # and other implicit paragraphs count as paragraphs; headings do not).
    "yoast": yoast_rule("introductionKeyword", "all content words in one sentence of the first paragraph",
                        "scoring/assessments/seo/IntroductionKeywordAssessment.js, "
                        "languageProcessing/researches/findKeywordInFirstParagraph.js"),
    # Rank Math: the keyword phrase within the first 10 % of the words (all of them up to 400).
    "rankmath": rankmath_rule("keywordIn10Percent", "in the first 10 % of the words", severity="error"),
}, judge=_introduction))


def _length(r: Research, rule: Rule) -> Verdict:
    y = r.yoast
    n = len(y.forms)
    only_function_words = bool(n) and all(w in _function_words() for w in _keyword_words(r))
    score = y.score("keyphraseLength")
    if only_function_words:
        return Verdict(False, n, f"the keyphrase consists of function words only ({_content_words(r)}); "
                                 "Yoast matches nothing (Yoast: bad)", points=0)
    return yoast_verdict(score, n, f"{n} content words ({_content_words(r)})")


def _function_words() -> frozenset[str]:
    from .yoast.data import yoast_data

    return yoast_data().function_words


def _keyword_words(r: Research) -> list[str]:
    from .yoast.text import WORD_BOUNDARY_WITH_HYPHEN, get_words

    return get_words(r.brief.keyword.lower(), WORD_BOUNDARY_WITH_HYPHEN)


declare(Check(ids.KEYWORD_LENGTH, "Keyphrase length", "content words of the keyphrase (function words dropped)", {
    # A warning: the keyword is the brief's, nothing the generator can change.
    "yoast": yoast_rule("keyphraseLength", "1–4 content words, not only function words",
                        "scoring/assessments/seo/KeyphraseLengthAssessment.js, "
                        "scoring/assessments/seo/FunctionWordsInKeyphraseAssessment.js", severity="warning"),
}, judge=_length))


def _subheadings(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id == "keywordInSubheadings":
        points = r.rankmath.points("keywordInSubheadings")
        return rankmath_verdict(points, "keywordInSubheadings", bool(points),
                                "the keyword is in an H2–H6 subheading" if points else "no H2–H6 subheading holds the keyword")
    y = r.yoast
    count, found = len(y.subheadings), [strip_full_tags(h) for h in y.subheadings_with_keyphrase]
    low, high = (count * 3 + 9) // 10, count * 3 // 4  # ceil(0.3 n), floor(0.75 n)
    target = f"{low}–{high} of {count} H2/H3" if count > 1 else "the one H2/H3" if count == 1 else "H2/H3 subheadings"
    return yoast_verdict(y.score("subheadingsKeyword"), {"subheadings": count, "with_keyphrase": len(found)},
                         f"{len(found)} of {count} H2/H3 subheadings hold all content words of the keyphrase "
                         f"({_content_words(r)})", where=tuple(found), target=target)


declare(Check(ids.KEYWORD_SUBHEADINGS, "Keyphrase in subheadings", "H2/H3 subheadings that hold the keyphrase", {
    # Yoast: more than half of the content words (two-word keyphrase: both) in 30–75 % of the H2
    # and H3 subheadings: of 2 exactly 1, of 3 1–2, of 4 2–3, of 6 2–4, of 8 3–6.
    "yoast": yoast_rule("subheadingsKeyword", "30–75 % of the H2/H3",
                        "scoring/assessments/seo/SubHeadingsKeywordAssessment.js, "
                        "languageProcessing/researches/matchKeywordInSubheadings.js", lower=0.3, upper=0.75),
    "rankmath": rankmath_rule("keywordInSubheadings", "in an H2–H6 subheading", severity="error"),
}, judge=_subheadings))


def _in_content(r: Research, rule: Rule) -> Verdict:
    points = r.rankmath.points("keywordInContent")
    return rankmath_verdict(points, "keywordInContent", bool(points),
                            "the content uses the keyword" if points else "the content does not use the keyword")


declare(Check(ids.KEYWORD_IN_CONTENT, "Keyword in content", "the keyword phrase anywhere in the content", {
    "rankmath": rankmath_rule("keywordInContent", "in the content", severity="error"),
}, judge=_in_content))
