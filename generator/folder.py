"""The post folder genpost writes, OUT/<slug>/: its file names, and reading and writing its
report. output.py writes folders, publish.py reads them; both go through here."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from .brief import Brief, explain_validation
from .errors import InputError
from .fsutil import atomic_write_text
from .german import slugify
from .imageplan import PlannedImage
from .plaintext import plain_line

POST_MD = "post.md"  # the seed's layout with a measured checklist
POST_HTML = "post.html"  # the blocks, paste-ready
REPORT = "report.json"  # brief, plan, every check, rounds, LLM usage; publishing adds "wordpress"
DRAFT = "draft.json"  # the draft so far, when a run ended before the post was rendered
PREVIEW = "preview.html"  # the post, its Google snippet and its checks, to look at (preview.py)
INDEX = "index.html"  # in OUT: every post folder in one table (preview.py)


def post_dir(out: Path, slug: str) -> Path:
    return Path(out) / slug


def read_report(folder: Path) -> dict[str, Any] | None:
    """The folder's report, or None when there is none (or it is unreadable)."""
    try:
        data = json.loads((Path(folder) / REPORT).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_report(folder: Path, data: dict[str, Any]) -> None:
    atomic_write_text(Path(folder) / REPORT, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


class PostFolder(BaseModel):
    """What publishing needs from OUT/<slug>/: the report, the markup and the brief behind them."""

    path: Path
    report: dict[str, Any]
    markup: str
    brief: Brief
    h1: str
    slug: str
    seo_title: str | None = None
    meta_description: str | None = None
    images: list[PlannedImage] = []  # the made ones (with a file); their files are in images/


def load_folder(folder: Path) -> PostFolder:
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(str(folder), None, "is not a folder", "give a post folder genpost wrote, like out/<slug>/")
    report_path = folder / REPORT
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(str(folder), None, f"has no {REPORT}, so it is not a post folder genpost wrote",
                         "give a folder like out/<slug>/, or a batch's out/ with --all") from None
    except (OSError, ValueError):
        raise InputError(str(report_path), None, "cannot be read as JSON",
                         "generate the post again with genpost --brief") from None
    if not isinstance(report, dict) or "brief" not in report or not isinstance(report.get("plan"), dict):
        raise InputError(str(report_path), None, "is not a genpost report (no brief or plan)",
                         "generate the post again with genpost --brief")
    try:
        markup = (folder / POST_HTML).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(str(folder), None, f"has no {POST_HTML}: the run ended before the post was rendered",
                         "generate the post again") from None
    except (OSError, UnicodeDecodeError):
        raise InputError(str(folder / POST_HTML), None, "cannot be read as UTF-8 text",
                         "generate the post again") from None
    try:
        brief = Brief.model_validate(report["brief"])
    except ValidationError as e:
        raise InputError(str(report_path), *explain_validation(e, prefix="brief")) from None
    plan = report["plan"]
    slug = plan.get("slug") or report.get("slug")
    if not plan.get("h1") or not slug:
        raise InputError(str(report_path), "plan", "has no H1 or slug", "generate the post again")
    # The report is a file anyone could edit: its one-line fields are reduced to plain text again.
    seo_title, meta = plan.get("seo_title"), plan.get("meta_description")
    try:
        images = [PlannedImage.model_validate(im) for im in plan.get("images") or []]
    except ValidationError:
        raise InputError(str(report_path), "plan.images", "is not a list of images genpost wrote",
                         "generate the post again") from None
    return PostFolder(path=folder, report=report, markup=markup, brief=brief, h1=plain_line(str(plan["h1"])),
                      slug=slugify(str(slug)), seo_title=plain_line(str(seo_title)) if seo_title is not None else None,
                      meta_description=plain_line(str(meta)) if meta is not None else None,
                      images=[im for im in images if im.file])


def find_post_folders(root: Path) -> list[Path]:
    """ROOT itself when it is a post folder, else its sub-folders that hold a report (sorted)."""
    root = Path(root)
    if (root / REPORT).is_file():
        return [root]
    return sorted(p for p in root.iterdir() if (p / REPORT).is_file()) if root.is_dir() else []
