"""Images: the SEO plugins want at least one, with the keyphrase in an alt text. Measured on the
content's <img> tags (core/image blocks), so the checks hold once posts carry images (issue #13);
warnings until then."""

from __future__ import annotations

import re
from pathlib import Path

from ..german import count_keyword
from . import ids
from .plugins import rankmath_rule, rankmath_verdict, yoast_rule, yoast_verdict
from .registry import Check, Rule, Verdict, declare
from .research import Research


def _count(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id == "contentHasAssets":
        a = r.rankmath
        return rankmath_verdict(a.points("contentHasAssets"), "contentHasAssets", a.images,
                                f"{a.images} images, {a.videos} videos")
    n = r.yoast.image_count
    return yoast_verdict(r.yoast.score("images"), n, f"{n} images")


declare(Check(ids.IMAGES_COUNT, "Images", "images in the content", {
    "yoast": yoast_rule("images", "≥ 1", "scoring/assessments/seo/ImageCountAssessment.js, "
                        "languageProcessing/researches/imageCount.js", severity="warning", minimum=1),
    # Rank Math: 1 image 1 point, 2 → 2, 3 → 4, 4 or more → 6 (videos add up to 2).
    "rankmath": rankmath_rule("contentHasAssets", "≥ 4 images", minimum=4),
}, judge=_count))


def _keyphrase_alt(r: Research, rule: Rule) -> Verdict:
    if not rule.plugin_id:  # the brief's rule: the exact keyword in one alt text, when there are images
        alts = [alt or "" for _, alt in content_images(r)]
        n = sum(1 for alt in alts if count_keyword(alt, r.brief.keyword))
        return Verdict(n >= 1 or not alts, n, "no images" if not alts else
                       f"{n} of {len(alts)} alt texts hold “{r.brief.keyword}”")
    if rule.plugin_id == "keywordInImageAlt":
        points = r.rankmath.points("keywordInImageAlt")
        return rankmath_verdict(points, "keywordInImageAlt", bool(points), "an alt text holds the keyword" if points
                                else "no alt text holds the keyword")
    y = r.yoast
    alt = y.alt_properties
    return yoast_verdict(y.score("imageKeyphrase"), alt["withAltKeyword"],
                         f"{alt['withAltKeyword']} of {y.image_count} images have the keyphrase in the alt text "
                         f"({alt['noAlt']} without alt text)")


declare(Check(ids.IMAGES_KEYPHRASE_ALT, "Keyphrase in image alt text", "images whose alt text holds the keyphrase", {
    "brief": Rule("error", "≥ 1 alt text with the keyword, when there are images"),
    # Yoast: at least half the content words in an alt text; with 5 or more images in 30–75 % of them.
    "yoast": yoast_rule("imageKeyphrase", "≥ 1 (30–75 % from 5 images)", "scoring/assessments/seo/"
                        "KeyphraseInImageTextAssessment.js, languageProcessing/researches/altTagCount.js",
                        severity="warning"),
    "rankmath": rankmath_rule("keywordInImageAlt", "an alt text with the keyword"),
}, judge=_keyphrase_alt))


# --- the brief's own rules for images (issue #13) ---------------------------------------------

ALT_MAX = 125  # characters a screen reader reads comfortably; genpost writes alt texts this short
MAX_BYTES = 200_000  # an image file beside the post
_FILE_NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\.(?:webp|jpg|jpeg|png)")


def content_images(r: Research) -> list[tuple[str, str | None]]:
    """(src, alt) of every <img> in the content's image blocks; alt None when it has none."""
    out = []
    for e in r.doc.elements:
        if e.block.name == "core/image" and e.view is not None:
            out.extend(e.view.images)
    return out


def _alt(r: Research, rule: Rule) -> Verdict:
    images = content_images(r)
    bad = [src for src, alt in images if not (alt or "").strip() or len(alt) > ALT_MAX]
    return Verdict(not bad, len(bad), "no images" if not images else
                   f"every image has an alt text of at most {ALT_MAX} characters" if not bad
                   else f"{len(bad)} of {len(images)} images without alt text or with one over {ALT_MAX} characters: "
                   + ", ".join(Path(src).name for src in bad[:4]))


declare(Check(ids.IMAGES_ALT, "Image alt texts", "images without an alt text, or with one over 125 characters",
              {"brief": Rule("error", f"every image: 1–{ALT_MAX} characters")}, judge=_alt))


def _files(r: Research, rule: Rule) -> Verdict:
    """The files genpost wrote beside the post: slug names, at most 200 kB (only what is local is
    measured; a published post's images are the media library's)."""
    problems: list[str] = []
    for src, _ in content_images(r):
        if "://" in src or src.startswith(("/", "data:")):
            continue
        name = Path(src).name
        if not _FILE_NAME.fullmatch(name):
            problems.append(f"{name}: not a slug file name")
        folder = r.doc.post.folder
        if folder is not None:
            path = (folder / src).resolve()
            if folder.resolve() in path.parents and path.is_file() and path.stat().st_size > MAX_BYTES:
                problems.append(f"{name}: {path.stat().st_size // 1000} kB")
    return Verdict(not problems, problems, "image files are slugs of at most 200 kB" if not problems
                   else "; ".join(problems[:4]))


declare(Check(ids.IMAGES_FILES, "Image files", "names and sizes of the image files beside the post",
              {"brief": Rule("warning", "slug names, ≤ 200 kB")}, judge=_files))
