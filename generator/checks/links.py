"""Links: internal and external quotas, only the brief's URLs, anchors and attributes; and the SEO
plugins' link assessments."""

from __future__ import annotations

from ..post import Link
from ..display import plural
from . import ids
from .plugins import rankmath_rule, rankmath_verdict, yoast_rule, yoast_verdict
from .registry import Check, Rule, Verdict, declare
from .research import Research

GENERIC_ANCHORS = frozenset({
    "hier", "hier klicken", "klicken sie hier", "klick hier", "mehr", "mehr erfahren", "weiterlesen",
    "weiter", "link", "diese seite", "dieser link", "zum artikel", "read more", "click here", "here",
})
DOFOLLOW_BREAKERS = frozenset({"nofollow", "sponsored", "ugc"})


def _where(links: list[Link]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(link.section for link in links))


def _internal(r: Research) -> list[Link]:
    return r.internal_links


def _external(r: Research) -> list[Link]:
    return r.external_links


def _quota(kind: str, links: list[Link], target: int) -> Verdict:
    n = len(links)
    gap = "" if n == target else f"; {target - n} more needed" if n < target else f"; {n - target} too many"
    return Verdict(n == target, n, f"{plural(n, kind + ' link')}{gap}", where=_where(links), target=f"exactly {target}")


declare(Check(ids.LINKS_INTERNAL_COUNT, "Internal links", "links to the brief's website",
              {"brief": Rule("error", "exactly internal_links")},
              judge=lambda r, rule: _quota("internal", _internal(r), r.brief.targets.internal_links)))


def _internal_known(r: Research, rule: Rule) -> Verdict:
    allowed = {r.brief.url_key(c.url) for c in r.brief.internal_links}
    unknown = [l for l in _internal(r) if r.brief.url_key(l.href) not in allowed]
    return Verdict(not unknown, [l.href for l in unknown],
                   "every internal link is a candidate from the brief" if not unknown
                   else "not in the brief: " + ", ".join(l.href for l in unknown), where=_where(unknown))


declare(Check(ids.LINKS_INTERNAL_KNOWN, "Internal links from the brief", "internal links outside the brief's candidates",
              {"brief": Rule("error", "only candidate URLs")}, judge=_internal_known))


def _internal_unique(r: Research, rule: Rule) -> Verdict:
    seen: set[str] = set()
    twice: list[Link] = []
    for l in _internal(r):
        key = r.brief.url_key(l.href)
        if key in seen:
            twice.append(l)
        seen.add(key)
    return Verdict(not twice, [l.href for l in twice],
                   "no internal URL is linked twice" if not twice else "linked twice: " + ", ".join(l.href for l in twice),
                   where=_where(twice))


declare(Check(ids.LINKS_INTERNAL_UNIQUE, "Internal links used once", "internal URLs linked more than once",
              {"brief": Rule("error", "none twice")}, judge=_internal_unique))


def _anchor_empty(r: Research, rule: Rule) -> Verdict:
    empty = [l for l in r.doc.links if not l.text]
    return Verdict(not empty, len(empty), "every link has anchor text" if not empty
                   else f"{plural(len(empty), 'link')} without anchor text: " + ", ".join(l.href for l in empty), where=_where(empty))


declare(Check(ids.LINKS_ANCHOR_EMPTY, "Link anchors", "links without anchor text",
              {"brief": Rule("error", "no empty anchor")}, judge=_anchor_empty))


def _anchor_generic(r: Research, rule: Rule) -> Verdict:
    generic = [l for l in r.doc.links if l.text.lower().strip(" .:!") in GENERIC_ANCHORS]
    return Verdict(not generic, [l.text for l in generic], "anchors describe their target" if not generic
                   else "generic anchors: " + ", ".join(f"“{l.text}”" for l in generic), where=_where(generic))


declare(Check(ids.LINKS_ANCHOR_GENERIC, "Descriptive anchors", "anchors like “hier”, “mehr”",
              {"brief": Rule("warning", "no “hier”, “mehr” …")}, judge=_anchor_generic))

declare(Check(ids.LINKS_EXTERNAL_COUNT, "External links", "links to other sites",
              {"brief": Rule("error", "exactly external_links")},
              judge=lambda r, rule: _quota("external", _external(r), r.brief.targets.external_links)))


def _external_https(r: Research, rule: Rule) -> Verdict:
    bad = [l for l in _external(r) if not l.href.lower().startswith("https://")]
    return Verdict(not bad, [l.href for l in bad], "all external links use https" if not bad
                   else "not https: " + ", ".join(l.href for l in bad), where=_where(bad))


declare(Check(ids.LINKS_EXTERNAL_HTTPS, "External links use https", "external links without https",
              {"brief": Rule("error", "https only")}, judge=_external_https))


def _external_known(r: Research, rule: Rule) -> Verdict:
    allowed = {r.brief.url_key(c.url) for c in r.brief.external_links}
    unknown = [l for l in _external(r) if r.brief.url_key(l.href) not in allowed]
    return Verdict(not unknown, [l.href for l in unknown], "every external link is listed in the brief" if not unknown
                   else "not in the brief: " + ", ".join(l.href for l in unknown), where=_where(unknown))


