"""Yoast SEO's analysis of one post (free plugin, German, not cornerstone): each research once, each
assessment's score exactly as yoastseo 3.6.0 gives it. Paths are under node_modules/yoastseo/build/.

`YoastPaper` holds what the plugin sends (collectAnalysisData.js in the plugin): the content as
WordPress stores it, the SEO title, meta description, focus keyphrase, slug, permalink, the
title's pixel width and the snippet date. `YoastAnalysis(paper)` computes lazily; the checks in
generator/checks read its researches and scores.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from urllib.parse import urlsplit

from .data import yoast_data
from .keyphrase import (find_forms_in_string, forms_in_tokens, is_function_word_only, keyphrase_forms,
                        match_text_with_array, match_text_with_word, escape_regexp)
from .sentences import string_sentences
from .text import (WORD_BOUNDARY_WITH_HYPHEN, format_number, get_words, html_parser, IGNORED_CLASSES,
                   strip_full_tags, strip_non_text_tags, strip_spaces, words_from_tokens)
from .tree import Node, Sentence, build_tree, tree_sentences


@dataclass(frozen=True)
class YoastPaper:
    content: str  # block markup as stored, without the post title
    keyword: str
    title: str = ""  # the SEO title
    description: str = ""
    slug: str = ""
    permalink: str = ""
    title_width: int | None = None  # px, Arial 20px; None: not measured (assessment left out)
    date: str = ""  # the snippet date the plugin shows for posts ("" = none)


def rating(score: float) -> str:
    """scoring/interpreters/scoreToRating.js"""
    if score == -1:
        return "error"
    if score == 0:
        return "feedback"
    if score <= 4:
        return "bad"
    if score <= 7:
        return "ok"
    return "good"


# Yoast's identifiers of the assessments the free plugin shows for a post, in the assessors' order
# (scoring/assessors/seoAssessor.js, contentAssessor.js).
SEO_ASSESSMENTS = ("introductionKeyword", "keyphraseLength", "keyphraseDensity", "metaDescriptionKeyword",
                   "metaDescriptionLength", "subheadingsKeyword", "textCompetingLinks", "imageKeyphrase", "images",
                   "textLength", "externalLinks", "keyphraseInSEOTitle", "internalLinks", "titleWidth",
                   "slugKeyword", "functionWordsInKeyphrase", "singleH1")
READABILITY_ASSESSMENTS = ("subheadingsTooLong", "textParagraphTooLong", "textSentenceLength", "textTransitionWords",
                           "passiveVoice", "sentenceBeginnings")


class YoastAnalysis:
    def __init__(self, paper: YoastPaper):
        self.paper = paper

    # --- shared text views -----------------------------------------------------------------

    @cached_property
    def tree(self) -> Node:
        return build_tree(self.paper.content)

    @cached_property
    def sentences(self) -> list[Sentence]:
        return tree_sentences(self.tree)

    @cached_property
    def parsed(self) -> str:
        """helpers/html/htmlParser.js of the content (default ignored classes)."""
        return html_parser(self.paper.content)

    @cached_property
    def forms(self) -> tuple[tuple[str, ...], ...]:
        return keyphrase_forms(self.paper.keyword)

    @cached_property
    def tree_words(self) -> list[str]:
        """helpers/word/getAllWordsFromTree.js: tokens, hyphenated parts separate."""
        return [w for s in self.sentences for w in words_from_tokens(s.tokens)]

    @cached_property
    def tree_word_count(self) -> int:
        return len(self.tree_words)

    @cached_property
    def parsed_word_count(self) -> int:
        """Words of the HTML string (default ignored classes)."""
        return len(get_words(self.parsed))

    @cached_property
    def text_word_count(self) -> int:
        """researches/wordCountInText.js: words of the HTML string (yoast-ai-summarize kept)."""
        if "yoast-ai-summarize" not in self.paper.content:
            return self.parsed_word_count  # the same string: no element of that class to keep
        classes = tuple(c for c in IGNORED_CLASSES if c != "yoast-ai-summarize")
        return len(get_words(html_parser(self.paper.content, classes)))

    @property
    def has_keyword(self) -> bool:
        return self.paper.keyword != ""

    @property
    def has_text(self) -> bool:
        return self.paper.content != ""

    # --- researches ------------------------------------------------------------------------

    @cached_property
    def paragraphs(self) -> list[Node]:
        """researches/getParagraphs.js, minus captions (findKeywordInFirstParagraph.js)."""
        found = self.tree.find_all(lambda n: n.name == "p")
        found = [p for p in found if p.sentences and not all(c.name == "a" for c in p.children)]
        parents = _parents(self.tree)
        return [p for p in found if not (p.implicit and getattr(parents.get(id(p)), "name", "") == "figcaption")]

    @cached_property
    def introduction(self) -> dict:
        """researches/findKeywordInFirstParagraph.js"""
        if not self.paragraphs:
            return introduction(None, self.forms)
        first = self.paragraphs[0]
        return introduction((first.inner_text(), first.sentences), self.forms)

    @cached_property
    def keyphrase_count(self) -> int:
        """researches/keywordCount.js: per sentence, the smallest count of any content word."""
        return keyphrase_count(self.sentences, self.forms)

    @cached_property
    def density(self) -> float:
        words = self.tree_word_count
        return self.keyphrase_count / words * 100 if words else 0.0

    @cached_property
    def subheadings(self) -> list[str]:
        """researches/matchKeywordInSubheadings.js: the H2 and H3 of the content."""
        text = strip_non_text_tags(self.parsed)
        return [m.group(0) for m in re.finditer(r"<h([2-3])(?:[^>]+)?>(.*?)</h\1>", text, re.IGNORECASE)]

    @cached_property
    def subheadings_with_keyphrase(self) -> list[str]:
        return [h for h in self.subheadings if find_forms_in_string(self.forms, h).percent_word_matches > 50]

    @cached_property
    def seo_title_match(self) -> dict:
        """researches/findKeyphraseInSEOTitle.js (no prefixed function words in German)."""
        result = {"exact": False, "all_words": False, "position": -1}
        title = self.paper.title
        matched = match_text_with_word(title, escape_regexp(self.paper.keyword))
        if matched.count > 0:
            position = matched.position
            if position != 0 and is_function_word_only(title[:position]):
                position = 0
            result.update(exact=True, all_words=True, position=position)
        elif find_forms_in_string(self.forms, title).percent_word_matches == 100:
            result["all_words"] = True
        return result

    @cached_property
    def meta_keyphrase_count(self) -> int:
        """researches/metaDescriptionKeyword.js"""
        total = 0
        for sentence in string_sentences(self.paper.description):
            counts = [match_text_with_array(sentence, f).count for f in self.forms]
            total += min(counts) if counts else 0
        return total

    @cached_property
    def meta_length(self) -> int:
        """helpers/word/countMetaDescriptionLength.js: the snippet date and " - " count too."""
        n = len(self.paper.description)
        return n + len(self.paper.date) + 3 if self.paper.date and n else n

    @cached_property
    def slug_percent(self) -> int:
        """researches/keywordCountInUrl.js keywordCountInSlug"""
        return find_forms_in_string(self.forms, re.sub(r"[-_]", " ", self.paper.slug)).percent_word_matches

    @cached_property
    def anchors(self) -> list[Node]:
        return self.tree.find_all(lambda n: n.name == "a")

    @cached_property
    def competing_anchors(self) -> list[str]:
        """researches/getAnchorsWithKeyphrase.js"""
        if not self.has_text or not self.has_keyword:
            return []
        return competing_anchors([(a.attributes.get("href") or "", a.inner_text()) for a in self.anchors], self.forms,
                                 self.paper.permalink)

    @cached_property
    def images(self) -> list[Node]:
        return self.tree.find_all(lambda n: n.name == "img")

    @cached_property
    def image_count(self) -> int:
        return len(self.images)

    @cached_property
    def alt_properties(self) -> dict[str, int]:
        """researches/altTagCount.js"""
        return alt_properties([image.attributes.get("alt") or "" for image in self.images], self.forms)

    @cached_property
    def link_statistics(self) -> dict[str, int]:
        """researches/getLinkStatistics.js"""
        return link_statistics(string_links(self.parsed), self.paper.permalink)

    @cached_property
    def h1_count(self) -> int:
        """researches/h1s.js"""
        return sum(1 for h in self.tree.find_all(lambda n: n.name == "h1") if "".join(h.text_nodes()))

    @cached_property
    def section_lengths(self) -> list[tuple[str, int]]:
        """researches/getSubheadingTextLengths.js: (subheading, words of the text after it);
        the text before the first heading comes first with the subheading ""."""
        before, out = heading_sections(self.parsed)
        if out and before > 0:
            out.insert(0, ("", before))
        return out

    @cached_property
    def paragraph_lengths(self) -> list[int]:
        """researches/getParagraphLength.js"""
        out = []
        for p in self.tree.find_all(lambda n: n.name == "p"):
            n = len(words_from_tokens(tuple(t for s in (p.sentences or []) for t in s.tokens), False))
            if n > 0:
                out.append(n)
        return out

    @cached_property
    def sentence_lengths(self) -> list[tuple[str, int]]:
        """researches/countSentencesFromText.js"""
        out = []
        for s in self.sentences:
            n = len(words_from_tokens(s.tokens, False))
            if n > 0:
                out.append((s.text.strip(), n))
        return out

    @cached_property
    def transition_sentences(self) -> list[tuple[str, list[str]]]:
        """researches/findTransitionWords.js: (sentence, transition words it holds)."""
        out = []
        for s in self.sentences:
            found = _transition_words(s.tokens)
            if found:
                out.append((s.text.strip(), list(found)))
        return out

    @cached_property
    def passive(self) -> tuple[int, list[str]]:
        """researches/getPassiveVoiceResult.js (periphrastic): (all sentences, passive ones)."""
        from .passive import is_passive

        sentences = string_sentences(self.parsed)
        return len(sentences), [s for s in sentences if is_passive(strip_full_tags(s).lower())]

    @cached_property
    def sentence_beginnings(self) -> list[tuple[str, int, list[str]]]:
        """researches/getSentenceBeginnings.js: runs of (beginning, count, sentences); lists and
        tables are left out, so the sentences around a list are neighbours."""
        return beginning_runs(sentence_beginnings(self.tree))

    # --- assessments: Yoast's score of each --------------------------------------------------

    def score(self, identifier: str) -> float | None:
        """The assessment's score, or None when the plugin would not show it."""
        return getattr(self, "_score_" + identifier)()

    def _score_introductionKeyword(self) -> float:
        if not (self.has_keyword and self.has_text):
            return 3
        intro = self.introduction
        return 9 if intro["found_in_one_sentence"] else 6 if intro["found_in_paragraph"] else 3

    def _score_keyphraseLength(self) -> float:
        n = len(self.forms)
        return -999 if n == 0 else 9 if n <= 4 else 6 if n <= 8 else 3

    def density_bounds(self) -> tuple[int, int]:
        """Recommended keyphrase counts (scoring/helpers/assessments/recommendedKeywordCount.js)."""
        words = self.tree_word_count
        if words < 100:
            return 1, (2 if words > 50 else 1)
        factor = 0.7 + len(self.forms) / 3

        def count(density: float, rounding) -> int:
            c = density * words / (100 * factor)
            return 2 if c < 2 else rounding(c)

        return count(0.5, math.ceil), count(3, math.floor)

    def _score_keyphraseDensity(self) -> float:
        if not (self.has_keyword and self.has_text):
            return -50
        count, words = self.keyphrase_count, self.tree_word_count
        low, high = self.density_bounds()
        if words < 100:
            if count == 0:
                return 4
            if low <= count <= high:
                return 9
            return -10 if count == high + 1 else -50
        d = self.density * (0.7 + len(self.forms) / 3)
        if count == 0 or 0 <= d < 0.5 or count == 1:
            return 4
        if 0.5 <= d <= 3 or (count == 2 and low <= 2):
            return 9
        return -10 if 3 < d <= 4 else -50

    def _score_metaDescriptionKeyword(self) -> float:
        if not (self.has_keyword and self.paper.description):
            return 3
        return 9 if self.meta_keyphrase_count in (1, 2) else 3

    def _score_metaDescriptionLength(self) -> float:
        n = self.meta_length
        return 1 if n == 0 else 6 if n <= 120 or n > 156 else 9

    def _score_subheadingsKeyword(self) -> float:
        if not (self.has_keyword and self.has_text):
            return 1
        if not self.content_has_subheading:
            return 2 if self.stripped_word_count >= 300 else 9
        count, matches = len(self.subheadings), len(self.subheadings_with_keyphrase)
        low, high = math.ceil(count * 0.3), math.floor(count * 0.75)
        if 0 < matches < low:
            return 3
        if count > 1 and matches > high:
            return 3
        if count == 1 and matches == 1:
            return 9
        return 9 if low <= matches <= high else 3

    @cached_property
    def content_has_subheading(self) -> bool:
        """An H2 or H3 in the content as stored (SubHeadingsKeywordAssessment.js)."""
        return bool(re.search(r"<h([2-3])(?:[^>]+)?>(.*?)</h\1>", self.paper.content, re.IGNORECASE))

    @cached_property
    def stripped_word_count(self) -> int:
        return len(get_words(strip_non_text_tags(self.parsed)))

    @cached_property
    def has_heading(self) -> bool:
        """Any H1–H6 in the HTML string (SubheadingsDistributionTooLongAssessment.js)."""
        return bool(re.search(r"<h([1-6])(?:[^>]+)?>(.*?)</h\1>", self.parsed, re.IGNORECASE))

    def _score_textCompetingLinks(self) -> float:
        return 2 if self.competing_anchors else 8

    def _score_imageKeyphrase(self) -> float:
        n, alt = self.image_count, self.alt_properties
        if not self.has_keyword or n == 0:
            return 3
        if alt["withAltNonKeyword"] > 0 and alt["withAltKeyword"] == 0:
            return 6
        low, high = math.ceil(n * 0.3), math.floor(n * 0.75)
        k = alt["withAltKeyword"]
        if n > 4 and 0 < k < low:
            return 6
        if (n < 5 and k > 0) or (n == 5 and 2 <= k <= 4) or (n > 4 and low <= k <= high):
            return 9
        return 6

    def _score_images(self) -> float:
        return 9 if self.image_count else 3

    def _score_textLength(self) -> float:
        n = self.text_word_count
        return 9 if n >= 300 else 6 if n >= 250 else 3 if n >= 200 else -10 if n >= 100 else -20

    def _score_externalLinks(self) -> float:
        s = self.link_statistics
        if s["externalTotal"] == 0:
            return 3
        if s["externalNofollow"] == s["externalTotal"]:
            return 7
        return 8 if s["externalDofollow"] < s["externalTotal"] else 9

    def _score_keyphraseInSEOTitle(self) -> float:
        if not (self.has_keyword and self.paper.title):
            return 2
        m = self.seo_title_match
        if m["exact"]:
            return 9 if m["position"] == 0 else 6
        return 6 if m["all_words"] else 2

    def _score_internalLinks(self) -> float:
        s = self.link_statistics
        if s["internalTotal"] == 0:
            return 3
        if s["internalNofollow"] == s["internalTotal"]:
            return 7
        return 9 if s["internalDofollow"] == s["internalTotal"] else 8

    def _score_titleWidth(self) -> float | None:
        width = self.paper.title_width
        if width is None:
            return None
        return 1 if width == 0 else 9 if width <= 600 else 3

    def _score_slugKeyword(self) -> float:
        if not (self.has_keyword and self.paper.slug):
            return 3
        if len(self.forms) < 3:
            return 9 if self.slug_percent == 100 else 6
        return 9 if self.slug_percent > 50 else 6

    def _score_functionWordsInKeyphrase(self) -> float:
        return 0  # silent unless the keyphrase is only function words (shown with score 0 as well)

    def _score_singleH1(self) -> float:
        return 1 if self.h1_count > 1 else 8

    def _score_subheadingsTooLong(self) -> float:
        lengths = self.section_lengths
        if self.parsed_word_count <= 300:
            return 9
        if not self.has_heading:
            return 2
        too_long = sum(1 for _, n in lengths if n > 300)
        before = lengths[0][1] if lengths and lengths[0][0] == "" else 0
        if 300 < before <= 350 and too_long < 2:
            return 6
        if before > 350 and too_long < 2:
            return 3
        longest = max(n for _, n in lengths)
        return 9 if longest <= 300 else 6 if longest <= 350 else 3

    def _score_textParagraphTooLong(self) -> float:
        if not self.paragraph_lengths:
            return 9
        longest = max(self.paragraph_lengths)
        return 9 if longest <= 150 else 6 if longest <= 200 else 3

    def long_sentence_share(self) -> float:
        lengths = self.sentence_lengths
        if not lengths:
            return 0
        return format_number(sum(1 for _, n in lengths if n > 20) / len(lengths) * 100)

    def _score_textSentenceLength(self) -> float:
        p = self.long_sentence_share()
        return 9 if p <= 25 else 6 if p <= 30 else 3

    def transition_share(self) -> float:
        total, found = len(self.sentences), len(self.transition_sentences)
        return 0 if found == 0 or total == 0 else format_number(found / total * 100)

    def _score_textTransitionWords(self) -> float:
        if self.tree_word_count < 200:
            return 9
        p = self.transition_share()
        return 3 if p < 20 else 6 if p < 30 else 9

    def passive_share(self) -> float:
        total, passives = self.passive
        return format_number(len(passives) / total * 100) if total else 0

    def _score_passiveVoice(self) -> float:
        p = self.passive_share()
        return 9 if p <= 10 else 6 if p <= 15 else 3

    def _score_sentenceBeginnings(self) -> float:
        return 3 if any(count > 2 for _, count, _ in self.sentence_beginnings) else 9

    # --- the overall scores ------------------------------------------------------------------

    def seo_score(self, used_keyword_score: float = 9) -> int:
        """SEOScoreAggregator.js: 100 · Σ scores / (9 · results), the silent function-word result
        and the plugin's "usedKeywords" (9: the keyphrase is new on the site) included."""
        scores = [s for s in (self.score(a) for a in SEO_ASSESSMENTS) if s is not None] + [used_keyword_score]
        return math.floor(100 * sum(scores) / (9 * len(scores)) + 0.5)

    def readability_score(self) -> int:
        """ReadabilityScoreAggregator.js (German is fully supported)."""
        penalty = 0
        for a in READABILITY_ASSESSMENTS:
            r = rating(self.score(a))
            penalty += 3 if r == "bad" else 2 if r == "ok" else 0
        return 30 if penalty > 6 else 60 if penalty > 4 else 90


