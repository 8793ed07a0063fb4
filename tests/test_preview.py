"""preview.html and index.html: what they show, read back with the HTML parser the checker uses."""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image
from selectolax.lexbor import LexborHTMLParser

from generator.brief import Brief
from generator.folder import INDEX, POST_HTML, PREVIEW, REPORT
from generator.post import Document, Post
from generator.preview import build_index, build_page, render_index, write_index, write_preview
from generator.textwidth import DESCRIPTION_MAX_PX_MOBILE, SERP_DESCRIPTION_SIZE_PX, SERP_TITLE_SIZE_PX, truncate

from .conftest import DATA

EXAMPLES = ("mittelstand", "grossbaeckerei", "zeiterfassung", "projektmanagement-du")


def parse(path: Path):
    return LexborHTMLParser(path.read_text(encoding="utf-8"))


def copy_folder(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def report_of(folder: Path) -> dict:
    return json.loads((folder / REPORT).read_text(encoding="utf-8"))


def edit_report(folder: Path, change) -> None:
    report = report_of(folder)
    change(report)
    (folder / REPORT).write_text(json.dumps(report, ensure_ascii=False), encoding="utf-8")


def block(name: str, html: str, attrs: str = "") -> str:
    return f"<!-- wp:{name}{' ' + attrs if attrs else ''} -->\n{html}\n<!-- /wp:{name} -->\n\n"


# --- one post ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", EXAMPLES)
def test_every_run_writes_a_self_contained_preview(generated, name):
    folder = generated[name]
    page = parse(folder / PREVIEW)
    html = (folder / PREVIEW).read_text(encoding="utf-8")
    report = report_of(folder)
    # One file that loads nothing: no stylesheet, script, image or font from anywhere, and a CSP
    # that would stop one.
    assert page.css("link, script, iframe, object, embed, img[src^=http], source") == []
    assert "url(" not in html and "@import" not in html
    csp = page.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    assert "default-src 'none'" in csp and "script-src" not in csp
    # The plan's H1 is the page's one H1; the content below it has no second one.
    assert [h.text(deep=True) for h in page.css("h1")] == [report["plan"]["h1"]]
    # Every check of the report is there, with its light.
    lights = {li.attributes["id"].removeprefix("check-"): li.css_first(".light").attributes["class"].split()[1]
              for li in page.css("li.check")}
    assert lights == {c["id"]: "pass" if c["passed"] else ("fail" if c["severity"] == "error" else "warn")
                      for c in report["checks"]}
    bar = page.css_first("header.bar").text(deep=True)
    llm = report["llm"]
    assert f"{llm['tokens']} tokens" in bar and f"${llm['cost_usd']:.4f}" in bar
    assert f"{len(report['rounds'])} repair round" in bar


def test_the_text_marks_are_the_checkers_figures(generated):
    folder = generated["mittelstand"]
    report = report_of(folder)
    checks = {c["id"]: c for c in report["checks"]}
    page = parse(folder / PREVIEW)
    # Keyword uses: the content's, as keyword.count counts them, and the title's (the title is not
    # content, the page shows it all the same).
    marks = page.css("article mark.kw")
    assert len(marks) - len(page.css("article h1 mark.kw")) == checks["keyword.count"]["value"]
    assert {" ".join(m.text(deep=True).split()).lower() for m in marks} == {report["brief"]["keyword"].lower()}
    # Links: as many internal and external ones as the checker counted, going where the post
    # says (site-relative paths on the brief's website).
    internal = page.css("article a.link.internal")
    external = page.css("article a.link.external")
    assert len(internal) == checks["links.internal.count"]["value"]
    assert len(external) == checks["links.external.count"]["value"]
    website = report["brief"]["website"]
    post = LexborHTMLParser((folder / POST_HTML).read_text(encoding="utf-8"))
    hrefs = [a.attributes["href"] for a in post.css("a")]
    assert [a.attributes["href"] for a in page.css("article a.link")] == [
        f"https://{website}{h}" if h.startswith("/") else h for h in hrefs]
    # Words per section, as readability.section_length measures them.
    doc = Document(Post(markup=(folder / POST_HTML).read_text(encoding="utf-8")))
    stats = {s.text(deep=True).split(":")[0]: s for s in page.css(".section-stats")}
    assert len(stats) == len(doc.sections)
    for name in doc.sections:
        words = sum(len(e.word_list) for e in doc.text_elements if e.section == name and e.kind != "heading")
        assert f"{words} words" in stats[name.split(":")[0]].text(deep=True)
    assert max(int(re.search(r"(\d+) words", s.text()).group(1)) for s in stats.values()) == \
        checks["readability.section_length"]["value"]


def test_checks_link_to_where_they_apply(generated, tmp_path):
    folder = copy_folder(generated["mittelstand"], tmp_path / "post")
    (folder / POST_HTML).write_text((folder / POST_HTML).read_text(encoding="utf-8").replace(
        "</p>", " Mehr dazu <a href=\"/unbekannt/\">hier</a>.</p>", 1), encoding="utf-8")
    from generator.checks import run_checks

    report = run_checks(Post(markup=(folder / POST_HTML).read_text(encoding="utf-8")), Brief.model_validate(
        report_of(folder)["brief"]))
    edit_report(folder, lambda r: r.update(checks=[c.model_dump() for c in report.results]))
    page = parse(write_preview(folder))
    ids = {node.attributes["id"] for node in page.css("[id]")}
    checks = {li.attributes["id"].removeprefix("check-"): li for li in page.css("li.check")}
    for li in checks.values():
        assert li.css_first("a.check-name").attributes["href"].removeprefix("#") in ids
        for a in li.css(".where a"):
            assert a.attributes["href"].removeprefix("#") in ids
    unknown = checks["links.internal.known"]
    assert "light fail" in unknown.html
    assert [a.text() for a in unknown.css(".where a")] == ["Einleitung"]
    assert checks["seo_title.length"].css_first("a.check-name").attributes["href"] == "#serp"
    assert checks["keyword.h1"].css_first("a.check-name").attributes["href"] == "#title"


def test_long_sentences_and_paragraphs_over_the_limits_are_marked(generated, tmp_path):
    folder = copy_folder(generated["zeiterfassung"], tmp_path / "post")
    long_sentence = ("Die Zeiterfassung im Handwerk gelingt dann am besten, wenn alle Beschäftigten vom "
                     "Auszubildenden bis zur Meisterin ihre Stunden jeden Tag direkt auf der Baustelle mit dem "
                     "Telefon erfassen.")
    limit = report_of(folder)["brief"]["targets"]["max_sentences_per_paragraph"]
    words = ["Erster", "Zweiter", "Dritter", "Vierter", "Fünfter", "Sechster", "Siebter"]
    four = " ".join(f"{w} Satz hier." for w in words[:limit + 1])
    markup = (block("paragraph", f"<p>Kurz und klar. {long_sentence} Danach kommt ein kurzer Satz.</p>")
              + block("paragraph", f"<p>{four}</p>"))
    (folder / POST_HTML).write_text(markup, encoding="utf-8")
    page = parse(write_preview(folder))
    assert [" ".join(s.text(deep=True).split()) for s in page.css("article span.long")] == [long_sentence]
    marked = page.css("p.has-notes")
    assert [" ".join(p.text(deep=True).split()) for p in marked] == [four]
    assert [n.text() for n in page.css("p.note")] == [f"{limit + 1} sentences; at most {limit}"]
    legend = page.css_first(".legend").text(deep=True)
    assert "1 sentence over 20 words" in legend and "1 paragraph over a limit" in legend


def test_a_title_block_in_the_content_is_not_shown_twice(generated, tmp_path):
    # post.html is the content without the H1 (issue #12); a folder of an earlier version starts
    # with the H1 block. Either way the page has one H1.
    from generator.publish import h1_block

    folder = copy_folder(generated["zeiterfassung"], tmp_path / "post")
    markup = (folder / POST_HTML).read_text(encoding="utf-8")
    h1 = report_of(folder)["plan"]["h1"]
    assert not markup.startswith("<!-- wp:heading {\"level\":1} -->")
    without_h1 = parse(write_preview(folder))
    (folder / POST_HTML).write_text(h1_block(h1) + "\n\n" + markup, encoding="utf-8")
    with_h1 = parse(write_preview(folder))
    for page in (with_h1, without_h1):
        assert [h.text(deep=True) for h in page.css("h1")] == [h1]
    assert with_h1.css_first("#content").html == without_h1.css_first("#content").html


def test_the_snippet_is_cut_by_pixels_as_the_checker_measures(generated, tmp_path):
    folder = copy_folder(generated["mittelstand"], tmp_path / "post")
    long_title = "Digitalisierung im Mittelstand: 7 bewährte Strategien, mit denen Betriebe 2025 wirklich wachsen"
    meta = report_of(folder)["plan"]["meta_description"]
    edit_report(folder, lambda r: r["plan"].update(seo_title=long_title))
    page = build_page(folder)
    shown, cut = truncate(long_title, 600, SERP_TITLE_SIZE_PX)
    assert cut and page.snippet.title.shown == shown and shown.endswith(" …")
    assert page.snippet.description_mobile.shown == truncate(meta, DESCRIPTION_MAX_PX_MOBILE,
                                                             SERP_DESCRIPTION_SIZE_PX)[0]
    assert page.snippet.url == "https://ai-projektmanager.de/digitalisierung-mittelstand/"
    html = parse(write_preview(folder))
    titles = html.css(".serp-title-text")
    assert [t.text() for t in titles] == [shown, shown] and titles[0].attributes["title"] == long_title
    assert "cut" in html.css_first(".serp-figures").text()


def test_the_report_is_text_and_links_go_nowhere_but_http(generated, tmp_path):
    folder = copy_folder(generated["zeiterfassung"], tmp_path / "post")
    edit_report(folder, lambda r: (r["plan"].update(h1="Titel <script>alert(1)</script>",
                                                    seo_title="<img src=x onerror=alert(1)>"),
                                   r["checks"][0].update(message="<b>fett</b>")))
    markup = block("paragraph", '<p>Ein <a href="javascript:alert(1)">Trick</a> und '
                                '<a href="//evil.example/x">noch einer</a>.</p>')
    (folder / POST_HTML).write_text(markup, encoding="utf-8")
    html = write_preview(folder).read_text(encoding="utf-8")
    page = LexborHTMLParser(html)
    assert page.css("script, img, b") == []
    assert [h1.text() for h1 in page.css("h1")] == ["Titel"]  # reduced to its text, as publishing does
    # A link the post has but that is no absolute http(s) URL or site path stays text, marked as
    # a link (the checker counts it): no javascript:, and no protocol-relative URL that a file://
    # page would resolve to a file.
    assert [(s.tag, s.text()) for s in page.css("article .link")] == [("span", "Trick"), ("span", "noch einer")]
    assert all(not a.attributes.get("href", "").lower().startswith(("javascript", "//")) for a in page.css("a"))


def test_images_beside_the_post_are_embedded_and_others_are_placeholders(generated, tmp_path):
    folder = copy_folder(generated["zeiterfassung"], tmp_path / "post")
    (folder / "images").mkdir()
    Image.new("RGB", (4, 3), (200, 10, 10)).save(folder / "images" / "bild.png")
    markup = (block("image", '<figure class="wp-block-image"><img src="images/bild.png" alt="Ein rotes Bild"/>'
                             "<figcaption>Ein Bild</figcaption></figure>", '{"id":1}')
              + block("image", '<figure class="wp-block-image"><img src="https://cdn.example/x.png" alt="Fern"/>'
                               "</figure>")
              + block("image", '<figure class="wp-block-image"><img src="../../etc/passwd.png" alt="Außen"/></figure>'))
    (folder / POST_HTML).write_text(markup, encoding="utf-8")
    page = parse(write_preview(folder))
    [img] = page.css("img")
    src = img.attributes["src"]
    assert src.startswith("data:image/png;base64,") and img.attributes["alt"] == "Ein rotes Bild"
    assert base64.b64decode(src.split(",", 1)[1]) == (folder / "images" / "bild.png").read_bytes()
    assert page.css_first("figcaption").text() == "Ein Bild"
    placeholders = [p.attributes["aria-label"] for p in page.css(".image-missing")]
    assert placeholders == ["Fern", "Außen"]
    # The plan's featured image stands above the title, as a theme shows it.
    edit_report(folder, lambda r: r["plan"].update(images=[
        {"role": "featured", "prompt": "x", "alt": "Titelbild", "file": "images/bild.png", "width": 4, "height": 3}]))
    page = parse(write_preview(folder))
    featured = page.css_first("article > figure.wp-block-post-featured-image img")
    assert featured.attributes["alt"] == "Titelbild" and featured.attributes["src"] == src


def test_a_run_that_ended_early_still_gets_a_preview(generated, tmp_path):
    folder = copy_folder(generated["zeiterfassung"], tmp_path / "post")
    (folder / POST_HTML).unlink()
    edit_report(folder, lambda r: r.update(status="error", passed=False, checks=[],
                                           error="the LLM endpoint did not answer after retries: http://x/v1: "
                                                 "connection refused"))
    page = parse(write_preview(folder))
    assert "connection refused" in page.css_first(".error-note").text()
    assert "No post yet" in page.css_first("#content").text()
    assert page.css_first(".status").text() == "error"


# --- the batch overview ----------------------------------------------------------------------------

def test_index_lists_every_post_with_its_figures_and_a_chart(generated, tmp_path):
    out = tmp_path / "out"
    for name in EXAMPLES:
        copy_folder(generated[name], out / generated[name].name)
    edit_report(out / generated["grossbaeckerei"].name, lambda r: r["llm"].update(cost_usd=0.02))
    edit_report(out / generated["zeiterfassung"].name, lambda r: r["llm"].update(cost_usd=0.01))
    (out / "batch-report.json").write_text(json.dumps({"rows": [
        {"line": 3, "keyword": "", "status": "bad row", "note": "empty keyword"}]}), encoding="utf-8")
    page = parse(write_index(out))
    rows = page.css("#posts tbody tr")
    assert len(rows) == len(EXAMPLES) + 1
    by_slug = {r.css_first("td").attributes["data-value"]: r for r in rows}
    for name in EXAMPLES:
        folder = out / generated[name].name
        report = report_of(folder)
        checks = {c["id"]: c["value"] for c in report["checks"]}
        cells = by_slug[folder.name].css("td")
        assert cells[0].css_first("a").attributes["href"] == f"{folder.name}/{PREVIEW}"
        assert cells[1].text().strip() == report["status"]
        assert cells[3].attributes["data-value"] == str(checks["words.count"])
        assert cells[4].attributes["data-value"] == str(checks["keyword.count"])
        assert float(cells[6].attributes["data-value"]) == report["timings"]["total"]
    assert "line 3: empty keyword" in by_slug[""].text()
    # The chart: one cost bar and one time bar per post, the largest full width.
    bars = {r.css_first("title").text().split(":")[0]: float(r.attributes["width"]) for r in page.css("rect.cost")}
    assert bars[generated["grossbaeckerei"].name] == 200.0 and bars[generated["zeiterfassung"].name] == 100.0
    assert max(float(r.attributes["width"]) for r in page.css("rect.time")) == 200.0
    assert len(page.css("rect.time")) == len(EXAMPLES)
    # The one script is the sorter, allowed by its hash and by nothing else.
    [script] = page.css("script")
    csp = page.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    import base64 as b64
    import hashlib

    digest = b64.b64encode(hashlib.sha256(script.text().encode("utf-8")).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp and "unsafe-inline'; img" in csp


def test_index_of_a_batch_follows_the_csv(cli, tmp_path):
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword;topic\nZeiterfassung im Handwerk;\n;Ein Thema\nDigitalisierung im Handwerk;\n",
                        encoding="utf-8")
    code, stdout, _ = cli("batch", csv_path, "--brief", DATA / "small.yaml", "--dry-run", "--out", tmp_path / "out")
    assert (tmp_path / "out" / INDEX).is_file() and str(tmp_path / "out" / INDEX) in stdout.replace("\n", "")
    index = build_index(tmp_path / "out")
    assert [(r.line, r.status) for r in index.rows] == [(2, "passed"), (3, "bad row"), (4, "passed")]
    assert index.summary == "3 posts: 2 passed, 1 bad row"


def test_a_refused_rows_keyword_and_note_read_as_written_and_run_nowhere(cli, tmp_path):
    csv_path = tmp_path / "k.csv"
    csv_path.write_text("keyword\n<script>alert(1)</script> Handwerk\n", encoding="utf-8")
    cli("batch", csv_path, "--brief", DATA / "small.yaml", "--dry-run", "--out", tmp_path / "out")
    page = LexborHTMLParser((tmp_path / "out" / INDEX).read_text(encoding="utf-8"))
    assert all("alert" not in n.text() for n in page.css("script"))  # the page's own sorting script only
    row = page.css_first("tbody tr").text(separator=" ")
    assert "<script>alert(1)</script> Handwerk" in row  # the text itself, escaped in the markup
    assert "keyword must be plain text without < or >" in row


def test_the_streamed_index_is_the_page_built_in_memory(generated, tmp_path):
    """write_index spools the rows through a file; the page is byte for byte the one rendered from
    build_index: CSV order, a bad row after the post of its line, a folder no batch row names
    last, a post without a cost, the chart and the totals."""
    out = tmp_path / "out"
    names = [generated[name].name for name in EXAMPLES]
    for name in EXAMPLES:
        copy_folder(generated[name], out / generated[name].name)
    edit_report(out / names[0], lambda r: r["llm"].update(cost_usd=0.02))
    edit_report(out / names[1], lambda r: r["llm"].update(cost_usd=None))
    rows = [{"line": 4, "slug": names[2], "status": "passed"}, {"line": 2, "slug": names[0], "status": "passed"},
            {"line": 2, "keyword": "Doppelt", "status": "bad row", "note": "slug taken"},
            {"line": 3, "keyword": "", "status": "bad row", "note": "empty keyword"},
            {"line": 5, "slug": names[1], "status": "failed"}]
    (out / "batch-report.json").write_text(json.dumps({"rows": rows}), encoding="utf-8")
    in_memory = render_index(build_index(out))
    assert write_index(out).read_text(encoding="utf-8") == in_memory
    assert write_index(out, iter(rows)).read_text(encoding="utf-8") == in_memory  # rows given by the batch
    order = [r.line for r in build_index(out).rows]
    assert order == [2, 2, 3, 4, 5, None]
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no spool or temp file left
    (out / "batch-report.json").unlink()
    for folder in names:
        shutil.rmtree(out / folder)
    assert write_index(out).read_text(encoding="utf-8") == render_index(build_index(out))  # no posts yet


def _minimal_posts(out: Path, first: int, count: int) -> None:
    for i in range(first, first + count):
        folder = out / f"post-{i:05d}"
        folder.mkdir(parents=True)
        report = {"status": "passed", "brief": {"keyword": f"Keyword {i}"}, "plan": {"h1": f"Titel {i} " + "x" * 80},
                  "llm": {"cost_usd": 0.001 * (i % 7)}, "timings": {"total": 1.5 + i % 5}, "failing": [],
                  "warnings": ["a", "b"], "checks": [{"id": "words.count", "value": 2000 + i}]}
        (folder / REPORT).write_text(json.dumps(report), encoding="utf-8")


def test_writing_the_index_holds_one_row_at_a_time(tmp_path):
    """Ten times the posts, not ten times the memory: the rows are spooled to a file, memory keeps
    each row's place (a few hundred bytes). Before, the page and every row were held: about 9 kB
    a row of this size."""
    import tracemalloc

    out = tmp_path / "out"
    _minimal_posts(out, 0, 150)
    write_index(out)  # templates compiled, modules imported

    def peak() -> int:
        tracemalloc.start()
        try:
            write_index(out)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small = peak()
    _minimal_posts(out, 150, 1350)
    large = peak()
    assert len(parse(out / INDEX).css("#posts tbody tr")) == 1500
    assert (large - small) / 1350 < 1000, (small, large)  # bytes per row


def test_genpost_preview_rebuilds_a_post_or_a_whole_out(cli, generated, tmp_path):
    out = tmp_path / "out"
    folder = copy_folder(generated["mittelstand"], out / "digitalisierung-mittelstand")
    (folder / PREVIEW).unlink()
    code, stdout, _ = cli("preview", folder)
    assert code == 0 and (folder / PREVIEW).is_file() and stdout.strip() == str(folder / PREVIEW)
    code, stdout, _ = cli("preview", out)
    assert code == 0 and (out / INDEX).is_file() and "(and 1 preview)" in stdout
    (tmp_path / "leer").mkdir()
    code, _, stderr = cli("preview", tmp_path / "leer")
    assert code == 2 and "holds no genpost post folders" in stderr
    code, _, stderr = cli("preview", tmp_path / "fehlt")
    assert code == 2 and "fehlt: not found" in stderr
    assert stderr.count("\n") == 1


def test_the_preview_needs_neither_the_llm_layer_nor_the_pipeline():
    import subprocess
    import sys

    code = ("import sys, generator.preview, generator.annotate, generator.serp; "
            "bad = [m for m in sys.modules if m.startswith(('generator.llm', 'generator.pipeline', 'openai'))]; "
            "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr

