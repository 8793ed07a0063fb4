"""Rank Math's content analysis (free plugin, German), as its shipped bundle computes it.

Source: github.com/rankmath/seo-by-rank-math v1.0.273, assets/admin/js/analyzer.js (the bundle
WordPress runs; its sources are assets/admin/src/analyzer/analysis/<test>.js,
assets/admin/src/analyzer/researches/, assets/admin/src/helpers/), the Paper the block editor
builds in assets/admin/src/sidebar/Assessor.js getPaper(), the tests a post gets in
includes/admin/metabox/class-post-screen.php get_analysis(). Word counts are
@wordpress/wordcount's. Rank Math explains the tests at https://rankmath.com/kb/score-100-in-tests/.

Score (ResultManager.refreshScore): round(100 · Σ points / Σ maximum points) over every test of
the post, a test that does not apply counting with 0 of its maximum. For German the maxima add up
to 106: Content AI's 5 points count in every post, so a site without Content AI reaches at most
101/106 = 95. Above 80 is green (helpers/getClassByScore.js), above 50 orange.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urlsplit

DATA_FILE = Path(__file__).resolve().parent / "data" / "rankmath-de.json"

# Test id -> maximum points for de_DE (each test's getScore() in analyzer.js).
MAX_POINTS = {
    "keywordInTitle": 38, "titleStartWithKeyword": 3, "keywordInMetaDescription": 2, "keywordInPermalink": 5,
    "keywordIn10Percent": 3, "keywordInContent": 3, "keywordInSubheadings": 3, "keywordInImageAlt": 2,
    "keywordDensity": 6, "lengthContent": 8, "lengthPermalink": 4, "linksHasInternal": 5, "linksHasExternals": 4,
    "linksNotAllExternals": 2, "contentHasShortParagraphs": 3, "contentHasAssets": 6, "contentHasTOC": 2,
    "titleHasNumber": 1, "titleHasPowerWords": 1, "hasContentAI": 5,
}
GREEN_ABOVE = 80  # helpers/getClassByScore.js: > 80 "good"
ORANGE_ABOVE = 50


@lru_cache(maxsize=1)
def _data() -> tuple[tuple[tuple[str, re.Pattern[str]], ...], tuple[str, ...]]:
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    diacritics = tuple((letter, re.compile(pattern)) for letter, pattern in raw["diacritics"].items())
    return diacritics, tuple(raw["powerWords"])


@lru_cache(maxsize=1)
def _diacritics_table() -> dict[int, str] | None:
    """The replacements as one translation table: each pattern is a class of single characters, so
    replacing them one pattern after the other equals one pass in which the first pattern that
    lists a character wins. None if a pattern is anything else (then the patterns run in turn)."""
    table: dict[int, str] = {}
    for letter, pattern in _data()[0]:
        m = re.fullmatch(r"\[((?:\\u[0-9A-Fa-f]{4})+)\]", pattern.pattern)
        if not m:
            return None
        for code in re.findall(r"[0-9A-Fa-f]{4}", m.group(1)):
            table.setdefault(int(code, 16), letter)
    return table


def remove_diacritics(text: str) -> str:
    """helpers/removeDiacritics.js with assets/vendor/diacritics/de.php (ä → ae, ß → ss …)."""
    table = _diacritics_table()
    if table is not None:
        return text.translate(table)
    for letter, pattern in _data()[0]:
        text = pattern.sub(letter, text)
    return text


@lru_cache(maxsize=1)
def _power_words() -> frozenset[str]:
    return frozenset(remove_diacritics(p) for p in _data()[1])


@lru_cache(maxsize=1024)
def _is_power_word(word: str) -> bool:
    """Rank Math's test, a power word p with word == p or word.startswith(p) and at most 4 more
    letters: asked of the word's own prefixes of those lengths instead of every power word."""
    power = _power_words()
    return any(word[:n] in power for n in range(max(len(word) - 4, 0), len(word) + 1))


