"""Every check, each with a passing and a failing post.

The passing post is tests/data/good_post.md against tests/data/small.yaml (every check passes,
warnings included); each failing post is that post with one thing broken. These are the brief's
own checks, so they run under the profile "none" (no SEO plugin); the plugins' assessments are
tested against the plugins themselves in test_profiles.py.
"""

import pytest

from generator.checks import run_checks
from generator.post import parse_document, Post

SPACER = '<!-- wp:spacer {"height":"40px"} -->\n<div style="height:40px" aria-hidden="true" class="wp-block-spacer"></div>\n<!-- /wp:spacer -->'
EXT = '<a href="https://www.zdh.de" target="_blank" rel="noopener">zdh.de</a>'


def run(text, brief, **targets):
    if targets:
        brief = brief.model_copy(update={"targets": brief.targets.model_copy(update=targets)})
    return run_checks(parse_document(text), brief, "none")


def para(text: str) -> str:
    return f"<!-- wp:paragraph -->\n<p>{text}</p>\n<!-- /wp:paragraph -->"


def markup_post(*blocks: str, **fields) -> Post:
    return Post(markup="\n\n".join(blocks) + "\n", **fields)


def test_good_post_passes_every_check(good_text, small_brief):
    report = run(good_text, small_brief)
    assert [r.id for r in report.results if not r.passed] == []
    assert report.get("keyword.count").value == 5
    assert report.get("words.count").value == 168


