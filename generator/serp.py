"""A Google result snippet for a post: title and description cut by pixel width as a result page
cuts them, with the same measure (textwidth.py) the checker uses for the SEO title's width."""

from __future__ import annotations

from pydantic import BaseModel

from .textwidth import (DESCRIPTION_MAX_PX_DESKTOP, DESCRIPTION_MAX_PX_MOBILE, SERP_DESCRIPTION_SIZE_PX,
                        SERP_TITLE_SIZE_PX, TITLE_MAX_PX, text_width, truncate)


class Cut(BaseModel):
    """A text as the result page shows it in a box `max_px` wide."""

    full: str
    shown: str
    cut: bool
    width_px: float  # of the full text, on one line
    max_px: float
    size_px: float


class Snippet(BaseModel):
    site: str  # ai-projektmanager.de
    url: str  # https://ai-projektmanager.de/slug/
    breadcrumb: list[str]  # ["https://ai-projektmanager.de", "slug"]
    title: Cut  # desktop and mobile alike: Google cuts the title at ≈ 600 px on both
    description_desktop: Cut | None
    description_mobile: Cut | None


def cut(text: str, max_px: float, size_px: float) -> Cut:
    shown, was_cut = truncate(text, max_px, size_px)
    return Cut(full=text, shown=shown, cut=was_cut, width_px=round(text_width(text, size_px), 1), max_px=max_px,
               size_px=size_px)


def snippet(website: str, slug: str, title: str, description: str | None) -> Snippet:
    site = website.strip().strip("/")
    return Snippet(
        site=site, url=f"https://{site}/{slug}/", breadcrumb=[f"https://{site}", slug],
        title=cut(title, TITLE_MAX_PX, SERP_TITLE_SIZE_PX),
        description_desktop=cut(description, DESCRIPTION_MAX_PX_DESKTOP, SERP_DESCRIPTION_SIZE_PX)
        if description else None,
        description_mobile=cut(description, DESCRIPTION_MAX_PX_MOBILE, SERP_DESCRIPTION_SIZE_PX)
        if description else None,
    )
