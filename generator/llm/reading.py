"""Reading a prompt as a model does: the offline models find their task in the German prompt
text, the way a real model has to (the words, not any machine-readable line).

This is reading, not rule-making: it knows which phrases a prompt uses to ask for a length, a
number of keyword uses or a link, and nothing about why. The task comes back as a dict with
the keys the pipeline's own task dicts use, so a test can show that a prompt states in words
everything the task holds.
"""

from __future__ import annotations

import re

from .base import Request

_KEYWORD = re.compile(r"Keyword „([^“]+)“")
_ADDRESS = re.compile(r"mit „(Sie|du)“ an")
_LIMIT = re.compile(r"höchstens (\d+) Sätze")
_LINK = re.compile(r"\[([^\[\]]+)\]\(((?:/|https?://)[^()\s]*)\)")
_TEXT_MARK = "Bisheriger Text:"


def _int(pattern: str, text: str, default: int | None = None) -> int | None:
    m = re.search(pattern, text)
    return int(m.group(1)) if m else default


def _links(text: str) -> list[dict]:
    return [{"url": m.group(2), "anker": m.group(1)} for m in _LINK.finditer(text)]


def _listed(text: str, title: str) -> list[str]:
    """URLs listed one a line ("- URL – Titel") under a line that starts with `title`."""
    m = re.search(rf"^{title}[^\n]*\n((?:- [^\n]*\n?)*)", text, re.MULTILINE)
    return [line[2:].split(" – ")[0].strip() for line in m.group(1).splitlines()] if m else []


def _uses(text: str) -> int | None:
    """How often the keyword is asked for: "genau 3-mal", "insgesamt also 3-mal", or not at all."""
    for pattern in (r"insgesamt also (\d+)-mal", r"genau (\d+)-mal", r"(\d+)-mal in genau dieser Form"):
        m = re.search(pattern, text)
        if m:
            return int(m.group(1))
    if re.search(r"Keyword „[^“]+“ nicht\b|ohne das Keyword", text):
        return 0
    return None


def kind_of(prompt: str, json_wanted: bool) -> str:
    if prompt.startswith("Plane einen Blogartikel"):
        return "plan"
    if "Titel-Vorschläge" in prompt:
        return "titel"
    if "weitere Hauptabschnitte" in prompt:
        return "gliederung"
    if prompt.startswith("Überarbeite"):
        return "ueberarbeitung"
    if prompt.startswith("Ergänze"):
        return "ergaenzung"
    if prompt.startswith("Schreibe den Abschnitt"):
        return "abschnitt"
    if prompt.startswith("Formuliere einzelne Sätze"):
        return "umformulierung"
    if prompt.startswith("Beschreibe die Bilder"):
        return "bilder"
    return "json" if json_wanted else "text"


def read_request(request: Request) -> dict:
    """The task of a request, as read from its first user message (a corrective follow-up repeats
    the same task) and the system message."""
    system = next((m.content for m in request.messages if m.role == "system"), "")
    prompt = next((m.content for m in request.messages if m.role == "user"), "")
    task = read_prompt(prompt, json_wanted=request.json_schema is not None or "JSON" in prompt)
    address = _ADDRESS.search(system)
    task["anrede"] = address.group(1) if address else "Sie"
    task.setdefault("max_saetze", _int(r"höchstens (\d+) Sätze", system, 3))
    return task


def read_prompt(prompt: str, json_wanted: bool = False) -> dict:
    # An older prompt's machine-readable line is not text to keep; the words say the same.
    prompt = re.sub(r"^AUFTRAG-JSON:.*$", "", prompt, flags=re.MULTILINE).strip()
    kind = kind_of(prompt, json_wanted)
    task: dict = {"aufgabe": kind}
    kw = _KEYWORD.search(prompt)
    if kw:
        task["keyword"] = kw.group(1)
    instructions, _, old = prompt.partition(_TEXT_MARK)
    if kind in ("plan", "titel"):
        task.update(_read_titles(prompt))
    if kind == "plan":
        topic = re.search(r"mit dem Schwerpunkt „([^“]+)“", prompt)
        task["thema"] = topic.group(1) if topic else task.get("keyword", "")
        task["abschnitte"] = _int(r"genau (\d+) Hauptabschnitte", prompt, 6)
        task["woerter"] = _int(r"insgesamt etwa (\d+) Wörter", prompt, 1500)
        task["keyword_verwendungen"] = _int(r"(\d+) Verwendungen des Keywords", prompt, 10)
        task["keyword_ueberschriften"] = _int(r"Genau (\d+) der \d+ H2-Überschriften", prompt,
                                              1 if "Mindestens eine H2-Überschrift enthält" in prompt else 0)
        intro = re.search(r"zuerst die Einleitung \(heading „([^“]+)“\)", prompt)
        task["einleitung_ueberschrift"] = intro.group(1) if intro else ""
        task["interne_links"] = _listed(prompt, "Interne Links")
        task["externe_links"] = _listed(prompt, "Externe Links")
    elif kind == "bilder":
        task["orte"] = re.findall(r"^\d+\. (.+)$", prompt, re.MULTILINE)
        style = re.search(r"^Bildstil: (.+?)\.?$", prompt, re.MULTILINE)
        task["stil"] = style.group(1) if style else ""
        task["alt_max"] = _int(r"höchstens (\d+) Zeichen", prompt, 125)
        topic = re.search(r"\(Thema: „([^“]+)“\)", prompt)
        task["thema"] = topic.group(1) if topic else task.get("keyword", "")
    elif kind == "gliederung":
        task["anzahl"] = _int(r"genau (\d+) weitere Hauptabschnitte", prompt, 1)
        task["vorhanden"] = re.findall(r"^- „([^“]+)“", prompt, re.MULTILINE)
        task["nummeriert"] = "nummeriert" in prompt
    elif kind == "umformulierung":
        task.update(_read_position(instructions))
        task["saetze_neu"] = _read_reword_items(instructions)
        if old:
            task["text"] = old.strip()
    elif kind in ("abschnitt", "ueberarbeitung", "ergaenzung"):
        position = re.search(r"Abschnitt (\d+) von (\d+)", prompt)
        if position:
            task["index"], total = int(position.group(1)) - 1, int(position.group(2))
            task["einleitung"] = task["index"] == 0
            task["fazit"] = task["index"] == total - 1
        heading = re.search(r"Überschrift[^„\n]*„([^“]+)“", instructions)
        task["ueberschrift"] = heading.group(1) if heading else ""
        task.setdefault("einleitung", "die Einleitung" in instructions or "Dies ist die Einleitung" in instructions)
        task["links"] = _links(instructions)
        limit = _LIMIT.search(instructions)
        if limit:
            task["max_saetze"] = int(limit.group(1))
        uses = _uses(instructions)
        if uses is not None:
            task["keyword_verwendungen"] = uses
        task.update(_read_length(instructions, kind))
        task.update(_read_style(instructions))
        if old:
            task["text"] = old.strip()
    return task


