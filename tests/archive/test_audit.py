"""The audit log as a hash chain, checked by verify_audit and in the site."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse

from archive.audit import GENESIS, audit_record, audit_record_many
from archive.audit_check import audit_verify
from archive.models import AuditAction, AuditEntry
from testimonies.consent.services.consent import consent_withdraw
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
    second = audit_record(action=AuditAction.EXPORTED, actor_label="test")
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
    audit_record(action=AuditAction.EXPORTED, actor_label="t")
    last = audit_record(action=AuditAction.EXPORTED, actor_label="t")
    report = audit_verify()
    assert report.broken is None
    assert (report.entries, report.head) == (2, last.digest)


# The log page: moderators only, with a second factor.


def test_audit_log_page_walks_the_permission_ladder(
    users, client_for, verified_client_for
):
    audit_record(action=AuditAction.EXPORTED, actor_label="someone", target="abc")
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
    audit_record(action=AuditAction.EXPORTED, actor_label="alpha", target="t-one")
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
            {"action": AuditAction.EXPORTED, "actor_label": "a"},
            {"action": AuditAction.IMPORTED, "actor_label": "b", "detail": "2"},
        ]
    )
    assert [e.pk for e in entries] == sorted(e.pk for e in entries)
    assert entries[0].pk > before.pk
    assert entries[0].previous_digest == before.digest
    assert entries[1].previous_digest == entries[0].digest
    after = audit_record(action=AuditAction.EXPORTED, actor_label="test")
    assert after.previous_digest == entries[1].digest
    assert audit_verify().broken is None
