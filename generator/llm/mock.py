"""The mock model: offline, free and reproducible, registered like any other model (`--dry-run`,
or `--model mock`). Its German is template prose for trying the pipeline, not for judging style. Like a real model it sees only the chat messages; it reads the machine-readable
`AUFTRAG-JSON:` line that every prompt carries and writes plausible, varied German text for it.

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

from .base import Model, Request, Response

_TASK = re.compile(r"AUFTRAG-JSON:\s*(\{.*\})\s*$", re.MULTILINE)


def _alt(text: str, address: str) -> str:
    """⟨Sie-Form|du-Form⟩ picks the form of address."""
    return re.sub(r"⟨([^|⟩]*)\|([^⟩]*)⟩", lambda m: m.group(1) if address == "Sie" else m.group(2), text)


# Aspects a post about a business topic can cover: heading, and sentences specific to it.
ASPECTS: list[tuple[str, list[str]]] = [
    ("Bestandsaufnahme als Startpunkt", [
        "Eine ehrliche Bestandsaufnahme zeigt, welche Abläufe heute Zeit kosten.",
        "Dafür genügen oft ein Whiteboard, ein halber Tag und die richtigen Leute am Tisch.",
        "⟨Notieren Sie|Notiere⟩ jeden Medienbruch, an dem Daten von Hand übertragen werden.",
        "Aus dieser Liste entsteht eine Rangfolge, die sich an Aufwand und Nutzen orientiert.",
        "Wichtig ist, dass auch die Menschen aus Lager, Vertrieb und Buchhaltung zu Wort kommen.",
    ]),
    ("Prozesse gezielt automatisieren", [
        "Wiederkehrende Aufgaben wie Rechnungsprüfung oder Terminabstimmung eignen sich besonders gut.",
        "Eine Regel, die heute noch im Kopf einer Kollegin steckt, lässt sich meist sauber beschreiben.",
        "Automatisierung beginnt deshalb mit einer klaren Beschreibung des Ablaufs.",
        "Wer Ausnahmen früh sammelt, erspart sich später teure Nacharbeit.",
        "Der gewonnene Freiraum fließt in Beratung, Qualität und neue Angebote.",
    ]),
    ("Daten als Entscheidungsgrundlage nutzen", [
        "Zahlen aus Warenwirtschaft und Buchhaltung erzählen mehr, wenn sie zusammengeführt werden.",
        "Ein einfaches Kennzahlenblatt pro Woche schafft bereits erstaunlich viel Klarheit.",
        "Entscheidungen lassen sich dann begründen, statt sie nach Bauchgefühl zu treffen.",
        "Dabei gilt: lieber wenige verlässliche Kennzahlen als ein unübersichtliches Zahlengrab.",
        "Monatliche Rückblicke machen sichtbar, ob eine Maßnahme wirklich wirkt.",
    ]),
    ("Mitarbeitende mitnehmen und schulen", [
        "Neue Werkzeuge wirken nur, wenn das Team sie versteht und gerne nutzt.",
        "Kurze Schulungen direkt am Arbeitsplatz bringen oft mehr als ein ganzer Seminartag.",
        "Erfahrene Kolleginnen und Kollegen können als Ansprechpartner im Alltag helfen.",
        "Rückmeldungen aus dem Team gehören früh in die Planung, nicht erst nach dem Start.",
        "So entsteht Vertrauen, und die anfängliche Skepsis weicht echter Neugier.",
    ]),
    ("Datenschutz und IT-Sicherheit mitdenken", [
        "Datenschutz ist kein Hindernis, sondern eine Frage guter Planung.",
        "Rechenzentren in der EU und klare Verträge zur Auftragsverarbeitung schaffen Sicherheit.",
        "Regelmäßige Sicherungen und abgestufte Zugriffsrechte gehören zur Grundausstattung.",
        "Ein Notfallplan legt fest, wer im Ernstfall was entscheidet.",
        "Schulungen zu Phishing und sicheren Passwörtern kosten wenig und schützen viel.",
    ]),
    ("Kosten planen und Fördermittel prüfen", [
        "Ein realistischer Kostenplan berücksichtigt Lizenzen, Einführung und laufende Betreuung.",
        "Viele Länder und der Bund unterstützen Vorhaben kleiner und mittlerer Unternehmen.",
        "Vor dem Antrag lohnt sich ein Gespräch mit der zuständigen Kammer.",
        "Wer Kosten und Nutzen pro Quartal vergleicht, erkennt früh, ob sich ein Werkzeug trägt.",
        "Kleine Pilotprojekte halten das Risiko überschaubar.",
    ]),
    ("Die passenden Werkzeuge auswählen", [
        "Nicht jedes Werkzeug passt zu jedem Betrieb, auch wenn die Werbung das verspricht.",
        "Eine Testphase mit echten Aufgaben zeigt schnell, was im Alltag trägt.",
        "Offene Schnittstellen verhindern, dass Daten später in einem System gefangen sind.",
        "Ein Anbieter mit Unterstützung auf Deutsch erleichtert die Einführung spürbar.",
        "Referenzen aus der eigenen Branche sind oft aussagekräftiger als lange Funktionslisten.",
    ]),
    ("Kunden über digitale Kanäle erreichen", [
        "Kundinnen und Kunden erwarten heute schnelle Antworten, auch außerhalb der Geschäftszeiten.",
        "Ein gut gepflegtes Kundenportal beantwortet viele Standardfragen von selbst.",
        "Digitale Angebote ergänzen das persönliche Gespräch, sie ersetzen es nicht.",
        "Rückmeldungen aus Bewertungen liefern wertvolle Hinweise für Verbesserungen.",
        "Wer Anfragen zentral sammelt, verliert keinen Auftrag mehr im Posteingang.",
    ]),
    ("Erfolge messen und nachsteuern", [
        "Ohne klare Ziele lässt sich kein Erfolg messen.",
        "Geeignete Messgrößen sind etwa Durchlaufzeiten, Fehlerquoten oder Antwortzeiten.",
        "Ein kurzer Rückblick nach jedem Meilenstein hilft, rechtzeitig nachzusteuern.",
        "Auch Misserfolge sind wertvoll, wenn das Team offen über sie spricht.",
        "So wächst aus einzelnen Projekten eine lernende Organisation.",
    ]),
    ("Partner und Netzwerke einbinden", [
        "Kein Betrieb muss alles selbst erfinden.",
        "Branchennetzwerke und regionale Initiativen bieten Erfahrungsaustausch auf Augenhöhe.",
        "Externe Beratung lohnt sich vor allem bei Auswahl und Einführung neuer Systeme.",
        "Gemeinsame Standards mit Lieferanten sparen auf beiden Seiten Zeit.",
        "Verlässliche Partner denken mit und sagen auch, wann etwas nicht passt.",
    ]),
    ("Künstliche Intelligenz sinnvoll einsetzen", [
        "Künstliche Intelligenz hilft vor allem dort, wo viele ähnliche Texte oder Belege anfallen.",
        "Ein Assistent kann Anfragen vorsortieren, die Entscheidung bleibt beim Menschen.",
        "Wichtig ist, Ergebnisse stichprobenartig zu prüfen und Fehler offen zu dokumentieren.",
        "Klare Regeln legen fest, welche Daten ein System verarbeiten darf.",
        "So wird aus einem Versuch ein verlässlicher Baustein im Alltag.",
    ]),
    ("In Etappen umsetzen", [
        "Große Vorhaben gelingen leichter, wenn sie in überschaubare Etappen zerlegt werden.",
        "Jede Etappe endet mit einem Ergebnis, das alle sehen und prüfen können.",
        "Ein fester Termin pro Woche hält das Vorhaben in Bewegung.",
        "Kleine Erfolge motivieren und schaffen Rückhalt für die nächsten Schritte.",
        "Wer so vorgeht, behält Kosten, Zeit und Qualität gleichzeitig im Blick.",
    ]),
]

GENERIC = [
    "In der Praxis zeigt sich schnell, welche Ansätze tragen.",
    "Oft sind es kleine Änderungen, die im Alltag den größten Unterschied machen.",
    "Ein Beispiel: Ein Betrieb mit zwanzig Beschäftigten spart durch digitale Auftragszettel jede Woche Stunden.",
    "Entscheidend ist, mit einem klaren Ziel zu beginnen.",
    "⟨Fragen Sie sich|Frag dich⟩ dabei immer, welches Problem ein Werkzeug tatsächlich löst.",
    "Viele Betriebe starten mit einem Pilotbereich und übertragen die Erfahrungen danach.",
    "Dabei hilft es, Verantwortlichkeiten früh und schriftlich festzulegen.",
    "Transparente Kommunikation verhindert, dass Gerüchte die Stimmung prägen.",
    "Gute Dokumentation spart später viel Zeit bei Rückfragen.",
    "Nicht jede Idee muss sofort umgesetzt werden.",
    "Eine Prioritätenliste schafft Ordnung, wenn viele Wünsche gleichzeitig auftauchen.",
    "Auch Lieferanten und Kunden profitieren, wenn Abläufe klarer werden.",
    "Wer Zuständigkeiten klärt, vermeidet doppelte Arbeit.",
    "Die Geschäftsführung sollte das Vorhaben sichtbar unterstützen.",
    "Regelmäßige Abstimmungen halten alle Beteiligten auf dem gleichen Stand.",
    "Ein realistischer Zeitplan nimmt Druck aus dem Projekt.",
    "⟨Planen Sie|Plane⟩ Puffer ein, denn Überraschungen gehören dazu.",
    "Mit jeder abgeschlossenen Etappe wächst die Erfahrung im Team.",
    "Hilfreich ist ein kurzer Leitfaden, der die wichtigsten Schritte festhält.",
    "⟨Ihre|Deine⟩ Kundschaft merkt den Unterschied meist schneller als erwartet.",
    "Ein Handwerksbetrieb aus Bayern hat so seine Angebotszeit auf zwei Tage verkürzt.",
    "Ein Maschinenbauer aus Schwaben nutzt digitale Wartungsprotokolle für jede Anlage.",
    "Eine Steuerkanzlei aus Hamburg tauscht Belege inzwischen fast nur noch digital aus.",
    "Gerade im Mittelstand sind die Wege kurz, und Entscheidungen fallen schnell.",
    "Diese Nähe ist ein Vorteil, den große Konzerne selten haben.",
    "Zugleich fehlen oft die Kapazitäten für lange Projekte.",
    "Deshalb zählt jeder Schritt, der spürbar entlastet.",
    "Am Anfang steht immer die Frage nach dem konkreten Nutzen.",
    "⟨Sie behalten|Du behältst⟩ so die Kontrolle über Tempo und Budget.",
    "Eine offene Fehlerkultur beschleunigt das Lernen.",
    "Wichtige Entscheidungen sollten nachvollziehbar dokumentiert werden.",
    "Checklisten helfen, nichts Wesentliches zu vergessen.",
    "Nach einigen Monaten lohnt sich ein ehrlicher Rückblick.",
    "Was gut funktioniert, wird anschließend auf weitere Bereiche übertragen.",
    "Was nicht funktioniert, wird angepasst oder bewusst beendet.",
    "So bleibt das Vorhaben beweglich und nah am Alltag.",
    "Ein Logistikbetrieb aus Bremen plant seine Touren inzwischen mit wenigen Klicks.",
    "Eine Druckerei aus Sachsen hat ihre Angebotsvorlagen vereinheitlicht und spart so Rückfragen.",
    "Ein Bauunternehmen aus Hessen dokumentiert Baustellen mit Fotos direkt im Auftrag.",
    "Ein Großhändler aus Nordrhein-Westfalen sieht Bestände nun tagesaktuell in jeder Filiale.",
    "Ein Elektrobetrieb aus Niedersachsen schreibt Rechnungen jetzt direkt nach dem Einsatz.",
    "Ein Softwarehaus aus Berlin hat seine Einarbeitung neuer Kolleginnen deutlich verkürzt.",
    "Ein Hotel an der Ostsee beantwortet Buchungsanfragen heute in der Hälfte der Zeit.",
    "Eine Zahnarztpraxis aus Köln vergibt Termine online und entlastet so das Telefon.",
    "Wer Abläufe aufschreibt, entdeckt oft Schritte, die niemand mehr braucht.",
    "Manchmal genügt eine gemeinsame Tabelle, um Doppelarbeit zu beenden.",
    "Der Blick von außen deckt blinde Flecken auf, die intern niemand bemerkt.",
    "Gute Werkzeuge passen sich dem Betrieb an, nicht umgekehrt.",
    "Ein fester Ansprechpartner im Team beschleunigt jede Einführung.",
    "Verständliche Anleitungen senken die Hemmschwelle für neue Systeme.",
    "Wer Fortschritte sichtbar macht, gewinnt Unterstützung im ganzen Haus.",
    "Kurze Wege zwischen Fachabteilung und IT verhindern Missverständnisse.",
    "Jede neue Lösung sollte zuerst im kleinen Rahmen beweisen, was sie kann.",
    "Klare Namen für Dateien und Ordner wirken banal, sparen aber täglich Zeit.",
    "Digitale Formulare verhindern unleserliche Handschrift und fehlende Angaben.",
    "Mobile Geräte bringen Informationen dorthin, wo die Arbeit tatsächlich passiert.",
    "Eine gemeinsame Datenbasis beendet die Diskussion darüber, welche Zahl stimmt.",
    "Freigaben per Klick ersetzen Umlaufmappen, die tagelang unterwegs sind.",
    "Automatische Erinnerungen sorgen dafür, dass Fristen nicht mehr übersehen werden.",
    "Ein übersichtliches Dashboard zeigt morgens auf einen Blick, was heute ansteht.",
]

KEYWORD = [
    "Beim Thema {kw} zählt vor allem, was im Alltag wirklich ankommt.",
    "Wer {kw} ernst nimmt, beginnt mit einer ehrlichen Bestandsaufnahme.",
    "Gerade hier zeigt sich, wie viel {kw} praktisch verändern kann.",
    "Für {kw} gilt: Kleine Schritte bringen oft mehr als große Programme.",
    "Viele Teams unterschätzen, wie eng {kw} mit guter Planung verbunden ist.",
    "Ein typisches Beispiel für {kw} ist die digitale Auftragsmappe, die alle gleichzeitig sehen.",
    "So wird {kw} vom Schlagwort zu einem messbaren Vorhaben.",
    "Damit {kw} gelingt, braucht es klare Zuständigkeiten.",
    "Das Stichwort {kw} fällt in vielen Gesprächen, doch die Umsetzung entscheidet.",
    "Erfahrene Projektleitungen verbinden {kw} deshalb mit festen Meilensteinen.",
    "Auch im Einkauf und in der Buchhaltung lohnt sich ein Blick auf {kw}.",
    "⟨Planen Sie|Plane⟩ {kw} deshalb in Etappen, die sich einzeln überprüfen lassen.",
    "Am Ende entscheidet nicht die Technik über {kw}, sondern die Menschen, die damit arbeiten.",
    "In vielen Betrieben beginnt {kw} mit einer einzigen, gut gewählten Aufgabe.",
    "Ohne Rückhalt der Führung bleibt {kw} oft auf halbem Weg stehen.",
    "Mit einem klaren Fahrplan wird {kw} zu einem überschaubaren Vorhaben.",
    "Bei {kw} lohnt es sich, Erfahrungen anderer Betriebe einzuholen.",
    "Ein guter Zeitpunkt für {kw} ist immer dann, wenn Abläufe ohnehin neu geordnet werden.",
    "Was {kw} konkret bedeutet, unterscheidet sich von Betrieb zu Betrieb.",
    "⟨Ihr|Dein⟩ Vorteil: {kw} wird so Schritt für Schritt greifbar.",
    "Realistische Ziele machen {kw} planbar und überprüfbar.",
    "Auch kleine Budgets reichen für erste Erfolge bei {kw}.",
    "Rund um {kw} entstehen so neue Spielräume für Beratung und Service.",
    "Der Nutzen von {kw} zeigt sich selten sofort, dafür aber nachhaltig.",
]

# Combinable parts for an endless supply of varied sentences: subject + verb + rest (+ tail),
# or opener + verb + subject + rest (German verb-second order).
SUBJECTS = ["viele Betriebe", "kleine Teams", "erfahrene Führungskräfte", "mittelständische Unternehmen",
            "Handwerksbetriebe", "Dienstleister", "Produktionsbetriebe", "Familienunternehmen", "Vertriebsteams",
            "Einkaufsabteilungen", "Projektteams", "Werkstätten"]
PREDICATES = [("profitieren", "von klaren Abläufen"), ("sparen", "Zeit bei Aufträgen"),
              ("gewinnen", "Überblick über Angebote"), ("vermeiden", "Fehler bei Eingaben"),
              ("stimmen", "Termine schneller ab"), ("finden", "Unterlagen sofort"),
              ("beantworten", "Anfragen noch taggleich"), ("planen", "Material genauer"),
              ("erkennen", "Engpässe früher"), ("teilen", "Wissen leichter"), ("dokumentieren", "Ergebnisse nachvollziehbar"),
              ("entlasten", "ihre Fachkräfte spürbar"), ("verkürzen", "ihre Durchlaufzeiten"),
              ("stimmen", "Lieferungen besser ab"), ("senken", "ihre Suchzeiten deutlich"),
              ("gewinnen", "neue Kundschaft online"), ("halten", "Zusagen zuverlässiger ein"),
              ("verringern", "Rückfragen im Außendienst"), ("überblicken", "ihre Lagerbestände besser"),
              ("bearbeiten", "Reklamationen strukturierter"), ("schaffen", "Freiraum für Beratung"),
              ("reagieren", "flexibler auf Nachfragespitzen"), ("binden", "Fachkräfte langfristiger"),
              ("erschließen", "zusätzliche Umsatzquellen")]
OPENERS = ["In der Praxis", "Erfahrungsgemäß", "Schon nach kurzer Zeit", "Mit etwas Übung", "Im Alltag",
           "Gerade in Spitzenzeiten", "Auf diese Weise", "Dadurch", "Häufig", "Zudem", "Außerdem", "Langfristig",
           "Mittlerweile", "Nicht selten", "Vielerorts", "Inzwischen", "Bereits heute", "Spätestens jetzt",
           "Im besten Fall", "Oft"]
TAILS = [" im täglichen Geschäft", " mit überschaubarem Aufwand", " ohne großen Schulungsaufwand",
         " auch an mehreren Standorten", " dank einheitlicher Vorlagen", " innerhalb eines Quartals",
         " nach kurzer Einarbeitung", " fast nebenbei", " Schritt für Schritt", " mit wenig Aufwand"]


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


# The anchor is a page title of any gender and number, so it stands in quotes, needing no article.
LINKS_INTERNAL = [
    "Mehr Hintergrund ⟨finden Sie|findest du⟩ im Beitrag „[{anker}]({url})“.",
    "Wie das konkret aussieht, zeigt unsere Seite „[{anker}]({url})“.",
    "Einen vertiefenden Überblick ⟨bietet Ihnen|bietet dir⟩ der Beitrag „[{anker}]({url})“.",
    "Weitere Details dazu stehen unter „[{anker}]({url})“.",
    "Passend dazu ⟨lohnt sich für Sie|lohnt sich für dich⟩ ein Blick auf „[{anker}]({url})“.",
]
LINKS_EXTERNAL = [
    "Orientierung gibt auch das Informationsangebot „[{anker}]({url})“.",
    "Aktuelle Hinweise dazu finden sich bei „[{anker}]({url})“.",
    "Verlässliche Informationen stellt die Seite „[{anker}]({url})“ bereit.",
]
INTRO_OPENERS = [
    "{kw} beschäftigt derzeit viele Geschäftsführungen, und das aus gutem Grund.",
    "Wer heute über {kw} spricht, meint vor allem eines: mehr Zeit für das Wesentliche.",
]
CONCLUSION = [
    "Zusammengefasst lohnt sich ein schrittweises Vorgehen fast immer.",
    "⟨Beginnen Sie|Beginne⟩ mit einem überschaubaren Bereich und ⟨bauen Sie|baue⟩ auf den Erfahrungen auf.",
    "Der wichtigste Schritt ist der erste, und er darf klein sein.",
]


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
