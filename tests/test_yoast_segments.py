"""Yoast's analysis read block by block (generator/checks/yoast/segments.py) gives exactly what
reading the post whole gives (analysis.py, the port of Yoast's own code): every research and
every score, on the example briefs' dry runs, posts of the sloppy model, the seed, the Yoast test
variants, and blocks that break each condition under which a block may be read alone (those posts
are read whole)."""

from __future__ import annotations

import asyncio
import math

import pytest

from generator.brief import load_brief
from generator.checks.research import Research
from generator.checks.yoast import READABILITY_ASSESSMENTS, SEO_ASSESSMENTS, YoastAnalysis
from generator.checks.yoast.segments import SegmentedYoastAnalysis, segment, segments, well_formed
from generator.post import Document, Post, read_post

from . import yoast_cases as yc
from .conftest import DATA, ROOT, SEED

RESEARCHES = ("tree_word_count", "parsed_word_count", "text_word_count", "stripped_word_count",
              "content_has_subheading", "has_heading", "introduction", "keyphrase_count", "density", "subheadings",
              "subheadings_with_keyphrase", "competing_anchors", "image_count", "alt_properties",
              "link_statistics", "h1_count", "section_lengths", "paragraph_lengths", "sentence_lengths",
              "transition_sentences", "passive", "sentence_beginnings")


def _readings(y: YoastAnalysis) -> dict:
    out = {name: getattr(y, name) for name in RESEARCHES}
    out["sentences"] = [(s.text, s.tokens) for s in y.sentences]
    out["scores"] = {a: y.score(a) for a in SEO_ASSESSMENTS + READABILITY_ASSESSMENTS}
    out["overall"] = (y.seo_score(), y.readability_score())
    return out


def _both(post: Post, brief) -> tuple[YoastAnalysis, YoastAnalysis]:
    research = Research(Document(post), brief, "yoast")
    segmented = research.yoast
    whole = YoastAnalysis(segmented.paper)
    return segmented, whole


def _posts() -> list[tuple[str, Post, object]]:
    from generator.llm import ImageSettings, LLMSettings, make_client, make_image_client
    from generator.pipeline import generate

    out = []
    for path in sorted((ROOT / "briefs").glob("*.yaml")):
        brief = load_brief(path)
        result = asyncio.run(generate(brief, make_client(LLMSettings(model="mock")),
                                      images=make_image_client(ImageSettings(model="mock"))))
        out.append((f"{path.stem} dry run", result.post, brief))
        for seed in (1, 2):
            try:
                result = asyncio.run(generate(brief, make_client(LLMSettings(model="mock:sloppy", seed=seed))))
            except Exception:  # a sloppy run may end in error; its last post is still a post
                continue
            out.append((f"{path.stem} sloppy {seed}", result.post, brief))
    mittelstand = load_brief(ROOT / "briefs" / "mittelstand.yaml")
    out += [("seed", read_post(SEED), mittelstand), ("good post", read_post(DATA / "good_post.md"), mittelstand)]
    return out


@pytest.fixture(scope="module")
def posts():
    return _posts()


def test_reading_block_by_block_equals_reading_whole(posts):
    for name, post, brief in posts:
        segmented, whole = _both(post, brief)
        assert isinstance(segmented, SegmentedYoastAnalysis), name  # the example posts are all read in blocks
        assert _readings(segmented) == _readings(whole), name


def test_the_yoast_test_variants_read_alike():
    from .test_profiles import VARIANTS, _post

    brief = yc.brief()
    for name, _, changes in VARIANTS:
        segmented, whole = _both(_post(**changes), brief)
        assert isinstance(segmented, SegmentedYoastAnalysis), name
        assert _readings(segmented) == _readings(whole), name


P = yc.paragraph
H = yc.heading
TEXT = ("Außerdem sparen Betriebe jeden Tag wertvolle Minuten. Die Stunden werden täglich erfasst. "
        "Zeiterfassung im Handwerk lohnt sich.")


def _markup(*blocks: str) -> str:
    return "\n\n".join(blocks) + "\n"


