"""The interface is complete in Arabic and laid out right to left."""

import subprocess
from pathlib import Path

import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "locale/ar/LC_MESSAGES/django.po"


def test_arabic_catalogue_has_no_untranslated_or_fuzzy_entry():
    for flag in ["--untranslated", "--only-fuzzy"]:
        result = subprocess.run(
            ["msgattrib", flag, "--no-obsolete", str(CATALOGUE)],
            capture_output=True,
            text=True,
            check=True,
        )
        assert result.stdout.strip() == "", result.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/search/", "/accounts/login/"])
def test_pages_speak_arabic_right_to_left(client, path):
    response = client.get("/ar" + path)
    body = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "أرشيف الشهادات" in body  # the site name, translated
    assert "Search the testimonies" not in body and "Log in" not in body
