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
