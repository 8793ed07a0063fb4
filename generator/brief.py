"""The brief: what a post must be. Loaded from YAML and validated with pydantic.

Every problem becomes one InputError naming the file, the field and the fix.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import InputError
from .german import slugify
from .urls import host_key, is_on_site, is_site_relative, url_key


class _Strict(BaseModel):
    # An unknown field is an error, so a typo like `keywrod` is caught.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Link(_Strict):
    url: str
    title: str = ""

    @field_validator("url")
    @classmethod
    def _url_scheme(cls, v: str) -> str:
        if not v:
            raise ValueError("empty URL; give an https:// URL or a site-relative path like /fallstudien/")
        if is_site_relative(v):
            return v
        parts = urlsplit(v)
        if parts.scheme in ("http", "https") and parts.netloc:
            return v
        raise ValueError(
            f"URL {v!r} is neither http(s) nor site-relative; use https://… or a path starting with /"
        )


class Fact(_Strict):
    text: str
    source: str

    @field_validator("source")
    @classmethod
    def _source_is_http(cls, v: str) -> str:
        if urlsplit(v).scheme not in ("http", "https"):
            raise ValueError(f"source {v!r} must be an http(s) URL")
        return v


class Targets(_Strict):
    keyword_min: int = Field(18, ge=0)
    keyword_max: int = Field(22, ge=0)
    words_min: int = Field(2000, ge=0)
    words_max: int | None = Field(None, ge=1)
    internal_links: int = Field(7, ge=0)
    external_links: int = Field(3, ge=0)
    max_sentences_per_paragraph: int = Field(3, ge=1)
    seo_title_max_chars: int = Field(60, ge=10)
    meta_description_min_chars: int = Field(120, ge=0)
    meta_description_max_chars: int = Field(156, ge=10)

    @model_validator(mode="after")
    def _ranges(self) -> "Targets":
        if self.keyword_min > self.keyword_max:
            raise ValueError(
                f"keyword_min ({self.keyword_min}) is above keyword_max ({self.keyword_max}); swap them"
            )
        if self.words_max is not None and self.words_min > self.words_max:
            raise ValueError(f"words_min ({self.words_min}) is above words_max ({self.words_max})")
        if self.meta_description_min_chars > self.meta_description_max_chars:
            raise ValueError(
                f"meta_description_min_chars ({self.meta_description_min_chars}) is above "
                f"meta_description_max_chars ({self.meta_description_max_chars})"
            )
        return self


class TitleRules(_Strict):
    power_word: bool = True
    number: bool = True
    year: bool = True
    power_words: list[str] = Field(default_factory=list, description="extra power words for this site")


class WordPressSettings(_Strict):
    url: str | None = None
    user: str | None = None
    status: Literal["draft", "pending", "publish"] = "draft"
    categories: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    author: int | None = None
    seo_plugin: Literal["yoast", "rankmath", "none"] = "yoast"


class Brief(_Strict):
    website: str
    keyword: str = Field(min_length=1)
    topic: str | None = None
    audience: str | None = None
    address: Literal["Sie", "du"] = "Sie"
    year: int = Field(default_factory=lambda: _dt.date.today().year, ge=1990, le=2100)
    sections: int = Field(6, ge=1, le=20)
    slug: str | None = None
    targets: Targets = Field(default_factory=Targets)
    title: TitleRules = Field(default_factory=TitleRules)
    internal_links: list[Link] = Field(default_factory=list)
    internal_links_file: str | None = None
    external_links: list[Link] = Field(default_factory=list)
    facts: list[Fact] = Field(default_factory=list)
    wordpress: WordPressSettings = Field(default_factory=WordPressSettings)

    @field_validator("website")
    @classmethod
    def _domain(cls, v: str) -> str:
        host = urlsplit(v).netloc if "://" in v else v
        host = host.strip("/").lower()
        if not host or not re.fullmatch(r"[a-z0-9äöüß.-]+\.[a-z]{2,}", host):
            raise ValueError(f"{v!r} is not a domain; write it like ai-projektmanager.de")
        return host.removeprefix("www.")

    @field_validator("keyword")
    @classmethod
    def _keyword(cls, v: str) -> str:
        if not re.search(r"\w", v):
            raise ValueError("the keyword has no letters")
        return " ".join(v.split())

    @property
    def topic_or_keyword(self) -> str:
        return self.topic or self.keyword

    @property
    def site(self) -> str:
        """The website as URLs are compared with it (punycode for an IDN)."""
        return host_key(self.website)

    def is_internal(self, url: str) -> bool:
        """Site-relative URLs and absolute URLs on the brief's website are internal."""
        return is_on_site(url, self.site)

    def url_key(self, url: str) -> str:
        """The page a URL points to, as links are compared (see urls.url_key)."""
        return url_key(url, self.site)

    def default_slug(self) -> str:
        """Deterministic: the brief's slug, else the keyword's content words (ä→ae, ß→ss)."""
        return slugify(self.slug or self.keyword, drop_stop_words=True)


