"""Every address answers only the methods it serves.

A page that only shows something refuses a POST, and no address takes a
PUT or a DELETE: a request in a method a view never expected is refused
before the view reads anything (the role, the testimony), not answered
with the page as if it were a GET.
"""

import re

import pytest
from django.urls import reverse

from tests import factories
from tests.leak_scan import url_patterns

# Filled into every parameter: methods are checked before any lookup.
PARAMETER_VALUE = "zzzzzzzzzzzzz"


def _every_address():
    """One address per pattern of the site (the admin's are Django's own, and
    answer a stranger with the login page whatever the method)."""
    for route, name, _callback in url_patterns():
        if route.startswith(("admin/", "ar/admin/")):
            continue
        yield name or route, "/" + re.sub(r"<(?:\w+:)?\w+>", PARAMETER_VALUE, route)


ADDRESSES = sorted(set(_every_address()))


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_no_address_takes_a_method_it_does_not_serve(client, method):
    answered = {
        name: client.generic(method, address).status_code for name, address in ADDRESSES
    }
    assert {name: status for name, status in answered.items() if status != 405} == {}


# The pages that only show something: each used to answer a POST with the
# page itself.
READ_ONLY_PAGES = [
    ("testimonies:detail", "moderator"),
    ("testimonies:detail", "anonymous"),
    ("home", "researcher"),
    ("testimonies:mine", "documenter"),
    ("moderation:queue", "moderator"),
    ("accountability:signing-key", "anonymous"),
    ("accountability-api:signing-key-file", "anonymous"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), READ_ONLY_PAGES)
def test_a_page_that_only_shows_refuses_a_post(client_for, users, name, role):
    testimony = factories.testimony(status="approved")
    arguments = {"public_id": testimony.public_id} if name.endswith("detail") else {}
    url = reverse(name, kwargs=arguments)
    client = client_for(users[role])
    assert client.get(url).status_code == 200
    response = client.post(url, {})
    assert response.status_code == 405
    assert sorted(response["Allow"].split(", ")) == ["GET", "HEAD"]
    assert b"<html" not in response.content.lower()
