"""`next` parameters lead only to this site (archive.redirects)."""

import pytest
from django.test import RequestFactory

from archive.redirects import same_site_or


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/search/?q=Banias", "/search/?q=Banias"),
        ("https://evil.example/phish", "/home/"),
        ("//evil.example/phish", "/home/"),
        ("javascript:alert(1)", "/home/"),
        ("", "/home/"),
    ],
)
def test_only_this_sites_addresses_are_followed(target, expected):
    request = RequestFactory().get("/")  # host: testserver
    assert same_site_or(request, target, "/home/") == expected