def _normalize_quotes(text: str) -> str:
    return re.sub("[“”〝〞〟‟„]", '"', re.sub("[‘’‛`]", "'", text))


@lru_cache(maxsize=64)  # the content is stripped by several tests of a run; a post's texts are ~30 kB
def _strip_tags(text: str) -> str:
    return re.sub(r"</?[a-z][^>]*?>", "", text, flags=re.I)


@lru_cache(maxsize=64)
def _strip_spaces(text: str) -> str:
    text = re.sub(r"&nbsp;|&#160;", " ", text, flags=re.I)
    text = re.sub(r"\s{2,}", " ", text)
    text = re.sub(r"\s\.", ".", text)
    return re.sub(r"^\s+|\s+$", "", text)


def _strip_comments(text: str) -> str:
    return re.sub(r"<!--[\s\S]*?-->", "", text)


def _strip_entities(text: str) -> str:
    return re.sub(r"&\S+?;", "", text)


def _strip_scripts_styles(text: str) -> str:
    text = re.sub(r"<style[^>]*>([\S\s]*?)</style>", "", text, flags=re.I | re.M)
    return re.sub(r"<script[^>]*>([\S\s]*?)</script>", "", text, flags=re.I | re.M)


_SHORTCODE_NAME = "[^<>&/\\[\\]\x00- =]+?"
_SHORTCODE_START = re.compile("\\[" + _SHORTCODE_NAME + "( [^\\]]+?)?\\]")
_SHORTCODE_END = re.compile("\\[/" + _SHORTCODE_NAME + "\\]")


def _strip_shortcodes(text: str) -> str:
    return _SHORTCODE_END.sub("", _SHORTCODE_START.sub("", text))


def clean_html(text: str) -> str:
    """helpers/cleanText.js cleanHTML: the post content as one line, entities and comments gone."""
    text = re.sub(r"\s+", " ", text.replace("&nbsp;", " "))
    text = _strip_comments(_strip_scripts_styles(text))
    return _normalize_quotes(_strip_spaces(_strip_entities(text)))


def clean_text(text: str) -> str:
    """cleanText of the bundle (function Ue): for the meta description."""
    text = _strip_tags(_strip_scripts_styles(text))
    return _normalize_quotes(_strip_spaces(_strip_entities(_strip_comments(text))))


def unescape(text: str) -> str:
    """helpers/unescape.js, applied to the content by sidebar/Assessor.js getPaper()."""
    return re.sub(r"&(?:amp|quot|#(0+)?39);", lambda m: {"&amp;": "&", "&quot;": '"'}.get(m.group(0), "'"), text)


_PUNCT = "[\\–\\-\\(\\)_\\[\\]’“”\"'.?!:;,¿¡«»‹›—×+&<>]+"
_PUNCT_START = re.compile("^" + _PUNCT)
_PUNCT_END = re.compile(_PUNCT + "$")
_REMOVABLES = re.compile("[\u0080-\u00bf\u00d7\u00f7\u2000-\u2bff\u2e00-\u2e7f]")


def get_words(text: str) -> list[str]:
    """researches/getWords.js (bundle: function C)."""
    return list(_words_of(text))


@lru_cache(maxsize=256)  # the same content, title and keyword are asked for by several tests of a run
def _words_of(text: str) -> tuple[str, ...]:
    text = _strip_tags(text)
    text = _strip_shortcodes(_strip_comments(text))
    text = _strip_entities(_strip_spaces(text))
    text = _REMOVABLES.sub("", re.sub(r"--|\u2014", " ", text))
    if text == "":
        return ()
    words = [_PUNCT_END.sub("", _PUNCT_START.sub("", w)) for w in re.split(r"\s", text)]
    return tuple(w for w in words if w.strip() != "")


_WORDCOUNT_REMOVE = re.compile("[!-/:-@\\[-`{-~\u0080-\u00bf\u00d7\u00f7\u2000-\u2bff\u2e00-\u2e7f]")


