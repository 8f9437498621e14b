"""Witness keys: a documenter gets the same answer whether the key they type
exists or not, taking a key first gains nothing, and moderators decide the
conflicts (the same person, or two) on a page of their own."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from archive.models import AuditEntry
from testimonies import policy
from testimonies.attachments.services import attachment_add
from testimonies.audit_actions import AuditAction
from testimonies.models import Testimony, Witness, WitnessKeyConflict
from testimonies.policy import Action
from testimonies.vault.identity import identity_read
from testimonies.witnesses.services import witness_key_conflict_resolve
from tests import factories
from tests.testimonies.media_samples import (  # noqa: F401 (fixture)
    empty_media,
    photo_bytes,
    upload,
)
from tests.testimonies.test_recording_views import START, witness_post

pytestmark = pytest.mark.django_db

PAGE = reverse("moderation:witness-keys")


@pytest.fixture
def other_documenter(db):
    user = factories.UserFactory(username="other-documenter")
    user.groups.add(Group.objects.get(name="documenter"))
    return user


def start(client, **changes):
    """The first recording step, as the page posts it; the draft made."""
    before = set(Testimony.objects.values_list("pk", flat=True))
    response = client.post(START, witness_post(**changes))
    (pk,) = set(Testimony.objects.values_list("pk", flat=True)) - before
    return response, Testimony.objects.select_related("witness").get(pk=pk)


def answer(response):
    """What the documenter is told: the status, where it leads (without the
    draft's own id) and any error on the page."""
    location = response.get("Location", "")
    return (
        response.status_code,
        location.rsplit("/record/", 1)[-1],
        ("errorlist" in response.content.decode()),
    )


def test_an_existing_key_gets_the_same_answer_as_an_unknown_one(
    client_for, documenter, other_documenter
):
    _, theirs = start(client_for(documenter), witness_key="family-3")
    client = client_for(other_documenter)
    taken, draft = start(client, name="Mira Salloum", witness_key="family-3")
    unknown, fresh = start(client, name="Mira Salloum", witness_key="family-4")
    assert answer(taken) == answer(unknown)
    assert draft.witness_id != theirs.witness_id
    # The same key gives the same witness again, as an unknown key does.
    _, again = start(client, name="Mira Salloum", witness_key="family-3")
    _, fresh_again = start(client, name="Mira Salloum", witness_key="family-4")
    assert again.witness_id == draft.witness_id
    assert fresh_again.witness_id == fresh.witness_id
    # Nothing of the first documenter's witness changed or opened.
    assert identity_read(witness=theirs.witness).name == "Vesperine Hollquist"
    assert not policy.allows(
        other_documenter, Action.REVEAL_WITNESS_IDENTITY, theirs.witness
    )
    conflict = WitnessKeyConflict.objects.get()
    assert (conflict.existing, conflict.claimant) == (theirs.witness, draft.witness)
    assert conflict.raised_by == other_documenter and conflict.resolution == ""


def test_taking_a_key_first_gains_nothing(client_for, documenter, other_documenter):
    """Someone types a key before its documenter does: the documenter is
    not locked out of it, and the first taker learns nothing."""
    _, squatted = start(client_for(other_documenter), witness_key="family-9")
    response, own = start(client_for(documenter), witness_key="family-9")
    assert response.status_code == 302 and "errorlist" not in response.content.decode()
    assert own.witness_id != squatted.witness_id
    assert identity_read(witness=own.witness).name == "Vesperine Hollquist"
    assert not policy.allows(
        other_documenter, Action.REVEAL_WITNESS_IDENTITY, own.witness
    )
    assert WitnessKeyConflict.objects.get().raised_by == documenter


def test_a_moderator_records_under_any_key(client_for, documenter, moderator):
    _, theirs = start(client_for(documenter), witness_key="family-3")
    _, joined = start(client_for(moderator), witness_key="family-3")
    assert joined.witness_id == theirs.witness_id
    assert not WitnessKeyConflict.objects.exists()


@pytest.fixture
def conflict(client_for, documenter, other_documenter):
    _, theirs = start(client_for(documenter), witness_key="family-3")
    _, claimed = start(
        client_for(other_documenter),
        name="Vesperina Holquist",
        witness_key="family-3",
    )
    claimed.narrative = "I am Vesperina Holquist; they burned our shop."
    claimed.save()
    return WitnessKeyConflict.objects.get(), theirs, claimed


ROLES = {
    "anonymous": 302,
    "researcher": 403,
    "documenter": 403,
    "other-documenter": 403,
    "moderator-unverified": 302,
    "moderator": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_the_conflicts_page_is_for_verified_moderators(
    conflict, role, users, other_documenter, client_for
):
    if role == "moderator-unverified":
        client = client_for(users["moderator"], verified=False)
    elif role == "other-documenter":
        client = client_for(other_documenter)
    else:
        client = client_for(users[role])
    response = client.get(PAGE)
    assert response.status_code == ROLES[role]
    decide = client.post(PAGE, {"conflict": conflict[0].pk, "decision": "same"})
    assert decide.status_code == ROLES[role] if role != "moderator" else 302
    conflict[0].refresh_from_db()
    assert (conflict[0].resolution == "same") == (role == "moderator")
    if role == "moderator":
        assertTemplateUsed(response, "testimonies/witness_key_conflicts.html")
        body = response.content.decode()
        _c, theirs, claimed = conflict
        assert theirs.public_id in body and claimed.public_id in body
        assert theirs.witness.pseudonym in body
        for name in ["Vesperine", "Hollquist", "Vesperina", "Holquist"]:
            assert name not in body


def test_the_same_person_joins_with_every_spelling_kept(
    conflict, client_for, moderator, other_documenter
):
    record, theirs, claimed = conflict
    claimant_id = claimed.witness_id
    client_for(moderator).post(PAGE, {"conflict": record.pk, "decision": "same"})
    claimed.refresh_from_db()
    assert claimed.witness_id == theirs.witness_id
    assert not Witness.objects.filter(pk=claimant_id).exists()
    identity = identity_read(witness=theirs.witness)
    assert identity.name == "Vesperine Hollquist"
    assert "Vesperina Holquist" in identity.name_variants
    # The joined account's own spelling is still redacted.
    from testimonies.redaction.redactor import redacted_texts

    assert "Vesperina" not in redacted_texts(claimed).narrative
    entry = AuditEntry.objects.get(action=AuditAction.WITNESS_KEY_DECIDED)
    assert entry.actor == moderator and "Vesperina" not in entry.detail
    # Now one of theirs: the key joins them directly.
    assert policy.allows(other_documenter, Action.RECORD_UNDER, theirs.witness)


def test_different_people_stay_apart_and_keep_their_witness(
    conflict, client_for, moderator, other_documenter
):
    record, theirs, claimed = conflict
    client_for(moderator).post(PAGE, {"conflict": record.pk, "decision": "different"})
    record.refresh_from_db()
    assert record.resolution == "different" and record.resolved_by == moderator
    _, later = start(
        client_for(other_documenter), name="Vesperina Holquist", witness_key="family-3"
    )
    assert later.witness_id == claimed.witness_id != theirs.witness_id
    assert WitnessKeyConflict.objects.count() == 1


@pytest.mark.usefixtures("empty_media")
def test_an_account_with_files_attached_does_not_move(conflict, moderator):
    record, theirs, claimed = conflict
    attachment_add(testimony=claimed, upload=upload(photo_bytes()), by=moderator)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        witness_key_conflict_resolve(conflict=record, same_person=True, by=moderator)
    claimed.refresh_from_db()
    assert claimed.witness_id != theirs.witness_id
