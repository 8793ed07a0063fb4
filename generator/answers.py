"""Making LLM answers usable: clean what is safe to clean (code fences, preambles, Markdown),
ask once more with a corrective instruction when an answer is empty, cut off, not JSON, not
German or a refusal. Every bad answer is counted in the report."""

from __future__ import annotations

import json
import re
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from .german import looks_german
from .llm.base import Request
from .llm.client import LLMClient
from .prompting import with_correction

M = TypeVar("M", bound=BaseModel)

_FENCE = re.compile(r"```[a-zA-Z0-9_-]*\s*\n(.*?)\n?```", re.DOTALL)
_PREAMBLE = re.compile(r"^\s*(hier (ist|sind|kommt|folgt)|gerne|natürlich|klar|selbstverständlich|okay|ok|"
                       r"sure|here is|here's|certainly)\b[^\n]{0,120}:\s*\n", re.IGNORECASE)
_REFUSAL = re.compile(r"\b(tut mir leid|ich kann (dir |ihnen )?(dabei |hierbei )?nicht helfen|"
                      r"kann ich nicht (erfüllen|schreiben|helfen)|I can(?:no|')t help|I'm sorry|as an AI)\b",
                      re.IGNORECASE)
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s.*$", re.MULTILINE)
_MD_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+", re.MULTILINE)
_MD_BULLET_ONLY = re.compile(r"^\s*[-*•]\s+", re.MULTILINE)
_MD_EMPHASIS = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)([^*\n]+?)(?<!\s)\*(?![\w*])")


class BadAnswer(Exception):
    def __init__(self, kind: str, problem: str):
        super().__init__(problem)
        self.kind = kind
        self.problem = problem


def strip_wrapping(text: str, client: LLMClient | None = None) -> str:
    """Code fences and chatty preambles ("Hier ist der Abschnitt:") are safe to remove."""
    m = _FENCE.search(text)
    if m:
        if client:
            client.bad_answer("fenced")
        text = m.group(1)
    if _PREAMBLE.match(text):
        if client:
            client.bad_answer("preamble")
        text = _PREAMBLE.sub("", text, count=1)
    return text.strip()


def strip_markdown(text: str, client: LLMClient | None = None, numbered: bool = False) -> str:
    """Markdown instead of plain text: headings go, bullets and emphasis become plain text.
    Link markers [Anker](URL) stay: they are how the LLM asks for a link. `numbered`: the answer
    was asked for as numbered lines, which stay."""
    cleaned = _MD_HEADING.sub("", text)
    cleaned = (_MD_BULLET_ONLY if numbered else _MD_BULLET).sub("", cleaned)
    cleaned = _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(3), cleaned)
    if cleaned != text and client:
        client.bad_answer("markdown")
    return cleaned.strip()


def check_text(text: str, finish_reason: str) -> None:
    if finish_reason == "length":
        raise BadAnswer("truncated", "die Antwort wurde abgeschnitten; schreibe kürzer und vollständig")
    if not text.strip():
        raise BadAnswer("empty", "die Antwort war leer")
    if len(text) < 600 and _REFUSAL.search(text):
        raise BadAnswer("refusal", "die Antwort war eine Ablehnung statt des Textes")
    # Uncached: each answer is judged once, and a cache of whole answers would hold ~3 kB each.
    if looks_german.__wrapped__(text) is False:
        raise BadAnswer("english", "die Antwort war nicht auf Deutsch")


MAX_TOKENS_CAP = 16384


def _more_room(request: Request, bad: BadAnswer) -> Request:
    """An answer cut at the token limit is asked for again with twice the limit."""
    if bad.kind != "truncated":
        return request
    return request.model_copy(update={"max_tokens": min(request.max_tokens * 2, MAX_TOKENS_CAP)})


async def ask_text(client: LLMClient, request: Request, numbered: bool = False) -> str | None:
    """Plain German text, cleaned; None when even the corrective second answer is unusable.
    `numbered`: numbered lines were asked for (they are not Markdown to strip)."""
    current = request
    for attempt in range(2):
        response = await client.ask(current)
        text = strip_markdown(strip_wrapping(response.text, client), client, numbered)
        try:
            check_text(text, response.finish_reason)
            return text
        except BadAnswer as bad:
            client.bad_answer(bad.kind)
            if attempt == 0:
                current = with_correction(_more_room(request, bad), response.text, bad.problem)
    return None


def parse_json_answer(text: str, client: LLMClient | None = None) -> object:
    """The JSON object in an answer: inside its code fence if it has one, else anywhere in it (a
    fence inside a fence leaves the first one empty)."""
    for candidate in (strip_wrapping(text, client), text):
        start, end = candidate.find("{"), candidate.rfind("}")
        if 0 <= start < end:
            return json.loads(candidate[start:end + 1])
    raise ValueError("kein JSON-Objekt gefunden")


async def ask_json(client: LLMClient, request: Request, model: type[M], correction: str | None = None,
                   attempts: int = 2) -> M:
    """A structured answer validated by a pydantic model; corrective retries up to `attempts` answers."""
    current = request
    if correction:
        current = with_correction(request, "", correction)
    last_problem = ""
    for _ in range(attempts):
        response = await client.ask(current)
        try:
            if response.finish_reason == "length":
                raise BadAnswer("truncated", "die Antwort wurde abgeschnitten")
            return model.model_validate(parse_json_answer(response.text, client))
        except (ValueError, ValidationError, BadAnswer) as e:
            kind = e.kind if isinstance(e, BadAnswer) else ("schema" if isinstance(e, ValidationError) else "json")
            client.bad_answer(kind)
            last_problem = _describe(e)
            room = _more_room(request, e) if isinstance(e, BadAnswer) else request
            request = room
            current = with_correction(room, response.text,
                                      f"{last_problem}. Antworte nur mit dem JSON-Objekt nach dem Schema.")
    raise BadAnswer("json", f"no usable JSON after {attempts - 1} corrective retries: {last_problem}")


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        return f"das JSON passt nicht zum Schema ({where}: {first['msg']})"
    if isinstance(error, BadAnswer):
        return error.problem
    return f"das JSON ist ungültig ({error})"
