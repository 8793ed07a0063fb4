"""Posts for comparing genpost's Yoast profile with Yoast's own analysis: one post that Yoast rates
green on every assessment, and variants that each break something (tests/test_profiles.py).

Block markup as WordPress stores it (the H1 is the post title, not content)."""

from __future__ import annotations

from generator.brief import Brief

KEYWORD = "Zeiterfassung im Handwerk"
SITE = "handwerk-software.de"
SLUG = "zeiterfassung-handwerk"
TITLE = "Zeiterfassung im Handwerk: 5 bewährte Schritte für 2025"
META = ("Zeiterfassung im Handwerk ohne Zettelwirtschaft: Wie Betriebe Arbeitszeiten digital erfassen, "
        "Abläufe vereinfachen und Kosten senken.")  # 131 characters

SPACER = ('<!-- wp:spacer {"height":"40px"} -->\n<div style="height:40px" aria-hidden="true" class="wp-block-spacer">'
          '</div>\n<!-- /wp:spacer -->')
IMAGE = ('<!-- wp:image {"id":12,"sizeSlug":"large"} -->\n<figure class="wp-block-image size-large">'
         '<img src="/wp-content/uploads/{name}.jpg" alt="{alt}" class="wp-image-12"/></figure>\n<!-- /wp:image -->')

# Sentences with a transition word from Yoast's German list, each starting with another word, none
# passive, none over 20 words.
WITH_TRANSITION = [
    "Außerdem sparen Betriebe jeden Tag wertvolle Minuten.",
    "Deshalb lohnt sich ein klarer Plan für den Start.",
    "Zudem sinkt der Aufwand im Büro spürbar.",
    "Trotzdem braucht jede Einführung etwas Geduld.",
    "Danach prüfen viele Teams die ersten Auswertungen gemeinsam.",
    "Schließlich zählt am Ende die Akzeptanz im Team.",
    "Dabei hilft eine einfache App auf dem Smartphone.",
    "Folglich entstehen weniger Fehler bei der Abrechnung.",
    "Anschließend lassen sich Projekte genauer kalkulieren.",
    "Allerdings sollten Sie den Datenschutz früh klären.",
    "Stattdessen setzen moderne Betriebe auf digitale Lösungen.",
    "Gleichzeitig wächst die Transparenz für alle Beteiligten.",
    "Insbesondere kleine Teams profitieren davon sehr schnell.",
    "Darüber hinaus entfallen lästige Nachfragen am Monatsende.",
    "Somit bleibt mehr Zeit für die eigentliche Arbeit.",
    "Ebenso wichtig ist eine kurze Schulung für alle.",
]
# Sentences without a transition word (and without "und", "dass", "wenn" …).
PLAIN = [
    "Viele Handwerker notieren ihre Stunden noch auf Papier.",
    "Manche Zettel gehen auf der Baustelle verloren.",
    "Ein Meister prüft jeden Freitag die Listen.",
    "Kunden fragen oft nach genauen Nachweisen.",
    "Moderne Apps zeigen alle Zeiten auf einen Blick.",
    "Jede Baustelle hat ihre eigenen Abläufe.",
    "Gute Software passt sich dem Betrieb an.",
    "Kleine Firmen starten meist mit wenigen Mitarbeitern.",
]


def paragraph(*sentences: str) -> str:
    return f"<!-- wp:paragraph -->\n<p>{' '.join(sentences)}</p>\n<!-- /wp:paragraph -->"


def heading(text: str, level: int = 2) -> str:
    attrs = "" if level == 2 else f' {{"level":{level}}}'
    return f'<!-- wp:heading{attrs} -->\n<h{level} class="wp-block-heading">{text}</h{level}>\n<!-- /wp:heading -->'


def link(url: str, text: str, external: bool = False, rel: str = "noopener") -> str:
    return f'<a href="{url}" target="_blank" rel="{rel}">{text}</a>' if external else f'<a href="{url}">{text}</a>'


def _mix(i: int) -> list[str]:
    """Two sentences with a transition word and one without, rotating through the pools."""
    return [WITH_TRANSITION[(2 * i) % len(WITH_TRANSITION)], PLAIN[i % len(PLAIN)],
            WITH_TRANSITION[(2 * i + 1) % len(WITH_TRANSITION)]]


HEADINGS = ["Warum Zeiterfassung im Handwerk zählt", "Die passende App finden", "So gelingt der Start im Team",
            "Zeiterfassung im Handwerk und Datenschutz", "Kosten realistisch planen"]


def blocks(*, intro: list[str] | None = None, headings: list[str] | None = None, section: list[str] | None = None,
           extra: list[str] | None = None, image: str | None = "default", links: str = "default") -> list[str]:
    """The green post's blocks; every keyword argument swaps one part."""
    intro = intro or [f"Die {KEYWORD} entscheidet heute über pünktliche Rechnungen.", *_mix(0)]
    out = [paragraph(*intro)]
    if image == "default":
        out.append(IMAGE.replace("{name}", "stundenzettel").replace("{alt}", "Digitale Zeiterfassung im Handwerk"))
    elif image:
        out.append(image)
    for i, h in enumerate(headings or HEADINGS):
        out += [SPACER, heading(h)]
        body = section if section is not None and i == 1 else None
        out.append(paragraph(*(body or _mix(i + 1))))
        out.append(paragraph(*_mix(i + 6)))
        if i == 0 and links == "default":
            out.append(paragraph(f"Mehr dazu lesen Sie im {link('/ratgeber/', 'Ratgeber für Betriebe')}.",
                                 f"Zahlen liefert der {link('https://www.zdh.de', 'Zentralverband', external=True)}."))
        elif i == 0 and links:
            out.append(paragraph(links))
        if i == 2:
            out.append(paragraph(f"Eine gute {KEYWORD} spart am Ende Zeit.", *_mix(i + 3)[:2]))
    out += extra or []
    return out


def markup(parts: list[str]) -> str:
    return "\n\n".join(parts) + "\n"


def brief(**changes) -> Brief:
    data = dict(website=SITE, keyword=KEYWORD, year=2025, sections=5,
                targets=dict(keyword_min=1, keyword_max=40, words_min=100, internal_links=1, external_links=1,
                             max_sentences_per_paragraph=10),
                internal_links=[{"url": "/ratgeber/", "title": "Ratgeber"}],
                external_links=[{"url": "https://www.zdh.de", "title": "ZDH"}])
    data.update(changes)
    return Brief.model_validate(data)
