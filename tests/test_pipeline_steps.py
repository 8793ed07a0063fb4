"""The pipeline's steps on their own: plan budget, render, deterministic repairs, answer cleaning."""

import re

import pytest

from generator.answers import BadAnswer, check_text, parse_json_answer, strip_markdown, strip_wrapping
from generator.brief import load_brief
from generator.checks import run_checks
from generator.plan import PlanAnswer, SectionAnswer, build_plan
from generator.render import render_markup, render_post
from generator.draft import Draft, SectionDraft, to_paragraphs
from generator.edits import split_paragraph
from generator.german import count_keyword

from .conftest import MITTELSTAND


@pytest.fixture
def brief():
    return load_brief(MITTELSTAND)


def answer(brief, **changes) -> PlanAnswer:
    sections = [SectionAnswer(heading="Einleitung")] + [
        SectionAnswer(heading=f"Strategie {i}: Thema {i}") for i in range(1, 8)] + [SectionAnswer(heading="Fazit")]
    data = dict(h1="Digitalisierung im Mittelstand: 7 bewährte Strategien für 2025",
                seo_titles=["Viel zu langer Titel über Digitalisierung im Mittelstand ohne alles",
                            "7 bewährte Strategien: Digitalisierung im Mittelstand 2025",
                            "Digitalisierung im Mittelstand: 7 bewährte Strategien 2025"],
                meta_descriptions=["zu kurz", "Digitalisierung im Mittelstand: " + "x" * 100],
                sections=sections)
    data.update(changes)
    return PlanAnswer(**data)


def test_plan_budget_adds_up_to_the_targets(brief):
    plan = build_plan(answer(brief), brief)
    assert len(plan.sections) == 9
    assert sum(s.words for s in plan.sections) >= brief.targets.words_min
    # The content's uses: the body's and the H2 headings' (the H1 is the post title).
    headings = sum(count_keyword(s.heading, brief.keyword) for s in plan.sections[1:])
    assert 3 <= headings <= 6  # Yoast: the keyphrase in 30–75 % of the 8 H2
    uses = sum(s.keyword_uses for s in plan.sections) + headings
    assert brief.targets.keyword_min <= uses <= brief.targets.keyword_max
    assert plan.sections[0].keyword_uses >= 1
    internal = [l.url for s in plan.sections for l in s.links if not l.external]
    external = [l.url for s in plan.sections for l in s.links if l.external]
    assert len(internal) == len(set(internal)) == 7 and len(external) == 3
    # The first candidate that passes: Yoast wants the keyphrase at the start of the SEO title.
    assert plan.seo_title == "Digitalisierung im Mittelstand: 7 bewährte Strategien 2025"
    assert plan.meta_description.startswith("Digitalisierung im Mittelstand: ")
    assert plan.slug == "digitalisierung-mittelstand"


def test_plan_keeps_valid_llm_link_choices_and_drops_invented_ones(brief):
    a = answer(brief)
    a.sections[2].internal_links = ["/fallstudien/", "/erfunden/"]
    a.sections[3].external_links = ["https://www.bitkom.org", "https://evil.example/"]
    plan = build_plan(a, brief)
    assert "/fallstudien/" in [l.url for l in plan.sections[2].links]
    urls = {l.url for s in plan.sections for l in s.links}
    assert "/erfunden/" not in urls and "https://evil.example/" not in urls


def test_plan_trims_to_the_brief_sections_and_never_pads_with_placeholders(brief):
    long = answer(brief, sections=[SectionAnswer(heading="Einleitung")] + [
        SectionAnswer(heading=f"Strategie {i}: Thema {i}") for i in range(1, 10)] + [SectionAnswer(heading="Fazit")])
    assert len(build_plan(long, brief).sections) == 9
    short = answer(brief, sections=[SectionAnswer(heading="Einleitung"), SectionAnswer(heading="Strategie 1: A"),
                                    SectionAnswer(heading="Strategie 3: B"), SectionAnswer(heading="Fazit")])
    plan = build_plan(short, brief)
    assert [s.heading for s in plan.sections] == ["Einleitung", "Strategie 1: Digitalisierung im Mittelstand – A",
                                                  "Strategie 2: B", "Fazit"]  # the keyphrase in 1–2 of 3 H2
    assert any("2 of 7 main sections" in n for n in plan.notes)


def _draft(plan, first_paragraph: str) -> Draft:
    sections = [SectionDraft(paragraphs=["Text."]) for _ in plan.sections]
    sections[1] = SectionDraft(paragraphs=[first_paragraph])
    return Draft(sections=sections)


def test_render_links_only_the_sections_urls_and_escapes_everything(brief):
    plan = build_plan(answer(brief), brief)
    own = plan.sections[1].links[0]
    text = (f"Siehe [Anker]({own.url}) und [nochmal]({own.url}) und [fremd](https://evil.example/) "
            "sowie <script>alert(1)</script> und --> <!-- wp:html --> & „Zitat“.")
    markup = render_markup(_draft(plan, text), plan, brief)
    assert f'<a href="{own.url}" target="_blank" rel="noopener">Anker</a>' in markup
    assert markup.count(f'href="{own.url}"') == 1  # linked once
    assert "evil.example" not in markup and "fremd" in markup
    assert "<script" not in markup and "alert" not in markup
    assert "wp:html" not in markup  # the LLM's markup is reduced to its text
    assert all(line.startswith("<!--") for line in markup.splitlines() if "-->" in line)
    assert markup.count("<!-- wp:html") == 0
    report = run_checks(render_post(_draft(plan, text), plan, brief), brief)
    assert report.get("markup.blocks").passed


