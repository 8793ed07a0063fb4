"""A post measured once: every check reads its figures from here (Yoast's "researcher").

genpost's own figures (visible words, exact-phrase keyword uses, SoMaJo sentences …) come from
the Document; the SEO plugins' figures from their own analyses (yoast/, rankmath.py), built only
when a check of that profile asks for them.
"""

from __future__ import annotations

from functools import cached_property

from ..brief import Brief
from ..german import count_keyword
from ..post import Document
from ..textwidth import text_width
from .rankmath import RankMathAnalysis, RankMathPaper
from .yoast import YoastAnalysis, YoastPaper
from .yoast.segments import analysis as yoast_analysis


def site_url(brief: Brief) -> str:
    """The site's address as the SEO plugin sees it (for the permalink)."""
    if brief.wordpress.url:
        return str(brief.wordpress.url).rstrip("/")
    return f"https://{brief.website}"


def permalink(brief: Brief, slug: str) -> str:
    return f"{site_url(brief)}/{slug}/"


def title_width(title: str) -> int:
    """The SEO title's width as Yoast compares it: Arial 20 px, rounded to whole pixels (the plugin
    measures a hidden div's offsetWidth, an integer; packages/js/src/helpers/measureTextWidth.js)."""
    return round(text_width(title)) if title else 0


class Research:
    def __init__(self, doc: Document, brief: Brief, profile: str):
        self.doc = doc
        self.brief = brief
        self.profile = profile

    # --- genpost's own figures --------------------------------------------------------------

    @cached_property
    def keyword_count(self) -> int:
        return count_keyword(self.doc.text, self.brief.keyword)

    @cached_property
    def keyword_per_section(self) -> dict[str, int]:
        per = dict.fromkeys(self.doc.sections, 0)
        for e in self.doc.text_elements:
            per[e.section] += count_keyword(e.text, self.brief.keyword)
        return per

    @cached_property
    def words(self) -> int:
        return len(self.doc.word_list)

    @cached_property
    def internal_links(self) -> list:
        return [l for l in self.doc.links if self.brief.is_internal(l.href)]

    @cached_property
    def external_links(self) -> list:
        return [l for l in self.doc.links if not self.brief.is_internal(l.href)]

    def memo(self, key: str, compute):
        """A measurement several checks share, computed once per post."""
        cache = self.__dict__.setdefault("_memo", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    @cached_property
    def section_words(self) -> dict[str, int]:
        return {s: sum(len(e.word_list) for e in self.doc.text_elements if e.section == s and e.kind != "heading")
                for s in self.doc.sections}

    # --- the SEO plugins' figures -----------------------------------------------------------

    @cached_property
    def yoast(self) -> YoastAnalysis:
        post = self.doc.post
        seo_title = post.seo_title or ""
        paper = YoastPaper(content=post.markup, keyword=self.brief.keyword, title=seo_title,
                           description=post.meta_description or "", slug=post.slug or "",
                           permalink=permalink(self.brief, post.slug or ""),
                           title_width=title_width(seo_title) if post.seo_title is not None else None)
        # Block by block, each block's figures cached: a re-check reads only the blocks that changed.
        return yoast_analysis(paper, [b.start for b in self.doc.blocks if b.name is not None])

    @cached_property
    def rankmath(self) -> RankMathAnalysis:
        post = self.doc.post
        return RankMathAnalysis(rankmath_paper(self.brief, post.markup, post.seo_title or "",
                                               post.meta_description or "", post.slug or ""))


def rankmath_paper(brief: Brief, content: str = "", title: str = "", description: str = "",
                   slug: str = "") -> RankMathPaper:
    return RankMathPaper(content=content, keyword=brief.keyword, title=title, description=description, slug=slug,
                         url=permalink(brief, slug) if slug else "", site_domain=brief.website)


def yoast_field_analysis(brief: Brief, title: str = "", description: str = "", slug: str = "") -> YoastAnalysis:
    """Yoast's analysis of one field alone (an SEO title or description candidate)."""
    return YoastAnalysis(YoastPaper(content="", keyword=brief.keyword, title=title, description=description,
                                    slug=slug, title_width=title_width(title) if title else None))