# (check id, how the good post is broken, brief target changes[, other checks the break must also fail])
BROKEN = [
    ("keyword.count", [("Für viele Betriebe ist das der einfachste Einstieg in die Digitalisierung im Handwerk.",
                        "Für viele Betriebe ist das der einfachste Einstieg.")], {"keyword_min": 5}),
    ("keyword.count", [], {"keyword_max": 4}),
    ("keyword.h1", [('<h1 class="wp-block-heading">2 bewährte Wege zur Digitalisierung im Handwerk 2025</h1>',
                     '<h1 class="wp-block-heading">2 bewährte Wege für Betriebe 2025</h1>')], {}),
    ("keyword.first_paragraph", [("<p>Die Digitalisierung im Handwerk beginnt", "<p>Der Wandel beginnt")], {}),
    ("keyword.h2", [("Weg 2: Digitalisierung im Handwerk mit verbundenen Rechnungen", "Weg 2: Rechnungen")], {}),
    ("keyword.distribution", [("Einstieg in die Digitalisierung im Handwerk", "Einstieg"),
                              ("Schritt der Digitalisierung im Handwerk", "Schritt"),
                              ("Weg 2: Digitalisierung im Handwerk mit verbundenen Rechnungen", "Weg 2: Rechnungen")],
     {"keyword_min": 1}, {"keyword.h2"}),  # the H2 was one of the sections' uses
    ("words.count", [], {"words_min": 400}),
    ("words.count", [], {"words_max": 100}),
    ("links.internal.count", [], {"internal_links": 3}),
    ("links.internal.known", [('href="/kontakt/"', 'href="/unbekannt/"')], {}),
    ("links.internal.unique", [('href="/kontakt/"', 'href="/werkstatt-software/"')], {}),
    ("links.anchor.empty", [('target="_blank">Kontaktformular</a>', 'target="_blank"></a>')], {}),
    ("links.anchor.generic", [('target="_blank">Kontaktformular</a>', 'target="_blank">hier</a>')], {}),
    ("links.external.count", [], {"external_links": 0}),
    ("links.external.https", [("https://www.zdh.de", "http://www.zdh.de")], {}),
    ("links.external.known", [("https://www.zdh.de", "https://evil.example/")], {}),
    ("links.external.rel", [('rel="noopener"', 'rel="noopener nofollow"')], {}),
    ("links.external.rel", [(' rel="noopener"', '')], {}),
    ("links.external.target", [('<a href="https://www.zdh.de" target="_blank"', '<a href="https://www.zdh.de"')], {}),
    ("paragraphs.sentences", [("sie brauchen.</p>", "sie brauchen. Das spart Wege.</p>")], {}),
    ("structure.spacers", [(SPACER + "\n\n<!-- wp:heading -->\n<h2 class=\"wp-block-heading\">Weg 2",
                            "<!-- wp:heading -->\n<h2 class=\"wp-block-heading\">Weg 2")], {}),
    ("structure.h1", [("<!-- wp:paragraph -->\n<p>Die Digitalisierung",
                       '<!-- wp:heading {"level":1} -->\n<h1 class="wp-block-heading">Noch ein Titel</h1>\n'
                       "<!-- /wp:heading -->\n\n<!-- wp:paragraph -->\n<p>Die Digitalisierung")], {}),
    ("structure.heading_levels", [('<!-- wp:heading -->\n<h2 class="wp-block-heading">Weg 1: Aufträge digital erfassen</h2>',
                                   '<!-- wp:heading {"level":3} -->\n<h3 class="wp-block-heading">Weg 1: Aufträge digital erfassen</h3>')], {},
     {"title.number_matches"}),  # one numbered H2 fewer than the title's 2
    ("title.power_word", [("2 bewährte Wege", "2 Wege")] * 1, {}),
    ("title.number", [("2 bewährte Wege", "Bewährte Wege")], {}),
    ("title.year", [("Handwerk 2025", "Handwerk")], {}),
    ("title.number_matches", [("2 bewährte Wege", "3 bewährte Wege")], {}),
    ("seo_title.length", [("**SEO Title**: Digitalisierung im Handwerk: 2 bewährte Wege für 2025",
                           "**SEO Title**: Digitalisierung im Handwerk: 2 bewährte Wege für kleine Betriebe 2025")], {}),
    ("seo_title.keyword", [("**SEO Title**: Digitalisierung im Handwerk: 2 bewährte Wege für 2025",
                            "**SEO Title**: 2 bewährte Wege für Betriebe 2025")], {}),
    ("meta.length", [("Rechnungen schneller erledigen wollen.", "Rechnungen.")], {}),
    ("meta.length", [("Rechnungen schneller erledigen wollen.",
                      "Rechnungen schneller erledigen wollen und dabei keine Zeit mehr mit Papier verlieren.")], {}),
    ("meta.keyword", [("**Meta Description**: Digitalisierung im Handwerk ohne Umwege",
                       "**Meta Description**: Der digitale Wandel ohne Umwege")], {}),
    ("slug.format", [("**URL Slug**: digitalisierung-handwerk-2025", "**URL Slug**: digitalisierung-handwerk-größe")], {}),
    ("slug.format", [("**URL Slug**: digitalisierung-handwerk-2025", "**URL Slug**: digitalisierung--handwerk-2025")], {}),
    ("slug.keyword", [("**URL Slug**: digitalisierung-handwerk-2025", "**URL Slug**: handwerk-2025")], {}),
    ("slug.stop_words", [("**URL Slug**: digitalisierung-handwerk-2025", "**URL Slug**: digitalisierung-im-handwerk")], {}),
    ("markup.blocks", [("</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:spacer", "</p>\n\n<!-- wp:spacer")], {},
     # an unclosed paragraph runs on to the end of the post, taking its headings and paragraphs
     {"keyword.h2", "paragraphs.sentences", "readability.paragraph_length", "title.number_matches"}),
    ("markup.blocks", [('<!-- wp:heading {"level":1} -->', '<!-- wp:heading {"level":1,} -->')], {}),
    ("markup.blocks", [('<!-- wp:heading {"level":1} -->', '<!-- wp:heading {"level":2} -->')], {}),
    ("markup.blocks", [('<!-- wp:spacer {"height":"40px"} -->', '<!-- wp:spacer {"height":"20px"} -->')], {}),
    ("markup.blocks", [("<!-- wp:paragraph -->\n<p>Die Digitalisierung", "Lose Zeile\n\n<!-- wp:paragraph -->\n<p>Die Digitalisierung")], {}),
    ("markup.blocks", [("<!-- wp:paragraph -->\n<p>Die Digitalisierung", "<!-- wp:fantasie -->\n<p>x</p>\n<!-- /wp:fantasie -->\n\n<!-- wp:paragraph -->\n<p>Die Digitalisierung")], {}),
    ("text.leftovers", [("einfachste Einstieg", "**einfachste** Einstieg")], {}),
    ("text.leftovers", [("einfachste Einstieg", "einfachste TODO Einstieg")], {}),
    ("text.leftovers", [("einfachste Einstieg", "einfachste [Link] Einstieg")], {}),
    # Empty is not short: an empty SEO title, meta description, H1 or slug fails.
    ("seo_title.length", [("**SEO Title**: Digitalisierung im Handwerk: 2 bewährte Wege für 2025", "**SEO Title**: ")],
     {}, {"seo_title.keyword", "title.number", "title.power_word", "title.year"}),
    ("meta.length", [("**Meta Description**: Digitalisierung im Handwerk ohne Umwege: zwei bewährte Schritte für "
                      "Betriebe, die Aufträge und Rechnungen schneller erledigen wollen.",
                      "**Meta Description**: ")], {"meta_description_min_chars": 0}, {"meta.keyword"}),
    ("structure.h1", [('<h1 class="wp-block-heading">2 bewährte Wege zur Digitalisierung im Handwerk 2025</h1>',
                       '<h1 class="wp-block-heading"></h1>')], {}, {"keyword.h1", "title.number", "title.power_word",
                                                                   "title.year"}),
    ("slug.format", [("**URL Slug**: digitalisierung-handwerk-2025", "**URL Slug**: ")], {}, {"slug.keyword"}),
    ("structure.headings_unique", [("Weg 2: Digitalisierung im Handwerk mit verbundenen Rechnungen",
                                    "Weg 1: Aufträge digital erfassen")], {}, {"keyword.h2"}),
    ("language.german", [("Ein Auftrag, der auf einem Zettel steht, geht leicht verloren.",
                          "This is a paragraph that is written in English and it is not German at all.")], {}),
    ("language.address", [("Dieser Beitrag zeigt Ihnen", "Dieser Beitrag zeigt dir")], {}),
    ("claims.unsourced", [("Meist reicht ein kleiner Schritt", "Laut einer Umfrage reicht 67% ein kleiner Schritt")], {}),
]


