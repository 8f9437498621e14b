"""The access policy, read three ways (database, index fields, search
filter), must give the same answer for every role and consent state."""

import datetime
import itertools

import pytest
from haystack.query import SearchQuerySet

from archive.roles import Role, role_of
from testimonies import policy
from testimonies.models import Testimony
from testimonies.policy import Action
from tests import factories
from tests.markers import committed_db

pytestmark = committed_db

PAST = datetime.date(2025, 1, 1)
FUTURE = datetime.date(2099, 1, 1)

CONSENT_STATES = {
    "public": {"archive": True, "researchers": True, "public": True},
    "public-only": {"archive": True, "public": True},
    "researchers": {"archive": True, "researchers": True},
    "archive-only": {"archive": True},
    "public-embargoed": {
        "archive": True,
        "researchers": True,
        "public": True,
        "embargo_until": FUTURE,
    },  # fmt: skip
    "public-embargo-passed": {"archive": True, "public": True, "embargo_until": PAST},
    "none": {},
}
STATUSES = ["approved", "submitted", "draft", "withdrawn", "erased"]


@pytest.fixture
def every_state(documenter, settings):
    """One testimony per (consent, status, recorded by the documenter or not).

    Their details are alike, and erasing one would shrink the others' group
    below k and hold them back from the public (a state of its own, tested
    below): k is set out of reach here."""
    with factories.together():
        settings.ARCHIVE_REID_K = 10_000
        made = {}
        for (name, consent), status, own in itertools.product(
            CONSENT_STATES.items(), STATUSES, [False, True]
        ):
            made[(name, status, own)] = factories.testimony(
                consent=dict(consent),
                status=status,
                recorded_by=documenter if own else None,
                narrative=f"Account {name} {status} {own}",
            )
    return made


def expected_visible(role, name, status, own):
    """The rule, as the policy's docstring states it."""
    if status == "erased":
        return False
    if role == "moderator":
        return True
    if role == "documenter" and own and status != "withdrawn":  # nor erased
        return True
    consent = CONSENT_STATES[name]
    released = (
        status == "approved"
        and consent.get("archive")
        and consent.get("embargo_until", PAST) <= datetime.date.today()
    )
    if role == "anonymous":
        return bool(released and consent.get("public"))
    return bool(released and (consent.get("researchers") or consent.get("public")))


def test_database_rule_matches_the_stated_policy(every_state, users):
    for role, user in users.items():
        visible = set(
            policy.visible_testimonies(Testimony.objects.all(), user).values_list(
                "pk", flat=True
            )
        )
        for key, testimony in every_state.items():
            assert (testimony.pk in visible) == expected_visible(role, *key), (
                role,
                key,
            )


def test_search_filter_matches_the_database_rule(every_state, users):
    for role, user in users.items():
        sqs = SearchQuerySet().models(Testimony)
        condition = policy.search_filter(user)
        if condition is not None:
            sqs = sqs.filter(condition)
        found = {int(result.pk) for result in sqs[:1000]}
        indexable = set(Testimony.objects.indexable().values_list("pk", flat=True))
        visible = set(
            policy.visible_testimonies(Testimony.objects.all(), user).values_list(
                "pk", flat=True
            )
        )
        assert found == visible & indexable, role


def test_may_view_agrees_with_visible_to(every_state, users):
    for role, user in users.items():
        for key, testimony in every_state.items():
            assert policy.allows(user, Action.VIEW, testimony) == expected_visible(
                role, *key
            )


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


def expected_exportable(role, name, status, own):
    """The export rule, as the policy's docstring states it: released with
    `researchers` consent, for researchers and moderators alike."""
    if role not in ("researcher", "moderator"):
        return False
    consent = CONSENT_STATES[name]
    return bool(
        status == "approved"
        and consent.get("archive")
        and consent.get("researchers")
        and consent.get("embargo_until", PAST) <= datetime.date.today()
    )


def test_export_rule_matches_the_stated_policy(every_state, users):
    for role, user in users.items():
        exportable = set(
            policy.exportable_testimonies(Testimony.objects.all(), user).values_list(
                "pk", flat=True
            )
        )
        for key, testimony in every_state.items():
            assert (testimony.pk in exportable) == expected_exportable(role, *key), (
                role,
                key,
            )
        assert policy.allows(user, Action.EXPORT) == (
            role in ("researcher", "moderator")
        )


def test_export_search_filter_matches_the_database_rule(every_state, moderator):
    sqs = SearchQuerySet().models(Testimony).filter(policy.export_search_filter())
    found = {int(result.pk) for result in sqs[:1000]}
    exportable = set(
        policy.exportable_testimonies(Testimony.objects.all(), moderator).values_list(
            "pk", flat=True
        )
    )
    assert found == exportable
    assert found  # the states include exportable ones


def test_nothing_exportable_is_hidden_from_the_researcher_who_exports(
    every_state, researcher
):
    exportable = policy.exportable_testimonies(Testimony.objects.all(), researcher)
    visible = policy.visible_testimonies(Testimony.objects.all(), researcher)
    assert set(exportable.values_list("pk", flat=True)) <= set(
        visible.values_list("pk", flat=True)
    )


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
