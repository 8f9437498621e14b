"""withdraw_consent and create_demo_accounts, as an operator runs them."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from archive.models import AuditEntry
from testimonies.models import Testimony
from tests import factories

pytestmark = pytest.mark.django_db


def test_withdraw_named_scopes_only(capsys):
    testimony = factories.testimony()
    call_command(
        "withdraw_consent", testimony.public_id, "--scope", "public", "--scope",
        "media", "--reason", "the family asked",
    )  # fmt: skip
    consent = testimony.current_consent()
    assert consent.event == "withdrawal" and consent.reason == "the family asked"
    assert consent.granted_scopes == ["archive", "researchers"]
    assert Testimony.objects.get(pk=testimony.pk).status == "approved"
    assert "scopes left: archive, researchers" in capsys.readouterr().out
    entry = AuditEntry.objects.get(action="consent_withdrawn")
    assert entry.target == testimony.public_id and entry.detail == "media, public"


def test_withdraw_everything_marks_the_testimony_withdrawn():
    testimony = factories.testimony()
    call_command("withdraw_consent", testimony.public_id, "--reason", "threats")
    testimony.refresh_from_db()
    assert testimony.status == "withdrawn"
    assert testimony.current_consent().granted_scopes == []


def test_withdrawing_archive_withdraws_everything():
    testimony = factories.testimony()
    call_command(
        "withdraw_consent", testimony.public_id, "--scope", "archive", "--reason", "r"
    )
    assert testimony.current_consent().granted_scopes == []


def test_withdraw_refuses_unknown_ids_and_empty_reasons():
    testimony = factories.testimony()
    with pytest.raises(CommandError, match="No testimony"):
        call_command("withdraw_consent", "nope", "--reason", "r")
    with pytest.raises(CommandError, match="reason"):
        call_command("withdraw_consent", testimony.public_id, "--reason", "  ")
    assert testimony.consent_records.count() == 1


def test_demo_accounts_one_per_role_and_idempotent():
    call_command("create_demo_accounts")
    call_command("create_demo_accounts")
    users = get_user_model().objects.order_by("username")
    assert [(u.username, [g.name for g in u.groups.all()]) for u in users] == [
        ("documenter", ["documenter"]),
        ("moderator", ["moderator"]),
        ("researcher", ["researcher"]),
    ]
    assert users.get(username="moderator").check_password("archive-demo-2025")


def test_demo_accounts_refused_without_dev_password(settings):
    del settings.DEMO_ACCOUNTS_PASSWORD
    with pytest.raises(CommandError):
        call_command("create_demo_accounts")
