"""A post's images as the plan holds them: where each goes, what it shows, and its file once made.
Its own module because publishing and the preview read it too, without the pipeline."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, field_validator

from .plaintext import plain_line


class PlannedImage(BaseModel):
    """One image of the post: where it goes, what it shows, and (once made) its file."""

    role: Literal["featured", "content"]
    section: int | None = None  # content images: the plan section it stands in, after its first paragraph
    prompt: str  # a German description for the image model, or of the wanted picture (folder)
    alt: str  # alt text: describes the picture, at most 125 characters
    caption: str = ""
    file: str = ""  # "images/<name>.webp" in the post folder, once made
    width: int = 0
    height: int = 0
    mime: str = ""
    bytes: int = 0
    sha256: str = ""
    origin: str = ""  # the image model, or the user's file it was made from
    note: str = ""  # why it is missing, or larger than the limit

    # report.json is a file anyone could edit: the texts are one-line plain text whatever it says.
    _plain = field_validator("alt", "caption")(lambda v: plain_line(v))
