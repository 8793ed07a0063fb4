"""Pixel widths in Arial's metrics and Google-style truncation.

The browser figures below were measured with tools/compare_with_chromium.py: Chromium 156
(Debian 12), "arial, sans-serif" resolved by fontconfig to Liberation Sans 2.1.5, width of a
span's getBoundingClientRect() (DOM layout, kerning on).
"""

import pytest

from generator import textwidth as tw
from generator.textwidth import text_width, truncate

BROWSER = [
    # text, size px, bold, Chromium's width
    ("Kühlräume in Großbäckereien: 7 Tipps für 2025", 20, False, 421.34375),
    ("Wärmepumpe kaufen: Kosten, Förderung & Erfahrungen im Überblick", 20, False, 618.078125),
    ("Yoga für Anfänger: 12 Übungen für Rücken & Nacken", 20, False, 474.03125),
    ("Schimmel in der Wohnung entfernen: Ursachen, Hausmittel …", 20, False, 552.109375),
    ("Kühlräume in Großbäckereien: 7 Tipps für 2025", 20, True, 449.765625),
    ("Vorsorgevollmacht erstellen: Kostenloses Muster, die wichtigsten Regeln und was passiert, "
     "wenn keine Vollmacht vorliegt.", 14, False, 754.84375),
    ("To To To", 20, False, 73.765625),
    ("AVAVAVAV", 20, False, 96.328125),
]


@pytest.mark.parametrize("text,size,bold,browser", BROWSER)
def test_width_agrees_with_chromium_within_a_pixel(text, size, bold, browser):
    assert text_width(text, size, bold) == pytest.approx(browser, abs=1.0)


def test_kerning_is_what_makes_it_agree():
    # Chromium without kerning ("font-kerning: none") measured 81.140625 and 106.71875: the pairs
    # T-o, space-T and A-V, V-A take 7.4 and 10.4 px off, as the font's kerning table says.
    assert text_width("To To To", kerning=False) == pytest.approx(81.140625, abs=0.05)
    assert text_width("AVAVAVAV", kerning=False) == pytest.approx(106.71875, abs=0.05)
    assert text_width("To To To") < text_width("To To To", kerning=False) - 7


def test_single_characters_have_arials_advance_widths():
    # Arial's (and Liberation Sans's) advances in units of 2048 per em: a 1139, i 455, W 1933.
    assert text_width("a") == pytest.approx(1139 * 20 / 2048)
    assert text_width("i") == pytest.approx(455 * 20 / 2048)
    assert text_width("W", 10) == pytest.approx(1933 * 10 / 2048)
    assert text_width("„“") == pytest.approx(2 * 682 * 20 / 2048)
    assert text_width("€") == pytest.approx(1139 * 20 / 2048)


def test_width_scales_with_size_and_bold_is_wider():
    title = "Zeiterfassung im Handwerk – so klappt’s mit App & Stundenzettel"
    assert text_width(title, 40) == pytest.approx(2 * text_width(title, 20))
    assert text_width(title, 20, bold=True) > text_width(title, 20)