def word_count(text: str) -> int:
    """@wordpress/wordcount count(text, "words")."""
    text = re.sub(r"</?[a-z][^>]*?>", "\n", text, flags=re.I)
    text = _strip_comments(text)
    text = re.sub(r"&nbsp;|&#160;", " ", text, flags=re.I)
    text = _strip_entities(text)
    text = re.sub(r"--|\u2014", " ", text)
    text = _WORDCOUNT_REMOVE.sub("", text) + "\n"
    return len(re.findall(r"\S\s+", text))


def _deburr(text: str) -> str:
    text = text.replace("ß", "ss").replace("ẞ", "SS").replace("æ", "ae").replace("Æ", "AE")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def clean_for_slug(text: str) -> str:
    """@wordpress/url cleanForSlug"""
    if not text:
        return ""
    text = re.sub(r"(&nbsp;|&ndash;|&mdash;)", "-", _deburr(text))
    text = re.sub(r"[\s./]+", "-", text)
    text = _strip_entities(text)
    text = re.sub(r"[^\w-]+", "", text).lower()  # \w: letters, digits and "_", as \p{L}\p{N}_
    text = re.sub(r"-+", "-", text)
    return re.sub(r"(^-+)|(-+$)", "", text)


def _slugify(text: str) -> str:
    """researches/slugify.js"""
    if not text:
        return ""
    return _deburr(re.sub(r"[\s./_]+", "-", text).strip("-")).lower()


def _host(url: str) -> str | None:
    """node's url.parse(url, false, true).host (slashes denote a host)."""
    if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.I) or url.startswith("//"):
        return urlsplit(url if "://" in url else "http:" + url).netloc.lower() or None
    return None


@dataclass(frozen=True)
class RankMathPaper:
    content: str  # as stored, without the post title
    keyword: str
    title: str = ""  # SEO title
    description: str = ""
    slug: str = ""
    url: str = ""  # the full permalink, https://site/slug/
    site_domain: str = ""  # rankMath.parentDomain: links to it are internal


