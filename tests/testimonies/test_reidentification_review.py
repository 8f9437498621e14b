"""The re-identification check on the review page, and the public view
chosen there, up the permission ladder."""

import pytest
from django.urls import reverse

from testimonies.models import TestimonyStatus
from tests.testimonies.test_reidentification import candidate, given

pytestmark = pytest.mark.django_db

WARNING = "Fewer than 5 witnesses share these details"
CHECK = "Re-identification check"


def review_url(testimony):
    return reverse("moderation:review", kwargs={"public_id": testimony.public_id})


def checked(body, key):
    return f'value="{key}" checked' in body


def test_review_page_warns_when_the_group_is_below_k(coast, moderator, client_for):
    given(coast)
    given(coast, place="banias")
    testimony = candidate(coast)
    response = client_for(moderator).get(review_url(testimony))
    assert response.status_code == 200
    body = response.content.decode()
    assert CHECK in body and WARNING in body
    check = response.context["page"].reidentification
    assert (check.group_size, check.below_k) == (2, True)
    assert "As recorded, 2 witnesses in public" in body
    # Every view on offer with its group: Banias holds three.
    for key in ("recorded", "month", "place", "year", "place_month", "place_year"):
        assert f'name="public_view" value="{key}"' in body
    assert "Place raised to the next larger one: 3 witnesses" in body
    # None reaches k: the widest view is ticked.
    assert checked(body, "place_year") and not checked(body, "recorded")
    # Counted, never shown: nothing of the identities behind the groups.
    assert "Female" not in body and "30-44" not in body


def test_review_page_does_not_warn_when_k_is_reached(
    coast, moderator, client_for, settings
):
    settings.ARCHIVE_REID_K = 2
    given(coast)
    testimony = candidate(coast)
    body = client_for(moderator).get(review_url(testimony)).content.decode()
    assert CHECK in body and "Fewer than" not in body
    assert checked(body, "recorded")


def test_review_page_has_no_check_for_a_testimony_the_public_will_not_see(
    coast, moderator, client_for
):
    testimony = candidate(coast, consent={"archive": True, "researchers": True})
    response = client_for(moderator).get(review_url(testimony))
    assert response.context["page"].reidentification is None
    assert CHECK not in response.content.decode()


def test_approving_on_the_review_page_stores_the_chosen_view(
    coast, moderator, client_for
):
    testimony = candidate(coast)
    response = client_for(moderator).post(
        review_url(testimony), {"decision": "approved", "public_view": "place_year"}
    )
    assert response.status_code == 302
    testimony.refresh_from_db()
    assert testimony.status == TestimonyStatus.APPROVED
    assert (testimony.public_place_levels_up, testimony.public_date_precision) == (
        1,
        "year",
    )


def test_sending_back_ignores_the_public_view(coast, moderator, client_for):
    testimony = candidate(coast)
    client_for(moderator).post(
        review_url(testimony),
        {"decision": "sent_back", "comment": "Which street?", "public_view": "year"},
    )
    testimony.refresh_from_db()
    assert testimony.status == TestimonyStatus.SENT_BACK
    assert testimony.public_date_precision == ""


def test_an_unknown_public_view_is_refused(coast, moderator, client_for):
    testimony = candidate(coast)
    response = client_for(moderator).post(
        review_url(testimony), {"decision": "approved", "public_view": "nowhere"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["public_view"]
    testimony.refresh_from_db()
    assert testimony.status == TestimonyStatus.SUBMITTED


@pytest.mark.parametrize(
    "role, verified, status",
    [
        ("anonymous", True, 302),
        ("researcher", True, 403),
        ("documenter", True, 403),
        ("moderator", False, 302),
    ],
)
def test_nobody_else_chooses_a_public_view(
    coast, users, client_for, role, verified, status
):
    testimony = candidate(coast)
    client = client_for(users[role], verified=verified)
    url = review_url(testimony)
    assert client.get(url).status_code == status
    response = client.post(url, {"decision": "approved", "public_view": "place"})
    assert response.status_code == status
    if role == "moderator":
        assert response["Location"].startswith(reverse("two-factor") + "?next=")
    elif role == "anonymous":
        assert "/accounts/login/" in response["Location"]
    testimony.refresh_from_db()
    assert testimony.status == TestimonyStatus.SUBMITTED
    assert testimony.public_place_levels_up == 0
