"""The sloppy model: offline and seeded like the mock, but it reads only what a real model reads
(the prompt text, see reading.py) and misbehaves the way common mid-size models do, each at its
own rate (SloppyRates). For tests and benchmarks of the repair loop; `--model mock:sloppy`, or
`mock:sloppy:clean,refusal=0.5` to set rates (`clean` first sets every misbehaviour to 0).

What it does wrong: links as „Anker“ (URL), as an HTML anchor, as a bare URL, by name only or not
at all; lengths off by up to ±30 %; keyword uses off by 1–2; answers cut at the token limit;
refusals; English; the same sentence twice; paragraphs a sentence too long; rewrites that return
only the changed sentences or a much shorter text; title and meta candidates that break a rule
(wrong year, no number, no power word, too long); fewer outline sections than asked, or two
equal headings; Markdown and chatty preambles.
"""

from __future__ import annotations

import json
import random
import re
import time

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from . import prose
from .base import Model, Request, Response
from .reading import read_request

ENGLISH = ("Here is the section you asked for. It explains the topic step by step, with practical examples "
           "for small and medium-sized companies. The key is to start small and to measure the results.")
REFUSALS = ("Es tut mir leid, aber dabei kann ich nicht helfen.", "I'm sorry, but I can't help with that request.")
PREAMBLES = ("Gerne! Hier ist der Abschnitt:\n\n", "Natürlich, hier ist der überarbeitete Text:\n\n",
             "Hier ist der gewünschte Text:\n\n")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ„])")
_URLISH = re.compile(r"(?:https?://|/)[\w./-]+")


class SloppyRates(BaseModel):
    """Each misbehaviour's probability per answer (per link for the link forms, whose weights
    are normalised; per candidate for titles)."""

    model_config = ConfigDict(extra="forbid")

    link_markdown: float = Field(0.3, ge=0)
    link_paren: float = Field(0.25, ge=0)
    link_html: float = Field(0.15, ge=0)
    link_bare: float = Field(0.1, ge=0)
    link_mention: float = Field(0.1, ge=0)
    link_omitted: float = Field(0.1, ge=0)
    length: float = Field(0.3, ge=0, le=0.9)  # lengths are off by up to this share either way
    keyword_off: float = Field(0.4, ge=0, le=1)  # keyword uses off by 1–2
    truncated: float = Field(0.04, ge=0, le=1)
    refusal: float = Field(0.02, ge=0, le=1)
    english: float = Field(0.02, ge=0, le=1)
    repeat: float = Field(0.1, ge=0, le=1)
    long_paragraph: float = Field(0.15, ge=0, le=1)
    rewrite_partial: float = Field(0.15, ge=0, le=1)
    rewrite_short: float = Field(0.1, ge=0, le=1)
    title_broken: float = Field(0.5, ge=0, le=1)
    fewer_sections: float = Field(0.25, ge=0, le=1)
    duplicate_heading: float = Field(0.05, ge=0, le=1)
    markdown: float = Field(0.1, ge=0, le=1)
    preamble: float = Field(0.1, ge=0, le=1)
    transitions_ignored: float = Field(0.3, ge=0, le=1)  # writes its usual few transition words
    passive: float = Field(0.1, ge=0, le=1)  # slips into the passive for a third of its sentences
    heading_keyword: float = Field(0.3, ge=0, le=1)  # the keyword in no H2 or in every one
    reword_ignored: float = Field(0.15, ge=0, le=1)  # per sentence asked for: given back as it was
    reword_unnumbered: float = Field(0.1, ge=0, le=1)  # the new sentences as a paragraph, no numbers

    @classmethod
    def parse(cls, spec: str) -> "SloppyRates":
        """`clean,refusal=0.5,length=0.1`: `clean` sets every misbehaviour to 0 (links as asked)."""
        values: dict[str, float] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            if part == "clean":
                values.update({name: 0.0 for name in cls.model_fields if name != "link_markdown"})
                values["link_markdown"] = 1.0
                continue
            name, sep, value = part.partition("=")
            if not sep:
                raise ValueError(f"sloppy model: {part!r} is not name=rate")
            try:
                values[name.strip()] = float(value)
            except ValueError:
                raise ValueError(f"sloppy model: rate {value!r} of {name!r} is not a number") from None
        try:
            return cls.model_validate(values)
        except ValidationError as e:
            first = e.errors()[0]
            raise ValueError(f"sloppy model: {'.'.join(map(str, first['loc']))}: {first['msg']}") from None


