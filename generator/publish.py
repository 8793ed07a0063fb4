"""Publish: a genpost folder becomes a post on the user's WordPress through the REST API.

Authentication is an Application Password (HTTP Basic), so the password only ever travels over
https (or to this machine). Publishing is idempotent: the post id is kept in report.json, and
without it a post with the same slug (in any status) is updated instead of a second one created.
After saving, what WordPress stored is read back, compared with what was sent and checked again:
the checker judges the live post, not our copy of it.

Pure logic: no printing, no exit; problems are InputError (exit 2) or PublishError (exit 3).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import hashlib
import html
from pathlib import Path
from typing import Any, Callable, Literal
from urllib.parse import urlsplit

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from . import __version__
from .blocks import parse_blocks
from .brief import WordPressSettings, explain_validation
from .checks import run_checks
from .errors import InputError, PostFailsChecks, PublishError
from .folder import REPORT, PostFolder, load_folder, write_report
from .imageplan import PlannedImage
from .post import Post
from .render import heading_block, image_block
from .retry import RetryPolicy, TransientError, connection_problem, parse_retry_after, with_retries
from .urls import is_local, site_key

MU_PLUGIN = "wordpress/genpost-seo-meta.php"
TIMEOUT = httpx.Timeout(30.0, connect=10.0)

# (title, description, focus keyword) meta keys per SEO plugin.
SEO_META_KEYS: dict[str, tuple[str, str, str]] = {
    "yoast": ("_yoast_wpseo_title", "_yoast_wpseo_metadesc", "_yoast_wpseo_focuskw"),
    "rankmath": ("rank_math_title", "rank_math_description", "rank_math_focus_keyword"),
}
_LIVE = frozenset({"publish", "future", "private"})
# genpost marks every post it creates with this post meta (registered by the mu-plugin, editable
# only by who may edit the post, shown only in the edit context). genpost updates a post only when
# it carries the mark: a person's post with the same slug is never changed.
MARKER_KEY = "_genpost_post"


# --- where to publish ----------------------------------------------------------------------------

def _site_problem(url: str) -> str | None:
    """Why this URL may not receive the application password, or None if it may."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is not a site URL; give it like https://example.com"
    if parts.scheme == "http" and not is_local(url):
        return f"refusing to send the application password over plain http to {parts.hostname}; use https"
    return None


