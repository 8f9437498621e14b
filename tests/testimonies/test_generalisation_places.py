"""Rewriting a text to its public view (testimonies.redaction.generalisation):
places finer than the view, in every spelling and script Syria's gazetteer
knows, are replaced; everything else is left as written. The gazetteer is
loaded once for the module (these tests only read it); dates are in
test_generalisation.py."""

import pytest

from testimonies.models import Place
from testimonies.redaction.generalisation import (
    Generaliser,
    PlaceLexicon,
    PublicView,
)
from tests.testimonies.test_generalisation import MARCH_2025

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]


@pytest.fixture
def lexicon(gazetteer_once):
    return PlaceLexicon()


def path(slug):
    return Place.objects.get(slug=slug).path


@pytest.fixture
def town_view(lexicon):
    """Hai Al Kusour raised to Banias."""
    return Generaliser(PublicView((path("banias"),), "", MARCH_2025), lexicon)


@pytest.mark.parametrize(
    "text",
    [
        "They took him in Hai Al Kusour at night.",
        "They took him in HAI AL-KUSOUR at night.",
        "They took him in al-Qusour at night.",
        "They took him in Al Qusour at night.",
        "They took him in Hay al-Qusur at night.",
        "They took him in Qusour at night.",
        "They took him in Kusour's main street at night.",
        "They took him in the Kusour neighbourhood at night.",
        "They took him in Ḥai al-Kuṣour at night.",
    ],
)
def test_english_spellings_of_a_finer_place_are_replaced(town_view, text):
    public = town_view.generalise(text, "en")
    assert "[a neighbourhood of Banias]" in public
    assert "usour" not in public.lower() and "usur" not in public.lower()


@pytest.mark.parametrize(
    "text",
    [
        "أخذوه في حي القصور ليلاً.",
        "أخذوه في القصور ليلاً.",
        "أخذوه بالقصور ليلاً.",
        "ذهبنا وللقصور ليلاً.",
        "ذهبنا للقصور ليلاً.",
        "أخذوه بحي القصور ليلاً.",
        "أخذوه في القُصُور ليلاً.",
        "أخذوه في القـصور ليلاً.",
        "أخذوه في حيّ القصور ليلاً.",
        "#حي_القصور ليلاً.",
    ],
)
def test_arabic_spellings_of_a_finer_place_are_replaced(town_view, text):
    public = town_view.generalise(text, "ar")
    assert "[حي في بانياس]" in public
    assert "قصور" not in public and "القُصُور" not in public and "القـصور" not in public


def test_a_joined_clitic_stays_and_the_rest_of_the_text_is_untouched(town_view):
    assert (
        town_view.generalise("خرجنا من بانياس وبالقصور بقي أخي.", "ar")
        == "خرجنا من بانياس وب[حي في بانياس] بقي أخي."
    )


def test_places_no_finer_than_the_view_are_kept(town_view):
    text = "From Banias and Baniyas District we fled to Tartus and then Latakia."
    assert town_view.generalise(text, "en") == text
    arabic = "من بانياس ومنطقة بانياس هربنا إلى طرطوس ثم اللاذقية."
    assert town_view.generalise(arabic, "ar") == arabic


def test_a_neighbourhood_of_another_town_is_replaced_by_its_own_town(town_view):
    public = town_view.generalise("Then we hid in Al-Daatour.", "en")
    assert public == "Then we hid in [a neighbourhood of Latakia]."
    assert town_view.generalise("ثم اختبأنا في الدعتور.", "ar") == (
        "ثم اختبأنا في [حي في اللاذقية]."
    )


def test_a_district_view_replaces_towns_and_neighbourhoods(lexicon):
    view = Generaliser(PublicView((path("banias-district"),), "", MARCH_2025), lexicon)
    public = view.generalise("In the city of Banias, in Hai Al Kusour.", "en")
    assert public == (
        "In the city of [a town or village in Baniyas District], "
        "in [a neighbourhood of Baniyas District]."
    )
    assert view.generalise("في مدينة بانياس", "ar") == (
        "في [بلدة أو قرية في منطقة بانياس]"
    )
    # A governorate is no finer than a district.
    assert view.generalise("Tartus Governorate", "en") == "Tartus Governorate"
    # A town elsewhere tells nothing finer about where this happened (and
    # many are also words: الباب, the door, is Al-Bab); a neighbourhood
    # elsewhere still does.
    assert view.generalise("They broke الباب and fled to Jableh.", "en") == (
        "They broke الباب and fled to Jableh."
    )
    assert view.generalise("He hid in Al-Daatour.", "en") == (
        "He hid in [a neighbourhood of Latakia]."
    )


def test_a_replacement_is_written_in_the_language_of_the_text(town_view):
    # Kurdish in Arabic script reads the Arabic form; in Latin the English.
    assert "[حي في بانياس]" in town_view.generalise("له‌ حي القصور", "ku")
    assert "[a neighbourhood of Banias]" in town_view.generalise("li Kusour", "ku")
    # An English summary of an Arabic account (as the seeds have) reads the
    # English form, and the other way round.
    assert town_view.generalise("A man from القصور in Banias.", "ar") == (
        "A man from [a neighbourhood of Banias] in Banias."
    )
    assert town_view.generalise("نسكن منذ سنين في Kusour.", "en") == (
        "نسكن منذ سنين في [حي في بانياس]."
    )


def test_a_short_name_read_through_a_clitic_is_only_a_place_of_this_account(
    lexicon,
):
    # ورقة (a sheet of paper) is not و + رقة (a spelling of Raqqa)...
    view = Generaliser(PublicView((path("banias-district"),), "", MARCH_2025), lexicon)
    assert view.generalise("وقّعت على ورقة.", "ar") == "وقّعت على ورقة."
    # ...but the account's own place is taken so.
    homs_district = Place.objects.get(slug="homs").parent.path
    view = Generaliser(PublicView((homs_district,), "", MARCH_2025), lexicon)
    assert view.generalise("عشنا بحمص.", "ar") == "عشنا ب[بلدة أو قرية في منطقة حمص]."


def test_a_place_named_in_a_word_that_only_contains_it_is_left(town_view):
    # "Kusourian" is not the neighbourhood's name; nor is "قصورهم".
    text = "Kusourian music; قصورهم"
    assert town_view.generalise(text, "en") == text
