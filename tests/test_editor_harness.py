"""The editor harness (tests/support/editor.py) reports what the block editor reports.

Markup the editor is known to take (genpost's own posts; core/image exactly as WordPress 6.x saves
it) must come back valid and re-saved byte for byte; markup it is known to reject must come back
invalid with the editor's message -- so a harness that validated nothing, or everything, fails here.
"""

from __future__ import annotations

import pytest

from .support.editor import (
    DEBIAN_WORDPRESS,
    all_blocks,
    editor_unavailable_reason,
    invalid_blocks,
    problems,
    reserialize,
    validate_documents,
)

pytestmark = pytest.mark.skipif(editor_unavailable_reason() is not None,
                                reason=editor_unavailable_reason() or "")

URL = "https://example.com/wp-content/uploads/2025/01/erp-einfuehrung-1024x683.webp"
ALT = "Team bespricht die ERP-Einführung im Mittelstand am Whiteboard"


def image(comment: str, img: str, caption: str | None = None, figure_class: str = "wp-block-image size-large") -> str:
    figcaption = "" if caption is None else f'<figcaption class="wp-element-caption">{caption}</figcaption>'
    return (f"<!-- wp:image {comment} -->\n"
            f'<figure class="{figure_class}">{img}{figcaption}</figure>\n'
            "<!-- /wp:image -->")


# core/image as the editor of WordPress 6.x saves an image from the media library (no resize).
IMAGE = image('{"id":42,"sizeSlug":"large","linkDestination":"none"}',
              f'<img src="{URL}" alt="{ALT}" class="wp-image-42"/>')
IMAGE_CAPTION = image('{"id":42,"sizeSlug":"large","linkDestination":"none"}',
                      f'<img src="{URL}" alt="{ALT}" class="wp-image-42"/>', caption="Die Einführung in Etappen")
# With width and height, as WordPress >= 6.3 saves them.
IMAGE_SIZED = image('{"id":42,"width":"1024px","height":"683px","sizeSlug":"large","linkDestination":"none"}',
                    f'<img src="{URL}" alt="{ALT}" class="wp-image-42" style="width:1024px;height:683px"/>',
                    caption="Die Einführung in Etappen", figure_class="wp-block-image size-large is-resized")
# With width and height, as WordPress 6.1/6.2 saved them.
IMAGE_SIZED_61 = image('{"id":42,"width":1024,"height":683,"sizeSlug":"large","linkDestination":"none"}',
                       f'<img src="{URL}" alt="{ALT}" class="wp-image-42" width="1024" height="683"/>',
                       caption="Die Einführung in Etappen", figure_class="wp-block-image size-large is-resized")
# The img class names another attachment than the block's id.
IMAGE_WRONG_CLASS = image('{"id":42,"sizeSlug":"large","linkDestination":"none"}',
                          f'<img src="{URL}" alt="{ALT}" class="wp-image-43"/>')
# width/height on <img> that the block's attributes do not have.
IMAGE_UNDECLARED_SIZE = image('{"id":42,"sizeSlug":"large","linkDestination":"none"}',
                              f'<img src="{URL}" alt="{ALT}" class="wp-image-42" width="1024" height="683"/>')

LIST = """<!-- wp:list -->
<ul class="wp-block-list"><!-- wp:list-item -->
<li>Bestand aufnehmen</li>
<!-- /wp:list-item -->

<!-- wp:list-item -->
<li>Pilotbereich <strong>wählen</strong></li>
<!-- /wp:list-item --></ul>
<!-- /wp:list -->"""
# A list as WordPress 6.1 saved it: one block, no list-item blocks.
LIST_61 = """<!-- wp:list -->
<ul><li>Bestand aufnehmen</li><li>Pilotbereich wählen</li></ul>
<!-- /wp:list -->"""

HEADING_WRONG_LEVEL = '<!-- wp:heading {"level":3} -->\n<h2 class="wp-block-heading">Warum jetzt</h2>\n<!-- /wp:heading -->'
PARAGRAPH_DROPCAP_WITHOUT_CLASS = '<!-- wp:paragraph {"dropCap":true} -->\n<p>Text</p>\n<!-- /wp:paragraph -->'
PARAGRAPH_WITHOUT_P = "<!-- wp:paragraph -->\n<div>Text</div>\n<!-- /wp:paragraph -->"
STRAY = 'Text ohne Block\n\n<!-- wp:genpost/teaser {"a":1} -->\n<div>x</div>\n<!-- /wp:genpost/teaser -->'