class RankMathAnalysis:
    def __init__(self, paper: RankMathPaper):
        self.paper = paper

    # The Paper's fields as the bundle's Paper setters leave them.
    @cached_property
    def text(self) -> str:
        return remove_diacritics(clean_html(unescape(self.paper.content))).replace("\xa0", " ")

    @cached_property
    def text_lower(self) -> str:
        return self.text.lower()

    @cached_property
    def keyword_lower(self) -> str:
        return remove_diacritics(remove_diacritics(self.paper.keyword)).replace("\xa0", " ").lower()

    @cached_property
    def title_lower(self) -> str:
        return remove_diacritics(_normalize_quotes(self.paper.title)).replace("\xa0", " ").lower()

    @cached_property
    def description_lower(self) -> str:
        return remove_diacritics(clean_text(self.paper.description)).replace("\xa0", " ").lower()

    @cached_property
    def keyword_words(self) -> str:
        return " ".join(get_words(_normalize_quotes(self.keyword_lower)))

    def _has_keyword(self, text: str) -> bool:
        """The bundle's Ht: the keyword's words, joined, inside the text's words, joined."""
        words = get_words(text)
        return bool(words) and self.keyword_words in " ".join(words)

    @cached_property
    def words(self) -> int:
        return word_count(self.text_lower)

    @cached_property
    def links(self) -> dict[str, int]:
        """researches/getLinkStats.js (bundle: K, W, U)."""
        stats = dict.fromkeys(("total", "internalTotal", "internalDofollow", "internalNofollow", "externalTotal",
                               "externalDofollow", "externalNofollow", "otherTotal", "otherDofollow",
                               "otherNofollow"), 0)
        for anchor in re.findall(r"""<a [^>]*href=(?:["'])[a-z/](?:[^"']+)[^>]*>""", self.text, re.I):
            href_m = re.search(r"""href=(["'])([^"']+)\1""", anchor, re.I)
            href = href_m.group(2) if href_m else ""
            scheme = re.match(r"^([a-z][a-z0-9+.-]*):", href, re.I)
            if (scheme and scheme.group(1).lower() not in ("http", "https")) or href.startswith("#"):
                kind = "other"
            elif "//" not in href and href.startswith("/"):
                kind = "internal"
            else:
                host = _host(href)
                kind = "internal" if not host or self.paper.site_domain in host else "external"
            low = anchor.lower()
            follow = ("Dofollow" if "dofollow" in low else
                      "Nofollow" if "<a" in low and "rel=" in low and "nofollow" in low else "Dofollow")
            stats["total"] += 1
            stats[kind + "Total"] += 1
            stats[kind + follow] += 1
        return stats

    @cached_property
    def density(self) -> tuple[float, int]:
        """analysis/keywordDensity.js: (percent with two decimals, uses)."""
        keyword = " ".join(get_words(_normalize_quotes(self.keyword_lower)))
        words = get_words(_strip_spaces(_strip_tags(self.text)))
        if not self.words or not keyword or not words:
            return 0.0, 0
        uses = len(re.findall(re.escape(keyword), " ".join(words), re.I))
        return float(f"{uses / self.words * 100:.2f}"), uses

    @cached_property
    def paragraphs(self) -> list[int]:
        """researches/getParagraphs.js: word counts of the <p> elements (wpautop wraps text outside
        block elements too; genpost writes none)."""
        text = _strip_comments(_strip_shortcodes(self.text))
        found = re.findall(r"<p(?:[^>]+)?>(.*?)</p>", text, re.I) or [text]
        return [n for n in (word_count(m) for m in found) if n > 0]

    @cached_property
    def images(self) -> int:
        return (len(re.findall(r"<img(?:[^>]+)?>", self.text, re.I))
                + len(re.findall(r"\[gallery( [^\]]+?)?\]", self.text, re.I)))

    @cached_property
    def videos(self) -> int:
        video_url = re.compile(r"(http://|https://|)(player.|www.)?(vimeo\.com|youtu(be\.com|\.be|be\.googleapis\.com))"
                               r"/(video/|embed/|watch\?v=|v/)?([A-Za-z0-9._%-]*)(&\S+)?")
        tags = re.findall(r"<iframe(?:[^>]+)?>", self.text) + re.findall(r"<video(?:[^>]+)?>", self.text)
        return sum(1 for t in tags if video_url.search(t))

    # --- the tests: points earned ---------------------------------------------------------

    def points(self, test: str) -> int:
        return getattr(self, "_" + test)()

    def _keywordInTitle(self) -> int:
        return MAX_POINTS["keywordInTitle"] if self.paper.title and self._has_keyword(self.title_lower) else 0

    def _titleStartWithKeyword(self) -> int:
        title = " ".join(get_words(self.title_lower))
        position = title.find(self.keyword_words) if self.keyword_words else -1
        return 3 if self.paper.title and 0 <= position < math.floor(len(title) / 2) else 0

    def _keywordInMetaDescription(self) -> int:
        return 2 if self.paper.description and self._has_keyword(self.description_lower) else 0

    def keyword_permalink(self) -> str:
        """Paper.getKeywordPermalink: the whole keyword, function words included."""
        k = re.sub(r"[-_.]+", "-", self.keyword_lower.replace("'", ""))
        return _slugify(_PUNCT_END.sub("", _PUNCT_START.sub("", k)))

    def _keywordInPermalink(self) -> int:
        if not self.paper.slug:
            return 0
        url = clean_for_slug(re.sub(r"[-_]", "-", self.paper.url))
        return 5 if clean_for_slug(self.keyword_permalink()) in url else 0

    def _keywordIn10Percent(self) -> int:
        words = get_words(self.text_lower)
        if not words:
            return 0
        if len(words) > 400:
            words = words[:math.floor(len(words) * 0.1)]
        return 3 if self.keyword_words in " ".join(words) else 0

    def _keywordInContent(self) -> int:
        return 3 if self._has_keyword(_strip_spaces(_strip_tags(self.text_lower))) else 0

    def _keywordInSubheadings(self) -> int:
        parts = [re.escape(_normalize_quotes(w)) for w in get_words(self.keyword_lower)]
        pattern = r"<h[2-6][^>]*>[\s\S]*?" + r"[^A-Za-z0-9_]+".join(parts) + r"[\s\S]*?</h[2-6]>"
        return 3 if parts and re.search(pattern, self.text_lower, re.I) else 0

    def _keywordInImageAlt(self) -> int:
        keyword = _normalize_quotes(" ".join(dict.fromkeys(self.keyword_lower.split(" "))))
        pattern = re.sub(r"[.*+?^${}()|[\]\\]", lambda m: "\\" + m.group(0), keyword).replace(" ", ".*")
        alts = [m.group(2) for m in re.finditer(r"""<img[^>]*\salt=(["'])(.*?)\1""", self.text_lower, re.I)]
        if any(re.search(pattern, alt, re.I) for alt in alts):
            return 2
        return 2 if re.search(r"\[gallery( [^\]]+?)?\]", self.text_lower, re.I) else 0

    def _keywordDensity(self) -> int:
        d, _ = self.density
        if not self.words:
            return 0
        if d < 0.5 or d > 2.5:
            return 0
        if 0.5 <= d < 0.75:
            return 2
        if 0.76 <= d < 1.0:
            return 3
        return 6

    def _lengthContent(self) -> int:
        n, score, upper = self.words, 0, 100_000
        for boundary, points in ((2500, 8), (2000, 5), (1500, 4), (1000, 3), (600, 2)):
            if boundary <= n < upper:
                score = points
            upper = boundary + 1
        return score

    def _lengthPermalink(self) -> int:
        return 4 if self.paper.url and len(self.paper.url) <= 75 else 0

    def _linksHasInternal(self) -> int:
        return 5 if self.links["total"] and self.links["internalTotal"] > 0 else 0

    def _linksHasExternals(self) -> int:
        return 4 if self.links["total"] and self.links["externalTotal"] > 0 else 0

    def _linksNotAllExternals(self) -> int:
        return 2 if self.links["total"] and self.links["externalDofollow"] > 0 else 0

    def _contentHasShortParagraphs(self) -> int:
        return 0 if any(n > 120 for n in self.paragraphs) else 3

    def _contentHasAssets(self) -> int:
        images = {0: 0, 1: 1, 2: 2, 3: 4}.get(self.images, 6)
        videos = {0: 0, 1: 1}.get(self.videos, 2)
        return min(6, images + videos)

    def _contentHasTOC(self) -> int:
        return 2 if "wp-block-rank-math-toc-block" in self.text_lower else 0

    def _titleHasNumber(self) -> int:
        return 1 if re.search(r"\d+", self.paper.title) else 0

    def power_words_in_title(self) -> list[str]:
        words = [remove_diacritics(w) for w in self.title_lower.split(" ")]
        return [w for w in words if _is_power_word(w)]

    def _titleHasPowerWords(self) -> int:
        return 1 if self.paper.title and self.power_words_in_title() else 0

    def _hasContentAI(self) -> int:
        return 0  # Content AI is a paid service genpost does not use

    def score(self) -> int:
        """ResultManager.refreshScore: lodash round(100 · Σ points / Σ maxima)."""
        earned = sum(self.points(t) for t in MAX_POINTS)
        return math.floor(100 * earned / sum(MAX_POINTS.values()) + 0.5)


def rating(score: int) -> str:
    return "good" if score > GREEN_ABOVE else "ok" if score > ORANGE_ABOVE else "bad"
