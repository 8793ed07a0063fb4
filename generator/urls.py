"""URLs compared by what they point to, in one place: the brief, the renderer, the checker and
publishing all ask the same questions (is it on the site? is it the same page? is it this machine?)."""

from __future__ import annotations

from urllib.parse import urlsplit

# Hosts on this machine: a local LLM server needs no key, and a local WordPress may be plain http.
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def host_key(host: str) -> str:
    """A host name as it is compared: lower-case, without "www.", IDNs in their punycode form, so
    "bäckerei.de" and "xn--bckerei-5wa.de" are the same site."""
    host = host.strip().strip(".").lower().removeprefix("www.")
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:  # not a valid IDN label: compare as written
        return host


_TAB_NEWLINE = str.maketrans("", "", "\t\n\r")


def as_browser_reads(url: str) -> str:
    """A URL as a browser reads it (WHATWG URL standard): leading and trailing spaces and control
    characters go, tabs and newlines inside go, and a backslash counts as a slash. So
    "/\\evil.example/x" is "//evil.example/x", another site."""
    return url.strip("".join(map(chr, range(33)))).translate(_TAB_NEWLINE).replace("\\", "/")


def is_site_relative(url: str) -> bool:
    """"/fallstudien/" is relative to the site; "//host/x" is protocol-relative (another site)."""
    url = as_browser_reads(url)
    return url.startswith("/") and not url.startswith("//")


def is_on_site(url: str, website: str) -> bool:
    """Site-relative URLs and absolute URLs on `website` (a host key) belong to the site."""
    if is_site_relative(url):
        return True
    try:
        return host_key(urlsplit(as_browser_reads(url)).hostname or "") == website
    except ValueError:
        return False


def url_key(url: str, website: str) -> str:
    """The page a URL points to: on the site by path (and query), elsewhere by host, path (and
    query). Trailing slashes, "www." and the case of the host do not matter."""
    url = as_browser_reads(url)
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket: a key nothing in a brief can match
        return "invalid:" + url
    path = parts.path.rstrip("/") or "/"
    query = f"?{parts.query}" if parts.query else ""
    if is_on_site(url, website):
        return path + query
    return f"{host_key(parts.hostname or '')}{path}{query}"


def is_local(url: str | None) -> bool:
    """Whether a URL names this machine, by its host name (not by substring: a host like
    localhost.example.com is remote)."""
    if not url:
        return False
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return False
    return host in LOCAL_HOSTS


def site_key(url: str) -> str:
    """A WordPress site's address as a post id is stored under it: scheme, host (punycode,
    lower-case) and port, and the path without a trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        pass
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme.lower()}://{host}{port}{parts.path.rstrip('/')}"


def endpoint_name(url: str) -> str:
    """An endpoint as messages name it: scheme, host, port and path; never user info or a query,
    which could hold a credential."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    try:
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        port = ""
    return f"{parts.scheme}://{host}{port}{parts.path.rstrip('/')}"
