"""Length of the post: visible words against the brief, and the text length the SEO plugin wants."""

from __future__ import annotations

from ..display import plural
from . import ids
from .plugins import rankmath_rule, rankmath_verdict, yoast_rule, yoast_verdict
from .registry import Check, Rule, Verdict, declare
from .research import Research


def _count(r: Research, rule: Rule) -> Verdict:
    t, n = r.brief.targets, r.words
    ok = n >= t.words_min and (t.words_max is None or n <= t.words_max)
    target = f"≥ {t.words_min}" if t.words_max is None else f"{t.words_min}–{t.words_max}"
    if n < t.words_min:
        msg = f"{plural(n, 'word')}; {t.words_min - n} more needed"
    elif t.words_max is not None and n > t.words_max:
        msg = f"{plural(n, 'word')}; {n - t.words_max} too many"
    else:
        msg = plural(n, "word")
    return Verdict(ok, n, msg, target=target)


declare(Check(ids.WORDS_COUNT, "Word count", "visible words of the content",
              {"brief": Rule("error", "words_min–words_max")}, judge=_count))


def _text_length(r: Research, rule: Rule) -> Verdict:
    if rule.plugin_id == "lengthContent":
        n = r.rankmath.words
        return rankmath_verdict(r.rankmath.points("lengthContent"), "lengthContent", n, f"{n} words")
    n = r.yoast.text_word_count
    return yoast_verdict(r.yoast.score("textLength"), n, f"{n} words")


declare(Check(ids.WORDS_TEXT_LENGTH, "Text length (SEO plugin)", "words of the content as the plugin counts them", {
    # Warnings: the brief's words_min/words_max decide the length.
    "yoast": yoast_rule("textLength", "≥ 300 words", "scoring/assessments/seo/TextLengthAssessment.js, "
                        "languageProcessing/researches/wordCountInText.js", severity="warning", minimum=300),
    # Rank Math: ≥ 2501 words 8 points, 2001–2500 5, 1501–2000 4, 1001–1500 3, 600–1000 2.
    "rankmath": rankmath_rule("lengthContent", "≥ 2501 words (full points)", minimum=2501),
}, judge=_text_length))
