"""Step 3, render: the draft becomes WordPress block markup through the Jinja2 templates in
templates/, autoescaped. Only URLs that the plan gave a section become links, each once."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Callable

import jinja2
from pydantic import BaseModel

from .fsutil import data_dir
from .markers import find_links
from .plaintext import plain_line, plain_text
from .post import Post

if TYPE_CHECKING:
    from .brief import Brief
    from .draft import Draft, SectionDraft
    from .plan import LinkSlot, Plan, PlannedImage, SectionPlan

TEMPLATES_DIR = data_dir("templates")
SPACER_HEIGHT = "40px"


class Segment(BaseModel):
    text: str
    url: str | None = None


@lru_cache(maxsize=1)
def env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"), default=False),
        undefined=jinja2.StrictUndefined, trim_blocks=False, lstrip_blocks=False, keep_trailing_newline=True)


def planned_links(section: "SectionPlan", brief: "Brief") -> dict[str, "LinkSlot"]:
    """The links the plan gave a section, by the key URLs are compared with."""
    return {brief.url_key(l.url): l for l in section.links}


def segments(paragraph: str, planned: dict[str, "LinkSlot"], used: set[str], key: Callable[[str], str]
             ) -> list[Segment]:
    """Split a paragraph at its links, in any form a model writes them (markers.py). A link whose
    URL the plan gave this section (`planned`: url_key -> slot), and which is not linked yet,
    becomes a link to the brief's URL; any other keeps only its anchor text."""
    out: list[Segment] = []
    pos = 0
    for link in find_links(paragraph, lambda url: s.anchor if (s := planned.get(key(url))) else None):
        if link.start > pos:
            out.append(Segment(text=paragraph[pos:link.start]))
        anchor = plain_line(link.anchor)
        k = key(link.url)
        if k in planned and k not in used and anchor:
            used.add(k)
            out.append(Segment(text=anchor, url=planned[k].url))
        else:
            out.append(Segment(text=anchor))
        if link.trailing:
            out.append(Segment(text=link.trailing))
        pos = link.end
    if pos < len(paragraph):
        out.append(Segment(text=paragraph[pos:]))
    merged: list[Segment] = []
    for s in out:
        if merged and merged[-1].url is None and s.url is None:
            merged[-1] = Segment(text=merged[-1].text + s.text)
        else:
            merged.append(s)
    return [Segment(text=plain_text(s.text) if s.url is None else s.text, url=s.url) for s in merged if s.text]


def section_view(sd: "SectionDraft", sp: "SectionPlan", brief: "Brief") -> tuple[list[str], set[str]]:
    """What a section renders to: the visible text of each paragraph, and the URLs (by key) it links."""
    used: set[str] = set()
    planned = planned_links(sp, brief)
    texts = ["".join(seg.text for seg in segments(p, planned, used, brief.url_key)) for p in sd.paragraphs]
    return texts, used


def render_markup(draft: Draft, plan: Plan, brief: Brief, include_h1: bool = True) -> str:
    used: set[str] = set()
    sections = []
    for i, (sp, sd) in enumerate(zip(plan.sections, draft.sections)):
        planned = planned_links(sp, brief)
        paragraphs = [segments(p, planned, used, brief.url_key) for p in sd.paragraphs]
        image = next((im for im in plan.images if im.role == "content" and im.section == i and im.file), None)
        sections.append({"heading": sp.heading if i > 0 else None, "paragraphs": [p for p in paragraphs if p],
                         "image": image_view(image) if image else None})
    markup = env().get_template("post.html.j2").render(h1=plan.h1, sections=sections, include_h1=include_h1,
                                                       spacer_height=SPACER_HEIGHT)
    return markup.strip("\n") + "\n"


def image_view(image: PlannedImage, src: str | None = None, attachment: int | None = None) -> dict:
    """What the image template needs: the file beside post.html until publishing gives a URL and
    an attachment id."""
    return {"src": src or image.file, "alt": image.alt, "caption": image.caption, "width": image.width,
            "height": image.height, "id": attachment}


def image_block(image: PlannedImage, src: str, attachment: int) -> str:
    """One image block as published: the uploaded file's URL and its attachment id."""
    return str(env().get_template("blocks.html.j2").module.image(image_view(image, src, attachment)))


def heading_block(text: str, level: int) -> str:
    """One heading block exactly as posts are rendered (publishing rebuilds the H1 with it)."""
    return str(env().get_template("blocks.html.j2").module.heading(text, level))


def render_post(draft: Draft, plan: Plan, brief: Brief) -> Post:
    """The post as WordPress stores it: the H1 is the post's title (the theme prints it, so the page
    has one H1), the content is the blocks without it."""
    return Post(markup=render_markup(draft, plan, brief, include_h1=False), title=plan.h1, seo_title=plan.seo_title,
                meta_description=plan.meta_description, slug=plan.slug)


def render_document(post: Post, brief: Brief, h1: str, checklist: list[dict], version: str,
                    images: list[PlannedImage] = ()) -> str:
    """post.md in the seed's layout, with the measured checklist (and the images, when any); the
    content section is the content without the H1, paste-ready under the title field."""
    return env().get_template("post.md.j2").render(
        brief=brief, h1=h1, seo_title=post.seo_title, meta_description=post.meta_description, slug=post.slug,
        markup=post.markup.rstrip("\n"), checklist=checklist, version=version, images=list(images))