def introduction(first: tuple[str, list[Sentence]] | None, forms: tuple[tuple[str, ...], ...]) -> dict:
    """findKeywordInFirstParagraph.js on the first paragraph: (its inner text, its sentences)."""
    result = {"found_in_one_sentence": False, "found_in_paragraph": False, "text": ""}
    if first is None:
        return result
    text, sentences = first
    result["text"] = text
    if any(find_forms_in_string(forms, s.text).percent_word_matches == 100 for s in sentences):
        result["found_in_one_sentence"] = result["found_in_paragraph"] = True
    elif find_forms_in_string(forms, text).percent_word_matches == 100:
        result["found_in_paragraph"] = True
    return result


def competing_anchors(anchors, forms: tuple[tuple[str, ...], ...], permalink: str) -> list[str]:
    """getAnchorsWithKeyphrase.js over (href, inner text) of the content's anchors."""
    out = []
    all_forms = tuple(f for word in forms for f in word)
    function_words = yoast_data().function_words
    for href, text in anchors:
        if href and (_same_url(href, permalink) or href.startswith("#")):
            continue
        if find_forms_in_string(forms, text).percent_word_matches != 100:
            continue
        words = list(dict.fromkeys(get_words(text, WORD_BOUNDARY_WITH_HYPHEN)))
        content = [w for w in words if w not in function_words]
        words = content or words
        if all(match_text_with_array(w, all_forms).count > 0 for w in words):
            out.append(text)
    return out