@pytest.mark.parametrize("case", BROKEN, ids=[f"{b[0]}-{i}" for i, b in enumerate(BROKEN)])
def test_broken_post_fails_exactly_that_check(good_text, small_brief, case):
    check_id, edits, targets, *also = case
    text = good_text
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    before = {r.id for r in run(good_text, small_brief).results if not r.passed}
    failing = {r.id for r in run(text, small_brief, **targets).results if not r.passed}
    # That check, and only the others the break must bring down (named in the case), newly fail.
    assert failing - before == {check_id, *(also[0] if also else ())}


def test_severity_decides_the_verdict(good_text, small_brief):
    warning_only = run(good_text.replace("Meist reicht", "Laut 67% reicht"), small_brief)
    assert not warning_only.get("claims.unsourced").passed and warning_only.passed
    error = run(good_text, small_brief, words_min=1000)
    assert not error.passed and error.failing_ids() == ["words.count"]


def test_where_names_the_section(good_text, small_brief):
    report = run(good_text.replace("sie brauchen.</p>", "sie brauchen. Das spart Wege.</p>"), small_brief)
    assert report.get("paragraphs.sentences").where == ["Weg 1: Aufträge digital erfassen"]


def test_address_du_post_flags_sie_forms(good_text, small_brief):
    du = small_brief.model_copy(update={"address": "du"})
    assert not run_checks(parse_document(good_text), du, "none").get("language.address").passed
    ok = good_text.replace("zeigt Ihnen", "zeigt dir").replace("Ihre Monteure", "deine Monteure").replace(
        "Fangen Sie mit einem Bereich an und messen Sie, wie viel Zeit Sie gewinnen", "Fang mit einem Bereich an und miss, wie viel Zeit du gewinnst").replace(
        "erreichen Sie uns über unser", "erreichst du uns über unser")
    assert run_checks(parse_document(ok), du, "none").get("language.address").passed


LONG = "Die " + " ".join(["unternehmensübergreifende Digitalisierungsinfrastrukturverantwortung"] * 12) + " bleibt."
EASY = "Das Team plant den Tag. Alle wissen, was zu tun ist. Der Kunde ist froh."


@pytest.mark.parametrize("check_id,hard,easy", [
    ("readability.flesch", [para(LONG)] * 3, [para(EASY)] * 3),
    ("readability.long_sentences", [para(LONG)] * 3, [para(EASY)] * 3),
    ("readability.paragraph_length", [para(" ".join([LONG] * 12))], [para(EASY)]),
    ("readability.section_length", [para(EASY * 3)] * 12, [para(EASY)] * 3),
    ("repetition.openings", [para("Das Team plant gut. Das Team baut gut. Das Team misst.")] * 2, [para(EASY)] * 2),
    ("repetition.phrases", [para("Morgens planen wir den Tag genau. Abends planen wir den Tag genau. Dann planen wir den Tag genau.")],
     [para(EASY)]),
])
def test_readability_and_repetition(small_brief, check_id, hard, easy):
    assert not run_checks(markup_post(*hard), small_brief, "none").get(check_id).passed
    assert run_checks(markup_post(*easy), small_brief, "none").get(check_id).passed


