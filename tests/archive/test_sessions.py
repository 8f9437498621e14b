"""Sessions end after 30 minutes without a request."""

import datetime

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db
START = datetime.datetime(2025, 6, 2, 9, 0, tzinfo=datetime.UTC)


def signed_in(client):
    return client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_activity_keeps_a_session_alive_past_30_minutes(client, researcher):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(researcher)
        for _ in range(4):  # an hour and more of work, a request every 20 min
            traveller.shift(datetime.timedelta(minutes=20))
            assert signed_in(client)


def test_a_session_ends_after_30_idle_minutes(client, researcher):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(researcher)
        traveller.shift(datetime.timedelta(minutes=29))
        assert signed_in(client)
        traveller.shift(datetime.timedelta(minutes=31))
        assert not signed_in(client)


def test_an_idle_moderator_gives_the_second_factor_again(
    verified_client_for, moderator
):
    with time_machine.travel(START, tick=False) as traveller:
        client = verified_client_for(moderator)
        assert client.get(reverse("roles")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("roles"))
        assert response["Location"].startswith(reverse("login"))
        client.force_login(moderator)
        response = client.get(reverse("roles"))
        assert response["Location"].startswith(reverse("two-factor"))


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_expiry_is_written_at_most_once_a_minute(client, researcher):
    """Every request moves the idle expiry on, but a burst of requests
    writes the session once: the expiry then lags the last request by less
    than a minute, so a session ends a little sooner, never later."""
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(researcher)
        assert signed_in(client)
        first = _expiry(client)
        assert first == START + datetime.timedelta(minutes=30)
        for _ in range(5):  # five requests in 50 seconds: no write
            traveller.shift(datetime.timedelta(seconds=10))
            assert signed_in(client)
            assert _expiry(client) == first
        traveller.shift(datetime.timedelta(seconds=15))  # 65 s after the first
        assert signed_in(client)
        assert _expiry(client) == START + datetime.timedelta(seconds=65, minutes=30)


def test_a_session_ends_within_30_minutes_of_the_last_request(client, researcher):
    with time_machine.travel(START, tick=False) as traveller:
        client.force_login(researcher)
        assert signed_in(client)  # the expiry moved on now
        traveller.shift(datetime.timedelta(seconds=50))
        assert signed_in(client)  # not written: the expiry stays 30 min after START
        traveller.shift(datetime.timedelta(minutes=29, seconds=11))
        assert not signed_in(client)


def test_an_anonymous_visitor_gets_no_session(client):
    from django.contrib.sessions.models import Session

    for _ in range(3):
        response = client.get(reverse("home"))
        assert "sessionid" not in response.cookies
    assert not Session.objects.exists()