def test_render_takes_links_in_any_common_form_but_only_the_sections_own_urls(brief):
    plan = build_plan(answer(brief), brief)
    internal = next(l for l in plan.sections[1].links if not l.external)
    external = next(l for s in plan.sections for l in s.links if l.external)
    section = next(i for i, s in enumerate(plan.sections) if external in s.links)
    forms = {
        "paren": f"Mehr im Beitrag „Neue Wege“ ({internal.url}).",
        "html": f'Siehe <a href="{external.url}" onclick="x()">das <i>Amt</i></a> dazu.',
        "bare": f"Alles unter {internal.url}.",
        "foreign": "Nicht verlinkt: <a href=\"https://evil.example/\"><b>fremd</b></a>, Seite (/erfunden/) und "
                   "https://evil.example/x.",
    }
    anchors = {"paren": "Neue Wege", "html": "das Amt", "bare": internal.anchor}
    for name, text in forms.items():
        target = section if name == "html" else 1
        sections = [SectionDraft(paragraphs=["Text."]) for _ in plan.sections]
        sections[target] = SectionDraft(paragraphs=[text])
        markup = render_markup(Draft(sections=sections), plan, brief)
        hrefs = re.findall(r'href="([^"]*)"', markup)
        if name == "foreign":
            assert hrefs == [] and "fremd" in markup and "<b>" not in markup and "evil.example/x" in markup
            continue
        url = external.url if name == "html" else internal.url
        assert hrefs == [url], (name, markup)
        assert re.findall(r">([^<>]*)</a>", markup) == [anchors[name]]
        assert "onclick" not in markup and "<i>" not in markup


def test_render_post_is_the_content_without_the_h1(brief):
    plan = build_plan(answer(brief), brief)
    post = render_post(_draft(plan, "Absatz."), plan, brief)
    assert post.title == plan.h1 and "<h1" not in post.markup and '{"level":1}' not in post.markup
    assert post.markup.startswith("<!-- wp:paragraph -->")
    report = run_checks(post, brief)
    assert report.get("structure.h1").passed and report.get("structure.h1").value == 1  # the title
    assert report.get("keyword.h1").value == plan.h1


def test_render_matches_the_seed_block_markup(brief):
    plan = build_plan(answer(brief), brief)
    markup = render_markup(_draft(plan, "Absatz."), plan, brief)
    assert markup.startswith('<!-- wp:heading {"level":1} -->\n<h1 class="wp-block-heading">')
    assert ('<!-- wp:spacer {"height":"40px"} -->\n<div style="height:40px" aria-hidden="true" '
            'class="wp-block-spacer"></div>\n<!-- /wp:spacer -->\n\n<!-- wp:heading -->\n'
            '<h2 class="wp-block-heading">Strategie 1: Digitalisierung im Mittelstand – Thema 1</h2>\n'
            '<!-- /wp:heading -->') in markup
    assert "<!-- wp:paragraph -->\n<p>Absatz.</p>\n<!-- /wp:paragraph -->" in markup


def test_split_paragraph_evenly_and_never_inside_a_link():
    p = "Eins ist da. Zwei folgt z. B. hier. Drei mit [Link. Text](/a/) drin. Vier am 3. Oktober."
    parts = split_paragraph(p, 3)
    assert parts == ["Eins ist da. Zwei folgt z. B. hier.", "Drei mit [Link. Text](/a/) drin. Vier am 3. Oktober."]
    assert split_paragraph("Kurz. Gut.", 3) == ["Kurz. Gut."]


def test_to_paragraphs():
    assert to_paragraphs("Eins.\n\nZwei\nweiter.\n\n\n") == ["Eins.", "Zwei weiter."]
    assert to_paragraphs("Eins.\nZwei.") == ["Eins.", "Zwei."]


def test_answer_cleaning():
    assert strip_wrapping("Hier ist der Abschnitt:\n```\nDer Text.\n```") == "Der Text."
    # a model's fenced JSON, fenced once more on the way: the object is found all the same
    assert parse_json_answer('Hier ist der Abschnitt:\n```\n```json\n{"a": 1}\n```\n```') == {"a": 1}
    assert strip_markdown("## Titel\n**Fett** und *kursiv* und [Anker](/a/)\n- Punkt") == \
        "Fett und kursiv und [Anker](/a/)\nPunkt"
    for text, finish, kind in [("", "stop", "empty"), ("Text", "length", "truncated"),
                               ("Es tut mir leid, aber dabei kann ich nicht helfen.", "stop", "refusal"),
                               ("This is the section and it is written in English for you.", "stop", "english")]:
        with pytest.raises(BadAnswer) as e:
            check_text(text, finish)
        assert e.value.kind == kind
