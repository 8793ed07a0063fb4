"""Length of the post in visible words."""

from __future__ import annotations

from ..brief import Brief
from ..display import plural
from ..post import Document
from . import CheckResult, check, result


@check
def word_checks(doc: Document, brief: Brief) -> list[CheckResult]:
    t = brief.targets
    n = len(doc.word_list)
    ok = n >= t.words_min and (t.words_max is None or n <= t.words_max)
    target = f"≥ {t.words_min}" if t.words_max is None else f"{t.words_min}–{t.words_max}"
    if n < t.words_min:
        msg = f"{plural(n, 'word')}; {t.words_min - n} more needed"
    elif t.words_max is not None and n > t.words_max:
        msg = f"{plural(n, 'word')}; {n - t.words_max} too many"
    else:
        msg = plural(n, "word")
    return [result("words.count", "Word count", ok, n, target, msg)]
