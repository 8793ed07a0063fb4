"""SEO title and meta description: lengths that are not cut off in search results, the keyword,
and the SEO plugins' assessments of both fields. Every check here judges one field, so the plan
and the repair step can judge a candidate before it is used (seo_title_failures, meta_failures)."""

from __future__ import annotations

from ..brief import Brief
from ..display import plural
from ..german import count_keyword
from ..textwidth import TITLE_MAX_PX
from . import ids
from .plugins import rankmath_rule, rankmath_verdict, yoast_rule, yoast_verdict
from .registry import Check, Rule, Verdict, declare, failures
from .research import rankmath_paper, title_width, yoast_field_analysis
from .rankmath import RankMathAnalysis

# Yoast counts the snippet date into the meta description's length: len(date) + 3 (" - "), and the
# plugin sends the post date for posts ('M j, Y', translated: "Sep. 30, 2025" is 13 characters in
# German). helpers/word/countMetaDescriptionLength.js; plugin src/editors/framework/seo/posts/
# description-data-provider.php. A description of 121–139 characters is green with or without
# a date of up to 14 characters.
YOAST_META_MIN = 121  # 120 is "too short" (MetaDescriptionLengthAssessment.js: ≤ 120 → ok, not good)
YOAST_META_MAX = 156
YOAST_DATE_ALLOWANCE = 14 + 3


def seo_title_failures(title: str, brief: Brief) -> list[str]:
    """Ids of the error-level SEO title checks a candidate fails (the plan and repair pick with it)."""
    return failures("seo_title", title, brief, prefix="seo_title.")


def meta_failures(desc: str, brief: Brief) -> list[str]:
    """Ids of the error-level meta description checks a candidate fails."""
    return failures("meta_description", desc, brief, prefix="meta.")


# --- SEO title ------------------------------------------------------------------------------

def _title_length(title: str, brief: Brief, rule: Rule) -> Verdict:
    n, limit = len(title), brief.targets.seo_title_max_chars
    msg = "the SEO title is empty" if n == 0 else plural(n, "character") + (
        "" if n <= limit else f"; {n - limit} over, cut off in search results")
    return Verdict(0 < n <= limit, n, msg, target=f"1–{limit} characters")  # an empty SEO title is no title


declare(Check(ids.SEO_TITLE_LENGTH, "SEO title length", "characters of the SEO title",
              {"brief": Rule("error", "1–seo_title_max_chars characters")}, fields=("seo_title",),
              field_judge=_title_length))


def _title_keyword(title: str, brief: Brief, rule: Rule) -> Verdict:
    n = count_keyword(title, brief.keyword)
    return Verdict(bool(n), n, "the SEO title contains the keyword" if n else "the SEO title lacks the keyword")


declare(Check(ids.SEO_TITLE_KEYWORD, "Keyword in SEO title", "the exact keyword in the SEO title",
              {"brief": Rule("error", "contains keyword")}, fields=("seo_title",), field_judge=_title_keyword))


def _keyword_start(title: str, brief: Brief, rule: Rule) -> Verdict:
    if rule.plugin_id == "titleStartWithKeyword":
        points = RankMathAnalysis(rankmath_paper(brief, title=title)).points("titleStartWithKeyword")
        return rankmath_verdict(points, "titleStartWithKeyword", bool(points),
                                "the keyword starts in the first half of the SEO title" if points
                                else "the keyword is not in the first half of the SEO title")
    y = yoast_field_analysis(brief, title=title)
    m = y.seo_title_match
    where = ("at the beginning" if m["exact"] and m["position"] == 0 else
             f"at character {m['position']}" if m["exact"] else "only as separate words" if m["all_words"] else "missing")
    return yoast_verdict(y.score("keyphraseInSEOTitle"), m["position"],
                         f"the keyphrase “{brief.keyword}” is {where} in the SEO title")


