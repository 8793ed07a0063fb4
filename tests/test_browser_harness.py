"""The headless-Chromium harness (tests/support/browser.py) reports what a page really did."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from PIL import Image

from .support import procs
from .support.browser import Browser, BrowserError, JavaScriptError, chromium_unavailable_reason

_REASON = chromium_unavailable_reason()
pytestmark = pytest.mark.skipif(_REASON is not None, reason=_REASON or "")


@pytest.fixture(scope="module")
def browser():
    with Browser() as b:
        yield b


def page(tmp_path: Path, body: str, head: str = "", name: str = "page.html") -> Path:
    path = tmp_path / name
    path.write_text(
        f'<!doctype html>\n<html lang="de"><head><meta charset="utf-8"><title>Test</title>{head}</head>\n'
        f"<body>\n{body}\n</body></html>\n",
        encoding="utf-8",
    )
    return path


# --- what the page did ---------------------------------------------------------------------------


def test_a_console_error_is_reported_with_its_line(browser, tmp_path):
    path = page(tmp_path, '<script>\nconsole.log("ok");\nconsole.error("kaputt", 42);\n</script>')
    result = browser.load(path)
    error_line = path.read_text().splitlines().index('console.error("kaputt", 42);') + 1

    assert [(m.source, m.level, m.text) for m in result.errors] == [("console", "error", "kaputt 42")]
    assert result.errors[0].url == result.url
    assert result.errors[0].line == error_line
    assert [m.text for m in result.messages if m.level == "log"] == ["ok"]


def test_uncaught_exceptions_and_rejections_are_reported(browser, tmp_path):
    body = '<script>Promise.reject(new Error("später")); throw new TypeError("kein Wert");</script>'
    result = browser.load(page(tmp_path, body))

    texts = sorted(m.text.splitlines()[0] for m in result.errors)
    assert texts == ["Uncaught (in promise) Error: später", "Uncaught TypeError: kein Wert"]
    assert {m.source for m in result.errors} == {"exception"}


def test_requests_that_leave_the_page_are_recorded_and_blocked(browser, tmp_path):
    body = """<img src="https://example.com/x.png" alt="">
<script>
window.fetchOutcome = fetch("https://example.com/api")
  .then(() => "answered", (err) => "failed: " + err.message);
</script>"""
    result = browser.load(page(tmp_path, body))

    leaving = {r.url: r for r in result.leaving_requests}
    assert set(leaving) == {"https://example.com/x.png", "https://example.com/api"}
    assert leaving["https://example.com/x.png"].resource_type == "Image"
    assert leaving["https://example.com/api"].resource_type == "Fetch"
    for request in leaving.values():
        assert request.blocked and request.failed and request.status is None, request
    assert {r.url for r in result.failed_requests} == set(leaving)
    # The page itself saw the request fail: blocked, not answered.
    assert result.evaluate("window.fetchOutcome") == "failed: Failed to fetch"
    # The page's own file is a request too, but not one that leaves.
    assert [r.url for r in result.requests if not r.leaves_page] == [result.url]


def test_a_self_contained_page_has_no_errors_and_requests_only_itself(browser, tmp_path):
    head = "<style>body { font: 16px Arial, sans-serif; } h1 { color: #123456; }</style>"
    body = '<h1>Zeiterfassung</h1><p>Ein Absatz.</p><svg width="10" height="10"><rect width="10" height="10"/></svg>'
    result = browser.load(page(tmp_path, body, head))

    assert result.messages == [], result.report()
    assert [(r.url, r.status, r.failed) for r in result.requests] == [(result.url, 200, False)]
    assert result.leaving_requests == []


def test_local_files_beside_the_page_count_as_leaving_it_and_a_missing_one_fails(browser, tmp_path):
    # "Self-contained" means one file: a stylesheet next to it is a request that leaves the page
    # (not blocked: it is local). A missing image is a failed load and a logged error.
    (tmp_path / "style.css").write_text("p { color: red; }")
    result = browser.load(page(tmp_path, '<p>x</p><img src="fehlt.png" alt="">', '<link rel="stylesheet" href="style.css">'))

    outcome = {r.url.rsplit("/", 1)[1]: (r.blocked, r.status, r.error) for r in result.leaving_requests}
    assert outcome == {"style.css": (False, 200, None), "fehlt.png": (False, None, "net::ERR_FILE_NOT_FOUND")}
    assert [r.url.rsplit("/", 1)[1] for r in result.failed_requests] == ["fehlt.png"]
    assert [(m.source, m.text, m.url) for m in result.errors] == [
        ("log", "Failed to load resource: net::ERR_FILE_NOT_FOUND", (tmp_path / "fehlt.png").as_uri())
    ]


# --- using the page ------------------------------------------------------------------------------


def test_evaluate_returns_dom_values_and_raises_on_a_js_error(browser, tmp_path):
    head = "<style>#t { width: 321px; padding: 0 7px; font: 20px Arial; }</style>"
    body = """<div id="t">Überschrift <b>fett</b></div>
