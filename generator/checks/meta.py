"""SEO title and meta description: lengths that are not cut off in search results, and the keyword."""

from __future__ import annotations

from ..brief import Brief
from ..german import count_keyword
from ..post import Document
from . import CheckResult, check, result


def _absent(id: str, name: str, what: str) -> CheckResult:
    # A bare .html post has no SEO fields: say so, without failing the post's own content.
    return result(id, name, False, None, "", f"not measured: the file has no {what}", severity="warning")


def seo_title_failures(title: str, brief: Brief) -> list[str]:
    t = brief.targets
    return ([] if len(title) <= t.seo_title_max_chars else ["seo_title.length"]) + (
        [] if count_keyword(title, brief.keyword) else ["seo_title.keyword"])


def meta_failures(desc: str, brief: Brief) -> list[str]:
    t = brief.targets
    return ([] if t.meta_description_min_chars <= len(desc) <= t.meta_description_max_chars else ["meta.length"]) + (
        [] if count_keyword(desc, brief.keyword) else ["meta.keyword"])


@check
def meta_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    t, kw = brief.targets, brief.keyword
    title, desc = doc.post.seo_title, doc.post.meta_description
    out: list[CheckResult] = []
    if title is None:
        out += [_absent("seo_title.length", "SEO title length", "SEO title"),
                _absent("seo_title.keyword", "Keyword in SEO title", "SEO title")]
    else:
        n = len(title)
        out += [
            result("seo_title.length", "SEO title length", n <= t.seo_title_max_chars, n,
                   f"≤ {t.seo_title_max_chars} characters",
                   f"{n} characters" + ("" if n <= t.seo_title_max_chars
                                         else f"; {n - t.seo_title_max_chars} over, cut off in search results")),
            result("seo_title.keyword", "Keyword in SEO title", bool(count_keyword(title, kw)),
                   count_keyword(title, kw), "contains keyword",
                   "the SEO title contains the keyword" if count_keyword(title, kw) else "the SEO title lacks the keyword"),
        ]
    if desc is None:
        out += [_absent("meta.length", "Meta description length", "meta description"),
                _absent("meta.keyword", "Keyword in meta description", "meta description")]
    else:
        n = len(desc)
        lo, hi = t.meta_description_min_chars, t.meta_description_max_chars
        out += [
            result("meta.length", "Meta description length", lo <= n <= hi, n, f"{lo}–{hi} characters",
                   f"{n} characters" + ("" if lo <= n <= hi else f"; {n - hi} over, cut off in search results"
                                        if n > hi else f"; {lo - n} short")),
            result("meta.keyword", "Keyword in meta description", bool(count_keyword(desc, kw)),
                   count_keyword(desc, kw), "contains keyword",
                   "the meta description contains the keyword" if count_keyword(desc, kw)
                   else "the meta description lacks the keyword"),
        ]
    return out