class WordPressTarget(BaseModel):
    """Where and how to publish. The password is a SecretStr: it never shows in repr or dumps."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    url: str
    user: str = Field(min_length=1)
    app_password: SecretStr
    status: Literal["draft", "pending", "publish"] = "draft"
    categories: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    author: int | None = None
    seo_plugin: Literal["yoast", "rankmath", "none"] = "yoast"

    @field_validator("url")
    @classmethod
    def _safe_url(cls, v: str) -> str:
        problem = _site_problem(v.strip())
        if problem:
            raise ValueError(problem)
        return site_key(v)


def resolve_target(settings: WordPressSettings, url: str | None, user: str | None,
                   app_password: str | None) -> WordPressTarget:
    """Flags (or their env vars, which the CLI passes in) win over the brief's `wordpress:` section.

    Raises InputError for anything missing or unsafe, before any request is made."""
    site = url or settings.url
    site_source = "--wp-url" if url else "brief wordpress.url"
    if not site:
        raise InputError("--wp-url", None, "no WordPress site given",
                         "pass --wp-url, set GENPOST_WP_URL or add wordpress.url to the brief")
    problem = _site_problem(site.strip())
    if problem:
        raise InputError(site_source, None, problem)
    login = user or settings.user
    if not login:
        raise InputError("--wp-user", None, "no WordPress user given",
                         "pass --wp-user, set GENPOST_WP_USER or add wordpress.user to the brief")
    if not app_password or not app_password.strip():
        raise InputError("--wp-app-password", None, "no application password given",
                         "set GENPOST_WP_APP_PASSWORD or pass --wp-app-password")
    try:
        return WordPressTarget(url=site, user=login, app_password=app_password.strip(), status=settings.status,
                               categories=settings.categories, tags=settings.tags, author=settings.author,
                               seo_plugin=settings.seo_plugin)
    except ValidationError as e:
        raise InputError(site_source, *explain_validation(e)) from None


def resolve_targets(folders: dict[Path, WordPressSettings], url: str | None, user: str | None,
                    app_password: str | None) -> dict[Path, WordPressTarget]:
    """Targets for several folders. The application password is bound to one site and one user:
    the flags' (or the environment's), else the one the folders' briefs name; a folder whose brief
    names another site or user is refused, before any request, rather than sent the password."""
    for key, given, what in (("url", url, "site"), ("user", user, "user")):
        if given:
            continue
        named = [(f, getattr(s, key)) for f, s in folders.items() if getattr(s, key)]
        norm = (lambda v: site_key(v)) if key == "url" else (lambda v: v)
        for folder, value in named[1:]:
            if norm(value) != norm(named[0][1]):
                raise InputError(str(folder), f"wordpress.{key}", f"names the {what} {value}, but {named[0][0]} names "
                                 f"{named[0][1]}; the application password goes to one {what} only",
                                 f"publish them separately, or give --wp-{key}")
    return {f: resolve_target(s, url, user, app_password) for f, s in folders.items()}


# --- markup --------------------------------------------------------------------------------------

def content_without_h1(markup: str) -> str:
    """The markup without its first top-level level-1 heading block (the theme prints the title,
    so the live page has exactly one H1). Everything else is kept byte for byte."""
    for block in parse_blocks(markup).blocks:
        if block.name == "core/heading" and block.attrs.get("level") == 1:
            after = len(markup[block.end:]) - len(markup[block.end:].lstrip())  # the blank line after it
            return markup[:block.start] + markup[block.end + after:]
    return markup


def h1_block(title: str) -> str:
    """The H1 block exactly as genpost rendered it when post.html still carried the title (folders
    written by earlier versions; content_without_h1 removes it before publishing)."""
    return heading_block(title, 1)


# --- results -------------------------------------------------------------------------------------

class PublishResult(BaseModel):
    site: str
    post_id: int
    link: str
    status: str
    slug: str
    created: bool
    differences: list[str] = Field(default_factory=list)  # what WordPress stored differently from what was sent
    warnings: list[str] = Field(default_factory=list)
    check_passed: bool
    failing_checks: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Exit 0 when true, 1 when the stored post differs or fails its checks."""
        return self.check_passed and not self.differences


# --- talking to WordPress ------------------------------------------------------------------------

