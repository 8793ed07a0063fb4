"""The registry of checks: what each check measures, its thresholds per profile, its judge.

In the spirit of Yoast's researcher/assessment split: a `Research` (research.py) measures a
post once (sentences, keyphrase matches, transition-word and passive sentences, words per
section, the SEO plugins' own analyses …) and every `Check` only judges those measurements
against its `Rule`. A check declares

* `id`, `name`, `measures` (one line: what is measured),
* `rules`: its thresholds and severity per profile. The key `"brief"` is the brief's own target
  and holds in every profile; a profile key (`"yoast"`, `"rankmath"`, `"none"`) replaces it in that
  profile. A check without a rule for the profile (and no `"brief"` rule) does not run there.
* `applies(brief)`, when a brief setting switches the check off (the title rules);
* either `judge(research, rule) -> Verdict` (the post as a whole), or `fields` with
  `field_judge(value, brief, rule) -> Verdict`: a check of one text field (the H1 "title", the
  "seo_title", the "meta_description", the "slug"). Field checks can judge a candidate before
  anything is rendered: the plan and the repair step call `failures(field, value, brief)` and so
  pick titles by exactly the rules the checker applies.

Profiles: the brief's `wordpress.seo_plugin` (default yoast) or `genpost check --profile`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

if TYPE_CHECKING:
    from ..brief import Brief
    from .research import Research

Severity = Literal["error", "warning"]
Profile = Literal["yoast", "rankmath", "none"]
PROFILES: tuple[Profile, ...] = ("yoast", "rankmath", "none")
BRIEF = "brief"  # a rule that holds in every profile

# The post's text fields a field check can judge, and how results name them.
FIELDS = {"title": "H1", "seo_title": "SEO title", "meta_description": "meta description", "slug": "slug"}

@dataclass(frozen=True)
class Rule:
    """A check's thresholds under one profile."""

    severity: Severity
    target: str  # the threshold as shown in reports ("≤ 25 % of sentences over 20 words")
    source: str = ""  # where the threshold comes from (plugin source path, KB URL)
    limits: Mapping[str, Any] = field(default_factory=dict)  # the numbers the judge compares with
    plugin_id: str = ""  # the plugin's name for the assessment this rule reproduces
    max_points: int | None = None  # Rank Math: the test's points


@dataclass(frozen=True)
class Verdict:
    passed: bool
    value: Any
    message: str
    where: tuple[str, ...] = ()
    points: float | None = None  # Yoast's score of the assessment, or the Rank Math points earned
    target: str | None = None  # instead of the rule's target, when it depends on the post


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    measures: str
    rules: Mapping[str, Rule]
    judge: Callable[["Research", Rule], Verdict] | None = None
    fields: tuple[str, ...] = ()
    field_judge: Callable[[str, "Brief", Rule], Verdict] | None = None
    applies: Callable[["Brief"], bool] | None = None  # when the brief switches the check off (title rules)

    def active(self, profile: str, brief: "Brief") -> bool:
        return self.rule(profile) is not None and (self.applies is None or self.applies(brief))

    def rule(self, profile: str) -> Rule | None:
        return self.rules.get(profile) or self.rules.get(BRIEF)

    def severity(self, profile: str) -> Severity:
        rule = self.rule(profile)
        if rule is None:
            raise KeyError(f"{self.id} has no rule for profile {profile}")
        return rule.severity


CHECKS: list[Check] = []
_BY_ID: dict[str, Check] = {}


def declare(check: Check) -> Check:
    """Add a check to the registry; the order of declaration is the order of the report."""
    if check.id in _BY_ID:
        raise ValueError(f"check {check.id} is declared twice")
    if (check.judge is None) == (check.field_judge is None):
        raise ValueError(f"check {check.id} needs exactly one of judge and field_judge")
    CHECKS.append(check)
    _BY_ID[check.id] = check
    return check


def get_check(check_id: str) -> Check:
    return _BY_ID[check_id]


def checks_for(profile: str, brief: "Brief") -> list[Check]:
    return [c for c in CHECKS if c.active(profile, brief)]


def profile_of(brief: "Brief", override: str | None = None) -> Profile:
    """The profile a post is checked under: the override (--profile), else the brief's SEO plugin."""
    profile = override or brief.wordpress.seo_plugin
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; use one of {', '.join(PROFILES)}")
    return profile  # type: ignore[return-value]


def judge_field(check: Check, value: str, brief: "Brief", profile: str | None = None) -> Verdict:
    """One field check's verdict on a candidate value (a title before it is rendered)."""
    rule = check.rule(profile_of(brief, profile))
    if rule is None or check.field_judge is None:
        raise KeyError(f"{check.id} does not judge a field under this profile")
    return check.field_judge(value, brief, rule)


def failures(field_name: str, value: str, brief: "Brief", profile: str | None = None,
             prefix: str = "", include_warnings: bool = False) -> list[str]:
    """Ids of the checks of `field_name` (whose id starts with `prefix`) that `value` fails under
    the profile; errors only unless `include_warnings`. The plan and the repair step pick titles and
    descriptions with this, so they follow the checker's own rules."""
    profile = profile_of(brief, profile)
    out = []
    for check in CHECKS:
        if field_name not in check.fields or not check.id.startswith(prefix) or not check.active(profile, brief):
            continue
        if not include_warnings and check.severity(profile) != "error":
            continue
        if not judge_field(check, value, brief, profile).passed:
            out.append(check.id)
    return out