declare(Check(ids.SEO_TITLE_KEYWORD_START, "Keyphrase at the start of the SEO title", "where the SEO title has the keyphrase", {
    # Yoast: the keyphrase as typed, with nothing but function words ("Die", "Mit") before it;
    # a leading number ("7 bewährte …") is not a function word.
    "yoast": yoast_rule("keyphraseInSEOTitle", "at the beginning", "scoring/assessments/seo/"
                        "KeyphraseInSEOTitleAssessment.js, languageProcessing/researches/findKeyphraseInSEOTitle.js"),
    # Rank Math: the keyword phrase starts in the first half of the title's words.
    "rankmath": rankmath_rule("titleStartWithKeyword", "in the first half", severity="error"),
}, fields=("seo_title",), field_judge=_keyword_start))


def _keyphrase_in_title(title: str, brief: Brief, rule: Rule) -> Verdict:
    points = RankMathAnalysis(rankmath_paper(brief, title=title)).points("keywordInTitle")
    return rankmath_verdict(points, "keywordInTitle", bool(points), "the SEO title holds the keyword" if points
                            else "the SEO title lacks the keyword")


declare(Check(ids.SEO_TITLE_KEYPHRASE, "Keyword in SEO title (Rank Math)", "the keyword's words in the SEO title's words", {
    "rankmath": rankmath_rule("keywordInTitle", "in the SEO title", severity="error"),
}, fields=("seo_title",), field_judge=_keyphrase_in_title))


def _width(title: str, brief: Brief, rule: Rule) -> Verdict:
    px = title_width(title)
    score = yoast_field_analysis(brief, title=title).score("titleWidth")
    return yoast_verdict(score, px, f"{px} px wide in Arial 20 px")


declare(Check(ids.SEO_TITLE_WIDTH, "SEO title width", "pixel width of the SEO title (Arial 20 px, as the plugin measures it)", {
    # Yoast: > 600 px is cut off (generator/textwidth.py measures with Arial's metrics).
    "yoast": yoast_rule("titleWidth", f"≤ {TITLE_MAX_PX:g} px", "scoring/assessments/seo/PageTitleWidthAssessment.js, "
                        "languageProcessing/researches/pageTitleWidth.js", maximum=TITLE_MAX_PX),
}, fields=("seo_title",), field_judge=_width))


def _title_number(title: str, brief: Brief, rule: Rule) -> Verdict:
    points = RankMathAnalysis(rankmath_paper(brief, title=title)).points("titleHasNumber")
    return rankmath_verdict(points, "titleHasNumber", bool(points), "a number" if points else "no number")


declare(Check(ids.SEO_TITLE_NUMBER, "Number in SEO title (Rank Math)", "a digit in the SEO title", {
    "rankmath": rankmath_rule("titleHasNumber", "a digit"),
}, fields=("seo_title",), field_judge=_title_number))


def _title_power_word(title: str, brief: Brief, rule: Rule) -> Verdict:
    a = RankMathAnalysis(rankmath_paper(brief, title=title))
    found = a.power_words_in_title()
    return rankmath_verdict(a.points("titleHasPowerWords"), "titleHasPowerWords", found,
                            "power words: " + ", ".join(found) if found else "no power word from Rank Math's list")


declare(Check(ids.SEO_TITLE_POWER_WORD, "Power word in SEO title (Rank Math)", "a word of Rank Math's German list "
              "(assets/vendor/powerwords/de.php; umlauts are written out by Rank Math, so „bewährte“ never matches)", {
    "rankmath": rankmath_rule("titleHasPowerWords", "a power word"),
}, fields=("seo_title",), field_judge=_title_power_word))


# --- meta description ------------------------------------------------------------------------

def _bounds(brief: Brief, rule: Rule) -> tuple[int, int]:
    lo, hi = brief.targets.meta_description_min_chars, brief.targets.meta_description_max_chars
    if rule.plugin_id == "metaDescriptionLength":
        lo, hi = max(lo, YOAST_META_MIN), min(hi, YOAST_META_MAX - YOAST_DATE_ALLOWANCE)
    return lo, hi


