"""The audit log as a hash chain, checked by verify_audit and in the site."""

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.urls import reverse

from archive import audit_actions
from archive.audit import GENESIS, audit_record, audit_record_many, entry_digest
from archive.audit_actions import AuditAction as AccountAction
from archive.audit_actions import UndeclaredAuditAction, audit_actions_register
from archive.audit_check import audit_verify
from archive.models import AuditEntry
from search.audit_actions import AuditAction as SearchAction
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.consent import consent_withdraw
from testimonies.incidents.audit_actions import IncidentAuditAction
from tests import factories
from tests.databases import scratch_database_url

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[2]


def _sql(statement, params=()):
    """Write to the database behind the application's back, as an intruder
    with a database shell would."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _verify_audit_failure():
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    return str(failure.value)


def test_each_entry_carries_the_digest_of_the_one_before():
    first = audit_record(action=AuditAction.IMPORTED, actor_label="test")
    second = audit_record(action=SearchAction.EXPORTED, actor_label="test")
    assert first.previous_digest == GENESIS
    assert second.previous_digest == first.digest
    assert len(second.digest) == 64 and second.digest != first.digest


def test_verify_audit_passes_on_an_untouched_chain(archive, capsys):
    consent_withdraw(
        testimony=archive["banias"], scopes=["public"], reason="r", obtained_by="m"
    )
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "The audit chain holds" in out
    assert str(AuditEntry.objects.count()) in out


def test_an_edited_audit_entry_is_named(archive):
    victim = AuditEntry.objects.order_by("pk")[2]
    _sql("UPDATE archive_auditentry SET detail = 'nothing' WHERE id = %s", [victim.pk])
    assert f"audit entry {victim.pk}: has been changed" in _verify_audit_failure()


def test_a_removed_audit_entry_breaks_the_link_after_it(archive):
    entries = list(AuditEntry.objects.order_by("pk"))
    _sql("DELETE FROM archive_auditentry WHERE id = %s", [entries[1].pk])
    message = _verify_audit_failure()
    assert f"audit entry {entries[2].pk}: does not follow" in message


def test_an_edited_consent_record_is_named_by_the_entry_that_seals_it(archive):
    record = archive["researchers-only"].consent_records.get()
    seal = AuditEntry.objects.get(subject_id=str(record.pk))
    # Quietly widening consent to the public: the worst edit there is.
    _sql(
        "UPDATE testimonies_consentrecord SET public = %s WHERE id = %s",
        [True, record.pk],
    )
    message = _verify_audit_failure()
    assert f"audit entry {seal.pk}" in message
    assert f"testimonies.consentrecord {record.pk} has been changed" in message


def test_a_consent_record_slipped_in_without_its_entry_is_reported(archive):
    record = archive["banias"].consent_records.get()
    with connection.cursor() as cursor:
        columns = [
            column.name
            for column in connection.introspection.get_table_description(
                cursor, "testimonies_consentrecord"
            )
            if column.name != "id"
        ]
    listed = ", ".join(columns)
    _sql(
        f"INSERT INTO testimonies_consentrecord ({listed}) SELECT {listed}"  # noqa: S608
        " FROM testimonies_consentrecord WHERE id = %s",
        [record.pk],
    )
    assert "is not sealed by any entry" in _verify_audit_failure()


def test_the_log_never_holds_a_witness_identity(archive):
    consent_withdraw(
        testimony=archive["kusour"], scopes=None, reason="asked", obtained_by="m"
    )
    dumped = "\n".join(
        " ".join(map(str, row))
        for row in AuditEntry.objects.values_list(
            "actor_label", "target", "detail", "subject_type", "subject_id"
        )
    )
    assert "Ayman" not in dumped and "Fares" not in dumped
    assert archive["kusour"].public_id in dumped


@pytest.fixture
def database_url(tmp_path):
    with scratch_database_url(tmp_path) as url:
        yield url


@pytest.mark.slow
def test_two_processes_appending_at_once_keep_one_chain(tmp_path, database_url):
    """Each process reads the head and appends under the write lock (SQLite's
    immediate transactions, PostgreSQL's advisory lock, whichever the suite
    runs on): no two entries ever claim the same predecessor."""
    env = {
        **os.environ,
        "ARCHIVE_DATA_DIR": str(tmp_path),
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "archive.settings.dev",
    }
    manage = [sys.executable, str(REPO / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=REPO)
    append = (
        "from archive.audit import audit_record\n"
        "for n in range(40): audit_record(action='exported', actor_label='p')\n"
    )
    writers = [
        subprocess.Popen([*manage, "shell", "-c", append], env=env, cwd=REPO)
        for _ in range(2)
    ]
    assert [writer.wait(timeout=120) for writer in writers] == [0, 0]
    verified = subprocess.run(
        [*manage, "verify_audit"], env=env, cwd=REPO, capture_output=True, text=True
    )
    assert verified.returncode == 0, verified.stderr
    assert "80 entries" in verified.stdout


def test_report_gives_the_head_of_the_chain():
    audit_record(action=SearchAction.EXPORTED, actor_label="t")
    last = audit_record(action=SearchAction.EXPORTED, actor_label="t")
    report = audit_verify()
    assert report.broken is None
    assert (report.entries, report.head) == (2, last.digest)


# The log page: moderators only, with a second factor.


def test_audit_log_page_walks_the_permission_ladder(
    users, client_for, verified_client_for
):
    audit_record(action=SearchAction.EXPORTED, actor_label="someone", target="abc")
    url = reverse("audit-log")
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    for role in ("researcher", "documenter"):
        assert client_for(users[role]).get(url).status_code == 403
    unverified = client_for(users["moderator"], verified=False).get(url)
    assert unverified.status_code == 302
    assert unverified["Location"].startswith(reverse("two-factor"))
    page = verified_client_for(users["moderator"]).get(url)
    assert page.status_code == 200
    assert "archive/audit_log.html" in [t.name for t in page.templates]
    assert b"someone" in page.content


def test_audit_log_filters_by_action_actor_and_target(moderator, verified_client_for):
    audit_record(action=SearchAction.EXPORTED, actor_label="alpha", target="t-one")
    audit_record(action=AuditAction.ERASED, actor_label="beta", target="t-two")
    client = verified_client_for(moderator)
    url = reverse("audit-log")
    by_action = client.get(url, {"action": "erased"}).context["page"]
    assert [e.target for e in by_action] == ["t-two"]
    by_actor = client.get(url, {"actor": "ALPHA"}).context["page"]
    assert [e.target for e in by_actor] == ["t-one"]
    by_target = client.get(url, {"target": "t-two"}).context["page"]
    assert [e.actor_label for e in by_target] == ["beta"]
    bad = client.get(url, {"date_from": "2025-03-09", "date_to": "2025-03-01"})
    assert "The start date must not be after the end date." in bad.content.decode()


def test_chain_check_page_reports_a_break(
    archive, moderator, verified_client_for, client_for, researcher
):
    url = reverse("audit-check")
    assert client_for(None).post(url).status_code == 302
    assert client_for(researcher).post(url).status_code == 403
    client = verified_client_for(moderator)
    assert client.get(url).status_code == 405
    assert "The chain holds" in client.post(url).content.decode()
    victim = AuditEntry.objects.order_by("pk").first()
    _sql("UPDATE archive_auditentry SET target = 'x' WHERE id = %s", [victim.pk])
    broken = client.post(url).content.decode()
    assert "The chain is broken." in broken
    assert f"entry {victim.pk}" in broken


def test_factories_still_write_sealed_consent(coast):
    factories.testimony(narrative="Sealed.", places=[coast["banias"]])
    assert audit_verify().broken is None


def test_entries_appended_together_continue_the_chain_in_order():
    before = audit_record(action=AuditAction.IMPORTED, actor_label="test")
    entries = audit_record_many(
        [
            {"action": SearchAction.EXPORTED, "actor_label": "a"},
            {"action": AuditAction.IMPORTED, "actor_label": "b", "detail": "2"},
        ]
    )
    assert [e.pk for e in entries] == sorted(e.pk for e in entries)
    assert entries[0].pk > before.pk
    assert entries[0].previous_digest == before.digest
    assert entries[1].previous_digest == entries[0].digest
    after = audit_record(action=SearchAction.EXPORTED, actor_label="test")
    assert after.previous_digest == entries[1].digest
    assert audit_verify().broken is None


# Actions are declared by the app that owns them.

# Every value entries were ever stored with: the chain's digests cover them,
# so none may change whichever app declares it.
STORED_ACTIONS = {
    "archive": {
        "role_changed",
        "second_factor_added",
        "second_factor_reset",
        "account_locked",
        "account_unlocked",
        "enrolment_link_issued",
        "account_deactivated",
        "account_reactivated",
        "invitation_sent",
        "invitation_used",
        "invitation_refused",
        "invitation_withdrawn",
        "password_reset_sent",
        "password_reset_used",
    },
    "testimonies": {
        "read_original",
        "read_identity",
        "redaction_changed",
        "consent_recorded",
        "consent_withdrawn",
        "imported",
        "submitted",
        "approved",
        "sent_back",
        "erased",
        "attachment_added",
        "attachment_removed",
        "blur_changed",
        "read_media_original",
        "witness_key_decided",
        "held_from_public",
        "released_to_public",
        "review_assigned",
        "review_unassigned",
        "package_exported",
    },
    "search": {"exported"},
    "incidents": {
        "incident_proposed",
        "incident_confirmed",
        "incident_merged",
        "incident_split",
        "incident_linked",
        "incident_unlinked",
        "incident_edited",
        "incident_witness_communities_read",
    },
}


def test_each_app_declares_its_own_actions_with_their_stored_values():
    declared = {
        "archive": set(AccountAction.values),
        "testimonies": set(AuditAction.values),
        "search": set(SearchAction.values),
        "incidents": set(IncidentAuditAction.values),
    }
    assert declared == STORED_ACTIONS
    every = set().union(*STORED_ACTIONS.values())
    assert {value for value, _ in audit_actions.audit_action_choices()} == every


def test_an_undeclared_action_is_refused_and_nothing_is_written():
    before = AuditEntry.objects.count()
    with pytest.raises(UndeclaredAuditAction):
        audit_record(action="painted_the_walls", actor_label="test")
    with pytest.raises(UndeclaredAuditAction):
        audit_record_many(
            [
                {"action": SearchAction.EXPORTED, "actor_label": "a"},
                {"action": "painted_the_walls", "actor_label": "b"},
            ]
        )
    assert AuditEntry.objects.count() == before


def test_two_apps_may_not_declare_the_same_stored_value():
    class Clash(models.TextChoices):
        EXPORTED = "exported", "Something else"

    with pytest.raises(ImproperlyConfigured, match="exported"):
        audit_actions_register(Clash)
    # Declaring the same actions again (a second ready()) changes nothing.
    audit_actions_register(SearchAction)
    assert audit_actions.audit_action_label("exported") == "Exported search results"


def test_an_entry_digests_as_it_did_when_archive_declared_every_action():
    # Chains written before the actions moved to their apps must still
    # verify: the digest covers the stored value, which is unchanged. The
    # expected digest was computed by the code of that time.
    entry = AuditEntry(
        previous_digest=GENESIS,
        at=datetime.datetime(2025, 3, 9, 12, 0, tzinfo=datetime.UTC),
        actor_label="moderator",
        action=AuditAction.READ_IDENTITY,
        target="abc123",
    )
    assert entry_digest(entry) == (
        "c4ecf322bf59f8f0000ef36497f028cf67b4c9ba55cfc520172cfc9a8e2db732"
    )


def test_the_log_shows_and_filters_each_apps_actions_in_english_and_arabic(
    moderator, verified_client_for
):
    audit_record(action=AccountAction.ROLE_CHANGED, actor_label="a", target="t-1")
    audit_record(action=AuditAction.WITNESS_KEY_DECIDED, actor_label="b", target="t-2")
    audit_record(action=SearchAction.EXPORTED, actor_label="c", target="t-3")
    client = verified_client_for(moderator)
    url = reverse("audit-log")
    english = client.get(url).content.decode()
    arabic = client.get("/ar" + url).content.decode()
    for label, translated in (
        ("Changed a role", "غيّر دورًا"),
        ("Decided a witness key conflict", "بتّ في تعارض على مفتاح شاهد"),
        ("Exported search results", "صدّر نتائج بحث"),
    ):
        # In the table and as an option of the filter.
        assert english.count(label) == 2, label
        assert arabic.count(translated) == 2, translated
    for action, target in (
        ("role_changed", "t-1"),
        ("witness_key_decided", "t-2"),
        ("exported", "t-3"),
    ):
        page = client.get(url, {"action": action}).context["page"]
        assert [entry.target for entry in page] == [target]


def test_the_admin_lists_and_filters_entries_by_their_declared_label(
    moderator, verified_client_for
):
    audit_record(action=AccountAction.ROLE_CHANGED, actor_label="a", target="t-1")
    audit_record(action=SearchAction.EXPORTED, actor_label="c", target="t-3")
    client = verified_client_for(moderator)
    url = reverse("admin:archive_auditentry_changelist")
    listing = client.get(url)
    assert listing.status_code == 200
    body = listing.content.decode()
    assert "Changed a role" in body and "Exported search results" in body
    filtered = client.get(url, {"action": "exported"})
    assert [e.target for e in filtered.context["cl"].result_list] == ["t-3"]
