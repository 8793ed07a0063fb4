"""What generation aims at under a profile, read from the registry's rules, and the SEO plugin's
reading of single sentences and headings.

The plan's prompts and deterministic fixes and the repair step ask for exactly the numbers the
checker applies: `aims(brief, profile)` collects the thresholds of every check that is an error
in the profile (Yoast: 30–75 % of the H2/H3 with the keyphrase, ≤ 300 words per section, ≥ 30 %
of the sentences with a transition word …; Rank Math: ≤ 120 words per paragraph …). A check
that is only a warning there is not aimed at: the brief decides it.

`read_sentence` reads one sentence as Yoast does (its tokens, its German transition-word list,
its passive detector, its first word and word count), so the repair step can name the sentences
that lack a transition word, are passive, start like the two before or are too long, and judge a
rewritten one before taking it. `heading_has_keyphrase` and `competes` judge one heading or one
link text as the profile's plugin does.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from ..german import count_keyword
from . import ids
from .registry import get_check, profile_of

if TYPE_CHECKING:
    from ..brief import Brief


@dataclass(frozen=True)
class Aims:
    """The profile's thresholds the generator aims at; None: not an error in this profile."""

    profile: str
    subheading_share: tuple[float, float] | None = None  # Yoast: share of H2/H3 with the keyphrase
    subheading_min: int = 0  # at least this many H2–H6 with the keyword (Rank Math: 1)
    title_keyword_start: str | None = None  # "start" (Yoast), "first half" (Rank Math)
    section_words: int | None = None  # words under one heading (the text before the first one too)
    paragraph_words: int | None = None
    transition_share: float | None = None  # % of sentences with a transition word, at least
    passive_share: float | None = None  # % of passive sentences, at most
    long_sentence_words: int | None = None
    long_sentence_share: float | None = None  # % of sentences over long_sentence_words, at most
    same_beginnings: int | None = None  # sentences in a row with the same first word, at most
    no_competing_anchors: bool = False
    slug_whole_keyword: bool = False  # Rank Math: the keyword's function words belong in the slug

    def subheading_range(self, count: int) -> tuple[int, int]:
        """How many of `count` H2/H3 should hold the keyphrase (Yoast: ceil(0.3 n)–floor(0.75 n))."""
        if count <= 0:
            return 0, 0
        if self.subheading_share is not None:
            low, high = self.subheading_share
            return min(math.ceil(low * count), count), max(math.floor(high * count), 1)
        return min(self.subheading_min, count), count

    def subheading_goal(self, count: int) -> int:
        """The number to ask for: the middle of Yoast's range, else the minimum."""
        low, high = self.subheading_range(count)
        return (low + high) // 2 if self.subheading_share is not None else low


def _error_rule(check_id: str, profile: str, brief: "Brief"):
    check = get_check(check_id)
    rule = check.rules.get(profile)  # the plugin's own rule, not the brief's warning
    if rule is None or rule.severity != "error" or not check.active(profile, brief):
        return None
    return rule


def aims(brief: "Brief", profile: str | None = None) -> Aims:
    profile = profile_of(brief, profile)
    out: dict = {"profile": profile}
    if rule := _error_rule(ids.KEYWORD_SUBHEADINGS, profile, brief):
        if "lower" in rule.limits:
            out["subheading_share"] = (rule.limits["lower"], rule.limits["upper"])
        else:
            out["subheading_min"] = 1
    if rule := _error_rule(ids.SEO_TITLE_KEYWORD_START, profile, brief):
        out["title_keyword_start"] = "start" if rule.plugin_id == "keyphraseInSEOTitle" else "first half"
    if rule := _error_rule(ids.READABILITY_SECTION_LENGTH, profile, brief):
        out["section_words"] = rule.limits["maximum"]
    if rule := _error_rule(ids.READABILITY_PARAGRAPH_LENGTH, profile, brief):
        out["paragraph_words"] = rule.limits["maximum"]
    if rule := _error_rule(ids.READABILITY_TRANSITION_WORDS, profile, brief):
        out["transition_share"] = rule.limits["minimum"]
    if rule := _error_rule(ids.READABILITY_PASSIVE_VOICE, profile, brief):
        out["passive_share"] = rule.limits["maximum"]
    if rule := _error_rule(ids.READABILITY_LONG_SENTENCES, profile, brief):
        out["long_sentence_words"], out["long_sentence_share"] = rule.limits["words"], rule.limits["share"]
    if rule := _error_rule(ids.READABILITY_SENTENCE_BEGINNINGS, profile, brief):
        out["same_beginnings"] = rule.limits["maximum"]
    if _error_rule(ids.LINKS_COMPETING, profile, brief):
        out["no_competing_anchors"] = True
    if (rule := _error_rule(ids.SLUG_KEYPHRASE, profile, brief)) and rule.plugin_id == "keywordInPermalink":
        out["slug_whole_keyword"] = True
    return Aims(**out)