def alt_properties(alts, forms: tuple[tuple[str, ...], ...]) -> dict[str, int]:
    """altTagCount.js over the images' alt attributes ("" when none)."""
    out = {"noAlt": 0, "withAlt": 0, "withAltKeyword": 0, "withAltNonKeyword": 0}
    for raw in alts:
        alt = strip_spaces(raw).replace("&quot;", '"').replace("&#039;", "'")
        if alt == "":
            out["noAlt"] += 1
        elif not forms:
            out["withAlt"] += 1
        elif find_forms_in_string(forms, alt).percent_word_matches >= 50:
            out["withAltKeyword"] += 1
        else:
            out["withAltNonKeyword"] += 1
    return out


def string_links(parsed: str) -> list[tuple[str, bool]]:
    """getLinkStatistics.js: (href, nofollow) of each anchor of the HTML string."""
    out = []
    for anchor in re.findall(r"<a[\s]+(?:[^>]+)>(?:.|[\n\r\u2028\u2029])*?</a>", parsed, re.IGNORECASE):
        href = re.search(r"""href=(["'])([^"']+)\1""", anchor, re.IGNORECASE)
        rel = re.search(r"""^<a\s[^>]*?rel='([^']*)'""", anchor)
        out.append((href.group(2) if href else "", bool(rel and "nofollow" in rel.group(1).lower().split())))
    return out


