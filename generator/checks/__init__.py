"""The checker: named checks from one registry (registry.py), each judging a post's measurements
(research.py) against its thresholds for the profile.

Like Yoast's content analysis, every check reports an id, a severity, the measured value, the
target, pass or fail, a message and where in the post it looked. The checker never imports the
LLM layer or the pipeline: it judges any post.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ..brief import Brief
from ..post import Document, Post
from .registry import (BRIEF, CHECKS, FIELDS, PROFILES, Check, Profile, Rule, Severity, Verdict, checks_for,
                       declare, failures, get_check, judge_field, profile_of)


class CheckResult(BaseModel):
    id: str
    name: str
    severity: Severity
    passed: bool
    value: Any = None  # what was measured
    target: str = ""
    message: str = ""
    where: list[str] = Field(default_factory=list)  # section headings
    rule: str = BRIEF  # whose threshold: "brief" or the profile ("yoast", "rankmath")
    plugin: str = ""  # the plugin's own name for the assessment, e.g. "textTransitionWords"
    points: float | None = None  # Yoast's score of the assessment, or Rank Math's points
    max_points: float | None = None


class Report(BaseModel):
    results: list[CheckResult]
    profile: str = "none"
    # The plugin's overall scores: "yoast_seo", "yoast_readability" (0–100, as the plugin shows
    # them; the SEO score assumes the keyphrase is new on the site) or "rankmath" (0–100).
    scores: dict[str, int] = Field(default_factory=dict)

    @property
    def errors(self) -> list[CheckResult]:
        return [r for r in self.results if r.severity == "error" and not r.passed]

    @property
    def warnings(self) -> list[CheckResult]:
        return [r for r in self.results if r.severity == "warning" and not r.passed]

    @property
    def passed(self) -> bool:
        return not self.errors

    def get(self, check_id: str) -> CheckResult:
        for r in self.results:
            if r.id == check_id:
                return r
        raise KeyError(check_id)

    def failing_ids(self) -> list[str]:
        return [r.id for r in self.errors]


def result(id: str, name: str, passed: bool, value: Any, target: str, message: str,
           severity: Severity = "error", where: list[str] | None = None) -> CheckResult:
    return CheckResult(id=id, name=name, severity=severity, passed=passed, value=value, target=target,
                       message=message, where=where or [])


def _field_values(doc: Document) -> dict[str, str | None]:
    post = doc.post
    return {"title": doc.h1, "seo_title": post.seo_title, "meta_description": post.meta_description,
            "slug": post.slug}


def _run(check: Check, research, profile: str, fields: dict[str, str | None]) -> CheckResult:
    rule = check.rule(profile)
    assert rule is not None
    severity = check.severity(profile)
    base = dict(id=check.id, name=check.name, rule=profile if check.rules.get(profile) else BRIEF,
                plugin=rule.plugin_id, max_points=rule.max_points)
    if check.judge is not None:
        v = check.judge(research, rule)
        return CheckResult(**base, severity=severity, passed=v.passed, value=v.value, target=v.target or rule.target,
                           message=v.message, where=list(v.where), points=v.points)
    present = {f: fields[f] for f in check.fields if fields.get(f) is not None}
    if not present:
        # A bare .html post (the content as WordPress stores it) has no title or SEO fields: say so,
        # without failing the post's own content.
        what = " or ".join(FIELDS[f] for f in check.fields)
        return CheckResult(**base, severity="warning", passed=False, value=None, target="",
                           message=f"not measured: the file has no {what}")
    verdicts = {f: check.field_judge(value, research.brief, rule) for f, value in present.items()}
    if len(check.fields) == 1:
        v = next(iter(verdicts.values()))
        return CheckResult(**base, severity=severity, passed=v.passed, value=v.value, target=v.target or rule.target,
                           message=v.message, points=v.points)
    return CheckResult(**base, severity=severity, passed=all(v.passed for v in verdicts.values()),
                       value={FIELDS[f]: v.value for f, v in verdicts.items()}, target=rule.target,
                       message="; ".join(f"{FIELDS[f]}: {v.message}" for f, v in verdicts.items()))


def run_checks(post: Post | Document, brief: Brief, profile: str | None = None) -> Report:
    """Every check of the profile (default: the brief's SEO plugin) on the post."""
    from .research import Research

    profile = profile_of(brief, profile)
    doc = post if isinstance(post, Document) else Document(post)
    research = Research(doc, brief, profile)
    fields = _field_values(doc)
    out = [_run(check, research, profile, fields) for check in checks_for(profile, brief)]
    # The checklist family compares claims with the results above, so it runs last.
    from .checklist import compare_claims

    out.extend(compare_claims(doc, brief, out))
    scores: dict[str, int] = {}
    if profile == "yoast":
        scores = {"yoast_seo": research.yoast.seo_score(), "yoast_readability": research.yoast.readability_score()}
    elif profile == "rankmath":
        scores = {"rankmath": research.rankmath.score()}
    return Report(results=out, profile=profile, scores=scores)


# Declaration order is report order.
from . import keyword, words, links, paragraphs, structure, title, meta, slug, markup, language, claims, readability, repetition, images  # noqa: E402,F401

__all__ = ["BRIEF", "CHECKS", "PROFILES", "Check", "CheckResult", "Profile", "Report", "Rule", "Severity", "Verdict",
           "declare", "failures", "get_check", "judge_field", "profile_of", "result", "run_checks"]
