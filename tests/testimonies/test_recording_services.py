"""Recording services: a draft from the first step, each step saved, and
the identity only ever in the vault."""

import datetime
import re
import sqlite3

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from archive.models import AuditEntry
from testimonies.consent.services.consent import consent_record
from testimonies.consent.services.review import testimony_submit
from testimonies.models import Community, EventType, Testimony, Witness
from testimonies.recording.services import (
    NewNeighbourhood,
    WitnessDetails,
    recording_account_save,
    recording_start,
    recording_what_save,
    recording_when_where_save,
    recording_witness_save,
)
from testimonies.recording.steps import first_step_to_do, steps_done
from testimonies.vault.identity import identity_read, witness_key_digest
from tests import factories
from tests.databases import database_dump

pytestmark = pytest.mark.django_db

NAME = "Quennadrel Ostvarik"
CONTACT = "+963-944-771-302"


def details(**changes):
    values = {
        "name": NAME,
        "name_variants": ("كوينادريل أوستفاريك",),
        "contact": CONTACT,
        "birth_year": 1939,
        "gender": "female",
        "community": Community.objects.get(slug="alawite"),
        "witness_key": "",
    }
    values.update(changes)
    return WitnessDetails(**values)


def start(user, **changes):
    return recording_start(details=details(**changes), user=user, language="ar")


def test_first_step_creates_a_draft_with_a_pseudonymous_witness(documenter):
    testimony = start(documenter)

    testimony.refresh_from_db()
    assert testimony.status == "draft"
    assert testimony.recorded_by == documenter
    assert testimony.language == "ar"
    assert testimony.narrative == ""
    assert testimony.witness.pseudonym.startswith("W-")
    identity = identity_read(witness=testimony.witness)
    assert identity.name == NAME
    assert identity.contact == CONTACT
    assert identity.birth_year == 1939
    assert first_step_to_do(testimony) == "account"


def test_first_step_needs_a_name(documenter):
    with pytest.raises(ValidationError) as error:
        start(documenter, name="  ")
    assert "name" in error.value.message_dict
    assert not Testimony.objects.exists()


def test_identity_is_nowhere_but_the_vault(documenter):
    testimony = start(documenter, witness_key="family-7")
    recording_account_save(
        testimony=testimony,
        language="en",
        recorded_on=datetime.date(2025, 3, 20),
        narrative="Gunmen came at night to our street.",
        translations={"ar": "جاء مسلحون ليلاً."},
        summary="A night raid.",
    )
    dump = database_dump()
    for token in (NAME.split()[0], NAME.split()[1], CONTACT, "family-7"):
        assert token not in dump
    # A year is a leak as a number of its own, not as digits in a hex blob.
    assert not re.search(r"(?<![0-9A-Za-z])1939(?![0-9A-Za-z])", dump)
    assert "كوينادريل" not in dump
    for entry in AuditEntry.objects.all():
        logged = f"{entry.target} {entry.detail} {entry.actor_label}"
        assert NAME.split()[1] not in logged
    # The key store holds wrapped data keys only.
    with sqlite3.connect(settings.VAULT_KEYSTORE_PATH) as keystore:
        keys = "\n".join(keystore.iterdump())
    assert NAME.split()[1] not in keys and CONTACT not in keys


def test_account_step_saves_and_a_draft_may_be_saved_unfinished(documenter):
    testimony = start(documenter)
    recording_account_save(
        testimony=testimony, language="en", recorded_on=None, narrative="",
        translations={}, summary="",
    )  # fmt: skip
    recording_account_save(
        testimony=testimony,
        language="en",
        recorded_on=datetime.date(2025, 3, 20),
        narrative="  They burned the shop.  ",
        translations={"ar": "أحرقوا المحل.", "ku": "  "},
        summary="Arson",
    )
    testimony = Testimony.objects.get(pk=testimony.pk)
    assert testimony.narrative == "They burned the shop."
    assert testimony.translations == {"ar": "أحرقوا المحل."}
    assert testimony.recorded_on == datetime.date(2025, 3, 20)
    assert steps_done(testimony)["account"]


def test_when_where_step_tags_places_and_adds_a_neighbourhood(documenter, coast):
    testimony = start(documenter)
    recording_when_where_save(
        testimony=testimony,
        incident_start=datetime.date(2025, 3, 1),
        incident_end=datetime.date(2025, 3, 31),
        incident_precision="month",
        places=[coast["banias"], coast["banias"]],
        neighbourhood=NewNeighbourhood(
            name="Hai Al Qalaa", name_ar="حي القلعة", parent=coast["banias"]
        ),
    )
    testimony = Testimony.objects.get(pk=testimony.pk)
    slugs = sorted(p.slug for p in testimony.places.all())
    assert slugs == ["banias", "hai-al-qalaa"]
    added = testimony.places.get(slug="hai-al-qalaa")
    assert added.kind == "neighbourhood"
    assert added.path == "/sy/tartus-governorate/banias/hai-al-qalaa/"
    assert testimony.incident_label == "March 2025"


