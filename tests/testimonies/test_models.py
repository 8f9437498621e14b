import datetime

import pytest
from django.core.exceptions import ValidationError

from testimonies import policy
from testimonies.core.models import PUBLIC_ID_ALPHABET
from testimonies.models import ConsentRecord, Place, Testimony
from testimonies.policy import Action
from tests import factories

pytestmark = pytest.mark.django_db


def test_public_ids_are_long_random_and_not_sequential():
    ids = [factories.testimony().public_id for _ in range(5)]
    assert len(set(ids)) == 5
    for public_id in ids:
        assert len(public_id) == 13 and set(public_id) <= set(PUBLIC_ID_ALPHABET)
        assert not public_id.isdigit()


def test_keys_that_reach_admin_urls_are_random_not_sequential():
    made = [factories.testimony() for _ in range(3)]
    for keys in ([t.pk for t in made], [t.witness.pk for t in made]):
        assert min(keys) > 2**32
        assert sorted(keys) != [keys[0] + n for n in range(3)]


def test_pseudonyms_are_unique_and_say_nothing_of_the_witness():
    first = factories.testimony(witness_name="Ayman Fares").witness.pseudonym
    second = factories.testimony(witness_name="Ayman Fares").witness.pseudonym
    assert first != second
    assert first.startswith("W-") and "ayman" not in first.lower()


def test_incident_cannot_end_before_it_starts():
    testimony = factories.testimony()
    testimony.incident_end = datetime.date(2025, 3, 1)
    with pytest.raises(ValidationError) as error:
        testimony.full_clean()
    assert error.value.error_dict["incident_end"][0].code == "incident_order"


@pytest.mark.parametrize(
    ("field", "value"),
    [("translations", ["not", "a", "dict"]), ("persons_named", "one name")],
)
def test_json_fields_must_have_their_shape(field, value):
    testimony = factories.testimony()
    setattr(testimony, field, value)
    with pytest.raises(ValidationError):
        testimony.full_clean()


def test_incident_label_is_no_more_precise_than_known():
    testimony = factories.testimony(
        incident=(datetime.date(2025, 3, 1), datetime.date(2025, 3, 31)),
        precision="month",
    )
    assert testimony.incident_label == "March 2025"
    testimony.incident_precision = "day"
    assert testimony.incident_label == "1 March 2025 – 31 March 2025"
    testimony.incident_precision = "year"
    assert testimony.incident_label == "2025"


def test_consent_records_are_append_only():
    record = factories.testimony().consent_records.get()
    record.public = False
    with pytest.raises(ValidationError):
        record.save()
    with pytest.raises(ValidationError):
        record.delete()
    with pytest.raises(ValidationError):
        ConsentRecord.objects.update(public=False)
    with pytest.raises(ValidationError):
        ConsentRecord.objects.all().delete()
    assert ConsentRecord.objects.get().public is True


def test_current_consent_is_the_latest_record():
    from testimonies.consent.services.consent import consent_withdraw

    testimony = factories.testimony()
    consent_withdraw(
        testimony=testimony, scopes=["public"], reason="fear", obtained_by="d"
    )
    annotated = Testimony.objects.with_current_consent().get(pk=testimony.pk)
    assert annotated.consent_public is False
    assert annotated.consent_researchers is True
    assert testimony.consent_records.count() == 2


def test_sharing_without_archive_consent_is_refused():
    testimony = factories.testimony(consent={})
    record = ConsentRecord(
        testimony=testimony,
        event="grant",
        archive=False,
        public=True,
        method="oral",
        obtained_by="d",
        obtained_on=datetime.date(2025, 3, 1),
    )
    with pytest.raises(ValidationError):
        record.full_clean()


def test_descendants_of_a_place_are_one_prefix_away():
    sy = factories.place("sy", "Syria", kind="country")
    tartus = factories.place(
        "tartus-gov", "Tartus Governorate", parent=sy, kind="governorate"
    )
    banias = factories.place("banias", "Banias", parent=tartus)
    kusour = factories.place(
        "kusour", "Hai Al Kusour", parent=banias, kind="neighbourhood"
    )
    latakia = factories.place("latakia-gov", "Latakia Governorate", parent=sy)
    assert set(Place.objects.within(tartus)) == {tartus, banias, kusour}
    assert kusour.ancestor_slugs == ["sy", "tartus-gov", "banias", "kusour"]
    assert latakia not in Place.objects.within(tartus)


def test_moving_a_place_moves_its_subtree():
    from testimonies.places.gazetteer import place_save

    sy = factories.place("sy", "Syria", kind="country")
    tartus = factories.place("tartus-gov", "Tartus Governorate", parent=sy)
    latakia = factories.place("latakia-gov", "Latakia Governorate", parent=sy)
    banias = factories.place("banias", "Banias", parent=latakia)
    kusour = factories.place("kusour", "Hai Al Kusour", parent=banias)
    banias.parent = tartus
    place_save(place=banias)
    kusour.refresh_from_db()
    assert kusour.path == "/sy/tartus-gov/banias/kusour/"


def test_identity_never_shows_in_its_string_form():
    from testimonies.models import WitnessIdentity

    testimony = factories.testimony(witness_name="Ayman Fares")
    assert "Ayman" not in str(WitnessIdentity.objects.get(witness=testimony.witness))
    assert "Ayman" not in str(testimony.witness) + str(testimony)


@pytest.mark.parametrize(
    ("status", "editable"),
    [("draft", True), ("sent_back", True), ("submitted", False),
     ("approved", False), ("withdrawn", False), ("erased", False)],
)  # fmt: skip
def test_only_a_draft_or_a_testimony_sent_back_is_editable(
    documenter, status, editable
):
    testimony = Testimony(status=status, recorded_by=documenter)
    assert testimony.is_editable is editable
    # The policy reads the same rule for the recording documenter.
    assert policy.allows(documenter, Action.EDIT_RECORDING, testimony) is editable
    assert policy.allows(documenter, Action.MARK_REDACTIONS, testimony) is editable