CASES = {
    "image": IMAGE, "image_caption": IMAGE_CAPTION, "image_sized": IMAGE_SIZED,
    "image_sized_61": IMAGE_SIZED_61, "image_wrong_class": IMAGE_WRONG_CLASS,
    "image_undeclared_size": IMAGE_UNDECLARED_SIZE, "list": LIST, "list_61": LIST_61,
    "heading_wrong_level": HEADING_WRONG_LEVEL, "paragraph_dropcap": PARAGRAPH_DROPCAP_WITHOUT_CLASS,
    "paragraph_without_p": PARAGRAPH_WITHOUT_P, "stray": STRAY,
}


@pytest.fixture(scope="module")
def posts(generated) -> list[str]:
    """post.html of genpost's dry runs of the shipped briefs (the content without the H1, which is
    the post title), and one of them with the H1 block earlier versions wrote."""
    from generator.folder import load_folder
    from generator.publish import h1_block

    folders = list(generated.values())
    out = [(folder / "post.html").read_text(encoding="utf-8") for folder in folders]
    return out + [h1_block(load_folder(folders[0]).h1) + "\n\n" + out[0]]


@pytest.fixture(scope="module")
def npm(posts) -> dict[str, dict]:
    """All cases and the dry-run posts through the npm editor, in one node process (each start
    loads the whole block library)."""
    names = list(CASES) + [f"post{i}" for i in range(len(posts))]
    docs = validate_documents(list(CASES.values()) + posts)
    assert [d["editor"] for d in docs] == ["@wordpress/blocks 16.0.0, @wordpress/block-library 11.0.0"] * len(names)
    return dict(zip(names, docs))


@pytest.fixture(scope="module")
def wp61() -> dict[str, dict]:
    """All cases through the editor scripts of Debian's WordPress."""
    reason = editor_unavailable_reason(DEBIAN_WORDPRESS)
    if reason:
        pytest.skip(reason)
    return dict(zip(CASES, validate_documents(list(CASES.values()), wordpress=DEBIAN_WORDPRESS)))


def only_block(doc: dict) -> dict:
    [block] = doc["blocks"]
    return block


def test_genpost_posts_are_valid_and_resaved_unchanged(npm, posts):
    """genpost's paragraphs, headings (H1..H3), spacers and links: valid as they are, and the editor
    writes them back byte for byte."""
    docs = [npm[f"post{i}"] for i in range(len(posts))]
    for post, doc in zip(posts, docs):
        assert problems(doc["blocks"]) == []
        assert doc["serialized"] == post.strip()
        assert reserialize(doc["blocks"]) == doc["serialized"]
    names = {b["name"] for doc in docs for b in all_blocks(doc["blocks"])}
    assert names == {"core/heading", "core/paragraph", "core/spacer"}
    assert docs[0]["blocks"][0]["name"] == "core/paragraph"  # the content starts under the title
    legacy = docs[-1]["blocks"][0]
    assert legacy["name"] == "core/heading" and legacy["attributes"]["level"] == 1
    linked = [b for doc in docs for b in doc["blocks"] if "<a href=" in b["attributes"].get("content", "")]
    assert linked, "the dry-run posts have links inside paragraphs"


def test_list_blocks(npm):
    block = only_block(npm["list"])
    assert block["isValid"] and not block["migrated"] and block["issues"] == []
    assert [b["name"] for b in block["innerBlocks"]] == ["core/list-item", "core/list-item"]
    assert block["innerBlocks"][1]["attributes"]["content"] == "Pilotbereich <strong>wählen</strong>"
    assert npm["list"]["serialized"] == LIST
    # WordPress 6.1's list: upgraded without a warning, into list-item blocks.
    old = only_block(npm["list_61"])
    assert old["isValid"] and old["migrated"]
    assert [b["attributes"]["content"] for b in old["innerBlocks"]] == ["Bestand aufnehmen", "Pilotbereich wählen"]
    assert "<!-- wp:list-item -->" in old["serialized"]


def test_images_as_wordpress_saves_them_are_valid(npm):
    for case, markup in (("image", IMAGE), ("image_caption", IMAGE_CAPTION), ("image_sized", IMAGE_SIZED)):
        block = only_block(npm[case])
        assert (block["name"], block["isValid"], block["migrated"], block["issues"]) == ("core/image", True, False, []), case
        assert npm[case]["serialized"] == markup, case
    attrs = only_block(npm["image_caption"])["attributes"]
    assert (attrs["id"], attrs["url"], attrs["alt"], attrs["sizeSlug"], attrs["linkDestination"], attrs["caption"]) \
        == (42, URL, ALT, "large", "none", "Die Einführung in Etappen")
    sized = only_block(npm["image_sized"])["attributes"]
    assert (sized["width"], sized["height"]) == ("1024px", "683px")


