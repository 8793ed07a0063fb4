"""Rules and verdicts for the SEO plugins' assessments: where each threshold comes from.

Yoast: yoastseo 3.6.0 (npm; the WordPress plugin's analysis), files under
node_modules/yoastseo/build/ (source: packages/yoastseo/src/ in github.com/Yoast/wordpress-seo).
A Yoast assessment passes when Yoast rates it "good" (score > 7, scoring/interpreters/
scoreToRating.js); "ok" and "bad" fail.

Rank Math: the free plugin's analyzer (github.com/rankmath/seo-by-rank-math v1.0.273,
assets/admin/src/analyzer/analysis/<test>.js, shipped as assets/admin/js/analyzer.js), explained
at https://rankmath.com/kb/score-100-in-tests/. A test passes when it earns its full points.
"""

from __future__ import annotations

from typing import Any

from .rankmath import MAX_POINTS
from .registry import Rule, Severity, Verdict
from .yoast import rating

YOAST = "yoastseo 3.6.0 build/"
RANKMATH_KB = "https://rankmath.com/kb/score-100-in-tests/"


def yoast_rule(plugin_id: str, target: str, source: str, severity: Severity = "error", **limits: Any) -> Rule:
    return Rule(severity=severity, target=target, source=YOAST + source, limits=limits, plugin_id=plugin_id)


def rankmath_rule(test: str, target: str, severity: Severity = "warning", **limits: Any) -> Rule:
    return Rule(severity=severity, target=target, plugin_id=test, max_points=MAX_POINTS[test], limits=limits,
                source=f"seo-by-rank-math assets/admin/src/analyzer/analysis/{test}.js; {RANKMATH_KB}")


def yoast_verdict(score: float | None, value: Any, message: str, where: tuple[str, ...] = (),
                  target: str | None = None) -> Verdict:
    """Passed when Yoast rates the assessment good; the message says what Yoast would show."""
    r = rating(score) if score is not None else "bad"
    return Verdict(passed=r == "good", value=value, message=f"{message} (Yoast: {r})", where=where, points=score,
                   target=target)


def rankmath_verdict(points: int, test: str, value: Any, message: str, target: str | None = None) -> Verdict:
    full = MAX_POINTS[test]
    return Verdict(passed=points == full, value=value, message=f"{message} (Rank Math: {points}/{full} points)",
                   points=points, target=target)
