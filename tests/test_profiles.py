"""genpost's SEO plugin profiles against the plugins themselves.

Yoast: every post below runs through Yoast SEO's own analysis (npm yoastseo, tests/support/yoast.py,
one node process for all of them) and through `genpost check --profile yoast`; for every assessment
both make, genpost's verdict (passed) equals Yoast's rating being "good". The posts are a green post
and variants that each break one thing (tests/yoast_cases.py), and the example briefs' dry runs.

Rank Math: the score and the points of every test against the numbers its shipped analyzer gave
for the four dry-run posts in /work/notes/rankmath.md (stored in tests/data/rankmath_cases.json).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.checks import CHECKS, ids, run_checks
from generator.checks.meta import YOAST_DATE_ALLOWANCE
from generator.checks.research import permalink, title_width
from generator.post import Post
from generator.publish import content_without_h1
from generator.folder import load_folder

from . import yoast_cases as yc
from .conftest import ROOT
from .support.yoast import analyze, ratings, yoast_unavailable_reason

DATA = Path(__file__).parent / "data"

# Yoast's assessment identifier -> the genpost check that reproduces it (profile yoast).
YOAST_CHECKS = {
    "introductionKeyword": ids.KEYWORD_INTRODUCTION,
    "keyphraseLength": ids.KEYWORD_LENGTH,
    "keyphraseDensity": ids.KEYWORD_DENSITY,
    "metaDescriptionKeyword": ids.META_KEYPHRASE,
    "metaDescriptionLength": ids.META_LENGTH,
    "subheadingsKeyword": ids.KEYWORD_SUBHEADINGS,
    "textCompetingLinks": ids.LINKS_COMPETING,
    "imageKeyphrase": ids.IMAGES_KEYPHRASE_ALT,
    "images": ids.IMAGES_COUNT,
    "textLength": ids.WORDS_TEXT_LENGTH,
    "externalLinks": ids.LINKS_HAS_EXTERNAL,
    "keyphraseInSEOTitle": ids.SEO_TITLE_KEYWORD_START,
    "internalLinks": ids.LINKS_HAS_INTERNAL,
    "titleWidth": ids.SEO_TITLE_WIDTH,
    "slugKeyword": ids.SLUG_KEYPHRASE,
    "singleH1": ids.STRUCTURE_SINGLE_H1,
    "subheadingsTooLong": ids.READABILITY_SECTION_LENGTH,
    "textParagraphTooLong": ids.READABILITY_PARAGRAPH_LENGTH,
    "textSentenceLength": ids.READABILITY_LONG_SENTENCES,
    "textTransitionWords": ids.READABILITY_TRANSITION_WORDS,
    "passiveVoice": ids.READABILITY_PASSIVE_VOICE,
    "sentenceBeginnings": ids.READABILITY_SENTENCE_BEGINNINGS,
}
# Not reproduced: "usedKeywords" (the plugin asks the site whether another post has the keyphrase)
# and "functionWordsInKeyphrase" (silent unless the keyphrase is only function words; genpost's
# keyword.length fails then).

LONG = ("Viele kleine Handwerksbetriebe in ganz Deutschland erfassen die Arbeitszeiten ihrer Mitarbeiter "
        "auch heute noch mühsam auf Papier und tippen sie am Monatsende ab.")  # 24 words
PASSIVE = ["Die Stunden werden täglich erfasst.", "Die Daten werden sofort übertragen.",
           "Die Listen werden automatisch geprüft.", "Die Rechnung wird schneller erstellt."]
WIDE_TITLE = "Zeiterfassung im Handwerk: Wie Maler, Maurer und Monteure jede Minute wirklich messen"
P = yc.paragraph

def _image(alt: str, caption: str = "") -> str:
    """A core/image block exactly as genpost renders one (templates/blocks.html.j2)."""
    from types import SimpleNamespace

    from generator.render import env

    image = SimpleNamespace(id=7, src="/wp-content/uploads/bild.webp", alt=alt, width=1200, height=800, caption=caption)
    return str(env().get_template("blocks.html.j2").module.image(image))


# (name, Yoast assessments this variant must fail, changes to the green post)
VARIANTS = [
    ("green", set(), {}),
    ("no keyphrase in the introduction", {"introductionKeyword"},
     dict(parts=yc.blocks(intro=["Heute entscheidet die Stundenerfassung über pünktliche Rechnungen.", *yc._mix(0)]))),
    ("keyphrase words in separate intro sentences", {"introductionKeyword"},
     dict(parts=yc.blocks(intro=["Die Zeiterfassung wird wichtiger.", "Im Handwerk zählt jede Stunde.", *yc._mix(0)]))),
    ("keyphrase in no subheading", {"subheadingsKeyword"},
     dict(parts=yc.blocks(headings=["Warum Stunden zählen", "Die passende App finden", "So gelingt der Start",
                                    "Datenschutz beachten", "Kosten realistisch planen"]))),
    ("keyphrase in every subheading", {"subheadingsKeyword"},
     dict(parts=yc.blocks(headings=[f"{h}: Zeiterfassung im Handwerk" for h in ("Grundlagen", "Apps", "Start",
                                                                                 "Datenschutz", "Kosten")]))),
    ("long sentences", {"textSentenceLength"},
     dict(parts=yc.blocks(extra=[P(*(LONG.replace("Viele", f"{w} {a}") for a in ("kleine", "große", "alte")))
                                 for w in ("Einige", "Manche", "Etliche", "Unzählige", "Mehrere", "Diverse")]))),
    ("passive sentences", {"passiveVoice"},
     dict(parts=yc.blocks(extra=[P(*PASSIVE), P(*(s.replace("Die", "Alle") for s in PASSIVE)),
                                 P(*(s.replace("Die", "Diese") for s in PASSIVE))]))),
    ("few transition words", {"textTransitionWords"},
     dict(parts=yc.blocks(extra=[P(*yc.PLAIN), P(*yc.PLAIN[::-1]), P(*yc.PLAIN[2:]), P(*yc.PLAIN[:6]),
                                 P(*yc.PLAIN[1:7]), P(*yc.PLAIN[3:])]))),
    ("a paragraph of 151–200 words", {"textParagraphTooLong"},
     dict(parts=yc.blocks(extra=[P(*(yc.WITH_TRANSITION + yc.PLAIN + yc.WITH_TRANSITION[:5]))]))),
    ("a section over 350 words", {"subheadingsTooLong"},
     dict(parts=yc.blocks(extra=[P(*yc.WITH_TRANSITION[:8]), P(*yc.WITH_TRANSITION[8:]), P(*yc.PLAIN),
                                 P(*yc.WITH_TRANSITION[4:12]), P(*yc.PLAIN[::-1]), P(*yc.WITH_TRANSITION[::-1][:9])]))),
    ("three sentences in a row start alike", {"sentenceBeginnings"},
     dict(parts=yc.blocks(extra=[P("Die Mitarbeiter starten morgens die App.", "Die Mitarbeiter buchen Pausen selbst.",
                                   "Die Mitarbeiter sehen ihre Stunden sofort.")]))),
    ("SEO title wider than 600 px", {"titleWidth", "keyphraseInSEOTitle"} - {"keyphraseInSEOTitle"},
     dict(title=WIDE_TITLE)),
    ("keyphrase not at the start of the SEO title", {"keyphraseInSEOTitle"},
     dict(title="5 bewährte Schritte: Zeiterfassung im Handwerk 2025")),
    ("keyphrase words apart in the SEO title", {"keyphraseInSEOTitle"},
     dict(title="Zeiterfassung: 5 Tipps für das Handwerk 2025")),
    ("meta description too short", {"metaDescriptionLength"},
     dict(meta="Zeiterfassung im Handwerk: Wie Betriebe Arbeitszeiten digital erfassen und Kosten senken.")),
    ("meta description too long", {"metaDescriptionLength"},
     dict(meta=yc.META + " Mit Checkliste und Praxisbeispielen aus echten Betrieben.")),
    ("keyphrase three times in the meta description", {"metaDescriptionKeyword"},
     dict(meta="Zeiterfassung im Handwerk: Zeiterfassung im Handwerk einfach erklärt. Zeiterfassung im Handwerk "
               "für Betriebe, die Zeit und Kosten sparen.")),
    ("no keyphrase in the meta description", {"metaDescriptionKeyword"},
     dict(meta="Stundenzettel ade: Wie Betriebe ihre Arbeitszeiten digital erfassen, Abläufe vereinfachen und dabei "
               "Kosten senken können.")),
    ("a link with the keyphrase as anchor", {"textCompetingLinks"},
     dict(parts=yc.blocks(links=f"Lesen Sie auch {yc.link('/ratgeber/', 'Zeiterfassung im Handwerk')}. Zahlen liefert "
                                f"der {yc.link('https://www.zdh.de', 'Zentralverband', external=True)}."))),
    ("no images", {"images", "imageKeyphrase"}, dict(parts=yc.blocks(image=None))),
    ("a captioned image first, then six without the keyphrase", {"imageKeyphrase", "introductionKeyword"},
     dict(parts=[_image("Ein Team auf der Baustelle", caption=f"Die {yc.KEYWORD} im Alltag")]
          + yc.blocks(image=None, intro=["Heute entscheidet die Stundenerfassung über pünktliche Rechnungen.",
                                         *yc._mix(0)])
          + [_image(alt) for alt in ("Stundenzettel", "Tablet", "Baustelle", "Büro", "Werkstatt")])),
    ("an image without the keyphrase in its alt text", {"imageKeyphrase"},
     dict(parts=yc.blocks(image=yc.IMAGE.replace("{name}", "team").replace("{alt}", "Ein Team auf der Baustelle")))),
    ("keyphrase used too often", {"keyphraseDensity"},
     dict(parts=yc.blocks(extra=[P(*[f"{w} {yc.KEYWORD} spart Zeit." for w in
                                     ("Die", "Jede", "Eine", "Gute", "Digitale", "Moderne", "Einfache", "Mobile",
                                      "Saubere", "Klare", "Schnelle", "Sichere", "Neue", "Richtige")])]))),
    ("keyphrase used once", {"keyphraseDensity"},
     dict(parts=yc.blocks(headings=["Warum Stunden zählen", "Die passende App finden", "So gelingt der Start",
                                    "Datenschutz beachten", "Kosten realistisch planen"]),
          drop_third_use=True)),
    ("two H1 in the content", {"singleH1"},
     dict(parts=[yc.heading("Zeiterfassung im Handwerk", 1), *yc.blocks(), yc.heading("Noch ein Titel", 1)])),
    ("no links", {"internalLinks", "externalLinks"}, dict(parts=yc.blocks(links=""))),
    ("only nofollow outbound links", {"externalLinks"},
     dict(parts=yc.blocks(links=f"Mehr im {yc.link('/ratgeber/', 'Ratgeber')}. Zahlen liefert der "
                               f"{yc.link('https://www.zdh.de', 'Zentralverband', external=True, rel='noopener nofollow')}."))),
    ("a slug without the keyphrase", {"slugKeyword"}, dict(slug="tipps-fuer-betriebe")),
    ("a short text", {"textLength"}, dict(parts=yc.blocks()[:8])),
]


def _post(parts=None, title=yc.TITLE, meta=yc.META, slug=yc.SLUG, drop_third_use=False) -> Post:
    content = yc.markup(parts or yc.blocks())
    if drop_third_use:
        content = content.replace(f"Eine gute {yc.KEYWORD} spart", "Eine gute Lösung spart")
        content = content.replace(f"Die {yc.KEYWORD} entscheidet", "Die digitale Zeiterfassung im Handwerk entscheidet", 1)
    return Post(markup=content, title=yc.TITLE, seo_title=title, meta_description=meta, slug=slug)


def _yoast_input(post: Post, brief, date: str = "") -> dict:
    return dict(content=post.markup, keyword=brief.keyword, title=post.seo_title, description=post.meta_description,
                slug=post.slug, permalink=permalink(brief, post.slug), titleWidth=title_width(post.seo_title),
                date=date)


needs_yoast = pytest.mark.skipif(yoast_unavailable_reason() is not None, reason=yoast_unavailable_reason() or "")
LONGEST_DATE = "Sept. 30, 2025"  # 14 characters: the longest post date genpost allows for (meta.py)


@pytest.fixture(scope="module")
def variant_results():
    brief = yc.brief()
    posts = [_post(**changes) for _, _, changes in VARIANTS]
    inputs = [_yoast_input(p, brief) for p in posts] + [_yoast_input(p, brief, LONGEST_DATE) for p in posts]
    yoast = analyze(inputs)  # one node process for all
    n = len(posts)
    return brief, posts, yoast[:n], yoast[n:]


def _yoast_ratings(result: dict) -> dict[str, str]:
    return {**ratings(result["seo"]), **ratings(result["readability"])}


def _disagreements(report, yoast: dict, dated: dict | None = None) -> dict[str, tuple[str, bool]]:
    out = {}
    rated = _yoast_ratings(yoast)
    for identifier, check_id in YOAST_CHECKS.items():
        good = rated[identifier] == "good"
        if identifier == "metaDescriptionLength" and dated is not None:
            # genpost keeps the description green whatever the snippet date: with no date and
            # with the longest one.
            good = good and _yoast_ratings(dated)[identifier] == "good"
        if report.get(check_id).passed != good:
            out[identifier] = (rated[identifier], report.get(check_id).passed)
    return out


@needs_yoast
@pytest.mark.parametrize("index", range(len(VARIANTS)), ids=[v[0] for v in VARIANTS])
def test_genpost_rates_every_assessment_as_yoast_does(variant_results, index):
    brief, posts, yoast, dated = variant_results
    name, must_fail, _ = VARIANTS[index]
    report = run_checks(posts[index], brief, "yoast")
    assert _disagreements(report, yoast[index], dated[index]) == {}
    rated = _yoast_ratings(yoast[index])
    not_good = {a for a in YOAST_CHECKS if rated[a] != "good"}
    assert must_fail <= not_good, f"{name}: Yoast rates {rated}"  # the variant breaks what it says
    if name == "green":
        assert not_good == set() and report.passed
    # The overall scores as the plugin shows them (SEO with the keyphrase new on the site).
    assert report.scores == {"yoast_seo": yoast[index]["seo"]["score"],
                             "yoast_readability": yoast[index]["readability"]["score"]}


def test_the_agreement_table_covers_every_yoast_check():
    yoast_rules = {c.id for c in CHECKS if c.rules.get("yoast")}
    assert set(YOAST_CHECKS.values()) == yoast_rules
    for c in CHECKS:
        rule = c.rules.get("yoast")
        if rule:
            assert rule.plugin_id in YOAST_CHECKS and YOAST_CHECKS[rule.plugin_id] == c.id
            assert rule.source.startswith("yoastseo 3.6.0 build/")


def test_meta_description_length_allows_for_the_post_date():
    brief = yc.brief()
    for n, ok in ((120, False), (121, True), (156 - YOAST_DATE_ALLOWANCE, True), (157 - YOAST_DATE_ALLOWANCE, False)):
        meta = (yc.KEYWORD + " " + "x" * 200)[:n]
        report = run_checks(_post(meta=meta), brief, "yoast")
        assert report.get(ids.META_LENGTH).passed is ok, n
    # The brief's own bounds still hold under the profile.
    narrow = yc.brief(targets=dict(meta_description_min_chars=125, meta_description_max_chars=130, keyword_min=1,
                                   keyword_max=40, words_min=100, internal_links=1, external_links=1))
    assert not run_checks(_post(meta=yc.META), narrow, "yoast").get(ids.META_LENGTH).passed  # 131


# --- the example briefs' dry runs ---------------------------------------------------------------

@pytest.fixture(scope="module")
def dry_runs(tmp_path_factory) -> dict[str, Path]:
    """`genpost --brief briefs/<name>.yaml --dry-run` of every example brief, in-process: the mock
    model and mock images (the briefs ask for a featured image and two in the text)."""
    import asyncio

    from generator.brief import load_brief
    from generator.llm import ImageSettings, LLMSettings, make_client, make_image_client
    from generator.run import produce

    out = tmp_path_factory.mktemp("dry-runs-with-images")
    folders = {}
    for path in sorted((ROOT / "briefs").glob("*.yaml")):
        folder, result = asyncio.run(produce(load_brief(path), make_client(LLMSettings(model="mock")), out,
                                             images=make_image_client(ImageSettings(model="mock"))))
        assert result.report.passed, (path.stem, result.report.failing_ids())
        folders[path.stem] = folder
    return folders


@needs_yoast
def test_dry_runs_are_green_in_yoast_on_every_assessment(dry_runs):
    """Every example brief's dry run, with its images, as WordPress stores it: Yoast's own analysis
    rates every SEO and readability assessment "good", and genpost's verdicts are Yoast's."""
    items = []
    for name, folder in sorted(dry_runs.items()):
        f = load_folder(folder)
        post = Post(markup=content_without_h1(f.markup), title=f.h1, seo_title=f.seo_title,
                    meta_description=f.meta_description, slug=f.slug)
        items.append((name, f.brief, post))
    results = analyze([_yoast_input(p, b) for _, b, p in items] + [_yoast_input(p, b, LONGEST_DATE) for _, b, p in items])
    n = len(items)
    assert n == 4
    for i, (name, brief, post) in enumerate(items):
        assert "<img" in post.markup, name  # the briefs' in-content images are part of it
        report = run_checks(post, brief, "yoast")
        assert _disagreements(report, results[i], results[n + i]) == {}, name
        rated = _yoast_ratings(results[i])
        assert {a: r for a, r in rated.items() if a in YOAST_CHECKS and r != "good"} == {}, name
        assert results[i]["readability"]["score"] == 90, name
        assert report.passed, (name, report.failing_ids())


# --- Rank Math -----------------------------------------------------------------------------------

def test_rankmath_scores_the_dry_run_posts_as_its_analyzer_did():
    """Content, SEO title, meta, slug and URL of four posts, and the points Rank Math's shipped
    analyzer (v1.0.273, de_DE, no Content AI) gave each test (/work/notes/rankmath.md)."""
    from generator.checks.rankmath import MAX_POINTS, RankMathAnalysis, RankMathPaper

    cases = json.loads((DATA / "rankmath_cases.json").read_text(encoding="utf-8"))
    assert sum(MAX_POINTS.values()) == 106
    for case in cases:
        p = case["post"]
        a = RankMathAnalysis(RankMathPaper(content=p["content"], keyword=p["keyword"], title=p["title"],
                                           description=p["description"], slug=p["slug"], url=p["url"],
                                           site_domain=case["site_domain"]))
        assert {t: a.points(t) for t in case["points"]} == case["points"], case["name"]
        assert a.score() == case["score"], case["name"]


def test_rankmath_profile_reports_points_and_the_score(generated):
    f = load_folder(generated["zeiterfassung"])
    post = Post(markup=content_without_h1(f.markup), title=f.h1, seo_title=f.seo_title,
                meta_description=f.meta_description, slug=f.slug)
    report = run_checks(post, f.brief, "rankmath")
    from generator.checks.rankmath import MAX_POINTS

    rm = [r for r in report.results if r.plugin in MAX_POINTS]
    assert len(rm) == len(MAX_POINTS) - 1  # every test but Content AI is a check
    assert rm and all(r.max_points and r.points is not None and r.passed == (r.points == r.max_points) for r in rm)
    # score = round(100 · Σ points / 106): the 5 points of Content AI count but are never earned.
    earned = sum(r.points for r in rm)
    assert report.scores["rankmath"] == int(100 * earned / 106 + 0.5)