def _read_links_file(path: Path, source: str) -> list[Link]:
    """`- [Title](/path/)` lines or one URL a line; blank lines and # comments are skipped."""
    links: list[Link] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"[-*]\s*\[(?P<title>[^\]]*)\]\((?P<url>[^)\s]+)\)\s*", line)
        if m:
            title, url = m["title"], m["url"]
        else:
            url = line.lstrip("-* ").strip()
            title = ""
            if " " in url:
                raise InputError(f"{path}", f"line {lineno}", f"cannot read {line!r}",
                                 "write '- [Title](/path/)' or one URL a line")
        try:
            links.append(Link(url=url, title=title))
        except ValidationError as e:
            raise InputError(str(path), f"line {lineno}", e.errors()[0]["msg"].removeprefix("Value error, ")) from None
    return links


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _explain(error: dict[str, Any], known: dict[str, type[BaseModel]]) -> tuple[str, str, str | None]:
    loc = tuple(error["loc"])
    field = _field_path(loc) or "(top level)"
    kind = error["type"]
    msg = error["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        parent = ".".join(str(p) for p in loc[:-1] if not isinstance(p, int))
        model = known.get(parent)
        names = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1]), names, n=1)
        fix = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(names)}"
        return field, "unknown field", fix
    if kind == "missing":
        return field, "required field is missing", f"add '{loc[-1]}:' to the brief"
    plain = {"int_parsing": "must be a whole number", "int_type": "must be a whole number",
             "float_parsing": "must be a number", "bool_parsing": "must be true or false",
             "string_type": "must be text", "list_type": "must be a list", "dict_type": "must be a mapping",
             "model_type": "must be a mapping of fields"}
    if kind in plain:
        return field, f"{plain[kind]} (got {error.get('input')!r})", None
    if kind.startswith(("int_", "float_", "bool_", "string_", "list_", "dict_", "model_", "literal_")):
        return field, f"{msg} (got {error.get('input')!r})", None
    return field, msg, None


def load_brief_data(path: str | Path) -> Any:
    """The brief file's YAML, parsed but not yet validated (batch rows override fields of it)."""
    path = Path(path)
    source = str(path)
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise InputError(source, None, "file not found", "check the path to the brief") from None
    except IsADirectoryError:
        raise InputError(source, None, "is a directory, not a brief file") from None
    except OSError as e:
        raise InputError(source, None, f"cannot read: {e.strerror}") from None
    if b"\x00" in raw_bytes:
        raise InputError(source, None, "is a binary file, not a YAML brief")
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(source, None, "is not UTF-8 text", "save the brief as UTF-8") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InputError(source, where, f"invalid YAML: {problem}",
                         "check indentation and quote values that contain ':'") from None


def load_brief(path: str | Path) -> Brief:
    """Read and validate a brief; raise InputError with one clear line on any problem."""
    path = Path(path)
    return brief_from_data(load_brief_data(path), source=str(path), base_dir=path.parent)


def brief_from_data(data: Any, *, source: str, base_dir: Path) -> Brief:
    if data is None:
        raise InputError(source, None, "the brief is empty", "start from briefs/mittelstand.yaml")
    if not isinstance(data, dict):
        raise InputError(source, None, f"the brief must be a YAML mapping of fields, not a {type(data).__name__}",
                         "start from briefs/mittelstand.yaml")
    known: dict[str, type[BaseModel]] = {
        "": Brief, "targets": Targets, "title": TitleRules, "wordpress": WordPressSettings,
        "internal_links": Link, "external_links": Link, "facts": Fact,
    }
    try:
        brief = Brief.model_validate(data)
    except ValidationError as e:
        # A typo'd name also makes the real field "missing"; the typo is the more useful line.
        errors = sorted(e.errors(), key=lambda err: err["type"] != "extra_forbidden")
        field, problem, fix = _explain(errors[0], known)
        raise InputError(source, field, problem, fix) from None

    if brief.internal_links_file:
        links_path = (base_dir / brief.internal_links_file)
        if not links_path.is_file():
            raise InputError(source, "internal_links_file", f"{links_path} does not exist",
                             "the path is relative to the brief's folder")
        brief.internal_links = brief.internal_links + _read_links_file(links_path, source)

    seen: dict[str, str] = {}
    for group in ("internal_links", "external_links"):
        for i, link in enumerate(getattr(brief, group)):
            key = brief.url_key(link.url)
            where = f"{group}[{i}]"
            if key in seen:
                raise InputError(source, f"{where}.url", f"duplicate URL {link.url} (also at {seen[key]})",
                                 "list each URL once")
            seen[key] = where
            if group == "external_links":
                if brief.is_internal(link.url):
                    raise InputError(source, f"{where}.url", f"{link.url} is on {brief.website}, so it is internal",
                                     "move it to internal_links")
                if not link.url.startswith("https://"):
                    raise InputError(source, f"{where}.url", f"{link.url} is not https",
                                     "external links must use https")
            elif not brief.is_internal(link.url):
                raise InputError(source, f"{where}.url", f"{link.url} is not on {brief.website}",
                                 "use a site-relative path or move it to external_links")

    t = brief.targets
    if len(brief.internal_links) < t.internal_links:
        raise InputError(source, "internal_links",
                         f"{len(brief.internal_links)} candidate links for a target of {t.internal_links}",
                         "add candidates or lower targets.internal_links")
    if len(brief.external_links) < t.external_links:
        raise InputError(source, "external_links",
                         f"{len(brief.external_links)} candidate links for a target of {t.external_links}",
                         "add candidates or lower targets.external_links")
    return brief
