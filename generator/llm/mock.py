"""The mock model: offline, free and reproducible, registered like any other model (`--dry-run`,
or `--model mock`). Its German is template prose for trying the pipeline, not for judging style.
It reads the machine-readable `AUFTRAG-JSON:` line that every prompt carries and writes
plausible, varied German text for it.

First drafts follow their budget imperfectly on purpose, so that every dry run exercises the
repair loop: every other main section is one keyword use short, one paragraph has one sentence
too many, and the last main section with links leaves one out. Rewrites follow the task exactly.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from importlib.resources import files

import yaml

from .base import Model, Request, Response

_TASK = re.compile(r"AUFTRAG-JSON:\s*(\{.*\})\s*$", re.MULTILINE)


def _alt(text: str, address: str) -> str:
    """⟨Sie-Form|du-Form⟩ picks the form of address."""
    return re.sub(r"⟨([^|⟩]*)\|([^⟩]*)⟩", lambda m: m.group(1) if address == "Sie" else m.group(2), text)


# The German sentences live in mock_text.yaml (package data), so this file holds only behaviour.
_TEXT = yaml.safe_load(files("generator.llm").joinpath("mock_text.yaml").read_text(encoding="utf-8"))
ASPECTS: list[tuple[str, list[str]]] = [(a["heading"], a["sentences"]) for a in _TEXT["aspects"]]
GENERIC: list[str] = _TEXT["generic"]
KEYWORD: list[str] = _TEXT["keyword"]
SUBJECTS: list[str] = _TEXT["subjects"]
PREDICATES: list[tuple[str, str]] = [(verb, rest) for verb, rest in _TEXT["predicates"]]
OPENERS: list[str] = _TEXT["openers"]
TAILS: list[str] = _TEXT["tails"]
# The anchor is a page title of any gender and number, so it stands in quotes, needing no article.
LINKS_INTERNAL: list[str] = _TEXT["links_internal"]
LINKS_EXTERNAL: list[str] = _TEXT["links_external"]
INTRO_OPENERS: list[str] = _TEXT["intro_openers"]
CONCLUSION: list[str] = _TEXT["conclusion"]

_PARTICLES = frozenset({"ab", "an", "auf", "aus", "ein", "mit", "vor", "zu"})


def combined_sentences(rng: random.Random, window: int):
    """An endless stream of varied sentences; `window` rotates the predicates per section.
    Subjects and openers are dealt like cards, so none comes round again before the others."""
    order = PREDICATES[window % len(PREDICATES):] + PREDICATES[:window % len(PREDICATES)]
    subjects: list[str] = []
    openers: list[str] = []
    while True:
        for verb, rest in order:
            if not subjects:
                subjects = rng.sample(SUBJECTS, len(SUBJECTS))
            subject = subjects.pop()
            tail = rng.choice(TAILS) if rng.random() < 0.3 else ""
            words = rest.split()
            if words[-1] in _PARTICLES:  # a separable verb's particle closes the clause: tail before it
                body = " ".join(words[:-1]) + tail + " " + words[-1]
            else:
                body = rest + tail
            if rng.random() < 0.6:
                if not openers:
                    openers = rng.sample(OPENERS, len(OPENERS))
                yield f"{openers.pop()} {verb} {subject} {body}."
            else:
                yield f"{subject[0].upper()}{subject[1:]} {verb} {body}."




def _task(request: Request) -> dict:
    for message in reversed(request.messages):
        if message.role == "user":
            m = _TASK.search(message.content)
            if m:
                return json.loads(m.group(1))
    return {}


def _rng(seed: int, *parts: object) -> random.Random:
    digest = hashlib.sha256(json.dumps([seed, *parts], ensure_ascii=False, sort_keys=True).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _tokens(text: str) -> int:
    return max(1, len(text) // 4)


class MockModel(Model):
    paid = False

    def __init__(self, seed: int = 1, name: str = "mock"):
        self.name = name
        self.seed = seed

    async def complete(self, request: Request) -> Response:
        started = time.perf_counter()
        task = _task(request)
        kind = task.get("aufgabe")
        if kind == "plan":
            text = json.dumps(self._plan(task), ensure_ascii=False)
        elif kind in ("abschnitt", "ueberarbeitung"):
            text = self._section(task, first_draft=kind == "abschnitt")
        else:
            text = "Dies ist eine kurze Antwort des Testmodells auf Deutsch."
        prompt = sum(_tokens(m.content) for m in request.messages)
        return Response(text=text, model=self.name, prompt_tokens=prompt, completion_tokens=_tokens(text),
                        seconds=time.perf_counter() - started)

    # --- plan ---------------------------------------------------------------------------------

    def _plan(self, t: dict) -> dict:
        rng = _rng(self.seed, "plan", t)
        kw, year, n = t["keyword"], t["jahr"], int(t["abschnitte"])
        aspects = rng.sample(ASPECTS, k=min(n, len(ASPECTS)))
        while len(aspects) < n:
            aspects.append(ASPECTS[len(aspects) % len(ASPECTS)])
        label = rng.choice(["Strategie", "Schritt", "Tipp"])
        plural = {"Strategie": "Strategien", "Schritt": "Schritte", "Tipp": "Tipps"}[label]
        numbered = t.get("titel_zahl", True)
        headings = [f"{label} {i + 1}: {a[0]}" if numbered else a[0] for i, a in enumerate(aspects)]
        seo = [
            f"{n} bewährte {plural} für {kw}",  # no year: the picker must skip it
            f"{n} bewährte {plural}: {kw} {year}",
            f"{kw}: {n} bewährte {plural} {year}",
            f"{kw} {year}: {n} Top-{plural}",
        ]
        meta_min, meta_max = t.get("meta_min", 120), t.get("meta_max", 156)
        tails = [
            " ⟨Erfahren Sie, wie Sie Abläufe vereinfachen, Kosten planen und Ihr Team mitnehmen."
            "|Erfahre, wie du Abläufe vereinfachst, Kosten planst und dein Team mitnimmst.⟩",
            " Praxisnahe Schritte, Beispiele und Werkzeuge für den Alltag.",
            " Mit Beispielen, Checklisten und klaren nächsten Schritten für ⟨Ihren|deinen⟩ Betrieb.",
            " So gelingt der Einstieg ohne teure Umwege.",
            " Konkret, verständlich und sofort umsetzbar.",
        ]
        heads = [f"{kw}: {n} bewährte {plural}.", f"{kw} {year} – {n} bewährte {plural} aus der Praxis.",
                 f"{kw} ohne Umwege: {n} {plural}, die im Alltag funktionieren."]
        address = t.get("anrede", "Sie")
        metas = [f"{kw} kurz erklärt."]  # too short on purpose: the picker must skip it
        for h in heads:
            text = h
            for tail in tails:
                tail = _alt(tail, address)
                if len(text + tail) <= meta_max:
                    text += tail
            if meta_min <= len(text) <= meta_max:
                metas.append(text)
        words, uses = int(t.get("woerter", 1500)), int(t.get("keyword_verwendungen", 10))
        internal, external = list(t.get("interne_links", [])), list(t.get("externe_links", []))
        sections = [{"heading": "Einleitung", "summary": f"Warum {kw} jetzt zählt.", "words": 0,
                     "keyword_uses": 0, "internal_links": [], "external_links": []}]
        for i, h in enumerate(headings):
            sections.append({"heading": h, "summary": f"{aspects[i][0]} im Zusammenhang mit {kw}.",
                             "words": 0, "keyword_uses": 0,
                             "internal_links": internal[i::n][:1], "external_links": external[i::n][:1]})
        sections.append({"heading": f"Fazit: {kw} – die nächsten Schritte", "summary": "Zusammenfassung und nächster Schritt.",
                         "words": 0, "keyword_uses": 0, "internal_links": [], "external_links": []})
        per = words // (n + 1)
        for s in sections:
            s["words"] = per if s is not sections[0] and s is not sections[-1] else per // 2
            s["keyword_uses"] = max(1, uses // (n + 2))
        return {"h1": f"{kw}: {n} bewährte {plural} für {year}", "seo_titles": seo,
                "meta_descriptions": metas, "sections": sections}

    # --- sections -----------------------------------------------------------------------------

    def _section(self, t: dict, first_draft: bool) -> str:
        index = int(t.get("index", 0))
        rng = _rng(self.seed, "section", t)
        kw, address = t["keyword"], t.get("anrede", "Sie")
        limit = int(t.get("max_saetze", 3))
        uses = int(t.get("keyword_verwendungen", 1))
        words_target = int(t.get("woerter", 200))
        links = list(t.get("links", []))
        heading = t.get("ueberschrift", "")
        intro, conclusion = bool(t.get("einleitung")), bool(t.get("fazit"))
        long_paragraph = False
        if first_draft and not intro and not conclusion:
            if index % 2 == 1 and uses > 0:
                uses -= 1  # some sections short of keyword uses
            long_paragraph = index == 2  # one paragraph with a sentence too many
            if index == 3 and links:
                links = links[1:]  # a missing link

        aspect = next((a for a in ASPECTS if heading.endswith(a[0])), None)
        specific = list(aspect[1]) if aspect else []
        rng.shuffle(specific)
        # Each section takes its own slice of the shared pools, so a post does not repeat itself.
        generic = [GENERIC[(index * 7 + j) % len(GENERIC)] for j in range(7)]
        rng.shuffle(generic)
        keyword_pool = [KEYWORD[(index * 3 + j) % len(KEYWORD)] for j in range(len(KEYWORD))]

        kw_sentences = [keyword_pool[j % len(keyword_pool)].format(kw=kw) for j in range(uses)]
        if intro and uses:
            kw_sentences[0] = rng.choice(INTRO_OPENERS).format(kw=kw)
            kw_sentences[0] = kw_sentences[0][0].upper() + kw_sentences[0][1:]
        link_sentences = []
        for i, link in enumerate(links):
            pool = LINKS_EXTERNAL if link["url"].startswith("http") else LINKS_INTERNAL
            link_sentences.append(pool[(index + i) % len(pool)].format(anker=link["anker"], url=link["url"]))
        stream = iter(specific + generic + (CONCLUSION if conclusion else []))
        combos = combined_sentences(rng, index * 3)

        # Body: keyword and link sentences spread among fillers until the word budget is met.
        special = kw_sentences + link_sentences
        body: list[str] = []
        count = sum(len(s.split()) for s in special)
        while count < words_target:
            s = next(stream, None) or next(combos)
            body.append(s)
            count += len(s.split())
        slots = sorted(rng.sample(range(len(body) + 1), k=min(len(special), len(body) + 1)))
        sentences = list(body)
        for offset, (slot, s) in enumerate(zip(slots, special[1:] if intro and uses else special)):
            sentences.insert(slot + offset, s)
        if intro and uses:
            sentences.insert(0, special[0])
        elif len(special) > len(slots):
            sentences.extend(special[len(slots):])
        sentences = [_alt(s, address) for s in sentences]

        paragraphs: list[list[str]] = []
        i = 0
        while i < len(sentences):
            size = rng.randint(2, limit) if limit >= 2 else 1
            if long_paragraph and len(paragraphs) == 1:
                size, long_paragraph = limit + 1, False
            paragraphs.append(sentences[i:i + size])
            i += size
        return "\n\n".join(" ".join(p) for p in paragraphs)
