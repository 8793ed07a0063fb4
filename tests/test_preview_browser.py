"""preview.html and index.html in a real browser (Debian's headless Chromium): they load without
a console error, nothing leaves the page, they work on a phone, and the Google snippet's title is
cut exactly where the pixel rule says, measured by the browser's own layout.

Screenshots are written under each test's tmp dir: preview-<brief>.png and
preview-<brief>-phone.png (the post with its marks, snippet and checks), preview-long-title.png
(a cut SEO title), index.png and index-sorted.png (the batch overview before and after a click).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from generator.folder import INDEX, PREVIEW, REPORT
from generator.preview import write_index, write_preview
from generator.textwidth import ELLIPSIS, SERP_TITLE_SIZE_PX, TITLE_MAX_PX, text_width, truncate

from .support.browser import Browser, chromium_unavailable_reason

_REASON = chromium_unavailable_reason()
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")

EXAMPLES = ("mittelstand", "grossbaeckerei", "zeiterfassung", "projektmanagement-du")
TITLE = "document.querySelector('.serp-desktop .serp-title-text')"


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def assert_clean(page) -> None:
    assert page.errors == [], page.report()
    assert page.leaving_requests == [], page.report()
    assert [r.url for r in page.requests] == [page.url]


def assert_png(path: Path, width: int) -> None:
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] == width and image.size[1] > 600
        image.load()


@pytest.mark.parametrize("name", EXAMPLES)
def test_preview_of_each_example_brief_loads_clean_on_desktop_and_phone(browser, generated, tmp_path, name):
    path = generated[name] / PREVIEW
    desktop = browser.load(path)
    assert_clean(desktop)
    report = json.loads((generated[name] / REPORT).read_text(encoding="utf-8"))
    assert desktop.evaluate("document.querySelectorAll('h1').length") == 1
    assert desktop.evaluate("document.querySelector('h1').textContent") == report["plan"]["h1"]
    assert desktop.evaluate("document.querySelectorAll('li.check').length") == len(report["checks"])
    # The snippet's title is set in 20px Arial (Liberation Sans here), as the checker measures it.
    font = desktop.evaluate(f"(() => {{ const s = getComputedStyle({TITLE}); "
                            "return [s.fontSize, s.fontFamily, s.fontKerning]; })()")
    assert font == ["20px", "arial, sans-serif", "normal"]
    shot = desktop.screenshot(tmp_path / f"preview-{name}.png")
    assert_png(shot, 1280)

    phone = browser.load(path, width=390, height=844, mobile=True)
    assert_clean(phone)
    # Nothing but the snippets (which scroll) is wider than the phone.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.evaluate("document.querySelector('article').getBoundingClientRect().width") <= 390
    assert_png(phone.screenshot(tmp_path / f"preview-{name}-phone.png"), 390)


def test_marks_can_be_switched_off_to_see_the_post_as_a_reader(browser, generated):
    page = browser.load(generated["mittelstand"] / PREVIEW)
    mark = "getComputedStyle(document.querySelector('article mark.kw')).backgroundColor"
    assert page.evaluate(mark) != "rgba(0, 0, 0, 0)"
    page.evaluate("document.querySelector('label[for=marks]').click()")
    assert page.evaluate(mark) == "rgba(0, 0, 0, 0)"
    assert page.evaluate("getComputedStyle(document.querySelector('.section-stats')).display") == "none"
    assert page.errors == []


def _measure(page, text: str) -> float:
    """The width of `text` as the browser lays it out in the snippet's title style."""
    return page.evaluate(
        "(() => { const s = document.createElement('span'); s.className = 'serp-title-text';"
        f" s.textContent = {json.dumps(text)};"
        " document.querySelector('.serp-desktop .serp-title').appendChild(s);"
        " const w = s.getBoundingClientRect().width; s.remove(); return w; })()")