def link_statistics(links, permalink: str) -> dict[str, int]:
    stats = dict.fromkeys(("internalTotal", "internalDofollow", "internalNofollow", "externalTotal",
                           "externalDofollow", "externalNofollow", "otherTotal", "otherDofollow",
                           "otherNofollow"), 0)
    for href, nofollow in links:
        kind = _link_type(href, permalink)
        stats[kind + "Total"] += 1
        stats[kind + ("Nofollow" if nofollow else "Dofollow")] += 1
    return stats


_HEADING = re.compile(r"<h([1-6])(?:[^>]+)?>(.*?)</h\1>", re.IGNORECASE)


def heading_sections(text: str) -> tuple[int, list[tuple[str, int]]]:
    """getSubheadingTextLengths.js: the words before the first H1–H6 (all words, when there is
    none), and each heading with the words after it."""
    found = list(_HEADING.finditer(text))
    out = []
    for i, m in enumerate(found):
        end = found[i + 1].start() if i + 1 < len(found) else len(text)
        out.append((m.group(0), len(get_words(text[m.end():end]))))
    return len(get_words(text[:found[0].start()] if found else text)), out


def sentence_beginnings(tree: Node) -> list[tuple[str, str]]:
    """getSentenceBeginnings.js: (beginning, sentence) of the sentences outside lists and tables
    that have tokens; the beginning is "" for a sentence without words."""
    data = yoast_data()
    out = []
    for s in _sentences_outside(tree, _LIST_OR_TABLE):
        if not s.tokens:
            continue
        # (Yoast drops the words that are " " after stripSpaces: none is, stripSpaces trims them.)
        words = words_from_tokens(s.tokens, False)
        if not words:
            out.append(("", s.text.strip()))
            continue
        first = words[0].lower()
        if first in data.first_word_exceptions and len(words) > 1:
            first += " " + words[1].lower()
        out.append((first, s.text.strip()))
    return out


