"""The re-identification check: who counts in a testimony's group, what each
generalisation does to it, and the public view an approval stores."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.consent import consent_withdraw
from testimonies.consent.services.review import testimony_approve
from testimonies.models import Testimony
from testimonies.places.models import generalised_paths
from testimonies.redaction.reidentification import (
    GENERALISATIONS,
    age_band,
    reidentification_check,
)
from testimonies.vault.identity import identity_store
from tests import factories

pytestmark = pytest.mark.django_db

MARCH = (datetime.date(2025, 3, 7), datetime.date(2025, 3, 8))
APRIL = (datetime.date(2025, 4, 2), datetime.date(2025, 4, 2))


def given(
    coast,
    *,
    place="hai-al-kusour",
    incident=MARCH,
    precision="day",
    communities=("alawite",),
    gender="female",
    birth_year=1990,
    status="approved",
    consent=None,
):
    """A testimony whose witness is a woman of 35 at the incident unless
    told otherwise; approved with public consent by default."""
    testimony = factories.testimony(
        places=[coast[place]] if place else [],
        incident=incident,
        precision=precision,
        communities=communities,
        status=status,
        consent=consent,
    )
    identity_store(
        witness=testimony.witness,
        name="Layla Haddad",
        gender=gender,
        birth_year=birth_year,
    )
    return testimony


def candidate(coast, **kwargs):
    return given(coast, status="submitted", **kwargs)


def sizes(check):
    return {option.generalisation.key: option.size for option in check.options}


def test_a_group_smaller_than_k_is_below_k(coast):
    for _ in range(3):
        given(coast)
    check = reidentification_check(testimony=candidate(coast))
    assert check.k == 5
    assert check.group_size == 4  # three in public, and this one
    assert check.below_k


def test_a_group_of_k_is_not_below_k(coast):
    for _ in range(4):
        given(coast)
    check = reidentification_check(testimony=candidate(coast))
    assert (check.group_size, check.below_k) == (5, False)


def test_k_comes_from_the_settings_or_the_caller(coast, settings):
    for _ in range(2):
        given(coast)
    testimony = candidate(coast)
    settings.ARCHIVE_REID_K = 3
    check = reidentification_check(testimony=testimony)
    assert (check.k, check.group_size, check.below_k) == (3, 3, False)
    check = reidentification_check(testimony=testimony, k=4)
    assert (check.k, check.below_k) == (4, True)


def test_only_what_the_public_sees_now_is_counted(coast):
    given(coast)  # counts
    given(coast, consent={"archive": True, "researchers": True})
    embargoed = {"archive": True, "public": True, "embargo_until": "2099-01-01"}
    given(coast, consent=embargoed)
    given(coast, status="submitted")
    given(coast, status="draft")
    withdrawn = given(coast)
    consent_withdraw(
        testimony=withdrawn,
        scopes=None,
        reason="asked by the witness",
        obtained_by="staff",
    )
    check = reidentification_check(testimony=candidate(coast))
    assert check.public_count == 1
    assert check.group_size == 2


@pytest.mark.parametrize(
    "difference",
    [
        {"communities": ("sunni",)},
        {"communities": ("alawite", "sunni")},
        {"gender": "male"},
        {"gender": "unknown"},
        {"birth_year": 1975},  # 50 at the incident: another band
        {"birth_year": None},
        {"incident": APRIL},
        {"incident": None},
        {"place": "tartus"},
        {"place": None},
    ],
)
def test_each_quasi_identifier_separates_groups(coast, difference):
    given(coast, **difference)
    check = reidentification_check(testimony=candidate(coast))
    assert check.group_size == 1


def test_age_bands():
    assert age_band(2010, 2025) == "under 18"
    assert age_band(2007, 2025) == "18-29"
    assert age_band(1996, 2025) == "18-29"
    assert age_band(1995, 2025) == "30-44"
    assert age_band(1966, 2025) == "45-59"
    assert age_band(1965, 2025) == "60+"
    assert age_band(None, 2025) == "unknown"
    assert age_band(2030, 2025) == "unknown"


def test_each_generalisation_widens_the_group_as_the_public_would_see_it(coast):
    given(coast)  # same neighbourhood, same month
    for _ in range(3):
        given(coast, place="banias")  # elsewhere in the same town, same month
    for _ in range(2):
        given(coast, incident=APRIL)  # same neighbourhood, a month later
    given(coast, place="jableh")  # another governorate: never
    check = reidentification_check(testimony=candidate(coast))
    assert sizes(check) == {
        "recorded": 2,
        "month": 2,  # the month was counted already; only the page is vaguer
        "place": 5,  # Banias: those tagged in the town and in the neighbourhood
        "year": 4,
        "place_month": 5,
        "place_year": 7,
    }
    assert [o.below_k for o in check.options] == [True, True, False, True] + [False] * 2


def test_a_testimony_shown_vaguer_does_not_hide_one_shown_precisely(coast):
    # One published as "Banias, 2025" cannot be told apart from the others of
    # that town and year, but it is no cover for one shown in Hai Al Kusour.
    earlier = given(coast)
    Testimony.objects.filter(pk=earlier.pk).update(
        public_place_levels_up=1, public_date_precision="year"
    )
    check = reidentification_check(testimony=candidate(coast))
    assert sizes(check)["recorded"] == 1
    assert sizes(check)["place"] == 1
    assert sizes(check)["place_year"] == 2


def test_a_group_counts_witnesses_not_testimonies(coast):
    first = given(coast)
    for _ in range(3):
        again = given(coast)
        Testimony.objects.filter(pk=again.pk).update(witness=first.witness)
    check = reidentification_check(testimony=candidate(coast))
    assert check.public_count == 4
    assert check.group_size == 2


def test_identities_are_read_once_per_witness_in_one_query_for_the_public(coast):
    first = given(coast)
    testimony = candidate(coast)
    with CaptureQueriesContext(connection) as one:
        reidentification_check(testimony=testimony)
    for _ in range(4):
        again = given(coast, place="banias")
        Testimony.objects.filter(pk=again.pk).update(witness=first.witness)
    with CaptureQueriesContext(connection) as five:
        check = reidentification_check(testimony=testimony)
    assert check.public_count == 5
    assert len(five) == len(one)


def test_generalisations_that_would_change_nothing_are_not_offered(coast):
    vague = candidate(
        coast,
        incident=(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
        precision="year",
    )
    assert set(sizes(reidentification_check(testimony=vague))) == {
        "recorded",
        "place",
    }
    nowhere = candidate(coast, place=None)
    assert set(sizes(reidentification_check(testimony=nowhere))) == {
        "recorded",
        "month",
        "year",
    }


def test_the_suggested_view_is_the_least_that_reaches_k(coast, settings):
    settings.ARCHIVE_REID_K = 3
    for _ in range(2):
        given(coast, incident=APRIL)
    testimony = candidate(coast)
    check = reidentification_check(testimony=testimony)
    assert check.suggested(testimony).key == "year"
    check = reidentification_check(testimony=testimony, k=1)
    assert check.suggested(testimony).key == "recorded"
    check = reidentification_check(testimony=testimony, k=50)
    assert check.suggested(testimony).key == "place_year"  # the widest offered
    Testimony.objects.filter(pk=testimony.pk).update(public_place_levels_up=1)
    testimony.refresh_from_db()
    check = reidentification_check(testimony=testimony)
    assert check.suggested(testimony).key == "place"  # chosen before


# The public view on the model


def test_the_public_view_widens_dates_and_raises_places(coast):
    testimony = factories.testimony(
        places=[coast["hai-al-kusour"], coast["banias"], coast["jableh"]],
        incident=(datetime.date(2025, 3, 7), datetime.date(2025, 4, 2)),
    )
    assert testimony.public_place_paths() == sorted(
        [coast["hai-al-kusour"].path, coast["jableh"].path]
    )
    assert testimony.public_place_slugs() is None  # shown as tagged
    testimony.public_place_levels_up = 1
    assert testimony.public_place_slugs() == ["latakia-governorate", "banias"]
    assert [p.slug for p in testimony.public_places()] == [
        "latakia-governorate",
        "banias",
    ]
    testimony.public_date_precision = "month"
    incident = testimony.public_incident
    assert (incident.start, incident.end, incident.precision) == (
        datetime.date(2025, 3, 1),
        datetime.date(2025, 4, 30),
        "month",
    )
    assert incident.label == "March 2025 – April 2025"
    testimony.public_date_precision = "year"
    assert testimony.public_incident.label == "2025"
    assert testimony.incident_label == "7 March 2025 – 2 April 2025"


def test_a_widened_date_is_never_narrower_than_recorded():
    testimony = Testimony(
        incident_start=datetime.date(2013, 1, 1),
        incident_end=datetime.date(2013, 12, 31),
        incident_precision="year",
        public_date_precision="month",
    )
    assert testimony.public_incident.precision == "year"


def test_a_place_is_never_raised_above_the_root(coast):
    root = coast["sy"].path
    assert generalised_paths([root], 2) == [root]
    assert generalised_paths([coast["hai-al-kusour"].path], 3) == [root]


# Approval stores the chosen view


def test_approving_with_a_generalisation_stores_it_and_logs_the_choice(
    coast, moderator
):
    testimony = candidate(coast)
    testimony_approve(
        testimony=testimony,
        reviewer=moderator,
        generalisation=GENERALISATIONS["place_month"],
    )
    testimony.refresh_from_db()
    assert testimony.status == "approved"
    assert (testimony.public_place_levels_up, testimony.public_date_precision) == (
        1,
        "month",
    )
    entry = AuditEntry.objects.get(
        action=AuditAction.APPROVED, target=testimony.public_id
    )
    assert entry.detail == "public view: place_month"


def test_approving_without_a_choice_keeps_the_earlier_one(coast, moderator):
    testimony = candidate(coast)
    Testimony.objects.filter(pk=testimony.pk).update(public_date_precision="year")
    testimony_approve(testimony=testimony, reviewer=moderator)
    testimony.refresh_from_db()
    assert testimony.public_date_precision == "year"
