"""The access policy, read three ways (database, index fields, search
filter), must give the same answer for every role and consent state."""

import pytest
from haystack.query import SearchQuerySet

from archive.roles import Role, role_of
from testimonies import policy
from testimonies.models import Testimony
from testimonies.policy import Action
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db


def test_only_moderators_and_the_recording_documenter_read_unredacted(
    users, documenter
):
    own = factories.testimony(recorded_by=documenter)
    other = factories.testimony()
    allowed = {
        role: (
            policy.allows(u, Action.READ_UNREDACTED, own),
            policy.allows(u, Action.READ_UNREDACTED, other),
        )
        for role, u in users.items()
    }
    assert allowed == {
        "anonymous": (False, False),
        "researcher": (False, False),
        "documenter": (True, False),
        "moderator": (True, True),
    }


def test_roles_come_from_groups_and_superusers_moderate(users):
    superuser = factories.UserFactory(username="root", is_superuser=True)
    plain = factories.UserFactory(username="nobody")
    inactive = factories.UserFactory(username="gone", is_active=False)
    inactive.groups.add(*users["moderator"].groups.all())
    assert [role_of(u) for u in users.values()] == [
        Role.PUBLIC,
        Role.RESEARCHER,
        Role.DOCUMENTER,
        Role.MODERATOR,
    ]
    assert role_of(superuser) is Role.MODERATOR
    assert role_of(plain) is Role.PUBLIC
    assert role_of(inactive) is Role.PUBLIC


def test_role_groups_exist_with_their_contract_names():
    from django.contrib.auth.models import Group

    names = set(Group.objects.values_list("name", flat=True))
    assert {"documenter", "researcher", "moderator"} <= names


def test_who_may_withdraw_and_erase(users, documenter):
    own = factories.testimony(recorded_by=documenter)
    other = factories.testimony()
    withdrawn_own = factories.testimony(
        recorded_by=documenter, status="withdrawn", consent={}
    )
    erased = factories.testimony(recorded_by=documenter, status="erased")
    rights = {
        role: [
            (
                policy.allows(user, Action.WITHDRAW, t),
                policy.allows(user, Action.ERASE, t),
            )
            for t in (own, other, withdrawn_own, erased)
        ]
        for role, user in users.items()
    }
    nothing = [(False, False)] * 4
    assert rights == {
        "anonymous": nothing,
        "researcher": nothing,
        "documenter": [(True, False), (False, False), (False, False), (False, False)],
        "moderator": [(True, True), (True, True), (True, True), (False, False)],
    }


SCOPES = ["archive", "researchers", "accountability", "public", "media", "named"]


@pytest.mark.parametrize("missing", SCOPES)
def test_a_scope_not_granted_is_reported_and_opens_nothing(missing):
    granted = {scope: scope != missing for scope in SCOPES}
    if missing == "archive":  # nothing can be shared that may not be kept
        granted = {scope: False for scope in SCOPES}
    testimony = factories.testimony(consent=granted)
    consent = testimony.current_consent()
    assert missing in policy.scopes_not_granted(consent)
    assert not policy.scope_granted(consent, missing)
    audiences = policy.index_audiences(testimony, consent)
    if missing == "archive":
        assert audiences == []
    if missing == "public":
        assert audiences == ["researcher", "export"]
    if missing == "researchers":
        assert audiences == ["public", "researcher"]  # public opens both


def test_without_any_consent_record_every_scope_is_missing():
    testimony = factories.testimony(consent={})
    assert policy.scopes_not_granted(testimony.current_consent()) == SCOPES
    assert policy.index_audiences(testimony, None) == []


def test_a_testimony_held_back_from_the_public_is_held_in_all_three_readings(
    users, settings
):
    held = factories.testimony(narrative="Held account.")
    Testimony.objects.filter(pk=held.pk).update(public_hold="group_shrank")
    held.refresh_from_db()
    held.save()  # indexed again, as the service's save does
    assert policy.index_audiences(held, held.current_consent()) == [
        "researcher",
        "export",
    ]
    for role, user in users.items():
        visible = (
            policy.visible_testimonies(Testimony.objects.all(), user)
            .filter(pk=held.pk)
            .exists()
        )
        sqs = SearchQuerySet().models(Testimony)
        condition = policy.search_filter(user)
        if condition is not None:
            sqs = sqs.filter(condition)
        found = held.pk in {int(result.pk) for result in sqs[:1000]}
        assert visible == found == (role != "anonymous"), role
        assert policy.allows(user, Action.VIEW, held) == visible


def test_every_action_has_one_rule():
    # allows() looks each action up: a new action without its rule would
    # fail at the first request that asks, not here.
    assert set(policy.RULES) == set(Action)