# --- one heading, one link text -------------------------------------------------------------------

def heading_has_keyphrase(heading: str, brief: "Brief", profile: str | None = None) -> bool:
    """Whether the profile's plugin counts this H2/H3 as holding the keyphrase (Yoast: more than
    half of its content words, for two content words both; otherwise the exact keyword)."""
    if profile_of(brief, profile) == "yoast":
        from .yoast.keyphrase import find_forms_in_string, keyphrase_forms

        return find_forms_in_string(keyphrase_forms(brief.keyword), heading).percent_word_matches > 50
    return count_keyword(heading, brief.keyword) > 0


def competes(anchor: str, brief: "Brief") -> bool:
    """A link text that is just the keyphrase (Yoast's competing links: all its content words and
    no other content word)."""
    from .yoast import YoastAnalysis, YoastPaper

    markup = f'<p><a href="https://example.invalid/">{_escape(anchor)}</a></p>'
    return bool(YoastAnalysis(YoastPaper(content=markup, keyword=brief.keyword)).competing_anchors)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- one sentence --------------------------------------------------------------------------------

@dataclass(frozen=True)
class SentenceReading:
    text: str
    words: int  # Yoast's count for sentence length (hyphenated parts joined)
    transitions: tuple[str, ...]  # the transition words of Yoast's German list it holds
    passive: bool  # Yoast's werden-passive detector
    beginning: str  # Yoast's first word ("die daten" after an article or numeral), lower case


@lru_cache(maxsize=6144)  # the sentences of the posts in flight (~260 a post)
def read_sentence(text: str) -> SentenceReading:
    """One sentence of visible text, read as Yoast reads it. If Yoast's splitter makes more than one
    sentence of it, it has a transition word only if each part has, is passive if any part is,
    and its length is its longest part's."""
    from .yoast.analysis import _transition_words
    from .yoast.passive import is_passive
    from .yoast.tree import _sentences_of
    from .yoast.text import words_from_tokens

    parts = [s for s in _sentences_of(" ".join(text.split())) if s.tokens]
    if not parts:
        return SentenceReading(text, 0, (), False, "")
    found = [_transition_words(p.tokens) for p in parts]
    transitions = tuple(w for f in found for w in f) if all(found) else ()
    lengths = [len(words_from_tokens(p.tokens, False)) for p in parts]
    return SentenceReading(text, max(lengths), transitions, any(is_passive(p.text.lower()) for p in parts),
                           _beginning(parts[0].tokens))


def _beginning(tokens: tuple[str, ...]) -> str:
    """researches/getSentenceBeginnings.js: the first word, with the second after an exception."""
    from .yoast.data import yoast_data
    from .yoast.text import strip_spaces, words_from_tokens

    words = [w for w in words_from_tokens(tokens, False) if strip_spaces(w) != " "]
    if not words:
        return ""
    first = words[0].lower()
    if first in yoast_data().first_word_exceptions and len(words) > 1:
        first += " " + words[1].lower()
    return first


_EXAMPLES = ("außerdem", "deshalb", "dabei", "zudem", "jedoch", "denn", "daher", "trotzdem", "zum Beispiel",
             "darüber hinaus", "schließlich", "anschließend")


def transition_examples() -> tuple[str, ...]:
    """Common words of Yoast's German transition list, for prompts that ask for them by example."""
    from .yoast.data import yoast_data

    listed = {w.lower() for w in yoast_data().transition_words}
    return tuple(w for w in _EXAMPLES if w.lower() in listed)
