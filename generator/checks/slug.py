"""Slug: lowercase ASCII with hyphens, German transliteration, short, holds the keyword."""

from __future__ import annotations

import re

from ..brief import Brief
from ..display import plural
from ..german import STOP_WORDS, content_words
from ..post import Document
from . import CheckResult, check, result

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@check
def slug_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    slug = doc.post.slug
    if slug is None:  # a bare .html post: say so for each slug check, without failing the content
        return [result(check_id, name, False, None, "", "not measured: the file has no slug", severity="warning")
                for check_id, name in (("slug.format", "Slug format"), ("slug.keyword", "Keyword in slug"),
                                       ("slug.stop_words", "No stop words in slug"))]
    parts = slug.split("-")
    needed = content_words(brief.keyword)
    missing = [w for w in needed if w not in parts]
    stops = [p for p in parts if p in STOP_WORDS]
    fmt_ok = bool(_SLUG.fullmatch(slug)) and len(slug) <= 75
    return [
        result("slug.format", "Slug format", fmt_ok, slug, "a-z, 0-9, hyphens; ≤ 75 characters",
               plural(len(slug), "character") + ("" if _SLUG.fullmatch(slug) else
                                            "; only lowercase ASCII letters, digits and single hyphens (ä→ae, ß→ss)")),
        result("slug.keyword", "Keyword in slug", not missing, missing, " + ".join(needed),
               "the slug holds the keyword's words" if not missing else "missing: " + ", ".join(missing)),
        result("slug.stop_words", "No stop words in slug", not stops, stops, "none",
               "no stop words" if not stops else "stop words: " + ", ".join(stops), severity="warning"),
    ]
