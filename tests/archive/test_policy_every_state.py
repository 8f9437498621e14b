"""The access policy, read three ways (database, index fields, search
filter), must give the same answer for every role and consent state.

These tests only read: one testimony per state is built once for the
module. The policy's tests that write their own testimonies are in
test_policy.py."""

import datetime
import itertools

import pytest
from django.test import override_settings
from haystack.query import SearchQuerySet

from testimonies import policy
from testimonies.models import Testimony
from testimonies.policy import Action
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]

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


def every_state_testimonies(documenter) -> dict:
    with override_settings(ARCHIVE_REID_K=10_000), factories.together():
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


@pytest.fixture(scope="module")
def every_state(built_once):
    """One testimony per (consent, status, recorded by the documenter or not),
    built once: these tests only read them. The `documenter` fixture finds
    the same documenter (users are got or created by name).

    Their details are alike, and erasing one would shrink the others' group
    below k and hold them back from the public (a state of its own, tested
    in test_policy.py): k is set out of reach while they are made."""
    return built_once(lambda: every_state_testimonies(factories.user_in("documenter")))


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
