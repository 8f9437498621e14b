"""The roles page: every role on the permission ladder, role changes through
user_role_set, and the refusals."""

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from archive.audit_actions import AuditAction
from archive.bidi import isolated
from archive.models import AuditEntry
from archive.roles import Role, role_of
from archive.services import user_role_set
from tests import factories

pytestmark = pytest.mark.django_db
ROLES = reverse("roles")


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def role_changes():
    return AuditEntry.objects.filter(action=AuditAction.ROLE_CHANGED)


def set_role(client, username, role):
    return client.post(
        ROLES, {"action": "set-role", "username": username, "role": role}, follow=True
    )


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


# The permission ladder ---------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, researcher):
    data = {"action": "set-role", "username": "researcher", "role": "moderator"}
    for response in (client.get(ROLES), client.post(ROLES, data)):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next=/accounts/roles/"
    assert role_of(fresh(researcher)) is Role.RESEARCHER


@pytest.mark.parametrize("role", ["researcher", "documenter"])
def test_researchers_and_documenters_are_refused(users, client_for, role):
    client = client_for(users[role])
    assert client.get(ROLES).status_code == 403
    response = client.post(
        ROLES, {"action": "set-role", "username": role, "role": "moderator"}
    )
    assert response.status_code == 403
    assert role_of(fresh(users[role])) is Role(role)
    assert not role_changes().exists()


