"""German sentence splitting, words, keyword matching, slugs and forms of address."""

import pytest

from generator import german

SPLITS = [
    ("Viele Tools, z. B. Trello, helfen. Andere nicht.", 2),
    ("Viele Tools, z.B. Trello, helfen.", 1),
    ("Wir beraten u. a. Kunden aus Hamburg. Das klappt gut.", 2),
    ("Sie sparen Zeit bzw. Geld. Das lohnt sich.", 2),
    ("Das dauert ca. drei Wochen. Danach geht es los.", 2),
    ("Dr. Müller leitet das Projekt. Er hat Erfahrung.", 2),
    ("Siehe Nr. 5 der Liste. Dort steht alles.", 2),
    ("Am 3. Oktober startet das Projekt. Alle sind dabei.", 2),
    ("Im 2. Quartal stieg der Umsatz. Das freut alle.", 2),
    ("Das kostet 1.000 Euro im Monat. Es lohnt sich.", 2),
    ("Die Quote liegt bei 2,5 % im Jahr. Das ist wenig.", 2),
    ("Und dann … kam der Durchbruch. Alle jubelten.", 2),
    ("Er sagte „Das klappt.“ und ging. Wir blieben.", 2),
    ("Prüfprozesse werden um bis zu 70% beschleunigt. Ihre Teams können sich konzentrieren.", 2),
]


@pytest.mark.parametrize("text,expected", SPLITS)
def test_sentence_splitter_handles_german_cases(text, expected):
    sentences = german.split_sentences(text)
    assert len(sentences) == expected, sentences
    assert " ".join(sentences) == text  # nothing lost, nothing invented


def test_words_count_tokens_with_letters_or_digits():
    assert german.words("KI-gestützte Prozesse – schneller um 67% & mehr.") == [
        "KI-gestützte", "Prozesse", "schneller", "um", "67%", "mehr."]


@pytest.mark.parametrize("text,count", [
    ("Digitalisierung im Mittelstand und die digitalisierung IM mittelstand.", 2),
    ("Digitalisierung im Mittelstandsbereich zählt nicht.", 0),
    ("Die Digitalisierung\nim  Mittelstand, sagt man.", 1),
    ("Die Digitalisierung im Mittelstand-Strategien zählen.", 1),
])
def test_keyword_is_exact_phrase_case_insensitive_on_word_boundaries(text, count):
    assert german.count_keyword(text, "Digitalisierung im Mittelstand") == count


@pytest.mark.parametrize("text,slug", [
    ("Größe & Übermaß für Äpfel", "groesse-uebermass-fuer-aepfel"),
    ("Digitalisierung im Mittelstand 2025", "digitalisierung-im-mittelstand-2025"),
])
def test_slugify_transliterates_german(text, slug):
    assert german.slugify(text) == slug


def test_slugify_can_drop_stop_words_and_cuts_at_word_boundary():
    assert german.slugify("Digitalisierung im Mittelstand", drop_stop_words=True) == "digitalisierung-mittelstand"
    assert len(german.slugify("wort " * 40, max_length=75)) <= 75


def test_syllables_from_hyphenation_dictionary():
    assert german.syllables("Digitalisierung") == 6
    assert german.syllables("Haus") == 1
    assert german.syllables("KI-gestützte") >= 3


def test_flesch_amstad_is_higher_for_simple_text():
    simple = german.words("Das Haus ist rot. Der Hund ist klein.")
    hard = german.words("Die Digitalisierungsstrategie berücksichtigt Interoperabilitätsanforderungen.")
    assert german.flesch_amstad(simple, 2) > german.flesch_amstad(hard, 1)


def test_address_violations():
    assert german.address_violations(["Hast du dein Ziel erreicht?"], "Sie") == ["du", "dein"]
    assert german.address_violations(["Wir zeigen Ihnen, wie es geht."], "du") == ["Ihnen"]
    assert german.address_violations(["Sie arbeiten im Büro."], "du") == []  # could be third person
    assert german.address_violations(["Wir zeigen Ihnen, wie es geht."], "Sie") == []


def test_looks_german():
    assert german.looks_german("Das ist ein Text, der auf Deutsch geschrieben ist und nicht anders.") is True
    assert german.looks_german("This is a text that is written in English and not in German.") is False
    assert german.looks_german("KI") is None


def _paragraphs_of(path) -> list[str]:
    from generator.post import Document, read_post

    return [e.text for e in Document(read_post(path)).text_elements if e.kind != "heading"]


def test_somajo_with_our_speed_ups_splits_exactly_as_somajo_itself(monkeypatch):
    """The precompiled `regex` SoMaJo's alignment step is given and its offsets of NFC text are
    speed only: every paragraph of the seed post and the test post (and the German cases above,
    one of them in decomposed Unicode, which takes SoMaJo's general path), split by SoMaJo, comes
    out the same with SoMaJo's own module-level `regex` calls and offsets."""
    import unicodedata

    import regex
    from somajo import alignment

    from .conftest import DATA, SEED

    texts = [t for t, _ in SPLITS] + _paragraphs_of(SEED) + _paragraphs_of(DATA / "good_post.md")
    texts.append(unicodedata.normalize("NFD", "Dr. Müller prüft die Änderung. Später folgt „mehr“."))
    assert len(texts) > 40
    german._somajo()
    assert isinstance(alignment.re, german._Precompiled)  # else this test compares nothing
    assert hasattr(alignment.token_offsets, "general")
    with_speed_ups = [german._split_somajo(t) for t in texts]
    monkeypatch.setattr(alignment, "re", regex)
    monkeypatch.setattr(alignment, "token_offsets", alignment.token_offsets.general)
    assert [german._split_somajo(t) for t in texts] == with_speed_ups
    assert all("".join(s).replace(" ", "") == t.replace(" ", "") for s, t in zip(with_speed_ups, texts))
    assert len(with_speed_ups[-1]) == 2
