"""Links: internal and external quotas, only the brief's URLs, anchors and attributes."""

from __future__ import annotations

from ..brief import Brief
from ..display import plural
from ..post import Document, Link
from . import CheckResult, check, result

GENERIC_ANCHORS = frozenset({
    "hier", "hier klicken", "klicken sie hier", "klick hier", "mehr", "mehr erfahren", "weiterlesen",
    "weiter", "link", "diese seite", "dieser link", "zum artikel", "read more", "click here", "here",
})
DOFOLLOW_BREAKERS = frozenset({"nofollow", "sponsored", "ugc"})


def _where(links: list[Link]) -> list[str]:
    out: list[str] = []
    for link in links:
        if link.section not in out:
            out.append(link.section)
    return out


def _quota(kind: str, links: list[Link], target: int) -> CheckResult:
    n = len(links)
    gap = "" if n == target else f"; {target - n} more needed" if n < target else f"; {n - target} too many"
    return result(f"links.{kind}.count", f"{kind.capitalize()} links", n == target, n, f"exactly {target}",
                  f"{plural(n, kind + ' link')}{gap}", where=_where(links))


@check
def internal_link_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    target = brief.targets.internal_links
    internal = [l for l in doc.links if brief.is_internal(l.href)]
    allowed = {brief.url_key(c.url) for c in brief.internal_links}
    unknown = [l for l in internal if brief.url_key(l.href) not in allowed]
    seen: set[str] = set()
    twice: list[Link] = []
    for l in internal:
        key = brief.url_key(l.href)
        if key in seen:
            twice.append(l)
        seen.add(key)
    empty = [l for l in doc.links if not l.text]
    generic = [l for l in doc.links if l.text.lower().strip(" .:!") in GENERIC_ANCHORS]
    return [
        _quota("internal", internal, target),
        result("links.internal.known", "Internal links from the brief", not unknown, [l.href for l in unknown],
               "only candidate URLs",
               "every internal link is a candidate from the brief" if not unknown
               else "not in the brief: " + ", ".join(l.href for l in unknown), where=_where(unknown)),
        result("links.internal.unique", "Internal links used once", not twice, [l.href for l in twice], "none twice",
               "no internal URL is linked twice" if not twice else "linked twice: " + ", ".join(l.href for l in twice),
               where=_where(twice)),
        result("links.anchor.empty", "Link anchors", not empty, len(empty), "no empty anchor",
               "every link has anchor text" if not empty else f"{plural(len(empty), 'link')} without anchor text: "
               + ", ".join(l.href for l in empty), where=_where(empty)),
        result("links.anchor.generic", "Descriptive anchors", not generic, [l.text for l in generic],
               "no “hier”, “mehr” …",
               "anchors describe their target" if not generic
               else "generic anchors: " + ", ".join(f"“{l.text}”" for l in generic),
               severity="warning", where=_where(generic)),
    ]


@check
def external_link_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    target = brief.targets.external_links
    external = [l for l in doc.links if not brief.is_internal(l.href)]
    allowed = {brief.url_key(c.url) for c in brief.external_links}
    not_https = [l for l in external if not l.href.lower().startswith("https://")]
    unknown = [l for l in external if brief.url_key(l.href) not in allowed]
    bad_rel = [l for l in external if "noopener" not in l.rel or l.rel & DOFOLLOW_BREAKERS]
    bad_target = [l for l in external if l.target != "_blank"]
    return [
        _quota("external", external, target),
        result("links.external.https", "External links use https", not not_https, [l.href for l in not_https],
               "https only", "all external links use https" if not not_https
               else "not https: " + ", ".join(l.href for l in not_https), where=_where(not_https)),
        result("links.external.known", "External links from the brief", not unknown, [l.href for l in unknown],
               "only the brief's URLs", "every external link is listed in the brief" if not unknown
               else "not in the brief: " + ", ".join(l.href for l in unknown), where=_where(unknown)),
        result("links.external.rel", "External link rel", not bad_rel,
               {l.href: " ".join(sorted(l.rel)) for l in bad_rel}, "noopener, DoFollow",
               "every external link has rel=noopener and stays DoFollow" if not bad_rel
               else "; ".join(f"{l.href} has rel “{' '.join(sorted(l.rel))}”" for l in bad_rel),
               where=_where(bad_rel)),
        result("links.external.target", "External links open in a new tab", not bad_target,
               [l.href for l in bad_target], "target=_blank", "every external link has target=_blank"
               if not bad_target else "without target=_blank: " + ", ".join(l.href for l in bad_target),
               where=_where(bad_target)),
    ]