def test_wordpress_61_image_form_is_upgraded_silently(npm):
    block = only_block(npm["image_sized_61"])
    assert block["isValid"] and block["migrated"] and block["issues"] == []
    assert npm["image_sized_61"]["serialized"] == IMAGE_SIZED  # rewritten into today's form


@pytest.mark.parametrize("case, expected_issue", [
    ("image_wrong_class", "Expected attribute `class` of value `wp-image-42`, saw `wp-image-43`."),
    ("image_undeclared_size", 'instead saw [["src"'),
    ("heading_wrong_level", "Expected tag name `h3`, instead saw `h2`."),
])
def test_invalid_blocks_come_with_the_editors_messages(npm, case, expected_issue):
    block = only_block(npm[case])
    assert not block["isValid"] and not block["migrated"]
    assert any(expected_issue in issue for issue in block["issues"]), block["issues"]
    assert any(i.startswith(f"error: Block validation: Block validation failed for `{block['name']}`")
               and "Content generated by `save` function:" in i for i in block["issues"])
    # An invalid block is kept as it was.
    assert npm[case]["serialized"] == CASES[case]
    [problem] = problems(npm[case]["blocks"])
    assert "invalid" in problem


def test_invalid_blocks_of_one_document():
    """Its own node run: the invalid blocks at any depth, in document order."""
    markup = "\n\n".join([LIST, HEADING_WRONG_LEVEL, IMAGE, IMAGE_WRONG_CLASS])
    bad = invalid_blocks(markup)
    assert [(b["name"], b["attributes"].get("level")) for b in bad] == [("core/heading", 3), ("core/image", None)]


def test_blocks_in_order_and_reserialized(npm):
    for case in ("list", "stray"):
        assert reserialize(npm[case]["blocks"]) == npm[case]["serialized"]
    assert [b["name"] for b in all_blocks(npm["list"]["blocks"])] == ["core/list", "core/list-item", "core/list-item"]


def test_broken_paragraphs_are_swallowed_not_flagged(npm):
    """The paragraph's oldest deprecation takes any HTML as content: no warning, but the markup ends
    up inside the text. Only `migrated` tells."""
    for case in ("paragraph_dropcap", "paragraph_without_p"):
        block = only_block(npm[case])
        assert block["isValid"] and block["migrated"], case
        assert npm[case]["serialized"] != CASES[case]
    assert only_block(npm["paragraph_without_p"])["attributes"]["content"] == "<div>Text</div>"
    assert '<p class="has-drop-cap"><p>Text</p></p>' in npm["paragraph_dropcap"]["serialized"]
    assert problems(npm["paragraph_dropcap"]["blocks"])


def test_content_outside_blocks_and_unknown_blocks(npm):
    stray, unknown = npm["stray"]["blocks"]
    assert stray["name"] == unknown["name"] == "core/missing"
    assert unknown["attributes"]["originalName"] == "genpost/teaser"
    assert [p.split(": ", 1)[1] for p in problems(npm["stray"]["blocks"])] == [
        "content outside any block: 'Text ohne Block'",
        "the editor does not know the block type genpost/teaser",
    ]


def test_wordpress_61_editor_disagrees_on_sized_images(npm, wp61):
    """Debian's WordPress 6.1 runs an older validator: the image without width/height is the one
    form both editors take as it is."""
    assert only_block(wp61["image"])["isValid"] and wp61["image"]["editor"].startswith("WordPress 6.1")
    for case in ("image", "image_caption"):
        assert problems(wp61[case]["blocks"]) == [] and wp61[case]["serialized"] == CASES[case], case
    # Today's width/height form: invalid in 6.1 (its width/height are numbers, its save() no style).
    sized = only_block(wp61["image_sized"])
    assert not sized["isValid"]
    assert any('["style","width:1024px;height:683px",true]' in i for i in sized["issues"]), sized["issues"]
    # 6.1's own form: valid there as it is.
    assert problems(wp61["image_sized_61"]["blocks"]) == []
    assert wp61["image_sized_61"]["serialized"] == IMAGE_SIZED_61
    # Both reject a wrong wp-image class; both take the 6.1 list (6.1 upgrades it too).
    assert not only_block(wp61["image_wrong_class"])["isValid"]
    assert only_block(wp61["list_61"])["isValid"]
