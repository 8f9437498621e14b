"""The review queue at volume: filters and orders from the URL, paging,
assignments (audited), batch actions each checked on its own, and the same
filters on a documenter's own testimonies.

The testimonies are built once for the module; each test's own writes roll
back. Paging, over testimonies of its own only, is in
test_moderation_queue_paging.py."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from archive.models import AuditEntry
from testimonies.audit_actions import AuditAction
from testimonies.consent.services.consent import consent_withdraw
from testimonies.models import ReviewAssignment, Testimony, TestimonyStatus
from testimonies.moderation.services import review_assign, testimonies_assign
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.index_kept]

QUEUE = reverse("moderation:queue", urlconf="archive.urls")
BATCH = reverse("moderation:queue-batch", urlconf="archive.urls")
MINE = reverse("testimonies:mine", urlconf="archive.urls")


def _user_in(role, username):
    user = factories.UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def other_moderator(db):
    return _user_in("moderator", "second-moderator")


@pytest.fixture
def other_documenter(db):
    return _user_in("documenter", "other-documenter")


@pytest.fixture(scope="module")
def built(built_once):
    """The places and `work`, built once: each test's own writes
    (assignments, batch decisions, reviews) roll back."""

    def build():
        coast = factories.coast()
        documenter = factories.user_in("documenter")
        other = _user_in("documenter", "other-documenter")
        return {"coast": coast, "work": work_testimonies(coast, documenter, other)}

    return built_once(build)


@pytest.fixture
def coast(built):
    return built["coast"]


@pytest.fixture
def work(built):
    """The testimonies read again for each test: one a test changed (and
    refreshed) is not the next test's."""
    return {
        key: Testimony.objects.get(pk=testimony.pk)
        for key, testimony in built["work"].items()
    }


def work_testimonies(coast, documenter, other_documenter) -> dict:
    """Testimonies in several states, places, languages and ages."""
    with factories.together():
        T = factories.testimony
        work = {
            "banias-ar": T(
                status="submitted",
                recorded_by=documenter,
                places=[coast["hai-al-kusour"]],
                language="ar",
            ),
            "jableh-en": T(
                status="submitted",
                recorded_by=other_documenter,
                places=[coast["jableh"]],
            ),
            "tartus-en": T(
                status="submitted", recorded_by=documenter, places=[coast["tartus"]]
            ),
            "sent-back": T(
                status="sent_back", recorded_by=documenter, places=[coast["banias"]]
            ),
            "approved": T(status="approved", recorded_by=documenter),
            "draft": T(status="draft", recorded_by=documenter, language="ar"),
        }
    # The Jableh account has waited ten days, the Tartus one two.
    now = timezone.now()
    for key, days in (("jableh-en", 10), ("tartus-en", 2), ("banias-ar", 0)):
        Testimony.objects.filter(pk=work[key].pk).update(
            submitted_at=now - datetime.timedelta(days=days)
        )
    return work


def listed(response):
    return [entry.testimony.public_id for entry in response.context["queue"]]


def ids(work, *keys):
    return [work[key].public_id for key in keys]


# Filters and orders


def test_queue_shows_what_waits_for_review_the_longest_waiting_first(
    work, moderator, client_for
):
    response = client_for(moderator).get(QUEUE)
    assert response.status_code == 200
    assert listed(response) == ids(work, "jableh-en", "tartus-en", "banias-ar")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"state": "sent_back"}, ["sent-back"]),
        ({"state": "any", "language": "ar"}, ["draft", "banias-ar"]),
        ({"documenter": "other-documenter"}, ["jableh-en"]),
        # A governorate takes every place under it, down to neighbourhoods.
        ({"place": "tartus-governorate"}, ["tartus-en", "banias-ar"]),
        ({"place": "hai-al-kusour"}, ["banias-ar"]),
        ({"waited": "1"}, ["jableh-en", "tartus-en"]),
        ({"waited": "7"}, ["jableh-en"]),
        ({"sort": "newest"}, ["banias-ar", "tartus-en", "jableh-en"]),
        ({"sort": "documenter"}, ["tartus-en", "banias-ar", "jableh-en"]),
    ],
)
def test_queue_filters_and_orders_from_the_url(
    work, moderator, client_for, query, expected
):
    response = client_for(moderator).get(QUEUE, query)
    assert response.status_code == 200
    assert listed(response) == ids(work, *expected)


