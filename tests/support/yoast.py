"""Run Yoast SEO's own content analysis (npm ``yoastseo``, German researcher, free plugin's assessors) from tests.

Setup (once, and in CI):  ``npm ci --prefix tests/support/js``  (Node >= 18.12; version pinned in js/package.json).

    from tests.support.yoast import analyze, yoast_unavailable_reason

    reason = yoast_unavailable_reason()
    if reason:
        pytest.skip(reason)
    [result] = analyze([{"content": markup_without_h1, "title": seo_title, "description": meta,
                         "keyword": keyword, "slug": slug, "titleWidth": 540}])
    result["seo"]["score"]                       # 0..100, as the plugin's SEO traffic light
    ratings(result["readability"])               # {"textTransitionWords": "bad", ...}

Input per post: ``content`` (block markup as WordPress stores it -- without the H1 block, which
becomes the post title), ``title`` (SEO title), ``description`` (meta description), ``keyword``,
``slug``; optional ``permalink`` (the post's URL: without it absolute links to the own site count as
external, only relative ones as internal), ``locale`` (default "de_DE"), ``textTitle`` (post title),
``date`` (the snippet date, e.g. "Jun 5, 2025": the plugin sends the post date for posts and Yoast
adds len(date) + 3 to the meta description length; default "" = not counted),
``titleWidth`` (px of the SEO title in Arial 20px -- the plugin measures it in the browser; without
it the "titleWidth" assessment is left out and listed in ``skipped``), ``previouslyUsed`` (other
posts with this keyphrase, default 0, for the plugin's "usedKeywords" assessment).

Result per post::

    {"yoastseo": "3.6.0", "locale": "de_DE", "skipped": ["titleWidth"]?,
     "seo":         {"score": int, "rating": "good"|"ok"|"bad"|..., "assessments": [assessment, ...],
                     "silent": ["functionWordsInKeyphrase"]},
     "readability": {"score": 90|60|30|0, "rating": ..., "assessments": [...], "silent": []},
     "research":    {"wordCount": int, "keyphraseCount": int, "keyphraseForms": [[str]], ...}}

    assessment = {"identifier": "subheadingsKeyword", "score": 3, "rating": "bad", "text": "Keyphrase in subheading: ..."}

``silent`` lists results the plugin does not show (no score or text) -- the SEO score still counts
them: score = round(100 * sum(scores) / (9 * (shown + silent))), as the plugin's SEOScoreAggregator.
``rating`` is Yoast's scoreToRating: -1 "error", 0 "feedback", <= 4 "bad", 5..7 "ok", > 7 "good"; the
overall ratings apply it to score / 10 as the plugin's traffic light does.  See js/yoast_analyze.mjs
for the list of ``research`` values (Yoast's own measurements: words, sentences and their lengths,
transition-word sentences, passive sentences, paragraph lengths, keyphrase matches, links, ...).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["JS_DIR", "analyze", "ratings", "yoast_unavailable_reason"]

JS_DIR = Path(__file__).resolve().parent / "js"
SCRIPT = JS_DIR / "yoast_analyze.mjs"
PACKAGE_DIR = JS_DIR / "node_modules" / "yoastseo"
INSTALL_HINT = "run `npm ci --prefix tests/support/js`"


def _node() -> str | None:
    return os.environ.get("NODE") or shutil.which("node")


def yoast_unavailable_reason() -> str | None:
    """None if Yoast's analysis can run here, else a human-readable skip reason."""
    if _node() is None:
        return "node is not installed (needed for Yoast SEO's analysis, npm yoastseo)"
    if not SCRIPT.is_file():
        return f"{SCRIPT} is missing"
    if not (PACKAGE_DIR / "package.json").is_file():
        return f"the npm package yoastseo is not installed; {INSTALL_HINT}"
    return None


def analyze(posts: list[dict[str, Any]], *, timeout: float = 300.0) -> list[dict[str, Any]]:
    """Yoast's SEO and readability analysis of each post, with a single node start-up.

    Raises RuntimeError if node or the package is missing, or node fails.
    """
    reason = yoast_unavailable_reason()
    if reason is not None:
        raise RuntimeError(reason)
    proc = subprocess.run(
        [_node() or "node", str(SCRIPT)],
        input=json.dumps(list(posts)).encode("utf-8"),
        capture_output=True,
        cwd=JS_DIR,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"yoastseo analysis failed (exit {proc.returncode}): "
                           f"{proc.stderr.decode('utf-8', 'replace')}")
    results = json.loads(proc.stdout.decode("utf-8"))
    if len(results) != len(posts):
        raise RuntimeError(f"yoastseo analysis returned {len(results)} results for {len(posts)} posts")
    return results


def ratings(analysis: dict[str, Any]) -> dict[str, str]:
    """identifier -> rating of one analysis part (``result["seo"]`` or ``result["readability"]``)."""
    return {a["identifier"]: a["rating"] for a in analysis["assessments"]}
