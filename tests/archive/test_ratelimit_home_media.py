"""The home page and attachment files are limited too (archive.ratelimit):
the home page draws on the anonymous search budget, files on a budget of
their own (a page shows several at once)."""

import pytest
from django.test import Client
from django.urls import reverse

from testimonies.attachments.services import attachment_add
from tests import factories
from tests.archive.test_ratelimit import (  # noqa: F401 (fixtures)
    API,
    SMALL,
    frozen,
    hit,
    small_budget,
)
from tests.markers import committed_db
from tests.testimonies.media_samples import (  # noqa: F401 (fixture)
    empty_media,
    photo_bytes,
    upload,
)

pytestmark = [committed_db, pytest.mark.usefixtures("empty_media", "frozen")]


@pytest.fixture
def public_photo(moderator):
    testimony = factories.testimony(
        consent={
            "archive": True,
            "researchers": True,
            "public": True,
            "media": True,
            "images": "public",
        }
    )
    attachment = attachment_add(
        testimony=testimony, upload=upload(photo_bytes()), by=moderator
    )
    return reverse(
        "testimonies:attachment-file",
        kwargs={
            "public_id": testimony.public_id,
            "attachment_id": attachment.public_id,
            "variant": "public-thumb",
        },
    )


# The default budget (60 a minute) is held to the 61st request by the search
# page and the API (tests/archive/test_ratelimit.py); here the same rule on a
# tenth of the requests.


@pytest.mark.usefixtures("small_budget")
def test_the_home_page_is_refused_past_the_anonymous_budget():
    client = Client()
    assert {r.status_code for r in hit(client, "home", SMALL)} == {200}
    refused = client.get(reverse("home"))
    assert refused.status_code == 429
    assert refused["Retry-After"] == "50"


@pytest.mark.usefixtures("small_budget")
def test_the_home_page_shares_the_anonymous_budget_of_searches():
    client = Client()
    hit(client, API, SMALL)
    assert client.get(reverse("home")).status_code == 429


@pytest.mark.usefixtures("small_budget")
def test_attachment_files_have_a_budget_of_their_own(public_photo, settings):
    settings.ARCHIVE_RATE_MEDIA = "5/minute"
    client = Client()
    hit(client, API, SMALL + 1)  # the search budget spent: files still come
    assert client.get(reverse(API)).status_code == 429
    answers = [client.get(public_photo).status_code for _ in range(5)]
    assert answers == [200] * 5
    refused = client.get(public_photo)
    assert refused.status_code == 429
    assert "no-store" in refused["Cache-Control"]
    # Another address has its own.
    assert Client(REMOTE_ADDR="192.0.2.7").get(public_photo).status_code == 200


def test_an_account_s_files_are_counted_per_account(
    public_photo, settings, client_for, researcher
):
    settings.ARCHIVE_RATE_MEDIA = "3/minute"
    client = client_for(researcher)
    assert [client.get(public_photo).status_code for _ in range(3)] == [200] * 3
    assert client.get(public_photo).status_code == 429
    assert Client().get(public_photo).status_code == 200  # the address's own