def _wp_message(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(data, dict) and data.get("message"):
        return f"{html.unescape(str(data['message']))} ({data.get('code', response.status_code)})"
    return f"HTTP {response.status_code}"


def _run(coro):
    """Run the async retry helper from this sync code. Inside a running event loop (a caller that
    forgot asyncio.to_thread) a worker thread gets its own loop instead of failing."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class _Api:
    """REST calls with the project's retry policy; WordPress's refusals become PublishError."""

    def __init__(self, target: WordPressTarget, client: httpx.Client, policy: RetryPolicy,
                 on_retry: Callable[[str], None] | None):
        self.target, self.client, self.policy, self.on_retry = target, client, policy, on_retry
        self.auth = (target.user, target.app_password.get_secret_value())
        self.pretty = True  # /wp-json/…; False: ?rest_route=… (sites without pretty permalinks)
        self.unfiltered = True  # the user may save any HTML (known after connect())

    def _url_params(self, route: str, params: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
        if self.pretty:
            return f"{self.target.url}/wp-json/{route}", dict(params or {})
        return f"{self.target.url}/", {"rest_route": "/" + route, **(params or {})}

    def send(self, method: str, route: str, *, params: dict[str, Any] | None = None,
             body: dict[str, Any] | None = None, upload: tuple[str, str, bytes] | None = None) -> httpx.Response:
        """One request, no retry: transient faults raise TransientError. `upload` is a file for
        the media library: (file name, mime type, bytes)."""
        url, query = self._url_params(route, params)
        headers = {"Accept": "application/json", "User-Agent": f"genpost/{__version__}"}
        content = None
        if upload is not None:
            name, mime, content = upload
            headers.update({"Content-Type": mime, "Content-Disposition": f'attachment; filename="{name}"'})
        try:
            response = self.client.request(method, url, params=query, json=body, content=content, auth=self.auth,
                                           headers=headers)
        except httpx.TimeoutException as e:
            raise TransientError(f"timed out ({type(e).__name__})") from None
        except httpx.TransportError as e:
            raise TransientError(connection_problem(e)) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise TransientError(f"HTTP {response.status_code}", parse_retry_after(response.headers))
        return response

    def call(self, method: str, route: str, what: str, *, params: dict[str, Any] | None = None,
             body: dict[str, Any] | None = None, accept: tuple[int, ...] = (),
             attempt: Callable[[], httpx.Response] | None = None,
             upload: tuple[str, str, bytes] | None = None) -> httpx.Response:
        """send() under the retry policy; any status outside 2xx and `accept` ends in PublishError."""
        async def once() -> httpx.Response:
            return attempt() if attempt else self.send(method, route, params=params, body=body, upload=upload)

        site = self.target.url
        try:
            response = _run(with_retries(once, self.policy, f"WordPress {what}", self.on_retry))
        except TransientError as e:
            raise PublishError(f"WordPress at {site} did not answer ({what}): {e.reason}, "
                               f"also after retrying") from None
        code = response.status_code
        if 200 <= code < 300 or code in accept:
            if 200 <= code < 300:
                try:
                    response.json()
                except ValueError:
                    raise PublishError(f"{site} answered {what} with something that is not JSON; "
                                       "is this the WordPress site's URL?") from None
            return response
        if code == 401:
            raise PublishError(self.rejected())
        if code == 403:
            raise PublishError(f"WordPress refused to {what} for user {self.target.user} at {site}: "
                               f"{_wp_message(response)}")
        if 300 <= code < 400:
            raise PublishError(f"{site} redirects to {response.headers.get('location', '?')}; "
                               "use that address as the WordPress URL")
        raise PublishError(f"WordPress at {site} could not {what}: {_wp_message(response)}")

    def rejected(self) -> str:
        return (f"WordPress rejected the application password for user {self.target.user} at {self.target.url} "
                "(check --wp-user and GENPOST_WP_APP_PASSWORD; create one under Users → Profile → "
                "Application Passwords)")

    def connect(self) -> dict[str, Any]:
        """Find the REST API and prove the credentials before anything is written."""
        what = "sign in"
        response = self.call("GET", "wp/v2/users/me", what, params={"context": "edit"}, accept=(403, 404))
        if response.status_code == 404:
            self.pretty = False
            response = self.call("GET", "wp/v2/users/me", what, params={"context": "edit"}, accept=(403, 404))
            if response.status_code == 404:
                raise PublishError(f"no WordPress REST API at {self.target.url}: the REST API is off or "
                                   "the URL is wrong (give the site's home URL)")
        if response.status_code == 403:  # e.g. application passwords switched off for this user
            raise PublishError(self.rejected())
        me = response.json()
        capabilities = me.get("capabilities") if isinstance(me, dict) else None
        # Without unfiltered_html WordPress runs the markup through kses on save.
        self.unfiltered = bool(isinstance(capabilities, dict) and capabilities.get("unfiltered_html"))
        return me


# --- publishing ----------------------------------------------------------------------------------

def _remove_terms(api: _Api, terms: list[tuple[str, int]]) -> None:
    """Delete the terms this run created, best effort (the run is failing already)."""
    for taxonomy, term_id in terms:
        try:
            api.send("DELETE", f"wp/v2/{taxonomy}/{term_id}", params={"force": "true"})
        except TransientError:
            pass


def _term_id(api: _Api, taxonomy: str, name: str, warnings: list[str], created: list[tuple[str, int]]) -> int:
    """The id of the category/tag with exactly this name, created when there is none."""
    kind = {"categories": "category", "tags": "tag"}[taxonomy]
    found = api.call("GET", f"wp/v2/{taxonomy}", f"look up the {kind} {name!r}",
                     params={"search": name, "per_page": 100, "context": "view"}).json()
    for term in found if isinstance(found, list) else []:
        if html.unescape(str(term.get("name", ""))) == name:  # names come back HTML-escaped
            return int(term["id"])
    response = api.call("POST", f"wp/v2/{taxonomy}", f"create the {kind} {name!r}",
                        body={"name": name}, accept=(400,))
    try:
        data = response.json()
    except ValueError:
        data = {}
    if response.status_code == 400:
        # The search misses names stored escaped ("&amp;") and WordPress matches names case-insensitively.
        data = data if isinstance(data, dict) else {}
        term_id = (data.get("data") or {}).get("term_id")
        if data.get("code") != "term_exists" or not term_id:
            raise PublishError(f"WordPress at {api.target.url} could not create the {kind} {name!r}: "
                               f"{_wp_message(response)}")
        existing = api.call("GET", f"wp/v2/{taxonomy}/{int(term_id)}", f"read the {kind} {name!r}").json()
        existing_name = html.unescape(str(existing.get("name", "")))
        if existing_name != name:
            warnings.append(f"{kind} {name!r} matched the existing {existing_name!r}")
        return int(term_id)
    created.append((taxonomy, int(data["id"])))
    return int(data["id"])


def _seo_meta(target: WordPressTarget, folder: PostFolder) -> dict[str, str]:
    keys = SEO_META_KEYS.get(target.seo_plugin)
    if not keys:
        return {}
    values = (folder.seo_title, folder.meta_description, folder.brief.keyword)
    return {k: v for k, v in zip(keys, values) if v is not None}


def _posts_with_slug(api: _Api, slug: str) -> list[dict[str, Any]]:
    found = api.call("GET", "wp/v2/posts", f"look up posts with the slug {slug!r}",
                     params={"slug": slug, "status": "any", "context": "edit", "per_page": 100,
                             "orderby": "id", "order": "asc"}).json()
    return found if isinstance(found, list) else []


def _marked(post: dict[str, Any], slug: str) -> bool:
    """Whether genpost created this post for this slug (its marker in post meta)."""
    meta = post.get("meta") if isinstance(post.get("meta"), dict) else {}
    return meta.get(MARKER_KEY) == slug


def _not_ours(api: _Api, post: dict[str, Any], slug: str) -> PublishError:
    return PublishError(f"post {post.get('id')} with the slug {slug!r} at {api.target.url} was not created by genpost "
                        f"(it lacks genpost's mark {MARKER_KEY}), so genpost leaves it alone; give the brief another "
                        f"slug, or install {MU_PLUGIN} if genpost did create it")


def _existing_post(api: _Api, folder: PostFolder, warnings: list[str]) -> dict[str, Any] | None:
    """The post genpost made of this folder before, proven by its mark: the id in report.json for
    this site, else a marked post with the folder's slug. A post with the slug that genpost did not
    make stops the run (PublishError): creating a second post would give it another slug."""
    known = folder.report.get("wordpress")
    if isinstance(known, dict) and known.get("id") and site_key(str(known.get("site", ""))) == api.target.url:
        response = api.call("GET", f"wp/v2/posts/{int(known['id'])}", "read the post published before",
                            params={"context": "edit"}, accept=(404, 410))
        post = response.json() if response.status_code < 300 else None
        if isinstance(post, dict) and post.get("status") != "trash":
            if not _marked(post, folder.slug):
                raise _not_ours(api, post, folder.slug)
            return post
        warnings.append(f"post {known['id']} from {REPORT} is gone from the site; looking it up by slug")
    posts = _posts_with_slug(api, folder.slug)
    ours = [p for p in posts if _marked(p, folder.slug)]
    if ours:
        if len(ours) > 1:
            warnings.append(f"{len(ours)} genpost posts have the slug {folder.slug!r} (ids "
                            f"{', '.join(str(p['id']) for p in ours)}); updating {ours[0]['id']}")
        return ours[0]
    if posts:
        raise _not_ours(api, posts[0], folder.slug)
    return None


# --- images ---------------------------------------------------------------------------------------

IMAGE_HASH_KEY = "_genpost_sha256"  # on genpost's uploads: finds an image again without its id
MAX_IMAGE_BYTES = 20_000_000


def _image_file(post: PostFolder, image: PlannedImage) -> tuple[str, bytes]:
    """The image's file in the folder (never outside it), its bytes and their sha256."""
    path = (post.path / image.file).resolve()
    if post.path.resolve() not in path.parents:
        raise InputError(str(post.path / REPORT), "plan.images", f"{image.file} is outside the post folder",
                         "generate the post again")
    try:
        if not path.is_file() or path.stat().st_size > MAX_IMAGE_BYTES:
            raise OSError
        data = path.read_bytes()
    except OSError:
        raise InputError(str(post.path), None, f"{image.file} is missing or not an image genpost wrote",
                         "generate the post again") from None
    return hashlib.sha256(data).hexdigest(), data


def _media_url(media: dict[str, Any]) -> str:
    """The "large" size WordPress made, else the file as uploaded."""
    sizes = (media.get("media_details") or {}).get("sizes") or {}
    large = sizes.get("large") if isinstance(sizes, dict) else None
    return str((large or {}).get("source_url") or media.get("source_url") or "")


def _own_media(api: _Api, media_id: object, sha: str) -> dict[str, Any] | None:
    """Media `media_id` if it exists and is this very file uploaded by genpost."""
    try:
        media_id = int(media_id)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    response = api.call("GET", f"wp/v2/media/{media_id}", "read an image uploaded before",
                        params={"context": "edit"}, accept=(401, 403, 404, 410))
    media = response.json() if response.status_code < 300 else None
    meta = media.get("meta") if isinstance(media, dict) and isinstance(media.get("meta"), dict) else {}
    return media if meta.get(IMAGE_HASH_KEY) == sha else None


def _find_media(api: _Api, stem: str, sha: str) -> dict[str, Any] | None:
    """An earlier upload of this very file (its name gave the attachment's slug; its hash is in
    its meta), when report.json no longer knows its id."""
    for params in ({"slug": stem}, {"search": stem}):
        found = api.call("GET", "wp/v2/media", "look up images uploaded before",
                         params={**params, "context": "edit", "per_page": 100}).json()
        for media in found if isinstance(found, list) else []:
            meta = media.get("meta") if isinstance(media.get("meta"), dict) else {}
            if meta.get(IMAGE_HASH_KEY) == sha:
                return media
    return None


def _upload_images(api: _Api, post: PostFolder, warnings: list[str]) -> dict[str, dict[str, Any]]:
    """Every image of the folder in the site's media library, each uploaded once: by the media id
    and hash kept in report.json, else found by its hash, else uploaded (with its alt text,
    caption and title). Returns the media of each image file."""
    record = post.report.get("wordpress") if isinstance(post.report.get("wordpress"), dict) else {}
    known = record.get("media") if site_key(str(record.get("site", ""))) == api.target.url else None
    known = dict(known) if isinstance(known, dict) else {}
    out: dict[str, dict[str, Any]] = {}
    for image in post.images:
        sha, data = _image_file(post, image)
        name = Path(image.file).name
        media = _own_media(api, known.get(sha), sha) if sha in known else None
        media = media or _find_media(api, Path(name).stem, sha)
        fields = {"alt_text": image.alt, "caption": image.caption, "title": image.alt,
                  "meta": {IMAGE_HASH_KEY: sha}}
        if media is None:
            media = api.call("POST", "wp/v2/media", f"upload {name}", upload=(name, image.mime or "image/webp", data)).json()
            known[sha] = int(media["id"])
            # Kept at once: a failure further on must not lead to a second upload next time.
            _record(post, api, media=known)
            media = api.call("POST", f"wp/v2/media/{int(media['id'])}", f"describe {name}", body=fields).json()
            stored_meta = media.get("meta") if isinstance(media.get("meta"), dict) else {}
            if IMAGE_HASH_KEY not in stored_meta:
                warnings.append(f"the site did not store genpost's hash of {name}; without {MU_PLUGIN} a new "
                                "run uploads it again if report.json is lost")
        elif (html.unescape(str(media.get("alt_text", ""))) != image.alt
              or html.unescape(_raw(media.get("caption"))) != image.caption):
            media = api.call("POST", f"wp/v2/media/{int(media['id'])}", f"describe {name}", body=fields).json()
        known[sha] = int(media["id"])
        out[image.file] = media
    _record(post, api, media=known)
    return out


def _raw(field: object) -> str:
    if isinstance(field, dict):
        return str(field.get("raw") or "")
    return str(field or "")


def _record(post: PostFolder, api: _Api, **fields: Any) -> None:
    """Keep what WordPress gave (post id, media ids) in report.json at once."""
    report = post.report
    record = report.get("wordpress") if isinstance(report.get("wordpress"), dict) else {}
    if site_key(str(record.get("site", ""))) != api.target.url:
        record = {}
    record = {**record, "site": api.target.url, **fields}
    report["wordpress"] = record
    write_report(post.path, report)


def _compare_images(api: _Api, post: PostFolder, stored: dict[str, Any]) -> list[str]:
    """The stored post's image blocks point at attachments that exist, with the alt texts sent."""
    differences = []
    alts = {im.alt for im in post.images}
    for block in parse_blocks((stored.get("content") or {}).get("raw") or "").blocks:
        if block.name != "core/image":
            continue
        media_id = block.attrs.get("id")
        if not isinstance(media_id, int):
            differences.append(f"image {_img_src(block.raw)}: no attachment id")
            continue
        response = api.call("GET", f"wp/v2/media/{media_id}", f"read image {media_id}", params={"context": "edit"},
                            accept=(404, 410))
        if response.status_code >= 300:
            differences.append(f"image {media_id}: the attachment does not exist")
        elif html.unescape(str(response.json().get("alt_text", ""))) not in alts:
            differences.append(f"image {media_id}: alt text {response.json().get('alt_text')!r} is not one genpost sent")
    return differences


def with_media(markup: str, images: list[PlannedImage], media: dict[str, dict[str, Any]]) -> str:
    """The content with each image block pointing at its uploaded file: the attachment id and URL,
    rendered by the same template (so the block stays valid in the editor)."""
    by_file = {im.file: im for im in images}
    parsed = parse_blocks(markup)
    out, pos = [], 0
    for block in parsed.blocks:
        if block.name != "core/image":
            continue
        src = _img_src(block.raw)
        image, uploaded = by_file.get(src), media.get(src)
        if image is None or uploaded is None:
            continue
        out.append(markup[pos:block.start])
        out.append(image_block(image, _media_url(uploaded), int(uploaded["id"])))
        pos = block.end
    out.append(markup[pos:])
    return "".join(out)


def _img_src(html_text: str) -> str:
    from selectolax.lexbor import LexborHTMLParser

    img = LexborHTMLParser(html_text).css_first("img")
    return (img.attributes.get("src") or "") if img is not None else ""


def _first_difference(sent: str, stored: str) -> str:
    """Where the stored text starts to differ, with a little context from both."""
    a, b = sent.splitlines(keepends=True), stored.splitlines(keepends=True)
    for i, (x, y) in enumerate(zip(a, b), 1):
        if x != y:
            at = next((k for k, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
            lo = max(at - 30, 0)
            return f"line {i}: sent {x[lo:at + 50].strip()!r}, stored {y[lo:at + 50].strip()!r}"
    return f"sent {len(a)} lines, stored {len(b)}"


def _compare(sent: dict[str, Any], stored: dict[str, Any], warnings: list[str], unfiltered: bool) -> list[str]:
    differences = []
    raw = (stored.get("content") or {}).get("raw")
    if raw != sent["content"]:
        hint = "" if unfiltered else "; the user lacks the unfiltered_html capability, so WordPress filtered the markup"
        differences.append("content: WordPress stored different markup ("
                           + _first_difference(sent["content"], raw or "") + ")" + hint)
    title = (stored.get("title") or {}).get("raw")
    if title != sent["title"]:
        differences.append(f"title: sent {sent['title']!r}, stored {title!r}")
    if stored.get("slug") != sent["slug"]:
        differences.append(f"slug: sent {sent['slug']!r}, stored {stored.get('slug')!r}")
    if "featured_media" in sent and stored.get("featured_media") != sent["featured_media"]:
        differences.append(f"featured image: sent {sent['featured_media']}, stored {stored.get('featured_media')}")
    if stored.get("status") != sent["status"]:
        differences.append(f"status: sent {sent['status']!r}, stored {stored.get('status')!r}")
    for taxonomy in ("categories", "tags"):
        if taxonomy in sent and sorted(stored.get(taxonomy) or []) != sorted(sent[taxonomy]):
            differences.append(f"{taxonomy}: sent ids {sorted(sent[taxonomy])}, stored {sorted(stored.get(taxonomy) or [])}")
    # Unregistered meta is dropped silently (and an empty meta object comes back as []).
    meta = stored.get("meta") if isinstance(stored.get("meta"), dict) else {}
    for key, value in sent.get("meta", {}).items():
        if key not in meta and key == MARKER_KEY:
            warnings.append(f"the site did not store genpost's mark {key}, so genpost cannot update this post "
                            f"later; install {MU_PLUGIN} as a mu-plugin")
        elif key not in meta:
            warnings.append(f"the site did not store {key}; install {MU_PLUGIN} as a mu-plugin")
        elif meta[key] != value:
            differences.append(f"meta {key}: sent {value!r}, stored {meta[key]!r}")
    return differences


def publish_folder(folder: Path, target: WordPressTarget, *, policy: RetryPolicy | None = None,
                   client: httpx.Client | None = None, on_retry: Callable[[str], None] | None = None,
                   allow_failed: bool = False) -> PublishResult:
    """Create or update the post of FOLDER on TARGET, record its id in report.json, read it back
    and check what WordPress stored. Blocking: from async code use asyncio.to_thread."""
    problem = _site_problem(target.url)  # also for targets built without validation
    if problem:
        raise InputError(target.url, None, problem)
    post = load_folder(folder)
    local = run_checks(Post(markup=content_without_h1(post.markup), title=post.h1, seo_title=post.seo_title,
                            meta_description=post.meta_description, slug=post.slug), post.brief)
    if not local.passed and not allow_failed:
        raise PostFailsChecks(str(post.path), None, "the post fails its checks (" + ", ".join(local.failing_ids()) + ")",
                         "fix it, or publish it anyway with --publish-failed")

    own_client = client is None
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    try:
        return _publish(post, target, _Api(target, http, policy or RetryPolicy(), on_retry))
    finally:
        if own_client:
            http.close()


def _publish(post: PostFolder, target: WordPressTarget, api: _Api) -> PublishResult:
    warnings: list[str] = []
    api.connect()
    # Look for the earlier post first: a refusal below must not leave new terms behind.
    existing = _existing_post(api, post, warnings)
    if existing and existing.get("status") in _LIVE and target.status != "publish":
        state = {"publish": "published", "future": "scheduled"}.get(existing["status"], existing["status"])
        raise PublishError(f"post {existing['id']} with the slug {post.slug!r} is already {state} at "
                           f"{existing.get('link', api.target.url)}; genpost will not turn it back into a "
                           f"{target.status} (publish with status publish to update it live)")
    media = _upload_images(api, post, warnings) if post.images else {}
    sent: dict[str, Any] = {"title": post.h1, "content": with_media(content_without_h1(post.markup), post.images, media),
                            "slug": post.slug, "status": target.status}
    featured = next((im for im in post.images if im.role == "featured" and im.file in media), None)
    if featured is not None:
        sent["featured_media"] = int(media[featured.file]["id"])
    if target.author is not None:
        sent["author"] = target.author
    sent["meta"] = {**_seo_meta(target, post), MARKER_KEY: post.slug}

    new_terms: list[tuple[str, int]] = []
    try:
        # Only configured terms are sent: an empty list would drop terms an editor set by hand.
        if target.categories:
            sent["categories"] = [_term_id(api, "categories", n, warnings, new_terms) for n in target.categories]
        if target.tags:
            sent["tags"] = [_term_id(api, "tags", n, warnings, new_terms) for n in target.tags]
        if existing:
            saved = api.call("POST", f"wp/v2/posts/{int(existing['id'])}", f"update post {existing['id']}",
                             body=sent)
            created = False
        else:
            saved, created = _create(api, sent), True
    except (PublishError, TransientError):
        _remove_terms(api, new_terms)  # a failed run leaves no categories or tags behind
        raise
    first = saved.json()
    stored_id = int(first["id"])

    # Record the id at once, so a failed read-back never leads to a second post on the next run.
    _record(post, api, id=stored_id, link=first.get("link", ""), status=first.get("status", target.status))

    stored = api.call("GET", f"wp/v2/posts/{stored_id}", f"read back post {stored_id}",
                      params={"context": "edit"}).json()
    differences = _compare(sent, stored, warnings, api.unfiltered)
    differences += _compare_images(api, post, stored)
    stored_meta = stored.get("meta") if isinstance(stored.get("meta"), dict) else {}
    title_key, desc_key = (SEO_META_KEYS[target.seo_plugin][:2] if target.seo_plugin in SEO_META_KEYS
                           else (None, None))
    # Dropped meta falls back to what was sent: that case is a warning, not a failed check.
    checked = Post(markup=(stored.get("content") or {}).get("raw") or "",
                   title=(stored.get("title") or {}).get("raw") or "",
                   seo_title=stored_meta.get(title_key) or post.seo_title,
                   meta_description=stored_meta.get(desc_key) or post.meta_description,
                   slug=stored.get("slug") or None)
    verdict = run_checks(checked, post.brief)
    return PublishResult(site=api.target.url, post_id=stored_id, link=stored.get("link", first.get("link", "")),
                         status=stored.get("status", ""), slug=stored.get("slug", ""), created=created,
                         differences=differences, warnings=warnings, check_passed=verdict.passed,
                         failing_checks=verdict.failing_ids())


def _create(api: _Api, sent: dict[str, Any]) -> httpx.Response:
    """POST a new post. A retry first looks the slug up: the attempt whose answer was lost (timeout,
    dropped connection, 5xx from a proxy) may have created the post already."""
    attempts = 0

    def attempt() -> httpx.Response:
        nonlocal attempts
        attempts += 1
        if attempts > 1:
            found = api.send("GET", "wp/v2/posts", params={"slug": sent["slug"], "status": "any",
                                                          "context": "edit", "orderby": "id", "order": "asc"})
            try:
                posts = found.json() if found.status_code == 200 else []
            except ValueError:
                posts = []
            if isinstance(posts, list) and posts:
                return api.send("POST", f"wp/v2/posts/{int(posts[0]['id'])}", body=sent)
        return api.send("POST", "wp/v2/posts", body=sent)

    return api.call("POST", "wp/v2/posts", "create the post", attempt=attempt)
