"""The checker: small named checks, each a pure function of the rendered post and the brief.

Like Yoast's content analysis, every check reports an id, a severity, the measured value,
the target, pass or fail, a message and where in the post it looked. The checker never
imports the LLM layer or the pipeline: it judges any post.
"""

from __future__ import annotations

from typing import Any, Callable, Literal

from pydantic import BaseModel, Field

from ..brief import Brief
from ..post import Document, Post

Severity = Literal["error", "warning"]


class CheckResult(BaseModel):
    id: str
    name: str
    severity: Severity
    passed: bool
    value: Any = None  # what was measured
    target: str = ""
    message: str = ""
    where: list[str] = Field(default_factory=list)  # section headings


class Report(BaseModel):
    results: list[CheckResult]

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


CheckFn = Callable[[Document, Brief], list[CheckResult]]
REGISTRY: list[CheckFn] = []


def check(fn: CheckFn) -> CheckFn:
    """Register a check family function; families run in import order."""
    REGISTRY.append(fn)
    return fn


def result(id: str, name: str, passed: bool, value: Any, target: str, message: str,
           severity: Severity = "error", where: list[str] | None = None) -> CheckResult:
    return CheckResult(id=id, name=name, severity=severity, passed=passed, value=value, target=target,
                       message=message, where=where or [])


def run_checks(post: Post | Document, brief: Brief) -> Report:
    doc = post if isinstance(post, Document) else Document(post)
    out: list[CheckResult] = []
    for fn in REGISTRY:
        out.extend(fn(doc, brief))
    # The checklist family compares claims with the results above, so it runs last.
    from .checklist import compare_claims

    out.extend(compare_claims(doc, brief, out))
    return Report(results=out)


# Import order is report order.
from . import keyword, words, links, paragraphs, structure, title, meta, slug, markup, language, claims, readability, repetition  # noqa: E402,F401