def beginning_runs(beginnings: list[tuple[str, str]]) -> list[tuple[str, int, list[str]]]:
    """Runs of sentences with the same beginning (a sentence without words joins the next run)."""
    runs: list[tuple[str, int, list[str]]] = []
    current: list[str] = []
    for i, (beginning, text) in enumerate(beginnings):
        current.append(text)
        following = beginnings[i + 1][0] if i + 1 < len(beginnings) else None
        if beginning and beginning != following:
            runs.append((beginning, len(current), current))
            current = []
    return runs


def keyphrase_count(sentences, forms: tuple[tuple[str, ...], ...]) -> int:
    """researches/keywordCount.js: per sentence, the smallest count of any content word."""
    if not forms:
        return 0
    total = 0
    for sentence in sentences:
        counts = forms_in_tokens(sentence.tokens, forms)
        if all(c > 0 for c in counts):
            total += min(counts)
    return total


def _LIST_OR_TABLE(node: Node) -> bool:
    return node.name in ("ol", "ul", "table") or "wp-block-table" in node.classes


def _sentences_outside(tree: Node, removed) -> list[Sentence]:
    """Tree sentences, leaving out whole subtrees that `removed` names (filterTree.js on a copy)."""
    out: list[Sentence] = []
    for child in tree.children:
        if child.name != "#text" and removed(child):
            continue
        if child.sentences is not None:
            out.extend(child.sentences)
        else:
            out.extend(_sentences_outside(child, removed))
    return out