class SloppyModel(Model):
    paid = False

    def __init__(self, seed: int = 1, rates: SloppyRates | None = None, name: str = "mock:sloppy"):
        self.name = name
        self.seed = seed
        self.rates = rates or SloppyRates()

    async def complete(self, request: Request) -> Response:
        return self.answer(request)

    def answer(self, request: Request) -> Response:
        started = time.perf_counter()
        rng = prose.rng_for(self.seed, "sloppy", [m.content for m in request.messages])
        task = read_request(request)
        kind = task["aufgabe"]
        finish = "stop"
        if kind in ("plan", "titel", "gliederung", "bilder", "json"):
            text = json.dumps(self._json(kind, task, rng), ensure_ascii=False)
            if rng.random() < self.rates.markdown:
                text = f"```json\n{text}\n```"
        else:
            text = self._text(kind, task, rng)
            r = self.rates
            roll = rng.random()
            if roll < r.refusal:
                text = rng.choice(REFUSALS)
            elif roll < r.refusal + r.english:
                text = ENGLISH
            else:
                if rng.random() < r.markdown:
                    text = _markdown(text, rng)
                if rng.random() < r.preamble:
                    text = rng.choice(PREAMBLES) + text
        if rng.random() < self.rates.truncated and len(text) > 40:
            text = text[: int(len(text) * rng.uniform(0.4, 0.8))]
            finish = "length"
        prompt = sum(prose.tokens(m.content) for m in request.messages)
        return Response(text=text, model=self.name, prompt_tokens=prompt, completion_tokens=prose.tokens(text),
                        finish_reason=finish, seconds=time.perf_counter() - started)

    # --- misbehaving by numbers -----------------------------------------------------------------

    def _length(self, words: int, rng: random.Random) -> int:
        return max(0, round(words * rng.uniform(1 - self.rates.length, 1 + self.rates.length)))

    def _uses(self, uses: int, rng: random.Random) -> int:
        if rng.random() < self.rates.keyword_off:
            return max(0, uses + rng.choice((-2, -1, -1, 1, 1, 2)))
        return uses

    def _form(self, rng: random.Random) -> str:
        r = self.rates
        weights = [r.link_markdown, r.link_paren, r.link_html, r.link_bare, r.link_mention, r.link_omitted]
        if not sum(weights):
            return "markdown"
        return rng.choices(prose.LINK_FORMS, weights=weights)[0]

    # --- text answers ---------------------------------------------------------------------------

    def _text(self, kind: str, t: dict, rng: random.Random) -> str:
        keyword, address = t.get("keyword", ""), t.get("anrede", "Sie")
        limit = int(t.get("max_saetze", 3))
        index, heading = int(t.get("index", 0)), t.get("ueberschrift", "")
        # Style misbehaviour draws from its own stream, so the other misbehaviours of a seed stay as they were.
        style = random.Random(rng.random())
        if kind == "umformulierung":
            return self._reword(t, style)
        links = [prose.LinkText(l["anker"], l["url"], self._form(rng)) for l in t.get("links", [])]
        transitions = 0.0 if style.random() < self.rates.transitions_ignored else float(t.get("ueberleitungen", 0))
        if kind == "ueberarbeitung" and t.get("text"):
            sentences = self._rewrite(t, links, rng)
            if transitions:
                sentences = prose.with_transitions(sentences, transitions, style, keep_first=bool(t.get("einleitung")))
        elif kind in ("abschnitt", "ergaenzung", "ueberarbeitung"):
            words = t.get("woerter")
            if words is None and t.get("saetze"):
                words = 0  # only the sentences asked for
            words = self._length(int(words if words is not None else 150), rng)
            uses = self._uses(int(t.get("keyword_verwendungen", 0 if kind == "ergaenzung" else 1)), rng)
            sentences = prose.section_sentences(
                rng, index=index, heading=heading, words=words, keyword=keyword, uses=uses, links=links,
                address=address, intro=bool(t.get("einleitung")) and kind == "abschnitt",
                conclusion=bool(t.get("fazit")), avoid=set(_sentences(t.get("text", ""))), transitions=transitions)
        else:
            return "Dies ist eine kurze Antwort auf Deutsch."
        if style.random() < self.rates.passive:
            sentences = _passive(sentences, keyword, address, set(_sentences(t.get("text", ""))), style)
        if len(sentences) > 2 and rng.random() < self.rates.repeat:
            i = rng.randrange(len(sentences))
            sentences.insert(min(len(sentences), i + rng.randint(2, 6)), sentences[i])
        return prose.paragraphs_of(sentences, rng, limit, long_paragraph=rng.random() < self.rates.long_paragraph)

    def _reword(self, t: dict, rng: random.Random) -> str:
        """Named sentences written again, one numbered line each; some given back unchanged, or
        all of them as one paragraph without numbers."""
        address = t.get("anrede", "Sie")
        items = t.get("saetze_neu", [])
        new = [item["satz"] if rng.random() < self.rates.reword_ignored else prose.reworded(item["satz"], item, address, rng)
               for item in items]
        if rng.random() < self.rates.reword_unnumbered:
            return " ".join(new)
        return "\n".join(f"{i}. {s}" for i, s in enumerate(new, 1))

    def _rewrite(self, t: dict, links: list[prose.LinkText], rng: random.Random) -> list[str]:
        """Keeps most of the old text; adds or drops keyword, link and filler sentences towards
        what it read, loosely."""
        keyword, address, index = t.get("keyword", ""), t.get("anrede", "Sie"), int(t.get("index", 0))
        old = _sentences(t["text"])
        pattern = re.compile(re.escape(keyword), re.IGNORECASE) if keyword else None

        def uses(s: str) -> int:
            return len(pattern.findall(s)) if pattern else 0

        def word_count(ss: list[str]) -> int:
            return sum(len(s.split()) for s in ss)

        words = t.get("woerter") or word_count(old) + int(t.get("woerter_mehr", 0))
        target_words = self._length(int(words), rng)
        target_uses = self._uses(int(t.get("keyword_verwendungen", sum(uses(s) for s in old))), rng)
        sentences = list(old)
        added: list[str] = []
        protected = {0} if t.get("einleitung") else set()
        # too many keyword uses: drop keyword sentences without a link, last first
        for i in range(len(sentences) - 1, -1, -1):
            if sum(uses(s) for s in sentences) <= target_uses:
                break
            if uses(sentences[i]) and i not in protected and not _URLISH.search(sentences[i]):
                del sentences[i]
        more = target_uses - sum(uses(s) for s in sentences)
        new = prose.keyword_sentences(keyword, max(more, 0), index, address, skip=len(old))
        new += [prose.link_sentence(l, index + i + 1, address) for i, l in enumerate(links)
                if l.form != "omitted" and l.url not in t["text"]]
        for s in new:
            sentences.insert(rng.randint(1 if protected else 0, len(sentences)), s)
            added.append(s)
        stream = prose.filler(rng, index + 3, t.get("ueberschrift", ""))
        seen = set(sentences)
        while word_count(sentences) < target_words:
            s = prose.alt(next(stream), address)
            if s in seen:
                continue
            seen.add(s)
            sentences.insert(rng.randint(1, len(sentences)) if sentences else 0, s)
            added.append(s)
        plain = [i for i, s in enumerate(sentences) if not uses(s) and not _URLISH.search(s) and i not in protected]
        rng.shuffle(plain)
        drop = set()
        for i in plain:
            if word_count(sentences) - sum(len(sentences[j].split()) for j in drop) <= target_words + 10:
                break
            drop.add(i)
        sentences = [s for i, s in enumerate(sentences) if i not in drop]
        roll = rng.random()
        if roll < self.rates.rewrite_partial and added:
            return added  # only what it changed
        if roll < self.rates.rewrite_partial + self.rates.rewrite_short:
            return sentences[: max(1, int(len(sentences) * rng.uniform(0.2, 0.5)))]
        return sentences

    # --- JSON answers ---------------------------------------------------------------------------

    def _json(self, kind: str, t: dict, rng: random.Random) -> dict:
        if kind == "plan":
            style = random.Random(rng.random())
            heading_keyword = t.get("keyword_ueberschriften", 0)
            ignored = heading_keyword and style.random() < self.rates.heading_keyword
            if ignored:  # the keyword only in the conclusion's heading, or in every heading
                heading_keyword = 0 if style.random() < 0.5 else int(t.get("abschnitte", 6)) + 1
            plan = prose.plan_answer({**t, "jahr": t.get("jahr"), "keyword_ueberschriften": heading_keyword}, rng)
            main = plan["sections"][1:-1]
            if rng.random() < self.rates.fewer_sections and len(main) > 2:
                for _ in range(rng.randint(1, 2)):
                    main.pop(rng.randrange(len(main)))
            if rng.random() < self.rates.duplicate_heading and len(main) > 1:
                main[-1]["heading"] = main[0]["heading"]
            plan["sections"] = plan["sections"][:1] + main + plan["sections"][-1:]
            plan["seo_titles"] = [self._break_title(s, t, rng) for s in plan["seo_titles"][1:]]
            plan["meta_descriptions"] = [self._break_meta(m, t, rng) for m in plan["meta_descriptions"][1:]]
            plan["h1"] = self._break_title(plan["h1"], t, rng)
            return plan
        if kind == "titel":
            n = t.get("zahl") or 5
            plural = rng.choice(["Tipps", "Schritte", "Strategien"])
            titles = prose.title_candidates(t.get("keyword", ""), n, t.get("jahr"), plural,
                                            bool(t.get("titel_keyword_vorn")))[1:]
            metas = prose.meta_candidates(t.get("keyword", ""), n, t.get("jahr"), plural, t.get("anrede", "Sie"),
                                          t["meta_min"], t["meta_max"])[1:]
            return {"seo_titles": [self._break_title(s, t, rng) for s in titles],
                    "meta_descriptions": [self._break_meta(m, t, rng) for m in metas]}
        if kind == "bilder":
            answer = prose.image_texts(t, rng)
            for item in answer["images"]:
                if rng.random() < self.rates.length:  # alt texts far too long, the keyword everywhere
                    item["alt"] = f"{t.get('keyword', '')}: {item['prompt']}"
            if rng.random() < self.rates.fewer_sections and len(answer["images"]) > 1:
                answer["images"].pop()
            return answer
        if kind == "gliederung":
            n = int(t.get("anzahl", 1))
            if rng.random() < self.rates.fewer_sections and n > 1:
                n -= 1
            existing = t.get("vorhanden", [])
            heads = prose.headings(rng, n, False, avoid=existing)
            return {"sections": [{"heading": h, "summary": f"{h} in der Praxis.", "words": 0, "keyword_uses": 0,
                                  "internal_links": [], "external_links": []} for h in heads]}
        return {}

    def _break_title(self, title: str, t: dict, rng: random.Random) -> str:
        if rng.random() >= self.rates.title_broken:
            return title
        year = t.get("jahr")
        how = rng.choice(["year", "number", "power", "long", "position"])
        keyword = t.get("keyword", "")
        if how == "position" and keyword and title.startswith(keyword):  # the keyword moved to the end
            return f"{title[len(keyword):].lstrip(' :–')}: {keyword}"
        if how == "year" and year:
            return title.replace(str(year), str(year - 1)) if str(year) in title else f"{title} {year - 1}"
        if how == "number":
            return re.sub(r"\b\d{1,2}\s+", "", title, count=1)
        if how == "power":
            return re.sub(r"\b(bewährte|Top-)\s?", "", title)
        return title + " – der große Praxisleitfaden für Ihr Unternehmen"

    def _break_meta(self, meta: str, t: dict, rng: random.Random) -> str:
        if rng.random() >= self.rates.title_broken:
            return meta
        how = rng.choice(["long", "short", "keyword"])
        if how == "long":
            return meta + " Jetzt lesen und direkt mit den ersten Schritten im eigenen Betrieb beginnen."
        if how == "short":
            return meta[: int(t.get("meta_min", 120) * 0.6)].rstrip() + "."
        return meta.replace(t.get("keyword", ""), "dieses Thema")


