"""The brief: what a post must be. Loaded from YAML and validated with pydantic.

Every problem becomes one InputError naming the file, the field and the fix. Every number and
string has an upper bound (README, "When things go wrong"), text fields are plain text (no
markup), and no error quotes what a file holds.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator, model_validator

from .errors import InputError
from .fsutil import read_text_file
from .german import slugify
from .plaintext import has_markup
from .urls import host_key, is_on_site, is_site_relative, url_key

# Limits: far above any real brief, low enough that nothing absurd eats memory or time.
MAX_BRIEF_BYTES = 1_000_000
MAX_LINKS_FILE_BYTES = 1_000_000
MAX_YAML_NODES = 100_000  # after expanding YAML aliases (a "billion laughs" brief stops here)
MAX_WORDS = 20_000
MAX_KEYWORD_USES = 500
MAX_LINKS = 100  # link targets of one post
MAX_CANDIDATES = 1_000  # candidate URLs in a brief
MAX_FACTS = 200
MAX_TERMS = 50  # categories, tags, power words

Text = Annotated[str, StringConstraints(max_length=2_000)]  # topic, audience, a fact
Short = Annotated[str, StringConstraints(max_length=200)]  # a title, a category, a user name
Url = Annotated[str, StringConstraints(max_length=2_000)]


class _Strict(BaseModel):
    # An unknown field is an error, so a typo like `keywrod` is caught.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _plain(cls, v: Any) -> Any:
        """Whatever a brief or CSV says is plain text: markup is refused, not passed on."""
        values = v if isinstance(v, list) else [v]
        if any(isinstance(x, str) and has_markup(x) for x in values):
            raise ValueError("must be plain text without < or >")
        return v


def _check_url(v: str) -> str:
    """http(s) or site-relative. Backslashes, control characters and protocol-relative forms
    are refused: browsers read "/\\evil.example/x" as https://evil.example/x."""
    if not v:
        raise ValueError("empty URL; give an https:// URL or a site-relative path like /fallstudien/")
    if "\\" in v or any(ord(c) < 33 or ord(c) == 127 for c in v):
        raise ValueError("a URL may not contain backslashes, spaces or control characters")
    if is_site_relative(v):
        return v
    parts = urlsplit(v)
    if parts.scheme in ("http", "https") and parts.hostname and not parts.username and not parts.password:
        try:
            parts.port
        except ValueError:
            raise ValueError("the URL has an invalid port") from None
        return v
    raise ValueError("is neither an http(s) URL nor a site-relative path; use https://… or a path starting with /")


class Link(_Strict):
    url: Url
    title: Short = ""

    _url = field_validator("url")(lambda v: _check_url(v))


class Fact(_Strict):
    text: Text
    source: Url

    @field_validator("source")
    @classmethod
    def _source_is_http(cls, v: str) -> str:
        _check_url(v)
        if urlsplit(v).scheme not in ("http", "https"):
            raise ValueError("must be an http(s) URL")
        return v


class Targets(_Strict):
    keyword_min: int = Field(18, ge=0, le=MAX_KEYWORD_USES)
    keyword_max: int = Field(22, ge=0, le=MAX_KEYWORD_USES)
    words_min: int = Field(2000, ge=0, le=MAX_WORDS)
    words_max: int | None = Field(None, ge=1, le=MAX_WORDS)
    internal_links: int = Field(7, ge=0, le=MAX_LINKS)
    external_links: int = Field(3, ge=0, le=MAX_LINKS)
    max_sentences_per_paragraph: int = Field(3, ge=1, le=20)
    seo_title_max_chars: int = Field(60, ge=10, le=200)
    meta_description_min_chars: int = Field(120, ge=0, le=1_000)
    meta_description_max_chars: int = Field(156, ge=10, le=1_000)

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
    power_words: list[Short] = Field(default_factory=list, max_length=MAX_TERMS,
                                     description="extra power words for this site")

    @field_validator("power_words")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        # An empty or one-letter stem would make every word a power word.
        for word in v:
            if not re.fullmatch(r"[^\W\d_][^\W\d_-]*(?:-[^\W\d_]+)*", word) or len(word) < 3:
                raise ValueError("each power word is one word of at least 3 letters")
        return v


MAX_IMAGES = 10  # in-content images of one post


class BriefImages(_Strict):
    """Images of a post: a featured image and images in the content, generated by an image model
    or picked from the user's own folder of jpg/png/webp files."""

    featured: bool = True
    in_content: int | None = Field(None, ge=0, le=MAX_IMAGES, description="default: 2 over 1,000 words, else 1")
    source: Literal["generate", "folder", "none"] = "generate"
    folder: Short | None = None  # relative to the brief, for source: folder
    style: Short | None = None  # a German or English style phrase for generated images

    @model_validator(mode="after")
    def _folder_given(self) -> "BriefImages":
        if self.source == "folder" and not self.folder:
            raise ValueError("source: folder needs folder: PATH (the folder with your jpg/png/webp files)")
        return self


