"""Recording consent: the record's rules, the service, the form and the page
at /testimonies/<public id>/consent/ walked up the permission ladder."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed

from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.consent.forms import ConsentForm
from testimonies.consent.models.consent import ConsentEvent
from testimonies.consent.services.consent import consent_capture, consent_record
from testimonies.models import ConsentRecord, TestimonyStatus
from tests import factories
from tests.factories import EVERY_SCOPE_OFF

pytestmark = pytest.mark.django_db

ALL_EXPLAINED = {
    "explained_purpose": True, "explained_audience": True,
    "explained_risks": True, "explained_withdrawal": True,
}  # fmt: skip
DAY = datetime.date(2025, 3, 20)


def terms(**overrides):
    """Complete keyword arguments for consent_record / consent_capture."""
    base = {
        "scopes": {**EVERY_SCOPE_OFF, "archive": True, "researchers": True},
        "method": "oral",
        "obtained_by": "documenter",
        "obtained_on": DAY,
        "explained": dict(ALL_EXPLAINED),
        "witness_is_minor": False,
    }
    return {**base, **overrides}


@pytest.fixture
def own(documenter):
    return factories.testimony(status="draft", recorded_by=documenter, consent={})


@pytest.fixture
def other_documenter(db):
    user = factories.UserFactory(username="other-documenter")
    user.groups.add(Group.objects.get(name="documenter"))
    return user


def codes(error: ValidationError) -> dict:
    return {
        field: [e.code for e in errors] for field, errors in error.error_dict.items()
    }


# The record's rules


def test_a_minors_grant_needs_guardian_consent_and_child_assent(own):
    with pytest.raises(ValidationError) as caught:
        consent_record(testimony=own, **terms(witness_is_minor=True))
    assert codes(caught.value) == {
        "guardian_consent": ["guardian_consent_missing"],
        "child_assent": ["child_assent_missing"],
    }
    with pytest.raises(ValidationError) as caught:
        consent_record(
            testimony=own,
            **terms(witness_is_minor=True, guardian_consent=True),
        )
    assert codes(caught.value) == {
        "child_assent": ["child_assent_missing"],
        "guardian_relation": ["guardian_relation_missing"],
    }
    assert not ConsentRecord.objects.filter(testimony=own).exists()


def test_a_minors_grant_with_guardian_and_assent_is_recorded(own):
    record = consent_record(
        testimony=own,
        **terms(
            witness_is_minor=True,
            guardian_consent=True,
            guardian_relation="parent",
            child_assent=True,
        ),
    )
    record.refresh_from_db()
    assert record.witness_is_minor and record.guardian_consent and record.child_assent
    assert record.guardian_relation == "parent"


def test_guardian_details_on_an_adults_record_are_refused(own):
    with pytest.raises(ValidationError) as caught:
        consent_record(testimony=own, **terms(guardian_consent=True))
    assert codes(caught.value) == {"guardian_consent": ["not_a_minor"]}


@pytest.mark.parametrize("point", sorted(ALL_EXPLAINED))
def test_sharing_beyond_the_archive_needs_every_point_explained(own, point):
    explained = {**ALL_EXPLAINED, point: False}
    with pytest.raises(ValidationError) as caught:
        consent_record(testimony=own, **terms(explained=explained))
    assert codes(caught.value) == {point: ["not_informed"]}


def test_keeping_in_the_archive_alone_may_be_recorded_before_everything_is_explained(
    own,
):
    record = consent_record(
        testimony=own,
        **terms(
            scopes={**EVERY_SCOPE_OFF, "archive": True},
            explained={**ALL_EXPLAINED, "explained_risks": False},
        ),
    )
    assert record.archive and record.points_explained is False


def test_imports_record_points_and_age_as_not_recorded(own):
    """The import format has no such fields: its records say nothing."""
    record = consent_record(
        testimony=own,
        scopes={**EVERY_SCOPE_OFF, "archive": True, "public": True},
        method="written",
        obtained_by="import",
        obtained_on=DAY,
    )
    record.refresh_from_db()
    assert record.points_explained is None and record.witness_is_minor is None


# The service behind the form


def test_saving_never_edits_an_earlier_record(own, documenter):
    first = consent_capture(testimony=own, user=documenter, **terms())
    snapshot = {
        f.name: getattr(first, f.name) for f in ConsentRecord._meta.concrete_fields
    }
    second = consent_capture(
        testimony=own,
        user=documenter,
        **terms(scopes={**EVERY_SCOPE_OFF, "archive": True}, obtained_on=DAY),
    )
    assert second.pk != first.pk
    first.refresh_from_db()
    assert {
        f.name: getattr(first, f.name) for f in ConsentRecord._meta.concrete_fields
    } == snapshot
    assert own.current_consent() == second
    assert list(own.consent_records.order_by("pk")) == [first, second]
    assert (
        AuditEntry.objects.filter(
            action=AuditAction.CONSENT_RECORDED, target=own.public_id
        ).count()
        == 2
    )


def test_a_documenter_widening_an_approved_testimony_sends_it_to_review(documenter):
    testimony = factories.testimony(
        recorded_by=documenter, consent={"archive": True, "researchers": True}
    )
    scopes = {**EVERY_SCOPE_OFF, "archive": True, "researchers": True, "public": True}
    consent_capture(testimony=testimony, user=documenter, **terms(scopes=scopes))
    testimony.refresh_from_db()
    assert testimony.status == TestimonyStatus.SUBMITTED
    assert testimony.submitted_at is not None
    assert AuditEntry.objects.filter(
        action=AuditAction.SUBMITTED, target=testimony.public_id
    ).exists()


def test_a_documenter_narrowing_an_approved_testimony_takes_effect_at_once(
    documenter,
):
    testimony = factories.testimony(recorded_by=documenter)
    scopes = {**EVERY_SCOPE_OFF, "archive": True, "researchers": True}
    consent_capture(testimony=testimony, user=documenter, **terms(scopes=scopes))
    testimony.refresh_from_db()
    assert testimony.status == TestimonyStatus.APPROVED
    assert testimony.current_consent().public is False


def test_a_moderator_widening_consent_leaves_the_testimony_approved(moderator):
    testimony = factories.testimony(consent={"archive": True, "researchers": True})
    scopes = {**EVERY_SCOPE_OFF, "archive": True, "researchers": True, "public": True}
    consent_capture(testimony=testimony, user=moderator, **terms(scopes=scopes))
    testimony.refresh_from_db()
    assert testimony.status == TestimonyStatus.APPROVED


# The form: errors beside their fields


def form_data(**overrides):
    data = {
        "archive": "on", "researchers": "on", "method": "oral",
        "obtained_by": "documenter", "obtained_on": "2025-03-20",
        "explained_purpose": "on", "explained_audience": "on",
        "explained_risks": "on", "explained_withdrawal": "on",
        "witness_is_minor": "no", "images": "researchers",
    }  # fmt: skip
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def bound_form(testimony, **overrides):
    blank = ConsentRecord(testimony=testimony, event=ConsentEvent.GRANT)
    return ConsentForm(form_data(**overrides), instance=blank)


def test_form_puts_each_error_beside_its_field(own):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = bound_form(
        own,
        obtained_on=tomorrow.isoformat(),
        witness_is_minor=None,
        explained_risks=None,
        method=None,
    )
    assert not form.is_valid()
    assert form.has_error("obtained_on", "future")
    assert form.has_error("witness_is_minor", "required")
    assert form.has_error("method", "required")


def test_form_reports_the_records_rules_beside_their_fields(own):
    form = bound_form(own, explained_risks=None)
    assert not form.is_valid()
    assert form.has_error("explained_risks", "not_informed")
    form = bound_form(own, witness_is_minor="yes", guardian_consent="on")
    assert not form.is_valid()
    assert form.has_error("child_assent", "child_assent_missing")
    assert form.has_error("guardian_relation", "guardian_relation_missing")
    form = bound_form(own, researchers=None, archive=None, public="on")
    assert not form.is_valid()
    assert form.has_error("__all__", "archive_required")


def test_form_refuses_an_embargo_ending_before_consent(own):
    form = bound_form(own, embargo_until="2025-03-01")
    assert not form.is_valid()
    assert form.has_error("embargo_until", "embargo_before_consent")


def test_form_answers_every_point_explicitly(own):
    form = bound_form(own, researchers=None, explained_risks=None)
    assert form.is_valid(), form.errors
    assert form.service_terms()["explained"]["explained_risks"] is False
    assert form.service_terms()["witness_is_minor"] is False


# The page, walked up the ladder


def url(testimony):
    return reverse("testimonies:consent", kwargs={"public_id": testimony.public_id})


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_consent_page_is_404_for_readers(own, users, client_for, role):
    client = client_for(users[role])
    assert client.get(url(own)).status_code == 404
    assert client.post(url(own), form_data()).status_code == 404
    assert not own.consent_records.exists()


def test_consent_page_is_404_for_another_documenter(own, other_documenter, client_for):
    client = client_for(other_documenter)
    assert client.get(url(own)).status_code == 404
    assert client.post(url(own), form_data()).status_code == 404


def test_consent_page_is_404_for_a_withdrawn_testimony(documenter, client_for):
    withdrawn = factories.testimony(
        status="withdrawn", consent={}, recorded_by=documenter
    )
    assert client_for(documenter).get(url(withdrawn)).status_code == 404


def test_consent_page_for_the_recording_documenter(own, documenter, client_for):
    response = client_for(documenter).get(url(own))
    assert response.status_code == 200
    assertTemplateUsed(response, "testimonies/consent_form.html")
    body = response.content.decode()
    assert "Vetted researchers may read it" in body  # a scope's plain line
    assert 'value="documenter"' in body  # obtained by, prefilled
    assert "Ayman" not in body and "Layla" not in body  # no witness name
    assert response["Cache-Control"].startswith("max-age=0")


def test_posting_the_form_appends_a_record(own, documenter, client_for):
    client = client_for(documenter)
    response = client.post(url(own), form_data(embargo_until="2030-01-01"))
    assert response.status_code == 302 and response["Location"] == url(own)
    record = own.current_consent()
    assert record.granted_scopes == ["archive", "researchers"]
    assert record.recorded_by == documenter and record.points_explained is True
    assert record.embargo_until == datetime.date(2030, 1, 1)
    body = client.get(url(own)).content.decode()
    assert "1 January 2030" in body  # the history shows it


def test_posting_a_bad_form_shows_errors_and_records_nothing(
    own, documenter, client_for
):
    response = client_for(documenter).post(url(own), form_data(witness_is_minor="yes"))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_child_assent_error"' in body
    assert 'id="id_guardian_consent_error"' in body
    assert not own.consent_records.exists()


def test_consent_page_for_a_verified_moderator(own, moderator, verified_client_for):
    client = verified_client_for(moderator)
    assert client.get(url(own)).status_code == 200
    assert client.post(url(own), form_data()).status_code == 302
    assert own.current_consent().recorded_by == moderator


def test_consent_page_sends_an_unverified_moderator_to_the_second_factor(
    own, moderator, client_for
):
    response = client_for(moderator, verified=False).get(url(own))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor") + "?next=")
    assert (
        client_for(moderator, verified=False).post(url(own), form_data()).status_code
        == 302
    )
    assert not own.consent_records.exists()


# Who may be given the witness's identity (accountability packages)

IIIM = "International, Impartial and Independent Mechanism (IIIM)"


def test_the_form_asks_whom_the_identity_may_go_to_in_both_languages(
    own, documenter, client_for
):
    body = client_for(documenter).get(url(own)).content.decode()
    assert 'name="identity_recipients"' in body
    assert "Which bodies or purposes may be given your name" in body
    assert "ما الهيئات أو الأغراض التي يجوز أن يُعطى لها اسمك" in body


def test_posting_the_bodies_named_records_them_with_accountability(
    own, documenter, moderator, client_for
):
    response = client_for(documenter).post(
        url(own),
        form_data(accountability="on", identity_recipients=f" {IIIM} \nUN COI Syria\n"),
    )
    assert response.status_code == 302
    record = own.consent_records.get()
    assert record.identity_recipient_list == [IIIM, "UN COI Syria"]
    # Moderators see the bodies named in the consent history.
    page = client_for(moderator).get(own.get_absolute_url()).content.decode()
    assert f"{IIIM}; UN COI Syria" in page
    assert record.names_identity_recipient("un coi  syria")
    assert not record.names_identity_recipient("UN")


def test_the_form_refuses_bodies_named_without_accountability_consent(own):
    form = bound_form(own, identity_recipients=IIIM)
    assert not form.is_valid()
    assert form.has_error("identity_recipients", "identity_without_accountability")


def test_a_documenter_naming_a_new_body_sends_an_approved_account_back(
    documenter,
):
    approved = factories.testimony(
        recorded_by=documenter,
        consent={"archive": True, "researchers": True, "accountability": True},
    )
    consent_capture(
        testimony=approved,
        user=documenter,
        **terms(
            scopes={**approved.current_consent().scopes},
            identity_recipients=IIIM,
        ),
    )
    approved.refresh_from_db()
    assert approved.status == TestimonyStatus.SUBMITTED
