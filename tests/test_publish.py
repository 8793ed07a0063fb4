"""Publishing to a real WordPress (Debian's package, see tests/support/wordpress.py).

One WordPress serves the whole module; every test publishes its own slug, so the tests do not
depend on each other's posts. Posts come from the mock LLM's dry runs of the shipped briefs.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from generator.brief import WordPressSettings
from generator.errors import InputError, PublishError
from generator.folder import find_post_folders, load_folder
from generator.publish import WordPressTarget, content_without_h1, h1_block, publish_folder, resolve_target
from generator.retry import RetryPolicy

from .conftest import ROOT

NO_WAIT = RetryPolicy(attempts=3, total_seconds=60.0, initial=0.0, maximum=0.0)
PLUGIN = "wp-content/mu-plugins/genpost-seo-meta.php"


# --- fixtures ------------------------------------------------------------------------------------

def copy_post(src: Path, dest_root: Path, slug: str | None = None) -> Path:
    """A private copy of a post folder, optionally under another slug (so tests don't share posts)."""
    dest = dest_root / (slug or src.name)
    shutil.copytree(src, dest)
    if slug:
        report = json.loads((dest / "report.json").read_text(encoding="utf-8"))
        report["slug"] = report["plan"]["slug"] = slug
        (dest / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    return dest


def target_for(wp, **settings) -> WordPressTarget:
    return resolve_target(WordPressSettings(**settings), wp.url, wp.user, wp.app_password)


def rest(wp, method: str, route: str, **kwargs) -> httpx.Response:
    """Ask WordPress directly, independent of generator.publish."""
    response = httpx.request(method, wp.rest_url + route, auth=wp.auth, timeout=30, **kwargs)
    assert response.status_code < 300, response.text
    return response


def stored_post(wp, post_id: int) -> dict:
    return rest(wp, "GET", f"wp/v2/posts/{post_id}", params={"context": "edit"}).json()


def posts_with_slug(wp, slug: str) -> list[dict]:
    return rest(wp, "GET", "wp/v2/posts", params={"slug": slug, "status": "any", "context": "edit"}).json()


def term_names(wp, taxonomy: str, ids: list[int]) -> list[str]:
    import html
    return sorted(html.unescape(rest(wp, "GET", f"wp/v2/{taxonomy}/{i}").json()["name"]) for i in ids)


def expected_content(folder: Path) -> str:
    """post.html: genpost writes the content as WordPress stores it, without an H1 block (the title
    is the post title)."""
    markup = (folder / "post.html").read_text(encoding="utf-8")
    assert "<h1" not in markup and '{"level":1}' not in markup
    return markup


@contextlib.contextmanager
def proxy_client(intercept):
    """A client whose requests go to the real WordPress unless intercept(request) answers first."""
    with httpx.HTTPTransport() as real:
        def handler(request: httpx.Request) -> httpx.Response:
            answer = intercept(request)
            if answer is not None:
                return answer
            response = real.handle_request(request)
            response.read()
            return response

        with httpx.Client(transport=httpx.MockTransport(handler), timeout=30) as client:
            yield client


# --- 1. the main path ----------------------------------------------------------------------------

def test_mittelstand_draft_reads_back_equal_and_rerun_updates_the_same_post(wp, generated, tmp_path):
    folder = copy_post(generated["mittelstand"], tmp_path)
    plan = json.loads((folder / "report.json").read_text(encoding="utf-8"))["plan"]
    target = target_for(wp, categories=["Digitalisierung"], tags=["KI", "Mittelstand"])

    result = publish_folder(folder, target)

    assert result.created and result.ok and result.check_passed, result
    assert result.differences == [] and result.failing_checks == [] and result.warnings == []
    post = stored_post(wp, result.post_id)
    assert post["status"] == "draft"
    assert post["title"]["raw"] == plan["h1"]
    assert post["content"]["raw"] == expected_content(folder)
    assert "<h1" not in post["content"]["raw"] and "wp:heading {\"level\":1}" not in post["content"]["raw"]
    assert post["slug"] == plan["slug"] == "digitalisierung-mittelstand"
    assert term_names(wp, "categories", post["categories"]) == ["Digitalisierung"]
    assert term_names(wp, "tags", post["tags"]) == ["KI", "Mittelstand"]
    assert post["meta"]["_yoast_wpseo_title"] == plan["seo_title"]
    assert post["meta"]["_yoast_wpseo_metadesc"] == plan["meta_description"]
    assert post["meta"]["_yoast_wpseo_focuskw"] == "Digitalisierung im Mittelstand"

    report_text = (folder / "report.json").read_text(encoding="utf-8")
    assert json.loads(report_text)["wordpress"] == {"site": wp.url, "id": result.post_id, "link": result.link,
                                                    "status": "draft"}
    assert wp.app_password not in report_text

    again = publish_folder(folder, target)
    assert (again.post_id, again.created, again.ok) == (result.post_id, False, True)
    assert [p["id"] for p in posts_with_slug(wp, "digitalisierung-mittelstand")] == [result.post_id]
    assert posts_with_slug(wp, "digitalisierung-mittelstand-2") == []


def test_a_regenerated_folder_without_the_id_finds_the_post_by_slug(wp, generated, tmp_path):
    slug = "digitalisierung-mittelstand-wieder"
    first = publish_folder(copy_post(generated["mittelstand"], tmp_path / "a", slug), target_for(wp))
    # A new dry run writes report.json afresh: no wordpress id in it.
    second = publish_folder(copy_post(generated["mittelstand"], tmp_path / "b", slug), target_for(wp))
    assert first.created and not second.created and second.post_id == first.post_id
    assert len(posts_with_slug(wp, slug)) == 1


# --- 2. umlauts ------------------------------------------------------------------------------------

def test_umlauts_and_sharp_s_round_trip_byte_for_byte(wp, generated, tmp_path):
    folder = copy_post(generated["grossbaeckerei"], tmp_path)
    plan = json.loads((folder / "report.json").read_text(encoding="utf-8"))["plan"]
    assert "ß" in plan["h1"] and "ä" in plan["h1"]

    result = publish_folder(folder, target_for(wp))

    assert result.ok, result
    post = stored_post(wp, result.post_id)
    sent = expected_content(folder)
    assert "Großbäckereien" in sent and "Kühlräume" in sent
    assert post["content"]["raw"].encode("utf-8") == sent.encode("utf-8")
    assert post["title"]["raw"].encode("utf-8") == plan["h1"].encode("utf-8")
    assert post["meta"]["_yoast_wpseo_focuskw"] == "Kühlräume in Großbäckereien"
    assert post["meta"]["_yoast_wpseo_metadesc"] == plan["meta_description"]
    assert post["slug"] == "kuehlraeume-grossbaeckereien"


# --- 3. credentials --------------------------------------------------------------------------------

def test_a_wrong_application_password_is_one_line_naming_user_and_site(wp, generated, tmp_path):
    folder = copy_post(generated["mittelstand"], tmp_path, "digitalisierung-mittelstand-falsch")
    target = resolve_target(WordPressSettings(), wp.url, wp.user, "abcd efgh ijkl mnop qrst uvwx")

    with pytest.raises(PublishError) as caught:
        publish_folder(folder, target)

    message = str(caught.value)
    assert len(message.splitlines()) == 1
    assert f"rejected the application password for user {wp.user} at {wp.url}" in message
    assert caught.value.exit_code == 3
    assert "wordpress" not in json.loads((folder / "report.json").read_text(encoding="utf-8"))
    assert posts_with_slug(wp, "digitalisierung-mittelstand-falsch") == []


def test_cli_publish_with_a_wrong_password_exits_3(wp, generated, tmp_path):
    from typer.testing import CliRunner

    from generator.cli import app

    folder = copy_post(generated["mittelstand"], tmp_path, "digitalisierung-mittelstand-cli")
    result = CliRunner().invoke(app, ["publish", str(folder), "--wp-url", wp.url, "--wp-user", wp.user],
                                env={"GENPOST_WP_APP_PASSWORD": "abcd efgh ijkl mnop qrst uvwx"})
    assert result.exit_code == 3, result.output
    assert f"user {wp.user} at {wp.url}" in result.stderr


def test_generate_with_publish_in_one_go_and_publish_all_again(wp, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from generator.cli import app

    monkeypatch.setenv("GENPOST_WP_APP_PASSWORD", wp.app_password)
    out = tmp_path / "out"
    brief = tmp_path / "brief.yaml"  # its own slug, so no other test's post is touched
    brief.write_text((ROOT / "briefs" / "zeiterfassung.yaml").read_text(encoding="utf-8")
                     + "slug: zeiterfassung-handwerk-cli\n", encoding="utf-8")
    first = CliRunner().invoke(app, ["--brief", str(brief), "--dry-run",
                                     "--out", str(out), "--publish", "--wp-url", wp.url, "--wp-user", wp.user])
    assert first.exit_code == 0, first.stdout + first.stderr
    assert "created draft post" in first.stdout
    report = json.loads((out / "zeiterfassung-handwerk-cli" / "report.json").read_text(encoding="utf-8"))
    post_id = report["wordpress"]["id"]
    again = CliRunner().invoke(app, ["publish", str(out), "--all", "--wp-url", wp.url, "--wp-user", wp.user])
    assert again.exit_code == 0, again.stdout + again.stderr
    assert f"updated draft post {post_id}" in again.stdout
    assert [p["id"] for p in posts_with_slug(wp, "zeiterfassung-handwerk-cli")] == [post_id]
    assert wp.app_password not in (out / "zeiterfassung-handwerk-cli" / "report.json").read_text(encoding="utf-8")


def test_publish_refuses_http_to_a_remote_site_before_generating(tmp_path, cli):
    code, _, stderr = cli("--brief", ROOT / "briefs" / "zeiterfassung.yaml", "--dry-run", "--out", tmp_path,
                          "--publish", "--wp-url", "http://example.com", "--wp-user", "redaktion",
                          "--wp-app-password", "abcd efgh")
    assert code == 2 and "plain http" in stderr
    assert not any(tmp_path.iterdir())  # nothing generated, nothing sent


def test_the_password_never_shows_in_repr_or_dumps():
    secret = "abcd EFGH 1234 ijkl MNOP 5678"
    target = resolve_target(WordPressSettings(), "https://www.example.de", "redaktion", secret)
    for text in (repr(target), str(target), target.model_dump_json(), str(target.model_dump())):
        assert secret not in text and "abcd" not in text
    assert target.app_password.get_secret_value() == secret


# --- 4. plain http ---------------------------------------------------------------------------------

def test_plain_http_to_a_remote_host_is_refused_before_any_request(generated, tmp_path):
    requests: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(500)

    client = httpx.Client(transport=httpx.MockTransport(record))
    with pytest.raises(InputError) as caught:
        resolve_target(WordPressSettings(), "http://example.com", "redaktion", "secret pass word")
    assert "refusing to send the application password over plain http to example.com; use https" in str(caught.value)
    assert caught.value.exit_code == 2

    # The brief's URL is held to the same rule, and so is a target built directly.
    with pytest.raises(InputError):
        resolve_target(WordPressSettings(url="http://example.com/blog"), None, "redaktion", "pw")
    with pytest.raises(ValidationError):
        WordPressTarget(url="http://example.com", user="redaktion", app_password="pw")
    unchecked = WordPressTarget.model_construct(url="http://example.com", user="redaktion", app_password="pw")
    with pytest.raises(InputError):
        publish_folder(copy_post(generated["mittelstand"], tmp_path), unchecked, client=client)
    assert requests == []

    for url in ("https://example.com/", "http://localhost:8080", "http://127.0.0.1:9", "http://[::1]:8080"):
        assert resolve_target(WordPressSettings(), url, "redaktion", "pw").url == url.rstrip("/")


def test_missing_settings_name_the_flag_and_the_env_var():
    with pytest.raises(InputError, match="GENPOST_WP_URL"):
        resolve_target(WordPressSettings(), None, "redaktion", "pw")
    with pytest.raises(InputError, match="GENPOST_WP_USER"):
        resolve_target(WordPressSettings(url="https://example.com"), None, None, "pw")
    with pytest.raises(InputError, match="GENPOST_WP_APP_PASSWORD"):
        resolve_target(WordPressSettings(url="https://example.com", user="redaktion"), None, None, None)
    settings = WordPressSettings(url="https://brief.example", user="brief", status="pending", seo_plugin="rankmath")
    target = resolve_target(settings, "https://flag.example", "flag", "pw")
    assert (target.url, target.user, target.status, target.seo_plugin) == (
        "https://flag.example", "flag", "pending", "rankmath")


# --- 5. Rank Math, terms, mu-plugin ---------------------------------------------------------------

def test_rank_math_keys_are_written_and_read_back(wp, generated, tmp_path):
    folder = copy_post(generated["zeiterfassung"], tmp_path)
    plan = json.loads((folder / "report.json").read_text(encoding="utf-8"))["plan"]

    result = publish_folder(folder, target_for(wp, seo_plugin="rankmath"))

    assert result.ok, result
    meta = stored_post(wp, result.post_id)["meta"]
    assert meta["rank_math_title"] == plan["seo_title"]
    assert meta["rank_math_description"] == plan["meta_description"]
    assert meta["rank_math_focus_keyword"] == "Zeiterfassung im Handwerk"
    assert meta["_yoast_wpseo_title"] == ""  # nothing written for the other plugin


def test_existing_terms_are_reused_even_when_stored_escaped(wp, generated, tmp_path):
    existing = rest(wp, "POST", "wp/v2/categories", json={"name": "Forschung & Entwicklung"}).json()
    assert existing["name"] == "Forschung &amp; Entwicklung"  # what the colleague saw on 6.1
    folder = copy_post(generated["mittelstand"], tmp_path, "digitalisierung-mittelstand-terme")

    result = publish_folder(folder, target_for(wp, categories=["Forschung & Entwicklung", "Neu im Blog"],
                                               tags=["KI"]))

    assert result.ok, result
    post = stored_post(wp, result.post_id)
    assert existing["id"] in post["categories"]
    assert term_names(wp, "categories", post["categories"]) == ["Forschung & Entwicklung", "Neu im Blog"]
    found = rest(wp, "GET", "wp/v2/categories", params={"per_page": 100}).json()
    assert sum(c["name"] == "Forschung &amp; Entwicklung" for c in found) == 1


def test_without_the_mu_plugin_meta_is_dropped_with_a_warning(wp, generated, tmp_path):
    plugin = wp.docroot / PLUGIN
    plugin.rename(plugin.with_suffix(".off"))
    try:
        folder = copy_post(generated["projektmanagement-du"], tmp_path)
        result = publish_folder(folder, target_for(wp))
    finally:
        plugin.with_suffix(".off").rename(plugin)

    assert result.differences == [] and result.check_passed  # the checker falls back to the sent values
    assert result.warnings == [
        f"the site did not store {key}; install wordpress/genpost-seo-meta.php as a mu-plugin"
        for key in ("_yoast_wpseo_title", "_yoast_wpseo_metadesc", "_yoast_wpseo_focuskw")] + [
        "the site did not store genpost's mark _genpost_post, so genpost cannot update this post later; "
        "install wordpress/genpost-seo-meta.php as a mu-plugin"]
    # Unmarked, the post cannot be proven genpost's: a rerun leaves it alone.
    with pytest.raises(PublishError, match="was not created by genpost"):
        publish_folder(folder, target_for(wp))


# --- reading back ----------------------------------------------------------------------------------

def test_what_wordpress_changes_on_save_is_reported(wp, generated, tmp_path):
    folder = copy_post(generated["mittelstand"], tmp_path, "digitalisierung-mittelstand-rel")
    html_path = folder / "post.html"
    html_path.write_text(html_path.read_text(encoding="utf-8").replace(' rel="noopener"', ""), encoding="utf-8")

    result = publish_folder(folder, target_for(wp), allow_failed=True)

    assert not result.ok
    assert len(result.differences) == 1 and result.differences[0].startswith("content: WordPress stored different")
    assert 'rel="noopener"' in result.differences[0]  # WordPress adds it to target=_blank links
    assert 'rel="noopener"' in stored_post(wp, result.post_id)["content"]["raw"]


def test_an_author_without_unfiltered_html_gets_the_markup_stored_unchanged(wp, generated, tmp_path):
    user = rest(wp, "POST", "wp/v2/users", json={"username": "autorin", "email": "autorin@example.org",
                                                 "password": "ein-langes-Passwort-123", "roles": ["author"]}).json()
    password = rest(wp, "POST", f"wp/v2/users/{user['id']}/application-passwords", json={"name": "genpost"}).json()
    author = resolve_target(WordPressSettings(), wp.url, "autorin", password["password"])
    folder = copy_post(generated["grossbaeckerei"], tmp_path, "kuehlraeume-grossbaeckereien-autorin")

    result = publish_folder(folder, author)  # saved through kses: genpost's markup survives it

    assert result.ok, result
    post = stored_post(wp, result.post_id)
    assert post["author"] == user["id"] and post["content"]["raw"] == expected_content(folder)
    # Authors may not create categories: WordPress's refusal is a one-line PublishError.
    with pytest.raises(PublishError, match="refused to create the category 'Neu' for user autorin"):
        publish_folder(folder, author.model_copy(update={"categories": ["Neu"]}))


def test_a_live_post_is_not_turned_back_into_a_draft(wp, generated, tmp_path):
    folder = copy_post(generated["mittelstand"], tmp_path, "digitalisierung-mittelstand-live")
    first = publish_folder(folder, target_for(wp))
    rest(wp, "POST", f"wp/v2/posts/{first.post_id}", json={"status": "publish"})

    with pytest.raises(PublishError, match="already published"):
        publish_folder(folder, target_for(wp))
    assert stored_post(wp, first.post_id)["status"] == "publish"

    live = publish_folder(folder, target_for(wp, status="publish"))
    assert live.post_id == first.post_id and live.status == "publish" and live.ok


# --- transient faults and odd sites ---------------------------------------------------------------

def test_5xx_is_retried_and_a_lost_answer_does_not_duplicate_the_post(wp, generated, tmp_path):
    slug = "digitalisierung-mittelstand-retry"
    folder = copy_post(generated["mittelstand"], tmp_path, slug)
    creates: list[str] = []
    retries: list[str] = []

    def flaky(request: httpx.Request):
        if request.method == "GET" and request.url.path.endswith("/users/me") and not retries:
            return httpx.Response(503, headers={"Retry-After": "0"}, json={"code": "busy"})
        if request.method == "POST" and request.url.path.endswith("/wp/v2/posts"):
            creates.append(request.url.path)
            if len(creates) == 1:  # WordPress saves the post, but its answer never arrives
                with httpx.HTTPTransport() as transport:
                    transport.handle_request(request).read()
                raise httpx.ReadTimeout("answer lost", request=request)
        return None

    with proxy_client(flaky) as client:
        result = publish_folder(folder, target_for(wp), policy=NO_WAIT, client=client, on_retry=retries.append)

    assert result.ok and result.created
    assert retries[0] == "HTTP 503" and retries[1].startswith("timed out")
    assert len(creates) == 1  # the retry found the saved post by its slug and updated it
    assert [p["id"] for p in posts_with_slug(wp, slug)] == [result.post_id]


def test_retries_run_out_into_a_publish_error_with_the_reason(wp, generated, tmp_path):
    calls: list[httpx.Request] = []

    def down(request: httpx.Request):
        calls.append(request)
        return httpx.Response(502, text="Bad Gateway")

    folder = copy_post(generated["mittelstand"], tmp_path, "digitalisierung-mittelstand-down")
    with proxy_client(down) as client, pytest.raises(PublishError, match="HTTP 502") as caught:
        publish_folder(folder, target_for(wp), policy=NO_WAIT, client=client)
    assert len(calls) == NO_WAIT.attempts and wp.url in str(caught.value)


def test_sites_without_pretty_permalinks_are_reached_through_rest_route(wp, generated, tmp_path):
    paths: list[str] = []

    def no_pretty(request: httpx.Request):
        paths.append(request.url.path)
        return httpx.Response(404, text="Not Found") if request.url.path.startswith("/wp-json/") else None

    folder = copy_post(generated["mittelstand"], tmp_path, "digitalisierung-mittelstand-route")
    with proxy_client(no_pretty) as client:
        result = publish_folder(folder, target_for(wp, categories=["Digitalisierung"]), client=client)
    assert result.ok
    assert paths[0] == "/wp-json/wp/v2/users/me" and set(paths[1:]) == {"/"}


def test_a_site_without_the_rest_api_is_a_publish_error(generated, tmp_path):
    client = httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(404, text="Not Found")))
    target = WordPressTarget(url="https://blog.example", user="redaktion", app_password="pw")
    folder = copy_post(generated["mittelstand"], tmp_path)
    with pytest.raises(PublishError, match="REST API is off or the URL is wrong"):
        publish_folder(folder, target, client=client)

    async def from_async_code():  # e.g. batch, if it forgets asyncio.to_thread: still works
        return publish_folder(folder, target, client=client)

    with pytest.raises(PublishError, match="REST API is off or the URL is wrong"):
        asyncio.run(from_async_code())


# --- folders and markup (no WordPress needed) -------------------------------------------------------

def test_folder_problems_are_input_errors(generated, tmp_path):
    target = WordPressTarget(url="https://blog.example", user="redaktion", app_password="pw")
    with pytest.raises(InputError, match="not a post folder"):
        publish_folder(tmp_path, target)
    folder = copy_post(generated["mittelstand"], tmp_path)
    (folder / "post.html").unlink()
    with pytest.raises(InputError, match="has no post.html"):
        publish_folder(folder, target)

    failing = copy_post(generated["mittelstand"], tmp_path / "x", "digitalisierung-mittelstand-kaputt")
    html_path = failing / "post.html"
    html_path.write_text(html_path.read_text(encoding="utf-8").replace("Digitalisierung im Mittelstand", "Wandel"),
                         encoding="utf-8")
    with pytest.raises(InputError, match="fails its checks.*keyword.count"):
        publish_folder(failing, target)
    assert find_post_folders(tmp_path / "x") == [failing] and find_post_folders(failing) == [failing]


def test_the_h1_block_is_removed_and_everything_else_kept_byte_for_byte(generated):
    for folder in generated.values():
        markup = (folder / "post.html").read_text(encoding="utf-8")
        assert content_without_h1(markup) == markup  # written without the H1 already
        # A folder from an earlier version still carries the H1 block: it goes, nothing else changes.
        legacy = h1_block(load_folder(folder).h1) + "\n\n" + markup
        assert content_without_h1(legacy) == markup
    inner = '<!-- wp:group --><div><!-- wp:heading {"level":1} --><h1>Innen</h1><!-- /wp:heading --></div><!-- /wp:group -->'
    late = '<!-- wp:paragraph -->\n<p>a</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:heading {"level":1} -->\n<h1>T</h1>\n<!-- /wp:heading -->\n\n<!-- wp:heading -->\n<h2>B</h2>\n<!-- /wp:heading -->\n'
    assert content_without_h1(inner) == inner  # only a top-level H1 is the title
    assert content_without_h1(late) == ('<!-- wp:paragraph -->\n<p>a</p>\n<!-- /wp:paragraph -->\n\n'
                                        '<!-- wp:heading -->\n<h2>B</h2>\n<!-- /wp:heading -->\n')


def test_publishing_a_failing_post_is_exit_1_before_any_request(tmp_path, cli):
    code, _, _ = cli("--brief", ROOT / "briefs" / "zeiterfassung.yaml", "--dry-run", "--max-rounds", "0",
                     "--out", tmp_path)
    assert code == 1  # the mock's first draft fails on purpose
    folder = next(p for p in tmp_path.iterdir() if (p / "report.json").is_file())
    code, _, stderr = cli("publish", folder, "--wp-url", "https://wordpress.invalid", "--wp-user", "redaktion",
                          "--wp-app-password", "abcd efgh")
    assert code == 1 and "fails its checks" in stderr and "--publish-failed" in stderr
