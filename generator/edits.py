"""Deterministic edits of a section's text (paragraphs of plain text with [Anker](URL) markers):
what the repair step does without asking the model. Cleaning an answer (its links in any form
made markers, a sentence it wrote twice dropped), splitting a paragraph over the sentence limit,
making a link of a phrase that fits its anchor, dropping sentences, removing leftovers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable, Iterable

from .checks.language import leftovers_in
from .german import count_keyword, split_sentences, words
from .markers import canonical_links, find_links, hide_markers

if TYPE_CHECKING:
    from .brief import Brief
    from .plan import LinkSlot, SectionPlan

_ROUGH_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_STOP = frozenset("der die das des dem den ein eine und oder für im in am an auf aus bei mit von zu zum zur über "
                  "unter nach vor wie als".split())


def to_paragraphs(text: str) -> list[str]:
    """Blank lines separate paragraphs; a text without any is split at its line breaks."""
    blocks = re.split(r"\n\s*\n", text.strip()) if re.search(r"\n\s*\n", text) else text.splitlines()
    return [" ".join(b.split()) for b in blocks if b.strip()]


def planned(section: "SectionPlan", brief: "Brief") -> Callable[[str], str | None]:
    """url -> the anchor the plan suggests, for the URLs the plan gave this section."""
    anchors = {brief.url_key(l.url): l.anchor for l in section.links}
    return lambda url: anchors.get(brief.url_key(url))


def clean_answer(text: str, section: "SectionPlan", brief: "Brief", avoid: Iterable[str] = ()) -> list[str]:
    """An answer as paragraphs: its links in any common form become markers (other links their
    text), and a sentence it repeats, or one already in `avoid`, is dropped."""
    return dedupe(to_paragraphs(canonical_links(text, planned(section, brief))), avoid)


def sentences(paragraph: str) -> list[str]:
    """The sentences of a paragraph; a link marker is never cut."""
    hidden, restore = hide_markers(paragraph)
    return [restore(s) for s in split_sentences(hidden)]


def _norm(sentence: str) -> str:
    return " ".join(sentence.split()).casefold()


def dedupe(paragraphs: list[str], avoid: Iterable[str] = ()) -> list[str]:
    """Drop every sentence that repeats an earlier one (or one of `avoid`'s paragraphs). A rough
    split finds whether there is any repeat at all; only then are sentences split properly."""
    avoid = list(avoid)
    rough = [_norm(s) for p in avoid + paragraphs for s in _ROUGH_SENTENCE.split(p) if len(s.split()) >= 4]
    if len(rough) == len(set(rough)):
        return paragraphs
    seen = {_norm(s) for p in avoid for s in sentences(p)}
    out = []
    for p in paragraphs:
        kept = []
        for s in sentences(p):
            if _norm(s) not in seen or len(s.split()) < 4:
                kept.append(s)
                seen.add(_norm(s))
        if kept:
            out.append(" ".join(kept))
    return out


def split_paragraph(paragraph: str, limit: int) -> list[str]:
    """Split at sentence boundaries into paragraphs of at most `limit` sentences, as even as
    possible. Link markers are kept whole."""
    marks = len(re.findall(r"[.!?…]", paragraph))
    if marks + (not paragraph.rstrip().endswith((".", "!", "?", "…"))) <= limit:
        return [paragraph]  # not enough sentence marks to be over the limit: no need to split
    parts = sentences(paragraph)
    if len(parts) <= limit:
        return [paragraph]
    # As even as possible: 4 sentences with a limit of 3 become 2 + 2, not 3 + 1.
    count = -(-len(parts) // limit)
    size, extra = divmod(len(parts), count)
    chunks, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        chunks.append(" ".join(parts[start:end]))
        start = end
    return chunks


def split_paragraphs(paragraphs: list[str], limit: int) -> tuple[list[str], int]:
    out: list[str] = []
    split = 0
    for p in paragraphs:
        parts = split_paragraph(p, limit)
        split += len(parts) > 1
        out.extend(parts)
    return out, split


def split_long_paragraphs(paragraphs: list[str], max_words: int) -> tuple[list[str], int]:
    """Paragraphs over `max_words` words are cut at the sentence boundary nearest their middle
    (again, until each fits or is one sentence). Returns the paragraphs and how many were cut."""
    out: list[str] = []
    cut = 0
    queue = list(paragraphs)
    while queue:
        p = queue.pop(0)
        parts = sentences(p)
        if len(words(p)) <= max_words or len(parts) < 2:
            out.append(p)
            continue
        total, running, at = len(words(p)), 0, 1
        for k, sentence in enumerate(parts[:-1], 1):
            running += len(words(sentence))
            if running >= total / 2:
                at = k
                break
        cut += 1
        queue[:0] = [" ".join(parts[:at]), " ".join(parts[at:])]
    return out, cut


_WORD_AFTER = re.compile(r"^(\s+)([^\W\d_][\w-]*)")
_WORD_BEFORE = re.compile(r"([^\W\d_][\w-]*)(\s+)$")


def widen_anchors(paragraphs: list[str], competing: Callable[[str], bool], most: int = 3) -> int:
    """A link text that is just the keyphrase (it competes with the post for its own keyword) takes
    in the words after it, or before it, until it is more than the keyphrase: the text stays as
    it is, only the link covers more of it. Returns how many links were widened."""
    widened = 0
    for i, p in enumerate(paragraphs):
        pos = 0
        while True:
            link = next((l for l in find_links(p[pos:]) if l.form == "markdown"), None)
            if link is None:
                break
            start, end, anchor = pos + link.start, pos + link.end, link.anchor
            if not competing(anchor):
                pos = end
                continue
            before, after, taken = p[:start], p[end:], 0
            quoted = before.endswith("„") and after.startswith("“")
            if quoted:  # „[Anker](URL)“: the quotes go inside with the word before them (a title)
                anchor, before, after = f"„{anchor}“", before[:-1], after[1:]
            while competing(anchor) and taken < most:
                m = _WORD_AFTER.match(after)
                b = _WORD_BEFORE.search(before)
                if b and (quoted or not m):
                    anchor, before = b.group(1) + b.group(2) + anchor, before[:b.start()]
                elif m:
                    anchor, after = anchor + m.group(1) + m.group(2), after[m.end():]
                else:
                    break
                taken += 1
            if competing(anchor):
                pos = end
                continue
            marker = f"[{anchor}]({link.url})"
            p = before + marker + after
            pos = len(before) + len(marker)
            widened += 1
        paragraphs[i] = p
    return widened


def wrap_anchor(paragraphs: list[str], link: "LinkSlot") -> str | None:
    """Make a link of a phrase the section already has: the planned anchor text, else the longest
    word of it (a name such as „Fallstudien“ or „Stundenzettel“). Returns the phrase, or None."""
    phrases = [link.anchor] + sorted({w for w in re.findall(r"[^\W\d_][\w-]{4,}", link.anchor)
                                      if w.lower() not in _STOP}, key=len, reverse=True)
    for phrase in phrases:
        pattern = re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.IGNORECASE)
        for i, p in enumerate(paragraphs):
            spans = [(f.start, f.end) for f in find_links(p)]
            for m in pattern.finditer(p):
                if all(m.end() <= s or m.start() >= e for s, e in spans):
                    paragraphs[i] = f"{p[:m.start()]}[{m.group(0)}]({link.url}){p[m.end():]}"
                    return m.group(0)
    return None


def drop_sentences(paragraphs: list[str], wanted: Callable[[str], int], amount: int,
                   keep: Callable[[int, int, str], bool] = lambda p, s, text: False, exact: bool = True
                   ) -> tuple[list[str], int]:
    """Drop sentences that `wanted(sentence)` scores above 0, last first, until the scores add up
    to `amount` (not beyond it if `exact`); never a sentence with a link, nor one that
    `keep(paragraph, sentence, text)` protects. Returns the paragraphs and the score dropped."""
    split = [sentences(p) for p in paragraphs]
    dropped = 0
    for pi in range(len(split) - 1, -1, -1):
        for si in range(len(split[pi]) - 1, -1, -1):
            s = split[pi][si]
            score = wanted(s)
            if dropped >= amount:
                break
            if score <= 0 or (exact and score > amount - dropped) or find_links(s) or keep(pi, si, s):
                continue
            split[pi][si] = ""
            dropped += score
    out = [" ".join(s for s in ss if s) for ss in split]
    return [p for p in out if p], dropped


def drop_keyword_sentences(paragraphs: list[str], keyword: str, amount: int, intro: bool) -> tuple[list[str], int]:
    """Fewer keyword uses: drop sentences that hold the keyword (never the intro's first paragraph's
    only one). Returns the paragraphs and the uses dropped."""
    first_uses = count_keyword(paragraphs[0], keyword) if paragraphs else 0

    def keep(pi: int, si: int, text: str) -> bool:
        return intro and pi == 0 and count_keyword(text, keyword) >= first_uses

    return drop_sentences(paragraphs, lambda s: count_keyword(s, keyword), amount, keep)


def drop_filler(paragraphs: list[str], keyword: str, amount: int,
                spare: Callable[[str], bool] = lambda s: False) -> tuple[list[str], int]:
    """Fewer words: drop sentences without keyword or link (never a paragraph's first, nor one
    that `spare` keeps)."""
    return drop_sentences(paragraphs, lambda s: 0 if count_keyword(s, keyword) else len(words(s)), amount,
                          lambda pi, si, text: si == 0 or spare(text), exact=False)


def remove_leftovers(paragraphs: list[str]) -> int:
    """What text.leftovers finds (Markdown, placeholders, template code): marks are removed, a
    Markdown link keeps its text, a sentence with a placeholder goes."""
    removed = 0
    for i, p in enumerate(paragraphs):
        hidden, restore = hide_markers(p)
        found = leftovers_in(hidden)
        if not found:
            continue
        for leftover in found:
            md = re.fullmatch(r"\[([^\]]*)\]\([^)]*\)", leftover)
            if md:
                hidden = hidden.replace(leftover, md.group(1))
            elif re.search(r"[^\W\d_]", leftover):
                hidden = " ".join(s for s in split_sentences(hidden) if leftover not in s)
            else:
                hidden = hidden.replace(leftover, "")
            removed += 1
        paragraphs[i] = " ".join(restore(hidden).split())
    paragraphs[:] = [p for p in paragraphs if p]
    return removed