declare(Check(ids.LINKS_EXTERNAL_KNOWN, "External links from the brief", "external links outside the brief's URLs",
              {"brief": Rule("error", "only the brief's URLs")}, judge=_external_known))


def _external_rel(r: Research, rule: Rule) -> Verdict:
    bad = [l for l in _external(r) if "noopener" not in l.rel or l.rel & DOFOLLOW_BREAKERS]
    return Verdict(not bad, {l.href: " ".join(sorted(l.rel)) for l in bad},
                   "every external link has rel=noopener and stays DoFollow" if not bad
                   else "; ".join(f"{l.href} has rel “{' '.join(sorted(l.rel))}”" for l in bad), where=_where(bad))


declare(Check(ids.LINKS_EXTERNAL_REL, "External link rel", "rel of external links",
              {"brief": Rule("error", "noopener, DoFollow")}, judge=_external_rel))


def _external_target(r: Research, rule: Rule) -> Verdict:
    bad = [l for l in _external(r) if l.target != "_blank"]
    return Verdict(not bad, [l.href for l in bad], "every external link has target=_blank" if not bad
                   else "without target=_blank: " + ", ".join(l.href for l in bad), where=_where(bad))


declare(Check(ids.LINKS_EXTERNAL_TARGET, "External links open in a new tab", "target of external links",
              {"brief": Rule("error", "target=_blank")}, judge=_external_target))


# --- the plugins' link assessments --------------------------------------------------------

def _competing(r: Research, rule: Rule) -> Verdict:
    anchors = r.yoast.competing_anchors
    return yoast_verdict(r.yoast.score("textCompetingLinks"), anchors,
                         "no link text is the keyphrase itself" if not anchors
                         else "links whose text is the keyphrase (they compete with this post): "
                         + ", ".join(f"“{a}”" for a in anchors))


declare(Check(ids.LINKS_COMPETING, "Competing links", "links whose anchor text is just the keyphrase", {
    # Yoast: an anchor with all content words of the keyphrase and no other content word
    # ("Zeiterfassung im Handwerk"; "Tipps zur Zeiterfassung im Handwerk" is fine) is red.
    "yoast": yoast_rule("textCompetingLinks", "no anchor that is the keyphrase",
                        "scoring/assessments/seo/TextCompetingLinksAssessment.js, "
                        "languageProcessing/researches/getAnchorsWithKeyphrase.js"),
}, judge=_competing))


def _has_internal(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id == "linksHasInternal":
        n = r.rankmath.links["internalTotal"]
        return rankmath_verdict(r.rankmath.points("linksHasInternal"), "linksHasInternal", n, f"{n} internal links")
    s = r.yoast.link_statistics
    return yoast_verdict(r.yoast.score("internalLinks"), s["internalTotal"],
                         f"{s['internalTotal']} internal links, {s['internalNofollow']} of them nofollow")


declare(Check(ids.LINKS_HAS_INTERNAL, "Internal links (SEO plugin)", "links to the own site as the plugin sees them", {
    # Warnings: the brief's internal_links target decides how many there are.
    "yoast": yoast_rule("internalLinks", "≥ 1, not all nofollow", "scoring/assessments/seo/InternalLinksAssessment.js, "
                        "languageProcessing/researches/getLinkStatistics.js", severity="warning"),
    "rankmath": rankmath_rule("linksHasInternal", "≥ 1 internal link"),
}, judge=_has_internal))


def _has_external(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id == "linksHasExternals":
        n = r.rankmath.links["externalTotal"]
        return rankmath_verdict(r.rankmath.points("linksHasExternals"), "linksHasExternals", n, f"{n} external links")
    s = r.yoast.link_statistics
    return yoast_verdict(r.yoast.score("externalLinks"), s["externalTotal"],
                         f"{s['externalTotal']} external links, {s['externalNofollow']} of them nofollow")


declare(Check(ids.LINKS_HAS_EXTERNAL, "Outbound links (SEO plugin)", "links to other sites as the plugin sees them", {
    "yoast": yoast_rule("externalLinks", "≥ 1, not all nofollow", "scoring/assessments/seo/OutboundLinksAssessment.js, "
                        "languageProcessing/researches/getLinkStatistics.js", severity="warning"),
    "rankmath": rankmath_rule("linksHasExternals", "≥ 1 external link"),
}, judge=_has_external))


def _external_dofollow(r: Research, rule: Rule) -> Verdict:
    n = r.rankmath.links["externalDofollow"]
    return rankmath_verdict(r.rankmath.points("linksNotAllExternals"), "linksNotAllExternals", n,
                            f"{n} external DoFollow links")


declare(Check(ids.LINKS_EXTERNAL_DOFOLLOW, "External DoFollow link", "external links without nofollow", {
    "rankmath": rankmath_rule("linksNotAllExternals", "≥ 1 external DoFollow link"),
}, judge=_external_dofollow))