def test_a_state_filter_of_any_excludes_nothing_but_erased(work, moderator, client_for):
    factories.testimony(status="erased")
    response = client_for(moderator).get(QUEUE, {"state": "any"})
    assert sorted(listed(response)) == sorted(t.public_id for t in work.values())


def test_an_unknown_filter_value_is_refused_beside_its_field_and_ignored(
    work, moderator, client_for
):
    response = client_for(moderator).get(
        QUEUE, {"place": "nowhere", "waited": "9999", "state": "sent_back"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"place", "waited"}
    assert listed(response) == ids(work, "sent-back")


def test_assigning_shows_the_moderator_audits_it_and_filters_by_it(
    work, moderator, other_moderator, client_for
):
    client = client_for(moderator)
    response = client.post(
        BATCH,
        {
            "action": "assign",
            "moderator": "second-moderator",
            "testimonies": ids(work, "jableh-en", "tartus-en"),
        },
    )
    assert response.status_code == 302
    client.post(
        BATCH,
        {
            "action": "assign",
            "moderator": moderator.username,
            "testimonies": ids(work, "banias-ar"),
        },
    )
    entries = AuditEntry.objects.filter(action=AuditAction.REVIEW_ASSIGNED)
    assert sorted((e.target, e.detail, e.actor) for e in entries) == sorted(
        [
            (work["jableh-en"].public_id, "to second-moderator", moderator),
            (work["tartus-en"].public_id, "to second-moderator", moderator),
            (work["banias-ar"].public_id, f"to {moderator.username}", moderator),
        ]
    )
    page = client.get(QUEUE)
    assert page.content.decode().count("Assigned to <bdi>second-moderator</bdi>") == 2
    assert listed(client.get(QUEUE, {"assigned": "me"})) == ids(work, "banias-ar")
    assert listed(client.get(QUEUE, {"assigned": "second-moderator"})) == ids(
        work, "jableh-en", "tartus-en"
    )
    assert listed(client.get(QUEUE, {"sort": "assignee"})) == ids(
        work, "banias-ar", "jableh-en", "tartus-en"
    )
    # Taken back: audited with whom it was taken from.
    client.post(BATCH, {"action": "unassign", "testimonies": ids(work, "tartus-en")})
    (entry,) = AuditEntry.objects.filter(action=AuditAction.REVIEW_UNASSIGNED)
    assert entry.detail == "from second-moderator"
    assert listed(client.get(QUEUE, {"assigned": "nobody"})) == ids(work, "tartus-en")


def test_assigning_again_to_the_same_moderator_records_nothing_new(work, moderator):
    testimony = work["tartus-en"]
    review_assign(testimony=testimony, moderator=moderator, assigned_by=moderator)
    review_assign(testimony=testimony, moderator=moderator, assigned_by=moderator)
    assert AuditEntry.objects.filter(action=AuditAction.REVIEW_ASSIGNED).count() == 1


def test_a_review_is_assigned_to_moderators_only(
    work, moderator, documenter, client_for
):
    client_for(moderator).post(
        BATCH,
        {
            "action": "assign",
            "moderator": documenter.username,
            "testimonies": ids(work, "tartus-en"),
        },
    )
    with pytest.raises(ValidationError) as caught:
        testimonies_assign(
            public_ids=ids(work, "tartus-en"), moderator=documenter, user=moderator
        )
    assert caught.value.code == "not_moderator"
    assert not ReviewAssignment.objects.exists()


def test_a_withdrawn_testimony_cannot_be_assigned_and_is_named(
    work, moderator, client_for
):
    consent_withdraw(
        testimony=work["tartus-en"],
        scopes=["archive"],
        reason="asked",
        obtained_by="test",
        recorded_by=moderator,
    )
    response = client_for(moderator).post(
        BATCH,
        {
            "action": "assign",
            "moderator": moderator.username,
            "testimonies": ids(work, "tartus-en", "jableh-en"),
        },
        follow=True,
    )
    assert list(
        ReviewAssignment.objects.values_list("testimony__public_id", flat=True)
    ) == ids(work, "jableh-en")
    shown = [str(m) for m in response.context["messages"]]
    assert "1 assignment changed." in shown
    assert any(work["tartus-en"].witness.pseudonym in m for m in shown)


# Sending back several at once


def test_sending_back_several_decides_each_one_and_names_those_refused(
    work, moderator, client_for
):
    response = client_for(moderator).post(
        BATCH,
        {
            "action": "send_back",
            "comment": "Add the date of the second raid.",
            "testimonies": ids(work, "jableh-en", "tartus-en", "approved"),
            "next": QUEUE + "?sort=newest",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == QUEUE + "?sort=newest"
    for key, status in (
        ("jableh-en", TestimonyStatus.SENT_BACK),
        ("tartus-en", TestimonyStatus.SENT_BACK),
        ("approved", TestimonyStatus.APPROVED),
    ):
        work[key].refresh_from_db()
        assert work[key].status == status, key
    sent_back = AuditEntry.objects.filter(action=AuditAction.SENT_BACK)
    assert sorted(sent_back.values_list("target", flat=True)) == sorted(
        ids(work, "jableh-en", "tartus-en")
    )
    assert not any("second raid" in e.detail for e in sent_back)
    shown = [str(m) for m in response.context["messages"]]
    assert "2 testimonies sent back." in shown
    assert any(
        work["approved"].witness.pseudonym in m and "not waiting" in m for m in shown
    )


def test_sending_back_needs_a_comment(work, moderator, client_for):
    client_for(moderator).post(
        BATCH,
        {"action": "send_back", "comment": "  ", "testimonies": ids(work, "tartus-en")},
    )
    work["tartus-en"].refresh_from_db()
    assert work["tartus-en"].status == TestimonyStatus.SUBMITTED


def test_approval_is_never_a_batch_action(work, moderator, client_for):
    client_for(moderator).post(
        BATCH, {"action": "approved", "testimonies": ids(work, "tartus-en")}
    )
    work["tartus-en"].refresh_from_db()
    assert work["tartus-en"].status == TestimonyStatus.SUBMITTED
    assert not AuditEntry.objects.filter(action=AuditAction.APPROVED).exists()


def test_unknown_ids_are_counted_not_echoed(work, moderator, client_for):
    response = client_for(moderator).post(
        BATCH,
        {"action": "unassign", "testimonies": ["no-such-testimony<script>"]},
        follow=True,
    )
    shown = [str(m) for m in response.context["messages"]]
    assert shown == ["1 testimony ticked is no longer in the queue."]


def test_a_batch_never_sends_anywhere_but_the_queue(work, moderator, client_for):
    response = client_for(moderator).post(
        BATCH,
        {
            "action": "unassign",
            "testimonies": ids(work, "tartus-en"),
            "next": "https://elsewhere.example/moderation/",
        },
    )
    assert response["Location"] == QUEUE


# The batch view, up the ladder


@pytest.mark.parametrize("role", ["researcher", "documenter"])
def test_batch_actions_are_forbidden_to_other_roles(work, users, client_for, role):
    response = client_for(users[role]).post(
        BATCH,
        {"action": "send_back", "comment": "x", "testimonies": ids(work, "tartus-en")},
    )
    assert response.status_code == 403
    work["tartus-en"].refresh_from_db()
    assert work["tartus-en"].status == TestimonyStatus.SUBMITTED


def test_batch_actions_send_anonymous_to_log_in(work, client_for, anonymous):
    response = client_for(anonymous).post(
        BATCH,
        {"action": "send_back", "comment": "x", "testimonies": ids(work, "tartus-en")},
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    work["tartus-en"].refresh_from_db()
    assert work["tartus-en"].status == TestimonyStatus.SUBMITTED


def test_batch_actions_send_an_unverified_moderator_to_the_second_factor(
    work, moderator, client_for
):
    response = client_for(moderator, verified=False).post(
        BATCH,
        {"action": "send_back", "comment": "x", "testimonies": ids(work, "tartus-en")},
    )
    assert response["Location"].startswith(reverse("two-factor") + "?next=")
    work["tartus-en"].refresh_from_db()
    assert work["tartus-en"].status == TestimonyStatus.SUBMITTED


def test_batch_actions_answer_get_with_405(moderator, client_for):
    assert client_for(moderator).get(BATCH).status_code == 405


# A documenter's own testimonies, filtered the same way


def mine_listed(response):
    return [row.testimony.public_id for row in response.context["rows"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["draft", "sent-back", "tartus-en", "banias-ar"]),
        # Newest first: by submission, or by recording if never submitted.
        ({"state": "submitted"}, ["banias-ar", "tartus-en"]),
        ({"language": "ar"}, ["banias-ar", "draft"]),
        ({"place": "banias"}, ["banias-ar", "sent-back"]),
        ({"waited": "1"}, ["tartus-en"]),
        ({"sort": "oldest", "state": "submitted"}, ["tartus-en", "banias-ar"]),
    ],
)
def test_mine_filters_and_orders_from_the_url(
    work, documenter, client_for, query, expected
):
    response = client_for(documenter).get(MINE, query)
    assert response.status_code == 200
    got = mine_listed(response)
    if query:
        assert got == ids(work, *expected)
    else:
        # Newest first by default; the approved one too.
        assert set(got) == set(ids(work, *expected, "approved"))


def test_mine_never_lists_or_offers_another_documenters_work(
    work, coast, documenter, other_documenter, client_for
):
    private = factories.place("other-farm", "Abu Samir's farm", parent=coast["jableh"])
    private.added_by_documenter = True
    private.save()
    factories.testimony(status="draft", recorded_by=other_documenter, places=[private])
    response = client_for(documenter).get(MINE, {"documenter": "other-documenter"})
    assert work["jableh-en"].public_id not in mine_listed(response)
    body = response.content.decode()
    assert "Abu Samir" not in body and 'value="other-documenter"' not in body
    assert "Jableh" not in body
    refused = client_for(documenter).get(MINE, {"place": "other-farm"})
    assert "place" in refused.context["form"].errors


def test_mine_says_when_filters_match_nothing(work, documenter, client_for):
    response = client_for(documenter).get(MINE, {"state": "approved", "language": "ku"})
    assert response.status_code == 200
    assert "None of your testimonies matches these filters." in (
        response.content.decode()
    )


def test_the_review_page_shows_the_assignment_and_takes_the_review(
    work, moderator, other_moderator, client_for
):
    testimony = work["tartus-en"]
    review_assign(testimony=testimony, moderator=other_moderator, assigned_by=moderator)
    client = client_for(moderator)
    url = reverse("moderation:review", args=[testimony.public_id])
    page = client.get(url)
    assert page.context["page"].assigned_to == other_moderator
    assert "Take this review" in page.content.decode()
    response = client.post(
        BATCH,
        {
            "action": "assign",
            "moderator": moderator.username,
            "testimonies": [testimony.public_id],
            "next": url,
        },
    )
    assert response["Location"] == url
    assert ReviewAssignment.objects.get(testimony=testimony).moderator == moderator
    assert "Take this review" not in client.get(url).content.decode()


def test_the_place_filter_names_places_in_the_interfaces_language(
    work, moderator, client_for
):
    client = client_for(moderator)
    english = client.get(QUEUE).context["form"]["place"]
    assert "Banias" in str(english)
    arabic = client.get("/ar" + QUEUE).context["form"]["place"]
    assert "بانياس" in str(arabic) and "حي القصور" in str(arabic)
