"""SEO title and meta description: lengths that are not cut off in search results, and the keyword."""

from __future__ import annotations

from ..brief import Brief
from ..display import plural
from ..german import count_keyword
from ..post import Document
from . import CheckResult, check, result


def _absent(id: str, name: str, what: str) -> CheckResult:
    # A bare .html post has no SEO fields: say so, without failing the post's own content.
    return result(id, name, False, None, "", f"not measured: the file has no {what}", severity="warning")


def _title_length_ok(n: int, brief: Brief) -> bool:
    return 0 < n <= brief.targets.seo_title_max_chars  # an empty SEO title is no title


def _meta_length_ok(n: int, brief: Brief) -> bool:
    t = brief.targets
    return n > 0 and t.meta_description_min_chars <= n <= t.meta_description_max_chars


def seo_title_failures(title: str, brief: Brief) -> list[str]:
    """Ids of the SEO-title checks a candidate breaks (plan and repair pick titles with this)."""
    return ([] if _title_length_ok(len(title), brief) else ["seo_title.length"]) + (
        [] if count_keyword(title, brief.keyword) else ["seo_title.keyword"])


def meta_failures(desc: str, brief: Brief) -> list[str]:
    """Ids of the meta-description checks a candidate breaks."""
    return ([] if _meta_length_ok(len(desc), brief) else ["meta.length"]) + (
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
            result("seo_title.length", "SEO title length", _title_length_ok(n, brief), n,
                   f"1–{t.seo_title_max_chars} characters",
                   "the SEO title is empty" if n == 0 else plural(n, "character") + (
                       "" if n <= t.seo_title_max_chars
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
            result("meta.length", "Meta description length", _meta_length_ok(n, brief), n,
                   f"{max(lo, 1)}–{hi} characters",
                   "the meta description is empty" if n == 0 else plural(n, "character") + (
                       "" if lo <= n <= hi else f"; {n - hi} over, cut off in search results"
                       if n > hi else f"; {lo - n} short")),
            result("meta.keyword", "Keyword in meta description", bool(count_keyword(desc, kw)),
                   count_keyword(desc, kw), "contains keyword",
                   "the meta description contains the keyword" if count_keyword(desc, kw)
                   else "the meta description lacks the keyword"),
        ]
    return out