def test_width_never_shrinks_as_text_grows():
    text = "„Wer, wie, was?“ – Fragetechniken im Vertrieb: Tipps für Teams, 2025 (AVV)."
    widths = [text_width(text[:n]) for n in range(len(text) + 1)]
    assert widths[0] == 0
    assert all(a <= b for a, b in zip(widths, widths[1:]))
    assert widths[-1] > widths[len(text) // 2] > 0


def test_text_is_measured_as_a_browser_lays_it_out():
    assert text_width("  Hallo \n\t Welt  ") == text_width("Hallo Welt")
    assert text_width("Ku\u0308hlraum") == text_width("Kühlraum")  # decomposed ü is one glyph
    assert text_width("Groß\u00adbäckerei") == text_width("Großbäckerei")  # soft hyphen unseen
    assert text_width("a\u00a0b") == text_width("a b")  # NBSP is kept, as wide as a space


def test_characters_outside_the_table_count_as_an_average_letter():
    lowercase = sum(text_width(c) for c in "abcdefghijklmnopqrstuvwxyz") / 26
    assert text_width("Привет") == pytest.approx(6 * lowercase)


def test_font_and_licence_are_recorded():
    info = tw.font_info()
    assert info["family"] == "Liberation Sans"
    assert "2.1" in info["version"]
    assert "SIL Open Font License" in info["license"]


def test_a_title_that_fits_is_not_cut():
    title = "Kühlräume in Großbäckereien: 7 Tipps für 2025"
    assert truncate(title, tw.TITLE_MAX_PX, tw.SERP_TITLE_SIZE_PX) == (title, False)


def test_a_wide_title_is_cut_after_the_last_whole_word_that_fits():
    title = ("Schimmel in der Wohnung entfernen: Ursachen, Hausmittel, Profi-Tipps und Kosten im "
             "Überblick")
    shown, cut = truncate(title, tw.TITLE_MAX_PX, tw.SERP_TITLE_SIZE_PX)
    # Chromium: the shown text is 552.1 px wide; with "Profi-Tipps" it would be 660 px.
    assert (shown, cut) == ("Schimmel in der Wohnung entfernen: Ursachen, Hausmittel …", True)
    assert text_width(shown) <= tw.TITLE_MAX_PX
    assert text_width("Schimmel in der Wohnung entfernen: Ursachen, Hausmittel, Profi-Tipps …") \
        > tw.TITLE_MAX_PX


def test_a_title_just_over_600_px_is_cut():
    title = "Wärmepumpe kaufen: Kosten, Förderung & Erfahrungen im Überblick"  # 618 px in Chromium
    shown, cut = truncate(title, tw.TITLE_MAX_PX, tw.SERP_TITLE_SIZE_PX)
    assert cut and shown == "Wärmepumpe kaufen: Kosten, Förderung & Erfahrungen im …"


def test_description_is_cut_shorter_on_mobile_than_on_desktop():
    text = ("Vorsorgevollmacht erstellen: Kostenloses Muster, die wichtigsten Regeln und was "
            "passiert, wenn keine Vollmacht vorliegt.")  # 754.8 px at 14px in Chromium
    size = tw.SERP_DESCRIPTION_SIZE_PX
    assert truncate(text, tw.DESCRIPTION_MAX_PX_DESKTOP, size) == (text, False)
    shown, cut = truncate(text, tw.DESCRIPTION_MAX_PX_MOBILE, size)
    assert cut
    assert shown == ("Vorsorgevollmacht erstellen: Kostenloses Muster, die wichtigsten Regeln und "
                     "was passiert, wenn keine …")
    assert text_width(shown, size) <= tw.DESCRIPTION_MAX_PX_MOBILE


def test_cut_lands_on_a_word_boundary_for_every_width():
    text = "Elektroauto laden: Wallbox, Kosten & Förderung – der Guide für Einsteiger"
    first_word_fits = int(text_width("Elektroauto …")) + 1  # below that the word itself is cut
    for max_px in range(first_word_fits, 720, 7):
        shown, cut = truncate(text, max_px, 20)
        assert text_width(shown) <= max_px
        if not cut:
            assert shown == text
            continue
        assert shown.endswith(" …")
        kept = shown[:-2]
        assert text.startswith(kept) and text[len(kept)] in " ,:–"  # ends where a word ends
        assert not kept.endswith((",", ":", "–", " "))  # nothing left dangling


def test_a_dangling_separator_is_dropped_before_the_ellipsis():
    text = "Elektroauto laden: Wallbox, Kosten & Förderung – der Guide"
    # Room for "… Förderung –" plus the ellipsis, not for "der".
    max_px = text_width("Elektroauto laden: Wallbox, Kosten & Förderung – …") + 1
    assert truncate(text, max_px, 20) == ("Elektroauto laden: Wallbox, Kosten & Förderung …", True)


def test_a_hyphen_on_a_word_stays():
    text = "Vor- und Nachteile der Wärmepumpe"
    max_px = text_width("Vor- …") + 1
    assert truncate(text, max_px, 20) == ("Vor- …", True)


def test_a_single_word_too_wide_for_the_box_is_cut_inside():
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze"
    shown, cut = truncate(word, 200, 20)
    assert cut and shown.endswith(" …") and word.startswith(shown[:-2])
    assert text_width(shown) <= 200 < text_width(word[:len(shown) - 1] + " …")