def test_a_moderator_without_a_second_factor_is_sent_to_give_it(
    client_for, moderator, researcher
):
    client = client_for(moderator, verified=False)
    response = client.get(ROLES)
    assert response.status_code == 302
    assert (
        response["Location"] == f"{reverse('two-factor')}?next=%2Faccounts%2Froles%2F"
    )
    response = client.post(
        ROLES, {"action": "set-role", "username": "researcher", "role": "moderator"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two-factor"))
    assert role_of(fresh(researcher)) is Role.RESEARCHER


def test_a_verified_moderator_sees_every_account(verified_client_for, users, moderator):
    factories.UserFactory(username="no-role-yet", is_active=False)
    factories.UserFactory(username="root", is_superuser=True)
    response = verified_client_for(moderator).get(ROLES)
    assert response.status_code == 200
    assert "archive/account_roles.html" in [t.name for t in response.templates]
    rows = {row.user.username: row for row in response.context["accounts"]}
    assert {name: row.role for name, row in rows.items()} == {
        "documenter": Role.DOCUMENTER,
        "moderator": Role.MODERATOR,
        "no-role-yet": Role.PUBLIC,
        "researcher": Role.RESEARCHER,
        "root": Role.MODERATOR,
    }
    page = response.content.decode()
    assert "set by the superuser flag" in page
    assert rows["moderator"].second_factor and not rows["researcher"].second_factor
    # Accounts are named by username in form bodies, never by id in URLs.
    assert 'name="username" value="researcher"' in page
    for user in users.values():
        if user.is_authenticated:
            assert f"{ROLES}{user.pk}" not in page


# Changing roles ----------------------------------------------------------


def test_a_role_change_takes_effect_and_is_audited(
    verified_client_for, client_for, moderator, researcher
):
    staff = verified_client_for(moderator)
    response = set_role(staff, "researcher", "documenter")
    assert page_messages(response) == [isolated("researcher") + " is now: Documenter."]
    assert role_of(fresh(researcher)) is Role.DOCUMENTER
    assert list(fresh(researcher).groups.values_list("name", flat=True)) == [
        "documenter"
    ]
    entry = role_changes().get()
    assert (entry.target, entry.actor, entry.detail) == (
        "researcher",
        moderator,
        "researcher -> documenter",
    )
    # Made a moderator, the account reaches the roles page after a second factor.
    set_role(staff, "researcher", "moderator")
    response = client_for(fresh(researcher), verified=False).get(ROLES)
    assert response["Location"].startswith(reverse("two-factor"))


def test_no_role_leaves_the_account_with_what_the_public_sees(
    verified_client_for, moderator, documenter
):
    keep = Group.objects.create(name="newsletter")
    documenter.groups.add(keep)
    set_role(verified_client_for(moderator), "documenter", "none")
    assert role_of(fresh(documenter)) is Role.PUBLIC
    assert list(fresh(documenter).groups.all()) == [keep]
    assert role_changes().get().detail == "documenter -> none"


def test_setting_the_same_role_changes_and_records_nothing(
    verified_client_for, moderator, researcher
):
    response = set_role(verified_client_for(moderator), "researcher", "researcher")
    assert page_messages(response) == [
        isolated("researcher") + " already has that role."
    ]
    assert not role_changes().exists()


def test_a_superusers_role_is_not_changed_here(verified_client_for, moderator):
    root = factories.UserFactory(username="root", is_superuser=True)
    response = set_role(verified_client_for(moderator), "root", "researcher")
    assert page_messages(response) == [
        "root is a superuser: their role cannot be changed here."
    ]
    assert role_of(fresh(root)) is Role.MODERATOR
    assert not role_changes().exists()


def test_a_moderator_cannot_remove_their_own_role(verified_client_for, moderator):
    response = set_role(verified_client_for(moderator), "moderator", "researcher")
    assert page_messages(response) == [
        "You cannot remove your own moderator role. Ask another moderator."
    ]
    assert role_of(fresh(moderator)) is Role.MODERATOR
    assert not role_changes().exists()


def test_another_moderator_can_be_demoted(verified_client_for, moderator):
    other = factories.UserFactory(username="second-moderator")
    other.groups.add(Group.objects.get(name="moderator"))
    set_role(verified_client_for(moderator), "second-moderator", "researcher")
    assert role_of(fresh(other)) is Role.RESEARCHER


@pytest.mark.parametrize(
    "data,message",
    [
        ({"username": "nobody", "role": "researcher"}, "no account with that username"),
        ({"username": "researcher", "role": "admin"}, "Select a valid choice"),
        ({"role": "researcher"}, "This field is required"),
    ],
)
def test_bad_requests_change_nothing(
    verified_client_for, moderator, researcher, data, message
):
    response = verified_client_for(moderator).post(
        ROLES, {"action": "set-role", **data}, follow=True
    )
    assert any(message in text for text in page_messages(response))
    assert role_of(fresh(researcher)) is Role.RESEARCHER
    assert not role_changes().exists()


def test_only_a_moderator_may_call_the_service(researcher, documenter):
    with pytest.raises(PermissionDenied):
        user_role_set(user=documenter, role=Role.MODERATOR, changed_by=researcher)
    with pytest.raises(ValidationError) as refused:
        user_role_set(
            user=factories.UserFactory(is_superuser=True),
            role=Role.PUBLIC,
            changed_by=factories.UserFactory(is_superuser=True),
        )
    assert refused.value.code == "superuser"


def test_the_page_costs_the_same_queries_for_any_number_of_accounts(
    verified_client_for, moderator
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = verified_client_for(moderator)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(ROLES).status_code == 200
        return len(captured)

    # The clock stands still: the session's expiry, written at most once a
    # minute (archive.session_expiry), is written by the first request only.
    with time_machine.travel(timezone.now(), tick=False):
        queries()
        few = queries()
        for number in range(10):
            factories.UserFactory(username=f"extra-{number}").groups.add(
                Group.objects.get(name="researcher")
            )
        assert queries() == few


# A lost phone -----------------------------------------------------------


def test_a_moderator_resets_another_accounts_second_factor(
    verified_client_for, moderator, second_factor, documenter
):
    second_factor(documenter)
    staff = verified_client_for(moderator)
    response = staff.post(
        ROLES, {"action": "reset-second-factor", "username": "documenter"}, follow=True
    )
    assert (
        isolated("documenter") + " will set up a new authenticator app"
        in response.content.decode()
    )
    assert not TOTPDevice.objects.filter(user=documenter).exists()
    entry = AuditEntry.objects.get(action=AuditAction.SECOND_FACTOR_RESET)
    assert (entry.actor, entry.target) == (moderator, "documenter")


def test_a_moderator_s_reset_gives_an_enrolment_link_and_nothing_else(
    verified_client_for, moderator, second_factor, django_user_model
):
    colleague = django_user_model.objects.create_user("colleague", password="x" * 14)
    colleague.groups.add(Group.objects.get(name="moderator"))
    second_factor(colleague)
    response = verified_client_for(moderator).post(
        ROLES, {"action": "reset-second-factor", "username": "colleague"}
    )
    assert response.status_code == 200
    assert "/accounts/enrol/#" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=colleague).exists()
    actions = set(
        AuditEntry.objects.filter(target="colleague").values_list("action", flat=True)
    )
    assert actions == {
        AuditAction.SECOND_FACTOR_RESET,
        AuditAction.ENROLMENT_LINK_ISSUED,
    }


def test_no_one_resets_their_own_second_factor(verified_client_for, moderator):
    staff = verified_client_for(moderator)
    page = staff.get(ROLES).content.decode()
    own_row = page.split('data-username="moderator"')[1].split("</tr>")[0]
    assert "reset-second-factor" not in own_row
    response = staff.post(
        ROLES, {"action": "reset-second-factor", "username": "moderator"}, follow=True
    )
    assert "Ask another moderator" in response.content.decode()
    assert TOTPDevice.objects.filter(user=moderator).exists()


def test_only_verified_moderators_reset_a_second_factor(
    client_for, researcher, documenter, moderator, second_factor
):
    device = second_factor(documenter)
    body = {"action": "reset-second-factor", "username": "documenter"}
    assert client_for(None).post(ROLES, body).status_code == 302
    assert client_for(researcher).post(ROLES, body).status_code == 403
    unverified = client_for(moderator, verified=False).post(ROLES, body)
    assert unverified["Location"].startswith(reverse("two-factor"))
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
