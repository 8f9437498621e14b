"""Rewriting a text to its public view (testimonies.redaction.generalisation): places
finer than the view in every spelling and script the gazetteer knows, and
dates finer than the view in English and Arabic, are replaced; everything
else is left as written. The places, over Syria's whole gazetteer, are in
test_generalisation_places.py."""

import datetime

import pytest

from testimonies.models import IncidentDates
from testimonies.redaction.generalisation import (
    Generaliser,
    PublicView,
    generaliser_for,
    public_view,
)
from tests import factories

MARCH_2025 = IncidentDates(
    datetime.date(2025, 3, 1), datetime.date(2025, 3, 31), "month"
)
YEAR_2025 = IncidentDates(
    datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), "year"
)


def dates_only(precision, incident=MARCH_2025):
    return Generaliser(PublicView(None, precision, incident))


@pytest.mark.parametrize(
    "text, public",
    [
        ("On Friday 7 March 2025 they came.", "On [March 2025] they came."),
        ("On 7 March 2025 they came.", "On [March 2025] they came."),
        ("On 7th March they came.", "On [March] they came."),
        ("On March 7, 2025 they came.", "On [March 2025] they came."),
        ("On March 7th they came.", "On [March] they came."),
        ("On the 8th of March they came.", "On [March] they came."),
        ("On the eighth of March they came.", "On [March] they came."),
        ("On 7-8 March 2025 they came.", "On [March 2025] they came."),
        ("On 7 and 8 March they came.", "On [March] they came."),
        ("On Friday they came.", "On [March 2025] they came."),
        ("On the 8th they came back.", "On [March 2025] they came back."),
        ("On 8/3/2025 they came.", "On [March 2025] they came."),
        ("On 08.03.2025 they came.", "On [March 2025] they came."),
        ("On 2025-03-08 they came.", "On [March 2025] they came."),
        ("On 8 Mar. 2025 they came.", "On [March 2025] they came."),
        ("They came on 16 July.", "They came on [July]."),
        ("They came on 16 Jul. and left.", "They came on [July] and left."),
        ("In March 2025 they came.", "In March 2025 they came."),
        ("In May they came; you may go.", "In May they came; you may go."),
        ("Flight 7.62 and 3/4 of them, call 0933-123-456.", None),
    ],
)
def test_english_dates_finer_than_the_month(text, public):
    assert dates_only("month").generalise(text, "en") == (public or text)


@pytest.mark.parametrize(
    "text, public",
    [
        ("يوم الجمعة 7 آذار 2025 جاؤوا.", "[آذار 2025] جاؤوا."),
        ("في 7 آذار جاؤوا.", "في [آذار] جاؤوا."),
        ("في الثامن من آذار جاؤوا.", "في [آذار] جاؤوا."),
        ("في الثامن من شهر آذار 2025 جاؤوا.", "في [آذار 2025] جاؤوا."),
        ("في السابع والثامن من آذار جاؤوا.", "في [آذار] جاؤوا."),
        ("في 7 و8 آذار 2025 جاؤوا.", "في [آذار 2025] جاؤوا."),
        ("في الحادي والعشرين من آذار جاؤوا.", "في [آذار] جاؤوا."),
        ("في ٨ آذار ٢٠٢٥ جاؤوا.", "في [آذار ٢٠٢٥] جاؤوا."),
        ("في 8 مارس 2025 جاؤوا.", "في [آذار 2025] جاؤوا."),
        ("في 8 آذار/مارس 2025 جاؤوا.", "في [آذار 2025] جاؤوا."),
        ("في 1 كانون الثاني 2025 جاؤوا.", "في [كانون الثاني 2025] جاؤوا."),
        ("في 1 يناير 2025 جاؤوا.", "في [كانون الثاني 2025] جاؤوا."),
        ("في 3 تشرين الأول جاؤوا.", "في [تشرين الأول] جاؤوا."),
        ("في 3 أكتوبر جاؤوا.", "في [تشرين الأول] جاؤوا."),
        ("في 15 آب جاؤوا.", "في [آب] جاؤوا."),
        ("يوم الجمعة جاؤوا.", "[آذار 2025] جاؤوا."),
        ("وفي الخميس جاؤوا.", "وفي [آذار 2025] جاؤوا."),
        ("بتاريخ 8/3/2025 جاؤوا.", "بتاريخ [آذار 2025] جاؤوا."),
        ("بتاريخ ٨/٣/٢٠٢٥ جاؤوا.", "بتاريخ [آذار ٢٠٢٥] جاؤوا."),
        ("في آذار 2025 جاؤوا.", "في آذار 2025 جاؤوا."),
        ("أب لثلاثة أطفال مارس الضغط علينا.", "أب لثلاثة أطفال مارس الضغط علينا."),
    ],
)
def test_arabic_dates_finer_than_the_month(text, public):
    assert dates_only("month").generalise(text, "ar") == public


