"""German SEO titles and meta descriptions, typical of what genpost writes and WordPress sites show,
for checking generator/textwidth.py against a browser (tools/compare_with_chromium.py).
Written for this purpose; several are deliberately wider than Google's boxes."""

TITLES = [
    "Kühlräume in Großbäckereien: 7 Tipps für 2025",
    "Zeiterfassung im Handwerk – so klappt’s mit App & Stundenzettel",
    "Projektmanagement lernen: Der große Leitfaden für Einsteiger",
    "Digitalisierung im Mittelstand: 10 Schritte zum Erfolg (2025)",
    "Wärmepumpe kaufen: Kosten, Förderung & Erfahrungen im Überblick",
    "Steuererklärung 2024: Fristen, Formulare und häufige Fehler",
    "„Homeoffice-Pauschale“ – was Arbeitnehmer jetzt wissen müssen",
    "Photovoltaik auf dem Dach: Lohnt sich das noch? | Ratgeber",
    "Vorsorgevollmacht: Muster, Tipps & rechtliche Grundlagen",
    "Tagesgeld-Vergleich: Die besten Zinsen im Test – Stand Mai 2025",
    "Wie viel Trinkgeld gibt man in Österreich? Der Überblick",
    "Yoga für Anfänger: 12 Übungen für Rücken & Nacken",
    "Vertragsänderung per E-Mail: Was ist rechtlich gültig?",
    "Tierkrankenversicherung für Hunde: Vergleich & Kosten 2025",
    "WLAN-Router einrichten – Schritt für Schritt erklärt",
    "Fahrradreparatur: Platten flicken in 5 Minuten",
    "Übergangsgeld nach Kündigung – Anspruch, Höhe & Antrag",
    "Gärtnern im Frühjahr: Was jetzt in den Boden muss",
    "Töpfern lernen: Kurse, Werkzeuge und erste Projekte",
    "Elektroauto laden: Wallbox, Kosten & Förderung – der Guide",
    "Avocado-Rezepte: 15 schnelle Ideen für jeden Tag",
    "„Wer, wie, was?“ – Fragetechniken im Vertrieb",
    "Lebensversicherung kündigen oder beitragsfrei stellen?",
    "Datenschutz im Verein: DSGVO-Checkliste zum Download",
    "Trockenbau selber machen: Anleitung für Wände & Decken",
    "Großhandel für Gastronomie: Lieferanten im Vergleich …",
    "Rentenbeginn 2025: Ab wann Sie in Rente gehen können",
    "Kaffeevollautomat entkalken – So geht’s richtig (mit Video)",
    "VPN für Unternehmen: Sicher arbeiten von überall",
    "Bewerbungsfoto: 9 Tipps vom Profi für 49 € statt 120 €",
    "Schimmel in der Wohnung entfernen: Ursachen, Hausmittel, Profi-Tipps und Kosten im Überblick",
    "Betriebliche Altersvorsorge für Arbeitnehmer und Arbeitgeber – Vor- und Nachteile, Steuern",
]

DESCRIPTIONS = [
    "Kühlräume in Großbäckereien richtig planen: Temperaturzonen, Gärunterbrechung und Wartung – "
    "mit Checkliste und Kostenbeispielen für 2025.",
    "Zeiterfassung im Handwerk leicht gemacht: Wir vergleichen Apps, Stundenzettel und Terminals "
    "und zeigen, was das Arbeitszeitgesetz verlangt.",
    "Projektmanagement lernen ohne Umwege: Methoden, Zertifikate und Vorlagen im Überblick. So "
    "finden Sie den Einstieg, der zu Ihrem Alltag passt.",
    "Digitalisierung im Mittelstand: Welche Förderprogramme es gibt, wo Betriebe anfangen sollten "
    "und wie Sie typische Fehler vermeiden.",
    "Was kostet eine Wärmepumpe 2025 wirklich? Anschaffung, Einbau, Strompreis und Förderung – "
    "plus Erfahrungen von Hausbesitzern aus ganz Deutschland.",
    "Die Steuererklärung 2024 ist fällig? Hier finden Sie alle Fristen, die wichtigsten Formulare "
    "und Tipps, mit denen Sie bares Geld sparen.",
    "Die Homeoffice-Pauschale beträgt 6 € pro Tag, höchstens 1.260 € im Jahr. Wer sie nutzen darf "
    "und wie Sie sie richtig eintragen.",
    "Lohnt sich Photovoltaik noch? Wir rechnen Kosten, Einspeisevergütung und Eigenverbrauch durch "
    "– mit Beispielen für Einfamilienhäuser.",
    "Vorsorgevollmacht erstellen: Kostenloses Muster, die wichtigsten Regeln und was passiert, "
    "wenn keine Vollmacht vorliegt.",
    "Tagesgeld im Vergleich: Aktuelle Zinsen, Einlagensicherung und Neukundenangebote. Täglich "
    "aktualisiert, unabhängig und transparent.",
    "Trinkgeld in Österreich: Wie viel ist im Restaurant, Taxi und Hotel üblich? Unsere Tabelle "
    "zeigt die Richtwerte – von Wien bis Tirol.",
    "Yoga für Anfänger: 12 einfache Übungen gegen Verspannungen in Rücken und Nacken. Mit Bildern, "
    "Atemtipps und einem 10-Minuten-Plan.",
    "Ist eine Vertragsänderung per E-Mail gültig? Wann die Textform reicht, wann Schriftform nötig "
    "ist und wie Sie sich absichern.",
    "Tierkrankenversicherung für Hunde: Was sie kostet, welche Leistungen wichtig sind und für "
    "wen sich der Schutz wirklich lohnt.",
    "WLAN-Router einrichten in 10 Minuten: Zugangsdaten, Passwort, Gastnetz und Updates – Schritt "
    "für Schritt für FRITZ!Box, Speedport & Co.",
    "Übergangsgeld nach der Kündigung: Wer Anspruch hat, wie hoch es ausfällt und wie Sie den "
    "Antrag bei der Rentenversicherung stellen. Mit Rechenbeispiel, Fristen und Musterschreiben "
    "zum Download.",
    "Gärtnern im Frühjahr: Welche Gemüse jetzt in den Boden müssen, wie Sie Beete vorbereiten und "
    "Schnecken fernhalten – der Aussaatkalender für März, April und Mai mit allen Terminen.",
    "Avocado-Rezepte für jeden Tag: Guacamole, Avocado-Toast, Salate und Bowls – 15 schnelle "
    "Ideen, fertig in höchstens 20 Minuten.",
    "„Wer fragt, führt“: Offene, geschlossene und hypothetische Fragen im Vertrieb. Beispiele, "
    "Formulierungen und typische Fehler im Kundengespräch.",
    "Elektroauto laden zu Hause: Wallbox-Kosten ab 500 €, Installation durch den Elektriker, "
    "Förderung von Bund und Ländern sowie der Vergleich von Ladetarifen, Ladekarten und "
    "Stromanbietern für Vielfahrer.",
]