class WordPressSettings(_Strict):
    url: Url | None = None
    user: Short | None = None
    status: Literal["draft", "pending", "publish"] = "draft"
    categories: list[Short] = Field(default_factory=list, max_length=MAX_TERMS)
    tags: list[Short] = Field(default_factory=list, max_length=MAX_TERMS)
    author: int | None = Field(None, ge=1, le=2**63 - 1)
    seo_plugin: Literal["yoast", "rankmath", "none"] = "yoast"


class Brief(_Strict):
    website: Short
    keyword: str = Field(min_length=1, max_length=100)
    topic: Text | None = None
    audience: Text | None = None
    address: Literal["Sie", "du"] = "Sie"
    year: int = Field(default_factory=lambda: _dt.date.today().year, ge=1990, le=2100)
    sections: int = Field(6, ge=1, le=20)
    slug: Short | None = None
    targets: Targets = Field(default_factory=Targets)
    title: TitleRules = Field(default_factory=TitleRules)
    internal_links: list[Link] = Field(default_factory=list, max_length=MAX_CANDIDATES)
    internal_links_file: Short | None = None
    external_links: list[Link] = Field(default_factory=list, max_length=MAX_CANDIDATES)
    facts: list[Fact] = Field(default_factory=list, max_length=MAX_FACTS)
    wordpress: WordPressSettings = Field(default_factory=WordPressSettings)
    # Without an images: section a post has none (images cost money with a real model).
    images: BriefImages = Field(default_factory=lambda: BriefImages(source="none"))

    @field_validator("website")
    @classmethod
    def _domain(cls, v: str) -> str:
        host = urlsplit(v).netloc if "://" in v else v
        host = host.strip("/").lower()
        if not host or not re.fullmatch(r"(?:[^\W_][\w-]*\.)+[^\W\d_]{2,}|(?:[^\W_][\w-]*\.)+xn--[a-z0-9-]+", host):
            raise ValueError("is not a domain; write it like ai-projektmanager.de")
        return host.removeprefix("www.")

    @field_validator("keyword")
    @classmethod
    def _keyword(cls, v: str) -> str:
        if not re.search(r"[^\W_]", v):
            raise ValueError("the keyword has no letters or digits")
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

    def image_count(self) -> int:
        """In-content images the post gets (the featured image not counted)."""
        if self.images.source == "none":
            return 0
        if self.images.in_content is not None:
            return min(self.images.in_content, self.sections)
        return min(2 if self.targets.words_min > 1000 else 1, self.sections)

    def images_folder(self, base_dir: Path) -> Path | None:
        return (base_dir / self.images.folder) if self.images.source == "folder" and self.images.folder else None

    def default_slug(self) -> str:
        """Deterministic: the brief's slug, else the keyword's content words (ä→ae, ß→ss). For Rank
        Math the keyword's own stop words stay: its keywordInPermalink test looks for the whole
        keyword („zeiterfassung-im-handwerk“; checks/slug.py)."""
        return slugify(self.slug or self.keyword, drop_stop_words=self.wordpress.seo_plugin != "rankmath")


def _read_links_file(path: Path) -> list[Link]:
    """`- [Title](/path/)` lines or one URL a line; blank lines and # comments are skipped.
    A links file is a regular UTF-8 text file of at most 1 MB; nothing of it is quoted in an
    error (it could be anything, /proc/self/environ included)."""
    source = str(path)
    text = read_text_file(path, MAX_LINKS_FILE_BYTES, "links file")
    links: list[Link] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.fullmatch(r"[-*]\s*\[(?P<title>[^\]]*)\]\((?P<url>[^)\s]+)\)\s*", line)
        if m:
            title, url = m["title"], m["url"]
        else:
            url, title = line.lstrip("-* ").strip(), ""
        try:
            links.append(Link(url=url, title=title))
        except ValidationError:
            raise InputError(source, f"line {lineno}", "is not a link",
                             "write '- [Title](/path/)' or one URL a line (http(s) or a path starting with /)") from None
        if len(links) > MAX_CANDIDATES:
            raise InputError(source, None, f"more than {MAX_CANDIDATES} links", "keep the candidates a post can use")
    return links


def _field_path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# pydantic's wording, said plainly; the value itself is never repeated (it may be huge, or secret).
_PLAIN = {"int_parsing": "must be a whole number", "int_type": "must be a whole number",
          "int_from_float": "must be a whole number", "float_parsing": "must be a number",
          "float_type": "must be a number", "bool_parsing": "must be true or false", "bool_type": "must be true or false",
          "string_type": "must be text", "list_type": "must be a list", "dict_type": "must be a mapping",
          "model_type": "must be a mapping of fields", "model_attributes_type": "must be a mapping of fields"}


def _bound(error: dict[str, Any]) -> str | None:
    ctx = error.get("ctx") or {}
    kind = error["type"]
    if kind == "greater_than_equal":
        return f"must be at least {ctx.get('ge')}"
    if kind == "less_than_equal":
        return f"must be at most {ctx.get('le')}"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "too_long":
        return f"must have at most {ctx.get('max_length')} entries"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    return None


