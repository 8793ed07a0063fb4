"""The mock model: offline, free and reproducible, registered like any other model (`--dry-run`,
or `--model mock`). Its German is template prose (prose.py) for trying the pipeline, not for
judging style. It takes its task from the request (`Request.task`, which no real model is sent);
without one, e.g. behind the fake OpenAI server, it reads the prompt text (reading.py).

First drafts follow their budget imperfectly on purpose, so that every dry run exercises the
repair loop: every other main section is one keyword use short, one paragraph has one sentence
too many, and the last main section with links leaves one out. Everything else follows the task.
"""

from __future__ import annotations

import json
import re
import time

from . import prose
from .base import Model, Request, Response
from .reading import read_request


def _task(request: Request) -> dict:
    return request.task if request.task is not None else read_request(request)


class MockModel(Model):
    paid = False

    def __init__(self, seed: int = 1, name: str = "mock"):
        self.name = name
        self.seed = seed

    async def complete(self, request: Request) -> Response:
        started = time.perf_counter()
        task = _task(request)
        kind = task.get("aufgabe")
        rng = prose.rng_for(self.seed, kind, task)
        if kind == "plan":
            text = json.dumps(prose.plan_answer(task, rng), ensure_ascii=False)
        elif kind == "titel":
            n, plural = task.get("zahl") or 5, "Tipps"
            text = json.dumps({
                "seo_titles": prose.title_candidates(task["keyword"], n, task.get("jahr"), plural,
                                                     bool(task.get("titel_keyword_vorn")))[1:],
                "meta_descriptions": prose.meta_candidates(task["keyword"], n, task.get("jahr"), plural,
                                                           task.get("anrede", "Sie"), task["meta_min"],
                                                           task["meta_max"])[1:]}, ensure_ascii=False)
        elif kind == "gliederung":
            heads = prose.headings(rng, int(task["anzahl"]), False, avoid=task.get("vorhanden", []))
            text = json.dumps({"sections": [{"heading": h, "summary": f"{h} in der Praxis."} for h in heads]},
                              ensure_ascii=False)
        elif kind in ("abschnitt", "ueberarbeitung", "ergaenzung"):
            text = self._section(task, kind)
        elif kind == "umformulierung":
            text = prose.reword_answer(task.get("saetze_neu", []), task.get("anrede", "Sie"), rng)
        elif kind == "bilder":
            text = json.dumps(prose.image_texts(task, rng), ensure_ascii=False)
        else:
            text = "Dies ist eine kurze Antwort des Testmodells auf Deutsch."
        prompt = sum(prose.tokens(m.content) for m in request.messages)
        return Response(text=text, model=self.name, prompt_tokens=prompt, completion_tokens=prose.tokens(text),
                        seconds=time.perf_counter() - started)

    def _section(self, t: dict, kind: str) -> str:
        index = int(t.get("index", 0))
        rng = prose.rng_for(self.seed, "section", t)
        uses = int(t.get("keyword_verwendungen", 1))
        links = [prose.LinkText(l["anker"], l["url"]) for l in t.get("links", [])]
        intro, conclusion = bool(t.get("einleitung")), bool(t.get("fazit"))
        long_paragraph = False
        if kind == "abschnitt" and not intro and not conclusion:
            if index % 2 == 1 and uses > 0:
                uses -= 1  # some sections short of keyword uses
            long_paragraph = index == 2  # one paragraph with a sentence too many
            if index == 3 and links:
                links = links[1:]  # a missing link
        if kind == "ergaenzung":  # new sentences only: other ones than the section's
            old = {s for p in t.get("text", "").split("\n\n") for s in re.split(r"(?<=[.!?])\s+", p)}
            sentences = prose.section_sentences(
                rng, index=index, heading=t.get("ueberschrift", ""), words=int(t.get("woerter", 0)),
                keyword=t["keyword"], uses=uses, links=links, address=t.get("anrede", "Sie"), avoid=old,
                transitions=float(t.get("ueberleitungen", 0)))
        else:
            sentences = prose.section_sentences(
                rng, index=index, heading=t.get("ueberschrift", ""), words=int(t.get("woerter", 200)),
                keyword=t["keyword"], uses=uses, links=links, address=t.get("anrede", "Sie"),
                intro=intro, conclusion=conclusion, transitions=float(t.get("ueberleitungen", 0)))
        return prose.paragraphs_of(sentences, rng, int(t.get("max_saetze", 3)), long_paragraph)