def test_the_snippet_title_is_cut_exactly_where_the_pixel_rule_says(browser, generated, tmp_path):
    # A title that fits: shown whole, no wider than 600 px in the browser either.
    fits = browser.load(generated["mittelstand"] / PREVIEW)
    assert_clean(fits)
    title = json.loads((generated["mittelstand"] / REPORT).read_text(encoding="utf-8"))["plan"]["seo_title"]
    assert truncate(title, TITLE_MAX_PX, SERP_TITLE_SIZE_PX) == (title, False)
    assert fits.evaluate(f"{TITLE}.textContent") == title
    width = fits.evaluate(f"{TITLE}.getBoundingClientRect().width")
    assert width <= TITLE_MAX_PX and abs(width - text_width(title)) < 0.5

    # A title that does not fit: cut after the last whole word that leaves room for " …".
    folder = tmp_path / "long-title"
    shutil.copytree(generated["mittelstand"], folder)
    long_title = ("Digitalisierung im Mittelstand: 7 bewährte Strategien, mit denen Betriebe 2025 "
                  "wirklich wachsen")
    report = json.loads((folder / REPORT).read_text(encoding="utf-8"))
    report["plan"]["seo_title"] = long_title
    (folder / REPORT).write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")
    page = browser.load(write_preview(folder))
    assert_clean(page)
    shown, cut = truncate(long_title, TITLE_MAX_PX, SERP_TITLE_SIZE_PX)
    assert cut and page.evaluate(f"{TITLE}.textContent") == shown
    assert page.evaluate(f"{TITLE}.title") == long_title
    # The browser agrees with the rule: what is shown fits, one word more would not.
    kept = shown.removesuffix(ELLIPSIS)
    next_word = long_title[len(kept):].split()[0]
    assert page.evaluate(f"{TITLE}.getBoundingClientRect().width") <= TITLE_MAX_PX
    assert _measure(page, long_title) > TITLE_MAX_PX
    assert _measure(page, f"{kept} {next_word}{ELLIPSIS}") > TITLE_MAX_PX
    assert abs(_measure(page, shown) - text_width(shown)) < 0.5
    page.screenshot(tmp_path / "preview-long-title.png", full_page=False)


def test_index_of_the_example_briefs_loads_clean_and_sorts_by_a_click(browser, generated, tmp_path):
    out = tmp_path / "out"
    for name in EXAMPLES:
        shutil.copytree(generated[name], out / generated[name].name)
    index = write_index(out)
    page = browser.load(index)
    assert_clean(page)
    slugs = "[...document.querySelectorAll('#posts tbody tr td:first-child')].map(td => td.dataset.value)"
    words = "[...document.querySelectorAll('#posts tbody tr td:nth-child(4)')].map(td => Number(td.dataset.value))"
    assert sorted(page.evaluate(slugs)) == sorted(generated[n].name for n in EXAMPLES)
    assert page.evaluate("document.querySelectorAll('svg.chart rect.time').length") == len(EXAMPLES)
    page.screenshot(tmp_path / "index.png")

    page.evaluate("document.querySelectorAll('#posts th button')[3].click()")  # words, ascending
    ascending = page.evaluate(words)
    assert ascending == sorted(ascending)
    page.evaluate("document.querySelectorAll('#posts th button')[3].click()")  # and descending
    assert page.evaluate(words) == sorted(ascending, reverse=True)
    assert page.evaluate("document.querySelectorAll('#posts th')[3].getAttribute('aria-sort')") == "descending"
    page.evaluate("document.querySelectorAll('#posts th button')[0].click()")  # by name
    assert page.evaluate(slugs) == sorted(page.evaluate(slugs))
    assert page.errors == [], page.report()  # the script ran under the page's CSP without a complaint
    page.screenshot(tmp_path / "index-sorted.png")
    # Every post's preview is where the index links.
    for href in page.evaluate("[...document.querySelectorAll('#posts a')].map(a => a.getAttribute('href'))"):
        assert (out / href).is_file() and href.endswith(PREVIEW)
    assert (out / INDEX) == index