@lru_cache(maxsize=1)
def _transition_lists():
    """Yoast's lists, lowercased and split once: the single words, the multi-word ones (name,
    words), the two-part ones (name, first part's words, second part's words) and the order of
    the list with each name lowercased."""
    data = yoast_data()
    words = data.transition_words
    single = frozenset(w.lower() for w in words if " " not in w)
    multi = tuple((w, tuple(w.lower().split(" "))) for w in words if " " in w)
    two_part = tuple((" … ".join(pair), pair[0].lower().split(" "), pair[1].lower().split(" "))
                     for pair in data.two_part_transition_words)
    order = tuple((w, w.lower()) for w in words)
    return single, multi, two_part, order


@lru_cache(maxsize=6144)  # per sentence: ~24 posts in flight, not every post of a batch
def _transition_words(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The transition words of one sentence: the two-part ones first (checked first, as in Yoast)."""
    lowered = [t.lower() for t in tokens if t != " "]
    present = set(lowered)
    single, multi, two_part_lists, order = _transition_lists()
    two_part = tuple(name for name, first, second in two_part_lists
                     if first[0] in present and second[0] in present  # (a quick test _has_words makes too)
                     and _has_words(lowered, first, present) and _has_words(lowered, second, present))
    if two_part:
        return two_part
    hits = present & single
    hits.update(" ".join(ws) for _, ws in multi if ws[0] in present and _has_words(lowered, ws, present))
    if not hits:
        return ()
    return tuple(w for w, low in order if low in hits)


def _has_words(tokens: list[str], words, present: set[str]) -> bool:
    """includesConsecutiveWords.js: the phrase's (lowercased) words as consecutive tokens."""
    n = len(words)
    if words[0] not in present:
        return False
    if n == 1:
        return True
    words = list(words)
    return any(tokens[i:i + n] == words for i in range(len(tokens) - n + 1))


def _parents(tree: Node) -> dict[int, Node]:
    out: dict[int, Node] = {}
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in node.children:
            out[id(child)] = node
            stack.append(child)
    return out


def _strip_url(url: str) -> str:
    return url.split("#")[0].split("?")[0].rstrip("/") + "/"


def _same_url(a: str, b: str) -> bool:
    """helpers/url/url.js areEqual"""
    return bool(b) and _strip_url(a) == _strip_url(b)


def _link_type(href: str, permalink: str) -> str:
    """helpers/link/getLinkType.js with url.js isInternalLink"""
    scheme = urlsplit(href).scheme if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:", href) else ""
    if (scheme and scheme.lower() not in ("http", "https")) or href.startswith("#"):
        return "other"
    if "//" not in href and href.startswith("/"):
        return "internal"
    host = urlsplit(href).hostname if (scheme or href.startswith("//")) else None
    if not host:
        return "internal"
    site = urlsplit(permalink).hostname if permalink else None
    return "internal" if host == permalink or (site and host == site) else "external"
