"""What a person reads after a wrong second-factor code: a quick retry is
checked once the short lock is over, not refused with "wait 1 seconds"; a
longer wait is counted in words with the language's plural, in English and
Arabic."""

import datetime
import time

import pytest
import time_machine
from django.urls import reverse

from tests.archive.test_two_factor import code_for, verified, wrong_code_for

pytestmark = pytest.mark.django_db
TWO_FACTOR = reverse("two-factor")
START = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def clock(monkeypatch):
    """A clock that moves only when told to, and by exactly what the code
    waits: the view's `time.sleep(s)` (the short lock waited out) moves it
    on by s at once instead of waiting s seconds. The checks then happen at
    the same instants as with a real wait, without the second each test
    spent sleeping."""
    with time_machine.travel(START, tick=False) as traveller:
        monkeypatch.setattr(
            time, "sleep", lambda s: traveller.shift(datetime.timedelta(seconds=s))
        )
        yield traveller


def test_a_quick_retry_after_one_wrong_code_is_checked_not_refused(
    client_for, moderator, second_factor, clock
):
    device = second_factor(moderator)
    client = client_for(moderator, verified=False)
    client.post(TWO_FACTOR, {"code": wrong_code_for(device)})
    # At once, as someone who mistyped and typed again.
    response = client.post(TWO_FACTOR, {"code": code_for(device)})
    assert "Too many wrong codes" not in response.content.decode()
    assert response.status_code == 302
    assert verified(client)
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_quick_wrong_retry_still_counts_as_a_wrong_code(
    client_for, moderator, second_factor, clock
):
    device = second_factor(moderator)
    client = client_for(moderator, verified=False)
    client.post(TWO_FACTOR, {"code": wrong_code_for(device)})
    response = client.post(TWO_FACTOR, {"code": wrong_code_for(device)})
    assert "That code is not right." in response.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 2
    assert not verified(client)


@pytest.mark.parametrize(
    ("language", "one", "several"),
    [
        (
            "en",
            "Wait 1 second, then try again.",
            "Wait 4 seconds, then try again.",
        ),
        (
            "ar",
            "انتظر ثانية واحدة، ثم حاول مرة أخرى.",
            "انتظر 4 ثوانٍ، ثم حاول مرة أخرى.",
        ),
    ],
)
def test_the_wait_is_written_with_the_languages_plural(
    client_for, moderator, second_factor, language, one, several, monkeypatch
):
    device = second_factor(moderator)
    client = client_for(moderator, verified=False)
    # Each language at its own address: English unprefixed, Arabic under /ar/.
    two_factor = TWO_FACTOR if language == "en" else f"/{language}{TWO_FACTOR}"
    # The clock stands still: the short lock is waited out but never ends.
    # Waiting on a clock that stands still changes nothing on it, so the
    # view's wait is not spent either.
    with time_machine.travel(START, tick=False) as traveller:
        monkeypatch.setattr(time, "sleep", lambda s: None)
        client.post(two_factor, {"code": wrong_code_for(device)})
        page = client.post(two_factor, {"code": code_for(device)}).content.decode()
        assert one in page and "seconds" not in page.replace(one, "")
        traveller.shift(datetime.timedelta(seconds=2))
        client.post(two_factor, {"code": wrong_code_for(device)})  # locked 2 s
        traveller.shift(datetime.timedelta(seconds=3))
        client.post(two_factor, {"code": wrong_code_for(device)})  # locked 4 s
        page = client.post(two_factor, {"code": code_for(device)}).content.decode()
        assert several in page
    assert not verified(client)
