"""The offline models' German: template prose about any business topic, from mock_text.yaml.

Both offline models write with it: the clean mock (mock.py) and the sloppy one (sloppy.py). It is
text for trying the pipeline, not for judging style. A link is written in one of the forms real
models use (`form`): Markdown as asked, „Anker“ (URL), an HTML anchor, a bare URL, the anchor's
name without a URL, or not at all.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass
from importlib.resources import files

import yaml


def alt(text: str, address: str) -> str:
    """⟨Sie-Form|du-Form⟩ picks the form of address."""
    return re.sub(r"⟨([^|⟩]*)\|([^⟩]*)⟩", lambda m: m.group(1) if address == "Sie" else m.group(2), text)


_TEXT = yaml.safe_load(files("generator.llm").joinpath("mock_text.yaml").read_text(encoding="utf-8"))
ASPECTS: list[tuple[str, list[str]]] = [(a["heading"], a["sentences"]) for a in _TEXT["aspects"]]
GENERIC: list[str] = _TEXT["generic"]
KEYWORD: list[str] = _TEXT["keyword"]
SUBJECTS: list[str] = _TEXT["subjects"]
PREDICATES: list[tuple[str, str]] = [(verb, rest) for verb, rest in _TEXT["predicates"]]
OPENERS: list[str] = _TEXT["openers"]
TAILS: list[str] = _TEXT["tails"]
# The anchor is a page title of any gender and number, so it stands in quotes, needing no article.
_LINK_SLOT = "„[{anker}]({url})“"
LINKS_INTERNAL: list[str] = [s.replace(_LINK_SLOT, "{link}") for s in _TEXT["links_internal"]]
LINKS_EXTERNAL: list[str] = [s.replace(_LINK_SLOT, "{link}") for s in _TEXT["links_external"]]
INTRO_OPENERS: list[str] = _TEXT["intro_openers"]
CONCLUSION: list[str] = _TEXT["conclusion"]
TRANSITION_OPENERS: list[str] = _TEXT["transition_openers"]
TRANSITION_TAILS: list[str] = _TEXT["transition_tails"]
TRANSITION_PREFIXES: list[str] = _TEXT["transition_prefixes"]
PASSIVE: list[tuple[str, str]] = [(p, a) for p, a in _TEXT["passive"]]
_TRANSITION = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in sorted(_TEXT["transition_words"], key=len,
                                                                                    reverse=True)) + r")(?![\w-])",
                         re.IGNORECASE)
_VERBS = frozenset(verb for verb, _ in PREDICATES)

_PARTICLES = frozenset({"ab", "an", "auf", "aus", "ein", "mit", "vor", "zu"})
LINK_FORMS = ("markdown", "paren", "html", "bare", "mention", "omitted")


def rng_for(seed: int, *parts: object) -> random.Random:
    digest = hashlib.sha256(json.dumps([seed, *parts], ensure_ascii=False, sort_keys=True).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def tokens(text: str) -> int:
    return max(1, len(text) // 4)


@dataclass
class LinkText:
    anchor: str
    url: str
    form: str = "markdown"

    def render(self) -> str:
        a, u = self.anchor, self.url
        return {"markdown": f"„[{a}]({u})“", "paren": f"„{a}“ ({u})", "html": f'<a href="{u}">{a}</a>',
                "bare": u, "mention": f"„{a}“"}[self.form]


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


def keyword_sentences(keyword: str, count: int, index: int, address: str, skip: int = 0) -> list[str]:
    pool = [KEYWORD[(index * 3 + j) % len(KEYWORD)] for j in range(len(KEYWORD))]
    return [alt(pool[(skip + j) % len(pool)].format(kw=keyword), address) for j in range(count)]


def link_sentence(link: LinkText, index: int, address: str) -> str:
    pool = LINKS_EXTERNAL if link.url.startswith("http") else LINKS_INTERNAL
    return alt(pool[index % len(pool)].format(link=link.render()), address)


def filler(rng: random.Random, index: int, heading: str, conclusion: bool = False):
    """Sentences without keyword or link: the aspect's own first, then shared and combined ones.
    Each section takes its own slice of the shared pools, so a post does not repeat itself."""
    aspect = next((a for a in ASPECTS if heading.endswith(a[0])), None)
    specific = list(aspect[1]) if aspect else []
    rng.shuffle(specific)
    generic = [GENERIC[(index * 7 + j) % len(GENERIC)] for j in range(7)]
    rng.shuffle(generic)
    yield from specific + generic + (CONCLUSION if conclusion else [])
    yield from combined_sentences(rng, index * 3)


# --- style: transitions, voice, beginnings, length ----------------------------------------------

def has_transition(sentence: str) -> bool:
    """Whether the sentence holds a word this writer knows as a transition („zudem“, „weil“ …)."""
    return bool(_TRANSITION.search(sentence))


def _words(sentence: str) -> int:
    return len(sentence.split())


def _subject_first(sentence: str) -> tuple[str, str, str] | None:
    """A combined sentence „Viele Betriebe sparen …“: (subject, verb, rest)."""
    for subject in SUBJECTS:
        head = subject[0].upper() + subject[1:] + " "
        if sentence.startswith(head):
            verb, _, rest = sentence[len(head):].partition(" ")
            if verb in _VERBS:
                return subject, verb, rest
    return None


def first_word(sentence: str) -> str:
    return sentence.split(" ", 1)[0].strip("„“\"").lower()


def new_opening(sentence: str, rng: random.Random, avoid: frozenset[str] = frozenset()) -> str | None:
    """The sentence opened by a transition word, German word order kept: another opener before the
    verb, or subject and verb swapped behind it. None if its structure is not one the writer knows.
    The opener is none whose first word is in `avoid` (the neighbours' first words)."""
    opener = rng.choice([o for o in TRANSITION_OPENERS if first_word(o) not in avoid] or TRANSITION_OPENERS)
    for old in OPENERS:
        if sentence.startswith(old + " ") and not has_transition(old):
            return f"{opener} {sentence[len(old) + 1:]}"
    parts = _subject_first(sentence)
    if parts:
        subject, verb, rest = parts
        return f"{opener} {verb} {subject} {rest}"
    return None


def with_transition(sentence: str, rng: random.Random, limit: int = 20, avoid: frozenset[str] = frozenset(),
                    new_start: bool = False) -> str | None:
    """The sentence joined to the one before by a transition word, at most `limit` words long: a
    transition opener, else a clause appended, else „Zudem gilt: …“ before it; None if too long.
    `new_start`: it must begin with another word than now (a clause at its end does not do)."""
    opened = new_opening(sentence, rng, avoid | {first_word(sentence)})
    if opened and _words(opened) <= limit:
        return opened
    tail = rng.choice(TRANSITION_TAILS)
    if not new_start and sentence.endswith(".") and _words(sentence) + _words(tail) <= limit:
        return sentence[:-1] + tail + "."
    prefixes = [p for p in TRANSITION_PREFIXES if first_word(p) not in avoid | {first_word(sentence)}]
    prefix = rng.choice(prefixes or TRANSITION_PREFIXES)
    if _words(sentence) + _words(prefix) <= limit:
        return f"{prefix} {sentence}"
    return None


def with_transitions(sentences: list[str], share: float, rng: random.Random, keep_first: bool = False) -> list[str]:
    """At least `share` of the sentences hold a transition word: sentences without one get one
    (in random order), until the share is reached."""
    out = list(sentences)
    have = sum(has_transition(s) for s in out)
    need = -(-int(share * 100) * len(out) // 100) - have
    order = [i for i in range(len(out)) if not has_transition(out[i]) and not (keep_first and i == 0)]
    rng.shuffle(order)
    for i in order:
        if need <= 0:
            break
        neighbours = frozenset(first_word(out[j]) for j in (i - 2, i - 1, i + 1, i + 2) if 0 <= j < len(out))
        changed = with_transition(out[i], rng, avoid=neighbours)
        if changed:
            out[i] = changed
            need -= 1
    return out


def active(sentence: str, address: str) -> str | None:
    """A passive sentence of this writer said in active voice (None: not one it knows)."""
    for passive_form, active_form in PASSIVE:
        if alt(passive_form, address) == sentence:
            return alt(active_form, address)
    return None


def passive_sentences(address: str) -> list[str]:
    return [alt(p, address) for p, _ in PASSIVE]


def split_long(sentence: str) -> str | None:
    """A long sentence as two: cut at a comma with enough words on both sides."""
    for m in re.finditer(r", (?:und |denn |aber )?", sentence):
        head, tail = sentence[:m.start()], sentence[m.end():]
        if _words(head) >= 5 and _words(tail) >= 4:
            return f"{head}. {tail[0].upper()}{tail[1:]}"
    return None


def reworded(sentence: str, wants: dict, address: str, rng: random.Random) -> str:
    """One sentence written again as a reword prompt asks (see reading.py: aktiv, teilen, anfang,
    ueberleitung); whatever this writer cannot do stays as it was."""
    out = sentence
    if wants.get("aktiv"):
        out = active(out, address) or out
    if wants.get("teilen"):
        out = split_long(out) or out
    if wants.get("anfang"):
        out = with_transition(out, rng, avoid=frozenset({wants["anfang"].split(" ")[0]}), new_start=True) or out
    elif wants.get("ueberleitung") and not has_transition(out):
        out = with_transition(out, rng) or out
    return out


def reword_answer(items: list[dict], address: str, rng: random.Random) -> str:
    """The numbered lines a reword prompt asks for."""
    return "\n".join(f"{i}. {reworded(item['satz'], item, address, rng)}" for i, item in enumerate(items, 1))


def paragraphs_of(sentences: list[str], rng: random.Random, limit: int, long_paragraph: bool = False) -> str:
    paragraphs: list[list[str]] = []
    i = 0
    while i < len(sentences):
        size = rng.randint(2, limit) if limit >= 2 else 1
        if long_paragraph and len(paragraphs) == 1:
            size, long_paragraph = limit + 1, False
        paragraphs.append(sentences[i:i + size])
        i += size
    return "\n\n".join(" ".join(p) for p in paragraphs)


def section_sentences(rng: random.Random, *, index: int, heading: str, words: int, keyword: str, uses: int,
                      links: list[LinkText], address: str, intro: bool = False, conclusion: bool = False,
                      avoid: set[str] = frozenset(), transitions: float = 0.0) -> list[str]:
    """Keyword and link sentences spread among filler sentences until the word target is met;
    an intro opens with the keyword. Sentences in `avoid` (a text being added to) are not used.
    At least `transitions` of the sentences hold a transition word when a prompt asks for it."""
    kw_sentences = [s for s in keyword_sentences(keyword, uses + len(avoid), index, address, skip=len(avoid))
                    if s not in avoid][:uses]
    if intro and uses:
        opener = rng.choice(INTRO_OPENERS).format(kw=keyword)
        kw_sentences[0] = opener[0].upper() + opener[1:]
    link_sentences = [link_sentence(l, index + i, address) for i, l in enumerate(links) if l.form != "omitted"]
    stream = filler(rng, index, heading, conclusion)
    special = kw_sentences + link_sentences
    body: list[str] = []
    count = sum(len(s.split()) for s in special)
    while count < words:
        s = next(stream)
        if alt(s, address) in avoid:
            continue
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
    out = [alt(s, address) for s in sentences]
    if not transitions:
        return out
    # Transition words join sentences without making the section longer than asked: a writer
    # drops a filler sentence for the words a joining clause adds.
    out = with_transitions(out, transitions, rng, keep_first=intro)
    keep = {alt(s, address) for s in special}
    count = sum(len(s.split()) for s in out)
    for i in range(len(out) - 1, 0, -1):
        if count - len(out[i].split()) < words:
            continue
        if out[i] not in keep and not has_transition(out[i]):
            count -= len(out[i].split())
            del out[i]
    return out


# --- the plan ---------------------------------------------------------------------------------

_PLURAL = {"Strategie": "Strategien", "Schritt": "Schritte", "Tipp": "Tipps"}


def headings(rng: random.Random, n: int, numbered: bool, avoid: list[str] = (), label: str | None = None,
             start: int = 1) -> list[str]:
    taken = [h.lower() for h in avoid]
    free = [a for a in ASPECTS if not any(a[0].lower() in t for t in taken)]
    aspects = rng.sample(free, k=min(n, len(free)))
    while len(aspects) < n:
        aspects.append(ASPECTS[len(aspects) % len(ASPECTS)])
    label = label or rng.choice(list(_PLURAL))
    return [f"{label} {start + i}: {a[0]}" if numbered else a[0] for i, a in enumerate(aspects)]


def title_candidates(kw: str, n: int, year: int | None, plural: str, keyword_first: bool = False) -> list[str]:
    """SEO title candidates; the first one lacks the year (the picker must skip it when the brief
    wants one). Asked for the keyword at the start, every candidate starts with it."""
    y = f" {year}" if year else ""
    if keyword_first:
        return [f"{kw}: {n} bewährte {plural}", f"{kw}: {n} bewährte {plural}{y}", f"{kw}{y}: {n} Top-{plural}",
                f"{kw} – {n} bewährte {plural}{y}"]
    return [f"{n} bewährte {plural} für {kw}", f"{n} bewährte {plural}: {kw}{y}", f"{kw}: {n} bewährte {plural}{y}",
            f"{kw}{y}: {n} Top-{plural}"]


def meta_candidates(kw: str, n: int, year: int | None, plural: str, address: str, lo: int, hi: int) -> list[str]:
    tails = [
        " ⟨Erfahren Sie, wie Sie Abläufe vereinfachen, Kosten planen und Ihr Team mitnehmen."
        "|Erfahre, wie du Abläufe vereinfachst, Kosten planst und dein Team mitnimmst.⟩",
        " Praxisnahe Schritte, Beispiele und Werkzeuge für den Alltag.",
        " Mit Beispielen, Checklisten und klaren nächsten Schritten für ⟨Ihren|deinen⟩ Betrieb.",
        " So gelingt der Einstieg ohne teure Umwege.",
        " Konkret, verständlich und sofort umsetzbar.",
    ]
    y = f" {year}" if year else ""
    heads = [f"{kw}: {n} bewährte {plural}.", f"{kw}{y} – {n} bewährte {plural} aus der Praxis.",
             f"{kw} ohne Umwege: {n} {plural}, die im Alltag funktionieren."]
    metas = [f"{kw} kurz erklärt."]  # too short on purpose: the picker must skip it
    for h in heads:
        text = h
        for tail in tails:
            tail = alt(tail, address)
            if len(text + tail) <= hi:
                text += tail
        if lo <= len(text) <= hi:
            metas.append(text)
    return metas


def plan_answer(t: dict, rng: random.Random) -> dict:
    """A plan as JSON-ready dict from what a plan prompt asks (keys as in reading.py)."""
    kw, year, n = t["keyword"], t.get("jahr"), int(t["abschnitte"])
    label = rng.choice(list(_PLURAL))
    plural = _PLURAL[label]
    numbered = t.get("titel_zahl", True)
    heads = headings(rng, n, numbered, label=label)
    # The keyword in as many H2 headings as asked: the conclusion's, then main sections spread out.
    wanted = int(t.get("keyword_ueberschriften", 0)) - 1
    for i in sorted({round(j * n / wanted) for j in range(wanted)} if wanted > 0 else ()):
        heads[min(i, n - 1)] = f"{heads[min(i, n - 1)]} – {kw}"
    seo = title_candidates(kw, n, year, plural, keyword_first=bool(t.get("titel_keyword_vorn")))
    metas = meta_candidates(kw, n, year, plural, t.get("anrede", "Sie"), int(t.get("meta_min", 120)),
                            int(t.get("meta_max", 156)))
    words, uses = int(t.get("woerter", 1500)), int(t.get("keyword_verwendungen", 10))
    internal, external = list(t.get("interne_links", [])), list(t.get("externe_links", []))
    sections = [{"heading": t.get("einleitung_ueberschrift", ""), "summary": f"Warum {kw} jetzt zählt.", "words": 0,
                 "keyword_uses": 0, "internal_links": [], "external_links": []}]
    for i, h in enumerate(heads):
        aspect = h.split(": ", 1)[-1]
        sections.append({"heading": h, "summary": f"{aspect} im Zusammenhang mit {kw}.",
                         "words": 0, "keyword_uses": 0,
                         "internal_links": internal[i::n][:1], "external_links": external[i::n][:1]})
    sections.append({"heading": f"Fazit: {kw} – die nächsten Schritte", "summary": "Zusammenfassung und nächster Schritt.",
                     "words": 0, "keyword_uses": 0, "internal_links": [], "external_links": []})
    per = words // (n + 1)
    for s in sections:
        s["words"] = per if s is not sections[0] and s is not sections[-1] else per // 2
        s["keyword_uses"] = max(1, uses // (n + 2))
    y = f" für {year}" if year else ""
    return {"h1": f"{kw}: {n} bewährte {plural}{y}", "seo_titles": seo, "meta_descriptions": metas,
            "sections": sections}


_SCENES = ["Besprechung an einem großen Holztisch, auf dem Unterlagen und ein Laptop liegen",
           "Arbeitsplatz mit zwei Bildschirmen in einem hellen Büro",
           "Werkstatt mit Werkbank, ordentlich sortierten Werkzeugen und einem Tablet",
           "Whiteboard mit einem handgezeichneten Ablaufplan in einem Besprechungsraum",
           "Lagerhalle mit Regalen und einem Mitarbeiter mit Handscanner, von hinten gesehen",
           "Schreibtisch mit Notizbuch, Kaffeetasse und Laptop im Morgenlicht"]


def image_texts(t: dict, rng: random.Random) -> dict:
    """Descriptions, alt texts and captions for the places a prompt lists (the keyword in the
    first content image's alt text only, as the prompt asks)."""
    keyword, out, keyword_done = t.get("keyword", ""), [], False
    scenes = rng.sample(_SCENES, len(_SCENES))
    for i, place in enumerate(t.get("orte", [])):
        scene = scenes[i % len(scenes)]
        topic = place.split("„", 1)[1].rstrip("“") if "„" in place else t.get("thema") or keyword
        alt = f"{scene[0].upper()}{scene[1:]}"
        if place != "Titelbild" and not keyword_done:
            alt, keyword_done = f"{keyword}: {scene}", True
        style = f" Stil: {t['stil']}." if t.get("stil") else ""
        out.append({"prompt": f"Realistisches Foto: {scene}, passend zum Thema „{topic}“. "
                              f"Natürliches Licht, ruhige Farben, ohne Schrift und ohne Logos.{style}",
                    "alt": alt[: int(t.get("alt_max", 125))], "caption": f"{topic} im Alltag."})
    return {"images": out}