def test_what_step_saves_terms_and_persons(documenter):
    testimony = start(documenter)
    recording_what_save(
        testimony=testimony,
        event_types=list(EventType.objects.filter(slug__in=["killing", "looting"])),
        communities=list(Community.objects.filter(slug="sunni")),
        persons_named=["Samir", ["Abu Ali", "أبو علي"]],
    )
    testimony = Testimony.objects.get(pk=testimony.pk)
    assert sorted(e.slug for e in testimony.event_types.all()) == [
        "killing",
        "looting",
    ]
    assert testimony.persons_named == ["Samir", ["Abu Ali", "أبو علي"]]


def test_a_submitted_testimony_is_not_changed_by_the_steps(documenter):
    testimony = factories.testimony(status="submitted", recorded_by=documenter)
    with pytest.raises(ValidationError):
        recording_what_save(
            testimony=testimony, event_types=[], communities=[], persons_named=[]
        )
    assert testimony.event_types.exists()


def test_submission_needs_the_account(documenter):
    testimony = start(documenter)
    consent_record(
        testimony=testimony,
        scopes={"archive": True},
        method="oral",
        obtained_by="documenter",
        obtained_on=datetime.date(2025, 3, 20),
    )
    with pytest.raises(ValidationError) as error:
        testimony_submit(testimony=testimony, user=documenter)
    assert error.value.code == "narrative_missing"


def test_witness_key_of_an_earlier_witness_groups_the_draft_with_it(documenter):
    earlier = start(documenter, witness_key="family-7")
    draft = start(documenter, name="Someone Else", witness_key="")
    abandoned = draft.witness
    recording_witness_save(
        user=documenter, testimony=draft, details=WitnessDetails(witness_key="family-7")
    )
    draft = Testimony.objects.get(pk=draft.pk)
    assert draft.witness == earlier.witness
    # The identity kept is the earlier witness's, and the one left behind
    # is gone with its witness: no identity lingers without a testimony.
    assert identity_read(witness=earlier.witness).name == NAME
    assert not Witness.objects.filter(pk=abandoned.pk).exists()
    assert draft.narrative == ""  # re-sealed under the new witness, readable


def _other_documenter():
    from django.contrib.auth.models import Group

    other = factories.UserFactory(username="another-documenter")
    other.groups.add(Group.objects.get(name="documenter"))
    return other


def test_another_documenters_witness_key_joins_nothing_and_changes_nothing(
    documenter, moderator
):
    """A key is matched across the archive: joining someone else's witness
    would open its identity to the reveal page, and replacing it would
    change what is redacted from that witness's accounts. The draft gets a
    witness of its own instead, without being told (witness_keys)."""
    theirs = start(documenter, witness_key="family-3")
    other = _other_documenter()
    mine = start(other, name="Wrong Name", witness_key="family-3")
    assert mine.witness_id != theirs.witness_id
    draft = start(other, name="Someone Else")
    recording_witness_save(
        user=other,
        testimony=draft,
        details=WitnessDetails(witness_key="family-3"),
    )
    # The same key gives the same witness of their own.
    assert Testimony.objects.get(pk=draft.pk).witness_id == mine.witness_id
    assert identity_read(witness=theirs.witness).name == NAME
    assert theirs.witness.testimonies.count() == 1
    # A moderator may record under it (and may see who it is anyway).
    joined = start(moderator, witness_key="family-3")
    assert joined.witness_id == theirs.witness_id


def test_new_witness_key_on_a_draft_keeps_its_identity(documenter):
    draft = start(documenter)
    witness = recording_witness_save(
        user=documenter,
        testimony=draft,
        details=WitnessDetails(witness_key="brand-new-key"),
    )
    assert witness.pk == draft.witness_id
    assert witness.key_digest == witness_key_digest("brand-new-key")
    assert identity_read(witness=witness).name == NAME


def test_entering_the_identity_again_replaces_it_whole(documenter):
    draft = start(documenter)
    recording_witness_save(
        user=documenter, testimony=draft, details=WitnessDetails(name="Corrected Name")
    )
    identity = identity_read(witness=draft.witness)
    assert identity.name == "Corrected Name"
    assert identity.contact == ""
