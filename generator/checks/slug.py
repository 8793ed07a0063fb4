"""Slug: lowercase ASCII with hyphens, German transliteration, short, holds the keyword; and the
SEO plugins' keyword-in-URL and URL-length assessments."""

from __future__ import annotations

import re

from ..brief import Brief
from ..german import STOP_WORDS, content_words
from ..display import plural
from . import ids
from .plugins import rankmath_rule, rankmath_verdict, yoast_rule, yoast_verdict
from .rankmath import RankMathAnalysis
from .registry import Check, Rule, Verdict, declare
from .research import permalink, rankmath_paper, yoast_field_analysis

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _format(slug: str, brief: Brief, rule: Rule) -> Verdict:
    ok = bool(_SLUG.fullmatch(slug)) and len(slug) <= 75
    return Verdict(ok, slug, plural(len(slug), "character") + ("" if _SLUG.fullmatch(slug) else
                                                         "; only lowercase ASCII letters, digits and single hyphens (ä→ae, ß→ss)"))


declare(Check(ids.SLUG_FORMAT, "Slug format", "characters of the slug", {"brief": Rule("error", "a-z, 0-9, hyphens; ≤ 75 characters")},
              fields=("slug",), field_judge=_format))


def _keyword(slug: str, brief: Brief, rule: Rule) -> Verdict:
    parts = slug.split("-")
    needed = content_words(brief.keyword)
    missing = [w for w in needed if w not in parts]
    return Verdict(not missing, missing, "the slug holds the keyword's words" if not missing
                   else "missing: " + ", ".join(missing), target=" + ".join(needed))


declare(Check(ids.SLUG_KEYWORD, "Keyword in slug", "the keyword's content words among the slug's parts",
              {"brief": Rule("error", "the keyword's content words")}, fields=("slug",), field_judge=_keyword))


def _stop_words(slug: str, brief: Brief, rule: Rule) -> Verdict:
    # Under Rank Math the keyword's own stop words belong in the slug (keywordInPermalink).
    own = set(_keyword_slug(brief).split("-")) if rule.limits.get("keep_keyword") else set()
    stops = [p for p in slug.split("-") if p in STOP_WORDS and p not in own]
    return Verdict(not stops, stops, "no stop words" if not stops else "stop words: " + ", ".join(stops))


def _keyword_slug(brief: Brief) -> str:
    return RankMathAnalysis(rankmath_paper(brief)).keyword_permalink()


declare(Check(ids.SLUG_STOP_WORDS, "No stop words in slug", "stop words among the slug's parts", {
    "brief": Rule("warning", "none"),
    "rankmath": Rule("warning", "none besides the keyword's own", limits={"keep_keyword": True}),
}, fields=("slug",), field_judge=_stop_words))


def _keyphrase(slug: str, brief: Brief, rule: Rule) -> Verdict:
    if rule.plugin_id == "keywordInPermalink":
        points = RankMathAnalysis(rankmath_paper(brief, slug=slug)).points("keywordInPermalink")
        want = _keyword_slug(brief)
        return rankmath_verdict(points, "keywordInPermalink", bool(points),
                                f"the URL holds “{want}”" if points else f"the URL lacks “{want}” (the whole keyword)")
    y = yoast_field_analysis(brief, slug=slug)
    return yoast_verdict(y.score("slugKeyword"), y.slug_percent, f"{y.slug_percent} % of the keyphrase's content words")


declare(Check(ids.SLUG_KEYPHRASE, "Keyphrase in slug (SEO plugin)", "the keyphrase in the slug", {
    # Yoast: all content words for keyphrases of 1–2 content words, more than half for longer ones.
    "yoast": yoast_rule("slugKeyword", "all content words", "scoring/assessments/seo/UrlKeywordAssessment.js, "
                        "languageProcessing/researches/keywordCountInUrl.js"),
    # Rank Math: the whole keyword as a slug, function words included ("zeiterfassung-im-handwerk").
    "rankmath": rankmath_rule("keywordInPermalink", "the whole keyword, function words included", severity="error"),
}, fields=("slug",), field_judge=_keyphrase))


def _url_length(slug: str, brief: Brief, rule: Rule) -> Verdict:
    url = permalink(brief, slug)
    points = 4 if len(url) <= 75 else 0
    return rankmath_verdict(points, "lengthPermalink", len(url), f"{url} has {len(url)} characters")


declare(Check(ids.SLUG_URL_LENGTH, "URL length (Rank Math)", "characters of the post's full URL", {
    "rankmath": rankmath_rule("lengthPermalink", "≤ 75 characters", maximum=75),
}, fields=("slug",), field_judge=_url_length))