@pytest.mark.parametrize(
    "text, public, language",
    [
        (
            "In March 2025, on the 8th, they came.",
            "In [2025], on [2025], they came.",
            "en",
        ),
        ("In March they came.", "In [2025] they came.", "en"),
        ("In March 2024 they came.", "In [2024] they came.", "en"),
        ("في آذار 2025 جاؤوا.", "في [2025] جاؤوا.", "ar"),
        ("في شهر آب جاؤوا.", "في [2025] جاؤوا.", "ar"),
        ("في أيار جاؤوا.", "في [2025] جاؤوا.", "ar"),
        ("بأيار جاؤوا.", "ب[2025] جاؤوا.", "ar"),
        ("في ٨ آذار ٢٠٢٥ جاؤوا.", "في [٢٠٢٥] جاؤوا.", "ar"),
        ("In 2025 they came.", "In 2025 they came.", "en"),
    ],
)
def test_dates_finer_than_the_year(text, public, language):
    assert dates_only("year", YEAR_2025).generalise(text, language) == public


def test_a_day_without_a_month_of_an_incident_over_two_months():
    incident = IncidentDates(
        datetime.date(2025, 3, 1), datetime.date(2025, 4, 30), "month"
    )
    assert dates_only("month", incident).generalise("On Friday.", "en") == (
        "On [March 2025 – April 2025]."
    )


def test_an_ambiguous_numeric_date_is_read_within_the_incident():
    # 4/3: 4 March (day first, as Syria writes) or April 3: the incident says.
    april = IncidentDates(
        datetime.date(2025, 4, 1), datetime.date(2025, 4, 30), "month"
    )
    assert dates_only("month", april).generalise("On 4/3/2025.", "en") == (
        "On [April 2025]."
    )
    assert dates_only("month").generalise("On 4/3/2025.", "en") == "On [March 2025]."


@pytest.mark.django_db
def test_the_view_of_a_testimony_as_its_approval_chose_it(coast):
    testimony = factories.testimony(
        narrative="On 7 March in Hai Al Kusour.",
        places=[coast["hai-al-kusour"]],
    )
    assert generaliser_for(testimony) is None  # as recorded
    testimony.public_place_levels_up, testimony.public_date_precision = 1, "month"
    generaliser = generaliser_for(testimony)
    assert generaliser.generalise(testimony.narrative) == (
        "On [March] in [a neighbourhood of Banias]."
    )
    # Dates known only to the year are never shown finer than the year.
    testimony.incident_precision = "year"
    assert public_view(testimony).date_precision == "year"


@pytest.mark.django_db
def test_the_segments_mark_each_replacement_for_the_moderator(coast):
    testimony = factories.testimony(places=[coast["hai-al-kusour"]])
    generaliser = generaliser_for(testimony, place_levels_up=1, date_precision="month")
    original, public = generaliser.segments("In Hai Al Kusour on 7 March 2025.")
    assert [(s.text, s.placeholder) for s in original] == [
        ("In ", ""),
        ("Hai Al Kusour", "[a neighbourhood of Banias]"),
        (" on ", ""),
        ("7 March 2025", "[March 2025]"),
        (".", ""),
    ]
    assert "".join(s.text for s in public) == (
        "In [a neighbourhood of Banias] on [March 2025]."
    )


SYRIAN_MONTHS = (
    "كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب",
    "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول",
)  # fmt: skip
EGYPTIAN_MONTHS = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس",
    "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


@pytest.mark.parametrize("number", range(1, 13))
def test_every_month_name_in_both_arabic_calendars_and_english(number):
    year = IncidentDates(datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), "year")
    syrian = SYRIAN_MONTHS[number - 1]
    for written in (SYRIAN_MONTHS[number - 1], EGYPTIAN_MONTHS[number - 1]):
        text = f"في 3 {written} 2024 قُتل."
        assert dates_only("month", year).generalise(text, "ar") == (
            f"في [{syrian} 2024] قُتل."
        )
        assert dates_only("year", year).generalise(text, "ar") == "في [2024] قُتل."
        # With short vowels, as some texts write them.
        voweled = "".join(c + ("َ" if c.isalpha() else "") for c in written)
        assert dates_only("month", year).generalise(f"في 3 {voweled}.", "ar") == (
            f"في [{syrian}]."
        )
    english = ENGLISH_MONTHS[number - 1]
    assert dates_only("month", year).generalise(f"On 3 {english} 2024.") == (
        f"On [{english} 2024]."
    )


@pytest.mark.parametrize(
    "english, arabic",
    [
        ("Monday", "الاثنين"), ("Tuesday", "الثلاثاء"), ("Wednesday", "الأربعاء"),
        ("Thursday", "الخميس"), ("Friday", "الجمعة"), ("Saturday", "السبت"),
        ("Sunday", "الأحد"),
    ],
)  # fmt: skip
def test_every_weekday_in_both_languages(english, arabic):
    generaliser = dates_only("month")
    assert generaliser.generalise(f"It was on {english} night.") == (
        "It was on [March 2025] night."
    )
    assert generaliser.generalise(f"كان ذلك يوم {arabic}.", "ar") == (
        "كان ذلك [آذار 2025]."
    )