<button onclick="console.error('geklickt')">x</button>"""
    result = browser.load(page(tmp_path, body, head))

    assert result.evaluate("document.getElementById('t').textContent") == "Überschrift fett"
    assert result.evaluate("document.getElementById('t').getBoundingClientRect().width") == 335
    assert result.evaluate("Promise.resolve({a: [1, 'zwei', null]})") == {"a": [1, "zwei", None]}
    assert result.evaluate("undefined") is None
    with pytest.raises(JavaScriptError, match="ReferenceError: nichtDa is not defined"):
        result.evaluate("nichtDa.x")

    # Messages keep coming in after the load: what a click does is reported too.
    assert result.errors == []
    result.evaluate("document.querySelector('button').click()")
    assert [m.text for m in result.errors] == ["geklickt"]


def test_screenshot_is_a_png_of_the_viewport_or_the_whole_page(browser, tmp_path):
    head = "<style>html, body { margin: 0; background: rgb(10, 200, 30); } #tall { height: 2000px; }</style>"
    result = browser.load(page(tmp_path, '<div id="tall"></div>', head), width=800, height=600)

    viewport = result.screenshot(tmp_path / "shots" / "viewport.png", full_page=False)
    full = result.screenshot(tmp_path / "shots" / "full.png")

    for path, size in ((viewport, (800, 600)), (full, (800, 2000))):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert image.size == size
            image.load()  # decodes every row: a truncated or corrupt file raises here
            assert image.convert("RGB").getpixel((400, size[1] - 1)) == (10, 200, 30)


def test_a_second_load_can_emulate_a_phone(browser, tmp_path):
    head = """<meta name="viewport" content="width=device-width, initial-scale=1">
<style>#box { width: 900px; } @media (max-width: 600px) { #box { width: 100%; } }</style>"""
    path = page(tmp_path, '<div id="box">x</div>', head)
    desktop = browser.load(path)
    phone = browser.load(path, width=390, height=844, mobile=True)

    width = "document.getElementById('box').getBoundingClientRect().width"
    assert desktop.evaluate(width) == 900
    assert phone.evaluate(width) == 390 - 2 * 8  # body margin
    assert phone.evaluate("[innerWidth, innerHeight, navigator.maxTouchPoints]") == [390, 844, 5]
    with Image.open(phone.screenshot(tmp_path / "phone.png", full_page=False)) as image:
        assert image.size == (390, 844)


def test_a_missing_file_is_an_error_before_anything_loads(browser, tmp_path):
    with pytest.raises(FileNotFoundError):
        browser.load(tmp_path / "fehlt.html")


def test_a_missing_chromium_is_an_error_not_a_hang(tmp_path):
    with pytest.raises(BrowserError, match="missing"):
        Browser(executable=tmp_path / "chromium").start()


def test_a_browser_that_exits_at_once_is_an_error_not_a_hang():
    browser = Browser(executable="/bin/false")
    with pytest.raises(BrowserError, match="did not start"):
        browser.start()
    assert browser.pid is None and browser.workdir is None


def test_a_page_that_never_goes_idle_fails_at_the_deadline(browser, tmp_path):
    body = "<script>setInterval(() => fetch('https://example.com/poll').catch(() => {}), 100);</script>"
    with pytest.raises(BrowserError, match="network not idle"):
        browser.load(page(tmp_path, body), timeout=1.0)


# --- nothing is left behind ----------------------------------------------------------------------


def _assert_all_gone(recorded: list[procs.Proc], pgid: int, workdir: Path) -> None:
    assert procs.still_there(recorded) == []
    assert procs.in_group(pgid) == []
    assert not workdir.exists()


def _chromium_itself(running: list[procs.Proc], pgid: int) -> procs.Proc:
    # The reaper's child in its own process group (the crash handler, also re-parented to the
    # reaper, sits in a session of its own).
    [chromium] = [p for p in running if p.ppid == pgid and p.pgid == pgid]
    return chromium


def test_close_ends_every_chromium_process_and_removes_the_temp_dir(tmp_path):
    with Browser() as b:
        pgid, workdir = b.pid, b.workdir
        running = procs.tree(pgid)
        # The reaper, Chromium, its zygotes, the first tab's renderer, ...: the real tree.
        assert len(running) >= 4
        assert {p.name for p in running} >= {"chromium"}
    _assert_all_gone(running, pgid, workdir)


def test_a_failing_test_still_ends_chromium(tmp_path):
    with pytest.raises(AssertionError):
        with Browser() as b:
            pgid, workdir = b.pid, b.workdir
            running = procs.tree(pgid)
            assert False, "the test fails here"
    _assert_all_gone(running, pgid, workdir)


def test_a_hung_chromium_is_killed(tmp_path):
    b = Browser().start()
    try:
        pgid, workdir = b.pid, b.workdir
        running = procs.tree(pgid)
        chromium = _chromium_itself(running, pgid)
        os.kill(chromium.pid, signal.SIGSTOP)  # it can no longer answer Browser.close
    finally:
        b.close(grace=0.3)
    _assert_all_gone(running, pgid, workdir)


def test_chromium_dying_is_an_error_not_a_hang(tmp_path):
    with Browser() as b:
        pgid, workdir = b.pid, b.workdir
        running = procs.tree(pgid)
        chromium = _chromium_itself(running, pgid)
        os.kill(chromium.pid, signal.SIGKILL)
        with pytest.raises(BrowserError):
            b.load(page(tmp_path, "<p>x</p>"))
    _assert_all_gone(running, pgid, workdir)