def _explain(error: dict[str, Any], known: dict[str, type[BaseModel]]) -> tuple[str, str, str | None]:
    loc = tuple(error["loc"])
    field = _field_path(loc) or "(top level)"
    kind = error["type"]
    msg = error["msg"].removeprefix("Value error, ")
    if kind == "extra_forbidden":
        parent = ".".join(str(p) for p in loc[:-1] if not isinstance(p, int))
        model = known.get(parent)
        names = list(model.model_fields) if model else []
        close = difflib.get_close_matches(str(loc[-1])[:50], names, n=1)
        fix = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(names)}"
        return field[:80], "unknown field", fix
    if kind == "missing":
        return field, "required field is missing", f"add '{loc[-1]}:' to the brief"
    if kind in _PLAIN:
        return field, _PLAIN[kind], None
    bound = _bound(error)
    if bound:
        return field, bound, None
    if kind.startswith(("int_", "float_", "bool_", "string_", "list_", "dict_", "model_")):
        return field, "has the wrong type", None
    return field, msg, None


def explain_validation(error: ValidationError, prefix: str = "") -> tuple[str, str, str | None]:
    """The first problem of a failed validation in plain words: (field, problem, fix), e.g.
    ("targets.words_min", "must be at least 0", None), never pydantic's own wording."""
    known: dict[str, type[BaseModel]] = {
        "": Brief, "targets": Targets, "title": TitleRules, "wordpress": WordPressSettings, "images": BriefImages,
        "internal_links": Link, "external_links": Link, "facts": Fact,
    }
    # A typo'd name also makes the real field "missing"; the typo is the more useful line.
    errors = sorted(error.errors(include_input=False), key=lambda err: err["type"] != "extra_forbidden")
    field, problem, fix = _explain(errors[0], known)
    return (f"{prefix}.{field}" if prefix and field != "(top level)" else prefix or field), problem, fix


class _BriefLoader(yaml.SafeLoader):
    """YAML as briefs need it: dates stay text ("2025-13-45" is no crash), a key given twice is an
    error instead of silently taking the last value, and overlong numbers are refused."""


# Without the timestamp resolver, a date-like value is a plain string.
_BriefLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _mapping(loader: _BriefLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(None, None, "a key must be text", key_node.start_mark) from None
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {str(key)[:40]!r} appears twice (first on line {seen[key]})", key_node.start_mark)
        seen[key] = key_node.start_mark.line + 1
    return loader.construct_mapping(node, deep=True)


def _int(loader: _BriefLoader, node: yaml.ScalarNode) -> int:
    if len(str(node.value)) > 30:
        raise yaml.constructor.ConstructorError(None, None, "a number is too long", node.start_mark)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_BriefLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_BriefLoader.add_constructor("tag:yaml.org,2002:int", _int)


def _too_big(data: Any, limit: int = MAX_YAML_NODES) -> bool:
    """Whether the parsed YAML has more than `limit` nodes once aliases are expanded (a shared
    list counts every time it is used, as validating it would)."""
    count = 0
    stack = [data]
    while stack:
        node = stack.pop()
        count += 1
        if count > limit:
            return True
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def parse_yaml(text: str, source: str) -> Any:
    try:
        data = yaml.load(text, Loader=_BriefLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else None
        problem = getattr(e, "problem", None) or str(e).splitlines()[0]
        raise InputError(source, where, f"invalid YAML: {problem}",
                         "check indentation and quote values that contain ':'") from None
    except (ValueError, RecursionError):
        raise InputError(source, None, "invalid YAML: a value cannot be read",
                         "quote text values and keep numbers short") from None
    if _too_big(data):
        raise InputError(source, None, f"holds more than {MAX_YAML_NODES} values once its aliases are expanded",
                         "write the brief without YAML anchors and aliases")
    return data


def load_brief_data(path: str | Path) -> Any:
    """The brief file's YAML, parsed but not yet validated (batch rows override fields of it)."""
    path = Path(path)
    source = str(path)
    if path.is_dir():
        raise InputError(source, None, "is a directory, not a brief file")
    if not path.exists():
        raise InputError(source, None, "file not found", "check the path to the brief")
    text = read_text_file(path, MAX_BRIEF_BYTES, "brief")
    return parse_yaml(text, source)


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
    try:
        brief = Brief.model_validate(data)
    except ValidationError as e:
        raise InputError(source, *explain_validation(e)) from None
    if not brief.default_slug():
        field = "slug" if brief.slug else "keyword"
        raise InputError(source, field, "gives an empty URL slug", "give a slug with letters or digits")

    if brief.internal_links_file:
        links_path = base_dir / brief.internal_links_file
        try:
            links = _read_links_file(links_path)
        except InputError as e:
            raise InputError(source, "internal_links_file", str(e),
                             None if links_path.exists() else "the path is relative to the brief's folder") from None
        brief.internal_links = brief.internal_links + links

    if brief.images.source == "folder":
        folder = (base_dir / brief.images.folder).resolve()
        if not folder.is_dir():
            raise InputError(source, "images.folder", f"{folder} is not a folder",
                             "the path is relative to the brief's folder")
        # Kept absolute: the brief travels into report.json and batch rows, the folder stays put.
        brief.images.folder = str(folder)

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