def _sentences(text: str) -> list[str]:
    return [s for p in re.split(r"\n\s*\n", text.strip()) for s in _SENTENCE.split(" ".join(p.split())) if s]


def _markdown(text: str, rng: random.Random) -> str:
    how = rng.choice(["bold", "heading", "bullets"])
    if how == "bold":
        words = text.split(" ")
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
        return " ".join(words)
    if how == "heading":
        return "## Abschnitt\n\n" + text
    paragraphs = text.split("\n\n")
    i = rng.randrange(len(paragraphs))
    paragraphs[i] = "\n".join(f"- {s}" for s in _SENTENCE.split(paragraphs[i]))
    return "\n\n".join(paragraphs)


def _passive(sentences: list[str], keyword: str, address: str, avoid: set[str], rng: random.Random) -> list[str]:
    """A third of the plain sentences (no keyword, no link) become passive ones of the writer's."""
    pool = [p for p in prose.passive_sentences(address) if p not in avoid and p not in sentences]
    rng.shuffle(pool)
    plain = [i for i, s in enumerate(sentences) if not (keyword and keyword.lower() in s.lower())
             and not _URLISH.search(s) and "„" not in s]
    out = list(sentences)
    for i in rng.sample(plain, k=min(len(pool), len(plain) // 3 + (1 if plain else 0))):
        out[i] = pool.pop()
    return out