# Posts with blocks that may not be read alone (the post is then read whole), and some that may.
CASES = {
    "no subheading at all": (_markup(*(P(TEXT) for _ in range(30))), True),
    "a paragraph left open": (_markup(P(TEXT), "<!-- wp:paragraph -->\n<p>offen\n<!-- /wp:paragraph -->",
                                      H("Zeiterfassung im Handwerk"), P(TEXT)), False),
    "a list inside a paragraph": (_markup(P(TEXT), "<!-- wp:paragraph -->\n<p>a<ul><li>b</li></ul></p>\n"
                                                   "<!-- /wp:paragraph -->", P(TEXT)), False),
    "&lt; in the text": (_markup(P(TEXT), P("Mehr &lt;h2&gt; als gedacht."), H("Zeiterfassung im Handwerk"),
                                P(TEXT)), False),
    "a > in an attribute": (_markup(P(f'<a href="/x" title="a>b">{TEXT}</a>'), P(TEXT)), False),
    "text outside the elements": (_markup(P(TEXT), "<!-- wp:html -->\nlose Worte\n<!-- /wp:html -->",
                                          P(TEXT)), False),
    "blocks without a line between": ("".join(P(TEXT) for _ in range(3)) + "\n", True),
    "blocks on one line with a heading": (P(TEXT) + H("Zeiterfassung im Handwerk") + P(TEXT), True),
    "a table": (_markup(P(TEXT), "<!-- wp:table -->\n<figure class=\"wp-block-table\"><table><tr><td>x</td>"
                                 "</tr></table></figure>\n<!-- /wp:table -->", P(TEXT)), False),
    "an ideographic full stop": (_markup(P(TEXT), P("Das Ende。"), P("Ein Anfang."), P(TEXT)), False),
    "text after a block's last line": (P(TEXT) + "\nlose<!-- wp:paragraph -->mehr\n<p>x</p>\n<!-- /wp:paragraph -->\n",
                                       False),
    "a nested list": (_markup(P(TEXT), "<!-- wp:list -->\n<ul><li>eins<ul><li>zwei</li></ul></li><li>drei</li>"
                                       "</ul>\n<!-- /wp:list -->", H("Zeiterfassung im Handwerk", 3), P(TEXT)),
                      True),
    "a quote and a caption": (_markup(P(TEXT), "<!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><p>"
                                               f"{TEXT}</p><cite>Wer</cite></blockquote>\n<!-- /wp:quote -->",
                                      yc.IMAGE.replace("{name}", "a").replace("{alt}", "Zeiterfassung"),
                                      "<!-- wp:image -->\n<figure class=\"wp-block-image\"><img src=\"a.jpg\" "
                                      "alt=\"\"/><figcaption>Zeiterfassung im Handwerk</figcaption></figure>\n"
                                      "<!-- /wp:image -->", P(TEXT)), True),
    "a comment with -- inside": (_markup(P(TEXT), "<!-- wp:paragraph {\"x\":\"--\"} -->\n<p>a</p>\n"
                                                  "<!-- /wp:paragraph -->", P(TEXT)), False),
    "freeform text between blocks": (P(TEXT) + "\nlose\n" + P(TEXT) + "\n", False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_blocks_that_may_not_be_read_alone_are_read_whole(name):
    markup, read_in_blocks = CASES[name]
    post = Post(markup=markup, title=yc.TITLE, seo_title=yc.TITLE, meta_description=yc.META, slug=yc.SLUG)
    segmented, whole = _both(post, yc.brief())
    assert isinstance(segmented, SegmentedYoastAnalysis) is read_in_blocks
    assert _readings(segmented) == _readings(whole)


def test_every_cut_of_a_dry_run_reads_alike(posts):
    """Cut anywhere a block starts, reading in stretches still gives the whole's figures: the
    stretches do not depend on where the other cuts are."""
    name, post, brief = posts[0]
    doc = Document(post)
    starts = [b.start for b in doc.blocks if b.name is not None]
    whole = _readings(YoastAnalysis(_both(post, brief)[0].paper))
    for step in (2, 3, 7):
        parts = segments(post.markup, starts[::step])
        assert parts is not None
        assert _readings(SegmentedYoastAnalysis(_both(post, brief)[0].paper, parts)) == whole, step


def test_well_formed_knows_what_an_html_parser_closes_by_itself():
    assert well_formed('<!-- wp:paragraph -->\n<p>Ein <a href="/x">Link</a> und <strong>mehr</strong>.</p>\n'
                       '<!-- /wp:paragraph -->\n\n')
    assert well_formed("<ul><li>a<ul><li>b</li></ul></li></ul><figure><img src=x alt=\"\"/></figure><hr/>")
    for bad in ("<p>a", "<p><div>a</div></p>", "<li>a</li>", "<a><a>b</a></a>", "<p>a<hr></p>", "<div/>",
                "<table></table>", "<p>a < b</p>", "<br></br>", "<!-- a -- b -->", "<script>x</script>",
                "<p class=\"a>b\">x</p>", "</p>", "<b><i>x</b></i>", "<svg></svg>"):
        assert not well_formed(bad), bad


def test_a_stretch_read_alone_knows_its_end():
    assert segment("<!-- wp:paragraph -->\n<p>a</p>\n<!-- /wp:paragraph -->\n\n").ends_line
    assert not segment("<!-- wp:paragraph -->\n<p>a</p>\n<!-- /wp:paragraph -->").ends_line
    assert math.isclose(len(segment("\n\n").sentences), 0)
