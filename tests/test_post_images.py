"""Images as part of the post (issue #13): planned, made, placed, listed, published once."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
import yaml
from PIL import Image

from generator.blocks import parse_blocks
from generator.brief import WordPressSettings, load_brief
from generator.folder import load_folder
from generator.publish import publish_folder, resolve_target

from .conftest import DATA, ROOT
from .support.blockparser import parse_with_wordpress, stray_freeform, wordpress_parser_unavailable_reason
from .support.editor import DEBIAN_WORDPRESS, editor_unavailable_reason, problems, validate_documents
from .support.fake_openai import FakeOpenAI
from .support.llm_responder import mock_responder
from .test_images import alpha_png, gps_jpeg

SMALL = DATA / "small.yaml"


def brief_with_images(tmp: Path, base: Path = ROOT / "briefs" / "mittelstand.yaml", **images) -> Path:
    data = yaml.safe_load(base.read_text(encoding="utf-8"))
    if "internal_links_file" in data:
        data["internal_links_file"] = str((base.parent / data["internal_links_file"]).resolve())
    data["images"] = {"featured": True, "in_content": 2, "source": "generate", **images}
    path = tmp / "brief.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def folder_of(out: Path) -> Path:
    return next(out.glob("*/report.json")).parent


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory):
    """The mittelstand brief with a featured and two content images, generated offline."""
    from typer.testing import CliRunner

    from generator.cli import app

    tmp = tmp_path_factory.mktemp("images")
    brief = brief_with_images(tmp)
    result = CliRunner().invoke(app, ["--brief", str(brief), "--dry-run", "--out", str(tmp / "out")])
    assert result.exit_code == 0, result.stdout + result.stderr
    return folder_of(tmp / "out"), load_brief(brief)


def test_the_dry_run_writes_three_images_and_places_two_in_the_text(dry_run):
    folder, brief = dry_run
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    images = report["plan"]["images"]
    assert [im["role"] for im in images] == ["featured", "content", "content"]
    files = sorted((folder / "images").iterdir())
    assert len(files) == 3 and {f"images/{f.name}" for f in files} == {im["file"] for im in images}
    for im, width in zip(images, (1200, 1024, 1024)):
        with Image.open(folder / im["file"]) as picture:
            assert picture.format == "WEBP" and picture.size == (im["width"], im["height"]) and picture.width == width
            assert not picture.getexif()
        assert (folder / im["file"]).stat().st_size == im["bytes"] <= 200_000
        assert 0 < len(im["alt"]) <= 125
    content_alts = [im["alt"] for im in images if im["role"] == "content"]
    assert sum(brief.keyword.lower() in alt.lower() for alt in content_alts) == 1  # in one alt, never stuffed
    assert report["images"]["images"] == 3 and report["images"]["cost_usd"] == 0.0


def test_image_blocks_follow_a_paragraph_and_never_stand_side_by_side(dry_run):
    folder, _ = dry_run
    blocks = [b for b in parse_blocks((folder / "post.html").read_text(encoding="utf-8")).blocks if b.name]
    names = [b.name for b in blocks]
    assert names.count("core/image") == 2
    for i, name in enumerate(names):
        if name == "core/image":
            assert names[i - 1] == "core/paragraph" and names[i + 1] != "core/image"
    assert names.index("core/image") > names.index("core/paragraph")
    image = next(b for b in blocks if b.name == "core/image")
    assert image.attrs == {"width": 1024, "height": 683, "sizeSlug": "large", "linkDestination": "none"}
    assert 'src="images/' in image.raw and "alt=" in image.raw


def test_image_blocks_pass_wordpress_parser_and_both_editors(dry_run):
    folder, _ = dry_run
    markup = (folder / "post.html").read_text(encoding="utf-8")
    reason = wordpress_parser_unavailable_reason() or editor_unavailable_reason()
    if reason:
        pytest.skip(reason)
    parsed = parse_with_wordpress(markup)
    assert stray_freeform(parsed) == []
    assert [b["attrs"] for b in parsed if b["blockName"] == "core/image"][0]["sizeSlug"] == "large"
    current, debian = (validate_documents([markup], wordpress=wp)[0] for wp in (None, DEBIAN_WORDPRESS))
    assert problems(debian["blocks"]) == []  # Debian's WordPress 6.1 editor: valid as it is
    images = [b for b in current["blocks"] if b["name"] == "core/image"]
    assert images and all(b["isValid"] for b in images)  # the current editor accepts it (and modernises it)


def test_post_md_lists_the_images_and_post_html_points_at_the_local_files(dry_run):
    folder, _ = dry_run
    document = (folder / "post.md").read_text(encoding="utf-8")
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert "## Images" in document
    for im in report["plan"]["images"]:
        assert f"`{im['file']}`" in document and im["alt"] in document
    html = (folder / "post.html").read_text(encoding="utf-8")
    for im in report["plan"]["images"][1:]:
        assert f'src="{im["file"]}"' in html


def test_folder_images_skip_what_cannot_be_used_and_strip_gps(cli, tmp_path):
    photos = tmp_path / "fotos"
    photos.mkdir()
    gps_jpeg(photos / "besprechung-team-digitalisierung.jpg")
    alpha_png(photos / "logo-transparent.png")
    (photos / "kaputt.jpg").write_bytes(b"\xff\xd8\xff\xe0 nicht mehr")
    Image.new("RGB", (8000, 6300), "white").save(photos / "riesig.png", optimize=False)
    brief = brief_with_images(tmp_path, base=SMALL, source="folder", folder=str(photos), in_content=2)
    code, stdout, stderr = cli("--brief", brief, "--dry-run", "--out", tmp_path / "out")
    assert code in (0, 1), stdout + stderr
    folder = folder_of(tmp_path / "out")
    images = json.loads((folder / "report.json").read_text(encoding="utf-8"))["plan"]["images"]
    made = [im for im in images if im["file"]]
    assert {im["origin"] for im in made} == {"from besprechung-team-digitalisierung.jpg", "from logo-transparent.png"}
    missing = [im for im in images if not im["file"]]
    assert len(missing) == 1 and "kaputt.jpg" in missing[0]["note"] and "riesig.png" in missing[0]["note"]
    for im in made:
        with Image.open(folder / im["file"]) as picture:
            assert not picture.getexif() and "xmp" not in picture.info and "icc_profile" not in picture.info
            if im["origin"].endswith(".png"):
                assert picture.mode == "RGBA"


def test_a_refused_prompt_is_tried_once_milder(cli, tmp_path):
    brief = brief_with_images(tmp_path, base=SMALL, in_content=1)
    with FakeOpenAI(mock_responder(), image_refuse_words=("foto",)) as fake:  # the milder prompt passes
        code, stdout, stderr = cli("--brief", brief, "--model", "gpt-4o-mini", "--base-url", fake.url,
                                   "--out", tmp_path / "out")
        prompts = [r["prompt"] for r in fake.image_requests]
    assert code in (0, 1), stdout + stderr
    images = json.loads((folder_of(tmp_path / "out") / "report.json").read_text(encoding="utf-8"))["plan"]["images"]
    assert len(prompts) == 4 and sum("Stillleben" in p for p in prompts) == 2
    assert all(im["file"] and im["origin"].endswith("(milder prompt)") for im in images)


def test_a_prompt_refused_twice_is_left_out_and_said_so(cli, tmp_path):
    brief = brief_with_images(tmp_path, base=SMALL, in_content=1)
    with FakeOpenAI(mock_responder(), image_refuse_words=("thema",)) as fake:  # every prompt, the milder one too
        code, stdout, stderr = cli("--brief", brief, "--model", "gpt-4o-mini", "--base-url", fake.url,
                                   "--out", tmp_path / "out")
        prompts = [r["prompt"] for r in fake.image_requests]
    assert code in (0, 1), stdout + stderr
    images = json.loads((folder_of(tmp_path / "out") / "report.json").read_text(encoding="utf-8"))["plan"]["images"]
    assert len(prompts) == 4 and sum("Stillleben" in p for p in prompts) == 2  # each: once, once milder
    assert all(not im["file"] and "refused the prompt twice" in im["note"] for im in images)
    assert "wp:image" not in (folder_of(tmp_path / "out") / "post.html").read_text(encoding="utf-8")


def test_a_rerun_pays_for_no_image_twice(cli, tmp_path):
    brief = brief_with_images(tmp_path, base=SMALL, in_content=1)
    with FakeOpenAI(mock_responder()) as fake:
        for _ in range(2):
            code, _, stderr = cli("--brief", brief, "--model", "gpt-4o-mini", "--base-url", fake.url,
                                  "--out", tmp_path / "out")
            assert code in (0, 1), stderr
        assert len(fake.image_requests) == 2  # featured + one in the text, made once


def test_publishing_uploads_each_image_once_and_sets_the_featured_image(wp, dry_run, tmp_path):
    import shutil

    folder = tmp_path / "post"
    shutil.copytree(dry_run[0], folder)
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    report["slug"] = report["plan"]["slug"] = "digitalisierung-mittelstand-bilder"  # the suite shares one WordPress
    (folder / "report.json").write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    target = resolve_target(WordPressSettings(), wp.url, wp.user, wp.app_password)
    before = {m["id"] for m in httpx.get(wp.rest_url + "wp/v2/media", params={"per_page": 100}, auth=wp.auth).json()}

    first = publish_folder(folder, target, allow_failed=True)
    assert first.created and first.differences == [], first
    media = [m for m in httpx.get(wp.rest_url + "wp/v2/media", params={"per_page": 100, "context": "edit"},
                                  auth=wp.auth).json() if m["id"] not in before]
    images = load_folder(folder).images
    assert sorted(m["alt_text"] for m in media) == sorted(im.alt for im in images)
    post = httpx.get(wp.rest_url + f"wp/v2/posts/{first.post_id}", params={"context": "edit"}, auth=wp.auth).json()
    featured = next(im for im in images if im.role == "featured")
    assert next(m for m in media if m["id"] == post["featured_media"])["alt_text"] == featured.alt
    blocks = [b for b in parse_blocks(post["content"]["raw"]).blocks if b.name == "core/image"]
    assert {b.attrs["id"] for b in blocks} <= {m["id"] for m in media} and len(blocks) == 2
    assert all('src="http' in b.raw and f'wp-image-{b.attrs["id"]}' in b.raw for b in blocks)

    (folder / "report.json").write_text(  # even without the media ids, nothing is uploaded again
        json.dumps({**json.loads((folder / "report.json").read_text(encoding="utf-8")), "wordpress": None}),
        encoding="utf-8")
    again = publish_folder(folder, target, allow_failed=True)
    after = {m["id"] for m in httpx.get(wp.rest_url + "wp/v2/media", params={"per_page": 100}, auth=wp.auth).json()}
    assert again.post_id == first.post_id and not again.created and again.differences == []
    assert after - before == {m["id"] for m in media}


def test_the_checker_judges_alt_texts_file_names_and_sizes(tmp_path, small_brief):
    from generator.checks import run_checks
    from generator.post import read_post

    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "gross.webp").write_bytes(b"x" * 250_000)
    (tmp_path / "images" / "Foto 1.JPG").write_bytes(b"x" * 10)

    def image(src: str, alt: str | None) -> str:
        alt_attr = f' alt="{alt}"' if alt is not None else ""
        return (f'<!-- wp:image {{"width":10,"height":10,"sizeSlug":"large","linkDestination":"none"}} -->\n'
                f'<figure class="wp-block-image size-large is-resized"><img src="{src}"{alt_attr} width="10" '
                f'height="10"/></figure>\n<!-- /wp:image -->\n')

    paragraph = "<!-- wp:paragraph -->\n<p>Text.</p>\n<!-- /wp:paragraph -->\n"
    post = tmp_path / "post.html"
    post.write_text(paragraph + image("images/gross.webp", "Digitalisierung im Handwerk in der Werkstatt")
                    + image("images/Foto 1.JPG", "") + image("https://example.com/x.jpg", "x" * 130), encoding="utf-8")
    report = run_checks(read_post(post), small_brief, profile="none")
    alt = report.get("images.alt")
    assert not alt.passed and alt.value == 2 and alt.severity == "error"
    files = report.get("images.files")
    assert not files.passed and files.severity == "warning"
    assert files.value == ["gross.webp: 250 kB", "Foto 1.JPG: not a slug file name"]
    assert report.get("images.keyphrase_alt").passed  # the keyword in one alt text is enough
    post.write_text(paragraph + image("images/gross.webp", "Eine Werkstatt"), encoding="utf-8")
    assert not run_checks(read_post(post), small_brief, profile="none").get("images.keyphrase_alt").passed


def test_yoasts_own_image_assessments_are_good_on_the_dry_run(dry_run):
    from .support.yoast import analyze, ratings, yoast_unavailable_reason

    if yoast_unavailable_reason():
        pytest.skip(yoast_unavailable_reason())
    folder, brief = dry_run
    plan = json.loads((folder / "report.json").read_text(encoding="utf-8"))["plan"]
    result = analyze([{"content": (folder / "post.html").read_text(encoding="utf-8"), "title": plan["seo_title"],
                       "description": plan["meta_description"], "keyword": brief.keyword, "slug": plan["slug"]}])[0]
    seo = ratings(result["seo"])
    assert seo["images"] == "good" and seo["imageKeyphrase"] == "good", seo


def test_csv_columns_set_a_rows_images(cli, tmp_path):
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword;images.source;images.in_content;images.featured\n"
                        "Zeiterfassung im Handwerk;generate;1;false\nKühlräume in Großbäckereien;none;;\n",
                        encoding="utf-8")
    code, stdout, stderr = cli("batch", csv_path, "--brief", SMALL, "--dry-run", "--out", tmp_path / "o")
    assert "Traceback" not in stdout + stderr
    made = {p.parent.parent.name: len(list(p.parent.iterdir())) for p in (tmp_path / "o").glob("*/images/*")}
    assert made == {"zeiterfassung-handwerk": 1}