def test_checklist_true_claims_pass_and_false_ones_are_listed(good_text, small_brief):
    true_list = ("\n---\n\n## Verification Checklist\n\n- [x] Focus keyword: 5 occurrences\n"
                 "- [x] Internal links: 2\n- [x] External links: 1\n- [x] Word count: 168 words\n"
                 "- [x] Spacers before H2: Yes\n")
    assert run(good_text + true_list, small_brief).get("checklist.claims").passed
    false_list = true_list.replace("5 occurrences", "9 occurrences").replace("Word count: 168", "Word count: ~2100")
    r = run(good_text + false_list, small_brief).get("checklist.claims")
    assert not r.passed and len(r.value) == 2
    assert "measured 5" in r.message and "measured 168" in r.message


def test_html_without_seo_fields_reports_them_unmeasured(good_text, small_brief):
    post = Post(markup=parse_document(good_text).markup)
    report = run_checks(post, small_brief, "none")
    assert report.passed  # content checks pass; SEO fields are not in a bare .html file
    assert report.get("seo_title.length").severity == "warning" and not report.get("seo_title.length").passed


NESTED = ("<!-- wp:list -->\n<ul><li>Digitalisierung im Handwerk beginnt klein<ul><li>erst die Aufträge</li>"
          "<li>dann die Rechnungen</li><li>zuletzt das Lager</li></ul></li><li>Jeder Schritt spart Zeit</li></ul>\n"
          "<!-- /wp:list -->")


def test_a_nested_list_is_counted_once(small_brief):
    # By hand: 5 + 3 + 3 + 3 + 4 words; the outer item's words were counted again with its sub-list before.
    report = run_checks(markup_post(NESTED), small_brief, "none")
    assert report.get("words.count").value == 18
    assert report.get("keyword.count").value == 1
    from .support.yoast import analyze, yoast_unavailable_reason

    if yoast_unavailable_reason() is None:  # Yoast counts the same words
        [yoast] = analyze([{"content": NESTED, "keyword": small_brief.keyword}])
        assert yoast["research"]["wordCount"] == 18


def test_the_title_is_a_field_and_the_page_has_one_h1(good_text, small_brief):
    h1_block = ('<!-- wp:heading {"level":1} -->\n<h1 class="wp-block-heading">2 bewährte Wege zur Digitalisierung '
                'im Handwerk 2025</h1>\n<!-- /wp:heading -->\n\n')
    as_stored = good_text.replace(h1_block, "").replace(
        "**SEO Title**", "**Title**: 2 bewährte Wege zur Digitalisierung im Handwerk 2025\n\n**SEO Title**")
    post = parse_document(as_stored)
    assert post.title == "2 bewährte Wege zur Digitalisierung im Handwerk 2025" and "<h1" not in post.markup
    report = run_checks(post, small_brief, "none")
    assert report.passed and report.get("structure.h1").value == 1
    # The title is not content: the H1's keyword use and words no longer count.
    with_h1 = run(good_text, small_brief)
    assert report.get("keyword.count").value == with_h1.get("keyword.count").value - 1
    assert report.get("words.count").value == with_h1.get("words.count").value - 8
    # A title field and an H1 block in the content make two H1 on the page.
    both = parse_document(as_stored.replace("<!-- wp:paragraph -->", h1_block + "<!-- wp:paragraph -->", 1))
    assert run_checks(both, small_brief, "none").get("structure.h1").value == 2
    # The title's own rules are judged on the title field.
    bad = parse_document(as_stored.replace("**Title**: 2 bewährte Wege zur", "**Title**: Wege zur"))
    failing = run_checks(bad, small_brief, "none").failing_ids()
    assert {"title.power_word", "title.number"} <= set(failing)


def test_every_check_id_is_declared_once_with_a_rule():
    from generator.checks import CHECKS, ids

    declared = [c.id for c in CHECKS]
    constants = {v for k, v in vars(ids).items() if k.isupper()}
    assert len(declared) == len(set(declared))
    assert set(declared) | {"checklist.claims"} == constants
    for c in CHECKS:
        assert c.measures and c.rules
        for profile, rule in c.rules.items():
            assert profile in ("brief", "yoast", "rankmath", "none") and rule.target
            if profile != "brief" and rule.plugin_id:
                assert rule.source  # every plugin threshold names its source
