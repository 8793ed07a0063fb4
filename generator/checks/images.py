"""Images: the SEO plugins want at least one, with the keyphrase in an alt text. Measured on the
content's <img> tags (core/image blocks), so the checks hold once posts carry images (issue #13);
warnings until then."""

from __future__ import annotations

from . import ids
from .plugins import rankmath_rule, rankmath_verdict, yoast_rule, yoast_verdict
from .registry import Check, Rule, Verdict, declare
from .research import Research


def _count(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id == "contentHasAssets":
        a = r.rankmath
        return rankmath_verdict(a.points("contentHasAssets"), "contentHasAssets", a.images,
                                f"{a.images} images, {a.videos} videos")
    n = len(r.yoast.images)
    return yoast_verdict(r.yoast.score("images"), n, f"{n} images")


declare(Check(ids.IMAGES_COUNT, "Images", "images in the content", {
    "yoast": yoast_rule("images", "≥ 1", "scoring/assessments/seo/ImageCountAssessment.js, "
                        "languageProcessing/researches/imageCount.js", severity="warning", minimum=1),
    # Rank Math: 1 image 1 point, 2 → 2, 3 → 4, 4 or more → 6 (videos add up to 2).
    "rankmath": rankmath_rule("contentHasAssets", "≥ 4 images", minimum=4),
}, judge=_count))


def _keyphrase_alt(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id == "keywordInImageAlt":
        points = r.rankmath.points("keywordInImageAlt")
        return rankmath_verdict(points, "keywordInImageAlt", bool(points), "an alt text holds the keyword" if points
                                else "no alt text holds the keyword")
    y = r.yoast
    alt = y.alt_properties
    return yoast_verdict(y.score("imageKeyphrase"), alt["withAltKeyword"],
                         f"{alt['withAltKeyword']} of {len(y.images)} images have the keyphrase in the alt text "
                         f"({alt['noAlt']} without alt text)")


declare(Check(ids.IMAGES_KEYPHRASE_ALT, "Keyphrase in image alt text", "images whose alt text holds the keyphrase", {
    # Yoast: at least half the content words in an alt text; with 5 or more images in 30–75 % of them.
    "yoast": yoast_rule("imageKeyphrase", "≥ 1 (30–75 % from 5 images)", "scoring/assessments/seo/"
                        "KeyphraseInImageTextAssessment.js, languageProcessing/researches/altTagCount.js",
                        severity="warning"),
    "rankmath": rankmath_rule("keywordInImageAlt", "an alt text with the keyword"),
}, judge=_keyphrase_alt))
