"""The Yoast harness (tests/support/yoast.py) runs Yoast SEO's real analysis and reports real values.

Counted by hand on a small German post, so a broken harness (wrong researcher, content not parsed,
assessor not run) fails here rather than silently agreeing with genpost later.
"""

from __future__ import annotations

import math

import pytest

from .support.yoast import analyze, ratings, yoast_unavailable_reason

pytestmark = pytest.mark.skipif(yoast_unavailable_reason() is not None,
                                reason=yoast_unavailable_reason() or "")

KEYWORD = "Zeiterfassung im Handwerk"

POST = """<!-- wp:paragraph -->
<p>Zeiterfassung im Handwerk spart Zeit. Viele Betriebe nutzen heute eine App für die Zeiterfassung im Handwerk.</p>
<!-- /wp:paragraph -->

<!-- wp:heading -->
<h2 class="wp-block-heading">{first_h2}</h2>
<!-- /wp:heading -->

<!-- wp:paragraph -->
<p>Digitale Stundenzettel sind schnell ausgefüllt. Außerdem landen die Daten sofort im Büro.</p>
<!-- /wp:paragraph -->

<!-- wp:heading -->
<h2 class="wp-block-heading">So gelingt der Start</h2>
<!-- /wp:heading -->

<!-- wp:paragraph -->
<p>Beginnen Sie mit einem Team. Das Handwerk profitiert, wenn die Zeiterfassung einfach bleibt.</p>
<!-- /wp:paragraph -->
"""

# Words per sentence, counted by hand (headings are sentences too):
# "Zeiterfassung im Handwerk spart Zeit." 5 / "Viele Betriebe nutzen heute eine App für die Zeiterfassung
# im Handwerk." 11 / "Warum digitale Stundenzettel helfen" 4 / "Digitale Stundenzettel sind schnell
# ausgefüllt." 5 / "Außerdem landen die Daten sofort im Büro." 7 / "So gelingt der Start" 4 /
# "Beginnen Sie mit einem Team." 5 / "Das Handwerk profitiert, wenn die Zeiterfassung einfach bleibt." 8
SENTENCE_WORDS = [5, 11, 4, 5, 7, 4, 5, 8]


def _post(first_h2: str, **extra) -> dict:
    return {"content": POST.format(first_h2=first_h2), "title": f"{KEYWORD}: So klappt der Start",
            "description": "Wie Betriebe die Arbeitszeit digital erfassen.", "keyword": KEYWORD,
            "slug": "zeiterfassung-handwerk", "locale": "de_DE", **extra}


@pytest.fixture(scope="module")
def results() -> list[dict]:
    # One node run for all posts: the harness takes a list.
    return analyze([
        _post("Warum digitale Stundenzettel helfen"),
        _post("Warum Zeiterfassung im Handwerk hilft"),
        _post("Warum digitale Stundenzettel helfen", titleWidth=480),
        _post("Warum digitale Stundenzettel helfen", titleWidth=640),
        _post("Warum digitale Stundenzettel helfen", date="Jun 5, 2025"),
    ])


def test_counts_agree_with_a_hand_count(results):
    research = results[0]["research"]
    assert [s["words"] for s in research["sentences"]] == SENTENCE_WORDS
    assert research["wordCount"] == sum(SENTENCE_WORDS) == 49
    # German free analysis: function word "im" dropped, both content words in one sentence is a match,
    # in any order and distance (the last sentence counts).
    assert research["keyphraseForms"] == [["zeiterfassung"], ["handwerk"]]
    assert research["keyphraseCount"] == 3
    assert results[1]["research"]["keyphraseCount"] == 4  # the keyword in the first H2 counts as well


def test_keyword_in_no_subheading_is_bad_in_half_of_them_good(results):
    without, with_one = results[0], results[1]
    assert without["research"]["subheadingsKeyword"] == {"count": 2, "matches": 0, "percentReflectingTopic": 0}
    assert ratings(without["seo"])["subheadingsKeyword"] == "bad"
    assert with_one["research"]["subheadingsKeyword"]["percentReflectingTopic"] == 50
    assert ratings(with_one["seo"])["subheadingsKeyword"] == "good"


def test_german_transition_words_and_readability(results):
    research = results[0]["research"]["transitionWords"]
    assert research["totalSentences"] == len(SENTENCE_WORDS)
    assert [s["words"] for s in research["sentences"]] == [["außerdem"], ["wenn"]]
    readability = ratings(results[0]["readability"])
    assert set(readability) == {"subheadingsTooLong", "textParagraphTooLong", "textSentenceLength",
                                "textTransitionWords", "passiveVoice", "sentenceBeginnings"}
    assert results[0]["readability"]["score"] == 90  # all green: a German (fully supported) text


def test_seo_assessments_of_the_free_plugin(results):
    seo = ratings(results[0]["seo"])
    assert seo["introductionKeyword"] == "good"
    assert seo["keyphraseInSEOTitle"] == "good"  # the title starts with the keyphrase
    assert seo["slugKeyword"] == "good"
    assert seo["metaDescriptionKeyword"] == "bad"  # the description lacks the keyphrase
    assert seo["textLength"] == "bad"  # 49 words
    assert seo["usedKeywords"] == "good"  # the plugin's own assessment, keyphrase not used before
    assert "titleWidth" not in seo and results[0]["skipped"] == ["titleWidth"]


def test_seo_score_counts_the_silent_results_as_the_plugin_does(results):
    for result in results:
        seo = result["seo"]
        assert seo["silent"] == ["functionWordsInKeyphrase"]  # "im" is no problem: no text, score 0
        total = sum(a["score"] for a in seo["assessments"])
        # Math.round, not Python's round-half-even
        assert seo["score"] == math.floor(100 * total / (9 * (len(seo["assessments"]) + 1)) + 0.5)
    # 18 results (17 shown): 24 points -> 15, not the 16 of averaging the shown ones only
    assert results[2]["seo"]["score"] == 15


def test_title_width_is_taken_from_the_caller(results):
    assert ratings(results[2]["seo"])["titleWidth"] == "good"
    assert ratings(results[3]["seo"])["titleWidth"] == "bad"  # wider than 600 px
    assert results[2]["skipped"] == []


def test_the_snippet_date_counts_towards_the_meta_description(results):
    description = _post("")["description"]
    assert results[0]["research"]["metaDescriptionLength"] == len(description)
    assert results[4]["research"]["metaDescriptionLength"] == len(description) + len("Jun 5, 2025") + 3