def _read_position(text: str) -> dict:
    out: dict = {}
    position = re.search(r"Abschnitt (\d+) von (\d+)", text)
    if position:
        out["index"], total = int(position.group(1)) - 1, int(position.group(2))
        out["einleitung"], out["fazit"] = out["index"] == 0, out["index"] == total - 1
    heading = re.search(r"Überschrift[^„\n]*„([^“]+)“", text)
    out["ueberschrift"] = heading.group(1) if heading else ""
    return out


def _read_reword_items(text: str) -> list[dict]:
    """The numbered sentences of a reword prompt and what each should become."""
    items = []
    for m in re.finditer(r"^(\d+)\. „(.*)“\n\s+(.+)$", text, re.MULTILINE):
        asks = m.group(3)
        beginning = re.search(r"beginnt wie die Sätze davor mit „([^“]+)“", asks)
        items.append({"satz": m.group(2), "aktiv": "im Aktiv" in asks, "teilen": "teile ihn" in asks,
                      "anfang": beginning.group(1) if beginning else "", "ueberleitung": "Überleitungswort" in asks})
    return items


def _read_style(text: str) -> dict:
    """How the prose should read: a share of sentences with transition words, active voice."""
    out: dict = {}
    share = re.search(r"mindestens (\d+) von 10 Sätzen enthalten eines", text)
    if share:
        out["ueberleitungen"] = int(share.group(1)) / 10
    if "Schreibe im Aktiv" in text:
        out["aktiv"] = True
    return out


def _read_length(text: str, kind: str) -> dict:
    out: dict = {}
    absolute = re.search(r"(?:soll danach etwa|auf etwa|Länge: etwa|insgesamt etwa|etwa) (\d+) Wörter", text)
    relative = re.search(r"(Erweitere|Kürze) den Abschnitt um etwa (\d+) Wörter", text)
    if relative and not re.search(r"auf etwa \d+ Wörter", text):
        sign = 1 if relative.group(1) == "Erweitere" else -1
        out["woerter_mehr"] = sign * int(relative.group(2))
    elif absolute:
        out["woerter"] = int(absolute.group(1))
    sentences = re.search(r"genau (einen|zwei|drei|vier|\d+) (?:Satz|Sätze)\b", text)
    if sentences:
        word = sentences.group(1)
        out["saetze"] = {"einen": 1, "zwei": 2, "drei": 3, "vier": 4}.get(word) or int(word)
    return out


def _read_titles(prompt: str) -> dict:
    out: dict = {}
    year = re.search(r"(?:der Jahreszahl|das Jahr) (\d{4})", prompt)
    out["jahr"] = int(year.group(1)) if year else None
    out["titel_jahr"] = year is not None
    number = re.search(r"der Zahl (\d+)", prompt)
    out["titel_zahl"] = number is not None
    if number:
        out["zahl"] = int(number.group(1))
    out["titel_power_word"] = "starke" in prompt
    out["titel_keyword_vorn"] = ("start" if "mit dem Keyword ganz am Anfang" in prompt else
                                 "first half" if "in der ersten Hälfte des Titels" in prompt else None)
    out["seo_titel_max"] = _int(r"höchstens (\d+) Zeichen", prompt, 60)
    meta = re.search(r"(\d+) bis (\d+) Zeichen", prompt)
    out["meta_min"], out["meta_max"] = (int(meta.group(1)), int(meta.group(2))) if meta else (120, 156)
    return out