def meta_length_bounds(brief: Brief, profile: str | None = None) -> tuple[int, int]:
    """The meta description's length bounds the checker applies: the brief's, narrowed by the SEO
    plugin's under its profile (for building or describing a description that passes)."""
    from .registry import get_check, profile_of

    return _bounds(brief, get_check(ids.META_LENGTH).rule(profile_of(brief, profile)))


def _meta_length(desc: str, brief: Brief, rule: Rule) -> Verdict:
    n = len(desc)
    lo, hi = _bounds(brief, rule)
    ok = n > 0 and lo <= n <= hi
    if n == 0:
        msg = "the meta description is empty"
    elif ok:
        msg = plural(n, "character")
    elif n > hi:
        msg = f"{plural(n, 'character')}; {n - hi} over" + (" (Yoast adds the post date: up to "
                                                             f"{n + YOAST_DATE_ALLOWANCE} of {YOAST_META_MAX})"
                                                             if rule.plugin_id else ", cut off in search results")
    else:
        msg = f"{plural(n, 'character')}; {lo - n} short"
    return Verdict(ok, n, msg, target=f"{max(lo, 1)}–{hi} characters")


declare(Check(ids.META_LENGTH, "Meta description length", "characters of the meta description", {
    "brief": Rule("error", "meta_description_min_chars–meta_description_max_chars characters"),
    "yoast": yoast_rule("metaDescriptionLength", f"{YOAST_META_MIN}–{YOAST_META_MAX - YOAST_DATE_ALLOWANCE} characters "
                        "(and within the brief's bounds)", "scoring/assessments/seo/MetaDescriptionLengthAssessment.js, "
                        "languageProcessing/helpers/word/countMetaDescriptionLength.js",
                        minimum=YOAST_META_MIN, maximum=YOAST_META_MAX, date_allowance=YOAST_DATE_ALLOWANCE),
}, fields=("meta_description",), field_judge=_meta_length))


def _meta_keyword(desc: str, brief: Brief, rule: Rule) -> Verdict:
    n = count_keyword(desc, brief.keyword)
    return Verdict(bool(n), n, "the meta description contains the keyword" if n
                   else "the meta description lacks the keyword")


declare(Check(ids.META_KEYWORD, "Keyword in meta description", "the exact keyword in the meta description",
              {"brief": Rule("error", "contains keyword")}, fields=("meta_description",), field_judge=_meta_keyword))


def _meta_keyphrase(desc: str, brief: Brief, rule: Rule) -> Verdict:
    if rule.plugin_id == "keywordInMetaDescription":
        points = RankMathAnalysis(rankmath_paper(brief, description=desc)).points("keywordInMetaDescription")
        return rankmath_verdict(points, "keywordInMetaDescription", bool(points),
                                "the meta description holds the keyword" if points else "the meta description lacks the keyword")
    y = yoast_field_analysis(brief, description=desc)
    n = y.meta_keyphrase_count
    return yoast_verdict(y.score("metaDescriptionKeyword"), n, f"{n} full matches of the keyphrase's content words "
                         "within a sentence" + (" (over-optimized)" if n > 2 else ""))


declare(Check(ids.META_KEYPHRASE, "Keyphrase in meta description (SEO plugin)", "the keyphrase in the meta description", {
    # Yoast: all content words within one sentence, 1 or 2 times (3 or more is "over-optimized").
    "yoast": yoast_rule("metaDescriptionKeyword", "1–2 times", "scoring/assessments/seo/"
                        "MetaDescriptionKeywordAssessment.js, languageProcessing/researches/metaDescriptionKeyword.js"),
    "rankmath": rankmath_rule("keywordInMetaDescription", "in the meta description", severity="error"),
}, fields=("meta_description",), field_judge=_meta_keyphrase))
